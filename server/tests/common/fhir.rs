//! Another system's side of the FHIR API in the server tests: register a
//! client, take a token, call the API with it.

use super::http::{basic, request, Reply};
use super::{actor, World};
use store::fixtures::SmallPractice;

pub const JSON: (&str, &str) = ("Accept", "application/fhir+json");

/// A client of `practice` with `scopes`, registered by its admin: (id, secret).
pub async fn client_of(w: &World, practice: &SmallPractice, scopes: &str) -> (String, String) {
    let r =
        services::api_clients::register(&w.store, &actor(practice, "admin"), "Test system", scopes)
            .await
            .unwrap();
    (r.id.to_string(), r.secret)
}

/// A client of our practice with `scopes`: (id, secret).
pub async fn client(w: &World, scopes: &str) -> (String, String) {
    client_of(w, &w.ours, scopes).await
}

/// The token endpoint's answer for a client (optionally asking for `scope`).
pub async fn token_reply(addr: &str, id: &str, secret: &str, scope: Option<&str>) -> Reply {
    let body = match scope {
        Some(s) => format!(
            "grant_type=client_credentials&scope={}",
            s.replace(' ', "+").replace('/', "%2F")
        ),
        None => "grant_type=client_credentials".to_string(),
    };
    request(
        addr,
        "POST",
        "/oauth2/token",
        &[
            ("Authorization", &basic(id, secret)),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &body,
    )
    .await
}

/// A bearer token for a client.
pub async fn token(addr: &str, id: &str, secret: &str) -> String {
    let r = token_reply(addr, id, secret, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["access_token"].as_str().unwrap().to_string()
}

/// A token for a new client of our practice with `scopes`: (token, client id).
pub async fn client_token(addr: &str, w: &World, scopes: &str) -> (String, String) {
    let (id, secret) = client(w, scopes).await;
    (token(addr, &id, &secret).await, id)
}

/// A request with the token (and a JSON body when given).
pub async fn call(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    extra: &[(&str, &str)],
    body: &str,
) -> Reply {
    let auth = format!("Bearer {token}");
    let mut headers = vec![
        JSON,
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/fhir+json"),
    ];
    headers.extend_from_slice(extra);
    request(addr, method, path, &headers, body).await
}

pub async fn get(addr: &str, path: &str, token: &str) -> Reply {
    call(addr, "GET", path, token, &[], "").await
}

/// An OperationOutcome's (issue code, diagnostics).
pub fn issue(r: &Reply) -> (String, String) {
    let v = r.json();
    assert_eq!(v["resourceType"], "OperationOutcome", "{}", r.body);
    (
        v["issue"][0]["code"].as_str().unwrap().to_string(),
        v["issue"][0]["diagnostics"].as_str().unwrap().to_string(),
    )
}

/// Our GP records, for `patient` of our practice: a problem
/// (hypertension), an allergy (penicillin, rash), a medication
/// (amlodipine 5 mg once a day) and a consultation coded hypertension with
/// `readings` (kind, value as typed).
pub async fn clinical_record(w: &World, patient: &str, readings: &[(&str, &str)]) {
    use domain::record::{ConsultationForm, ItemForm};
    let gp = actor(&w.ours, "gp");
    let pid = domain::PatientId::new(patient);
    let item = |kind: &str, code: &str, term: &str, dose: &str, note: &str| ItemForm {
        kind: kind.into(),
        code: code.into(),
        term: term.into(),
        dose: dose.into(),
        frequency: if dose.is_empty() { "" } else { "Once a day" }.into(),
        note: note.into(),
        since: "01/02/2020".into(),
    };
    for form in [
        item("problem", "38341003", "", "", ""),
        item("allergy", "91936005", "", "", "Rash"),
        item("medication", "", "Amlodipine", "5 mg", ""),
    ] {
        services::record::add_item(&w.store, &gp, &pid, &form)
            .await
            .unwrap();
    }
    let form = ConsultationForm {
        history: "Review of blood pressure.".into(),
        codes: vec!["38341003".into()],
        observations: readings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    };
    services::record::save_consultation(&w.store, &gp, &pid, &form)
        .await
        .unwrap();
}

/// A week from today, a session of 10-minute slots for our GP from 09:00
/// to `end`: (session id, date).
pub async fn future_session(w: &World, end: &str) -> (String, String) {
    let date =
        (domain::time::london_today(chrono::Utc::now()) + chrono::Duration::days(7)).to_string();
    let s = services::clinics::add_session(
        &w.store,
        &actor(&w.ours, "admin"),
        services::clinics::SessionForm {
            clinician: w.ours.staff_id("gp").to_string(),
            room: format!("{}-r1", w.ours.practice_id),
            date: date.clone(),
            start: "09:00".into(),
            end: end.into(),
            slot_minutes: "10".into(),
        },
    )
    .await
    .unwrap();
    (s.id, date)
}

/// What API client `client` did to our patient `patient`, as the audit
/// trail records it (newest first).
pub async fn client_audit(w: &World, patient: &str, client: &str) -> Vec<String> {
    w.ours
        .db(&w.store)
        .audit_rows(
            &store::audit::AuditFilter {
                patient_id: Some(patient.to_string()),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.role.as_deref() == Some(format!("api_client:{client}").as_str()))
        .map(|r| r.action)
        .collect()
}
