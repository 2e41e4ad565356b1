//! Records brought from elsewhere (`openpractice import fhir`): one patient
//! at a time, all or nothing, matched by NHS number. An entry keeps the key
//! it had at its source, so importing the same data again finds every entry
//! already there and writes nothing. Checks of what the data says are the
//! importer's; this only stores what passed them.

use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::clinical::ObservationKind;
use domain::patient::ValidPatient;
use domain::record::ItemKind;
use std::collections::HashSet;
use surrealdb::types::{Datetime, RecordId, SurrealValue};

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

/// One patient and what the source holds about them.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedPatient {
    pub patient: ValidPatient,
    pub items: Vec<ImportedItem>,
    pub observations: Vec<ImportedObservation>,
}

/// What importing one patient did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Not registered here before: registered with their record.
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

#[derive(SurrealValue)]
struct Found {
    id: String,
    date_of_birth: String,
    family_name_key: String,
    keys: Vec<Option<String>>,
}

#[derive(Clone, SurrealValue)]
struct ItemIn {
    id: RecordId,
    key: String,
    kind: String,
    code: Option<String>,
    term: String,
    dose: Option<String>,
    frequency: Option<String>,
    note: Option<String>,
    active: bool,
    since: String,
    ended_on: Option<String>,
    what: String,
}

#[derive(Clone, SurrealValue)]
struct ObservationIn {
    key: String,
    kind: String,
    value: f64,
    at: Datetime,
}

const WRITE: &str = "BEGIN TRANSACTION;
    IF $new {
        CREATE $patient CONTENT {
            practice: $practice, nhs_number: $nhs, title: $title, given_name: $given,
            family_name: $family, family_name_key: string::lowercase($family), date_of_birth: $dob,
            sex: $sex, gender: $gender, address_lines: $address, postcode: $postcode,
            phone: $phone, email: $email, usual_gp: NONE, registered_on: $registered
        } RETURN NONE;
    } ELSE IF (SELECT VALUE practice FROM ONLY $patient) != $practice { THROW 'op:not_found' };
    FOR $i IN $items {
        CREATE $i.id CONTENT {
            practice: $practice, patient: $patient, kind: $i.kind, code: $i.code, term: $i.term,
            dose: $i.dose, frequency: $i.frequency, note: $i.note, active: $i.active,
            since: $i.since, ended_on: $i.ended_on, import_key: $i.key
        } RETURN NONE;
        CREATE record_item_change CONTENT { practice: $practice, item: $i.id, by: $run, what: $i.what } RETURN NONE;
    };
    FOR $o IN $observations {
        CREATE observation CONTENT {
            practice: $practice, patient: $patient, kind: $o.kind, value: $o.value, at: $o.at,
            by: $run, import_key: $o.key
        } RETURN NONE;
    };
    COMMIT TRANSACTION;";

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

    /// Imports one patient in one transaction: registers them if their NHS
    /// number is new here, then adds each entry whose key is not already
    /// in their record. `what` is each item's first history line.
    pub async fn import_patient(
        &self,
        run: &str,
        p: &ImportedPatient,
        what: &str,
    ) -> Result<ImportOutcome, ImportError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, date_of_birth, family_name_key,
                    array::concat(
                        (SELECT VALUE import_key FROM record_item WHERE patient = $parent.id),
                        (SELECT VALUE import_key FROM observation WHERE patient = $parent.id)
                    ) AS keys
                 FROM patient WHERE practice = type::record('practice', $practice) AND nhs_number = $nhs LIMIT 1",
            )
            .bind(("practice", self.pid()))
            .bind(("nhs", p.patient.nhs_number.digits()))
            .await?
            .check()?;
        let found: Option<Found> = res.take::<Vec<Found>>(0)?.into_iter().next();
        if let Some(f) = &found {
            if f.date_of_birth != p.patient.date_of_birth.to_string() {
                return Err(ImportError::SomeoneElse("birth date"));
            }
            if f.family_name_key != p.patient.family_name.to_lowercase() {
                return Err(ImportError::SomeoneElse("family name"));
            }
        }
        let have: HashSet<&str> = found
            .iter()
            .flat_map(|f| f.keys.iter().flatten().map(String::as_str))
            .collect();
        let items: Vec<ItemIn> = p
            .items
            .iter()
            .filter(|i| !have.contains(i.key.as_str()))
            .map(|i| ItemIn {
                id: RecordId::new("record_item", crate::new_key()),
                key: i.key.clone(),
                kind: i.kind.as_str().to_string(),
                code: i.code.clone(),
                term: i.term.clone(),
                dose: i.dose.clone(),
                frequency: i.frequency.clone(),
                note: i.note.clone(),
                active: i.active,
                since: i.since.to_string(),
                ended_on: i.ended_on.map(|d| d.to_string()),
                what: what.to_string(),
            })
            .collect();
        let observations: Vec<ObservationIn> = p
            .observations
            .iter()
            .filter(|o| !have.contains(o.key.as_str()))
            .map(|o| ObservationIn {
                key: o.key.clone(),
                kind: o.kind.key().to_string(),
                value: o.value,
                at: Datetime::from(o.at),
            })
            .collect();
        let (n_items, n_obs) = (items.len(), observations.len());
        let id = match &found {
            Some(f) if n_items == 0 && n_obs == 0 => {
                return Ok(ImportOutcome::Unchanged { id: f.id.clone() })
            }
            Some(f) => f.id.clone(),
            None => crate::new_key(),
        };
        let v = &p.patient;
        let outcome = run_with_retry(|| {
            self.db()
                .query(WRITE)
                .bind(("new", found.is_none()))
                .bind(("practice", self.record()))
                .bind(("patient", RecordId::new("patient", id.as_str())))
                .bind(("run", RecordId::new("import_run", run)))
                .bind(("nhs", v.nhs_number.digits()))
                .bind(("title", v.title.clone()))
                .bind(("given", v.given_name.clone()))
                .bind(("family", v.family_name.clone()))
                .bind(("dob", v.date_of_birth.to_string()))
                .bind(("sex", v.sex.clone()))
                .bind(("gender", v.gender.clone()))
                .bind(("address", v.address_lines.clone()))
                .bind(("postcode", v.postcode.as_str().to_string()))
                .bind(("phone", v.phone.clone()))
                .bind(("email", v.email.clone()))
                .bind(("registered", v.registered_on.to_string()))
                .bind(("items", items.clone()))
                .bind(("observations", observations.clone()))
        })
        .await;
        match outcome {
            Ok(()) if found.is_none() => Ok(ImportOutcome::Registered {
                id,
                items: n_items,
                observations: n_obs,
            }),
            Ok(()) => Ok(ImportOutcome::Added {
                id,
                items: n_items,
                observations: n_obs,
            }),
            // Registered by someone else a moment ago: try again as an
            // existing patient (their birth date and name are checked).
            Err(Retry::AlreadyExists) if found.is_none() => {
                Box::pin(self.import_patient(run, p, what)).await
            }
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(StoreError::Internal(
                "the patient moved practice during an import".into(),
            )
            .into()),
            Err(e) => Err(StoreError::from(e).into()),
        }
    }
}
