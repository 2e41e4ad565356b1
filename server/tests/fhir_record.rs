//! A patient's clinical record through the FHIR API: problems, allergies,
//! medications, observations (LOINC and SNOMED CT, UCUM units) and
//! consultations, each behind its own scope, only for the client's own
//! practice's patients, each read audited; the resources pass both FHIR
//! validators.

mod common;

use common::fhir::{self, client_audit, client_of, client_token, clinical_record};
use common::{serve, state, world, World};
use serde_json::Value;

async fn get(addr: &str, path: &str, t: &str) -> (u16, Value) {
    let r = fhir::get(addr, path, t).await;
    (r.status, r.json())
}

/// Our first patient, with a clinical record: a problem, an allergy, a
/// medication and a consultation with a blood pressure and a weight.
async fn record(w: &World) -> String {
    let patient = w.ours.patient_ids[0].clone();
    clinical_record(
        w,
        &patient,
        &[("systolic", "142"), ("diastolic", "88"), ("weight", "81.4")],
    )
    .await;
    patient
}

#[tokio::test]
async fn a_client_reads_a_patients_record_by_part_coded_for_charting_apps() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let patient = record(&w).await;
    let all = "system/Condition.rs system/AllergyIntolerance.rs system/MedicationStatement.rs system/Observation.rs system/Encounter.rs";
    let (t, client_id) = client_token(&addr, &w, all).await;

    let (status, conditions) = get(
        &addr,
        &format!("/fhir/r4/Condition?patient=Patient/{patient}"),
        &t,
    )
    .await;
    assert_eq!(status, 200, "{conditions}");
    assert_eq!(conditions["total"], 1);
    let c = &conditions["entry"][0]["resource"];
    assert_eq!(c["code"]["coding"][0]["code"], "38341003");
    assert_eq!(c["code"]["coding"][0]["system"], "http://snomed.info/sct");
    assert_eq!(c["clinicalStatus"]["coding"][0]["code"], "active");
    assert_eq!(c["onsetDateTime"], "2020-02-01");

    let (_, allergies) = get(
        &addr,
        &format!("/fhir/r4/AllergyIntolerance?patient={patient}&clinical-status=active"),
        &t,
    )
    .await;
    assert_eq!(allergies["total"], 1);
    assert_eq!(
        allergies["entry"][0]["resource"]["reaction"][0]["manifestation"][0]["text"],
        "Rash"
    );

    let (_, meds) = get(
        &addr,
        &format!("/fhir/r4/MedicationStatement?patient={patient}&status=active"),
        &t,
    )
    .await;
    assert_eq!(
        meds["entry"][0]["resource"]["dosage"][0]["text"],
        "5 mg, Once a day"
    );

    // Observations by LOINC code, as a growth-chart or BP app asks.
    let (_, weights) = get(
        &addr,
        &format!("/fhir/r4/Observation?patient={patient}&code=http://loinc.org|29463-7"),
        &t,
    )
    .await;
    assert_eq!(weights["total"], 1, "{weights}");
    let w8 = &weights["entry"][0]["resource"];
    assert_eq!(w8["valueQuantity"]["value"], 81.4);
    assert_eq!(w8["valueQuantity"]["code"], "kg");
    assert_eq!(
        w8["code"]["coding"][1]["code"], "27113001",
        "SNOMED CT beside LOINC"
    );
    assert_eq!(w8["category"][0]["coding"][0]["code"], "vital-signs");
    let (_, vitals) = get(
        &addr,
        &format!("/fhir/r4/Observation?patient={patient}&category=vital-signs&date=ge2020"),
        &t,
    )
    .await;
    assert_eq!(vitals["total"], 3, "systolic, diastolic, weight");
    let (_, none) = get(
        &addr,
        &format!("/fhir/r4/Observation?patient={patient}&date=le2019"),
        &t,
    )
    .await;
    assert_eq!(none["total"], 0);

    let (_, encounters) = get(&addr, &format!("/fhir/r4/Encounter?patient={patient}"), &t).await;
    assert_eq!(encounters["total"], 1);
    assert_eq!(
        encounters["entry"][0]["resource"]["reasonCode"][0]["coding"][0]["code"],
        "38341003"
    );
    assert!(
        !encounters.to_string().contains("Review of blood pressure"),
        "consultation text stays in the record"
    );

    // Each read is audited against the patient, naming the client.
    let reads = client_audit(&w, &patient, &client_id).await;
    for part in [
        "problems",
        "allergies",
        "medications",
        "observations",
        "consultations",
    ] {
        assert!(
            reads.contains(&format!("read the patient's {part}")),
            "{part}: {reads:?}"
        );
    }
}

