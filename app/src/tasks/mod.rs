//! Team tasks: server functions (the pages come next). Every function
//! authorises in our code (role via the Area table, practice via the
//! session; another practice's task answers as not found).

mod pages;

pub use pages::{TaskPage as TaskPageView, TasksPage};

use crate::AppError;
use domain::task::TaskView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A task with its history and comments, for the task page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskPage {
    pub task: TaskView,
    /// (who, what, when RFC 3339), oldest first.
    pub history: Vec<(String, String, String)>,
    /// (author, text, when RFC 3339), oldest first.
    pub comments: Vec<(String, String, String)>,
}

#[cfg(feature = "ssr")]
fn tasker() -> Result<crate::auth::ssr::Actor, AppError> {
    crate::auth::ssr::require_area(domain::Area::Tasks)
}

#[cfg(feature = "ssr")]
fn task_error(e: store::tasks::TaskError) -> AppError {
    use store::tasks::TaskError;
    match e {
        TaskError::NotFound => AppError::NotFound,
        TaskError::ClaimedBy { by, .. } => AppError::Conflict {
            message: format!("Claimed by {by}."),
        },
        TaskError::Stale { current } => {
            let at = chrono::DateTime::parse_from_rfc3339(&current.updated_at)
                .map(|t| domain::time::london_hhmm(t.with_timezone(&chrono::Utc)))
                .unwrap_or_default();
            AppError::Conflict {
                message: format!(
                    "Changed by {} at {at} since you opened it. Your text is kept: check the task and save again.",
                    current.updated_by.as_deref().unwrap_or("someone else")
                ),
            }
        }
        TaskError::Invalid(e) => AppError::Conflict {
            message: e.to_string(),
        },
        TaskError::Field(field, message) => AppError::field(field, message),
        TaskError::Store(e) => AppError::internal(e),
    }
}

#[server(prefix = "/api", endpoint = "task_page")]
pub async fn get_task_page(id: String) -> Result<TaskPage, AppError> {
    let result = async {
        let actor = tasker()?;
        let state = crate::auth::ssr::app_state()?;
        let p = actor.practice_id();
        let task = state.store.task(p, &id).await.map_err(task_error)?;
        Ok(TaskPage {
            task,
            history: state
                .store
                .task_history(p, &id)
                .await
                .map_err(AppError::internal)?,
            comments: state
                .store
                .task_comments(p, &id)
                .await
                .map_err(AppError::internal)?,
        })
    }
    .await;
    crate::error::with_status(result)
}

/// Creates a task for a team (`team`) or a person (`staff`).
#[server(prefix = "/api", endpoint = "create_task")]
pub async fn create_task(
    title: String,
    details: String,
    priority: String,
    patient_id: Option<String>,
    team: Option<String>,
    staff: Option<String>,
) -> Result<TaskView, AppError> {
    let result = async {
        let actor = tasker()?;
        let priority = domain::task::Priority::parse(&priority)
            .ok_or_else(|| AppError::field("priority", "Choose routine, urgent, ASAP or stat."))?;
        let state = crate::auth::ssr::app_state()?;
        let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        state
            .store
            .create_task(&store::tasks::NewTask {
                practice_id: actor.practice_id().to_string(),
                title,
                details,
                patient_id: nonempty(patient_id),
                priority,
                due_at: None,
                assigned_staff: nonempty(staff),
                assigned_team: nonempty(team),
                created_by: actor.user.staff_id.clone(),
            })
            .await
            .map_err(task_error)
    }
    .await;
    crate::error::with_status(result)
}

/// Claim, start, put on hold, resume, complete, cancel or reopen.
#[server(prefix = "/api", endpoint = "task_action")]
pub async fn task_action(id: String, version: i64, action: String) -> Result<TaskView, AppError> {
    let result = async {
        let actor = tasker()?;
        let action = domain::task::TaskAction::parse(&action)
            .ok_or_else(|| AppError::field("action", format!("Unknown action \"{action}\".")))?;
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .task_action(
                actor.practice_id(),
                &id,
                version,
                action,
                &actor.user.staff_id,
            )
            .await
            .map_err(task_error)
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/api", endpoint = "comment_on_task")]
pub async fn comment_on_task(id: String, comment: String) -> Result<TaskView, AppError> {
    let result = async {
        let actor = tasker()?;
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .comment_on_task(actor.practice_id(), &id, &comment, &actor.user.staff_id)
            .await
            .map_err(task_error)
    }
    .await;
    crate::error::with_status(result)
}

/// The practice's teams: (id, name).
#[server(prefix = "/api", endpoint = "teams")]
pub async fn get_teams() -> Result<Vec<(String, String)>, AppError> {
    let result = async {
        let actor = tasker()?;
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .teams(actor.practice_id())
            .await
            .map_err(AppError::internal)
    }
    .await;
    crate::error::with_status(result)
}

/// Saves edits made to the task as it was at `version`. A stale save is
/// refused with who changed it (the page keeps the user's text and offers
/// to save it again over the current version).
#[server(prefix = "/api", endpoint = "edit_task")]
pub async fn edit_task(
    id: String,
    version: i64,
    title: String,
    details: String,
    priority: String,
) -> Result<TaskView, AppError> {
    let result = async {
        let actor = tasker()?;
        let priority = domain::task::Priority::parse(&priority)
            .ok_or_else(|| AppError::field("priority", "Choose routine, urgent, ASAP or stat."))?;
        let state = crate::auth::ssr::app_state()?;
        let p = actor.practice_id();
        let current = state.store.task(p, &id).await.map_err(task_error)?;
        state
            .store
            .edit_task(
                p,
                &id,
                version,
                &store::tasks::TaskEdit {
                    title,
                    details,
                    priority,
                    due_at: current
                        .due_at
                        .as_deref()
                        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
                        .map(|d| d.with_timezone(&chrono::Utc)),
                },
                &actor.user.staff_id,
            )
            .await
            .map_err(task_error)
    }
    .await;
    crate::error::with_status(result)
}
