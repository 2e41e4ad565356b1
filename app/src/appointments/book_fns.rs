//! Appointment-book server functions: thin doors onto the appointments
//! and patients services (the day's sessions, a clinician's week, patient
//! search for booking, next free slot, book, move, cancel).

use crate::AppError;
use domain::book::{FreeSlot, PatientHit, SessionView};
use domain::live::AppointmentView;
use domain::{AppointmentId, ClinicSessionId, PatientId, StaffId, Version};
use leptos::prelude::*;

pub use domain::book::WeekBook;

#[server(prefix = "/api", endpoint = "day_sessions")]
pub async fn get_day_sessions(date: String) -> Result<Vec<SessionView>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::appointments::day_sessions(&store, &actor, &date).await?)
}

#[server(prefix = "/api", endpoint = "clinician_week")]
pub async fn get_clinician_week(clinician: StaffId, from: String) -> Result<WeekBook, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::appointments::clinician_week(&store, &actor, &clinician, &from).await?)
}

#[server(prefix = "/api", endpoint = "search_patients")]
pub async fn search_patients(query: String) -> Result<Vec<PatientHit>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::patients::search(&store, &actor, &query).await?)
}

/// The first free slot from now on (from `date` if later), optionally for
/// one clinician, within four weeks.
#[server(prefix = "/api", endpoint = "next_free_slot")]
pub async fn find_next_free_slot(
    clinician: Option<StaffId>,
    date: String,
) -> Result<Option<FreeSlot>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::appointments::next_free_slot(&store, &actor, clinician.as_ref(), &date).await?)
}

#[server(prefix = "/api", endpoint = "book_slot")]
pub async fn book_slot(
    session_id: ClinicSessionId,
    start: String,
    patient_id: PatientId,
    kind: String,
    reason: Option<String>,
) -> Result<AppointmentView, AppError> {
    let (store, actor) = crate::door::staff()?;
    let booking = services::appointments::Booking {
        session: session_id,
        start,
        patient: patient_id,
        kind,
        reason,
    };
    Ok(services::appointments::book(&store, &actor, booking).await?)
}

#[server(prefix = "/api", endpoint = "move_booking")]
pub async fn move_booking(
    id: AppointmentId,
    version: Version,
    session_id: ClinicSessionId,
    start: String,
) -> Result<AppointmentView, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(
        services::appointments::move_booking(&store, &actor, &id, version, &session_id, &start)
            .await?,
    )
}

#[server(prefix = "/api", endpoint = "cancel_booking")]
pub async fn cancel_booking(
    id: AppointmentId,
    version: Version,
    reason: String,
) -> Result<AppointmentView, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::appointments::cancel_booking(&store, &actor, &id, version, &reason).await?)
}
