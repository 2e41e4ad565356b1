//! The appointment book against a real (in-memory) SurrealDB: cancelling
//! frees the slot, moving tells both day lists, the next free slot, and
//! finding a patient to book.

use domain::appointment_status::{Action, Status};
use store::appointments::{BookError, ChangeError, NewAppointment};
use store::book::{MoveError, PatientQuery};
use store::fixtures::{small_practice, SmallPractice};
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
        practice_id: p.practice_id.clone(),
        clinic_session_id: p.gp_session_id.clone(),
        patient_id: p.patient_ids[1].clone(),
        start: start.into(),
        kind: "telephone".into(),
        reason: None,
        booked_by: p.staff_id("reception").to_string(),
    }
}

#[tokio::test]
async fn cancelling_needs_a_reason_keeps_it_and_frees_the_slot() {
    let (store, p) = setup().await;
    let a = &p.appointments[0];
    let by = p.staff_id("reception");
    let err = store
        .cancel_appointment(&p.practice_id, &a.id, a.version, "  ", by)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangeError::ReasonRequired));
    let err = store
        .change_appointment_status(&p.practice_id, &a.id, a.version, Action::Cancel, by)
        .await
        .unwrap_err();
    assert!(matches!(err, ChangeError::ReasonRequired));
    assert!(matches!(
        store
            .book_appointment(&booking(&p, "09:00"))
            .await
            .unwrap_err(),
        BookError::SlotTaken
    ));

    let cancelled = store
        .cancel_appointment(
            &p.practice_id,
            &a.id,
            a.version,
            "Patient phoned: feeling better",
            by,
        )
        .await
        .unwrap();
    assert_eq!(cancelled.status, Status::Cancelled);
    // The slot is free again and can be booked; the cancelled one stays on record.
    let rebooked = store.book_appointment(&booking(&p, "09:00")).await.unwrap();
    assert_eq!(rebooked.start, "09:00");
    let day = store
        .day_appointments(&p.practice_id, DATE, None)
        .await
        .unwrap();
    assert_eq!(day.iter().filter(|x| x.start == "09:00").count(), 2);
}

#[tokio::test]
async fn moving_tells_both_day_lists_and_respects_the_unique_slot() {
    let (store, p) = setup().await;
    let a = &p.appointments[0];
    let by = p.staff_id("reception");
    let before = store.event_seq(&p.practice_id).await.unwrap();
    // Into a taken slot: refused, nothing written.
    let err = store
        .move_appointment(
            &p.practice_id,
            &a.id,
            a.version,
            &p.gp_session_id,
            "09:10",
            by,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, MoveError::Book(BookError::SlotTaken)),
        "{err:?}"
    );
    assert_eq!(store.event_seq(&p.practice_id).await.unwrap(), before);

    // To the nurse's session: one event for the GP's list, one for the nurse's.
    let nurse_session = store
        .day_sessions(&p.practice_id, DATE)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.clinician_id == p.staff_id("nurse"))
        .unwrap();
    let moved = store
        .move_appointment(
            &p.practice_id,
            &a.id,
            a.version,
            &nurse_session.id,
            "10:30",
            by,
        )
        .await
        .unwrap();
    assert_eq!(
        (moved.clinician_id.as_str(), moved.start.as_str()),
        (p.staff_id("nurse"), "10:30")
    );
    assert_eq!(moved.room, nurse_session.room);
    let events = store
        .events_since(&p.practice_id, before, 10)
        .await
        .unwrap();
    let staff: Vec<_> = events.iter().map(|e| e.staff.clone().unwrap()).collect();
    assert_eq!(
        staff,
        vec![
            p.staff_id("gp").to_string(),
            p.staff_id("nurse").to_string()
        ]
    );
    // The old slot is free.
    store.book_appointment(&booking(&p, "09:00")).await.unwrap();
    // A stale move is refused.
    let err = store
        .move_appointment(
            &p.practice_id,
            &a.id,
            a.version,
            &p.gp_session_id,
            "11:50",
            by,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, MoveError::Change(ChangeError::Stale { .. })));
    // Only a booked appointment moves.
    let b = &p.appointments[1];
    let b = store
        .change_appointment_status(&p.practice_id, &b.id, b.version, Action::MarkArrived, by)
        .await
        .unwrap();
    let err = store
        .move_appointment(
            &p.practice_id,
            &b.id,
            b.version,
            &p.gp_session_id,
            "11:50",
            by,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Only a booked appointment can be moved; this one is arrived."
    );
}

