//! Liveness and readiness probes for load balancers and orchestrators.

use crate::ServerState;
use axum::extract::State;
use axum::http::StatusCode;

/// The process is up and serving HTTP.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers; a load balancer should send no traffic otherwise.
pub async fn readyz(State(state): State<ServerState>) -> (StatusCode, &'static str) {
    match state.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
