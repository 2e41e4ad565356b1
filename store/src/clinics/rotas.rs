//! Rotas: weekly templates that make clinic sessions. Checking a rota is
//! the clinics service's; each write here is whole, in one transaction.

use super::{sessions, SessionRow, SESSION_FIELDS};
use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, StoreError};
use domain::book::{AppointmentKind, SessionView};
use domain::rota::RotaView;
use domain::StaffId;
use surrealdb::types::SurrealValue;

/// A rota as the service checked it.
#[derive(Clone, Debug)]
pub struct NewRota {
    pub clinician_id: String,
    pub room_id: String,
    pub weekdays: Vec<u8>,
    pub start: String,
    pub end: String,
    pub slot_minutes: i64,
    pub kind: AppointmentKind,
}

/// One session a rota makes on one date (its id is the rota's and the
/// date's, so making it twice makes it once).
#[derive(Clone, Debug, SurrealValue)]
pub struct RotaSession {
    pub key: String,
    pub rota: String,
    pub clinician: String,
    pub room: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub slot_minutes: i64,
    pub kind: String,
}

impl RotaSession {
    pub fn new(rota: &RotaView, date: &str) -> RotaSession {
        RotaSession {
            key: format!("{}-{date}", rota.id),
            rota: rota.id.clone(),
            clinician: rota.clinician_id.clone(),
            room: rota.room_id.clone(),
            date: date.to_string(),
            start: rota.start.clone(),
            end: rota.end.clone(),
            slot_minutes: rota.slot_minutes,
            kind: rota.kind.as_str().to_string(),
        }
    }
}

/// A versioned change that did not apply.
#[derive(Debug, thiserror::Error)]
pub enum VersionedError {
    #[error("not found")]
    NotFound,
    #[error("changed by someone else")]
    Stale,
    #[error("already exists")]
    AlreadyExists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(SurrealValue)]
struct RotaRow {
    id: String,
    version: i64,
    clinician_id: String,
    clinician_name: Option<String>,
    room_id: String,
    room: Option<String>,
    weekdays: Vec<i64>,
    start: String,
    end: String,
    slot_minutes: i64,
    kind: String,
    active: bool,
}

