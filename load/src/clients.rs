//! Websocket clients, timing, sign-in, and reports shared by the benchmarks.

use crate::*;
use anyhow::{bail, Context, Result};
use domain::live::{AppointmentView, ClientMessage, Rows, ServerMessage, Topic};
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub(crate) async fn open_socket(addr: &str, path: &str, cookie: Option<&str>) -> Result<Ws> {
    let mut req = format!("ws://{addr}{path}").into_client_request()?;
    req.headers_mut()
        .insert("origin", format!("http://{addr}").parse()?);
    if let Some(c) = cookie {
        req.headers_mut().insert("cookie", c.parse()?);
    }
    let (ws, _) = tokio_tungstenite::connect_async(req).await?;
    Ok(ws)
}

/// Subscribes `ws` to `topic` from now (a snapshot first).
pub(crate) async fn subscribe(ws: &mut Ws, topic: Topic) -> Result<()> {
    let sub = ClientMessage::Subscribe { topic, since: None };
    ws.send(Message::text(serde_json::to_string(&sub)?)).await?;
    Ok(())
}

/// The next message on `ws` and when it arrived; `None` once `stop` is
/// notified. A socket that closes before then is an error: a client of a
/// live list must never silently lose its feed.
pub(crate) async fn next_message(
    ws: &mut Ws,
    stop: &tokio::sync::Notify,
) -> Result<Option<(ServerMessage, Instant)>> {
    loop {
        let frame = tokio::select! {
            f = ws.next() => f,
            _ = stop.notified() => return Ok(None),
        };
        let Some(frame) = frame else {
            bail!("a socket closed")
        };
        let Message::Text(text) = frame? else {
            continue;
        };
        let at = Instant::now();
        return Ok(Some((serde_json::from_str(text.as_str())?, at)));
    }
}

/// What one client saw: (appointment id, version) → when it arrived.
pub(crate) type Seen = HashMap<(String, i64), Instant>;

pub(crate) struct Clients {
    pub(crate) tasks: Vec<tokio::task::JoinHandle<Result<(Seen, usize, u64)>>>,
    pub(crate) first_snapshot: Vec<AppointmentView>,
    pub(crate) snapshot_seq: u64,
    pub(crate) stop: Arc<tokio::sync::Notify>,
}

/// Opens `n` clients, subscribes each, waits for every snapshot.
pub(crate) async fn open_clients(
    n: usize,
    addr: &str,
    path: &str,
    cookie: Option<&str>,
    topic: Topic,
) -> Result<Clients> {
    let stop = Arc::new(tokio::sync::Notify::new());
    let first = Arc::new(Mutex::new(None::<(Vec<AppointmentView>, u64)>));
    let ready = Arc::new(tokio::sync::Semaphore::new(0));
    let mut tasks = Vec::new();
    let connect_gate = Arc::new(tokio::sync::Semaphore::new(100));
    for _ in 0..n {
        let (addr, path, cookie, topic) = (
            addr.to_string(),
            path.to_string(),
            cookie.map(String::from),
            topic.clone(),
        );
        let (stop, first, ready, gate) = (
            stop.clone(),
            first.clone(),
            ready.clone(),
            connect_gate.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let permit = gate.acquire().await?;
            let mut ws = open_socket(&addr, &path, cookie.as_deref()).await?;
            subscribe(&mut ws, topic).await?;
            drop(permit);
            let mut seen = Seen::new();
            let mut duplicates = 0;
            let mut last_seq = 0;
            while let Some((message, at)) = next_message(&mut ws, &stop).await? {
                match message {
                    ServerMessage::Snapshot {
                        rows: Rows::Appointments(appointments),
                        seq,
                        ..
                    } => {
                        last_seq = seq;
                        let mut f = first.lock().await;
                        if f.is_none() {
                            *f = Some((appointments, seq));
                        }
                        ready.add_permits(1);
                    }
                    ServerMessage::Changes {
                        rows: Rows::Appointments(appointments),
                        seq,
                        ..
                    } => {
                        last_seq = last_seq.max(seq);
                        for a in appointments {
                            if seen.insert((a.id, a.version), at).is_some() {
                                duplicates += 1;
                            }
                        }
                    }
                    ServerMessage::Refused { message, .. } => bail!("refused: {message}"),
                    ServerMessage::Snapshot { .. } | ServerMessage::Changes { .. } => {
                        bail!("rows of another kind on the waiting room")
                    }
                    ServerMessage::Pong
                    | ServerMessage::More { .. }
                    | ServerMessage::SettingsChanged
                    | ServerMessage::Presence { .. }
                    | ServerMessage::PresenceRefused { .. } => {}
                }
            }
            let _ = ws.close(None).await;
            Ok((seen, duplicates, last_seq))
        }));
    }
    let all = ready.acquire_many(n as u32);
    tokio::time::timeout(Duration::from_secs(300), all)
        .await
        .context("clients did not all get their snapshot within 300 s")??
        .forget();
    let (first_snapshot, snapshot_seq) = first.lock().await.take().unwrap_or_default();
    Ok(Clients {
        tasks,
        first_snapshot,
        snapshot_seq,
        stop,
    })
}

