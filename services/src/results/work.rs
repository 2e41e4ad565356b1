//! Changing reports: matching one from the Unmatched list (or rejecting
//! it), undoing a match, reassigning, and filing with an outcome (an
//! action raises a task for the chosen team, in the same transaction).
//! Each is made from the version the person saw, and audited.

use super::arrive::inbox_for;
use super::{audited, clinical, matcher, refused};
use crate::{Actor, Result, ServiceError};
use domain::policy::Access;
use domain::results::{FileForm, ItemState, Outcome, ReportView};
use domain::task::Priority;
use domain::{PatientId, StaffId, TeamId};
use store::tasks::{Assignee, NewTask};
use store::Store;

/// The report as a change left it, audited as `action` against its patient.
async fn changed(store: &Store, actor: &Actor, id: &str, action: String) -> Result<ReportView> {
    let view = actor.db(store).result_report(id).await.map_err(refused)?;
    audited(store, actor, action, &view).await?;
    Ok(view)
}

fn reason(text: &str, field: &'static str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 500 {
        return Err(ServiceError::field(
            field,
            "Say why, in up to 500 characters.",
        ));
    }
    Ok(t.to_string())
}

/// Matches an unmatched report to `patient` (found with the usual patient
/// search); it goes to the patient's usual GP's inbox, or the pool.
pub async fn match_to(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    patient: &PatientId,
) -> Result<ReportView> {
    matcher(actor)?;
    let me = actor.staff_id()?.clone();
    let db = actor.db(store);
    db.result_report(id).await.map_err(refused)?;
    if patient.is_empty() || !db.patient_in_practice(patient.as_str()).await? {
        return Err(ServiceError::field(
            "patient",
            "Choose a patient of this practice.",
        ));
    }
    let assigned = inbox_for(&db, None, patient.as_str()).await?;
    db.match_result(
        id,
        version,
        patient.as_str(),
        assigned.as_deref(),
        me.as_str(),
    )
    .await
    .map_err(refused)?;
    changed(
        store,
        actor,
        id,
        format!("matched result {id} to this patient"),
    )
    .await
}

/// Rejects an unmatched report (not this practice's, not a real report).
pub async fn reject(store: &Store, actor: &Actor, id: &str, version: i64, why: &str) -> Result<()> {
    matcher(actor)?;
    let why = reason(why, "reason")?;
    let db = actor.db(store);
    db.reject_result(id, version, &why).await.map_err(refused)?;
    changed(store, actor, id, format!("rejected unmatched result {id}")).await?;
    Ok(())
}

/// A clinician undoes a match: the report goes back to the Unmatched
/// list with the reason (audited against the patient it left).
pub async fn unmatch(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    why: &str,
) -> Result<()> {
    clinical(actor, Access::Write)?;
    let me = actor.staff_id()?.clone();
    let why = reason(why, "reason")?;
    let db = actor.db(store);
    let before = db.result_report(id).await.map_err(refused)?;
    db.unmatch_result(id, version, &format!("Match undone: {why}"), me.as_str())
        .await
        .map_err(refused)?;
    audited(
        store,
        actor,
        format!("undid the match of result {id}"),
        &before,
    )
    .await
}

/// Gives an unfiled report to another clinician, or (none) the pool.
pub async fn reassign(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    to: Option<&StaffId>,
) -> Result<ReportView> {
    clinical(actor, Access::Write)?;
    let db = actor.db(store);
    if let Some(to) = to {
        let clinicians = db.clinicians().await?;
        if !clinicians.iter().any(|(c, _)| c == to.as_str()) {
            return Err(ServiceError::field("to", "Choose an active GP or nurse."));
        }
    }
    db.reassign_result(id, version, to.map(|t| t.as_str()))
        .await
        .map_err(refused)?;
    changed(store, actor, id, format!("reassigned result {id}")).await
}

/// Files an unfiled report with an outcome, a comment for the patient and
/// an internal note. An action outcome raises a task for `form.team`
/// about the patient, naming the result, in the same transaction.
pub async fn file(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    form: &FileForm,
) -> Result<ReportView> {
    clinical(actor, Access::Write)?;
    let me = actor.staff_id()?.clone();
    let mut problems = Vec::new();
    let outcome = Outcome::parse(&form.outcome);
    if outcome.is_none() {
        problems.push(("outcome", "Choose an outcome.".to_string()));
    }
    if form.patient_comment.chars().count() > 1000 {
        problems.push((
            "patient_comment",
            "Keep the comment for the patient under 1,000 characters.".into(),
        ));
    }
    if form.note.chars().count() > 5000 {
        problems.push(("note", "Keep the note under 5,000 characters.".into()));
    }
    let needs_task = outcome.is_some_and(|o| o.task("").is_some());
    if needs_task && form.team.trim().is_empty() {
        problems.push(("team", "Choose the team that will act on it.".into()));
    }
    let (Some(outcome), true) = (outcome, problems.is_empty()) else {
        return Err(ServiceError::fields(problems));
    };
    let db = actor.db(store);
    let current = db.result_report(id).await.map_err(refused)?;
    if current.row.kind == domain::results::InboxKind::Letter || outcome == Outcome::Letter {
        return Err(ServiceError::field(
            "outcome",
            "A letter is filed with a summary and its coded entries, not an outcome.",
        ));
    }
    if current.row.state != ItemState::Unfiled {
        return Err(refused(store::results::ResultError::WrongState(
            current.row.state,
        )));
    }
    let task = match outcome.task(&current.row.title) {
        Some((title, urgent)) => Some(NewTask {
            title,
            details: task_details(&current, form),
            patient_id: current.row.patient_id.clone().map(PatientId::new),
            priority: if urgent {
                Priority::Urgent
            } else {
                Priority::Routine
            },
            due_at: None,
            assignee: Assignee::Team(TeamId::new(form.team.trim())),
            created_by: actor.by(),
        }),
        None => None,
    };
    db.file_result(
        id,
        version,
        outcome,
        form.patient_comment.trim(),
        form.note.trim(),
        task.as_ref(),
        me.as_str(),
    )
    .await
    .map_err(refused)?;
    changed(
        store,
        actor,
        id,
        format!("filed result {id}: {}", outcome.label()),
    )
    .await
}

/// What the task says: the result and what to tell the patient (never the
/// internal note).
fn task_details(report: &ReportView, form: &FileForm) -> String {
    let mut s = format!(
        "{} from {}, issued {}.",
        report.row.title,
        report.row.laboratory,
        crate::london_date_of(&report.row.issued)
    );
    if !form.patient_comment.trim().is_empty() {
        s.push_str(&format!(
            "\nFor the patient: {}",
            form.patient_comment.trim()
        ));
    }
    s
}
