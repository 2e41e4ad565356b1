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

mod search;
mod tasks;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use domain::live::{AppointmentView, ClientMessage, ServerMessage, Topic};
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

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
    /// The baseline: a websocket broadcast server with no database and no auth.
    BareServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
}

fn raise_fd_limit() {
    // SAFETY: getrlimit/setrlimit with a valid, owned struct.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

struct Proc {
    child: Child,
    addr: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    fn start(mut cmd: Command, marker: &str) -> Result<Proc> {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting a server")?;
        let stdout = child.stdout.take().context("stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        let marker = marker.to_string();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if let Some(rest) = line.strip_prefix(&marker) {
                    let _ = tx.send(rest.trim().trim_start_matches("http://").to_string());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(180))
            .map_err(|_| anyhow!("the server did not start"))?;
        Ok(Proc { child, addr })
    }

    /// The real server: `--demo` on `db`, any free port, warnings only.
    fn real(server_bin: &str, db: &str, site_root: &str) -> Result<Proc> {
        let mut cmd = Command::new(server_bin);
        cmd.args([
            "--db",
            db,
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--site-root",
            site_root,
        ])
        .env("RUST_LOG", "warn");
        Proc::start(cmd, "OpenPractice listening on ")
    }

    /// The bare broadcast baseline (this binary's `bare-server`).
    fn bare() -> Result<Proc> {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.args(["bare-server", "--listen", "127.0.0.1:0"]);
        Proc::start(cmd, "bare server listening on ")
    }

    fn rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmRSS")
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open_socket(addr: &str, path: &str, cookie: Option<&str>) -> Result<Ws> {
    let mut req = format!("ws://{addr}{path}").into_client_request()?;
    req.headers_mut()
        .insert("origin", format!("http://{addr}").parse()?);
    if let Some(c) = cookie {
        req.headers_mut().insert("cookie", c.parse()?);
    }
    let (ws, _) = tokio_tungstenite::connect_async(req).await?;
    Ok(ws)
}

/// What one client saw: (appointment id, version) → when it arrived.
type Seen = HashMap<(String, i64), Instant>;

struct Clients {
    tasks: Vec<tokio::task::JoinHandle<Result<(Seen, usize, u64)>>>,
    first_snapshot: Vec<AppointmentView>,
    snapshot_seq: u64,
    stop: Arc<tokio::sync::Notify>,
}

/// Opens `n` clients, subscribes each, waits for every snapshot.
async fn open_clients(
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
            let sub = ClientMessage::Subscribe { topic, since: None };
            ws.send(Message::text(serde_json::to_string(&sub)?)).await?;
            drop(permit);
            let mut seen = Seen::new();
            let mut duplicates = 0;
            let mut last_seq = 0;
            loop {
                let frame = tokio::select! {
                    f = ws.next() => f,
                    _ = stop.notified() => break,
                };
                let Some(frame) = frame else {
                    bail!("a socket closed")
                };
                let Message::Text(text) = frame? else {
                    continue;
                };
                let at = Instant::now();
                match serde_json::from_str::<ServerMessage>(text.as_str())? {
                    ServerMessage::Snapshot {
                        appointments, seq, ..
                    } => {
                        last_seq = seq;
                        let mut f = first.lock().await;
                        if f.is_none() {
                            *f = Some((appointments, seq));
                        }
                        ready.add_permits(1);
                    }
                    ServerMessage::Changes {
                        appointments, seq, ..
                    } => {
                        last_seq = last_seq.max(seq);
                        for a in appointments {
                            if seen.insert((a.id, a.version), at).is_some() {
                                duplicates += 1;
                            }
                        }
                    }
                    ServerMessage::Refused { message, .. } => bail!("refused: {message}"),
                    ServerMessage::Pong
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

struct Outcome {
    latencies_ms: Vec<f64>,
    lost: usize,
    duplicates: usize,
    seq_advance: u64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Drives `changes` changes at `rate`/s with `drive(i)` (which returns the
/// (id, version) the change produced), then collects what clients saw.
async fn measure<F, Fut>(clients: Clients, changes: usize, rate: u64, drive: F) -> Result<Outcome>
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
async fn idle_cost(
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

async fn sign_in(http: &reqwest::Client, addr: &str) -> Result<String> {
    sign_in_as(http, addr, "reception").await
}

/// Signs in as a demo user; returns the session cookie.
async fn sign_in_as(http: &reqwest::Client, addr: &str, username: &str) -> Result<String> {
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

fn report(name: &str, o: &Outcome, changes: usize) {
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

#[allow(clippy::too_many_arguments)]
async fn run(
    server_bin: String,
    site_root: String,
    clients: usize,
    changes: usize,
    rate: u64,
    idle: usize,
    db: String,
    settle: u64,
) -> Result<()> {
    raise_fd_limit();
    println!(
        "openpractice-load: {clients} clients, {changes} changes at {rate}/s, {idle} idle sockets"
    );
    // 1. The real server.
    let server = Proc::real(&server_bin, &db, &site_root)?;
    let http = reqwest::Client::new();
    let cookie = sign_in(&http, &server.addr).await?;
    let info: serde_json::Value = http
        .post(format!("http://{}/api/day_info", server.addr))
        .header("origin", format!("http://{}", server.addr))
        .header("cookie", &cookie)
        .header("accept", "application/json")
        .send()
        .await?
        .json()
        .await?;
    let today = info["today"].as_str().context("today")?.to_string();
    let topic = Topic::WaitingRoom { date: today };
    let c = open_clients(clients, &server.addr, "/ws", Some(&cookie), topic.clone()).await?;
    // Cycle booked appointments: arrive, then undo, and again.
    let pool: Vec<(String, i64)> = c
        .first_snapshot
        .iter()
        .filter(|a| a.status == domain::appointment_status::Status::Booked)
        .map(|a| (a.id.clone(), a.version))
        .collect();
    if pool.is_empty() {
        bail!("no booked appointments today to drive");
    }
    let versions = Arc::new(Mutex::new(pool));
    let addr = server.addr.clone();
    let real = measure(c, changes, rate, |i| {
        let (http, cookie, addr, versions) =
            (http.clone(), cookie.clone(), addr.clone(), versions.clone());
        async move {
            let (id, version) = {
                let v = versions.lock().await;
                v[i % v.len()].clone()
            };
            let action = if version % 2 == 1 {
                "mark_arrived"
            } else {
                "undo_arrival"
            };
            let res = http
                .post(format!("http://{addr}/api/appointment_action"))
                .header("origin", format!("http://{addr}"))
                .header("cookie", &cookie)
                .header("accept", "application/json")
                .form(&[
                    ("id", id.as_str()),
                    ("version", &version.to_string()),
                    ("action", action),
                ])
                .send()
                .await?;
            if !res.status().is_success() {
                bail!(
                    "{action} failed: {} {}",
                    res.status(),
                    res.text().await.unwrap_or_default()
                );
            }
            let view: AppointmentView = res.json().await?;
            let mut v = versions.lock().await;
            let n = v.len();
            v[i % n].1 = view.version;
            Ok((view.id, view.version))
        }
    })
    .await?;

    // 2. The bare baseline.
    let bare = Proc::bare()?;
    let c = open_clients(clients, &bare.addr, "/ws", None, topic).await?;
    let bare_addr = bare.addr.clone();
    let baseline = measure(c, changes, rate, |i| {
        let (http, addr) = (http.clone(), bare_addr.clone());
        async move {
            let id = format!("bare-{i}");
            let res = http
                .post(format!("http://{addr}/change/{id}"))
                .send()
                .await?;
            if !res.status().is_success() {
                bail!("bare change failed");
            }
            Ok((id, 1))
        }
    })
    .await?;

    println!();
    report("OpenPractice (real server)", &real, changes);
    report("bare broadcast baseline", &baseline, changes);
    let ratio = percentile(&real.latencies_ms, 99.0) / percentile(&baseline.latencies_ms, 99.0);
    println!("p99 ratio real / bare: {ratio:.2}");
    println!(
        "gap-free seq: {} (advanced {} for {} changes)",
        if real.seq_advance == changes as u64 {
            "yes"
        } else {
            "NO"
        },
        real.seq_advance,
        changes
    );

    if idle > 0 {
        // Fresh processes, so memory freed by the run above (which the
        // allocator would reuse) cannot hide what the sockets cost.
        drop(server);
        drop(bare);
        let idle_db = if db == "mem://" {
            db.clone()
        } else {
            format!("{db}-idle")
        };
        let server = Proc::real(&server_bin, &idle_db, &site_root)?;
        let cookie = sign_in(&http, &server.addr).await?;
        let bare = Proc::bare()?;
        for (name, proc, cookie) in [
            ("real", &server, Some(cookie.as_str())),
            ("bare", &bare, None),
        ] {
            let (first, second, opened) = idle_cost(proc, idle, "/ws", cookie, settle).await?;
            println!(
                "idle sockets, {name} server (fresh process): {opened} open at once; RSS growth per socket: \
                 {first:.1} KiB for the first half, {second:.1} KiB for the second half"
            );
        }
    }
    if real.lost > 0 || real.duplicates > 0 || real.seq_advance != changes as u64 {
        bail!("changes were lost, duplicated or the seq was not gap-free");
    }
    Ok(())
}

/// The baseline server: every POST /change/<id> is broadcast to every socket
/// as a one-row `Changes` message of the same shape the real server sends.
async fn bare_server(listen: String) -> Result<()> {
    use axum::extract::ws::{Message as AxMessage, WebSocketUpgrade};
    use axum::extract::{Path, State};
    use axum::routing::{get, post};
    let (tx, _) = tokio::sync::broadcast::channel::<axum::extract::ws::Utf8Bytes>(256);
    let seq = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let app = axum::Router::new()
        .route(
            "/ws",
            get(|State((tx, _)): State<(tokio::sync::broadcast::Sender<axum::extract::ws::Utf8Bytes>, Arc<std::sync::atomic::AtomicU64>)>, ws: WebSocketUpgrade| async move {
                ws.read_buffer_size(4096).write_buffer_size(4096).on_upgrade(move |mut socket| async move {
                    let mut rx = tx.subscribe();
                    loop {
                        tokio::select! {
                            m = socket.recv() => match m {
                                Some(Ok(AxMessage::Text(t))) => {
                                    if let Ok(ClientMessage::Subscribe { topic, .. }) = serde_json::from_str(t.as_str()) {
                                        let snap = ServerMessage::Snapshot { topic, seq: 0, appointments: vec![], calls: vec![], tasks: vec![] };
                                        if let Ok(s) = serde_json::to_string(&snap) {
                                            if socket.send(AxMessage::Text(s.into())).await.is_err() { break; }
                                        }
                                    }
                                }
                                Some(Ok(_)) => {}
                                _ => break,
                            },
                            b = rx.recv() => match b {
                                Ok(text) => if socket.send(AxMessage::Text(text)).await.is_err() { break },
                                Err(_) => break,
                            },
                        }
                    }
                })
            }),
        )
        .route(
            "/change/{id}",
            post(|State((tx, seq)): State<(tokio::sync::broadcast::Sender<axum::extract::ws::Utf8Bytes>, Arc<std::sync::atomic::AtomicU64>)>, Path(id): Path<String>| async move {
                let n = seq.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                let row = AppointmentView {
                    id,
                    version: 1,
                    date: String::new(),
                    start: "09:00".into(),
                    duration_minutes: 10,
                    clinician_id: String::new(),
                    clinician_name: "Dr Bare".into(),
                    room: "Room 1".into(),
                    patient_id: String::new(),
                    patient_name: "Mr Bare BASELINE".into(),
                    patient_date_of_birth: "1970-01-01".into(),
                    kind: "face_to_face".into(),
                    reason: None,
                    status: domain::appointment_status::Status::Arrived,
                    arrived_at: None,
                    updated_at: String::new(),
                    updated_by: None,
                };
                let msg = ServerMessage::Changes { topic: Topic::CallScreen, seq: n, appointments: vec![row], calls: vec![], tasks: vec![] };
                if let Ok(s) = serde_json::to_string(&msg) {
                    let _ = tx.send(s.into());
                }
                "ok"
            }),
        )
        .with_state((tx, seq));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("bare server listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
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
        Cmd::BareServer { listen } => {
            raise_fd_limit();
            bare_server(listen).await
        }
    }
}
