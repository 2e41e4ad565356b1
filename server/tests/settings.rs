//! Practice settings through the server: the admin saves new wait
//! thresholds and every open staff socket of the practice is told at once
//! (its pages read them again), and the day lists' info carries them; the
//! call screen reads its chime setting and is told of a change too.

mod common;

use axum::http::StatusCode;
use common::*;
use domain::live::{DayInfo, ServerMessage};
use futures::StreamExt;
use server::app;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_settings_reach_open_screens_at_once() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let admin = sign_in(&state, &addr, "admin").await;
    let reception = sign_in(&state, &addr, "reception").await;
    let mut ws = staff_socket(&addr, &reception).await;
    assert!(matches!(
        subscribe(&mut ws, waiting_room(), None).await,
        ServerMessage::Snapshot { .. }
    ));

    let body =
        "version=1&form[name]=Test+Surgery&form[ods_code]=A81001&form[address]=&form[phone]=\
                &form[wait_amber_minutes]=5&form[wait_red_minutes]=12&form[results_overdue_days]=2";
    let res = app(state.clone())
        .oneshot(form(
            "/api/save_settings",
            &addr,
            body.to_string(),
            Some(&admin),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    told_settings_changed(&mut ws, "the open waiting room").await;
    let res = app(state.clone())
        .oneshot(form(
            "/api/day_info",
            &addr,
            String::new(),
            Some(&reception),
        ))
        .await
        .unwrap();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let info: DayInfo = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (info.waiting.amber_minutes, info.waiting.red_minutes),
        (5, 12)
    );
}

/// The call screen (a display link, no staff session) reads the practice's
/// name and chime setting, and is told at once when the admin changes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_screen_chimes_as_the_practice_sets_it_live() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let admin = sign_in(&state, &addr, "admin").await;
    let key = "display-secret-for-the-chime-test-0123456789";
    w.ours
        .db(&w.store)
        .create_display_link(&services::auth::token_key(key), w.ours.staff_id("admin"))
        .await
        .unwrap();
    let practice = w.ours.practice_id.as_str().to_string();
    let info = |practice: String, key: &'static str| {
        let state = state.clone();
        let addr = addr.clone();
        async move {
            let body = format!("practice={practice}&key={key}");
            let res = app(state)
                .oneshot(form("/api/call_screen_info", &addr, body, None))
                .await
                .unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default(),
            )
        }
    };
    let (status, before) = info(practice.clone(), key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        before,
        serde_json::json!({"practice_name": "Test Surgery", "chime": false})
    );
    let (status, _) = info(practice.clone(), "not-the-key").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = info(w.theirs.practice_id.as_str().to_string(), key).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "our link opens nothing of theirs"
    );

    let mut ws = display_socket(&addr, &practice, key).await;
    assert!(matches!(
        subscribe(&mut ws, domain::live::Topic::CallScreen, None).await,
        ServerMessage::Snapshot { .. }
    ));
    let body = "version=1&form[name]=Test+Surgery&form[ods_code]=&form[address]=&form[phone]=\
                &form[wait_amber_minutes]=15&form[wait_red_minutes]=30&form[results_overdue_days]=2\
                &form[call_chime]=on";
    let res = app(state.clone())
        .oneshot(form(
            "/api/save_settings",
            &addr,
            body.to_string(),
            Some(&admin),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    told_settings_changed(&mut ws, "the call screen").await;
    let (_, after) = info(practice, key).await;
    assert_eq!(after["chime"], serde_json::json!(true));
}

/// Waits (at most 5 s) for `ws` to be told the settings changed.
async fn told_settings_changed(ws: &mut Ws, who: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .unwrap_or_else(|_| panic!("{who} was not told within 5 s"));
        if let Some(Ok(Message::Text(t))) = frame {
            if matches!(
                serde_json::from_str(&t).unwrap(),
                ServerMessage::SettingsChanged
            ) {
                return;
            }
        }
    }
}
