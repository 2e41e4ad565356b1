//! Changing one's own password: the current one checked, the new one by the
//! NCSC-style rules and typed twice alike, every other session ended, the
//! new password the only one that works after, and both outcomes audited.

mod common;

use common::{actor, field, world};
use services::auth::{self, Activity, AuthConfig, PasswordChange};
use services::ServiceError;
use store::fixtures::PASSWORD;

fn change(current: &str, new: &str, confirm: &str) -> PasswordChange {
    PasswordChange {
        current: current.into(),
        new: new.into(),
        confirm: confirm.into(),
    }
}

#[tokio::test]
async fn a_password_is_changed_only_with_the_current_one_and_by_the_rules() {
    let w = world().await;
    let config = AuthConfig::default();
    let username = w
        .ours
        .staff
        .iter()
        .find(|(u, _, _)| u == "gp" || u.ends_with("-gp"))
        .map(|(u, _, _)| u.clone())
        .unwrap();
    let here = auth::sign_in(&w.store, &config, &username, PASSWORD, "10.0.0.1", None)
        .await
        .unwrap();
    let elsewhere = auth::sign_in(&w.store, &config, &username, PASSWORD, "10.0.0.2", None)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let session = auth::resolve_session(&w.store, &config, &here.token, now, Activity::Person)
        .await
        .unwrap()
        .unwrap();
    let gp = actor(&w.ours, "gp");
    let new = "kettle harbour violin";

    // Each refusal names its field and changes nothing.
    for (form, wanted) in [
        (change("", new, new), "current_password"),
        (change(PASSWORD, "too short", "too short"), "new_password"),
        (
            change(PASSWORD, "qwerty123456", "qwerty123456"),
            "new_password",
        ),
        (
            change(
                PASSWORD,
                &format!("{username} at work"),
                &format!("{username} at work"),
            ),
            "new_password",
        ),
        (change(PASSWORD, PASSWORD, PASSWORD), "new_password"),
        (
            change(PASSWORD, new, "kettle harbour viola"),
            "confirm_password",
        ),
        (change("not my password", new, new), "current_password"),
    ] {
        let refused = auth::change_password(&w.store, &config, &gp, &session.session_key, &form)
            .await
            .unwrap_err();
        assert_eq!(field(&refused).as_deref(), Some(wanted), "{refused}");
    }
    assert!(
        auth::resolve_session(&w.store, &config, &elsewhere.token, now, Activity::Person)
            .await
            .unwrap()
            .is_some(),
        "nothing changed yet"
    );

    auth::change_password(
        &w.store,
        &config,
        &gp,
        &session.session_key,
        &change(PASSWORD, new, new),
    )
    .await
    .unwrap();
    // This session goes on; the one elsewhere has ended.
    let still = |token: String| {
        let (store, config) = (w.store.clone(), config.clone());
        async move {
            auth::resolve_session(&store, &config, &token, now, Activity::Person)
                .await
                .unwrap()
                .is_some()
        }
    };
    assert!(still(here.token.clone()).await);
    assert!(!still(elsewhere.token.clone()).await);
    // Only the new password signs in now.
    assert!(matches!(
        auth::sign_in(&w.store, &config, &username, PASSWORD, "10.0.0.3", None).await,
        Err(ServiceError::BadCredentials)
    ));
    auth::sign_in(&w.store, &config, &username, new, "10.0.0.3", None)
        .await
        .unwrap();

    // Both outcomes are in the trail, and no password is.
    let trail = services::audit::trail(
        &w.store,
        &actor(&w.ours, "admin"),
        services::audit::TrailFilter::default(),
    )
    .await
    .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"failed to change their password"),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"changed their password (their other sessions ended)"),
        "{actions:?}"
    );
    assert!(!actions
        .iter()
        .any(|a| a.contains(new) || a.contains(PASSWORD)));
}

#[tokio::test]
async fn another_practice_cannot_change_a_password_through_its_own_session() {
    let w = world().await;
    // An actor claiming our GP's id but their practice: the account is
    // not found in their practice, so nothing changes.
    let mut intruder = actor(&w.theirs, "admin");
    intruder.who = services::Who::Staff {
        id: w.ours.staff_id("gp").into(),
        role: domain::Role::Admin,
    };
    let refused = auth::change_password(
        &w.store,
        &AuthConfig::default(),
        &intruder,
        "no-session",
        &change(PASSWORD, "kettle harbour violin", "kettle harbour violin"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(refused, ServiceError::Unauthenticated),
        "{refused}"
    );
    auth::sign_in(
        &w.store,
        &AuthConfig::default(),
        "gp",
        PASSWORD,
        "10.0.0.9",
        None,
    )
    .await
    .unwrap();
}
