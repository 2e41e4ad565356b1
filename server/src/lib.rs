//! The OpenPractice server: configuration, the axum router (`app`), the
//! security middleware, start-up and graceful shutdown, and the admin CLI.
//! `app(state)` builds the whole router without binding a port, so router
//! tests drive it with `oneshot`.

// The release build (without `erase_components`) names the page view types
// in full while laying out the server's futures; the task page is deep.
#![recursion_limit = "512"]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod admin_cli;
pub mod config;
pub mod fhir;
mod health;
mod letters;
pub mod live;
mod middleware;
pub mod records_cli;
pub mod results_cli;
pub mod serve;

use app::state::AppState;
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::LazyLock;

/// Everything a request handler may need. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
    /// The one Origin allowed on state-changing requests when set (e.g.
    /// "https://portal.example.nhs.uk"); otherwise the request's own Host.
    pub public_origin: Option<String>,
    /// Pushes changes to this server's websockets.
    pub hub: std::sync::Arc<live::hub::Hub>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}

/// The route list, generated once per process. Generating it runs the app
/// with resource loading suppressed by a *process-global* flag in
/// leptos_server; a page render whose resource first polls while another
/// thread is generating a route list waits forever (leptos issue #4773).
/// Generating it once, before any router exists, keeps that window closed:
/// no request can be in flight while it is open.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(app::App));

/// The built site's `pkg/` (WASM, JS, CSS): a file's `.br` or `.gz` copy
/// when the browser accepts it and the release build made one
/// (`cargo leptos build --release --precompress`), else the file itself.
/// The names carry no hash, so browsers revalidate each use (`no-cache`:
/// a 304 when unchanged, never a stale WASM after an upgrade).
fn static_files(site_root: &str) -> axum::routing::MethodRouter {
    use tower_http::set_header::SetResponseHeaderLayer;
    let dir = tower_http::services::ServeDir::new(std::path::Path::new(site_root).join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    axum::routing::get_service(dir).layer(SetResponseHeaderLayer::overriding(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    ))
}

pub fn app(state: ServerState) -> Router {
    let routes = ROUTES.clone();
    let context = {
        let app_state = state.app.clone();
        move || {
            provide_context(app_state.clone());
            middleware::page_csp();
        }
    };
    let leptos = state.leptos.clone();
    let pages = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/ws", get(live::ws_staff))
        .route("/ws/display", get(live::ws_display))
        .route("/letters/{id}/document", get(letters::letter_document))
        .nest_service("/pkg", static_files(&state.leptos.site_root))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            app::shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, app::shell))
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::origin_guard,
        ));
    // The FHIR API authenticates by bearer token, not by session cookie,
    // so it sits beside the pages' session and Origin checks, under the
    // same limits and security headers.
    pages
        .merge(fhir::router())
        .layer(axum::middleware::from_fn(middleware::limits))
        // `limits` enforces each path's own limit; axum's default (2 MB
        // for a body read whole) would cut a letter short.
        .layer(axum::extract::DefaultBodyLimit::max(
            middleware::MAX_LETTER_BODY,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .with_state(state)
}
