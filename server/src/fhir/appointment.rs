//! Appointment: read, search, book (POST naming a free Slot and the
//! Patient) and cancel (PUT with status cancelled and a reason, If-Match
//! required), GP Connect style. The booking rules, the slot's uniqueness
//! and the audit are the appointments service's; a booking made here
//! reaches reception's live views like any other.

use super::outcome::{resource, with_etag, Answer, Refusal};
use super::search::{bundle, date_range, reference, Query};
use super::slot::{fhir_instant, instant, parse_slot_id, slot_id};
use super::write::{body_json, if_match, located, stale, without};
use super::{base_url, caller, profile};
use crate::ServerState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use domain::appointment_status::Status;
use domain::live::AppointmentView;
use domain::{AppointmentId, ClinicSessionId, PatientId, Version};
use serde_json::{json, Value};
use services::ServiceError;
use store::appointments::AppointmentFilter;

pub const SEARCH_PARAMS: &[(&str, &str, &str)] = &[
    ("_id", "token", "The appointment's id."),
    ("patient", "reference", "Patient/{id}."),
    (
        "date",
        "date",
        "The appointment's date: YYYY, YYYY-MM or YYYY-MM-DD with eq, ge, le, gt or lt.",
    ),
    (
        "status",
        "token",
        "booked, arrived, checked-in, fulfilled, noshow or cancelled.",
    ),
    (
        "practitioner",
        "reference",
        "Practitioner/{id}: the clinician.",
    ),
    ("slot", "reference", "Slot/{id}."),
];

pub fn to_fhir(a: &AppointmentView) -> Value {
    let start = instant(&a.date, &a.start);
    let end = start.map(|t| t + chrono::Duration::minutes(a.duration_minutes));
    let session = a.clinic_session_id.as_str();
    let mut r = json!({
        "resourceType": "Appointment",
        "id": a.id,
        "meta": { "versionId": a.version.to_string(), "profile": [profile("Appointment")] },
        "status": a.status.fhir(),
        "start": start.map(fhir_instant),
        "end": end.map(fhir_instant),
        "minutesDuration": a.duration_minutes,
        "slot": [{ "reference": format!("Slot/{}", slot_id(session, &a.start)) }],
        "participant": [
            { "actor": { "reference": format!("Patient/{}", a.patient_id), "display": a.patient_name }, "status": "accepted" },
            { "actor": { "reference": format!("Practitioner/{}", a.clinician_id), "display": a.clinician_name }, "status": "accepted" }
        ],
    });
    if let Some(reason) = a.reason.as_deref().filter(|r| !r.is_empty()) {
        r["description"] = json!(reason);
    }
    if let Some(reason) = a.cancel_reason.as_deref().filter(|r| !r.is_empty()) {
        r["cancelationReason"] = json!({ "text": reason });
    }
    r
}

pub async fn read(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = super::read_target("Appointment", &id)?;
    let a = services::appointments::calendar::appointment(
        &state.app.store,
        &actor,
        &AppointmentId::new(id),
    )
    .await
    .map_err(|e| Refusal::from_service(e, &what))?;
    Ok(with_etag(resource(StatusCode::OK, &to_fhir(&a)), a.version))
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
    let mut f = AppointmentFilter::default();
    if let Some(id) = q.one("_id")? {
        f.id = Some(reference("_id", "Appointment", id)?.to_string());
    }
    if let Some(p) = q.one("patient")? {
        f.patient = Some(reference("patient", "Patient", p)?.to_string());
    }
    if let Some(p) = q.one("practitioner")? {
        f.clinician = Some(reference("practitioner", "Practitioner", p)?.to_string());
    }
    if let Some(s) = q.one("slot")? {
        let id = reference("slot", "Slot", s)?;
        f.slot = Some(
            parse_slot_id(id)
                .ok_or_else(|| Refusal::invalid("slot: not a slot id this server issues."))?,
        );
    }
    for v in q.all("date") {
        let (from, to) = date_range("date", v)?;
        if let Some(from) = from {
            f.from = Some(f.from.map_or(from.clone(), |b: String| b.max(from)));
        }
        if let Some(to) = to {
            f.to = Some(f.to.map_or(to.clone(), |b: String| b.min(to)));
        }
    }
    if let Some(code) = q.one("status")? {
        if !domain::appointment_status::FHIR_STATUSES.contains(&code) {
            return Err(Refusal::invalid(format!(
                "status: {} is not an appointment status.",
                super::short(code)
            )));
        }
        f.statuses = Some(
            Status::ALL
                .iter()
                .filter(|s| s.fhir() == code)
                .map(|s| s.as_str().to_string())
                .collect(),
        );
    }
    let (total, page) =
        services::appointments::calendar::find(&state.app.store, &actor, &f, q.offset, q.count)
            .await
            .map_err(|e| Refusal::from_service(e, "Appointment"))?;
    let base = base_url(&state, &parts.headers);
    Ok(resource(
        StatusCode::OK,
        &bundle(
            &base,
            "Appointment",
            &q,
            total,
            page.iter().map(to_fhir).collect(),
        ),
    ))
}

