//! The server functions' door (server only): who is asking, from the
//! session the middleware resolved, and the server's state. A server
//! function resolves the actor here, calls one service and returns its
//! answer; `?` maps a service's refusal to `AppError`, and the server's
//! middleware gives the response its real HTTP status.

use crate::state::AppState;
use crate::AppError;
use leptos::prelude::use_context;
use services::auth::SignedIn;
use services::Actor;
use store::Store;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from Leptos context"))
}

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The signed-in session of this request, if any.
pub fn signed_in() -> Option<SignedIn> {
    request_parts()?.extensions.get::<SignedIn>().cloned()
}

/// The store and the member of staff asking (with where from, for the
/// audit trail). Signed out: `Unauthenticated`.
pub fn staff() -> Result<(Store, Actor), AppError> {
    let mut actor = signed_in().ok_or(AppError::Unauthenticated)?.actor;
    actor.address = Some(client_address());
    Ok((state()?.store, actor))
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
