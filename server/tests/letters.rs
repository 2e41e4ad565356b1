//! Letters and documents: a hospital's system posts a letter (a Bundle
//! holding a DocumentReference with its PDF) and reception uploads one
//! from the patient's page; either reaches the patient's GP's inbox. The
//! GP reads the PDF inline and files it with a summary and coded entries
//! that join the problem list. Reception never reads a letter back;
//! another practice sees nothing; what is not a PDF is refused by its
//! content, storing nothing; every read and filing is audited.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use base64::Engine;
use common::fhir::{call as fhir_call, client_token, issue};
use common::*;
use domain::record::ItemKind;
use domain::results::{InboxKind, ItemState, LetterForm};
use serde_json::{json, Value};
use std::net::SocketAddr;
use store::demo::letter_pdf;

const HOST: &str = "127.0.0.1:3000";

fn pdf(text: &str) -> Vec<u8> {
    letter_pdf(&["Riverside Hospital, Cardiology".into(), text.into()])
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A hospital's letter about the fixtures' John Smith.
fn letter_bundle(identifier: &str, content_type: &str, data: &[u8]) -> Value {
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            { "fullUrl": "urn:uuid:5a1c2f00-0000-4000-8000-000000000001", "resource": {
                "resourceType": "DocumentReference",
                "masterIdentifier": { "system": "https://riverside-hospital.example/letters", "value": identifier },
                "status": "current",
                "type": { "coding": [{ "system": "http://snomed.info/sct", "code": "373942005", "display": "Discharge summary" }] },
                "subject": { "reference": "urn:uuid:5a1c2f00-0000-4000-8000-000000000002" },
                "date": "2026-11-19T16:30:00+00:00",
                "author": [{ "display": "Riverside Hospital, Cardiology" }],
                "content": [{ "attachment": { "contentType": content_type, "data": b64(data) } }]
            }},
            { "fullUrl": "urn:uuid:5a1c2f00-0000-4000-8000-000000000002", "resource": {
                "resourceType": "Patient",
                "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018" }],
                "name": [{ "family": "Smith", "given": ["John"] }],
                "birthDate": "1961-04-03"
            }}
        ]
    })
}

