//! `openpractice import fhir FILE|DIR`: Patients with their Conditions,
//! AllergyIntolerances, MedicationStatements and Observations, from a
//! Bundle, NDJSON (one resource per line, as FHIR Bulk Data and our export
//! write it) or a directory of either. Each patient is imported all or
//! nothing: one refused entry (named by its position and why) and nothing
//! of that patient is written, so no one arrives with, say, their
//! allergies missing. Matched by NHS number and idempotent: importing the
//! same data again changes nothing.

mod map;

use anyhow::Context;
use domain::record::ItemKind;
use domain::PracticeId;
use serde_json::Value;
use services::import::{ImportedPatient, Tally};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
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

/// The resources in one file: a Bundle's entries, one resource, or NDJSON.
fn read_file(path: &Path, out: &mut Vec<Entry>, refusals: &mut Vec<String>) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    if let Ok(whole) = serde_json::from_str::<Value>(&text) {
        if whole["resourceType"] == "Bundle" {
            for (i, e) in whole["entry"].as_array().into_iter().flatten().enumerate() {
                out.push(Entry {
                    position: format!("{name} entry {}", i + 1),
                    full_url: e["fullUrl"].as_str().map(String::from),
                    resource: e["resource"].clone(),
                });
            }
        } else {
            out.push(Entry {
                position: name,
                full_url: None,
                resource: whole,
            });
        }
        return Ok(());
    }
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let position = format!("{name} line {}", i + 1);
        match serde_json::from_str::<Value>(line) {
            Ok(resource) => out.push(Entry {
                position,
                full_url: None,
                resource,
            }),
            Err(e) => refusals.push(format!("{position}: not JSON ({})", e.classify_name())),
        }
    }
    Ok(())
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}
impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Eof => "it ends early",
            serde_json::error::Category::Syntax => "a syntax error",
            _ => "unreadable",
        }
    }
}

/// Every resource under `source` (a file, or a directory's `.json` and
/// `.ndjson` files in name order, Patient files first).
pub fn read_source(source: &Path, refusals: &mut Vec<String>) -> anyhow::Result<Vec<Entry>> {
    let mut out = Vec::new();
    if source.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(source)
            .with_context(|| format!("reading {}", source.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "ndjson"))
            .collect();
        files.sort_by_key(|p| {
            (
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("Patient")),
                p.clone(),
            )
        });
        if files.is_empty() {
            anyhow::bail!("{} holds no .json or .ndjson file", source.display());
        }
        for f in files {
            read_file(&f, &mut out, refusals)?;
        }
    } else {
        read_file(source, &mut out, refusals)?;
    }
    Ok(out)
}

fn kind_of(resource_type: &str) -> Option<Option<ItemKind>> {
    match resource_type {
        "Condition" => Some(Some(ItemKind::Problem)),
        "AllergyIntolerance" => Some(Some(ItemKind::Allergy)),
        "MedicationStatement" => Some(Some(ItemKind::Medication)),
        "Observation" => Some(None),
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

/// Imports `entries` (read from `source_name`) into `practice`, calling
/// `progress(done, total)` as patients are done.
pub async fn import_entries(
    store: &Store,
    practice: &PracticeId,
    source_name: &str,
    entries: Vec<Entry>,
    mut report: Report,
    progress: &dyn Fn(usize, usize),
) -> anyhow::Result<Report> {
    let today = domain::time::london_today(chrono::Utc::now());
    let mut groups: Vec<Group> = Vec::new();
    let mut by_reference: HashMap<String, usize> = HashMap::new();
    let mut others = Vec::new();
    for e in entries {
        match e.resource["resourceType"].as_str() {
            Some("Patient") => {
                let i = groups.len();
                if let Some(id) = e.resource["id"].as_str() {
                    by_reference.insert(format!("Patient/{id}"), i);
                }
                if let Some(url) = &e.full_url {
                    by_reference.insert(url.clone(), i);
                }
                groups.push(Group {
                    position: e.position,
                    patient: e.resource,
                    members: Vec::new(),
                });
            }
            Some(t) if kind_of(t).is_some() => others.push(e),
            Some(t) => {
                *report
                    .not_imported
                    .entry(t.chars().take(40).collect())
                    .or_default() += 1
            }
            None => report
                .refusals
                .push(format!("{}: no resourceType", e.position)),
        }
    }
    for e in others {
        let r = &e.resource;
        let reference = r["subject"]["reference"]
            .as_str()
            .or(r["patient"]["reference"].as_str());
        match reference.and_then(|p| by_reference.get(p)) {
            Some(&i) => groups[i].members.push(e),
            None if reference.is_none() => report.refusals.push(format!(
                "{}: {} names no patient (subject or patient)",
                e.position,
                r["resourceType"].as_str().unwrap_or_default()
            )),
            None => report
                .refusals
                .push(format!("{}: its patient is not in this import", e.position)),
        }
    }
    let run = services::import::begin(store, practice, source_name).await?;
    let total = groups.len();
    for (done, g) in groups.into_iter().enumerate() {
        let refusals = import_group(store, &run, g, today, &mut report.tally).await;
        if !refusals.is_empty() {
            report.tally.refused += 1;
            report.refusals.extend(refusals);
        }
        if done % 20 == 19 || done + 1 == total {
            progress(done + 1, total);
        }
    }
    services::import::finish(store, &run, &report.tally).await?;
    Ok(report)
}

/// One patient: refusals (with positions) if any entry is refused, when
/// nothing of theirs is written.
async fn import_group(
    store: &Store,
    run: &services::import::Run,
    g: Group,
    today: chrono::NaiveDate,
    tally: &mut Tally,
) -> Vec<String> {
    let mut refusals = Vec::new();
    let patient = map::patient(&g.patient, today).map_err(|why| {
        for w in why {
            refusals.push(format!("{}: {w}", g.position));
        }
    });
    let mut p = ImportedPatient {
        patient: match patient {
            Ok(p) => p,
            Err(()) => {
                refusals.push(format!("{}: this patient was not imported", g.position));
                return refusals;
            }
        },
        items: Vec::new(),
        observations: Vec::new(),
    };
    let mut seen = HashSet::new();
    for e in &g.members {
        let t = e.resource["resourceType"].as_str().unwrap_or_default();
        let key = key_of(&e.resource, t);
        if !seen.insert(key.clone()) {
            continue; // The same entry twice is one entry.
        }
        let mapped = match kind_of(t).flatten() {
            Some(kind) => map::item(&e.resource, kind, key, today).map(|i| p.items.push(i)),
            None => map::observations(&e.resource, &key, today).map(|os| p.observations.extend(os)),
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
        return refusals;
    }
    match services::import::patient(store, run, &p).await {
        Ok(outcome) => tally.count(&outcome),
        Err(why) => refusals.push(format!("{}: {why}", g.position)),
    }
    refusals
}

/// Imports the file or directory `source` into `practice`.
pub async fn import(
    store: &Store,
    practice: &PracticeId,
    source: &Path,
    progress: &dyn Fn(usize, usize),
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let entries = read_source(source, &mut report.refusals)?;
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.display().to_string());
    import_entries(store, practice, &name, entries, report, progress).await
}
