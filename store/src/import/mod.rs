//! Records brought from elsewhere (`openpractice import fhir`): patients
//! in batches, each all or nothing, matched by NHS number. An entry keeps the key
//! it had at its source, so importing the same data again finds every entry
//! already there and writes nothing. Checks of what the data says are the
//! importer's; this only stores what passed them.

mod write;

use crate::{PracticeStore, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::clinical::CodeKind;
use domain::clinical::ObservationKind;
use domain::patient::ValidPatient;
use domain::record::ItemKind;

/// A problem, allergy or medication as it was at its source.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedItem {
    /// The entry's identity at its source (unique within the patient).
    pub key: String,
    pub kind: ItemKind,
    pub code: Option<String>,
    pub term: String,
    pub dose: Option<String>,
    pub frequency: Option<String>,
    pub note: Option<String>,
    pub active: bool,
    pub since: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

/// An observation as it was at its source.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedObservation {
    pub key: String,
    pub kind: ObservationKind,
    pub value: f64,
    pub at: DateTime<Utc>,
}

/// A past consultation as it was at its source: its notes and the codes
/// it was about (never edited: an amendment at the source arrives as the
/// text in force).
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedConsultation {
    pub key: String,
    pub at: DateTime<Utc>,
    pub history: String,
    pub examination: String,
    pub plan: String,
    /// (SNOMED CT code, term, kind).
    pub entries: Vec<(String, String, CodeKind)>,
}

/// One patient and what the source holds about them.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedPatient {
    pub patient: ValidPatient,
    pub items: Vec<ImportedItem>,
    pub observations: Vec<ImportedObservation>,
    pub consultations: Vec<ImportedConsultation>,
}

/// What importing one patient did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Not registered here before: registered with their record. `items`
    /// counts record entries and consultations.
    Registered {
        id: String,
        items: usize,
        observations: usize,
    },
    /// Already registered (same NHS number, birth date and family name):
    /// the entries not already here were added.
    Added {
        id: String,
        items: usize,
        observations: usize,
    },
    /// Already registered with every entry: nothing written.
    Unchanged { id: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The NHS number is registered here to someone with another date of
    /// birth or family name (the field named): never merged.
    #[error("the NHS number is registered to someone else ({0} differs)")]
    SomeoneElse(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<surrealdb::Error> for ImportError {
    fn from(e: surrealdb::Error) -> Self {
        ImportError::Store(e.into())
    }
}

impl PracticeStore {
    /// Starts an import run: what its entries name as their author.
    pub async fn create_import_run(
        &self,
        source: &str,
        display_name: &str,
    ) -> Result<String, StoreError> {
        let mut res = self
            .db()
            .query(
                "CREATE ONLY import_run CONTENT {
                    practice: type::record('practice', $practice), source: $source, display_name: $name
                 } RETURN VALUE record::id(id)",
            )
            .bind(("practice", self.pid()))
            .bind(("source", source.to_string()))
            .bind(("name", display_name.to_string()))
            .await?
            .check()?;
        let id: Option<String> = res.take(0)?;
        id.ok_or_else(|| StoreError::Internal("no id for the import run".into()))
    }
}
