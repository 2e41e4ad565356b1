//! The audit trail: what the services record, and admin's view of it.
//! A failure to audit fails the request: nothing about a patient is shown
//! or changed without its audit row. Audit actions never carry clinical
//! content (admin reads the trail but not the record), and an id someone
//! asked for is recorded sanitised and short.

use crate::{Actor, Result, ServiceError};
use domain::patient::AccessEntry;
use domain::policy::{Access, DataKind};
use domain::{Area, PatientId};
use store::audit::{AuditEntry, AuditFilter, AuditRow, ChainBreak, Outcome, RecordedHead};
use store::patients::PatientQuery;
use store::Store;

/// Writes an audit row for `actor`.
pub async fn record(
    store: &Store,
    actor: &Actor,
    action: &str,
    patient: Option<&str>,
    outcome: Outcome,
) -> Result<()> {
    let (staff_id, role) = actor.audit_names();
    actor
        .db(store)
        .audit(&AuditEntry {
            staff_id,
            role: Some(role),
            action: action.to_string(),
            patient_id: patient.map(String::from),
            address: actor.address.clone(),
            outcome,
        })
        .await
        .map_err(ServiceError::internal)
}

/// The longest id recorded for a refused request.
const ASKED_FOR_MAX: usize = 40;

/// An id someone asked for, as the trail may hold it: only the characters
/// an id can have (letters, digits, `-`, `_`), at most `ASKED_FOR_MAX`,
/// saying so when anything was dropped. Whatever an attacker put in an
/// address never reaches the trail, the audit page or an export verbatim.
pub fn sanitised_id(asked_for: &str) -> String {
    let kept: String = asked_for
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(ASKED_FOR_MAX)
        .collect();
    let allowed = asked_for
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .count();
    let mut out = if kept.is_empty() {
        "(no usable id)".to_string()
    } else {
        kept
    };
    if allowed > ASKED_FOR_MAX {
        out.push('…');
    }
    if allowed != asked_for.chars().count() {
        out.push_str(" (other characters removed)");
    }
    out
}

/// Records what the operator did on the command line (an export, an
/// import): no member of staff, the role "operator".
pub(crate) async fn operator(
    store: &Store,
    practice: &domain::PracticeId,
    action: String,
) -> Result<()> {
    store
        .practice(practice)
        .audit(&AuditEntry {
            staff_id: None,
            role: Some("operator".into()),
            action,
            patient_id: None,
            address: None,
            outcome: Outcome::Allowed,
        })
        .await
        .map_err(ServiceError::internal)
}

/// Records a refusal that must not reveal whether the record exists: no
/// patient link, only the (sanitised, shortened) id that was asked for.
pub async fn refused(store: &Store, actor: &Actor, what: &str, asked_for: &str) -> Result<()> {
    record(
        store,
        actor,
        &format!("tried to {what} {}", sanitised_id(asked_for)),
        None,
        Outcome::Refused,
    )
    .await
}

/// An audit row as the audit page and the patient page show it.
/// An API client's row names the client where a person's names them.
pub fn entry(r: AuditRow) -> AccessEntry {
    let client = r
        .role
        .as_deref()
        .and_then(|role| role.strip_prefix(crate::CLIENT_ROLE_PREFIX))
        .map(|id| format!("API client {id}"));
    AccessEntry {
        seq: r.seq,
        at: store::rfc3339(r.at),
        staff_name: client.or(r.staff_name).unwrap_or_default(),
        role: r.role.unwrap_or_default(),
        action: r.action,
        patient_id: r.patient,
        patient_name: r.patient_name,
        address: r.address,
        outcome: r.outcome,
    }
}

/// Who has accessed a patient's record (roles that read the audit).
pub async fn accesses(
    store: &Store,
    actor: &Actor,
    patient: &str,
) -> Result<Option<Vec<AccessEntry>>> {
    if !actor.may(DataKind::AuditLog, Access::Read) {
        return Ok(None);
    }
    let rows = actor
        .db(store)
        .audit_rows(
            &AuditFilter {
                patient_id: Some(patient.to_string()),
                ..Default::default()
            },
            100,
        )
        .await?;
    Ok(Some(rows.into_iter().map(entry).collect()))
}

