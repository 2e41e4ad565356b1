//! The operator's commands that move a practice's records: `export fhir`
//! and `import fhir`, each with a progress bar and a summary.

use crate::admin_cli::choose_practice;
use crate::config::DbArgs;
use anyhow::{bail, Context};
use store::Store;

/// `openpractice export fhir OUT`: with a progress bar, then what was
/// written and how fast.
pub async fn export(db: &DbArgs, cmd: &crate::config::ExportCommand) -> anyhow::Result<()> {
    let crate::config::ExportCommand::Fhir { out, practice_name } = cmd;
    let store = Store::open(&db.connect_options()?)
        .await
        .context("opening the database")?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} patients ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let outcome = async {
        let practice = choose_practice(&store, practice_name.as_deref()).await?;
        let progress = |done: usize, total: usize| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        };
        crate::fhir::export::export(&store, &practice.id, out, &progress)
            .await
            .map(|w| (practice.name, w))
    }
    .await;
    bar.finish_and_clear();
    store.close(std::time::Duration::from_secs(30)).await;
    let (practice, written) = outcome?;
    let secs = started.elapsed().as_secs_f64().max(0.001);
    println!(
        "Exported {} patients of {practice} to {} in {secs:.1} s ({:.0} patients a second):",
        written.patients,
        out.display(),
        written.patients as f64 / secs
    );
    for (kind, n) in &written.by_type {
        println!("  {kind}.ndjson: {n}");
    }
    Ok(())
}

/// `openpractice import fhir SOURCE`: with a progress bar, then what was
/// done, and every refusal by position (exiting non-zero when there is one).
pub async fn import(db: &DbArgs, cmd: &crate::config::ImportCommand) -> anyhow::Result<()> {
    let crate::config::ImportCommand::Fhir {
        source,
        practice_name,
    } = cmd;
    let store = Store::open(&db.connect_options()?)
        .await
        .context("opening the database")?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} patients ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let outcome = async {
        let practice = choose_practice(&store, practice_name.as_deref()).await?;
        let progress = |done: usize, total: usize| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        };
        crate::fhir::import::import(&store, &practice.id, source, &progress)
            .await
            .map(|r| (practice.name, r))
    }
    .await;
    bar.finish_and_clear();
    store.close(std::time::Duration::from_secs(30)).await;
    let (practice, report) = outcome?;
    let t = &report.tally;
    let secs = started.elapsed().as_secs_f64().max(0.001);
    let patients = t.registered + t.added_to + t.unchanged + t.refused;
    println!(
        "Imported {} into {practice} in {secs:.1} s ({:.0} patients a second): {} patients registered, {} added to, {} unchanged, {} refused; {} record entries and {} observations added.",
        source.display(),
        patients as f64 / secs,
        t.registered,
        t.added_to,
        t.unchanged,
        t.refused,
        t.items,
        t.observations
    );
    for (kind, n) in &report.not_imported {
        println!("  {kind}: {n} not imported (the importer takes Patient, Condition, AllergyIntolerance, MedicationStatement and Observation)");
    }
    if report.refusals.is_empty() {
        return Ok(());
    }
    eprintln!("Refused:");
    for r in &report.refusals {
        eprintln!("  {r}");
    }
    bail!(
        "{} refused entries ({} patients not imported); everything else was imported",
        report.refusals.len(),
        t.refused
    )
}
