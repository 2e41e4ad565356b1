//! Filed letters as UK Core resources: a DocumentReference (read, and
//! searched by patient and date) whose attachment names its PDF as a
//! Binary (`GET /fhir/r4/Binary/{id}`, the same id). The services decide
//! who may read what and audit each read; only filed letters are shared,
//! and the clinician's summary never leaves (as a report's note does not).

use super::outcome::{resource, with_etag, Answer, Refusal};
use super::search::{found_page, keep_dated, patient_query};
use super::{base_url, caller, profile};
use crate::ServerState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use base64::Engine;
use domain::results::ReportView;
use serde_json::{json, Value};
use services::results::api;

/// DocumentReference's search parameters.
pub const SEARCH_PARAMS: &[(&str, &str, &str)] = &[
    ("patient", "reference", "Patient/{id}: required."),
    (
        "date",
        "date",
        "When written: YYYY, YYYY-MM or YYYY-MM-DD with eq, ge, le, gt or lt.",
    ),
];

/// A letter as a DocumentReference; its content is the Binary of the
/// same id, at `base` (the API's base, `…/fhir/r4`; empty for a relative
/// reference, as an export writes it).
pub fn document(r: &ReportView, base: &str) -> Value {
    let patient = r.row.patient_id.as_deref().unwrap_or_default();
    let mut kind = json!({ "text": r.row.title });
    if let Some((system, code)) = r.code.as_deref().and_then(|c| c.split_once('|')) {
        kind["coding"] = json!([{ "system": system, "code": code, "display": r.row.title }]);
    }
    let identifier = match r.identifier.split_once('|') {
        Some((system, value)) => json!({ "system": system, "value": value }),
        None => json!({ "value": r.identifier }),
    };
    json!({
        "resourceType": "DocumentReference",
        "id": r.row.id,
        "meta": { "versionId": r.row.version.to_string(), "profile": [profile("DocumentReference")] },
        "masterIdentifier": identifier,
        "status": "current",
        "docStatus": if r.row.status.is_correction() { "amended" } else { "final" },
        "type": kind,
        "subject": { "reference": format!("Patient/{patient}") },
        "date": r.row.issued,
        "author": [{ "display": r.row.laboratory }],
        "content": [{ "attachment": {
            "contentType": "application/pdf",
            "url": binary_url(base, &r.row.id),
            "title": r.row.title,
        } }],
    })
}

/// Where a letter's PDF is: `Binary/{id}` under the API's base, or
/// relative to the reader when there is none.
fn binary_url(base: &str, id: &str) -> String {
    if base.is_empty() {
        format!("Binary/{id}")
    } else {
        format!("{base}/Binary/{id}")
    }
}

/// A letter's PDF as a Binary whose security context is its
/// DocumentReference.
pub fn binary(r: &ReportView, bytes: &[u8]) -> Value {
    json!({
        "resourceType": "Binary",
        "id": r.row.id,
        "meta": { "versionId": r.row.version.to_string() },
        "contentType": "application/pdf",
        "securityContext": { "reference": format!("DocumentReference/{}", r.row.id) },
        "data": base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

/// The patient's filed letters (none if not the caller's practice's).
pub async fn filed(
    state: &ServerState,
    actor: &services::Actor,
    patient: &str,
) -> Result<Vec<ReportView>, Refusal> {
    super::lab::filed(state, actor, patient, "DocumentReference").await
}

/// `GET /fhir/r4/DocumentReference?patient=…`.
pub async fn search(State(state): State<ServerState>, parts: Parts) -> Answer {
    let actor = caller(&state, &parts).await?;
    let (q, patient) = patient_query(&parts, SEARCH_PARAMS)?;
    let base = base_url(&state, &parts.headers);
    let mut found: Vec<Value> = filed(&state, &actor, &patient)
        .await?
        .iter()
        .map(|r| document(r, &base))
        .collect();
    keep_dated(&mut found, &q, "date")?;
    Ok(resource(
        StatusCode::OK,
        &found_page(&base, "DocumentReference", &q, found),
    ))
}

/// `GET /fhir/r4/DocumentReference/{id}`.
pub async fn read(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = super::read_target("DocumentReference", &id)?;
    let r = api::filed_one(&state.app.store, &actor, &id, "DocumentReference")
        .await
        .map_err(|e| Refusal::from_service(e, &what))?;
    let base = base_url(&state, &parts.headers);
    Ok(with_etag(
        resource(StatusCode::OK, &document(&r, &base)),
        r.row.version,
    ))
}

/// `GET /fhir/r4/Binary/{id}`: a filed letter's PDF, as a Binary whose
/// security context is its DocumentReference.
pub async fn read_binary(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = super::read_target("Binary", &id)?;
    let (r, bytes) = api::filed_letter_content(&state.app.store, &actor, &id)
        .await
        .map_err(|e| Refusal::from_service(e, &what))?;
    Ok(with_etag(
        resource(StatusCode::OK, &binary(&r, &bytes)),
        r.row.version,
    ))
}
