//! Signing in: password hashes, server-side sessions and failed-attempt
//! counts. The rules (expiry, throttling) live in the auth service; this
//! stores and fetches.

pub mod passwords;
pub mod sessions;
pub mod throttle;
