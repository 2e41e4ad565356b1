//! The practice's overdue results (issue 13: results not filed within the
//! practice's working days are flagged overdue, and admin sees them in a
//! practice view): exactly the unfiled reports received before the first
//! day not yet overdue, oldest first, from this practice only, never more
//! than a screenful, and never for reception.

mod common;

use chrono::{Duration, NaiveTime, Utc};
use common::results::{hba1c, laboratory};
use common::{actor, world};
use domain::live::OVERDUE_SHOWN;
use domain::results::{overdue_before, FileForm, Outcome};
use services::Actor;
use services::ServiceError;
use store::fixtures::backdate_report;
use store::Store;

/// A report about John Smith arrives from the laboratory; its id.
async fn arrive(store: &Store, lab: &Actor, id: &str, requester: Option<&str>) -> String {
    services::results::receive(store, lab, &hba1c(id, 53.0, requester))
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn the_overdue_view_holds_exactly_the_overdue_reports_oldest_first() {
    let w = world().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let gp_id = w.ours.staff_id("gp");
    // The instant from which a report is not yet overdue (default: two
    // working days), worked out as the practice would today.
    let today = domain::time::london_today(Utc::now());
    let edge =
        domain::time::london_to_utc(overdue_before(today, 2).and_time(NaiveTime::MIN)).unwrap();

    let oldest = arrive(&w.store, &lab, "O1", Some(gp_id)).await;
    let second = arrive(&w.store, &lab, "O2", None).await; // the usual GP's, or the pool's
    let just_overdue = arrive(&w.store, &lab, "O3", Some(gp_id)).await;
    let not_yet = arrive(&w.store, &lab, "O4", Some(gp_id)).await;
    let filed = arrive(&w.store, &lab, "O5", Some(gp_id)).await;
    let fresh = arrive(&w.store, &lab, "O6", Some(gp_id)).await;
    for (id, at) in [
        (&oldest, Utc::now() - Duration::days(30)),
        (&second, Utc::now() - Duration::days(20)),
        (&just_overdue, edge - Duration::seconds(1)),
        (&not_yet, edge),
        (&filed, Utc::now() - Duration::days(25)),
    ] {
        backdate_report(&w.store, id, at).await.unwrap();
    }
    let form = FileForm {
        outcome: Outcome::AbnormalNoAction.as_str().into(),
        ..FileForm::default()
    };
    services::results::file(&w.store, &actor(&w.ours, "gp"), &filed, 1, &form)
        .await
        .unwrap();
    // Another practice's long-waiting report is never ours to see.
    let theirs = services::results::receive(
        &w.store,
        &laboratory(&w.theirs, "system/DiagnosticReport.c"),
        &hba1c("T1", 53.0, None),
    )
    .await
    .unwrap()
    .id;
    backdate_report(&w.store, &theirs, Utc::now() - Duration::days(30))
        .await
        .unwrap();

    let seen = services::results::overdue(&w.store, &actor(&w.ours, "admin"))
        .await
        .unwrap();
    let ids: Vec<&str> = seen.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [oldest.as_str(), second.as_str(), just_overdue.as_str()],
        "overdue, oldest first; not the filed, the fresh ({fresh}), the one received at the edge, or another practice's"
    );
    assert!(seen.rows.iter().all(|r| r.overdue), "each flagged overdue");
    assert!(!seen.more);

    // A clinician sees the same view; reception does not.
    let gp_view = services::results::overdue(&w.store, &actor(&w.ours, "gp"))
        .await
        .unwrap();
    assert_eq!(gp_view, seen);
    let e = services::results::overdue(&w.store, &actor(&w.ours, "reception"))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden), "{e:?}");
}

#[tokio::test]
async fn the_overdue_view_shows_a_screenful_and_says_more_wait() {
    let w = world().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let long_ago = Utc::now() - Duration::days(40);
    for n in 0..=OVERDUE_SHOWN {
        let id = arrive(&w.store, &lab, &format!("M{n}"), None).await;
        backdate_report(&w.store, &id, long_ago + Duration::minutes(n as i64))
            .await
            .unwrap();
    }
    let seen = services::results::overdue(&w.store, &actor(&w.ours, "admin"))
        .await
        .unwrap();
    assert_eq!(seen.rows.len(), OVERDUE_SHOWN);
    assert!(seen.more, "the view says more are overdue than it shows");
    assert!(
        seen.rows
            .windows(2)
            .all(|p| p[0].received_at < p[1].received_at),
        "oldest first"
    );
}
