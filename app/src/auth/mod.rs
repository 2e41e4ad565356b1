//! Sign-in, sign-out and "who am I": the sign-in page, and the door for
//! the auth service (cookies, redirects). Sessions are server-side; the
//! browser holds only an HttpOnly cookie with a random token.

mod password_page;
mod server_fns;
mod sessions_page;
pub(crate) mod sign_in_page;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use domain::{CurrentUser, SignInInfo};
pub use password_page::PasswordPage;
pub use server_fns::*;
pub use sessions_page::*;
pub use sign_in_page::SignInPage;

/// The session cookie's name over plain HTTP (development, tests).
pub const SESSION_COOKIE: &str = "op_session";
/// Its name when served over TLS: the `__Host-` prefix makes the browser
/// accept it only with `Secure`, `Path=/` and no `Domain`, so a sibling
/// site cannot set or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-op_session";

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// Why a plain-form sign-in failed, as carried in `/login?error=…` (the
/// hydrated page gets the typed error instead).
#[cfg(feature = "ssr")]
fn sign_in_error_code(e: &crate::AppError) -> &'static str {
    match e {
        crate::AppError::Validation(_) => "missing",
        crate::AppError::BadCredentials => "credentials",
        crate::AppError::Throttled { .. } => "throttled",
        _ => "unavailable",
    }
}

/// The message for a code from `sign_in_error_code`: the same words the
/// typed error shows, except where the code cannot carry the detail.
pub fn sign_in_error_message(code: &str) -> Option<String> {
    Some(match code {
        "missing" => "Enter your username and password.".to_string(),
        "credentials" => crate::AppError::BadCredentials.to_string(),
        // The minutes left are not in the URL.
        "throttled" => {
            "Too many failed sign-in attempts. Try again later, or ask your practice admin."
                .to_string()
        }
        "unavailable" => crate::AppError::Unavailable.to_string(),
        _ => return None,
    })
}

#[cfg(feature = "ssr")]
fn sign_in_failed_url(e: &crate::AppError, next: Option<&str>) -> String {
    let code = sign_in_error_code(e);
    match next.map(|n| ssr::safe_next(Some(n))).filter(|n| n != "/") {
        Some(n) => format!("/login?error={code}&next={}", ssr::percent_encode(&n)),
        None => format!("/login?error={code}"),
    }
}
