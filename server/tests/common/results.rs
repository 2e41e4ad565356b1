//! Laboratory reports for the tests: a laboratory's HbA1c report about the
//! fixtures' John Smith, and one arrived and filed.

use super::{actor, World};
use store::fixtures::SmallPractice;

pub use store::fixtures::lab_report;

/// A laboratory's HbA1c report of `value` for John Smith of practice `p`,
/// arrived and filed "abnormal, no action" by its GP: its id.
pub async fn filed_lab_report(
    w: &World,
    p: &SmallPractice,
    identifier: &str,
    value: f64,
) -> String {
    let lab = lab_actor(p);
    let mut report = lab_report(identifier, value, Some(p.staff_id("gp")), "1961-04-03");
    report.patient.nhs_number = p
        .db(&w.store)
        .patient_record(&p.patient_ids[0])
        .await
        .unwrap()
        .unwrap()
        .nhs_number;
    let arrived = services::results::receive(&w.store, &lab, &report)
        .await
        .unwrap();
    assert_eq!(arrived.patient.as_deref(), Some(p.patient_ids[0].as_str()));
    let version = p
        .db(&w.store)
        .result_report(&arrived.id)
        .await
        .unwrap()
        .row
        .version;
    services::results::file(
        &w.store,
        &actor(p, "gp"),
        &arrived.id,
        version,
        &domain::results::FileForm {
            outcome: "abnormal_no_action".into(),
            patient_comment: "Your diabetes test is a little high; we will talk at your review."
                .into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    arrived.id
}

/// A laboratory's API client of practice `p` that may post reports.
pub fn lab_actor(p: &SmallPractice) -> services::Actor {
    services::Actor::client(
        p.practice_id.clone(),
        domain::ApiClientId::new("lab"),
        "Riverside Pathology",
        domain::scopes::Scopes::parse("system/DiagnosticReport.c").unwrap(),
        None,
    )
}

/// A report's current version (what a person acting on it last saw).
pub async fn report_version(w: &World, p: &SmallPractice, id: &str) -> i64 {
    p.db(&w.store).result_report(id).await.unwrap().row.version
}

/// A clinic letter about John Smith of practice `p`, uploaded by reception
/// and filed by the GP with atrial fibrillation: its id.
pub async fn filed_letter(w: &World, p: &SmallPractice, text: &str) -> String {
    let id = uploaded_letter(w, p, text).await;
    let version = report_version(w, p, &id).await;
    services::results::file_letter(
        &w.store,
        &actor(p, "gp"),
        &id,
        version,
        &domain::results::LetterForm {
            codes: vec!["49436004".into()],
            summary: "Paroxysmal AF: apixaban started.".into(),
        },
    )
    .await
    .unwrap();
    id
}

/// A clinic letter about John Smith of practice `p` saying `text`,
/// uploaded by reception (waiting in the inbox): its id.
pub async fn uploaded_letter(w: &World, p: &SmallPractice, text: &str) -> String {
    services::results::upload(
        &w.store,
        &actor(p, "reception"),
        &domain::PatientId::new(p.patient_ids[0].clone()),
        &services::results::LetterUpload {
            title: "Clinic letter".into(),
            sender: "Riverside Hospital, Cardiology".into(),
            date: "2026-11-18".into(),
            document: store::demo::letter_pdf(&[text.into()]),
        },
    )
    .await
    .unwrap()
    .id
}