pub(crate) struct Outcome {
    pub(crate) latencies_ms: Vec<f64>,
    pub(crate) lost: usize,
    pub(crate) duplicates: usize,
    pub(crate) seq_advance: u64,
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Drives `changes` changes at `rate`/s with `drive(i)` (which returns the
/// (id, version) the change produced), then collects what clients saw.
pub(crate) async fn measure<F, Fut>(
    clients: Clients,
    changes: usize,
    rate: u64,
    drive: F,
) -> Result<Outcome>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(String, i64)>>,
{
    let mut sent: Vec<((String, i64), Instant)> = Vec::with_capacity(changes);
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
    for i in 0..changes {
        tick.tick().await;
        let t0 = Instant::now();
        let key = drive(i).await?;
        sent.push((key, t0));
    }
    // Let the last changes arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    clients.stop.notify_waiters();
    let mut seen_all = Vec::new();
    let mut duplicates = 0;
    let mut last_seq = 0;
    for t in clients.tasks {
        let (seen, d, seq) = t.await??;
        duplicates += d;
        last_seq = last_seq.max(seq);
        seen_all.push(seen);
    }
    let mut lost = 0;
    let mut latencies_ms = Vec::new();
    for (key, t0) in &sent {
        let mut last = None::<Instant>;
        for seen in &seen_all {
            match seen.get(key) {
                Some(at) => last = Some(last.map_or(*at, |l| l.max(*at))),
                None => lost += 1,
            }
        }
        if let Some(last) = last {
            latencies_ms.push(last.duration_since(*t0).as_secs_f64() * 1000.0);
        }
    }
    latencies_ms.sort_by(|a, b| a.total_cmp(b));
    Ok(Outcome {
        latencies_ms,
        lost,
        duplicates,
        seq_advance: last_seq.saturating_sub(clients.snapshot_seq),
    })
}

/// Opens idle sockets in batches of 250, `n` in all, in two halves kept
/// open together, and returns the server's RSS growth per socket for each
/// half, in KiB. The first half also pays for memory the allocator keeps
/// after the handshakes' transient work; the second half, opened while the
/// first is still connected, shows what each further live socket costs.
pub(crate) async fn idle_cost(
    server: &Proc,
    n: usize,
    path: &str,
    cookie: Option<&str>,
    settle: u64,
) -> Result<(f64, f64, usize)> {
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut sockets = Vec::with_capacity(n);
    let mut growth = Vec::new();
    for half in [n / 2, n - n / 2] {
        let before = server.rss_kib()?;
        let mut opened = 0;
        for chunk in (0..half).collect::<Vec<_>>().chunks(250) {
            let batch = futures::future::join_all(
                chunk
                    .iter()
                    .map(|_| open_socket(&server.addr, path, cookie)),
            )
            .await;
            for ws in batch {
                match ws {
                    Ok(ws) => {
                        sockets.push(ws);
                        opened += 1;
                    }
                    Err(e) => eprintln!("idle socket failed: {e}"),
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(settle)).await;
        let after = server.rss_kib()?;
        growth.push(after.saturating_sub(before) as f64 / opened.max(1) as f64);
    }
    let opened = sockets.len();
    drop(sockets);
    Ok((growth[0], growth[1], opened))
}

pub(crate) async fn sign_in(http: &reqwest::Client, addr: &str) -> Result<String> {
    sign_in_as(http, addr, "reception").await
}

/// Signs in as a demo user; returns the session cookie.
pub(crate) async fn sign_in_as(
    http: &reqwest::Client,
    addr: &str,
    username: &str,
) -> Result<String> {
    let res = http
        .post(format!("http://{addr}/api/sign_in"))
        .header("origin", format!("http://{addr}"))
        .header("accept", "application/json")
        .form(&[("username", username), ("password", "openpractice-demo")])
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("sign-in failed: {}", res.status());
    }
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("op_session="))
        .and_then(|v| v.split(';').next())
        .map(String::from)
        .context("no session cookie")
}

pub(crate) fn report(name: &str, o: &Outcome, changes: usize) {
    println!(
        "{name:<28} p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms   changes {:>4}   lost {}   duplicated {}   seq advanced {}",
        percentile(&o.latencies_ms, 50.0),
        percentile(&o.latencies_ms, 99.0),
        o.latencies_ms.last().copied().unwrap_or(f64::NAN),
        changes,
        o.lost,
        o.duplicates,
        o.seq_advance
    );
}
