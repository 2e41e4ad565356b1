//! OpenPractice's rules, once, for every door. Each operation takes the
//! actor (who is asking) and the store, and does authorise (through
//! `domain::policy` and the role areas) → validate → store → audit → a
//! typed result. Pages (server functions), live sockets, the FHIR API and
//! the command line all call these; none of them decides who may do what.
//!
//! Organised by feature. Never here: HTTP, Leptos or socket types (the
//! doors map `ServiceError` to their own protocol), or database queries
//! (the store's, always through the actor's practice-scoped handle).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod actor;
pub mod api_clients;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod clinics;
pub mod directory;
pub mod display;
mod error;
pub mod export;
pub mod import;
pub mod live;
pub mod patients;
pub mod practices;
pub mod record;
pub mod results;
pub mod settings;
pub mod staff;
pub mod tasks;
pub mod teams;

pub use actor::{Actor, Who, CLIENT_ROLE_PREFIX};
pub use error::{Result, ServiceError};

/// "14:05" in London for an RFC 3339 instant (empty if unreadable).
/// A stored time as a London date ("3 Dec 2026").
pub(crate) fn london_date_of(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            domain::time::london_today(t.with_timezone(&chrono::Utc))
                .format("%-d %b %Y")
                .to_string()
        })
        .unwrap_or_default()
}

pub(crate) fn london_hhmm_of(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| domain::time::london_hhmm(t.with_timezone(&chrono::Utc)))
        .unwrap_or_default()
}
