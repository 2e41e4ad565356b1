//! Team tasks: create, claim from a team pool (atomic: of simultaneous
//! claims exactly one wins), edit with optimistic concurrency, move through
//! the status rules, comment. Every change is one transaction with its
//! history row and the outbox event.

use crate::outbox::{self, Retry};
use crate::{new_key, rfc3339, Store, StoreError};
use chrono::{DateTime, Utc};
use domain::task::{
    Person, Priority, TaskAction, TaskStatus, TaskTransitionError, TaskView, TeamView,
};
use surrealdb::types::{Datetime, RecordId, SurrealValue};

/// An outbox event kind: a task was created or changed.
pub const KIND_TASK: &str = "task";

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("not found")]
    NotFound,
    /// Someone else claimed it first.
    #[error("Claimed by {by}.")]
    ClaimedBy { by: String, current: Box<TaskView> },
    /// Changed since `expected_version`; here it is now.
    #[error("Changed by {} since you opened it.", .current.updated_by.as_deref().unwrap_or("someone else"))]
    Stale { current: Box<TaskView> },
    #[error(transparent)]
    Invalid(#[from] TaskTransitionError),
    /// A field and what is wrong with it.
    #[error("{1}")]
    Field(&'static str, String),
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

const FIELDS: &str = "record::id(id) AS id, version, title, details,
    IF patient THEN record::id(patient) END AS patient_id, patient.title AS title_of_patient,
    patient.given_name AS given_name, patient.family_name AS family_name, patient.nhs_number AS nhs_number,
    priority, due_at, status,
    IF assigned_staff THEN record::id(assigned_staff) END AS assigned_staff_id, assigned_staff.display_name AS assigned_staff_name,
    IF assigned_team THEN record::id(assigned_team) END AS assigned_team_id, assigned_team.name AS assigned_team_name,
    created_by.display_name AS created_by, created_at, updated_at, updated_by.display_name AS updated_by,
    array::len((SELECT VALUE id FROM task_comment WHERE task = $parent.id)) AS comment_count";

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

/// A new task; ids already authorised for the practice by the caller are
/// still checked to belong to it.
#[derive(Clone, Debug)]
pub struct NewTask {
    pub practice_id: String,
    pub title: String,
    pub details: String,
    pub patient_id: Option<String>,
    pub priority: Priority,
    pub due_at: Option<DateTime<Utc>>,
    /// Exactly one of these.
    pub assigned_staff: Option<String>,
    pub assigned_team: Option<String>,
    pub created_by: String,
}

/// Who a task is given to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assignee {
    Staff(String),
    Team(String),
}

#[derive(SurrealValue)]
struct MemberRow {
    id: String,
    name: String,
    role: String,
}

impl From<MemberRow> for Person {
    fn from(r: MemberRow) -> Person {
        Person {
            id: r.id,
            name: r.name,
            role: r.role,
        }
    }
}

#[derive(SurrealValue)]
struct TeamRow {
    id: String,
    name: String,
    members: Vec<MemberRow>,
}

/// The editable fields of a task.
#[derive(Clone, Debug)]
pub struct TaskEdit {
    pub title: String,
    pub details: String,
    pub priority: Priority,
    pub due_at: Option<DateTime<Utc>>,
}

fn check_text(title: &str, details: &str) -> Result<(), TaskError> {
    let t = title.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(TaskError::Field(
            "title",
            "Give the task a title of up to 200 characters.".into(),
        ));
    }
    if details.chars().count() > 10_000 {
        return Err(TaskError::Field(
            "details",
            "Keep the details under 10,000 characters.".into(),
        ));
    }
    Ok(())
}

impl Store {
    pub async fn task(&self, practice_id: &str, id: &str) -> Result<TaskView, TaskError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM type::record('task', $id) WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("id", id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .await
            .map_err(StoreError::from)?
            .check()
            .map_err(StoreError::from)?;
        let rows: Vec<TaskRow> = res.take(0).map_err(StoreError::from)?;
        rows.into_iter()
            .next()
            .ok_or(TaskError::NotFound)?
            .try_into()
            .map_err(TaskError::Store)
    }

