//! Filed letters through the FHIR API: a filed letter reads as a
//! DocumentReference (searched by patient and date, read by id with its
//! ETag) whose attachment names its PDF as a Binary; a letter not yet
//! filed is not shared, nor the clinician's summary; a letter is never a
//! DiagnosticReport; each scope is required; another practice's letter
//! does not exist; `$everything` holds it; every read is audited.

mod common;

use base64::Engine;
use common::fhir::{client_audit, client_of, get, token};
use common::*;
use serde_json::json;

const READER: &str =
    "system/Patient.rs system/DocumentReference.rs system/Binary.r system/DiagnosticReport.rs";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filed_letter_reads_as_a_document_reference_with_its_pdf_as_a_binary() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let patient = w.ours.patient_ids[0].clone();
    let filed = filed_letter(&w, &w.ours, "Seen in the arrhythmia clinic.").await;
    let waiting = uploaded_letter(&w, &w.ours, "Not yet read by the GP.").await;

    let (id, secret) = client_of(&w, &w.ours, READER).await;
    let tok = token(&addr, &id, &secret).await;
    let found = get(
        &addr,
        &format!("/fhir/r4/DocumentReference?patient=Patient/{patient}"),
        &tok,
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let bundle = found.json();
    assert_eq!(bundle["total"], 1, "only the filed letter: {bundle}");
    let doc = &bundle["entry"][0]["resource"];
    assert_eq!(doc["id"], json!(filed));
    assert_eq!(doc["status"], "current");
    assert_eq!(doc["type"]["text"], "Clinic letter");
    assert_eq!(
        doc["author"][0]["display"],
        "Riverside Hospital, Cardiology"
    );
    assert_eq!(
        doc["subject"]["reference"],
        json!(format!("Patient/{patient}"))
    );
    // The PDF is the Binary of the same id, at the API's own base (the
    // address the entry's fullUrl has).
    let url = doc["content"][0]["attachment"]["url"].as_str().unwrap();
    let full_url = bundle["entry"][0]["fullUrl"].as_str().unwrap();
    let base = full_url
        .strip_suffix(&format!("/DocumentReference/{filed}"))
        .unwrap();
    assert_eq!(url, format!("{base}/Binary/{filed}"));
    assert!(
        !found.body.contains("apixaban started"),
        "the clinician's summary stays"
    );
    // By date.
    for (date, total) in [("ge2026-11-18", 1), ("lt2026-11-18", 0)] {
        let r = get(
            &addr,
            &format!("/fhir/r4/DocumentReference?patient={patient}&date={date}"),
            &tok,
        )
        .await;
        assert_eq!(r.json()["total"], total, "{date}: {}", r.body);
    }

    // Read with its version; the waiting one does not exist yet.
    let read = get(&addr, &format!("/fhir/r4/DocumentReference/{filed}"), &tok).await;
    assert_eq!(read.status, 200, "{}", read.body);
    let version = read.json()["meta"]["versionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        read.header("etag"),
        Some(format!("W/\"{version}\"").as_str())
    );
    let unfiled = get(
        &addr,
        &format!("/fhir/r4/DocumentReference/{waiting}"),
        &tok,
    )
    .await;
    assert_eq!(unfiled.status, 404, "{}", unfiled.body);
    let binary_unfiled = get(&addr, &format!("/fhir/r4/Binary/{waiting}"), &tok).await;
    assert_eq!(binary_unfiled.status, 404);

    // The PDF itself.
    let binary = get(&addr, &format!("/fhir/r4/Binary/{filed}"), &tok).await;
    assert_eq!(binary.status, 200, "{}", binary.body);
    let b = binary.json();
    assert_eq!(b["contentType"], "application/pdf");
    assert_eq!(
        b["securityContext"]["reference"],
        json!(format!("DocumentReference/{filed}"))
    );
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(b["data"].as_str().unwrap())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&pdf).contains("arrhythmia clinic"));

    // A letter is not a laboratory report.
    let reports = get(
        &addr,
        &format!("/fhir/r4/DiagnosticReport?patient={patient}"),
        &tok,
    )
    .await;
    assert_eq!(reports.json()["total"], 0, "{}", reports.body);
    let as_report = get(&addr, &format!("/fhir/r4/DiagnosticReport/{filed}"), &tok).await;
    assert_eq!(as_report.status, 404);

    // In $everything.
    let all = get(
        &addr,
        &format!("/fhir/r4/Patient/{patient}/$everything"),
        &tok,
    )
    .await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert!(all.json()["entry"].as_array().unwrap().iter().any(|e| {
        e["resource"]["resourceType"] == "DocumentReference" && e["resource"]["id"] == json!(filed)
    }));

    // Audited against the patient, naming the client.
    let reads = client_audit(&w, &patient, &id).await;
    assert!(reads.contains(&format!("read letter {filed}")), "{reads:?}");
    assert!(
        reads.contains(&"read the patient's letters".to_string()),
        "{reads:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_scope_is_required_and_another_practice_finds_nothing() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let filed = filed_letter(&w, &w.ours, "Seen.").await;
    // The document but not its content.
    let (id, secret) = client_of(&w, &w.ours, "system/DocumentReference.rs").await;
    let tok = token(&addr, &id, &secret).await;
    let doc = get(&addr, &format!("/fhir/r4/DocumentReference/{filed}"), &tok).await;
    assert_eq!(doc.status, 200, "{}", doc.body);
    let pdf = get(&addr, &format!("/fhir/r4/Binary/{filed}"), &tok).await;
    assert_eq!(pdf.status, 403, "{}", pdf.body);
    // Another practice's client: no such letter.
    let (id, secret) = client_of(&w, &w.theirs, READER).await;
    let theirs = token(&addr, &id, &secret).await;
    for path in [
        format!("/fhir/r4/DocumentReference/{filed}"),
        format!("/fhir/r4/Binary/{filed}"),
    ] {
        let r = get(&addr, &path, &theirs).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
}
