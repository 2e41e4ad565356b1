//! Appointments: the live day's status changes (arrive, call in, start,
//! finish…), booking, moving and cancelling, and what the day lists need.
//! Who may do what to an appointment is one table
//! (`domain::appointment_status::Action::allowed_for`), applied here.

mod book;
pub mod calendar;
pub mod live;

pub use book::*;

use crate::{Actor, Result, ServiceError};
use domain::appointment_status::Action;
use domain::live::{AppointmentView, DayInfo, WaitThresholds};
use domain::{AppointmentId, Area, Current, Role, StaffId, Version};
use store::appointments::ChangeError;
use store::Store;

/// "Changed by Dee Patel at 10:42: now Arrived. Check it and try again."
pub fn stale_message(current: &AppointmentView) -> String {
    format!(
        "Changed by {} at {}: now {}. Check it and try again.",
        current.updated_by.as_deref().unwrap_or("someone else"),
        crate::london_hhmm_of(&current.updated_at),
        current.status.label()
    )
}

/// A refused status change in words, with the appointment as it now is.
pub(crate) fn change_refused(e: ChangeError) -> ServiceError {
    match e {
        ChangeError::Stale { current } => {
            ServiceError::conflict(stale_message(&current), Some(Current::Appointment(current)))
        }
        ChangeError::Invalid(e) => ServiceError::conflict(e.to_string(), None),
        ChangeError::ReasonRequired => {
            ServiceError::field("reason", "Give a reason for cancelling.")
        }
        ChangeError::NotFound => ServiceError::NotFound,
        ChangeError::Store(e) => e.into(),
    }
}

/// Applies an action ("mark arrived", "call in", …) to an appointment the
/// actor last saw at `version`. Reception runs the desk for every
/// clinician; a GP or nurse acts on their own list only; admin not at all.
/// A stale version is refused with who changed it and when.
pub async fn act(
    store: &Store,
    actor: &Actor,
    id: &AppointmentId,
    version: Version,
    action: Action,
) -> Result<AppointmentView> {
    actor.require(Area::WaitingRoom)?;
    let db = actor.db(store);
    let current = db.appointment(id.as_str()).await?;
    let own = actor.is(&current.clinician_id);
    if !actor.role().is_some_and(|r| action.allowed_for(r, own)) {
        return Err(ServiceError::Forbidden);
    }
    db.change_appointment_status(
        id.as_str(),
        version.get(),
        action,
        actor.staff_id()?.as_str(),
    )
    .await
    .map_err(change_refused)
}

/// Today in the practice and its waiting-time thresholds (the server's,
/// `default_waiting`, until the practice sets its own): what a day list
/// needs before it subscribes. Any member of staff.
pub async fn day_info(
    store: &Store,
    actor: &Actor,
    default_waiting: WaitThresholds,
) -> Result<DayInfo> {
    Ok(DayInfo {
        today: domain::time::london_today(chrono::Utc::now()).to_string(),
        waiting: crate::settings::waiting(store, actor, default_waiting).await?,
    })
}

/// Whether `actor` may watch `clinician`'s day list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayListAccess {
    Allowed,
    /// Clinicians watch their own list only (admin: none).
    NotOwn,
    NoSuchClinician,
}

/// Clinicians watch their own day list; reception any clinician's of the
/// practice.
pub async fn day_list_access(
    store: &Store,
    actor: &Actor,
    clinician: &StaffId,
) -> Result<DayListAccess> {
    if actor.role().is_some_and(Role::is_clinician) && actor.is(clinician.as_str()) {
        return Ok(DayListAccess::Allowed);
    }
    if actor.role() != Some(Role::Reception) {
        return Ok(DayListAccess::NotOwn);
    }
    Ok(match actor.db(store).staff_role(clinician).await? {
        Some(r) if r.is_clinician() => DayListAccess::Allowed,
        _ => DayListAccess::NoSuchClinician,
    })
}
