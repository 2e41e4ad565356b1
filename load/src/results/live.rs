//! Phase 3 of the results benchmark: W open inboxes of one GP (over as
//! many sessions as a session's socket limit needs) and reports posted
//! for them at a steady rate: post → the last inbox has the row.

use super::{bundle, line, post, Sizes, GPS};
use crate::{next_message, open_socket, sign_in_as, subscribe};
use anyhow::{bail, Context, Result};
use domain::book::PatientHit;
use domain::live::{Rows, ServerMessage, Topic};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// When each open inbox first had each report: report id → times.
type Arrivals = HashMap<String, Vec<Instant>>;

#[allow(clippy::too_many_arguments)]
pub(super) async fn run(
    http: &reqwest::Client,
    addr: &str,
    base: &str,
    token: &str,
    cookie: &str,
    owner: &str,
    samples: &[PatientHit],
    s: &Sizes,
) -> Result<()> {
    let topic = Topic::Inbox {
        staff: owner.to_string(),
    };
    let arrivals = Arc::new(tokio::sync::Mutex::new(Arrivals::new()));
    let duplicates = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let ready = Arc::new(tokio::sync::Semaphore::new(0));
    let stop = Arc::new(tokio::sync::Notify::new());
    let mut tasks = Vec::new();
    // The GP signed in on as many tablets as it takes: a session may hold
    // only so many sockets.
    let per_session = domain::live::MAX_SOCKETS_PER_SESSION;
    let mut cookies = vec![cookie.to_string()];
    while cookies.len() * per_session < s.watchers {
        cookies.push(sign_in_as(http, addr, GPS[0]).await?);
    }
    for w in 0..s.watchers {
        let mut ws = open_socket(addr, "/ws", Some(&cookies[w / per_session])).await?;
        subscribe(&mut ws, topic.clone()).await?;
        let (arrivals, duplicates, ready, stop) = (
            arrivals.clone(),
            duplicates.clone(),
            ready.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut seen: HashSet<String> = HashSet::new();
            while let Some((message, at)) = next_message(&mut ws, &stop).await? {
                match message {
                    ServerMessage::Snapshot {
                        rows: Rows::Results(window),
                        ..
                    } => {
                        seen.extend(window.rows.into_iter().map(|r| r.id));
                        ready.add_permits(1);
                    }
                    ServerMessage::Changes {
                        rows: Rows::Results(window),
                        ..
                    } => {
                        let mut a = arrivals.lock().await;
                        for r in window.rows {
                            if seen.insert(r.id.clone()) {
                                a.entry(r.id).or_default().push(at);
                            } else {
                                duplicates.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                    }
                    ServerMessage::Refused { message, .. } => bail!("refused: {message}"),
                    _ => {}
                }
            }
            Ok(())
        }));
    }
    tokio::time::timeout(
        Duration::from_secs(300),
        ready.acquire_many(s.watchers as u32),
    )
    .await
    .context("the inboxes did not all open within 300 s")??
    .forget();
    let mut sent = Vec::with_capacity(s.live_reports);
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / s.rate.max(1)));
    for i in 0..s.live_reports {
        tick.tick().await;
        let n = 1_000_000 + i;
        let p = &samples[n % samples.len()];
        let body = bundle(n, p, &p.date_of_birth, owner).to_string();
        let t0 = Instant::now();
        let (id, _) = post(http, base, token, body).await?;
        sent.push((id, t0));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.notify_waiters();
    for t in tasks {
        t.await??;
    }
    let arrivals = arrivals.lock().await;
    let mut lost = 0;
    let mut times = Vec::new();
    for (id, t0) in &sent {
        let at = arrivals.get(id).map(Vec::as_slice).unwrap_or_default();
        lost += s.watchers - at.len().min(s.watchers);
        if let Some(last) = at.iter().max() {
            times.push(last.duration_since(*t0).as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    line(
        "report → last of the open inboxes",
        &times,
        &format!(
            "({} reports at {}/s, {} inboxes; lost {lost}, duplicated {})",
            sent.len(),
            s.rate,
            s.watchers,
            duplicates.load(std::sync::atomic::Ordering::Relaxed)
        ),
    );
    Ok(())
}
