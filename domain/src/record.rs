//! The clinical record as the pages show it and the forms that change it:
//! problems, allergies and medications (each added, reviewed and ended,
//! with its history), consultations (history, examination, plan, coded
//! entries, observations; amended, never edited) and their drafts, and the
//! summary that brings them together. The rules live here so the browser
//! and the server check a form the same way.

use crate::clinical::{self, CodeKind, ObservationKind};
use serde::{Deserialize, Serialize};

/// The longest text a consultation section may hold.
pub const SECTION_MAX: usize = 20_000;
/// The longest term, dose, frequency or note of a record item.
pub const ITEM_TEXT_MAX: usize = 200;

/// Problems, allergies and medications: the lists a clinician keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Problem,
    Allergy,
    Medication,
}

impl ItemKind {
    pub const ALL: [ItemKind; 3] = [ItemKind::Problem, ItemKind::Allergy, ItemKind::Medication];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Problem => "problem",
            ItemKind::Allergy => "allergy",
            ItemKind::Medication => "medication",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// "a problem", for sentences.
    pub fn with_article(self) -> &'static str {
        match self {
            ItemKind::Problem => "a problem",
            ItemKind::Allergy => "an allergy",
            ItemKind::Medication => "a medication",
        }
    }

    /// The SNOMED subset kind its codes come from (medications are named,
    /// not coded, in this subset).
    pub fn code_kind(self) -> Option<CodeKind> {
        match self {
            ItemKind::Problem => Some(CodeKind::Problem),
            ItemKind::Allergy => Some(CodeKind::Allergy),
            ItemKind::Medication => None,
        }
    }
}

/// One change in an item's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemChange {
    /// RFC 3339, UTC.
    pub at: String,
    pub by: String,
    /// "Added", "Reviewed: still taking", "Ended: resolved".
    pub what: String,
}

/// A problem, allergy or medication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordItem {
    pub id: String,
    pub kind: ItemKind,
    pub version: i64,
    /// SNOMED CT concept id, when coded.
    pub code: Option<String>,
    pub term: String,
    /// Medications: "500 mg".
    pub dose: Option<String>,
    /// Medications: "Three times a day".
    pub frequency: Option<String>,
    /// Allergies: the reaction; otherwise any note.
    pub note: Option<String>,
    /// Current (active) or past (ended).
    pub active: bool,
    /// YYYY-MM-DD.
    pub since: String,
    pub ended_on: Option<String>,
    /// RFC 3339 of the last review, if any.
    pub reviewed_at: Option<String>,
    pub history: Vec<ItemChange>,
}

impl RecordItem {
    /// "Amoxicillin 500 mg, three times a day" or the term alone.
    pub fn describe(&self) -> String {
        let mut s = self.term.clone();
        let extra: Vec<&str> = [self.dose.as_deref(), self.frequency.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !extra.is_empty() {
            s.push_str(", ");
            s.push_str(&extra.join(", "));
        }
        s
    }
}

/// The add form for a problem, allergy or medication, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemForm {
    pub kind: String,
    /// A concept id picked from the subset, or empty for free text.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub term: String,
    #[serde(default)]
    pub dose: String,
    #[serde(default)]
    pub frequency: String,
    #[serde(default)]
    pub note: String,
    /// UK date; today when blank.
    #[serde(default)]
    pub since: String,
}

/// An item form that passed its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidItem {
    pub kind: ItemKind,
    pub code: Option<String>,
    pub term: String,
    pub dose: Option<String>,
    pub frequency: Option<String>,
    pub note: Option<String>,
    pub since: chrono::NaiveDate,
}

