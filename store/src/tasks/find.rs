//! Finding tasks for other systems (the FHIR API): by owner, status,
//! patient and when last changed, counted and paged in a stable order.

use super::{Assignee, TaskRow, FIELDS};
use crate::{PracticeStore, StoreError};
use chrono::{DateTime, Utc};
use domain::task::TaskView;
use surrealdb::types::{Datetime, SurrealValue};

/// What to find; every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct TaskFilter {
    pub id: Option<String>,
    /// A person (the task is theirs) or a team (in its unclaimed pool).
    pub owner: Option<Assignee>,
    /// Stored status names; any of them.
    pub statuses: Option<Vec<String>>,
    pub patient: Option<String>,
    /// Last changed at or after / before.
    pub updated_from: Option<DateTime<Utc>>,
    pub updated_before: Option<DateTime<Utc>>,
}

#[derive(SurrealValue)]
struct Count {
    n: i64,
}

impl PracticeStore {
    /// The tasks matching `filter`: how many in all, and `count` of them
    /// from `offset`, oldest first (created, then id).
    pub async fn find_tasks(
        &self,
        filter: &TaskFilter,
        offset: usize,
        count: usize,
    ) -> Result<(usize, Vec<TaskView>), StoreError> {
        let (staff, team) = match &filter.owner {
            Some(Assignee::Staff(s)) => (Some(s.as_str().to_string()), None),
            Some(Assignee::Team(t)) => (None, Some(t.as_str().to_string())),
            None => (None, None),
        };
        let conditions = [
            (filter.id.is_some(), "id = type::record('task', $id)"),
            (
                filter.patient.is_some(),
                "patient = type::record('patient', $patient)",
            ),
            (
                staff.is_some(),
                "assigned_staff = type::record('staff', $staff)",
            ),
            (
                team.is_some(),
                "assigned_team = type::record('team', $team) AND assigned_staff = NONE",
            ),
            (filter.statuses.is_some(), "status IN $statuses"),
            (filter.updated_from.is_some(), "updated_at >= $from"),
            (filter.updated_before.is_some(), "updated_at < $before"),
        ];
        let wheres = crate::within_practice(&conditions);
        let mut res = self
            .db()
            .query(format!(
                "SELECT count() AS n FROM task WHERE {wheres} GROUP ALL;
                 SELECT {FIELDS} FROM task WHERE {wheres} ORDER BY created_at, id START $offset LIMIT $count;"
            ))
            .bind(("practice", self.pid()))
            .bind(("id", filter.id.clone()))
            .bind(("patient", filter.patient.clone()))
            .bind(("staff", staff))
            .bind(("team", team))
            .bind(("statuses", filter.statuses.clone()))
            .bind(("from", filter.updated_from.map(Datetime::from)))
            .bind(("before", filter.updated_before.map(Datetime::from)))
            .bind(("offset", offset as i64))
            .bind(("count", count as i64))
            .await?
            .check()?;
        let total: Option<Count> = res.take(0)?;
        let rows: Vec<TaskRow> = res.take(1)?;
        let page = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<Vec<TaskView>, _>>()?;
        let page = self.with_comment_counts(page).await?;
        Ok((total.map(|c| c.n.max(0) as usize).unwrap_or(0), page))
    }
}
