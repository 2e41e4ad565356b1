//! Letters and documents: uploaded by staff from the patient's page (the
//! patient is known: matched by the uploader), or arriving from another
//! system like a laboratory report; read (the PDF) and filed by a
//! clinician with a one-line summary and coded entries that join the
//! problem list. Who may do what is the results service's rule: the PDF
//! and the filing are the clinical record (clinicians); uploading needs
//! only the patient's demographics (reception, admin, clinicians), and
//! the uploader never reads the letter back.

use super::arrive::{inbox_for, Arrived};
use super::{audited, clinical, matcher, refused};
use crate::{Actor, Result, ServiceError};
use domain::policy::Access;
use domain::results::{
    document_problem, Demographics, InboxKind, IncomingReport, ItemState, LetterForm, ReportStatus,
    ReportView,
};
use domain::PatientId;
use store::results::{Ingested, NewReport};
use store::Store;

/// A letter as staff upload it.
#[derive(Clone, Debug, Default)]
pub struct LetterUpload {
    /// What it is ("Discharge summary").
    pub title: String,
    /// Who sent it ("Riverside Hospital, Cardiology").
    pub sender: String,
    /// The letter's date, YYYY-MM-DD.
    pub date: String,
    /// The file as uploaded.
    pub document: Vec<u8>,
}

/// Stores a letter for `patient`, uploaded by the actor; it goes to the
/// patient's usual GP's inbox (or the pool), matched by the uploader.
pub async fn upload(
    store: &Store,
    actor: &Actor,
    patient: &PatientId,
    letter: &LetterUpload,
) -> Result<Arrived> {
    matcher(actor)?;
    let me = actor.staff_id()?.clone();
    let db = actor.db(store);
    let details = match patient.is_empty() {
        true => None,
        false => db.patient_record(patient.as_str()).await?,
    };
    let Some(details) = details else {
        return Err(ServiceError::NotFound);
    };
    let mut problems = Vec::new();
    let date = chrono::NaiveDate::parse_from_str(letter.date.trim(), "%Y-%m-%d").ok();
    let today = domain::time::london_today(chrono::Utc::now());
    match date {
        None => problems.push(("date", "Give the letter's date.".to_string())),
        Some(d) if d > today => {
            problems.push(("date", "The letter's date cannot be in the future.".into()))
        }
        Some(_) => {}
    }
    for (field, value, what) in [
        ("title", &letter.title, "Say what the letter is"),
        ("sender", &letter.sender, "Say who sent it"),
    ] {
        if value.trim().is_empty() || value.trim().chars().count() > 200 {
            problems.push((field, format!("{what} (up to 200 characters).")));
        }
    }
    if let Some(p) = document_problem(&letter.document) {
        problems.push(("document", p));
    }
    let Some(date) = date.filter(|_| problems.is_empty()) else {
        return Err(ServiceError::fields(problems));
    };
    let issued = date
        .and_hms_opt(12, 0, 0)
        .map(|t| t.and_utc().to_rfc3339())
        .unwrap_or_default();
    let report = IncomingReport {
        identifier: format!("urn:openpractice:upload|{:032x}", rand::random::<u128>()),
        status: ReportStatus::Final,
        title: letter.title.trim().to_string(),
        code: None,
        issued,
        laboratory: letter.sender.trim().to_string(),
        requester_id: None,
        requester_name: None,
        patient: Demographics {
            nhs_number: details.nhs_number.clone(),
            family: details.family_name.clone(),
            given: details.given_name.clone(),
            birth_date: details.date_of_birth.clone(),
        },
        analytes: Vec::new(),
        conclusion: None,
        kind: InboxKind::Letter,
        document: Some(letter.document.clone()),
    };
    let assigned = inbox_for(&db, None, patient.as_str()).await?;
    let stored = db
        .ingest_result(&NewReport {
            report: &report,
            patient: Some(patient.to_string()),
            unmatched_reason: None,
            assigned_to: assigned,
            received_by: actor.name.clone(),
            matched_by: Some(me.to_string()),
        })
        .await
        .map_err(refused)?;
    let id = match stored {
        Ingested::Created { id, .. } | Ingested::Duplicate { id } => id,
    };
    crate::audit::record(
        store,
        actor,
        &format!("uploaded a letter (result {id})"),
        Some(patient.as_str()),
        store::audit::Outcome::Allowed,
    )
    .await?;
    Ok(Arrived {
        id,
        duplicate: false,
        replaced: None,
        patient: Some(patient.to_string()),
        unmatched: None,
    })
}

/// A letter's PDF, for a clinician; audited against its patient.
pub async fn document(store: &Store, actor: &Actor, id: &str) -> Result<Vec<u8>> {
    clinical(actor, Access::Read)?;
    let db = actor.db(store);
    let view = db.result_report(id).await.map_err(refused)?;
    if view.row.kind != InboxKind::Letter {
        return Err(ServiceError::NotFound);
    }
    let bytes = db
        .result_document(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    audited(store, actor, format!("read letter {id}"), &view).await?;
    Ok(bytes)
}

/// Files an unfiled letter with its summary and coded entries; each code
/// joins the patient's problem list (since the letter's date) unless
/// already current there.
pub async fn file_letter(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    form: &LetterForm,
) -> Result<ReportView> {
    clinical(actor, Access::Write)?;
    let me = actor.staff_id()?.clone();
    let valid = form.validate().map_err(ServiceError::fields)?;
    let db = actor.db(store);
    let current = db.result_report(id).await.map_err(refused)?;
    if current.row.kind != InboxKind::Letter {
        return Err(ServiceError::conflict(
            "This is a laboratory report: file it with an outcome.",
            None,
        ));
    }
    if current.row.state != ItemState::Unfiled {
        return Err(refused(store::results::ResultError::WrongState(
            current.row.state,
        )));
    }
    // The problem dates from the letter (its London date, YYYY-MM-DD).
    let since = chrono::DateTime::parse_from_rfc3339(&current.row.issued)
        .map(|t| domain::time::london_today(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| domain::time::london_today(chrono::Utc::now()))
        .to_string();
    db.file_letter(id, version, &valid, &since, me.as_str())
        .await
        .map_err(refused)?;
    let view = db.result_report(id).await.map_err(refused)?;
    let n = valid.codes.len();
    audited(
        store,
        actor,
        format!("filed letter {id} with {n} coded entries"),
        &view,
    )
    .await?;
    Ok(view)
}
