//! `openpractice-load`: measures live updates the way a busy practice uses
//! them. It starts the real server (`--db mem:// --demo`), signs in as
//! reception, opens N waiting-room subscriptions over real websockets,
//! drives status changes through the real `appointment_action` server
//! function and times, for each change, request → the moment the *last*
//! client has it. It checks nothing is lost or duplicated and that the
//! outbox `seq` advanced by exactly one per change. Then it runs the same
//! clients against a bare broadcast server (no database, no auth: this same
//! binary, `bare-server`) as the baseline, and measures server memory per
//! idle socket for both.

mod brute;
mod clients;
mod fhir;
mod live;
mod proc;
mod results;
mod search;
mod seed;
mod tasks;

pub(crate) use clients::*;
pub(crate) use live::*;
pub(crate) use proc::*;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Load tool for OpenPractice's live updates")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The measured run: real server, then the bare baseline, then idle sockets.
    Run {
        /// The openpractice server binary (build it in release mode).
        #[arg(long)]
        server_bin: String,
        /// The site directory it serves (target/site).
        #[arg(long, default_value = "target/site")]
        site_root: String,
        /// Connected waiting-room clients.
        #[arg(long, default_value_t = 500)]
        clients: usize,
        /// Status changes to drive.
        #[arg(long, default_value_t = 200)]
        changes: usize,
        /// Changes per second.
        #[arg(long, default_value_t = 20)]
        rate: u64,
        /// Idle sockets for the memory measurement (0 to skip).
        #[arg(long, default_value_t = 10_000)]
        idle: usize,
        /// The server's database: `mem://`, or a directory for embedded
        /// SurrealKV (what a practice runs; it must not exist yet).
        #[arg(long, default_value = "mem://")]
        db: String,
        /// Seconds to wait before measuring memory after opening sockets.
        #[arg(long, default_value_t = 3)]
        settle: u64,
    },
    /// The team-tasks run: task-list clients, writers creating, claiming
    /// and commenting; change → last client latency, lost, duplicated.
    Tasks {
        #[arg(long)]
        server_bin: String,
        #[arg(long, default_value = "target/site")]
        site_root: String,
        /// Clients watching the Prescriptions team list.
        #[arg(long, default_value_t = 200)]
        clients: usize,
        /// Writers, each its own signed-in session.
        #[arg(long, default_value_t = 20)]
        writers: usize,
        /// Changes in all (create, claim, comment in turn per writer).
        #[arg(long, default_value_t = 600)]
        changes: usize,
        /// Changes per second, all writers together.
        #[arg(long, default_value_t = 40)]
        rate: u64,
        #[arg(long, default_value = "mem://")]
        db: String,
    },
    /// Patient search: seed N patients, then time the search server
    /// function for each kind of search.
    Search {
        #[arg(long)]
        server_bin: String,
        #[arg(long, default_value = "target/site")]
        site_root: String,
        /// Patients in the practice.
        #[arg(long, default_value_t = 100_000)]
        patients: usize,
        /// Searches of each kind.
        #[arg(long, default_value_t = 500)]
        queries: usize,
        /// A new directory for the benchmark's embedded database.
        #[arg(long)]
        db: String,
    },
    /// The FHIR API over N patients: Patient by NHS number and a patient's
    /// 100 observations, p50/p99, through the API with a real token.
    Fhir {
        #[arg(long)]
        server_bin: String,
        #[arg(long, default_value = "target/site")]
        site_root: String,
        /// Patients in the practice.
        #[arg(long, default_value_t = 100_000)]
        patients: usize,
        /// Requests of each kind (one sample patient each).
        #[arg(long, default_value_t = 300)]
        queries: usize,
        /// A new directory for the benchmark's embedded database.
        #[arg(long)]
        db: String,
    },
    /// The results inbox: R laboratory reports posted through the FHIR API
    /// (reports a second, p99, every one matched where the rules say), a
    /// GP's inbox of thousands opened (p99), and a posted report reaching
    /// the last of W open inboxes (p99).
    Results {
        #[arg(long)]
        server_bin: String,
        #[arg(long, default_value = "target/site")]
        site_root: String,
        /// Patients in the practice.
        #[arg(long, default_value_t = 10_000)]
        patients: usize,
        /// Reports posted (four in five matched, to the four GPs in turn).
        #[arg(long, default_value_t = 10_000)]
        reports: usize,
        /// Reports posted at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Times the first GP's inbox is opened.
        #[arg(long, default_value_t = 200)]
        opens: usize,
        /// Open inboxes (websocket subscriptions) of that GP.
        #[arg(long, default_value_t = 200)]
        watchers: usize,
        /// Reports posted while they are open.
        #[arg(long, default_value_t = 100)]
        live_reports: usize,
        /// Those reports a second.
        #[arg(long, default_value_t = 5)]
        rate: u64,
        /// A new directory for the benchmark's embedded database.
        #[arg(long)]
        db: String,
    },
    /// Sign-in brute force: page latency during a burst of real sign-ins,
    /// then guesses checked per account in `minutes`, sequential, in
    /// parallel from one address, and from many addresses.
    BruteForce {
        #[arg(long)]
        server_bin: String,
        #[arg(long, default_value = "target/site")]
        site_root: String,
        /// How long the attackers guess.
        #[arg(long, default_value_t = 15.0)]
        minutes: f64,
        /// Parallel attackers (and parallel real sign-ins in the burst).
        #[arg(long, default_value_t = 40)]
        parallel: usize,
    },
    /// The baseline: a websocket broadcast server with no database and no auth.
    BareServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Run {
            server_bin,
            site_root,
            clients,
            changes,
            rate,
            idle,
            db,
            settle,
        } => {
            run(
                server_bin, site_root, clients, changes, rate, idle, db, settle,
            )
            .await
        }
        Cmd::Tasks {
            server_bin,
            site_root,
            clients,
            writers,
            changes,
            rate,
            db,
        } => tasks::run(server_bin, site_root, clients, writers, changes, rate, db).await,
        Cmd::Search {
            server_bin,
            site_root,
            patients,
            queries,
            db,
        } => search::run(server_bin, site_root, patients, queries, db).await,
        Cmd::Fhir {
            server_bin,
            site_root,
            patients,
            queries,
            db,
        } => fhir::run(server_bin, site_root, patients, queries, db).await,
        Cmd::Results {
            server_bin,
            site_root,
            patients,
            reports,
            concurrency,
            opens,
            watchers,
            live_reports,
            rate,
            db,
        } => {
            let sizes = results::Sizes {
                patients,
                reports,
                concurrency,
                opens,
                watchers,
                live_reports,
                rate,
            };
            results::run(server_bin, site_root, db, sizes).await
        }
        Cmd::BruteForce {
            server_bin,
            site_root,
            minutes,
            parallel,
        } => brute::run(server_bin, site_root, minutes, parallel).await,
        Cmd::BareServer { listen } => {
            raise_fd_limit();
            bare_server(listen).await
        }
    }
}
