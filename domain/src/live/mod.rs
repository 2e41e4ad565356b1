//! The live wire: every message that crosses `/ws`, in one module shared by
//! the server and the browser (WASM), so the two cannot disagree. JSON text
//! frames, tagged by `type`.
//!
//! Protocol: a tab opens one socket and subscribes to each topic it shows,
//! giving the last `seq` it has if it is reconnecting. The server answers
//! with a `Snapshot` (everything in the topic, stamped with the practice's
//! event `seq` it reflects) or, when it can, `Changes` with just what
//! changed since. After that it pushes `Changes` as they happen. Rows carry
//! a `version`: a client keeps the higher version of a row, so a duplicate
//! or late delivery is harmless.
//!
//! A new live feature adds: an `EventKind` (what its outbox rows are), a
//! `Topic` (what a client watches), a `Rows` arm (what it receives, and how
//! rows merge), and its loader in `services::live`. The hub, the socket
//! and the browser client are generic over these.

mod limits;
mod messages;
mod patient;
mod results;
mod rows;

pub use limits::*;
pub use messages::{ClientMessage, Place, PresentPerson, ServerMessage};
pub use patient::{changed_since, PatientChange, RecordPart};
pub use rows::{Rows, RowsKind};

use crate::appointment_status::Status;
use crate::task::TaskView;
use serde::{Deserialize, Serialize};

/// What an outbox `event` row says changed. Stored by `as_str`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An appointment was booked, moved or changed status.
    Appointment,
    /// An appointment changed status and its patient was called to a room
    /// (the call screen shows it).
    AppointmentCalled,
    /// A task was created, changed or commented on.
    Task,
    /// A call-screen link was revoked: its open screens close now.
    DisplayLinkRevoked,
    /// A member of staff's sessions were ended (deactivated, password
    /// reset, signed out everywhere): their open tabs close now.
    StaffSignedOut,
    /// The practice's settings changed (wait thresholds, chime…): open
    /// screens apply them now.
    Settings,
    /// A laboratory report arrived, was matched, reassigned or filed.
    Result,
    /// A part of a patient's record changed (`record`: the patient; the
    /// event's `part`: which part).
    Patient,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::Appointment,
        EventKind::AppointmentCalled,
        EventKind::Task,
        EventKind::DisplayLinkRevoked,
        EventKind::StaffSignedOut,
        EventKind::Settings,
        EventKind::Result,
        EventKind::Patient,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Appointment => "appointment",
            EventKind::AppointmentCalled => "appointment_called",
            EventKind::Task => "task",
            EventKind::DisplayLinkRevoked => "display_link_revoked",
            EventKind::StaffSignedOut => "staff_signed_out",
            EventKind::Settings => "settings",
            EventKind::Result => "result",
            EventKind::Patient => "patient",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the record it names is an appointment.
    pub fn is_appointment(self) -> bool {
        matches!(self, EventKind::Appointment | EventKind::AppointmentCalled)
    }
}

/// What a client can watch.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Topic {
    /// All of the practice's appointments on a date (reception's waiting room).
    WaitingRoom { date: String },
    /// One clinician's appointments on a date ("My day").
    DayList { clinician: String, date: String },
    /// The latest calls, for the waiting-room screen.
    CallScreen,
    /// A team's task list (open tasks, and any that close while watched).
    TeamTasks { team: String },
    /// Tasks assigned to one person (only themselves may watch).
    MyTasks { staff: String },
    /// One task.
    Task { id: String },
    /// A clinician's unfiled laboratory reports (their own, or a
    /// colleague's they cover).
    Inbox { staff: String },
    /// Unfiled reports with no clinician.
    ResultsPool,
    /// Reports no patient was found for (the Unmatched list).
    Unmatched,
    /// Which parts of one patient's record change (an open patient page).
    Patient { id: String },
}

impl Topic {
    /// What kind of rows this topic carries.
    pub fn rows_kind(&self) -> RowsKind {
        match self {
            Topic::WaitingRoom { .. } | Topic::DayList { .. } => RowsKind::Appointments,
            Topic::CallScreen => RowsKind::Calls,
            Topic::TeamTasks { .. } | Topic::MyTasks { .. } | Topic::Task { .. } => RowsKind::Tasks,
            Topic::Inbox { .. } | Topic::ResultsPool => RowsKind::Results,
            Topic::Patient { .. } => RowsKind::Patient,
            Topic::Unmatched => RowsKind::Unmatched,
        }
    }

