//! The appointment status state machine, as UK GP receptions use it:
//! booked → arrived → sent in → in consultation → finished (→ left the
//! building), plus did not attend, walked out and cancelled. Every change
//! goes through `Status::apply`, which refuses an impossible move with a
//! message a receptionist can act on. Each status maps to FHIR R4
//! `Appointment.status`.

use crate::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Every FHIR R4 `Appointment.status` code (ours map onto six of them).
pub const FHIR_STATUSES: [&str; 10] = [
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "checked-in",
    "waitlist",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Booked,
    Arrived,
    /// Called or sent through to the clinician.
    SentIn,
    InConsultation,
    Finished,
    /// Finished and has left the building.
    Left,
    DidNotAttend,
    /// Arrived, then left without being seen.
    WalkedOut,
    Cancelled,
}

/// What someone does to an appointment. On the wire (forms, JSON) it is
/// its `as_str` spelling ("mark_arrived", "call_in", …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Action {
    MarkArrived,
    /// Undo an arrival marked in error.
    UndoArrival,
    /// Call the patient in. `quiet`: send in without showing on the call screen.
    SendIn {
        quiet: bool,
    },
    /// The patient did not come through when called: back to waiting.
    ReturnToWaiting,
    StartConsultation,
    Finish,
    MarkLeft,
    MarkDidNotAttend,
    MarkWalkedOut,
    Cancel,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Cannot {}: the appointment is {}.", .action.verb(), .from.label().to_lowercase())]
