//! Staff accounts run by the practice's admin: a new account signs in
//! with its one-time password and must choose its own; bad fields are
//! refused by name and write nothing; only admin, only in their practice;
//! two admins on one account, the second is told; deactivation ends every
//! session at once (and tells every server to close their sockets); a
//! reset password must be changed; an admin cannot lock themselves out.

mod common;

use common::{actor, field, world};
use services::auth::{self, Activity, AuthConfig, PasswordChange};
use services::staff::admin::{self, Change, NewMember};
use services::ServiceError;
use store::fixtures::{everything, PASSWORD};

fn member(name: &str, username: &str, role: &str) -> NewMember {
    NewMember {
        name: name.into(),
        username: username.into(),
        role: role.into(),
        teams: vec![],
    }
}

fn username_of(p: &store::fixtures::SmallPractice, role: domain::Role) -> String {
    p.staff
        .iter()
        .find(|(_, _, r)| *r == role)
        .unwrap()
        .0
        .clone()
}

async fn version_of(w: &common::World, a: &services::Actor, id: &domain::StaffId) -> i64 {
    let list = admin::list(&w.store, a).await.unwrap();
    list.into_iter().find(|s| s.id == *id).unwrap().version
}

async fn signed_in(store: &store::Store, token: &str) -> Option<auth::SignedIn> {
    auth::resolve_session(
        store,
        &AuthConfig::default(),
        token,
        chrono::Utc::now(),
        Activity::Person,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_new_account_signs_in_once_with_its_one_time_password_then_chooses_its_own() {
    let w = world().await;
    let config = AuthConfig::default();
    let admin_actor = actor(&w.ours, "admin");
    let team = w.ours.db(&w.store).create_team("Front desk").await.unwrap();
    let mut new = member("Sam Patel", "Sam.Patel", "reception");
    new.teams = vec![team];
    let made = admin::add(&w.store, &admin_actor, &new).await.unwrap();
    assert_eq!(made.username, "sam.patel");
    assert!(domain::password::problem("sam.patel", &made.password).is_none());

    let listed = admin::list(&w.store, &admin_actor).await.unwrap();
    let sam = listed.iter().find(|a| a.username == "sam.patel").unwrap();
    assert_eq!(
        (sam.name.as_str(), sam.role),
        ("Sam Patel", domain::Role::Reception)
    );
    assert_eq!(sam.teams, vec!["Front desk".to_string()]);
    assert!(sam.active && sam.must_change_password && sam.last_sign_in.is_none());

    let session = auth::sign_in(
        &w.store,
        &config,
        "sam.patel",
        &made.password,
        "10.0.0.9",
        None,
    )
    .await
    .unwrap();
    let me = signed_in(&w.store, &session.token).await.unwrap();
    assert!(
        me.must_change_password,
        "a one-time password must be changed"
    );
    auth::change_password(
        &w.store,
        &config,
        &me.actor,
        &me.session_key,
        &PasswordChange {
            current: made.password.clone(),
            new: "lantern meadow copper".into(),
            confirm: "lantern meadow copper".into(),
        },
    )
    .await
    .unwrap();
    let me = signed_in(&w.store, &session.token).await.unwrap();
    assert!(!me.must_change_password, "their own password now");
    let listed = admin::list(&w.store, &admin_actor).await.unwrap();
    let sam = listed.iter().find(|a| a.username == "sam.patel").unwrap();
    assert!(sam.last_sign_in.is_some() && !sam.must_change_password);
    // The one-time password no longer works.
    assert!(matches!(
        auth::sign_in(
            &w.store,
            &config,
            "sam.patel",
            &made.password,
            "10.0.0.9",
            None
        )
        .await,
        Err(ServiceError::BadCredentials)
    ));
}

#[tokio::test]
async fn a_bad_new_account_is_refused_by_field_and_writes_nothing() {
    let w = world().await;
    let admin_actor = actor(&w.ours, "admin");
    let their_team = w.theirs.db(&w.store).create_team("Theirs").await.unwrap();
    let their_admin = username_of(&w.theirs, domain::Role::Admin);
    let before = everything(&w.store).await.unwrap();
    let mut foreign_team = member("Sam Patel", "sam", "reception");
    foreign_team.teams = vec![their_team];
    for (new, wanted) in [
        (member("", "sam", "reception"), "name"),
        (member("Sam Patel", "s", "reception"), "username"),
        (member("Sam Patel", "sam patel", "reception"), "username"),
        (member("Sam Patel", "sam", "surgeon"), "role"),
        // Usernames are unique across the deployment, not just the practice.
        (member("Sam Patel", &their_admin, "reception"), "username"),
        (foreign_team, "teams"),
    ] {
        let refused = admin::add(&w.store, &admin_actor, &new).await.unwrap_err();
        assert_eq!(field(&refused).as_deref(), Some(wanted), "{refused}");
    }
    assert_eq!(
        before,
        everything(&w.store).await.unwrap(),
        "nothing written"
    );
}

#[tokio::test]
async fn only_an_admin_runs_accounts_and_only_in_their_own_practice() {
    let w = world().await;
    for who in ["gp", "nurse", "reception"] {
        let a = actor(&w.ours, who);
        assert!(matches!(
            admin::list(&w.store, &a).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            admin::add(&w.store, &a, &member("X Y", "xy", "admin")).await,
            Err(ServiceError::Forbidden)
        ));
        let target = w.ours.staff_id("reception").into();
        assert!(matches!(
            admin::change(&w.store, &a, &target, 1, Change::Deactivate).await,
            Err(ServiceError::Forbidden)
        ));
    }
    let ours = actor(&w.ours, "admin");
    let listed = admin::list(&w.store, &ours).await.unwrap();
    assert!(
        listed.iter().all(|a| !a.username.starts_with("o-")),
        "{listed:?}"
    );
    // Another practice's account does not exist for our admin.
    let theirs = w.theirs.staff_id("reception").into();
    let before = everything(&w.store).await.unwrap();
    assert!(matches!(
        admin::change(&w.store, &ours, &theirs, 1, Change::Deactivate).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        admin::reset_password(&w.store, &ours, &theirs, 1).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(before, everything(&w.store).await.unwrap());
}

#[tokio::test]
async fn two_admins_changing_one_account_the_second_is_told() {
    let w = world().await;
    let a = actor(&w.ours, "admin");
    let target = w.ours.staff_id("nurse").into();
    let v = version_of(&w, &a, &target).await;
    let first = Change::Details {
        name: "Nia Jones RN".into(),
        role: "nurse".into(),
    };
    let saved = admin::change(&w.store, &a, &target, v, first)
        .await
        .unwrap();
    assert_eq!(
        (saved.name.as_str(), saved.version),
        ("Nia Jones RN", v + 1)
    );
    let second = Change::Details {
        name: "Someone else".into(),
        role: "gp".into(),
    };
    let refused = admin::change(&w.store, &a, &target, v, second)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ServiceError::Conflict { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("Nia Jones RN"), "{refused}");
    let now = admin::list(&w.store, &a)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == target)
        .unwrap();
    assert_eq!(
        (now.name.as_str(), now.role),
        ("Nia Jones RN", domain::Role::Nurse),
        "not overwritten"
    );
}

#[tokio::test]
async fn deactivation_ends_every_session_at_once_and_reactivation_lets_them_back() {
    let w = world().await;
    let config = AuthConfig::default();
    let a = actor(&w.ours, "admin");
    let username = username_of(&w.ours, domain::Role::Reception);
    let target: domain::StaffId = w.ours.staff_id("reception").into();
    let one = auth::sign_in(&w.store, &config, &username, PASSWORD, "10.0.0.5", None)
        .await
        .unwrap();
    let two = auth::sign_in(&w.store, &config, &username, PASSWORD, "10.0.0.6", None)
        .await
        .unwrap();
    let seq_before = w.ours.db(&w.store).event_seq().await.unwrap();

    let v = version_of(&w, &a, &target).await;
    let off = admin::change(&w.store, &a, &target, v, Change::Deactivate)
        .await
        .unwrap();
    assert!(!off.active);
    assert!(signed_in(&w.store, &one.token).await.is_none());
    assert!(signed_in(&w.store, &two.token).await.is_none());
    assert!(matches!(
        auth::sign_in(&w.store, &config, &username, PASSWORD, "10.0.0.5", None).await,
        Err(ServiceError::BadCredentials)
    ));
    // Every server hears of it: an outbox event naming them.
    let events = w
        .ours
        .db(&w.store)
        .events_since(seq_before, 10)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == domain::live::EventKind::StaffSignedOut
                && e.record == target.as_str()),
        "{events:?}"
    );
    // Their name stays in the lists history reads from.
    assert!(admin::list(&w.store, &a)
        .await
        .unwrap()
        .iter()
        .any(|s| s.id == target));

    let on = admin::change(&w.store, &a, &target, off.version, Change::Reactivate)
        .await
        .unwrap();
    assert!(on.active);
    auth::sign_in(&w.store, &config, &username, PASSWORD, "10.0.0.5", None)
        .await
        .unwrap();

    let trail = services::audit::trail(&w.store, &a, services::audit::TrailFilter::default())
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions
            .iter()
            .any(|x| x.starts_with("deactivated staff account")),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|x| x.starts_with("reactivated staff account")),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_reset_password_must_be_changed_and_the_old_one_stops_working() {
    let w = world().await;
    let config = AuthConfig::default();
    let a = actor(&w.ours, "admin");
    let username = username_of(&w.ours, domain::Role::Gp);
    let target: domain::StaffId = w.ours.staff_id("gp").into();
    let old = auth::sign_in(&w.store, &config, &username, PASSWORD, "10.0.0.5", None)
        .await
        .unwrap();
    let v = version_of(&w, &a, &target).await;
    let reset = admin::reset_password(&w.store, &a, &target, v)
        .await
        .unwrap();
    assert!(
        signed_in(&w.store, &old.token).await.is_none(),
        "their sessions ended"
    );
    assert!(matches!(
        auth::sign_in(&w.store, &config, &username, PASSWORD, "10.0.0.5", None).await,
        Err(ServiceError::BadCredentials)
    ));
    let new = auth::sign_in(
        &w.store,
        &config,
        &username,
        &reset.password,
        "10.0.0.5",
        None,
    )
    .await
    .unwrap();
    assert!(
        signed_in(&w.store, &new.token)
            .await
            .unwrap()
            .must_change_password
    );
    let trail = services::audit::trail(&w.store, &a, services::audit::TrailFilter::default())
        .await
        .unwrap();
    assert!(
        trail.iter().all(|e| !e.action.contains(&reset.password)),
        "no password in the trail"
    );
}

#[tokio::test]
async fn an_admin_cannot_lock_themselves_out() {
    let w = world().await;
    let a = actor(&w.ours, "admin");
    let me: domain::StaffId = w.ours.staff_id("admin").into();
    let v = version_of(&w, &a, &me).await;
    let before = everything(&w.store).await.unwrap();
    assert!(matches!(
        admin::change(&w.store, &a, &me, v, Change::Deactivate).await,
        Err(ServiceError::Conflict { .. })
    ));
    let demote = Change::Details {
        name: "Eve Morgan".into(),
        role: "reception".into(),
    };
    assert_eq!(
        field(
            &admin::change(&w.store, &a, &me, v, demote)
                .await
                .unwrap_err()
        )
        .as_deref(),
        Some("role")
    );
    assert!(matches!(
        admin::reset_password(&w.store, &a, &me, v).await,
        Err(ServiceError::Conflict { .. })
    ));
    assert_eq!(before, everything(&w.store).await.unwrap());
}
