//! The appointment book: the day's sessions, a clinician's week, the next
//! free slot, book, move, cancel. Every record is looked up within the
//! actor's practice, so another practice's answers as not found.

use super::{change_refused, Result};
use crate::{audit, Actor, ServiceError};
use domain::appointment_status::BookChange;
use domain::book::{AppointmentKind, FreeSlot, SessionView, WeekBook};
use domain::live::AppointmentView;
use domain::scopes::Interaction;
use domain::{AppointmentId, Area, ClinicSessionId, PatientId, StaffId, Version};
use store::appointments::{BookError, MoveError, NewAppointment};
use store::audit::Outcome;
use store::Store;

/// The book's one rule for `change` (`BookChange::allowed_for`): whose
/// list it touches decides for a GP or nurse. Sessions and appointments of
/// another practice are no one's (the store then answers not found).
async fn may_change(
    store: &Store,
    actor: &Actor,
    change: BookChange,
    appointment: Option<&AppointmentId>,
    session: Option<&ClinicSessionId>,
) -> Result<()> {
    actor.require(Area::Appointments)?;
    let db = actor.db(store);
    let mut own = true;
    if let Some(id) = appointment {
        own &= match db.appointment(id.as_str()).await {
            Ok(a) => actor.is(&a.clinician_id),
            Err(store::StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
    }
    if let Some(id) = session {
        own &= db
            .session_clinician(id.as_str())
            .await?
            .is_some_and(|c| actor.is(&c));
    }
    // Staff by the book's rule for their role; an API client by its
    // scopes (it has no list of its own).
    let allowed = match actor.role() {
        Some(role) => change.allowed_for(role, own),
        None => actor.may_do(
            "Appointment",
            match change {
                BookChange::Book => Interaction::Create,
                BookChange::Move | BookChange::Cancel => Interaction::Update,
            },
        ),
    };
    if allowed {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn valid_date(field: &str, date: &str) -> Result<()> {
    if domain::time::iso_date(date).is_some() {
        Ok(())
    } else {
        Err(ServiceError::field(field, "Enter a date as YYYY-MM-DD."))
    }
}

/// A refused booking or move in words (each beside the slot picker).
fn book_refused(e: BookError) -> ServiceError {
    let slot = |m: String| ServiceError::field("slot", m);
    match e {
        BookError::SlotTaken => {
            ServiceError::conflict("This slot was just taken. Choose another slot.", None)
        }
        BookError::NoSuchSession => slot("That clinic session does not exist.".into()),
        BookError::NoSuchPatient => slot("That patient does not exist.".into()),
        BookError::BadStart => slot("Give the start time as HH:MM.".into()),
        BookError::NotASlot {
            start,
            session_start,
            session_end,
            slot_minutes,
        } => slot(format!(
            "{start} is not a slot in this session ({session_start}–{session_end}, {slot_minutes}-minute slots)."
        )),
        BookError::SessionBlocked { reason } => slot(format!(
            "The clinician is away then ({}); nothing more can be booked into that session. Choose another clinician or day.",
            reason.to_lowercase()
        )),
        BookError::NotBooked { status } => slot(format!(
            "Only a booked appointment can be moved; this one is {}.",
            status.label().to_lowercase()
        )),
        BookError::Store(e) => e.into(),
    }
}

/// The practice's clinic sessions on a date.
pub async fn day_sessions(store: &Store, actor: &Actor, date: &str) -> Result<Vec<SessionView>> {
    actor.require(Area::Appointments)?;
    valid_date("date", date)?;
    Ok(actor.db(store).day_sessions(date).await?)
}

/// One clinician's sessions and appointments for seven days from `from`.
pub async fn clinician_week(
    store: &Store,
    actor: &Actor,
    clinician: &StaffId,
    from: &str,
) -> Result<WeekBook> {
    actor.require(Area::Appointments)?;
    valid_date("from", from)?;
    let db = actor.db(store);
    match db.staff_role(clinician).await? {
        Some(r) if r.is_clinician() => {}
        _ => return Err(ServiceError::NotFound),
    }
    let start = domain::time::iso_date(from).ok_or(ServiceError::NotFound)?;
    let to = (start + chrono::Duration::days(6)).to_string();
    let (sessions, appointments) = db.clinician_range(clinician.as_str(), from, &to).await?;
    Ok(WeekBook {
        sessions,
        appointments,
        as_of: domain::time::london_hhmm(chrono::Utc::now()),
    })
}

/// The first free slot from now on (from `date` if later), optionally for
/// one clinician, within four weeks.
pub async fn next_free_slot(
    store: &Store,
    actor: &Actor,
    clinician: Option<&StaffId>,
    date: &str,
) -> Result<Option<FreeSlot>> {
    actor.require(Area::Appointments)?;
    valid_date("date", date)?;
    let now = chrono::Utc::now();
    let today = domain::time::london_today(now).to_string();
    let (from, time) = if date > today.as_str() {
        (date.to_string(), "00:00".to_string())
    } else {
        (today, domain::time::london_hhmm(now))
    };
    let clinician = clinician.filter(|c| !c.is_empty());
    let db = actor.db(store);
    if let Some(c) = clinician {
        // Another practice's clinician, or no one: say so rather than
        // answer "no free slot" about someone who is not here.
        if !db.staff_role(c).await?.is_some_and(|r| r.is_clinician()) {
            return Err(ServiceError::field(
                "clinician",
                "Choose a GP or nurse of this practice.",
            ));
        }
    }
    Ok(db
        .next_free_slot(clinician.map(StaffId::as_str), &from, &time, 28)
        .await?)
}

/// What reception enters to book a slot.
#[derive(Clone, Debug)]
pub struct Booking {
    pub session: ClinicSessionId,
    /// HH:MM, a slot of the session.
    pub start: String,
    pub patient: PatientId,
    /// face_to_face, telephone or video.
    pub kind: String,
    pub reason: Option<String>,
}

/// Books a slot for a patient. Of simultaneous bookings of one slot
/// exactly one succeeds; the others are told it was just taken.
pub async fn book(store: &Store, actor: &Actor, booking: Booking) -> Result<AppointmentView> {
    may_change(store, actor, BookChange::Book, None, Some(&booking.session)).await?;
    if booking.patient.is_empty() {
        return Err(ServiceError::field(
            "patient",
            "Choose the patient to book.",
        ));
    }
    let reason = booking
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 200) {
        return Err(ServiceError::field(
            "reason",
            "Keep the reason under 200 characters.",
        ));
    }
    let Some(kind) = AppointmentKind::parse(&booking.kind) else {
        return Err(ServiceError::field(
            "slot",
            "Choose face to face, telephone or video.",
        ));
    };
    if actor.role().is_none() {
        not_started(store, actor, &booking.session, &booking.start).await?;
    }
    let booked = actor
        .db(store)
        .book_appointment(&NewAppointment {
            clinic_session_id: booking.session.into_string(),
            patient_id: booking.patient.into_string(),
            start: booking.start,
            kind,
            reason,
            booked_by: actor.by(),
        })
        .await
        .map_err(book_refused)?;
    let action = format!("booked an appointment ({} {})", booked.date, booked.start);
    audit::record(
        store,
        actor,
        &action,
        Some(&booked.patient_id),
        Outcome::Allowed,
    )
    .await?;
    Ok(booked)
}

/// Another system books ahead only (GP Connect's rule): a slot that has
/// started is refused. Reception may still book a walk-in into the
/// current slot.
async fn not_started(
    store: &Store,
    actor: &Actor,
    session: &ClinicSessionId,
    start: &str,
) -> Result<()> {
    let Some(s) = actor.db(store).clinic_session(session.as_str()).await? else {
        return Ok(()); // the booking itself says the session does not exist
    };
    let now = chrono::Utc::now();
    let (today, time) = (
        domain::time::london_today(now).to_string(),
        domain::time::london_hhmm(now),
    );
    if (s.date.as_str(), start) <= (today.as_str(), time.as_str()) {
        return Err(ServiceError::field(
            "slot",
            "That slot is in the past; choose a slot that has not started.",
        ));
    }
    Ok(())
}

/// Moves a booked appointment (as last seen at `version`) to another slot.
pub async fn move_booking(
    store: &Store,
    actor: &Actor,
    id: &AppointmentId,
    version: Version,
    to_session: &ClinicSessionId,
    to_start: &str,
) -> Result<AppointmentView> {
    may_change(store, actor, BookChange::Move, Some(id), Some(to_session)).await?;
    actor
        .db(store)
        .move_appointment(
            id.as_str(),
            version.get(),
            to_session.as_str(),
            to_start,
            actor.staff_id()?.as_str(),
        )
        .await
        .map_err(|e| match e {
            MoveError::Change(e) => change_refused(e),
            MoveError::Book(e) => book_refused(e),
        })
}

/// Cancels an appointment (as last seen at `version`) with a reason, which
/// is kept; the slot is free again.
pub async fn cancel_booking(
    store: &Store,
    actor: &Actor,
    id: &AppointmentId,
    version: Version,
    reason: &str,
) -> Result<AppointmentView> {
    may_change(store, actor, BookChange::Cancel, Some(id), None).await?;
    if reason.chars().count() > 200 {
        return Err(ServiceError::field(
            "reason",
            "Keep the reason under 200 characters.",
        ));
    }
    let cancelled = actor
        .db(store)
        .cancel_appointment(id.as_str(), version.get(), reason, actor.by())
        .await
        .map_err(change_refused)?;
    let action = format!(
        "cancelled an appointment ({} {})",
        cancelled.date, cancelled.start
    );
    audit::record(
        store,
        actor,
        &action,
        Some(&cancelled.patient_id),
        Outcome::Allowed,
    )
    .await?;
    Ok(cancelled)
}
