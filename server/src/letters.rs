//! `GET /letters/{id}/document`: a letter's PDF, for the signed-in member
//! of staff the results service allows (clinicians), audited there. Shown
//! inline in the letter's page (a same-origin frame) or in a tab of its
//! own; never cached, never framed by another site.

use crate::ServerState;
use app::AppError;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use services::auth::SignedIn;

/// The CSP of a served document: nothing runs in it but the browser's
/// own PDF viewer (which embeds the document itself: `object-src
/// 'self'`, which some Chromium versions' viewers need; Debian's
/// Chromium 156 shows it under `object-src 'none'` too); only our own
/// pages may frame it. `end2end/tests/letter_viewer.rs` checks the viewer
/// shows the letter under it.
const DOCUMENT_CSP: &str = "default-src 'none'; object-src 'self'; frame-ancestors 'self'";

pub async fn letter_document(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Response {
    let Some(signed_in) = parts.extensions.get::<SignedIn>().cloned() else {
        return refusal(AppError::Unauthenticated);
    };
    let mut actor = signed_in.actor;
    actor.address = Some(app::door::address_of(&parts, &state.app.trusted_proxies));
    match services::results::document(&state.app.store, &actor, &id).await {
        Ok(bytes) => {
            let mut res = (StatusCode::OK, bytes).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"letter.pdf\""),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(DOCUMENT_CSP),
            );
            h.insert(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("SAMEORIGIN"),
            );
            res
        }
        Err(e) => refusal(AppError::from(e)),
    }
}

/// A refusal in words a person reads in the frame (no personal data: the
/// service's messages never carry any).
fn refusal(e: AppError) -> Response {
    let mut res = (e.status(), e.to_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
