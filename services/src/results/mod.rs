//! Laboratory results: arriving (the FHIR API and the command line),
//! matching (automatic only when NHS number, date of birth and family name
//! all agree with one registered patient of the practice), the clinicians'
//! inboxes and the practice's pool, and filing with an outcome. The rules
//! about who may see what live here, once, for every door:
//! - result values and filings: clinicians (the clinical record);
//! - the Unmatched list (demographics and the kind of item, never values)
//!   and matching or rejecting from it: any member of staff who sees
//!   demographics (reception, admin, clinicians);
//! - undoing a match, filing, reassigning: clinicians.
//!
//! Every view of a report and every change is audited against its patient.

pub mod api;
mod arrive;
mod inbox;
mod letters;
pub(crate) mod live;
mod work;

pub use arrive::*;
pub use inbox::*;
pub use letters::*;
pub use work::*;

use crate::{audit, Actor, Result, ServiceError};
use domain::policy::{Access, DataKind};
use domain::results::ReportView;
use store::audit::Outcome as Audited;
use store::results::ResultError;
use store::Store;

/// A report change refused by the store, in words.
pub(crate) fn refused(e: ResultError) -> ServiceError {
    match e {
        ResultError::NotFound => ServiceError::NotFound,
        ResultError::Stale { current } => ServiceError::conflict(
            format!(
                "This report changed since you opened it (it is now {}): look at it again.",
                state_words(current.row.state)
            ),
            None,
        ),
        ResultError::WrongState(state) => {
            ServiceError::conflict(format!("This report is {}.", state_words(state)), None)
        }
        ResultError::NotACorrection => ServiceError::conflict(
            "A different report with this identifier has already arrived: send a change as an amended or corrected report.",
            None,
        ),
        ResultError::NoSuchPatient => ServiceError::field("patient", "That patient does not exist."),
        ResultError::NoSuchTeam => ServiceError::field("team", "That team does not exist."),
        ResultError::Store(e) => e.into(),
    }
}

fn state_words(state: domain::results::ItemState) -> &'static str {
    use domain::results::ItemState::*;
    match state {
        Unmatched => "waiting to be matched to a patient",
        Unfiled => "waiting to be filed",
        Filed => "already filed",
        Rejected => "rejected",
        Superseded => "replaced by a corrected report",
    }
}

/// Clinicians only: result values and filings are the clinical record.
pub(crate) fn clinical(actor: &Actor, wanted: Access) -> Result<()> {
    actor.staff_id()?;
    if actor.may(DataKind::ClinicalRecord, wanted) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// May `actor` watch `staff`'s inbox (their own, or an active
/// clinician's they cover) or, with `None`, the pool?
pub async fn may_watch(
    store: &Store,
    actor: &Actor,
    staff: Option<&str>,
) -> std::result::Result<(), String> {
    clinical(actor, Access::Read).map_err(|_| "Results are for clinicians.".to_string())?;
    let Some(staff) = staff else { return Ok(()) };
    match actor.db(store).clinicians().await {
        Ok(c) if c.iter().any(|(id, _)| id == staff) => Ok(()),
        Ok(_) => Err("No such clinician in this practice.".into()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot check an inbox subscription");
            Err("The inbox is unavailable; try again shortly.".into())
        }
    }
}

/// Staff who see demographics: the Unmatched list and matching.
pub(crate) fn matcher(actor: &Actor) -> Result<()> {
    actor.staff_id()?;
    if actor.may(DataKind::Demographics, Access::Read) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Audits `action` on a report's patient (none while unmatched).
pub(crate) async fn audited(
    store: &Store,
    actor: &Actor,
    action: String,
    report: &ReportView,
) -> Result<()> {
    audit::record(
        store,
        actor,
        &action,
        report.row.patient_id.as_deref(),
        Audited::Allowed,
    )
    .await
}
