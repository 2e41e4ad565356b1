//! Teams and the server cluster against a real (in-memory) SurrealDB:
//! team membership within a practice, and servers finding each other.
//! (Tasks themselves are tested through their service: services/tests/tasks.rs.)

use store::fixtures::{small_practice, SmallPractice};
use store::staff::hash_password;
use store::Store;

const DATE: &str = "2026-11-21";

async fn setup() -> (Store, SmallPractice, String) {
    let store = Store::memory().await.unwrap();
    let hash = hash_password("a long test password").unwrap();
    let p = small_practice(&store, "Test Surgery", "", &hash, DATE)
        .await
        .unwrap();
    let team = p.db(&store).create_team("Prescriptions").await.unwrap();
    (store, p, team)
}

#[tokio::test]
async fn admins_manage_team_membership_within_their_practice() {
    let (store, p, team) = setup().await;
    let nurse = p.staff_id("nurse");
    p.db(&store).add_team_member(&team, nurse).await.unwrap();
    assert!(matches!(
        p.db(&store)
            .add_team_member(&team, nurse)
            .await
            .unwrap_err(),
        store::StoreError::AlreadyExists
    ));
    let teams = p.db(&store).teams_with_members().await.unwrap();
    let rx = teams.iter().find(|t| t.id == team).unwrap();
    assert_eq!(
        rx.members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["Nurse Cara Lee"]
    );
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, DATE)
        .await
        .unwrap();
    let e = p
        .db(&store)
        .add_team_member(&team, other.staff_id("gp"))
        .await
        .unwrap_err();
    assert!(matches!(e, store::StoreError::NotFound), "{e:?}");
    let e = other
        .db(&store)
        .add_team_member(&team, other.staff_id("gp"))
        .await
        .unwrap_err();
    assert!(matches!(e, store::StoreError::NotFound), "{e:?}");
    assert!(matches!(
        other
            .db(&store)
            .remove_team_member(&team, nurse)
            .await
            .unwrap_err(),
        store::StoreError::NotFound
    ));
    p.db(&store).remove_team_member(&team, nurse).await.unwrap();
    let teams = p.db(&store).teams_with_members().await.unwrap();
    let left = &teams.iter().find(|t| t.id == team).unwrap().members;
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(p.db(&store).practice_staff().await.unwrap().len(), 5);
}

#[tokio::test]
async fn servers_share_one_relay_key_and_see_each_other_until_they_leave() {
    let (store, _, _) = setup().await;
    let key = store.cluster_secret().await.unwrap();
    assert_eq!(key.len(), 64);
    assert_eq!(
        store.cluster_secret().await.unwrap(),
        key,
        "the first key stays"
    );
    store.announce_node("a", "127.0.0.1:1000").await.unwrap();
    store.announce_node("b", "127.0.0.1:2000").await.unwrap();
    let seen_by_a = store.live_nodes("a", 10).await.unwrap();
    assert_eq!(
        seen_by_a,
        [store::live::cluster::Node {
            id: "b".into(),
            address: "127.0.0.1:2000".into()
        }]
    );
    store.forget_node("b").await.unwrap();
    assert!(store.live_nodes("a", 10).await.unwrap().is_empty());
}
