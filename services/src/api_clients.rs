//! API clients: other systems calling the FHIR API. A practice admin (or
//! the operator, on the command line) registers a client with a name and
//! SMART scopes and is shown its secret once; the client trades the
//! secret for a short-lived bearer token (OAuth 2.0 client credentials)
//! and every request with it acts as that client, in that practice only.
//! Secrets and tokens are stored only as SHA-256; revoking a client or
//! giving it a new secret ends its tokens at once.

use crate::auth::{new_token, token_key};
use crate::{audit, Actor, Result, ServiceError};
use chrono::{DateTime, Duration, Utc};
use domain::scopes::Scopes;
use domain::{ApiClientId, Area, PracticeId};
use store::api_clients::{ApiClientRow, ClientChangeError};
use store::audit::{AuditEntry, Outcome};
use store::Store;

/// How long a bearer token lives (SMART's recommended upper bound).
pub const TOKEN_LIFETIME_SECONDS: i64 = 300;

/// A client as the admin list shows it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientView {
    pub id: ApiClientId,
    pub name: String,
    pub scopes: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<ApiClientRow> for ClientView {
    fn from(r: ApiClientRow) -> Self {
        ClientView {
            id: ApiClientId::new(r.id),
            name: r.name,
            scopes: r.scopes,
            active: r.active,
            created_at: r.created_at,
        }
    }
}

/// A new client and its secret, shown this once.
#[derive(Clone, Debug)]
pub struct Registered {
    pub id: ApiClientId,
    pub secret: String,
    pub scopes: String,
}

fn valid_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ServiceError::field(
            "name",
            "Enter the client's name (the system it is, e.g. \"Lab results feed\").",
        ));
    }
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ServiceError::field(
            "name",
            "Keep the name under 100 characters, on one line.",
        ));
    }
    Ok(name.to_string())
}

/// Registers a client of the admin's practice.
pub async fn register(
    store: &Store,
    actor: &Actor,
    name: &str,
    scopes: &str,
) -> Result<Registered> {
    actor.require(Area::Admin)?;
    let registered = create(store, &actor.practice, name, scopes).await?;
    let action = format!("registered API client {}", registered.id);
    audit::record(store, actor, &action, None, Outcome::Allowed).await?;
    Ok(registered)
}

/// Registers a client of `practice` for the deployment's operator (the
/// command line), audited as the operator.
pub async fn register_as_operator(
    store: &Store,
    practice: &PracticeId,
    name: &str,
    scopes: &str,
) -> Result<Registered> {
    let registered = create(store, practice, name, scopes).await?;
    store
        .practice(practice)
        .audit(&AuditEntry {
            staff_id: None,
            role: Some("operator".into()),
            action: format!("registered API client {} (command line)", registered.id),
            patient_id: None,
            address: None,
            outcome: Outcome::Allowed,
        })
        .await
        .map_err(ServiceError::internal)?;
    Ok(registered)
}

async fn create(
    store: &Store,
    practice: &PracticeId,
    name: &str,
    scopes: &str,
) -> Result<Registered> {
    let name = valid_name(name)?;
    let scopes = Scopes::parse(scopes).map_err(|e| ServiceError::field("scopes", e))?;
    let id = ApiClientId::new(format!("{:032x}", rand::random::<u128>()));
    let secret = new_token();
    store
        .practice(practice)
        .create_api_client(id.as_str(), &name, &scopes.to_string(), &token_key(&secret))
        .await?;
    tracing::info!(client = %id, practice = %practice, "API client registered");
    Ok(Registered {
        id,
        secret,
        scopes: scopes.to_string(),
    })
}

/// The admin's practice's clients.
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<ClientView>> {
    actor.require(Area::Admin)?;
    let rows = actor.db(store).api_clients().await?;
    Ok(rows.into_iter().map(ClientView::from).collect())
}

/// Revokes a client: its tokens stop working at once.
pub async fn revoke(store: &Store, actor: &Actor, id: &ApiClientId) -> Result<()> {
    actor.require(Area::Admin)?;
    named(id)?;
    actor
        .db(store)
        .change_api_client(id.as_str(), None)
        .await
        .map_err(change_refused)?;
    let action = format!("revoked API client {}", audit::sanitised_id(id.as_str()));
    audit::record(store, actor, &action, None, Outcome::Allowed).await
}

