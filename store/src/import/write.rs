//! Writing a batch of imported patients: one lookup of their NHS numbers,
//! one read of the entries already imported for those found, and one
//! transaction for the lot. Should that transaction fail, each patient is
//! tried alone, so one patient's failure never costs another theirs and no
//! patient is ever half-written.

use super::{ImportError, ImportOutcome, ImportedPatient};
use crate::tx::{run_with_retry, Retry};
use crate::{AnyOf, PracticeStore, StoreError};
use std::collections::{HashMap, HashSet};
use surrealdb::types::{Datetime, RecordId, SurrealValue};

#[derive(SurrealValue)]
struct Found {
    id: String,
    date_of_birth: String,
    family_name_key: String,
}

#[derive(SurrealValue)]
struct KeyRow {
    patient: String,
    id: String,
    import_key: Option<String>,
}

#[derive(Clone, SurrealValue)]
struct PatientRow {
    id: RecordId,
    nhs_number: String,
    title: Option<String>,
    given_name: String,
    family_name: String,
    date_of_birth: String,
    sex: String,
    gender: Option<String>,
    address_lines: Vec<String>,
    postcode: String,
    phone: Option<String>,
    email: Option<String>,
    registered_on: String,
}

/// Rows as stored, for one INSERT per table.
#[derive(Clone, SurrealValue)]
struct ItemRow {
    id: RecordId,
    practice: RecordId,
    patient: RecordId,
    import_key: String,
    kind: String,
    code: Option<String>,
    term: String,
    dose: Option<String>,
    frequency: Option<String>,
    note: Option<String>,
    active: bool,
    since: String,
    ended_on: Option<String>,
}

#[derive(Clone, SurrealValue)]
struct ChangeRow {
    practice: RecordId,
    item: RecordId,
    by: RecordId,
    what: String,
}

#[derive(Clone, SurrealValue)]
struct ObservationRow {
    practice: RecordId,
    patient: RecordId,
    import_key: String,
    kind: String,
    value: f64,
    at: Datetime,
    by: RecordId,
}

#[derive(Clone, SurrealValue)]
struct ConsultRow {
    practice: RecordId,
    patient: RecordId,
    import_key: String,
    author: RecordId,
    at: Datetime,
    history: String,
    examination: String,
    plan: String,
    entries: Vec<EntryRow>,
}

#[derive(Clone, SurrealValue)]
struct EntryRow {
    code: String,
    term: String,
    kind: String,
}

static WRITE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "BEGIN TRANSACTION;
    FOR $p IN $patients {{
        CREATE $p.id CONTENT {{
            practice: $practice, nhs_number: $p.nhs_number, title: $p.title, given_name: $p.given_name,
            family_name: $p.family_name, family_name_key: string::lowercase($p.family_name),
            date_of_birth: $p.date_of_birth, sex: $p.sex, gender: $p.gender,
            address_lines: $p.address_lines, postcode: $p.postcode, phone: $p.phone,
            email: $p.email, usual_gp: NONE, registered_on: $p.registered_on
        }} RETURN NONE;
    }};
    IF $items != [] {{ INSERT INTO record_item $items RETURN NONE }};
    IF $changes != [] {{ INSERT INTO record_item_change $changes RETURN NONE }};
    IF $observations != [] {{ INSERT INTO observation $observations RETURN NONE }};
    IF $consultations != [] {{ INSERT INTO consultation $consultations RETURN NONE }};
    FOR $touched IN $changed {{ {changed} }};
    COMMIT TRANSACTION;",
        changed = crate::live::patient_changed("$touched", domain::live::RecordPart::Clinical)
    )
});

/// What one batch writes.
#[derive(Default)]
struct Rows {
    patients: Vec<PatientRow>,
    items: Vec<ItemRow>,
    changes: Vec<ChangeRow>,
    observations: Vec<ObservationRow>,
    consultations: Vec<ConsultRow>,
    /// Registered patients given entries: their open pages hear of it (a
    /// new patient has no page open).
    changed: Vec<RecordId>,
}

impl Rows {
    fn is_empty(&self) -> bool {
        self.patients.is_empty()
            && self.items.is_empty()
            && self.observations.is_empty()
            && self.consultations.is_empty()
    }
}

