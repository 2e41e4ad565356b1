//! Consultations: the page, drafts kept on the server, saving (every
//! section, code and reading checked) and amending (the original kept).

use super::{clinical, refused};
use crate::{audit, Actor, Result, ServiceError};
use domain::policy::Access;
use domain::record::{ConsultationForm, ConsultationPageData, DraftView, ItemKind};
use domain::{Area, ConsultationId, PatientId};
use store::audit::Outcome;
use store::Store;

/// Opens the consultation page for a patient: banner facts, allergies,
/// the actor's draft and colleagues' drafts. Audited.
pub async fn consultation_page(
    store: &Store,
    actor: &Actor,
    patient: &PatientId,
) -> Result<ConsultationPageData> {
    let p = patient.as_str();
    clinical(store, actor, p, Access::Write, "open a consultation").await?;
    let db = actor.db(store);
    let details = db.patient_record(p).await?.ok_or(ServiceError::NotFound)?;
    let allergies = db
        .record_items(p, Some(ItemKind::Allergy))
        .await?
        .into_iter()
        .filter(|a| a.active)
        .collect();
    let (mine, others): (Vec<DraftView>, Vec<DraftView>) = db
        .drafts(p)
        .await?
        .into_iter()
        .partition(|d| actor.is(&d.author_staff_id));
    audit::record(
        store,
        actor,
        "opened a consultation",
        Some(p),
        Outcome::Allowed,
    )
    .await?;
    Ok(ConsultationPageData {
        patient: details,
        allergies,
        draft: mine.into_iter().next(),
        others,
    })
}

/// The longest draft kept, as stored (JSON), in bytes.
const DRAFT_MAX_BYTES: usize = 4 * domain::record::SECTION_MAX * 4;

/// Keeps the actor's unsaved consultation on the server (an empty form
/// removes it). Returns when it was saved. Audited.
pub async fn save_draft(
    store: &Store,
    actor: &Actor,
    patient: &PatientId,
    form: &ConsultationForm,
) -> Result<Option<String>> {
    let p = patient.as_str();
    clinical(store, actor, p, Access::Write, "save a draft").await?;
    let size = serde_json::to_string(form)
        .map_err(ServiceError::internal)?
        .len();
    if size > DRAFT_MAX_BYTES {
        return Err(ServiceError::field("history", "The draft is too long."));
    }
    let saved = actor
        .db(store)
        .save_draft(p, form, actor.staff_id()?.as_str())
        .await
        .map_err(refused)?;
    let action = if saved.is_some() {
        "saved a consultation draft"
    } else {
        "discarded a consultation draft"
    };
    audit::record(store, actor, action, Some(p), Outcome::Allowed).await?;
    Ok(saved)
}

/// Saves a consultation (every section, code and reading checked; all
/// errors at once). Returns its id. Audited.
pub async fn save_consultation(
    store: &Store,
    actor: &Actor,
    patient: &PatientId,
    form: &ConsultationForm,
) -> Result<ConsultationId> {
    let p = patient.as_str();
    clinical(store, actor, p, Access::Write, "save a consultation").await?;
    let valid = form.validate().map_err(ServiceError::fields)?;
    let id = actor
        .db(store)
        .save_consultation(
            p,
            &valid,
            actor.staff_id()?.as_str(),
            "Added in a consultation",
        )
        .await
        .map_err(refused)?;
    audit::record(
        store,
        actor,
        "saved a consultation",
        Some(p),
        Outcome::Allowed,
    )
    .await?;
    Ok(ConsultationId::new(id))
}

/// A consultation's amended text, and why.
#[derive(Clone, Debug, Default)]
pub struct Amendment {
    pub reason: String,
    pub history: String,
    pub examination: String,
    pub plan: String,
}

/// Amends a saved consultation's text; the original is kept. Audited.
pub async fn amend_consultation(
    store: &Store,
    actor: &Actor,
    id: &ConsultationId,
    a: &Amendment,
) -> Result<()> {
    actor.require(Area::Patients)?;
    let db = actor.db(store);
    let patient = db
        .consultation_patient(id.as_str())
        .await?
        .unwrap_or_default();
    clinical(
        store,
        actor,
        &patient,
        Access::Write,
        "amend a consultation",
    )
    .await?;
    domain::record::validate_amendment(&a.reason, &a.history, &a.examination, &a.plan)
        .map_err(ServiceError::fields)?;
    db.amend_consultation(
        id.as_str(),
        &a.reason,
        (&a.history, &a.examination, &a.plan),
        actor.staff_id()?.as_str(),
    )
    .await
    .map_err(refused)?;
    audit::record(
        store,
        actor,
        "amended a consultation",
        Some(&patient),
        Outcome::Allowed,
    )
    .await?;
    Ok(())
}
