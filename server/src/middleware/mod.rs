//! Request guards that run before any page or server function:
//! - `origin_guard` refuses state-changing requests from another origin (CSRF);
//! - `session` resolves the session cookie (through the auth service) to
//!   who is signed in, in the request's extensions, and sends anyone
//!   without one to sign in;
//! - `server_fn_status` gives a server function's refusal its real HTTP
//!   status (401, 403, 409, 422…) instead of the framework's blanket 500;
//! - `limits` refuses a body over `MAX_BODY` (413, before reading it) and
//!   answers 503 for a request not answered within `REQUEST_TIMEOUT`;
//! - `security_headers` sets the headers every response should carry,
//!   including a Content-Security-Policy (pages get one with the nonce
//!   their inline script carries: `page_csp`).
//!
//! Authorisation by role, practice and object happens in the services.

mod foreign;
mod password_gate;

use foreign::{foreign_navigation, is_foreign_navigation};

use crate::ServerState;
use app::auth::ssr::{percent_encode, token_from_headers};
use app::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// The error as a server function client decodes it (JSON `AppError`).
fn error_response(error: AppError) -> Response {
    let body = serde_json::to_string(&error).unwrap_or_else(|_| "\"Unavailable\"".into());
    (
        error.status(),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Does `origin` ("scheme://host:port") name this server? With a public
/// origin configured, it must be exactly that; without one the server is on
/// loopback, so it must be the request's Host, over `https://` when TLS ends
/// at a proxy in front (`--secure-cookies`), else `http://`.
fn origin_allowed(
    origin: &str,
    host: Option<&str>,
    public_origin: Option<&str>,
    behind_tls: bool,
) -> bool {
    if let Some(allowed) = public_origin {
        return origin.eq_ignore_ascii_case(allowed.trim_end_matches('/'));
    }
    let Some(host) = host else { return false };
    let scheme = if behind_tls { "https://" } else { "http://" };
    origin
        .strip_prefix(scheme)
        .is_some_and(|h| h.eq_ignore_ascii_case(host))
}

/// Did this request come from one of our own pages? A browser sends
/// `Origin` on every POST and websocket handshake, and `Sec-Fetch-Site`
/// (which only it can set) on every request: the `Origin` must be ours, and
/// `Sec-Fetch-Site`, when sent, must say same-origin. A request without an
/// `Origin` is not from one of our pages (our own clients and tools send it
/// too), so it is refused rather than trusted.
pub(crate) fn from_our_pages(headers: &axum::http::HeaderMap, state: &ServerState) -> bool {
    let public_origin = state.public_origin.as_deref();
    let behind_tls = state.app.auth.secure_cookies;
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let site_ok = get(header::HeaderName::from_static("sec-fetch-site"))
        .is_none_or(|site| site == "same-origin");
    site_ok
        && get(header::ORIGIN).is_some_and(|origin| {
            origin_allowed(origin, get(header::HOST), public_origin, behind_tls)
        })
}

pub async fn origin_guard(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    if !is_safe_method(req.method()) {
        let allowed = from_our_pages(req.headers(), &state);
        if !allowed {
            tracing::warn!(path = %req.uri().path(), "refused a cross-origin state-changing request");
            return error_response(AppError::ForeignOrigin);
        }
    }
    next.run(req).await
}

/// Paths anyone may reach without a session.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/healthz"
            | "/readyz"
            | "/favicon.ico"
            | "/robots.txt"
            | "/api/sign_in"
            | "/api/sign_in_info"
            | "/api/current_user"
            // Authenticated by its display link instead of a session.
            | "/ws/display"
            | "/api/call_screen_info"
    ) || path.starts_with("/pkg/")
        || path.starts_with("/display/")
}

pub async fn session(State(state): State<ServerState>, mut req: Request, next: Next) -> Response {
    let mut signed_in = false;
    let mut must_change_password = false;
    if let Some(token) = token_from_headers(req.headers(), state.app.auth.secure_cookies) {
        match services::auth::resolve_session(
            &state.app.store,
            &state.app.auth,
            &token,
            chrono::Utc::now(),
            services::auth::Activity::Person,
        )
        .await
        {
            Ok(Some(session)) => {
                must_change_password = session.must_change_password;
                req.extensions_mut().insert(session);
                signed_in = true;
            }
            Ok(None) => {}
            Err(_) => return error_response(AppError::Unavailable),
        }
    }
    let path = req.uri().path();
    if must_change_password && !is_public(path) {
        if let Some(refused) = password_gate::gate(req.method(), path) {
            return refused;
        }
    }
    if signed_in && !is_public(path) && is_foreign_navigation(req.headers()) {
        return foreign_navigation(req.uri());
    }
    if !signed_in && !is_public(path) {
        if path != "/ws" && (req.method() == Method::GET || req.method() == Method::HEAD) {
            let target = req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .unwrap_or("/");
            let location = if target == "/" {
                "/login".to_string()
            } else {
                format!("/login?next={}", percent_encode(target))
            };
            return Redirect::to(&location).into_response();
        }
        return error_response(AppError::Unauthenticated);
    }
    next.run(req).await
}

