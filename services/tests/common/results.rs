//! Laboratory reports for the results tests.

use domain::results::{Analyte, Demographics, Flag, IncomingReport, ReportStatus};

/// An HbA1c report from Riverside Pathology about John Smith (the
/// fixtures' first patient), requested by `requester` (a staff id).
pub fn hba1c(identifier: &str, value: f64, requester: Option<&str>) -> IncomingReport {
    IncomingReport {
        identifier: format!("https://pathology.example/reports|{identifier}"),
        status: ReportStatus::Final,
        title: "HbA1c".into(),
        code: Some("http://loinc.org|4548-4".into()),
        issued: "2026-11-20T10:00:00Z".into(),
        laboratory: "Riverside Pathology".into(),
        requester_id: requester.map(String::from),
        requester_name: Some("Dr Ann Carter".into()),
        patient: Demographics {
            nhs_number: "999 000 0018".into(),
            family: "SMITH".into(),
            given: "John".into(),
            birth_date: "1961-04-03".into(),
        },
        analytes: vec![Analyte {
            code: "http://loinc.org|4548-4".into(),
            display: "Haemoglobin A1c".into(),
            value: Some(value),
            text: None,
            unit: "mmol/mol".into(),
            low: Some(20.0),
            high: Some(41.0),
            flag: Flag::from_range(Some(value), Some(20.0), Some(41.0)),
        }],
        conclusion: None,
        kind: domain::results::InboxKind::Report,
        document: None,
    }
}

/// A laboratory's API client of practice `p`.
pub fn laboratory(p: &store::fixtures::SmallPractice, scopes: &str) -> services::Actor {
    services::Actor {
        practice: p.practice_id.clone(),
        who: services::Who::Client {
            id: domain::ApiClientId::new("lab"),
            scopes: domain::scopes::Scopes::parse(scopes).unwrap(),
        },
        name: "Riverside Pathology".into(),
        address: None,
    }
}
