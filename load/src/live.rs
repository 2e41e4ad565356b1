//! The waiting-room live-update benchmark and its bare broadcast baseline.

use crate::*;
use anyhow::{bail, Context, Result};
use domain::live::{AppointmentView, ClientMessage, Rows, ServerMessage, Topic};
use std::sync::Arc;
use tokio::sync::Mutex;

#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
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
pub(crate) async fn bare_server(listen: String) -> Result<()> {
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
                                        let snap = ServerMessage::Snapshot { topic, seq: 0, rows: Rows::Appointments(vec![]) };
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
                    clinic_session_id: String::new(),
                    cancel_reason: None,
                };
                let msg = ServerMessage::Changes { topic: Topic::CallScreen, seq: n, rows: Rows::Appointments(vec![row]) };
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