/// What admin filters the trail by, as typed.
#[derive(Clone, Debug, Default)]
pub struct TrailFilter {
    pub staff: Option<String>,
    pub nhs_number: Option<String>,
    /// A UK date ("21/11/2026").
    pub date: Option<String>,
}

/// The practice's audit trail (admin): newest first, filtered by member
/// of staff, patient (NHS number) and London date.
pub async fn trail(store: &Store, actor: &Actor, filter: TrailFilter) -> Result<Vec<AccessEntry>> {
    actor.require(Area::Admin)?;
    if !actor.may(DataKind::AuditLog, Access::Read) {
        return Err(ServiceError::Forbidden);
    }
    let db = actor.db(store);
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let patient_id: Option<PatientId> = match nonempty(filter.nhs_number) {
        None => None,
        Some(n) => {
            let n = domain::NhsNumber::parse(&n)
                .map_err(|e| ServiceError::field("nhs_number", e.to_string()))?;
            let hit = db
                .find_patients(&PatientQuery::NhsNumber(n.digits()), 1)
                .await?;
            match hit.into_iter().next() {
                Some(h) => Some(PatientId::new(h.id)),
                None => return Ok(Vec::new()),
            }
        }
    };
    let (from, to) = match nonempty(filter.date) {
        None => (None, None),
        Some(d) => {
            let day = domain::patient::parse_uk_date(&d).ok_or_else(|| {
                ServiceError::field("date", "Enter the date as a date, e.g. 21/11/2026.")
            })?;
            let start = |d: chrono::NaiveDate| {
                d.and_hms_opt(0, 0, 0)
                    .and_then(|l| domain::time::london_to_utc(l).ok())
            };
            (start(day), day.succ_opt().and_then(start))
        }
    };
    let rows = db
        .audit_rows(
            &AuditFilter {
                staff_id: nonempty(filter.staff),
                patient_id: patient_id.map(PatientId::into_string),
                from,
                to,
            },
            500,
        )
        .await?;
    Ok(rows.into_iter().map(entry).collect())
}

/// A break in the chain, in words for the operator.
pub fn describe_break(b: &ChainBreak) -> String {
    match b {
        ChainBreak::Altered { seq } => format!(
            "audit entry {seq} was changed after it was written (or the audit key is not the one it was written with)"
        ),
        ChainBreak::Unlinked { seq } => format!(
            "audit entry {seq} does not follow the entry before it: entries were removed or re-linked"
        ),
        ChainBreak::Unkeyed { seq } => format!(
            "audit entry {seq} was written after the trail was keyed but carries no keyed hash: it was forged or rewritten without the key"
        ),
        ChainBreak::Truncated {
            expected_last,
            found_last,
        } => format!(
            "the audit trail ends at entry {found_last} but entry {expected_last} was written: entries were removed"
        ),
        ChainBreak::HeadMissing { found_last } => format!(
            "the audit trail's head record is missing or does not name its last entry ({found_last}): the trail was cut"
        ),
        ChainBreak::NotTheRecordedHead { seq } => format!(
            "audit entry {seq} is not the one the log recorded: the trail was rewritten from there"
        ),
    }
}

/// Checks the whole chain (and that it still holds `recorded`, a head the
/// log printed earlier): `Ok(n)` when all `n` entries link up, else the
/// first break in words.
pub async fn verify(
    store: &Store,
    recorded: Option<&RecordedHead>,
) -> Result<std::result::Result<i64, String>> {
    Ok(store
        .verify_audit_against(recorded)
        .await?
        .map_err(|b| describe_break(&b)))
}

#[cfg(test)]
mod tests {
    use super::sanitised_id;

    #[test]
    fn an_asked_for_id_is_recorded_sanitised_and_short() {
        assert_eq!(sanitised_id("p-12_ab"), "p-12_ab");
        let attack = "<script>alert(1)</script>\n\u{202e}DROP";
        let kept = sanitised_id(attack);
        let id = kept.split(' ').next().unwrap();
        assert_eq!(id, "scriptalert1scriptDROP");
        assert!(kept.ends_with("(other characters removed)"), "{kept}");
        let long = "a".repeat(500);
        assert_eq!(sanitised_id(&long), format!("{}…", "a".repeat(40)));
        assert_eq!(
            sanitised_id("<>"),
            "(no usable id) (other characters removed)"
        );
    }
}
