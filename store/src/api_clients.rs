//! API clients and their bearer tokens. Secrets and tokens are stored only
//! as SHA-256 (the services hash them); what a client may do is the
//! services' business, this only stores and fetches.

use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, Store, StoreError};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// A registered client, as the token endpoint and the admin list see it.
#[derive(Clone, Debug, PartialEq, Eq, SurrealValue)]
pub struct ApiClientRow {
    pub id: String,
    pub practice_id: String,
    pub name: String,
    /// Space-separated SMART scopes.
    pub scopes: String,
    pub secret_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// A bearer token joined with its client.
#[derive(Clone, Debug, PartialEq, Eq, SurrealValue)]
pub struct ApiTokenRow {
    pub client_id: String,
    pub practice_id: String,
    pub client_name: String,
    pub client_active: bool,
    /// What this token was granted (within the client's scopes).
    pub scopes: String,
    pub expires_at: DateTime<Utc>,
}

/// Why a client was not changed.
#[derive(Debug, thiserror::Error)]
pub enum ClientChangeError {
    #[error("not found")]
    NotFound,
    #[error("revoked")]
    Revoked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

const CLIENT_FIELDS: &str = "record::id(id) AS id, record::id(practice) AS practice_id, name,
    scopes, secret_hash, active, created_at";

impl PracticeStore {
    /// Registers a client of this practice under `id`.
    pub async fn create_api_client(
        &self,
        id: &str,
        name: &str,
        scopes: &str,
        secret_hash: &str,
    ) -> Result<(), StoreError> {
        self.db()
            .query(
                "CREATE type::record('api_client', $id) CONTENT {
                    practice: type::record('practice', $practice), name: $name,
                    scopes: $scopes, secret_hash: $secret_hash
                 } RETURN NONE",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", self.pid()))
            .bind(("name", name.to_string()))
            .bind(("scopes", scopes.to_string()))
            .bind(("secret_hash", secret_hash.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// The practice's clients, oldest first.
    pub async fn api_clients(&self) -> Result<Vec<ApiClientRow>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {CLIENT_FIELDS} FROM api_client
                 WHERE practice = type::record('practice', $practice) ORDER BY created_at"
            ))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Revokes a client of this practice (`secret_hash` none) or gives an
    /// active one a new secret; either way every token it holds stops
    /// working at once. Not found when the client is not this practice's;
    /// `Revoked` for a new secret for a revoked client (it stays revoked).
    pub async fn change_api_client(
        &self,
        id: &str,
        secret_hash: Option<&str>,
    ) -> Result<(), ClientChangeError> {
        let outcome = run_with_retry(|| {
            self.db()
                .query(
                    "BEGIN TRANSACTION;
                 LET $c = type::record('api_client', $id);
                 LET $found = (SELECT practice, active FROM ONLY $c);
                 IF $found = NONE OR $found.practice != type::record('practice', $practice) {
                     THROW 'op:not_found'
                 };
                 IF $secret != NONE AND !$found.active { THROW 'op:revoked' };
                 IF $secret = NONE {
                     UPDATE $c SET active = false, version += 1 RETURN NONE
                 } ELSE {
                     UPDATE $c SET secret_hash = $secret, version += 1 RETURN NONE
                 };
                 DELETE api_token WHERE client = $c RETURN NONE;
                 COMMIT TRANSACTION;",
                )
                .bind(("id", id.to_string()))
                .bind(("practice", self.pid()))
                .bind(("secret", secret_hash.map(String::from)))
        })
        .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(ClientChangeError::NotFound),
            Err(Retry::Thrown(t)) if t == "op:revoked" => Err(ClientChangeError::Revoked),
            Err(e) => Err(StoreError::from(e).into()),
        }
    }
}

impl Store {
    /// A client by its id, in whichever practice (the token endpoint does
    /// not know the practice until the client is found).
    pub async fn api_client(&self, id: &str) -> Result<Option<ApiClientRow>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {CLIENT_FIELDS} FROM ONLY type::record('api_client', $id)"
            ))
            .bind(("id", id.to_string()))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Stores a token (by its hash) for a client.
    pub async fn create_api_token(
        &self,
        token_hash: &str,
        client: &ApiClientRow,
        scopes: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.db()
            .query(
                "DELETE api_token WHERE client = type::record('api_client', $client)
                     AND expires_at < time::now() RETURN NONE;
                 CREATE type::record('api_token', $key) CONTENT {
                    client: type::record('api_client', $client),
                    practice: type::record('practice', $practice),
                    scopes: $scopes, expires_at: $expires
                 } RETURN NONE",
            )
            .bind(("key", token_hash.to_string()))
            .bind(("client", client.id.clone()))
            .bind(("practice", client.practice_id.clone()))
            .bind(("scopes", scopes.to_string()))
            .bind(("expires", expires_at))
            .await?
            .check()?;
        Ok(())
    }

    /// A token by its hash, with its client as it is now.
    pub async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenRow>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(client) AS client_id, record::id(practice) AS practice_id,
                        client.name AS client_name, client.active AS client_active,
                        scopes, expires_at
                 FROM ONLY type::record('api_token', $key)",
            )
            .bind(("key", token_hash.to_string()))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }
}