    /// Whether an event of `kind` can concern this topic.
    pub fn hears(&self, kind: EventKind) -> bool {
        match self.rows_kind() {
            RowsKind::Appointments => kind.is_appointment(),
            RowsKind::Calls => kind == EventKind::AppointmentCalled,
            RowsKind::Tasks => kind == EventKind::Task,
            RowsKind::Results | RowsKind::Unmatched => kind == EventKind::Result,
            RowsKind::Patient => kind == EventKind::Patient || kind.is_appointment(),
        }
    }

    /// Whether an appointment belongs in this topic.
    pub fn includes(&self, a: &AppointmentView) -> bool {
        match self {
            Topic::WaitingRoom { date } => &a.date == date,
            Topic::DayList { clinician, date } => &a.clinician_id == clinician && &a.date == date,
            _ => false,
        }
    }

    /// Whether a task belongs in this topic.
    pub fn includes_task(&self, t: &TaskView) -> bool {
        match self {
            Topic::TeamTasks { team } => t.assigned_team_id.as_deref() == Some(team.as_str()),
            Topic::MyTasks { staff } => t.assigned_staff_id.as_deref() == Some(staff.as_str()),
            Topic::Task { id } => &t.id == id,
            _ => false,
        }
    }

    /// Whether a task change that concerned `team` and/or `staff` (the
    /// outbox's routing, which names the list a task left as well as the
    /// one it joined) must reach this topic.
    pub fn routes_task(&self, team: Option<&str>, staff: Option<&str>) -> bool {
        match self {
            Topic::TeamTasks { team: t } => team == Some(t.as_str()),
            Topic::MyTasks { staff: s } => staff == Some(s.as_str()),
            _ => false,
        }
    }

    /// Whether this topic is about tasks.
    pub fn is_tasks(&self) -> bool {
        self.rows_kind() == RowsKind::Tasks
    }
}

/// An appointment as the day lists and the waiting room show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentView {
    pub id: String,
    pub version: i64,
    /// YYYY-MM-DD, practice (London) date.
    pub date: String,
    /// HH:MM, London time.
    pub start: String,
    pub duration_minutes: i64,
    pub clinician_id: String,
    pub clinician_name: String,
    pub room: String,
    pub patient_id: String,
    /// "Mrs Jane SMITH".
    pub patient_name: String,
    /// YYYY-MM-DD: shown beside the name so the right patient is called.
    pub patient_date_of_birth: String,
    /// face_to_face, telephone or video.
    pub kind: String,
    pub reason: Option<String>,
    pub status: Status,
    /// RFC 3339, UTC.
    pub arrived_at: Option<String>,
    pub updated_at: String,
    pub updated_by: Option<String>,
    /// The clinic session whose slot it holds.
    #[serde(default)]
    pub clinic_session_id: String,
    /// Why it was cancelled, when it was.
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

impl AppointmentView {
    pub fn kind_label(&self) -> &'static str {
        crate::book::AppointmentKind::parse(&self.kind)
            .unwrap_or(crate::book::AppointmentKind::FaceToFace)
            .label()
    }
}

/// When a patient's wait turns amber, then red, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitThresholds {
    pub amber_minutes: i64,
    pub red_minutes: i64,
}

impl Default for WaitThresholds {
    fn default() -> Self {
        Self {
            amber_minutes: 15,
            red_minutes: 30,
        }
    }
}

/// What a day list needs before it subscribes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    /// Today in the practice (Europe/London), by the server's clock: a
    /// browser's clock may be wrong.
    pub today: String,
    pub waiting: WaitThresholds,
}

/// A call-screen display link as the links page lists it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayLinkInfo {
    pub id: String,
    pub created_by: String,
    pub created_at: String,
    pub revoked: bool,
}

/// One call on the waiting-room screen. Deliberately nothing but a short
/// name and a room: the screen is in a public waiting room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallView {
    pub id: String,
    /// "J. Smith".
    pub short_name: String,
    pub room: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// "J. Smith" from a given and a family name: the most a public screen shows.
pub fn short_name(given: &str, family: &str) -> String {
    let initial = given.chars().next().map(|c| c.to_uppercase().to_string());
    let mut family_cased = String::new();
    let mut start_of_word = true;
    for c in family.chars() {
        if start_of_word {
            family_cased.extend(c.to_uppercase());
        } else {
            family_cased.extend(c.to_lowercase());
        }
        start_of_word = c == '-' || c == ' ' || c == '\'';
    }
    match initial {
        Some(i) => format!("{i}. {family_cased}"),
        None => family_cased,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_carry_an_initial_and_a_family_name_only() {
        assert_eq!(short_name("John", "SMITH"), "J. Smith");
        assert_eq!(short_name("aisha", "o'neill-jones"), "A. O'Neill-Jones");
        assert_eq!(short_name("", "Khan"), "Khan");
    }
}
