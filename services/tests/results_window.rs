//! A long inbox is sent a window at a time (issue 13: a clinician with
//! 2,000 unfiled reports), in the inbox's order, with counts the database
//! keeps exact as reports arrive and are filed; reading on from a
//! window's horizon reaches every report once.

mod common;

use common::results::{hba1c, laboratory};
use common::{actor, field, world};
use domain::live::RESULTS_SHOWN;
use domain::results::{FileForm, InboxCounts, InboxKey, Outcome, ResultRows};

#[tokio::test]
async fn a_long_inbox_comes_a_window_at_a_time_and_every_report_is_reached_once() {
    let w = world().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let gp = actor(&w.ours, "gp");
    let gp_id = w.ours.staff_id("gp");
    let total = RESULTS_SHOWN + 5;
    let mut abnormal = Vec::new();
    for n in 0..total {
        // Every ninth is abnormal (53 mmol/mol against a range to 41).
        let value = if n % 9 == 0 { 53.0 } else { 38.0 };
        let r = services::results::receive(
            &w.store,
            &lab,
            &hba1c(&format!("W{n}"), value, Some(gp_id)),
        )
        .await
        .unwrap();
        if value > 41.0 {
            abnormal.push(r.id);
        }
    }

    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert_eq!(
        inbox.rows.len(),
        RESULTS_SHOWN,
        "a window, not the whole inbox"
    );
    assert_eq!(
        inbox.rows.counts(),
        InboxCounts {
            unfiled: total as u64,
            abnormal: abnormal.len() as u64
        },
        "the counts are of the whole inbox"
    );
    let first: Vec<&str> = inbox
        .rows
        .iter()
        .take(abnormal.len())
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(
        first,
        abnormal.iter().map(String::as_str).collect::<Vec<_>>(),
        "abnormal first, oldest first"
    );
    let horizon = inbox.rows.horizon.clone().expect("more follow the window");
    assert_eq!(horizon, inbox.rows.last().unwrap().key());

    let rest = services::results::inbox_after(&w.store, &gp, None, Some(&horizon))
        .await
        .unwrap();
    assert_eq!(rest.rows.len(), total - RESULTS_SHOWN);
    assert!(
        rest.rows.horizon.is_none(),
        "the last window ends the inbox"
    );
    assert_eq!(
        rest.pool,
        ResultRows::default(),
        "reading on does not read the pool again"
    );
    let mut seen: Vec<&str> = inbox
        .rows
        .iter()
        .chain(rest.rows.iter())
        .map(|r| r.id.as_str())
        .collect();
    let in_order = seen.clone();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), total, "every report once");
    let mut keys: Vec<InboxKey> = inbox
        .rows
        .iter()
        .chain(rest.rows.iter())
        .map(|r| r.key())
        .collect();
    let listed = keys.clone();
    keys.sort();
    assert_eq!(
        keys, listed,
        "in the inbox's order across windows ({in_order:?})"
    );

    // Filing an abnormal report: both counts fall at once.
    let form = FileForm {
        outcome: Outcome::AbnormalNoAction.as_str().into(),
        ..FileForm::default()
    };
    services::results::file(&w.store, &gp, &abnormal[0], 1, &form)
        .await
        .unwrap();
    let after = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert_eq!(
        after.rows.counts(),
        InboxCounts {
            unfiled: total as u64 - 1,
            abnormal: abnormal.len() as u64 - 1
        }
    );
    assert!(after.rows.iter().all(|r| r.id != abnormal[0]));

    // A place in the inbox that is not one is refused, naming it.
    let bad = InboxKey {
        normal: true,
        received_at: "yesterday".into(),
        id: "x".into(),
    };
    let e = services::results::inbox_after(&w.store, &gp, None, Some(&bad))
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("after"));
}
