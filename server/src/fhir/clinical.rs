//! A patient's clinical record as UK Core resources, searched by patient
//! (read by id: `entry.rs`):
//! Condition (problems), AllergyIntolerance, MedicationStatement,
//! Observation (vital signs, coded with LOINC and SNOMED CT so charting
//! apps find them) and Encounter (consultations). The services decide who
//! may read what and audit each read.

use super::outcome::{resource, Answer, Refusal};
use super::search::{found_page, keep_dated, patient_query, Query};
use super::{base_url, caller, profile};
use crate::ServerState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use domain::record::{ConsultationView, Observation, RecordItem};
use domain::PatientId;
use serde_json::{json, Value};
use services::record::api::Part;

const SNOMED: &str = "http://snomed.info/sct";
const LOINC: &str = "http://loinc.org";

fn concept(code: Option<&str>, term: &str) -> Value {
    match code {
        Some(c) => {
            json!({ "coding": [{ "system": SNOMED, "code": c, "display": term }], "text": term })
        }
        None => json!({ "text": term }),
    }
}

fn status(system: &str, code: &str) -> Value {
    json!({ "coding": [{ "system": system, "code": code }] })
}

fn meta(kind: &str, version: Option<i64>) -> Value {
    match version {
        Some(v) => json!({ "versionId": v.to_string(), "profile": [profile(kind)] }),
        None => json!({ "profile": [profile(kind)] }),
    }
}

fn condition(i: &RecordItem, patient: &str) -> Value {
    let mut r = json!({
        "resourceType": "Condition",
        "id": i.id,
        "meta": meta("Condition", Some(i.version)),
        "clinicalStatus": status("http://terminology.hl7.org/CodeSystem/condition-clinical", if i.active { "active" } else { "resolved" }),
        "verificationStatus": status("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"),
        "category": [status("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item")],
        "code": concept(i.code.as_deref(), &i.term),
        "subject": { "reference": format!("Patient/{patient}") },
        "onsetDateTime": i.since,
    });
    if let Some(end) = &i.ended_on {
        r["abatementDateTime"] = json!(end);
    }
    if let Some(note) = i.note.as_deref().filter(|n| !n.is_empty()) {
        r["note"] = json!([{ "text": note }]);
    }
    r
}

fn allergy(i: &RecordItem, patient: &str) -> Value {
    let mut r = json!({
        "resourceType": "AllergyIntolerance",
        "id": i.id,
        "meta": meta("AllergyIntolerance", Some(i.version)),
        "clinicalStatus": status("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", if i.active { "active" } else { "resolved" }),
        "verificationStatus": status("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed"),
        "code": concept(i.code.as_deref(), &i.term),
        "patient": { "reference": format!("Patient/{patient}") },
        "onsetDateTime": i.since,
    });
    if let Some(reaction) = i.note.as_deref().filter(|n| !n.is_empty()) {
        r["reaction"] = json!([{ "manifestation": [{ "text": reaction }] }]);
    }
    r
}

fn medication(i: &RecordItem, patient: &str) -> Value {
    let mut period = json!({ "start": i.since });
    if let Some(end) = &i.ended_on {
        period["end"] = json!(end);
    }
    let dosage: Vec<&str> = [i.dose.as_deref(), i.frequency.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    let mut r = json!({
        "resourceType": "MedicationStatement",
        "id": i.id,
        "meta": meta("MedicationStatement", Some(i.version)),
        "status": if i.active { "active" } else { "stopped" },
        "medicationCodeableConcept": concept(i.code.as_deref(), &i.term),
        "subject": { "reference": format!("Patient/{patient}") },
        "effectivePeriod": period,
    });
    if !dosage.is_empty() {
        let mut d = json!({ "text": dosage.join(", ") });
        // How often, on its own too, so an import reads dose and frequency apart.
        if let Some(f) = i.frequency.as_deref().filter(|f| !f.is_empty()) {
            d["timing"] = json!({ "code": { "text": f } });
        }
        r["dosage"] = json!([d]);
    }
    r
}

fn observation(o: &Observation, patient: &str) -> Value {
    let k = o.kind;
    let (category, category_display) = match k.is_vital_sign() {
        true => ("vital-signs", "Vital Signs"),
        false => ("laboratory", "Laboratory"),
    };
    json!({
        "resourceType": "Observation",
        "id": o.id,
        "meta": meta("Observation", None),
        "status": "final",
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": category, "display": category_display
        }] }],
        "code": {
            "coding": [
                { "system": LOINC, "code": k.loinc(), "display": k.label() },
                { "system": SNOMED, "code": k.snomed(), "display": k.label() }
            ],
            "text": k.label()
        },
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": o.at,
        "valueQuantity": {
            "value": o.value, "unit": k.unit(), "system": "http://unitsofmeasure.org", "code": k.ucum()
        },
    })
}

fn encounter(c: &ConsultationView, patient: &str) -> Value {
    let mut r = json!({
        "resourceType": "Encounter",
        "id": c.id,
        "meta": meta("Encounter", None),
        "status": "finished",
        "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory" },
        "subject": { "reference": format!("Patient/{patient}") },
        "participant": [{ "individual": { "display": c.author } }],
        "period": { "start": c.at },
    });

    if !c.entries.is_empty() {
        r["reasonCode"] = json!(c
            .entries
            .iter()
            .map(|e| concept(Some(&e.code), &e.term))
            .collect::<Vec<_>>());
    }
    r
}

