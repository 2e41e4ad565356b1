//! Changing reports, each change one transaction with its outbox event:
//! arriving (automatically matched or not), matched by a person,
//! rejected, unmatched again, reassigned, filed (with the task an action
//! raises, in the same transaction).

use super::ResultError;
use crate::live::append_event;
use crate::tasks::{bind_new_task, create_task_statements, NewTask};
use crate::tx::{run_with_retry, Retry};
use crate::{new_key, By, PracticeStore, StoreError};
use domain::results::{IncomingReport, Outcome};
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

/// The result's event (kind `result`) for the change just made, routed
/// to the clinician it is with; and, for a change to a report that was
/// with someone else before (`$staff_before`), to them too, so their inbox
/// drops it.
fn result_event(changed: bool) -> String {
    let version = "(SELECT VALUE version FROM ONLY $r)";
    let after = append_event("'result'", "$rid", version, "NONE", "$staff_after");
    let before = if changed {
        format!(
            "IF $staff_before != $staff_after {{ {} }};",
            append_event("'result'", "$rid", version, "NONE", "$staff_before")
        )
    } else {
        String::new()
    };
    format!(
        "LET $staff_after = (SELECT VALUE IF assigned_to THEN record::id(assigned_to) END FROM ONLY $r);
         {after}
         {before}"
    )
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
        let fingerprint = hex::encode(Sha256::digest(
            serde_json::to_vec(r).map_err(|e| StoreError::Internal(e.to_string()))?,
        ));
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
                 matched_how: IF $patient THEN 'automatic' END,
                 matched_at: IF $patient THEN time::now() END,
                 assigned_to: IF $assigned THEN type::record('staff', $assigned) END,
                 replaces: $prev.id, received_by: $received_by
             }} RETURN NONE;
             IF $prev != NONE {{
                 UPDATE $prev.id SET state = 'superseded', replaced_by = $r, version += 1 RETURN NONE;
                 LET $old_staff = IF $prev.assigned_to THEN record::id($prev.assigned_to) END;
                 {old_event}
             }};
             IF $patient != NONE {{
                 CREATE result_match CONTENT {{
                     practice: $practice, report: $r, patient: type::record('patient', $patient), how: 'automatic'
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
            })
            .await;
            match outcome {
                Ok(()) => {
                    let rows: Vec<Replaced> = self
                        .db()
                        .query("SELECT IF replaces THEN record::id(replaces) END AS replaces FROM type::record('result_report', $id)")
                        .bind(("id", id.clone()))
                        .await
                        .map_err(StoreError::from)?
                        .check()
                        .map_err(StoreError::from)?
                        .take(0)
                        .map_err(StoreError::from)?;
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
                        .await
                        .map_err(StoreError::from)?
                        .check()
                        .map_err(StoreError::from)?
                        .take(0)
                        .map_err(StoreError::from)?;
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

    /// Runs a change to report `id` last seen at `version`, allowed only
    /// from the states `from`; `body` may use `$r`, `$row` and its binds.
    async fn change_result(
        &self,
        id: &str,
        version: i64,
        from: &[&str],
        body: &str,
        task: Option<(&NewTask, &str)>,
        binds: Vec<(&'static str, surrealdb::types::Value)>,
    ) -> Result<(), ResultError> {
        if id.is_empty() {
            return Err(ResultError::NotFound);
        }
        let task_part = match task {
            Some(_) => format!(
                "{}
                 UPDATE $r SET task = type::record('task', $record) RETURN NONE;",
                create_task_statements()
            ),
            None => String::new(),
        };
        let script = format!(
            "BEGIN TRANSACTION;
             LET $r = type::record('result_report', $rid);
             LET $row = (SELECT version, practice, state, patient, assigned_to FROM ONLY $r);
             IF $row = NONE OR $row.practice != $practice {{ THROW 'op:not_found' }};
             LET $staff_before = IF $row.assigned_to THEN record::id($row.assigned_to) END;
             IF $row.version != $version {{ THROW 'op:stale' }};
             IF $row.state NOT IN $from {{ THROW 'op:state' }};
             {body}
             {task_part}
             {event}
             COMMIT TRANSACTION;",
            event = result_event(true)
        );
        let task_id = new_key();
        let from: Vec<String> = from.iter().map(|s| s.to_string()).collect();
        let outcome = run_with_retry(|| {
            let mut q = self
                .db()
                .query(script.as_str())
                .bind(("rid", id.to_string()))
                .bind(("version", version))
                .bind(("from", from.clone()));
            q = match task {
                Some((t, what)) => bind_new_task(q, &task_id, self.record(), t, what),
                None => q.bind(("practice", self.record())),
            };
            for (k, v) in &binds {
                q = q.bind((*k, v.clone()));
            }
            q
        })
        .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(ResultError::NotFound),
            Err(Retry::Thrown(t)) if t == "op:stale" => Err(ResultError::Stale {
                current: Box::new(self.result_report(id).await?),
            }),
            Err(Retry::Thrown(t)) if t == "op:state" => Err(ResultError::WrongState(
                self.result_report(id).await?.row.state,
            )),
            Err(Retry::Thrown(t)) if t == "op:no_patient" => Err(ResultError::NoSuchPatient),
            Err(Retry::Thrown(t)) if t == "op:no_team" => Err(ResultError::NoSuchTeam),
            Err(e) => Err(ResultError::Store(e.into())),
        }
    }

    /// A person matches an unmatched report to `patient`; it goes to
    /// `assigned` (or the pool).
    pub async fn match_result(
        &self,
        id: &str,
        version: i64,
        patient: &str,
        assigned: Option<&str>,
        by: &str,
    ) -> Result<(), ResultError> {
        let body = "
            LET $p = type::record('patient', $patient);
            IF (SELECT VALUE practice FROM ONLY $p) != $practice { THROW 'op:no_patient' };
            UPDATE $r SET patient = $p, state = 'unfiled', matched_how = 'manual', matched_by = $by_staff,
                matched_at = time::now(), unmatched_reason = NONE,
                assigned_to = IF $assigned THEN type::record('staff', $assigned) END, version += 1 RETURN NONE;
            CREATE result_match CONTENT { practice: $practice, report: $r, patient: $p, how: 'manual', by: $by_staff } RETURN NONE;";
        self.change_result(
            id,
            version,
            &["unmatched"],
            body,
            None,
            vec![
                ("patient", patient.to_string().into_value()),
                ("assigned", assigned.map(String::from).into_value()),
                ("by_staff", By::from(by).record().into_value()),
            ],
        )
        .await
    }

    /// A clinician undoes a match: the report goes back to Unmatched.
    pub async fn unmatch_result(
        &self,
        id: &str,
        version: i64,
        reason: &str,
        by: &str,
    ) -> Result<(), ResultError> {
        let body = "
            CREATE result_match CONTENT { practice: $practice, report: $r, patient: $row.patient, how: 'undone', by: $by_staff } RETURN NONE;
            UPDATE $r SET patient = NONE, state = 'unmatched', matched_how = NONE, matched_by = NONE,
                matched_at = NONE, assigned_to = NONE, unmatched_reason = $reason, version += 1 RETURN NONE;";
        self.change_result(
            id,
            version,
            &["unfiled"],
            body,
            None,
            vec![
                ("reason", reason.to_string().into_value()),
                ("by_staff", By::from(by).record().into_value()),
            ],
        )
        .await
    }

    /// An unmatched report is not for this practice (or not a real one).
    pub async fn reject_result(
        &self,
        id: &str,
        version: i64,
        reason: &str,
    ) -> Result<(), ResultError> {
        self.change_result(
            id,
            version,
            &["unmatched"],
            "UPDATE $r SET state = 'rejected', rejected_reason = $reason, version += 1 RETURN NONE;",
            None,
            vec![("reason", reason.to_string().into_value())],
        )
        .await
    }

    /// Gives an unfiled report to another clinician (or the pool).
    pub async fn reassign_result(
        &self,
        id: &str,
        version: i64,
        to: Option<&str>,
    ) -> Result<(), ResultError> {
        self.change_result(
            id,
            version,
            &["unfiled"],
            "UPDATE $r SET assigned_to = IF $to THEN type::record('staff', $to) END, version += 1 RETURN NONE;",
            None,
            vec![("to", to.map(String::from).into_value())],
        )
        .await
    }

    /// Files an unfiled report with its outcome; an action's task is
    /// created in the same transaction and linked to the report.
    #[allow(clippy::too_many_arguments)]
    pub async fn file_result(
        &self,
        id: &str,
        version: i64,
        outcome: Outcome,
        patient_comment: &str,
        note: &str,
        task: Option<&NewTask>,
        by: &str,
    ) -> Result<(), ResultError> {
        let body = "
            UPDATE $r SET state = 'filed', outcome = $outcome, patient_comment = $comment, note = $note,
                filed_by = $filer, filed_at = time::now(), version += 1 RETURN NONE;";
        self.change_result(
            id,
            version,
            &["unfiled"],
            body,
            task.map(|t| (t, "Created from a filed result")),
            vec![
                ("outcome", outcome.as_str().to_string().into_value()),
                ("comment", patient_comment.to_string().into_value()),
                ("note", note.to_string().into_value()),
                ("filer", By::from(by).record().into_value()),
            ],
        )
        .await
    }
}
