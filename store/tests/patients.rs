//! The patient registry and the audit trail against a real (in-memory)
//! SurrealDB: registration and duplicates, search by postcode, an
//! append-only hash chain that verifies, and tampering that is found.

use store::fixtures::small_practice;
use store::staff::hash_password;
use store::Store;

async fn setup() -> (Store, store::fixtures::SmallPractice) {
    let store = Store::memory().await.unwrap();
    let hash = hash_password("a long test password").unwrap();
    let p = small_practice(&store, "Test Surgery", "", &hash, "2026-11-21")
        .await
        .unwrap();
    (store, p)
}

fn form() -> domain::patient::PatientForm {
    domain::patient::PatientForm {
        title: "Ms".into(),
        given_name: "Grace".into(),
        family_name: "Adeyemi".into(),
        date_of_birth: "12/05/1990".into(),
        sex: "female".into(),
        address: "4 Mill Lane\nReading".into(),
        postcode: "rg14ab".into(),
        nhs_number: "943 476 5919".into(),
        ..Default::default()
    }
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
}

#[tokio::test]
async fn a_patient_is_registered_once_per_practice_and_found_every_way() {
    use store::book::PatientQuery;
    let (store, p) = setup().await;
    let valid = form().validate(today()).unwrap();
    let id = store
        .register_patient(&p.practice_id, &valid)
        .await
        .unwrap();
    let record = store
        .patient_record(&p.practice_id, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.display_name(), "Ms Grace ADEYEMI");
    assert_eq!(record.nhs_display(), "943 476 5919");
    assert_eq!(record.postcode, "RG1 4AB");
    // The same NHS number again: refused, naming who has it.
    let again = store
        .register_patient(&p.practice_id, &valid)
        .await
        .unwrap_err();
    assert_eq!(
        again.to_string(),
        "NHS number 943 476 5919 is already registered to Ms Grace ADEYEMI (born 1990-05-12)."
    );
    // Another practice may register the same person; neither sees the other's.
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, "2026-11-21")
        .await
        .unwrap();
    let theirs = store
        .register_patient(&other.practice_id, &valid)
        .await
        .unwrap();
    assert!(store
        .patient_record(&other.practice_id, &id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .patient_record(&p.practice_id, &theirs)
        .await
        .unwrap()
        .is_none());
    // Found by NHS number (spaced or not), name, date of birth in UK forms, postcode.
    for q in [
        "9434765919",
        "943 476 5919",
        "adeyemi",
        "Adeyemi, Grace",
        "12/05/1990",
        "12 May 1990",
        "RG1 4AB",
        "rg14ab",
        "RG1",
    ] {
        let query = PatientQuery::parse(q).unwrap();
        let hits = store
            .find_patients(&p.practice_id, &query, 20)
            .await
            .unwrap();
        let her = hits.iter().find(|h| h.id == id);
        assert!(her.is_some(), "{q} did not find her: {query:?}");
        // Each hit carries the banner facts the results table shows.
        assert_eq!(
            her.map(|h| (h.address_lines.join(", "), h.postcode.as_str())),
            Some(("4 Mill Lane, Reading".to_string(), "RG1 4AB")),
            "{q}"
        );
        assert!(
            hits.iter().all(|h| h.id != theirs),
            "{q} found another practice's patient"
        );
    }
    assert!(store
        .find_patients(&p.practice_id, &PatientQuery::parse("RG2").unwrap(), 20)
        .await
        .unwrap()
        .is_empty());
    // A usual GP must be a GP of the practice.
    let mut with_gp = valid.clone();
    with_gp.nhs_number = domain::NhsNumber::parse("401 023 2137").unwrap();
    with_gp.usual_gp = Some(p.staff_id("nurse").to_string());
    assert!(matches!(
        store
            .register_patient(&p.practice_id, &with_gp)
            .await
            .unwrap_err(),
        store::patients::RegisterError::Field("usual_gp", _)
    ));
}

#[tokio::test]
async fn an_edit_names_its_version_keeps_nhs_numbers_unique_and_stays_in_the_practice() {
    use store::patients::RegisterError;
    let (store, p) = setup().await;
    let reception = p.staff_id("reception").to_string();
    let id = store
        .register_patient(&p.practice_id, &form().validate(today()).unwrap())
        .await
        .unwrap();
    let before = store
        .patient_record(&p.practice_id, &id)
        .await
        .unwrap()
        .unwrap();
    // The form filled from the record validates back to the same details.
    let mut changed = domain::patient::PatientForm::from_details(&before);
    assert_eq!(changed.date_of_birth, "12/05/1990");
    changed.address = "9 Orchard Way\nReading".into();
    changed.family_name = "Adeyemi-Cole".into();
    let saved = store
        .update_patient(
            &p.practice_id,
            &id,
            before.version,
            &changed.validate(today()).unwrap(),
            &reception,
        )
        .await
        .unwrap();
    assert_eq!(saved.version, before.version + 1);
    assert_eq!(saved.address_lines, ["9 Orchard Way", "Reading"]);
    assert_eq!(saved.display_name(), "Ms Grace ADEYEMI-COLE");
    // The name-order table follows the edit: found by the new name only.
    use store::book::PatientQuery;
    let by_name = |n: &str| PatientQuery::parse(n).unwrap();
    assert_eq!(
        store
            .find_patients(&p.practice_id, &by_name("Adeyemi-Cole"), 5)
            .await
            .unwrap()
            .len(),
        1
    );
    // A colleague who opened the old version is refused, told who saved first.
    let stale = store
        .update_patient(
            &p.practice_id,
            &id,
            before.version,
            &changed.validate(today()).unwrap(),
            &reception,
        )
        .await
        .unwrap_err();
    match stale {
        RegisterError::Stale { by, current, .. } => {
            assert_eq!(by, "Dee Patel");
            assert_eq!(current.version, saved.version);
        }
        other => panic!("expected stale, got {other:?}"),
    }
    // Another patient's NHS number is refused, naming that record.
    let smith = store
        .patient_record(&p.practice_id, &p.patient_ids[0])
        .await
        .unwrap()
        .unwrap();
    let mut clash = changed.clone();
    clash.nhs_number = smith.nhs_number.clone();
    let err = store
        .update_patient(
            &p.practice_id,
            &id,
            saved.version,
            &clash.validate(today()).unwrap(),
            &reception,
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("is already registered to Mr John SMITH"),
        "{err}"
    );
    // Another practice cannot edit.
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, "2026-11-21")
        .await
        .unwrap();
    assert!(matches!(
        store
            .update_patient(
                &other.practice_id,
                &id,
                saved.version,
                &changed.validate(today()).unwrap(),
                other.staff_id("reception")
            )
            .await,
        Err(RegisterError::NotFound)
    ));
    let now = store
        .patient_record(&p.practice_id, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        now.version, saved.version,
        "nothing changed by the refusals"
    );
}
