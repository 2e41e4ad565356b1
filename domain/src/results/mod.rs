//! Laboratory results arriving for the practice's patients: what a report
//! holds, how each analyte is flagged, how a report is matched to exactly
//! one registered patient (or not at all), and the outcomes a clinician
//! files it with. No I/O: the store keeps reports, the results service
//! applies these rules for every door (the FHIR API, the CLI, the pages).

mod analyte;
mod letter;
mod matching;
mod view;

#[cfg(test)]
mod tests;

pub use analyte::{number, Analyte, Flag};
pub use letter::*;
pub use matching::{match_patient, same_family_name, Candidate, Demographics, Match};
pub use view::*;

use serde::{Deserialize, Serialize};

/// A report's status as the laboratory sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Preliminary,
    Final,
    Amended,
    Corrected,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] = [
        ReportStatus::Preliminary,
        ReportStatus::Final,
        ReportStatus::Amended,
        ReportStatus::Corrected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Preliminary => "preliminary",
            ReportStatus::Final => "final",
            ReportStatus::Amended => "amended",
            ReportStatus::Corrected => "corrected",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// A report that replaces an earlier one with the same identifier.
    pub fn is_correction(self) -> bool {
        matches!(self, ReportStatus::Amended | ReportStatus::Corrected)
    }
}

/// The most analytes one report may carry.
pub const MAX_ANALYTES: usize = 100;

/// A laboratory report as it arrives, before matching.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncomingReport {
    /// The laboratory's identifier, "system|value": the same report sent
    /// twice is one report.
    pub identifier: String,
    pub status: ReportStatus,
    /// The test panel ("HbA1c", "Full blood count").
    pub title: String,
    /// Its code (LOINC or SNOMED CT), when sent.
    pub code: Option<String>,
    /// When the laboratory issued it (RFC 3339).
    pub issued: String,
    pub laboratory: String,
    /// Who asked for it: the practitioner id the laboratory was given,
    /// and their name as written on the request.
    pub requester_id: Option<String>,
    pub requester_name: Option<String>,
    pub patient: Demographics,
    pub analytes: Vec<Analyte>,
    pub conclusion: Option<String>,
    /// A laboratory report, or a letter (no analytes; a document).
    #[serde(default)]
    pub kind: InboxKind,
    /// A letter's PDF. Not serialised: the store keeps it apart and
    /// fingerprints it by its digest.
    #[serde(skip)]
    pub document: Option<Vec<u8>>,
}

impl IncomingReport {
    /// What is wrong with the report, field by field (empty when it can be
    /// stored). A report whose patient cannot be matched is not wrong: it
    /// is stored and goes to the Unmatched list.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let (system, value) = self.identifier.split_once('|').unwrap_or(("", ""));
        if system.trim().is_empty() || value.trim().is_empty() || self.identifier.len() > 300 {
            out.push((
                "identifier",
                "Give the report's identifier as a system and a value (up to 300 characters)."
                    .to_string(),
            ));
        }
        let letter = self.kind == InboxKind::Letter;
        if self.title.trim().is_empty() || self.title.chars().count() > 200 {
            out.push(if letter {
                ("type", "Say what the document is (type.text or a coding's display, up to 200 characters).".into())
            } else {
                ("code", "Name the test (code.text or a coding's display, up to 200 characters).".into())
            });
        }
        if chrono::DateTime::parse_from_rfc3339(&self.issued).is_err() {
            let field = if letter { "date" } else { "issued" };
            out.push((
                field,
                format!(
                    "Give when the {} was issued as a date and time with its offset.",
                    self.kind.noun()
                ),
            ));
        }
        if self.laboratory.trim().is_empty() || self.laboratory.chars().count() > 200 {
            out.push(if letter {
                (
                    "author",
                    "Name who sent the document (up to 200 characters).".into(),
                )
            } else {
                ("performer", "Name the laboratory that performed it.".into())
            });
        }
        if letter {
            if !self.analytes.is_empty() {
                out.push((
                    "result",
                    "A letter carries a document, not result observations.".into(),
                ));
            }
            match &self.document {
                None => out.push(("content", "Attach the document as a PDF.".into())),
                Some(bytes) => {
                    if let Some(p) = document_problem(bytes) {
                        out.push(("content", p));
                    }
                }
            }
            return out;
        }
        if self.document.is_some() {
            out.push((
                "content",
                "A laboratory report carries results, not a document.".into(),
            ));
        }
        if self.analytes.is_empty() || self.analytes.len() > MAX_ANALYTES {
            out.push((
                "result",
                format!("A report needs between 1 and {MAX_ANALYTES} result observations."),
            ));
        }
        for (i, a) in self.analytes.iter().enumerate() {
            if let Some(problem) = a.problem() {
                out.push(("result", format!("Observation {}: {problem}", i + 1)));
            }
        }
        out
    }

    /// Whether any analyte is outside its range or flagged abnormal.
    pub fn abnormal(&self) -> bool {
        // A letter has no analytes: never abnormal by itself.
        self.analytes.iter().any(|a| a.flag != Flag::Normal)
    }
}

