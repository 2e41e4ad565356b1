//! Display links: a per-practice secret URL that opens the waiting-room call
//! screen on a TV without a staff session. Only the SHA-256 of the secret is
//! stored (the caller hashes it); a revoked link stops working at once,
//! including for a screen already connected (its revocation is an outbox
//! event that every server acts on).

use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, Store, StoreError};
use domain::live::EventKind;
use domain::{DisplayLinkId, PracticeId};
use surrealdb::types::{Datetime, RecordId, SurrealValue};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayLink {
    pub id: String,
    pub created_by: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub revoked: bool,
}

#[derive(SurrealValue)]
struct LinkRow {
    id: String,
    created_by: Option<String>,
    created_at: Datetime,
    revoked: bool,
}

impl PracticeStore {
    /// Records a new link for this practice whose secret hashes to `token_hash`.
    pub async fn create_display_link(
        &self,
        token_hash: &str,
        created_by: &str,
    ) -> Result<String, StoreError> {
        let mut res = self
            .db()
            .query(
                "CREATE ONLY display_link CONTENT {
                    practice: $practice, token_hash: $hash, created_by: $by
                 } RETURN VALUE record::id(id)",
            )
            .bind(("practice", self.record()))
            .bind(("hash", token_hash.to_string()))
            .bind(("by", RecordId::new("staff", created_by)))
            .await?
            .check()?;
        let id: Option<String> = res.take(0)?;
        id.ok_or(StoreError::NotFound)
    }

    pub async fn display_links(&self) -> Result<Vec<DisplayLink>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, created_by.display_name AS created_by, created_at,
                        revoked_at != NONE AS revoked
                 FROM display_link WHERE practice = $practice ORDER BY created_at DESC",
            )
            .bind(("practice", self.record()))
            .await?
            .check()?;
        let rows: Vec<LinkRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| DisplayLink {
                id: r.id,
                created_by: r.created_by.unwrap_or_default(),
                created_at: crate::rfc3339(r.created_at),
                revoked: r.revoked,
            })
            .collect())
    }

    /// Revokes a link of this practice; another practice's link is `NotFound`.
    pub async fn revoke_display_link(&self, id: &str) -> Result<(), StoreError> {
        // The revocation and its outbox event in one transaction: every
        // server closes the link's open screens when it sees the event.
        let outcome = run_with_retry(|| {
            self.db()
                .query(format!(
                    "BEGIN TRANSACTION;
                     LET $ids = (UPDATE type::record('display_link', $id) SET revoked_at = time::now()
                        WHERE practice = $practice AND revoked_at = NONE RETURN VALUE record::id(id));
                     IF array::len($ids) = 0 {{ THROW 'op:not_found' }};
                     {}
                     COMMIT TRANSACTION;",
                    crate::live::append("NONE", "NONE")
                ))
                .bind(("id", id.to_string()))
                .bind(("practice", self.record()))
                .bind(("kind", EventKind::DisplayLinkRevoked.as_str()))
                .bind(("record", id.to_string()))
                .bind(("new_version", 1i64))
        })
        .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }
}

impl Store {
    /// A live (unrevoked) link, and its practice, by its secret's hash.
    pub async fn display_link_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(DisplayLinkId, PracticeId)>, StoreError> {
        #[derive(SurrealValue)]
        struct Link {
            id: String,
            practice: String,
        }
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, record::id(practice) AS practice FROM display_link
                 WHERE token_hash = $hash AND revoked_at = NONE LIMIT 1",
            )
            .bind(("hash", token_hash.to_string()))
            .await?
            .check()?;
        let links: Vec<Link> = res.take(0)?;
        Ok(links
            .into_iter()
            .next()
            .map(|l| (DisplayLinkId::new(l.id), PracticeId::new(l.practice))))
    }
}
