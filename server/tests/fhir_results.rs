//! A laboratory posts its reports over HTTP: a Bundle with one
//! DiagnosticReport, its Observations and its Patient. The report reaches
//! the requesting GP's inbox matched to the right patient; the same
//! report twice is one; a corrected one replaces the first; bad Bundles
//! are refused by element and store nothing; the scope is required; a
//! laboratory reaches only its own practice.

mod common;

use common::fhir::{call, client_of, client_token, issue, token};
use common::*;
use serde_json::{json, Value};

/// A laboratory's HbA1c report for the fixtures' John Smith.
fn bundle(identifier: &str, status: &str, value: f64, requester: &str) -> Value {
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            { "fullUrl": "urn:uuid:8d6f4c1e-0000-4000-8000-000000000001", "resource": {
                "resourceType": "DiagnosticReport",
                "identifier": [{ "system": "https://riverside-pathology.example/reports", "value": identifier }],
                "status": status,
                "category": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "CH" }] }],
                "code": { "coding": [{ "system": "http://loinc.org", "code": "4548-4", "display": "Hemoglobin A1c" }], "text": "HbA1c" },
                "subject": { "reference": "urn:uuid:8d6f4c1e-0000-4000-8000-000000000002" },
                "issued": "2026-11-20T10:00:00+00:00",
                "performer": [{ "display": "Riverside Pathology" }],
                "result": [{ "reference": "urn:uuid:8d6f4c1e-0000-4000-8000-000000000003" }]
            }},
            { "fullUrl": "urn:uuid:8d6f4c1e-0000-4000-8000-000000000002", "resource": {
                "resourceType": "Patient",
                "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018" }],
                "name": [{ "family": "Smith", "given": ["John"] }],
                "birthDate": "1961-04-03"
            }},
            { "fullUrl": "urn:uuid:8d6f4c1e-0000-4000-8000-000000000003", "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": { "coding": [{ "system": "http://loinc.org", "code": "4548-4", "display": "Haemoglobin A1c" }] },
                "subject": { "reference": "urn:uuid:8d6f4c1e-0000-4000-8000-000000000002" },
                "valueQuantity": { "value": value, "unit": "mmol/mol", "system": "http://unitsofmeasure.org", "code": "mmol/mol" },
                "referenceRange": [{ "low": { "value": 20 }, "high": { "value": 41 } }]
            }},
            { "fullUrl": "urn:uuid:8d6f4c1e-0000-4000-8000-000000000004", "resource": {
                "resourceType": "ServiceRequest",
                "status": "completed",
                "intent": "order",
                "subject": { "reference": "urn:uuid:8d6f4c1e-0000-4000-8000-000000000002" },
                "requester": { "reference": format!("Practitioner/{requester}"), "display": "Dr Ann Carter" }
            }}
        ]
    })
}

const LAB: &str = "system/DiagnosticReport.c";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laboratory_posts_a_report_that_reaches_the_requesting_gp_once() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let gp_id = w.ours.staff_id("gp").to_string();
    let (tok, _) = client_token(&addr, &w, LAB).await;

    let first = bundle("R-1001", "final", 53.0, &gp_id).to_string();
    let r = call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &first).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let location = r.header("location").unwrap().to_string();
    assert!(
        location.contains("/fhir/r4/DiagnosticReport/"),
        "{location}"
    );
    let (_, words) = issue_info(&r);
    assert!(words.starts_with("Report received."), "{words}");
    assert!(
        !r.body.contains("Smith") && !r.body.contains("9990000018"),
        "no personal data echoed"
    );

    // Posted again (a retry after a lost answer): one report.
    let again = call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &first).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.header("location"), Some(location.as_str()));

    let gp = actor(&w.ours, "gp");
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert_eq!(inbox.rows.len(), 1);
    let row = &inbox.rows[0];
    assert!(row.abnormal, "53 against 20–41 is high");
    assert_eq!(
        row.patient_id.as_deref(),
        Some(w.ours.patient_ids[0].as_str())
    );
    let view = services::results::report(&w.store, &gp, &row.id)
        .await
        .unwrap();
    assert_eq!(view.analytes[0].value_label(), "53 mmol/mol");
    assert_eq!(view.analytes[0].flag, domain::results::Flag::High);
    assert_eq!(view.requester_name.as_deref(), Some("Dr Ann Carter"));
    assert_eq!(view.row.laboratory, "Riverside Pathology");

    // A correction replaces it, keeping the original.
    let corrected = bundle("R-1001", "corrected", 47.0, &gp_id).to_string();
    let c = call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &corrected).await;
    assert_eq!(c.status, 201, "{}", c.body);
    assert!(issue_info(&c).1.contains("replaces the earlier one"));
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert_eq!(inbox.rows.len(), 1);
    assert_ne!(inbox.rows[0].id, row.id);
    let old = services::results::report(&w.store, &gp, &row.id)
        .await
        .unwrap();
    assert_eq!(old.row.state, domain::results::ItemState::Superseded);

    // The same identifier with other content, not marked as a correction.
    let clash = bundle("R-1001", "final", 60.0, &gp_id).to_string();
    let x = call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &clash).await;
    assert_eq!(x.status, 409, "{}", x.body);
    assert!(issue(&x).1.contains("amended or corrected"));
}

