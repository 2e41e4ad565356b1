//! The appointment book through the appointments and clinics services:
//! who may act on an appointment (the role table, for every role), bad
//! bookings refused in words and nothing written, and clinic sessions
//! checked field by field.

mod common;

use common::{actor, field, world};
use domain::appointment_status::Action;
use domain::{AppointmentId, Version};
use services::appointments::{self as appts, Booking};
use services::clinics::{self, SessionForm};
use services::ServiceError;

fn booking(w: &common::World, start: &str) -> Booking {
    Booking {
        session: w.ours.gp_session_id.as_str().into(),
        start: start.into(),
        patient: w.ours.patient_ids[0].as_str().into(),
        kind: "face_to_face".into(),
        reason: None,
    }
}

#[tokio::test]
async fn bad_bookings_are_refused_in_words_and_write_nothing() {
    let w = world().await;
    let reception = actor(&w.ours, "reception");
    let book = |b: Booking| appts::book(&w.store, &reception, b);
    let err = book(booking(&w, "09:05")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "09:05 is not a slot in this session (09:00–12:00, 10-minute slots)."
    );
    assert_eq!(field(&err).as_deref(), Some("slot"));
    let err = book(booking(&w, "12:00")).await.unwrap_err();
    assert_eq!(field(&err).as_deref(), Some("slot"));
    let err = book(booking(&w, "9am")).await.unwrap_err();
    assert_eq!(err.to_string(), "Give the start time as HH:MM.");
    let err = book(Booking {
        patient: "nobody".into(),
        ..booking(&w, "11:30")
    })
    .await
    .unwrap_err();
    assert_eq!(err.to_string(), "That patient does not exist.");
    let err = book(Booking {
        kind: "carrier pigeon".into(),
        ..booking(&w, "11:30")
    })
    .await
    .unwrap_err();
    assert_eq!(err.to_string(), "Choose face to face, telephone or video.");
    let err = book(booking(&w, "09:00")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "This slot was just taken. Choose another slot."
    );
    assert!(matches!(err, ServiceError::Conflict { .. }));
    assert_eq!(w.ours.db(&w.store).event_seq().await.unwrap(), 4);
}

#[tokio::test]
async fn only_a_booked_appointment_moves_and_the_reason_is_given() {
    let w = world().await;
    let reception = actor(&w.ours, "reception");
    let b = &w.ours.appointments[1];
    let arrived = appts::act(
        &w.store,
        &reception,
        &AppointmentId::new(b.id.as_str()),
        Version(b.version),
        Action::MarkArrived,
    )
    .await
    .unwrap();
    let err = appts::move_booking(
        &w.store,
        &reception,
        &AppointmentId::new(b.id.as_str()),
        Version(arrived.version),
        &w.ours.gp_session_id.as_str().into(),
        "11:50",
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Only a booked appointment can be moved; this one is arrived."
    );
    let id = AppointmentId::new(b.id.as_str());
    let cancel = |reason: &'static str| {
        appts::cancel_booking(&w.store, &reception, &id, Version(arrived.version), reason)
    };
    let err = cancel("  ").await.unwrap_err();
    assert_eq!(err.to_string(), "Give a reason for cancelling.");
    assert_eq!(field(&err).as_deref(), Some("reason"));
    // An arrived appointment cannot be cancelled at all: the state machine says so.
    let err = cancel("Patient phoned").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Cannot cancel: the appointment is arrived."
    );
}

/// Every role × every action, on a clinician's own appointment and on a
/// colleague's: the service applies `Action::allowed_for` before anything
/// else (asked with a stale version, an allowed action is refused only as
/// stale; a forbidden one as forbidden), and nothing changes.
#[tokio::test]
async fn appointment_actions_follow_the_role_table_for_every_role() {
    let w = world().await;
    let a = &w.ours.appointments[0];
    let id = AppointmentId::new(a.id.as_str());
    for username in ["reception", "gp", "gp2", "nurse", "admin"] {
        let who = actor(&w.ours, username);
        let own = who.is(&a.clinician_id);
        for action in Action::ALL {
            let r = appts::act(&w.store, &who, &id, Version(0), action).await;
            let forbidden = matches!(r, Err(ServiceError::Forbidden));
            assert_eq!(
                forbidden,
                !action.allowed_for(who.role().unwrap(), own),
                "{username} {action:?} (own list: {own}): {r:?}"
            );
            assert!(r.is_err(), "a stale version never changes anything");
        }
    }
    assert_eq!(
        w.ours
            .db(&w.store)
            .appointment(&a.id)
            .await
            .unwrap()
            .version,
        a.version
    );
    assert_eq!(w.ours.db(&w.store).event_seq().await.unwrap(), 4);
}

