//! The audit trail: every view of a patient's record and every write, with
//! who (and in what role), when (UTC), what, which patient, from which
//! address, and the outcome (including refusals). Append-only: the
//! database refuses updates and deletes (an EVENT throws), and each row
//! carries the hash of the one before it, so a row changed or removed by
//! someone with direct database access breaks the chain; `verify_audit`
//! finds where (`chain`).

mod chain;
mod key;
mod lane;

pub use chain::{ChainBreak, Linked, RecordedHead, HMAC_SHA256};
pub use key::{key_file_beside, AuditKey};
pub(crate) use lane::AuditLane;

use crate::{PracticeStore, Store, StoreError};
use chrono::{DateTime, Utc};
use surrealdb::types::{Datetime, SurrealValue};

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
    /// Appends an entry for this practice, returning once it is committed
    /// (with others waiting at the time, in one transaction: `lane`).
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
mod tests;
