//! `openpractice import fhir FILE|DIR`: Patients with their Conditions,
//! AllergyIntolerances, MedicationStatements, Observations and Encounters
//! (past consultations), from a
//! Bundle, NDJSON (one resource per line, as FHIR Bulk Data and our export
//! write it) or a directory of either. Each patient is imported all or
//! nothing: one refused entry (named by its position and why) and nothing
//! of that patient is written, so no one arrives with, say, their
//! allergies missing. Matched by NHS number and idempotent: importing the
//! same data again changes nothing.

pub mod encounter;
mod map;
mod read;

pub use read::{import, import_in_chunks};

use domain::record::ItemKind;
use domain::PracticeId;
use serde_json::Value;
use services::import::{ImportOutcome, ImportedPatient, Tally};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use store::Store;

/// One resource and where it was in the input.
#[derive(Clone, Debug)]
pub struct Entry {
    /// "Patient.ndjson line 3", "bundle.json entry 7".
    pub position: String,
    /// A Bundle entry's fullUrl (what references may name).
    pub full_url: Option<String>,
    pub resource: Value,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub tally: Tally,
    /// "position: why", in input order.
    pub refusals: Vec<String>,
    /// Resources of types the importer does not take, by type.
    pub not_imported: BTreeMap<String, usize>,
}

/// What a resource that belongs to a patient becomes.
enum Member {
    Item(ItemKind),
    Readings,
    Consultation,
}

fn kind_of(resource_type: &str) -> Option<Member> {
    match resource_type {
        "Condition" => Some(Member::Item(ItemKind::Problem)),
        "AllergyIntolerance" => Some(Member::Item(ItemKind::Allergy)),
        "MedicationStatement" => Some(Member::Item(ItemKind::Medication)),
        "Observation" => Some(Member::Readings),
        "Encounter" => Some(Member::Consultation),
        _ => None,
    }
}

/// The entry's identity at its source: its type and id, or (with no id)
/// a digest of its content.
fn key_of(r: &Value, resource_type: &str) -> String {
    match r["id"].as_str().filter(|s| !s.is_empty()) {
        Some(id) => format!("{resource_type}/{id:.64}"),
        None => {
            let digest = Sha256::digest(r.to_string().as_bytes());
            let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
            format!("{resource_type}#{hex}")
        }
    }
}

struct Group {
    position: String,
    patient: Value,
    members: Vec<Entry>,
}

impl Group {
    fn of(e: Entry) -> Self {
        Group {
            position: e.position,
            patient: e.resource,
            members: Vec::new(),
        }
    }
}

/// Imports `entries` (read from `source_name`), all held in memory (the
/// demo's histories; files are streamed by [`import`]), calling
/// `progress(done, total)` as patients are done.
pub async fn import_entries(
    store: &Store,
    practice: &PracticeId,
    source_name: &str,
    entries: Vec<Entry>,
    mut report: Report,
    progress: &dyn Fn(usize, usize),
) -> anyhow::Result<Report> {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_reference: HashMap<String, usize> = HashMap::new();
    let mut others = Vec::new();
    for e in entries {
        match sort(&e, &mut report) {
            Sorted::Patient => {
                for r in references(&e) {
                    by_reference.insert(r, groups.len());
                }
                groups.push(Group::of(e));
            }
            Sorted::Member => others.push(e),
            Sorted::Skipped => {}
        }
    }
    for e in others {
        match place(&e, &by_reference, &mut report) {
            Some(i) => groups[i].members.push(e),
            None => continue,
        }
    }
    let run = services::import::begin(store, practice, source_name).await?;
    let total = groups.len();
    write_groups(
        store,
        &run,
        groups,
        &mut report,
        &|done| progress(done, total),
        0,
    )
    .await?;
    services::import::finish(store, &run, &report.tally).await?;
    Ok(report)
}

/// What an entry is to the importer.
enum Sorted {
    Patient,
    Member,
    Skipped,
}

