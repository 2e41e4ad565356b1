//! The inboxes are live: a report a laboratory posts reaches the GP's open
//! inbox within 2 s, first when abnormal; filing it takes it out; a
//! reassignment moves it from one inbox to the other; matching from the
//! Unmatched list brings it into the pool. Over real websockets.

mod common;

use common::*;
use domain::live::{Rows, ServerMessage, Topic};
use domain::results::{FileForm, InboxRow};
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
