//! Booking a slot and moving an appointment to another. The slot key is
//! unique in the database, so of many simultaneous attempts on one slot
//! exactly one succeeds.

use super::{BookError, ChangeError};
use crate::tx::{run_with_retry, Retry};
use crate::{new_key, PracticeStore, StoreError};
use domain::appointment_status::Status;
use domain::book::{minutes, AppointmentKind};
use domain::live::{AppointmentView, EventKind};
use surrealdb::types::{RecordId, SurrealValue};

/// A booking request in this practice (the session and patient are
/// checked to be the practice's in the booking's transaction).
#[derive(Clone, Debug)]
pub struct NewAppointment {
    pub clinic_session_id: String,
    pub patient_id: String,
    /// HH:MM within the session, on a slot boundary.
    pub start: String,
    pub kind: AppointmentKind,
    pub reason: Option<String>,
    pub booked_by: crate::By,
}

#[derive(SurrealValue)]
pub(crate) struct SessionFacts {
    pub(crate) practice: String,
    pub(crate) clinician: String,
    pub(crate) date: String,
    pub(crate) start: String,
    pub(crate) end: String,
    pub(crate) slot_minutes: i64,
    pub(crate) blocked: Option<String>,
}

impl SessionFacts {
    /// Whether `start` is a slot of this session.
    pub(crate) fn check_slot(&self, start: &str) -> Result<(), BookError> {
        if let Some(reason) = &self.blocked {
            return Err(BookError::SessionBlocked {
                reason: reason.clone(),
            });
        }
        let (Some(from), Some(to), Some(at)) =
            (minutes(&self.start), minutes(&self.end), minutes(start))
        else {
            return Err(BookError::BadStart);
        };
        if at < from || at + self.slot_minutes > to || (at - from) % self.slot_minutes != 0 {
            return Err(BookError::NotASlot {
                start: start.to_string(),
                session_start: self.start.clone(),
                session_end: self.end.clone(),
                slot_minutes: self.slot_minutes,
            });
        }
        Ok(())
    }
}

/// Why a move did not happen.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error(transparent)]
    Change(ChangeError),
    #[error(transparent)]
    Book(BookError),
}

/// Refuses, inside a booking's own transaction, a session an absence
/// blocked after the booking first read it.
const STILL_OPEN: &str =
    "LET $open = (SELECT VALUE blocked FROM ONLY type::record('clinic_session', $clinic));
             IF $open != NONE { THROW 'op:blocked' };";

impl PracticeStore {
    /// Why a session refused a booking that its transaction found blocked.
    async fn blocked_error(&self, session_id: &str) -> BookError {
        match self.session_facts(session_id).await {
            Ok(s) => BookError::SessionBlocked {
                reason: s.blocked.unwrap_or_default(),
            },
            Err(e) => e,
        }
    }