/// Field name and what is wrong with it.
pub type FieldErrors = Vec<(&'static str, String)>;

fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn too_long(field: &'static str, label: &str, s: &str, errors: &mut FieldErrors) {
    if s.trim().chars().count() > ITEM_TEXT_MAX {
        errors.push((
            field,
            format!("{label} must be {ITEM_TEXT_MAX} characters or fewer."),
        ));
    }
}

impl ItemForm {
    /// Checks every field; all errors at once.
    pub fn validate(&self, today: chrono::NaiveDate) -> Result<ValidItem, FieldErrors> {
        let mut errors = FieldErrors::new();
        let Some(kind) = ItemKind::parse(self.kind.trim()) else {
            return Err(vec![(
                "kind",
                "Choose problem, allergy or medication.".into(),
            )]);
        };
        let code = optional(&self.code);
        let mut term = self.term.trim().to_string();
        if let Some(c) = &code {
            match clinical::concept(c) {
                Some(concept) if Some(concept.kind) == kind.code_kind() => {
                    term = concept.term.to_string();
                }
                _ => errors.push((
                    "term",
                    format!(
                        "That code is not {} in the practice's list: pick one from the list.",
                        kind.with_article()
                    ),
                )),
            }
        }
        if term.is_empty() {
            errors.push((
                "term",
                match kind {
                    ItemKind::Medication => "Enter the medication's name.".into(),
                    _ => format!(
                        "Enter {}: type a few letters and pick from the list.",
                        kind.with_article()
                    ),
                },
            ));
        }
        too_long("term", "The name", &term, &mut errors);
        too_long("dose", "The dose", &self.dose, &mut errors);
        too_long("frequency", "The frequency", &self.frequency, &mut errors);
        too_long("note", "The note", &self.note, &mut errors);
        if kind == ItemKind::Medication {
            if self.dose.trim().is_empty() {
                errors.push(("dose", "Enter the dose, for example 500 mg.".into()));
            }
            if self.frequency.trim().is_empty() {
                errors.push((
                    "frequency",
                    "Enter how often, for example three times a day.".into(),
                ));
            }
        }
        let since = if self.since.trim().is_empty() {
            Some(today)
        } else {
            match crate::patient::parse_uk_date(&self.since) {
                Some(d) if d <= today => Some(d),
                Some(_) => {
                    errors.push(("since", "The date cannot be in the future.".into()));
                    None
                }
                None => {
                    errors.push(("since", "Enter the date as a date, e.g. 21/11/2026.".into()));
                    None
                }
            }
        };
        match (errors.is_empty(), since) {
            (true, Some(since)) => Ok(ValidItem {
                kind,
                code,
                term,
                dose: (kind == ItemKind::Medication).then(|| self.dose.trim().to_string()),
                frequency: (kind == ItemKind::Medication)
                    .then(|| self.frequency.trim().to_string()),
                note: optional(&self.note),
                since,
            }),
            _ => Err(errors),
        }
    }
}

/// Review (still current, with a note) or end (no longer current).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemAction {
    Review,
    End,
}

impl ItemAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "review" => Some(ItemAction::Review),
            "end" => Some(ItemAction::End),
            _ => None,
        }
    }
}

/// A coded entry in a consultation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodedEntry {
    pub code: String,
    pub term: String,
    pub kind: CodeKind,
}

/// A recorded observation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub kind: ObservationKind,
    pub value: f64,
    /// RFC 3339, UTC.
    pub at: String,
}

impl Observation {
    /// "72 beats/min".
    pub fn text(&self) -> String {
        format!("{} {}", self.kind.format(self.value), self.kind.unit())
    }
}

/// A consultation's form: what is typed, also what a draft keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationForm {
    #[serde(default)]
    pub appointment_id: Option<String>,
    #[serde(default)]
    pub history: String,
    #[serde(default)]
    pub examination: String,
    #[serde(default)]
    pub plan: String,
    /// SNOMED concept ids picked.
    #[serde(default)]
    pub codes: Vec<String>,
    /// Observation inputs as typed, by kind (`ObservationKind::key`).
    #[serde(default)]
    pub observations: Vec<(String, String)>,
}

/// A consultation that passed its checks.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidConsultation {
    pub appointment_id: Option<String>,
    pub history: String,
    pub examination: String,
    pub plan: String,
    pub entries: Vec<CodedEntry>,
    /// Readings in range; BMI is computed by the caller from weight and
    /// the latest height.
    pub observations: Vec<(ObservationKind, f64)>,
}

