//! The rules around rotas, absences and rooms: bad input is refused by
//! field with nothing written; only the practice's admin, only within the
//! practice; rooms renamed and retired, a retired room offered for nothing
//! new.

mod common;

use chrono::Duration;
use common::rotas::{absence, next_monday, rota, WEEKDAYS};
use common::{actor, field, words, world};
use services::ServiceError;
use store::fixtures::everything;

#[tokio::test]
async fn bad_rotas_absences_and_generations_are_refused_by_field_and_change_nothing() {
    let w = world().await;
    let admin = actor(&w.ours, "admin");
    let gp = w.ours.staff_id("gp");
    let room = w.ours.db(&w.store).rooms().await.unwrap()[0].0.clone();
    let before = everything(&w.store).await.unwrap();

    let mut bad = rota(w.ours.staff_id("reception"), "no-such-room", &["0", "8"]);
    bad.start = "8.30".into();
    bad.slot_minutes = "3".into();
    bad.kind = "carrier pigeon".into();
    let e = services::clinics::add_rota(&w.store, &admin, bad)
        .await
        .unwrap_err();
    let ServiceError::Invalid(fields) = &e else {
        panic!("{e:?}")
    };
    let mut named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    named.sort_unstable();
    assert_eq!(
        named,
        [
            "clinician",
            "kind",
            "room",
            "slot_minutes",
            "start",
            "weekdays"
        ],
        "{fields:?}"
    );

    let monday = next_monday();
    let e = services::clinics::add_absence(
        &w.store,
        &admin,
        absence(gp, monday, monday - Duration::days(1)),
    )
    .await
    .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("to"));
    let e = services::clinics::generate(&w.store, &admin, "2020-01-06", "13")
        .await
        .unwrap_err();
    let ServiceError::Invalid(fields) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        fields.len(),
        2,
        "the past first day and the 13 weeks: {fields:?}"
    );
    assert_eq!(
        everything(&w.store).await.unwrap(),
        before,
        "nothing written"
    );

    // Two absences of one person may not overlap.
    services::clinics::add_absence(
        &w.store,
        &admin,
        absence(gp, monday, monday + Duration::days(4)),
    )
    .await
    .unwrap();
    let e = services::clinics::add_absence(
        &w.store,
        &admin,
        absence(gp, monday + Duration::days(4), monday + Duration::days(9)),
    )
    .await
    .unwrap_err();
    assert!(
        words(&e).contains("is already recorded as away"),
        "{}",
        words(&e)
    );
    // Nor can a session be added on a day away.
    let e = services::clinics::add_session(
        &w.store,
        &admin,
        services::clinics::SessionForm {
            clinician: gp.to_string(),
            room,
            date: monday.to_string(),
            start: "14:00".into(),
            end: "16:00".into(),
            slot_minutes: "15".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(words(&e).contains("is away that day"), "{}", words(&e));
}

#[tokio::test]
async fn only_the_practices_admin_and_only_within_the_practice() {
    let w = world().await;
    let admin = actor(&w.ours, "admin");
    let gp = w.ours.staff_id("gp");
    let room = w.ours.db(&w.store).rooms().await.unwrap()[0].0.clone();
    for who in ["reception", "gp", "nurse"] {
        let e =
            services::clinics::add_rota(&w.store, &actor(&w.ours, who), rota(gp, &room, &WEEKDAYS))
                .await
                .unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden), "{who}: {e:?}");
        let e = services::clinics::rotas_info(&w.store, &actor(&w.ours, who))
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden), "{who}: {e:?}");
    }
    let monday = next_monday();
    services::clinics::add_rota(&w.store, &admin, rota(gp, &room, &WEEKDAYS))
        .await
        .unwrap();
    let away = services::clinics::add_absence(&w.store, &admin, absence(gp, monday, monday))
        .await
        .unwrap();

    let their_admin = actor(&w.theirs, "admin");
    let e = services::clinics::add_rota(&w.store, &their_admin, rota(gp, &room, &WEEKDAYS))
        .await
        .unwrap_err();
    let ServiceError::Invalid(fields) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        fields.len(),
        2,
        "our clinician and our room are not theirs: {fields:?}"
    );
    let e = services::clinics::add_absence(&w.store, &their_admin, absence(gp, monday, monday))
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("clinician"));
    let e = services::clinics::remove_absence(&w.store, &their_admin, &away.id)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    for e in [
        services::clinics::remove_absence(&w.store, &admin, "")
            .await
            .unwrap_err(),
        services::clinics::rename_room(&w.store, &admin, "", 1, "Room X")
            .await
            .unwrap_err(),
        services::clinics::set_rota_active(&w.store, &admin, "", 1, false)
            .await
            .unwrap_err(),
    ] {
        assert!(
            matches!(e, ServiceError::NotFound),
            "an empty id names nothing: {e:?}"
        );
    }
    let theirs = services::clinics::rotas_info(&w.store, &their_admin)
        .await
        .unwrap();
    assert!(theirs.rotas.is_empty() && theirs.absences.is_empty());
    assert!(theirs.rooms.iter().all(|r| r.id != room));
    let report = services::clinics::generate(&w.store, &their_admin, &monday.to_string(), "1")
        .await
        .unwrap();
    assert_eq!(report.created, 0, "our rota makes nothing for them");
    let ours = services::clinics::rotas_info(&w.store, &admin)
        .await
        .unwrap();
    assert_eq!(ours.absences.len(), 1, "ours untouched");
}

