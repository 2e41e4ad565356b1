//! One entry of a patient's record by its id: `GET /fhir/r4/Condition/{id}`
//! and likewise AllergyIntolerance, MedicationStatement, Observation and
//! Encounter. The same scopes, policy and audit as the searches (the
//! services' `record::api::one`); a problem, allergy or medication carries
//! its version as its ETag.

use super::caller;
use super::clinical::resources;
use super::outcome::{resource, with_etag, Answer, Refusal};
use crate::ServerState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use services::record::api::Part;

async fn read(state: ServerState, id: String, parts: Parts, part: Part) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = super::read_target(part.resource(), &id)?;
    if part == Part::Observations {
        // A laboratory result's analyte: `{report}.{n}`.
        if let Some(answer) = super::lab::read_observation(&state, &actor, &id).await {
            return answer;
        }
    }
    let (patient, read) = services::record::api::one(&state.app.store, &actor, part, &id)
        .await
        .map_err(|e| Refusal::from_service(e, &what))?;
    let version = read.items.first().map(|i| i.version);
    let found = resources(&read, part, patient.as_str())
        .into_iter()
        .next()
        .ok_or_else(|| Refusal::not_found(&what))?;
    let res = resource(StatusCode::OK, &found);
    Ok(match version {
        Some(v) => with_etag(res, v),
        None => res,
    })
}

macro_rules! read_route {
    ($name:ident, $part:expr) => {
        pub async fn $name(
            State(state): State<ServerState>,
            Path(id): Path<String>,
            parts: Parts,
        ) -> Answer {
            read(state, id, parts, $part).await
        }
    };
}

read_route!(condition, Part::Problems);
read_route!(allergy, Part::Allergies);
read_route!(medication, Part::Medications);
read_route!(observation, Part::Observations);
read_route!(encounter, Part::Consultations);
