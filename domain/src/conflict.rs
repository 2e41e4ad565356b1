//! What a refused change was up against: the record as it now is, typed,
//! so a page can show a colleague's version beside the user's without
//! parsing prose. Carried by every "changed since you opened it" refusal.

use crate::live::AppointmentView;
use crate::patient::PatientDetails;
use crate::record::RecordItem;
use crate::task::TaskView;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum Current {
    Appointment(Box<AppointmentView>),
    Task(Box<TaskView>),
    Patient(Box<PatientDetails>),
    RecordItem(Box<RecordItem>),
}

impl Current {
    /// The version the record is at now.
    pub fn version(&self) -> i64 {
        match self {
            Current::Appointment(a) => a.version,
            Current::Task(t) => t.version,
            Current::Patient(p) => p.version,
            Current::RecordItem(i) => i.version,
        }
    }

    pub fn task(&self) -> Option<&TaskView> {
        match self {
            Current::Task(t) => Some(t),
            _ => None,
        }
    }
}
