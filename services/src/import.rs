//! Bringing a practice's records in (the operator's `openpractice import
//! fhir`): one patient at a time, all or nothing, matched by NHS number.
//! A patient whose NHS number is registered here to someone with another
//! birth date or family name is refused, never merged (the wrong-patient
//! hazard). The run is the access: audited when it starts and when it ends,
//! as the operator, with what it did.

use crate::audit::operator as audit;
use crate::Result;
use domain::PracticeId;
use store::import::ImportError;
use store::Store;

pub use store::import::{
    ImportOutcome, ImportedConsultation, ImportedItem, ImportedObservation, ImportedPatient,
};

/// One import: what its entries name as their author.
#[derive(Clone, Debug)]
pub struct Run {
    pub practice: PracticeId,
    pub id: String,
    source: String,
}

/// What an import did, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub registered: usize,
    pub added_to: usize,
    pub unchanged: usize,
    pub refused: usize,
    pub items: usize,
    pub observations: usize,
}

impl Tally {
    pub fn count(&mut self, outcome: &ImportOutcome) {
        match outcome {
            ImportOutcome::Registered {
                items,
                observations,
                ..
            } => {
                self.registered += 1;
                self.items += items;
                self.observations += observations;
            }
            ImportOutcome::Added {
                items,
                observations,
                ..
            } => {
                self.added_to += 1;
                self.items += items;
                self.observations += observations;
            }
            ImportOutcome::Unchanged { .. } => self.unchanged += 1,
        }
    }
}

/// Starts an import from `source` (a file or directory name, shown in
/// each entry's history); audited.
pub async fn begin(store: &Store, practice: &PracticeId, source: &str) -> Result<Run> {
    let source: String = source.chars().take(200).collect();
    let today = domain::time::london_today(chrono::Utc::now());
    let id = store
        .practice(practice)
        .create_import_run(&source, &format!("Import of {}", today.format("%-d %b %Y")))
        .await?;
    audit(
        store,
        practice,
        format!("started an import of records from {source} (command line)"),
    )
    .await?;
    Ok(Run {
        practice: practice.clone(),
        id,
        source,
    })
}

/// Imports a batch of patients, each all or nothing; one answer each, in
/// order. A refusal is a sentence for the operator that names no one (the
/// importer adds the entry's position).
pub async fn patients(
    store: &Store,
    run: &Run,
    batch: &[ImportedPatient],
) -> Result<Vec<std::result::Result<ImportOutcome, String>>> {
    let what = format!("Imported from {}", run.source);
    let answers = store
        .practice(&run.practice)
        .import_patients(&run.id, batch, &what)
        .await?;
    Ok(answers
        .into_iter()
        .map(|a| match a {
            Ok(outcome) => Ok(outcome),
            Err(ImportError::SomeoneElse(field)) => Err(format!(
                "the NHS number is registered here to a patient with a different {field}: check the source; nothing of this patient was imported"
            )),
            Err(ImportError::Store(e)) => {
                tracing::warn!(error = %e, "an import's patient was refused by the database");
                Err("the database refused this patient (the server log has the detail); nothing of this patient was imported".into())
            }
        })
        .collect())
}

/// Ends an import: audited with what it did.
pub async fn finish(store: &Store, run: &Run, tally: &Tally) -> Result<()> {
    audit(
        store,
        &run.practice,
        format!(
            "imported records from {}: {} patients registered, {} added to, {} unchanged, {} refused; {} entries and {} observations added (command line)",
            run.source,
            tally.registered,
            tally.added_to,
            tally.unchanged,
            tally.refused,
            tally.items,
            tally.observations
        ),
    )
    .await
}
