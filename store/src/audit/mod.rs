//! The audit trail: every view of a patient's record and every write, with
//! who (and in what role), when (UTC), what, which patient, from which
//! address, and the outcome (including refusals). Append-only: the
//! database refuses updates and deletes (an EVENT throws), and each row
//! carries the hash of the one before it, so a row changed or removed by
//! someone with direct database access breaks the chain; `verify_audit`
//! finds where (`chain`).

mod chain;
mod key;

pub use chain::{ChainBreak, Linked, RecordedHead, HMAC_SHA256};
pub use key::{key_file_beside, AuditKey};

use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, Store, StoreError};
use chrono::{DateTime, SubsecRound, Utc};
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

/// One thing to audit, in a practice.
#[derive(Clone, Debug)]
pub struct AuditEntry {
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
    /// "hmac-sha256" when keyed; none for rows from before.
    pub alg: Option<String>,
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

const ROW_FIELDS: &str = "seq, at, IF practice THEN record::id(practice) END AS practice,
    IF staff THEN record::id(staff) END AS staff, staff.display_name AS staff_name, role, action,
    IF patient THEN record::id(patient) END AS patient,
    IF patient THEN string::concat(patient.given_name, ' ', string::uppercase(patient.family_name)) END AS patient_name,
    address, outcome, prev_hash, hash, alg";

impl PracticeStore {
    /// Appends an entry for this practice. Concurrent writers are
    /// serialised by the chain head: a writer that lost the race re-reads
    /// it and retries.
    pub async fn audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.store().append_audit(Some(self.id().as_str()), e).await
    }
}

impl Store {
    /// Appends an entry that belongs to no practice (a failed sign-in
    /// naming no account that exists).
    pub async fn audit_deployment(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.append_audit(None, e).await
    }

