//! A report arriving: stored once per identifier and revision (a report
//! sent twice at once is still one), a correction superseding the current
//! report of its identifier (kept), with its outbox events.

use super::write::result_event;
use super::ResultError;
use crate::live::append_event;
use crate::{new_key, PracticeStore, StoreError};
use domain::results::IncomingReport;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use surrealdb::types::{Bytes, Datetime, SurrealValue};

/// A report as the results service decided to store it.
#[derive(Clone, Debug)]
pub struct NewReport<'a> {
    pub report: &'a IncomingReport,
    /// The patient it was matched to automatically, or why not.
    pub patient: Option<String>,
    pub unmatched_reason: Option<String>,
    /// The clinician whose inbox it goes to (none: the pool).
    pub assigned_to: Option<String>,
    /// Who delivered it, for the record ("Riverside Pathology (API)").
    pub received_by: String,
    /// The member of staff who matched it on arrival (a letter uploaded
    /// from the patient's page); none: matched automatically, if at all.
    pub matched_by: Option<String>,
}

/// What arriving did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ingested {
    Created {
        id: String,
        /// The report this one corrected.
        replaced: Option<String>,
    },
    /// The same report had arrived before: nothing changed.
    Duplicate { id: String },
}

/// One arriving report as the arrival script takes it (`$items`).
#[derive(Clone, Debug, SurrealValue)]
pub(super) struct Item {
    pub(super) rid: String,
    identifier: String,
    fingerprint: String,
    correction: bool,
    status: String,
    title: String,
    code: Option<String>,
    issued: Datetime,
    laboratory: String,
    requester: Option<String>,
    nhs: String,
    family: String,
    given: String,
    birth: String,
    analytes: String,
    codes: Vec<String>,
    conclusion: Option<String>,
    abnormal: bool,
    reason: Option<String>,
    patient: Option<String>,
    assigned: Option<String>,
    received_by: String,
    matcher: Option<String>,
    how: String,
    kind: String,
    size: i64,
    document: Option<Bytes>,
}

impl Item {
    /// The arriving report's identifier and content fingerprint: what
    /// makes the same report sent twice one report.
    pub(super) fn same(&self) -> (&str, &str) {
        (&self.identifier, &self.fingerprint)
    }
}

/// The names the arrival script's body reads, each taken from `$it`.
const FIELDS: [&str; 27] = [
    "rid",
    "identifier",
    "fingerprint",
    "correction",
    "status",
    "title",
    "code",
    "issued",
    "laboratory",
    "requester",
    "nhs",
    "family",
    "given",
    "birth",
    "analytes",
    "codes",
    "conclusion",
    "abnormal",
    "reason",
    "patient",
    "assigned",
    "received_by",
    "matcher",
    "how",
    "kind",
    "size",
    "document",
];

