//! Appointments through the server: stale and forbidden actions refused,
//! signing out closing the live socket, and a session an admin adds
//! booked by reception and seen live.

mod common;

use axum::http::{header, StatusCode};
use common::*;
use domain::live::{Rows, ServerMessage, Topic};
use futures::StreamExt;
use server::app;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

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
        w.ours
            .db(&w.store)
            .appointment(&a.id)
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

/// An open tab on an unattended desk: the socket's own re-checks are not
/// use, so the idle timeout ends the session, the socket is closed as
/// signed out, and the cookie no longer opens pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_tab_does_not_keep_an_idle_session_alive() {
    let w = world().await;
    let state = state_with_auth(
        &w.store,
        app::state::AuthConfig {
            idle_timeout: Duration::from_secs(4),
            touch_every: Duration::from_millis(500),
            socket_recheck: Duration::from_millis(500),
            ..Default::default()
        },
    );
    let addr = serve(state.clone()).await;
    let reception = sign_in(&state, &addr, "reception").await;
    let mut ws = staff_socket(&addr, &reception).await;
    assert!(matches!(
        subscribe(&mut ws, waiting_room(), None).await,
        ServerMessage::Snapshot { .. }
    ));
    let started = std::time::Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(12);
    let code = loop {
        match tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("the socket kept an idle session alive for 12 s")
        {
            Some(Ok(Message::Close(Some(frame)))) => break u16::from(frame.code),
            Some(Ok(_)) => continue,
            other => panic!("closed without a reason: {other:?}"),
        }
    };
    assert_eq!(code, 4401);
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "closed only once idle: {:?}",
        started.elapsed()
    );
    let res = app(state.clone())
        .oneshot(
            axum::http::Request::get("/waiting-room")
                .header(header::HOST, addr.as_str())
                .header(header::COOKIE, reception.as_str())
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login"));
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
    let room = w.ours.db(&w.store).rooms().await.unwrap()[0].0.clone();
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
        .ours
        .db(&w.store)
        .day_sessions("2026-11-24")
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
    let Some(ServerMessage::Changes {
        rows: Rows::Appointments(appointments),
        ..
    }) = next(&mut ws, Duration::from_secs(2)).await
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
