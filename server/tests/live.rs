//! The realtime backbone end to end without a browser: a real server on a
//! loopback port, real tokio-tungstenite websocket clients, changes made
//! through the real server functions, an in-memory SurrealDB.

use app::state::{AppState, AuthConfig};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use domain::appointment_status::Status;
use domain::live::{ClientMessage, Place, ServerMessage, Topic};
use futures::{SinkExt, StreamExt};
use leptos::prelude::LeptosOptions;
use server::live::hub::Hub;
use server::{app, ServerState};
use std::net::SocketAddr;
use std::time::Duration;
use store::fixtures::{small_practice, SmallPractice};
use store::staff::hash_password;
use store::Store;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

const DATE: &str = "2026-11-21";
const PASSWORD: &str = "a long test password";

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct World {
    store: Store,
    ours: SmallPractice,
    theirs: SmallPractice,
}

async fn world() -> World {
    let store = Store::memory().await.unwrap();
    let hash = hash_password(PASSWORD).unwrap();
    let ours = small_practice(&store, "Test Surgery", "", &hash, DATE)
        .await
        .unwrap();
    let theirs = small_practice(&store, "Other Surgery", "o", &hash, DATE)
        .await
        .unwrap();
    World {
        store,
        ours,
        theirs,
    }
}

fn state(store: &Store) -> ServerState {
    ServerState {
        leptos: LeptosOptions::builder()
            .output_name("openpractice")
            .site_root("target/site")
            .build(),
        app: AppState {
            store: store.clone(),
            auth: AuthConfig::default(),
            demo: false,
            waiting: Default::default(),
        },
        public_origin: None,
        hub: Hub::start(store.clone()),
    }
}

