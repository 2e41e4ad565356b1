//! Laboratory reports arriving: `POST /fhir/r4/Bundle` with a Bundle
//! holding one DiagnosticReport, its result Observations and its Patient,
//! by a laboratory's API client with `system/DiagnosticReport.c`. The
//! results service checks, matches, stores and audits it; the answer
//! says it was received and where, never whom it was matched to.

mod letter;
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
pub const BUNDLE_DOC: &str = "POST a Bundle (collection, message or transaction) holding one DiagnosticReport with its result Observations and its Patient (NHS number, name, birth date); optionally the ServiceRequest naming the requesting Practitioner. Needs system/DiagnosticReport.c. The same report twice is one report; a report with status amended or corrected replaces the earlier one of its identifier, which is kept. A letter: a Bundle holding one DocumentReference (status current; type; date; author; masterIdentifier) with its PDF inline as content[0].attachment.data (application/pdf, at most 5 MB, checked by its content) and its Patient; needs system/DocumentReference.c.";

pub async fn receive(State(state): State<ServerState>, parts: Parts, body: Bytes) -> Answer {
    let actor = caller(&state, &parts).await?;
    if !actor.may_do("DiagnosticReport", Interaction::Create)
        && !actor.may_do("DocumentReference", Interaction::Create)
    {
        return Err(Refusal::from_service(
            ServiceError::Forbidden,
            "DiagnosticReport",
        ));
    }
    let v = body_json(&body, "Bundle")?;
    let report = parse::report_of(&v)
        .map_err(|p| Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", p.join(" ")))?;
    let type_name = match report.kind {
        domain::results::InboxKind::Report => "DiagnosticReport",
        domain::results::InboxKind::Letter => "DocumentReference",
    };
    let arrived = services::results::receive(&state.app.store, &actor, &report)
        .await
        .map_err(|e| Refusal::from_service(e, type_name))?;
    let noun = match report.kind {
        domain::results::InboxKind::Report => "report",
        domain::results::InboxKind::Letter => "letter",
    };
    let (status, words) = if arrived.duplicate {
        (
            StatusCode::OK,
            format!("This {noun} had already been received: nothing changed."),
        )
    } else if arrived.replaced.is_some() {
        (
            StatusCode::CREATED,
            format!("Corrected {noun} received: it replaces the earlier one, which is kept."),
        )
    } else {
        (
            StatusCode::CREATED,
            format!("{}{} received.", noun[..1].to_uppercase(), &noun[1..]),
        )
    };
    let body = json!({
        "resourceType": "OperationOutcome",
        "issue": [{
            "severity": "information",
            "code": "informational",
            "diagnostics": format!("{words} {type_name}/{}", arrived.id),
        }]
    });
    let base = base_url(&state, &parts.headers);
    Ok(located(
        resource(status, &body),
        &base,
        type_name,
        &arrived.id,
        1,
    ))
}
