//! The appointment book against a real (in-memory) SurrealDB: cancelling
//! frees the slot, moving tells both day lists, the next free slot, and
//! finding a patient to book.

use domain::appointment_status::{Action, Status};
use domain::book::AppointmentKind;
use store::appointments::{BookError, ChangeError, MoveError, NewAppointment};
use store::fixtures::{small_practice, SmallPractice};
use store::patients::PatientQuery;
use store::staff::hash_password;
use store::Store;

const DATE: &str = "2026-11-21";

async fn setup() -> (Store, SmallPractice) {
    let store = Store::memory().await.unwrap();
    let hash = hash_password("a long test password").unwrap();
    let p = small_practice(&store, "Test Surgery", "", &hash, DATE)
        .await
        .unwrap();
    (store, p)
}

fn booking(p: &SmallPractice, start: &str) -> NewAppointment {
    NewAppointment {
        clinic_session_id: p.gp_session_id.clone(),
        patient_id: p.patient_ids[1].clone(),
        start: start.into(),
        kind: AppointmentKind::Telephone,
        reason: None,
        booked_by: p.staff_id("reception").into(),
    }
}

#[tokio::test]
async fn cancelling_needs_a_reason_keeps_it_and_frees_the_slot() {
    let (store, p) = setup().await;
    let a = &p.appointments[0];
    let by = p.staff_id("reception");
    let err = p
        .db(&store)
        .cancel_appointment(&a.id, a.version, "  ", by)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangeError::ReasonRequired));
    let err = p
        .db(&store)
        .change_appointment_status(&a.id, a.version, Action::Cancel, by)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangeError::ReasonRequired));
    assert!(matches!(
        p.db(&store)
            .book_appointment(&booking(&p, "09:00"))
            .await
            .unwrap_err(),
        BookError::SlotTaken
    ));

    let cancelled = p
        .db(&store)
        .cancel_appointment(&a.id, a.version, "Patient phoned: feeling better", by)
        .await
        .unwrap();
    assert_eq!(cancelled.status, Status::Cancelled);
    // The slot is free again and can be booked; the cancelled one stays on record.
    let rebooked = p
        .db(&store)
        .book_appointment(&booking(&p, "09:00"))
        .await
        .unwrap();
    assert_eq!(rebooked.start, "09:00");
    let day = p.db(&store).day_appointments(DATE, None).await.unwrap();
    assert_eq!(day.iter().filter(|x| x.start == "09:00").count(), 2);
}

#[tokio::test]
async fn moving_tells_both_day_lists_and_respects_the_unique_slot() {
    let (store, p) = setup().await;
    let a = &p.appointments[0];
    let by = p.staff_id("reception");
    let before = p.db(&store).event_seq().await.unwrap();
    // Into a taken slot: refused, nothing written.
    let err = p
        .db(&store)
        .move_appointment(&a.id, a.version, &p.gp_session_id, "09:10", by)
        .await
        .unwrap_err();
    assert!(
        matches!(err, MoveError::Book(BookError::SlotTaken)),
        "{err:?}"
    );
    assert_eq!(p.db(&store).event_seq().await.unwrap(), before);

    // To the nurse's session: one event for the GP's list, one for the nurse's.
    let nurse_session = p
        .db(&store)
        .day_sessions(DATE)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.clinician_id == p.staff_id("nurse"))
        .unwrap();
    let moved = p
        .db(&store)
        .move_appointment(&a.id, a.version, &nurse_session.id, "10:30", by)
        .await
        .unwrap();
    assert_eq!(
        (moved.clinician_id.as_str(), moved.start.as_str()),
        (p.staff_id("nurse"), "10:30")
    );
    assert_eq!(moved.room, nurse_session.room);
    let events = p.db(&store).events_since(before, 10).await.unwrap();
    let staff: Vec<_> = events.iter().map(|e| e.staff.clone().unwrap()).collect();
    assert_eq!(
        staff,
        vec![
            p.staff_id("gp").to_string(),
            p.staff_id("nurse").to_string()
        ]
    );
    // The old slot is free.
    p.db(&store)
        .book_appointment(&booking(&p, "09:00"))
        .await
        .unwrap();
    // A stale move is refused.
    let err = p
        .db(&store)
        .move_appointment(&a.id, a.version, &p.gp_session_id, "11:50", by)
        .await
        .unwrap_err();
    assert!(matches!(err, MoveError::Change(ChangeError::Stale { .. })));
    // Only a booked appointment moves.
    let b = &p.appointments[1];
    let b = p
        .db(&store)
        .change_appointment_status(&b.id, b.version, Action::MarkArrived, by)
        .await
        .unwrap();
    let err = p
        .db(&store)
        .move_appointment(&b.id, b.version, &p.gp_session_id, "11:50", by)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            MoveError::Book(BookError::NotBooked {
                status: Status::Arrived
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_next_free_slot_skips_booked_and_past_slots() {
    let (store, p) = setup().await;
    let gp = p.staff_id("gp");
    // 09:00–09:30 are booked by the fixture.
    let slot = p
        .db(&store)
        .next_free_slot(Some(gp), DATE, "00:00", 14)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((slot.date.as_str(), slot.start.as_str()), (DATE, "09:40"));
    assert_eq!(slot.clinician_id, gp);
    let slot = p
        .db(&store)
        .next_free_slot(Some(gp), DATE, "10:05", 14)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(slot.start, "10:10");
    // Across clinicians, the earliest wins.
    let any = p
        .db(&store)
        .next_free_slot(None, DATE, "00:00", 14)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(any.start, "09:00");
    assert_ne!(any.clinician_id, gp);
    // After the session ends there is nothing (no later sessions in the fixture).
    assert!(p
        .db(&store)
        .next_free_slot(Some(gp), DATE, "12:00", 14)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn patients_are_found_by_nhs_number_date_of_birth_or_name() {
    let (store, p) = setup().await;
    let find = |q: &str| {
        let db = p.db(&store);
        let q = PatientQuery::parse(q).unwrap();
        async move { db.find_patients(&q, 20).await.unwrap() }
    };
    assert_eq!(find("999 000 0026").await[0].family_name, "Khan");
    assert_eq!(find("9990000026").await.len(), 1);
    assert_eq!(find("12/09/1987").await[0].given_name, "Aisha");
    assert_eq!(find("1987-09-12").await[0].given_name, "Aisha");
    assert_eq!(find("12 Sep 1987").await.len(), 1);
    assert_eq!(find("smi").await[0].family_name, "Smith");
    assert_eq!(find("sm").await[0].family_name, "Smith");
    assert_eq!(find("SMITH, john").await.len(), 1);
    assert!(find("smith, zed").await.is_empty());
    assert!(find("nobody").await.is_empty());
    assert_eq!(PatientQuery::parse("   "), None);
    // Another practice's patients are not found.
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other", "o", &hash, DATE)
        .await
        .unwrap();
    let q = PatientQuery::parse("smith").unwrap();
    let hits = other.db(&store).find_patients(&q, 20).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, other.patient_ids[0]);
}