/// Serves `state` on a loopback port; returns "127.0.0.1:PORT".
async fn serve(state: ServerState) -> String {
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

fn form(path: &str, host: &str, body: String, cookie: Option<&str>) -> Request<Body> {
    post(
        path,
        host,
        "application/x-www-form-urlencoded",
        body,
        cookie,
    )
}

/// A same-origin POST from the test client's address.
fn post(
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
async fn sign_in(state: &ServerState, host: &str, username: &str) -> String {
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
async fn act(
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

async fn connect(
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

async fn staff_socket(addr: &str, cookie: &str) -> Ws {
    connect(addr, "/ws", Some(cookie), Some(&format!("http://{addr}")))
        .await
        .unwrap()
}

async fn send(ws: &mut Ws, m: &ClientMessage) {
    ws.send(Message::text(serde_json::to_string(m).unwrap()))
        .await
        .unwrap();
}

/// The next application message within `wait`, skipping pings.
async fn next(ws: &mut Ws, wait: Duration) -> Option<ServerMessage> {
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

fn waiting_room() -> Topic {
    Topic::WaitingRoom { date: DATE.into() }
}

async fn subscribe(ws: &mut Ws, topic: Topic, since: Option<u64>) -> ServerMessage {
    send(ws, &ClientMessage::Subscribe { topic, since }).await;
    next(ws, Duration::from_secs(5))
        .await
        .expect("no reply to subscribe")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_a_server_function_reaches_a_subscriber() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let reception = sign_in(&state, &addr, "reception").await;
    let mut ws = staff_socket(&addr, &reception).await;

    let ServerMessage::Snapshot {
        seq, appointments, ..
    } = subscribe(&mut ws, waiting_room(), None).await
    else {
        panic!("expected a snapshot")
    };
    assert_eq!(seq, 4);
    assert_eq!(appointments.len(), 4, "only our practice's appointments");
    assert!(appointments
        .iter()
        .all(|a| w.ours.appointments.iter().any(|o| o.id == a.id)));

    let a = &w.ours.appointments[0];
    let started = std::time::Instant::now();
    let (status, _) = act(&state, &addr, &reception, &a.id, a.version, "mark_arrived").await;
    assert_eq!(status, StatusCode::OK);
    let Some(ServerMessage::Changes {
        seq, appointments, ..
    }) = next(&mut ws, Duration::from_secs(2)).await
    else {
        panic!("the change did not arrive within 2 s")
    };
    assert_eq!(seq, 5);
    assert_eq!(appointments.len(), 1);
    assert_eq!(appointments[0].id, a.id);
    assert_eq!(appointments[0].status, Status::Arrived);
    assert_eq!(appointments[0].updated_by.as_deref(), Some("Dee Patel"));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnecting_client_receives_exactly_what_it_missed() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let reception = sign_in(&state, &addr, "reception").await;
    let mut ws = staff_socket(&addr, &reception).await;
    let ServerMessage::Snapshot { seq: last_seq, .. } =
        subscribe(&mut ws, waiting_room(), None).await
    else {
        panic!("expected a snapshot")
    };
    ws.close(None).await.unwrap();
    drop(ws);

    // While it is away: three arrivals, then one of them is undone.
    let mut missed = Vec::new();
    for a in &w.ours.appointments[..3] {
        let (status, _) = act(&state, &addr, &reception, &a.id, a.version, "mark_arrived").await;
        assert_eq!(status, StatusCode::OK);
        missed.push(a.id.clone());
    }
    let first = &w.ours.appointments[0];
    let (status, _) = act(
        &state,
        &addr,
        &reception,
        &first.id,
        first.version + 1,
        "undo_arrival",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Another practice's change in the meantime must not appear.
    let theirs = &w.theirs.appointments[0];
    w.store
        .change_appointment_status(
            &w.theirs.practice_id,
            &theirs.id,
            theirs.version,
            domain::appointment_status::Action::MarkArrived,
            w.theirs.staff_id("reception"),
        )
        .await
        .unwrap();

    let mut ws = staff_socket(&addr, &reception).await;
    let ServerMessage::Changes {
        seq, appointments, ..
    } = subscribe(&mut ws, waiting_room(), Some(last_seq)).await
    else {
        panic!("expected just the changes")
    };
    assert_eq!(seq, last_seq + 4);
    let mut got: Vec<String> = appointments.iter().map(|a| a.id.clone()).collect();
    got.sort();
    missed.sort();
    assert_eq!(got, missed, "exactly the missed appointments, each once");
    let status_of = |id: &str| appointments.iter().find(|a| a.id == id).unwrap().status;
    assert_eq!(
        status_of(&first.id),
        Status::Booked,
        "the latest state, not the first"
    );
    assert_eq!(status_of(&w.ours.appointments[1].id), Status::Arrived);

    // And it is live again afterwards.
    let d = &w.ours.appointments[3];
    act(&state, &addr, &reception, &d.id, d.version, "mark_arrived").await;
    let Some(ServerMessage::Changes { appointments, .. }) =
        next(&mut ws, Duration::from_secs(2)).await
    else {
        panic!("not live after reconnecting")
    };
    assert_eq!(appointments[0].id, d.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_of_another_practice_receives_nothing() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let ours = sign_in(&state, &addr, "reception").await;
    let theirs = sign_in(&state, &addr, "o-reception").await;
    let mut their_ws = staff_socket(&addr, &theirs).await;
    let ServerMessage::Snapshot { appointments, .. } =
        subscribe(&mut their_ws, waiting_room(), None).await
    else {
        panic!("expected a snapshot")
    };
    assert!(appointments
        .iter()
        .all(|a| w.theirs.appointments.iter().any(|t| t.id == a.id)));
    // They may not watch our GP's day list either: not in their practice.
    let refused = subscribe(
        &mut their_ws,
        Topic::DayList {
            clinician: w.ours.staff_id("gp").into(),
            date: DATE.into(),
        },
        None,
    )
    .await;
    assert!(
        matches!(refused, ServerMessage::Refused { .. }),
        "{refused:?}"
    );

    for a in &w.ours.appointments {
        act(&state, &addr, &ours, &a.id, a.version, "mark_arrived").await;
    }
    // Nor can they act on our appointments: it does not exist for them.
    let a = &w.ours.appointments[0];
    let (status, _) = act(&state, &addr, &theirs, &a.id, a.version + 1, "undo_arrival").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Round-trip a ping: anything pushed to them would have come first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    send(&mut their_ws, &ClientMessage::Ping).await;
    assert_eq!(
        next(&mut their_ws, Duration::from_secs(2)).await,
        Some(ServerMessage::Pong)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_authorised_by_role_practice_and_object() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;

    // No session, or a foreign page, cannot even open the socket.
    let err = connect(&addr, "/ws", None, Some(&format!("http://{addr}")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
    let gp = sign_in(&state, &addr, "gp").await;
    let err = connect(&addr, "/ws", Some(&gp), Some("http://evil.example"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");
    let err = connect(&addr, "/ws", Some(&gp), None).await.unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");

    let mut ws = staff_socket(&addr, &gp).await;
    let mine = Topic::DayList {
        clinician: w.ours.staff_id("gp").into(),
        date: DATE.into(),
    };
    let ServerMessage::Snapshot { appointments, .. } = subscribe(&mut ws, mine, None).await else {
        panic!("a GP may watch their own day")
    };
    assert_eq!(appointments.len(), 4);
    let colleague = Topic::DayList {
        clinician: w.ours.staff_id("gp2").into(),
        date: DATE.into(),
    };
    let reply = subscribe(&mut ws, colleague.clone(), None).await;
    assert_eq!(
        reply,
        ServerMessage::Refused {
            topic: colleague.clone(),
            message: "You can only watch your own day list.".into()
        }
    );
    let bad_date = Topic::WaitingRoom {
        date: "21/11/2026".into(),
    };
    assert!(matches!(
        subscribe(&mut ws, bad_date, None).await,
        ServerMessage::Refused { .. }
    ));

    // Reception may watch any clinician's day in its practice.
    let reception = sign_in(&state, &addr, "reception").await;
    let mut ws = staff_socket(&addr, &reception).await;
    assert!(matches!(
        subscribe(&mut ws, colleague, None).await,
        ServerMessage::Snapshot { .. }
    ));

    // The admin team does not work the desk.
    let admin = sign_in(&state, &addr, "admin").await;
    let mut ws = staff_socket(&addr, &admin).await;
    assert!(matches!(
        subscribe(&mut ws, waiting_room(), None).await,
        ServerMessage::Refused { .. }
    ));

    // A message that is not ours closes the socket.
    let mut ws = staff_socket(&addr, &reception).await;
    ws.send(Message::text("{\"type\":\"drop_tables\"}"))
        .await
        .unwrap();
    assert_eq!(next(&mut ws, Duration::from_secs(2)).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_screen_gets_short_names_and_rooms_only_and_a_revoked_link_stops() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let key = "display-secret-for-tests-0123456789";
    let link = w
        .store
        .create_display_link(
            &w.ours.practice_id,
            &app::auth::ssr::token_key(key),
            w.ours.staff_id("admin"),
        )
        .await
        .unwrap();
    let path = format!("/ws/display?practice={}&key={key}", w.ours.practice_id);
    let mut screen = connect(&addr, &path, None, Some(&format!("http://{addr}")))
        .await
        .unwrap();
    let ServerMessage::Snapshot { calls, .. } =
        subscribe(&mut screen, Topic::CallScreen, None).await
    else {
        panic!("expected a snapshot")
    };
    assert!(calls.is_empty());
    // A display link shows calls only.
    assert!(matches!(
        subscribe(&mut screen, waiting_room(), None).await,
        ServerMessage::Refused { .. }
    ));

    let reception = sign_in(&state, &addr, "reception").await;
    let gp = sign_in(&state, &addr, "gp").await;
    let a = &w.ours.appointments[0];
    act(&state, &addr, &reception, &a.id, a.version, "mark_arrived").await;
    let b = &w.ours.appointments[1];
    act(&state, &addr, &reception, &b.id, b.version, "mark_arrived").await;
    act(&state, &addr, &gp, &b.id, b.version + 1, "send_in_quietly").await;
    let (status, _) = act(&state, &addr, &gp, &a.id, a.version + 1, "call_in").await;
    assert_eq!(status, StatusCode::OK);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let raw = loop {
        let frame = tokio::time::timeout_at(deadline, screen.next())
            .await
            .expect("no call within 3 s")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = frame {
            break t.to_string();
        }
    };
    let message: ServerMessage = serde_json::from_str(&raw).unwrap();
    let ServerMessage::Changes {
        calls,
        appointments,
        ..
    } = message
    else {
        panic!("expected changes, got {raw}")
    };
    assert!(appointments.is_empty());
    assert_eq!(calls.len(), 1, "the quiet send-in is not shown");
    assert_eq!(
        (calls[0].short_name.as_str(), calls[0].room.as_str()),
        ("J. Smith", "Room 1")
    );
    for personal in ["John", "SMITH", "1961", "9990000018", "Mr "] {
        assert!(
            !raw.contains(personal),
            "the call screen received {personal:?}: {raw}"
        );
    }

    // The wrong practice in the address, or a revoked link, opens nothing.
    let wrong = format!("/ws/display?practice={}&key={key}", w.theirs.practice_id);
    assert!(
        connect(&addr, &wrong, None, Some(&format!("http://{addr}")))
            .await
            .is_err()
    );
    w.store
        .revoke_display_link(&w.ours.practice_id, &link)
        .await
        .unwrap();
    let err = connect(&addr, &path, None, Some(&format!("http://{addr}")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_through_one_server_reaches_a_client_of_another() {
    let w = world().await;
    // Two servers (two hubs) sharing one database, as behind a load balancer.
    let a_state = state(&w.store);
    let b_state = state(&w.store);
    let a_addr = serve(a_state.clone()).await;
    let b_addr = serve(b_state.clone()).await;
    let reception = sign_in(&a_state, &a_addr, "reception").await;
    let mut on_b = staff_socket(&b_addr, &reception).await;
    assert!(matches!(
        subscribe(&mut on_b, waiting_room(), None).await,
        ServerMessage::Snapshot { .. }
    ));
    let x = &w.ours.appointments[2];
    let (status, _) = act(
        &a_state,
        &a_addr,
        &reception,
        &x.id,
        x.version,
        "mark_arrived",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let Some(ServerMessage::Changes { appointments, .. }) =
        next(&mut on_b, Duration::from_secs(2)).await
    else {
        panic!("server B's client did not get server A's change")
    };
    assert_eq!(appointments[0].id, x.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_action_is_refused_with_who_changed_it() {
    let w = world().await;
    let state = state(&w.store);
    let addr = "127.0.0.1:3000";
    let reception = sign_in(&state, addr, "reception").await;
    let gp = sign_in(&state, addr, "gp").await;
    let a = &w.ours.appointments[0];
    assert_eq!(
        act(&state, addr, &reception, &a.id, a.version, "mark_arrived")
            .await
            .0,
        StatusCode::OK
    );
    let (status, body) = act(&state, addr, &gp, &a.id, a.version, "mark_did_not_attend").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("Changed by Dee Patel at ") && body.contains("now Arrived"),
        "{body}"
    );
    // A receptionist cannot start a consultation; a GP cannot act on a colleague's list.
    let (status, _) = act(
        &state,
        addr,
        &reception,
        &a.id,
        a.version + 1,
        "start_consultation",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let gp2 = sign_in(&state, addr, "gp2").await;
    let (status, _) = act(&state, addr, &gp2, &a.id, a.version + 1, "call_in").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = act(&state, addr, &gp, &a.id, a.version + 1, "finish").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("Cannot finish: the appointment is arrived."),
        "{body}"
    );
    let (status, _) = act(&state, addr, &gp, &a.id, a.version + 1, "explode").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        w.store
            .appointment(&w.ours.practice_id, &a.id)
            .await
            .unwrap()
            .version,
        a.version + 1,
        "nothing changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_closes_the_live_socket() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let reception = sign_in(&state, &addr, "reception").await;
    let mut ws = staff_socket(&addr, &reception).await;
    assert!(matches!(
        subscribe(&mut ws, waiting_room(), None).await,
        ServerMessage::Snapshot { .. }
    ));
    let res = app(state.clone())
        .oneshot(form(
            "/api/sign_out",
            &addr,
            String::new(),
            Some(&reception),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The session is re-checked every 15 s: the socket is closed with 4401.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(25);
    let code = loop {
        match tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("still open after 25 s")
        {
            Some(Ok(Message::Close(Some(frame)))) => break u16::from(frame.code),
            Some(Ok(_)) => continue,
            other => panic!("closed without a reason: {other:?}"),
        }
    };
    assert_eq!(code, 4401);
    // And the old cookie cannot open another.
    assert!(connect(
        &addr,
        "/ws",
        Some(&reception),
        Some(&format!("http://{addr}"))
    )
    .await
    .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_session_that_reception_can_book_and_wait_for_live() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let admin = sign_in(&state, &addr, "admin").await;
    let gp = sign_in(&state, &addr, "gp").await;
    let reception = sign_in(&state, &addr, "reception").await;
    let post = |path: &'static str, cookie: String, body: String| {
        let (state, addr) = (state.clone(), addr.clone());
        async move {
            let res = app(state)
                .oneshot(form(path, &addr, body, Some(&cookie)))
                .await
                .unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let room = w.store.rooms(&w.ours.practice_id).await.unwrap()[0]
        .0
        .clone();
    let nurse = w.ours.staff_id("nurse").to_string();
    let session = format!(
        "clinician={nurse}&room={room}&date=2026-11-24&start=13:00&end=14:00&slot_minutes=20"
    );
    // Only the admin team manages sessions.
    let (status, _) = post("/api/add_clinic_session", gp.clone(), session.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Bad input: every problem named, nothing written.
    let (status, body) = post(
        "/api/add_clinic_session",
        admin.clone(),
        format!(
            "clinician={nurse}&room={room}&date=2026-11-24&start=13:00&end=12:00&slot_minutes=20"
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("The session must end after it starts."),
        "{body}"
    );
    assert!(w
        .store
        .day_sessions(&w.ours.practice_id, "2026-11-24")
        .await
        .unwrap()
        .is_empty());

    let (status, body) = post("/api/add_clinic_session", admin.clone(), session).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created: domain::book::SessionView = serde_json::from_str(&body).unwrap();
    assert_eq!(created.slots(), vec!["13:00", "13:20", "13:40"]);

    // Reception watches that day and books into the new session.
    let mut ws = staff_socket(&addr, &reception).await;
    let day = Topic::WaitingRoom {
        date: "2026-11-24".into(),
    };
    assert!(matches!(
        subscribe(&mut ws, day, None).await,
        ServerMessage::Snapshot { .. }
    ));
    let book = format!(
        "session_id={}&start=13:20&patient_id={}&kind=video&reason=Results",
        created.id, w.ours.patient_ids[3]
    );
    let (status, body) = post("/api/book_slot", reception.clone(), book.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let Some(ServerMessage::Changes { appointments, .. }) =
        next(&mut ws, Duration::from_secs(2)).await
    else {
        panic!("the booking did not arrive live")
    };
    assert_eq!(
        (
            appointments[0].start.as_str(),
            appointments[0].patient_name.as_str()
        ),
        ("13:20", "Mr Tomasz NOWAK")
    );
    // The same slot again: the clear message, as a conflict.
    let (status, body) = post("/api/book_slot", reception.clone(), book).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("This slot was just taken. Choose another slot."),
        "{body}"
    );
    // Another practice's session id is simply not there.
    let theirs = format!(
        "session_id={}&start=09:40&patient_id={}&kind=video",
        w.theirs.gp_session_id, w.ours.patient_ids[0]
    );
    let (status, body) = post("/api/book_slot", reception, theirs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("That clinic session does not exist."),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_changes_and_comments_reach_subscribers_and_other_practices_get_nothing() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let team = w
        .store
        .create_team(&w.ours.practice_id, "Prescriptions")
        .await
        .unwrap();
    let a = sign_in(&state, &addr, "admin").await;
    let b = sign_in(&state, &addr, "reception").await;
    let post = |path: &'static str, cookie: String, body: String| {
        let (state, addr) = (state.clone(), addr.clone());
        async move {
            let res = app(state)
                .oneshot(form(path, &addr, body, Some(&cookie)))
                .await
                .unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let mut a_ws = staff_socket(&addr, &a).await;
    let list = Topic::TeamTasks { team: team.clone() };
    let ServerMessage::Snapshot { tasks, .. } = subscribe(&mut a_ws, list, None).await else {
        panic!("expected a snapshot")
    };
    assert!(tasks.is_empty());

    // B creates a task for the team: it appears in A's list.
    let (status, body) = post(
        "/api/create_task",
        b.clone(),
        format!(
            "title=Repeat+prescription&details=&priority=urgent&patient_id={}&assignee=team:{team}",
            w.ours.patient_ids[1]
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created: domain::task::TaskView = serde_json::from_str(&body).unwrap();
    let Some(ServerMessage::Changes { tasks, .. }) = next(&mut a_ws, Duration::from_secs(2)).await
    else {
        panic!("the new task did not reach the team list")
    };
    assert_eq!(
        (tasks[0].id.as_str(), tasks[0].patient_name.as_deref()),
        (created.id.as_str(), Some("Mrs Aisha KHAN"))
    );

    // B claims it: A sees who.
    let (status, _) = post(
        "/api/task_action",
        b.clone(),
        format!("id={}&version={}&action=claim", created.id, created.version),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let Some(ServerMessage::Changes { tasks, .. }) = next(&mut a_ws, Duration::from_secs(2)).await
    else {
        panic!("the claim did not arrive")
    };
    assert_eq!(tasks[0].assigned_staff_name.as_deref(), Some("Dee Patel"));
    // A's own claim now is refused with who has it.
    let (status, body) = post(
        "/api/task_action",
        a.clone(),
        format!("id={}&version={}&action=claim", created.id, created.version),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Claimed by Dee Patel."), "{body}");

    // A watches the task; B comments; A is told and the comment is there.
    let one = Topic::Task {
        id: created.id.clone(),
    };
    assert!(matches!(
        subscribe(&mut a_ws, one.clone(), None).await,
        ServerMessage::Snapshot { .. }
    ));
    let (status, _) = post(
        "/api/comment_on_task",
        b.clone(),
        format!("id={}&comment=Phoned+the+pharmacy", created.id),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut told = false;
    for _ in 0..3 {
        if let Some(ServerMessage::Changes { topic, .. }) =
            next(&mut a_ws, Duration::from_secs(2)).await
        {
            if topic == one {
                told = true;
                break;
            }
        }
    }
    assert!(told, "the comment did not reach the task's subscriber");
    let (status, body) = post("/api/task_page", a.clone(), format!("id={}", created.id)).await;
    assert_eq!(status, StatusCode::OK);
    let page: app::tasks::TaskPage = serde_json::from_str(&body).unwrap();
    assert_eq!(page.comments[0].0, "Dee Patel");
    assert_eq!(page.comments[0].1, "Phoned the pharmacy");

    // Another practice: cannot read, subscribe to, or change it.
    let theirs = sign_in(&state, &addr, "o-admin").await;
    let (status, _) = post(
        "/api/task_page",
        theirs.clone(),
        format!("id={}", created.id),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        "/api/comment_on_task",
        theirs.clone(),
        format!("id={}&comment=hi", created.id),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut their_ws = staff_socket(&addr, &theirs).await;
    assert!(matches!(
        subscribe(&mut their_ws, one, None).await,
        ServerMessage::Refused { .. }
    ));
    assert!(matches!(
        subscribe(&mut their_ws, Topic::TeamTasks { team }, None).await,
        ServerMessage::Refused { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_editors_from_the_same_version_the_second_is_told_and_nothing_is_overwritten() {
    let w = world().await;
    let state = state(&w.store);
    let addr = "127.0.0.1:3000";
    let team = w
        .store
        .create_team(&w.ours.practice_id, "Admin")
        .await
        .unwrap();
    let a = sign_in(&state, addr, "admin").await;
    let b = sign_in(&state, addr, "reception").await;
    let post = |path: &'static str, cookie: String, body: String| {
        let state = state.clone();
        async move {
            let res = app(state)
                .oneshot(form(path, addr, body, Some(&cookie)))
                .await
                .unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, body) = post(
        "/api/create_task",
        a.clone(),
        format!("title=Scan+letter&details=&priority=routine&assignee=team:{team}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let t: domain::task::TaskView = serde_json::from_str(&body).unwrap();
    let edit = |title: &str, version: i64| {
        format!(
            "id={}&version={version}&title={title}&details=&priority=urgent",
            t.id
        )
    };
    let (status, _) = post(
        "/api/edit_task",
        a.clone(),
        edit("Scan+and+code+letter", t.version),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = post(
        "/api/edit_task",
        b.clone(),
        edit("Scan+letter+today", t.version),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("Changed by Eve Morgan at ") && body.contains("Your text is kept"),
        "{body}"
    );
    assert_eq!(
        w.store
            .task(&w.ours.practice_id, &t.id)
            .await
            .unwrap()
            .title,
        "Scan and code letter"
    );
    // Saving again over the current version is a deliberate choice, and works.
    let (status, _) = post(
        "/api/edit_task",
        b,
        edit("Scan+letter+today", t.version + 1),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        w.store
            .task(&w.ours.practice_id, &t.id)
            .await
            .unwrap()
            .title,
        "Scan letter today"
    );
    // Bad input changes nothing.
    let (status, _) = post("/api/edit_task", a, edit("", t.version + 2)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        w.store
            .task(&w.ours.practice_id, &t.id)
            .await
            .unwrap()
            .version,
        t.version + 2
    );
}

/// A team task to be present on.
async fn presence_task(w: &World) -> domain::live::Place {
    {
        let team = w
            .store
            .create_team(&w.ours.practice_id, "Admin")
            .await
            .unwrap();
        let t = w
            .store
            .create_task(&store::tasks::NewTask {
                practice_id: w.ours.practice_id.clone(),
                title: "Code the discharge letter".into(),
                details: String::new(),
                patient_id: Some(w.ours.patient_ids[0].clone()),
                priority: domain::task::Priority::Routine,
                due_at: None,
                assigned_staff: None,
                assigned_team: Some(team),
                created_by: w.ours.staff_id("admin").into(),
            })
            .await
            .unwrap();
        domain::live::Place::Task { id: t.id }
    }
}

async fn here(ws: &mut Ws, place: &domain::live::Place, editing: bool) {
    send(
        ws,
        &ClientMessage::Here {
            place: place.clone(),
            editing,
        },
    )
    .await;
}

/// Waits (re-announcing `ws` every second) for a presence list on `place`
/// that satisfies `want`; returns it and when it came.
async fn presence_until(
    ws: &mut Ws,
    place: &domain::live::Place,
    wait: Duration,
    want: impl Fn(&[domain::live::PresentPerson]) -> bool,
) -> Option<(Vec<domain::live::PresentPerson>, std::time::Instant)> {
    let deadline = std::time::Instant::now() + wait;
    let mut last_here = std::time::Instant::now();
    while std::time::Instant::now() < deadline {
        if last_here.elapsed() > Duration::from_secs(1) {
            here(ws, place, false).await;
            last_here = std::time::Instant::now();
        }
        if let Some(ServerMessage::Presence { place: p, people }) =
            next(ws, Duration::from_millis(300)).await
        {
            if &p == place && want(&people) {
                return Some((people, std::time::Instant::now()));
            }
        }
    }
    None
}

fn names(people: &[domain::live::PresentPerson]) -> Vec<(String, bool)> {
    people.iter().map(|p| (p.name.clone(), p.editing)).collect()
}

/// Keeps a page open (heartbeats) until told to stop; then just goes
/// silent, as a tablet that lost its connection does, keeping the socket.
fn keep_here(mut ws: Ws, place: domain::live::Place) -> tokio::sync::oneshot::Sender<()> {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            here(&mut ws, &place, false).await;
            tokio::select! {
                _ = &mut stopped => break,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
        // Silent but connected for a while.
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(ws);
    });
    stop
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_shows_who_joins_edits_leaves_and_times_out() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let place = presence_task(&w).await;
    let a = sign_in(&state, &addr, "admin").await;
    let b = sign_in(&state, &addr, "reception").await;
    let c = sign_in(&state, &addr, "gp").await;

    let mut a_ws = staff_socket(&addr, &a).await;
    here(&mut a_ws, &place, false).await;
    let (people, _) = presence_until(&mut a_ws, &place, Duration::from_secs(2), |_| true)
        .await
        .expect("A is told who is there");
    assert!(people.is_empty(), "A does not see itself: {people:?}");

    // B joins: each sees the other.
    let mut b_ws = staff_socket(&addr, &b).await;
    here(&mut b_ws, &place, false).await;
    let (b_sees, _) = presence_until(&mut b_ws, &place, Duration::from_secs(2), |_| true)
        .await
        .unwrap();
    assert_eq!(names(&b_sees), [("Eve Morgan".to_string(), false)]);
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| {
        names(p) == [("Dee Patel".to_string(), false)]
    })
    .await
    .expect("A sees B join");

    // B starts editing, then leaves the page.
    here(&mut b_ws, &place, true).await;
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| {
        names(p) == [("Dee Patel".to_string(), true)]
    })
    .await
    .expect("A sees B editing");
    send(
        &mut b_ws,
        &ClientMessage::Away {
            place: place.clone(),
        },
    )
    .await;
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| p.is_empty())
        .await
        .expect("A sees B leave");

    // C joins, then loses the connection without closing it: gone within 5 s.
    let mut c_ws = staff_socket(&addr, &c).await;
    here(&mut c_ws, &place, false).await;
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| {
        names(p) == [("Dr Ann Carter".to_string(), false)]
    })
    .await
    .expect("A sees C join");
    let silent_from = std::time::Instant::now();
    let (_, gone_at) = presence_until(&mut a_ws, &place, Duration::from_secs(8), |p| p.is_empty())
        .await
        .expect("C times out");
    let took = gone_at - silent_from;
    assert!(took <= Duration::from_secs(5), "C vanished after {took:?}");
    assert!(
        took >= Duration::from_secs(2),
        "C vanished too early ({took:?}): heartbeats would flicker"
    );

    // B comes back and closes the socket: gone at once.
    let mut b_ws = staff_socket(&addr, &b).await;
    here(&mut b_ws, &place, false).await;
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| p.len() == 1)
        .await
        .unwrap();
    b_ws.close(None).await.unwrap();
    presence_until(&mut a_ws, &place, Duration::from_secs(1), |p| p.is_empty())
        .await
        .expect("B's closed socket leaves at once");

    // Another practice cannot be present on (or learn about) our task.
    let intruder = sign_in(&state, &addr, "o-admin").await;
    let mut x_ws = staff_socket(&addr, &intruder).await;
    here(&mut x_ws, &place, false).await;
    match next(&mut x_ws, Duration::from_secs(2)).await {
        Some(ServerMessage::PresenceRefused { message, .. }) => assert_eq!(message, "Not found."),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // And A never saw them.
    assert!(
        presence_until(&mut a_ws, &place, Duration::from_millis(600), |p| !p
            .is_empty())
        .await
        .is_none()
    );
    // A patient's page works the same way, and is as private.
    let patient = Place::Patient {
        id: w.ours.patient_ids[1].clone(),
    };
    here(&mut a_ws, &patient, false).await;
    let mut b_ws = staff_socket(&addr, &b).await;
    here(&mut b_ws, &patient, false).await;
    presence_until(&mut a_ws, &patient, Duration::from_secs(2), |p| {
        names(p) == [("Dee Patel".to_string(), false)]
    })
    .await
    .expect("A sees B on the patient's page");
    here(&mut x_ws, &patient, false).await;
    match next(&mut x_ws, Duration::from_secs(2)).await {
        Some(ServerMessage::PresenceRefused { message, .. }) => assert_eq!(message, "Not found."),
        other => panic!("expected a refusal, got {other:?}"),
    }
    drop(c_ws);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_crosses_servers_and_a_dead_server_takes_its_people_with_it() {
    let w = world().await;
    // Two servers sharing one database, relaying presence to each other.
    let one = state(&w.store);
    let two = state(&w.store);
    let one_addr = serve(one.clone()).await;
    let two_addr = serve(two.clone()).await;
    let place = presence_task(&w).await;
    let a = sign_in(&one, &one_addr, "admin").await;
    let b = sign_in(&two, &two_addr, "reception").await;
    let mut a_ws = staff_socket(&one_addr, &a).await;
    here(&mut a_ws, &place, false).await;
    let mut b_ws = staff_socket(&two_addr, &b).await;
    here(&mut b_ws, &place, false).await;
    // The servers find each other within a couple of seconds of starting.
    presence_until(&mut a_ws, &place, Duration::from_secs(6), |p| {
        names(p) == [("Dee Patel".to_string(), false)]
    })
    .await
    .expect("A (server one) sees B (server two)");
    presence_until(&mut b_ws, &place, Duration::from_secs(3), |p| {
        names(p) == [("Eve Morgan".to_string(), false)]
    })
    .await
    .expect("B (server two) sees A (server one)");

    // B leaves: server one hears at once.
    send(
        &mut b_ws,
        &ClientMessage::Away {
            place: place.clone(),
        },
    )
    .await;
    presence_until(&mut a_ws, &place, Duration::from_secs(1), |p| p.is_empty())
        .await
        .expect("B's leaving crosses servers");

    // B is back (kept alive); then server two dies without a word.
    here(&mut b_ws, &place, false).await;
    let stop_b = keep_here(b_ws, place.clone());
    presence_until(&mut a_ws, &place, Duration::from_secs(3), |p| p.len() == 1)
        .await
        .unwrap();
    two.hub.presence().stop(false);
    let died = std::time::Instant::now();
    let (_, gone_at) = presence_until(&mut a_ws, &place, Duration::from_secs(8), |p| p.is_empty())
        .await
        .expect("a dead server's people disappear");
    assert!(
        gone_at - died <= Duration::from_secs(5),
        "took {:?}",
        gone_at - died
    );
    let _ = stop_b.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reassigned_task_reaches_the_list_it_left_and_the_person_it_joined() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let Place::Task { id } = presence_task(&w).await else {
        unreachable!()
    };
    let task = w.store.task(&w.ours.practice_id, &id).await.unwrap();
    let old_team = task.assigned_team_id.clone().unwrap();
    let admin = sign_in(&state, &addr, "admin").await;
    let gp = sign_in(&state, &addr, "gp").await;
    let mut team_ws = staff_socket(&addr, &admin).await;
    subscribe(
        &mut team_ws,
        Topic::TeamTasks {
            team: old_team.clone(),
        },
        None,
    )
    .await;
    let gp_id = w.ours.staff_id("gp").to_string();
    let mut gp_ws = staff_socket(&addr, &gp).await;
    subscribe(
        &mut gp_ws,
        Topic::MyTasks {
            staff: gp_id.clone(),
        },
        None,
    )
    .await;

    let res = app(state.clone())
        .oneshot(form(
            "/api/reassign_task",
            &addr,
            format!("id={id}&version={}&assignee=staff:{gp_id}", task.version),
            Some(&admin),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let Some(ServerMessage::Changes { tasks, .. }) = next(&mut gp_ws, Duration::from_secs(2)).await
    else {
        panic!("the GP's list was not told")
    };
    assert_eq!(
        tasks[0].assigned_staff_name.as_deref(),
        Some("Dr Ann Carter")
    );

    // Now to another team's pool: the team list it left is told (and drops it).
    let other = w
        .store
        .create_team(&w.ours.practice_id, "Clinical")
        .await
        .unwrap();
    let res = app(state.clone())
        .oneshot(form(
            "/api/reassign_task",
            &addr,
            format!("id={id}&version={}&assignee=team:{other}", task.version + 1),
            Some(&admin),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut told = None;
    while let Some(m) = next(&mut team_ws, Duration::from_secs(2)).await {
        if let ServerMessage::Changes { tasks, .. } = m {
            if tasks
                .iter()
                .any(|t| t.assigned_team_id.as_deref() == Some(other.as_str()))
            {
                told = Some(tasks);
                break;
            }
        }
    }
    assert!(
        told.is_some(),
        "the old team list was not told the task left"
    );
    let Some(ServerMessage::Changes { tasks, .. }) = next(&mut gp_ws, Duration::from_secs(2)).await
    else {
        panic!("the GP's list was not told the task left")
    };
    assert_eq!(tasks[0].assigned_staff_id, None);

    // A bad assignee is refused in words and changes nothing.
    let res = app(state.clone())
        .oneshot(form(
            "/api/reassign_task",
            &addr,
            format!("id={id}&version={}&assignee=nobody", task.version + 2),
            Some(&admin),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("Choose a team or a person."));
    assert_eq!(
        w.store
            .task(&w.ours.practice_id, &id)
            .await
            .unwrap()
            .version,
        task.version + 2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admin_manages_teams_and_only_in_its_own_practice() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let team = w
        .store
        .create_team(&w.ours.practice_id, "Admin")
        .await
        .unwrap();
    let post = |cookie: String, path: &'static str, body: String| {
        let (state, addr) = (state.clone(), addr.clone());
        async move {
            app(state)
                .oneshot(form(path, &addr, body, Some(&cookie)))
                .await
                .unwrap()
                .status()
        }
    };
    let nurse = w.ours.staff_id("nurse").to_string();
    let reception = sign_in(&state, &addr, "reception").await;
    let body = format!("team={team}&staff={nurse}&add=true");
    assert_eq!(
        post(reception.clone(), "/api/team_member", body.clone()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(reception, "/api/create_team", "name=Secret".into()).await,
        StatusCode::FORBIDDEN
    );
    let admin = sign_in(&state, &addr, "admin").await;
    assert_eq!(
        post(admin.clone(), "/api/team_member", body.clone()).await,
        StatusCode::OK
    );
    assert_eq!(
        post(admin.clone(), "/api/team_member", body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already a member"
    );
    assert_eq!(
        post(admin.clone(), "/api/create_team", "name=Admin".into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "name taken"
    );
    // Another practice's admin cannot touch our team.
    let theirs = sign_in(&state, &addr, "o-admin").await;
    let their_staff = w.theirs.staff_id("nurse").to_string();
    assert_eq!(
        post(
            theirs,
            "/api/team_member",
            format!("team={team}&staff={their_staff}&add=true")
        )
        .await,
        StatusCode::NOT_FOUND
    );
    let teams = w
        .store
        .teams_with_members(&w.ours.practice_id)
        .await
        .unwrap();
    let members: Vec<String> = teams
        .iter()
        .flat_map(|t| t.members.iter().map(|m| m.name.clone()))
        .collect();
    assert_eq!(members, ["Nurse Cara Lee"]);
}

/// Calls a server function; returns (status, body).
async fn call(
    state: &ServerState,
    addr: &str,
    cookie: &str,
    path: &'static str,
    body: String,
) -> (StatusCode, String) {
    respond(state, form(path, addr, body, Some(cookie))).await
}

/// Sends a request through the app; returns (status, body).
async fn respond(state: &ServerState, req: Request<Body>) -> (StatusCode, String) {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_of_a_record_is_audited_once_refusals_too_and_admin_sees_who() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let patient = w.ours.patient_ids[0].clone();
    let gp = sign_in(&state, &addr, "gp").await;
    let reception = sign_in(&state, &addr, "reception").await;
    let intruder = sign_in(&state, &addr, "o-gp").await;

    let rows = |practice: String| {
        let store = w.store.clone();
        async move {
            store
                .audit_rows(&practice, &Default::default(), 100)
                .await
                .unwrap()
        }
    };
    let (status, body) = call(
        &state,
        &addr,
        &gp,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"family_name\":\"Smith\""), "{body}");
    let after_gp = rows(w.ours.practice_id.clone()).await;
    assert_eq!(after_gp.len(), 1, "one view, one audit row");
    assert_eq!(
        (
            after_gp[0].staff_name.as_deref(),
            after_gp[0].role.as_deref(),
            after_gp[0].action.as_str(),
            after_gp[0].outcome.as_str(),
            after_gp[0].patient.as_deref(),
            after_gp[0].address.as_deref()
        ),
        (
            Some("Dr Ann Carter"),
            Some("gp"),
            "viewed the record",
            "allowed",
            Some(patient.as_str()),
            Some("10.0.0.1")
        )
    );
    // Only admin is shown who has accessed the record.
    assert!(body.contains("\"accesses\":null"), "{body}");

    call(
        &state,
        &addr,
        &reception,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    // Another practice: not found, and the refusal is audited in its own practice.
    let (status, _) = call(
        &state,
        &addr,
        &intruder,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let theirs = rows(w.theirs.practice_id.clone()).await;
    assert_eq!(
        (
            theirs.len(),
            theirs[0].outcome.as_str(),
            theirs[0].patient.as_deref()
        ),
        (1, "refused", None)
    );

    // The admin's view of the record lists both accesses (and its own).
    let admin = sign_in(&state, &addr, "admin").await;
    let (status, body) = call(
        &state,
        &addr,
        &admin,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for who in ["Dr Ann Carter", "Dee Patel", "Eve Morgan"] {
        assert!(
            body.contains(who),
            "{who} missing from the accesses: {body}"
        );
    }
    // The audit page filters by member of staff.
    let gp_id = w.ours.staff_id("gp");
    let (status, body) = call(
        &state,
        &addr,
        &admin,
        "/api/audit_trail",
        format!("staff={gp_id}&nhs_number=&date="),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Dr Ann Carter") && !body.contains("Dee Patel"),
        "{body}"
    );
    // …and only admin may read it.
    let (status, _) = call(
        &state,
        &addr,
        &gp,
        "/api/audit_trail",
        "staff=&nhs_number=&date=".into(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.store.verify_audit().await.unwrap(),
        Ok(4),
        "four record views, chained"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_checks_every_field_and_only_reception_registers() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let reception = sign_in(&state, &addr, "reception").await;
    let bad = "form[title]=&form[given_name]=&form[family_name]=Adeyemi&form[date_of_birth]=31/02/1990&form[sex]=female&form[gender]=&form[address]=&form[postcode]=RG1&form[phone]=&form[email]=&form[nhs_number]=9434765918&form[usual_gp]=&form[registered_on]=";
    let (status, body) = call(
        &state,
        &addr,
        &reception,
        "/api/register_patient",
        bad.into(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for field in [
        "given_name",
        "date_of_birth",
        "address",
        "postcode",
        "nhs_number",
    ] {
        assert!(body.contains(field), "{field} not named: {body}");
    }
    let good = "form[title]=Ms&form[given_name]=Grace&form[family_name]=Adeyemi&form[date_of_birth]=12/05/1990&form[sex]=female&form[gender]=&form[address]=4+Mill+Lane&form[postcode]=RG1+4AB&form[phone]=&form[email]=&form[nhs_number]=943+476+5919&form[usual_gp]=&form[registered_on]=";
    let (status, body) = call(
        &state,
        &addr,
        &reception,
        "/api/register_patient",
        good.into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        &state,
        &addr,
        &reception,
        "/api/register_patient",
        good.into(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("already registered to Ms Grace ADEYEMI"),
        "{body}"
    );
    // A GP reads demographics but does not register (the policy table).
    let gp = sign_in(&state, &addr, "gp").await;
    let (status, _) = call(
        &state,
        &addr,
        &gp,
        "/api/register_patient",
        good.replace("943+476+5919", "401+023+2137"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Calls a JSON-input server function; returns (status, body).
async fn call_json(
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clinical_record_follows_the_role_table_and_every_access_is_audited() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let patient = w.ours.patient_ids[0].clone();
    let gp = sign_in(&state, &addr, "gp").await;
    let nurse = sign_in(&state, &addr, "nurse").await;
    let reception = sign_in(&state, &addr, "reception").await;
    let admin = sign_in(&state, &addr, "admin").await;
    let intruder = sign_in(&state, &addr, "o-gp").await;
    let consultation = |obs: serde_json::Value| {
        serde_json::json!({
            "patient_id": patient,
            "form": {
                "history": "Chest tightness on the stairs.",
                "examination": "",
                "plan": "Bloods; review in a week.",
                "codes": ["38341003"],
                "observations": obs,
            }
        })
    };

    // A reading without its pair is refused beside its field; nothing is saved.
    let (status, body) = call_json(
        &state,
        &addr,
        &gp,
        "/api/consultation_save",
        consultation(serde_json::json!([["systolic", "138"]])),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("\"field\":\"diastolic\""), "{body}");
    assert!(w
        .store
        .consultations(&w.ours.practice_id, &patient, 5)
        .await
        .unwrap()
        .is_empty());

    let (status, body) = call_json(
        &state,
        &addr,
        &gp,
        "/api/consultation_save",
        consultation(serde_json::json!([
            ["systolic", "138"],
            ["diastolic", "86"]
        ])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        &state,
        &addr,
        &nurse,
        "/api/record_item_add",
        format!("patient_id={patient}&form[kind]=allergy&form[code]=91936005&form[term]=&form[dose]=&form[frequency]=&form[note]=Rash&form[since]="),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The GP sees the consultation text, the coded problem and the reading.
    let (_, body) = call(
        &state,
        &addr,
        &gp,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    for seen in [
        "Chest tightness on the stairs.",
        "Hypertensive disorder, systemic arterial",
        "\"kind\":\"systolic\",\"value\":138.0",
        "Allergy to penicillin",
    ] {
        assert!(body.contains(seen), "the GP should see {seen}: {body}");
    }
    // Reception: the allergy alert and appointments, never the clinical record.
    let (status, body) = call(
        &state,
        &addr,
        &reception,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Allergy to penicillin"), "{body}");
    assert!(
        body.contains("\"consultations\":null") && body.contains("\"items\":null"),
        "{body}"
    );
    for hidden in ["Chest tightness", "Hypertensive", "138.0"] {
        assert!(
            !body.contains(hidden),
            "reception must not see {hidden}: {body}"
        );
    }
    // Admin: demographics only (no alerts, no record).
    let (_, body) = call(
        &state,
        &addr,
        &admin,
        "/api/patient_page",
        format!("id={patient}"),
    )
    .await;
    assert!(
        body.contains("\"allergies\":null") && !body.contains("Chest tightness"),
        "{body}"
    );

    // Reception cannot write or open a consultation; another practice's
    // GP cannot either: both "not found", both audited as refused.
    for (who, cookie) in [("reception", &reception), ("other practice", &intruder)] {
        let (status, _) = call_json(
            &state,
            &addr,
            cookie,
            "/api/consultation_save",
            consultation(serde_json::json!([])),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
        let (status, _) = call(
            &state,
            &addr,
            cookie,
            "/api/consultation_page",
            format!("patient_id={patient}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
    }
    assert_eq!(
        w.store
            .consultations(&w.ours.practice_id, &patient, 5)
            .await
            .unwrap()
            .len(),
        1
    );

    // Amend: the nurse corrects it; the original stays.
    let id = w
        .store
        .consultations(&w.ours.practice_id, &patient, 1)
        .await
        .unwrap()[0]
        .id
        .clone();
    let (status, body) = call(
        &state,
        &addr,
        &nurse,
        "/api/consultation_amend",
        format!("id={id}&reason=&history=x&examination=&plan="),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required: {body}"
    );
    let (status, _) = call(
        &state,
        &addr,
        &nurse,
        "/api/consultation_amend",
        format!("id={id}&reason=Wrong+floor&history=Chest+tightness+on+the+hill.&examination=&plan=Bloods"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let c = &w
        .store
        .consultations(&w.ours.practice_id, &patient, 1)
        .await
        .unwrap()[0];
    assert_eq!(c.history, "Chest tightness on the stairs.");
    assert_eq!(c.amendments[0].by, "Nurse Cara Lee");

    // Every access is in the audit trail, none of it clinical text.
    let rows = w
        .store
        .audit_rows(&w.ours.practice_id, &Default::default(), 100)
        .await
        .unwrap();
    let lines: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.staff_name.clone().unwrap_or_default(),
                r.action.clone(),
                r.outcome.clone(),
            )
        })
        .collect();
    let has = |who: &str, action: &str, outcome: &str| {
        lines
            .iter()
            .any(|(w, a, o)| w == who && a.starts_with(action) && o == outcome)
    };
    assert!(
        has("Dr Ann Carter", "saved a consultation", "allowed"),
        "{lines:?}"
    );
    assert!(
        has("Nurse Cara Lee", "added an allergy", "allowed"),
        "{lines:?}"
    );
    assert!(
        has("Nurse Cara Lee", "amended a consultation", "allowed"),
        "{lines:?}"
    );
    assert!(
        has("Dee Patel", "viewed the record", "allowed"),
        "{lines:?}"
    );
    assert!(
        has("Dee Patel", "tried to save a consultation", "refused"),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|(_, a, _)| a.contains("Chest")
            || a.contains("Hypert")
            || a.contains("penicillin")),
        "audit actions carry no clinical content: {lines:?}"
    );
    assert!(w.store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reception_edits_a_patient_without_overwriting_a_colleague_and_clinicians_cannot() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let patient = w.ours.patient_ids[1].clone();
    let reception = sign_in(&state, &addr, "reception").await;
    let gp = sign_in(&state, &addr, "gp").await;
    let before = w
        .store
        .patient_record(&w.ours.practice_id, &patient)
        .await
        .unwrap()
        .unwrap();
    let body = |version: i64, postcode: &str| {
        let f = domain::patient::PatientForm::from_details(&before);
        format!(
            "id={patient}&version={version}&form[title]={}&form[given_name]={}&form[family_name]={}&form[date_of_birth]={}&form[sex]={}&form[gender]=&form[address]=1+New+Road&form[postcode]={postcode}&form[phone]=&form[email]=&form[nhs_number]={}&form[usual_gp]=&form[registered_on]={}",
            f.title, f.given_name, f.family_name, f.date_of_birth.replace('/', "%2F"), f.sex, f.nhs_number, f.registered_on.replace('/', "%2F")
        )
    };
    // A bad postcode: refused beside its field, nothing changed.
    let (status, text) = call(
        &state,
        &addr,
        &reception,
        "/api/edit_patient",
        body(before.version, "XYZ"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("\"field\":\"postcode\""), "{text}");
    // A GP may read but not change demographics: not found, nothing changed.
    let (status, _) = call(
        &state,
        &addr,
        &gp,
        "/api/edit_patient",
        body(before.version, "RV1 2AB"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, text) = call(
        &state,
        &addr,
        &reception,
        "/api/edit_patient",
        body(before.version, "rv12ab"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let after = w
        .store
        .patient_record(&w.ours.practice_id, &patient)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.postcode.as_str(), after.address_lines.clone()),
        ("RV1 2AB", vec!["1 New Road".to_string()])
    );
    // A second desk still on the old version is told who saved first.
    let (status, text) = call(
        &state,
        &addr,
        &reception,
        "/api/edit_patient",
        body(before.version, "RV9 9ZZ"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("Changed by Dee Patel"), "{text}");
    let still = w
        .store
        .patient_record(&w.ours.practice_id, &patient)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        still.postcode, "RV1 2AB",
        "the stale edit overwrote nothing"
    );
    let rows = w
        .store
        .audit_rows(&w.ours.practice_id, &Default::default(), 50)
        .await
        .unwrap();
    assert!(rows
        .iter()
        .any(|r| r.action == "edited the details" && r.outcome == "allowed"));
    assert!(rows
        .iter()
        .any(|r| r.action.starts_with("tried to edit the details") && r.outcome == "refused"));
}