/// How a laboratory report's analyte is counted among what was not
/// imported.
pub const LAB_OBSERVATION: &str = "Observation (laboratory result)";

/// Why resources of `kind` (a key of `Report::not_imported`) were not
/// imported, in words for the operator.
pub fn why_not_imported(kind: &str) -> &'static str {
    match kind {
        "DiagnosticReport" | "DocumentReference" | "Binary" | LAB_OBSERVATION => {
            "laboratory reports and letters do not become readings or entries of the record"
        }
        _ => "the importer takes Patient, Condition, AllergyIntolerance, MedicationStatement, Observation and Encounter",
    }
}

/// Is this Observation a laboratory report's analyte (category
/// laboratory)? It belongs to its report, not among the record's readings:
/// taken as a reading it would show a result nobody filed.
fn is_laboratory(r: &Value) -> bool {
    r["category"].as_array().is_some_and(|categories| {
        categories.iter().any(|c| {
            c["coding"]
                .as_array()
                .is_some_and(|codings| codings.iter().any(|x| x["code"] == "laboratory"))
        })
    })
}

/// Sorts an entry; counts a type not imported, refuses one with no type.
fn sort(e: &Entry, report: &mut Report) -> Sorted {
    match e.resource["resourceType"].as_str() {
        Some("Patient") => Sorted::Patient,
        Some("Observation") if is_laboratory(&e.resource) => {
            *report
                .not_imported
                .entry(LAB_OBSERVATION.to_string())
                .or_default() += 1;
            Sorted::Skipped
        }
        Some(t) if kind_of(t).is_some() => Sorted::Member,
        Some(t) => {
            *report
                .not_imported
                .entry(t.chars().take(40).collect())
                .or_default() += 1;
            Sorted::Skipped
        }
        None => {
            report
                .refusals
                .push(format!("{}: no resourceType", e.position));
            Sorted::Skipped
        }
    }
}

/// What a Patient entry may be referred to as.
fn references(e: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(id) = e.resource["id"].as_str() {
        out.push(format!("Patient/{id}"));
    }
    out.extend(e.full_url.clone());
    out
}

/// The reference a member entry makes to its patient.
fn reference_of(e: &Entry) -> Option<&str> {
    let r = &e.resource;
    r["subject"]["reference"]
        .as_str()
        .or(r["patient"]["reference"].as_str())
}

/// The group a member entry joins, or its refusal.
fn place(e: &Entry, by_reference: &HashMap<String, usize>, report: &mut Report) -> Option<usize> {
    let reference = reference_of(e);
    match reference.and_then(|p| by_reference.get(p)) {
        Some(&i) => Some(i),
        None => {
            report.refusals.push(match reference {
                None => format!(
                    "{}: {} names no patient (subject or patient)",
                    e.position,
                    e.resource["resourceType"].as_str().unwrap_or_default()
                ),
                Some(_) => format!("{}: its patient is not in this import", e.position),
            });
            None
        }
    }
}

/// Maps and writes `groups` in batches, `WRITERS` batches being written
/// at once while the next are mapped (the database's work for a batch is
/// on one core; there are more); `progress(done)` counts from `offset`.
/// Answers are taken in input order, so refusals are reported in order.
async fn write_groups(
    store: &Store,
    run: &services::import::Run,
    groups: Vec<Group>,
    report: &mut Report,
    progress: &dyn Fn(usize),
    offset: usize,
) -> anyhow::Result<()> {
    let today = domain::time::london_today(chrono::Utc::now());
    let total = groups.len();
    let mut pending: VecDeque<Pending> = VecDeque::new();
    let mut batch: Vec<(String, ImportedPatient)> = Vec::with_capacity(BATCH);
    for (done, g) in groups.into_iter().enumerate() {
        match map_group(g, today) {
            Ok(p) => batch.push(p),
            Err(refusals) => pending.push_back(Pending::Refused(refusals)),
        }
        if batch.len() == BATCH || (done + 1 == total && !batch.is_empty()) {
            let (positions, patients): (Vec<String>, Vec<ImportedPatient>) =
                std::mem::take(&mut batch).into_iter().unzip();
            let (store, run) = (store.clone(), run.clone());
            let writing =
                tokio::spawn(
                    async move { services::import::patients(&store, &run, &patients).await },
                );
            pending.push_back(Pending::Written {
                positions,
                writing,
                done: offset + done + 1,
            });
            while pending
                .iter()
                .filter(|p| matches!(p, Pending::Written { .. }))
                .count()
                > WRITERS
            {
                settle(pending.pop_front(), report, progress).await?;
            }
        }
    }
    while !pending.is_empty() {
        settle(pending.pop_front(), report, progress).await?;
    }
    progress(offset + total);
    Ok(())
}

