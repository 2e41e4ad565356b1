//! The server tests' shared harness: a real server (`app()`) on an
//! in-memory SurrealDB with two small practices, driven with `oneshot` or on
//! a loopback port with real tokio-tungstenite websocket clients; requests
//! as a browser on the same origin sends them.

#![allow(dead_code)]

pub mod calls;
pub mod fhir;
pub mod fuzz;
pub mod http;
pub mod objects;
pub mod oracles;
pub mod results;
pub mod router;

#[allow(unused_imports)] // not every test binary uses both
pub use results::{
    filed_lab_report, filed_letter, lab_actor, lab_report, report_version, uploaded_letter,
};

use app::state::{AppState, AuthConfig};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use domain::live::{ClientMessage, ServerMessage, Topic};
use futures::{SinkExt, StreamExt};
use leptos::prelude::LeptosOptions;
use server::live::hub::Hub;
use server::{app, ServerState};
use std::net::SocketAddr;
use std::time::Duration;
use store::fixtures::{two_practices, SmallPractice};
use store::Store;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

pub const DATE: &str = "2026-11-21";

pub use store::fixtures::PASSWORD;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct World {
    pub store: Store,
    pub ours: SmallPractice,
    pub theirs: SmallPractice,
}

pub async fn world() -> World {
    let store = Store::memory().await.unwrap();
    let (ours, theirs) = two_practices(&store, DATE).await.unwrap();
    World {
        store,
        ours,
        theirs,
    }
}

/// `username` of practice `p`, as a signed-in member of staff (for
/// calling a service directly, as a page would).
/// This package's directory, as cargo names it when it runs the test
/// (the compile-time path is wrong when a checkout elsewhere, sharing the
/// target directory, built this test binary: cargo then reuses it).
pub fn package_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}

pub fn actor(p: &SmallPractice, username: &str) -> services::Actor {
    services::Actor::member(
        p.practice_id.clone(),
        p.staff_id(username).into(),
        p.name_of(username),
        p.role_of(username).expect("a fixture username"),
        Some("10.0.0.1".into()),
    )
}

pub fn state(store: &Store) -> ServerState {
    state_with_auth(store, AuthConfig::default())
}

pub fn state_with_auth(store: &Store, auth: AuthConfig) -> ServerState {
    ServerState {
        leptos: LeptosOptions::builder()
            .output_name("openpractice")
            .site_root("target/site")
            .build(),
        app: AppState {
            store: store.clone(),
            auth,
            demo: false,
            waiting: Default::default(),
            trusted_proxies: Vec::new(),
        },
        public_origin: None,
        hub: Hub::start(store.clone()),
    }
}

/// Serves `state` on a loopback port; returns "127.0.0.1:PORT".
pub async fn serve(state: ServerState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr.to_string()
}

pub fn form(path: &str, host: &str, body: String, cookie: Option<&str>) -> Request<Body> {
    post(
        path,
        host,
        "application/x-www-form-urlencoded",
        body,
        cookie,
    )
}

/// A same-origin POST from the test client's address.
pub fn post(
    path: &str,
    host: &str,
    content_type: &str,
    body: String,
    cookie: Option<&str>,
) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::HOST, host)
        .header(header::ORIGIN, format!("http://{host}"))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let mut req = b.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 40000))));
    req
}

/// Signs in through the real sign-in server function; returns the cookie.
pub async fn sign_in(state: &ServerState, host: &str, username: &str) -> String {
    let res = app(state.clone())
        .oneshot(form(
            "/api/sign_in",
            host,
            format!(
                "username={username}&password={}",
                PASSWORD.replace(' ', "+")
            ),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("op_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap()
}

/// Calls the appointment action server function; returns (status, body).
pub async fn act(
    state: &ServerState,
    host: &str,
    cookie: &str,
    id: &str,
    version: i64,
    action: &str,
) -> (StatusCode, String) {
    let res = app(state.clone())
        .oneshot(form(
            "/api/appointment_action",
            host,
            format!("id={id}&version={version}&action={action}"),
            Some(cookie),
        ))
        .await
        .unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

pub async fn connect(
    addr: &str,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let mut req = format!("ws://{addr}{path}").into_client_request().unwrap();
    if let Some(c) = cookie {
        req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
    }
    if let Some(o) = origin {
        req.headers_mut().insert(header::ORIGIN, o.parse().unwrap());
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

pub async fn staff_socket(addr: &str, cookie: &str) -> Ws {
    connect(addr, "/ws", Some(cookie), Some(&format!("http://{addr}")))
        .await
        .unwrap()
}

/// A call screen's socket: opened with no secret in the address, then
/// the practice and the link's secret as the first message.
pub async fn display_socket(addr: &str, practice: &str, key: &str) -> Ws {
    let mut ws = connect(addr, "/ws/display", None, Some(&format!("http://{addr}")))
        .await
        .unwrap();
    send(
        &mut ws,
        &ClientMessage::Display {
            practice: practice.into(),
            key: key.into(),
        },
    )
    .await;
    ws
}

/// The close code the server ends `ws` with within `wait` (skipping
/// other frames); None if it stays open or ends without one.
pub async fn closed_with(ws: &mut Ws, wait: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
        if let Message::Close(frame) = frame.ok()? {
            return frame.map(|f| u16::from(f.code));
        }
    }
}

pub async fn send(ws: &mut Ws, m: &ClientMessage) {
    ws.send(Message::text(serde_json::to_string(m).unwrap()))
        .await
        .unwrap();
}

/// The next application message within `wait`, skipping pings.
pub async fn next(ws: &mut Ws, wait: Duration) -> Option<ServerMessage> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
        match frame.ok()? {
            Message::Text(t) => return Some(serde_json::from_str(t.as_str()).unwrap()),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

pub fn waiting_room() -> Topic {
    Topic::WaitingRoom { date: DATE.into() }
}

pub async fn subscribe(ws: &mut Ws, topic: Topic, since: Option<u64>) -> ServerMessage {
    send(ws, &ClientMessage::Subscribe { topic, since }).await;
    next(ws, Duration::from_secs(5))
        .await
        .expect("no reply to subscribe")
}

/// Calls a server function; returns (status, body).
pub async fn call(
    state: &ServerState,
    addr: &str,
    cookie: &str,
    path: &'static str,
    body: String,
) -> (StatusCode, String) {
    respond(state, form(path, addr, body, Some(cookie))).await
}

/// Sends a request through the app; returns (status, body).
pub async fn respond(state: &ServerState, req: Request<Body>) -> (StatusCode, String) {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Calls a JSON-input server function; returns (status, body).
pub async fn call_json(
    state: &ServerState,
    addr: &str,
    cookie: &str,
    path: &'static str,
    body: serde_json::Value,
) -> (StatusCode, String) {
    let req = post(
        path,
        addr,
        "application/json",
        body.to_string(),
        Some(cookie),
    );
    respond(state, req).await
}

/// A team task to be present on.
pub async fn presence_task(w: &World) -> domain::live::Place {
    {
        let team = w.ours.db(&w.store).create_team("Admin").await.unwrap();
        let t = w
            .ours
            .db(&w.store)
            .create_task(
                &store::tasks::NewTask {
                    title: "Code the discharge letter".into(),
                    details: String::new(),
                    patient_id: Some(w.ours.patient_ids[0].as_str().into()),
                    priority: domain::task::Priority::Routine,
                    due_at: None,
                    assignee: store::tasks::Assignee::Team(team.into()),
                    created_by: w.ours.staff_id("admin").into(),
                },
                "Created",
            )
            .await
            .unwrap();
        domain::live::Place::Task { id: t.id }
    }
}
