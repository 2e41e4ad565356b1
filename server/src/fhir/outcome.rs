//! The FHIR API's answers: resources as `application/fhir+json`, never
//! cached, and every refusal an OperationOutcome with the FHIR issue type
//! and plain-English diagnostics naming the field. Never a stack trace,
//! never personal data: `Internal` detail goes to the log with a
//! reference, and the client sees only the reference.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use services::ServiceError;

pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// A resource (or Bundle) as the API sends it.
pub fn resource(status: StatusCode, body: &Value) -> Response {
    let mut res = (status, body.to_string()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A versioned resource's answer carries its version: `ETag: W/"<version>"`.
pub fn with_etag(mut res: Response, version: i64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("W/\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// An OperationOutcome with one error issue.
pub fn outcome_body(code: &str, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": diagnostics }]
    })
}

/// A refusal: its HTTP status, FHIR issue type and words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub diagnostics: String,
}

impl Refusal {
    pub fn new(status: StatusCode, code: &'static str, diagnostics: impl Into<String>) -> Self {
        Refusal {
            status,
            code,
            diagnostics: diagnostics.into(),
        }
    }

    pub fn invalid(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", diagnostics)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{what} is not known here."),
        )
    }

    pub fn not_supported(status: StatusCode, diagnostics: impl Into<String>) -> Self {
        Self::new(status, "not-supported", diagnostics)
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "login",
            "A valid bearer token is required: ask the token endpoint (see /fhir/r4/.well-known/smart-configuration) for one.",
        )
    }

    /// A service's refusal, for a request about `what` ("Patient/123").
    pub fn from_service(e: ServiceError, what: &str) -> Self {
        match e {
            ServiceError::NotFound => Self::not_found(what),
            ServiceError::Unauthenticated | ServiceError::BadCredentials => Self::unauthenticated(),
            ServiceError::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("This client's scopes do not allow that on {what}."),
            ),
            ServiceError::Invalid(fields) => {
                let words: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect();
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", words.join(" "))
            }
            ServiceError::Conflict { message, .. } => {
                Self::new(StatusCode::CONFLICT, "conflict", message)
            }
            ServiceError::Throttled { .. } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                "Too many requests; try again shortly.",
            ),
            ServiceError::Unavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "transient",
                "The database is not reachable; try again shortly.",
            ),
            ServiceError::Internal(detail) => {
                let reference = format!("{:08x}", rand::random::<u32>());
                tracing::error!(%reference, %detail, "FHIR request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "exception",
                    format!("Something went wrong on the server (reference {reference})."),
                )
            }
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut res = resource(self.status, &outcome_body(self.code, &self.diagnostics));
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"fhir\""),
            );
        }
        res
    }
}

/// What a handler returns.
pub type Answer = Result<Response, Refusal>;
