//! Rotas and absences: a clinician's weekly template ("Dr Khan, Monday to
//! Friday 08:30–12:00, 10-minute slots, Room 3, face to face") that
//! generates clinic sessions weeks ahead, and the leave or training that
//! blocks them. Checked here, once, for every door.

use crate::book::{minutes, AppointmentKind};
use crate::live::AppointmentView;
use serde::{Deserialize, Serialize};

/// ISO weekday names, Monday (1) first.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The problems with a session's times, every one at once: HH:MM start and
/// end, the end after the start, slots of 5 to 60 minutes that fill the
/// session exactly.
pub fn session_time_problems(
    start: &str,
    end: &str,
    slot_minutes: &str,
) -> (Option<i64>, Vec<(&'static str, String)>) {
    let mut problems = Vec::new();
    let slot = slot_minutes
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| (5..=60).contains(m));
    let (from, to) = (minutes(start), minutes(end));
    if from.is_none() {
        problems.push((
            "start",
            "Enter the start time as HH:MM (24-hour).".to_string(),
        ));
    }
    if to.is_none() {
        problems.push(("end", "Enter the end time as HH:MM (24-hour).".to_string()));
    }
    if slot.is_none() {
        problems.push((
            "slot_minutes",
            "Slots are a whole number of minutes from 5 to 60.".to_string(),
        ));
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            problems.push(("end", "The session must end after it starts.".to_string()));
        } else if let Some(s) = slot.filter(|s| (t - f) % s != 0) {
            problems.push((
                "end",
                format!("{start}–{end} is not a whole number of {s}-minute slots."),
            ));
        }
    }
    (slot, problems)
}

/// "Monday–Friday", "Monday, Wednesday, Friday", "Tuesday".
pub fn weekdays_label(days: &[u8]) -> String {
    let name = |d: u8| {
        WEEKDAYS
            .get(usize::from(d).wrapping_sub(1))
            .copied()
            .unwrap_or("?")
    };
    let run = days.len() > 2 && days.windows(2).all(|w| w[1] == w[0] + 1);
    match (days.first(), days.last()) {
        (Some(&a), Some(&b)) if run => format!("{}–{}", name(a), name(b)),
        _ => days.iter().map(|&d| name(d)).collect::<Vec<_>>().join(", "),
    }
}

/// A rota as the form sends it: `day1`…`day7` are the ticked days
/// (Monday = 1), absent when not ticked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotaFields {
    pub clinician: String,
    pub room: String,
    #[serde(default)]
    pub day1: Option<String>,
    #[serde(default)]
    pub day2: Option<String>,
    #[serde(default)]
    pub day3: Option<String>,
    #[serde(default)]
    pub day4: Option<String>,
    #[serde(default)]
    pub day5: Option<String>,
    #[serde(default)]
    pub day6: Option<String>,
    #[serde(default)]
    pub day7: Option<String>,
    pub start: String,
    pub end: String,
    pub slot_minutes: String,
    pub kind: String,
}

impl RotaFields {
    /// The ticked days, as sent.
    pub fn weekdays(&self) -> Vec<String> {
        [
            &self.day1, &self.day2, &self.day3, &self.day4, &self.day5, &self.day6, &self.day7,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
    }
}

/// A clinician's weekly template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotaView {
    pub id: String,
    pub version: i64,
    pub clinician_id: String,
    pub clinician_name: String,
    pub room_id: String,
    pub room: String,
    /// ISO weekdays, Monday = 1, ascending.
    pub weekdays: Vec<u8>,
    pub start: String,
    pub end: String,
    pub slot_minutes: i64,
    pub kind: AppointmentKind,
    /// A stopped rota generates no more sessions; those it made stay.
    pub active: bool,
}

impl RotaView {
    /// "Monday–Friday 08:30–12:00, 10-minute slots, Room 3, face to face".
    pub fn describe(&self) -> String {
        format!(
            "{} {}–{}, {}-minute slots, {}, {}",
            weekdays_label(&self.weekdays),
            self.start,
            self.end,
            self.slot_minutes,
            self.room,
            self.kind.label().to_lowercase()
        )
    }
}

/// Why a clinician is away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceKind {
    Leave,
    Training,
    Sickness,
    Other,
}

impl AbsenceKind {
    pub const ALL: [AbsenceKind; 4] = [
        AbsenceKind::Leave,
        AbsenceKind::Training,
        AbsenceKind::Sickness,
        AbsenceKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AbsenceKind::Leave => "leave",
            AbsenceKind::Training => "training",
            AbsenceKind::Sickness => "sickness",
            AbsenceKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AbsenceKind::Leave => "Leave",
            AbsenceKind::Training => "Training",
            AbsenceKind::Sickness => "Sickness",
            AbsenceKind::Other => "Other absence",
        }
    }

    pub fn parse(s: &str) -> Option<AbsenceKind> {
        AbsenceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An absence, with the booked appointments in its blocked sessions that
/// still need moving (none is ever cancelled for it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceView {
    pub id: String,
    pub clinician_id: String,
    pub clinician_name: String,
    pub kind: AbsenceKind,
    /// First and last day away, YYYY-MM-DD, inclusive.
    pub from: String,
    pub to: String,
    pub note: Option<String>,
    /// Clinic sessions it blocks (nothing more can be booked into them).
    pub sessions_blocked: i64,
    /// Booked appointments in those sessions, to move to another clinician
    /// or day, in date and time order.
    pub to_move: Vec<AppointmentView>,
}

/// One session a generation did not make, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedSession {
    pub date: String,
    pub clinician_name: String,
    pub reason: String,
}

/// What generating from the rotas did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateReport {
    pub created: i64,
    /// Sessions these rotas had already made (generating twice makes
    /// nothing twice).
    pub already_made: i64,
    pub skipped: Vec<SkippedSession>,
}

/// A room, as the admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomView {
    pub id: String,
    pub name: String,
    pub version: i64,
    /// A retired room is offered for no new session or rota; sessions
    /// already in it keep it.
    pub retired: bool,
}

/// Everything the rotas page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotasInfo {
    pub rotas: Vec<RotaView>,
    /// Current and future absences, soonest first.
    pub absences: Vec<AbsenceView>,
    /// (id, name) of the practice's GPs and nurses.
    pub clinicians: Vec<(String, String)>,
    pub rooms: Vec<RoomView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_times_are_checked_together() {
        assert_eq!(
            session_time_problems("08:30", "12:00", "10"),
            (Some(10), vec![])
        );
        let (_, p) = session_time_problems("8.30", "12:00", "3");
        let fields: Vec<_> = p.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["start", "slot_minutes"], "in the form's order");
        let (_, p) = session_time_problems("09:00", "09:25", "10");
        assert_eq!(
            p[0].1,
            "09:00–09:25 is not a whole number of 10-minute slots."
        );
        let (_, p) = session_time_problems("12:00", "09:00", "10");
        assert_eq!(p[0].1, "The session must end after it starts.");
    }

    #[test]
    fn weekdays_read_as_staff_say_them() {
        assert_eq!(weekdays_label(&[1, 2, 3, 4, 5]), "Monday–Friday");
        assert_eq!(weekdays_label(&[1, 3, 5]), "Monday, Wednesday, Friday");
        assert_eq!(weekdays_label(&[2]), "Tuesday");
        assert_eq!(weekdays_label(&[6, 7]), "Saturday, Sunday");
    }
}
