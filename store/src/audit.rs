//! The audit trail: every view of a patient's record and every write, with
//! who (and in what role), when (UTC), what, which patient, from which
//! address, and the outcome (including refusals). Append-only: the
//! database refuses updates and deletes (an EVENT throws), and each row
//! carries the hash of the one before it, so a row changed or removed by
//! someone with direct database access breaks the chain; `verify_audit`
//! finds where.

use crate::outbox::{self, Retry};
use crate::{Store, StoreError};
use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};
use surrealdb::types::{Datetime, RecordId, SurrealValue};

/// The hash the first row follows.
pub const GENESIS: &str = "genesis";

/// The outcome of what was audited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    /// Refused by the policy, or another practice's record (answered as
    /// not found).
    Refused,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// One thing to audit.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub practice_id: Option<String>,
    pub staff_id: Option<String>,
    pub role: Option<String>,
    /// "viewed the record", "registered the patient", …
    pub action: String,
    pub patient_id: Option<String>,
    pub address: Option<String>,
    pub outcome: Outcome,
}

/// An audit row as the audit page shows it.
#[derive(Clone, Debug, PartialEq, Eq, SurrealValue)]
pub struct AuditRow {
    pub seq: i64,
    pub at: Datetime,
    pub practice: Option<String>,
    pub staff: Option<String>,
    pub staff_name: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub patient: Option<String>,
    pub patient_name: Option<String>,
    pub address: Option<String>,
    pub outcome: String,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// What the audit page filters by.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub staff_id: Option<String>,
    pub patient_id: Option<String>,
    /// London date, YYYY-MM-DD (the whole day, UTC bounds given by the caller).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

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

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Altered { seq } => write!(f, "audit entry {seq} was changed after it was written"),
            ChainBreak::Unlinked { seq } => write!(
                f,
                "audit entry {seq} does not follow the entry before it: entries were removed or re-linked"
            ),
            ChainBreak::Truncated { expected_last, found_last } => write!(
                f,
                "the audit trail ends at entry {found_last} but entry {expected_last} was written: entries were removed"
            ),
        }
    }
}

fn to_utc(d: &Datetime) -> DateTime<Utc> {
    DateTime::<Utc>::from(*d)
}

const ROW_FIELDS: &str = "seq, at, IF practice THEN record::id(practice) END AS practice,
    IF staff THEN record::id(staff) END AS staff, staff.display_name AS staff_name, role, action,
    IF patient THEN record::id(patient) END AS patient,
    IF patient THEN string::concat(patient.given_name, ' ', string::uppercase(patient.family_name)) END AS patient_name,
    address, outcome, prev_hash, hash";

impl Store {
    /// Appends an entry to the chain. Concurrent writers are serialised by
    /// the chain head: a writer that lost the race re-reads it and retries.
    pub async fn audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        for _ in 0..50 {
            let mut res = self
                .db()
                .query("SELECT seq, hash FROM ONLY audit_head:chain")
                .await?
                .check()?;
            #[derive(SurrealValue)]
            struct Head {
                seq: i64,
                hash: String,
            }
            let head: Option<Head> = res.take(0)?;
            let (prev_seq, prev_hash) = head
                .map(|h| (h.seq, h.hash))
                .unwrap_or((0, GENESIS.to_string()));
            let seq = prev_seq + 1;
            let at = Utc::now().trunc_subsecs(6);
            let hash = chain_hash(
                &prev_hash,
                seq,
                &at,
                e.practice_id.as_deref(),
                e.staff_id.as_deref(),
                e.role.as_deref(),
                &e.action,
                e.patient_id.as_deref(),
                e.address.as_deref(),
                e.outcome.as_str(),
            );
            let outcome = outbox::run_with_retry(|| {
                self.db()
                    .query(
                        "BEGIN TRANSACTION;
                         LET $head = (SELECT VALUE seq FROM ONLY audit_head:chain) ?? 0;
                         IF $head != $prev_seq { THROW 'op:stale' };
                         CREATE audit_event CONTENT {
                             seq: $seq, at: $at, practice: $practice, staff: $staff, role: $role,
                             action: $action, patient: $patient, address: $address, outcome: $outcome,
                             prev_hash: $prev_hash, hash: $hash
                         } RETURN NONE;
                         UPSERT audit_head:chain SET seq = $seq, hash = $hash RETURN NONE;
                         COMMIT TRANSACTION;",
                    )
                    .bind(("prev_seq", prev_seq))
                    .bind(("seq", seq))
                    .bind(("at", Datetime::from(at)))
                    .bind(("practice", e.practice_id.as_deref().map(|p| RecordId::new("practice", p))))
                    .bind(("staff", e.staff_id.as_deref().map(|s| RecordId::new("staff", s))))
                    .bind(("role", e.role.clone()))
                    .bind(("action", e.action.clone()))
                    .bind(("patient", e.patient_id.as_deref().map(|p| RecordId::new("patient", p))))
                    .bind(("address", e.address.clone()))
                    .bind(("outcome", e.outcome.as_str().to_string()))
                    .bind(("prev_hash", prev_hash.clone()))
                    .bind(("hash", hash.clone()))
            })
            .await;
            match outcome {
                Ok(()) => return Ok(()),
                Err(Retry::Thrown(t)) if t == "op:stale" => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Internal("the audit chain stayed busy".into()))
    }

