//! The audit chain: each row's hash covers the row and the hash before it.

use super::{AuditRow, GENESIS, ROW_FIELDS};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use surrealdb::types::Datetime;

/// The chain hash of a row: SHA-256 over the previous hash and the row's
/// fields, as an unambiguous JSON array.
#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
    prev: &str,
    seq: i64,
    at: &DateTime<Utc>,
    practice: Option<&str>,
    staff: Option<&str>,
    role: Option<&str>,
    action: &str,
    patient: Option<&str>,
    address: Option<&str>,
    outcome: &str,
) -> String {
    let body = serde_json::json!([
        prev,
        seq,
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        practice,
        staff,
        role,
        action,
        patient,
        address,
        outcome
    ]);
    let digest = Sha256::digest(body.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the chain is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// Row `seq`'s contents do not match its hash: it was changed.
    Altered { seq: i64 },
    /// Row `seq` does not follow the row before it: a row before it was
    /// removed, or it was re-linked.
    Unlinked { seq: i64 },
    /// The last row is not the one the chain head names (rows removed from
    /// the end).
    Truncated { expected_last: i64, found_last: i64 },
}

fn to_utc(d: &Datetime) -> DateTime<Utc> {
    DateTime::<Utc>::from(*d)
}

impl Store {
    /// Checks the whole chain; `Ok(n)` when all `n` rows link up.
    pub async fn verify_audit(&self) -> Result<Result<i64, ChainBreak>, StoreError> {
        let mut prev_hash = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut after = 0i64;
        loop {
            let mut res = self
                .db()
                .query(format!(
                    "SELECT {ROW_FIELDS} FROM audit_event WHERE seq > $after ORDER BY seq LIMIT 1000"
                ))
                .bind(("after", after))
                .await?
                .check()?;
            let rows: Vec<AuditRow> = res.take(0)?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                if r.seq != expected_seq || r.prev_hash.as_deref() != Some(prev_hash.as_str()) {
                    return Ok(Err(ChainBreak::Unlinked { seq: r.seq }));
                }
                let hash = chain_hash(
                    &prev_hash,
                    r.seq,
                    &to_utc(&r.at),
                    r.practice.as_deref(),
                    r.staff.as_deref(),
                    r.role.as_deref(),
                    &r.action,
                    r.patient.as_deref(),
                    r.address.as_deref(),
                    &r.outcome,
                );
                if r.hash.as_deref() != Some(hash.as_str()) {
                    return Ok(Err(ChainBreak::Altered { seq: r.seq }));
                }
                prev_hash = hash;
                expected_seq += 1;
            }
            after = rows.last().map(|r| r.seq).unwrap_or(after);
        }
        let mut res = self
            .db()
            .query("SELECT VALUE seq FROM ONLY audit_head:chain")
            .await?
            .check()?;
        let head: Option<i64> = res.take(0)?;
        let found_last = expected_seq - 1;
        match head {
            Some(h) if h != found_last => Ok(Err(ChainBreak::Truncated {
                expected_last: h,
                found_last,
            })),
            _ => Ok(Ok(found_last)),
        }
    }
}
