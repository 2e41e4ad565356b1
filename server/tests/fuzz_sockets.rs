//! Property tests of the socket door: random and malformed websocket
//! frames. Whatever arrives, the server answers, or closes the socket with
//! a close frame that says why (never a reset), writes nothing, and goes on
//! serving. `OP_FUZZ_CASES` runs more cases than the default.

mod common;

use common::fuzz::{junk, runner};
use common::*;
use domain::live::{ClientMessage, ServerMessage};
use futures::{SinkExt, StreamExt};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// A frame, shown shortly when a case fails.
#[derive(Clone)]
struct Frame(Message);

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Message::Text(t) if t.len() > 300 => {
                let start: String = t.as_str().chars().take(40).collect();
                write!(f, "text of {} bytes starting {start:?}", t.len())
            }
            other => write!(f, "{other:?}"),
        }
    }
}

/// A frame a socket client might send: random text, a real message with
/// junk in its fields, a real message cut short, bytes, or something huge.
fn frame() -> impl Strategy<Value = Frame> {
    frame_message().prop_map(Frame)
}

fn frame_message() -> impl Strategy<Value = Message> {
    let message = prop_oneof![
        junk().prop_map(|v| json!({"type": "subscribe", "topic": {"kind": "day_list", "clinician": v, "date": "2026-11-21"}})),
        junk().prop_map(|v| json!({"type": "subscribe", "topic": {"kind": "waiting_room", "date": v}, "since": 0})),
        junk().prop_map(|v| json!({"type": "subscribe", "topic": {"kind": "team_tasks", "team": v}, "since": v})),
        junk().prop_map(|v| json!({"type": "subscribe", "topic": {"kind": "task", "id": v}})),
        junk().prop_map(|v| json!({"type": "subscribe", "topic": v})),
        junk().prop_map(|v| json!({"type": "unsubscribe", "topic": {"kind": "my_tasks", "staff": v}})),
        junk().prop_map(|v| json!({"type": "here", "place": {"kind": "patient", "id": v}, "editing": true})),
        junk().prop_map(|v| json!({"type": "here", "place": {"kind": "task", "id": "x"}, "editing": v})),
        junk().prop_map(|v| json!({"type": "away", "place": v})),
        junk().prop_map(|v| json!({"type": "display", "practice": v, "key": v})),
        junk().prop_map(|v| json!({"type": v})),
        junk(),
    ];
    prop_oneof![
        4 => message.clone().prop_map(|v| Message::text(v.to_string())),
        1 => (message, any::<usize>()).prop_map(|(v, n)| {
            let s = v.to_string();
            let mut cut = n % (s.len() + 1);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            Message::text(&s[..cut])
        }),
        1 => any::<String>().prop_map(Message::text),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Message::binary),
        1 => Just(Message::text(format!("{}{}", "[".repeat(5000), "]".repeat(5000)))),
        1 => Just(Message::text("x".repeat(200 * 1024))),
    ]
}

/// What the server did with a frame.
#[derive(Debug, PartialEq)]
enum Answer {
    /// Answered (or ignored) it and still answers a ping.
    Alive,
    /// Closed the socket with a close frame saying why.
    Closed(u16),
}

async fn try_frame(ws: &mut Ws, frame: Message) -> Result<Answer, String> {
    ws.send(frame).await.map_err(|e| format!("send: {e}"))?;
    let ping = serde_json::to_string(&ClientMessage::Ping).unwrap();
    // A close may already be on its way: a failed send of the ping is not
    // an answer yet.
    let _ = ws.send(Message::text(ping)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return Err("no answer within 5 s".into()),
            Ok(None) => return Err("the connection ended without a close frame".into()),
            Ok(Some(Err(e))) => return Err(format!("the connection failed: {e}")),
            Ok(Some(Ok(Message::Close(Some(f))))) => return Ok(Answer::Closed(f.code.into())),
            Ok(Some(Ok(Message::Close(None)))) => return Err("a close frame without a code".into()),
            Ok(Some(Ok(Message::Text(t)))) => {
                match serde_json::from_str::<ServerMessage>(t.as_str()) {
                    Ok(ServerMessage::Pong) => return Ok(Answer::Alive),
                    Ok(
                        ServerMessage::Refused { message, .. }
                        | ServerMessage::PresenceRefused { message, .. },
                    ) => {
                        if message.trim().is_empty() {
                            return Err("a refusal without words".into());
                        }
                    }
                    Ok(_) => {}
                    Err(e) => return Err(format!("an answer the client cannot read: {e}: {t}")),
                }
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[test]
fn malformed_socket_frames_close_the_socket_with_a_reason_and_the_server_goes_on() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (w, addr, cookie) = rt.block_on(async {
        let w = world().await;
        let state = state(&w.store);
        let addr = serve(state.clone()).await;
        let cookie = sign_in(&state, &addr, "reception").await;
        (w, addr, cookie)
    });
    let before = rt.block_on(store::fixtures::everything(&w.store)).unwrap();
    let socket = std::cell::RefCell::new(None::<Ws>);
    let open = || async {
        // The previous socket's close may still be on its way: a refusal
        // for too many tabs is retried.
        for _ in 0..50 {
            if let Ok(ws) =
                connect(&addr, "/ws", Some(&cookie), Some(&format!("http://{addr}"))).await
            {
                return ws;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the server stopped accepting sockets");
    };
    let closes = std::cell::RefCell::new(std::collections::BTreeMap::<u16, usize>::new());
    let result = runner(300).run(&frame(), |frame| {
        let shown = format!("{frame:?}");
        let frame = frame.0;
        let answer = rt.block_on(async {
            let kept = socket.borrow_mut().take();
            let mut ws = match kept {
                Some(ws) => ws,
                None => open().await,
            };
            let answer = try_frame(&mut ws, frame).await;
            if answer == Ok(Answer::Alive) {
                *socket.borrow_mut() = Some(ws);
            }
            answer
        });
        match answer {
            Ok(Answer::Alive) => {}
            Ok(Answer::Closed(code)) => {
                // 1003 not text, 1008 not a message we know, 1009 too big,
                // 4429 too many messages.
                prop_assert!(
                    [1003, 1008, 1009, 4429].contains(&code),
                    "closed with {code} after {shown}"
                );
                *closes.borrow_mut().entry(code).or_default() += 1;
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e} after {shown}"))),
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    rt.block_on(async {
        // The server still serves a well-formed subscription.
        let mut ws = open().await;
        let snapshot = subscribe(
            &mut ws,
            domain::live::Topic::WaitingRoom { date: DATE.into() },
            None,
        )
        .await;
        assert!(
            matches!(snapshot, ServerMessage::Snapshot { .. }),
            "{snapshot:?}"
        );
    });
    assert_eq!(
        rt.block_on(store::fixtures::everything(&w.store)).unwrap(),
        before,
        "socket frames wrote to the database"
    );
    let closes = closes.into_inner();
    assert!(!closes.is_empty(), "some frames were refused: {closes:?}");
}
