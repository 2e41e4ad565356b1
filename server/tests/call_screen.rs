//! The waiting-room call screen over a real socket: it is fed short names
//! and rooms only, and a revoked display link stops it at once.

mod common;

use axum::http::StatusCode;
use common::*;
use domain::live::{ClientMessage, Rows, ServerMessage, Topic, CLOSE_SIGNED_OUT};
use futures::StreamExt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_screen_gets_short_names_and_rooms_only_and_a_revoked_link_stops() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let key = "display-secret-for-tests-0123456789";
    let link = w
        .ours
        .db(&w.store)
        .create_display_link(&services::auth::token_key(key), w.ours.staff_id("admin"))
        .await
        .unwrap();
    let practice = w.ours.practice_id.to_string();
    let mut screen = display_socket(&addr, &practice, key).await;
    let ServerMessage::Snapshot {
        rows: Rows::Calls(calls),
        ..
    } = subscribe(&mut screen, Topic::CallScreen, None).await
    else {
        panic!("expected a snapshot")
    };
    assert!(calls.is_empty());
    // A display link shows calls only.
    assert!(matches!(
        subscribe(&mut screen, waiting_room(), None).await,
        ServerMessage::Refused { .. }
    ));

    let reception = sign_in(&state, &addr, "reception").await;
    let gp = sign_in(&state, &addr, "gp").await;
    let a = &w.ours.appointments[0];
    act(&state, &addr, &reception, &a.id, a.version, "mark_arrived").await;
    let b = &w.ours.appointments[1];
    act(&state, &addr, &reception, &b.id, b.version, "mark_arrived").await;
    act(&state, &addr, &gp, &b.id, b.version + 1, "send_in_quietly").await;
    let (status, _) = act(&state, &addr, &gp, &a.id, a.version + 1, "call_in").await;
    assert_eq!(status, StatusCode::OK);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let raw = loop {
        let frame = tokio::time::timeout_at(deadline, screen.next())
            .await
            .expect("no call within 3 s")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = frame {
            break t.to_string();
        }
    };
    let message: ServerMessage = serde_json::from_str(&raw).unwrap();
    // Calls only: a call-screen change cannot carry appointment rows (the
    // wire type has no room for them), and the frame has no patient names.
    let ServerMessage::Changes {
        rows: Rows::Calls(calls),
        ..
    } = message
    else {
        panic!("expected changes, got {raw}")
    };
    assert!(
        !raw.contains("patient_name") && !raw.contains("appointments"),
        "{raw}"
    );
    assert_eq!(calls.len(), 1, "the quiet send-in is not shown");
    assert_eq!(
        (calls[0].short_name.as_str(), calls[0].room.as_str()),
        ("J. Smith", "Room 1")
    );
    for personal in ["John", "SMITH", "1961", "9990000018", "Mr "] {
        assert!(
            !raw.contains(personal),
            "the call screen received {personal:?}: {raw}"
        );
    }

    // The wrong practice in the address, or no hello, or a secret in the
    // address (as links carried it before), opens nothing.
    let mut wrong = display_socket(&addr, w.theirs.practice_id.as_str(), key).await;
    assert_eq!(
        closed_with(&mut wrong, Duration::from_secs(3)).await,
        Some(CLOSE_SIGNED_OUT)
    );
    let old_style = format!("/ws/display?practice={practice}&key={key}");
    let mut silent = connect(&addr, &old_style, None, Some(&format!("http://{addr}")))
        .await
        .unwrap();
    send(
        &mut silent,
        &ClientMessage::Subscribe {
            topic: Topic::CallScreen,
            since: None,
        },
    )
    .await;
    assert_eq!(
        closed_with(&mut silent, Duration::from_secs(3)).await,
        Some(1008),
        "a socket that does not start with the link is closed"
    );

    // Revoking the link closes the open screen at once (not at the next
    // periodic check), through the service as the page does it.
    let admin = actor(&w.ours, "admin");
    let revoked_at = std::time::Instant::now();
    services::display::revoke(&w.store, &admin, &domain::DisplayLinkId::new(link.as_str()))
        .await
        .unwrap();
    assert_eq!(
        closed_with(&mut screen, Duration::from_secs(5)).await,
        Some(CLOSE_SIGNED_OUT)
    );
    assert!(
        revoked_at.elapsed() < Duration::from_secs(3),
        "closed after {:?}",
        revoked_at.elapsed()
    );
    let mut again = display_socket(&addr, &practice, key).await;
    assert_eq!(
        closed_with(&mut again, Duration::from_secs(3)).await,
        Some(CLOSE_SIGNED_OUT)
    );
}
