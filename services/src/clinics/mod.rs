//! Clinic sessions, rotas, absences and rooms (admin): a session is a
//! clinician in a room on a date, in slots; the appointment book offers its slots. Every field
//! is checked, all errors at once; nothing is written on error.

mod rooms;
mod rotas;

pub use rooms::{add_room, rename_room, set_room_retired};
pub use rotas::{
    add_absence, add_rota, generate, remove_absence, rotas_info, set_rota_active, AbsenceForm,
    RotaForm,
};

use crate::{Actor, Result, ServiceError};
use domain::book::{minutes, SessionView, SessionsInfo};
use domain::rota::session_time_problems;
use domain::{Area, StaffId};
use store::clinics::NewSession;
use store::{PracticeStore, Store};

/// A day's sessions, with the clinicians and rooms a new one can use.
pub async fn sessions_info(store: &Store, actor: &Actor, date: &str) -> Result<SessionsInfo> {
    actor.require(Area::Admin)?;
    if domain::time::iso_date(date).is_none() {
        return Err(ServiceError::field("date", "Enter the date as YYYY-MM-DD."));
    }
    let db = actor.db(store);
    Ok(SessionsInfo {
        sessions: db.day_sessions(date).await?,
        clinicians: db.clinicians().await?,
        rooms: db.rooms().await?,
    })
}

/// A new session as the admin typed it.
#[derive(Clone, Debug, Default)]
pub struct SessionForm {
    pub clinician: String,
    pub room: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub slot_minutes: String,
}

/// Adds a clinic session after checking every field: a GP or nurse and a
/// room in use at this practice, a real date, whole slots, no overlap with
/// the clinician's other sessions that day, not a day they are away.
pub async fn add_session(store: &Store, actor: &Actor, form: SessionForm) -> Result<SessionView> {
    actor.require(Area::Admin)?;
    let mut problems = Vec::new();
    if domain::time::iso_date(&form.date).is_none() {
        problems.push(("date", "Enter the date as YYYY-MM-DD.".to_string()));
    }
    let (slot, times) = session_time_problems(&form.start, &form.end, &form.slot_minutes);
    problems.extend(times);
    let new = NewSession {
        clinician_id: form.clinician,
        room_id: form.room,
        date: form.date,
        start: form.start.trim().to_string(),
        end: form.end.trim().to_string(),
        slot_minutes: slot.unwrap_or_default(),
    };
    let db = actor.db(store);
    if !is_clinician(&db, &new.clinician_id).await? {
        problems.push(("clinician", "Choose a GP or nurse of this practice.".into()));
    }
    if !db.rooms().await?.iter().any(|(id, _)| *id == new.room_id) {
        problems.push(("room", "Choose a room in use at this practice.".into()));
    }
    if problems.is_empty() {
        let existing = db.day_sessions(&new.date).await?;
        if let Some(clash) = existing
            .iter()
            .find(|s| s.clinician_id == new.clinician_id && overlaps(s, &new.start, &new.end))
        {
            problems.push((
                "start",
                format!(
                    "{} already has a session {}–{} that day.",
                    clash.clinician_name, clash.start, clash.end
                ),
            ));
        }
        if let Some(away) = rotas::away_on(&db, &new.clinician_id, &new.date).await? {
            problems.push((
                "date",
                format!(
                    "{} is away that day ({}, {} to {}).",
                    away.clinician_name,
                    away.kind.label().to_lowercase(),
                    away.from,
                    away.to
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ServiceError::fields(problems));
    }
    Ok(db.create_clinic_session(&new).await?)
}

/// Whether `id` is an active GP or nurse of the actor's practice.
async fn is_clinician(db: &PracticeStore, id: &str) -> Result<bool> {
    Ok(db
        .staff_role(&StaffId::new(id))
        .await?
        .is_some_and(|r| r.is_clinician()))
}

/// Whether session `s` overlaps `start`–`end` (HH:MM) on its day.
fn overlaps(s: &SessionView, start: &str, end: &str) -> bool {
    match (
        minutes(start),
        minutes(end),
        minutes(&s.start),
        minutes(&s.end),
    ) {
        (Some(f), Some(t), Some(a), Some(b)) => f < b && a < t,
        _ => false,
    }
}