/// `GET /letters/{id}/document` as the holder of `cookie`.
async fn document(
    state: &server::ServerState,
    cookie: &str,
    id: &str,
) -> (StatusCode, Vec<(String, String)>, String) {
    let mut req = Request::get(format!("/letters/{id}/document"))
        .header(header::HOST, HOST)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 40000))));
    let res = tower::ServiceExt::oneshot(server::app(state.clone()), req)
        .await
        .unwrap();
    let status = res.status();
    let headers = res
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The upload server function as the holder of `cookie` would call it.
async fn upload(
    state: &server::ServerState,
    cookie: &str,
    patient: &str,
    title: &str,
    date: &str,
    doc: &[u8],
) -> (StatusCode, String) {
    let body = common::calls::form_body(&json!({
        "patient_id": patient, "title": title, "sender": "Riverside Hospital, Cardiology",
        "date": date, "document": b64(doc),
    }));
    call(state, HOST, cookie, "/api/upload_letter", body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posted_letter_reaches_the_gp_once_and_bad_ones_store_nothing() {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let (tok, _) = client_token(&addr, &w, "system/DocumentReference.c").await;

    let body = letter_bundle("L-1", "application/pdf", &pdf("Discharged well.")).to_string();
    let r = fhir_call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let location = r.header("location").unwrap().to_string();
    assert!(
        location.contains("/fhir/r4/DocumentReference/"),
        "{location}"
    );
    assert!(!r.body.contains("Smith"), "no personal data echoed");
    // Again (a retry): one letter.
    let again = fhir_call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &body).await;
    assert_eq!(again.status, 200, "{}", again.body);

    let gp = actor(&w.ours, "gp");
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert_eq!(inbox.pool.len(), 1);
    // No usual GP in the fixtures: the pool.
    let row = &inbox.pool[0];
    assert_eq!(row.kind, InboxKind::Letter);
    assert_eq!(row.title, "Discharge summary");
    assert_eq!(row.laboratory, "Riverside Hospital, Cardiology");
    assert_eq!(
        row.patient_id.as_deref(),
        Some(w.ours.patient_ids[0].as_str())
    );
    assert!(!row.abnormal);

    // Not a PDF, whatever it claims: refused by its content.
    let text = letter_bundle(
        "L-2",
        "application/pdf",
        b"Dear Dr Khan, this is plain text.",
    )
    .to_string();
    let x = fhir_call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &text).await;
    assert_eq!(x.status, 422, "{}", x.body);
    assert!(issue(&x).1.contains("not a PDF"), "{}", x.body);
    // A declared Word document.
    let word = letter_bundle("L-3", "application/msword", &pdf("x")).to_string();
    let y = fhir_call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &word).await;
    assert_eq!(y.status, 422, "{}", y.body);
    assert!(issue(&y).1.contains("only application/pdf"), "{}", y.body);
    // Over the size limit (but under the request limit): refused by size.
    let mut big = pdf("Large scan.");
    let tail = big.split_off(big.len() - 6);
    big.resize(5 * 1024 * 1024 + 10, b' ');
    big.extend_from_slice(&tail);
    let huge = letter_bundle("L-4", "application/pdf", &big).to_string();
    let z = fhir_call(&addr, "POST", "/fhir/r4/Bundle", &tok, &[], &huge).await;
    assert_eq!(z.status, 422, "{}", &z.body[..z.body.len().min(500)]);
    assert!(
        issue(&z).1.contains("the most accepted is 5 MB"),
        "{}",
        z.body
    );
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert_eq!(inbox.pool.len(), 1, "nothing half-stored");

    // A laboratory's scope does not reach letters.
    let (lab, _) = client_token(&addr, &w, "system/DiagnosticReport.c").await;
    let body2 = letter_bundle("L-5", "application/pdf", &pdf("Seen.")).to_string();
    let f = fhir_call(&addr, "POST", "/fhir/r4/Bundle", &lab, &[], &body2).await;
    assert_eq!(f.status, 403, "{}", f.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reception_uploads_a_letter_the_gp_reads_it_inline_and_files_it_with_codes() {
    let w = world().await;
    let st = state(&w.store);
    let patient = w.ours.patient_ids[0].clone();
    let reception = sign_in(&st, HOST, "reception").await;
    let gp_cookie = sign_in(&st, HOST, "gp").await;

    // Over the 1 MiB limit of other requests: letters have their own.
    let mut doc = pdf("Paroxysmal atrial fibrillation; started apixaban.");
    let tail = doc.split_off(doc.len() - 6);
    doc.resize(1536 * 1024, b' ');
    doc.extend_from_slice(&tail);
    let (status, body) = upload(
        &st,
        &reception,
        &patient,
        "Clinic letter",
        "2026-11-18",
        &doc,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id: String = serde_json::from_str(&body).unwrap();

    // Not a PDF: a clear error on the file, nothing stored.
    let (bad, said) = upload(
        &st,
        &reception,
        &patient,
        "Clinic letter",
        "2026-11-18",
        b"GIF89a....",
    )
    .await;
    assert_eq!(bad, StatusCode::UNPROCESSABLE_ENTITY, "{said}");
    assert!(said.contains("not a PDF"), "{said}");
    let (no_date, said) = upload(&st, &reception, &patient, "Clinic letter", "", &pdf("x")).await;
    assert_eq!(no_date, StatusCode::UNPROCESSABLE_ENTITY, "{said}");
    assert!(said.contains("letter's date"), "{said}");

    let gp = actor(&w.ours, "gp");
    let inbox = services::results::inbox(&w.store, &gp, None).await.unwrap();
    assert_eq!(inbox.pool.len(), 1, "only the good upload");
    assert_eq!(inbox.pool[0].id, id);
    let view = services::results::report(&w.store, &gp, &id).await.unwrap();
    let matched = view.matched.clone().unwrap();
    assert_eq!(matched.how, "manual");
    assert_eq!(matched.by.as_deref(), Some(w.ours.name_of("reception")));

    // Reception never reads it back; the GP does, inline, framed only by us.
    let (refused, _, words) = document(&st, &reception, &id).await;
    assert_eq!(refused, StatusCode::FORBIDDEN, "{words}");
    assert!(!words.contains("fibrillation"));
    let (ok, headers, pdf_text) = document(&st, &gp_cookie, &id).await;
    assert_eq!(ok, StatusCode::OK);
    assert!(pdf_text.starts_with("%PDF-") && pdf_text.contains("atrial fibrillation"));
    assert_eq!(header_of(&headers, "content-type"), Some("application/pdf"));
    assert!(header_of(&headers, "content-disposition")
        .unwrap()
        .starts_with("inline"));
    assert_eq!(header_of(&headers, "x-frame-options"), Some("SAMEORIGIN"));
    assert!(header_of(&headers, "content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'self'"));
    assert_eq!(header_of(&headers, "cache-control"), Some("no-store"));
    // Another practice's GP: no such letter.
    let other = sign_in(&st, HOST, "o-gp").await;
    let (nf, _, _) = document(&st, &other, &id).await;
    assert_eq!(nf, StatusCode::NOT_FOUND);

    // A result's outcome does not file a letter.
    let version = view.row.version;
    let wrong = services::results::file(
        &w.store,
        &gp,
        &id,
        version,
        &domain::results::FileForm {
            outcome: "normal".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(wrong.is_err());
    // A code not in the list, or not a problem: refused, nothing changed.
    let bad = services::results::file_letter(
        &w.store,
        &gp,
        &id,
        version,
        &LetterForm {
            codes: vec!["91936005".into()],
            summary: "AF, anticoagulated.".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(format!("{bad:?}").contains("codes"), "{bad:?}");
    let before = w
        .ours
        .db(&w.store)
        .record_items(&patient, Some(ItemKind::Problem))
        .await
        .unwrap();

    // Filed with atrial fibrillation and one already on the list.
    let existing = before.iter().find_map(|i| i.code.clone());
    let mut codes = vec!["49436004".to_string()];
    codes.extend(existing.clone());
    let filed = services::results::file_letter(
        &w.store,
        &gp,
        &id,
        version,
        &LetterForm {
            codes,
            summary: "Paroxysmal AF: apixaban started by cardiology.".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(filed.row.state, ItemState::Filed);
    let filing = filed.filing.unwrap();
    assert_eq!(
        filing.summary,
        "Paroxysmal AF: apixaban started by cardiology."
    );
    assert_eq!(
        filing.codes[0],
        ("49436004".to_string(), "Atrial fibrillation".to_string())
    );
    let after = w
        .ours
        .db(&w.store)
        .record_items(&patient, Some(ItemKind::Problem))
        .await
        .unwrap();
    assert_eq!(
        after.len(),
        before.len() + 1,
        "one new problem, the existing one not doubled"
    );
    let af = after
        .iter()
        .find(|i| i.code.as_deref() == Some("49436004"))
        .unwrap();
    assert!(af.active);
    assert_eq!(af.since, "2026-11-18", "since the letter's date");
    assert!(
        af.history[0]
            .what
            .contains(&format!("letter (result {id})")),
        "{:?}",
        af.history
    );

    // Filed once only.
    let twice = services::results::file_letter(
        &w.store,
        &gp,
        &id,
        filed.row.version,
        &LetterForm {
            codes: vec![],
            summary: "Again.".into(),
        },
    )
    .await;
    assert!(twice.is_err());

    // Audited against the patient: the upload, the GP's read, the filing.
    let trail: Vec<String> = w
        .ours
        .db(&w.store)
        .audit_rows(
            &store::audit::AuditFilter {
                patient_id: Some(patient.clone()),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for action in [
        format!("uploaded a letter (result {id})"),
        format!("read letter {id}"),
        format!(
            "filed letter {id} with {} coded entries",
            1 + usize::from(existing.is_some())
        ),
    ] {
        assert!(trail.contains(&action), "{action} in {trail:?}");
    }
}