pub struct TransitionError {
    pub from: Status,
    pub action: Action,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Booked,
        Status::Arrived,
        Status::SentIn,
        Status::InConsultation,
        Status::Finished,
        Status::Left,
        Status::DidNotAttend,
        Status::WalkedOut,
        Status::Cancelled,
    ];

    /// The status after `action`, or why it cannot happen.
    pub fn apply(self, action: Action) -> Result<Status, TransitionError> {
        use Action as A;
        use Status as S;
        let next = match (self, action) {
            (S::Booked | S::DidNotAttend | S::WalkedOut, A::MarkArrived) => S::Arrived,
            (S::Arrived, A::UndoArrival) => S::Booked,
            (S::Arrived, A::SendIn { .. }) => S::SentIn,
            (S::SentIn, A::ReturnToWaiting) => S::Arrived,
            // Telephone and video appointments start without an arrival.
            (S::Booked | S::Arrived | S::SentIn, A::StartConsultation) => S::InConsultation,
            (S::InConsultation, A::Finish) => S::Finished,
            (S::Finished, A::MarkLeft) => S::Left,
            (S::Booked, A::MarkDidNotAttend) => S::DidNotAttend,
            (S::Arrived | S::SentIn, A::MarkWalkedOut) => S::WalkedOut,
            (S::Booked | S::DidNotAttend, A::Cancel) => S::Cancelled,
            (from, action) => return Err(TransitionError { from, action }),
        };
        Ok(next)
    }

    /// Whether the patient is in the building waiting (the waiting room list).
    pub fn is_waiting(self) -> bool {
        matches!(self, Status::Arrived | Status::SentIn)
    }

    /// No further change is possible.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Left | Status::Cancelled)
    }

    /// Whether the slot is still taken (a cancelled appointment frees it).
    pub fn holds_slot(self) -> bool {
        self != Status::Cancelled
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Booked => "Booked",
            Status::Arrived => "Arrived",
            Status::SentIn => "Sent in",
            Status::InConsultation => "In consultation",
            Status::Finished => "Finished",
            Status::Left => "Left",
            Status::DidNotAttend => "Did not attend",
            Status::WalkedOut => "Walked out",
            Status::Cancelled => "Cancelled",
        }
    }

    /// FHIR R4 `Appointment.status`.
    pub fn fhir(self) -> &'static str {
        match self {
            Status::Booked => "booked",
            Status::Arrived => "arrived",
            Status::SentIn | Status::InConsultation => "checked-in",
            Status::Finished | Status::Left => "fulfilled",
            Status::DidNotAttend | Status::WalkedOut => "noshow",
            Status::Cancelled => "cancelled",
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Booked => "booked",
            Status::Arrived => "arrived",
            Status::SentIn => "sent_in",
            Status::InConsultation => "in_consultation",
            Status::Finished => "finished",
            Status::Left => "left",
            Status::DidNotAttend => "did_not_attend",
            Status::WalkedOut => "walked_out",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::MarkArrived,
        Action::UndoArrival,
        Action::SendIn { quiet: false },
        Action::SendIn { quiet: true },
        Action::ReturnToWaiting,
        Action::StartConsultation,
        Action::Finish,
        Action::MarkLeft,
        Action::MarkDidNotAttend,
        Action::MarkWalkedOut,
        Action::Cancel,
    ];

    /// The spelling used on the wire and in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::MarkArrived => "mark_arrived",
            Action::UndoArrival => "undo_arrival",
            Action::SendIn { quiet: false } => "call_in",
            Action::SendIn { quiet: true } => "send_in_quietly",
            Action::ReturnToWaiting => "return_to_waiting",
            Action::StartConsultation => "start_consultation",
            Action::Finish => "finish",
            Action::MarkLeft => "mark_left",
            Action::MarkDidNotAttend => "mark_did_not_attend",
            Action::MarkWalkedOut => "mark_walked_out",
            Action::Cancel => "cancel",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The button text.
    pub fn label(self) -> &'static str {
        match self {
            Action::MarkArrived => "Mark arrived",
            Action::UndoArrival => "Undo arrival",
            Action::SendIn { quiet: false } => "Call in",
            Action::SendIn { quiet: true } => "Send in quietly",
            Action::ReturnToWaiting => "Back to waiting",
            Action::StartConsultation => "Start consultation",
            Action::Finish => "Finish",
            Action::MarkLeft => "Mark left",
            Action::MarkDidNotAttend => "Did not attend",
            Action::MarkWalkedOut => "Walked out",
            Action::Cancel => "Cancel",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Action::MarkArrived => "mark as arrived",
            Action::UndoArrival => "undo the arrival",
            Action::SendIn { quiet: false } => "call in",
            Action::SendIn { quiet: true } => "send in",
            Action::ReturnToWaiting => "return to waiting",
            Action::StartConsultation => "start the consultation",
            Action::Finish => "finish",
            Action::MarkLeft => "mark as left",
            Action::MarkDidNotAttend => "mark as did not attend",
            Action::MarkWalkedOut => "mark as walked out",
            Action::Cancel => "cancel",
        }
    }

    /// Who may do this. Reception runs the desk (arrivals, sending in, did
    /// not attend, cancelling) for every clinician; a GP or nurse acts on
    /// their own appointments only (`own`), and only they start and finish
    /// consultations. The admin team does not work the desk.
    pub fn allowed_for(self, role: Role, own: bool) -> bool {
        match role {
            Role::Reception => !matches!(self, Action::StartConsultation | Action::Finish),
            Role::Gp | Role::Nurse => own,
            Role::Admin | Role::ServiceAdmin => false,
        }
    }

    /// Whether this action puts the patient's short name on the waiting-room
    /// call screen.
    pub fn shows_on_call_screen(self) -> bool {
        matches!(self, Action::SendIn { quiet: false })
    }
}

/// A change to the appointment book itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BookChange {
    /// Book a patient into a slot.
    Book,
    /// Move an appointment to another slot.
    Move,
    /// Cancel an appointment (with a reason).
    Cancel,
}

impl BookChange {
    pub const ALL: [BookChange; 3] = [BookChange::Book, BookChange::Move, BookChange::Cancel];

    /// Who may change the book: only roles that may write appointments
    /// (`policy`); reception for every clinician, a GP or nurse on their
    /// own list only (`own`: the appointment is theirs and, booking or
    /// moving, so is the slot), the admin team never (it reads the book).
    pub fn allowed_for(self, role: Role, own: bool) -> bool {
        let writes = crate::policy::access(role, crate::policy::DataKind::Appointments)
            == crate::policy::Access::Write;
        writes
            && match role {
                Role::Reception => true,
                Role::Gp | Role::Nurse => own,
                Role::Admin | Role::ServiceAdmin => false,
            }
    }
}

impl TryFrom<String> for Action {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Action::parse(&s).ok_or_else(|| format!("Unknown action \"{s}\"."))
    }
}

impl From<Action> for &'static str {
    fn from(a: Action) -> Self {
        a.as_str()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests;
