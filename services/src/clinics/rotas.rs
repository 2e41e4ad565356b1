//! Rotas and absences (admin). A rota is a clinician's weekly template; it
//! generates clinic sessions a chosen number of weeks ahead, never over a
//! session the clinician already has, a day they are away or a retired
//! room (each skipped day is reported, with why). An absence blocks the
//! sessions it covers and lists their booked appointments for moving: it
//! never cancels one. Every change is audited.

use super::rooms::refused;
use super::{is_clinician, overlaps};
use crate::audit;
use crate::{Actor, Result, ServiceError};
use chrono::{Datelike, Duration, NaiveDate};
use domain::book::AppointmentKind;
use domain::rota::{
    session_time_problems, AbsenceKind, AbsenceView, GenerateReport, RotaView, RotasInfo,
    SkippedSession,
};
use domain::Area;
use store::audit::Outcome;
use store::clinics::{NewAbsence, NewRota, RotaSession};
use store::{PracticeStore, Store};

/// The most weeks generated at once.
pub const MAX_WEEKS: i64 = 12;

fn today() -> NaiveDate {
    domain::time::london_today(chrono::Utc::now())
}

/// The rotas page: rotas, current and future absences, the clinicians and
/// rooms a new rota can use.
pub async fn rotas_info(store: &Store, actor: &Actor) -> Result<RotasInfo> {
    actor.require(Area::Admin)?;
    let db = actor.db(store);
    Ok(RotasInfo {
        rotas: db.rotas().await?,
        absences: db.absences_from(&today().to_string()).await?,
        clinicians: db.clinicians().await?,
        rooms: db.room_list().await?,
    })
}

/// A rota as the admin typed it; `weekdays` are ISO numbers ("1" Monday).
#[derive(Clone, Debug, Default)]
pub struct RotaForm {
    pub clinician: String,
    pub room: String,
    pub weekdays: Vec<String>,
    pub start: String,
    pub end: String,
    pub slot_minutes: String,
    pub kind: String,
}

/// Adds a rota after checking every field at once.
pub async fn add_rota(store: &Store, actor: &Actor, form: RotaForm) -> Result<RotaView> {
    actor.require(Area::Admin)?;
    let db = actor.db(store);
    let (start, end) = (form.start.trim(), form.end.trim());
    let (slot, mut problems) = session_time_problems(start, end, &form.slot_minutes);
    let mut weekdays: Vec<u8> = form
        .weekdays
        .iter()
        .filter_map(|d| d.trim().parse::<u8>().ok().filter(|d| (1..=7).contains(d)))
        .collect();
    weekdays.sort_unstable();
    weekdays.dedup();
    if weekdays.is_empty() || weekdays.len() != form.weekdays.len() {
        problems.push((
            "weekdays",
            "Choose the days of the week the clinic runs.".into(),
        ));
    }
    let kind = AppointmentKind::parse(&form.kind);
    if kind.is_none() {
        problems.push(("kind", "Choose face to face, telephone or video.".into()));
    }
    if !is_clinician(&db, &form.clinician).await? {
        problems.push(("clinician", "Choose a GP or nurse of this practice.".into()));
    }
    if !db.rooms().await?.iter().any(|(id, _)| *id == form.room) {
        problems.push(("room", "Choose a room in use at this practice.".into()));
    }
    let (Some(slot_minutes), Some(kind), true) = (slot, kind, problems.is_empty()) else {
        return Err(ServiceError::fields(problems));
    };
    let new = NewRota {
        clinician_id: form.clinician,
        room_id: form.room,
        weekdays,
        start: start.to_string(),
        end: end.to_string(),
        slot_minutes,
        kind,
    };
    let id = db.create_rota(&new, actor.staff_id()?).await?;
    let rota = db
        .rotas()
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(ServiceError::NotFound)?;
    let action = format!(
        "added a rota for {}: {}",
        rota.clinician_name,
        rota.describe()
    );
    audit::record(store, actor, &action, None, Outcome::Allowed).await?;
    Ok(rota)
}

