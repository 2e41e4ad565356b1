//! The clinical record's server functions: problems, allergies and
//! medications; consultations, their drafts and amendments. Each checks the
//! role × data policy for the clinical record and the patient's practice
//! (anything outside answers "Not found."), and audits the read or write,
//! refusals included. Audit actions never carry clinical content (admin
//! reads the audit trail but not the record).

use crate::AppError;
use domain::patient::PatientDetails;
use domain::record::{ConsultationForm, DraftView, ItemForm, RecordItem};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// What the consultation page needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsultationPageData {
    pub patient: PatientDetails,
    /// Current allergies, for the banner.
    pub allergies: Vec<RecordItem>,
    /// The viewer's own draft on this patient, to carry on with.
    pub draft: Option<DraftView>,
    /// Colleagues' unsaved drafts on this patient.
    pub others: Vec<DraftView>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::super::ssr::{audit, may};
    use crate::auth::ssr::Actor;
    use crate::AppError;
    use domain::policy::{Access, DataKind};
    use store::audit::Outcome;
    use store::record::RecordError;

    /// The actor, if their role may have `wanted` access to the clinical
    /// record and the patient is in their practice. Otherwise the refusal
    /// is audited (without linking the patient) and answers "Not found.".
    pub async fn clinical_actor(
        patient_id: &str,
        wanted: Access,
        what: &str,
    ) -> Result<Actor, AppError> {
        let actor = crate::auth::ssr::require_area(domain::Area::Patients)?;
        let state = crate::auth::ssr::app_state()?;
        let allowed = may(&actor, DataKind::ClinicalRecord, wanted)
            && !patient_id.is_empty()
            && state
                .store
                .patient_in_practice(actor.practice_id(), patient_id)
                .await
                .map_err(AppError::internal)?;
        if !allowed {
            audit(
                &actor,
                &format!("tried to {what} on the record {patient_id:.40}"),
                None,
                Outcome::Refused,
            )
            .await?;
            return Err(AppError::NotFound);
        }
        Ok(actor)
    }

    pub fn record_error(e: RecordError) -> AppError {
        match e {
            RecordError::NotFound => AppError::NotFound,
            RecordError::Field(f, m) => AppError::field(f, m),
            e @ RecordError::Stale { .. } => AppError::Conflict {
                message: format!("{e} Here is how it is now: check it and try again."),
            },
            RecordError::Store(e) => AppError::internal(e),
        }
    }
}

/// Adds a problem, allergy or medication to a patient's record.
#[server(prefix = "/api", endpoint = "record_item_add")]
pub async fn add_record_item(patient_id: String, form: ItemForm) -> Result<RecordItem, AppError> {
    use domain::policy::Access;
    use store::audit::Outcome;
    let result = async {
        let what = domain::record::ItemKind::parse(form.kind.trim())
            .map(|k| format!("add {}", k.with_article()))
            .unwrap_or_else(|| "add to the record".into());
        let actor = ssr::clinical_actor(&patient_id, Access::Write, &what).await?;
        let today = domain::time::london_today(chrono::Utc::now());
        let valid = form.validate(today).map_err(AppError::fields)?;
        let state = crate::auth::ssr::app_state()?;
        let item = state
            .store
            .add_record_item(
                actor.practice_id(),
                &patient_id,
                &valid,
                &actor.user.staff_id,
            )
            .await
            .map_err(ssr::record_error)?;
        super::ssr::audit(
            &actor,
            &format!("added {}", valid.kind.with_article()),
            Some(&patient_id),
            Outcome::Allowed,
        )
        .await?;
        Ok(item)
    }
    .await;
    crate::error::with_status(result)
}

/// Reviews ("review") or ends ("end") a problem, allergy or medication,
/// if no one has changed it since `version`.
#[server(prefix = "/api", endpoint = "record_item_change")]
pub async fn change_record_item(
    id: String,
    version: i64,
    action: String,
    note: String,
) -> Result<RecordItem, AppError> {
    use domain::policy::Access;
    use domain::record::ItemAction;
    use store::audit::Outcome;
    let result = async {
        let action = ItemAction::parse(&action)
            .ok_or_else(|| AppError::field("action", "Choose review or end."))?;
        let actor = crate::auth::ssr::require_area(domain::Area::Patients)?;
        let state = crate::auth::ssr::app_state()?;
        let patient = state
            .store
            .record_item_patient(actor.practice_id(), &id)
            .await
            .map_err(AppError::internal)?
            .unwrap_or_default();
        let verb = match action {
            ItemAction::Review => "review",
            ItemAction::End => "end",
        };
        let actor =
            ssr::clinical_actor(&patient, Access::Write, &format!("{verb} an entry")).await?;
        let item = state
            .store
            .change_record_item(
                actor.practice_id(),
                &id,
                version,
                action,
                &note,
                &actor.user.staff_id,
            )
            .await
            .map_err(ssr::record_error)?;
        super::ssr::audit(
            &actor,
            &format!(
                "{} {}",
                match action {
                    ItemAction::Review => "reviewed",
                    ItemAction::End => "ended",
                },
                item.kind.with_article()
            ),
            Some(&patient),
            Outcome::Allowed,
        )
        .await?;
        Ok(item)
    }
    .await;
    crate::error::with_status(result)
}