impl ConsultationForm {
    /// The typed value for an observation kind ("" when none).
    pub fn observation(&self, kind: ObservationKind) -> &str {
        self.observations
            .iter()
            .find(|(k, _)| k == kind.key())
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// True when nothing has been typed or picked.
    pub fn is_empty(&self) -> bool {
        self.history.trim().is_empty()
            && self.examination.trim().is_empty()
            && self.plan.trim().is_empty()
            && self.codes.is_empty()
            && self.observations.iter().all(|(_, v)| v.trim().is_empty())
    }

    /// Checks every section, code and reading; all errors at once, each
    /// named by its field ("history", "codes", "systolic", …).
    pub fn validate(&self) -> Result<ValidConsultation, FieldErrors> {
        let mut errors = FieldErrors::new();
        for (field, label, text) in [
            ("history", "History", &self.history),
            ("examination", "Examination", &self.examination),
            ("plan", "Plan", &self.plan),
        ] {
            if text.chars().count() > SECTION_MAX {
                errors.push((
                    field,
                    format!("{label} must be {SECTION_MAX} characters or fewer."),
                ));
            }
        }
        let mut entries = Vec::new();
        for code in &self.codes {
            match clinical::concept(code.trim()) {
                Some(c) => {
                    let e = CodedEntry {
                        code: c.id.to_string(),
                        term: c.term.to_string(),
                        kind: c.kind,
                    };
                    if !entries.contains(&e) {
                        entries.push(e);
                    }
                }
                None => errors.push((
                    "codes",
                    "A coded entry is not in the practice's list: remove it and pick again.".into(),
                )),
            }
        }
        for (key, _) in &self.observations {
            if ObservationKind::from_key(key).is_none() {
                errors.push(("observations", format!("Unknown observation {key:.40}.")));
            }
        }
        let mut observations = Vec::new();
        let sys = self.observation(ObservationKind::Systolic).trim();
        let dia = self.observation(ObservationKind::Diastolic).trim();
        match (sys.is_empty(), dia.is_empty()) {
            (true, true) => {}
            (false, true) => errors.push((
                "diastolic",
                "Enter the diastolic pressure too (or clear the systolic).".into(),
            )),
            (true, false) => errors.push((
                "systolic",
                "Enter the systolic pressure too (or clear the diastolic).".into(),
            )),
            (false, false) => match clinical::blood_pressure(sys, dia) {
                Ok((s, d)) => {
                    observations.push((ObservationKind::Systolic, s));
                    observations.push((ObservationKind::Diastolic, d));
                }
                Err(e) => errors.extend(e),
            },
        }
        for kind in ObservationKind::ALL {
            if matches!(kind, ObservationKind::Systolic | ObservationKind::Diastolic) {
                continue;
            }
            let typed = self.observation(kind).trim();
            if typed.is_empty() {
                continue;
            }
            match kind.read(typed) {
                Ok(v) => observations.push((kind, v)),
                Err(e) => errors.push((kind.key(), e)),
            }
        }
        let appointment_id = self.appointment_id.as_deref().and_then(optional);
        if errors.is_empty()
            && self.history.trim().is_empty()
            && self.examination.trim().is_empty()
            && self.plan.trim().is_empty()
            && entries.is_empty()
            && observations.is_empty()
        {
            errors.push((
                "history",
                "The consultation is empty: write something or record an observation.".into(),
            ));
        }
        if errors.is_empty() {
            Ok(ValidConsultation {
                appointment_id,
                history: self.history.trim_end().to_string(),
                examination: self.examination.trim_end().to_string(),
                plan: self.plan.trim_end().to_string(),
                entries,
                observations,
            })
        } else {
            Err(errors)
        }
    }
}

/// A later correction of a consultation's text; the original is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    pub by: String,
    pub at: String,
    pub reason: String,
    pub history: String,
    pub examination: String,
    pub plan: String,
}

/// A saved consultation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsultationView {
    pub id: String,
    pub author: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub history: String,
    pub examination: String,
    pub plan: String,
    pub entries: Vec<CodedEntry>,
    pub observations: Vec<Observation>,
    /// Oldest first; the last is the text in force.
    pub amendments: Vec<Amendment>,
}

impl ConsultationView {
    /// The text in force: (history, examination, plan).
    pub fn current_text(&self) -> (&str, &str, &str) {
        match self.amendments.last() {
            Some(a) => (&a.history, &a.examination, &a.plan),
            None => (&self.history, &self.examination, &self.plan),
        }
    }
}

