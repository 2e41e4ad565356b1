//! Rotas and absences: a rota makes four weeks of sessions (and making
//! them again makes none twice); an absence over booked appointments
//! blocks its sessions, lists the appointments for moving and cancels none.

mod common;

use chrono::{Datelike, Duration, NaiveDate};
use common::rotas::{absence, book, next_monday, rota, WEEKDAYS};
use common::{actor, field, words, world};
use domain::appointment_status::Status;

#[tokio::test]
async fn a_rota_makes_the_next_four_weeks_of_sessions_once() {
    let w = world().await;
    let admin = actor(&w.ours, "admin");
    let gp = w.ours.staff_id("gp");
    let room = w.ours.db(&w.store).rooms().await.unwrap()[0].clone();
    let made = services::clinics::add_rota(&w.store, &admin, rota(gp, &room.0, &WEEKDAYS))
        .await
        .unwrap();
    assert_eq!(
        made.describe(),
        format!(
            "Monday–Friday 08:30–12:00, 10-minute slots, {}, face to face",
            room.1
        )
    );

    let monday = next_monday();
    let report = services::clinics::generate(&w.store, &admin, &monday.to_string(), "4")
        .await
        .unwrap();
    assert_eq!((report.created, report.already_made), (20, 0), "{report:?}");
    assert!(report.skipped.is_empty(), "{report:?}");
    let last = monday + Duration::days(27);
    let sessions = w
        .ours
        .db(&w.store)
        .sessions_between(&monday.to_string(), &last.to_string())
        .await
        .unwrap();
    assert_eq!(sessions.len(), 20);
    for s in &sessions {
        let day = NaiveDate::parse_from_str(&s.date, "%Y-%m-%d").unwrap();
        assert!(
            day.weekday().num_days_from_monday() < 5,
            "no weekend clinic: {}",
            s.date
        );
        assert_eq!(
            (s.clinician_id.as_str(), s.room.as_str()),
            (gp, room.1.as_str())
        );
        assert_eq!(
            (s.start.as_str(), s.end.as_str(), s.slot_minutes),
            ("08:30", "12:00", 10)
        );
        assert_eq!(s.slots().len(), 21);
    }
    let reception = actor(&w.ours, "reception");
    let free =
        services::appointments::next_free_slot(&w.store, &reception, None, &monday.to_string())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        (free.date, free.start),
        (monday.to_string(), "08:30".to_string()),
        "bookable at once"
    );

    let again = services::clinics::generate(&w.store, &admin, &monday.to_string(), "4")
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.already_made),
        (0, 20),
        "nothing made twice"
    );
    let trail = w
        .ours
        .db(&w.store)
        .audit_rows(&Default::default(), 10)
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|r| r.action.starts_with("made 20 clinic sessions from rotas")),
        "audited"
    );
}

#[tokio::test]
async fn an_absence_over_booked_appointments_lists_them_for_moving_and_cancels_none() {
    let w = world().await;
    let admin = actor(&w.ours, "admin");
    let reception = actor(&w.ours, "reception");
    let (gp, gp2) = (w.ours.staff_id("gp"), w.ours.staff_id("gp2"));
    let rooms = w.ours.db(&w.store).rooms().await.unwrap();
    services::clinics::add_rota(&w.store, &admin, rota(gp, &rooms[0].0, &WEEKDAYS))
        .await
        .unwrap();
    services::clinics::add_rota(&w.store, &admin, rota(gp2, &rooms[1].0, &WEEKDAYS))
        .await
        .unwrap();
    let monday = next_monday() + Duration::days(7);
    services::clinics::generate(&w.store, &admin, &next_monday().to_string(), "4")
        .await
        .unwrap();
    let tuesday = (monday + Duration::days(1)).to_string();
    let day = w.ours.db(&w.store).day_sessions(&tuesday).await.unwrap();
    let session_of = |who: &str| {
        day.iter()
            .find(|s| s.clinician_id == who)
            .unwrap()
            .id
            .clone()
    };
    let first = book(
        &w.store,
        &reception,
        &session_of(gp),
        "09:00",
        &w.ours.patient_ids[0],
    )
    .await
    .unwrap();
    let second = book(
        &w.store,
        &reception,
        &session_of(gp),
        "10:30",
        &w.ours.patient_ids[1],
    )
    .await
    .unwrap();

    let away = services::clinics::add_absence(
        &w.store,
        &admin,
        absence(gp, monday, monday + Duration::days(4)),
    )
    .await
    .unwrap();
    assert_eq!(away.sessions_blocked, 5);
    let listed: Vec<&str> = away.to_move.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        listed,
        [first.id.as_str(), second.id.as_str()],
        "both listed, in time order"
    );
    for a in [&first, &second] {
        let now = w.ours.db(&w.store).appointment(&a.id).await.unwrap();
        assert_eq!(
            (now.status, now.version),
            (Status::Booked, a.version),
            "not cancelled, not touched"
        );
    }

    let refused = book(
        &w.store,
        &reception,
        &session_of(gp),
        "11:00",
        &w.ours.patient_ids[2],
    )
    .await
    .unwrap_err();
    assert_eq!(field(&refused).as_deref(), Some("slot"));
    assert!(
        words(&refused).contains("away then (leave)"),
        "{}",
        words(&refused)
    );
    let free = services::appointments::next_free_slot(
        &w.store,
        &reception,
        Some(&gp.into()),
        &monday.to_string(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(
        free.date > (monday + Duration::days(4)).to_string(),
        "no free slot offered while away: {free:?}"
    );
    let trail = w
        .ours
        .db(&w.store)
        .audit_rows(&Default::default(), 5)
        .await
        .unwrap();
    assert!(trail.iter().any(|r| r
        .action
        .contains("5 sessions blocked, 2 appointments to move")));

    // Reception moves one to Dr Bell the same day: the list shrinks.
    let moved = services::appointments::move_booking(
        &w.store,
        &reception,
        &first.id.clone().into(),
        first.version.into(),
        &session_of(gp2).into(),
        "09:00",
    )
    .await
    .unwrap();
    assert_eq!(moved.clinician_id, gp2);
    let info = services::clinics::rotas_info(&w.store, &admin)
        .await
        .unwrap();
    let still: Vec<&str> = info.absences[0]
        .to_move
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(still, [second.id.as_str()]);

    // Generating again does not put a clinic on a day away.
    let report = services::clinics::generate(&w.store, &admin, &next_monday().to_string(), "4")
        .await
        .unwrap();
    assert_eq!(report.created, 0);

    // The absence removed: the sessions take bookings again.
    services::clinics::remove_absence(&w.store, &admin, &away.id)
        .await
        .unwrap();
    book(
        &w.store,
        &reception,
        &session_of(gp),
        "11:00",
        &w.ours.patient_ids[2],
    )
    .await
    .unwrap();
}
