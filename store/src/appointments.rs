//! Appointments: the day views, booking and status changes. Every change is
//! one transaction that also appends the practice's next `event` (the
//! outbox), so the live views can never miss it, and names the `version` it
//! read, so a stale change is refused rather than silently applied.

use crate::outbox::{self, Retry};
use crate::{new_key, rfc3339, Store, StoreError};
use domain::appointment_status::{Action, Status, TransitionError};
use domain::live::{short_name, AppointmentView, CallView};
use surrealdb::types::{Datetime, RecordId, SurrealValue};

/// Why a status change did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("not found")]
    NotFound,
    /// Someone else changed it since `expected_version`; here is what it is now.
    #[error("the appointment was changed by someone else")]
    Stale { current: Box<AppointmentView> },
    #[error(transparent)]
    Invalid(#[from] TransitionError),
    #[error("Give a reason for cancelling.")]
    ReasonRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a booking did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// The slot was taken (perhaps a moment ago, by someone else).
    #[error("this slot was just taken")]
    SlotTaken,
    /// The slot is not in the clinic session (or the session or patient is
    /// not in this practice).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(SurrealValue)]
struct ViewRow {
    id: String,
    version: i64,
    date: String,
    start: String,
    duration_minutes: i64,
    clinician_id: String,
    clinician_name: Option<String>,
    room: Option<String>,
    patient_id: String,
    title: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    date_of_birth: Option<String>,
    kind: String,
    reason: Option<String>,
    status: String,
    arrived_at: Option<Datetime>,
    updated_at: Datetime,
    updated_by: Option<String>,
}

impl TryFrom<ViewRow> for AppointmentView {
    type Error = StoreError;
    fn try_from(r: ViewRow) -> Result<Self, StoreError> {
        let status = Status::parse(&r.status).ok_or_else(|| {
            StoreError::Internal(format!("unknown appointment status {}", r.status))
        })?;
        let patient_name = patient_display_name(
            r.title.as_deref(),
            r.given_name.as_deref().unwrap_or_default(),
            r.family_name.as_deref().unwrap_or_default(),
        );
        Ok(AppointmentView {
            id: r.id,
            version: r.version,
            date: r.date,
            start: r.start,
            duration_minutes: r.duration_minutes,
            clinician_id: r.clinician_id,
            clinician_name: r.clinician_name.unwrap_or_default(),
            room: r.room.unwrap_or_default(),
            patient_id: r.patient_id,
            patient_name,
            patient_date_of_birth: r.date_of_birth.unwrap_or_default(),
            kind: r.kind,
            reason: r.reason,
            status,
            arrived_at: r.arrived_at.map(rfc3339),
            updated_at: rfc3339(r.updated_at),
            updated_by: r.updated_by,
        })
    }
}

const VIEW_FIELDS: &str = "record::id(id) AS id, version, date, start, duration_minutes,
    record::id(clinician) AS clinician_id, clinician.display_name AS clinician_name,
    clinic_session.room.name AS room,
    record::id(patient) AS patient_id, patient.title AS title, patient.given_name AS given_name,
    patient.family_name AS family_name, patient.date_of_birth AS date_of_birth,
    kind, reason, status, arrived_at, updated_at, updated_by.display_name AS updated_by";

fn views(rows: Vec<ViewRow>) -> Result<Vec<AppointmentView>, StoreError> {
    rows.into_iter().map(TryInto::try_into).collect()
}

#[derive(SurrealValue)]
struct CallRow {
    id: String,
    short_name: String,
    room: String,
    at: Datetime,
}

impl From<CallRow> for CallView {
    fn from(r: CallRow) -> Self {
        CallView {
            id: r.id,
            short_name: r.short_name,
            room: r.room,
            at: rfc3339(r.at),
        }
    }
}

/// What changing an appointment needs to know besides the view.
#[derive(SurrealValue)]
struct ChangeFacts {
    given_name: Option<String>,
    family_name: Option<String>,
}

/// A booking request; every id is already authorised for `practice_id`.
#[derive(Clone, Debug)]
pub struct NewAppointment {
    pub practice_id: String,
    pub clinic_session_id: String,
    pub patient_id: String,
    /// HH:MM within the session, on a slot boundary.
    pub start: String,
    /// face_to_face, telephone or video.
    pub kind: String,
    pub reason: Option<String>,
    pub booked_by: String,
}

#[derive(SurrealValue)]
pub(crate) struct SessionFacts {
    pub(crate) practice: String,
    pub(crate) clinician: String,
    pub(crate) date: String,
    pub(crate) start: String,
    pub(crate) end: String,
    pub(crate) slot_minutes: i64,
}

impl SessionFacts {
    /// Whether `start` is a slot of this session.
    pub(crate) fn check_slot(&self, start: &str) -> Result<(), BookError> {
        let (Some(from), Some(to), Some(at)) =
            (minutes(&self.start), minutes(&self.end), minutes(start))
        else {
            return Err(BookError::Invalid("Give the start time as HH:MM.".into()));
        };
        if at < from || at + self.slot_minutes > to || (at - from) % self.slot_minutes != 0 {
            return Err(BookError::Invalid(format!(
                "{} is not a slot in this session ({}–{}, {}-minute slots).",
                start, self.start, self.end, self.slot_minutes
            )));
        }
        Ok(())
    }
}

use domain::book::{minutes, patient_display_name};

impl Store {
    /// A practice's appointments on `date`, optionally for one clinician,
    /// in time order.
    pub async fn day_appointments(
        &self,
        practice_id: &str,
        date: &str,
        clinician_id: Option<&str>,
    ) -> Result<Vec<AppointmentView>, StoreError> {
        let filter = if clinician_id.is_some() {
            " AND clinician = type::record('staff', $clinician)"
        } else {
            ""
        };
        let mut res = self
            .db()
            .query(format!(
                "SELECT {VIEW_FIELDS} FROM appointment
                 WHERE practice = type::record('practice', $practice) AND date = $date{filter}
                 ORDER BY start, clinician_name"
            ))
            .bind(("practice", practice_id.to_string()))
            .bind(("date", date.to_string()))
            .bind(("clinician", clinician_id.unwrap_or_default().to_string()))
            .await?
            .check()?;
        views(res.take(0)?)
    }

    /// The given appointments of a practice (others are silently left out).
    pub async fn appointments_by_id(
        &self,
        practice_id: &str,
        ids: &[String],
    ) -> Result<Vec<AppointmentView>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<RecordId> = ids
            .iter()
            .map(|id| RecordId::new("appointment", id.as_str()))
            .collect();
        let mut res = self
            .db()
            .query(format!(
                "SELECT {VIEW_FIELDS} FROM $records
                 WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("records", records))
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        views(res.take(0)?)
    }

    /// One appointment of a practice; another practice's is `NotFound`.
    pub async fn appointment(
        &self,
        practice_id: &str,
        id: &str,
    ) -> Result<AppointmentView, StoreError> {
        self.appointments_by_id(practice_id, &[id.to_string()])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// The latest calls for the call screen, newest first.
    pub async fn recent_calls(
        &self,
        practice_id: &str,
        limit: usize,
    ) -> Result<Vec<CallView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, short_name, room, at FROM call
                 WHERE practice = type::record('practice', $practice)
                 ORDER BY at DESC LIMIT $limit",
            )
            .bind(("practice", practice_id.to_string()))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<CallRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Calls made for the given appointments (the outbox names the
    /// appointment), newest first.
    pub async fn calls_for_appointments(
        &self,
        practice_id: &str,
        appointment_ids: &[String],
    ) -> Result<Vec<CallView>, StoreError> {
        if appointment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<RecordId> = appointment_ids
            .iter()
            .map(|id| RecordId::new("appointment", id.as_str()))
            .collect();
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, short_name, room, at FROM call
                 WHERE practice = type::record('practice', $practice) AND appointment IN $records
                 ORDER BY at DESC",
            )
            .bind(("practice", practice_id.to_string()))
            .bind(("records", records))
            .await?
            .check()?;
        let rows: Vec<CallRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// A clinic session of the practice, for booking into.
    pub(crate) async fn session_facts(
        &self,
        practice_id: &str,
        session_id: &str,
    ) -> Result<SessionFacts, BookError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(practice) AS practice, record::id(clinician) AS clinician,
                        date, start, end, slot_minutes
                 FROM ONLY type::record('clinic_session', $id)",
            )
            .bind(("id", session_id.to_string()))
            .await
            .map_err(StoreError::from)?
            .check()
            .map_err(StoreError::from)?;
        let session: Option<SessionFacts> = res.take(0).map_err(StoreError::from)?;
        session
            .filter(|s| s.practice == practice_id)
            .ok_or_else(|| BookError::Invalid("That clinic session does not exist.".into()))
    }

    /// Applies `action` to an appointment last read at `expected_version`,
    /// as staff member `by`. The change, its history row, a call-screen row
    /// (for a call in) and the outbox event are one transaction. Cancelling
    /// needs a reason: use `cancel_appointment`.
    pub async fn change_appointment_status(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
        action: Action,
        by: &str,
    ) -> Result<AppointmentView, ChangeError> {
        if action == Action::Cancel {
            return Err(ChangeError::ReasonRequired);
        }
        self.change_status_with(practice_id, id, expected_version, action, by, None)
            .await
    }

    pub(crate) async fn change_status_with(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
        action: Action,
        by: &str,
        reason: Option<String>,
    ) -> Result<AppointmentView, ChangeError> {
        let current = match self.appointment(practice_id, id).await {
            Ok(v) => v,
            Err(StoreError::NotFound) => return Err(ChangeError::NotFound),
            Err(e) => return Err(e.into()),
        };
        if current.version != expected_version {
            return Err(ChangeError::Stale {
                current: Box::new(current),
            });
        }
        let next = current.status.apply(action)?;
        let arrival = match (action, next) {
            (Action::MarkArrived, _) => "set",
            (Action::UndoArrival, _) => "clear",
            _ => "keep",
        };
        let call = if action.shows_on_call_screen() {
            let mut res = self
                .db()
                .query(
                    "SELECT patient.given_name AS given_name, patient.family_name AS family_name
                     FROM ONLY type::record('appointment', $id)",
                )
                .bind(("id", id.to_string()))
                .await
                .map_err(StoreError::from)?
                .check()
                .map_err(StoreError::from)?;
            let facts: Option<ChangeFacts> = res.take(0).map_err(StoreError::from)?;
            let facts = facts.ok_or(ChangeError::NotFound)?;
            Some(short_name(
                &facts.given_name.unwrap_or_default(),
                &facts.family_name.unwrap_or_default(),
            ))
        } else {
            None
        };
        let kind = if call.is_some() {
            outbox::KIND_APPOINTMENT_CALLED
        } else {
            outbox::KIND_APPOINTMENT
        };
        let script = format!(
            "BEGIN TRANSACTION;
             LET $a = type::record('appointment', $id);
             LET $row = (SELECT version, practice FROM ONLY $a);
             IF $row = NONE OR $row.practice != $practice {{ THROW 'op:not_found' }};
             IF $row.version != $version {{ THROW 'op:stale' }};
             UPDATE $a SET status = $to, version = $version + 1, updated_at = time::now(), updated_by = $by RETURN NONE;
             IF $arrival = 'set' {{ UPDATE $a SET arrived_at = time::now() RETURN NONE }};
             IF $arrival = 'clear' {{ UPDATE $a SET arrived_at = NONE RETURN NONE }};
             CREATE appointment_transition CONTENT {{ practice: $practice, appointment: $a, from: $from, to: $to, by: $by }} RETURN NONE;
             IF $call != NONE {{ CREATE call CONTENT {{ practice: $practice, appointment: $a, short_name: $call, room: $room }} RETURN NONE }};
             IF $to = 'cancelled' {{ UPDATE $a SET slot_key = string::concat(slot_key, '#cancelled-', record::id($a)), cancel_reason = $reason RETURN NONE }};
             {append}
             COMMIT TRANSACTION;",
            append = outbox::append("$date", "$staff")
        );
        let practice = RecordId::new("practice", practice_id);
        let outcome = outbox::run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("id", id.to_string()))
                .bind(("practice", practice.clone()))
                .bind(("version", expected_version))
                .bind(("from", current.status.as_str().to_string()))
                .bind(("to", next.as_str().to_string()))
                .bind(("by", RecordId::new("staff", by)))
                .bind(("arrival", arrival.to_string()))
                .bind(("call", call.clone()))
                .bind(("reason", reason.clone()))
                .bind(("room", current.room.clone()))
                .bind(("kind", kind.to_string()))
                .bind(("record", id.to_string()))
                .bind(("new_version", expected_version + 1))
                .bind(("date", current.date.clone()))
                .bind(("staff", current.clinician_id.clone()))
        })
        .await;
        match outcome {
            Ok(()) => {}
            Err(Retry::Thrown(t)) if t == "op:stale" => {
                let current = self.appointment(practice_id, id).await?;
                return Err(ChangeError::Stale {
                    current: Box::new(current),
                });
            }
            Err(Retry::Thrown(t)) if t == "op:not_found" => return Err(ChangeError::NotFound),
            Err(e) => return Err(StoreError::from(e).into()),
        }
        Ok(self.appointment(practice_id, id).await?)
    }

    /// Books a slot. The slot key is unique in the database, so of many
    /// simultaneous attempts exactly one succeeds; the rest get `SlotTaken`.
    pub async fn book_appointment(
        &self,
        new: &NewAppointment,
    ) -> Result<AppointmentView, BookError> {
        if !matches!(new.kind.as_str(), "face_to_face" | "telephone" | "video") {
            return Err(BookError::Invalid(
                "Choose face to face, telephone or video.".into(),
            ));
        }
        let session = self
            .session_facts(&new.practice_id, &new.clinic_session_id)
            .await?;
        session.check_slot(&new.start)?;
        let id = new_key();
        let script = format!(
            "BEGIN TRANSACTION;
             LET $p = (SELECT VALUE practice FROM ONLY type::record('patient', $patient));
             IF $p != $practice {{ THROW 'op:no_patient' }};
             CREATE type::record('appointment', $record) CONTENT {{
                 practice: $practice, clinic_session: type::record('clinic_session', $clinic),
                 clinician: type::record('staff', $staff), patient: type::record('patient', $patient),
                 date: $date, start: $start, duration_minutes: $duration, kind: $kind_of_appointment,
                 reason: $reason, status: 'booked', slot_key: $slot_key,
                 booked_by: type::record('staff', $booked_by), updated_by: type::record('staff', $booked_by)
             }} RETURN NONE;
             {append}
             COMMIT TRANSACTION;",
            append = outbox::append("$date", "$staff")
        );
        let practice = RecordId::new("practice", new.practice_id.as_str());
        let slot_key = format!("{}/{}/{}", session.clinician, session.date, new.start);
        let outcome = outbox::run_with_retry(|| {
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
                .bind(("kind_of_appointment", new.kind.clone()))
                .bind(("reason", new.reason.clone()))
                .bind(("slot_key", slot_key.clone()))
                .bind(("booked_by", new.booked_by.clone()))
                .bind(("kind", outbox::KIND_APPOINTMENT.to_string()))
                .bind(("new_version", 1_i64))
        })
        .await;
        match outcome {
            Ok(()) => Ok(self.appointment(&new.practice_id, &id).await?),
            Err(Retry::AlreadyExists) => Err(BookError::SlotTaken),
            Err(Retry::Thrown(t)) if t == "op:no_patient" => {
                Err(BookError::Invalid("That patient does not exist.".into()))
            }
            Err(e) => Err(StoreError::from(e).into()),
        }
    }
}