    /// The task, if it is still at `expected_version`; otherwise `Stale`
    /// with the current task (a change is checked again in its transaction).
    async fn task_at(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
    ) -> Result<TaskView, TaskError> {
        let current = self.task(practice_id, id).await?;
        if current.version != expected_version {
            return Err(TaskError::Stale {
                current: Box::new(current),
            });
        }
        Ok(current)
    }

    /// A team's open tasks, most urgent and soonest due first.
    pub async fn team_tasks(
        &self,
        practice_id: &str,
        team_id: &str,
    ) -> Result<Vec<TaskView>, StoreError> {
        self.open_tasks(practice_id, "assigned_team", "team", team_id)
            .await
    }

    /// A practice's open tasks whose `field` is the `table` record `id`,
    /// in list order. `field` and `table` are fixed by the callers above.
    async fn open_tasks(
        &self,
        practice_id: &str,
        field: &'static str,
        table: &'static str,
        id: &str,
    ) -> Result<Vec<TaskView>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM task
                 WHERE practice = type::record('practice', $practice) AND {field} = type::record($table, $id)
                   AND status NOT IN ['completed', 'cancelled']"
            ))
            .bind(("practice", practice_id.to_string()))
            .bind(("table", table))
            .bind(("id", id.to_string()))
            .await?
            .check()?;
        let rows: Vec<TaskRow> = res.take(0)?;
        let mut tasks: Vec<TaskView> = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?;
        tasks.sort_by(TaskView::list_order);
        Ok(tasks)
    }

    /// The given tasks of a practice (others are left out).
    pub async fn tasks_by_id(
        &self,
        practice_id: &str,
        ids: &[String],
    ) -> Result<Vec<TaskView>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<RecordId> = ids
            .iter()
            .map(|id| RecordId::new("task", id.as_str()))
            .collect();
        let mut res = self
            .db()
            .query(format!("SELECT {FIELDS} FROM $records WHERE practice = type::record('practice', $practice)"))
            .bind(("records", records))
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<TaskRow> = res.take(0)?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// A person's open tasks, most urgent and soonest due first.
    pub async fn my_tasks(
        &self,
        practice_id: &str,
        staff_id: &str,
    ) -> Result<Vec<TaskView>, StoreError> {
        self.open_tasks(practice_id, "assigned_staff", "staff", staff_id)
            .await
    }

    /// A task's comments, oldest first: (author, text, when RFC 3339).
    pub async fn task_comments(
        &self,
        practice_id: &str,
        id: &str,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        #[derive(SurrealValue)]
        struct Row {
            author: Option<String>,
            body: String,
            created_at: Datetime,
        }
        let mut res = self
            .db()
            .query(
                "SELECT author.display_name AS author, body, created_at FROM task_comment
                 WHERE task = type::record('task', $id) AND task.practice = type::record('practice', $practice)
                 ORDER BY created_at",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<Row> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.author.unwrap_or_default(), r.body, rfc3339(r.created_at)))
            .collect())
    }

    /// The practice's teams: (id, name), by name.
    pub async fn teams(&self, practice_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT VALUE [record::id(id), name] FROM team
                 WHERE practice = type::record('practice', $practice) ORDER BY name",
            )
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<(String, String)> = res.take(0)?;
        Ok(rows)
    }

    /// Creates a team (tests and set-up); a name already used is `AlreadyExists`.
    pub async fn create_team(&self, practice_id: &str, name: &str) -> Result<String, StoreError> {
        let mut res = self
            .db()
            .query("CREATE ONLY team CONTENT { practice: type::record('practice', $practice), name: $name } RETURN VALUE record::id(id)")
            .bind(("practice", practice_id.to_string()))
            .bind(("name", name.to_string()))
            .await?
            .check()?;
        let id: Option<String> = res.take(0)?;
        id.ok_or(StoreError::NotFound)
    }

    /// Runs a task change script (history row and outbox event appended)
    /// and maps the thrown tokens.
    async fn run_task_change(
        &self,
        practice_id: &str,
        id: &str,
        body: &str,
        binds: Vec<(&'static str, surrealdb::types::Value)>,
    ) -> Result<TaskView, TaskError> {
        let script = format!(
            "BEGIN TRANSACTION;
             LET $t = type::record('task', $record);
             LET $row = (SELECT version, practice, status, assigned_staff, assigned_team FROM ONLY $t);
             IF $row = NONE OR $row.practice != $practice {{ THROW 'op:not_found' }};
             {body}
             CREATE task_change CONTENT {{ practice: $practice, task: $t, by: $by, what: $what }} RETURN NONE;
             LET $date = NONE;
             LET $staff = (SELECT VALUE IF assigned_staff THEN record::id(assigned_staff) END FROM ONLY $t);
             LET $team_now = (SELECT VALUE IF assigned_team THEN record::id(assigned_team) END FROM ONLY $t);
             LET $new_version = (SELECT VALUE version FROM ONLY $t);
             {append}
             UPDATE event SET team = $team_now WHERE practice = $practice AND seq = $seq RETURN NONE;
             LET $team_before = IF $row.assigned_team THEN record::id($row.assigned_team) END;
             LET $staff_before = IF $row.assigned_staff THEN record::id($row.assigned_staff) END;
             IF $team_before != $team_now OR ($staff_before != NONE AND $staff_before != $staff) {{
                 {append_before}
                 UPDATE event SET team = $team_before WHERE practice = $practice AND seq = $seq RETURN NONE;
             }};
             COMMIT TRANSACTION;",
            append = outbox::append("$date", "$staff"),
            // A task that left a team or a person: their lists are told too
            // (a claim from the pool leaves no one: one event).
            append_before = outbox::append("$date", "$staff_before")
        );
        let practice = RecordId::new("practice", practice_id);
        let outcome = outbox::run_with_retry(|| {
            let mut q = self
                .db()
                .query(script.as_str())
                .bind(("record", id.to_string()))
                .bind(("practice", practice.clone()))
                .bind(("kind", KIND_TASK.to_string()));
            for (k, v) in &binds {
                q = q.bind((*k, v.clone()));
            }
            q
        })
        .await;
        match outcome {
            Ok(()) => self.task(practice_id, id).await,
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(TaskError::NotFound),
            Err(Retry::Thrown(t)) if t == "op:stale" => Err(TaskError::Stale {
                current: Box::new(self.task(practice_id, id).await?),
            }),
            Err(Retry::Thrown(t)) if t == "op:claimed" => {
                let current = self.task(practice_id, id).await?;
                Err(TaskError::ClaimedBy {
                    by: current
                        .assigned_staff_name
                        .clone()
                        .unwrap_or_else(|| "someone else".into()),
                    current: Box::new(current),
                })
            }
            Err(e) => Err(TaskError::Store(e.into())),
        }
    }

    pub async fn create_task(&self, new: &NewTask) -> Result<TaskView, TaskError> {
        check_text(&new.title, &new.details)?;
        if new.assigned_staff.is_some() == new.assigned_team.is_some() {
            return Err(TaskError::Field(
                "assignee",
                "Assign the task to one person or one team.".into(),
            ));
        }
        let id = new_key();
        let practice = RecordId::new("practice", new.practice_id.as_str());
        let body = "
            IF $patient != NONE AND (SELECT VALUE practice FROM ONLY type::record('patient', $patient)) != $practice { THROW 'op:no_patient' };
            IF $team != NONE AND (SELECT VALUE practice FROM ONLY type::record('team', $team)) != $practice { THROW 'op:no_team' };
            IF $assignee != NONE AND (SELECT VALUE practice FROM ONLY type::record('staff', $assignee)) != $practice { THROW 'op:no_staff' };
            CREATE $t CONTENT {
                practice: $practice, title: $title, details: $details,
                patient: IF $patient THEN type::record('patient', $patient) END,
                priority: $priority, due_at: $due, status: $status,
                assigned_staff: IF $assignee THEN type::record('staff', $assignee) END,
                assigned_team: IF $team THEN type::record('team', $team) END,
                created_by: $by, updated_by: $by
            } RETURN NONE;";
        // The task does not exist yet: the shared script's existence check
        // must not refuse it, so create first in its own statement block.
        let script = format!(
            "BEGIN TRANSACTION;
             LET $t = type::record('task', $record);
             {body}
             CREATE task_change CONTENT {{ practice: $practice, task: $t, by: $by, what: 'Created' }} RETURN NONE;
             LET $date = NONE;
             LET $staff = $assignee;
             LET $new_version = 1;
             {append}
             UPDATE event SET team = $team WHERE practice = $practice AND seq = $seq RETURN NONE;
             COMMIT TRANSACTION;",
            append = outbox::append("$date", "$staff")
        );
        let status = if new.assigned_staff.is_some() {
            TaskStatus::Accepted
        } else {
            TaskStatus::Requested
        };
        let outcome = outbox::run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("record", id.clone()))
                .bind(("practice", practice.clone()))
                .bind(("kind", KIND_TASK.to_string()))
                .bind(("title", new.title.trim().to_string()))
                .bind(("details", new.details.clone()))
                .bind(("patient", new.patient_id.clone()))
                .bind(("priority", new.priority.as_str().to_string()))
                .bind(("due", new.due_at))
                .bind(("status", status.as_str().to_string()))
                .bind(("assignee", new.assigned_staff.clone()))
                .bind(("team", new.assigned_team.clone()))
                .bind(("by", RecordId::new("staff", new.created_by.as_str())))
        })
        .await;
        match outcome {
            Ok(()) => self.task(&new.practice_id, &id).await,
            Err(Retry::Thrown(t)) if t == "op:no_patient" => Err(TaskError::Field(
                "patient",
                "That patient does not exist.".into(),
            )),
            Err(Retry::Thrown(t)) if t == "op:no_team" => Err(TaskError::Field(
                "assignee",
                "That team does not exist.".into(),
            )),
            Err(Retry::Thrown(t)) if t == "op:no_staff" => Err(TaskError::Field(
                "assignee",
                "That person does not exist.".into(),
            )),
            Err(e) => Err(TaskError::Store(e.into())),
        }
    }

    /// Takes a task from its team pool. Of simultaneous claims exactly one
    /// wins; the others get `ClaimedBy` with the winner's name.
    pub async fn claim_task(
        &self,
        practice_id: &str,
        id: &str,
        by: &str,
    ) -> Result<TaskView, TaskError> {
        let body = "
            IF $row.assigned_staff != NONE { THROW 'op:claimed' };
            IF $row.status != 'requested' { THROW 'op:not_claimable' };
            UPDATE $t SET assigned_staff = $by, status = 'accepted', version += 1,
                updated_at = time::now(), updated_by = $by RETURN NONE;";
        let r = self
            .run_task_change(
                practice_id,
                id,
                body,
                vec![
                    ("by", RecordId::new("staff", by).into_value()),
                    ("what", "Claimed".to_string().into_value()),
                ],
            )
            .await;
        match r {
            Err(TaskError::Store(StoreError::Internal(m))) if m.contains("op:not_claimable") => {
                let current = self.task(practice_id, id).await?;
                Err(TaskError::Invalid(TaskTransitionError {
                    from: current.status,
                    action: TaskAction::Claim,
                }))
            }
            other => other,
        }
    }

    /// Saves edits made from `expected_version`; a stale save is refused
    /// with the current task (the caller keeps the user's text).
    pub async fn edit_task(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
        edit: &TaskEdit,
        by: &str,
    ) -> Result<TaskView, TaskError> {
        check_text(&edit.title, &edit.details)?;
        let body = "
            IF $row.version != $version { THROW 'op:stale' };
            UPDATE $t SET title = $title, details = $details, priority = $priority, due_at = $due,
                version += 1, updated_at = time::now(), updated_by = $by RETURN NONE;";
        self.run_task_change(
            practice_id,
            id,
            body,
            vec![
                ("by", RecordId::new("staff", by).into_value()),
                ("version", expected_version.into_value()),
                ("title", edit.title.trim().to_string().into_value()),
                ("details", edit.details.clone().into_value()),
                ("priority", edit.priority.as_str().to_string().into_value()),
                ("due", edit.due_at.map(Datetime::from).into_value()),
                ("what", "Edited".to_string().into_value()),
            ],
        )
        .await
    }

    /// Moves a task through its status rules (claiming goes through
    /// `claim_task`).
    pub async fn task_action(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
        action: TaskAction,
        by: &str,
    ) -> Result<TaskView, TaskError> {
        if action == TaskAction::Claim {
            return self.claim_task(practice_id, id, by).await;
        }
        let current = self.task_at(practice_id, id, expected_version).await?;
        let next = current.status.apply(action)?;
        let body = "
            IF $row.version != $version { THROW 'op:stale' };
            UPDATE $t SET status = $to, version += 1, updated_at = time::now(), updated_by = $by RETURN NONE;";
        self.run_task_change(
            practice_id,
            id,
            body,
            vec![
                ("by", RecordId::new("staff", by).into_value()),
                ("version", expected_version.into_value()),
                ("to", next.as_str().to_string().into_value()),
                (
                    "what",
                    format!("{} → {}", current.status.label(), next.label()).into_value(),
                ),
            ],
        )
        .await
    }

    /// Adds a comment; returns the task (its version is unchanged).
    pub async fn comment_on_task(
        &self,
        practice_id: &str,
        id: &str,
        body: &str,
        by: &str,
    ) -> Result<TaskView, TaskError> {
        let text = body.trim();
        if text.is_empty() || text.chars().count() > 5_000 {
            return Err(TaskError::Field(
                "comment",
                "Write a comment of up to 5,000 characters.".into(),
            ));
        }
        let script = "
            CREATE task_comment CONTENT { task: $t, author: $by, body: $text } RETURN NONE;";
        self.run_task_change(
            practice_id,
            id,
            script,
            vec![
                ("by", RecordId::new("staff", by).into_value()),
                ("text", text.to_string().into_value()),
                ("what", "Commented".to_string().into_value()),
            ],
        )
        .await
    }

    /// Gives an open task to a person (it stays in its team's list, as
    /// theirs) or to a team's pool (unclaimed, requested again). Both the
    /// lists it left and the ones it joined are told.
    pub async fn reassign_task(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
        to: &Assignee,
        by: &str,
    ) -> Result<TaskView, TaskError> {
        let current = self.task_at(practice_id, id, expected_version).await?;
        if !current.status.is_open() {
            return Err(TaskError::Field(
                "assignee",
                format!(
                    "The task is {}; reopen it before reassigning it.",
                    current.status.label().to_lowercase()
                ),
            ));
        }
        let (to_staff, to_team, name) = match to {
            Assignee::Staff(s) => {
                let name = self
                    .practice_staff(practice_id)
                    .await?
                    .into_iter()
                    .find(|m| &m.id == s)
                    .map(|m| m.name)
                    .ok_or_else(|| {
                        TaskError::Field("assignee", "That person is not in this practice.".into())
                    })?;
                (Some(s.clone()), None, name)
            }
            Assignee::Team(t) => {
                let name = self
                    .teams(practice_id)
                    .await?
                    .into_iter()
                    .find(|(tid, _)| tid == t)
                    .map(|(_, n)| n)
                    .ok_or_else(|| {
                        TaskError::Field("assignee", "That team is not in this practice.".into())
                    })?;
                (None, Some(t.clone()), format!("the {name} team"))
            }
        };
        let body = "
            IF $row.version != $version { THROW 'op:stale' };
            IF $to_staff != NONE {
                UPDATE $t SET assigned_staff = type::record('staff', $to_staff),
                    status = IF status = 'requested' THEN 'accepted' ELSE status END,
                    version += 1, updated_at = time::now(), updated_by = $by RETURN NONE;
            } ELSE {
                UPDATE $t SET assigned_team = type::record('team', $to_team), assigned_staff = NONE,
                    status = 'requested', version += 1, updated_at = time::now(), updated_by = $by RETURN NONE;
            };";
        self.run_task_change(
            practice_id,
            id,
            body,
            vec![
                ("by", RecordId::new("staff", by).into_value()),
                ("version", expected_version.into_value()),
                ("to_staff", to_staff.into_value()),
                ("to_team", to_team.into_value()),
                ("what", format!("Reassigned to {name}").into_value()),
            ],
        )
        .await
    }

    /// The practice's active staff, by name: who a task can be given to.
    pub async fn practice_staff(&self, practice_id: &str) -> Result<Vec<Person>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, display_name AS name, role FROM staff
                 WHERE practice = type::record('practice', $practice) AND active != false ORDER BY name",
            )
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<MemberRow> = res.take(0)?;
        Ok(rows.into_iter().map(Person::from).collect())
    }

    /// The practice's teams with their members, by name.
    pub async fn teams_with_members(&self, practice_id: &str) -> Result<Vec<TeamView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, name,
                    (SELECT record::id(staff) AS id, staff.display_name AS name, staff.role AS role
                     FROM team_member WHERE team = $parent.id ORDER BY name) AS members
                 FROM team WHERE practice = type::record('practice', $practice) ORDER BY name",
            )
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<TeamRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|t| TeamView {
                id: t.id,
                name: t.name,
                members: t.members.into_iter().map(Person::from).collect(),
            })
            .collect())
    }

    /// Adds a member of the practice to one of its teams (already a member:
    /// `AlreadyExists`; another practice's team or person: `NotFound`).
    pub async fn add_team_member(
        &self,
        practice_id: &str,
        team_id: &str,
        staff_id: &str,
    ) -> Result<(), StoreError> {
        let practice = RecordId::new("practice", practice_id);
        let outcome = outbox::run_with_retry(|| {
            self.db()
                .query(
                    "BEGIN TRANSACTION;
                     LET $team = type::record('team', $team_id);
                     LET $staff = type::record('staff', $staff_id);
                     IF (SELECT VALUE practice FROM ONLY $team) != $practice
                        OR (SELECT VALUE practice FROM ONLY $staff) != $practice { THROW 'op:not_found' };
                     CREATE team_member CONTENT { team: $team, staff: $staff } RETURN NONE;
                     COMMIT TRANSACTION;",
                )
                .bind(("practice", practice.clone()))
                .bind(("team_id", team_id.to_string()))
                .bind(("staff_id", staff_id.to_string()))
        })
        .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a member from a team of the practice (not a member: `NotFound`).
    pub async fn remove_team_member(
        &self,
        practice_id: &str,
        team_id: &str,
        staff_id: &str,
    ) -> Result<(), StoreError> {
        let mut res = self
            .db()
            .query(
                "DELETE team_member WHERE team = type::record('team', $team_id)
                    AND team.practice = type::record('practice', $practice)
                    AND staff = type::record('staff', $staff_id) RETURN BEFORE",
            )
            .bind(("practice", practice_id.to_string()))
            .bind(("team_id", team_id.to_string()))
            .bind(("staff_id", staff_id.to_string()))
            .await?
            .check()?;
        let removed: Vec<surrealdb::types::Value> = res.take(0)?;
        if removed.is_empty() {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// A task's history, oldest first: (who, what, when RFC 3339).
    pub async fn task_history(
        &self,
        practice_id: &str,
        id: &str,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        #[derive(SurrealValue)]
        struct Row {
            by: Option<String>,
            what: String,
            at: Datetime,
        }
        let mut res = self
            .db()
            .query(
                "SELECT by.display_name AS by, what, at FROM task_change
                 WHERE task = type::record('task', $id) AND practice = type::record('practice', $practice)
                 ORDER BY at",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<Row> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.by.unwrap_or_default(), r.what, rfc3339(r.at)))
            .collect())
    }
}