    /// A practice's audit rows, newest first, at most `limit`.
    pub async fn audit_rows(
        &self,
        practice_id: &str,
        filter: &AuditFilter,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {ROW_FIELDS} FROM audit_event
                 WHERE practice = type::record('practice', $practice)
                   AND ($staff = NONE OR staff = type::record('staff', $staff))
                   AND ($patient = NONE OR patient = type::record('patient', $patient))
                   AND ($from = NONE OR at >= $from) AND ($to = NONE OR at < $to)
                 ORDER BY seq DESC LIMIT $limit"
            ))
            .bind(("practice", practice_id.to_string()))
            .bind(("staff", filter.staff_id.clone()))
            .bind(("patient", filter.patient_id.clone()))
            .bind(("from", filter.from.map(Datetime::from)))
            .bind(("to", filter.to.map(Datetime::from)))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::small_practice;
    use crate::staff::hash_password;

    fn entry(p: &crate::fixtures::SmallPractice, action: &str) -> AuditEntry {
        AuditEntry {
            practice_id: Some(p.practice_id.clone()),
            staff_id: Some(p.staff_id("gp").to_string()),
            role: Some("gp".into()),
            action: action.into(),
            patient_id: Some(p.patient_ids[0].clone()),
            address: Some("10.0.0.1".into()),
            outcome: Outcome::Allowed,
        }
    }

    async fn setup() -> (Store, crate::fixtures::SmallPractice) {
        let store = Store::memory().await.unwrap();
        let hash = hash_password("a long test password").unwrap();
        let p = small_practice(&store, "Test Surgery", "", &hash, "2026-11-21")
            .await
            .unwrap();
        (store, p)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_entries_form_one_chain_that_verifies() {
        let (store, p) = setup().await;
        let store = std::sync::Arc::new(store);
        let writers: Vec<_> = (0..20)
            .map(|i| {
                let (store, e) = (store.clone(), entry(&p, &format!("viewed the record {i}")));
                tokio::spawn(async move { store.audit(&e).await })
            })
            .collect();
        for w in writers {
            w.await.unwrap().unwrap();
        }
        assert_eq!(store.verify_audit().await.unwrap(), Ok(20));
        let rows = store
            .audit_rows(&p.practice_id, &Default::default(), 100)
            .await
            .unwrap();
        assert_eq!(rows.len(), 20);
        assert_eq!(rows[0].seq, 20, "newest first");
        assert_eq!(rows[0].staff_name.as_deref(), Some("Dr Ann Carter"));
    }

    #[tokio::test]
    async fn the_database_refuses_changes_and_deletions() {
        let (store, p) = setup().await;
        store.audit(&entry(&p, "viewed the record")).await.unwrap();
        for attempt in [
            "UPDATE audit_event SET outcome = 'refused'",
            "DELETE audit_event",
        ] {
            let mut res = store.db().query(attempt).await.unwrap();
            let errors = res.take_errors();
            assert!(!errors.is_empty(), "{attempt} was allowed");
        }
        assert_eq!(store.verify_audit().await.unwrap(), Ok(1));
    }

    /// Five entries, then someone with root access removes the guard and
    /// runs `sql`; what verification says.
    async fn after_tampering(sql: &str) -> Result<i64, ChainBreak> {
        let (store, p) = setup().await;
        for i in 0..5 {
            store
                .audit(&entry(&p, &format!("viewed the record {i}")))
                .await
                .unwrap();
        }
        store
            .db()
            .query(format!(
                "REMOVE EVENT audit_append_only ON audit_event; {sql}"
            ))
            .await
            .unwrap()
            .check()
            .unwrap();
        store.verify_audit().await.unwrap()
    }

    #[tokio::test]
    async fn tampering_by_someone_with_database_access_is_found() {
        // An edited row.
        assert_eq!(
            after_tampering("UPDATE audit_event SET action = 'nothing to see' WHERE seq = 3").await,
            Err(ChainBreak::Altered { seq: 3 })
        );
        // A deleted one.
        assert_eq!(
            after_tampering("DELETE audit_event WHERE seq = 2").await,
            Err(ChainBreak::Unlinked { seq: 3 })
        );
        // The latest ones deleted.
        assert_eq!(
            after_tampering("DELETE audit_event WHERE seq > 3").await,
            Err(ChainBreak::Truncated {
                expected_last: 5,
                found_last: 3
            })
        );
    }
}
