//! Clinic sessions and rooms: a session is a clinician in a room on a
//! date, in slots; the appointment book offers its slots. Checking a new
//! session (whole slots, no overlap) is the clinics service's.

mod absences;
mod rooms;
mod rotas;
mod slots;

pub use absences::NewAbsence;
pub use rotas::{NewRota, RotaSession, VersionedError};
pub use slots::SlotState;

use crate::{PracticeStore, StoreError};
pub use domain::book::{FreeSlot, SessionView};
use domain::live::AppointmentView;
use surrealdb::types::SurrealValue;

#[derive(SurrealValue)]
pub(crate) struct SessionRow {
    id: String,
    clinician_id: String,
    clinician_name: Option<String>,
    room: Option<String>,
    date: String,
    start: String,
    end: String,
    slot_minutes: i64,
    room_id: Option<String>,
    blocked: Option<String>,
}

impl From<SessionRow> for SessionView {
    fn from(r: SessionRow) -> Self {
        SessionView {
            id: r.id,
            clinician_id: r.clinician_id,
            clinician_name: r.clinician_name.unwrap_or_default(),
            room: r.room.unwrap_or_default(),
            date: r.date,
            start: r.start,
            end: r.end,
            slot_minutes: r.slot_minutes,
            room_id: r.room_id.unwrap_or_default(),
            blocked: r.blocked,
        }
    }
}

fn sessions(rows: Vec<SessionRow>) -> Vec<SessionView> {
    rows.into_iter().map(Into::into).collect()
}

const SESSION_FIELDS: &str = "record::id(id) AS id, record::id(clinician) AS clinician_id,
    clinician.display_name AS clinician_name, room.name AS room, date, start, end, slot_minutes,
    record::id(room) AS room_id, blocked";

/// A new clinic session, as an admin enters it.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub clinician_id: String,
    pub room_id: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub slot_minutes: i64,
}

impl PracticeStore {
    /// A practice's clinic sessions on a date, by clinician then start.
    pub async fn day_sessions(&self, date: &str) -> Result<Vec<SessionView>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {SESSION_FIELDS} FROM clinic_session
                 WHERE practice = type::record('practice', $practice) AND date = $date
                 ORDER BY clinician_name, start"
            ))
            .bind(("practice", self.pid()))
            .bind(("date", date.to_string()))
            .await?
            .check()?;
        Ok(sessions(res.take(0)?))
    }

    /// One clinician's sessions and appointments from `from` to `to` (inclusive).
    pub async fn clinician_range(
        &self,
        clinician_id: &str,
        from: &str,
        to: &str,
    ) -> Result<(Vec<SessionView>, Vec<AppointmentView>), StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {SESSION_FIELDS} FROM clinic_session
                 WHERE practice = type::record('practice', $practice) AND date >= $from AND date <= $to
                   AND clinician = type::record('staff', $clinician)
                 ORDER BY date, start;
                 SELECT VALUE record::id(id) FROM appointment
                 WHERE practice = type::record('practice', $practice) AND date >= $from AND date <= $to
                   AND clinician = type::record('staff', $clinician);"
            ))
            .bind(("practice", self.pid()))
            .bind(("clinician", clinician_id.to_string()))
            .bind(("from", from.to_string()))
            .bind(("to", to.to_string()))
            .await?
            .check()?;
        let sessions = sessions(res.take(0)?);
        let ids: Vec<String> = res.take(1)?;
        let mut appointments = self.appointments_by_id(&ids).await?;
        appointments.sort_by(|a, b| (&a.date, &a.start).cmp(&(&b.date, &b.start)));
        Ok((sessions, appointments))
    }

    /// The first free slot from `date` at `time` on, optionally for one
    /// clinician, within `days` days.
    pub async fn next_free_slot(
        &self,
        clinician_id: Option<&str>,
        date: &str,
        time: &str,
        days: i64,
    ) -> Result<Option<FreeSlot>, StoreError> {
        let Ok(from) = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
            return Ok(None);
        };
        let to = (from + chrono::Duration::days(days)).to_string();
        let clinician_filter = if clinician_id.is_some() {
            " AND clinician = type::record('staff', $clinician)"
        } else {
            ""
        };
        let mut res = self
            .db()
            .query(format!(
                "SELECT {SESSION_FIELDS} FROM clinic_session
                 WHERE practice = type::record('practice', $practice) AND date >= $from AND date <= $to{clinician_filter}
                 ORDER BY date, start, clinician_name;
                 SELECT VALUE slot_key FROM appointment
                 WHERE practice = type::record('practice', $practice) AND date >= $from AND date <= $to{clinician_filter};"
            ))
            .bind(("practice", self.pid()))
            .bind(("clinician", clinician_id.unwrap_or_default().to_string()))
            .bind(("from", date.to_string()))
            .bind(("to", to))
            .await?
            .check()?;
        let sessions = sessions(res.take(0)?);
        let taken: std::collections::HashSet<String> =
            res.take::<Vec<String>>(1)?.into_iter().collect();
        let mut best: Option<FreeSlot> = None;
        for s in sessions.into_iter().filter(|s| s.blocked.is_none()) {
            for start in s.slots() {
                if s.date == date && start.as_str() < time {
                    continue;
                }
                if taken.contains(&format!("{}/{}/{}", s.clinician_id, s.date, start)) {
                    continue;
                }
                let candidate = FreeSlot {
                    session_id: s.id.clone(),
                    clinician_id: s.clinician_id.clone(),
                    clinician_name: s.clinician_name.clone(),
                    room: s.room.clone(),
                    date: s.date.clone(),
                    start,
                };
                if best
                    .as_ref()
                    .is_none_or(|b| (&candidate.date, &candidate.start) < (&b.date, &b.start))
                {
                    best = Some(candidate);
                }
                break;
            }
        }
        Ok(best)
    }

    /// Adds a clinic session (already checked by the caller). Returns it.
    pub async fn create_clinic_session(&self, new: &NewSession) -> Result<SessionView, StoreError> {
        let mut res = self
            .db()
            .query(
                "CREATE ONLY clinic_session CONTENT {
                    practice: type::record('practice', $practice), clinician: type::record('staff', $clinician),
                    room: type::record('room', $room), date: $date, start: $start, end: $end, slot_minutes: $slot
                 } RETURN VALUE record::id(id)",
            )
            .bind(("practice", self.pid()))
            .bind(("clinician", new.clinician_id.clone()))
            .bind(("room", new.room_id.clone()))
            .bind(("date", new.date.clone()))
            .bind(("start", new.start.clone()))
            .bind(("end", new.end.clone()))
            .bind(("slot", new.slot_minutes))
            .await?
            .check()?;
        let id: Option<String> = res.take(0)?;
        let id = id.ok_or(StoreError::NotFound)?;
        self.day_sessions(&new.date)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(StoreError::NotFound)
    }
}
