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
    /// Signed in with a one-time password: must choose their own first.
    pub must_change_password: bool,
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

/// One of a person's sessions, as "Where you are signed in" lists it.
#[derive(Clone, Debug, PartialEq, Eq, SurrealValue)]
pub struct SessionRow {
    /// The stored key (the token's hash).
    pub key: String,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub device: Option<String>,
    pub address: Option<String>,
}

impl PracticeStore {
    /// Notes where a session was started from (a browser's description and
    /// the address), for the person's list of their sessions.
    pub async fn describe_session(
        &self,
        key: &str,
        device: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        self.db()
            .query(
                "UPDATE type::record('session', $key) SET device = $device, address = $address
                 WHERE practice = type::record('practice', $practice) RETURN NONE",
            )
            .bind(("key", key.to_string()))
            .bind(("device", device.to_string()))
            .bind(("address", address.to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        Ok(())
    }

    /// A member of this practice's live sessions, most recently used first.
    pub async fn sessions_of(
        &self,
        staff: &domain::StaffId,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS key, created_at, last_seen, device, address FROM session
                 WHERE staff = type::record('staff', $staff)
                   AND practice = type::record('practice', $practice)
                 ORDER BY last_seen DESC",
            )
            .bind(("staff", staff.as_str().to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Ends a member's sessions: those whose key is in `keys`, or all of
    /// them but `keep`. With `tell`, an outbox event closes every open
    /// socket of theirs on every server at once (only when none of their
    /// sessions is kept: sockets are known by person, not by session).
    pub async fn end_sessions(
        &self,
        staff: &domain::StaffId,
        keys: Option<&[String]>,
        keep: Option<&str>,
        tell: bool,
    ) -> Result<(), StoreError> {
        let which = match keys {
            Some(_) => "AND record::id(id) IN $keys",
            None => "AND record::id(id) != $keep",
        };
        let event = if tell {
            format!(
                "LET $new_version = 1; {}",
                crate::live::append("NONE", "NONE")
            )
        } else {
            String::new()
        };
        let script = format!(
            "BEGIN TRANSACTION;
             DELETE session WHERE staff = type::record('staff', $staff)
                 AND practice = $practice {which};
             {event}
             COMMIT TRANSACTION;"
        );
        crate::tx::run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("staff", staff.as_str().to_string()))
                .bind(("practice", self.record()))
                .bind(("keys", keys.map(<[String]>::to_vec).unwrap_or_default()))
                .bind(("keep", keep.unwrap_or_default().to_string()))
                .bind(("kind", domain::live::EventKind::StaffSignedOut.as_str()))
                .bind(("record", staff.as_str().to_string()))
        })
        .await
        .map_err(StoreError::from)
    }
}

impl Store {
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(staff) AS staff_id, record::id(practice) AS practice_id,
                        staff.display_name AS display_name, staff.role AS role, staff.active AS active,
                        staff.must_change_password ?? false AS must_change_password,
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
