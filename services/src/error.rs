//! The refusals every service returns, typed, with the words people see.
//! A door maps each to its own protocol (an HTTP status and the app's
//! error; a FHIR OperationOutcome; an exit code). `Internal` carries
//! detail for the log only, never for a person.

use domain::error::words;
use domain::{Current, FieldError};
use store::StoreError;

pub type Result<T> = std::result::Result<T, ServiceError>;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{}", words::SESSION_ENDED)]
    Unauthenticated,
    /// Also the answer for anything in another practice: it does not
    /// exist for the actor.
    #[error("{}", words::NOT_FOUND)]
    NotFound,
    #[error("{}", words::FORBIDDEN)]
    Forbidden,
    /// The record changed (or the move is impossible); `current` is the
    /// record as it now is, when there is one.
    #[error("{message}")]
    Conflict {
        message: String,
        current: Option<Current>,
    },
    #[error("{}", words::first_field(.0))]
    Invalid(Vec<FieldError>),
    #[error("{}", words::BAD_CREDENTIALS)]
    BadCredentials,
    #[error("{}", words::throttled(*.minutes))]
    Throttled { minutes: i64 },
    #[error("{}", words::UNAVAILABLE)]
    Unavailable,
    /// Detail for the log; people see a reference to quote.
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    /// One field's refusal.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }

    /// Every field refused by a domain validation, at once.
    pub fn fields(errors: Vec<(&'static str, String)>) -> Self {
        ServiceError::Invalid(FieldError::all(errors))
    }

    pub fn conflict(message: impl Into<String>, current: Option<Current>) -> Self {
        ServiceError::Conflict {
            message: message.into(),
            current,
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        ServiceError::Internal(detail.to_string())
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            other => ServiceError::Internal(other.to_string()),
        }
    }
}
