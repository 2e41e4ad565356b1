//! The live day end to end without a browser: changes made through the
//! real server functions reach real websocket clients, across reconnects
//! and servers; subscriptions are authorised. The call screen: `call_screen.rs`.

mod common;

use axum::http::StatusCode;
use common::*;
use domain::appointment_status::Status;
use domain::live::{ClientMessage, Rows, ServerMessage, Topic};
use futures::SinkExt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_a_server_function_reaches_a_subscriber() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let reception = sign_in(&state, &addr, "reception").await;
    let mut ws = staff_socket(&addr, &reception).await;

    let ServerMessage::Snapshot {
        seq,
        rows: Rows::Appointments(appointments),
        ..
    } = subscribe(&mut ws, waiting_room(), None).await
    else {
        panic!("expected a snapshot")
    };
    assert_eq!(seq, 4);
    assert_eq!(appointments.len(), 4, "only our practice's appointments");
    assert!(appointments
        .iter()
        .all(|a| w.ours.appointments.iter().any(|o| o.id == a.id)));

    let a = &w.ours.appointments[0];
    let started = std::time::Instant::now();
    let (status, _) = act(&state, &addr, &reception, &a.id, a.version, "mark_arrived").await;
    assert_eq!(status, StatusCode::OK);
    let Some(ServerMessage::Changes {
        seq,
        rows: Rows::Appointments(appointments),
        ..
    }) = next(&mut ws, Duration::from_secs(2)).await
    else {
        panic!("the change did not arrive within 2 s")
    };
    assert_eq!(seq, 5);
    assert_eq!(appointments.len(), 1);
    assert_eq!(appointments[0].id, a.id);
    assert_eq!(appointments[0].status, Status::Arrived);
    assert_eq!(appointments[0].updated_by.as_deref(), Some("Dee Patel"));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnecting_client_receives_exactly_what_it_missed() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let reception = sign_in(&state, &addr, "reception").await;
    let mut ws = staff_socket(&addr, &reception).await;
    let ServerMessage::Snapshot { seq: last_seq, .. } =
        subscribe(&mut ws, waiting_room(), None).await
    else {
        panic!("expected a snapshot")
    };
    ws.close(None).await.unwrap();
    drop(ws);

    // While it is away: three arrivals, then one of them is undone.
    let mut missed = Vec::new();
    for a in &w.ours.appointments[..3] {
        let (status, _) = act(&state, &addr, &reception, &a.id, a.version, "mark_arrived").await;
        assert_eq!(status, StatusCode::OK);
        missed.push(a.id.clone());
    }
    let first = &w.ours.appointments[0];
    let (status, _) = act(
        &state,
        &addr,
        &reception,
        &first.id,
        first.version + 1,
        "undo_arrival",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Another practice's change in the meantime must not appear.
    let theirs = &w.theirs.appointments[0];
    w.theirs
        .db(&w.store)
        .change_appointment_status(
            &theirs.id,
            theirs.version,
            domain::appointment_status::Action::MarkArrived,
            w.theirs.staff_id("reception"),
        )
        .await
        .unwrap();

    let mut ws = staff_socket(&addr, &reception).await;
    let ServerMessage::Changes {
        seq,
        rows: Rows::Appointments(appointments),
        ..
    } = subscribe(&mut ws, waiting_room(), Some(last_seq)).await
    else {
        panic!("expected just the changes")
    };
    assert_eq!(seq, last_seq + 4);
    let mut got: Vec<String> = appointments.iter().map(|a| a.id.clone()).collect();
    got.sort();
    missed.sort();
    assert_eq!(got, missed, "exactly the missed appointments, each once");
    let status_of = |id: &str| appointments.iter().find(|a| a.id == id).unwrap().status;
    assert_eq!(
        status_of(&first.id),
        Status::Booked,
        "the latest state, not the first"
    );
    assert_eq!(status_of(&w.ours.appointments[1].id), Status::Arrived);

    // And it is live again afterwards.
    let d = &w.ours.appointments[3];
    act(&state, &addr, &reception, &d.id, d.version, "mark_arrived").await;
    let Some(ServerMessage::Changes {
        rows: Rows::Appointments(appointments),
        ..
    }) = next(&mut ws, Duration::from_secs(2)).await
    else {
        panic!("not live after reconnecting")
    };
    assert_eq!(appointments[0].id, d.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_of_another_practice_receives_nothing() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let ours = sign_in(&state, &addr, "reception").await;
    let theirs = sign_in(&state, &addr, "o-reception").await;
    let mut their_ws = staff_socket(&addr, &theirs).await;
    let ServerMessage::Snapshot {
        rows: Rows::Appointments(appointments),
        ..
    } = subscribe(&mut their_ws, waiting_room(), None).await
    else {
        panic!("expected a snapshot")
    };
    assert!(appointments
        .iter()
        .all(|a| w.theirs.appointments.iter().any(|t| t.id == a.id)));
    // They may not watch our GP's day list either: not in their practice.
    let refused = subscribe(
        &mut their_ws,
        Topic::DayList {
            clinician: w.ours.staff_id("gp").into(),
            date: DATE.into(),
        },
        None,
    )
    .await;
    assert!(
        matches!(refused, ServerMessage::Refused { .. }),
        "{refused:?}"
    );

    for a in &w.ours.appointments {
        act(&state, &addr, &ours, &a.id, a.version, "mark_arrived").await;
    }
    // Nor can they act on our appointments: it does not exist for them.
    let a = &w.ours.appointments[0];
    let (status, _) = act(&state, &addr, &theirs, &a.id, a.version + 1, "undo_arrival").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Round-trip a ping: anything pushed to them would have come first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    send(&mut their_ws, &ClientMessage::Ping).await;
    assert_eq!(
        next(&mut their_ws, Duration::from_secs(2)).await,
        Some(ServerMessage::Pong)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_authorised_by_role_practice_and_object() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;

    // No session, or a foreign page, cannot even open the socket.
    let err = connect(&addr, "/ws", None, Some(&format!("http://{addr}")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
    let gp = sign_in(&state, &addr, "gp").await;
    let err = connect(&addr, "/ws", Some(&gp), Some("http://evil.example"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");
    let err = connect(&addr, "/ws", Some(&gp), None).await.unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");

    let mut ws = staff_socket(&addr, &gp).await;
    let mine = Topic::DayList {
        clinician: w.ours.staff_id("gp").into(),
        date: DATE.into(),
    };
    let ServerMessage::Snapshot {
        rows: Rows::Appointments(appointments),
        ..
    } = subscribe(&mut ws, mine, None).await
    else {
        panic!("a GP may watch their own day")
    };
    assert_eq!(appointments.len(), 4);
    let colleague = Topic::DayList {
        clinician: w.ours.staff_id("gp2").into(),
        date: DATE.into(),
    };
    let reply = subscribe(&mut ws, colleague.clone(), None).await;
    assert_eq!(
        reply,
        ServerMessage::Refused {
            topic: colleague.clone(),
            message: "You can only watch your own day list.".into()
        }
    );
    let bad_date = Topic::WaitingRoom {
        date: "21/11/2026".into(),
    };
    assert!(matches!(
        subscribe(&mut ws, bad_date, None).await,
        ServerMessage::Refused { .. }
    ));

    // Reception may watch any clinician's day in its practice.
    let reception = sign_in(&state, &addr, "reception").await;
    let mut ws = staff_socket(&addr, &reception).await;
    assert!(matches!(
        subscribe(&mut ws, colleague, None).await,
        ServerMessage::Snapshot { .. }
    ));

    // The admin team does not work the desk.
    let admin = sign_in(&state, &addr, "admin").await;
    let mut ws = staff_socket(&addr, &admin).await;
    assert!(matches!(
        subscribe(&mut ws, waiting_room(), None).await,
        ServerMessage::Refused { .. }
    ));

    // A message that is not ours closes the socket.
    let mut ws = staff_socket(&addr, &reception).await;
    ws.send(Message::text("{\"type\":\"drop_tables\"}"))
        .await
        .unwrap();
    assert_eq!(next(&mut ws, Duration::from_secs(2)).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_through_one_server_reaches_a_client_of_another() {
    let w = world().await;
    // Two servers (two hubs) sharing one database, as behind a load balancer.
    let a_state = state(&w.store);
    let b_state = state(&w.store);
    let a_addr = serve(a_state.clone()).await;
    let b_addr = serve(b_state.clone()).await;
    let reception = sign_in(&a_state, &a_addr, "reception").await;
    let mut on_b = staff_socket(&b_addr, &reception).await;
    assert!(matches!(
        subscribe(&mut on_b, waiting_room(), None).await,
        ServerMessage::Snapshot { .. }
    ));
    let x = &w.ours.appointments[2];
    let (status, _) = act(
        &a_state,
        &a_addr,
        &reception,
        &x.id,
        x.version,
        "mark_arrived",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let Some(ServerMessage::Changes {
        rows: Rows::Appointments(appointments),
        ..
    }) = next(&mut on_b, Duration::from_secs(2)).await
    else {
        panic!("server B's client did not get server A's change")
    };
    assert_eq!(appointments[0].id, x.id);
}
