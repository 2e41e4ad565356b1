//! Filed laboratory results through the FHIR API: a filed report reads
//! as a DiagnosticReport (searched by patient, read by id with its ETag)
//! whose analytes are Observations (category laboratory, with value,
//! range and interpretation) found by the Observation search too; a
//! report not yet filed is not shared; each scope is required; another
//! practice's report does not exist; every read is audited.

mod common;

use common::fhir::{client_audit, client_of, get, token};
use common::*;
use serde_json::json;

const READER: &str = "system/Patient.rs system/DiagnosticReport.rs system/Observation.rs";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filed_report_reads_as_a_diagnostic_report_with_its_observations() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let patient = w.ours.patient_ids[0].clone();
    let filed = filed_lab_report(&w, &w.ours, "F1", 58.0).await;
    // Another report arrives but waits in the GP's inbox: not shared yet.
    let lab = lab_actor(&w.ours);
    let waiting =
        services::results::receive(&w.store, &lab, &lab_report("F2", 39.0, None, "1961-04-03"))
            .await
            .unwrap();
    assert_eq!(waiting.patient.as_deref(), Some(patient.as_str()));

    let (id, secret) = client_of(&w, &w.ours, READER).await;
    let tok = token(&addr, &id, &secret).await;
    let found = get(
        &addr,
        &format!("/fhir/r4/DiagnosticReport?patient=Patient/{patient}"),
        &tok,
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let bundle = found.json();
    assert_eq!(bundle["total"], 1, "only the filed report: {bundle}");
    let report = &bundle["entry"][0]["resource"];
    assert_eq!(report["id"], json!(filed));
    assert_eq!(report["status"], "final");
    assert_eq!(
        report["subject"]["reference"],
        json!(format!("Patient/{patient}"))
    );
    assert_eq!(
        report["identifier"][0],
        json!({ "system": "https://pathology.example/reports", "value": "F1" })
    );
    assert_eq!(report["category"][0]["coding"][0]["code"], "LAB");
    assert_eq!(report["performer"][0]["display"], "Riverside Pathology");
    let result = report["result"][0]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(result, format!("Observation/{filed}.0"));
    assert!(
        !found.body.contains("will talk at your review"),
        "the clinician's comment for the patient is not the laboratory's report"
    );

    // Read by id, with its version as the ETag.
    let one = get(&addr, &format!("/fhir/r4/DiagnosticReport/{filed}"), &tok).await;
    assert_eq!(one.status, 200, "{}", one.body);
    let version = one.json()["meta"]["versionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        one.header("etag"),
        Some(format!("W/\"{version}\"").as_str())
    );
    // The analyte, by the reference the report gives.
    let obs = get(&addr, &format!("/fhir/r4/{result}"), &tok).await;
    assert_eq!(obs.status, 200, "{}", obs.body);
    let o = obs.json();
    assert_eq!(o["category"][0]["coding"][0]["code"], "laboratory");
    assert_eq!(
        o["code"]["coding"][0],
        json!({ "system": "http://loinc.org", "code": "4548-4", "display": "Haemoglobin A1c" })
    );
    assert_eq!(
        o["valueQuantity"],
        json!({ "value": 58.0, "unit": "mmol/mol" })
    );
    assert_eq!(o["referenceRange"][0]["high"]["value"], 41.0);
    assert_eq!(o["interpretation"][0]["coding"][0]["code"], "H");
    // The Observation search finds it, by category and by LOINC code.
    for query in ["category=laboratory", "code=http://loinc.org|4548-4"] {
        let r = get(
            &addr,
            &format!("/fhir/r4/Observation?patient={patient}&{query}"),
            &tok,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let ids: Vec<String> = r.json()["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"]["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, [format!("{filed}.0")], "{query}");
    }
    // The patient's whole record holds them too.
    let all = get(
        &addr,
        &format!("/fhir/r4/Patient/{patient}/$everything"),
        &tok,
    )
    .await;
    assert_eq!(all.status, 200, "{}", all.body);
    let ids: Vec<String> = all.json()["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["resource"]["resourceType"].as_str().unwrap(),
                e["resource"]["id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        ids.contains(&format!("DiagnosticReport/{filed}")),
        "{ids:?}"
    );
    assert!(ids.contains(&result), "{ids:?}");
    assert!(!ids.iter().any(|i| i.contains(&waiting.id)), "{ids:?}");
    // The waiting report and a made-up analyte are not found.
    for path in [
        format!("/fhir/r4/DiagnosticReport/{}", waiting.id),
        format!("/fhir/r4/Observation/{}.0", waiting.id),
        format!("/fhir/r4/Observation/{filed}.7"),
    ] {
        let r = get(&addr, &path, &tok).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert_eq!(r.json()["issue"][0]["code"], "not-found");
    }
    // Every read is audited against the patient, naming the client.
    let reads = client_audit(&w, &patient, &id).await;
    assert!(
        reads.contains(&format!("read laboratory report {filed}"))
            && reads.contains(&"read the patient's laboratory reports".to_string()),
        "{reads:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scope_is_required_and_another_practice_s_report_does_not_exist() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let patient = w.ours.patient_ids[0].clone();
    let filed = filed_lab_report(&w, &w.ours, "S1", 45.0).await;

    // Observations but not reports: the report is refused, its analyte
    // is readable as an Observation.
    let (id, secret) = client_of(&w, &w.ours, "system/Observation.rs").await;
    let tok = token(&addr, &id, &secret).await;
    let r = get(
        &addr,
        &format!("/fhir/r4/DiagnosticReport?patient={patient}"),
        &tok,
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.json()["issue"][0]["code"], "forbidden");
    let r = get(&addr, &format!("/fhir/r4/Observation/{filed}.0"), &tok).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Another practice's client, with every read scope: nothing.
    let (id, secret) = client_of(&w, &w.theirs, READER).await;
    let theirs = token(&addr, &id, &secret).await;
    for path in [
        format!("/fhir/r4/DiagnosticReport/{filed}"),
        format!("/fhir/r4/Observation/{filed}.0"),
    ] {
        let r = get(&addr, &path, &theirs).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    let r = get(
        &addr,
        &format!("/fhir/r4/DiagnosticReport?patient={patient}"),
        &theirs,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["total"], 0);
}
