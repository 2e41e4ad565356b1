use super::*;
use serde::{Deserialize, Serialize};

/// A task as lists and the task page show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: String,
    pub version: i64,
    pub title: String,
    pub details: String,
    pub patient_id: Option<String>,
    /// "Mrs Jane SMITH", when a patient is linked.
    pub patient_name: Option<String>,
    pub patient_nhs_number: Option<String>,
    pub priority: Priority,
    /// RFC 3339, UTC.
    pub due_at: Option<String>,
    pub status: TaskStatus,
    pub assigned_staff_id: Option<String>,
    pub assigned_staff_name: Option<String>,
    pub assigned_team_id: Option<String>,
    pub assigned_team_name: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: Option<String>,
    /// Comments so far (a comment does not change `version`).
    #[serde(default)]
    pub comment_count: i64,
}

/// A member of staff as task forms and team pages list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    /// reception, gp, nurse or admin.
    pub role: String,
}

/// A team and its members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub members: Vec<Person>,
}

/// The team-list filters and sort a person chooses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub unassigned_only: bool,
    pub mine_only: bool,
    /// `Some(Due::Overdue)` or `Some(Due::Today)`: only those.
    pub due: Option<Due>,
    pub priority: Option<Priority>,
    /// By due time (soonest first, undated last) instead of priority.
    pub by_due: bool,
}

impl ListFilter {
    /// The open tasks that pass, in the chosen order.
    pub fn apply(
        &self,
        tasks: &[TaskView],
        me: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<TaskView> {
        let mut out: Vec<TaskView> = tasks
            .iter()
            .filter(|t| t.status.is_open())
            .filter(|t| !self.unassigned_only || t.assigned_staff_id.is_none())
            .filter(|t| !self.mine_only || t.assigned_staff_id.as_deref() == Some(me))
            .filter(|t| self.due.is_none_or(|d| t.due(now) == d))
            .filter(|t| self.priority.is_none_or(|p| t.priority == p))
            .cloned()
            .collect();
        if self.by_due {
            out.sort_by(|a, b| {
                let key = |t: &TaskView| (t.due_instant().is_none(), t.due_instant());
                key(a).cmp(&key(b)).then(b.priority.cmp(&a.priority))
            });
        } else {
            out.sort_by(TaskView::list_order);
        }
        out
    }
}

/// Where a task stands against its due time, in the practice's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// No due time, or closed.
    Unset,
    Later,
    /// Due later today (London date).
    Today,
    /// Open and past its due time.
    Overdue,
}

impl TaskView {
    /// The due time as an instant, if set (and well formed).
    pub fn due_instant(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let at = self.due_at.as_deref()?;
        chrono::DateTime::parse_from_rfc3339(at)
            .ok()
            .map(|d| d.with_timezone(&chrono::Utc))
    }

    /// Overdue, due today or later, judged at `now` in Europe/London.
    pub fn due(&self, now: chrono::DateTime<chrono::Utc>) -> Due {
        let Some(due) = self.due_instant() else {
            return Due::Unset;
        };
        if !self.status.is_open() {
            Due::Unset
        } else if due <= now {
            Due::Overdue
        } else if crate::time::london_today(due) == crate::time::london_today(now) {
            Due::Today
        } else {
            Due::Later
        }
    }

    /// "Due 14:00 today", "Due Sat 21 Nov 09:00", London time.
    pub fn due_text(&self, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
        let due = self.due_instant()?;
        let local = crate::time::london_local(due);
        Some(
            if crate::time::london_today(due) == crate::time::london_today(now) {
                format!("Due {} today", local.format("%H:%M"))
            } else {
                format!("Due {}", local.format("%a %-d %b %Y %H:%M"))
            },
        )
    }

    /// The order of every task list: most urgent first, then by due time
    /// (among equal priority, tasks without a due time come first).
    pub fn list_order(a: &TaskView, b: &TaskView) -> std::cmp::Ordering {
        b.priority.cmp(&a.priority).then(a.due_at.cmp(&b.due_at))
    }
}
