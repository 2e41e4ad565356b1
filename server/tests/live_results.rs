//! The inboxes are live: a report a laboratory posts reaches the GP's open
//! inbox within 2 s, first when abnormal; filing it takes it out; a
//! reassignment moves it from one inbox to the other; matching from the
//! Unmatched list brings it into the pool; an inbox longer than a window
//! reads on past its end and stays live. Over real websockets.

mod common;

use common::*;
use domain::live::{ClientMessage, Rows, ServerMessage, Topic, RESULTS_SHOWN};
use domain::results::{FileForm, InboxKey, InboxRow};
use std::time::{Duration, Instant};

/// The rows the list holds after the next change, merged as a browser does.
async fn next_rows(ws: &mut Ws, topic: &Topic, held: &mut Rows) -> Vec<InboxRow> {
    match next(ws, Duration::from_secs(2)).await {
        Some(ServerMessage::Changes { rows, .. }) => held.merge(topic, rows),
        other => panic!("no change within 2 s: {other:?}"),
    }
    held.results().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_reach_open_inboxes_live_and_leave_when_filed_or_moved() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let gp_id = w.ours.staff_id("gp").to_string();
    let gp2_id = w.ours.staff_id("gp2").to_string();
    let lab_actor = lab_actor(&w.ours);

    let gp_cookie = sign_in(&state, &addr, "gp").await;
    let mut gp_ws = staff_socket(&addr, &gp_cookie).await;
    let mine = Topic::Inbox {
        staff: gp_id.clone(),
    };
    let ServerMessage::Snapshot { rows: mut held, .. } =
        subscribe(&mut gp_ws, mine.clone(), None).await
    else {
        panic!("no snapshot")
    };
    assert!(held.is_empty());
    let gp2_cookie = sign_in(&state, &addr, "gp2").await;
    let mut gp2_ws = staff_socket(&addr, &gp2_cookie).await;
    let theirs = Topic::Inbox {
        staff: gp2_id.clone(),
    };
    let ServerMessage::Snapshot {
        rows: mut held2, ..
    } = subscribe(&mut gp2_ws, theirs.clone(), None).await
    else {
        panic!("no snapshot")
    };
    let mut pool_ws = staff_socket(&addr, &gp2_cookie).await;
    let ServerMessage::Snapshot { rows: mut pool, .. } =
        subscribe(&mut pool_ws, Topic::ResultsPool, None).await
    else {
        panic!("no snapshot")
    };

    // A normal report, then an abnormal one: the abnormal one comes first.
    let started = Instant::now();
    services::results::receive(
        &w.store,
        &lab_actor,
        &lab_report("L1", 38.0, Some(&gp_id), "1961-04-03"),
    )
    .await
    .unwrap();
    let rows = next_rows(&mut gp_ws, &mine, &mut held).await;
    assert_eq!(rows.len(), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
    let high = services::results::receive(
        &w.store,
        &lab_actor,
        &lab_report("L2", 64.0, Some(&gp_id), "1961-04-03"),
    )
    .await
    .unwrap();
    let rows = next_rows(&mut gp_ws, &mine, &mut held).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, high.id, "abnormal first");
    assert!(rows[0].abnormal);

    // Reassigned to gp2: it leaves gp's inbox and arrives in gp2's.
    let gp = actor(&w.ours, "gp");
    services::results::reassign(&w.store, &gp, &high.id, 1, Some(&gp2_id.clone().into()))
        .await
        .unwrap();
    let rows = next_rows(&mut gp_ws, &mine, &mut held).await;
    assert_eq!(rows.len(), 1, "left gp's inbox");
    let rows2 = next_rows(&mut gp2_ws, &theirs, &mut held2).await;
    assert_eq!(rows2.len(), 1);
    assert_eq!(rows2[0].id, high.id);

    // Filed by gp2: gone from their inbox.
    let gp2 = actor(&w.ours, "gp2");
    let form = FileForm {
        outcome: "abnormal_no_action".into(),
        ..FileForm::default()
    };
    services::results::file(&w.store, &gp2, &high.id, 2, &form)
        .await
        .unwrap();
    let rows2 = next_rows(&mut gp2_ws, &theirs, &mut held2).await;
    assert!(rows2.is_empty(), "filed reports leave the inbox");

    // An unmatched report matched by reception reaches the pool (no
    // requester, no usual GP).
    let odd = services::results::receive(
        &w.store,
        &lab_actor,
        &lab_report("L3", 64.0, None, "1961-04-04"),
    )
    .await
    .unwrap();
    let reception = actor(&w.ours, "reception");
    let patient = domain::PatientId::new(w.ours.patient_ids[0].clone());
    services::results::match_to(&w.store, &reception, &odd.id, 1, &patient)
        .await
        .unwrap();
    // The unmatched arrival (with no one) may come first, and is not shown.
    let mut rows = next_rows(&mut pool_ws, &Topic::ResultsPool, &mut pool).await;
    if rows.is_empty() {
        rows = next_rows(&mut pool_ws, &Topic::ResultsPool, &mut pool).await;
    }
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, odd.id);
}

