//! A report arriving: stored once per identifier and revision (a report
//! sent twice at once is still one), a correction superseding the current
//! report of its identifier (kept), with its outbox events.

use super::write::result_event;
use super::ResultError;
use crate::live::append_event;
use crate::tx::{run_with_retry, Retry};
use crate::{new_key, PracticeStore, StoreError};
use domain::results::IncomingReport;
use sha2::{Digest, Sha256};
use surrealdb::types::{Datetime, SurrealValue};

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

#[derive(SurrealValue)]
struct Replaced {
    replaces: Option<String>,
}

impl PracticeStore {
    /// Stores an arriving report. The same report again (same identifier
    /// and content) is `Duplicate`; a correction supersedes the current
    /// report of its identifier (kept); anything else with an identifier
    /// already used is `NotACorrection`.
    pub async fn ingest_result(&self, new: &NewReport<'_>) -> Result<Ingested, ResultError> {
        let r = new.report;
        let analytes = serde_json::to_string(&r.analytes)
            .map_err(|e| StoreError::Internal(format!("analytes: {e}")))?;
        let mut digest = Sha256::new();
        digest.update(serde_json::to_vec(r).map_err(|e| StoreError::Internal(e.to_string()))?);
        if let Some(doc) = &r.document {
            digest.update(Sha256::digest(doc));
        }
        let fingerprint = hex::encode(digest.finalize());
        let document = r.document.clone().map(surrealdb::types::Bytes::from);
        let issued: chrono::DateTime<chrono::Utc> = chrono::DateTime::parse_from_rfc3339(&r.issued)
            .map_err(|e| StoreError::Internal(format!("issued: {e}")))?
            .into();
        let mut codes: Vec<String> = r.analytes.iter().map(|a| a.code.clone()).collect();
        codes.sort();
        codes.dedup();
        let script = format!(
            "BEGIN TRANSACTION;
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
             COMMIT TRANSACTION;",
            event = result_event(false),
            old_event = append_event(
                "'result'",
                "record::id($prev.id)",
                "(SELECT VALUE version FROM ONLY $prev.id)",
                "NONE",
                "$old_staff"
            )
        );
        // A report sent twice at once: the loser of the unique index runs
        // again and finds the winner's report.
        for _ in 0..2 {
            let id = new_key();
            let outcome = run_with_retry(|| {
                self.db()
                    .query(script.as_str())
                    .bind(("rid", id.clone()))
                    .bind(("practice", self.record()))
                    .bind(("identifier", r.identifier.clone()))
                    .bind(("fingerprint", fingerprint.clone()))
                    .bind(("correction", r.status.is_correction()))
                    .bind(("status", r.status.as_str()))
                    .bind(("title", r.title.trim().to_string()))
                    .bind(("code", r.code.clone()))
                    .bind(("issued", Datetime::from(issued)))
                    .bind(("laboratory", r.laboratory.trim().to_string()))
                    .bind(("requester", r.requester_name.clone()))
                    .bind(("nhs", r.patient.nhs_number.clone()))
                    .bind(("family", r.patient.family.clone()))
                    .bind(("given", r.patient.given.clone()))
                    .bind(("birth", r.patient.birth_date.clone()))
                    .bind(("analytes", analytes.clone()))
                    .bind(("codes", codes.clone()))
                    .bind(("conclusion", r.conclusion.clone()))
                    .bind(("abnormal", r.abnormal()))
                    .bind(("reason", new.unmatched_reason.clone()))
                    .bind(("patient", new.patient.clone()))
                    .bind(("assigned", new.assigned_to.clone()))
                    .bind(("received_by", new.received_by.clone()))
                    .bind(("matcher", new.matched_by.clone()))
                    .bind((
                        "how",
                        if new.matched_by.is_some() {
                            "manual"
                        } else {
                            "automatic"
                        },
                    ))
                    .bind(("kind", r.kind.as_str()))
                    .bind(("size", r.document.as_ref().map_or(0, |d| d.len() as i64)))
                    .bind(("document", document.clone()))
            })
            .await;
            match outcome {
                Ok(()) => {
                    let rows: Vec<Replaced> = self
                        .db()
                        .query("SELECT IF replaces THEN record::id(replaces) END AS replaces FROM type::record('result_report', $id)")
                        .bind(("id", id.clone()))
                        .await?
                        .check()?
                        .take(0)?;
                    let replaced = rows.into_iter().next().and_then(|r| r.replaces);
                    return Ok(Ingested::Created { id, replaced });
                }
                Err(Retry::Thrown(t)) if t == "op:duplicate" => {
                    let ids: Vec<String> = self
                        .db()
                        .query("SELECT VALUE record::id(id) FROM result_report WHERE practice = $practice AND identifier = $identifier AND fingerprint = $fingerprint")
                        .bind(("practice", self.record()))
                        .bind(("identifier", r.identifier.clone()))
                        .bind(("fingerprint", fingerprint.clone()))
                        .await?
                        .check()?
                        .take(0)?;
                    let id = ids.into_iter().next().ok_or(ResultError::NotFound)?;
                    return Ok(Ingested::Duplicate { id });
                }
                Err(Retry::Thrown(t)) if t == "op:not_correction" => {
                    return Err(ResultError::NotACorrection)
                }
                Err(Retry::Thrown(t)) if t == "op:no_patient" => {
                    return Err(ResultError::NoSuchPatient)
                }
                Err(Retry::AlreadyExists) => continue,
                Err(e) => return Err(ResultError::Store(e.into())),
            }
        }
        Err(ResultError::Store(StoreError::Internal(
            "the report kept colliding with another of the same identifier".into(),
        )))
    }
}