/// Stores every report of `$items` in one transaction (a report that
/// cannot be stored, `THROW 'op:…'`, fails them all: the lane then
/// stores each alone to find which). Expects `$practice`.
pub(super) static SCRIPT: LazyLock<String> = LazyLock::new(|| {
    let lets: String = FIELDS
        .iter()
        .map(|f| format!("LET ${f} = $it.{f}; "))
        .collect();
    format!(
        "BEGIN TRANSACTION;
         FOR $it IN $items {{
             {lets}
             LET $same = (SELECT VALUE id FROM result_report
                 WHERE practice = $practice AND identifier = $identifier AND fingerprint = $fingerprint);
             IF array::len($same) > 0 {{ THROW 'op:duplicate' }};
             LET $prev = (SELECT id, revision, assigned_to FROM result_report
                 WHERE practice = $practice AND identifier = $identifier AND state != 'superseded'
                 ORDER BY revision DESC LIMIT 1)[0];
             IF $prev != NONE AND !$correction {{ THROW 'op:not_correction' }};
             IF $patient != NONE AND (SELECT VALUE practice FROM ONLY type::record('patient', $patient)) != $practice {{ THROW 'op:no_patient' }};
             LET $r = type::record('result_report', $rid);
             CREATE $r CONTENT {{
                 practice: $practice, identifier: $identifier,
                 revision: IF $prev THEN $prev.revision + 1 ELSE 0 END,
                 fingerprint: $fingerprint, status: $status,
                 state: IF $patient THEN 'unfiled' ELSE 'unmatched' END,
                 title: $title, code: $code, issued: $issued, laboratory: $laboratory,
                 requester_name: $requester, nhs_number: $nhs, family: $family, given: $given,
                 birth_date: $birth, analytes: $analytes, codes: $codes, conclusion: $conclusion,
                 abnormal: $abnormal, unmatched_reason: $reason,
                 patient: IF $patient THEN type::record('patient', $patient) END,
                 matched_how: IF $patient THEN $how END,
                 matched_by: IF $matcher THEN type::record('staff', $matcher) END,
                 matched_at: IF $patient THEN time::now() END, kind: $kind,
                 assigned_to: IF $assigned THEN type::record('staff', $assigned) END,
                 replaces: $prev.id, received_by: $received_by
             }} RETURN NONE;
             IF $document != NONE {{
                 CREATE result_document CONTENT {{
                     practice: $practice, report: $r, content_type: 'application/pdf',
                     data: $document, size: $size
                 }} RETURN NONE;
             }};
             IF $prev != NONE {{
                 UPDATE $prev.id SET state = 'superseded', replaced_by = $r, version += 1 RETURN NONE;
                 LET $old_staff = IF $prev.assigned_to THEN record::id($prev.assigned_to) END;
                 {old_event}
             }};
             IF $patient != NONE {{
                 CREATE result_match CONTENT {{
                     practice: $practice, report: $r, patient: type::record('patient', $patient), how: $how,
                     by: IF $matcher THEN type::record('staff', $matcher) END
                 }} RETURN NONE;
             }};
             {event}
         }};
         COMMIT TRANSACTION;",
        event = result_event(false),
        old_event = append_event(
            "'result'",
            "record::id($prev.id)",
            "(SELECT VALUE version FROM ONLY $prev.id)",
            "NONE",
            "$old_staff"
        )
    )
});

impl PracticeStore {
    /// Stores an arriving report. The same report again (same identifier
    /// and content) is `Duplicate`; a correction supersedes the current
    /// report of its identifier (kept); anything else with an identifier
    /// already used is `NotACorrection`. Reports of one practice arriving
    /// at the same moment are stored together (`lane`): one commit.
    pub async fn ingest_result(&self, new: &NewReport<'_>) -> Result<Ingested, ResultError> {
        let item = item(new)?;
        self.arrive(item).await
    }
}

/// The script's values for `new`.
fn item(new: &NewReport<'_>) -> Result<Item, StoreError> {
    let r = new.report;
    let analytes = serde_json::to_string(&r.analytes)
        .map_err(|e| StoreError::Internal(format!("analytes: {e}")))?;
    let mut digest = Sha256::new();
    digest.update(serde_json::to_vec(r).map_err(|e| StoreError::Internal(e.to_string()))?);
    if let Some(doc) = &r.document {
        digest.update(Sha256::digest(doc));
    }
    let issued: chrono::DateTime<chrono::Utc> = chrono::DateTime::parse_from_rfc3339(&r.issued)
        .map_err(|e| StoreError::Internal(format!("issued: {e}")))?
        .into();
    let mut codes: Vec<String> = r.analytes.iter().map(|a| a.code.clone()).collect();
    codes.sort();
    codes.dedup();
    Ok(Item {
        rid: new_key(),
        identifier: r.identifier.clone(),
        fingerprint: hex::encode(digest.finalize()),
        correction: r.status.is_correction(),
        status: r.status.as_str().into(),
        title: r.title.trim().to_string(),
        code: r.code.clone(),
        issued: Datetime::from(issued),
        laboratory: r.laboratory.trim().to_string(),
        requester: r.requester_name.clone(),
        nhs: r.patient.nhs_number.clone(),
        family: r.patient.family.clone(),
        given: r.patient.given.clone(),
        birth: r.patient.birth_date.clone(),
        analytes,
        codes,
        conclusion: r.conclusion.clone(),
        abnormal: r.abnormal(),
        reason: new.unmatched_reason.clone(),
        patient: new.patient.clone(),
        assigned: new.assigned_to.clone(),
        received_by: new.received_by.clone(),
        matcher: new.matched_by.clone(),
        how: if new.matched_by.is_some() {
            "manual"
        } else {
            "automatic"
        }
        .into(),
        kind: r.kind.as_str().into(),
        size: r.document.as_ref().map_or(0, |d| d.len() as i64),
        document: r.document.clone().map(Bytes::from),
    })
}
