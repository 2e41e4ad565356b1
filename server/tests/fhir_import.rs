//! `openpractice import fhir`: a practice's export imported into an empty
//! practice gives the same record; importing it again changes nothing; a
//! bad entry is reported by its position and nothing of that patient is
//! written; an NHS number registered to someone else is never merged.

mod common;

use common::fhir::clinical_record;
use common::{world, World};
use serde_json::{json, Value};
use server::fhir::import::{import, Report};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

const TAKEN: [&str; 6] = [
    "Patient",
    "Condition",
    "AllergyIntolerance",
    "MedicationStatement",
    "Observation",
    "Encounter",
];

async fn export(w: &World, practice: &domain::PracticeId, out: &Path) {
    server::fhir::export::export(&w.store, practice, out, &|_, _| {})
        .await
        .unwrap();
}

/// What an export says about each patient's record, by NHS number: every
/// imported type, without our ids, versions or the usual GP (staff differ
/// between practices).
fn content(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let read = |kind: &str| -> Vec<Value> {
        std::fs::read_to_string(dir.join(format!("{kind}.ndjson")))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let nhs: HashMap<String, String> = read("Patient")
        .iter()
        .map(|p| {
            (
                format!("Patient/{}", p["id"].as_str().unwrap()),
                p["identifier"][0]["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for kind in TAKEN {
        for mut r in read(kind) {
            let obj = r.as_object_mut().unwrap();
            obj.remove("id");
            obj.remove("meta");
            obj.remove("generalPractitioner");
            obj.remove("participant");
            let owner = match kind {
                "Patient" => obj["identifier"][0]["value"].as_str().unwrap().to_string(),
                _ => {
                    let field = if kind == "AllergyIntolerance" {
                        "patient"
                    } else {
                        "subject"
                    };
                    let reference = obj.remove(field).unwrap();
                    nhs[reference["reference"].as_str().unwrap()].clone()
                }
            };
            out.entry(owner).or_default().push(r.to_string());
        }
    }
    for rows in out.values_mut() {
        rows.sort();
    }
    out
}

/// The NHS number of our practice's `n`th patient.
async fn nhs_of(w: &World, n: usize) -> String {
    let p = w
        .ours
        .db(&w.store)
        .patient_brief(&w.ours.patient_ids[n])
        .await
        .unwrap()
        .unwrap();
    p.nhs_number
}

async fn run(w: &World, practice: &domain::PracticeId, source: &Path) -> Report {
    import(&w.store, practice, source, &|_, _| {})
        .await
        .unwrap()
}

#[tokio::test]
async fn an_export_imported_into_an_empty_practice_is_the_same_record_and_again_changes_nothing() {
    let w = world().await;
    clinical_record(
        &w,
        &w.ours.patient_ids[0],
        &[
            ("systolic", "142"),
            ("diastolic", "88"),
            ("weight", "81.5"),
            ("height", "178"),
        ],
    )
    .await;
    clinical_record(&w, &w.ours.patient_ids[3], &[("pulse", "72")]).await;
    let dir = tempfile::tempdir().unwrap();
    let (first, second, third) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    export(&w, &w.ours.practice_id, &first).await;

    let moving_in = w
        .store
        .create_practice("Moving In Surgery", false)
        .await
        .unwrap();
    // Read in chunks of 3 patients (a pass over the files for each), as a
    // large practice's import is.
    let report =
        server::fhir::import::import_in_chunks(&w.store, &moving_in.id, &first, 3, &|_, _| {})
            .await
            .unwrap();
    assert!(report.refusals.is_empty(), "{:?}", report.refusals);
    assert_eq!(report.tally.registered, 4);
    assert_eq!(report.tally.refused, 0);
    assert_eq!(
        report.tally.items, 8,
        "a problem, an allergy, a medication and a consultation each, twice"
    );
    assert_eq!(
        report.tally.observations, 6,
        "4 readings and a BMI, then a pulse"
    );
    assert_eq!(report.not_imported.get("Encounter"), None);
    assert_eq!(report.not_imported.get("Appointment"), Some(&4));

    export(&w, &moving_in.id, &second).await;
    let (before, after) = (content(&first), content(&second));
    assert_eq!(before.len(), 4);
    let notes = &before[&nhs_of(&w, 0).await];
    assert!(
        notes
            .iter()
            .any(|r| r.contains("History: Review of blood pressure.")),
        "the consultation's notes travel with it: {notes:?}"
    );
    assert_eq!(before, after, "the same record, field for field");

    // Again: every patient found by NHS number with every entry; nothing written.
    let again = run(&w, &moving_in.id, &first).await;
    assert!(again.refusals.is_empty(), "{:?}", again.refusals);
    assert_eq!(
        (
            again.tally.registered,
            again.tally.unchanged,
            again.tally.items,
            again.tally.observations
        ),
        (0, 4, 0, 0)
    );
    // A practice's own export imported back finds every entry (by our ids).
    for (practice, source) in [(&moving_in.id, &second), (&w.ours.practice_id, &first)] {
        let own = run(&w, practice, source).await;
        assert!(own.refusals.is_empty(), "{:?}", own.refusals);
        assert_eq!(
            (own.tally.unchanged, own.tally.items, own.tally.observations),
            (4, 0, 0)
        );
    }
    export(&w, &moving_in.id, &third).await;
    assert_eq!(content(&third), after);

    // Each entry's history says where it came from; the run is audited.
    let db = w.store.practice(&moving_in.id);
    let (_, patients) = db
        .filter_patients(&Default::default(), 0, 10)
        .await
        .unwrap();
    let ids: Vec<String> = patients.iter().map(|p| p.id.clone()).collect();
    let items: Vec<_> = db
        .records_of(&ids)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|r| r.items)
        .collect();
    assert_eq!(items.len(), 6);
    for i in &items {
        assert_eq!(i.history.len(), 1);
        assert_eq!(i.history[0].what, "Imported from a");
        assert!(
            i.history[0].by.starts_with("Import of "),
            "{:?}",
            i.history[0]
        );
    }
    let rows = db.audit_rows(&Default::default(), 20).await.unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("imported records from a: 4 patients registered")),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a.starts_with(
            "imported records from a: 0 patients registered, 0 added to, 4 unchanged"
        )),
        "{actions:?}"
    );
}

