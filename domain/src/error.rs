//! Refusals as people read them: a refused field of a form or request
//! (which field, what is wrong in words the person can act on), and the
//! words of the common refusals, written once for the services' errors and
//! the app's wire error alike.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// From a domain validation's (field, message) pairs.
    pub fn all(errors: Vec<(&'static str, String)>) -> Vec<FieldError> {
        errors
            .into_iter()
            .map(|(field, message)| FieldError::new(field, message))
            .collect()
    }
}

/// The words of the refusals every door shows alike.
pub mod words {
    pub const SESSION_ENDED: &str = "Your session has ended. Sign in again to continue.";
    pub const NOT_FOUND: &str = "Not found.";
    pub const FORBIDDEN: &str = "Your role does not have access to this.";
    pub const CHECK_ENTRIES: &str = "Check your entries.";
    pub const BAD_CREDENTIALS: &str = "The username or password is incorrect.";
    pub const UNAVAILABLE: &str =
        "OpenPractice cannot reach its database just now. Try again in a moment.";

    /// "Too many failed sign-in attempts. Try again in 5 minutes, or ask
    /// your practice admin."
    pub fn throttled(minutes: i64) -> String {
        format!(
            "Too many failed sign-in attempts. Try again in {minutes} minute{}, or ask your practice admin.",
            if minutes == 1 { "" } else { "s" }
        )
    }

    /// The first field's message, or a general one.
    pub fn first_field(fields: &[super::FieldError]) -> &str {
        fields
            .first()
            .map(|f| f.message.as_str())
            .unwrap_or(CHECK_ENTRIES)
    }
}