/// Consultations as Encounters with their notes (the text in force) as
/// the narrative: for the practice's own export, so a practice that moves
/// takes its notes with it. Through the API an Encounter carries its coded
/// reasons only, never free text.
pub fn encounters_with_notes(read: &services::record::api::Read, patient: &str) -> Vec<Value> {
    read.consultations
        .iter()
        .map(|c| {
            let mut r = encounter(c, patient);
            let (history, examination, plan) = c.current_text();
            if let Some(text) = super::import::encounter::narrative([history, examination, plan]) {
                r["text"] = text;
            }
            r
        })
        .collect()
}

/// One part of a record as FHIR resources.
pub fn resources(read: &services::record::api::Read, part: Part, patient: &str) -> Vec<Value> {
    match part {
        Part::Problems => read.items.iter().map(|i| condition(i, patient)).collect(),
        Part::Allergies => read.items.iter().map(|i| allergy(i, patient)).collect(),
        Part::Medications => read.items.iter().map(|i| medication(i, patient)).collect(),
        Part::Observations => read
            .observations
            .iter()
            .map(|o| observation(o, patient))
            .collect(),
        Part::Consultations => read
            .consultations
            .iter()
            .map(|c| encounter(c, patient))
            .collect(),
    }
}

/// (name, type, documentation) for each part's search.
pub fn params(part: Part) -> &'static [(&'static str, &'static str, &'static str)] {
    const PATIENT: (&str, &str, &str) = ("patient", "reference", "Patient/{id}: required.");
    match part {
        Part::Problems | Part::Allergies => {
            &[PATIENT, ("clinical-status", "token", "active or resolved.")]
        }
        Part::Medications => &[PATIENT, ("status", "token", "active or stopped.")],
        Part::Observations => &[
            PATIENT,
            (
                "code",
                "token",
                "A LOINC or SNOMED CT code, optionally as system|code.",
            ),
            (
                "date",
                "date",
                "When taken: YYYY, YYYY-MM or YYYY-MM-DD with eq, ge, le, gt or lt.",
            ),
            (
                "category",
                "token",
                "vital-signs, or laboratory (HbA1c readings and filed laboratory results).",
            ),
        ],
        Part::Consultations => &[PATIENT],
    }
}

async fn search(state: ServerState, parts: Parts, part: Part) -> Answer {
    let actor = caller(&state, &parts).await?;
    let (q, patient) = patient_query(&parts, params(part))?;
    let read = match services::record::api::part(
        &state.app.store,
        &actor,
        &PatientId::new(patient.clone()),
        part,
    )
    .await
    {
        Ok(r) => r,
        // Another practice's patient, or none: nothing matches.
        Err(services::ServiceError::NotFound) => Default::default(),
        Err(e) => return Err(Refusal::from_service(e, part.resource())),
    };
    let mut found = resources(&read, part, &patient);
    if part == Part::Observations {
        // Filed laboratory results are observations too.
        found.extend(super::lab::observations(
            &super::lab::filed(&state, &actor, &patient, "Observation").await?,
        ));
    }
    narrow(&mut found, &q)?;
    let base = base_url(&state, &parts.headers);
    Ok(resource(
        StatusCode::OK,
        &found_page(&base, part.resource(), &q, found),
    ))
}

/// Keeps the resources that the query's filters (status, clinical-status,
/// category, code, date) allow.
pub(super) fn narrow(found: &mut Vec<Value>, q: &Query) -> Result<(), Refusal> {
    if let Some(s) = q.one("clinical-status")? {
        found.retain(|r| r["clinicalStatus"]["coding"][0]["code"] == json!(s));
    }
    if let Some(s) = q.one("status")? {
        found.retain(|r| r["status"] == json!(s));
    }
    if let Some(c) = q.one("category")? {
        found.retain(|r| r["category"][0]["coding"][0]["code"] == json!(c));
    }
    if let Some(code) = q.one("code")? {
        let (system, code) = match code.split_once('|') {
            Some((s, c)) => (Some(s.to_string()), c.to_string()),
            None => (None, code.to_string()),
        };
        found.retain(|r| {
            r["code"]["coding"].as_array().is_some_and(|cs| {
                cs.iter().any(|c| {
                    c["code"] == json!(code)
                        && system.as_ref().is_none_or(|s| c["system"] == json!(s))
                })
            })
        });
    }
    keep_dated(found, q, "effectiveDateTime")
}

pub async fn conditions(State(state): State<ServerState>, parts: Parts) -> Answer {
    search(state, parts, Part::Problems).await
}
pub async fn allergies(State(state): State<ServerState>, parts: Parts) -> Answer {
    search(state, parts, Part::Allergies).await
}
pub async fn medications(State(state): State<ServerState>, parts: Parts) -> Answer {
    search(state, parts, Part::Medications).await
}
pub async fn observations(State(state): State<ServerState>, parts: Parts) -> Answer {
    search(state, parts, Part::Observations).await
}
pub async fn encounters(State(state): State<ServerState>, parts: Parts) -> Answer {
    search(state, parts, Part::Consultations).await
}
