//! Staff accounts through the server: an account made by the admin with a
//! one-time password can do nothing but choose its own (pages go to the
//! password page, server functions and sockets are refused); a
//! deactivated person's open socket closes within 5 s (the default
//! re-check is 15 s: it is the outbox event that closes it) and their
//! cookie stops working.

mod common;

use axum::http::{header, StatusCode};
use common::*;
use domain::live::{ServerMessage, CLOSE_SIGNED_OUT};
use server::app;
use std::time::Duration;
use tower::ServiceExt;

async fn call(
    state: &server::ServerState,
    addr: &str,
    path: &str,
    body: String,
    cookie: &str,
) -> (StatusCode, String) {
    let res = app(state.clone())
        .oneshot(form(path, addr, body, Some(cookie)))
        .await
        .unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn page(
    state: &server::ServerState,
    addr: &str,
    path: &str,
    cookie: &str,
) -> axum::response::Response {
    app(state.clone())
        .oneshot(
            axum::http::Request::get(path)
                .header(header::HOST, addr)
                .header(header::COOKIE, cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap()
}

fn cookie_of(res: &axum::response::Response) -> String {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("op_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("a session cookie")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_password_opens_nothing_but_the_password_page_until_changed() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let admin = sign_in(&state, &addr, "admin").await;
    let (status, body) = call(
        &state,
        &addr,
        "/api/add_staff",
        "name=Sam+Patel&username=sam.patel&role=reception&team=".into(),
        &admin,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let made: domain::OneTimePassword = serde_json::from_str(&body).unwrap();

    let res = app(state.clone())
        .oneshot(form(
            "/api/sign_in",
            &addr,
            format!("username=sam.patel&password={}", encode(&made.password)),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let sam = cookie_of(&res);

    // Every page goes to the password page; nothing else answers.
    let res = page(&state, &addr, "/waiting-room", &sam).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/account/password");
    let (status, body) = call(&state, &addr, "/api/teams", String::new(), &sam).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("one-time password"), "{body}");
    assert!(
        connect(&addr, "/ws", Some(&sam), Some(&format!("http://{addr}")))
            .await
            .is_err()
    );
    assert_eq!(
        page(&state, &addr, "/account/password", &sam)
            .await
            .status(),
        StatusCode::OK
    );

    let new = "lantern meadow copper";
    let (status, body) = call(
        &state,
        &addr,
        "/api/change_password",
        format!(
            "current_password={}&new_password={}&confirm_password={}",
            encode(&made.password),
            encode(new),
            encode(new)
        ),
        &sam,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        page(&state, &addr, "/waiting-room", &sam).await.status(),
        StatusCode::OK
    );
    let mut ws = staff_socket(&addr, &sam).await;
    assert!(matches!(
        subscribe(&mut ws, waiting_room(), None).await,
        ServerMessage::Snapshot { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_persons_open_tab_is_closed_within_5_s_and_their_cookie_stops_working() {
    let w = world().await;
    let state = state(&w.store);
    assert!(
        state.app.auth.socket_recheck > Duration::from_secs(5),
        "the event, not the re-check, must close it"
    );
    let addr = serve(state.clone()).await;
    let admin = sign_in(&state, &addr, "admin").await;
    let reception = sign_in(&state, &addr, "reception").await;
    let gp = sign_in(&state, &addr, "gp").await;
    let mut colleague = staff_socket(&addr, &gp).await;
    let mut ws = staff_socket(&addr, &reception).await;
    assert!(matches!(
        subscribe(&mut ws, waiting_room(), None).await,
        ServerMessage::Snapshot { .. }
    ));

    let id = w.ours.staff_id("reception").to_string();
    let (status, body) = call(&state, &addr, "/api/list_staff", String::new(), &admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list: Vec<domain::StaffAccount> = serde_json::from_str(&body).unwrap();
    let version = list.iter().find(|a| a.id.as_str() == id).unwrap().version;
    // Reception cannot do it; the admin can.
    let body = format!("id={id}&version={version}&active=false");
    assert_eq!(
        call(
            &state,
            &addr,
            "/api/set_staff_active",
            body.clone(),
            &reception
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let started = std::time::Instant::now();
    let (status, answer) = call(&state, &addr, "/api/set_staff_active", body, &admin).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let code = closed_with(&mut ws, Duration::from_secs(5)).await;
    assert_eq!(
        code,
        Some(CLOSE_SIGNED_OUT),
        "closed as signed out within 5 s"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let res = page(&state, &addr, "/waiting-room", &reception).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    assert!(connect(
        &addr,
        "/ws",
        Some(&reception),
        Some(&format!("http://{addr}"))
    )
    .await
    .is_err());
    // A colleague's socket, open all along, is still open: only theirs closed.
    assert!(matches!(
        subscribe(&mut colleague, waiting_room(), None).await,
        ServerMessage::Snapshot { .. }
    ));
}
