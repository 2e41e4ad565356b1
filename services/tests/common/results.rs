//! Laboratory reports for the results tests.

use domain::results::IncomingReport;

/// An HbA1c report from Riverside Pathology about John Smith (the
/// fixtures' first patient, matched), requested by `requester` (a staff id).
pub fn hba1c(identifier: &str, value: f64, requester: Option<&str>) -> IncomingReport {
    store::fixtures::lab_report(identifier, value, requester, "1961-04-03")
}

/// A laboratory's API client of practice `p`.
pub fn laboratory(p: &store::fixtures::SmallPractice, scopes: &str) -> services::Actor {
    services::Actor::client(
        p.practice_id.clone(),
        domain::ApiClientId::new("lab"),
        "Riverside Pathology",
        domain::scopes::Scopes::parse(scopes).unwrap(),
        None,
    )
}