/// Stops (or restarts) rota `id` as last seen at `version`. The sessions
/// it already made stay.
pub async fn set_rota_active(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    active: bool,
) -> Result<()> {
    actor.require(Area::Admin)?;
    actor
        .db(store)
        .set_rota_active(id, version, active)
        .await
        .map_err(|e| refused(e, "rota"))?;
    let action = if active {
        "restarted a rota"
    } else {
        "stopped a rota"
    };
    audit::record(store, actor, action, None, Outcome::Allowed).await
}

/// Makes the sessions every running rota asks for, for `weeks` weeks from
/// `from` (today or later; empty is today), all in one transaction.
pub async fn generate(
    store: &Store,
    actor: &Actor,
    from: &str,
    weeks: &str,
) -> Result<GenerateReport> {
    actor.require(Area::Admin)?;
    let mut problems = Vec::new();
    let first = if from.trim().is_empty() {
        Some(today())
    } else {
        domain::time::iso_date(from.trim())
    };
    match first {
        None => problems.push(("from", "Enter the first day as YYYY-MM-DD.".to_string())),
        Some(d) if d < today() => {
            problems.push(("from", "Sessions are made from today onwards.".to_string()))
        }
        Some(_) => {}
    }
    let weeks = weeks
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|w| (1..=MAX_WEEKS).contains(w));
    if weeks.is_none() {
        problems.push((
            "weeks",
            format!("Enter a number of weeks from 1 to {MAX_WEEKS}."),
        ));
    }
    let (Some(first), Some(weeks)) = (first, weeks) else {
        return Err(ServiceError::fields(problems));
    };
    let last = first + Duration::days(weeks * 7 - 1);
    let db = actor.db(store);
    let (report, made) = plan(&db, first, last).await?;
    db.create_rota_sessions(made).await?;
    let action = format!(
        "made {} clinic sessions from rotas, {first} to {last}",
        report.created
    );
    audit::record(store, actor, &action, None, Outcome::Allowed).await?;
    Ok(report)
}