/// The header server functions put on an error response.
const SERVER_FN_ERROR: &str = "serverfnerror";
/// The largest error body read back to find its status.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// A server function that failed answers 500 whatever the error; this
/// reads the typed error back and gives the response the status it means
/// (a refusal is not a failure, and clients, proxies and logs can tell).
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return error_response(AppError::internal("an error body could not be read"));
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The largest request body accepted (a consultation note is a few KiB).
pub const MAX_BODY: usize = 1024 * 1024;
/// The largest body of a request carrying a letter (a 5 MB PDF as
/// base64, with its form or Bundle).
pub const MAX_LETTER_BODY: usize = 8 * 1024 * 1024;

/// The body limit for a request to `path`: only the two doors letters
/// arrive by take more than `MAX_BODY`.
fn body_limit(path: &str) -> usize {
    match path {
        "/api/upload_letter" | "/fhir/r4/Bundle" => MAX_LETTER_BODY,
        _ => MAX_BODY,
    }
}
/// A request not answered within this is answered 503 (and its work
/// dropped; a database transaction either committed or did not).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Body size and time limits, for every route. A body without a declared
/// length is read here, up to the limit, so the handler never sees more.
pub async fn limits(req: Request, next: Next) -> Response {
    let limit = body_limit(req.uri().path());
    let too_large = move || {
        error_response(AppError::TooLarge {
            limit_kib: limit / 1024,
        })
    };
    let run = async move {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let req = match declared {
            Some(n) if n > limit as u64 => return too_large(),
            Some(_) => req,
            None if is_safe_method(req.method()) => req,
            None => {
                let (parts, body) = req.into_parts();
                match axum::body::to_bytes(body, limit).await {
                    Ok(bytes) => Request::from_parts(parts, Body::from(bytes)),
                    Err(_) => return too_large(),
                }
            }
        };
        next.run(req).await
    };
    match tokio::time::timeout(REQUEST_TIMEOUT, run).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!("a request was not answered within {REQUEST_TIMEOUT:?}");
            error_response(AppError::TimedOut)
        }
    }
}

/// The Content-Security-Policy: scripts only from this origin, or inline
/// with this response's `nonce`; WebAssembly compiled from our own files;
/// no inline styles, plugins, framing, or forms posting elsewhere.
fn csp(nonce: Option<&str>) -> String {
    let script = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; script-src {script}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// For a page being rendered: its CSP, naming the nonce Leptos puts on
/// the page's inline script (called where each request's context is made).
pub fn page_csp() {
    use leptos::prelude::use_context;
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(v) = HeaderValue::from_str(&csp(Some(&nonce))) {
            res.insert_header(header::CONTENT_SECURITY_POLICY, v);
        }
    }
}

pub async fn security_headers(
    State(state): State<ServerState>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A letter's PDF may be framed by our own page (it says so itself).
    if !h.contains_key(header::X_FRAME_OPTIONS) {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(v) = HeaderValue::from_str(&csp(None)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), \
             serial=(), bluetooth=(), hid=(), interest-cohort=()",
        ),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if state
        .public_origin
        .as_deref()
        .is_some_and(|o| o.starts_with("https://"))
    {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // Pages show patient data: never keep them in a shared cache.
    if !is_asset
        && !res.headers().contains_key(header::CACHE_CONTROL)
        && res.status() != StatusCode::NOT_MODIFIED
    {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A request that is not answered in time gets a 503 that says a
    /// change may or may not have been made, instead of hanging.
    #[tokio::test(start_paused = true)]
    async fn a_request_not_answered_in_time_gets_503() {
        let router = axum::Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(REQUEST_TIMEOUT * 2).await;
                    "late"
                }),
            )
            .route("/quick", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn(limits));
        let res = router
            .clone()
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        let error: AppError = serde_json::from_slice(&body).unwrap();
        assert!(error
            .to_string()
            .contains("Check whether your change was saved"));
        let res = router
            .oneshot(Request::get("/quick").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}
