//! The team-tasks benchmark (`openpractice-load tasks`): the real server
//! (`--demo`), N clients watching the Prescriptions team list over real
//! websockets, and W writers (each its own signed-in session) creating,
//! claiming and commenting on tasks through the real server functions. For
//! every change it times request → the moment the *last* client holds that
//! change (that state of the task or a newer one), and checks that no
//! change is lost, none is delivered twice, and the outbox `seq` advanced by
//! exactly one per change.

use crate::{next_message, open_socket, percentile, sign_in_as, subscribe, Proc};
use anyhow::{bail, Context, Result};
use domain::live::{Rows, ServerMessage, Topic};
use domain::task::TaskView;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The demo's staff; writers sign in as these in turn (a person may hold
/// several sessions).
const WRITERS: [&str; 11] = [
    "admin",
    "admin2",
    "reception",
    "reception2",
    "reception3",
    "gp",
    "gp2",
    "gp3",
    "gp4",
    "nurse",
    "nurse2",
];

/// A task's state as the benchmark tracks it: (version, comments).
type State = (i64, i64);

/// What one client saw: task id → every state it received, with when.
struct Seen {
    states: HashMap<String, Vec<(State, Instant)>>,
    duplicates: usize,
    last_seq: u64,
    snapshot_seq: u64,
}

fn state(t: &TaskView) -> State {
    (t.version, t.comment_count)
}

async fn client(
    addr: String,
    cookie: String,
    topic: Topic,
    ready: Arc<tokio::sync::Semaphore>,
    stop: Arc<tokio::sync::Notify>,
    gate: Arc<tokio::sync::Semaphore>,
) -> Result<Seen> {
    let permit = gate.acquire().await?;
    let mut ws = open_socket(&addr, "/ws", Some(&cookie)).await?;
    subscribe(&mut ws, topic).await?;
    drop(permit);
    let mut seen = Seen {
        states: HashMap::new(),
        duplicates: 0,
        last_seq: 0,
        snapshot_seq: 0,
    };
    while let Some((message, at)) = next_message(&mut ws, &stop).await? {
        match message {
            ServerMessage::Snapshot { seq, .. } => {
                seen.snapshot_seq = seq;
                seen.last_seq = seq;
                ready.add_permits(1);
            }
            ServerMessage::Changes {
                seq,
                rows: Rows::Tasks(tasks),
                ..
            } => {
                seen.last_seq = seen.last_seq.max(seq);
                for t in tasks {
                    let s = state(&t);
                    let held = seen.states.entry(t.id).or_default();
                    if held.iter().any(|(h, _)| *h == s) {
                        seen.duplicates += 1;
                    } else {
                        held.push((s, at));
                    }
                }
            }
            ServerMessage::Refused { message, .. } => bail!("refused: {message}"),
            _ => {}
        }
    }
    let _ = ws.close(None).await;
    Ok(seen)
}

