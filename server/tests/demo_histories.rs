//! The demo practice's clinical histories: synthetic FHIR, loaded through
//! the importer (every entry accepted), believable for age and sex, the
//! same on every run, valid to both FHIR validators, and loading them again
//! changes nothing.

mod common;

use domain::clinical::ObservationKind;
use serde_json::Value;
use store::patients::PatientFilter;

#[tokio::test]
async fn demo_histories_arrive_through_the_importer_believably_and_only_once() {
    let store = store::Store::memory().await.unwrap();
    let practice = store
        .create_practice("Demo histories", false)
        .await
        .unwrap();
    let db = store.practice(&practice.id);
    store::demo::add_synthetic_patients(&db, 300, 11)
        .await
        .unwrap();

    let report = server::fhir::demo::load(&store, &practice.id, &|_, _| {})
        .await
        .unwrap();
    assert!(report.refusals.is_empty(), "{:?}", report.refusals);
    assert_eq!(
        report.tally.registered, 0,
        "the demo's own patients, found by NHS number"
    );
    assert!(report.tally.added_to > 150, "{:?}", report.tally);
    assert!(report.tally.observations > 1000, "{:?}", report.tally);

    let today = domain::time::london_today(chrono::Utc::now());
    let (_, patients) = db
        .filter_patients(&PatientFilter::default(), 0, 300)
        .await
        .unwrap();
    let ids: Vec<String> = patients.iter().map(|p| p.id.clone()).collect();
    let records = db.records_of(&ids).await.unwrap();
    let (mut older, mut hypertensive, mut diabetic, mut with_hba1c) = (0, 0, 0, 0);
    let mut consulted = 0;
    for (p, r) in patients.iter().zip(&records) {
        let age = domain::patient::birth_and_age(&p.date_of_birth, today);
        let born = chrono::NaiveDate::parse_from_str(&p.date_of_birth, "%Y-%m-%d").unwrap();
        let years = today.years_since(born).unwrap_or(0);
        let has = |code: &str| {
            r.items
                .iter()
                .any(|i| i.code.as_deref() == Some(code) && i.active)
        };
        if years >= 60 {
            older += 1;
            hypertensive += usize::from(has("38341003"));
        }
        if has("44054006") {
            diabetic += 1;
            with_hba1c += usize::from(
                r.observations
                    .iter()
                    .any(|o| o.kind == ObservationKind::Hba1c),
            );
            assert!(
                r.items.iter().any(|i| i.term.starts_with("Metformin")),
                "diabetes is treated ({age})"
            );
            // The visit it was diagnosed at, with its notes, and a review.
            let seen = |words: &str| r.consultations.iter().any(|c| c.history.contains(words));
            assert!(seen("HbA1c raised on two tests"), "{:?}", r.consultations);
            assert!(seen("Annual review"), "{:?}", r.consultations);
        }
        if years < 18 {
            assert!(r.observations.is_empty(), "no adult readings for a child");
        }
        consulted += usize::from(!r.consultations.is_empty());
        for c in &r.consultations {
            assert!(
                c.at.as_str() < today.to_string().as_str(),
                "in the past: {c:?}"
            );
            assert!(
                c.at.as_str() >= p.date_of_birth.as_str(),
                "after birth: {c:?}"
            );
            assert!(c.author.starts_with("Import of "), "{c:?}");
        }
        for o in &r.observations {
            let (lo, hi) = o.kind.range();
            assert!((lo..=hi).contains(&o.value), "{o:?}");
            assert!(
                o.at.as_str() <= format!("{today}T23:59:59Z").as_str(),
                "{o:?}"
            );
        }
    }
    assert!(
        consulted > 100,
        "{consulted} of 300 have past consultations"
    );
    let share = hypertensive as f64 / older.max(1) as f64;
    assert!(
        older > 30 && (0.2..0.6).contains(&share),
        "{hypertensive} of {older} aged 60 and over"
    );
    assert!(
        diabetic > 3 && with_hba1c == diabetic,
        "{with_hba1c} of {diabetic}"
    );

    // The same history every time; loading it again changes nothing.
    let a = server::fhir::demo::history(&patients[0], today);
    assert_eq!(a, server::fhir::demo::history(&patients[0], today));
    let again = server::fhir::demo::load(&store, &practice.id, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (
            again.tally.added_to,
            again.tally.items,
            again.tally.observations
        ),
        (0, 0, 0)
    );
    assert_eq!(again.tally.unchanged, report.tally.added_to);

    // Real FHIR: a sample of every kind passes both validators.
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for p in &patients {
        for r in server::fhir::demo::history(p, today) {
            let kind = r["resourceType"].as_str().unwrap_or_default().to_string();
            let n = kinds.entry(kind.clone()).or_default();
            if *n < 3 {
                *n += 1;
                let f = dir.path().join(format!("{kind}-{n}.json"));
                std::fs::write(&f, Value::to_string(&r)).unwrap();
                files.push(f);
            }
        }
    }
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    for (name, rows) in common::oracles::validate(&files) {
        for (file, ok, errors) in rows {
            assert!(ok, "{name} on {file}: {errors}");
        }
    }
}