impl PracticeStore {
    /// The practice's rotas: running ones first, by clinician and start.
    pub async fn rotas(&self) -> Result<Vec<RotaView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, version, record::id(clinician) AS clinician_id,
                    clinician.display_name AS clinician_name, record::id(room) AS room_id,
                    room.name AS room, weekdays, start, end, slot_minutes, kind, active
                 FROM rota WHERE practice = type::record('practice', $practice)
                 ORDER BY active DESC, clinician_name, start",
            )
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<RotaRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| RotaView {
                id: r.id,
                version: r.version,
                clinician_id: r.clinician_id,
                clinician_name: r.clinician_name.unwrap_or_default(),
                room_id: r.room_id,
                room: r.room.unwrap_or_default(),
                weekdays: r
                    .weekdays
                    .into_iter()
                    .filter_map(|d| u8::try_from(d).ok())
                    .collect(),
                start: r.start,
                end: r.end,
                slot_minutes: r.slot_minutes,
                kind: AppointmentKind::parse(&r.kind).unwrap_or(AppointmentKind::FaceToFace),
                active: r.active,
            })
            .collect())
    }

    /// Adds a rota; returns its id.
    pub async fn create_rota(&self, new: &NewRota, by: &StaffId) -> Result<String, StoreError> {
        let mut res = self
            .db()
            .query(
                "CREATE ONLY rota CONTENT {
                    practice: type::record('practice', $practice), clinician: type::record('staff', $clinician),
                    room: type::record('room', $room), weekdays: $weekdays, start: $start, end: $end,
                    slot_minutes: $slot, kind: $kind, created_by: type::record('staff', $by)
                 } RETURN VALUE record::id(id)",
            )
            .bind(("practice", self.pid()))
            .bind(("clinician", new.clinician_id.clone()))
            .bind(("room", new.room_id.clone()))
            .bind(("weekdays", new.weekdays.iter().map(|&d| i64::from(d)).collect::<Vec<_>>()))
            .bind(("start", new.start.clone()))
            .bind(("end", new.end.clone()))
            .bind(("slot", new.slot_minutes))
            .bind(("kind", new.kind.as_str().to_string()))
            .bind(("by", by.as_str().to_string()))
            .await?
            .check()?;
        let id: Option<String> = res.take(0)?;
        id.ok_or(StoreError::NotFound)
    }

    /// Sets `set` (e.g. "active = $flag") on `table:id` if it is this
    /// practice's and still at `expected`.
    pub(crate) async fn change_versioned(
        &self,
        table: &'static str,
        id: &str,
        expected: i64,
        set: &'static str,
        name: Option<String>,
        flag: bool,
    ) -> Result<(), VersionedError> {
        if id.is_empty() {
            return Err(VersionedError::NotFound); // names no record
        }
        let script = format!(
            "BEGIN TRANSACTION;
             LET $r = type::record($table, $id);
             LET $row = (SELECT practice, version FROM ONLY $r);
             IF $row = NONE OR $row.practice != $practice {{ THROW 'op:not_found' }};
             IF $row.version != $version {{ THROW 'op:stale' }};
             UPDATE $r SET {set}, version += 1 RETURN NONE;
             COMMIT TRANSACTION;"
        );
        let outcome = run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("table", table))
                .bind(("id", id.to_string()))
                .bind(("practice", self.record()))
                .bind(("version", expected))
                .bind(("name", name.clone().unwrap_or_default()))
                .bind(("flag", flag))
        })
        .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(Retry::Thrown(t)) if t == "op:not_found" => Err(VersionedError::NotFound),
            Err(Retry::Thrown(t)) if t == "op:stale" => Err(VersionedError::Stale),
            Err(Retry::AlreadyExists) => Err(VersionedError::AlreadyExists),
            Err(e) => Err(VersionedError::Store(e.into())),
        }
    }

    /// Starts (`true`) or stops a rota at `expected` version.
    pub async fn set_rota_active(
        &self,
        id: &str,
        expected: i64,
        active: bool,
    ) -> Result<(), VersionedError> {
        self.change_versioned("rota", id, expected, "active = $flag", None, active)
            .await
    }

    /// The practice's sessions from `from` to `to` (inclusive).
    pub async fn sessions_between(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<SessionView>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {SESSION_FIELDS} FROM clinic_session
                 WHERE practice = type::record('practice', $practice) AND date >= $from AND date <= $to
                 ORDER BY date, start"
            ))
            .bind(("practice", self.pid()))
            .bind(("from", from.to_string()))
            .bind(("to", to.to_string()))
            .await?
            .check()?;
        let rows: Vec<SessionRow> = res.take(0)?;
        Ok(sessions(rows))
    }

    /// Makes rota sessions, all or none; one already made (by a colleague
    /// a moment ago) is left as it is.
    pub async fn create_rota_sessions(&self, made: Vec<RotaSession>) -> Result<(), StoreError> {
        if made.is_empty() {
            return Ok(());
        }
        let script = "BEGIN TRANSACTION;
             FOR $s IN $sessions {
                 LET $r = type::record('clinic_session', $s.key);
                 IF record::exists($r) = false {
                     CREATE $r CONTENT {
                         practice: $practice, clinician: type::record('staff', $s.clinician),
                         room: type::record('room', $s.room), date: $s.date, start: $s.start, end: $s.end,
                         slot_minutes: $s.slot_minutes, rota: type::record('rota', $s.rota), kind: $s.kind
                     } RETURN NONE;
                 };
             };
             COMMIT TRANSACTION;";
        run_with_retry(|| {
            self.db()
                .query(script)
                .bind(("practice", self.record()))
                .bind(("sessions", made.clone()))
        })
        .await
        .map_err(StoreError::from)
    }
}