/// Files a report "normal, no action" as the GP.
async fn file_normal(w: &World, id: &str) {
    let version = report_version(w, &w.ours, id).await;
    let form = FileForm {
        outcome: "normal".into(),
        ..FileForm::default()
    };
    services::results::file(&w.store, &actor(&w.ours, "gp"), id, version, &form)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inbox_longer_than_a_window_reads_on_and_stays_live() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let gp_id = w.ours.staff_id("gp").to_string();
    let lab = lab_actor(&w.ours);
    let total = RESULTS_SHOWN + 4;
    let mut ids = Vec::new();
    for i in 0..total {
        let report = lab_report(&format!("W{i}"), 38.0, Some(&gp_id), "1961-04-03");
        ids.push(
            services::results::receive(&w.store, &lab, &report)
                .await
                .unwrap()
                .id,
        );
    }
    let cookie = sign_in(&state, &addr, "gp").await;
    let mut ws = staff_socket(&addr, &cookie).await;
    let mine = Topic::Inbox {
        staff: gp_id.clone(),
    };
    let refused = |m: Option<ServerMessage>| match m {
        Some(ServerMessage::Refused { message, .. }) => message,
        other => panic!("not refused: {other:?}"),
    };

    // A list this socket does not watch is refused.
    let nowhere = InboxKey {
        normal: true,
        received_at: "2026-11-20T10:00:00Z".into(),
        id: "x".into(),
    };
    send(
        &mut ws,
        &ClientMessage::ReadOn {
            topic: mine.clone(),
            after: nowhere,
        },
    )
    .await;
    let message = refused(next(&mut ws, Duration::from_secs(5)).await);
    assert_eq!(message, "This list is not open on this connection.");

    let ServerMessage::Snapshot { rows: mut held, .. } =
        subscribe(&mut ws, mine.clone(), None).await
    else {
        panic!("no snapshot")
    };
    let horizon = held
        .result_rows()
        .unwrap()
        .horizon
        .clone()
        .expect("more wait");
    assert_eq!(held.results().len(), RESULTS_SHOWN);
    let beyond: Vec<String> = ids
        .iter()
        .filter(|id| !held.results().iter().any(|r| &r.id == *id))
        .cloned()
        .collect();
    assert_eq!(beyond.len(), 4);

    // A place that is not one is refused and changes nothing.
    let mut bad = horizon.clone();
    bad.received_at = "yesterday".into();
    send(
        &mut ws,
        &ClientMessage::ReadOn {
            topic: mine.clone(),
            after: bad,
        },
    )
    .await;
    let message = refused(next(&mut ws, Duration::from_secs(5)).await);
    assert_eq!(message, InboxKey::NOT_A_PLACE);

    // One beyond the window is filed before the list reads on: its change
    // arrives (and is not shown: the list does not reach it).
    file_normal(&w, &beyond[0]).await;
    let rows = next_rows(&mut ws, &mine, &mut held).await;
    assert_eq!(rows.len(), RESULTS_SHOWN);

    // Reading on: the rest, after the list's end, and nothing filed.
    send(
        &mut ws,
        &ClientMessage::ReadOn {
            topic: mine.clone(),
            after: horizon.clone(),
        },
    )
    .await;
    let Some(ServerMessage::More { after, rows, .. }) = next(&mut ws, Duration::from_secs(5)).await
    else {
        panic!("no next window")
    };
    assert_eq!(after, horizon);
    let Rows::Results(next_window) = rows else {
        panic!("not results")
    };
    assert_eq!(next_window.rows.len(), 3);
    assert!(next_window.horizon.is_none(), "the whole inbox is now sent");
    assert!(held.read_on(&mine, &after, next_window));
    let shown: Vec<&str> = held.results().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(shown.len(), total - 1);
    assert!(!shown.contains(&beyond[0].as_str()), "filed: not shown");
    assert!(beyond[1..].iter().all(|id| shown.contains(&id.as_str())));

    // Filing one of those just read on: it leaves the open list live.
    file_normal(&w, &beyond[3]).await;
    let rows = next_rows(&mut ws, &mine, &mut held).await;
    assert_eq!(rows.len(), total - 2);
    assert!(rows.iter().all(|r| r.id != beyond[3]));
}
