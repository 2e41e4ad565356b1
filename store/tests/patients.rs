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
    use store::patients::PatientQuery;
    let (store, p) = setup().await;
    let valid = form().validate(today()).unwrap();
    let id = p.db(&store).register_patient(&valid).await.unwrap();
    let record = p.db(&store).patient_record(&id).await.unwrap().unwrap();
    assert_eq!(record.display_name(), "Ms Grace ADEYEMI");
    assert_eq!(record.nhs_display(), "943 476 5919");
    assert_eq!(record.postcode, "RG1 4AB");
    // The same NHS number again: refused, naming who has it.
    let again = p.db(&store).register_patient(&valid).await.unwrap_err();
    // (The words are the service's: services/tests/patients.rs.)
    let store::patients::RegisterError::Duplicate { existing } = again else {
        panic!("expected a duplicate, got {again:?}")
    };
    assert_eq!(
        (existing.display_name(), existing.date_of_birth.as_str()),
        ("Ms Grace ADEYEMI".to_string(), "1990-05-12")
    );
    assert_eq!(existing.id, id);
    // Another practice may register the same person; neither sees the other's.
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, "2026-11-21")
        .await
        .unwrap();
    let theirs = other.db(&store).register_patient(&valid).await.unwrap();
    assert!(other
        .db(&store)
        .patient_record(&id)
        .await
        .unwrap()
        .is_none());
    assert!(p
        .db(&store)
        .patient_record(&theirs)
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
        let hits = p.db(&store).find_patients(&query, 20).await.unwrap();
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
    assert!(p
        .db(&store)
        .find_patients(&PatientQuery::parse("RG2").unwrap(), 20)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_edit_names_its_version_keeps_nhs_numbers_unique_and_stays_in_the_practice() {
    use store::patients::RegisterError;
    let (store, p) = setup().await;
    let reception = p.staff_id("reception").to_string();
    let id = p
        .db(&store)
        .register_patient(&form().validate(today()).unwrap())
        .await
        .unwrap();
    let before = p.db(&store).patient_record(&id).await.unwrap().unwrap();
    // The form filled from the record validates back to the same details.
    let mut changed = domain::patient::PatientForm::from_details(&before);
    assert_eq!(changed.date_of_birth, "12/05/1990");
    changed.address = "9 Orchard Way\nReading".into();
    changed.family_name = "Adeyemi-Cole".into();
    let saved = p
        .db(&store)
        .update_patient(
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
    use store::patients::PatientQuery;
    let by_name = |n: &str| PatientQuery::parse(n).unwrap();
    assert_eq!(
        p.db(&store)
            .find_patients(&by_name("Adeyemi-Cole"), 5)
            .await
            .unwrap()
            .len(),
        1
    );
    // A colleague who opened the old version is refused, told who saved first.
    let stale = p
        .db(&store)
        .update_patient(
            &id,
            before.version,
            &changed.validate(today()).unwrap(),
            &reception,
        )
        .await
        .unwrap_err();
    match stale {
        RegisterError::Stale { by, current, .. } => {
            assert_eq!(by.as_deref(), Some("Dee Patel"));
            assert_eq!(current.version, saved.version);
        }
        other => panic!("expected stale, got {other:?}"),
    }
    // Another patient's NHS number is refused, naming that record.
    let smith = p
        .db(&store)
        .patient_record(&p.patient_ids[0])
        .await
        .unwrap()
        .unwrap();
    let mut clash = changed.clone();
    clash.nhs_number = smith.nhs_number.clone();
    let err = p
        .db(&store)
        .update_patient(
            &id,
            saved.version,
            &clash.validate(today()).unwrap(),
            &reception,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, RegisterError::Duplicate { existing } if existing.display_name() == "Mr John SMITH"),
        "{err:?}"
    );
    // Another practice cannot edit.
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, "2026-11-21")
        .await
        .unwrap();
    assert!(matches!(
        other
            .db(&store)
            .update_patient(
                &id,
                saved.version,
                &changed.validate(today()).unwrap(),
                other.staff_id("reception")
            )
            .await,
        Err(RegisterError::NotFound)
    ));
    let now = p.db(&store).patient_record(&id).await.unwrap().unwrap();
    assert_eq!(
        now.version, saved.version,
        "nothing changed by the refusals"
    );
}