/// POSTs a server function form as a signed-in writer; returns the task.
async fn call(
    http: &reqwest::Client,
    addr: &str,
    cookie: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Result<TaskView> {
    let res = http
        .post(format!("http://{addr}/api/{endpoint}"))
        .header("origin", format!("http://{addr}"))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .form(form)
        .send()
        .await?;
    if !res.status().is_success() {
        bail!(
            "{endpoint} failed: {} {}",
            res.status(),
            res.text().await.unwrap_or_default()
        );
    }
    Ok(res.json().await?)
}

/// One writer: create → claim → comment, over and over, `ops` changes at
/// `rate` per second. Returns (task id, state, when the request started).
async fn writer(
    http: reqwest::Client,
    addr: String,
    cookie: String,
    team: String,
    n: usize,
    ops: usize,
    rate: f64,
) -> Result<Vec<(String, State, Instant)>> {
    let mut done = Vec::with_capacity(ops);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let assignee = format!("team:{team}");
    let mut current: Option<TaskView> = None;
    for i in 0..ops {
        tick.tick().await;
        let t0 = Instant::now();
        let t = match (i % 3, &current) {
            (1, Some(t)) => {
                let version = t.version.to_string();
                call(
                    &http,
                    &addr,
                    &cookie,
                    "task_action",
                    &[("id", &t.id), ("version", &version), ("action", "claim")],
                )
                .await?
            }
            (2, Some(t)) => {
                call(
                    &http,
                    &addr,
                    &cookie,
                    "comment_on_task",
                    &[("id", &t.id), ("comment", "Checked: done.")],
                )
                .await?
            }
            _ => {
                let title = format!("Load test {n}-{i}: repeat prescription");
                call(
                    &http,
                    &addr,
                    &cookie,
                    "create_task",
                    &[
                        ("title", &title),
                        ("details", ""),
                        ("priority", "routine"),
                        ("assignee", &assignee),
                    ],
                )
                .await?
            }
        };
        done.push((t.id.clone(), state(&t), t0));
        current = Some(t);
    }
    Ok(done)
}

pub async fn run(
    server_bin: String,
    site_root: String,
    clients: usize,
    writers: usize,
    changes: usize,
    rate: u64,
    db: String,
) -> Result<()> {
    crate::raise_fd_limit();
    println!("openpractice-load tasks: {clients} team-list clients, {writers} writers, {changes} changes at {rate}/s");
    let server = Proc::real(&server_bin, &db, &site_root)?;
    let http = reqwest::Client::new();
    let watcher = sign_in_as(&http, &server.addr, "admin").await?;
    let teams: Vec<(String, String)> = http
        .post(format!("http://{}/api/teams", server.addr))
        .header("origin", format!("http://{}", server.addr))
        .header("cookie", &watcher)
        .header("accept", "application/json")
        .send()
        .await?
        .json()
        .await?;
    let team = teams
        .into_iter()
        .find(|(_, n)| n == "Prescriptions")
        .map(|(id, _)| id)
        .context("no Prescriptions team")?;
    let topic = Topic::TeamTasks { team: team.clone() };

    let ready = Arc::new(tokio::sync::Semaphore::new(0));
    let stop = Arc::new(tokio::sync::Notify::new());
    let gate = Arc::new(tokio::sync::Semaphore::new(100));
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            tokio::spawn(client(
                server.addr.clone(),
                watcher.clone(),
                topic.clone(),
                ready.clone(),
                stop.clone(),
                gate.clone(),
            ))
        })
        .collect();
    tokio::time::timeout(Duration::from_secs(300), ready.acquire_many(clients as u32))
        .await
        .context("clients did not all get their snapshot")??
        .forget();

    let mut writer_handles = Vec::new();
    let per_writer = changes / writers.max(1);
    for n in 0..writers {
        let cookie = sign_in_as(&http, &server.addr, WRITERS[n % WRITERS.len()]).await?;
        writer_handles.push(tokio::spawn(writer(
            http.clone(),
            server.addr.clone(),
            cookie,
            team.clone(),
            n,
            per_writer,
            rate as f64 / writers.max(1) as f64,
        )));
    }
    let mut done = Vec::new();
    for h in writer_handles {
        done.extend(h.await??);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.notify_waiters();
    let mut seen = Vec::new();
    for h in handles {
        seen.push(h.await??);
    }

    let mut lost = 0;
    let mut latencies = Vec::new();
    for (id, s, t0) in &done {
        let mut last = None::<Instant>;
        for client in &seen {
            // The first state this client received that includes the change.
            let first = client
                .states
                .get(id)
                .into_iter()
                .flatten()
                .filter(|(held, _)| held.0 >= s.0 && held.1 >= s.1)
                .map(|(_, at)| *at)
                .min();
            match first {
                Some(at) => last = Some(last.map_or(at, |l: Instant| l.max(at))),
                None => lost += 1,
            }
        }
        if let Some(last) = last {
            latencies.push(last.saturating_duration_since(*t0).as_secs_f64() * 1000.0);
        }
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let duplicates: usize = seen.iter().map(|c| c.duplicates).sum();
    let advanced = seen
        .iter()
        .map(|c| c.last_seq.saturating_sub(c.snapshot_seq))
        .min()
        .unwrap_or(0);
    println!(
        "team list, {clients} clients: p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms   changes {}   lost {lost}   duplicated {duplicates}   seq advanced {advanced} (every client)",
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(f64::NAN),
        done.len(),
    );
    if lost > 0 || duplicates > 0 || advanced != done.len() as u64 {
        bail!("changes were lost or duplicated, or the seq did not advance once per change");
    }
    Ok(())
}