    /// A clinic session of the practice, for booking into.
    pub(crate) async fn session_facts(&self, session_id: &str) -> Result<SessionFacts, BookError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(practice) AS practice, record::id(clinician) AS clinician,
                        date, start, end, slot_minutes, blocked
                 FROM ONLY type::record('clinic_session', $id)",
            )
            .bind(("id", session_id.to_string()))
            .await
            .map_err(StoreError::from)?
            .check()
            .map_err(StoreError::from)?;
        let session: Option<SessionFacts> = res.take(0).map_err(StoreError::from)?;
        session
            .filter(|s| s.practice == self.id().as_str())
            .ok_or(BookError::NoSuchSession)
    }

    /// The clinician of a clinic session of this practice (none: no such
    /// session here).
    pub async fn session_clinician(&self, session_id: &str) -> Result<Option<String>, StoreError> {
        match self.session_facts(session_id).await {
            Ok(s) => Ok(Some(s.clinician)),
            Err(BookError::NoSuchSession) => Ok(None),
            Err(BookError::Store(e)) => Err(e),
            Err(e) => Err(StoreError::Internal(e.to_string())),
        }
    }

    /// Books a slot. The slot key is unique in the database, so of many
    /// simultaneous attempts exactly one succeeds; the rest get `SlotTaken`.
    pub async fn book_appointment(
        &self,
        new: &NewAppointment,
    ) -> Result<AppointmentView, BookError> {
        let session = self.session_facts(&new.clinic_session_id).await?;
        session.check_slot(&new.start)?;
        let id = new_key();
        let script = format!(
            "BEGIN TRANSACTION;
             LET $p = (SELECT VALUE practice FROM ONLY type::record('patient', $patient));
             IF $p != $practice {{ THROW 'op:no_patient' }};
             {unblocked}
             CREATE type::record('appointment', $record) CONTENT {{
                 practice: $practice, clinic_session: type::record('clinic_session', $clinic),
                 clinician: type::record('staff', $staff), patient: type::record('patient', $patient),
                 date: $date, start: $start, duration_minutes: $duration, kind: $kind_of_appointment,
                 reason: $reason, status: 'booked', slot_key: $slot_key,
                 booked_by: $booked_by, updated_by: $booked_by
             }} RETURN NONE;
             {append}
             COMMIT TRANSACTION;",
            append = crate::live::append("$date", "$staff"),
            unblocked = STILL_OPEN,
        );
        let practice = self.record();
        let slot_key = format!("{}/{}/{}", session.clinician, session.date, new.start);
        let outcome = run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("practice", practice.clone()))
                .bind(("patient", new.patient_id.clone()))
                .bind(("record", id.clone()))
                .bind(("clinic", new.clinic_session_id.clone()))
                .bind(("staff", session.clinician.clone()))
                .bind(("date", session.date.clone()))
                .bind(("start", new.start.clone()))
                .bind(("duration", session.slot_minutes))
                .bind(("kind_of_appointment", new.kind.as_str().to_string()))
                .bind(("reason", new.reason.clone()))
                .bind(("slot_key", slot_key.clone()))
                .bind(("booked_by", new.booked_by.record()))
                .bind(("kind", EventKind::Appointment.as_str()))
                .bind(("new_version", 1_i64))
        })
        .await;
        match outcome {
            Ok(()) => Ok(self.appointment(&id).await?),
            Err(Retry::AlreadyExists) => Err(BookError::SlotTaken),
            Err(Retry::Thrown(t)) if t == "op:no_patient" => Err(BookError::NoSuchPatient),
            Err(Retry::Thrown(t)) if t == "op:blocked" => {
                Err(self.blocked_error(&new.clinic_session_id).await)
            }
            Err(e) => Err(StoreError::from(e).into()),
        }
    }
    /// Moves a booked appointment to another slot. The old and new day
    /// lists both hear of it (two outbox events); the unique slot key
    /// refuses a taken slot.
    pub async fn move_appointment(
        &self,
        id: &str,
        expected_version: i64,
        to_session: &str,
        to_start: &str,
        by: &str,
    ) -> Result<AppointmentView, MoveError> {
        let current = match self.appointment(id).await {
            Ok(v) => v,
            Err(StoreError::NotFound) => return Err(MoveError::Change(ChangeError::NotFound)),
            Err(e) => return Err(MoveError::Change(e.into())),
        };
        if current.version != expected_version {
            return Err(MoveError::Change(ChangeError::Stale {
                current: Box::new(current),
            }));
        }
        if current.status != Status::Booked {
            return Err(MoveError::Book(BookError::NotBooked {
                status: current.status,
            }));
        }
        let session = self
            .session_facts(to_session)
            .await
            .map_err(MoveError::Book)?;
        session.check_slot(to_start).map_err(MoveError::Book)?;
        let slot_key = format!("{}/{}/{}", session.clinician, session.date, to_start);
        let script = format!(
            "BEGIN TRANSACTION;
             LET $a = type::record('appointment', $record);
             LET $row = (SELECT version, practice FROM ONLY $a);
             IF $row = NONE OR $row.practice != $practice {{ THROW 'op:not_found' }};
             IF $row.version != $version {{ THROW 'op:stale' }};
             {unblocked}
             UPDATE $a SET clinic_session = type::record('clinic_session', $clinic),
                 clinician = type::record('staff', $staff), date = $date, start = $start,
                 duration_minutes = $duration, slot_key = $slot_key,
                 version = $new_version, updated_at = time::now(), updated_by = $by RETURN NONE;
             CREATE appointment_transition CONTENT {{ practice: $practice, appointment: $a, from: 'booked', to: 'booked', by: $by }} RETURN NONE;
             {old}
             {new}
             COMMIT TRANSACTION;",
            old = crate::live::append("$old_date", "$old_staff"),
            new = crate::live::append("$date", "$staff"),
            unblocked = STILL_OPEN,
        );
        let practice = self.record();
        let outcome = run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("record", id.to_string()))
                .bind(("practice", practice.clone()))
                .bind(("version", expected_version))
                .bind(("new_version", expected_version + 1))
                .bind(("clinic", to_session.to_string()))
                .bind(("staff", session.clinician.clone()))
                .bind(("date", session.date.clone()))
                .bind(("start", to_start.to_string()))
                .bind(("duration", session.slot_minutes))
                .bind(("slot_key", slot_key.clone()))
                .bind(("by", RecordId::new("staff", by)))
                .bind(("kind", EventKind::Appointment.as_str()))
                .bind(("old_date", current.date.clone()))
                .bind(("old_staff", current.clinician_id.clone()))
        })
        .await;
        match outcome {
            Ok(()) => Ok(self
                .appointment(id)
                .await
                .map_err(|e| MoveError::Change(e.into()))?),
            Err(Retry::AlreadyExists) => Err(MoveError::Book(BookError::SlotTaken)),
            Err(Retry::Thrown(t)) if t == "op:stale" => {
                let current = self
                    .appointment(id)
                    .await
                    .map_err(|e| MoveError::Change(e.into()))?;
                Err(MoveError::Change(ChangeError::Stale {
                    current: Box::new(current),
                }))
            }
            Err(Retry::Thrown(t)) if t == "op:not_found" => {
                Err(MoveError::Change(ChangeError::NotFound))
            }
            Err(Retry::Thrown(t)) if t == "op:blocked" => {
                Err(MoveError::Book(self.blocked_error(to_session).await))
            }
            Err(e) => Err(MoveError::Change(StoreError::from(e).into())),
        }
    }
}
