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
use app::auth::ssr::{resolve_session, token_from_headers, token_key, Actor};
use app::AppError;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::live::MAX_CLIENT_MESSAGE;
use socket::{serve, StillAllowed, Viewer};

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
    actor: Option<Extension<Actor>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_ok(&state, &headers) {
        tracing::warn!("refused a websocket from a foreign origin");
        return refuse(AppError::ForeignOrigin);
    }
    let (Some(Extension(actor)), Some(token)) = (actor, token_from_headers(&headers)) else {
        return refuse(AppError::Unauthenticated);
    };
    let viewer = Viewer::Staff {
        practice_id: actor.practice_id().to_string(),
        staff_id: actor.user.staff_id.clone(),
        name: actor.user.display_name.clone(),
        role: actor.role(),
    };
    let app_state = state.app.clone();
    let staff_id = actor.user.staff_id.clone();
    let still_allowed: StillAllowed = Box::new(move || {
        let app_state = app_state.clone();
        let token = token.clone();
        let staff_id = staff_id.clone();
        Box::pin(async move {
            match resolve_session(&app_state, &token, chrono::Utc::now()).await {
                Ok(Some(a)) => a.user.staff_id == staff_id,
                Ok(None) => false,
                // The database is briefly unreachable: keep the socket; the
                // next check decides.
                Err(_) => true,
            }
        })
    });
    let hub = state.hub.clone();
    upgrade_config(ws).on_upgrade(move |socket| serve(socket, hub, viewer, still_allowed))
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
    let Some(key) = query.key.filter(|k| !k.is_empty() && k.len() <= 128) else {
        return (StatusCode::NOT_FOUND, "Unknown or revoked display link.").into_response();
    };
    let hash = token_key(&key);
    let practice_id = match state.app.store.display_link_practice(&hash).await {
        // The link must belong to the practice in the screen's address.
        Ok(Some(p)) if query.practice.as_deref().is_none_or(|q| q == p) => p,
        Ok(_) => {
            return (StatusCode::NOT_FOUND, "Unknown or revoked display link.").into_response()
        }
        Err(_) => return refuse(AppError::Unavailable),
    };
    let store = state.app.store.clone();
    let expected = practice_id.clone();
    let still_allowed: StillAllowed = Box::new(move || {
        let store = store.clone();
        let hash = hash.clone();
        let expected = expected.clone();
        Box::pin(async move {
            match store.display_link_practice(&hash).await {
                Ok(p) => p.as_deref() == Some(expected.as_str()),
                Err(_) => true,
            }
        })
    });
    let hub = state.hub.clone();
    upgrade_config(ws).on_upgrade(move |socket| {
        serve(socket, hub, Viewer::Display { practice_id }, still_allowed)
    })
}
