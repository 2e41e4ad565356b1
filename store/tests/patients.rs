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
        assert!(
            hits.iter().any(|h| h.id == id),
            "{q} did not find her: {query:?}"
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
