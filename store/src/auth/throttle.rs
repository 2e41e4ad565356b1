//! Sign-in attempts, counted per key (an account at an address, or an
//! address) in the database so throttling holds across several server
//! processes. Counting is atomic: each attempt reads the key's row and
//! writes it back only if no other attempt changed it meanwhile (a version
//! check in one transaction), so of many simultaneous attempts each sees
//! the count the ones before it left. What counts as locked is the auth
//! service's rule (`decide`); this only stores.

use crate::tx::{run_with_retry, Retry};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// A key's failures so far and when the last was counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempts {
    pub n: i64,
    pub last: DateTime<Utc>,
}

/// What to do with an attempt, given the key's attempts so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Count it (the failures become `n`) and let it be checked.
    Count { n: i64 },
    /// Refuse it, uncounted, until this instant.
    Refuse { until: DateTime<Utc> },
}

#[derive(SurrealValue)]
struct Row {
    n: i64,
    last: DateTime<Utc>,
    version: i64,
}

impl Store {
    /// Decides on one attempt for `key` and, if it is to be counted, counts
    /// it, atomically with respect to every other attempt on the key.
    pub async fn count_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        decide: impl Fn(Option<Attempts>) -> Decision,
    ) -> Result<Decision, StoreError> {
        for _ in 0..100 {
            let mut res = self
                .db()
                .query("SELECT n, last, version FROM ONLY type::record('sign_in_attempts', $key)")
                .bind(("key", key.to_string()))
                .await?
                .check()?;
            let row: Option<Row> = res.take(0)?;
            let version = row.as_ref().map(|r| r.version).unwrap_or(0);
            let decision = decide(row.map(|r| Attempts {
                n: r.n,
                last: r.last,
            }));
            let Decision::Count { n } = decision else {
                return Ok(decision);
            };
            let outcome = run_with_retry(|| {
                self.db()
                    .query(
                        "BEGIN TRANSACTION;
                         LET $row = (SELECT VALUE version FROM ONLY type::record('sign_in_attempts', $key)) ?? 0;
                         IF $row != $version { THROW 'op:stale' };
                         UPSERT type::record('sign_in_attempts', $key) SET n = $n, last = $now, version = $version + 1 RETURN NONE;
                         COMMIT TRANSACTION;",
                    )
                    .bind(("key", key.to_string()))
                    .bind(("version", version))
                    .bind(("n", n))
                    .bind(("now", now))
            })
            .await;
            match outcome {
                Ok(()) => return Ok(decision),
                Err(Retry::Thrown(t)) if t == "op:stale" => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Internal(
            "sign-in attempts stayed too busy to count".into(),
        ))
    }

    /// Takes back one counted attempt (it succeeded; the key's earlier
    /// failures stay counted).
    pub async fn uncount_attempt(&self, key: &str) -> Result<(), StoreError> {
        self.db()
            .query(
                "UPDATE type::record('sign_in_attempts', $key)
                 SET n = math::max([n - 1, 0]), version += 1 RETURN NONE",
            )
            .bind(("key", key.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Forgets a key's attempts (an account signed in from that address).
    pub async fn clear_attempts(&self, key: &str) -> Result<(), StoreError> {
        self.db()
            .query("DELETE type::record('sign_in_attempts', $key)")
            .bind(("key", key.to_string()))
            .await?
            .check()?;
        Ok(())
    }
}