/// Booking, moving and cancelling follow one rule for every role
/// (`BookChange::allowed_for`): reception on any list, a GP or nurse on
/// their own only, admin never. A refusal changes nothing.
#[tokio::test]
async fn booking_moving_and_cancelling_follow_the_role_table_for_every_role() {
    let w = world().await;
    let db = w.ours.db(&w.store);
    let gp_session = w.ours.gp_session_id.clone();
    let nurse_session = db
        .day_sessions(common::DATE)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.clinician_id == w.ours.staff_id("nurse"))
        .unwrap()
        .id;
    let a = &w.ours.appointments[0];
    let id = AppointmentId::new(a.id.as_str());
    let before = db.event_seq().await.unwrap();
    let mut free = ["10:00", "10:10", "10:20", "10:30", "10:40"].into_iter();
    for username in ["reception", "gp", "gp2", "nurse", "admin"] {
        let who = actor(&w.ours, username);
        let gps_list = username == "reception" || username == "gp";
        // Book into the GP's session.
        let start = free.next().unwrap();
        let booked = appts::book(
            &w.store,
            &who,
            Booking {
                session: gp_session.as_str().into(),
                start: start.into(),
                patient: w.ours.patient_ids[1].as_str().into(),
                kind: "telephone".into(),
                reason: None,
            },
        )
        .await;
        assert_eq!(booked.is_ok(), gps_list, "{username} booking: {booked:?}");
        if !gps_list {
            assert!(matches!(booked, Err(ServiceError::Forbidden)), "{username}");
        }
        // Move the GP's appointment within the GP's session, and into the
        // nurse's; cancel it. Asked with a stale version: an allowed change
        // is refused as stale, a forbidden one as forbidden.
        let tries = [
            (
                "move within the GP's list",
                appts::move_booking(
                    &w.store,
                    &who,
                    &id,
                    Version(0),
                    &gp_session.as_str().into(),
                    "11:50",
                )
                .await,
                gps_list,
            ),
            (
                "move to the nurse's list",
                appts::move_booking(
                    &w.store,
                    &who,
                    &id,
                    Version(0),
                    &nurse_session.as_str().into(),
                    "11:50",
                )
                .await,
                username == "reception",
            ),
            (
                "cancel",
                appts::cancel_booking(&w.store, &who, &id, Version(0), "Phoned to cancel").await,
                gps_list,
            ),
        ];
        for (what, r, allowed) in tries {
            let forbidden = matches!(r, Err(ServiceError::Forbidden));
            assert_eq!(forbidden, !allowed, "{username} {what}: {r:?}");
            assert!(
                r.is_err(),
                "{username} {what}: a stale version changes nothing"
            );
        }
    }
    assert_eq!(db.appointment(&a.id).await.unwrap().version, a.version);
    assert_eq!(
        db.event_seq().await.unwrap(),
        before + 2,
        "only reception's and the GP's bookings were written"
    );
}

#[tokio::test]
async fn another_practices_appointment_is_not_found() {
    let w = world().await;
    let theirs = &w.theirs.appointments[0];
    let err = appts::act(
        &w.store,
        &actor(&w.ours, "reception"),
        &AppointmentId::new(theirs.id.as_str()),
        Version(theirs.version),
        Action::MarkArrived,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ServiceError::NotFound), "{err:?}");
    assert_eq!(w.theirs.db(&w.store).event_seq().await.unwrap(), 4);
}

#[tokio::test]
async fn clinic_sessions_are_checked_field_by_field_and_never_overlap() {
    let w = world().await;
    let admin = actor(&w.ours, "admin");
    let room = clinics::add_room(&w.store, &admin, "Room 9").await.unwrap();
    let dup = clinics::add_room(&w.store, &admin, "Room 9")
        .await
        .unwrap_err();
    assert_eq!(
        dup.to_string(),
        "There is already a room called \"Room 9\"."
    );
    assert_eq!(
        field(&clinics::add_room(&w.store, &admin, "  ").await.unwrap_err()).as_deref(),
        Some("room_name")
    );
    // Only admin manages sessions and rooms.
    assert!(matches!(
        clinics::add_room(&w.store, &actor(&w.ours, "reception"), "Room 10")
            .await
            .unwrap_err(),
        ServiceError::Forbidden
    ));

    let good = SessionForm {
        clinician: w.ours.staff_id("gp").into(),
        room: room.clone(),
        date: "2026-11-23".into(),
        start: "14:00".into(),
        end: "17:00".into(),
        slot_minutes: "15".into(),
    };
    let s = clinics::add_session(&w.store, &admin, good.clone())
        .await
        .unwrap();
    assert_eq!((s.room.as_str(), s.slots().len()), ("Room 9", 12));
    // Bookable at once.
    appts::book(
        &w.store,
        &actor(&w.ours, "reception"),
        Booking {
            session: s.id.as_str().into(),
            start: "14:15".into(),
            patient: w.ours.patient_ids[0].as_str().into(),
            kind: "video".into(),
            reason: None,
        },
    )
    .await
    .unwrap();

    let fields = |e: ServiceError| match e {
        ServiceError::Invalid(f) => f.into_iter().map(|f| f.field).collect::<Vec<_>>(),
        other => panic!("expected field errors, got {other:?}"),
    };
    let overlap = clinics::add_session(
        &w.store,
        &admin,
        SessionForm {
            start: "16:30".into(),
            end: "18:00".into(),
            ..good.clone()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        overlap.to_string(),
        "Dr Ann Carter already has a session 14:00–17:00 that day."
    );
    let bad = clinics::add_session(
        &w.store,
        &admin,
        SessionForm {
            date: "23/11/2026".into(),
            start: "9am".into(),
            end: "25:00".into(),
            slot_minutes: "3".into(),
            clinician: w.ours.staff_id("reception").into(),
            room: "nowhere".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        fields(bad),
        vec!["date", "start", "end", "slot_minutes", "clinician", "room"]
    );
    let uneven = clinics::add_session(
        &w.store,
        &admin,
        SessionForm {
            start: "09:00".into(),
            end: "09:50".into(),
            ..good.clone()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        uneven.to_string(),
        "09:00–09:50 is not a whole number of 15-minute slots."
    );
    // Nothing half-written: only the one good session that day.
    assert_eq!(
        w.ours
            .db(&w.store)
            .day_sessions("2026-11-23")
            .await
            .unwrap()
            .len(),
        1
    );
    // Another practice's room or clinician cannot be used.
    let theirs = clinics::add_session(&w.store, &actor(&w.theirs, "admin"), good)
        .await
        .unwrap_err();
    assert_eq!(fields(theirs), vec!["clinician", "room"]);
}
