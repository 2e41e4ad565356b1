//! Appointments: the day views, booking and status changes. Every change is
//! one transaction that also appends the practice's next `event` (the
//! outbox), so the live views can never miss it, and names the `version` it
//! read, so a stale change is refused rather than silently applied.
//! Refusals are typed; the words are the appointments service's.

mod booking;
mod calls;
mod find;
mod status;

pub use booking::{MoveError, NewAppointment};
pub use find::AppointmentFilter;

use crate::{rfc3339, PracticeStore, StoreError};
use domain::appointment_status::{Status, TransitionError};
use domain::book::patient_display_name;
use domain::live::AppointmentView;
use domain::record::UpcomingAppointment;
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
    /// Cancelling needs a reason.
    #[error("a reason is required")]
    ReasonRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a booking (or a move) did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// The slot was taken (perhaps a moment ago, by someone else).
    #[error("this slot was just taken")]
    SlotTaken,
    /// No such clinic session in this practice.
    #[error("no such clinic session")]
    NoSuchSession,
    /// No such patient in this practice.
    #[error("no such patient")]
    NoSuchPatient,
    /// The start time is not HH:MM.
    #[error("the start time is not HH:MM")]
    BadStart,
    /// `start` is not a slot of the session.
    #[error("not a slot of the session")]
    NotASlot {
        start: String,
        session_start: String,
        session_end: String,
        slot_minutes: i64,
    },
    /// The clinician is away (an absence blocks the session): `reason`
    /// is what kind of absence ("Leave").
    #[error("the session is blocked")]
    SessionBlocked { reason: String },
    /// Only a booked appointment can be moved; this one is `status`.
    #[error("only a booked appointment can be moved")]
    NotBooked { status: Status },
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
    clinic_session_id: String,
    cancel_reason: Option<String>,
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
            clinic_session_id: r.clinic_session_id,
            cancel_reason: r.cancel_reason,
        })
    }
}

const VIEW_FIELDS: &str = "record::id(id) AS id, version, date, start, duration_minutes,
    record::id(clinician) AS clinician_id, clinician.display_name AS clinician_name,
    clinic_session.room.name AS room,
    record::id(patient) AS patient_id, patient.title AS title, patient.given_name AS given_name,
    patient.family_name AS family_name, patient.date_of_birth AS date_of_birth,
    kind, reason, status, arrived_at, updated_at,
    IF updated_by.display_name THEN updated_by.display_name
    ELSE IF updated_by.name THEN string::concat(updated_by.name, ' (API)') END AS updated_by,
    record::id(clinic_session) AS clinic_session_id, cancel_reason";

fn views(rows: Vec<ViewRow>) -> Result<Vec<AppointmentView>, StoreError> {
    rows.into_iter().map(TryInto::try_into).collect()
}

impl PracticeStore {
    /// A practice's appointments on `date`, optionally for one clinician,
    /// in time order.
    pub async fn day_appointments(
        &self,
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
            .bind(("practice", self.pid()))
            .bind(("date", date.to_string()))
            .bind(("clinician", clinician_id.unwrap_or_default().to_string()))
            .await?
            .check()?;
        views(res.take(0)?)
    }

    /// The given appointments of a practice (others are silently left out).
    pub async fn appointments_by_id(
        &self,
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
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        views(res.take(0)?)
    }

    /// One appointment of a practice; another practice's is `NotFound`.
    pub async fn appointment(&self, id: &str) -> Result<AppointmentView, StoreError> {
        self.appointments_by_id(&[id.to_string()])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// The patient's appointments from `today` on (not cancelled), soonest
    /// first.
    pub async fn upcoming_appointments(
        &self,
        patient_id: &str,
        today: chrono::NaiveDate,
    ) -> Result<Vec<UpcomingAppointment>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT date, start, clinician.display_name AS clinician FROM appointment
                 WHERE patient = type::record('patient', $patient) AND practice = type::record('practice', $practice)
                   AND date >= $today AND status NOT IN ['cancelled', 'did_not_attend', 'finished', 'left', 'walked_out']
                 ORDER BY date, start LIMIT 10",
            )
            .bind(("patient", patient_id.to_string()))
            .bind(("practice", self.pid()))
            .bind(("today", today.to_string()))
            .await?
            .check()?;
        #[derive(SurrealValue)]
        struct Row {
            date: String,
            start: String,
            clinician: Option<String>,
        }
        let rows: Vec<Row> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| UpcomingAppointment {
                date: r.date,
                start: r.start,
                clinician: r.clinician.unwrap_or_default(),
            })
            .collect())
    }
}
