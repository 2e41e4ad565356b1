//! Team tasks: server functions (the pages come next). Every function
//! authorises in our code (role via the Area table, practice via the
//! session; another practice's task answers as not found).

mod pages;
mod teams_page;

pub use pages::{NewTaskPage, TaskPage as TaskPageView, TasksPage};
pub use teams_page::TeamsPage;

use crate::AppError;
use domain::task::{Person, TaskView, TeamView};
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

/// What the new-task and reassign forms offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFormOptions {
    /// (id, name), by name.
    pub teams: Vec<(String, String)>,
    pub staff: Vec<Person>,
    /// The patient the task is about, when it was started from one:
    /// (id, "Mr John SMITH", NHS number as "999 000 0018").
    pub patient: Option<(String, String, String)>,
}

/// A due time from the form's London date ("YYYY-MM-DD") and time
/// ("HH:MM", 17:00 when left blank). No date: no due time.
pub fn parse_due(
    date: Option<&str>,
    time: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    let date = date.map(str::trim).unwrap_or_default();
    let time = time.map(str::trim).unwrap_or_default();
    if date.is_empty() {
        if !time.is_empty() {
            return Err(AppError::field("due_date", "Give a date for the due time."));
        }
        return Ok(None);
    }
    let day = domain::time::iso_date(date).ok_or_else(|| {
        AppError::field("due_date", "Enter the due date as a date, e.g. 2026-11-24.")
    })?;
    let time = if time.is_empty() { "17:00" } else { time };
    let minutes = domain::book::minutes(time)
        .ok_or_else(|| AppError::field("due_time", "Enter the due time as HH:MM, e.g. 14:30."))?;
    let local = day
        .and_hms_opt((minutes / 60) as u32, (minutes % 60) as u32, 0)
        .ok_or_else(|| AppError::field("due_time", "Enter the due time as HH:MM, e.g. 14:30."))?;
    domain::time::london_to_utc(local)
        .map(Some)
        .map_err(|e| AppError::field("due_time", e.to_string()))
}

