//! Appointments against a real (in-memory) SurrealDB: status changes with
//! optimistic concurrency, the outbox's gap-free sequence, and the booking
//! race that the unique slot index must win.

use domain::appointment_status::{Action, Status};
use domain::book::AppointmentKind;
use domain::live::EventKind;
use futures::StreamExt;
use std::sync::Arc;
use store::appointments::{BookError, ChangeError, NewAppointment};
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

#[tokio::test]
async fn a_status_change_is_recorded_with_who_and_appends_the_next_event() {
    let (store, p) = setup().await;
    let before = p.db(&store).event_seq().await.unwrap();
    assert_eq!(before, 4, "the four bookings were each one event");
    let a = &p.appointments[0];
    assert_eq!(a.status, Status::Booked);
    assert_eq!(a.patient_name, "Mr John SMITH");
    assert_eq!(a.room, "Room 1");

    let arrived = p
        .db(&store)
        .change_appointment_status(
            &a.id,
            a.version,
            Action::MarkArrived,
            p.staff_id("reception"),
        )
        .await
        .unwrap();
    assert_eq!(arrived.status, Status::Arrived);
    assert_eq!(arrived.version, a.version + 1);
    assert!(arrived.arrived_at.is_some());
    assert_eq!(arrived.updated_by.as_deref(), Some("Dee Patel"));

    let events = p.db(&store).events_since(before, 100).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].seq, 5);
    assert_eq!(events[0].record, a.id);
    assert_eq!(events[0].version, arrived.version);
    assert_eq!(events[0].date.as_deref(), Some(DATE));
    assert_eq!(events[0].staff.as_deref(), Some(p.staff_id("gp")));

    // Calling in (not quietly) puts the short name and room on the call screen.
    let sent = p
        .db(&store)
        .change_appointment_status(
            &a.id,
            arrived.version,
            Action::SendIn { quiet: false },
            p.staff_id("gp"),
        )
        .await
        .unwrap();
    assert_eq!(sent.status, Status::SentIn);
    let calls = p.db(&store).recent_calls(5).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].short_name.as_str(), calls[0].room.as_str()),
        ("J. Smith", "Room 1")
    );
    assert_eq!(
        p.db(&store).events_since(5, 10).await.unwrap()[0].kind,
        EventKind::AppointmentCalled
    );

    // A quiet send-in never reaches the call screen.
    let b = &p.appointments[1];
    let b = p
        .db(&store)
        .change_appointment_status(
            &b.id,
            b.version,
            Action::MarkArrived,
            p.staff_id("reception"),
        )
        .await
        .unwrap();
    p.db(&store)
        .change_appointment_status(
            &b.id,
            b.version,
            Action::SendIn { quiet: true },
            p.staff_id("gp"),
        )
        .await
        .unwrap();
    assert_eq!(p.db(&store).recent_calls(5).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_stale_change_is_refused_with_who_changed_it_and_the_current_state() {
    let (store, p) = setup().await;
    let a = &p.appointments[0];
    p.db(&store)
        .change_appointment_status(
            &a.id,
            a.version,
            Action::MarkArrived,
            p.staff_id("reception"),
        )
        .await
        .unwrap();
    let seq = p.db(&store).event_seq().await.unwrap();
    // The GP still has the old version on screen.
    let err = p
        .db(&store)
        .change_appointment_status(&a.id, a.version, Action::MarkDidNotAttend, p.staff_id("gp"))
        .await
        .unwrap_err();
    let ChangeError::Stale { current } = err else {
        panic!("expected Stale, got {err:?}")
    };
    assert_eq!(current.status, Status::Arrived);
    assert_eq!(current.updated_by.as_deref(), Some("Dee Patel"));
    assert_eq!(
        p.db(&store).event_seq().await.unwrap(),
        seq,
        "nothing written"
    );
    assert_eq!(
        p.db(&store).appointment(&a.id).await.unwrap().status,
        Status::Arrived
    );
}

#[tokio::test]
async fn an_impossible_transition_is_refused_and_changes_nothing() {
    let (store, p) = setup().await;
    let a = &p.appointments[0];
    let err = p
        .db(&store)
        .change_appointment_status(&a.id, a.version, Action::Finish, p.staff_id("gp"))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot finish: the appointment is booked.");
    assert_eq!(p.db(&store).event_seq().await.unwrap(), 4);
}

#[tokio::test]
async fn another_practices_appointment_is_not_found() {
    let (store, p) = setup().await;
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, DATE)
        .await
        .unwrap();
    let theirs = &other.appointments[0];
    let err = p
        .db(&store)
        .change_appointment_status(
            &theirs.id,
            theirs.version,
            Action::MarkArrived,
            p.staff_id("reception"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ChangeError::NotFound), "{err:?}");
    assert!(p
        .db(&store)
        .day_appointments(DATE, None)
        .await
        .unwrap()
        .iter()
        .all(|a| p.appointments.iter().any(|m| m.id == a.id)));
    // Each practice has its own gap-free sequence.
    assert_eq!(other.db(&store).event_seq().await.unwrap(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_bookings_of_one_slot_make_exactly_one_appointment() {
    let (store, p) = setup().await;
    let store = Arc::new(store);
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let mut tasks = Vec::new();
    for n in 0..50 {
        let db = p.db(&store);
        let barrier = barrier.clone();
        let new = NewAppointment {
            clinic_session_id: p.gp_session_id.clone(),
            patient_id: p.patient_ids[n % p.patient_ids.len()].clone(),
            start: "11:00".into(),
            kind: AppointmentKind::Telephone,
            reason: None,
            booked_by: p.staff_id("reception").into(),
        };
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            db.book_appointment(&new).await
        }));
    }
    let mut won = 0;
    let mut taken = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(BookError::SlotTaken) => taken += 1,
            Err(e) => panic!("unexpected error: {e:?}"),
        }
    }
    assert_eq!((won, taken), (1, 49));
    assert_eq!(BookError::SlotTaken.to_string(), "this slot was just taken");
    let at_eleven: Vec<_> = p
        .db(&store)
        .day_appointments(DATE, Some(p.staff_id("gp")))
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.start == "11:00")
        .collect();
    assert_eq!(
        at_eleven.len(),
        1,
        "the database holds one appointment in the slot"
    );
    // And exactly one event for it: the sequence has no gaps and no extras.
    let events = p.db(&store).events_since(0, 1000).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=5).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_get_a_gap_free_sequence() {
    let (store, p) = setup().await;
    let store = Arc::new(store);
    let mut tasks = Vec::new();
    // Book the rest of the GP's morning concurrently, plus arrivals.
    for slot in 4..18 {
        let db = p.db(&store);
        let new = NewAppointment {
            clinic_session_id: p.gp_session_id.clone(),
            patient_id: p.patient_ids[slot % 4].clone(),
            start: format!("{:02}:{:02}", 9 + slot / 6, (slot % 6) * 10),
            kind: AppointmentKind::FaceToFace,
            reason: None,
            booked_by: p.staff_id("reception").into(),
        };
        tasks.push(tokio::spawn(async move {
            db.book_appointment(&new)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }));
    }
    for a in p.appointments.clone() {
        let db = p.db(&store);
        let by = p.staff_id("reception").to_string();
        tasks.push(tokio::spawn(async move {
            db.change_appointment_status(&a.id, a.version, Action::MarkArrived, &by)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let events = p.db(&store).events_since(0, 1000).await.unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=22).collect::<Vec<_>>());
    assert_eq!(p.db(&store).event_seq().await.unwrap(), 22);
}

/// The store refuses a bad booking with a typed reason and writes
/// nothing (the words are the service's: `services/tests/appointments.rs`).
#[tokio::test]
async fn bad_bookings_are_refused_with_a_reason_and_write_nothing() {
    let (store, p) = setup().await;
    let db = p.db(&store);
    let base = NewAppointment {
        clinic_session_id: p.gp_session_id.clone(),
        patient_id: p.patient_ids[0].clone(),
        start: "09:05".into(),
        kind: AppointmentKind::FaceToFace,
        reason: None,
        booked_by: p.staff_id("reception").into(),
    };
    let err = db.book_appointment(&base).await.unwrap_err();
    assert!(
        matches!(&err, BookError::NotASlot { start, session_start, session_end, slot_minutes: 10 }
            if start == "09:05" && session_start == "09:00" && session_end == "12:00"),
        "{err:?}"
    );
    let err = db
        .book_appointment(&NewAppointment {
            start: "12:00".into(),
            ..base.clone()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, BookError::NotASlot { .. }));
    let err = db
        .book_appointment(&NewAppointment {
            start: "9am".into(),
            ..base.clone()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, BookError::BadStart), "{err:?}");
    let err = db
        .book_appointment(&NewAppointment {
            patient_id: "nobody".into(),
            start: "11:30".into(),
            ..base.clone()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, BookError::NoSuchPatient), "{err:?}");
    let err = db
        .book_appointment(&NewAppointment {
            clinic_session_id: "nowhere".into(),
            ..base
        })
        .await
        .unwrap_err();
    assert!(matches!(err, BookError::NoSuchSession), "{err:?}");
    assert_eq!(db.event_seq().await.unwrap(), 4);
}

#[tokio::test]
async fn the_event_watch_wakes_on_a_change() {
    let (store, p) = setup().await;
    let mut watch = store.watch_events().await.unwrap();
    let a = &p.appointments[2];
    p.db(&store)
        .change_appointment_status(
            &a.id,
            a.version,
            Action::MarkArrived,
            p.staff_id("reception"),
        )
        .await
        .unwrap();
    let woke = tokio::time::timeout(std::time::Duration::from_secs(5), watch.next())
        .await
        .expect("no wake-up within 5 s")
        .expect("stream ended");
    assert_eq!(woke.as_ref(), Some(&p.practice_id));
}
