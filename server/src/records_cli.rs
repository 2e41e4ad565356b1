//! The operator's commands that move a practice's records: `export fhir`
//! and `import fhir`, each with a progress bar and a summary.

use crate::admin_cli::choose_practice;
use crate::config::DbArgs;
use anyhow::{bail, Context};
use store::Store;

/// A command's database, progress bar and clock.
pub(crate) struct Run {
    pub(crate) store: Store,
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
}

impl Run {
    async fn open(db: &DbArgs) -> anyhow::Result<Self> {
        Self::open_counting(db, "patients").await
    }

    /// A run whose progress bar counts `what` ("patients", "reports").
    pub(crate) async fn open_counting(db: &DbArgs, what: &str) -> anyhow::Result<Self> {
        let store = Store::open(&db.connect_options()?)
            .await
            .context("opening the database")?;
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left)"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Ok(Run {
            store,
            bar,
            started: std::time::Instant::now(),
        })
    }

    pub(crate) fn progress(&self) -> impl Fn(usize, usize) + '_ {
        |done, total| {
            self.bar.set_length(total as u64);
            self.bar.set_position(done as u64);
        }
    }

    /// Closes the database; the seconds the command took.
    pub(crate) async fn close(self) -> f64 {
        self.bar.finish_and_clear();
        self.store.close(std::time::Duration::from_secs(30)).await;
        self.started.elapsed().as_secs_f64().max(0.001)
    }
}

/// `openpractice export fhir OUT`: with a progress bar, then what was
/// written and how fast.
pub async fn export(db: &DbArgs, cmd: &crate::config::ExportCommand) -> anyhow::Result<()> {
    let crate::config::ExportCommand::Fhir { out, practice_name } = cmd;
    let run = Run::open(db).await?;
    let outcome = async {
        let practice = choose_practice(&run.store, practice_name.as_deref()).await?;
        crate::fhir::export::export(&run.store, &practice.id, out, &run.progress())
            .await
            .map(|w| (practice.name, w))
    }
    .await;
    let secs = run.close().await;
    let (practice, written) = outcome?;
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
    let (source, practice_name) = match cmd {
        crate::config::ImportCommand::Fhir {
            source,
            practice_name,
        } => (source, practice_name),
        crate::config::ImportCommand::Results {
            source,
            practice_name,
        } => return crate::results_cli::import(db, source, practice_name.as_deref()).await,
    };
    let run = Run::open(db).await?;
    let outcome = async {
        let practice = choose_practice(&run.store, practice_name.as_deref()).await?;
        crate::fhir::import::import(&run.store, &practice.id, source, &run.progress())
            .await
            .map(|r| (practice.name, r))
    }
    .await;
    let secs = run.close().await;
    let (practice, report) = outcome?;
    let t = &report.tally;
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
        println!(
            "  {kind}: {n} not imported ({})",
            crate::fhir::import::why_not_imported(kind)
        );
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
