//! `GET /fhir/r4/Patient/{id}/$everything`: everything the practice holds
//! about one patient that the client may read (each part behind its own
//! scope; the parts it may not read are left out, not refused), as one
//! Bundle, filed laboratory reports and letters included. Each part is read, and
//! audited, by the same services as its own search.

use super::outcome::{resource, Answer, Refusal};
use super::{appointment, base_url, caller, clinical, documents, lab, patient};
use crate::ServerState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use domain::scopes::Interaction;
use domain::PatientId;
use serde_json::{json, Value};
use services::record::api::Part;
use services::{Actor, ServiceError};
use store::appointments::AppointmentFilter;
use store::Store;

/// The patient and every part of their record `actor` may read.
pub async fn patient_resources(
    store: &Store,
    actor: &Actor,
    id: &PatientId,
    base: &str,
) -> Result<Vec<Value>, ServiceError> {
    let p = services::patients::details(store, actor, id).await?;
    let mut out = vec![patient::to_fhir(&p)];
    for part in Part::ALL {
        if actor.may_do(part.resource(), Interaction::Search) {
            let read = services::record::api::part(store, actor, id, part).await?;
            out.extend(clinical::resources(&read, part, id.as_str()));
        }
    }
    // Filed laboratory reports, and their analytes as Observations.
    let reports = actor.may_do("DiagnosticReport", Interaction::Search);
    let analytes = actor.may_do("Observation", Interaction::Search);
    if reports || analytes {
        let read_as = if reports {
            "DiagnosticReport"
        } else {
            "Observation"
        };
        let filed = services::results::api::filed_for_patient(store, actor, id, read_as).await?;
        if reports {
            out.extend(filed.iter().map(lab::report));
        }
        if analytes {
            out.extend(lab::observations(&filed));
        }
    }
    // Filed letters (their PDFs are each a Binary read).
    if actor.may_do("DocumentReference", Interaction::Search) {
        let filed =
            services::results::api::filed_for_patient(store, actor, id, "DocumentReference")
                .await?;
        out.extend(filed.iter().map(|r| documents::document(r, base)));
    }
    if actor.may_do("Appointment", Interaction::Search) {
        let filter = AppointmentFilter {
            patient: Some(id.as_str().to_string()),
            ..Default::default()
        };
        let mut offset = 0;
        loop {
            let (total, page) = services::appointments::calendar::find(
                store,
                actor,
                &filter,
                offset,
                services::patients::MAX_PAGE,
            )
            .await?;
            offset += page.len();
            out.extend(page.iter().map(appointment::to_fhir));
            if page.is_empty() || offset >= total {
                break;
            }
        }
    }
    Ok(out)
}

pub async fn everything(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = super::read_target("Patient", &id)?;
    let base = base_url(&state, &parts.headers);
    let found = patient_resources(&state.app.store, &actor, &PatientId::new(id.clone()), &base)
        .await
        .map_err(|e| Refusal::from_service(e, &what))?;
    let entries: Vec<Value> = found
        .into_iter()
        .map(|r| {
            let url = format!(
                "{base}/{}/{}",
                r["resourceType"].as_str().unwrap_or_default(),
                r["id"].as_str().unwrap_or_default()
            );
            json!({ "fullUrl": url, "resource": r, "search": { "mode": "match" } })
        })
        .collect();
    Ok(resource(
        StatusCode::OK,
        &json!({
            "resourceType": "Bundle",
            "type": "searchset",
            "total": entries.len(),
            "link": [{ "relation": "self", "url": format!("{base}/Patient/{id}/$everything") }],
            "entry": entries,
        }),
    ))
}
