//! The services' test harness: a real (in-memory) SurrealDB with two small
//! practices, and actors as the doors would resolve them.

#![allow(dead_code)]

pub mod results;
pub mod rotas;

use services::Actor;
use store::fixtures::{two_practices, SmallPractice};
use store::Store;

pub const DATE: &str = "2026-11-21";

pub struct World {
    pub store: Store,
    pub ours: SmallPractice,
    pub theirs: SmallPractice,
}

pub async fn world() -> World {
    let store = Store::memory().await.unwrap();
    let (ours, theirs) = two_practices(&store, DATE).await.unwrap();
    World {
        store,
        ours,
        theirs,
    }
}

/// The two practices, ours with a "Prescriptions" team (its id).
pub async fn world_with_team() -> (World, String) {
    let w = world().await;
    let team = w
        .ours
        .db(&w.store)
        .create_team("Prescriptions")
        .await
        .unwrap();
    (w, team)
}

/// `username` of practice `p`, as a signed-in member of staff.
pub fn actor(p: &SmallPractice, username: &str) -> Actor {
    Actor::member(
        p.practice_id.clone(),
        p.staff_id(username).into(),
        p.name_of(username),
        p.role_of(username).expect("a fixture username"),
        Some("10.0.0.1".into()),
    )
}

/// The words of a refusal (what a person reads).
pub fn words(e: &services::ServiceError) -> String {
    e.to_string()
}

/// The field a refusal names, if it names one.
pub fn field(e: &services::ServiceError) -> Option<String> {
    match e {
        services::ServiceError::Invalid(f) => f.first().map(|f| f.field.clone()),
        _ => None,
    }
}
