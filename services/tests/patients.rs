//! Patients through the patients service: duplicates named in words, the
//! usual GP a GP of the practice, the role × data policy on registering
//! and editing, and every view audited, refusals included.

mod common;

use common::{actor, field, world};
use domain::patient::PatientForm;
use domain::{PatientId, Version};
use services::patients;
use services::ServiceError;

fn form() -> PatientForm {
    PatientForm {
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

#[tokio::test]
async fn a_duplicate_is_named_and_a_usual_gp_must_be_a_gp_of_the_practice() {
    let w = world().await;
    let reception = actor(&w.ours, "reception");
    let id = patients::register(&w.store, &reception, &form())
        .await
        .unwrap();
    let again = patients::register(&w.store, &reception, &form())
        .await
        .unwrap_err();
    assert_eq!(
        again.to_string(),
        "NHS number 943 476 5919 is already registered to Ms Grace ADEYEMI (born 1990-05-12)."
    );
    assert_eq!(field(&again).as_deref(), Some("nhs_number"));
    // A usual GP must be a GP of the practice.
    let mut with_gp = form();
    with_gp.nhs_number = "401 023 2137".into();
    with_gp.usual_gp = w.ours.staff_id("nurse").to_string();
    let e = patients::register(&w.store, &reception, &with_gp)
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("usual_gp"));
    with_gp.usual_gp = w.theirs.staff_id("gp").to_string();
    let e = patients::register(&w.store, &reception, &with_gp)
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("usual_gp"));

    // Editing to another patient's NHS number names that record.
    let page = patients::page(&w.store, &reception, &id).await.unwrap();
    let mut clash = PatientForm::from_details(&page.patient);
    clash.nhs_number = "999 000 0018".into();
    let e = patients::edit(
        &w.store,
        &reception,
        &id,
        Version(page.patient.version),
        &clash,
    )
    .await
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("is already registered to Mr John SMITH"),
        "{e}"
    );
    // A stale edit is refused naming who saved first.
    let mut changed = PatientForm::from_details(&page.patient);
    changed.family_name = "Adeyemi-Cole".into();
    patients::edit(
        &w.store,
        &reception,
        &id,
        Version(page.patient.version),
        &changed,
    )
    .await
    .unwrap();
    let stale = patients::edit(
        &w.store,
        &reception,
        &id,
        Version(page.patient.version),
        &changed,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&stale, ServiceError::Conflict { message, current: Some(domain::Current::Patient(p)) }
            if message.starts_with("Changed by Dee Patel at ") && p.family_name == "Adeyemi-Cole"),
        "{stale:?}"
    );
}

/// Each role registers, views and edits a patient; what happens and what
/// the audit trail says follows `domain::policy`, without HTTP.
#[tokio::test]
async fn registering_viewing_and_editing_follow_the_policy_and_are_audited() {
    let w = world().await;
    let smith = PatientId::new(w.ours.patient_ids[0].as_str());
    for username in ["reception", "gp", "nurse", "admin"] {
        let who = actor(&w.ours, username);
        let mut f = form();
        f.nhs_number = "401 023 2137".into();
        let registered = patients::register(&w.store, &who, &f).await;
        assert_eq!(
            registered.is_ok(),
            username == "reception",
            "{username} registering"
        );
        if username != "reception" {
            assert!(matches!(registered, Err(ServiceError::Forbidden)));
        }
        // Everyone with demographics may view; each view is audited.
        let page = patients::page(&w.store, &who, &smith).await.unwrap();
        assert_eq!(page.patient.family_name, "Smith");
        assert_eq!(page.accesses.is_some(), username == "admin");
        assert_eq!(
            page.summary.consultations.is_some(),
            who.role().is_some_and(domain::Role::is_clinician)
        );
        assert_eq!(
            page.summary.allergies.is_some(),
            username != "admin",
            "{username} sees allergy alerts"
        );
        let edited = patients::edit(
            &w.store,
            &who,
            &smith,
            Version(page.patient.version),
            &PatientForm::from_details(&page.patient),
        )
        .await;
        assert_eq!(
            edited.is_ok(),
            username == "reception",
            "{username} editing"
        );
    }
    // Another practice's patient does not exist for them, and the refusal
    // is audited without linking the patient.
    let intruder = actor(&w.theirs, "gp");
    assert!(matches!(
        patients::page(&w.store, &intruder, &smith).await,
        Err(ServiceError::NotFound)
    ));
    let rows = w
        .theirs
        .db(&w.store)
        .audit_rows(&Default::default(), 10)
        .await
        .unwrap();
    assert_eq!(rows[0].outcome, "refused");
    assert_eq!(rows[0].patient, None);
    assert!(rows[0].action.starts_with("tried to view the record "));
    // Our trail: a view by each of four roles, registration, one edit.
    let ours = w
        .ours
        .db(&w.store)
        .audit_rows(&Default::default(), 100)
        .await
        .unwrap();
    let views = ours
        .iter()
        .filter(|r| r.action == "viewed the record")
        .count();
    assert_eq!(views, 4);
    assert_eq!(
        ours.iter()
            .filter(|r| r.action == "tried to register a patient")
            .count(),
        3
    );
    assert_eq!(
        ours.iter()
            .filter(|r| r.action == "edited the details")
            .count(),
        1
    );
    assert_eq!(
        ours.iter()
            .filter(|r| r.action.starts_with("tried to edit the details of"))
            .count(),
        3
    );
    assert_eq!(
        w.store.verify_audit().await.unwrap(),
        Ok(ours.len() as i64 + rows.len() as i64)
    );
}
