//! Team tasks: priority and status (a subset of FHIR R4 `Task.status`, with
//! the moves a practice's admin team makes), and who may be assigned.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Routine,
    Urgent,
    Asap,
    Stat,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Routine,
        Priority::Urgent,
        Priority::Asap,
        Priority::Stat,
    ];

    /// The stored spelling, which is also FHIR R4 `Task.priority`.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Routine => "routine",
            Priority::Urgent => "urgent",
            Priority::Asap => "asap",
            Priority::Stat => "stat",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::Routine => "Routine",
            Priority::Urgent => "Urgent",
            Priority::Asap => "ASAP",
            Priority::Stat => "Immediately (stat)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    Requested,
    Accepted,
    InProgress,
    OnHold,
    Completed,
    Cancelled,
}

/// What someone does to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    /// Take it from the team pool (or accept one assigned to you).
    Claim,
    Start,
    PutOnHold,
    Resume,
    Complete,
    Cancel,
    Reopen,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Cannot {}: the task is {}.", .action.verb(), .from.label().to_lowercase())]
pub struct TaskTransitionError {
    pub from: TaskStatus,
    pub action: TaskAction,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 6] = [
        TaskStatus::Requested,
        TaskStatus::Accepted,
        TaskStatus::InProgress,
        TaskStatus::OnHold,
        TaskStatus::Completed,
        TaskStatus::Cancelled,
    ];

    /// The stored spelling, which is also FHIR R4 `Task.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Requested => "requested",
            TaskStatus::Accepted => "accepted",
            TaskStatus::InProgress => "in-progress",
            TaskStatus::OnHold => "on-hold",
            TaskStatus::Completed => "completed",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Requested => "Requested",
            TaskStatus::Accepted => "Accepted",
            TaskStatus::InProgress => "In progress",
            TaskStatus::OnHold => "On hold",
            TaskStatus::Completed => "Completed",
            TaskStatus::Cancelled => "Cancelled",
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, TaskStatus::Completed | TaskStatus::Cancelled)
    }

    /// The status after `action`, or why it cannot happen.
    pub fn apply(self, action: TaskAction) -> Result<TaskStatus, TaskTransitionError> {
        use TaskAction as A;
        use TaskStatus as S;
        Ok(match (self, action) {
            (S::Requested, A::Claim) => S::Accepted,
            (S::Requested | S::Accepted, A::Start) => S::InProgress,
            (S::Accepted | S::InProgress, A::PutOnHold) => S::OnHold,
            (S::OnHold, A::Resume) => S::InProgress,
            (S::Requested | S::Accepted | S::InProgress | S::OnHold, A::Complete) => S::Completed,
            (S::Requested | S::Accepted | S::InProgress | S::OnHold, A::Cancel) => S::Cancelled,
            (S::Completed | S::Cancelled, A::Reopen) => S::Requested,
            (from, action) => return Err(TaskTransitionError { from, action }),
        })
    }
}

