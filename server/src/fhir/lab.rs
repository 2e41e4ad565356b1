//! Filed laboratory reports as UK Core resources: DiagnosticReport (read,
//! and searched by patient) and each analyte as an Observation (category
//! laboratory) whose id is the report's with the analyte's place after a
//! dot (`{report}.{n}`, never the form of a consultation's reading). The
//! services decide who may read what and audit each read; only filed
//! reports are shared.

use super::clinical::narrow;
use super::outcome::{resource, with_etag, Answer, Refusal};
use super::search::{found_page, patient_query};
use super::{base_url, caller, profile};
use crate::ServerState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use domain::results::{Analyte, ReportView};
use domain::PatientId;
use serde_json::{json, Value};
use services::results::api;

/// DiagnosticReport's search parameters.
pub const SEARCH_PARAMS: &[(&str, &str, &str)] = &[
    ("patient", "reference", "Patient/{id}: required."),
    (
        "status",
        "token",
        "final, amended, corrected or preliminary.",
    ),
    (
        "code",
        "token",
        "The report's code, optionally as system|code.",
    ),
    (
        "date",
        "date",
        "When issued: YYYY, YYYY-MM or YYYY-MM-DD with eq, ge, le, gt or lt.",
    ),
];

/// "system|code" as a Coding (no system when none was given).
fn coding(code: &str, display: &str) -> Value {
    match code.split_once('|') {
        Some((system, c)) => json!({ "system": system, "code": c, "display": display }),
        None => json!({ "code": code, "display": display }),
    }
}

fn observation_id(report: &str, n: usize) -> String {
    format!("{report}.{n}")
}

/// A report as a DiagnosticReport.
pub fn report(r: &ReportView) -> Value {
    let patient = r.row.patient_id.as_deref().unwrap_or_default();
    let mut code = json!({ "text": r.row.title });
    if let Some(c) = &r.code {
        code["coding"] = json!([coding(c, &r.row.title)]);
    }
    let identifier = match r.identifier.split_once('|') {
        Some((system, value)) => json!({ "system": system, "value": value }),
        None => json!({ "value": r.identifier }),
    };
    let mut out = json!({
        "resourceType": "DiagnosticReport",
        "id": r.row.id,
        "meta": { "versionId": r.row.version.to_string(), "profile": [profile("DiagnosticReport")] },
        "identifier": [identifier],
        "status": r.row.status.as_str(),
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB", "display": "Laboratory"
        }] }],
        "code": code,
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": r.row.issued,
        "issued": r.row.issued,
        "performer": [{ "display": r.row.laboratory }],
        "result": (0..r.analytes.len())
            .map(|n| json!({ "reference": format!("Observation/{}", observation_id(&r.row.id, n)) }))
            .collect::<Vec<_>>(),
    });
    if let Some(c) = r.conclusion.as_deref().filter(|c| !c.trim().is_empty()) {
        out["conclusion"] = json!(c);
    }
    out
}

/// One analyte of a report as an Observation.
fn analyte(r: &ReportView, n: usize, a: &Analyte) -> Value {
    let patient = r.row.patient_id.as_deref().unwrap_or_default();
    let mut out = json!({
        "resourceType": "Observation",
        "id": observation_id(&r.row.id, n),
        "meta": { "versionId": r.row.version.to_string(), "profile": [profile("Observation")] },
        "status": r.row.status.as_str(),
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "laboratory", "display": "Laboratory"
        }] }],
        "code": { "coding": [coding(&a.code, &a.display)], "text": a.display },
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": r.row.issued,
        "issued": r.row.issued,
        "performer": [{ "display": r.row.laboratory }],
        "interpretation": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
            "code": a.flag.code(), "display": a.flag.label()
        }] }],
    });
    match (a.value, a.text.as_deref()) {
        (Some(v), _) => out["valueQuantity"] = json!({ "value": v, "unit": a.unit }),
        (None, Some(t)) => out["valueString"] = json!(t),
        (None, None) => {}
    }
    let mut range = serde_json::Map::new();
    if let Some(low) = a.low {
        range.insert("low".into(), json!({ "value": low, "unit": a.unit }));
    }
    if let Some(high) = a.high {
        range.insert("high".into(), json!({ "value": high, "unit": a.unit }));
    }
    if !range.is_empty() {
        out["referenceRange"] = json!([range]);
    }
    out
}

/// Every analyte of the reports, as Observations.
pub fn observations(reports: &[ReportView]) -> Vec<Value> {
    reports
        .iter()
        .flat_map(|r| {
            r.analytes
                .iter()
                .enumerate()
                .map(move |(n, a)| analyte(r, n, a))
        })
        .collect()
}

/// The patient's filed reports read as `resource`; none if the patient
/// is not the caller's practice's.
pub async fn filed(
    state: &ServerState,
    actor: &services::Actor,
    patient: &str,
    resource_type: &str,
) -> Result<Vec<ReportView>, Refusal> {
    match api::filed_for_patient(
        &state.app.store,
        actor,
        &PatientId::new(patient),
        resource_type,
    )
    .await
    {
        Ok(r) => Ok(r),
        Err(services::ServiceError::NotFound) => Ok(Vec::new()),
        Err(e) => Err(Refusal::from_service(e, resource_type)),
    }
}

/// `GET /fhir/r4/DiagnosticReport?patient=…`.
pub async fn search(State(state): State<ServerState>, parts: Parts) -> Answer {
    let actor = caller(&state, &parts).await?;
    let (q, patient) = patient_query(&parts, SEARCH_PARAMS)?;
    let mut found: Vec<Value> = filed(&state, &actor, &patient, "DiagnosticReport")
        .await?
        .iter()
        .map(report)
        .collect();
    narrow(&mut found, &q)?;
    let base = base_url(&state, &parts.headers);
    Ok(resource(
        StatusCode::OK,
        &found_page(&base, "DiagnosticReport", &q, found),
    ))
}

/// `GET /fhir/r4/DiagnosticReport/{id}`.
pub async fn read(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = super::read_target("DiagnosticReport", &id)?;
    if id.contains('.') {
        return Err(Refusal::not_found(&what));
    }
    let r = api::filed_one(&state.app.store, &actor, &id, "DiagnosticReport")
        .await
        .map_err(|e| Refusal::from_service(e, &what))?;
    Ok(with_etag(
        resource(StatusCode::OK, &report(&r)),
        r.row.version,
    ))
}

/// `GET /fhir/r4/Observation/{report}.{n}`: one analyte of a filed report
/// (`None` if the id is not of that form: a consultation's reading).
pub async fn read_observation(
    state: &ServerState,
    actor: &services::Actor,
    id: &str,
) -> Option<Answer> {
    let (report_id, n) = id.rsplit_once('.')?;
    let what = format!("Observation/{}", super::short(id));
    let answer = async {
        let n: usize = n.parse().map_err(|_| Refusal::not_found(&what))?;
        let r = api::filed_one(&state.app.store, actor, report_id, "Observation")
            .await
            .map_err(|e| Refusal::from_service(e, &what))?;
        let a = r.analytes.get(n).ok_or_else(|| Refusal::not_found(&what))?;
        Ok(with_etag(
            resource(StatusCode::OK, &analyte(&r, n, a)),
            r.row.version,
        ))
    };
    Some(answer.await)
}
