//! A letter as another system sends it: a Bundle holding one
//! DocumentReference (a discharge summary, a clinic letter) with its PDF
//! as an attachment, and the Patient. Read into the domain's
//! `IncomingReport` (kind letter); the results service checks the PDF
//! by its content and matches the patient like any report.

use super::parse::{concept_code, concept_words, patient_of, text, Entries, Problems};
use base64::Engine;
use domain::results::{Demographics, InboxKind, IncomingReport, ReportStatus};
use serde_json::Value;

/// The letter in a Bundle that holds a DocumentReference.
pub(super) fn letter_of(entries: &Entries<'_>) -> Result<IncomingReport, Problems> {
    let docs = entries.of_type("DocumentReference");
    let [doc] = docs.as_slice() else {
        return Err(vec![format!(
            "entry: send exactly one DocumentReference (this Bundle has {}).",
            docs.len()
        )]);
    };
    let mut problems = Problems::new();
    if doc["status"].as_str() != Some("current") {
        problems.push("status: a document sent to the practice is current.".into());
    }
    let status = match doc["docStatus"].as_str() {
        None | Some("final") => ReportStatus::Final,
        Some("preliminary") => ReportStatus::Preliminary,
        Some("amended") => ReportStatus::Amended,
        Some(_) => {
            problems.push("docStatus: give preliminary, final or amended.".into());
            ReportStatus::Final
        }
    };
    let patient = match entries.resolve(&doc["subject"]) {
        Some(p) if p["resourceType"] == "Patient" => patient_of(p),
        _ => {
            problems.push("subject: reference the Patient in the Bundle.".into());
            Demographics::default()
        }
    };
    let author = doc["author"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|a| {
            text(&a["display"]).or_else(|| entries.resolve(a).and_then(|o| text(&o["name"])))
        })
        .or_else(|| text(&doc["custodian"]["display"]))
        .unwrap_or_default();
    let document = attachment(doc, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(IncomingReport {
        identifier: identifier(doc).unwrap_or_default(),
        status,
        title: concept_words(&doc["type"]).unwrap_or_default(),
        code: concept_code(&doc["type"]),
        issued: text(&doc["date"]).unwrap_or_default(),
        laboratory: author,
        requester_id: None,
        requester_name: None,
        patient,
        analytes: Vec::new(),
        conclusion: text(&doc["description"]),
        kind: InboxKind::Letter,
        document,
    })
}

/// The document's own identifier: `masterIdentifier`, else its first
/// `identifier`, as "system|value".
fn identifier(doc: &Value) -> Option<String> {
    let id = if doc["masterIdentifier"].is_object() {
        &doc["masterIdentifier"]
    } else {
        doc["identifier"].as_array()?.first()?
    };
    Some(format!("{}|{}", text(&id["system"])?, text(&id["value"])?))
}

/// The PDF in `content[0].attachment.data` (base64). A declared type
/// other than PDF is refused; the content itself is checked by the
/// service.
fn attachment(doc: &Value, problems: &mut Problems) -> Option<Vec<u8>> {
    let contents = doc["content"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let [content] = contents else {
        problems.push("content: send exactly one attachment, the PDF.".into());
        return None;
    };
    let a = &content["attachment"];
    match a["contentType"].as_str() {
        Some("application/pdf") => {}
        _ => {
            problems.push(
                "content[0].attachment.contentType: only application/pdf is accepted.".into(),
            );
            return None;
        }
    }
    if a["url"].is_string() && !a["data"].is_string() {
        problems.push(
            "content[0].attachment: send the PDF inline as data (base64), not as a url.".into(),
        );
        return None;
    }
    let Some(data) = a["data"].as_str() else {
        problems.push("content[0].attachment.data: send the PDF as base64.".into());
        return None;
    };
    match base64::engine::general_purpose::STANDARD.decode(data.trim()) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            problems.push("content[0].attachment.data: this is not valid base64.".into());
            None
        }
    }
}
