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
        let state = ssr::app_state()?;
        let address = ssr::client_address();
        let session = ssr::sign_in(&state, &username, &password, &address).await?;
        ssr::set_session_cookie(&state, &session.token);
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
    crate::error::with_status(result)
}

/// Ends the session on the server (the old cookie stops working) and clears it.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::ssr;
    let result = async {
        let state = ssr::app_state()?;
        if let Some(token) = ssr::session_token() {
            ssr::sign_out(&state, &token).await?;
        }
        ssr::clear_session_cookie(&state);
        Ok(())
    }
    .await;
    if result.is_ok() && crate::error::plain_form_post() {
        leptos_axum::redirect("/login");
    }
    crate::error::with_status(result)
}

#[server(prefix = "/api", endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(super::ssr::actor().map(|a| a.user))
}

#[server(prefix = "/api", endpoint = "sign_in_info")]
pub async fn get_sign_in_info() -> Result<SignInInfo, AppError> {
    let state = super::ssr::app_state()?;
    Ok(if state.demo {
        SignInInfo {
            demo_accounts: store::demo::DEMO_SIGN_INS
                .iter()
                .map(|(u, r)| (u.to_string(), *r))
                .collect(),
            demo_password: Some(store::demo::DEMO_PASSWORD.to_string()),
        }
    } else {
        SignInInfo {
            demo_accounts: vec![],
            demo_password: None,
        }
    })
}
