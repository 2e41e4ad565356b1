//! Request guards that run before any page or server function:
//! - `origin_guard` refuses state-changing requests from another origin (CSRF);
//! - `session` resolves the session cookie (through the auth service) to
//!   who is signed in, in the request's extensions, and sends anyone
//!   without one to sign in;
//! - `server_fn_status` gives a server function's refusal its real HTTP
//!   status (401, 403, 409, 422…) instead of the framework's blanket 500;
//! - `security_headers` sets the headers every response should carry.
//!
//! Authorisation by role, practice and object happens in the services.

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

/// Does `origin` ("https://host:port") name this server?
pub(crate) fn origin_allowed(
    origin: &str,
    host: Option<&str>,
    public_origin: Option<&str>,
) -> bool {
    if let Some(allowed) = public_origin {
        return origin.eq_ignore_ascii_case(allowed.trim_end_matches('/'));
    }
    let Some(host) = host else { return false };
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    origin_host.is_some_and(|h| h.eq_ignore_ascii_case(host))
}

pub async fn origin_guard(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    if !is_safe_method(req.method()) {
        let headers = req.headers();
        let allowed = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            Some(origin) => origin_allowed(
                origin,
                headers.get(header::HOST).and_then(|v| v.to_str().ok()),
                state.public_origin.as_deref(),
            ),
            // No Origin (older browsers, non-browser clients): fall back on
            // the Fetch Metadata header, which browsers always send.
            None => headers
                .get("sec-fetch-site")
                .and_then(|v| v.to_str().ok())
                .is_none_or(|site| site == "same-origin" || site == "none"),
        };
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
    ) || path.starts_with("/pkg/")
        || path.starts_with("/display/")
}

pub async fn session(State(state): State<ServerState>, mut req: Request, next: Next) -> Response {
    let mut signed_in = false;
    if let Some(token) = token_from_headers(req.headers()) {
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
                req.extensions_mut().insert(session);
                signed_in = true;
            }
            Ok(None) => {}
            Err(_) => return error_response(AppError::Unavailable),
        }
    }
    let path = req.uri().path();
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

pub async fn security_headers(req: Request<Body>, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
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

    #[test]
    fn origins_must_match_this_server_exactly() {
        assert!(origin_allowed(
            "http://127.0.0.1:3000",
            Some("127.0.0.1:3000"),
            None
        ));
        assert!(!origin_allowed(
            "http://evil.example",
            Some("127.0.0.1:3000"),
            None
        ));
        assert!(!origin_allowed(
            "http://127.0.0.1:3000.evil.example",
            Some("127.0.0.1:3000"),
            None
        ));
        assert!(!origin_allowed("null", Some("127.0.0.1:3000"), None));
        assert!(!origin_allowed("http://127.0.0.1:3000", None, None));
        assert!(origin_allowed(
            "https://gp.example",
            Some("internal:3000"),
            Some("https://gp.example/")
        ));
        assert!(!origin_allowed(
            "https://internal:3000",
            Some("internal:3000"),
            Some("https://gp.example")
        ));
    }

    #[test]
    fn next_parameter_is_percent_encoded() {
        assert_eq!(percent_encode("/tasks?x=1&y=2"), "/tasks%3Fx%3D1%26y%3D2");
    }
}
