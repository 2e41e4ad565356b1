//! An account holding a one-time password (new, or reset by an admin) may
//! do nothing but choose its own: every page goes to "Change your
//! password", every other request is refused, and no live socket opens,
//! until it has. The rule is the auth service's (`SignedIn::
//! must_change_password`); this is where the browser's doors apply it.

use app::AppError;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};

/// The page where the password is chosen.
pub const PASSWORD_PAGE: &str = "/account/password";

/// What a signed-in person holding a one-time password may still reach.
fn reachable(path: &str) -> bool {
    matches!(
        path,
        PASSWORD_PAGE | "/api/change_password" | "/api/sign_out" | "/api/current_user"
    )
}

/// `None`: let the request through; otherwise the answer instead of it.
pub fn gate(method: &Method, path: &str) -> Option<Response> {
    if reachable(path) {
        return None;
    }
    if path != "/ws"
        && !path.starts_with("/api/")
        && (*method == Method::GET || *method == Method::HEAD)
    {
        return Some(Redirect::to(PASSWORD_PAGE).into_response());
    }
    Some(super::error_response(AppError::Conflict {
        message: "You signed in with a one-time password: choose your own password first.".into(),
        current: None,
    }))
}
