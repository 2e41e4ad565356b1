//! The Unmatched list is live: a report no patient was found for appears
//! on every open list at once (demographics, never values); one matched
//! or rejected by a colleague leaves it; one a clinician takes from a
//! patient comes back to it; a report matched on arrival never shows.
//! Over real websockets.

mod common;

use common::*;
use domain::live::{Rows, ServerMessage, Topic};
use domain::results::UnmatchedRow;
use std::time::Duration;

/// The list after the next change, merged as a browser does.
async fn next_list(ws: &mut Ws, held: &mut Rows) -> Vec<UnmatchedRow> {
    match next(ws, Duration::from_secs(2)).await {
        Some(ServerMessage::Changes { rows, .. }) => held.merge(&Topic::Unmatched, rows),
        other => panic!("no change within 2 s: {other:?}"),
    }
    held.unmatched().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unmatched_list_is_live_for_everyone_who_matches() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let lab = lab_actor(&w.ours);
    // Reception and admin both have the list open.
    let mut lists = Vec::new();
    for who in ["reception", "admin"] {
        let cookie = sign_in(&state, &addr, who).await;
        let mut ws = staff_socket(&addr, &cookie).await;
        let ServerMessage::Snapshot { rows, .. } = subscribe(&mut ws, Topic::Unmatched, None).await
        else {
            panic!("{who} may watch the Unmatched list")
        };
        assert!(rows.is_empty());
        lists.push((ws, rows));
    }

    // A report whose birth date disagrees: on both lists, without values.
    let odd =
        services::results::receive(&w.store, &lab, &lab_report("U1", 97.3, None, "1961-04-04"))
            .await
            .unwrap();
    for (ws, held) in lists.iter_mut() {
        let rows = next_list(ws, held).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, odd.id);
        assert_eq!(rows[0].demographics.birth_date, "1961-04-04");
        assert!(
            rows[0].reason.contains("date of birth"),
            "{}",
            rows[0].reason
        );
        let wire = serde_json::to_string(&rows).unwrap();
        assert!(
            !wire.contains("97.3") && !wire.contains("mmol"),
            "never a value: {wire}"
        );
    }

    // A report that matches on arrival is never on the list.
    let matched =
        services::results::receive(&w.store, &lab, &lab_report("U2", 38.0, None, "1961-04-03"))
            .await
            .unwrap();
    assert!(matched.patient.is_some());
    for (ws, held) in lists.iter_mut() {
        if let Some(ServerMessage::Changes { rows, .. }) =
            next(ws, Duration::from_millis(600)).await
        {
            assert!(rows.is_empty(), "an arrival matched at once: {rows:?}");
            held.merge(&Topic::Unmatched, rows);
        }
    }

    // Reception matches it: it leaves admin's open list too.
    let patient = domain::PatientId::new(w.ours.patient_ids[0].clone());
    services::results::match_to(&w.store, &actor(&w.ours, "reception"), &odd.id, 1, &patient)
        .await
        .unwrap();
    for (ws, held) in lists.iter_mut() {
        assert!(next_list(ws, held).await.is_empty(), "matched: gone");
    }

    // A clinician takes the automatic match away: back on the list; then
    // admin rejects it: gone again.
    let version = report_version(&w, &w.ours, &matched.id).await;
    services::results::unmatch(
        &w.store,
        &actor(&w.ours, "gp"),
        &matched.id,
        version,
        "Sample labelled for another patient",
    )
    .await
    .unwrap();
    for (ws, held) in lists.iter_mut() {
        let rows = next_list(ws, held).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, matched.id);
    }
    let version = report_version(&w, &w.ours, &matched.id).await;
    services::results::reject(
        &w.store,
        &actor(&w.ours, "admin"),
        &matched.id,
        version,
        "Sent to the wrong practice",
    )
    .await
    .unwrap();
    for (ws, held) in lists.iter_mut() {
        assert!(next_list(ws, held).await.is_empty(), "rejected: gone");
    }
}
