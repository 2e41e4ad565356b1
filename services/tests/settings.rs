//! Practice settings: only the practice's admin reads and changes them,
//! each bad field refused by name with nothing written, two admins at once
//! the second is told, every change audited and announced to open
//! screens; the wait thresholds reach every member of staff's day lists
//! (the server's defaults until the practice sets its own).

mod common;

use common::{actor, world};
use domain::live::{EventKind, WaitThresholds};
use domain::settings::SettingsForm;
use services::ServiceError;
use store::fixtures::everything;

const SERVER: WaitThresholds = WaitThresholds {
    amber_minutes: 15,
    red_minutes: 30,
};

fn form(amber: &str, red: &str) -> SettingsForm {
    SettingsForm {
        name: "Test Surgery".into(),
        ods_code: "a81001".into(),
        address: "1 River Lane".into(),
        phone: "0161 496 0000".into(),
        wait_amber_minutes: amber.into(),
        wait_red_minutes: red.into(),
        results_overdue_days: "3".into(),
        call_chime: "on".into(),
    }
}

#[tokio::test]
async fn the_admin_changes_the_settings_and_every_day_list_uses_them() {
    let w = world().await;
    let admin = actor(&w.ours, "admin");
    let gp = actor(&w.ours, "gp");
    let before = services::settings::get(&w.store, &admin, SERVER)
        .await
        .unwrap();
    assert_eq!(
        before.waiting, SERVER,
        "the server's until the practice sets its own"
    );
    let info = services::appointments::day_info(&w.store, &gp, SERVER)
        .await
        .unwrap();
    assert_eq!(info.waiting, SERVER);

    let seq = w.ours.db(&w.store).event_seq().await.unwrap();
    let saved =
        services::settings::save(&w.store, &admin, &form("5", "12"), before.version, SERVER)
            .await
            .unwrap();
    assert_eq!(saved.ods_code.as_deref(), Some("A81001"));
    assert_eq!(saved.version, before.version + 1);
    let info = services::appointments::day_info(&w.store, &gp, SERVER)
        .await
        .unwrap();
    assert_eq!(
        (info.waiting.amber_minutes, info.waiting.red_minutes),
        (5, 12)
    );
    // Another practice keeps its own (the server's).
    let theirs = services::appointments::day_info(&w.store, &actor(&w.theirs, "gp"), SERVER)
        .await
        .unwrap();
    assert_eq!(theirs.waiting, SERVER);
    // Open screens are told; the trail says who.
    let events = w.ours.db(&w.store).events_since(seq, 10).await.unwrap();
    assert!(
        events.iter().any(|e| e.kind == EventKind::Settings),
        "{events:?}"
    );
    let trail = services::audit::trail(&w.store, &admin, services::audit::TrailFilter::default())
        .await
        .unwrap();
    assert!(trail
        .iter()
        .any(|e| e.action == "changed the practice settings"));
    // The FHIR Organization (the directory) shows who the practice is.
    let practice = services::directory::practice(&w.store, &admin)
        .await
        .unwrap();
    assert_eq!(practice.ods_code.as_deref(), Some("A81001"));
    assert_eq!(practice.phone.as_deref(), Some("0161 496 0000"));
}

#[tokio::test]
async fn bad_settings_stale_saves_and_other_roles_are_refused_and_write_nothing() {
    let w = world().await;
    let admin = actor(&w.ours, "admin");
    let v = services::settings::get(&w.store, &admin, SERVER)
        .await
        .unwrap()
        .version;
    let before = everything(&w.store).await.unwrap();
    for who in ["gp", "nurse", "reception"] {
        let a = actor(&w.ours, who);
        assert!(matches!(
            services::settings::get(&w.store, &a, SERVER).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            services::settings::save(&w.store, &a, &form("5", "12"), v, SERVER).await,
            Err(ServiceError::Forbidden)
        ));
    }
    let refused = services::settings::save(&w.store, &admin, &form("20", "10"), v, SERVER)
        .await
        .unwrap_err();
    match refused {
        ServiceError::Invalid(fields) => assert_eq!(fields[0].field, "wait_red_minutes"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        before,
        everything(&w.store).await.unwrap(),
        "nothing written"
    );

    services::settings::save(&w.store, &admin, &form("5", "12"), v, SERVER)
        .await
        .unwrap();
    let stale = services::settings::save(&w.store, &admin, &form("8", "16"), v, SERVER)
        .await
        .unwrap_err();
    assert!(matches!(stale, ServiceError::Conflict { .. }), "{stale:?}");
    let now = services::settings::get(&w.store, &admin, SERVER)
        .await
        .unwrap();
    assert_eq!(now.waiting.amber_minutes, 5, "the first save stands");
}
