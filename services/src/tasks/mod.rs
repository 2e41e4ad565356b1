//! Team tasks: the task page, create, claim and the status moves, comment,
//! edit (never silently over a colleague's change), reassign to a person or
//! a team, and what the forms offer. Every member of staff uses tasks (the
//! Tasks area); everything is within the actor's practice, so another
//! practice's task answers as not found.

pub mod api;
mod changes;
mod due;
pub mod live;

pub use changes::*;
pub use due::parse_due;

use crate::{Actor, Result, ServiceError};
use domain::task::{Person, TaskFormOptions, TaskPage, TaskView};
use domain::{Area, Current, PatientId, TaskId};
use store::tasks::TaskError;
use store::Store;

/// A task change refused by the store, in words, with the task as it is now.
pub(crate) fn refused(e: TaskError) -> ServiceError {
    match e {
        TaskError::NotFound => ServiceError::NotFound,
        TaskError::ClaimedBy { current } => ServiceError::conflict(
            format!(
                "Claimed by {}.",
                current
                    .assigned_staff_name
                    .as_deref()
                    .unwrap_or("someone else")
            ),
            Some(Current::Task(current)),
        ),
        TaskError::Stale { current } => ServiceError::conflict(
            format!(
                "Changed by {} at {} since you opened it. Your text is kept: check the task and save again.",
                current.updated_by.as_deref().unwrap_or("someone else"),
                crate::london_hhmm_of(&current.updated_at),
            ),
            Some(Current::Task(current)),
        ),
        TaskError::Invalid(e) => ServiceError::conflict(e.to_string(), None),
        TaskError::NoSuchPatient => ServiceError::field("patient", "That patient does not exist."),
        TaskError::NoSuchTeam => ServiceError::field("assignee", "That team does not exist."),
        TaskError::NoSuchStaff => ServiceError::field("assignee", "That person does not exist."),
        TaskError::Store(e) => e.into(),
    }
}

/// One task of the actor's practice (the task page's and a task topic's
/// rule: anyone who uses tasks, in the practice).
pub async fn find(store: &Store, actor: &Actor, id: &TaskId) -> Result<TaskView> {
    actor.require(Area::Tasks)?;
    actor.db(store).task(id.as_str()).await.map_err(refused)
}

/// A task with its history and comments.
pub async fn page(store: &Store, actor: &Actor, id: &TaskId) -> Result<TaskPage> {
    let task = find(store, actor, id).await?;
    let db = actor.db(store);
    Ok(TaskPage {
        task,
        history: db.task_history(id.as_str()).await?,
        comments: db.task_comments(id.as_str()).await?,
    })
}

/// The practice's teams: (id, name).
pub async fn teams(store: &Store, actor: &Actor) -> Result<Vec<(String, String)>> {
    actor.require(Area::Tasks)?;
    Ok(actor.db(store).teams().await?)
}

/// The practice's staff (for the assignee and audit pickers).
pub async fn staff(store: &Store, actor: &Actor) -> Result<Vec<Person>> {
    actor.require(Area::Tasks)?;
    Ok(actor.db(store).practice_staff().await?)
}

/// Teams and people to assign to, and the patient when `patient` is given
/// (another practice's patient: not found).
pub async fn form_options(
    store: &Store,
    actor: &Actor,
    patient: Option<&PatientId>,
) -> Result<TaskFormOptions> {
    actor.require(Area::Tasks)?;
    let db = actor.db(store);
    let patient = match patient.filter(|p| !p.is_empty()) {
        None => None,
        Some(id) => {
            let hit = db
                .patient_brief(id.as_str())
                .await?
                .ok_or(ServiceError::NotFound)?;
            let nhs = domain::NhsNumber::parse(&hit.nhs_number)
                .map(|n| n.to_string())
                .unwrap_or(hit.nhs_number.clone());
            Some((hit.id.clone(), hit.display_name(), nhs))
        }
    };
    Ok(TaskFormOptions {
        teams: db.teams().await?,
        staff: db.practice_staff().await?,
        patient,
    })
}
