//! Laboratory reports arriving: `POST /fhir/r4/Bundle` with a Bundle
//! holding one DiagnosticReport, its result Observations and its Patient,
//! by a laboratory's API client with `system/DiagnosticReport.c`. The
//! results service checks, matches, stores and audits it; the answer
//! says it was received and where, never whom it was matched to.

pub mod parse;

use super::outcome::{resource, Answer, Refusal};
use super::write::{body_json, located};
use super::{base_url, caller};
use crate::ServerState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use domain::scopes::Interaction;
use serde_json::json;
use services::ServiceError;

/// What the CapabilityStatement says the Bundle endpoint takes.
pub const BUNDLE_DOC: &str = "POST a Bundle (collection, message or transaction) holding one DiagnosticReport with its result Observations and its Patient (NHS number, name, birth date); optionally the ServiceRequest naming the requesting Practitioner. Needs system/DiagnosticReport.c. The same report twice is one report; a report with status amended or corrected replaces the earlier one of its identifier, which is kept.";

pub async fn receive(State(state): State<ServerState>, parts: Parts, body: Bytes) -> Answer {
    let actor = caller(&state, &parts).await?;
    if !actor.may_do("DiagnosticReport", Interaction::Create) {
        return Err(Refusal::from_service(
            ServiceError::Forbidden,
            "DiagnosticReport",
        ));
    }
    let v = body_json(&body, "Bundle")?;
    let report = parse::report_of(&v)
        .map_err(|p| Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", p.join(" ")))?;
    let arrived = services::results::receive(&state.app.store, &actor, &report)
        .await
        .map_err(|e| Refusal::from_service(e, "DiagnosticReport"))?;
    let (status, words) = if arrived.duplicate {
        (
            StatusCode::OK,
            "This report had already been received: nothing changed.",
        )
    } else if arrived.replaced.is_some() {
        (
            StatusCode::CREATED,
            "Corrected report received: it replaces the earlier one, which is kept.",
        )
    } else {
        (StatusCode::CREATED, "Report received.")
    };
    let body = json!({
        "resourceType": "OperationOutcome",
        "issue": [{
            "severity": "information",
            "code": "informational",
            "diagnostics": format!("{words} DiagnosticReport/{}", arrived.id),
        }]
    });
    let base = base_url(&state, &parts.headers);
    Ok(located(
        resource(status, &body),
        &base,
        "DiagnosticReport",
        &arrived.id,
        1,
    ))
}
