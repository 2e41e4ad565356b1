//! Every kind of resource the FHIR API emits (CapabilityStatement,
//! Patient, searchset Bundles with and without an outcome entry, and each
//! OperationOutcome), fetched from the live server, is validated by two
//! FHIR libraries we did not write: npm @medplum/core against the R4
//! StructureDefinitions, and PyPI fhir.resources' R4B models (both pinned,
//! installed by `scripts/tools.sh test`). A resource broken on purpose
//! must be caught by both, so this test cannot pass by validating nothing.

mod common;

use common::http::{basic, request};
use common::{actor, oracles, serve, state, world};
use serde_json::Value;

async fn created_json(addr: &str, auth: &str, id: &str) -> Value {
    request(
        addr,
        "GET",
        &format!("/fhir/r4/Appointment/{id}"),
        &[("Authorization", auth)],
        "",
    )
    .await
    .json()
}

#[tokio::test]
async fn every_resource_the_api_emits_passes_two_independent_validators() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let r = services::api_clients::register(
        &w.store,
        &actor(&w.ours, "admin"),
        "Oracle",
        "system/Patient.rs system/Slot.rs system/Schedule.r system/Appointment.cruds system/Organization.rs system/Practitioner.rs system/PractitionerRole.rs system/Location.rs system/Condition.rs system/AllergyIntolerance.rs system/MedicationStatement.rs system/Observation.rs system/Encounter.rs",
    )
    .await
    .unwrap();
    let tok = request(
        &addr,
        "POST",
        "/oauth2/token",
        &[
            ("Authorization", &basic(r.id.as_str(), &r.secret)),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "grant_type=client_credentials",
    )
    .await
    .json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let auth = format!("Bearer {tok}");
    let patient = &w.ours.patient_ids[0];
    let theirs = &w.theirs.patient_ids[0];
    let date =
        (domain::time::london_today(chrono::Utc::now()) + chrono::Duration::days(7)).to_string();
    let session = services::clinics::add_session(
        &w.store,
        &actor(&w.ours, "admin"),
        services::clinics::SessionForm {
            clinician: w.ours.staff_id("gp").to_string(),
            room: format!("{}-r1", w.ours.practice_id),
            date: date.clone(),
            start: "09:00".into(),
            end: "09:30".into(),
            slot_minutes: "10".into(),
        },
    )
    .await
    .unwrap()
    .id;
    let book = serde_json::json!({
        "resourceType": "Appointment", "status": "booked",
        "slot": [{ "reference": format!("Slot/{session}-0900") }],
        "participant": [{ "actor": { "reference": format!("Patient/{patient}") }, "status": "accepted" }]
    })
    .to_string();
    let json_body = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/fhir+json"),
    ];
    let mut bodies = Vec::new();
    let created = request(&addr, "POST", "/fhir/r4/Appointment", &json_body, &book).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let appointment = created.json()["id"].as_str().unwrap().to_string();
    bodies.push(created.body);
    bodies.push(
        request(&addr, "POST", "/fhir/r4/Appointment", &json_body, &book)
            .await
            .body,
    );
    let mut stale = created_json(&addr, &auth, &appointment).await;
    stale["status"] = "cancelled".into();
    let if_match = [json_body[0], json_body[1], ("If-Match", "W/\"9\"")];
    let put = format!("/fhir/r4/Appointment/{appointment}");
    bodies.push(
        request(&addr, "PUT", &put, &if_match, &stale.to_string())
            .await
            .body,
    );
    // A clinical record to read: one of each kind of entry, and a
    // consultation with readings.
    let gp = actor(&w.ours, "gp");
    let pid = domain::PatientId::new(patient.as_str());
    for (kind, code, term, dose, note) in [
        ("problem", "38341003", "", "", ""),
        ("allergy", "91936005", "", "", "Rash"),
        ("medication", "", "Amlodipine", "5 mg", ""),
    ] {
        let form = domain::record::ItemForm {
            kind: kind.into(),
            code: code.into(),
            term: term.into(),
            dose: dose.into(),
            frequency: if dose.is_empty() { "" } else { "Once a day" }.into(),
            note: note.into(),
            ..Default::default()
        };
        services::record::add_item(&w.store, &gp, &pid, &form)
            .await
            .unwrap();
    }
    let consultation = domain::record::ConsultationForm {
        history: "Review.".into(),
        codes: vec!["38341003".into()],
        observations: vec![
            ("systolic".into(), "142".into()),
            ("diastolic".into(), "88".into()),
            ("temperature".into(), "37.2".into()),
        ],
        ..Default::default()
    };
    services::record::save_consultation(&w.store, &gp, &pid, &consultation)
        .await
        .unwrap();
    let paths = [
        format!("/fhir/r4/Patient/{patient}/$everything"),
        format!("/fhir/r4/Condition?patient={patient}"),
        format!("/fhir/r4/AllergyIntolerance?patient={patient}"),
        format!("/fhir/r4/MedicationStatement?patient={patient}"),
        format!("/fhir/r4/Observation?patient={patient}"),
        format!("/fhir/r4/Encounter?patient={patient}"),
        format!("/fhir/r4/Slot?start={date}&_include=Slot:schedule"),
        format!("/fhir/r4/Schedule/{session}"),
        format!("/fhir/r4/Organization/{}", w.ours.practice_id),
        "/fhir/r4/Practitioner".to_string(),
        "/fhir/r4/PractitionerRole?_count=2".to_string(),
        "/fhir/r4/Location".to_string(),
        format!("/fhir/r4/Appointment/{appointment}"),
        format!("/fhir/r4/Appointment?patient={patient}"),
        "/fhir/r4/metadata".to_string(),
        format!("/fhir/r4/Patient/{patient}"),
        "/fhir/r4/Patient?_count=2".to_string(),
        "/fhir/r4/Patient?family=smith&colour=blue".to_string(),
        "/fhir/r4/Patient?family=nobody".to_string(),
        format!("/fhir/r4/Patient/{theirs}"),
        "/fhir/r4/Patient?birthdate=1987-13".to_string(),
        "/fhir/r4/Patient?_format=xml".to_string(),
        "/fhir/r4/Observation".to_string(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for path in &paths {
        bodies.push(
            request(&addr, "GET", path, &[("Authorization", &auth)], "")
                .await
                .body,
        );
    }
    for (n, body) in bodies.into_iter().enumerate() {
        let v: Value = serde_json::from_str(&body).unwrap();
        kinds.insert(v["resourceType"].as_str().unwrap().to_string());
        let file = dir.path().join(format!("{n:02}.json"));
        std::fs::write(&file, body).unwrap();
        files.push(file);
    }
    // Unauthenticated answers are FHIR too.
    let reply = request(&addr, "GET", "/fhir/r4/Patient", &[], "").await;
    let file = dir.path().join("unauthenticated.json");
    std::fs::write(&file, reply.body).unwrap();
    files.push(file);
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "Appointment",
            "Bundle",
            "CapabilityStatement",
            "OperationOutcome",
            "Organization",
            "Patient",
            "Schedule"
        ]
    );
    let patient_file = files
        .iter()
        .find(|f| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            v["resourceType"] == "Patient"
        })
        .unwrap()
        .clone();
    // Broken on purpose: a real Patient with an impossible birth date.
    let mut broken: Value =
        serde_json::from_str(&std::fs::read_to_string(patient_file).unwrap()).unwrap();
    broken["birthDate"] = "1987-13-45".into();
    let broken_file = dir.path().join("broken.json");
    std::fs::write(&broken_file, broken.to_string()).unwrap();
    files.push(broken_file.clone());

    for (name, rows) in oracles::validate(&files) {
        for (file, ok, errors) in rows {
            let is_broken = file == broken_file.to_string_lossy();
            assert_eq!(ok, !is_broken, "{name} on {file}: {errors}");
        }
    }
}