/// The one reference of `kind` among the appointment's participants.
fn participant<'a>(v: &'a Value, kind: &str) -> Result<&'a str, Refusal> {
    let prefix = format!("{kind}/");
    let refs: Vec<&str> = v["participant"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p["actor"]["reference"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let mut of_kind = refs
        .into_iter()
        .filter_map(|r| r.strip_prefix(prefix.as_str()));
    match (of_kind.next(), of_kind.next()) {
        (Some(id), None) if super::patient::valid_id(id) => Ok(id),
        _ => Err(Refusal::invalid(format!(
            "participant: name exactly one {kind} as {kind}/{{id}}."
        ))),
    }
}

pub async fn create(State(state): State<ServerState>, parts: Parts, body: Bytes) -> Answer {
    let actor = caller(&state, &parts).await?;
    let v = body_json(&body, "Appointment")?;
    if v["status"] != "booked" {
        return Err(Refusal::invalid("status: a new appointment is booked."));
    }
    let slots: Vec<&str> = v["slot"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["reference"].as_str()).collect())
        .unwrap_or_default();
    let [slot] = slots.as_slice() else {
        return Err(Refusal::invalid(
            "slot: name exactly one Slot as Slot/{id}.",
        ));
    };
    let (session, start) = slot
        .strip_prefix("Slot/")
        .and_then(parse_slot_id)
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "slot: that is not a slot of this practice.",
            )
        })?;
    let patient = participant(&v, "Patient")?;
    let booking = services::appointments::Booking {
        session: ClinicSessionId::new(session),
        start,
        patient: PatientId::new(patient),
        kind: "face_to_face".into(),
        reason: v["description"].as_str().map(String::from),
    };
    let a = services::appointments::book(&state.app.store, &actor, booking)
        .await
        .map_err(|e| match e {
            // An id that is not the practice's slot or patient is a bad
            // booking, not a missing endpoint.
            ServiceError::NotFound => Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "slot or patient: not one of this practice's.",
            ),
            other => Refusal::from_service(other, "Appointment"),
        })?;
    let base = base_url(&state, &parts.headers);
    let res = with_etag(resource(StatusCode::CREATED, &to_fhir(&a)), a.version);
    Ok(located(res, &base, "Appointment", &a.id, a.version))
}

pub async fn update(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = format!("Appointment/{}", super::short(&id));
    let version = if_match(&parts.headers)?;
    let v = body_json(&body, "Appointment")?;
    if v["id"] != json!(id) {
        return Err(Refusal::invalid(
            "id: the body's id must be the appointment's.",
        ));
    }
    if !super::patient::valid_id(&id) {
        return Err(Refusal::not_found(&what));
    }
    let current = services::appointments::calendar::appointment(
        &state.app.store,
        &actor,
        &AppointmentId::new(id.clone()),
    )
    .await
    .map_err(|e| Refusal::from_service(e, &what))?;
    if current.version != version {
        return Err(stale("Appointment", current.version));
    }
    let may_change = ["status", "cancelationReason"];
    if without(&v, &may_change) != without(&to_fhir(&current), &may_change) {
        return Err(Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "Only status and cancelationReason may change: send the appointment as read, with status cancelled and a reason."));
    }
    if v["status"] != "cancelled" {
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "status: through this API an appointment can only be cancelled.",
        ));
    }
    let reason = v["cancelationReason"]["text"].as_str().unwrap_or_default();
    let a = services::appointments::cancel_booking(
        &state.app.store,
        &actor,
        &AppointmentId::new(id),
        Version(version),
        reason,
    )
    .await
    .map_err(|e| match e {
        ServiceError::Conflict {
            current: Some(_),
            message,
        } => Refusal::new(StatusCode::PRECONDITION_FAILED, "conflict", message),
        other => Refusal::from_service(other, &what),
    })?;
    Ok(with_etag(resource(StatusCode::OK, &to_fhir(&a)), a.version))
}
