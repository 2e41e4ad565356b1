//! Reading an import from files with memory bounded by a chunk of patients,
//! not by the practice: a first pass keeps only where the Patients are, a
//! second where each of their entries is; then each chunk's are read
//! again from there (an NDJSON line by seeking to it), mapped and written
//! before the next chunk is read. NDJSON is read a line at a time; a
//! Bundle is one JSON document, so it is read whole.

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

/// Where an entry is in its file, to read it again without the rest.
#[derive(Clone, Copy, Debug)]
enum Locator {
    /// An NDJSON line: its byte offset and length, and its number.
    Line { offset: u64, len: u32, number: u32 },
    /// The n-th entry of a document (a Bundle's, or 0 for one resource).
    Entry(u32),
}

/// Calls `f` with each resource in `path` (a Bundle's entries, one
/// resource, or NDJSON lines) and where it is, or with a refusal for a
/// line that is not JSON.
fn each_entry(
    path: &Path,
    f: &mut dyn FnMut(Result<(Entry, Locator), String>),
) -> anyhow::Result<()> {
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
                let entry = Entry {
                    position: format!("{name} entry {}", i + 1),
                    full_url: e["fullUrl"].as_str().map(String::from),
                    resource: e["resource"].clone(),
                };
                f(Ok((entry, Locator::Entry(i as u32))));
            }
        } else {
            let entry = Entry {
                position: name,
                full_url: None,
                resource: whole,
            };
            f(Ok((entry, Locator::Entry(0))));
        }
        return Ok(());
    }
    each_line(&name, open()?, f)
}

fn each_line(
    name: &str,
    file: std::fs::File,
    f: &mut dyn FnMut(Result<(Entry, Locator), String>),
) -> anyhow::Result<()> {
    let mut reader = std::io::BufReader::new(file);
    let (mut offset, mut number) = (0u64, 0u32);
    let mut line = String::new();
    loop {
        line.clear();
        let len = reader
            .read_line(&mut line)
            .with_context(|| format!("reading {name}"))?;
        if len == 0 {
            return Ok(());
        }
        number += 1;
        let at = Locator::Line {
            offset,
            len: len as u32,
            number,
        };
        offset += len as u64;
        if line.trim().is_empty() {
            continue;
        }
        f(parse_line(name, &line, number).map(|e| (e, at)));
    }
}

fn parse_line(name: &str, line: &str, number: u32) -> Result<Entry, String> {
    let position = format!("{name} line {number}");
    match serde_json::from_str::<Value>(line) {
        Ok(resource) => Ok(Entry {
            position,
            full_url: None,
            resource,
        }),
        Err(e) => Err(format!("{position}: not JSON ({})", why_not_json(&e))),
    }
}

/// The entries at `places` of `path` (sorted by file position), read
/// again: NDJSON lines by seeking to each; a document whole, keeping only
/// the entries asked for.
fn entries_at(
    path: &Path,
    places: &[(Locator, usize)],
    out: &mut dyn FnMut(usize, Entry),
) -> anyhow::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let name = name_of(path);
    let mut file =
        std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut wanted: HashMap<u32, usize> = HashMap::new();
    let mut buf = Vec::new();
    for &(at, patient) in places {
        match at {
            Locator::Line {
                offset,
                len,
                number,
            } => {
                buf.resize(len as usize, 0);
                file.seek(SeekFrom::Start(offset))
                    .and_then(|_| file.read_exact(&mut buf))
                    .with_context(|| format!("reading {name}"))?;
                let line = String::from_utf8_lossy(&buf);
                // Read once already, so it parses; changed underneath us, it is refused.
                let e = parse_line(&name, &line, number).map_err(anyhow::Error::msg)?;
                out(patient, e);
            }
            Locator::Entry(i) => {
                wanted.insert(i, patient);
            }
        }
    }
    if !wanted.is_empty() {
        each_entry(path, &mut |e| {
            if let Ok((e, Locator::Entry(i))) = e {
                if let Some(&patient) = wanted.get(&i) {
                    out(patient, e);
                }
            }
        })?;
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
/// Three reads of the input whatever its size: the Patients; where each
/// of their entries is (its file and position, not the entry); then each
/// chunk's entries, read again from where they are.
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
    // First pass: where the Patients are, and what each may be referred
    // to as.
    let mut patients: Vec<(usize, Locator)> = Vec::new();
    let mut by_reference: HashMap<String, usize> = HashMap::new();
    for (f, file) in files.iter().enumerate() {
        each_entry(file, &mut |e| match e {
            Err(refusal) => report.refusals.push(refusal),
            Ok((e, at)) => {
                if let Sorted::Patient = sort(&e, &mut report) {
                    for r in references(&e) {
                        by_reference.insert(r, patients.len());
                    }
                    patients.push((f, at));
                }
            }
        })?;
    }
    // Second: where each patient's entries are (file, place), by patient.
    let mut places: Vec<Vec<(usize, Locator)>> = vec![Vec::new(); patients.len()];
    let mut quiet = Report::default();
    for (f, file) in files.iter().enumerate() {
        each_entry(file, &mut |e| {
            let Ok((e, at)) = e else { return };
            if matches!(sort(&e, &mut quiet), Sorted::Member) {
                if let Some(i) = place(&e, &by_reference, &mut report) {
                    places[i].push((f, at));
                }
            }
        })?;
    }
    let run = services::import::begin(store, practice, &name_of(source)).await?;
    let total = patients.len();
    let mut patients = patients.into_iter();
    let mut places = places.into_iter();
    let mut first = 0;
    while first < total {
        // The chunk's Patients, then their entries, read from where they are.
        let mut by_file: Vec<Vec<(Locator, usize)>> = vec![Vec::new(); files.len()];
        for (g, (f, at)) in patients.by_ref().take(chunk_size).enumerate() {
            by_file[f].push((at, g));
        }
        let mut read: Vec<Option<Group>> = by_file.iter().flatten().map(|_| None).collect();
        read_back(&files, by_file, &mut |g, e| read[g] = Some(Group::of(e)))?;
        let mut groups: Vec<Group> = read.into_iter().flatten().collect();
        let mut by_file: Vec<Vec<(Locator, usize)>> = vec![Vec::new(); files.len()];
        for (g, group_places) in places.by_ref().take(groups.len()).enumerate() {
            for (f, at) in group_places {
                by_file[f].push((at, g));
            }
        }
        read_back(&files, by_file, &mut |g, e| groups[g].members.push(e))?;
        let count = groups.len();
        write_groups(
            store,
            &run,
            groups,
            &mut report,
            &|done| progress(done, total),
            first,
        )
        .await?;
        first += count;
    }
    services::import::finish(store, &run, &report.tally).await?;
    Ok(report)
}

/// The entries at each file's places (`by_file[file]`), in file order.
fn read_back(
    files: &[PathBuf],
    by_file: Vec<Vec<(Locator, usize)>>,
    out: &mut dyn FnMut(usize, Entry),
) -> anyhow::Result<()> {
    for (file, mut at) in files.iter().zip(by_file) {
        at.sort_by_key(|(l, _)| match l {
            Locator::Line { offset, .. } => *offset,
            Locator::Entry(i) => u64::from(*i),
        });
        entries_at(file, &at, out)?;
    }
    Ok(())
}
