use super::*;
use crate::clinical::{self, CodeKind, ObservationKind};
use serde::{Deserialize, Serialize};

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
    /// Its record's id (empty for a reading not yet saved).
    #[serde(default)]
    pub id: String,
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
