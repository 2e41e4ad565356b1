//! `openpractice export fhir`: every patient of one practice, with their
//! whole record, as Bulk Data NDJSON (one file per resource type); nothing
//! of another practice; never over an earlier export; audited; every line
//! passes both FHIR validators. Filed laboratory reports and letters go
//! with it (a letter's PDF as its Binary); one not yet filed does not;
//! imported elsewhere they never become the record's readings.

mod common;

use base64::Engine;
use common::fhir::clinical_record;
use common::{filed_lab_report, filed_letter, lab_actor, lab_report, oracles, world};
use serde_json::Value;
use std::collections::BTreeMap;

fn lines(dir: &std::path::Path) -> BTreeMap<String, Vec<Value>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let kind = path.file_stem().unwrap().to_string_lossy().to_string();
        assert_eq!(path.extension().unwrap(), "ndjson");
        let rows: Vec<Value> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(
            rows.iter().all(|r| r["resourceType"] == kind.as_str()),
            "{kind}"
        );
        out.insert(kind, rows);
    }
    out
}

#[tokio::test]
async fn a_practice_exports_every_patients_record_and_nothing_of_another() {
    let w = world().await;
    let patient = w.ours.patient_ids[2].clone();
    clinical_record(&w, &patient, &[("weight", "64.2"), ("height", "170")]).await;
    let report = filed_lab_report(&w, &w.ours, "exported", 53.0).await;
    let letter = filed_letter(&w, &w.ours, "Seen in the arrhythmia clinic.").await;
    let unfiled = services::results::receive(
        &w.store,
        &lab_actor(&w.ours),
        &lab_report("waiting", 40.0, None, "1961-04-03"),
    )
    .await
    .unwrap()
    .id;

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let progress = std::sync::Mutex::new(Vec::new());
    let written =
        server::fhir::export::export(&w.store, &w.ours.practice_id, &out, &|done, total| {
            progress.lock().unwrap().push((done, total));
        })
        .await
        .unwrap();
    assert_eq!(written.patients, 4);
    assert_eq!(progress.into_inner().unwrap().last(), Some(&(4, 4)));
    let files = lines(&out);
    let count = |k: &str| files.get(k).map_or(0, Vec::len);
    assert_eq!(count("Patient"), 4);
    assert_eq!(count("Condition"), 2, "a problem, and the letter's AF");
    assert_eq!(count("AllergyIntolerance"), 1);
    assert_eq!(count("MedicationStatement"), 1);
    assert_eq!(count("Encounter"), 1);
    assert_eq!(
        count("Observation"),
        4,
        "weight, height, the BMI worked out from them, and the report's HbA1c"
    );
    // The filed report and its analyte; never the one still waiting.
    assert_eq!(count("DiagnosticReport"), 1);
    assert_eq!(files["DiagnosticReport"][0]["id"], report.as_str());
    let hba1c = files["Observation"]
        .iter()
        .find(|o| o["category"][0]["coding"][0]["code"] == "laboratory")
        .unwrap();
    assert_eq!(hba1c["valueQuantity"]["value"], 53.0);
    assert_eq!(hba1c["interpretation"][0]["coding"][0]["code"], "H");
    let everything: String = files.values().flatten().map(Value::to_string).collect();
    assert!(
        !everything.contains(unfiled.as_str()),
        "an unfiled report stays"
    );
    // The letter, and its PDF as the Binary it names (relative to the export).
    assert_eq!(count("DocumentReference"), 1);
    let doc = &files["DocumentReference"][0];
    assert_eq!(doc["id"], letter.as_str());
    assert_eq!(
        doc["content"][0]["attachment"]["url"],
        format!("Binary/{letter}").as_str()
    );
    assert_eq!(count("Binary"), 1);
    let binary = &files["Binary"][0];
    assert_eq!(binary["id"], letter.as_str());
    assert_eq!(binary["contentType"], "application/pdf");
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(binary["data"].as_str().unwrap())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        String::from_utf8_lossy(&pdf).contains("arrhythmia clinic"),
        "the letter's own PDF"
    );
    assert_eq!(count("Appointment"), 4, "one booked per fixture patient");
    let ours: Vec<&str> = files["Patient"]
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    for id in &w.theirs.patient_ids {
        assert!(!ours.contains(&id.as_str()));
    }
    let everything: String = files.values().flatten().map(Value::to_string).collect();
    for id in &w.theirs.patient_ids {
        assert!(
            !everything.contains(id.as_str()),
            "nothing of another practice"
        );
    }
    // Never over an earlier export.
    let again = server::fhir::export::export(&w.store, &w.ours.practice_id, &out, &|_, _| {}).await;
    assert!(again.unwrap_err().to_string().contains("already exists"));
    assert_eq!(
        lines(&out).get("Patient").map(Vec::len),
        Some(4),
        "the first export is intact"
    );
    // Audited as the operator's run.
    let rows = w
        .ours
        .db(&w.store)
        .audit_rows(&Default::default(), 20)
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert!(
        actions.iter().any(|a| a.starts_with("started an export")),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("exported 4 patients' records")),
        "{actions:?}"
    );
    // Every line is valid FHIR, by both validators.
    let mut one_per_file = Vec::new();
    for (n, r) in files.values().flatten().enumerate() {
        let f = dir.path().join(format!("{n:03}.json"));
        std::fs::write(&f, r.to_string()).unwrap();
        one_per_file.push(f);
    }
    for (name, rows) in oracles::validate(&one_per_file) {
        for (file, ok, errors) in rows {
            assert!(ok, "{name} on {file}: {errors}");
        }
    }
}

/// An export carries filed laboratory reports and letters; imported, they
/// become nothing of the new record: a report's analyte is never taken as
/// one of the record's readings (a result shown that nobody filed), and
/// the operator is told what was left and why.
#[tokio::test]
async fn laboratory_reports_and_letters_in_an_export_are_not_taken_as_readings() {
    let w = world().await;
    filed_lab_report(&w, &w.ours, "moving", 53.0).await;
    filed_letter(&w, &w.ours, "Seen in clinic.").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    server::fhir::export::export(&w.store, &w.ours.practice_id, &out, &|_, _| {})
        .await
        .unwrap();
    let moving_in = w
        .store
        .create_practice("Moving In Surgery", false)
        .await
        .unwrap();
    let report = server::fhir::import::import(&w.store, &moving_in.id, &out, &|_, _| {})
        .await
        .unwrap();
    assert!(report.refusals.is_empty(), "{:?}", report.refusals);
    assert_eq!(report.tally.registered, 4);
    assert_eq!(report.tally.observations, 0, "no reading from a report");
    for kind in [
        "DiagnosticReport",
        server::fhir::import::LAB_OBSERVATION,
        "DocumentReference",
        "Binary",
    ] {
        assert_eq!(report.not_imported.get(kind), Some(&1), "{kind}");
        assert!(
            server::fhir::import::why_not_imported(kind).contains("laboratory reports and letters")
        );
    }
    let db = w.store.practice(&moving_in.id);
    let (_, patients) = db
        .filter_patients(&Default::default(), 0, 10)
        .await
        .unwrap();
    let ids: Vec<String> = patients.iter().map(|p| p.id.clone()).collect();
    let records = db.records_of(&ids).await.unwrap();
    assert!(records.iter().all(|r| r.observations.is_empty()));
    assert!(
        db.unfiled_before(chrono::Utc::now() + chrono::Duration::days(1), 1)
            .await
            .unwrap()
            .is_empty(),
        "nor in the inbox"
    );
}