impl PracticeStore {
    /// The patient ids of those of `nhs_numbers` registered here.
    async fn registered(&self, nhs_numbers: &[String]) -> Result<Vec<Option<Found>>, StoreError> {
        // One statement each, so each is answered from the NHS number index.
        let script: String = (0..nhs_numbers.len())
            .map(|i| {
                format!(
                    "SELECT record::id(id) AS id, date_of_birth, family_name_key FROM patient
                     WHERE practice = $practice AND nhs_number = $nhs{i} LIMIT 1;"
                )
            })
            .collect();
        let mut q = self.db().query(script).bind(("practice", self.record()));
        for (i, n) in nhs_numbers.iter().enumerate() {
            q = q.bind((format!("nhs{i}"), n.clone()));
        }
        let mut res = q.await?.check()?;
        (0..nhs_numbers.len())
            .map(|i| Ok(res.take::<Vec<Found>>(i)?.into_iter().next()))
            .collect()
    }

    /// The source keys already imported into each of `patients`.
    async fn imported_keys(
        &self,
        patients: &[String],
    ) -> Result<HashMap<String, HashSet<String>>, StoreError> {
        let mut out: HashMap<String, HashSet<String>> = HashMap::new();
        if patients.is_empty() {
            return Ok(out);
        }
        let any = AnyOf::new("p", "patient", patients);
        let of_patients = any.on("patient");
        let q = self.db().query(format!(
            "SELECT record::id(patient) AS patient, record::id(id) AS id, import_key FROM record_item WHERE {of_patients};
             SELECT record::id(patient) AS patient, record::id(id) AS id, import_key FROM observation WHERE {of_patients};
             SELECT record::id(patient) AS patient, record::id(id) AS id, import_key FROM consultation WHERE {of_patients};"
        ));
        let mut res = any.bind(q).await?.check()?;
        let mut rows: Vec<KeyRow> = res.take(0)?;
        rows.extend(res.take::<Vec<KeyRow>>(1)?);
        rows.extend(res.take::<Vec<KeyRow>>(2)?);
        for r in rows {
            let keys = out.entry(r.patient).or_default();
            // Our own id too: an export of this practice, imported back,
            // names each entry by it.
            keys.insert(r.id);
            keys.extend(r.import_key);
        }
        Ok(out)
    }

    /// Imports `batch`, each patient all or nothing: registered if their
    /// NHS number is new here, then given each entry whose key is not
    /// already in their record. `what` is each item's first history line.
    /// One answer per patient, in order.
    pub async fn import_patients(
        &self,
        run: &str,
        batch: &[ImportedPatient],
        what: &str,
    ) -> Result<Vec<Result<ImportOutcome, ImportError>>, StoreError> {
        let nhs: Vec<String> = batch
            .iter()
            .map(|p| p.patient.nhs_number.digits())
            .collect();
        let found = self.registered(&nhs).await?;
        let known: Vec<String> = found.iter().flatten().map(|f| f.id.clone()).collect();
        let keys = self.imported_keys(&known).await?;
        let by = RecordId::new("import_run", run);
        let mut rows = Rows::default();
        let mut answers = Vec::with_capacity(batch.len());
        for (p, found) in batch.iter().zip(found) {
            answers.push(self.rows_for(p, found.as_ref(), &keys, &by, what, &mut rows));
        }
        if rows.is_empty() {
            return Ok(answers);
        }
        let outcome = run_with_retry(|| {
            self.db()
                .query(WRITE.as_str())
                .bind(("practice", self.record()))
                .bind(("patients", rows.patients.clone()))
                .bind(("items", rows.items.clone()))
                .bind(("changes", rows.changes.clone()))
                .bind(("observations", rows.observations.clone()))
                .bind(("consultations", rows.consultations.clone()))
                .bind(("changed", rows.changed.clone()))
        })
        .await;
        match outcome {
            Ok(()) => Ok(answers),
            // Each alone: one patient's failure is never another's.
            Err(_) if batch.len() > 1 => {
                let mut out = Vec::with_capacity(batch.len());
                for p in batch {
                    let one =
                        Box::pin(self.import_patients(run, std::slice::from_ref(p), what)).await?;
                    out.extend(one);
                }
                Ok(out)
            }
            // Registered by someone else a moment ago: once more, as an
            // existing patient (whose birth date and name are checked).
            Err(Retry::AlreadyExists) if !rows.patients.is_empty() => {
                let again = self.registered(&nhs).await?;
                if again.iter().all(Option::is_none) {
                    return Err(StoreError::AlreadyExists);
                }
                Box::pin(self.import_patients(run, batch, what)).await
            }
            Err(e) => Ok(vec![Err(StoreError::from(e).into())]),
        }
    }