/// Checks an amendment: a reason, and section lengths.
pub fn validate_amendment(
    reason: &str,
    history: &str,
    examination: &str,
    plan: &str,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if reason.trim().is_empty() {
        errors.push((
            "reason",
            "Say why the consultation is being amended.".into(),
        ));
    }
    too_long("reason", "The reason", reason, &mut errors);
    for (field, label, text) in [
        ("history", "History", history),
        ("examination", "Examination", examination),
        ("plan", "Plan", plan),
    ] {
        if text.chars().count() > SECTION_MAX {
            errors.push((
                field,
                format!("{label} must be {SECTION_MAX} characters or fewer."),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A draft consultation kept on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftView {
    pub form: ConsultationForm,
    pub author: String,
    pub author_staff_id: String,
    /// RFC 3339, UTC.
    pub saved_at: String,
}

/// An upcoming appointment, for the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpcomingAppointment {
    /// YYYY-MM-DD.
    pub date: String,
    /// HH:MM.
    pub start: String,
    pub clinician: String,
}

/// Everything the patient page shows beyond the banner, each part only
/// when the viewer's role may see it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordSummary {
    /// Allergies (alerts): current ones, for the banner. `None`: not
    /// visible to this role.
    pub allergies: Option<Vec<RecordItem>>,
    /// Problems, medications and allergies with their history, current
    /// and past (clinical roles only).
    pub items: Option<Vec<RecordItem>>,
    /// Newest first (clinical roles only).
    pub consultations: Option<Vec<ConsultationView>>,
    /// Every observation, oldest first, for the latest values and charts
    /// (clinical roles only).
    pub observations: Option<Vec<Observation>>,
    /// Drafts of consultations on this patient, anyone's (clinical roles).
    pub drafts: Option<Vec<DraftView>>,
    pub upcoming: Option<Vec<UpcomingAppointment>>,
}

/// The latest reading of each kind (BMI included), in `ObservationKind`
/// order.
pub fn latest_observations(all: &[Observation]) -> Vec<Observation> {
    let mut out: Vec<Observation> = Vec::new();
    for kind in ObservationKind::ALL_WITH_BMI {
        if let Some(o) = all
            .iter()
            .filter(|o| o.kind == kind)
            .max_by(|a, b| a.at.cmp(&b.at))
        {
            out.push(o.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    #[test]
    fn a_coded_problem_takes_its_preferred_term() {
        let f = ItemForm {
            kind: "problem".into(),
            code: "38341003".into(),
            term: "hypert".into(),
            ..Default::default()
        };
        let v = f.validate(day()).unwrap();
        assert_eq!(v.term, "Hypertensive disorder, systemic arterial");
        assert_eq!(v.since, day());
        assert_eq!(v.dose, None);
    }

    #[test]
    fn a_code_of_the_wrong_kind_or_unknown_is_refused() {
        let allergy_as_problem = ItemForm {
            kind: "problem".into(),
            code: "91936005".into(),
            ..Default::default()
        };
        let e = allergy_as_problem.validate(day()).unwrap_err();
        assert_eq!(e[0].0, "term");
        assert!(e[0].1.contains("not a problem"));
        let made_up = ItemForm {
            kind: "allergy".into(),
            code: "123".into(),
            term: "x".into(),
            ..Default::default()
        };
        assert!(made_up.validate(day()).is_err());
    }

    #[test]
    fn a_medication_needs_name_dose_and_frequency_and_every_error_is_given() {
        let f = ItemForm {
            kind: "medication".into(),
            since: "32/13/2026".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = f.validate(day()).unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(fields, ["term", "dose", "frequency", "since"]);
        let ok = ItemForm {
            kind: "medication".into(),
            term: "Amlodipine".into(),
            dose: "5 mg".into(),
            frequency: "Once a day".into(),
            since: "01/11/2026".into(),
            ..Default::default()
        };
        let v = ok.validate(day()).unwrap();
        assert_eq!(v.dose.as_deref(), Some("5 mg"));
        let future = ItemForm {
            since: "22/11/2026".into(),
            ..ok
        };
        assert_eq!(future.validate(day()).unwrap_err()[0].0, "since");
        assert!(ItemForm::default().validate(day()).is_err());
    }

    fn form(obs: &[(&str, &str)]) -> ConsultationForm {
        ConsultationForm {
            observations: obs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_consultation_checks_its_readings_and_codes() {
        let mut f = form(&[("systolic", "138"), ("diastolic", "86"), ("pulse", "72")]);
        f.codes = vec!["38341003".into(), "38341003".into()];
        let v = f.validate().unwrap();
        assert_eq!(v.entries.len(), 1, "a code picked twice is one entry");
        assert_eq!(
            v.observations,
            vec![
                (ObservationKind::Systolic, 138.0),
                (ObservationKind::Diastolic, 86.0),
                (ObservationKind::Pulse, 72.0)
            ]
        );
        let bad = form(&[("systolic", "138"), ("temperature", "373")]);
        let fields: Vec<&str> = bad.validate().unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(fields, ["diastolic", "temperature"]);
        let mut unknown = form(&[]);
        unknown.codes = vec!["999".into()];
        assert_eq!(unknown.validate().unwrap_err()[0].0, "codes");
        assert_eq!(form(&[]).validate().unwrap_err()[0].0, "history");
        let mut words = form(&[("weight", " ")]);
        words.plan = "Review in 2 weeks".into();
        assert!(words.validate().unwrap().observations.is_empty());
    }

    #[test]
    fn an_amendment_needs_a_reason() {
        assert_eq!(
            validate_amendment(" ", "a", "b", "c").unwrap_err()[0].0,
            "reason"
        );
        assert!(validate_amendment("Typo in dose", "a", "b", "c").is_ok());
    }

    #[test]
    fn latest_observations_pick_the_newest_of_each_kind() {
        let o = |kind, value, at: &str| Observation {
            kind,
            value,
            at: at.into(),
        };
        let all = vec![
            o(ObservationKind::Weight, 80.0, "2026-01-01T10:00:00Z"),
            o(ObservationKind::Weight, 78.5, "2026-06-01T10:00:00Z"),
            o(ObservationKind::Pulse, 70.0, "2026-03-01T10:00:00Z"),
        ];
        let latest = latest_observations(&all);
        assert_eq!(latest.len(), 2);
        assert_eq!(latest[0].kind, ObservationKind::Pulse);
        assert_eq!(latest[1].value, 78.5);
        assert_eq!(latest[1].text(), "78.5 kg");
    }
}
