//! Laboratory reports for the results tests.

use domain::results::IncomingReport;

/// An HbA1c report from Riverside Pathology about John Smith (the
/// fixtures' first patient, matched), requested by `requester` (a staff id).
pub fn hba1c(identifier: &str, value: f64, requester: Option<&str>) -> IncomingReport {
    store::fixtures::lab_report(identifier, value, requester, "1961-04-03")
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
