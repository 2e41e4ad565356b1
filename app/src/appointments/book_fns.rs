//! Appointment-book server functions: the day's sessions, a clinician's
//! week, patient search for booking, next free slot, book, move, cancel.
//! Every one authorises in our code (role + practice); every record is
//! looked up within the caller's practice, so another practice's answers
//! as not found.

use crate::AppError;
use domain::book::{FreeSlot, PatientHit, SessionView};
use domain::live::AppointmentView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekBook {
    pub sessions: Vec<SessionView>,
    pub appointments: Vec<AppointmentView>,
    /// When this was read (London HH:MM): the week view is not live.
    pub as_of: String,
}

#[cfg(feature = "ssr")]
fn booker() -> Result<crate::auth::ssr::Actor, AppError> {
    crate::auth::ssr::require_area(domain::Area::Appointments)
}

#[cfg(feature = "ssr")]
fn valid_date(field: &str, date: &str) -> Result<(), AppError> {
    if domain::time::iso_date(date).is_some() {
        Ok(())
    } else {
        Err(AppError::field(field, "Enter a date as YYYY-MM-DD."))
    }
}

#[server(prefix = "/api", endpoint = "day_sessions")]
pub async fn get_day_sessions(date: String) -> Result<Vec<SessionView>, AppError> {
    let result = async {
        let actor = booker()?;
        valid_date("date", &date)?;
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .day_sessions(actor.practice_id(), &date)
            .await
            .map_err(AppError::internal)
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/api", endpoint = "clinician_week")]
pub async fn get_clinician_week(clinician: String, from: String) -> Result<WeekBook, AppError> {
    let result = async {
        let actor = booker()?;
        valid_date("from", &from)?;
        let state = crate::auth::ssr::app_state()?;
        let practice = actor.practice_id();
        match state
            .store
            .staff_role_in_practice(practice, &clinician)
            .await
        {
            Ok(Some(r)) if r.is_clinician() => {}
            Ok(_) => return Err(AppError::NotFound),
            Err(e) => return Err(AppError::internal(e)),
        }
        let start =
            chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d").map_err(AppError::internal)?;
        let to = (start + chrono::Duration::days(6)).to_string();
        let (sessions, appointments) = state
            .store
            .clinician_range(practice, &clinician, &from, &to)
            .await
            .map_err(AppError::internal)?;
        Ok(WeekBook {
            sessions,
            appointments,
            as_of: domain::time::london_hhmm(chrono::Utc::now()),
        })
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/api", endpoint = "search_patients")]
pub async fn search_patients(query: String) -> Result<Vec<PatientHit>, AppError> {
    let result = async {
        let actor = booker()?;
        let Some(q) = store::book::PatientQuery::parse(&query) else {
            return Err(AppError::field(
                "patient-search",
                "Enter an NHS number, a family name (and given name), a date of birth or a postcode.",
            ));
        };
        if query.len() > 100 {
            return Err(AppError::field(
                "patient-search",
                "That search is too long.",
            ));
        }
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .find_patients(actor.practice_id(), &q, 20)
            .await
            .map_err(AppError::internal)
    }
    .await;
    crate::error::with_status(result)
}

/// The first free slot from now on (from `date` if later), optionally for
/// one clinician, within four weeks.
#[server(prefix = "/api", endpoint = "next_free_slot")]
pub async fn find_next_free_slot(
    clinician: Option<String>,
    date: String,
) -> Result<Option<FreeSlot>, AppError> {
    let result = async {
        let actor = booker()?;
        valid_date("date", &date)?;
        let state = crate::auth::ssr::app_state()?;
        let now = chrono::Utc::now();
        let today = domain::time::london_today(now).to_string();
        let (from, time) = if date > today {
            (date, "00:00".to_string())
        } else {
            (today, domain::time::london_hhmm(now))
        };
        let clinician = clinician.filter(|c| !c.is_empty());
        state
            .store
            .next_free_slot(actor.practice_id(), clinician.as_deref(), &from, &time, 28)
            .await
            .map_err(AppError::internal)
    }
    .await;
    crate::error::with_status(result)
}

#[cfg(feature = "ssr")]
fn book_error(e: store::appointments::BookError) -> AppError {
    use store::appointments::BookError;
    match e {
        BookError::SlotTaken => AppError::Conflict {
            message: "This slot was just taken. Choose another slot.".into(),
        },
        BookError::Invalid(m) => AppError::field("slot", m),
        BookError::Store(e) => AppError::internal(e),
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn change_error(e: store::appointments::ChangeError) -> AppError {
    use store::appointments::ChangeError;
    match e {
        ChangeError::Stale { current } => AppError::Conflict {
            message: super::stale_message(&current),
        },
        ChangeError::Invalid(e) => AppError::Conflict {
            message: e.to_string(),
        },
        ChangeError::ReasonRequired => AppError::field("reason", "Give a reason for cancelling."),
        ChangeError::NotFound => AppError::NotFound,
        ChangeError::Store(e) => AppError::internal(e),
    }
}

#[server(prefix = "/api", endpoint = "book_slot")]
pub async fn book_slot(
    session_id: String,
    start: String,
    patient_id: String,
    kind: String,
    reason: Option<String>,
) -> Result<AppointmentView, AppError> {
    let result = async {
        let actor = booker()?;
        if patient_id.trim().is_empty() {
            return Err(AppError::field("patient", "Choose the patient to book."));
        }
        let reason = reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 200) {
            return Err(AppError::field(
                "reason",
                "Keep the reason under 200 characters.",
            ));
        }
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .book_appointment(&store::appointments::NewAppointment {
                practice_id: actor.practice_id().to_string(),
                clinic_session_id: session_id,
                patient_id,
                start,
                kind,
                reason,
                booked_by: actor.user.staff_id.clone(),
            })
            .await
            .map_err(book_error)
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/api", endpoint = "move_booking")]
pub async fn move_booking(
    id: String,
    version: i64,
    session_id: String,
    start: String,
) -> Result<AppointmentView, AppError> {
    let result = async {
        let actor = booker()?;
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .move_appointment(
                actor.practice_id(),
                &id,
                version,
                &session_id,
                &start,
                &actor.user.staff_id,
            )
            .await
            .map_err(|e| match e {
                store::book::MoveError::Change(e) => change_error(e),
                store::book::MoveError::Book(e) => book_error(e),
            })
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/api", endpoint = "cancel_booking")]
pub async fn cancel_booking(
    id: String,
    version: i64,
    reason: String,
) -> Result<AppointmentView, AppError> {
    let result = async {
        let actor = booker()?;
        if reason.chars().count() > 200 {
            return Err(AppError::field(
                "reason",
                "Keep the reason under 200 characters.",
            ));
        }
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .cancel_appointment(
                actor.practice_id(),
                &id,
                version,
                &reason,
                &actor.user.staff_id,
            )
            .await
            .map_err(change_error)
    }
    .await;
    crate::error::with_status(result)
}
