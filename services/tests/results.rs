//! Laboratory results through the results service, on a real SurrealDB:
//! arriving and matching, the inbox, the Unmatched list, covering and
//! reassigning, and who may see what (filing: `results_filing.rs`).

mod common;

use common::results::{hba1c, laboratory};
use common::{actor, field, words, world};
use domain::results::ItemState;
use domain::{PatientId, StaffId};
use services::ServiceError;

#[tokio::test]
async fn a_matching_report_reaches_the_requester_abnormal_first_and_twice_is_once() {
    let w = world().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let gp = actor(&w.ours, "gp");
    let gp_id = w.ours.staff_id("gp");

    let normal = services::results::receive(&w.store, &lab, &hba1c("R1", 38.0, Some(gp_id)))
        .await
        .unwrap();
    let mut later = hba1c("R2", 53.0, Some(gp_id));
    later.issued = "2026-11-27T09:00:00Z".into();
    let high = services::results::receive(&w.store, &lab, &later)
        .await
        .unwrap();
    assert_eq!(
        high.patient.as_deref(),
        Some(w.ours.patient_ids[0].as_str())
    );
    assert!(!high.duplicate);

    let again = services::results::receive(&w.store, &lab, &later)
        .await
        .unwrap();
    assert!(again.duplicate, "the same report twice is one report");
    assert_eq!(again.id, high.id);

    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    let ids: Vec<&str> = inbox.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [high.id.as_str(), normal.id.as_str()],
        "abnormal first, once each"
    );
    assert!(inbox.rows[0].abnormal);
    assert_eq!(inbox.rows[0].patient_name.as_deref(), Some("SMITH, John"));

    // The second report's history shows the first one's value.
    let view = services::results::report(&w.store, &gp, &high.id)
        .await
        .unwrap();
    assert_eq!(view.history[0].points.len(), 2);
    assert_eq!(view.history[0].points[0].1, 38.0);
    assert_eq!(view.analytes[0].range_label(), "20–41");

    // Another GP's inbox does not hold it.
    let gp2 = actor(&w.ours, "gp2");
    assert!(services::results::inbox(&w.store, &gp2, None)
        .await
        .unwrap()
        .rows
        .is_empty());
}

#[tokio::test]
async fn a_corrected_report_replaces_the_original_and_keeps_it() {
    let w = world().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let gp = actor(&w.ours, "gp");
    let gp_id = w.ours.staff_id("gp");
    let first = services::results::receive(&w.store, &lab, &hba1c("R9", 53.0, Some(gp_id)))
        .await
        .unwrap();

    // The same identifier with other content, not marked as a correction.
    let e = services::results::receive(&w.store, &lab, &hba1c("R9", 54.0, Some(gp_id)))
        .await
        .unwrap_err();
    assert!(words(&e).contains("amended or corrected"), "{e}");

    let mut corrected = hba1c("R9", 48.0, Some(gp_id));
    corrected.status = domain::results::ReportStatus::Corrected;
    let second = services::results::receive(&w.store, &lab, &corrected)
        .await
        .unwrap();
    assert_eq!(second.replaced.as_deref(), Some(first.id.as_str()));

    let old = services::results::report(&w.store, &gp, &first.id)
        .await
        .unwrap();
    assert_eq!(old.row.state, ItemState::Superseded);
    assert_eq!(old.replaced_by.as_deref(), Some(second.id.as_str()));
    assert_eq!(
        old.analytes[0].value,
        Some(53.0),
        "the original is kept as it was"
    );
    let new = services::results::report(&w.store, &gp, &second.id)
        .await
        .unwrap();
    assert_eq!(new.replaces.as_deref(), Some(first.id.as_str()));
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert_eq!(
        inbox.rows.len(),
        1,
        "only the corrected report waits to be filed"
    );
    assert_eq!(inbox.rows[0].id, second.id);
}

