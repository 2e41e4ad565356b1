use super::*;
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

/// Who a task is given to, as the pickers send it: "team:ID" or "staff:ID".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TaskAssignee {
    Team(crate::TeamId),
    Staff(crate::StaffId),
}

impl TaskAssignee {
    pub fn parse(value: &str) -> Option<TaskAssignee> {
        match value.split_once(':') {
            Some(("team", id)) if !id.is_empty() => Some(TaskAssignee::Team(id.into())),
            Some(("staff", id)) if !id.is_empty() => Some(TaskAssignee::Staff(id.into())),
            _ => None,
        }
    }
}

impl TryFrom<String> for TaskAssignee {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        TaskAssignee::parse(&s).ok_or_else(|| "Choose a team or a person.".to_string())
    }
}

impl From<TaskAssignee> for String {
    fn from(a: TaskAssignee) -> String {
        match a {
            TaskAssignee::Team(t) => format!("team:{t}"),
            TaskAssignee::Staff(s) => format!("staff:{s}"),
        }
    }
}
