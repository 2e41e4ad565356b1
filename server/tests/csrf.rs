//! The CSRF / Origin matrix: every state-changing route (every server
//! function, with real arguments that would write) and both websocket
//! handshakes, sent with a signed-in session cookie from every kind of
//! foreign or doubtful origin: refused with 403 and nothing written. The
//! same requests from our own pages are served.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::calls::*;
use common::*;
use std::collections::BTreeSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const HOST: &str = "127.0.0.1:3000";

/// How a request says where it came from: its `Origin` and its
/// `Sec-Fetch-Site` header (None: not sent).
struct From {
    what: &'static str,
    origin: Option<&'static str>,
    site: Option<&'static str>,
}

/// Every way a request can fail to come from one of our pages.
const FOREIGN: &[From] = &[
    From {
        what: "no Origin",
        origin: None,
        site: None,
    },
    From {
        what: "no Origin, Sec-Fetch-Site same-origin",
        origin: None,
        site: Some("same-origin"),
    },
    From {
        what: "Origin null (a sandboxed frame or data: page)",
        origin: Some("null"),
        site: None,
    },
    From {
        what: "a foreign Origin",
        origin: Some("https://evil.example"),
        site: Some("cross-site"),
    },
    From {
        what: "our host under another scheme",
        origin: Some("https://127.0.0.1:3000"),
        site: None,
    },
    From {
        what: "our host on another port",
        origin: Some("http://127.0.0.1:3001"),
        site: None,
    },
    From {
        what: "a sibling host",
        origin: Some("http://evil.127.0.0.1:3000"),
        site: Some("same-site"),
    },
    From {
        what: "Sec-Fetch-Site same-site",
        origin: None,
        site: Some("same-site"),
    },
    From {
        what: "Sec-Fetch-Site cross-site",
        origin: None,
        site: Some("cross-site"),
    },
    From {
        what: "our Origin but Sec-Fetch-Site cross-site",
        origin: Some("http://127.0.0.1:3000"),
        site: Some("cross-site"),
    },
];

/// Our own pages: a browser sends both headers; our tools send Origin only.
const OURS: &[From] = &[
    From {
        what: "our page in a browser",
        origin: Some("http://127.0.0.1:3000"),
        site: Some("same-origin"),
    },
    From {
        what: "our Origin without Fetch Metadata",
        origin: Some("http://127.0.0.1:3000"),
        site: None,
    },
];

fn request(call: &Call, from: &From, cookie: &str) -> Request<Body> {
    let (content_type, body) = if call.json {
        ("application/json", call.body.to_string())
    } else {
        ("application/x-www-form-urlencoded", form_body(&call.body))
    };
    let mut b = Request::post(format!("/api/{}", call.name))
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie);
    if let Some(o) = from.origin {
        b = b.header(header::ORIGIN, o);
    }
    if let Some(s) = from.site {
        b = b.header("sec-fetch-site", s);
    }
    let mut req = b.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [10, 0, 0, 1],
            40000,
        ))));
    req
}

const REFUSED: &str = "\"ForeignOrigin\"";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_changing_route_refuses_other_origins_and_writes_nothing() {
    let w = world().await;
    let ours = objects(&w, &w.ours).await;
    let theirs = objects(&w, &w.theirs).await;
    let state = state(&w.store);
    let cookie = sign_in(&state, HOST, "reception").await;
    let calls: Vec<Call> = calls(&w, &ours, &theirs, w.ours.staff_id("reception"))
        .into_iter()
        .filter(|c| c.obj == "own" || c.obj == "-")
        .collect();

    // Every route the framework serves is here.
    let _ = server::app;
    let registered: BTreeSet<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/"))
        .collect();
    let covered: BTreeSet<&str> = calls.iter().map(|c| c.name).collect();
    assert_eq!(
        registered, covered,
        "every server function is in the matrix"
    );

    let before = store::fixtures::everything(&w.store).await.unwrap();
    for call in &calls {
        for from in FOREIGN {
            let (status, body) = respond(&state, request(call, from, &cookie)).await;
            assert_eq!(
                (status, body.as_str()),
                (StatusCode::FORBIDDEN, REFUSED),
                "{} from {}",
                call.name,
                from.what
            );
        }
        assert_eq!(
            store::fixtures::everything(&w.store).await.unwrap(),
            before,
            "a refused {} wrote to the database",
            call.name
        );
    }

    // The same requests from our own pages get through to the service
    // (which may still refuse them for the role, or as a conflict, but
    // not as foreign). Signing out and in again come last.
    let mut served = 0;
    for call in &calls {
        for from in OURS {
            let (status, body) = respond(&state, request(call, from, &cookie)).await;
            assert_ne!(body, REFUSED, "{} from {}", call.name, from.what);
            if status == StatusCode::OK {
                served += 1;
            }
        }
    }
    assert!(served > 40, "most calls succeed for reception: {served}");
    assert_ne!(
        store::fixtures::everything(&w.store).await.unwrap(),
        before,
        "the same requests from our pages do write"
    );
}

async fn handshake(
    addr: &str,
    path: &str,
    cookie: Option<&str>,
    from: &From,
) -> Result<(), String> {
    let mut req = format!("ws://{addr}{path}").into_client_request().unwrap();
    let headers = req.headers_mut();
    if let Some(c) = cookie {
        headers.insert(header::COOKIE, c.parse().unwrap());
    }
    if let Some(o) = from.origin {
        // The test server listens on another port than HOST: keep the
        // variant's relation to the server (same host, other scheme, the
        // next port…).
        let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
        let o = o
            .replace("127.0.0.1:3001", &format!("127.0.0.1:{}", port + 1))
            .replace(HOST, addr);
        headers.insert(header::ORIGIN, o.parse().unwrap());
    }
    if let Some(s) = from.site {
        headers.insert("sec-fetch-site", s.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok(_) => Ok(()),
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Err(res.status().to_string()),
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_handshakes_refuse_other_origins() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let cookie = sign_in(&state, &addr, "reception").await;
    for (path, cookie) in [("/ws", Some(cookie.as_str())), ("/ws/display", None)] {
        for from in FOREIGN {
            assert_eq!(
                handshake(&addr, path, cookie, from).await,
                Err("403 Forbidden".to_string()),
                "{path} from {}",
                from.what
            );
        }
        for from in OURS {
            assert_eq!(
                handshake(&addr, path, cookie, from).await,
                Ok(()),
                "{path} from {}",
                from.what
            );
        }
    }
}

/// Behind a TLS proxy on this machine (`--secure-cookies`, no public
/// origin) our pages are https: that origin is ours, the plain-http one
/// is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_tls_proxy_only_the_https_origin_is_ours() {
    let w = world().await;
    let state = state_with_auth(
        &w.store,
        app::state::AuthConfig {
            secure_cookies: true,
            ..Default::default()
        },
    );
    let sign_in_from = |origin: &'static str| {
        let mut req = form(
            "/api/sign_in",
            HOST,
            format!("username=gp&password={}", PASSWORD.replace(' ', "+")),
            None,
        );
        req.headers_mut()
            .insert(header::ORIGIN, origin.parse().unwrap());
        respond(&state, req)
    };
    let (status, _) = sign_in_from("https://127.0.0.1:3000").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = sign_in_from("http://127.0.0.1:3000").await;
    assert_eq!((status, body.as_str()), (StatusCode::FORBIDDEN, REFUSED));
}
