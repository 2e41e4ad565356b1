//! `openpractice import results SOURCE`: laboratory reports from files, as
//! a laboratory would post them, through the same results service (checks,
//! matching, inboxes). A progress bar, then what arrived; every refused
//! report listed with its file, line and reason (never a patient's
//! details), and a non-zero exit when any was refused.

use crate::admin_cli::choose_practice;
use crate::config::DbArgs;
use crate::fhir::report::parse::report_of;
use crate::records_cli::Run;
use anyhow::{bail, Context};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One report read from a file: where it was, and the Bundle or why not.
struct Item {
    place: String,
    bundle: Result<Value, String>,
}

fn files(source: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if source.is_dir() {
        let mut out: Vec<PathBuf> = std::fs::read_dir(source)
            .with_context(|| format!("reading {}", source.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("json" | "ndjson")
                )
            })
            .collect();
        out.sort();
        Ok(out)
    } else {
        Ok(vec![source.to_path_buf()])
    }
}

fn items(path: &Path) -> anyhow::Result<Vec<Item>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parse = |s: &str| serde_json::from_str::<Value>(s).map_err(|e| format!("not JSON ({e})"));
    if path.extension().and_then(|e| e.to_str()) == Some("ndjson") {
        Ok(text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| Item {
                place: format!("{name} line {}", n + 1),
                bundle: parse(l),
            })
            .collect())
    } else {
        Ok(vec![Item {
            place: name,
            bundle: parse(&text),
        }])
    }
}

/// What an import of reports did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub read: usize,
    pub matched: usize,
    pub unmatched: usize,
    /// Already here (the same report again).
    pub again: usize,
    /// "file line N: reason", in order.
    pub refused: Vec<String>,
}

/// Imports every report under `source` into `practice`, audited at the
/// start and the end; `progress(done, total)` as it goes.
pub async fn import_reports(
    store: &store::Store,
    practice: &domain::PracticeId,
    source: &Path,
    progress: &dyn Fn(usize, usize),
) -> anyhow::Result<Tally> {
    let mut all = Vec::new();
    for f in files(source)? {
        all.extend(items(&f)?);
    }
    let where_from: String = source.display().to_string().chars().take(200).collect();
    services::results::imported(
        store,
        practice,
        format!("started an import of laboratory reports from {where_from} (command line)"),
    )
    .await?;
    let mut t = Tally {
        read: all.len(),
        ..Tally::default()
    };
    for (n, item) in all.iter().enumerate() {
        progress(n, all.len());
        let report = item
            .bundle
            .clone()
            .and_then(|b| report_of(&b).map_err(|p| p.join(" ")));
        let answer = match report {
            Err(why) => Err(why),
            Ok(r) => services::results::import(store, practice, &where_from, &r)
                .await
                .map_err(|e| e.to_string()),
        };
        match answer {
            Ok(a) if a.duplicate => t.again += 1,
            Ok(a) if a.patient.is_some() => t.matched += 1,
            Ok(_) => t.unmatched += 1,
            Err(why) => t.refused.push(format!("{}: {why}", item.place)),
        }
    }
    progress(all.len(), all.len());
    services::results::imported(
        store,
        practice,
        format!(
            "imported laboratory reports from {where_from}: {} matched, {} unmatched, {} already here, {} refused (command line)",
            t.matched,
            t.unmatched,
            t.again,
            t.refused.len()
        ),
    )
    .await?;
    Ok(t)
}

pub async fn import(db: &DbArgs, source: &Path, practice: Option<&str>) -> anyhow::Result<()> {
    let run = Run::open_counting(db, "reports").await?;
    let outcome = async {
        let practice = choose_practice(&run.store, practice).await?;
        let t = import_reports(&run.store, &practice.id, source, &run.progress()).await?;
        anyhow::Ok((practice.name, t))
    }
    .await;
    let secs = run.close().await;
    let (name, t) = outcome?;
    println!(
        "Imported {} reports into {name} in {secs:.1} s: {} matched to patients, {} on the Unmatched list, {} already here, {} refused.",
        t.read,
        t.matched,
        t.unmatched,
        t.again,
        t.refused.len()
    );
    if t.refused.is_empty() {
        return Ok(());
    }
    eprintln!("Refused:");
    for r in &t.refused {
        eprintln!("  {r}");
    }
    bail!(
        "{} reports refused; everything else was imported",
        t.refused.len()
    )
}