/// "team:ID" or "staff:ID" from the assignee pickers.
#[cfg(feature = "ssr")]
fn parse_assignee(value: &str) -> Result<store::tasks::Assignee, AppError> {
    match value.split_once(':') {
        Some(("team", id)) if !id.is_empty() => Ok(store::tasks::Assignee::Team(id.to_string())),
        Some(("staff", id)) if !id.is_empty() => Ok(store::tasks::Assignee::Staff(id.to_string())),
        _ => Err(AppError::field("assignee", "Choose a team or a person.")),
    }
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

/// Creates a task for a team or a person (`assignee`: "team:ID" or
/// "staff:ID"), due at a UK date and time if given.
#[server(prefix = "/api", endpoint = "create_task")]
pub async fn create_task(
    title: String,
    details: String,
    priority: String,
    patient_id: Option<String>,
    assignee: String,
    #[server(default)] due_date: Option<String>,
    #[server(default)] due_time: Option<String>,
) -> Result<TaskView, AppError> {
    let result = async {
        let actor = tasker()?;
        let priority = domain::task::Priority::parse(&priority)
            .ok_or_else(|| AppError::field("priority", "Choose routine, urgent, ASAP or stat."))?;
        let due_at = parse_due(due_date.as_deref(), due_time.as_deref())?;
        let state = crate::auth::ssr::app_state()?;
        let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let (team, staff) = match parse_assignee(&assignee)? {
            store::tasks::Assignee::Team(t) => (Some(t), None),
            store::tasks::Assignee::Staff(s) => (None, Some(s)),
        };
        state
            .store
            .create_task(&store::tasks::NewTask {
                practice_id: actor.practice_id().to_string(),
                title,
                details,
                patient_id: nonempty(patient_id),
                priority,
                due_at,
                assigned_staff: staff,
                assigned_team: team,
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
    /// Absent: keep the due time; empty: no due time.
    #[server(default)]
    due_date: Option<String>,
    #[server(default)] due_time: Option<String>,
) -> Result<TaskView, AppError> {
    let result = async {
        let actor = tasker()?;
        let priority = domain::task::Priority::parse(&priority)
            .ok_or_else(|| AppError::field("priority", "Choose routine, urgent, ASAP or stat."))?;
        let new_due = match &due_date {
            Some(_) => Some(parse_due(due_date.as_deref(), due_time.as_deref())?),
            None => None,
        };
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
                    due_at: new_due.unwrap_or_else(|| current.due_instant()),
                },
                &actor.user.staff_id,
            )
            .await
            .map_err(task_error)
    }
    .await;
    crate::error::with_status(result)
}

/// Gives a task to a person or a team ("staff:ID" or "team:ID").
#[server(prefix = "/api", endpoint = "reassign_task")]
pub async fn reassign_task(
    id: String,
    version: i64,
    assignee: String,
) -> Result<TaskView, AppError> {
    let result = async {
        let actor = tasker()?;
        let to = parse_assignee(&assignee)?;
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .reassign_task(actor.practice_id(), &id, version, &to, &actor.user.staff_id)
            .await
            .map_err(task_error)
    }
    .await;
    crate::error::with_status(result)
}

/// Teams and people to assign to, and the patient when `patient` is given
/// (another practice's patient: not found).
#[server(prefix = "/api", endpoint = "task_form")]
pub async fn get_task_form(patient: Option<String>) -> Result<TaskFormOptions, AppError> {
    let result = async {
        let actor = tasker()?;
        let state = crate::auth::ssr::app_state()?;
        let p = actor.practice_id();
        let patient = match patient.filter(|s| !s.is_empty()) {
            None => None,
            Some(id) => {
                let hit = state
                    .store
                    .patient_brief(p, &id)
                    .await
                    .map_err(AppError::internal)?
                    .ok_or(AppError::NotFound)?;
                let nhs = domain::nhs_number::NhsNumber::parse(&hit.nhs_number)
                    .map(|n| n.to_string())
                    .unwrap_or(hit.nhs_number.clone());
                Some((hit.id.clone(), hit.display_name(), nhs))
            }
        };
        Ok(TaskFormOptions {
            teams: state.store.teams(p).await.map_err(AppError::internal)?,
            staff: state
                .store
                .practice_staff(p)
                .await
                .map_err(AppError::internal)?,
            patient,
        })
    }
    .await;
    crate::error::with_status(result)
}

#[cfg(feature = "ssr")]
fn team_admin() -> Result<crate::auth::ssr::Actor, AppError> {
    crate::auth::ssr::require_area(domain::Area::Admin)
}

/// The practice's teams with their members, and everyone who could join.
#[server(prefix = "/api", endpoint = "team_admin")]
pub async fn get_team_admin() -> Result<(Vec<TeamView>, Vec<Person>), AppError> {
    let result = async {
        let actor = team_admin()?;
        let state = crate::auth::ssr::app_state()?;
        let p = actor.practice_id();
        Ok((
            state
                .store
                .teams_with_members(p)
                .await
                .map_err(AppError::internal)?,
            state
                .store
                .practice_staff(p)
                .await
                .map_err(AppError::internal)?,
        ))
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/api", endpoint = "create_team")]
pub async fn create_team(name: String) -> Result<(), AppError> {
    let result = async {
        let actor = team_admin()?;
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(AppError::field(
                "name",
                "Give the team a name of up to 60 characters.",
            ));
        }
        let state = crate::auth::ssr::app_state()?;
        match state.store.create_team(actor.practice_id(), &name).await {
            Ok(_) => Ok(()),
            Err(store::StoreError::AlreadyExists) => Err(AppError::field(
                "name",
                format!("There is already a team called {name}."),
            )),
            Err(e) => Err(AppError::internal(e)),
        }
    }
    .await;
    crate::error::with_status(result)
}

/// Adds (`add` true) or removes a member of staff from a team.
#[server(prefix = "/api", endpoint = "team_member")]
pub async fn change_team_member(team: String, staff: String, add: bool) -> Result<(), AppError> {
    let result = async {
        let actor = team_admin()?;
        let state = crate::auth::ssr::app_state()?;
        let p = actor.practice_id();
        let r = if add {
            state.store.add_team_member(p, &team, &staff).await
        } else {
            state.store.remove_team_member(p, &team, &staff).await
        };
        match r {
            Ok(()) => Ok(()),
            Err(store::StoreError::AlreadyExists) => {
                Err(AppError::field("staff", "They are already in this team."))
            }
            Err(store::StoreError::NotFound) => Err(AppError::NotFound),
            Err(e) => Err(AppError::internal(e)),
        }
    }
    .await;
    crate::error::with_status(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(d: &str, t: &str) -> Result<Option<String>, String> {
        parse_due(Some(d), Some(t))
            .map(|o| o.map(|d| d.to_rfc3339()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn due_times_are_uk_wall_clock_times() {
        assert_eq!(due("", ""), Ok(None));
        assert_eq!(
            due("2026-07-01", "09:30"),
            Ok(Some("2026-07-01T08:30:00+00:00".into()))
        );
        assert_eq!(
            due("2026-12-01", ""),
            Ok(Some("2026-12-01T17:00:00+00:00".into())),
            "17:00 by default"
        );
        assert!(due("2026-03-29", "01:30")
            .unwrap_err()
            .contains("clocks go forward"));
        assert!(due("01/12/2026", "").unwrap_err().contains("due date"));
        assert!(due("2026-12-01", "25:00").unwrap_err().contains("HH:MM"));
        assert!(due("", "09:00").unwrap_err().contains("Give a date"));
    }
}

/// The practice's staff (for pickers such as the audit page's).
#[server(prefix = "/api", endpoint = "practice_staff")]
pub async fn get_task_form_staff() -> Result<Vec<Person>, AppError> {
    let result = async {
        let actor = tasker()?;
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .practice_staff(actor.practice_id())
            .await
            .map_err(AppError::internal)
    }
    .await;
    crate::error::with_status(result)
}