#[tokio::test]
async fn rooms_are_renamed_and_retired_and_a_retired_room_is_offered_for_nothing_new() {
    let w = world().await;
    let admin = actor(&w.ours, "admin");
    let gp = w.ours.staff_id("gp");
    let id = services::clinics::add_room(&w.store, &admin, "Room 9")
        .await
        .unwrap();
    let room =
        |info: &domain::rota::RotasInfo| info.rooms.iter().find(|r| r.id == id).unwrap().clone();
    let v = room(
        &services::clinics::rotas_info(&w.store, &admin)
            .await
            .unwrap(),
    );

    let e = services::clinics::rename_room(&w.store, &admin, &id, v.version, "Room 1")
        .await
        .unwrap_err();
    assert_eq!(words(&e), "There is already a room called \"Room 1\".");
    services::clinics::rename_room(&w.store, &admin, &id, v.version, "Treatment room")
        .await
        .unwrap();
    let e = services::clinics::rename_room(&w.store, &admin, &id, v.version, "Old name")
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Conflict { .. }),
        "a second admin on the old version is told: {e:?}"
    );
    let v = room(
        &services::clinics::rotas_info(&w.store, &admin)
            .await
            .unwrap(),
    );
    assert_eq!((v.name.as_str(), v.retired), ("Treatment room", false));

    let made = services::clinics::add_rota(&w.store, &admin, rota(gp, &id, &["3"]))
        .await
        .unwrap();
    services::clinics::set_room_retired(&w.store, &admin, &id, v.version, true)
        .await
        .unwrap();
    let info = services::clinics::rotas_info(&w.store, &admin)
        .await
        .unwrap();
    assert!(room(&info).retired, "still listed, as retired");
    let sessions = services::clinics::sessions_info(&w.store, &admin, &next_monday().to_string())
        .await
        .unwrap();
    assert!(
        sessions.rooms.iter().all(|(r, _)| *r != id),
        "not offered for a new session"
    );
    let e = services::clinics::add_rota(&w.store, &admin, rota(gp, &id, &["4"]))
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("room"));
    let report = services::clinics::generate(&w.store, &admin, &next_monday().to_string(), "1")
        .await
        .unwrap();
    assert_eq!(report.created, 0);
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert_eq!(report.skipped[0].reason, "Treatment room is retired");
    assert!(made.active);
}
