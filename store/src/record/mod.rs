//! The clinical record: problems, allergies and medications (added,
//! reviewed, ended, each change in an append-only history), consultations
//! (saved once with their coded entries and observations in one
//! transaction; later corrections are amendments beside the original),
//! observations, and server-side consultation drafts (one per clinician per
//! patient). Refusals are typed; history texts and every check of what a
//! clinician typed are the record service's.

mod bulk;
pub use bulk::PatientRecordParts;
mod children;
mod consultations;
mod drafts;
mod items;

use crate::tx::Retry;
use crate::{rfc3339, StoreError};
use domain::clinical::{CodeKind, ObservationKind};
use domain::record::{CodedEntry, ConsultationView, ItemKind, Observation, RecordItem};
use surrealdb::types::{Datetime, SurrealValue};

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not found")]
    NotFound,
    /// Changed since `expected_version`; here it is now.
    #[error("changed since it was read")]
    Stale { current: Box<RecordItem> },
    /// The appointment named is not this patient's.
    #[error("not this patient's appointment")]
    NotThePatientsAppointment,
    /// That coded entry is already on the patient's current list.
    #[error("already current")]
    AlreadyCurrent,
    /// The item has already been ended.
    #[error("already ended")]
    AlreadyEnded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<surrealdb::Error> for RecordError {
    fn from(e: surrealdb::Error) -> Self {
        RecordError::Store(e.into())
    }
}

/// Why a record script did not commit: our own thrown tokens typed,
/// anything else a store error.
impl From<Retry> for RecordError {
    fn from(r: Retry) -> Self {
        match r {
            Retry::Thrown(t) => match t.as_str() {
                "op:no_patient" | "op:not_found" => RecordError::NotFound,
                "op:no_appointment" => RecordError::NotThePatientsAppointment,
                "op:duplicate" => RecordError::AlreadyCurrent,
                "op:ended" => RecordError::AlreadyEnded,
                other => RecordError::Store(StoreError::Internal(format!("unexpected {other}"))),
            },
            other => RecordError::Store(other.into()),
        }
    }
}

#[derive(SurrealValue)]
struct ItemRow {
    /// Only when read for many patients at once.
    patient_id: Option<String>,
    id: String,
    kind: String,
    version: i64,
    code: Option<String>,
    term: String,
    dose: Option<String>,
    frequency: Option<String>,
    note: Option<String>,
    active: bool,
    since: String,
    ended_on: Option<String>,
    reviewed_at: Option<Datetime>,
}

impl ItemRow {
    fn into_view(self) -> Option<RecordItem> {
        Some(RecordItem {
            id: self.id,
            kind: ItemKind::parse(&self.kind)?,
            version: self.version,
            code: self.code,
            term: self.term,
            dose: self.dose,
            frequency: self.frequency,
            note: self.note,
            active: self.active,
            since: self.since,
            ended_on: self.ended_on,
            reviewed_at: self.reviewed_at.map(rfc3339),
            // Filled in by `with_history`.
            history: Vec::new(),
        })
    }
}

/// An item as its view reads it; its history is read apart
/// (`children.rs`).
const ITEM_FIELDS: &str = "record::id(id) AS id, kind, version, code, term, dose, frequency, note,
    active, since, ended_on, reviewed_at";

#[derive(Clone, SurrealValue)]
struct EntryRow {
    code: String,
    term: String,
    kind: String,
}

fn code_kind(s: &str) -> CodeKind {
    match s {
        "allergy" => CodeKind::Allergy,
        "procedure" => CodeKind::Procedure,
        _ => CodeKind::Problem,
    }
}

pub(crate) fn code_kind_str(k: CodeKind) -> &'static str {
    match k {
        CodeKind::Problem => "problem",
        CodeKind::Procedure => "procedure",
        CodeKind::Allergy => "allergy",
    }
}

#[derive(Clone, SurrealValue)]
struct ObservationIn {
    kind: String,
    value: f64,
}

#[derive(SurrealValue)]
struct ObservationRow {
    patient_id: Option<String>,
    id: String,
    kind: String,
    value: f64,
    at: Datetime,
}

impl ObservationRow {
    fn into_view(self) -> Option<Observation> {
        Some(Observation {
            id: self.id,
            kind: ObservationKind::from_key(&self.kind)?,
            value: self.value,
            at: rfc3339(self.at),
        })
    }
}

#[derive(SurrealValue)]
struct ConsultationRow {
    patient_id: Option<String>,
    id: String,
    author: Option<String>,
    at: Datetime,
    history: String,
    examination: String,
    plan: String,
    entries: Vec<EntryRow>,
}

impl From<ConsultationRow> for ConsultationView {
    fn from(r: ConsultationRow) -> Self {
        // Readings and amendments: `with_parts`.
        ConsultationView {
            id: r.id,
            author: r.author.unwrap_or_default(),
            at: rfc3339(r.at),
            history: r.history,
            examination: r.examination,
            plan: r.plan,
            entries: r
                .entries
                .into_iter()
                .map(|e| CodedEntry {
                    kind: code_kind(&e.kind),
                    code: e.code,
                    term: e.term,
                })
                .collect(),
            observations: Vec::new(),
            amendments: Vec::new(),
        }
    }
}

#[derive(SurrealValue)]
struct DraftRow {
    form: String,
    author: Option<String>,
    author_id: String,
    saved_at: Datetime,
}
