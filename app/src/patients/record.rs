//! The clinical record's server functions: thin doors onto the record
//! service, which checks the role × data policy and the patient's practice
//! and audits every read and write, refusals included.

use crate::AppError;
use domain::record::{ConsultationForm, ItemAction, ItemForm, RecordItem};
use domain::{ConsultationId, PatientId, RecordItemId, Version};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub use domain::record::ConsultationPageData;

/// Adds a problem, allergy or medication to a patient's record.
#[server(prefix = "/api", endpoint = "record_item_add")]
pub async fn add_record_item(
    patient_id: PatientId,
    form: ItemForm,
) -> Result<RecordItem, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::record::add_item(&store, &actor, &patient_id, &form).await?)
}

/// Reviews or ends a problem, allergy or medication, if no one has
/// changed it since `version`.
#[server(prefix = "/api", endpoint = "record_item_change")]
pub async fn change_record_item(
    id: RecordItemId,
    version: Version,
    action: ItemAction,
    note: String,
) -> Result<RecordItem, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::record::change_item(&store, &actor, &id, version, action, &note).await?)
}

/// Opens the consultation page for a patient. Audited.
#[server(prefix = "/api", endpoint = "consultation_page")]
pub async fn get_consultation_page(
    patient_id: PatientId,
) -> Result<ConsultationPageData, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::record::consultation_page(&store, &actor, &patient_id).await?)
}

/// Keeps the viewer's unsaved consultation on the server (an empty form
/// removes it). Returns when it was saved. Audited.
#[server(prefix = "/api", endpoint = "consultation_draft", input = Json)]
pub async fn save_consultation_draft(
    patient_id: PatientId,
    form: ConsultationForm,
) -> Result<Option<String>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::record::save_draft(&store, &actor, &patient_id, &form).await?)
}

/// Saves a consultation (every section, code and reading checked; all
/// errors at once). Returns its id. Audited.
#[server(prefix = "/api", endpoint = "consultation_save", input = Json)]
pub async fn save_consultation(
    patient_id: PatientId,
    form: ConsultationForm,
) -> Result<ConsultationId, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::record::save_consultation(&store, &actor, &patient_id, &form).await?)
}

/// Amends a saved consultation's text; the original is kept. Audited.
#[server(prefix = "/api", endpoint = "consultation_amend")]
pub async fn amend_consultation(
    id: ConsultationId,
    reason: String,
    history: String,
    examination: String,
    plan: String,
) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    let amendment = services::record::Amendment {
        reason,
        history,
        examination,
        plan,
    };
    Ok(services::record::amend_consultation(&store, &actor, &id, &amendment).await?)
}
