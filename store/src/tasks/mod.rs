//! Team tasks: create, claim from a team pool (atomic: of simultaneous
//! claims exactly one wins), edit with optimistic concurrency, move through
//! the status rules, comment, reassign. Every change is one transaction
//! with its history row and the outbox event. What a change says in the
//! history, and every check of what a person typed, is the tasks service's.

mod changes;
mod find;
mod queries;
mod teams;

pub(crate) use changes::{bind_new_task, create_task_statements};
pub use find::TaskFilter;

use crate::{rfc3339, StoreError};
use chrono::{DateTime, Utc};
use domain::task::{Priority, TaskStatus, TaskTransitionError, TaskView};
use domain::{PatientId, StaffId, TeamId};
use surrealdb::types::{Datetime, SurrealValue};

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("not found")]
    NotFound,
    /// Someone else claimed it first; here it is now.
    #[error("claimed by someone else")]
    ClaimedBy { current: Box<TaskView> },
    /// Changed since `expected_version`; here it is now.
    #[error("changed since it was read")]
    Stale { current: Box<TaskView> },
    #[error(transparent)]
    Invalid(#[from] TaskTransitionError),
    /// The linked patient is not this practice's.
    #[error("no such patient")]
    NoSuchPatient,
    /// The team is not this practice's.
    #[error("no such team")]
    NoSuchTeam,
    /// The person is not this practice's.
    #[error("no such member of staff")]
    NoSuchStaff,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(SurrealValue)]
struct TaskRow {
    id: String,
    version: i64,
    title: String,
    details: String,
    patient_id: Option<String>,
    title_of_patient: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    nhs_number: Option<String>,
    priority: String,
    due_at: Option<Datetime>,
    status: String,
    assigned_staff_id: Option<String>,
    assigned_staff_name: Option<String>,
    assigned_team_id: Option<String>,
    assigned_team_name: Option<String>,
    created_by: Option<String>,
    created_at: Datetime,
    updated_at: Datetime,
    updated_by: Option<String>,
    comment_count: i64,
}

/// A task as its view reads it; the comments are counted apart
/// (`PracticeStore::with_comment_counts`), never by a subquery per task.
const FIELDS: &str = "record::id(id) AS id, version, title, details,
    IF patient THEN record::id(patient) END AS patient_id, patient.title AS title_of_patient,
    patient.given_name AS given_name, patient.family_name AS family_name, patient.nhs_number AS nhs_number,
    priority, due_at, status,
    IF assigned_staff THEN record::id(assigned_staff) END AS assigned_staff_id, assigned_staff.display_name AS assigned_staff_name,
    IF assigned_team THEN record::id(assigned_team) END AS assigned_team_id, assigned_team.name AS assigned_team_name,
    IF created_by.display_name THEN created_by.display_name
    ELSE IF created_by.name THEN string::concat(created_by.name, ' (API)') END AS created_by,
    created_at, updated_at,
    IF updated_by.display_name THEN updated_by.display_name
    ELSE IF updated_by.name THEN string::concat(updated_by.name, ' (API)') END AS updated_by,
    0 AS comment_count";

impl TryFrom<TaskRow> for TaskView {
    type Error = StoreError;
    fn try_from(r: TaskRow) -> Result<Self, StoreError> {
        let bad = |what: &str, v: &str| StoreError::Internal(format!("unknown task {what} {v}"));
        let patient_name = r.family_name.as_deref().map(|family| {
            domain::book::patient_display_name(
                r.title_of_patient.as_deref(),
                r.given_name.as_deref().unwrap_or_default(),
                family,
            )
        });
        Ok(TaskView {
            id: r.id,
            version: r.version,
            title: r.title,
            details: r.details,
            patient_id: r.patient_id,
            patient_name,
            patient_nhs_number: r.nhs_number,
            priority: Priority::parse(&r.priority).ok_or_else(|| bad("priority", &r.priority))?,
            due_at: r.due_at.map(rfc3339),
            status: TaskStatus::parse(&r.status).ok_or_else(|| bad("status", &r.status))?,
            assigned_staff_id: r.assigned_staff_id,
            assigned_staff_name: r.assigned_staff_name,
            assigned_team_id: r.assigned_team_id,
            assigned_team_name: r.assigned_team_name,
            created_by: r.created_by.unwrap_or_default(),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
            updated_by: r.updated_by,
            comment_count: r.comment_count,
        })
    }
}

/// A new task in this practice; the linked patient, team and person are
/// checked to be the practice's in the creating transaction.
#[derive(Clone, Debug)]
pub struct NewTask {
    pub title: String,
    pub details: String,
    pub patient_id: Option<PatientId>,
    pub priority: Priority,
    pub due_at: Option<DateTime<Utc>>,
    pub assignee: Assignee,
    pub created_by: crate::By,
}

/// Who a task is given to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assignee {
    Staff(StaffId),
    Team(TeamId),
}

/// The editable fields of a task.
#[derive(Clone, Debug)]
pub struct TaskEdit {
    pub title: String,
    pub details: String,
    pub priority: Priority,
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(SurrealValue)]
struct CommentCount {
    task: String,
    n: i64,
}

impl crate::PracticeStore {
    /// The tasks with their comments counted, in one query for them all
    /// (through the index on the comment's task).
    pub(crate) async fn with_comment_counts(
        &self,
        mut tasks: Vec<TaskView>,
    ) -> Result<Vec<TaskView>, StoreError> {
        if tasks.is_empty() {
            return Ok(tasks);
        }
        let any = crate::AnyOf::new("t", "task", tasks.iter().map(|t| t.id.as_str()));
        let q = self.db().query(format!(
            "SELECT record::id(task) AS task, count() AS n FROM task_comment
             WHERE {} GROUP BY task",
            any.on("task")
        ));
        let mut res = any.bind(q).await?.check()?;
        let counts: Vec<CommentCount> = res.take(0)?;
        let counts: std::collections::HashMap<String, i64> =
            counts.into_iter().map(|c| (c.task, c.n)).collect();
        for t in &mut tasks {
            t.comment_count = counts.get(&t.id).copied().unwrap_or(0);
        }
        Ok(tasks)
    }
}