/// Opens the consultation page for a patient: banner facts, allergies,
/// the viewer's draft and colleagues' drafts. Audited.
#[server(prefix = "/api", endpoint = "consultation_page")]
pub async fn get_consultation_page(patient_id: String) -> Result<ConsultationPageData, AppError> {
    use domain::policy::Access;
    use domain::record::ItemKind;
    use store::audit::Outcome;
    let result = async {
        let actor = ssr::clinical_actor(&patient_id, Access::Write, "open a consultation").await?;
        let state = crate::auth::ssr::app_state()?;
        let p = actor.practice_id();
        let patient = state
            .store
            .patient_record(p, &patient_id)
            .await
            .map_err(AppError::internal)?
            .ok_or(AppError::NotFound)?;
        let allergies = state
            .store
            .record_items(p, &patient_id, Some(ItemKind::Allergy))
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .filter(|a| a.active)
            .collect();
        let (mine, others): (Vec<DraftView>, Vec<DraftView>) = state
            .store
            .drafts(p, &patient_id)
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .partition(|d| d.author_staff_id == actor.user.staff_id);
        super::ssr::audit(
            &actor,
            "opened a consultation",
            Some(&patient_id),
            Outcome::Allowed,
        )
        .await?;
        Ok(ConsultationPageData {
            patient,
            allergies,
            draft: mine.into_iter().next(),
            others,
        })
    }
    .await;
    crate::error::with_status(result)
}

/// Keeps the viewer's unsaved consultation on the server (an empty form
/// removes it). Returns when it was saved. Audited.
#[server(prefix = "/api", endpoint = "consultation_draft", input = Json)]
pub async fn save_consultation_draft(
    patient_id: String,
    form: ConsultationForm,
) -> Result<Option<String>, AppError> {
    use domain::policy::Access;
    use store::audit::Outcome;
    let result = async {
        let actor = ssr::clinical_actor(&patient_id, Access::Write, "save a draft").await?;
        let state = crate::auth::ssr::app_state()?;
        let saved = state
            .store
            .save_draft(
                actor.practice_id(),
                &patient_id,
                &form,
                &actor.user.staff_id,
            )
            .await
            .map_err(ssr::record_error)?;
        super::ssr::audit(
            &actor,
            if saved.is_some() {
                "saved a consultation draft"
            } else {
                "discarded a consultation draft"
            },
            Some(&patient_id),
            Outcome::Allowed,
        )
        .await?;
        Ok(saved)
    }
    .await;
    crate::error::with_status(result)
}

/// Saves a consultation (every section, code and reading checked; all
/// errors at once). Returns its id. Audited.
#[server(prefix = "/api", endpoint = "consultation_save", input = Json)]
pub async fn save_consultation(
    patient_id: String,
    form: ConsultationForm,
) -> Result<String, AppError> {
    use domain::policy::Access;
    use store::audit::Outcome;
    let result = async {
        let actor = ssr::clinical_actor(&patient_id, Access::Write, "save a consultation").await?;
        let valid = form.validate().map_err(AppError::fields)?;
        let state = crate::auth::ssr::app_state()?;
        let id = state
            .store
            .save_consultation(
                actor.practice_id(),
                &patient_id,
                &valid,
                &actor.user.staff_id,
            )
            .await
            .map_err(ssr::record_error)?;
        super::ssr::audit(
            &actor,
            "saved a consultation",
            Some(&patient_id),
            Outcome::Allowed,
        )
        .await?;
        Ok(id)
    }
    .await;
    crate::error::with_status(result)
}

/// Amends a saved consultation's text; the original is kept. Audited.
#[server(prefix = "/api", endpoint = "consultation_amend")]
pub async fn amend_consultation(
    id: String,
    reason: String,
    history: String,
    examination: String,
    plan: String,
) -> Result<(), AppError> {
    use domain::policy::Access;
    use store::audit::Outcome;
    let result = async {
        let actor = crate::auth::ssr::require_area(domain::Area::Patients)?;
        let state = crate::auth::ssr::app_state()?;
        let patient = state
            .store
            .consultation_patient(actor.practice_id(), &id)
            .await
            .map_err(AppError::internal)?
            .unwrap_or_default();
        let actor = ssr::clinical_actor(&patient, Access::Write, "amend a consultation").await?;
        domain::record::validate_amendment(&reason, &history, &examination, &plan)
            .map_err(AppError::fields)?;
        state
            .store
            .amend_consultation(
                actor.practice_id(),
                &id,
                &reason,
                (&history, &examination, &plan),
                &actor.user.staff_id,
            )
            .await
            .map_err(ssr::record_error)?;
        super::ssr::audit(
            &actor,
            "amended a consultation",
            Some(&patient),
            Outcome::Allowed,
        )
        .await?;
        Ok(())
    }
    .await;
    crate::error::with_status(result)
}
