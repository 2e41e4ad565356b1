//! The auth door's HTTP side (server only): the session cookie, and where
//! a sign-in goes next. The rules (sessions, passwords, throttling) are the
//! auth service's (`services::auth`).

use super::SESSION_COOKIE;
use crate::state::AppState;
use http::header::{COOKIE, SET_COOKIE};
use http::HeaderValue;
use leptos::prelude::*;

/// The raw session token from this request's cookie.
pub fn session_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    token_from_headers(&parts.headers)
}

pub fn token_from_headers(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

fn cookie(state: &AppState, value: &str, max_age_secs: u64) -> String {
    let secure = if state.auth.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    )
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
    set_cookie_header(cookie(state, token, state.auth.absolute_lifetime.as_secs()));
}

pub fn clear_session_cookie(state: &AppState) {
    set_cookie_header(cookie(state, "", 0));
}

/// Percent-encodes a path for use as a query value.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
