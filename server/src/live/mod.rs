//! Live updates: the change hub and the `/ws` websocket endpoints.
//!
//! - `GET /ws`: staff. Authenticated by the session cookie (the session
//!   middleware has resolved it), `Origin` checked, small buffers, a
//!   maximum message size; the session is re-checked while connected.
//! - `GET /ws/display?key=…`: the waiting-room call screen, authenticated by
//!   a display link instead of a session; call-screen topic only.

pub mod hub;
pub mod presence;
pub mod socket;

use crate::middleware::origin_allowed;
use crate::ServerState;
use app::auth::ssr::token_from_headers;
use app::AppError;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::live::MAX_CLIENT_MESSAGE;
use services::auth::SignedIn;
use services::live::Viewer;
use socket::{serve, StillAllowed};

/// Per-socket buffers: axum's defaults cost ~130 KB per idle connection.
const BUFFER: usize = 4 * 1024;

fn upgrade_config(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    ws.read_buffer_size(BUFFER)
        .write_buffer_size(BUFFER)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
}

/// A websocket handshake must come from one of our own pages. Browsers
/// always send `Origin` on a websocket handshake, so none at all is refused.
fn origin_ok(state: &ServerState, headers: &HeaderMap) -> bool {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| {
            origin_allowed(
                origin,
                headers.get(header::HOST).and_then(|v| v.to_str().ok()),
                state.public_origin.as_deref(),
            )
        })
}

fn refuse(error: AppError) -> Response {
    (error.status(), error.to_string()).into_response()
}

pub async fn ws_staff(
    State(state): State<ServerState>,
    signed_in: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_ok(&state, &headers) {
        tracing::warn!("refused a websocket from a foreign origin");
        return refuse(AppError::ForeignOrigin);
    }
    let (Some(Extension(signed_in)), Some(token)) = (signed_in, token_from_headers(&headers))
    else {
        return refuse(AppError::Unauthenticated);
    };
    let actor = signed_in.actor;
    let (store, auth, staff) = (
        state.app.store.clone(),
        state.app.auth.clone(),
        actor.staff.clone(),
    );
    let every = auth.socket_recheck;
    let check = Box::new(move || {
        let (store, auth, token, staff) =
            (store.clone(), auth.clone(), token.clone(), staff.clone());
        Box::pin(async move {
            // The database briefly unreachable: keep the socket; the next
            // check decides.
            services::auth::still_signed_in(&store, &auth, &token, &staff)
                .await
                .unwrap_or(true)
        }) as futures::future::BoxFuture<'static, bool>
    });
    let still_allowed = StillAllowed { check, every };
    let hub = state.hub.clone();
    upgrade_config(ws)
        .on_upgrade(move |socket| serve(socket, hub, Viewer::Staff(actor), still_allowed))
}

#[derive(serde::Deserialize)]
pub struct DisplayQuery {
    practice: Option<String>,
    key: Option<String>,
}

pub async fn ws_display(
    State(state): State<ServerState>,
    Query(query): Query<DisplayQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_ok(&state, &headers) {
        return refuse(AppError::ForeignOrigin);
    }
    let unknown = || (StatusCode::NOT_FOUND, "Unknown or revoked display link.").into_response();
    let key = query.key.unwrap_or_default();
    let practice = match services::display::link_practice(&state.app.store, &key).await {
        // The link must belong to the practice in the screen's address.
        Ok(Some(p)) if query.practice.as_deref().is_none_or(|q| q == p.as_str()) => p,
        Ok(_) => return unknown(),
        Err(_) => return refuse(AppError::Unavailable),
    };
    let store = state.app.store.clone();
    let expected = practice.clone();
    let check = Box::new(move || {
        let (store, key, expected) = (store.clone(), key.clone(), expected.clone());
        Box::pin(async move {
            match services::display::link_practice(&store, &key).await {
                Ok(p) => p.as_ref() == Some(&expected),
                Err(_) => true,
            }
        }) as futures::future::BoxFuture<'static, bool>
    });
    let still_allowed = StillAllowed {
        check,
        every: state.app.auth.socket_recheck,
    };
    let hub = state.hub.clone();
    upgrade_config(ws)
        .on_upgrade(move |socket| serve(socket, hub, Viewer::Display { practice }, still_allowed))
}
