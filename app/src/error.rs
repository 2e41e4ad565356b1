//! The one error type that crosses the wire, typed, so the browser can tell
//! a conflict from a validation failure. Messages are safe to show: no
//! personal data and no internals. Internal detail is logged server-side
//! under a reference the user can quote.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Sign in again to continue.")]
    Unauthenticated,
    /// Also the answer for anything in another practice: it does not exist for you.
    #[error("Not found.")]
    NotFound,
    #[error("Your role does not have access to this.")]
    Forbidden,
    #[error("{message}")]
    Conflict { message: String },
    #[error("{}", .0.first().map(|f| f.message.as_str()).unwrap_or("Check your entries."))]
    Validation(Vec<FieldError>),
    #[error("The username or password is incorrect.")]
    BadCredentials,
    #[error("Too many failed sign-in attempts. Try again in {minutes} minute{}, or ask your practice admin.", plural(*.minutes))]
    Throttled { minutes: i64 },
    #[error("Cross-site request refused.")]
    ForeignOrigin,
    #[error("OpenPractice cannot reach its database just now. Try again in a moment.")]
    Unavailable,
    #[error("Something went wrong on the server (reference {reference}).")]
    Internal { reference: String },
    #[error("Could not reach OpenPractice: {0}")]
    Transport(String),
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
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
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal { .. } | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Gives a server function's error response its real HTTP status (401,
/// 403, 429…) instead of a blanket 500, so clients, proxies and logs can tell
/// a refusal from a failure. A plain (no-JS) form post keeps Leptos's
/// redirect back to the form.
#[cfg(feature = "ssr")]
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    use leptos::prelude::use_context;
    if let Err(e) = &result {
        if let (false, Some(options)) = (
            plain_form_post(),
            use_context::<leptos_axum::ResponseOptions>(),
        ) {
            options.set_status(e.status());
        }
    }
    result
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
impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound => AppError::NotFound,
            other => AppError::internal(other),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(d)
            | ServerFnErrorErr::UnsupportedRequestMethod(d)
            | ServerFnErrorErr::Deserialization(d)
            | ServerFnErrorErr::Serialization(d) => AppError::Transport(d),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::field(
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