#[tokio::test]
async fn the_next_free_slot_skips_booked_and_past_slots() {
    let (store, p) = setup().await;
    let gp = p.staff_id("gp");
    // 09:00–09:30 are booked by the fixture.
    let slot = store
        .next_free_slot(&p.practice_id, Some(gp), DATE, "00:00", 14)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((slot.date.as_str(), slot.start.as_str()), (DATE, "09:40"));
    assert_eq!(slot.clinician_id, gp);
    let slot = store
        .next_free_slot(&p.practice_id, Some(gp), DATE, "10:05", 14)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(slot.start, "10:10");
    // Across clinicians, the earliest wins.
    let any = store
        .next_free_slot(&p.practice_id, None, DATE, "00:00", 14)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(any.start, "09:00");
    assert_ne!(any.clinician_id, gp);
    // After the session ends there is nothing (no later sessions in the fixture).
    assert!(store
        .next_free_slot(&p.practice_id, Some(gp), DATE, "12:00", 14)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn patients_are_found_by_nhs_number_date_of_birth_or_name() {
    let (store, p) = setup().await;
    let find = |q: &str| {
        let store = store.clone();
        let practice = p.practice_id.clone();
        let q = PatientQuery::parse(q).unwrap();
        async move { store.find_patients(&practice, &q, 20).await.unwrap() }
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
    let hits = store
        .find_patients(&other.practice_id, &q, 20)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, other.patient_ids[0]);
}

#[tokio::test]
async fn clinic_sessions_are_checked_field_by_field_and_never_overlap() {
    let (store, p) = setup().await;
    let room = store.create_room(&p.practice_id, "Room 9").await.unwrap();
    let dup = store
        .create_room(&p.practice_id, "Room 9")
        .await
        .unwrap_err();
    assert_eq!(dup[0].1, "There is already a room called \"Room 9\".");
    assert_eq!(
        store.create_room(&p.practice_id, "  ").await.unwrap_err()[0].0,
        "room_name"
    );

    let gp = p.staff_id("gp").to_string();
    let good = store::book::NewSession {
        practice_id: p.practice_id.clone(),
        clinician_id: gp.clone(),
        room_id: room.clone(),
        date: "2026-11-23".into(),
        start: "14:00".into(),
        end: "17:00".into(),
        slot_minutes: 15,
    };
    let s = store.create_clinic_session(&good).await.unwrap();
    assert_eq!((s.room.as_str(), s.slots().len()), ("Room 9", 12));
    // Bookable at once.
    store
        .book_appointment(&NewAppointment {
            practice_id: p.practice_id.clone(),
            clinic_session_id: s.id.clone(),
            patient_id: p.patient_ids[0].clone(),
            start: "14:15".into(),
            kind: "video".into(),
            reason: None,
            booked_by: p.staff_id("reception").into(),
        })
        .await
        .unwrap();

    let fields = |e: Vec<(&'static str, String)>| e.into_iter().map(|(f, _)| f).collect::<Vec<_>>();
    let overlap = store
        .create_clinic_session(&store::book::NewSession {
            start: "16:30".into(),
            end: "18:00".into(),
            ..good.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(
        overlap[0].1,
        "Dr Ann Carter already has a session 14:00–17:00 that day."
    );
    let bad = store
        .create_clinic_session(&store::book::NewSession {
            date: "23/11/2026".into(),
            start: "9am".into(),
            end: "25:00".into(),
            slot_minutes: 3,
            clinician_id: p.staff_id("reception").into(),
            room_id: "nowhere".into(),
            ..good.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(
        fields(bad),
        vec!["date", "start", "end", "slot_minutes", "clinician", "room"]
    );
    let uneven = store
        .create_clinic_session(&store::book::NewSession {
            start: "09:00".into(),
            end: "09:50".into(),
            ..good.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(
        uneven[0].1,
        "09:00–09:50 is not a whole number of 15-minute slots."
    );
    // Nothing half-written: only the one good session that day.
    assert_eq!(
        store
            .day_sessions(&p.practice_id, "2026-11-23")
            .await
            .unwrap()
            .len(),
        1
    );
    // Another practice's room or clinician cannot be used.
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other", "o", &hash, DATE)
        .await
        .unwrap();
    let theirs = store
        .create_clinic_session(&store::book::NewSession {
            practice_id: other.practice_id.clone(),
            ..good
        })
        .await
        .unwrap_err();
    assert_eq!(fields(theirs), vec!["clinician", "room"]);
}
