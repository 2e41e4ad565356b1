//! Team tasks through the server: changes and comments reach subscribers
//! (never another practice), two editors never overwrite each other, a
//! reassigned task reaches both lists. Teams: `teams.rs`.

mod common;

use axum::http::StatusCode;
use common::*;
use domain::live::{Place, Rows, ServerMessage, Topic};
use server::app;
use std::time::Duration;
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_changes_and_comments_reach_subscribers_and_other_practices_get_nothing() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let team = w
        .ours
        .db(&w.store)
        .create_team("Prescriptions")
        .await
        .unwrap();
    let a = sign_in(&state, &addr, "admin").await;
    let b = sign_in(&state, &addr, "reception").await;
    let post = |path: &'static str, cookie: String, body: String| {
        let (state, addr) = (state.clone(), addr.clone());
        async move {
            let res = app(state)
                .oneshot(form(path, &addr, body, Some(&cookie)))
                .await
                .unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let mut a_ws = staff_socket(&addr, &a).await;
    let list = Topic::TeamTasks { team: team.clone() };
    let ServerMessage::Snapshot {
        rows: Rows::Tasks(tasks),
        ..
    } = subscribe(&mut a_ws, list, None).await
    else {
        panic!("expected a snapshot")
    };
    assert!(tasks.is_empty());

    // B creates a task for the team: it appears in A's list.
    let (status, body) = post(
        "/api/create_task",
        b.clone(),
        format!(
            "title=Repeat+prescription&details=&priority=urgent&patient_id={}&assignee=team:{team}",
            w.ours.patient_ids[1]
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created: domain::task::TaskView = serde_json::from_str(&body).unwrap();
    let Some(ServerMessage::Changes {
        rows: Rows::Tasks(tasks),
        ..
    }) = next(&mut a_ws, Duration::from_secs(2)).await
    else {
        panic!("the new task did not reach the team list")
    };
    assert_eq!(
        (tasks[0].id.as_str(), tasks[0].patient_name.as_deref()),
        (created.id.as_str(), Some("Mrs Aisha KHAN"))
    );

    // B claims it: A sees who.
    let (status, _) = post(
        "/api/task_action",
        b.clone(),
        format!("id={}&version={}&action=claim", created.id, created.version),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let Some(ServerMessage::Changes {
        rows: Rows::Tasks(tasks),
        ..
    }) = next(&mut a_ws, Duration::from_secs(2)).await
    else {
        panic!("the claim did not arrive")
    };
    assert_eq!(tasks[0].assigned_staff_name.as_deref(), Some("Dee Patel"));
    // A's own claim now is refused with who has it.
    let (status, body) = post(
        "/api/task_action",
        a.clone(),
        format!("id={}&version={}&action=claim", created.id, created.version),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Claimed by Dee Patel."), "{body}");

    // A watches the task; B comments; A is told and the comment is there.
    let one = Topic::Task {
        id: created.id.clone(),
    };
    assert!(matches!(
        subscribe(&mut a_ws, one.clone(), None).await,
        ServerMessage::Snapshot { .. }
    ));
    let (status, _) = post(
        "/api/comment_on_task",
        b.clone(),
        format!("id={}&comment=Phoned+the+pharmacy", created.id),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut told = false;
    for _ in 0..3 {
        if let Some(ServerMessage::Changes { topic, .. }) =
            next(&mut a_ws, Duration::from_secs(2)).await
        {
            if topic == one {
                told = true;
                break;
            }
        }
    }
    assert!(told, "the comment did not reach the task's subscriber");
    let (status, body) = post("/api/task_page", a.clone(), format!("id={}", created.id)).await;
    assert_eq!(status, StatusCode::OK);
    let page: app::tasks::TaskPage = serde_json::from_str(&body).unwrap();
    assert_eq!(page.comments[0].0, "Dee Patel");
    assert_eq!(page.comments[0].1, "Phoned the pharmacy");

    // Another practice: cannot read, subscribe to, or change it.
    let theirs = sign_in(&state, &addr, "o-admin").await;
    let (status, _) = post(
        "/api/task_page",
        theirs.clone(),
        format!("id={}", created.id),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        "/api/comment_on_task",
        theirs.clone(),
        format!("id={}&comment=hi", created.id),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut their_ws = staff_socket(&addr, &theirs).await;
    assert!(matches!(
        subscribe(&mut their_ws, one, None).await,
        ServerMessage::Refused { .. }
    ));
    assert!(matches!(
        subscribe(&mut their_ws, Topic::TeamTasks { team }, None).await,
        ServerMessage::Refused { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_editors_from_the_same_version_the_second_is_told_and_nothing_is_overwritten() {
    let w = world().await;
    let state = state(&w.store);
    let addr = "127.0.0.1:3000";
    let team = w.ours.db(&w.store).create_team("Admin").await.unwrap();
    let a = sign_in(&state, addr, "admin").await;
    let b = sign_in(&state, addr, "reception").await;
    let post = |path: &'static str, cookie: String, body: String| {
        let state = state.clone();
        async move {
            let res = app(state)
                .oneshot(form(path, addr, body, Some(&cookie)))
                .await
                .unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, body) = post(
        "/api/create_task",
        a.clone(),
        format!("title=Scan+letter&details=&priority=routine&assignee=team:{team}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let t: domain::task::TaskView = serde_json::from_str(&body).unwrap();
    let edit = |title: &str, version: i64| {
        format!(
            "id={}&version={version}&title={title}&details=&priority=urgent",
            t.id
        )
    };
    let (status, _) = post(
        "/api/edit_task",
        a.clone(),
        edit("Scan+and+code+letter", t.version),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = post(
        "/api/edit_task",
        b.clone(),
        edit("Scan+letter+today", t.version),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("Changed by Eve Morgan at ") && body.contains("Your text is kept"),
        "{body}"
    );
    assert_eq!(
        w.ours.db(&w.store).task(&t.id).await.unwrap().title,
        "Scan and code letter"
    );
    // Saving again over the current version is a deliberate choice, and works.
    let (status, _) = post(
        "/api/edit_task",
        b,
        edit("Scan+letter+today", t.version + 1),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        w.ours.db(&w.store).task(&t.id).await.unwrap().title,
        "Scan letter today"
    );
    // Bad input changes nothing.
    let (status, _) = post("/api/edit_task", a, edit("", t.version + 2)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        w.ours.db(&w.store).task(&t.id).await.unwrap().version,
        t.version + 2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reassigned_task_reaches_the_list_it_left_and_the_person_it_joined() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let Place::Task { id } = presence_task(&w).await else {
        unreachable!()
    };
    let task = w.ours.db(&w.store).task(&id).await.unwrap();
    let old_team = task.assigned_team_id.clone().unwrap();
    let admin = sign_in(&state, &addr, "admin").await;
    let gp = sign_in(&state, &addr, "gp").await;
    let mut team_ws = staff_socket(&addr, &admin).await;
    subscribe(
        &mut team_ws,
        Topic::TeamTasks {
            team: old_team.clone(),
        },
        None,
    )
    .await;
    let gp_id = w.ours.staff_id("gp").to_string();
    let mut gp_ws = staff_socket(&addr, &gp).await;
    subscribe(
        &mut gp_ws,
        Topic::MyTasks {
            staff: gp_id.clone(),
        },
        None,
    )
    .await;

    let res = app(state.clone())
        .oneshot(form(
            "/api/reassign_task",
            &addr,
            format!("id={id}&version={}&assignee=staff:{gp_id}", task.version),
            Some(&admin),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let Some(ServerMessage::Changes {
        rows: Rows::Tasks(tasks),
        ..
    }) = next(&mut gp_ws, Duration::from_secs(2)).await
    else {
        panic!("the GP's list was not told")
    };
    assert_eq!(
        tasks[0].assigned_staff_name.as_deref(),
        Some("Dr Ann Carter")
    );

    // Now to another team's pool: the team list it left is told (and drops it).
    let other = w.ours.db(&w.store).create_team("Clinical").await.unwrap();
    let res = app(state.clone())
        .oneshot(form(
            "/api/reassign_task",
            &addr,
            format!("id={id}&version={}&assignee=team:{other}", task.version + 1),
            Some(&admin),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut told = None;
    while let Some(m) = next(&mut team_ws, Duration::from_secs(2)).await {
        if let ServerMessage::Changes {
            rows: Rows::Tasks(tasks),
            ..
        } = m
        {
            if tasks
                .iter()
                .any(|t| t.assigned_team_id.as_deref() == Some(other.as_str()))
            {
                told = Some(tasks);
                break;
            }
        }
    }
    assert!(
        told.is_some(),
        "the old team list was not told the task left"
    );
    let Some(ServerMessage::Changes {
        rows: Rows::Tasks(tasks),
        ..
    }) = next(&mut gp_ws, Duration::from_secs(2)).await
    else {
        panic!("the GP's list was not told the task left")
    };
    assert_eq!(tasks[0].assigned_staff_id, None);

    // A bad assignee is refused in words and changes nothing.
    let res = app(state.clone())
        .oneshot(form(
            "/api/reassign_task",
            &addr,
            format!("id={id}&version={}&assignee=nobody", task.version + 2),
            Some(&admin),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("Choose a team or a person."));
    assert_eq!(
        w.ours.db(&w.store).task(&id).await.unwrap().version,
        task.version + 2
    );
}
