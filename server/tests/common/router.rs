//! Router tests' harness: one practice with a GP and an admin, requests
//! without a port.

use app::state::{AppState, AuthConfig};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use axum::response::Response;
use domain::{Role, Username};
use leptos::prelude::LeptosOptions;
use server::{app, ServerState};
use std::net::SocketAddr;
use store::staff::{hash_password, NewStaff};
use store::Store;
use tower::ServiceExt;

pub const HOST: &str = "127.0.0.1:3000";
pub const PASSWORD: &str = "a long test password";

pub async fn state_with(auth: AuthConfig) -> ServerState {
    let store = Store::memory().await.unwrap();
    let practice = store.create_practice("Test Surgery", false).await.unwrap();
    for (username, name, role) in [
        ("gp", "Dr Test", Role::Gp),
        ("admin", "Ada Admin", Role::Admin),
    ] {
        store
            .practice(&practice.id)
            .create_staff(NewStaff {
                username: &Username::parse(username).unwrap(),
                display_name: name,
                role,
                password_hash: hash_password(PASSWORD).unwrap(),
            })
            .await
            .unwrap();
    }
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
        hub: server::live::hub::Hub::start(store.clone()),
    }
}

pub async fn state() -> ServerState {
    state_with(AuthConfig::default()).await
}

pub fn from_address(mut req: Request<Body>, ip: [u8; 4]) -> Request<Body> {
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    req
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, HOST);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

pub fn post_form(
    path: &str,
    body: &str,
    origin: Option<&str>,
    cookie: Option<&str>,
) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    from_address(b.body(Body::from(body.to_string())).unwrap(), [10, 0, 0, 1])
}

pub async fn body_text(res: Response) -> String {
    let bytes = axum::body::to_bytes(res.into_body(), 4 * 1024 * 1024)
        .await
        .unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("op_session=") && !v.starts_with("op_session=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

/// Signs in through the form endpoint; the whole response.
pub async fn sign_in_response(state: &ServerState, username: &str, password: &str) -> Response {
    // From our own sign-in page: over https when TLS ends at a proxy.
    let scheme = if state.app.auth.secure_cookies {
        "https"
    } else {
        "http"
    };
    app(state.clone())
        .oneshot(post_form(
            "/api/sign_in",
            &format!(
                "username={username}&password={}",
                password.replace(' ', "+")
            ),
            Some(&format!("{scheme}://{HOST}")),
            None,
        ))
        .await
        .unwrap()
}