fn patient(id: &str, nhs: &str, family: &str, birth: Option<&str>) -> Value {
    let mut p = json!({
        "resourceType": "Patient", "id": id,
        "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs }],
        "name": [{ "use": "official", "family": family, "given": ["Sam"] }],
        "gender": "female",
        "address": [{ "line": ["1 Mill Lane"], "postalCode": "RV1 2AB" }]
    });
    if let Some(b) = birth {
        p["birthDate"] = json!(b);
    }
    p
}

fn weight(patient: &str, system: &str, value: f64) -> Value {
    json!({
        "resourceType": "Observation", "id": format!("w-{patient}-{value}"), "status": "final",
        "code": { "coding": [{ "system": system, "code": "29463-7" }] },
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": "2024-03-01T10:00:00Z",
        "valueQuantity": { "value": value, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg" }
    })
}

fn problem(patient: &str, onset: Option<&str>) -> Value {
    let mut c = json!({
        "resourceType": "Condition", "id": format!("c-{patient}"),
        "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" }] },
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension" }] },
        "subject": { "reference": format!("Patient/{patient}") }
    });
    if let Some(o) = onset {
        c["onsetDateTime"] = json!(o);
    }
    c
}

#[tokio::test]
async fn bad_entries_are_reported_by_position_and_nothing_of_their_patient_is_written() {
    let w = world().await;
    let practice = w
        .store
        .create_practice("Moving In Surgery", false)
        .await
        .unwrap();
    let db = w.store.practice(&practice.id);
    // Someone already registered here, whose NHS number the file gives to another.
    let registered = "9434765919";
    let first = run_bundle(
        &w,
        &practice.id,
        vec![patient("x", registered, "Okafor", Some("1970-01-01"))],
    )
    .await;
    assert_eq!(first.tally.registered, 1);

    let entries = vec![
        patient("good", "9434765870", "Adams", Some("1980-05-06")), // entry 1
        problem("good", Some("2019-01-01")),                        // 2
        weight("good", "http://loinc.org", 70.0),                   // 3
        patient("badnhs", "9434765871", "Brown", Some("1981-01-01")), // 4: check digit
        problem("badnhs", Some("2019-01-01")),                      // 5
        patient("badobs", "9434765862", "Clark", Some("1982-01-01")), // 6
        problem("badobs", None),                                    // 7: no onset
        weight("badobs", "http://example.org/codes", 70.0),         // 8: unknown system
        weight("badobs", "http://loinc.org", 7000.0),               // 9: unbelievable
        patient("nobirth", "9434765854", "Davis", None),            // 10
        weight("nobody", "http://loinc.org", 70.0),                 // 11: no such patient
        patient("other", registered, "Evans", Some("1990-02-02")),  // 12: someone else's number
        json!({ "resourceType": "Encounter", "id": "e1", "status": "finished",
                "subject": { "reference": "Patient/badobs" } }), // 13: no period
        json!({ "resourceType": "Immunization", "id": "i1" }),      // 14
    ];
    let report = run_bundle(&w, &practice.id, entries).await;
    let refusals = report.refusals.join("\n");
    for expected in [
        "bundle.json entry 4: identifier: ",
        "bundle.json entry 4: this patient was not imported",
        "bundle.json entry 7: onsetDateTime: missing",
        "bundle.json entry 8: code: no LOINC or SNOMED CT coding",
        "bundle.json entry 9: valueQuantity.value: Weight must be between",
        "bundle.json entry 13: period.start: missing",
        "bundle.json entry 6: this patient was not imported (4 of their entries refused)",
        "bundle.json entry 10: birthDate: missing",
        "bundle.json entry 11: its patient is not in this import",
        "bundle.json entry 12: the NHS number is registered here to a patient with a different birth date",
    ] {
        assert!(refusals.contains(expected), "{expected:?} not in\n{refusals}");
    }
    assert!(
        !refusals.contains("Brown") && !refusals.contains("Clark"),
        "no names in refusals:\n{refusals}"
    );
    assert_eq!(report.tally.registered, 1, "only the good patient");
    assert_eq!(report.tally.refused, 4);
    assert_eq!(report.not_imported.get("Immunization"), Some(&1));

    let (total, patients) = db
        .filter_patients(&Default::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(
        total, 2,
        "the one already here and the good one: nothing half-written"
    );
    let okafor = patients.iter().find(|p| p.family_name == "Okafor").unwrap();
    assert_eq!(
        okafor.date_of_birth, "1970-01-01",
        "never merged with the file's patient"
    );
    let good = patients.iter().find(|p| p.family_name == "Adams").unwrap();
    let parts = db.records_of(std::slice::from_ref(&good.id)).await.unwrap();
    assert_eq!(parts[0].items.len(), 1);
    assert_eq!(parts[0].items[0].term, "Hypertension");
    assert_eq!(parts[0].observations.len(), 1);
    assert_eq!(parts[0].observations[0].value, 70.0);
    let none = db
        .records_of(std::slice::from_ref(&okafor.id))
        .await
        .unwrap();
    assert!(none[0].items.is_empty() && none[0].observations.is_empty());
}

/// New entries for a patient already here are added (a later file), and
/// the ones already imported are not duplicated.
#[tokio::test]
async fn a_later_file_adds_only_what_is_new() {
    let w = world().await;
    let practice = w
        .store
        .create_practice("Moving In Surgery", false)
        .await
        .unwrap();
    let p = patient("p1", "9434765870", "Adams", Some("1980-05-06"));
    let one = run_bundle(
        &w,
        &practice.id,
        vec![p.clone(), weight("p1", "http://loinc.org", 70.0)],
    )
    .await;
    assert_eq!((one.tally.registered, one.tally.observations), (1, 1));
    let two = run_bundle(
        &w,
        &practice.id,
        vec![
            p,
            weight("p1", "http://loinc.org", 70.0),
            weight("p1", "http://loinc.org", 71.0),
        ],
    )
    .await;
    assert!(two.refusals.is_empty(), "{:?}", two.refusals);
    assert_eq!((two.tally.added_to, two.tally.observations), (1, 1));
    let db = w.store.practice(&practice.id);
    let (_, patients) = db
        .filter_patients(&Default::default(), 0, 10)
        .await
        .unwrap();
    let parts = db.records_of(&[patients[0].id.clone()]).await.unwrap();
    let mut values: Vec<f64> = parts[0].observations.iter().map(|o| o.value).collect();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, vec![70.0, 71.0]);
}

async fn run_bundle(w: &World, practice: &domain::PracticeId, resources: Vec<Value>) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.json");
    let bundle = json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": resources.into_iter().map(|r| json!({ "resource": r })).collect::<Vec<_>>()
    });
    std::fs::write(&path, bundle.to_string()).unwrap();
    run(w, practice, &path).await
}
