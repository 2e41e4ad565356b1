//! Patients: find a patient (by NHS number, name, date of birth or
//! postcode), register one, and the patient's page (banner, who else is
//! here, "New task", and for admin who has accessed the record). Every
//! server function checks the role × data policy (`domain::policy`) and the
//! practice, and audits every view and write of a patient's record,
//! refusals included.

mod charts;
pub(crate) use charts::trend;
mod pages;
mod patient_page;
pub mod record;
mod record_pages;

pub use pages::{AuditPage, EditPatientPage, PatientsPage, RegisterPatientPage};
pub use patient_page::PatientPage;
pub use record_pages::ConsultationPage;
pub(crate) use record_pages::Picker;

use crate::AppError;
use domain::patient::{AccessEntry, PatientForm};
use domain::{PatientId, Version};
use leptos::prelude::*;

pub use domain::patient::PatientPageData;

/// A patient's page. Audited: viewed, or refused (another practice's
/// patient, or a role without access, answers as not found).
#[server(prefix = "/api", endpoint = "patient_page")]
pub async fn get_patient_page(id: PatientId) -> Result<PatientPageData, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::patients::page(&store, &actor, &id).await?)
}

/// Registers a patient: every field checked (all errors at once, each
/// beside its field); a duplicate NHS number names the record that has it.
#[server(prefix = "/api", endpoint = "register_patient")]
pub async fn register_patient(form: PatientForm) -> Result<PatientId, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::patients::register(&store, &actor, &form).await?)
}

/// Changes a patient's details (reception), if no one has changed them
/// since `version`. Returns the new version. Audited.
#[server(prefix = "/api", endpoint = "edit_patient")]
pub async fn edit_patient(
    id: PatientId,
    version: Version,
    form: PatientForm,
) -> Result<Version, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::patients::edit(&store, &actor, &id, version, &form).await?)
}

/// The practice's GPs, for the registration form: (id, name).
#[server(prefix = "/api", endpoint = "practice_gps")]
pub async fn get_practice_gps() -> Result<Vec<(String, String)>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::patients::gps(&store, &actor).await?)
}

/// The audit trail of the practice (admin): newest first, filtered by
/// member of staff, patient (NHS number) and London date.
#[server(prefix = "/api", endpoint = "audit_trail")]
pub async fn get_audit_trail(
    staff: Option<String>,
    nhs_number: Option<String>,
    date: Option<String>,
) -> Result<Vec<AccessEntry>, AppError> {
    let (store, actor) = crate::door::staff()?;
    let filter = services::audit::TrailFilter {
        staff,
        nhs_number,
        date,
    };
    Ok(services::audit::trail(&store, &actor, filter).await?)
}