    /// Appends an entry to the chain, for `practice` (none: a deployment
    /// event, such as a failed sign-in naming no known account).
    pub(crate) async fn append_audit(
        &self,
        practice: Option<&str>,
        e: &AuditEntry,
    ) -> Result<(), StoreError> {
        for _ in 0..50 {
            let (prev_seq, prev_hash) = self
                .audit_head()
                .await?
                .map(|h| (h.seq, h.hash))
                .unwrap_or((0, GENESIS.to_string()));
            let seq = prev_seq + 1;
            let at = Utc::now().trunc_subsecs(6);
            let hash = Linked {
                prev: &prev_hash,
                seq,
                at: &at,
                practice,
                staff: e.staff_id.as_deref(),
                role: e.role.as_deref(),
                action: &e.action,
                patient: e.patient_id.as_deref(),
                address: e.address.as_deref(),
                outcome: e.outcome.as_str(),
            }
            .hmac(&self.audit_key());
            let outcome = run_with_retry(|| {
                self.db()
                    .query(
                        "BEGIN TRANSACTION;
                         LET $head = (SELECT VALUE seq FROM ONLY audit_head:chain) ?? 0;
                         IF $head != $prev_seq { THROW 'op:stale' };
                         CREATE audit_event CONTENT {
                             seq: $seq, at: $at, practice: $practice, staff: $staff, role: $role,
                             action: $action, patient: $patient, address: $address, outcome: $outcome,
                             prev_hash: $prev_hash, hash: $hash, alg: $alg
                         } RETURN NONE;
                         UPSERT audit_head:chain SET seq = $seq, hash = $hash RETURN NONE;
                         COMMIT TRANSACTION;",
                    )
                    .bind(("prev_seq", prev_seq))
                    .bind(("seq", seq))
                    .bind(("at", Datetime::from(at)))
                    .bind(("practice", practice.map(|p| RecordId::new("practice", p))))
                    .bind(("staff", e.staff_id.as_deref().map(|s| RecordId::new("staff", s))))
                    .bind(("role", e.role.clone()))
                    .bind(("action", e.action.clone()))
                    .bind(("patient", e.patient_id.as_deref().map(|p| RecordId::new("patient", p))))
                    .bind(("address", e.address.clone()))
                    .bind(("outcome", e.outcome.as_str().to_string()))
                    .bind(("prev_hash", prev_hash.clone()))
                    .bind(("hash", hash.clone()))
                    .bind(("alg", HMAC_SHA256))
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
}

impl PracticeStore {
    /// A practice's audit rows, newest first, at most `limit`.
    pub async fn audit_rows(
        &self,
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
            .bind(("practice", self.pid()))
            .bind(("staff", filter.staff_id.clone()))
            .bind(("patient", filter.patient_id.clone()))
            .bind(("from", filter.from.map(Datetime::from)))
            .bind(("to", filter.to.map(Datetime::from)))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::passwords::hash_password;
    use crate::fixtures::small_practice;

    fn entry(p: &crate::fixtures::SmallPractice, action: &str) -> AuditEntry {
        AuditEntry {
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
                let (db, e) = (p.db(&store), entry(&p, &format!("viewed the record {i}")));
                tokio::spawn(async move { db.audit(&e).await })
            })
            .collect();
        for w in writers {
            w.await.unwrap().unwrap();
        }
        assert_eq!(store.verify_audit().await.unwrap(), Ok(20));
        let rows = p
            .db(&store)
            .audit_rows(&Default::default(), 100)
            .await
            .unwrap();
        assert_eq!(rows.len(), 20);
        assert_eq!(rows[0].seq, 20, "newest first");
        assert_eq!(rows[0].staff_name.as_deref(), Some("Dr Ann Carter"));
    }

    #[tokio::test]
    async fn the_database_refuses_changes_and_deletions() {
        let (store, p) = setup().await;
        p.db(&store)
            .audit(&entry(&p, "viewed the record"))
            .await
            .unwrap();
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
    /// runs `sql`; what verification says (against `recorded` if given).
    async fn after_tampering(sql: &str) -> Result<i64, ChainBreak> {
        let (store, _) = five_entries().await;
        tamper(&store, sql).await;
        store.verify_audit().await.unwrap()
    }

    async fn five_entries() -> (Store, crate::fixtures::SmallPractice) {
        let (store, p) = setup().await;
        for i in 0..5 {
            p.db(&store)
                .audit(&entry(&p, &format!("viewed the record {i}")))
                .await
                .unwrap();
        }
        (store, p)
    }

    async fn tamper(store: &Store, sql: &str) {
        store
            .db()
            .query(format!(
                "REMOVE EVENT IF EXISTS audit_append_only ON audit_event; {sql}"
            ))
            .await
            .unwrap()
            .check()
            .unwrap();
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
        // The head removed, with or without the rows after it.
        assert_eq!(
            after_tampering("DELETE audit_head:chain").await,
            Err(ChainBreak::HeadMissing { found_last: 5 })
        );
        assert_eq!(
            after_tampering("DELETE audit_event WHERE seq > 3; DELETE audit_head:chain").await,
            Err(ChainBreak::HeadMissing { found_last: 3 })
        );
    }

    /// Someone with database access but not the key edits entry 3 and
    /// re-links everything after it with freshly computed hashes: what
    /// plain SHA-256 could not catch.
    #[tokio::test]
    async fn a_chain_rewritten_without_the_key_does_not_verify() {
        for alg in ["NONE", "'hmac-sha256'"] {
            let (store, _) = five_entries().await;
            tamper(
                &store,
                "UPDATE audit_event SET action = 'nothing to see' WHERE seq = 3",
            )
            .await;
            let rows: Vec<AuditRow> = store
                .db()
                .query(format!("SELECT {ROW_FIELDS} FROM audit_event ORDER BY seq"))
                .await
                .unwrap()
                .take(0)
                .unwrap();
            let mut prev = rows[1].hash.clone().unwrap();
            for r in &rows[2..] {
                let at = chrono::DateTime::<Utc>::from(r.at);
                let hash = Linked {
                    prev: &prev,
                    seq: r.seq,
                    at: &at,
                    practice: r.practice.as_deref(),
                    staff: r.staff.as_deref(),
                    role: r.role.as_deref(),
                    action: &r.action,
                    patient: r.patient.as_deref(),
                    address: r.address.as_deref(),
                    outcome: &r.outcome,
                }
                .sha256();
                tamper(
                    &store,
                    &format!(
                        "UPDATE audit_event SET prev_hash = '{prev}', hash = '{hash}', alg = {alg} WHERE seq = {};
                         UPSERT audit_head:chain SET seq = {}, hash = '{hash}';",
                        r.seq, r.seq
                    ),
                )
                .await;
                prev = hash;
            }
            let expected = if alg == "NONE" {
                ChainBreak::Unkeyed { seq: 3 }
            } else {
                ChainBreak::Altered { seq: 3 }
            };
            assert_eq!(store.verify_audit().await.unwrap(), Err(expected), "{alg}");
        }
    }

    /// The newest entries removed and the head reset to the last one left:
    /// consistent inside the database, found against the head the log
    /// printed.
    #[tokio::test]
    async fn a_cut_with_the_head_reset_is_found_against_the_recorded_head() {
        let (store, p) = five_entries().await;
        let recorded = store.audit_head().await.unwrap().unwrap();
        assert_eq!(recorded.seq, 5);
        assert_eq!(
            store.verify_audit_against(Some(&recorded)).await.unwrap(),
            Ok(5)
        );
        let wrong = RecordedHead {
            seq: 4,
            hash: "0".repeat(64),
        };
        assert_eq!(
            store.verify_audit_against(Some(&wrong)).await.unwrap(),
            Err(ChainBreak::NotTheRecordedHead { seq: 4 })
        );
        tamper(
            &store,
            "DELETE audit_event WHERE seq > 3;
             UPSERT audit_head:chain SET seq = 3, hash = (SELECT VALUE hash FROM ONLY audit_event WHERE seq = 3 LIMIT 1);",
        )
        .await;
        assert_eq!(
            store.verify_audit().await.unwrap(),
            Ok(3),
            "consistent inside"
        );
        assert_eq!(
            store.verify_audit_against(Some(&recorded)).await.unwrap(),
            Err(ChainBreak::Truncated {
                expected_last: 5,
                found_last: 3
            })
        );
        // Writing goes on from the cut, and the log's head still finds it.
        p.db(&store)
            .audit(&entry(&p, "viewed the record"))
            .await
            .unwrap();
        assert!(store
            .verify_audit_against(Some(&recorded))
            .await
            .unwrap()
            .is_err());
        assert!("5:abc".parse::<RecordedHead>().is_err());
        assert_eq!(
            format!("5:{}", recorded.hash)
                .parse::<RecordedHead>()
                .unwrap(),
            recorded
        );
    }

    /// The key lives beside the data directory: made on first start,
    /// needed ever after; another key does not verify the chain.
    #[tokio::test]
    async fn the_key_file_is_made_once_and_needed_after() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("db");
        let key_file = key_file_beside(&data);
        let options = crate::ConnectOptions {
            target: crate::DbTarget::Embedded(data.clone()),
            audit_key: crate::AuditKeySource::File {
                path: key_file.clone(),
                create: true,
            },
            ..crate::ConnectOptions::memory()
        };
        let store = Store::open(&options).await.unwrap();
        let pid = store.create_practice("Keyed Surgery", false).await.unwrap();
        store
            .practice(&pid.id)
            .audit(&AuditEntry {
                staff_id: None,
                role: None,
                action: "signed in".into(),
                patient_id: None,
                address: None,
                outcome: Outcome::Allowed,
            })
            .await
            .unwrap();
        assert!(store.close(std::time::Duration::from_secs(10)).await);
        assert!(key_file.exists());

        // Reopened with its key: intact.
        let store = Store::open(&options).await.unwrap();
        assert_eq!(store.verify_audit().await.unwrap(), Ok(1));
        assert!(store.close(std::time::Duration::from_secs(10)).await);

        // Without it: refused, and no new key is made in its place.
        let saved = std::fs::read(&key_file).unwrap();
        std::fs::remove_file(&key_file).unwrap();
        let err = Store::open(&options).await.unwrap_err().to_string();
        assert!(err.contains("key") && err.contains("missing"), "{err}");
        assert!(!key_file.exists());

        // Another key: the chain does not verify.
        AuditKey::create(&key_file, 1).unwrap();
        let store = Store::open(&options).await.unwrap();
        assert_eq!(
            store.verify_audit().await.unwrap(),
            Err(ChainBreak::Altered { seq: 1 })
        );
        assert!(store.close(std::time::Duration::from_secs(10)).await);
        std::fs::write(&key_file, saved).unwrap();
    }
}