/// A new secret for a client (shown once); the old one and its tokens stop
/// working at once.
pub async fn rotate(store: &Store, actor: &Actor, id: &ApiClientId) -> Result<String> {
    actor.require(Area::Admin)?;
    named(id)?;
    let secret = new_token();
    actor
        .db(store)
        .change_api_client(id.as_str(), Some(&token_key(&secret)))
        .await
        .map_err(change_refused)?;
    let action = format!(
        "gave API client {} a new secret",
        audit::sanitised_id(id.as_str())
    );
    audit::record(store, actor, &action, None, Outcome::Allowed).await?;
    Ok(secret)
}

/// An empty id names no client (the store's transaction would only say it
/// could not commit).
fn named(id: &ApiClientId) -> Result<()> {
    if id.is_empty() {
        Err(ServiceError::NotFound)
    } else {
        Ok(())
    }
}

fn change_refused(e: ClientChangeError) -> ServiceError {
    match e {
        ClientChangeError::NotFound => ServiceError::NotFound,
        ClientChangeError::Revoked => ServiceError::conflict(
            "This client was revoked and stays revoked: register a new client instead.",
            None,
        ),
        ClientChangeError::Store(e) => e.into(),
    }
}

/// A bearer token as the token endpoint answers it.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
}

fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn client_actor(row_practice: &str, id: &str, name: &str, scopes: Scopes, address: &str) -> Actor {
    Actor::client(
        PracticeId::new(row_practice),
        ApiClientId::new(id),
        name,
        scopes,
        Some(address.to_string()).filter(|a| !a.is_empty()),
    )
}

/// OAuth 2.0 client credentials: a token for a registered, active client
/// whose secret matches, with the scopes asked for (all of the client's
/// when none are). `BadCredentials` for an unknown client, a wrong secret
/// or a revoked client (the same answer for each); `Invalid` on `scope`
/// for scopes beyond the client's.
pub async fn issue_token(
    store: &Store,
    client_id: &str,
    secret: &str,
    requested: Option<&str>,
    address: &str,
) -> Result<IssuedToken> {
    let row = if client_id.is_empty() || client_id.len() > 64 {
        None
    } else {
        store.api_client(client_id).await?
    };
    let Some(row) = row.filter(|r| same_secret(&r.secret_hash, &token_key(secret)) && r.active)
    else {
        tracing::info!(client = %audit::sanitised_id(client_id), "API token refused");
        return Err(ServiceError::BadCredentials);
    };
    let granted = Scopes::parse(&row.scopes).map_err(ServiceError::internal)?;
    let scopes = match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => granted.clone(),
        Some(text) => {
            let asked = Scopes::parse(text).map_err(|e| ServiceError::field("scope", e))?;
            if !asked.within(&granted) {
                return Err(ServiceError::field(
                    "scope",
                    format!("This client may be granted at most: {granted}."),
                ));
            }
            asked
        }
    };
    let token = new_token();
    let expires = Utc::now() + Duration::seconds(TOKEN_LIFETIME_SECONDS);
    store
        .create_api_token(&token_key(&token), &row, &scopes.to_string(), expires)
        .await?;
    let actor = client_actor(
        &row.practice_id,
        &row.id,
        &row.name,
        scopes.clone(),
        address,
    );
    audit::record(
        store,
        &actor,
        "obtained an API token",
        None,
        Outcome::Allowed,
    )
    .await?;
    Ok(IssuedToken {
        access_token: token,
        expires_in: TOKEN_LIFETIME_SECONDS,
        scope: scopes.to_string(),
    })
}

/// The client a bearer token acts for: `Unauthenticated` when the token is
/// unknown, expired, or its client revoked.
pub async fn resolve_token(store: &Store, token: &str, address: &str) -> Result<Actor> {
    if token.is_empty() || token.len() > 200 {
        return Err(ServiceError::Unauthenticated);
    }
    let Some(row) = store.api_token(&token_key(token)).await? else {
        return Err(ServiceError::Unauthenticated);
    };
    if !row.client_active || row.expires_at <= Utc::now() {
        return Err(ServiceError::Unauthenticated);
    }
    let scopes = Scopes::parse(&row.scopes).map_err(ServiceError::internal)?;
    Ok(client_actor(
        &row.practice_id,
        &row.client_id,
        &row.client_name,
        scopes,
        address,
    ))
}
