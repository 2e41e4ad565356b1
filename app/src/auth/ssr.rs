//! The auth door's HTTP side (server only): the session cookie, and where
//! a sign-in goes next. The rules (sessions, passwords, throttling) are the
//! auth service's (`services::auth`).

use super::session_cookie_name;
use crate::state::AppState;
use http::header::{COOKIE, SET_COOKIE};
use http::HeaderValue;
use leptos::prelude::*;

/// The raw session token from this request's cookie.
pub fn session_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let state = use_context::<AppState>()?;
    token_from_headers(&parts.headers, state.auth.secure_cookies)
}

/// The session token from the cookie of the name this deployment uses
/// (only that name: over TLS a plain `op_session` is ignored).
pub fn token_from_headers(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    let name = session_cookie_name(secure);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// The session cookie: a browser-session cookie (no `Max-Age`, so gone
/// when the browser closes; the server ends the session anyway after the
/// idle and absolute limits). `clear` expires it now.
fn cookie(state: &AppState, value: &str, clear: bool) -> String {
    let secure = state.auth.secure_cookies;
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let expiry = if clear { "; Max-Age=0" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{expiry}{secure}")
}

fn set_cookie_header(value: String) {
    if let (Some(options), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        options.append_header(SET_COOKIE, v);
    }
}

pub fn set_session_cookie(state: &AppState, token: &str) {
    set_cookie_header(cookie(state, token, false));
}

pub fn clear_session_cookie(state: &AppState) {
    set_cookie_header(cookie(state, "", true));
}

/// Percent-encodes a path for use as a query value.
pub fn percent_encode(s: &str) -> String {
    domain::url::percent_encode(s, b"/")
}

/// Where to go after signing in: `next` resolved the way a browser would
/// resolve it (the WHATWG URL rules, which drop tabs and newlines and read
/// a backslash as a slash) against our own origin, and kept only if it is
/// a path of ours: "/tasks" yes; "//evil.example", "/\tab/evil.example",
/// "https://…" no (then "/").
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next.filter(|n| n.starts_with('/')) else {
        return "/".to_string();
    };
    let Ok(base) = url::Url::parse("http://openpractice.invalid/") else {
        return "/".to_string();
    };
    match base.join(next) {
        Ok(u) if u.origin() == base.origin() && !u.path().starts_with("/login") => {
            match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            }
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_ever_a_local_path() {
        assert_eq!(safe_next(Some("/tasks")), "/tasks");
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/login")), "/");
        assert_eq!(safe_next(None), "/");
        // What browsers would turn into another site.
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(
            safe_next(Some("/ /evil.example")),
            "/ /evil.example".replace(' ', "%20")
        );
        assert_eq!(safe_next(Some("/\\/evil.example")), "/");
        assert_eq!(safe_next(Some("/%2F/evil.example")), "/%2F/evil.example");
        assert_eq!(safe_next(Some("/./login")), "/");
        assert_eq!(safe_next(Some("/tasks?team=t1")), "/tasks?team=t1");
    }
}
