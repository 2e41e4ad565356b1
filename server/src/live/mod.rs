//! Live updates: the change hub and the `/ws` websocket endpoints.
//!
//! - `GET /ws`: staff. Authenticated by the session cookie (the session
//!   middleware has resolved it), `Origin` checked, small buffers, a
//!   maximum message size; the session is re-checked while connected.
//! - `GET /ws/display`: the waiting-room call screen, authenticated by a
//!   display link's secret in the first message (never in an address);
//!   call-screen topic only.
//!
//! Each session may hold `MAX_SOCKETS_PER_SESSION` sockets on a server
//! (tabs), each link `MAX_SOCKETS_PER_DISPLAY_LINK`.

pub mod hub;
pub mod presence;
mod slots;
pub mod socket;

use crate::middleware::from_our_pages;
use crate::ServerState;
use app::auth::ssr::token_from_headers;
use app::AppError;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::live::{
    ClientMessage, CLOSE_SIGNED_OUT, MAX_CLIENT_MESSAGE, MAX_SOCKETS_PER_DISPLAY_LINK,
    MAX_SOCKETS_PER_SESSION,
};
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
    from_our_pages(headers, state)
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
    let (Some(Extension(signed_in)), Some(token)) = (
        signed_in,
        token_from_headers(&headers, state.app.auth.secure_cookies),
    ) else {
        return refuse(AppError::Unauthenticated);
    };
    let Some(slot) = state.hub.slots().take(
        format!("session:{}", signed_in.session_key),
        MAX_SOCKETS_PER_SESSION,
    ) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many tabs are open for this sign-in; close some and reload.",
        )
            .into_response();
    };
    let staff = signed_in.user.staff_id.clone();
    let actor = signed_in.actor;
    let (store, auth) = (state.app.store.clone(), state.app.auth.clone());
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
    upgrade_config(ws).on_upgrade(move |socket| async move {
        serve(socket, hub, Viewer::Staff(actor), still_allowed).await;
        drop(slot);
    })
}

/// How long a call screen has to say which link it is.
const DISPLAY_HELLO_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

async fn close_with(socket: WebSocket, code: u16, reason: &'static str) {
    let (mut sink, mut incoming) = futures::StreamExt::split(socket);
    socket::close_and_drain(&mut sink, &mut incoming, code, reason).await;
}

pub async fn ws_display(
    State(state): State<ServerState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_ok(&state, &headers) {
        return refuse(AppError::ForeignOrigin);
    }
    let hub = state.hub.clone();
    let recheck = state.app.auth.socket_recheck;
    upgrade_config(ws).on_upgrade(move |socket| display(socket, hub, recheck))
}

/// A call screen: its first message names the practice and the link's
/// secret; then it is served like any socket, for the call screen only.
async fn display(mut socket: WebSocket, hub: std::sync::Arc<hub::Hub>, every: std::time::Duration) {
    let hello = match tokio::time::timeout(DISPLAY_HELLO_WITHIN, socket.recv()).await {
        Ok(Some(Ok(Message::Text(text)))) => serde_json::from_str::<ClientMessage>(&text).ok(),
        _ => None,
    };
    let Some(ClientMessage::Display { practice, key }) = hello else {
        return close_with(socket, 1008, "expected the display link first").await;
    };
    let store = hub.store().clone();
    let (link, practice) = match services::display::link(&store, &key).await {
        // The link must belong to the practice in the screen's address.
        Ok(Some((link, p))) if p.as_str() == practice => (link, p),
        Ok(_) => {
            return close_with(socket, CLOSE_SIGNED_OUT, "unknown or revoked display link").await
        }
        Err(_) => return close_with(socket, 1011, "unavailable").await,
    };
    let Some(slot) = hub
        .slots()
        .take(format!("display:{link}"), MAX_SOCKETS_PER_DISPLAY_LINK)
    else {
        return close_with(socket, 1013, "too many screens on this link").await;
    };
    let id = link.clone();
    let check = Box::new(move || {
        let (store, key, id) = (store.clone(), key.clone(), id.clone());
        Box::pin(async move {
            services::display::still_live(&store, &key, &id)
                .await
                .unwrap_or(true)
        }) as futures::future::BoxFuture<'static, bool>
    });
    let still_allowed = StillAllowed { check, every };
    serve(
        socket,
        hub,
        Viewer::Display { practice, link },
        still_allowed,
    )
    .await;
    drop(slot);
}
