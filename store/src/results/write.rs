//! Changing reports, each change one transaction with its outbox event:
//! matched by a person, rejected, unmatched again, reassigned, filed (with
//! the task an action raises, in the same transaction). Arriving is
//! `arrive`.

use super::ResultError;
use crate::live::{append_event, patient_changed};
use crate::tasks::{bind_new_task, create_task_statements, NewTask};
use crate::tx::{run_with_retry, Retry};
use crate::{new_key, By, PracticeStore};
use domain::live::RecordPart;
use domain::results::Outcome;
use surrealdb::types::SurrealValue;

/// The result's event (kind `result`) for the change just made, routed
/// to the clinician it is with; and, for a change to a report that was
/// with someone else before (`$staff_before`), to them too, so their inbox
/// drops it.
pub(super) fn result_event(changed: bool) -> String {
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
    // The patient's page hears it too: the patient it is with now and,
    // for a report taken from a patient (unmatched), the one it left.
    let patient_after = patient_changed("(SELECT VALUE patient FROM ONLY $r)", RecordPart::Results);
    let patient_before = if changed {
        format!(
            "IF $row.patient != (SELECT VALUE patient FROM ONLY $r) {{ {} }};",
            patient_changed("$row.patient", RecordPart::Results)
        )
    } else {
        String::new()
    };
    format!(
        "LET $staff_after = (SELECT VALUE IF assigned_to THEN record::id(assigned_to) END FROM ONLY $r);
         {after}
         {before}
         {patient_after}
         {patient_before}"
    )
}
impl PracticeStore {
    /// Runs a change to report `id` last seen at `version`, allowed only
    /// from the states `from`; `body` may use `$r`, `$row` and its binds.
    pub(super) async fn change_result(
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
