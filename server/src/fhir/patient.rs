//! Patient (UK Core): read by id, and search by NHS number, id, names,
//! birth date, gender and postcode. The services decide who may see whom
//! and audit each patient shown; this maps to and from FHIR.

use super::outcome::{resource, with_etag, Answer, Refusal};
use super::search::{bundle, date_range, Query};
use super::{base_url, caller};
use crate::ServerState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use domain::patient::PatientDetails;
use domain::PatientId;
use serde_json::{json, Value};
use store::patients::PatientFilter;

pub const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";

/// (name, type, documentation), as the CapabilityStatement lists them.
pub const SEARCH_PARAMS: &[(&str, &str, &str)] = &[
    ("_id", "token", "The patient's id."),
    (
        "identifier",
        "token",
        "NHS number: https://fhir.nhs.uk/Id/nhs-number|9434765919, or the ten digits alone.",
    ),
    ("family", "string", "Family name starts with (any case)."),
    ("given", "string", "Given name starts with (any case)."),
    (
        "name",
        "string",
        "Family or given name starts with (any case).",
    ),
    (
        "birthdate",
        "date",
        "Date of birth: YYYY, YYYY-MM or YYYY-MM-DD, with eq, ge, le, gt or lt.",
    ),
    ("gender", "token", "female, male, other or unknown."),
    (
        "address-postalcode",
        "string",
        "Postcode starts with (spaces and case ignored).",
    ),
];

/// Our patient as a UK Core Patient.
pub fn to_fhir(p: &PatientDetails) -> Value {
    let mut name = json!({ "use": "official", "family": p.family_name, "given": [p.given_name] });
    if let Some(t) = p.title.as_deref().filter(|t| !t.trim().is_empty()) {
        name["prefix"] = json!([t]);
    }
    let mut r = json!({
        "resourceType": "Patient",
        "id": p.id,
        "meta": {
            "versionId": p.version.to_string(),
            "profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]
        },
        "identifier": [{ "system": NHS_NUMBER_SYSTEM, "value": p.nhs_number }],
        "name": [name],
        "gender": fhir_gender(&p.sex),
        "birthDate": p.date_of_birth,
        "address": [{ "use": "home", "line": p.address_lines, "postalCode": p.postcode }],
    });
    let mut telecom = Vec::new();
    if let Some(phone) = p.phone.as_deref().filter(|s| !s.trim().is_empty()) {
        telecom.push(json!({ "system": "phone", "value": phone, "use": "home" }));
    }
    if let Some(email) = p.email.as_deref().filter(|s| !s.trim().is_empty()) {
        telecom.push(json!({ "system": "email", "value": email, "use": "home" }));
    }
    if !telecom.is_empty() {
        r["telecom"] = json!(telecom);
    }
    if let Some(gp) = &p.usual_gp_id {
        let mut reference = json!({ "reference": format!("Practitioner/{gp}") });
        if let Some(name) = &p.usual_gp_name {
            reference["display"] = json!(name);
        }
        r["generalPractitioner"] = json!([reference]);
    }
    r
}

/// Our recorded sex as FHIR's administrative gender.
fn fhir_gender(sex: &str) -> &'static str {
    match sex {
        "female" => "female",
        "male" => "male",
        _ => "unknown",
    }
}

/// A FHIR id: what our ids can be, and nothing a query could misread.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

pub async fn read(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = super::read_target("Patient", &id)?;
    let p = services::patients::details(&state.app.store, &actor, &PatientId::new(id))
        .await
        .map_err(|e| Refusal::from_service(e, &what))?;
    Ok(with_etag(resource(StatusCode::OK, &to_fhir(&p)), p.version))
}

/// The search's parameters as the store's filter.
fn filter(q: &Query) -> Result<PatientFilter, Refusal> {
    let mut f = PatientFilter::default();
    let lower = |s: &str| s.trim().to_lowercase();
    if let Some(id) = q.one("_id")? {
        if !valid_id(id) {
            return Err(Refusal::invalid("_id: not an id this server issues."));
        }
        f.id = Some(id.to_string());
    }
    if let Some(v) = q.one("identifier")? {
        let (system, value) = match v.split_once('|') {
            Some((s, v)) => (Some(s), v),
            None => (None, v),
        };
        if system.is_some_and(|s| !s.is_empty() && s != NHS_NUMBER_SYSTEM) {
            return Err(Refusal::invalid(format!(
                "identifier: only NHS numbers ({NHS_NUMBER_SYSTEM}) identify patients here."
            )));
        }
        let n = domain::NhsNumber::parse(value)
            .map_err(|e| Refusal::invalid(format!("identifier: {e}")))?;
        f.nhs_number = Some(n.digits());
    }
    f.family = q.one("family")?.map(lower);
    f.given = q.one("given")?.map(lower);
    f.name = q.one("name")?.map(lower);
    for v in q.all("birthdate") {
        let (from, to) = date_range("birthdate", v)?;
        if let Some(from) = from {
            f.born_from = Some(f.born_from.map_or(from.clone(), |b: String| b.max(from)));
        }
        if let Some(to) = to {
            f.born_to = Some(f.born_to.map_or(to.clone(), |b: String| b.min(to)));
        }
    }
    if let Some(g) = q.one("gender")? {
        f.sex = Some(match g {
            "female" | "male" | "unknown" => g.to_string(),
            // Nobody is recorded as other: it matches no one.
            "other" => "other".to_string(),
            _ => {
                return Err(Refusal::invalid(
                    "gender: give female, male, other or unknown.",
                ))
            }
        });
    }
    f.postcode = q.one("address-postalcode")?.map(|p| {
        p.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase()
    });
    Ok(f)
}

pub async fn search(State(state): State<ServerState>, parts: Parts) -> Answer {
    let actor = caller(&state, &parts).await?;
    let names: Vec<&str> = SEARCH_PARAMS.iter().map(|(n, _, _)| *n).collect();
    let q = Query::read(
        parts.uri.query(),
        &parts.headers,
        &names,
        services::patients::MAX_PAGE,
    )?;
    let f = filter(&q)?;
    let (total, page) = services::patients::find(&state.app.store, &actor, &f, q.offset, q.count)
        .await
        .map_err(|e| Refusal::from_service(e, "Patient"))?;
    let base = base_url(&state, &parts.headers);
    let resources = page.iter().map(to_fhir).collect();
    Ok(resource(
        StatusCode::OK,
        &bundle(&base, "Patient", &q, total, resources),
    ))
}
