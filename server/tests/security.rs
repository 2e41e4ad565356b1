//! Security defects found by review (issue 11), each with the test that
//! failed before its fix: request limits, response headers, per-socket
//! caps, and pages opened from another site.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use domain::live::{
    ClientMessage, Place, ServerMessage, Topic, CLOSE_TOO_MANY_MESSAGES, MAX_PLACES_PER_SOCKET,
    MAX_SOCKETS_PER_SESSION, MAX_TOPICS_PER_SOCKET,
};
use futures::SinkExt;
use server::app;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

fn sign_in_post(body: Body, length: Option<usize>) -> Request<Body> {
    let mut b = Request::post("/api/sign_in")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(n) = length {
        b = b.header(header::CONTENT_LENGTH, n);
    }
    let mut req = b.body(body).unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [10, 0, 0, 1],
            40000,
        ))));
    req
}

/// A 32 MB sign-in body was answered 500 after being read; now 413 with a
/// clear message, whether its length is declared or it streams in chunks,
/// and nothing is counted as a sign-in attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_with_413_and_a_clear_message() {
    let w = world().await;
    let state = state(&w.store);
    let big = format!("username=gp&password={}", "x".repeat(32 * 1024 * 1024));
    let declared = big.len();
    let (status, body) = respond(
        &state,
        sign_in_post(Body::from(big.clone()), Some(declared)),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body:.200}");
    let error: app::AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(
        error.to_string(),
        "The request is too large (the limit is 1024 KiB); nothing was saved."
    );

    // The same, streamed without a declared length.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
        .as_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let stream = Body::from_stream(futures::stream::iter(chunks));
    let (status, _) = respond(&state, sign_in_post(stream, None)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // The account is not locked by refused bodies: the right password works.
    sign_in(&state, "127.0.0.1:3000", "gp").await;
}

