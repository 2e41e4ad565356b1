//! A laboratory's side of the results tests: FHIR calls with its token,
//! and the Bundle it posts for one test result.

use crate::http::{request, token};
use crate::{register_api_client, sign_in, Server, DEMO_PASSWORD};
use anyhow::{ensure, Result};
use playwright_rs::Browser;
use serde_json::{json, Value};

/// The admin registers "Riverside Pathology" on the Admin page: its
/// bearer token, and the FHIR id of Dr Aisha Khan (who asks for tests).
pub async fn laboratory(server: &Server, browser: &Browser) -> Result<(String, String)> {
    let admin = sign_in(
        server,
        &browser.new_context().await?,
        "admin",
        DEMO_PASSWORD,
    )
    .await?;
    admin.goto(&server.url("/admin/api-clients"), None).await?;
    let (id, secret) = register_api_client(
        &admin,
        "Riverside Pathology",
        "system/DiagnosticReport.c system/Patient.rs system/Practitioner.rs",
    )
    .await?;
    let lab = token(&server.base_url, &id, &secret).await?;
    let (status, gps) = fhir(
        server,
        "GET",
        "/fhir/r4/Practitioner?name=Aisha%20Khan",
        &lab,
        "",
    )
    .await?;
    ensure!(status == 200, "{gps}");
    let gp_id = gps["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    ensure!(!gp_id.is_empty(), "{gps}");
    Ok((lab, gp_id))
}

/// One FHIR call as the API client holding `token`: (status, body).
pub async fn fhir(
    server: &Server,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> anyhow::Result<(u16, Value)> {
    let auth = format!("Bearer {token}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Accept", "application/fhir+json"),
        ("Content-Type", "application/fhir+json"),
    ];
    let r = request(&server.base_url, method, path, &headers, body).await?;
    Ok((r.status, r.json()?))
}

/// A laboratory's Bundle: one test for `patient` (its FHIR Patient as the
/// practice holds it, birth date as given), requested by `gp`.
pub fn bundle(
    identifier: &str,
    test: (&str, &str),
    value: f64,
    range: (f64, f64),
    patient: &Value,
    born: &str,
    gp: &str,
) -> Value {
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            { "fullUrl": "urn:uuid:r", "resource": {
                "resourceType": "DiagnosticReport",
                "identifier": [{ "system": "https://riverside-pathology.example/reports", "value": identifier }],
                "status": "final",
                "code": { "coding": [{ "system": "http://loinc.org", "code": test.0 }], "text": test.1 },
                "subject": { "reference": "urn:uuid:p" },
                "issued": chrono::Utc::now().to_rfc3339(),
                "performer": [{ "display": "Riverside Pathology" }],
                "result": [{ "reference": "urn:uuid:o" }]
            }},
            { "fullUrl": "urn:uuid:p", "resource": {
                "resourceType": "Patient",
                "identifier": patient["identifier"].clone(),
                "name": patient["name"].clone(),
                "birthDate": born
            }},
            { "fullUrl": "urn:uuid:o", "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": { "coding": [{ "system": "http://loinc.org", "code": test.0, "display": test.1 }] },
                "valueQuantity": { "value": value, "unit": "mmol/mol" },
                "referenceRange": [{ "low": { "value": range.0 }, "high": { "value": range.1 } }]
            }},
            { "fullUrl": "urn:uuid:s", "resource": {
                "resourceType": "ServiceRequest",
                "status": "completed",
                "intent": "order",
                "subject": { "reference": "urn:uuid:p" },
                "requester": { "reference": format!("Practitioner/{gp}") }
            }}
        ]
    })
}
