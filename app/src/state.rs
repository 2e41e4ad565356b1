//! Server-side state the server functions need, provided as Leptos context
//! by the server crate. Never compiled into the WASM.

pub use services::auth::AuthConfig;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: store::Store,
    pub auth: AuthConfig,
    /// Running with the demo practice: the sign-in page lists demo sign-ins.
    pub demo: bool,
    /// When a wait in the waiting room turns amber, then red (minutes).
    pub waiting: domain::live::WaitThresholds,
    /// Proxies whose X-Forwarded-For is believed (`--trusted-proxy`).
    pub trusted_proxies: Vec<crate::door::TrustedProxy>,
}
