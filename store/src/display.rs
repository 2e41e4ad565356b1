//! Display links: a per-practice secret URL that opens the waiting-room call
//! screen on a TV without a staff session. Only the SHA-256 of the secret is
//! stored (the caller hashes it); a revoked link stops working at once,
//! including for a screen already connected (it is re-checked).

use crate::{PracticeStore, Store, StoreError};
use domain::PracticeId;
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
        let mut res = self
            .db()
            .query(
                "UPDATE type::record('display_link', $id) SET revoked_at = time::now()
                 WHERE practice = $practice AND revoked_at = NONE RETURN VALUE record::id(id)",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", self.record()))
            .await?
            .check()?;
        let ids: Vec<String> = res.take(0)?;
        if ids.is_empty() {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

impl Store {
    /// The practice a live (unrevoked) link belongs to.
    pub async fn display_link_practice(
        &self,
        token_hash: &str,
    ) -> Result<Option<PracticeId>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT VALUE record::id(practice) FROM display_link
                 WHERE token_hash = $hash AND revoked_at = NONE LIMIT 1",
            )
            .bind(("hash", token_hash.to_string()))
            .await?
            .check()?;
        let ids: Vec<String> = res.take(0)?;
        Ok(ids.into_iter().next().map(PracticeId::new))
    }
}
