//! "Where you are signed in": a person sees their own sessions (device,
//! address, this one marked), ends one or all the others (this one goes
//! on), never another person's; the admin signs a colleague out
//! everywhere (every session ends, every server is told), only in their
//! own practice.

mod common;

use common::{actor, world};
use services::auth::{self, sessions, Activity, AuthConfig, SignedIn};
use services::ServiceError;
use store::fixtures::PASSWORD;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

async fn session_of(store: &store::Store, token: &str) -> Option<SignedIn> {
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

async fn signed_in_as(w: &common::World, username: &str, address: &str) -> String {
    let s = auth::sign_in(
        &w.store,
        &AuthConfig::default(),
        username,
        PASSWORD,
        address,
        None,
    )
    .await
    .unwrap();
    sessions::describe(&w.store, &s.token, FIREFOX, address)
        .await
        .unwrap();
    s.token
}

fn username(p: &store::fixtures::SmallPractice, role: domain::Role) -> String {
    p.staff
        .iter()
        .find(|(_, _, r)| *r == role)
        .unwrap()
        .0
        .clone()
}

#[tokio::test]
async fn a_person_sees_and_ends_their_own_sessions_only() {
    let w = world().await;
    let gp = username(&w.ours, domain::Role::Gp);
    let here = signed_in_as(&w, &gp, "10.0.0.1").await;
    let tablet = signed_in_as(&w, &gp, "10.0.0.2").await;
    let desk = signed_in_as(&w, &gp, "10.0.0.3").await;
    let colleague = signed_in_as(&w, &username(&w.ours, domain::Role::Nurse), "10.0.0.4").await;
    let me = session_of(&w.store, &here).await.unwrap();

    let list = sessions::mine(&w.store, &me).await.unwrap();
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(list.iter().filter(|s| s.current).count(), 1);
    assert!(list.iter().all(|s| s.device == "Firefox on Linux"));
    let tablet_view = list.iter().find(|s| s.address == "10.0.0.2").unwrap();

    // One other session ends; this one and the rest go on.
    sessions::end_mine(&w.store, &me, Some(&tablet_view.id))
        .await
        .unwrap();
    assert!(session_of(&w.store, &tablet).await.is_none());
    assert!(session_of(&w.store, &here).await.is_some());
    assert!(session_of(&w.store, &desk).await.is_some());
    // Not this one (Sign out does that), not one that is not theirs.
    let this = list.iter().find(|s| s.current).unwrap().id.clone();
    assert!(matches!(
        sessions::end_mine(&w.store, &me, Some(&this)).await,
        Err(ServiceError::Conflict { .. })
    ));
    let nurse = session_of(&w.store, &colleague).await.unwrap();
    let theirs = sessions::mine(&w.store, &nurse).await.unwrap()[0]
        .id
        .clone();
    assert!(matches!(
        sessions::end_mine(&w.store, &me, Some(&theirs)).await,
        Err(ServiceError::NotFound)
    ));
    assert!(session_of(&w.store, &colleague).await.is_some());

    // Everywhere else: only this one is left.
    sessions::end_mine(&w.store, &me, None).await.unwrap();
    assert!(session_of(&w.store, &desk).await.is_none());
    assert_eq!(sessions::mine(&w.store, &me).await.unwrap().len(), 1);
    assert!(session_of(&w.store, &colleague).await.is_some());
}

#[tokio::test]
async fn an_admin_signs_a_colleague_out_everywhere_in_their_own_practice_only() {
    let w = world().await;
    let reception = username(&w.ours, domain::Role::Reception);
    let one = signed_in_as(&w, &reception, "10.0.0.1").await;
    let two = signed_in_as(&w, &reception, "10.0.0.2").await;
    let admin = actor(&w.ours, "admin");
    let target: domain::StaffId = w.ours.staff_id("reception").into();
    for who in ["gp", "nurse", "reception"] {
        assert!(matches!(
            sessions::sign_out_everywhere(&w.store, &actor(&w.ours, who), &target).await,
            Err(ServiceError::Forbidden)
        ));
    }
    let theirs: domain::StaffId = w.theirs.staff_id("reception").into();
    let their_session = signed_in_as(
        &w,
        &username(&w.theirs, domain::Role::Reception),
        "10.0.0.9",
    )
    .await;
    assert!(matches!(
        sessions::sign_out_everywhere(&w.store, &admin, &theirs).await,
        Err(ServiceError::NotFound)
    ));
    assert!(session_of(&w.store, &their_session).await.is_some());

    let seq = w.ours.db(&w.store).event_seq().await.unwrap();
    sessions::sign_out_everywhere(&w.store, &admin, &target)
        .await
        .unwrap();
    assert!(session_of(&w.store, &one).await.is_none());
    assert!(session_of(&w.store, &two).await.is_none());
    let events = w.ours.db(&w.store).events_since(seq, 10).await.unwrap();
    assert!(events
        .iter()
        .any(|e| e.kind == domain::live::EventKind::StaffSignedOut && e.record == target.as_str()));
    let trail = services::audit::trail(&w.store, &admin, services::audit::TrailFilter::default())
        .await
        .unwrap();
    assert!(trail
        .iter()
        .any(|e| e.action.starts_with("signed staff account")
            && e.action.ends_with("out everywhere")));
}
