//! Reading an import from files with memory bounded by a chunk of patients,
//! not by the practice: a first pass keeps only the Patients; then, for
//! each chunk of them, one more pass over the files picks up that chunk's
//! entries, which are mapped and written before the next chunk is read.
//! NDJSON is read a line at a time; a Bundle is one JSON document, so it
//! is read whole.

use super::{place, references, sort, write_groups, Entry, Group, Report, Sorted};
use anyhow::Context;
use domain::PracticeId;
use serde_json::Value;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use store::Store;

/// Patients whose entries are held in memory at once.
const CHUNK: usize = 2_000;

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn why_not_json(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "it ends early",
        serde_json::error::Category::Syntax => "a syntax error",
        _ => "unreadable",
    }
}

/// Calls `f` with each resource in `path` (a Bundle's entries, one
/// resource, or NDJSON lines), or with a refusal for a line that is not
/// JSON.
fn each_entry(path: &Path, f: &mut dyn FnMut(Result<Entry, String>)) -> anyhow::Result<()> {
    let name = name_of(path);
    let open = || std::fs::File::open(path).with_context(|| format!("reading {}", path.display()));
    let mut reader = std::io::BufReader::new(open()?);
    // NDJSON unless the first line is not a whole resource (a document
    // written over several lines) or is a Bundle.
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .with_context(|| format!("reading {}", path.display()))?;
    let one_document =
        serde_json::from_str::<Value>(&line).map_or(true, |v| v["resourceType"] == "Bundle");
    drop(reader);
    if one_document {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let whole: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(_) => return each_line(&name, open()?, f),
        };
        if whole["resourceType"] == "Bundle" {
            for (i, e) in whole["entry"].as_array().into_iter().flatten().enumerate() {
                f(Ok(Entry {
                    position: format!("{name} entry {}", i + 1),
                    full_url: e["fullUrl"].as_str().map(String::from),
                    resource: e["resource"].clone(),
                }));
            }
        } else {
            f(Ok(Entry {
                position: name,
                full_url: None,
                resource: whole,
            }));
        }
        return Ok(());
    }
    each_line(&name, open()?, f)
}

fn each_line(
    name: &str,
    file: std::fs::File,
    f: &mut dyn FnMut(Result<Entry, String>),
) -> anyhow::Result<()> {
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {name}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let position = format!("{name} line {}", i + 1);
        f(match serde_json::from_str::<Value>(&line) {
            Ok(resource) => Ok(Entry {
                position,
                full_url: None,
                resource,
            }),
            Err(e) => Err(format!("{position}: not JSON ({})", why_not_json(&e))),
        });
    }
    Ok(())
}

/// The files of an import: `source` itself, or a directory's `.json` and
/// `.ndjson` files, Patient files first, then by name.
fn files_of(source: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !source.is_dir() {
        return Ok(vec![source.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(source)
        .with_context(|| format!("reading {}", source.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "ndjson"))
        .collect();
    files.sort_by_key(|p| (!name_of(p).starts_with("Patient"), p.clone()));
    if files.is_empty() {
        anyhow::bail!("{} holds no .json or .ndjson file", source.display());
    }
    Ok(files)
}

/// Imports the file or directory `source` into `practice`, calling
/// `progress(done, total)` as patients are done.
pub async fn import(
    store: &Store,
    practice: &PracticeId,
    source: &Path,
    progress: &dyn Fn(usize, usize),
) -> anyhow::Result<Report> {
    import_in_chunks(store, practice, source, CHUNK, progress).await
}

/// [`import`], holding `chunk` patients' entries in memory at a time.
pub async fn import_in_chunks(
    store: &Store,
    practice: &PracticeId,
    source: &Path,
    chunk_size: usize,
    progress: &dyn Fn(usize, usize),
) -> anyhow::Result<Report> {
    let chunk_size = chunk_size.max(1);
    let files = files_of(source)?;
    let mut report = Report::default();
    // First pass: the Patients, and what each may be referred to as.
    let mut patients: Vec<Entry> = Vec::new();
    let mut by_reference: HashMap<String, usize> = HashMap::new();
    for file in &files {
        each_entry(file, &mut |e| match e {
            Err(refusal) => report.refusals.push(refusal),
            Ok(e) => {
                if let Sorted::Patient = sort(&e, &mut report) {
                    for r in references(&e) {
                        by_reference.insert(r, patients.len());
                    }
                    patients.push(e);
                }
            }
        })?;
    }
    let run = services::import::begin(store, practice, &name_of(source)).await?;
    let total = patients.len();
    let chunks = total.div_ceil(chunk_size).max(1);
    let mut patients = patients.into_iter();
    for chunk in 0..chunks {
        let mut groups: Vec<Group> = patients.by_ref().take(chunk_size).map(Group::of).collect();
        let first = chunk * chunk_size;
        // Only in the first pass are entries with no patient reported.
        let mut quiet = Report::default();
        for file in &files {
            each_entry(file, &mut |e| {
                let Ok(e) = e else { return };
                if !matches!(sort(&e, &mut quiet), Sorted::Member) {
                    return;
                }
                let sink = if chunk == 0 { &mut report } else { &mut quiet };
                match place(&e, &by_reference, sink) {
                    Some(i) if (first..first + groups.len()).contains(&i) => {
                        groups[i - first].members.push(e)
                    }
                    _ => {}
                }
            })?;
        }
        write_groups(
            store,
            &run,
            groups,
            &mut report,
            &|done| progress(done, total),
            first,
        )
        .await?;
    }
    services::import::finish(store, &run, &report.tally).await?;
    Ok(report)
}
