//! The appointment book's plain types, shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// A clinic session: a clinician in a room from `start` to `end` in
/// `slot_minutes` slots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: String,
    pub clinician_id: String,
    pub clinician_name: String,
    pub room: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub slot_minutes: i64,
    /// The room's id (empty where only its name is known).
    #[serde(default)]
    pub room_id: String,
    /// Why nothing more can be booked into it (the clinician is away:
    /// "Leave"), when that is so. Its booked appointments stay, to move.
    #[serde(default)]
    pub blocked: Option<String>,
}

/// Minutes after midnight for "HH:MM" (24-hour, two digits each).
pub fn minutes(hhmm: &str) -> Option<i64> {
    let (h, m) = hhmm.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl SessionView {
    /// The slot start times, "09:00", "09:10", …
    pub fn slots(&self) -> Vec<String> {
        let (Some(from), Some(to)) = (minutes(&self.start), minutes(&self.end)) else {
            return Vec::new();
        };
        let step = self.slot_minutes.max(1);
        (0..)
            .map(|i| from + i * step)
            .take_while(|m| m + step <= to)
            .map(|m| format!("{:02}:{:02}", m / 60, m % 60))
            .collect()
    }
}

/// A patient as the booking search shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientHit {
    pub id: String,
    pub title: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub nhs_number: String,
    #[serde(default)]
    pub address_lines: Vec<String>,
    pub postcode: String,
}

impl PatientHit {
    /// "Mrs Jane SMITH".
    pub fn display_name(&self) -> String {
        patient_display_name(self.title.as_deref(), &self.given_name, &self.family_name)
    }
}

/// A patient's name as staff screens show it: "Mrs Jane SMITH" (title and
/// given name as recorded, family name in capitals, missing parts left out).
pub fn patient_display_name(title: Option<&str>, given: &str, family: &str) -> String {
    [title.unwrap_or_default(), given, &family.to_uppercase()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One clinician's week: their sessions and appointments (not live).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekBook {
    pub sessions: Vec<SessionView>,
    pub appointments: Vec<crate::live::AppointmentView>,
    /// When this was read (London HH:MM): the week view is not live.
    pub as_of: String,
}

/// The sessions page: a day's sessions, and who and where can hold one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsInfo {
    pub sessions: Vec<SessionView>,
    /// (id, name) of the practice's GPs and nurses.
    pub clinicians: Vec<(String, String)>,
    /// (id, name) of the practice's rooms.
    pub rooms: Vec<(String, String)>,
}

/// How an appointment happens. Stored and sent by `as_str`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentKind {
    FaceToFace,
    Telephone,
    Video,
}

impl AppointmentKind {
    pub const ALL: [AppointmentKind; 3] = [
        AppointmentKind::FaceToFace,
        AppointmentKind::Telephone,
        AppointmentKind::Video,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentKind::FaceToFace => "face_to_face",
            AppointmentKind::Telephone => "telephone",
            AppointmentKind::Video => "video",
        }
    }

    pub fn parse(s: &str) -> Option<AppointmentKind> {
        AppointmentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            AppointmentKind::FaceToFace => "Face to face",
            AppointmentKind::Telephone => "Telephone",
            AppointmentKind::Video => "Video",
        }
    }
}

/// A free slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeSlot {
    pub session_id: String,
    pub clinician_id: String,
    pub clinician_name: String,
    pub room: String,
    pub date: String,
    pub start: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_yields_whole_slots_only() {
        let s = SessionView {
            id: "s".into(),
            clinician_id: "c".into(),
            clinician_name: "Dr".into(),
            room: "Room 1".into(),
            date: "2026-11-21".into(),
            start: "09:00".into(),
            end: "09:35".into(),
            slot_minutes: 10,
            room_id: String::new(),
            blocked: None,
        };
        assert_eq!(s.slots(), vec!["09:00", "09:10", "09:20"]);
    }
}
