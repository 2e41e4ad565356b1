//! Every kind of resource the FHIR API emits (CapabilityStatement,
//! Patient, searchset Bundles with and without an outcome entry, and each
//! OperationOutcome), fetched from the live server, is validated by two
//! FHIR libraries we did not write: npm @medplum/core against the R4
//! StructureDefinitions, and PyPI fhir.resources' R4B models (both pinned,
//! installed by `scripts/tools.sh test`). A resource broken on purpose
//! must be caught by both, so this test cannot pass by validating nothing.

mod common;

use common::fhir::{client_token, clinical_record, future_session};
use common::http::request;
use common::{oracles, serve, state, world};
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
    // Every read scope (the oracle sees every kind of resource), and
    // Appointment writes for the booking answers.
    let (tok, _) = client_token(
        &addr,
        &w,
        "system/*.rs system/Appointment.cruds system/Task.cruds",
    )
    .await;
    let auth = format!("Bearer {tok}");
    let patient = &w.ours.patient_ids[0];
    let theirs = &w.theirs.patient_ids[0];
    let (session, date) = future_session(&w, "09:30").await;
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
    // A task raised for a team, and one refused.
    let team = w.ours.db(&w.store).create_team("Results").await.unwrap();
    let task = serde_json::json!({
        "resourceType": "Task", "status": "requested", "intent": "order",
        "description": "Chase the missing blood result",
        "note": [{ "text": "Lab says it was sent on Monday." }],
        "for": { "reference": format!("Patient/{patient}") },
        "owner": { "reference": format!("CareTeam/{team}") },
        "restriction": { "period": { "end": "2030-01-02T10:00:00Z" } }
    });
    let raised = request(
        &addr,
        "POST",
        "/fhir/r4/Task",
        &json_body,
        &task.to_string(),
    )
    .await;
    assert_eq!(raised.status, 201, "{}", raised.body);
    let task_id = raised.json()["id"].as_str().unwrap().to_string();
    bodies.push(raised.body);
    let mut no_owner = task.clone();
    no_owner.as_object_mut().unwrap().remove("owner");
    bodies.push(
        request(
            &addr,
            "POST",
            "/fhir/r4/Task",
            &json_body,
            &no_owner.to_string(),
        )
        .await
        .body,
    );
    // A clinical record to read: one of each kind of entry, and a
    // consultation with readings.
    clinical_record(
        &w,
        patient,
        &[
            ("systolic", "142"),
            ("diastolic", "88"),
            ("temperature", "37.2"),
        ],
    )
    .await;
    // A filed laboratory report: a DiagnosticReport and its Observation.
    let report = common::filed_lab_report(&w, &w.ours, "ORACLE-1", 58.0).await;
    // A filed letter: a DocumentReference and its PDF as a Binary.
    let letter = common::filed_letter(&w, &w.ours, "Seen in clinic.").await;
    let paths = [
        format!("/fhir/r4/DiagnosticReport?patient={patient}"),
        format!("/fhir/r4/DiagnosticReport/{report}"),
        format!("/fhir/r4/Observation/{report}.0"),
        format!("/fhir/r4/DocumentReference?patient={patient}"),
        format!("/fhir/r4/DocumentReference/{letter}"),
        format!("/fhir/r4/Binary/{letter}"),
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
        format!("/fhir/r4/CareTeam/{team}"),
        "/fhir/r4/CareTeam".to_string(),
        format!("/fhir/r4/Task/{task_id}"),
        format!("/fhir/r4/Task?owner=CareTeam/{team}&status=requested"),
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
            "Binary",
            "Bundle",
            "CapabilityStatement",
            "CareTeam",
            "DiagnosticReport",
            "DocumentReference",
            "Observation",
            "OperationOutcome",
            "Organization",
            "Patient",
            "Schedule",
            "Task"
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
