//! Reading tasks: one, a team's or a person's open list, by id, and a
//! task's comments and history.

use super::{TaskError, TaskRow, FIELDS};
use crate::{rfc3339, PracticeStore, StoreError};
use domain::task::TaskView;
use surrealdb::types::{Datetime, RecordId, SurrealValue};

impl PracticeStore {
    pub async fn task(&self, id: &str) -> Result<TaskView, TaskError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM type::record('task', $id) WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("id", id.to_string()))
            .bind(("practice", self.pid()))
            .await
            .map_err(StoreError::from)?
            .check()
            .map_err(StoreError::from)?;
        let rows: Vec<TaskRow> = res.take(0).map_err(StoreError::from)?;
        let task: TaskView = rows
            .into_iter()
            .next()
            .ok_or(TaskError::NotFound)?
            .try_into()
            .map_err(TaskError::Store)?;
        let mut counted = self.with_comment_counts(vec![task]).await?;
        counted.pop().ok_or(TaskError::NotFound)
    }

    /// The task, if it is still at `expected_version`; otherwise `Stale`
    /// with the current task (a change is checked again in its transaction).
    pub async fn task_at(&self, id: &str, expected_version: i64) -> Result<TaskView, TaskError> {
        let current = self.task(id).await?;
        if current.version != expected_version {
            return Err(TaskError::Stale {
                current: Box::new(current),
            });
        }
        Ok(current)
    }

    /// A team's open tasks, most urgent and soonest due first.
    pub async fn team_tasks(&self, team_id: &str) -> Result<Vec<TaskView>, StoreError> {
        self.open_tasks("assigned_team", "team", team_id).await
    }

    /// A practice's open tasks whose `field` is the `table` record `id`,
    /// in list order. `field` and `table` are fixed by the callers above.
    async fn open_tasks(
        &self,
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
            .bind(("practice", self.pid()))
            .bind(("table", table))
            .bind(("id", id.to_string()))
            .await?
            .check()?;
        let rows: Vec<TaskRow> = res.take(0)?;
        let tasks: Vec<TaskView> = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?;
        let mut tasks = self.with_comment_counts(tasks).await?;
        tasks.sort_by(TaskView::list_order);
        Ok(tasks)
    }

    /// The given tasks of a practice (others are left out).
    pub async fn tasks_by_id(&self, ids: &[String]) -> Result<Vec<TaskView>, StoreError> {
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
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<TaskRow> = res.take(0)?;
        let tasks = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<Vec<TaskView>, _>>()?;
        self.with_comment_counts(tasks).await
    }

    /// A person's open tasks, most urgent and soonest due first.
    pub async fn my_tasks(&self, staff_id: &str) -> Result<Vec<TaskView>, StoreError> {
        self.open_tasks("assigned_staff", "staff", staff_id).await
    }

    /// A task's comments, oldest first: (author, text, when RFC 3339).
    pub async fn task_comments(
        &self,
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
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<Row> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.author.unwrap_or_default(), r.body, rfc3339(r.created_at)))
            .collect())
    }

    /// A task's history, oldest first: (who, what, when RFC 3339).
    pub async fn task_history(
        &self,
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
                "SELECT IF by.display_name THEN by.display_name
                     ELSE IF by.name THEN string::concat(by.name, ' (API)') END AS by, what, at FROM task_change
                 WHERE task = type::record('task', $id) AND practice = type::record('practice', $practice)
                 ORDER BY at",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<Row> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.by.unwrap_or_default(), r.what, rfc3339(r.at)))
            .collect())
    }
}