    /// One patient's rows (added to `rows`) and what writing them will do.
    fn rows_for(
        &self,
        p: &ImportedPatient,
        found: Option<&Found>,
        keys: &HashMap<String, HashSet<String>>,
        by: &RecordId,
        what: &str,
        rows: &mut Rows,
    ) -> Result<ImportOutcome, ImportError> {
        let v = &p.patient;
        if let Some(f) = found {
            if f.date_of_birth != v.date_of_birth.to_string() {
                return Err(ImportError::SomeoneElse("birth date"));
            }
            if f.family_name_key != v.family_name.to_lowercase() {
                return Err(ImportError::SomeoneElse("family name"));
            }
        }
        let empty = HashSet::new();
        let known = found.and_then(|f| keys.get(&f.id)).unwrap_or(&empty);
        // "Condition/abc" is here if imported under that key, or if it is
        // our own entry abc (exported from here).
        let have = |key: &str| {
            known.contains(key)
                || key
                    .split_once('/')
                    .is_some_and(|(_, id)| known.contains(id))
        };
        let id = found.map_or_else(crate::new_key, |f| f.id.clone());
        let patient = RecordId::new("patient", id.as_str());
        let before = (
            rows.items.len() + rows.consultations.len(),
            rows.observations.len(),
        );
        for i in p.items.iter().filter(|i| !have(&i.key)) {
            let item = RecordId::new("record_item", crate::new_key());
            rows.changes.push(ChangeRow {
                practice: self.record(),
                item: item.clone(),
                by: by.clone(),
                what: what.to_string(),
            });
            rows.items.push(ItemRow {
                id: item,
                practice: self.record(),
                patient: patient.clone(),
                import_key: i.key.clone(),
                kind: i.kind.as_str().to_string(),
                code: i.code.clone(),
                term: i.term.clone(),
                dose: i.dose.clone(),
                frequency: i.frequency.clone(),
                note: i.note.clone(),
                active: i.active,
                since: i.since.to_string(),
                ended_on: i.ended_on.map(|d| d.to_string()),
            });
        }
        for o in p.observations.iter().filter(|o| !have(&o.key)) {
            rows.observations.push(ObservationRow {
                practice: self.record(),
                patient: patient.clone(),
                import_key: o.key.clone(),
                kind: o.kind.key().to_string(),
                value: o.value,
                at: Datetime::from(o.at),
                by: by.clone(),
            });
        }
        for c in p.consultations.iter().filter(|c| !have(&c.key)) {
            rows.consultations.push(ConsultRow {
                practice: self.record(),
                patient: patient.clone(),
                import_key: c.key.clone(),
                author: by.clone(),
                at: Datetime::from(c.at),
                history: c.history.clone(),
                examination: c.examination.clone(),
                plan: c.plan.clone(),
                entries: c
                    .entries
                    .iter()
                    .map(|(code, term, kind)| EntryRow {
                        code: code.clone(),
                        term: term.clone(),
                        kind: super::super::record::code_kind_str(*kind).to_string(),
                    })
                    .collect(),
            });
        }
        let items = rows.items.len() + rows.consultations.len() - before.0;
        let observations = rows.observations.len() - before.1;
        Ok(match found {
            None => {
                rows.patients.push(PatientRow {
                    id: patient,
                    nhs_number: v.nhs_number.digits(),
                    title: v.title.clone(),
                    given_name: v.given_name.clone(),
                    family_name: v.family_name.clone(),
                    date_of_birth: v.date_of_birth.to_string(),
                    sex: v.sex.clone(),
                    gender: v.gender.clone(),
                    address_lines: v.address_lines.clone(),
                    postcode: v.postcode.as_str().to_string(),
                    phone: v.phone.clone(),
                    email: v.email.clone(),
                    registered_on: v.registered_on.to_string(),
                });
                ImportOutcome::Registered {
                    id,
                    items,
                    observations,
                }
            }
            Some(_) if items == 0 && observations == 0 => ImportOutcome::Unchanged { id },
            Some(_) => {
                rows.changed.push(patient);
                ImportOutcome::Added {
                    id,
                    items,
                    observations,
                }
            }
        })
    }
}