/// An informational OperationOutcome's (code, diagnostics).
fn issue_info(r: &common::http::Reply) -> (String, String) {
    let v = r.json();
    assert_eq!(v["issue"][0]["severity"], "information", "{}", r.body);
    (
        v["issue"][0]["code"].as_str().unwrap().to_string(),
        v["issue"][0]["diagnostics"].as_str().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bundles_are_refused_by_element_and_store_nothing() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let gp_id = w.ours.staff_id("gp").to_string();
    let (tok, _) = client_token(&addr, &w, LAB).await;
    let (reader, _) = client_token(&addr, &w, "system/Patient.rs").await;
    let before = store::fixtures::everything(&w.store).await.unwrap();
    let same = |after: String| assert!(before == after, "something was stored");

    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = bundle("B1", "final", 53.0, &gp_id);
                b["entry"][0]["resource"]["status"] = json!("done");
                b
            },
            "status:",
        ),
        (
            {
                let mut b = bundle("B2", "final", 53.0, &gp_id);
                b["entry"][0]["resource"]["result"][0]["reference"] = json!("urn:uuid:nowhere");
                b
            },
            "result[0]:",
        ),
        (
            {
                let mut b = bundle("B3", "final", 53.0, &gp_id);
                b["entry"][0]["resource"]["identifier"] = json!([]);
                b
            },
            "identifier:",
        ),
        (
            {
                let mut b = bundle("B4", "final", 53.0, &gp_id);
                b["entry"][2]["resource"]["valueQuantity"] = Value::Null;
                b
            },
            "Haemoglobin A1c has no value",
        ),
        (
            {
                let mut b = bundle("B5", "final", 53.0, &gp_id);
                b["entry"][0]["resource"]["issued"] = json!("yesterday");
                b
            },
            "issued:",
        ),
        (
            {
                let mut b = bundle("B6", "final", 53.0, &gp_id);
                b["entry"].as_array_mut().unwrap().remove(0);
                b
            },
            "exactly one DiagnosticReport",
        ),
        (
            json!({ "resourceType": "Patient" }),
            "resourceType: send a Bundle",
        ),
    ];
    for (body, expected) in cases {
        let r = call(
            &addr,
            "POST",
            "/fhir/r4/Bundle",
            &tok,
            &[],
            &body.to_string(),
        )
        .await;
        assert!(
            r.status == 422 || r.status == 400,
            "{expected}: {} {}",
            r.status,
            r.body
        );
        let (code, words) = issue(&r);
        assert_eq!(code, "invalid");
        assert!(words.contains(expected), "{expected}: {words}");
    }
    same(store::fixtures::everything(&w.store).await.unwrap());

    // Without the scope: 403, nothing stored.
    let body = bundle("B7", "final", 53.0, &gp_id).to_string();
    let r = call(&addr, "POST", "/fhir/r4/Bundle", &reader, &[], &body).await;
    assert_eq!(r.status, 403, "{}", r.body);
    same(store::fixtures::everything(&w.store).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laboratory_reaches_only_its_own_practice() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    // Their laboratory names our GP as the requester; the patient is on
    // both practices' lists. It lands in their practice, unassigned.
    let (id, secret) = client_of(&w, &w.theirs, LAB).await;
    let tok = token(&addr, &id, &secret).await;
    let body = bundle("T1", "final", 53.0, w.ours.staff_id("gp")).to_string();
    let r = call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &body).await;
    assert_eq!(r.status, 201, "{}", r.body);

    let gp = actor(&w.ours, "gp");
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert!(inbox.rows.is_empty() && inbox.pool.is_empty());
    let their_gp = actor(&w.theirs, "gp");
    let theirs = services::results::inbox(&w.store, &their_gp, None)
        .await
        .unwrap();
    assert_eq!(theirs.pool.len(), 1, "not our GP's: their pool");
    assert_eq!(
        theirs.pool[0].patient_id.as_deref(),
        Some(w.theirs.patient_ids[0].as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_imports_a_directory_of_reports_once_and_names_each_refusal() {
    let w = world().await;
    let gp_id = w.ours.staff_id("gp").to_string();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("one.json"),
        bundle("F-1", "final", 38.0, &gp_id).to_string(),
    )
    .unwrap();
    let mut unmatched = bundle("F-2", "final", 53.0, &gp_id);
    unmatched["entry"][1]["resource"]["birthDate"] = json!("1961-04-04");
    let mut broken = bundle("F-3", "final", 53.0, &gp_id);
    broken["entry"][0]["resource"]["status"] = json!("done");
    let lines = [
        unmatched.to_string(),
        broken.to_string(),
        "{ not json".to_string(),
    ]
    .join("\n");
    std::fs::write(dir.path().join("two.ndjson"), lines).unwrap();

    let tally =
        server::results_cli::import_reports(&w.store, &w.ours.practice_id, dir.path(), &|_, _| {})
            .await
            .unwrap();
    assert_eq!(
        (tally.read, tally.matched, tally.unmatched, tally.again),
        (4, 1, 1, 0)
    );
    assert_eq!(tally.refused.len(), 2);
    assert!(
        tally.refused[0].starts_with("two.ndjson line 2: status:"),
        "{:?}",
        tally.refused
    );
    assert!(
        tally.refused[1].starts_with("two.ndjson line 3: not JSON"),
        "{:?}",
        tally.refused
    );
    assert!(
        !tally.refused.concat().contains("Smith"),
        "no patient named in the refusals"
    );

    // Again: nothing new.
    let again =
        server::results_cli::import_reports(&w.store, &w.ours.practice_id, dir.path(), &|_, _| {})
            .await
            .unwrap();
    assert_eq!((again.matched, again.unmatched, again.again), (0, 0, 2));
    let gp = actor(&w.ours, "gp");
    assert_eq!(
        services::results::inbox(&w.store, &gp, None)
            .await
            .unwrap()
            .rows
            .len(),
        1
    );
    let reception = actor(&w.ours, "reception");
    assert_eq!(
        services::results::unmatched(&w.store, &reception)
            .await
            .unwrap()
            .len(),
        1
    );
}
