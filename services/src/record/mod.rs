//! The clinical record: problems, allergies and medications; consultations,
//! their drafts and amendments; and what each role sees of a patient's
//! record. Every operation checks the role × data policy for the clinical
//! record and the patient's practice (anything outside answers "Not
//! found.") and audits the read or write, refusals included. Audit actions
//! never carry clinical content.

pub mod api;
mod consultations;
mod items;

pub use consultations::*;
pub use items::*;

use crate::{audit, Actor, Result, ServiceError};
use domain::policy::{Access, DataKind};
use domain::record::{ItemKind, RecordSummary};
use domain::{Area, Current};
use store::record::RecordError;
use store::Store;

/// Checks that `actor` may have `wanted` access to the clinical record of
/// `patient`, a patient of their practice. Otherwise the refusal is
/// audited (without linking the patient) and answers "Not found.".
pub(crate) async fn clinical(
    store: &Store,
    actor: &Actor,
    patient: &str,
    wanted: Access,
    what: &str,
) -> Result<()> {
    actor.require(Area::Patients)?;
    let allowed = actor.may(DataKind::ClinicalRecord, wanted)
        && !patient.is_empty()
        && actor.db(store).patient_in_practice(patient).await?;
    if !allowed {
        audit::refused(store, actor, &format!("{what} on the record"), patient).await?;
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// A record change refused by the store, in words.
pub(crate) fn refused(e: RecordError) -> ServiceError {
    match e {
        RecordError::NotFound => ServiceError::NotFound,
        RecordError::Stale { current } => ServiceError::conflict(
            format!(
                "Changed by {} since you opened it. Here is how it is now: check it and try again.",
                current
                    .history
                    .last()
                    .map(|h| h.by.as_str())
                    .unwrap_or("someone else")
            ),
            Some(Current::RecordItem(current)),
        ),
        RecordError::NotThePatientsAppointment => {
            ServiceError::field("appointment", "That appointment is not this patient's.")
        }
        RecordError::AlreadyCurrent => {
            ServiceError::field("term", "That is already on the patient's current list.")
        }
        RecordError::AlreadyEnded => ServiceError::field(
            "action",
            "This has already been ended: add it again if it is current.",
        ),
        RecordError::Store(e) => e.into(),
    }
}

/// The parts of the record the actor's role may see (the patient is
/// already known to be in the actor's practice).
pub async fn summary(store: &Store, actor: &Actor, patient: &str) -> Result<RecordSummary> {
    let db = actor.db(store);
    let mut s = RecordSummary::default();
    if actor.may(DataKind::ClinicalRecord, Access::Read) {
        let items = db.record_items(patient, None).await?;
        s.allergies = Some(
            items
                .iter()
                .filter(|i| i.kind == ItemKind::Allergy && i.active)
                .cloned()
                .collect(),
        );
        s.items = Some(items);
        s.consultations = Some(db.consultations(patient, 5).await?);
        s.observations = Some(db.observations(patient).await?);
        s.drafts = Some(db.drafts(patient).await?);
    } else if actor.may(DataKind::Alerts, Access::Read) {
        s.allergies = Some(
            db.record_items(patient, Some(ItemKind::Allergy))
                .await?
                .into_iter()
                .filter(|i| i.active)
                .collect(),
        );
    }
    if actor.may(DataKind::Appointments, Access::Read) {
        let today = domain::time::london_today(chrono::Utc::now());
        s.upcoming = Some(db.upcoming_appointments(patient, today).await?);
    }
    Ok(s)
}