/// Every page and response carries the headers; a page's inline script
/// carries the nonce its Content-Security-Policy names, and nothing else
/// inline may run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_a_nonce_csp_and_the_isolation_headers() {
    let w = world().await;
    let state = state(&w.store);
    let cookie = sign_in(&state, "127.0.0.1:3000", "gp").await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = app(state.clone())
            .oneshot(
                Request::get("/")
                    .header(header::HOST, "127.0.0.1:3000")
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers().clone();
        let csp = h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "style-src 'self';",
        ] {
            assert!(csp.contains(directive), "{csp} lacks {directive}");
        }
        assert!(
            !csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"),
            "{csp}"
        );
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|r| r.split('\'').next())
            .expect("a nonce")
            .to_string();
        assert!(nonce.len() >= 16, "{nonce}");
        let html = axum::body::to_bytes(res.into_body(), 1 << 22)
            .await
            .unwrap();
        let html = String::from_utf8_lossy(&html);
        // Every inline script carries the nonce.
        for script in html.split("<script").skip(1) {
            let open = script.split('>').next().unwrap_or_default();
            if !open.contains("src=") {
                assert!(
                    open.contains(&format!("nonce=\"{nonce}\"")),
                    "<script{open}>"
                );
            }
        }
        assert!(!html.contains(" style=\""), "no inline style attributes");
        assert!(h["permissions-policy"]
            .to_str()
            .unwrap()
            .contains("camera=()"));
        assert_eq!(h["cross-origin-opener-policy"], "same-origin");
        assert!(
            !h.contains_key(header::STRICT_TRANSPORT_SECURITY),
            "not over plain HTTP"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a new nonce for every page");

    // A server function's answer has a policy too (no nonce).
    let (status, _) = call(
        &state,
        "127.0.0.1:3000",
        &cookie,
        "/api/current_user",
        String::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Served as https: HSTS.
    let mut https = state.clone();
    https.public_origin = Some("https://portal.example.nhs.uk".into());
    let res = app(https)
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(res.headers()[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}

/// One connection may watch so many lists and pages, send so fast; one
/// session may hold so many connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_are_capped_per_connection_and_per_session() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let gp = sign_in(&state, &addr, "gp").await;
    let gp_id = w.ours.staff_id("gp").to_string();

    // Lists: the first MAX are served, the next refused with a reason.
    let mut ws = staff_socket(&addr, &gp).await;
    for day in 1..=MAX_TOPICS_PER_SOCKET {
        let topic = Topic::DayList {
            clinician: gp_id.clone(),
            date: format!("2026-11-{day:02}"),
        };
        assert!(
            matches!(
                subscribe(&mut ws, topic, None).await,
                ServerMessage::Snapshot { .. }
            ),
            "list {day}"
        );
    }
    let one_more = Topic::DayList {
        clinician: gp_id.clone(),
        date: "2026-12-01".into(),
    };
    match subscribe(&mut ws, one_more, None).await {
        ServerMessage::Refused { message, .. } => {
            assert!(message.contains("Too many"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Pages: the same, for presence (task pages the GP may open).
    let db = w.ours.db(&w.store);
    let team = db.create_team("Caps").await.unwrap();
    let mut places = Vec::new();
    for i in 0..=MAX_PLACES_PER_SOCKET {
        let t = db
            .create_task(
                &store::tasks::NewTask {
                    title: format!("Task {i}"),
                    details: String::new(),
                    patient_id: None,
                    priority: domain::task::Priority::Routine,
                    due_at: None,
                    assignee: store::tasks::Assignee::Team(team.clone().into()),
                    created_by: w.ours.staff_id("admin").into(),
                },
                "Created",
            )
            .await
            .unwrap();
        places.push(Place::Task { id: t.id });
    }
    for (i, place) in places.into_iter().enumerate() {
        send(
            &mut ws,
            &ClientMessage::Here {
                place: place.clone(),
                editing: false,
            },
        )
        .await;
        // The answers to this announcement (the list of who is there, or a refusal).
        let mut refused = false;
        while let Some(m) = next(&mut ws, Duration::from_millis(500)).await {
            if let ServerMessage::PresenceRefused { place: p, message } = m {
                assert!(message.contains("Too many"), "{message}");
                refused |= p == place;
            }
        }
        assert_eq!(refused, i == MAX_PLACES_PER_SOCKET, "page {i}");
    }

    // Messages: a flood is cut off with its own close code.
    let mut flood = staff_socket(&addr, &gp).await;
    for _ in 0..200 {
        if flood
            .send(Message::text(
                serde_json::to_string(&ClientMessage::Ping).unwrap(),
            ))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(
        closed_with(&mut flood, Duration::from_secs(5)).await,
        Some(CLOSE_TOO_MANY_MESSAGES)
    );

    drop(flood);

    // Connections per session (on top of the one still open above; the
    // flooded one's place comes back as soon as the server sees it gone).
    let mut held = vec![ws];
    for _ in 0..200 {
        if held.len() == MAX_SOCKETS_PER_SESSION {
            break;
        }
        match connect(&addr, "/ws", Some(&gp), Some(&format!("http://{addr}"))).await {
            Ok(ws) => held.push(ws),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    assert_eq!(
        held.len(),
        MAX_SOCKETS_PER_SESSION,
        "every tab up to the limit opens"
    );
    let err = connect(&addr, "/ws", Some(&gp), Some(&format!("http://{addr}")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("429"), "{err}");
    // Another person is unaffected; closing a tab frees its place.
    let reception = sign_in(&state, &addr, "reception").await;
    staff_socket(&addr, &reception).await;
    drop(held.pop());
    let mut freed = None;
    for _ in 0..50 {
        if let Ok(ws) = connect(&addr, "/ws", Some(&gp), Some(&format!("http://{addr}"))).await {
            freed = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(freed.is_some(), "a closed tab's place is given back");
}

/// Another site linking a colleague's browser to a patient's page gets a
/// page asking them to continue, not the app (whose loading of the record
/// would be audited in their name).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_opened_from_another_site_asks_before_loading() {
    let w = world().await;
    let state = state(&w.store);
    let cookie = sign_in(&state, "127.0.0.1:3000", "gp").await;
    let path = format!("/patients/{}", w.ours.patient_ids[0]);
    let open = |site: &'static str| {
        Request::get(path.as_str())
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::COOKIE, &cookie)
            .header("sec-fetch-site", site)
            .header("sec-fetch-mode", "navigate")
            .body(Body::empty())
            .unwrap()
    };
    for site in ["cross-site", "same-site"] {
        let (status, html) = respond(&state, open(site)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("You followed a link from another site"),
            "{site}"
        );
        assert!(
            html.contains(&format!("href=\"{path}\"")),
            "continue to the page"
        );
        assert!(
            !html.contains("/pkg/openpractice.js"),
            "{site}: the app must not start"
        );
    }
    // Typed, bookmarked or clicked within OpenPractice: the page itself.
    for site in ["none", "same-origin"] {
        let (_, html) = respond(&state, open(site)).await;
        assert!(html.contains("/pkg/openpractice.js"), "{site}");
    }
}
