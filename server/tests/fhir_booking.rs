//! Booking through the FHIR API, GP Connect style, over real HTTP: free
//! slots for a date, book one for a patient found by NHS number (201 with
//! Location and ETag), the slot is busy and a second booking of it is a
//! 409; a past slot is 422; cancelling needs If-Match (a stale one is
//! 412) and may change nothing but status and reason; the slot is free
//! again. Every booking and cancellation is audited naming the client.

mod common;

use common::fhir::{call, client_token, future_session};
use common::http::{request, Reply};
use common::{serve, state, world};
use serde_json::json;
use store::audit::AuditFilter;

fn code(r: &Reply) -> String {
    r.json()["issue"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn booking(slot: &str, patient: &str) -> String {
    json!({
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{ "reference": format!("Slot/{slot}") }],
        "participant": [{ "actor": { "reference": format!("Patient/{patient}") }, "status": "accepted" }],
        "description": "Blood pressure review"
    })
    .to_string()
}

#[tokio::test]
async fn a_client_books_a_free_slot_and_cancels_it_with_if_match() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let (session, date) = future_session(&w, "10:00").await;
    let (t, client_id) = client_token(
        &addr,
        &w,
        "system/Patient.rs system/Slot.rs system/Schedule.r system/Appointment.cruds",
    )
    .await;
    // The patient, by NHS number.
    let found = call(
        &addr,
        "GET",
        "/fhir/r4/Patient?identifier=9990000026",
        &t,
        &[],
        "",
    )
    .await
    .json();
    let patient = found["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Free slots that day, with their schedule.
    let path =
        format!("/fhir/r4/Slot?start=ge{date}&start=le{date}&status=free&_include=Slot:schedule");
    let slots = call(&addr, "GET", &path, &t, &[], "").await.json();
    assert_eq!(slots["total"], 6, "09:00 to 09:50: {slots}");
    let entries = slots["entry"].as_array().unwrap();
    let first = &entries[0]["resource"];
    assert_eq!(first["status"], "free");
    assert_eq!(
        first["schedule"]["reference"],
        format!("Schedule/{session}")
    );
    let schedule = entries
        .iter()
        .find(|e| e["search"]["mode"] == "include")
        .unwrap();
    assert_eq!(schedule["resource"]["actor"][0]["display"], "Dr Ann Carter");
    let slot = first["id"].as_str().unwrap().to_string();
    // Book it.
    let made = call(
        &addr,
        "POST",
        "/fhir/r4/Appointment",
        &t,
        &[],
        &booking(&slot, &patient),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let appt = made.json();
    let id = appt["id"].as_str().unwrap().to_string();
    assert!(made
        .header("location")
        .unwrap()
        .ends_with(&format!("/Appointment/{id}/_history/1")));
    assert_eq!(made.header("etag"), Some("W/\"1\""));
    assert_eq!(appt["status"], "booked");
    assert_eq!(
        appt["participant"][0]["actor"]["reference"],
        format!("Patient/{patient}")
    );
    // The slot is busy now, and a second booking of it is refused.
    let busy = call(
        &addr,
        "GET",
        &format!("/fhir/r4/Slot?schedule=Schedule/{session}&status=busy&start={date}"),
        &t,
        &[],
        "",
    )
    .await
    .json();
    assert_eq!(busy["total"], 1);
    assert_eq!(busy["entry"][0]["resource"]["id"], slot);
    let again = call(
        &addr,
        "POST",
        "/fhir/r4/Appointment",
        &t,
        &[],
        &booking(&slot, &w.ours.patient_ids[0]),
    )
    .await;
    assert_eq!((again.status, code(&again).as_str()), (409, "conflict"));
    // It is in the patient's appointments, as the book shows it.
    let theirs = call(
        &addr,
        "GET",
        &format!("/fhir/r4/Appointment?patient=Patient/{patient}&date={date}"),
        &t,
        &[],
        "",
    )
    .await
    .json();
    assert_eq!(theirs["total"], 1);
    for (status, want) in [("booked", 200), ("waitlist", 200), ("nonsense", 400)] {
        let path = format!("/fhir/r4/Appointment?patient={patient}&date={date}&status={status}");
        let r = call(&addr, "GET", &path, &t, &[], "").await;
        assert_eq!(r.status, want, "{status}");
        if status == "booked" {
            assert_eq!(r.json()["total"], 1);
        } else if status == "waitlist" {
            assert_eq!(r.json()["total"], 0, "a FHIR status none of ours maps to");
        }
    }
    let day = w
        .ours
        .db(&w.store)
        .day_appointments(&date, None)
        .await
        .unwrap();
    assert_eq!(day.len(), 1, "reception's book has it");
    assert_eq!(day[0].updated_by.as_deref(), Some("Test system (API)"));
    // Cancel: If-Match required; a stale one is 412; nothing else may change.
    let mut cancel = appt.clone();
    cancel["status"] = json!("cancelled");
    cancel["cancelationReason"] = json!({ "text": "Patient asked to rearrange" });
    let put = format!("/fhir/r4/Appointment/{id}");
    let r = call(&addr, "PUT", &put, &t, &[], &cancel.to_string()).await;
    assert_eq!(r.status, 428);
    let r = call(
        &addr,
        "PUT",
        &put,
        &t,
        &[("If-Match", "W/\"7\"")],
        &cancel.to_string(),
    )
    .await;
    assert_eq!((r.status, code(&r).as_str()), (412, "conflict"));
    let mut sneaky = cancel.clone();
    sneaky["minutesDuration"] = json!(30);
    let r = call(
        &addr,
        "PUT",
        &put,
        &t,
        &[("If-Match", "W/\"1\"")],
        &sneaky.to_string(),
    )
    .await;
    assert_eq!((r.status, code(&r).as_str()), (422, "invalid"));
    let done = call(
        &addr,
        "PUT",
        &put,
        &t,
        &[("If-Match", "W/\"1\"")],
        &cancel.to_string(),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json()["status"], "cancelled");
    assert_eq!(
        done.json()["cancelationReason"]["text"],
        "Patient asked to rearrange"
    );
    assert_eq!(done.header("etag"), Some("W/\"2\""));
    let free = call(
        &addr,
        "GET",
        &format!("/fhir/r4/Slot?schedule={session}&status=free&start={date}"),
        &t,
        &[],
        "",
    )
    .await
    .json();
    assert_eq!(free["total"], 6, "the slot is free again");
    // Both writes are in the audit trail, naming the client.
    let rows = w
        .ours
        .db(&w.store)
        .audit_rows(
            &AuditFilter {
                patient_id: Some(patient),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    let mine: Vec<String> = rows
        .iter()
        .filter(|r| r.role.as_deref() == Some(format!("api_client:{client_id}").as_str()))
        .map(|r| r.action.clone())
        .collect();
    assert!(
        mine.iter().any(|a| a.starts_with("booked an appointment")),
        "{mine:?}"
    );
    assert!(
        mine.iter()
            .any(|a| a.starts_with("cancelled an appointment")),
        "{mine:?}"
    );
}

#[tokio::test]
async fn bookings_are_refused_clearly_and_write_nothing() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let (session, _) = future_session(&w, "10:00").await;
    let patient = w.ours.patient_ids[0].clone();
    let (reader, _) = client_token(
        &addr,
        &w,
        "system/Patient.rs system/Slot.rs system/Appointment.rs",
    )
    .await;
    let (t, _) = client_token(&addr, &w, "system/Slot.rs system/Appointment.cruds").await;
    let before = store::fixtures::everything(&w.store).await.unwrap();
    let slot = format!("{session}-0900");
    // Without Appointment create scope: 403.
    let r = call(
        &addr,
        "POST",
        "/fhir/r4/Appointment",
        &reader,
        &[],
        &booking(&slot, &patient),
    )
    .await;
    assert_eq!((r.status, code(&r).as_str()), (403, "forbidden"));
    // A past slot (the fixtures' session was on 2026-11-21): 422.
    let past = format!("{}-0900", w.ours.gp_session_id);
    let r = call(
        &addr,
        "POST",
        "/fhir/r4/Appointment",
        &t,
        &[],
        &booking(&past, &patient),
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (422, "invalid"),
        "{}",
        r.body
    );
    // Another practice's patient or slot; a slot that is not one; no JSON.
    let theirs = w.theirs.patient_ids[0].clone();
    for (body, status) in [
        (booking(&slot, &theirs), 422),
        (
            booking(&format!("{}-0900", w.theirs.gp_session_id), &patient),
            422,
        ),
        (booking(&format!("{session}-0905"), &patient), 422),
        (booking("nonsense", &patient), 422),
        ("{not json".to_string(), 400),
        (json!({"resourceType": "Patient"}).to_string(), 400),
    ] {
        let r = call(&addr, "POST", "/fhir/r4/Appointment", &t, &[], &body).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert!(!r.body.contains("Smith"), "no personal data in {}", r.body);
    }
    // The wrong media type: 415.
    let auth = format!("Bearer {t}");
    let r = request(
        &addr,
        "POST",
        "/fhir/r4/Appointment",
        &[("Authorization", &auth), ("Content-Type", "text/plain")],
        &booking(&slot, &patient),
    )
    .await;
    assert_eq!(r.status, 415);
    let after = store::fixtures::everything(&w.store).await.unwrap();
    assert_eq!(before, after, "nothing was written");
}
