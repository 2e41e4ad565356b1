//! Server-side state the server functions need, provided as Leptos context
//! by the server crate. Never compiled into the WASM.

use std::time::Duration;

#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Mark the session cookie `Secure` (served over TLS).
    pub secure_cookies: bool,
    pub idle_timeout: Duration,
    pub absolute_lifetime: Duration,
    /// Failed attempts allowed per account, and per address, in `window`.
    pub max_failures_per_account: i64,
    pub max_failures_per_address: i64,
    pub failure_window: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            idle_timeout: Duration::from_secs(60 * 60),
            absolute_lifetime: Duration::from_secs(12 * 60 * 60),
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            failure_window: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: store::Store,
    pub auth: AuthConfig,
    /// Running with the demo practice: the sign-in page lists demo sign-ins.
    pub demo: bool,
    /// When a wait in the waiting room turns amber, then red (minutes).
    pub waiting: crate::appointments::WaitThresholds,
}
