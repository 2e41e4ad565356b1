//! Clinic sessions and rooms (admin): a session is a clinician in a room
//! on a date, in slots; the appointment book offers its slots. Every field
//! is checked, all errors at once; nothing is written on error.

use crate::{Actor, Result, ServiceError};
use domain::book::{minutes, SessionView, SessionsInfo};
use domain::{Area, StaffId};
use store::clinics::NewSession;
use store::{Store, StoreError};

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
/// room of this practice, a real date, whole slots, no overlap with the
/// clinician's other sessions that day.
pub async fn add_session(store: &Store, actor: &Actor, form: SessionForm) -> Result<SessionView> {
    actor.require(Area::Admin)?;
    let Ok(slot_minutes) = form.slot_minutes.trim().parse::<i64>() else {
        return Err(ServiceError::field(
            "slot_minutes",
            "Enter the slot length in minutes.",
        ));
    };
    let new = NewSession {
        clinician_id: form.clinician,
        room_id: form.room,
        date: form.date,
        start: form.start.trim().to_string(),
        end: form.end.trim().to_string(),
        slot_minutes,
    };
    let db = actor.db(store);
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    if domain::time::iso_date(&new.date).is_none() {
        problems.push(("date", "Enter the date as YYYY-MM-DD.".into()));
    }
    let (from, to) = (minutes(&new.start), minutes(&new.end));
    if from.is_none() {
        problems.push(("start", "Enter the start time as HH:MM (24-hour).".into()));
    }
    if to.is_none() {
        problems.push(("end", "Enter the end time as HH:MM (24-hour).".into()));
    }
    let whole = (5..=60).contains(&new.slot_minutes);
    if !whole {
        problems.push(("slot_minutes", "Slots are between 5 and 60 minutes.".into()));
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            problems.push(("end", "The session must end after it starts.".into()));
        } else if whole && (t - f) % new.slot_minutes != 0 {
            problems.push((
                "end",
                format!(
                    "{}–{} is not a whole number of {}-minute slots.",
                    new.start, new.end, new.slot_minutes
                ),
            ));
        }
    }
    match db
        .staff_role(&StaffId::new(new.clinician_id.as_str()))
        .await?
    {
        Some(r) if r.is_clinician() => {}
        _ => problems.push(("clinician", "Choose a GP or nurse of this practice.".into())),
    }
    if !db.rooms().await?.iter().any(|(id, _)| *id == new.room_id) {
        problems.push(("room", "Choose a room of this practice.".into()));
    }
    if problems.is_empty() {
        let existing = db.day_sessions(&new.date).await?;
        if let (Some(f), Some(t)) = (from, to) {
            if let Some(clash) = existing.iter().find(|s| {
                s.clinician_id == new.clinician_id
                    && minutes(&s.start)
                        .zip(minutes(&s.end))
                        .is_some_and(|(a, b)| f < b && a < t)
            }) {
                problems.push((
                    "start",
                    format!(
                        "{} already has a session {}–{} that day.",
                        clash.clinician_name, clash.start, clash.end
                    ),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(ServiceError::fields(problems));
    }
    Ok(db.create_clinic_session(&new).await?)
}

/// Adds a room; a name already used in the practice is refused.
pub async fn add_room(store: &Store, actor: &Actor, name: &str) -> Result<String> {
    actor.require(Area::Admin)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(ServiceError::field(
            "room_name",
            "Enter a room name of up to 60 characters.",
        ));
    }
    match actor.db(store).create_room(name).await {
        Ok(id) => Ok(id),
        Err(StoreError::AlreadyExists) => Err(ServiceError::field(
            "room_name",
            format!("There is already a room called \"{name}\"."),
        )),
        Err(e) => Err(e.into()),
    }
}
