//! Start-up and shutdown: open (and migrate) the database, seed the demo
//! practice when asked, serve until SIGTERM/SIGINT, finish in-flight
//! requests, then close the database.

use crate::config::Cli;
use crate::live::hub::Hub;
use crate::live::presence::RelayConfig;
use crate::{app, ServerState};
use anyhow::Context;
use app::state::{AppState, AuthConfig};
use indicatif::{ProgressBar, ProgressStyle};
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::time::Duration;
use store::Store;

/// Builds the server's state from configuration, given an open store.
pub fn state_from_cli(cli: &Cli, store: Store) -> ServerState {
    let serve = &cli.serve;
    let leptos = LeptosOptions::builder()
        .output_name("openpractice")
        .site_root(serve.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(serve.listen)
        .env(leptos::config::Env::PROD)
        .build();
    let https = serve
        .public_origin
        .as_deref()
        .is_some_and(|o| o.starts_with("https://"));
    ServerState {
        leptos,
        hub: Hub::start_with(
            store.clone(),
            RelayConfig {
                bind: serve.presence_bind,
                advertise: serve.presence_advertise.clone(),
            },
        ),
        app: AppState {
            store,
            auth: AuthConfig {
                secure_cookies: serve.secure_cookies || https,
                idle_timeout: Duration::from_secs(serve.idle_timeout_minutes * 60),
                absolute_lifetime: Duration::from_secs(serve.session_hours * 3600),
                ..AuthConfig::default()
            },
            demo: serve.demo,
            waiting: domain::live::WaitThresholds {
                amber_minutes: serve.wait_amber_minutes,
                red_minutes: serve.wait_red_minutes,
            },
            trusted_proxies: serve.trusted_proxy.clone(),
        },
        public_origin: serve.public_origin.clone(),
    }
}

async fn seed_demo_with_progress(store: &Store, histories: bool) -> anyhow::Result<()> {
    let bar = ProgressBar::new(6);
    bar.set_style(
        ProgressStyle::with_template("Seeding demo practice [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: u64, total: u64, what: &str| {
        bar.set_length(total);
        bar.set_position(done);
        bar.set_message(what.to_string());
    };
    let seeded = store::demo::seed_demo(store, &progress)
        .await
        .context("seeding the demo practice")?;
    bar.finish_and_clear();
    let Some(s) = seeded else {
        tracing::info!("demo practice already present");
        return Ok(());
    };
    tracing::info!(
        patients = s.patients,
        staff = s.staff,
        appointments = s.appointments,
        tasks = s.tasks,
        "seeded the demo practice"
    );
    if !histories {
        return Ok(());
    }
    // Their clinical histories arrive through the importer, as a
    // practice's records would.
    let bar = ProgressBar::new(s.patients as u64);
    bar.set_style(
        ProgressStyle::with_template("Importing demo histories [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let report = crate::fhir::demo::load(store, &s.practice_id, &|done, _| {
        bar.set_position(done as u64)
    })
    .await
    .context("importing the demo practice's histories")?;
    bar.finish_and_clear();
    if let Some(first) = report.refusals.first() {
        anyhow::bail!(
            "the demo histories were refused by the importer ({} refusals; the first: {first})",
            report.refusals.len()
        );
    }
    tracing::info!(
        patients = report.tally.added_to,
        entries = report.tally.items,
        observations = report.tally.observations,
        seconds = started.elapsed().as_secs_f64(),
        "imported the demo practice's histories"
    );
    Ok(())
}

pub async fn run(cli: &Cli) -> anyhow::Result<()> {
    if cli.serve.wait_red_minutes <= cli.serve.wait_amber_minutes {
        anyhow::bail!(
            "--wait-red-minutes ({}) must be more than --wait-amber-minutes ({})",
            cli.serve.wait_red_minutes,
            cli.serve.wait_amber_minutes
        );
    }
    // Off this machine, the Origin check and the cookie's Secure flag need
    // to know the address people use.
    if !cli.serve.listen.ip().is_loopback() && cli.serve.public_origin.is_none() {
        anyhow::bail!(
            "--listen {} is reachable from other machines: give --public-origin (the https:// \
             address people use, e.g. https://portal.example.nhs.uk) as well",
            cli.serve.listen
        );
    }
    if let Some(origin) = &cli.serve.public_origin {
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .unwrap_or_default();
        if host.is_empty()
            || host
                .trim_end_matches('/')
                .contains(['/', '?', '#', '@', ' '])
        {
            anyhow::bail!(
                "--public-origin \"{origin}\" is not an origin: give scheme and host only, e.g. https://portal.example.nhs.uk"
            );
        }
    }
    let options = cli.db.connect_options()?;
    tracing::info!(database = %options.target.describe(), "opening database");
    let store = Store::open(&options)
        .await
        .context("opening the database")?;
    if cli.serve.demo {
        seed_demo_with_progress(&store, cli.serve.demo_histories).await?;
    } else if store.staff_count().await? == 0 {
        tracing::warn!(
            "this database has no staff accounts: create the first with \
             `openpractice admin create-user --role admin --username NAME --name \"FULL NAME\" --practice-name \"PRACTICE\"`"
        );
    }

    let state = state_from_cli(cli, store.clone());
    let housekeeping = tokio::spawn(expire_sessions(state.clone()));

    let listener = tokio::net::TcpListener::bind(cli.serve.listen)
        .await
        .with_context(|| format!("listening on {}", cli.serve.listen))?;
    let addr = listener.local_addr()?;
    // A plain line on stdout that scripts and the end-to-end tests wait for.
    println!("OpenPractice listening on http://{addr}");
    tracing::info!(%addr, "listening");

    let hub = state.hub.clone();
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")?;

    // Tell the other servers this one's people have left.
    hub.presence().stop(true);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The hub holds a database handle; the database closes only when every
    // handle is gone.
    drop(hub);

    housekeeping.abort();
    let _ = housekeeping.await;
    tracing::info!("in-flight requests finished; closing the database");
    if store.close(Duration::from_secs(10)).await {
        tracing::info!("database closed; stopped");
    } else {
        tracing::warn!("the database did not close within 10 s; stopping anyway");
    }
    Ok(())
}

/// Ends expired and idle sessions every few minutes (they are also refused
/// on use; this keeps the table small).
/// Every 5 minutes: end expired sessions; every other time (and at start),
/// print the audit chain's head to the log, a record outside the database
/// that `admin verify-audit --expect-head` checks the trail against.
async fn expire_sessions(state: ServerState) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    for n in 0u64.. {
        tick.tick().await;
        if n % 2 == 0 {
            match state.app.store.audit_head().await {
                Ok(Some(head)) => tracing::info!(
                    head = %format!("{}:{}", head.seq, head.hash),
                    "audit head"
                ),
                Ok(None) => tracing::info!("audit head: no entries yet"),
                Err(e) => tracing::warn!(error = %e, "reading the audit head failed"),
            }
        }
        let now = chrono::Utc::now();
        let idle = chrono::Duration::from_std(state.app.auth.idle_timeout)
            .unwrap_or(chrono::Duration::hours(1));
        if let Err(e) = state
            .app
            .store
            .delete_expired_sessions(now, now - idle)
            .await
        {
            tracing::warn!(error = %e, "session housekeeping failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
