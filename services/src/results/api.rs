//! Filed laboratory reports as other systems read them (the FHIR API):
//! DiagnosticReport and its result Observations, behind their scopes and
//! the clinical-record policy, within the practice, each read audited
//! against the patient. Only filed reports: one not yet seen by a
//! clinician, or replaced by a correction, is not shared.

use super::refused;
use crate::{audit, Actor, Result, ServiceError};
use domain::policy::Access;
use domain::results::{ItemState, ReportView};
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

/// A patient's filed reports, newest first, read as `resource` (searched).
/// Another practice's patient, or none: not found, audited as refused.
pub async fn filed_for_patient(
    store: &Store,
    actor: &Actor,
    patient: &PatientId,
    resource: &str,
) -> Result<Vec<ReportView>> {
    allowed(actor, resource, Interaction::Search)?;
    let db = actor.db(store);
    let p = patient.as_str();
    if p.is_empty() || !db.patient_in_practice(p).await? {
        audit::refused(store, actor, "read the laboratory reports of", p).await?;
        return Err(ServiceError::NotFound);
    }
    let reports = db.filed_reports(p, MAX_REPORTS).await?;
    audit::record(
        store,
        actor,
        "read the patient's laboratory reports",
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
    let found = match actor.db(store).result_report(id).await {
        Ok(r) if r.row.state == ItemState::Filed && r.row.patient_id.is_some() => Some(r),
        Ok(_) | Err(store::results::ResultError::NotFound) => None,
        Err(e) => return Err(refused(e)),
    };
    let Some(report) = found else {
        audit::refused(store, actor, "read laboratory report", id).await?;
        return Err(ServiceError::NotFound);
    };
    audit::record(
        store,
        actor,
        &format!("read laboratory report {id}"),
        report.row.patient_id.as_deref(),
        Outcome::Allowed,
    )
    .await?;
    Ok(report)
}
