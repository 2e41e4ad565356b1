//! `openpractice export fhir`: every patient's record as FHIR Bulk Data
//! NDJSON, one file per resource type (`Patient.ndjson`,
//! `Observation.ndjson`, …), one resource per line: filed laboratory
//! reports (DiagnosticReport, their analytes as laboratory Observations)
//! and letters (DocumentReference, the PDF as the Binary it names)
//! included. Written into
//! `OUT.partial` and renamed to `OUT` only when complete, so a directory
//! called OUT is always a whole export.

use super::{appointment, clinical, documents, lab, patient};
use anyhow::{bail, Context};
use domain::record::ItemKind;
use domain::results::{InboxKind, ReportView};
use domain::PracticeId;
use serde_json::Value;
use services::export::PatientRecord;
use services::record::api::{Part, Read};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;
use store::Store;

/// Patients read at a time (memory stays bounded by one page).
const PAGE: usize = 200;

/// One patient's resources, in the order a reader meets them.
pub fn resources(r: &PatientRecord) -> Vec<Value> {
    let id = r.patient.id.as_str();
    let mut out = vec![patient::to_fhir(&r.patient)];
    let items = |kind| Read {
        items: r.items.iter().filter(|i| i.kind == kind).cloned().collect(),
        ..Default::default()
    };
    out.extend(clinical::resources(
        &items(ItemKind::Problem),
        Part::Problems,
        id,
    ));
    out.extend(clinical::resources(
        &items(ItemKind::Allergy),
        Part::Allergies,
        id,
    ));
    out.extend(clinical::resources(
        &items(ItemKind::Medication),
        Part::Medications,
        id,
    ));
    let rest = Read {
        observations: r.observations.clone(),
        consultations: r.consultations.clone(),
        ..Default::default()
    };
    out.extend(clinical::resources(&rest, Part::Observations, id));
    out.extend(clinical::encounters_with_notes(&rest, id));
    out.extend(r.appointments.iter().map(appointment::to_fhir));
    let (letters, reports): (Vec<_>, Vec<_>) = r.reports.iter().cloned().partition(is_letter);
    out.extend(reports.iter().map(lab::report));
    out.extend(lab::observations(&reports));
    // A letter's attachment names its Binary relative to the export.
    out.extend(letters.iter().map(|l| documents::document(l, "")));
    out
}

/// A letter, not a laboratory report: a DocumentReference with the PDF
/// written beside it as a Binary.
fn is_letter(r: &ReportView) -> bool {
    r.row.kind == InboxKind::Letter
}

/// What an export wrote: patients, and resources by type.
#[derive(Debug, Default)]
pub struct Written {
    pub patients: usize,
    pub by_type: BTreeMap<String, usize>,
}

/// Exports `practice` into the directory `out` (which must not exist),
/// calling `progress(done, total)` after each page.
pub async fn export(
    store: &Store,
    practice: &PracticeId,
    out: &Path,
    progress: &dyn Fn(usize, usize),
) -> anyhow::Result<Written> {
    if out.exists() {
        bail!(
            "{} already exists: export into a new directory",
            out.display()
        );
    }
    let partial = out.with_extension("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)
            .with_context(|| format!("removing an earlier unfinished {}", partial.display()))?;
    }
    std::fs::create_dir_all(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let ids = services::export::begin(store, practice).await?;
    let total = ids.len();
    let mut files: BTreeMap<String, BufWriter<std::fs::File>> = BTreeMap::new();
    let mut written = Written::default();
    let mut done = 0;
    for chunk in ids.chunks(PAGE) {
        let page = services::export::page(store, practice, chunk).await?;
        done += chunk.len();
        for record in &page {
            let mut found = resources(record);
            for letter in record.reports.iter().filter(|r| is_letter(r)) {
                let pdf =
                    services::export::letter_document(store, practice, &letter.row.id).await?;
                found.push(documents::binary(letter, &pdf));
            }
            for r in found {
                let kind = r["resourceType"].as_str().unwrap_or("Unknown").to_string();
                if !files.contains_key(&kind) {
                    let path = partial.join(format!("{kind}.ndjson"));
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    files.insert(kind.clone(), BufWriter::new(file));
                }
                if let Some(f) = files.get_mut(&kind) {
                    serde_json::to_writer(&mut *f, &r)?;
                    f.write_all(b"\n")?;
                }
                *written.by_type.entry(kind).or_default() += 1;
            }
            written.patients += 1;
        }
        progress(done, total);
    }
    for (_, mut f) in files {
        f.flush()?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    std::fs::rename(&partial, out)
        .with_context(|| format!("moving the export to {}", out.display()))?;
    services::export::finish(
        store,
        practice,
        written.patients,
        written.by_type.values().sum(),
    )
    .await?;
    Ok(written)
}
