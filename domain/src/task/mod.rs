//! Team tasks: priority and status (a subset of FHIR R4 `Task.status`, with
//! the moves a practice's admin team makes), and who may be assigned.

mod forms;
#[cfg(test)]
mod tests;
mod view;

pub use forms::*;
pub use view::*;

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
