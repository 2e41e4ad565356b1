//! Teams through the server: only admin manages them, and only in its own
//! practice.

mod common;

use axum::http::StatusCode;
use common::*;
use server::app;
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admin_manages_teams_and_only_in_its_own_practice() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let team = w.ours.db(&w.store).create_team("Admin").await.unwrap();
    let post = |cookie: String, path: &'static str, body: String| {
        let (state, addr) = (state.clone(), addr.clone());
        async move {
            app(state)
                .oneshot(form(path, &addr, body, Some(&cookie)))
                .await
                .unwrap()
                .status()
        }
    };
    let nurse = w.ours.staff_id("nurse").to_string();
    let reception = sign_in(&state, &addr, "reception").await;
    let body = format!("team={team}&staff={nurse}&add=true");
    assert_eq!(
        post(reception.clone(), "/api/team_member", body.clone()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(reception, "/api/create_team", "name=Secret".into()).await,
        StatusCode::FORBIDDEN
    );
    let admin = sign_in(&state, &addr, "admin").await;
    assert_eq!(
        post(admin.clone(), "/api/team_member", body.clone()).await,
        StatusCode::OK
    );
    assert_eq!(
        post(admin.clone(), "/api/team_member", body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already a member"
    );
    assert_eq!(
        post(admin.clone(), "/api/create_team", "name=Admin".into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "name taken"
    );
    // Another practice's admin cannot touch our team.
    let theirs = sign_in(&state, &addr, "o-admin").await;
    let their_staff = w.theirs.staff_id("nurse").to_string();
    assert_eq!(
        post(
            theirs,
            "/api/team_member",
            format!("team={team}&staff={their_staff}&add=true")
        )
        .await,
        StatusCode::NOT_FOUND
    );
    let teams = w.ours.db(&w.store).teams_with_members().await.unwrap();
    let members: Vec<String> = teams
        .iter()
        .flat_map(|t| t.members.iter().map(|m| m.name.clone()))
        .collect();
    assert_eq!(members, ["Nurse Cara Lee"]);
}
