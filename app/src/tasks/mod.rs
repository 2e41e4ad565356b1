//! Team tasks: the pages (`pages`, `teams_page`) and their server
//! functions, thin doors onto the tasks and teams services.

mod pages;
mod teams_page;

pub use pages::{NewTaskPage, TaskPage as TaskPageView, TasksPage};
pub use teams_page::TeamsPage;

use crate::AppError;
use domain::task::{Person, Priority, TaskAssignee, TaskView, TeamView};
use domain::{PatientId, StaffId, TaskId, TeamId, Version};
use leptos::prelude::*;

pub use domain::task::{TaskFormOptions, TaskPage};

#[server(prefix = "/api", endpoint = "task_page")]
pub async fn get_task_page(id: TaskId) -> Result<TaskPage, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::tasks::page(&store, &actor, &id).await?)
}

/// Creates a task for a team or a person (`assignee`: "team:ID" or
/// "staff:ID"), due at a UK date and time if given.
#[server(prefix = "/api", endpoint = "create_task")]
pub async fn create_task(
    title: String,
    details: String,
    priority: Priority,
    patient_id: Option<PatientId>,
    assignee: TaskAssignee,
    #[server(default)] due_date: Option<String>,
    #[server(default)] due_time: Option<String>,
) -> Result<TaskView, AppError> {
    let (store, actor) = crate::door::staff()?;
    let form = services::tasks::TaskForm {
        title,
        details,
        priority,
        patient: patient_id,
        assignee,
        due_date,
        due_time,
    };
    Ok(services::tasks::create(&store, &actor, form).await?)
}

/// Claim, start, put on hold, resume, complete, cancel or reopen.
#[server(prefix = "/api", endpoint = "task_action")]
pub async fn task_action(
    id: TaskId,
    version: Version,
    action: domain::task::TaskAction,
) -> Result<TaskView, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::tasks::act(&store, &actor, &id, version, action).await?)
}

#[server(prefix = "/api", endpoint = "comment_on_task")]
pub async fn comment_on_task(id: TaskId, comment: String) -> Result<TaskView, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::tasks::comment(&store, &actor, &id, &comment).await?)
}

/// The practice's teams: (id, name).
#[server(prefix = "/api", endpoint = "teams")]
pub async fn get_teams() -> Result<Vec<(String, String)>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::tasks::teams(&store, &actor).await?)
}

/// Saves edits made to the task as it was at `version`. A stale save is
/// refused with who changed it (the page keeps the user's text and offers
/// to save it again over the current version).
#[server(prefix = "/api", endpoint = "edit_task")]
pub async fn edit_task(
    id: TaskId,
    version: Version,
    title: String,
    details: String,
    priority: Priority,
    /// Absent: keep the due time; empty: no due time.
    #[server(default)]
    due_date: Option<String>,
    #[server(default)] due_time: Option<String>,
) -> Result<TaskView, AppError> {
    let (store, actor) = crate::door::staff()?;
    let changes = services::tasks::TaskChanges {
        title,
        details,
        priority,
        due_date,
        due_time,
    };
    Ok(services::tasks::edit(&store, &actor, &id, version, changes).await?)
}

/// Gives a task to a person or a team ("staff:ID" or "team:ID").
#[server(prefix = "/api", endpoint = "reassign_task")]
pub async fn reassign_task(
    id: TaskId,
    version: Version,
    assignee: TaskAssignee,
) -> Result<TaskView, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::tasks::reassign(&store, &actor, &id, version, assignee).await?)
}

/// Teams and people to assign to, and the patient when `patient` is given
/// (another practice's patient: not found).
#[server(prefix = "/api", endpoint = "task_form")]
pub async fn get_task_form(patient: Option<PatientId>) -> Result<TaskFormOptions, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::tasks::form_options(&store, &actor, patient.as_ref()).await?)
}

/// The practice's teams with their members, and everyone who could join.
#[server(prefix = "/api", endpoint = "team_admin")]
pub async fn get_team_admin() -> Result<(Vec<TeamView>, Vec<Person>), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::teams::admin(&store, &actor).await?)
}

#[server(prefix = "/api", endpoint = "create_team")]
pub async fn create_team(name: String) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::teams::create(&store, &actor, &name).await?)
}

/// Adds (`add` true) or removes a member of staff from a team.
#[server(prefix = "/api", endpoint = "team_member")]
pub async fn change_team_member(team: TeamId, staff: StaffId, add: bool) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::teams::change_member(&store, &actor, &team, &staff, add).await?)
}

/// The practice's staff (for pickers such as the audit page's).
#[server(prefix = "/api", endpoint = "practice_staff")]
pub async fn get_task_form_staff() -> Result<Vec<Person>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::tasks::staff(&store, &actor).await?)
}
