//! Reports of one practice arriving at the same moment are stored together
//! (one transaction on the practice's arrival lane). Each caller still
//! gets its own report's answer; a report that cannot be stored costs no
//! other its place; the same report sent twice at once is one report; a
//! correction in the crowd still replaces its original; the outbox stays
//! gap-free and every arrival is audited once.

mod common;

use common::results::{hba1c, laboratory};
use common::{actor, words, world};
use domain::results::{IncomingReport, ReportStatus};
use services::results::Arrived;
use std::collections::HashSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_arriving_together_each_get_their_own_answer() {
    let w = world().await;
    let lab = laboratory(&w.ours, "system/DiagnosticReport.c");
    let gp = actor(&w.ours, "gp");
    let gp_id = w.ours.staff_id("gp").to_string();
    let db = w.ours.db(&w.store);
    let original = services::results::receive(&w.store, &lab, &hba1c("A0", 53.0, Some(&gp_id)))
        .await
        .unwrap();
    let seq_before = db.event_seq().await.unwrap();
    let audited = || async {
        db.audit_rows(&store::audit::AuditFilter::default(), 10_000)
            .await
            .unwrap()
            .len()
    };
    let audited_before = audited().await;

    // Twenty new reports, the original again, another report under its
    // identifier (not a correction), a correction of it, and one new
    // report sent twice: all at once.
    let mut sent: Vec<IncomingReport> = (0..20)
        .map(|i| hba1c(&format!("N{i}"), 38.0 + f64::from(i) / 10.0, Some(&gp_id)))
        .collect();
    sent.push(hba1c("A0", 53.0, Some(&gp_id)));
    sent.push(hba1c("A0", 60.0, Some(&gp_id)));
    let mut corrected = hba1c("A0", 48.0, Some(&gp_id));
    corrected.status = ReportStatus::Corrected;
    sent.push(corrected);
    sent.push(hba1c("TWICE", 41.0, Some(&gp_id)));
    sent.push(hba1c("TWICE", 41.0, Some(&gp_id)));
    let calls: Vec<_> = sent
        .iter()
        .cloned()
        .map(|r| {
            let (store, lab) = (w.store.clone(), lab.clone());
            tokio::spawn(async move { services::results::receive(&store, &lab, &r).await })
        })
        .collect();
    let mut answers = Vec::new();
    for c in calls {
        answers.push(c.await.unwrap());
    }

    let new: Vec<&Arrived> = answers[..20].iter().map(|a| a.as_ref().unwrap()).collect();
    assert!(new.iter().all(|a| !a.duplicate && a.replaced.is_none()));
    let ids: HashSet<&str> = new.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids.len(), 20, "twenty reports, twenty ids");
    let again = answers[20].as_ref().unwrap();
    assert!(again.duplicate);
    assert_eq!(again.id, original.id);
    let refused = answers[21].as_ref().unwrap_err();
    assert!(words(refused).contains("amended or corrected"), "{refused}");
    let correction = answers[22].as_ref().unwrap();
    assert_eq!(correction.replaced.as_deref(), Some(original.id.as_str()));
    let (a, b) = (answers[23].as_ref().unwrap(), answers[24].as_ref().unwrap());
    assert_eq!(a.id, b.id, "the same report twice at once is one report");
    assert_eq!([a.duplicate, b.duplicate].iter().filter(|d| **d).count(), 1);

    // The outbox is gap-free; each arrival (not the duplicates) audited once.
    let events = db.events_since(seq_before, 1_000).await.unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let last = seqs.last().copied().unwrap_or(0);
    let expected: Vec<i64> = (seq_before as i64 + 1..=last).collect();
    assert_eq!(seqs, expected, "no gap, no repeat");
    assert_eq!(
        audited().await - audited_before,
        22,
        "20 new, the correction, TWICE once"
    );

    // Each stored report is in the GP's inbox with its own value.
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    let held: HashSet<&str> = inbox.rows.iter().map(|r| r.id.as_str()).collect();
    for (i, a) in new.iter().enumerate() {
        assert!(held.contains(a.id.as_str()));
        let view = services::results::report(&w.store, &gp, &a.id)
            .await
            .unwrap();
        assert_eq!(view.analytes[0].value, Some(38.0 + i as f64 / 10.0));
    }
    assert!(held.contains(correction.id.as_str()));
    assert!(!held.contains(original.id.as_str()), "superseded");
    assert_eq!(inbox.rows.counts().unfiled, 22);
}
