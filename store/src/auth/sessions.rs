//! Server-side sessions, keyed by the SHA-256 of the cookie token (the token
//! itself is never stored). Expiry rules live in the auth service; this only
//! stores and fetches.

use crate::{PracticeStore, Store, StoreError};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// A live session joined with the staff member it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, SurrealValue)]
pub struct SessionRecord {
    pub staff_id: String,
    pub practice_id: String,
    pub display_name: String,
    pub practice_name: String,
    pub practice_is_demo: bool,
    pub role: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl PracticeStore {
    /// Starts a session for a member of this practice.
    pub async fn create_session(
        &self,
        token_hash: &str,
        staff_id: &domain::StaffId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.db()
            .query(
                "CREATE type::record('session', $key) CONTENT {
                    staff: type::record('staff', $staff),
                    practice: type::record('practice', $practice),
                    created_at: $now, last_seen: $now, expires_at: $expires
                } RETURN NONE",
            )
            .bind(("key", token_hash.to_string()))
            .bind(("staff", staff_id.as_str().to_string()))
            .bind(("practice", self.pid()))
            .bind(("now", now))
            .bind(("expires", expires_at))
            .await?
            .check()?;
        Ok(())
    }
}

impl Store {
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(staff) AS staff_id, record::id(practice) AS practice_id,
                        staff.display_name AS display_name, staff.role AS role, staff.active AS active,
                        practice.name AS practice_name, practice.is_demo AS practice_is_demo,
                        created_at, last_seen, expires_at
                 FROM type::record('session', $key)",
            )
            .bind(("key", token_hash.to_string()))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.db()
            .query("UPDATE type::record('session', $key) SET last_seen = $now RETURN NONE")
            .bind(("key", token_hash.to_string()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.db()
            .query("DELETE type::record('session', $key)")
            .bind(("key", token_hash.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Housekeeping: drop sessions past their absolute lifetime or idle
    /// since before `idle_before`.
    pub async fn delete_expired_sessions(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.db()
            .query("DELETE session WHERE expires_at <= $now OR last_seen < $idle")
            .bind(("now", now))
            .bind(("idle", idle_before))
            .await?
            .check()?;
        Ok(())
    }
}
