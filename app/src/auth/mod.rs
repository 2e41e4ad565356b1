//! Sign-in, sign-out and "who am I". Sessions are server-side; the browser
//! holds only an HttpOnly cookie with a random token. This module never
//! reveals whether a username exists: wrong credentials get one message.

mod server_fns;
mod sign_in_page;
#[cfg(feature = "ssr")]
pub mod ssr;

use domain::Role;
use serde::{Deserialize, Serialize};

pub use server_fns::*;
pub use sign_in_page::SignInPage;

/// The signed-in person, as the UI needs them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub staff_id: String,
    pub display_name: String,
    pub role: Role,
    pub practice_id: String,
    pub practice_name: String,
    pub practice_is_demo: bool,
}

/// What the sign-in page shows before anyone is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInInfo {
    /// Demo sign-ins (username, role) and their shared password, in demo mode only.
    pub demo_accounts: Vec<(String, Role)>,
    pub demo_password: Option<String>,
}

pub const SESSION_COOKIE: &str = "op_session";
