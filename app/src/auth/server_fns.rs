//! The auth server functions: thin (session → service → error mapping).

use super::{CurrentUser, SignInInfo};
use crate::AppError;
use leptos::prelude::*;

/// Signs in and sets the session cookie. Returns where to go next (a local
/// path only, so a crafted link cannot bounce a user off-site).
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use super::ssr;
    let result = async {
        let state = crate::door::state()?;
        let session = services::auth::sign_in(
            &state.store,
            &state.auth,
            &username,
            &password,
            &crate::door::client_address(),
            ssr::session_token().as_deref(),
        )
        .await?;
        ssr::set_session_cookie(&state, &session.token);
        services::auth::sessions::describe(
            &state.store,
            &session.token,
            &crate::door::user_agent(),
            &crate::door::client_address(),
        )
        .await?;
        Ok(ssr::safe_next(next.as_deref()))
    }
    .await;
    // Before the WASM has loaded the form posts as plain HTML: answer with
    // the page to go to (the next page, or the form again with the reason).
    if crate::error::plain_form_post() {
        match &result {
            Ok(dest) => leptos_axum::redirect(dest),
            Err(e) => leptos_axum::redirect(&super::sign_in_failed_url(e, next.as_deref())),
        }
    }
    result
}

/// Ends the session on the server (the old cookie stops working) and clears it.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = crate::door::state()?;
    if let Some(token) = super::ssr::session_token() {
        services::auth::sign_out(&state.store, &token, &crate::door::client_address()).await?;
    }
    super::ssr::clear_session_cookie(&state);
    if crate::error::plain_form_post() {
        leptos_axum::redirect("/login");
    }
    Ok(())
}

/// Changes the signed-in person's own password (the current one is
/// checked); every other session of theirs ends. Audited.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let state = crate::door::state()?;
    let signed_in = crate::door::signed_in().ok_or(AppError::Unauthenticated)?;
    let (_, actor) = crate::door::staff()?;
    let form = services::auth::PasswordChange {
        current: current_password,
        new: new_password,
        confirm: confirm_password,
    };
    services::auth::change_password(
        &state.store,
        &state.auth,
        &actor,
        &signed_in.session_key,
        &form,
    )
    .await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(crate::door::signed_in().map(|s| s.user))
}

#[server(prefix = "/api", endpoint = "sign_in_info")]
pub async fn get_sign_in_info() -> Result<SignInInfo, AppError> {
    Ok(services::auth::sign_in_info(crate::door::state()?.demo))
}