#[tokio::test]
async fn a_mismatch_waits_unmatched_and_reception_matches_it_without_seeing_values() {
    let w = world().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let mut r = hba1c("U1", 53.0, None);
    r.patient.birth_date = "1961-04-04".into();
    let arrived = services::results::receive(&w.store, &lab, &r)
        .await
        .unwrap();
    assert_eq!(arrived.patient, None);
    assert!(arrived.unmatched.unwrap().contains("date of birth"));

    let reception = actor(&w.ours, "reception");
    let admin = actor(&w.ours, "admin");
    let list = services::results::unmatched(&w.store, &reception)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].demographics.birth_date, "1961-04-04");
    assert_eq!(list[0].kind, "Pathology report");
    assert_eq!(
        services::results::unmatched(&w.store, &admin)
            .await
            .unwrap()
            .len(),
        1
    );
    // Neither may open the report itself (its values).
    for who in [&reception, &admin] {
        let e = services::results::report(&w.store, who, &arrived.id)
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
    }

    let patient = PatientId::new(w.ours.patient_ids[0].clone());
    let matched = services::results::match_to(&w.store, &reception, &arrived.id, 1, &patient)
        .await
        .unwrap();
    assert_eq!(matched.row.state, ItemState::Unfiled);
    assert_eq!(matched.matched.as_ref().unwrap().how, "manual");
    assert_eq!(
        matched.matched.as_ref().unwrap().by.as_deref(),
        Some("Dee Patel")
    );
    // No usual GP and no requester: the pool.
    let gp = actor(&w.ours, "gp");
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert_eq!(inbox.pool.len(), 1);
    assert!(services::results::unmatched(&w.store, &reception)
        .await
        .unwrap()
        .is_empty());

    // Matching again from the stale version is refused in words.
    let e = services::results::match_to(&w.store, &reception, &arrived.id, 1, &patient)
        .await
        .unwrap_err();
    assert!(words(&e).contains("changed since you opened it"), "{e}");

    // A clinician undoes it: back on the Unmatched list with the reason.
    let e = services::results::unmatch(&w.store, &reception, &arrived.id, 2, "wrong").await;
    assert!(matches!(e, Err(ServiceError::Forbidden)));
    services::results::unmatch(&w.store, &gp, &arrived.id, 2, "Different John Smith")
        .await
        .unwrap();
    let list = services::results::unmatched(&w.store, &reception)
        .await
        .unwrap();
    assert_eq!(list[0].reason, "Match undone: Different John Smith");

    // Rejected with a reason, it leaves the list.
    let e = services::results::reject(&w.store, &reception, &arrived.id, 3, " ")
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("reason"));
    services::results::reject(&w.store, &reception, &arrived.id, 3, "Not our patient")
        .await
        .unwrap();
    assert!(services::results::unmatched(&w.store, &reception)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn never_matched_to_another_practices_patient() {
    let w = world().await;
    // Their practice's laboratory sends a report about the patient both
    // practices have on file: it matches theirs, never ours.
    let theirs = laboratory(&w.theirs, "system/DiagnosticReport.c");
    let arrived = services::results::receive(&w.store, &theirs, &hba1c("X1", 53.0, None))
        .await
        .unwrap();
    assert_eq!(
        arrived.patient.as_deref(),
        Some(w.theirs.patient_ids[0].as_str())
    );
    // Our GP cannot open it, nor see it anywhere.
    let gp = actor(&w.ours, "gp");
    let e = services::results::report(&w.store, &gp, &arrived.id)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound));
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert!(inbox.rows.is_empty() && inbox.pool.is_empty());
}

#[tokio::test]
async fn a_bad_report_is_refused_by_field_and_nothing_is_stored() {
    let w = world().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let before = store::fixtures::everything(&w.store).await.unwrap();
    let mut r = hba1c("B1", 53.0, None);
    r.identifier = "no-system".into();
    r.analytes[0].value = None;
    let e = services::results::receive(&w.store, &lab, &r)
        .await
        .unwrap_err();
    let ServiceError::Invalid(fields) = &e else {
        panic!("{e:?}")
    };
    let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, ["identifier", "result"]);
    assert!(fields[1].message.contains("Haemoglobin A1c has no value"));
    assert_eq!(before, store::fixtures::everything(&w.store).await.unwrap());

    // A client without the scope, and a receptionist, may not send one.
    let reader = laboratory(&w.ours, "system/Patient.rs");
    let e = services::results::receive(&w.store, &reader, &hba1c("B2", 53.0, None)).await;
    assert!(matches!(e, Err(ServiceError::Forbidden)));
    let reception = actor(&w.ours, "reception");
    let e = services::results::receive(&w.store, &reception, &hba1c("B3", 53.0, None)).await;
    assert!(matches!(e, Err(ServiceError::Forbidden)));
}

#[tokio::test]
async fn a_colleague_covers_an_inbox_visibly_and_reassigns() {
    let w = world().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let gp_id = w.ours.staff_id("gp");
    let r = services::results::receive(&w.store, &lab, &hba1c("C1", 53.0, Some(gp_id)))
        .await
        .unwrap();
    let gp2 = actor(&w.ours, "gp2");
    let covered = services::results::inbox(&w.store, &gp2, Some(&StaffId::from(gp_id)))
        .await
        .unwrap();
    assert!(covered.covering);
    assert_eq!(covered.owner.1, "Dr Ann Carter");
    assert_eq!(covered.rows.len(), 1);
    // Reception's inbox does not exist; a non-clinician is not an inbox.
    let reception_id = StaffId::from(w.ours.staff_id("reception"));
    let e = services::results::inbox(&w.store, &gp2, Some(&reception_id)).await;
    assert!(matches!(e, Err(ServiceError::NotFound)));

    let moved = services::results::reassign(
        &w.store,
        &gp2,
        &r.id,
        1,
        Some(&StaffId::from(w.ours.staff_id("gp2"))),
    )
    .await
    .unwrap();
    assert_eq!(moved.row.assigned_name.as_deref(), Some("Dr Ben Okafor"));
    assert_eq!(
        services::results::inbox(&w.store, &gp2, None)
            .await
            .unwrap()
            .rows
            .len(),
        1
    );
    let e = services::results::reassign(&w.store, &gp2, &r.id, 2, Some(&reception_id))
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("to"));
}
