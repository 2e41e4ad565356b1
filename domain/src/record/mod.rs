//! The clinical record as the pages show it and the forms that change it:
//! problems, allergies and medications (each added, reviewed and ended,
//! with its history), consultations (history, examination, plan, coded
//! entries, observations; amended, never edited) and their drafts, and the
//! summary that brings them together. The rules live here so the browser
//! and the server check a form the same way.

mod consultation;
mod summary;
#[cfg(test)]
mod tests;

pub use consultation::*;
pub use summary::*;

use crate::clinical::{self, CodeKind};
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
