//! Changing tasks: each change one transaction with its history row and
//! its outbox events (the list a task left is told as well as the one it
//! joined). `what` is the history row's text, chosen by the caller.

use super::{Assignee, NewTask, TaskEdit, TaskError};
use crate::tx::{run_with_retry, Retry};
use crate::{new_key, By, PracticeStore, StoreError};
use domain::live::EventKind;
use domain::task::{TaskAction, TaskStatus, TaskTransitionError, TaskView};
use surrealdb::types::{Datetime, SurrealValue};

fn by(who: &By) -> surrealdb::types::Value {
    who.record().into_value()
}

fn text(s: impl Into<String>) -> surrealdb::types::Value {
    s.into().into_value()
}

impl PracticeStore {
    /// Runs a task change script (history row and outbox event appended)
    /// and maps the thrown tokens.
    async fn run_task_change(
        &self,
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
            append = crate::live::append("$date", "$staff"),
            // A task that left a team or a person: their lists are told too
            // (a claim from the pool leaves no one: one event).
            append_before = crate::live::append("$date", "$staff_before")
        );
        let practice = self.record();
        let outcome = run_with_retry(|| {
            let mut q = self
                .db()
                .query(script.as_str())
                .bind(("record", id.to_string()))
                .bind(("practice", practice.clone()))
                .bind(("kind", EventKind::Task.as_str()));
            for (k, v) in &binds {
                q = q.bind((*k, v.clone()));
            }
            q
        })
        .await;
        match outcome {
            Ok(()) => self.task(id).await,
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(TaskError::NotFound),
            Err(Retry::Thrown(t)) if t == "op:stale" => Err(TaskError::Stale {
                current: Box::new(self.task(id).await?),
            }),
            Err(Retry::Thrown(t)) if t == "op:claimed" => {
                let current = self.task(id).await?;
                Err(TaskError::ClaimedBy {
                    current: Box::new(current),
                })
            }
            Err(e) => Err(TaskError::Store(e.into())),
        }
    }

    /// Creates a task; `what` is its first history row ("Created").
    pub async fn create_task(&self, new: &NewTask, what: &str) -> Result<TaskView, TaskError> {
        let id = new_key();
        let script = format!(
            "BEGIN TRANSACTION; {} COMMIT TRANSACTION;",
            create_task_statements()
        );
        let practice = self.record();
        let outcome = run_with_retry(|| {
            bind_new_task(
                self.db().query(script.as_str()),
                &id,
                practice.clone(),
                new,
                what,
            )
        })
        .await;
        match outcome {
            Ok(()) => self.task(&id).await,
            Err(Retry::Thrown(t)) if t == "op:no_patient" => Err(TaskError::NoSuchPatient),
            Err(Retry::Thrown(t)) if t == "op:no_team" => Err(TaskError::NoSuchTeam),
            Err(Retry::Thrown(t)) if t == "op:no_staff" => Err(TaskError::NoSuchStaff),
            Err(e) => Err(TaskError::Store(e.into())),
        }
    }

    /// Takes a task from its team pool. Of simultaneous claims exactly one
    /// wins; the others get `ClaimedBy` with the task as the winner left it.
    pub async fn claim_task(
        &self,
        id: &str,
        staff: &str,
        what: &str,
    ) -> Result<TaskView, TaskError> {
        let body = "
            IF $row.assigned_staff != NONE { THROW 'op:claimed' };
            IF $row.status != 'requested' { THROW 'op:not_claimable' };
            UPDATE $t SET assigned_staff = $by, status = 'accepted', version += 1,
                updated_at = time::now(), updated_by = $by RETURN NONE;";
        let r = self
            .run_task_change(
                id,
                body,
                vec![("by", by(&By::from(staff))), ("what", text(what))],
            )
            .await;
        match r {
            Err(TaskError::Store(StoreError::Internal(m))) if m.contains("op:not_claimable") => {
                let current = self.task(id).await?;
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
        id: &str,
        expected_version: i64,
        edit: &TaskEdit,
        who: &By,
        what: &str,
    ) -> Result<TaskView, TaskError> {
        let body = "
            IF $row.version != $version { THROW 'op:stale' };
            UPDATE $t SET title = $title, details = $details, priority = $priority, due_at = $due,
                version += 1, updated_at = time::now(), updated_by = $by RETURN NONE;";
        self.run_task_change(
            id,
            body,
            vec![
                ("by", by(who)),
                ("version", expected_version.into_value()),
                ("title", text(edit.title.trim())),
                ("details", text(edit.details.clone())),
                ("priority", text(edit.priority.as_str())),
                ("due", edit.due_at.map(Datetime::from).into_value()),
                ("what", text(what)),
            ],
        )
        .await
    }

    /// Moves a task read at `expected_version` to status `to` (the caller
    /// has applied the status rules to the task as it read it).
    pub async fn set_task_status(
        &self,
        id: &str,
        expected_version: i64,
        to: TaskStatus,
        who: &By,
        what: &str,
    ) -> Result<TaskView, TaskError> {
        let body = "
            IF $row.version != $version { THROW 'op:stale' };
            UPDATE $t SET status = $to, version += 1, updated_at = time::now(), updated_by = $by RETURN NONE;";
        self.run_task_change(
            id,
            body,
            vec![
                ("by", by(who)),
                ("version", expected_version.into_value()),
                ("to", text(to.as_str())),
                ("what", text(what)),
            ],
        )
        .await
    }

    /// Adds a comment (already checked); returns the task (its version is
    /// unchanged).
    pub async fn comment_on_task(
        &self,
        id: &str,
        comment: &str,
        who: &By,
        what: &str,
    ) -> Result<TaskView, TaskError> {
        let script = "
            CREATE task_comment CONTENT { task: $t, author: $by, body: $text } RETURN NONE;";
        self.run_task_change(
            id,
            script,
            vec![
                ("by", by(who)),
                ("text", text(comment)),
                ("what", text(what)),
            ],
        )
        .await
    }

    /// Gives a task read at `expected_version` to a person (it stays in its
    /// team's list, as theirs) or to a team's pool (unclaimed, requested
    /// again). Both the lists it left and the ones it joined are told.
    pub async fn reassign_task(
        &self,
        id: &str,
        expected_version: i64,
        to: &Assignee,
        who: &By,
        what: &str,
    ) -> Result<TaskView, TaskError> {
        let (to_staff, to_team) = match to {
            Assignee::Staff(s) => (Some(s.as_str().to_string()), None),
            Assignee::Team(t) => (None, Some(t.as_str().to_string())),
        };
        let body = "
            IF $row.version != $version { THROW 'op:stale' };
            IF $to_staff != NONE AND (SELECT VALUE practice FROM ONLY type::record('staff', $to_staff)) != $practice { THROW 'op:no_staff' };
            IF $to_team != NONE AND (SELECT VALUE practice FROM ONLY type::record('team', $to_team)) != $practice { THROW 'op:no_team' };
            IF $to_staff != NONE {
                UPDATE $t SET assigned_staff = type::record('staff', $to_staff),
                    status = IF status = 'requested' THEN 'accepted' ELSE status END,
                    version += 1, updated_at = time::now(), updated_by = $by RETURN NONE;
            } ELSE {
                UPDATE $t SET assigned_team = type::record('team', $to_team), assigned_staff = NONE,
                    status = 'requested', version += 1, updated_at = time::now(), updated_by = $by RETURN NONE;
            };";
        let r = self
            .run_task_change(
                id,
                body,
                vec![
                    ("by", by(who)),
                    ("version", expected_version.into_value()),
                    ("to_staff", to_staff.into_value()),
                    ("to_team", to_team.into_value()),
                    ("what", text(what)),
                ],
            )
            .await;
        match r {
            Err(TaskError::Store(StoreError::Internal(m))) if m.contains("op:no_staff") => {
                Err(TaskError::NoSuchStaff)
            }
            Err(TaskError::Store(StoreError::Internal(m))) if m.contains("op:no_team") => {
                Err(TaskError::NoSuchTeam)
            }
            other => other,
        }
    }
}

/// The statements that create a task (its history row and outbox event
/// included), for a transaction of its own or another change's (filing a
/// result creates its task in the filing's transaction). Expects the
/// binds `bind_new_task` gives; throws `op:no_patient`, `op:no_team`,
/// `op:no_staff`.
pub(crate) fn create_task_statements() -> String {
    format!(
        "LET $t = type::record('task', $record);
         IF $patient != NONE AND (SELECT VALUE practice FROM ONLY type::record('patient', $patient)) != $practice {{ THROW 'op:no_patient' }};
         IF $team != NONE AND (SELECT VALUE practice FROM ONLY type::record('team', $team)) != $practice {{ THROW 'op:no_team' }};
         IF $assignee != NONE AND (SELECT VALUE practice FROM ONLY type::record('staff', $assignee)) != $practice {{ THROW 'op:no_staff' }};
         CREATE $t CONTENT {{
             practice: $practice, title: $title, details: $details,
             patient: IF $patient THEN type::record('patient', $patient) END,
             priority: $priority, due_at: $due, status: $status,
             assigned_staff: IF $assignee THEN type::record('staff', $assignee) END,
             assigned_team: IF $team THEN type::record('team', $team) END,
             created_by: $by, updated_by: $by
         }} RETURN NONE;
         CREATE task_change CONTENT {{ practice: $practice, task: $t, by: $by, what: $what }} RETURN NONE;
         LET $date = NONE;
         LET $staff = $assignee;
         LET $new_version = 1;
         {append}
         UPDATE event SET team = $team WHERE practice = $practice AND seq = $seq RETURN NONE;",
        append = crate::live::append("$date", "$staff")
    )
}

/// The binds `create_task_statements` expects, for task `id`.
pub(crate) fn bind_new_task<'q>(
    q: surrealdb::method::Query<'q, surrealdb::engine::any::Any>,
    id: &str,
    practice: surrealdb::types::RecordId,
    new: &NewTask,
    what: &str,
) -> surrealdb::method::Query<'q, surrealdb::engine::any::Any> {
    let (staff, team, status) = match &new.assignee {
        Assignee::Staff(s) => (Some(s.as_str().to_string()), None, TaskStatus::Accepted),
        Assignee::Team(t) => (None, Some(t.as_str().to_string()), TaskStatus::Requested),
    };
    q.bind(("record", id.to_string()))
        .bind(("practice", practice))
        .bind(("kind", EventKind::Task.as_str()))
        .bind(("title", new.title.trim().to_string()))
        .bind(("details", new.details.clone()))
        .bind((
            "patient",
            new.patient_id.as_ref().map(|p| p.as_str().to_string()),
        ))
        .bind(("priority", new.priority.as_str().to_string()))
        .bind(("due", new.due_at))
        .bind(("status", status.as_str().to_string()))
        .bind(("assignee", staff))
        .bind(("team", team))
        .bind(("by", new.created_by.record()))
        .bind(("what", what.to_string()))
}
