//! Failed sign-in attempts, counted per key ("user:<name>" or
//! "addr:<ip>") so throttling holds across several server processes.

use crate::{Store, StoreError};
use chrono::{DateTime, Utc};

impl Store {
    pub async fn record_login_failure(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for key in keys {
            self.db()
                .query("CREATE login_failure CONTENT { key: $key, at: $at } RETURN NONE")
                .bind(("key", key.clone()))
                .bind(("at", at))
                .await?
                .check()?;
        }
        Ok(())
    }

    /// Failures for `key` since `since`, and the earliest of them (from
    /// which the lock-out's end is computed).
    pub async fn login_failures_since(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
        let mut res = self
            .db()
            .query("SELECT VALUE at FROM login_failure WHERE key = $key AND at >= $since ORDER BY at ASC")
            .bind(("key", key.to_string()))
            .bind(("since", since))
            .await?
            .check()?;
        let times: Vec<DateTime<Utc>> = res.take(0)?;
        Ok((times.len() as i64, times.first().copied()))
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        self.db()
            .query("DELETE login_failure WHERE key = $key")
            .bind(("key", key.to_string()))
            .await?
            .check()?;
        Ok(())
    }
}
