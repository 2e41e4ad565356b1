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

/// Only same-site paths: "/tasks" yes; "//evil.example" or "https://…" no.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.starts_with("/login") =>
        {
            n.to_string()
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
    }
}