/// Patients written at a time (each still all or nothing).
const BATCH: usize = 10;
/// Batches being written at once.
const WRITERS: usize = 2;

/// A patient refused while mapped, or a batch being written.
enum Pending {
    Refused(Vec<String>),
    Written {
        positions: Vec<String>,
        writing: tokio::task::JoinHandle<services::Result<Vec<Result<ImportOutcome, String>>>>,
        done: usize,
    },
}

/// Counts what `pending` did into `report`, waiting for its writing.
async fn settle(
    pending: Option<Pending>,
    report: &mut Report,
    progress: &dyn Fn(usize),
) -> anyhow::Result<()> {
    match pending {
        None => {}
        Some(Pending::Refused(refusals)) => {
            report.tally.refused += 1;
            report.refusals.extend(refusals);
        }
        Some(Pending::Written {
            positions,
            writing,
            done,
        }) => {
            let answers = writing.await??;
            for (position, answer) in positions.iter().zip(answers) {
                match answer {
                    Ok(outcome) => report.tally.count(&outcome),
                    Err(why) => {
                        report.tally.refused += 1;
                        report.refusals.push(format!("{position}: {why}"));
                    }
                }
            }
            progress(done);
        }
    }
    Ok(())
}

/// One patient mapped, with their position; or every refusal (with
/// positions), when nothing of theirs is written.
fn map_group(g: Group, today: chrono::NaiveDate) -> Result<(String, ImportedPatient), Vec<String>> {
    let mut refusals = Vec::new();
    let patient = match map::patient(&g.patient, today) {
        Ok(p) => p,
        Err(why) => {
            refusals.extend(why.into_iter().map(|w| format!("{}: {w}", g.position)));
            refusals.push(format!("{}: this patient was not imported", g.position));
            return Err(refusals);
        }
    };
    let mut p = ImportedPatient {
        patient,
        items: Vec::new(),
        observations: Vec::new(),
        consultations: Vec::new(),
    };
    let mut seen = HashSet::new();
    for e in &g.members {
        let t = e.resource["resourceType"].as_str().unwrap_or_default();
        let key = key_of(&e.resource, t);
        if !seen.insert(key.clone()) {
            continue; // The same entry twice is one entry.
        }
        let r = &e.resource;
        let mapped = match kind_of(t) {
            Some(Member::Item(kind)) => map::item(r, kind, key, today).map(|i| p.items.push(i)),
            Some(Member::Readings) => {
                map::observations(r, &key, today).map(|os| p.observations.extend(os))
            }
            Some(Member::Consultation) => {
                encounter::consultation(r, key, today).map(|c| p.consultations.push(c))
            }
            None => continue,
        };
        if let Err(why) = mapped {
            refusals.push(format!("{}: {why}", e.position));
        }
    }
    if !refusals.is_empty() {
        refusals.push(format!(
            "{}: this patient was not imported ({} of their entries refused)",
            g.position,
            refusals.len()
        ));
        return Err(refusals);
    }
    Ok((g.position, p))
}