impl TaskAction {
    pub const ALL: [TaskAction; 7] = [
        TaskAction::Claim,
        TaskAction::Start,
        TaskAction::PutOnHold,
        TaskAction::Resume,
        TaskAction::Complete,
        TaskAction::Cancel,
        TaskAction::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskAction::Claim => "claim",
            TaskAction::Start => "start",
            TaskAction::PutOnHold => "put_on_hold",
            TaskAction::Resume => "resume",
            TaskAction::Complete => "complete",
            TaskAction::Cancel => "cancel",
            TaskAction::Reopen => "reopen",
        }
    }

    pub fn parse(s: &str) -> Option<TaskAction> {
        TaskAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    fn verb(self) -> &'static str {
        match self {
            TaskAction::Claim => "claim it",
            TaskAction::Start => "start it",
            TaskAction::PutOnHold => "put it on hold",
            TaskAction::Resume => "resume it",
            TaskAction::Complete => "complete it",
            TaskAction::Cancel => "cancel it",
            TaskAction::Reopen => "reopen it",
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_pool_task_is_claimed_worked_and_completed() {
        let mut s = TaskStatus::Requested;
        for a in [
            TaskAction::Claim,
            TaskAction::Start,
            TaskAction::PutOnHold,
            TaskAction::Resume,
            TaskAction::Complete,
        ] {
            s = s.apply(a).unwrap();
        }
        assert_eq!(s, TaskStatus::Completed);
        assert!(!s.is_open());
        assert_eq!(s.apply(TaskAction::Reopen), Ok(TaskStatus::Requested));
    }

    #[test]
    fn refusals_say_why() {
        let e = TaskStatus::Accepted.apply(TaskAction::Claim).unwrap_err();
        assert_eq!(e.to_string(), "Cannot claim it: the task is accepted.");
        assert!(TaskStatus::Completed.apply(TaskAction::Complete).is_err());
        assert!(TaskStatus::Requested.apply(TaskAction::Resume).is_err());
    }

    #[test]
    fn names_round_trip_and_are_fhir_codes() {
        let fhir = [
            "draft",
            "requested",
            "received",
            "accepted",
            "rejected",
            "ready",
            "cancelled",
            "in-progress",
            "on-hold",
            "failed",
            "completed",
            "entered-in-error",
        ];
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
            assert!(fhir.contains(&s.as_str()));
        }
        for a in TaskAction::ALL {
            assert_eq!(TaskAction::parse(a.as_str()), Some(a));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
        assert!(Priority::Stat > Priority::Routine);
    }

    fn task_due(due: Option<&str>, status: TaskStatus) -> TaskView {
        TaskView {
            id: "t".into(),
            version: 1,
            title: "Letter".into(),
            details: String::new(),
            patient_id: None,
            patient_name: None,
            patient_nhs_number: None,
            priority: Priority::Routine,
            due_at: due.map(str::to_string),
            status,
            assigned_staff_id: None,
            assigned_staff_name: None,
            assigned_team_id: Some("team".into()),
            assigned_team_name: Some("Admin".into()),
            created_by: "Dee Patel".into(),
            created_at: "2026-11-20T09:00:00Z".into(),
            updated_at: "2026-11-20T09:00:00Z".into(),
            updated_by: None,
            comment_count: 0,
        }
    }

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    #[test]
    fn overdue_and_due_today_follow_the_london_clock() {
        // 23:30 UTC on 1 July is 00:30 on 2 July in London.
        let t = task_due(Some("2026-07-01T23:30:00Z"), TaskStatus::Requested);
        assert_eq!(
            t.due(at("2026-07-01T22:00:00Z")),
            Due::Later,
            "still 1 July in London"
        );
        assert_eq!(
            t.due(at("2026-07-01T23:10:00Z")),
            Due::Today,
            "now 2 July in London"
        );
        assert_eq!(t.due(at("2026-07-01T23:30:00Z")), Due::Overdue);
        assert_eq!(
            t.due_text(at("2026-07-01T23:10:00Z")).as_deref(),
            Some("Due 00:30 today")
        );
        // In winter London is on UTC.
        let w = task_due(Some("2026-12-01T23:30:00Z"), TaskStatus::InProgress);
        assert_eq!(w.due(at("2026-12-01T22:00:00Z")), Due::Today);
        assert_eq!(w.due(at("2026-12-02T00:00:00Z")), Due::Overdue);
        // The night the clocks go back: due 01:30 BST (00:30 UTC) is overdue at 01:10 GMT.
        let autumn = task_due(Some("2026-10-25T00:30:00Z"), TaskStatus::Requested);
        assert_eq!(autumn.due(at("2026-10-25T01:10:00Z")), Due::Overdue);
        // Closed or undated tasks are never overdue.
        assert_eq!(
            task_due(Some("2020-01-01T00:00:00Z"), TaskStatus::Completed)
                .due(at("2026-01-01T00:00:00Z")),
            Due::Unset
        );
        assert_eq!(
            task_due(None, TaskStatus::Requested).due(at("2026-01-01T00:00:00Z")),
            Due::Unset
        );
    }

    #[test]
    fn team_list_filters_and_sorts() {
        let now = at("2026-11-21T12:00:00Z");
        let mut a = task_due(Some("2026-11-21T09:00:00Z"), TaskStatus::Requested); // overdue
        a.id = "a".into();
        let mut b = task_due(Some("2026-11-21T16:00:00Z"), TaskStatus::Accepted); // today, mine
        b.id = "b".into();
        b.assigned_staff_id = Some("me".into());
        b.priority = Priority::Urgent;
        let mut c = task_due(None, TaskStatus::Requested);
        c.id = "c".into();
        c.priority = Priority::Stat;
        let mut d = task_due(Some("2026-11-20T09:00:00Z"), TaskStatus::Completed);
        d.id = "d".into();
        let all = vec![a, b, c, d];
        let ids = |f: ListFilter| -> Vec<String> {
            f.apply(&all, "me", now).into_iter().map(|t| t.id).collect()
        };
        assert_eq!(
            ids(ListFilter::default()),
            ["c", "b", "a"],
            "open only, most urgent first"
        );
        assert_eq!(
            ids(ListFilter {
                by_due: true,
                ..Default::default()
            }),
            ["a", "b", "c"]
        );
        assert_eq!(
            ids(ListFilter {
                unassigned_only: true,
                ..Default::default()
            }),
            ["c", "a"]
        );
        assert_eq!(
            ids(ListFilter {
                mine_only: true,
                ..Default::default()
            }),
            ["b"]
        );
        assert_eq!(
            ids(ListFilter {
                due: Some(Due::Overdue),
                ..Default::default()
            }),
            ["a"]
        );
        assert_eq!(
            ids(ListFilter {
                due: Some(Due::Today),
                ..Default::default()
            }),
            ["b"]
        );
        assert_eq!(
            ids(ListFilter {
                priority: Some(Priority::Stat),
                ..Default::default()
            }),
            ["c"]
        );
    }

    proptest! {
        /// Whatever anyone does, a closed task only ever reopens, and an
        /// open task can always be completed or cancelled.
        #[test]
        fn any_sequence_keeps_the_rules(actions in proptest::collection::vec(0usize..7, 0..40)) {
            let mut s = TaskStatus::Requested;
            for i in actions {
                let a = TaskAction::ALL[i];
                match s.apply(a) {
                    Ok(next) => {
                        if !s.is_open() {
                            prop_assert_eq!(a, TaskAction::Reopen);
                        }
                        s = next;
                    }
                    Err(e) => prop_assert_eq!(e.from, s),
                }
                if s.is_open() {
                    prop_assert!(s.apply(TaskAction::Complete).is_ok());
                    prop_assert!(s.apply(TaskAction::Cancel).is_ok());
                }
            }
        }
    }
}

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
