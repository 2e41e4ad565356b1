//! What the API does, said by the API: the CapabilityStatement (exactly
//! the resources, interactions and search parameters implemented) and the
//! SMART configuration naming the token endpoint.

use super::outcome::{resource, Answer};
use super::{appointment, base_url, clinical, directory, documents, lab, patient, slot, task};
use crate::ServerState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::{json, Value};
use services::record::api::Part;

/// The OAuth token endpoint, beside the FHIR base.
fn token_url(base: &str) -> String {
    format!("{}/oauth2/token", base.trim_end_matches("/fhir/r4"))
}

/// One resource type's entry: its profile, interactions and parameters.
fn rest_resource(kind: &str, interactions: &[&str], params: &[(&str, &str, &str)]) -> Value {
    // UK Core profiles every type served but CareTeam and Binary (base R4).
    let profile = match kind {
        "CareTeam" | "Bundle" | "Binary" => {
            format!("http://hl7.org/fhir/StructureDefinition/{kind}")
        }
        _ => format!("https://fhir.hl7.org.uk/StructureDefinition/UKCore-{kind}"),
    };
    json!({
        "type": kind,
        "profile": profile,
        "interaction": interactions.iter().map(|i| json!({ "code": i })).collect::<Vec<_>>(),
        "versioning": "versioned",
        "readHistory": false,
        "searchParam": params.iter().map(|(name, ty, doc)| json!({
            "name": name, "type": ty, "documentation": doc
        })).collect::<Vec<_>>(),
    })
}

/// Patient, with the `$everything` operation.
fn patient_resource() -> Value {
    let mut r = rest_resource("Patient", &["read", "search-type"], patient::SEARCH_PARAMS);
    r["operation"] = json!([{
        "name": "everything",
        "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"
    }]);
    r
}

/// Bundle: create only, for laboratories' reports.
fn bundle_resource() -> Value {
    let mut r = rest_resource("Bundle", &["create"], &[]);
    r["documentation"] = json!(super::report::BUNDLE_DOC);
    r
}

pub async fn metadata(State(state): State<ServerState>, headers: HeaderMap) -> Answer {
    let base = base_url(&state, &headers);
    let body = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-01",
        "publisher": "OpenPractice",
        "kind": "instance",
        "software": { "name": "OpenPractice", "version": env!("CARGO_PKG_VERSION") },
        "implementation": {
            "description": "OpenPractice FHIR R4 API (UK Core)",
            "url": base,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "security": {
                "extension": [{
                    "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                    "extension": [{ "url": "token", "valueUri": token_url(&base) }]
                }],
                "service": [{
                    "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR"
                    }]
                }],
                "description": "OAuth 2.0 client credentials (client_secret_basic) with SMART v2 system scopes; a client reaches only its own practice."
            },
            "resource": [
                patient_resource(),
                rest_resource("Organization", &["read", "search-type"], directory::ORGANIZATION_PARAMS),
                rest_resource("Practitioner", &["read", "search-type"], directory::PRACTITIONER_PARAMS),
                rest_resource("PractitionerRole", &["read", "search-type"], directory::ROLE_PARAMS),
                rest_resource("Location", &["read", "search-type"], directory::LOCATION_PARAMS),
                rest_resource("CareTeam", &["read", "search-type"], directory::CARE_TEAM_PARAMS),
                rest_resource("Condition", &["read", "search-type"], clinical::params(Part::Problems)),
                rest_resource("AllergyIntolerance", &["read", "search-type"], clinical::params(Part::Allergies)),
                rest_resource("MedicationStatement", &["read", "search-type"], clinical::params(Part::Medications)),
                rest_resource("Observation", &["read", "search-type"], clinical::params(Part::Observations)),
                rest_resource("Encounter", &["read", "search-type"], clinical::params(Part::Consultations)),
                rest_resource("DiagnosticReport", &["read", "search-type"], lab::SEARCH_PARAMS),
                rest_resource("DocumentReference", &["read", "search-type"], documents::SEARCH_PARAMS),
                rest_resource("Binary", &["read"], &[]),
                rest_resource("Schedule", &["read"], &[]),
                rest_resource("Slot", &["search-type"], slot::SEARCH_PARAMS),
                rest_resource(
                    "Appointment",
                    &["read", "search-type", "create", "update"],
                    appointment::SEARCH_PARAMS,
                ),
                bundle_resource(),
                rest_resource(
                    "Task",
                    &["read", "search-type", "create", "update"],
                    task::SEARCH_PARAMS,
                ),
            ]
        }]
    });
    Ok(resource(StatusCode::OK, &body))
}

pub async fn smart_configuration(
    State(state): State<ServerState>,
    headers: HeaderMap,
) -> impl IntoResponse {
    let base = base_url(&state, &headers);
    let body = json!({
        "issuer": base,
        "token_endpoint": token_url(&base),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "scopes_supported": ["system/*.cruds", "system/Patient.rs"],
        "capabilities": ["client-confidential-symmetric"],
    });
    let mut res = resource(StatusCode::OK, &body);
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    res
}