#[tokio::test]
async fn each_part_needs_its_scope_and_another_practices_patient_has_no_record_here() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let patient = record(&w).await;
    let (t, _) = client_token(&addr, &w, "system/Observation.rs").await;
    let (status, _) = get(
        &addr,
        &format!("/fhir/r4/Observation?patient={patient}"),
        &t,
    )
    .await;
    assert_eq!(status, 200);
    for path in [
        "Condition",
        "AllergyIntolerance",
        "MedicationStatement",
        "Encounter",
    ] {
        let (status, outcome) = get(&addr, &format!("/fhir/r4/{path}?patient={patient}"), &t).await;
        assert_eq!(status, 403, "{path}: {outcome}");
    }
    // The whole practice's observations are not searched at once.
    let (status, outcome) = get(&addr, "/fhir/r4/Observation", &t).await;
    assert_eq!(status, 400, "{outcome}");
    assert!(outcome["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .starts_with("patient"));
    // A client of the other practice finds nothing about our patient.
    let (id, secret) = client_of(&w, &w.theirs, "system/Observation.rs").await;
    let theirs = fhir::token(&addr, &id, &secret).await;
    let (status, bundle) = get(
        &addr,
        &format!("/fhir/r4/Observation?patient={patient}"),
        &theirs,
    )
    .await;
    assert_eq!((status, bundle["total"].as_u64()), (200, Some(0)));
}

#[tokio::test]
async fn everything_holds_each_part_the_client_may_read_and_nothing_of_another_practice() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let patient = record(&w).await;
    let (t, _) = client_token(&addr, &w, "system/*.rs").await;
    let (status, all) = get(
        &addr,
        &format!("/fhir/r4/Patient/{patient}/$everything"),
        &t,
    )
    .await;
    assert_eq!(status, 200, "{all}");
    let mut kinds: Vec<&str> = all["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "AllergyIntolerance",
            "Appointment",
            "Condition",
            "Encounter",
            "MedicationStatement",
            "Observation",
            "Observation",
            "Observation",
            "Patient"
        ]
    );
    assert_eq!(all["total"], 9);
    // Only what the scopes reach.
    let (t2, _) = client_token(&addr, &w, "system/Patient.rs system/Observation.rs").await;
    let (_, some) = get(
        &addr,
        &format!("/fhir/r4/Patient/{patient}/$everything"),
        &t2,
    )
    .await;
    assert_eq!(some["total"], 4, "the patient and three readings: {some}");
    // Another practice's patient: not known here.
    let theirs = &w.theirs.patient_ids[0];
    let (status, _) = get(&addr, &format!("/fhir/r4/Patient/{theirs}/$everything"), &t).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn each_entry_is_read_by_its_id_within_its_part_its_practice_and_the_read_scope() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let patient = record(&w).await;
    let (all, _) = client_token(
        &addr,
        &w,
        "system/Condition.rs system/MedicationStatement.rs system/Observation.rs system/Encounter.rs",
    )
    .await;
    let first = |kind: &'static str| {
        let (addr, all, patient) = (addr.clone(), all.clone(), patient.clone());
        async move {
            let (_, b) = get(&addr, &format!("/fhir/r4/{kind}?patient={patient}"), &all).await;
            b["entry"][0]["resource"].clone()
        }
    };
    for kind in [
        "Condition",
        "MedicationStatement",
        "Observation",
        "Encounter",
    ] {
        let found = first(kind).await;
        let id = found["id"].as_str().unwrap();
        let r = fhir::get(&addr, &format!("/fhir/r4/{kind}/{id}"), &all).await;
        assert_eq!(r.status, 200, "{kind}: {}", r.body);
        assert_eq!(
            r.json(),
            found,
            "{kind}: the read is the entry the search found"
        );
        if kind == "Condition" || kind == "MedicationStatement" {
            assert_eq!(r.header("etag"), Some("W/\"1\""), "{kind}");
        }
    }
    // A medication's id is not a problem's; an unknown id is nothing.
    let medication = first("MedicationStatement").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let problem_reads = || async {
        w.ours
            .db(&w.store)
            .audit_rows(
                &store::audit::AuditFilter {
                    patient_id: Some(patient.clone()),
                    ..Default::default()
                },
                1000,
            )
            .await
            .unwrap()
            .iter()
            .filter(|r| r.action.contains("problems") && r.outcome == "allowed")
            .count()
    };
    let before = problem_reads().await;
    let r = fhir::get(&addr, &format!("/fhir/r4/Condition/{medication}"), &all).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(
        problem_reads().await,
        before,
        "a 404 is never audited as a read of the patient's problems"
    );
    assert_eq!(
        fhir::get(&addr, "/fhir/r4/Observation/nothing", &all)
            .await
            .status,
        404
    );

    // Read scope alone reads one entry but cannot search.
    let (reader, _) = client_token(&addr, &w, "system/Condition.r").await;
    let condition = first("Condition").await["id"].as_str().unwrap().to_string();
    let r = fhir::get(&addr, &format!("/fhir/r4/Condition/{condition}"), &reader).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = fhir::get(
        &addr,
        &format!("/fhir/r4/Condition?patient={patient}"),
        &reader,
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);

    // Another practice's client: not found, as if absent.
    let (their_id, their_secret) = client_of(&w, &w.theirs, "system/Condition.rs").await;
    let their_token = fhir::token(&addr, &their_id, &their_secret).await;
    let r = fhir::get(
        &addr,
        &format!("/fhir/r4/Condition/{condition}"),
        &their_token,
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(!r.body.contains("Hypertens"), "{}", r.body);
}
