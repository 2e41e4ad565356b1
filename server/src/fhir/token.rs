//! The OAuth 2.0 token endpoint (client credentials, `client_secret_basic`):
//! `POST /oauth2/token` with the client's id and secret in HTTP Basic and
//! `grant_type=client_credentials` (optionally `scope=…`) in a form body.
//! Answers as RFC 6749 says: JSON, never cached, errors by code.

use super::{form_pairs, percent_decode};
use crate::ServerState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;
use services::ServiceError;

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut res = (status, body.to_string()).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    let mut res = answer(
        status,
        json!({ "error": code, "error_description": description }),
    );
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"token\""),
        );
    }
    res
}

/// (client id, secret) from `Authorization: Basic …`, each form-decoded.
fn basic_credentials(parts: &Parts) -> Option<(String, String)> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((percent_decode(id), percent_decode(secret)))
}

pub async fn token(State(state): State<ServerState>, parts: Parts, body: Bytes) -> Response {
    let form_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if form_type.as_deref() != Some("application/x-www-form-urlencoded") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send the request as application/x-www-form-urlencoded.",
        );
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body is not UTF-8.",
        );
    };
    let form = form_pairs(text);
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only grant_type=client_credentials is supported.",
            )
        }
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing (use client_credentials).",
            )
        }
    }
    let Some((id, secret)) = basic_credentials(&parts) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Authenticate with HTTP Basic: the client id and secret.",
        );
    };
    let address = app::door::address_of(&parts, &state.app.trusted_proxies);
    match services::api_clients::issue_token(
        &state.app.store,
        &id,
        &secret,
        field("scope"),
        &address,
    )
    .await
    {
        Ok(t) => answer(
            StatusCode::OK,
            json!({
                "access_token": t.access_token,
                "token_type": "bearer",
                "expires_in": t.expires_in,
                "scope": t.scope,
            }),
        ),
        Err(ServiceError::BadCredentials) => error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The client id or secret is wrong, or the client was revoked.",
        ),
        Err(ServiceError::Invalid(fields)) => error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &fields
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_default(),
        ),
        Err(e) => {
            let refusal = super::outcome::Refusal::from_service(e, "the token endpoint");
            error(refusal.status, "server_error", &refusal.diagnostics)
        }
    }
}
