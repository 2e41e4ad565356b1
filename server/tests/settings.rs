//! Practice settings through the server: the admin saves new wait
//! thresholds and every open staff socket of the practice is told at once
//! (its pages read them again), and the day lists' info carries them.

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

    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("the open waiting room was not told within 5 s");
        if let Some(Ok(Message::Text(t))) = frame {
            if matches!(
                serde_json::from_str(&t).unwrap(),
                ServerMessage::SettingsChanged
            ) {
                break;
            }
        }
    }
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