/// What generating `first`..=`last` would make, and what it skips.
async fn plan(
    db: &PracticeStore,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<(GenerateReport, Vec<RotaSession>)> {
    let (from, to) = (first.to_string(), last.to_string());
    let existing = db.sessions_between(&from, &to).await?;
    let absences = db.absences_from(&from).await?;
    let clinicians = db.clinicians().await?;
    let rooms = db.rooms().await?;
    let mut report = GenerateReport::default();
    let mut made = Vec::new();
    for rota in db.rotas().await?.into_iter().filter(|r| r.active) {
        let mut day = first;
        while day <= last {
            let date = day.to_string();
            let weekday = u8::try_from(day.weekday().number_from_monday()).unwrap_or(0);
            day += Duration::days(1);
            if !rota.weekdays.contains(&weekday) {
                continue;
            }
            let session = RotaSession::new(&rota, &date);
            if existing.iter().any(|s| s.id == session.key) {
                report.already_made += 1;
                continue;
            }
            let skip = |reason: String| SkippedSession {
                date: date.clone(),
                clinician_name: rota.clinician_name.clone(),
                reason,
            };
            let clash = existing.iter().find(|s| {
                s.clinician_id == rota.clinician_id
                    && s.date == date
                    && overlaps(s, &rota.start, &rota.end)
            });
            let away = absences
                .iter()
                .find(|a| a.clinician_id == rota.clinician_id && a.from <= date && date <= a.to);
            if !clinicians.iter().any(|(id, _)| *id == rota.clinician_id) {
                report
                    .skipped
                    .push(skip("no longer an active GP or nurse here".into()));
            } else if !rooms.iter().any(|(id, _)| *id == rota.room_id) {
                report
                    .skipped
                    .push(skip(format!("{} is retired", rota.room)));
            } else if let Some(a) = away {
                report
                    .skipped
                    .push(skip(format!("away ({})", a.kind.label().to_lowercase())));
            } else if let Some(s) = clash {
                report
                    .skipped
                    .push(skip(format!("already has a session {}–{}", s.start, s.end)));
            } else {
                made.push(session);
            }
        }
    }
    report.created = i64::try_from(made.len()).unwrap_or(i64::MAX);
    report
        .skipped
        .sort_by(|a, b| (&a.date, &a.clinician_name).cmp(&(&b.date, &b.clinician_name)));
    Ok((report, made))
}

/// An absence as the admin typed it (whole days, inclusive).
#[derive(Clone, Debug, Default)]
pub struct AbsenceForm {
    pub clinician: String,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

/// Records an absence: the sessions it covers are blocked (nothing more is
/// booked into them) and their booked appointments are listed for moving;
/// none is cancelled. Overlapping another absence of the same clinician is
/// refused.
pub async fn add_absence(store: &Store, actor: &Actor, form: AbsenceForm) -> Result<AbsenceView> {
    actor.require(Area::Admin)?;
    let db = actor.db(store);
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let kind = AbsenceKind::parse(&form.kind);
    if kind.is_none() {
        problems.push(("kind", "Choose leave, training, sickness or other.".into()));
    }
    let from = domain::time::iso_date(form.from.trim());
    let to = domain::time::iso_date(form.to.trim());
    if from.is_none() {
        problems.push(("from", "Enter the first day away as YYYY-MM-DD.".into()));
    }
    if to.is_none() {
        problems.push(("to", "Enter the last day away as YYYY-MM-DD.".into()));
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            problems.push(("to", "The last day away cannot be before the first.".into()));
        } else if t - f > Duration::days(366) {
            problems.push((
                "to",
                "Record an absence of at most a year at a time.".into(),
            ));
        }
    }
    let note = form.note.trim().to_string();
    if note.chars().count() > 200 || note.chars().any(char::is_control) {
        problems.push((
            "note",
            "Keep the note to one line of at most 200 characters.".into(),
        ));
    }
    if !is_clinician(&db, &form.clinician).await? {
        problems.push(("clinician", "Choose a GP or nurse of this practice.".into()));
    }
    let (Some(kind), Some(from), Some(to), true) = (kind, from, to, problems.is_empty()) else {
        return Err(ServiceError::fields(problems));
    };
    let (from, to) = (from.to_string(), to.to_string());
    let current = db.absences_from(&from).await?;
    if let Some(a) = current
        .iter()
        .find(|a| a.clinician_id == form.clinician && a.from <= to && from <= a.to)
    {
        return Err(ServiceError::field(
            "from",
            format!(
                "{} is already recorded as away from {} to {} ({}). Change or remove that absence first.",
                a.clinician_name,
                a.from,
                a.to,
                a.kind.label().to_lowercase()
            ),
        ));
    }
    let new = NewAbsence {
        clinician_id: form.clinician,
        kind,
        first_day: from.clone(),
        last_day: to,
        note: Some(note).filter(|n| !n.is_empty()),
    };
    let id = db.create_absence(&new, actor.staff_id()?).await?;
    let absence = db
        .absences_from(&from)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(ServiceError::NotFound)?;
    let action = format!(
        "recorded {} away ({}, {} to {}): {} sessions blocked, {} appointments to move",
        absence.clinician_name,
        kind.label().to_lowercase(),
        absence.from,
        absence.to,
        absence.sessions_blocked,
        absence.to_move.len()
    );
    audit::record(store, actor, &action, None, Outcome::Allowed).await?;
    Ok(absence)
}

/// Removes an absence: its sessions take bookings again.
pub async fn remove_absence(store: &Store, actor: &Actor, id: &str) -> Result<()> {
    actor.require(Area::Admin)?;
    actor.db(store).remove_absence(id).await?;
    audit::record(store, actor, "removed an absence", None, Outcome::Allowed).await
}

/// The absence of `clinician` covering `date`, if any.
pub(super) async fn away_on(
    db: &PracticeStore,
    clinician: &str,
    date: &str,
) -> Result<Option<AbsenceView>> {
    Ok(db
        .absences_from(date)
        .await?
        .into_iter()
        .find(|a| a.clinician_id == clinician && a.from.as_str() <= date))
}
