//! The auth service (server only): sessions, password checks, throttling,
//! cookies. Sessions are looked up by the SHA-256 of the cookie token.
//! Never logs a password, a token or a username that failed to sign in.

use super::{CurrentUser, SESSION_COOKIE};
use crate::state::AppState;
use crate::AppError;
use base64::Engine;
use chrono::{DateTime, Utc};
use domain::{Area, Role, Username};
use http::header::{COOKIE, SET_COOKIE};
use http::HeaderValue;
use leptos::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Who is asking: resolved from the session cookie by the server's
/// middleware on every request and stored in the request's extensions.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: CurrentUser,
    pub session_key: String,
}

impl Actor {
    pub fn role(&self) -> Role {
        self.user.role
    }
    pub fn practice_id(&self) -> &str {
        &self.user.practice_id
    }
}

pub struct NewSession {
    pub token: String,
}

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from Leptos context"))
}

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The signed-in actor for this request, if any.
pub fn actor() -> Option<Actor> {
    request_parts()?.extensions.get::<Actor>().cloned()
}

/// The actor, provided their role may use `area`. Every server function
/// that reads or writes practice data starts here (or with a finer check).
pub fn require_area(area: Area) -> Result<Actor, AppError> {
    let actor = actor().ok_or(AppError::Unauthenticated)?;
    if area.allows(actor.role()) {
        Ok(actor)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The raw session token from this request's cookie.
pub fn session_token() -> Option<String> {
    let parts = request_parts()?;
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

/// The peer address (the load balancer's, when behind one).
pub fn client_address() -> String {
    request_parts()
        .and_then(|p| {
            p.extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// 256 random bits from the OS, URL-safe base64.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_key(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn chrono_duration(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Resolves a session token to its actor, ending the session if it has
/// idled out or passed its absolute lifetime, or its owner was deactivated.
pub async fn resolve_session(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Actor>, AppError> {
    let key = token_key(token);
    let Some(record) = state.store.session(&key).await? else {
        return Ok(None);
    };
    let idle_deadline = record.last_seen + chrono_duration(state.auth.idle_timeout);
    if !record.active || now >= record.expires_at || now >= idle_deadline {
        state.store.delete_session(&key).await?;
        return Ok(None);
    }
    let Ok(role) = record.role.parse::<Role>() else {
        return Err(AppError::internal("session's staff has an unknown role"));
    };
    // Touch at most once a minute: idle timeout needs minute precision, not a write per request.
    if now - record.last_seen > chrono::Duration::seconds(60) {
        state.store.touch_session(&key, now).await?;
    }
    Ok(Some(Actor {
        user: CurrentUser {
            staff_id: record.staff_id,
            display_name: record.display_name,
            role,
            practice_id: record.practice_id,
            practice_name: record.practice_name,
            practice_is_demo: record.practice_is_demo,
        },
        session_key: key,
    }))
}

/// A hash to verify against when the username does not exist, so that a
/// wrong username costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| store::staff::hash_password("not a real password").unwrap_or_default())
}

/// Minutes until the earliest failure in the window ages out (at least 1).
fn minutes_left(
    earliest: Option<DateTime<Utc>>,
    window: chrono::Duration,
    now: DateTime<Utc>,
) -> i64 {
    let ends = earliest.map(|t| t + window).unwrap_or(now + window);
    ((ends - now).num_seconds() + 59).div_euclid(60).max(1)
}

pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    address: &str,
) -> Result<NewSession, AppError> {
    let mut missing = vec![];
    if username.trim().is_empty() {
        missing.push(crate::error::FieldError {
            field: "username".into(),
            message: "Enter your username".into(),
        });
    }
    if password.is_empty() {
        missing.push(crate::error::FieldError {
            field: "password".into(),
            message: "Enter your password".into(),
        });
    }
    if !missing.is_empty() {
        return Err(AppError::Validation(missing));
    }

    let now = Utc::now();
    let window = chrono_duration(state.auth.failure_window);
    let account_key = format!("user:{}", username.trim().to_ascii_lowercase());
    let address_key = format!("addr:{address}");
    for (key, max) in [
        (&account_key, state.auth.max_failures_per_account),
        (&address_key, state.auth.max_failures_per_address),
    ] {
        let (count, earliest) = state.store.login_failures_since(key, now - window).await?;
        if count >= max {
            tracing::warn!(kind = %key.split(':').next().unwrap_or(""), "sign-in throttled");
            return Err(AppError::Throttled {
                minutes: minutes_left(earliest, window, now),
            });
        }
    }

    let account = match Username::parse(username) {
        Ok(u) => state.store.sign_in_account(&u).await?,
        Err(_) => None,
    };
    let verified = match &account {
        Some(a) => store::staff::verify_password(password, &a.password_hash) && a.staff.active,
        None => {
            let _ = store::staff::verify_password(password, dummy_hash());
            false
        }
    };
    let Some(account) = account.filter(|_| verified) else {
        state
            .store
            .record_login_failure(&[account_key, address_key], now)
            .await?;
        tracing::info!("sign-in failed: bad credentials");
        return Err(AppError::BadCredentials);
    };

    state.store.clear_login_failures(&account_key).await?;
    // Rotation: a sign-in always gets a fresh token; any session the browser
    // already held is ended.
    if let Some(old) = session_token() {
        state.store.delete_session(&token_key(&old)).await?;
    }
    let token = new_token();
    state
        .store
        .create_session(
            &token_key(&token),
            &account.staff.id,
            &account.staff.practice_id,
            now,
            now + chrono_duration(state.auth.absolute_lifetime),
        )
        .await?;
    tracing::info!(staff = %account.staff.id, role = %account.staff.role, "signed in");
    Ok(NewSession { token })
}

pub async fn sign_out(state: &AppState, token: &str) -> Result<(), AppError> {
    state.store.delete_session(&token_key(token)).await?;
    Ok(())
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

    #[test]
    fn tokens_are_long_random_and_stored_only_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        // 32 bytes → 43 base64url characters: 256 bits.
        assert_eq!(a.len(), 43);
        assert_eq!(token_key(&a).len(), 64);
        assert_ne!(token_key(&a), a);
    }

    #[test]
    fn lockout_minutes_round_up() {
        let now = Utc::now();
        let w = chrono::Duration::minutes(15);
        assert_eq!(
            minutes_left(Some(now - chrono::Duration::minutes(14)), w, now),
            1
        );
        assert_eq!(minutes_left(Some(now), w, now), 15);
    }
}
