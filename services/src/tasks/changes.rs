//! Changing tasks. Each change says in the task's history what happened;
//! a change made from a stale version is refused with the task as it is.

use super::api::allowed;
use super::{find, refused};
use crate::{Actor, Result, ServiceError};
use domain::scopes::Interaction;
use domain::task::{Priority, TaskAction, TaskAssignee, TaskView};
use domain::{PatientId, TaskId, Version};
use store::tasks::{Assignee, NewTask, TaskEdit};
use store::Store;

fn check_text(title: &str, details: &str) -> Result<()> {
    let t = title.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(ServiceError::field(
            "title",
            "Give the task a title of up to 200 characters.",
        ));
    }
    if details.chars().count() > 10_000 {
        return Err(ServiceError::field(
            "details",
            "Keep the details under 10,000 characters.",
        ));
    }
    Ok(())
}

fn assignee(a: TaskAssignee) -> Assignee {
    match a {
        TaskAssignee::Team(t) => Assignee::Team(t),
        TaskAssignee::Staff(s) => Assignee::Staff(s),
    }
}

/// A new task as the form sends it.
#[derive(Clone, Debug)]
pub struct TaskForm {
    pub title: String,
    pub details: String,
    pub priority: Priority,
    pub patient: Option<PatientId>,
    pub assignee: TaskAssignee,
    /// London date and time ("YYYY-MM-DD", "HH:MM"), optional.
    pub due_date: Option<String>,
    pub due_time: Option<String>,
}

/// Creates a task for a team or a person, due at a UK date and time if given.
pub async fn create(store: &Store, actor: &Actor, form: TaskForm) -> Result<TaskView> {
    allowed(actor, Interaction::Create)?;
    let due_at = super::parse_due(form.due_date.as_deref(), form.due_time.as_deref())?;
    check_text(&form.title, &form.details)?;
    actor
        .db(store)
        .create_task(
            &NewTask {
                title: form.title,
                details: form.details,
                patient_id: form.patient.filter(|p| !p.is_empty()),
                priority: form.priority,
                due_at,
                assignee: assignee(form.assignee),
                created_by: actor.by(),
            },
            "Created",
        )
        .await
        .map_err(refused)
}

/// Claim, start, put on hold, resume, complete, cancel or reopen a task
/// the actor last saw at `version`.
pub async fn act(
    store: &Store,
    actor: &Actor,
    id: &TaskId,
    version: Version,
    action: TaskAction,
) -> Result<TaskView> {
    allowed(actor, Interaction::Update)?;
    let db = actor.db(store);
    if action == TaskAction::Claim {
        // Claiming gives the task to the one claiming: a person.
        return db
            .claim_task(id.as_str(), actor.staff_id()?.as_str(), "Claimed")
            .await
            .map_err(refused);
    }
    let current = db
        .task_at(id.as_str(), version.get())
        .await
        .map_err(refused)?;
    let next = current
        .status
        .apply(action)
        .map_err(|e| ServiceError::conflict(e.to_string(), None))?;
    let what = format!("{} → {}", current.status.label(), next.label());
    db.set_task_status(id.as_str(), version.get(), next, &actor.by(), &what)
        .await
        .map_err(refused)
}

/// Adds a comment to a task.
pub async fn comment(store: &Store, actor: &Actor, id: &TaskId, text: &str) -> Result<TaskView> {
    allowed(actor, Interaction::Update)?;
    if id.is_empty() {
        return Err(ServiceError::NotFound);
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 5_000 {
        return Err(ServiceError::field(
            "comment",
            "Write a comment of up to 5,000 characters.",
        ));
    }
    actor
        .db(store)
        .comment_on_task(id.as_str(), text, &actor.by(), "Commented")
        .await
        .map_err(refused)
}

/// Edits to a task as the form sends them.
#[derive(Clone, Debug)]
pub struct TaskChanges {
    pub title: String,
    pub details: String,
    pub priority: Priority,
    /// Absent: keep the due time; an empty date: no due time.
    pub due_date: Option<String>,
    pub due_time: Option<String>,
}

/// Saves edits made to the task as it was at `version`. A stale save is
/// refused with who changed it (the page keeps the user's text and offers
/// to save it again over the current version).
pub async fn edit(
    store: &Store,
    actor: &Actor,
    id: &TaskId,
    version: Version,
    changes: TaskChanges,
) -> Result<TaskView> {
    allowed(actor, Interaction::Update)?;
    let new_due = match &changes.due_date {
        Some(_) => Some(super::parse_due(
            changes.due_date.as_deref(),
            changes.due_time.as_deref(),
        )?),
        None => None,
    };
    let current = find(store, actor, id).await?;
    check_text(&changes.title, &changes.details)?;
    actor
        .db(store)
        .edit_task(
            id.as_str(),
            version.get(),
            &TaskEdit {
                title: changes.title,
                details: changes.details,
                priority: changes.priority,
                due_at: new_due.unwrap_or_else(|| current.due_instant()),
            },
            &actor.by(),
            "Edited",
        )
        .await
        .map_err(refused)
}

/// Gives an open task (as last seen at `version`) to a person or a team.
/// Both the lists it left and the ones it joined are told.
pub async fn reassign(
    store: &Store,
    actor: &Actor,
    id: &TaskId,
    version: Version,
    to: TaskAssignee,
) -> Result<TaskView> {
    allowed(actor, Interaction::Update)?;
    let db = actor.db(store);
    let current = db
        .task_at(id.as_str(), version.get())
        .await
        .map_err(refused)?;
    if !current.status.is_open() {
        return Err(ServiceError::field(
            "assignee",
            format!(
                "The task is {}; reopen it before reassigning it.",
                current.status.label().to_lowercase()
            ),
        ));
    }
    let name = match &to {
        TaskAssignee::Staff(s) => db
            .practice_staff()
            .await?
            .into_iter()
            .find(|m| m.id == s.as_str())
            .map(|m| m.name)
            .ok_or_else(|| {
                ServiceError::field("assignee", "That person is not in this practice.")
            })?,
        TaskAssignee::Team(t) => db
            .teams()
            .await?
            .into_iter()
            .find(|(tid, _)| tid == t.as_str())
            .map(|(_, n)| format!("the {n} team"))
            .ok_or_else(|| ServiceError::field("assignee", "That team is not in this practice."))?,
    };
    db.reassign_task(
        id.as_str(),
        version.get(),
        &assignee(to),
        &actor.by(),
        &format!("Reassigned to {name}"),
    )
    .await
    .map_err(refused)
}
