//! The one error type that crosses the wire, typed, so the browser can tell
//! a conflict from a validation failure. Messages are safe to show: no
//! personal data and no internals. Internal detail is logged server-side
//! under a reference the user can quote.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use domain::error::words;
pub use domain::FieldError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{}", words::SESSION_ENDED)]
    Unauthenticated,
    /// Also the answer for anything in another practice: it does not exist for you.
    #[error("{}", words::NOT_FOUND)]
    NotFound,
    #[error("{}", words::FORBIDDEN)]
    Forbidden,
    /// The record changed since it was read (or the change is impossible
    /// as it stands); `current` is the record as it now is.
    #[error("{message}")]
    Conflict {
        message: String,
        #[serde(default)]
        current: Option<domain::Current>,
    },
    #[error("{}", words::first_field(.0))]
    Validation(Vec<FieldError>),
    #[error("{}", words::BAD_CREDENTIALS)]
    BadCredentials,
    #[error("{}", words::throttled(*.minutes))]
    Throttled { minutes: i64 },
    #[error("Cross-site request refused.")]
    ForeignOrigin,
    /// The request body was larger than the server accepts; nothing was read.
    #[error("The request is too large (the limit is {limit_kib} KiB); nothing was saved.")]
    TooLarge { limit_kib: usize },
    /// The server did not answer in time; a change may or may not have been made.
    #[error("The server took too long to answer. Check whether your change was saved before trying again.")]
    TimedOut,
    #[error("{}", words::UNAVAILABLE)]
    Unavailable,
    #[error("Something went wrong on the server (reference {reference}).")]
    Internal { reference: String },
    #[error("Could not reach OpenPractice: {0}")]
    Transport(String),
    /// The server could not read the request (malformed arguments: not a
    /// page of this version, or not a browser); nothing was done. The
    /// detail is the decoder's, for whoever sent it.
    #[error("The request could not be read, so nothing was saved. Reload the page and try again.")]
    BadRequest(String),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    /// Every field error of a form, at once.
    pub fn fields(errors: Vec<(&'static str, String)>) -> Self {
        AppError::Validation(
            errors
                .into_iter()
                .map(|(field, message)| FieldError {
                    field: field.to_string(),
                    message,
                })
                .collect(),
        )
    }

    /// The message for one form field, if this is a validation error naming it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// Logs the detail under a fresh reference and returns the safe error.
    #[cfg(feature = "ssr")]
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
        tracing::error!(reference = %reference, error = %detail, "internal error");
        AppError::Internal { reference }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::ForeignOrigin => StatusCode::FORBIDDEN,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal { .. } | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Is this server function call a plain HTML form post (the page's WASM not
/// loaded yet), rather than a call from the hydrated app?
#[cfg(feature = "ssr")]
pub fn plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

#[cfg(feature = "ssr")]
impl From<services::ServiceError> for AppError {
    fn from(e: services::ServiceError) -> Self {
        use services::ServiceError as E;
        match e {
            E::Unauthenticated => AppError::Unauthenticated,
            E::NotFound => AppError::NotFound,
            E::Forbidden => AppError::Forbidden,
            E::Conflict { message, current } => AppError::Conflict { message, current },
            E::Invalid(fields) => AppError::Validation(fields),
            E::BadCredentials => AppError::BadCredentials,
            E::Throttled { minutes } => AppError::Throttled { minutes },
            E::Unavailable => AppError::Unavailable,
            E::Internal(detail) => AppError::internal(detail),
        }
    }
}

/// The words of a refused argument, as a typed argument's own parser gave
/// them; the decoder's framing around them is dropped.
fn argument_message(detail: &str) -> String {
    let words = detail
        .rsplit(": ")
        .next()
        .unwrap_or(detail)
        .trim()
        .trim_end_matches([')', ','])
        .trim();
    let ours = words.ends_with('.') && words.chars().next().is_some_and(char::is_uppercase);
    if ours {
        words.to_string()
    } else {
        "The form was incomplete. Reload the page and try again.".to_string()
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server these are the request's arguments failing to
            // decode: the sender's fault, a 400, never a 500.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(d)
            | ServerFnErrorErr::UnsupportedRequestMethod(d)
            | ServerFnErrorErr::Deserialization(d) => AppError::BadRequest(d),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Serialization(d) => AppError::internal(d),
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(d)
            | ServerFnErrorErr::UnsupportedRequestMethod(d)
            | ServerFnErrorErr::Deserialization(d)
            | ServerFnErrorErr::Serialization(d) => AppError::Transport(d),
            // A typed argument refused its value: the type's own words
            // (e.g. "Choose a team or a person."), else a generic one.
            ServerFnErrorErr::Args(d) => AppError::field("", argument_message(&d)),
            ServerFnErrorErr::MissingArg(_) => AppError::field(
                "",
                "The form was incomplete. Reload the page and try again.",
            ),
            #[cfg(feature = "ssr")]
            other => AppError::internal(other),
            #[cfg(not(feature = "ssr"))]
            other => AppError::Transport(other.to_string()),
        }
    }
}