/// What a clinician decides when filing a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Normal, no action.
    Normal,
    /// Abnormal, no action.
    AbnormalNoAction,
    RoutineAppointment,
    UrgentAppointment,
    RepeatTest,
    SpeakToDoctor,
    /// A letter filed with its coded entries and summary.
    Letter,
}

impl Outcome {
    /// A result's outcomes (the filing form's choices).
    pub const FOR_RESULTS: [Outcome; 6] = [
        Outcome::Normal,
        Outcome::AbnormalNoAction,
        Outcome::RoutineAppointment,
        Outcome::UrgentAppointment,
        Outcome::RepeatTest,
        Outcome::SpeakToDoctor,
    ];

    pub const ALL: [Outcome; 7] = [
        Outcome::Normal,
        Outcome::AbnormalNoAction,
        Outcome::RoutineAppointment,
        Outcome::UrgentAppointment,
        Outcome::RepeatTest,
        Outcome::SpeakToDoctor,
        Outcome::Letter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Normal => "normal",
            Outcome::AbnormalNoAction => "abnormal_no_action",
            Outcome::RoutineAppointment => "routine_appointment",
            Outcome::UrgentAppointment => "urgent_appointment",
            Outcome::RepeatTest => "repeat_test",
            Outcome::SpeakToDoctor => "speak_to_doctor",
            Outcome::Letter => "letter",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Normal => "Normal, no action",
            Outcome::AbnormalNoAction => "Abnormal, no action",
            Outcome::RoutineAppointment => "Abnormal, action: book a routine appointment",
            Outcome::UrgentAppointment => "Abnormal, action: book an urgent appointment",
            Outcome::RepeatTest => "Abnormal, action: repeat the test",
            Outcome::SpeakToDoctor => "Abnormal, action: speak to a doctor",
            Outcome::Letter => "Letter filed",
        }
    }

    /// The task an action outcome raises for the team chosen: its title
    /// for a report of `title`, and whether it is urgent.
    pub fn task(self, title: &str) -> Option<(String, bool)> {
        let what = match self {
            Outcome::Normal | Outcome::AbnormalNoAction | Outcome::Letter => return None,
            Outcome::RoutineAppointment => "Book a routine appointment",
            Outcome::UrgentAppointment => "Book an urgent appointment",
            Outcome::RepeatTest => "Arrange a repeat test",
            Outcome::SpeakToDoctor => "Arrange for the patient to speak to a doctor",
        };
        Some((
            format!("{what}: {} result", title.trim()),
            self == Outcome::UrgentAppointment,
        ))
    }
}

/// Where a report is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// No patient yet: on the Unmatched list.
    Unmatched,
    /// Matched, waiting in a clinician's inbox or the pool.
    Unfiled,
    Filed,
    /// Not for this practice or not a real report, with a reason.
    Rejected,
    /// Replaced by a corrected report (kept, shown as replaced).
    Superseded,
}

impl ItemState {
    pub const ALL: [ItemState; 5] = [
        ItemState::Unmatched,
        ItemState::Unfiled,
        ItemState::Filed,
        ItemState::Rejected,
        ItemState::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Unmatched => "unmatched",
            ItemState::Unfiled => "unfiled",
            ItemState::Filed => "filed",
            ItemState::Rejected => "rejected",
            ItemState::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<ItemState> {
        ItemState::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Working days (Monday to Friday) from `from` to `to`: the days after
/// `from` up to and including `to`. Bank holidays count as working days.
pub fn working_days_between(from: chrono::NaiveDate, to: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    if to <= from {
        return 0;
    }
    let days = (to - from).num_days();
    let weeks = days / 7;
    let mut n = weeks * 5;
    let mut d = from + chrono::Duration::days(weeks * 7);
    while d < to {
        d += chrono::Duration::days(1);
        if d.weekday().number_from_monday() <= 5 {
            n += 1;
        }
    }
    n
}

/// Whether a result received on `received` (London date) and still
/// unfiled on `today` is overdue, given the practice's `days`.
pub fn is_overdue(received: chrono::NaiveDate, today: chrono::NaiveDate, days: i64) -> bool {
    working_days_between(received, today) > days
}

/// The first London date whose results are not yet overdue on `today`,
/// given the practice's `days`: a result still unfiled is overdue exactly
/// when it was received before this date (so the overdue ones can be read
/// from an index by received time). `days` beyond a year is taken as a
/// year (the setting allows 1 to 30).
pub fn overdue_before(today: chrono::NaiveDate, days: i64) -> chrono::NaiveDate {
    let days = days.clamp(0, 366);
    let mut first = today;
    while let Some(before) = first.pred_opt() {
        if is_overdue(before, today, days) {
            break;
        }
        first = before;
    }
    first
}
