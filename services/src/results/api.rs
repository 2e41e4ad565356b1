//! Filed laboratory reports and letters as other systems read them (the
//! FHIR API): DiagnosticReport and its result Observations, and a letter
//! as a DocumentReference with its PDF as a Binary, behind their scopes
//! and the clinical-record policy, within the practice, each read audited
//! against the patient. Only filed items: one not yet seen by a
//! clinician, or replaced by a correction, is not shared.

use super::refused;
use crate::{audit, Actor, Result, ServiceError};
use domain::policy::Access;
use domain::results::{InboxKind, ItemState, ReportView};
use domain::scopes::{kind_of, Interaction, Kind};
use domain::PatientId;
use store::audit::Outcome;
use store::Store;

/// The most reports one search reads.
const MAX_REPORTS: usize = 500;

/// May the actor use `resource` (DiagnosticReport or Observation) this way?
fn allowed(actor: &Actor, resource: &str, interaction: Interaction) -> Result<()> {
    let Some(Kind::Patient(kind)) = kind_of(resource) else {
        return Err(ServiceError::internal(format!(
            "{resource} is not patient data"
        )));
    };
    if actor.may(kind, Access::Read) && actor.may_do(resource, interaction) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// What a resource type shows: letters (DocumentReference, Binary) or
/// laboratory reports (DiagnosticReport, Observation); and in words.
fn kind_of_resource(resource: &str) -> (InboxKind, &'static str) {
    match resource {
        "DocumentReference" | "Binary" => (InboxKind::Letter, "letter"),
        _ => (InboxKind::Report, "laboratory report"),
    }
}

/// A patient's filed reports (or letters), newest first, read as
/// `resource` (searched).
/// Another practice's patient, or none: not found, audited as refused.
pub async fn filed_for_patient(
    store: &Store,
    actor: &Actor,
    patient: &PatientId,
    resource: &str,
) -> Result<Vec<ReportView>> {
    allowed(actor, resource, Interaction::Search)?;
    let (kind, words) = kind_of_resource(resource);
    let db = actor.db(store);
    let p = patient.as_str();
    if p.is_empty() || !db.patient_in_practice(p).await? {
        audit::refused(store, actor, &format!("read the {words}s of"), p).await?;
        return Err(ServiceError::NotFound);
    }
    let mut reports = db.filed_reports(p, MAX_REPORTS).await?;
    reports.retain(|r| r.row.kind == kind);
    audit::record(
        store,
        actor,
        &format!("read the patient's {words}s"),
        Some(p),
        Outcome::Allowed,
    )
    .await?;
    Ok(reports)
}

/// One filed report by its id, read as `resource`. Unfiled, another
/// practice's or none: not found, audited as refused.
pub async fn filed_one(
    store: &Store,
    actor: &Actor,
    id: &str,
    resource: &str,
) -> Result<ReportView> {
    allowed(actor, resource, Interaction::Read)?;
    let (kind, words) = kind_of_resource(resource);
    let found = match actor.db(store).result_report(id).await {
        Ok(r)
            if r.row.state == ItemState::Filed
                && r.row.patient_id.is_some()
                && r.row.kind == kind =>
        {
            Some(r)
        }
        Ok(_) | Err(store::results::ResultError::NotFound) => None,
        Err(e) => return Err(refused(e)),
    };
    let Some(report) = found else {
        audit::refused(store, actor, &format!("read {words}"), id).await?;
        return Err(ServiceError::NotFound);
    };
    audit::record(
        store,
        actor,
        &format!("read {words} {id}"),
        report.row.patient_id.as_deref(),
        Outcome::Allowed,
    )
    .await?;
    Ok(report)
}

/// A filed letter's PDF (the Binary of its DocumentReference), audited as
/// a read of the letter.
pub async fn filed_letter_content(
    store: &Store,
    actor: &Actor,
    id: &str,
) -> Result<(ReportView, Vec<u8>)> {
    let letter = filed_one(store, actor, id, "Binary").await?;
    let bytes = actor
        .db(store)
        .result_document(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((letter, bytes))
}
