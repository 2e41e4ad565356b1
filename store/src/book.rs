//! The appointment book: clinic sessions and their slots, finding a
//! patient to book, the next free slot, moving and cancelling. Booking
//! itself is `Store::book_appointment` (appointments.rs).

use crate::appointments::{BookError, ChangeError};
use crate::outbox::{self, Retry};
use crate::{Store, StoreError};
use domain::appointment_status::Status;
use domain::book::minutes;
pub use domain::book::{FreeSlot, PatientHit, SessionView};
use domain::live::AppointmentView;
use surrealdb::types::{RecordId, SurrealValue};

#[derive(SurrealValue)]
struct SessionRow {
    id: String,
    clinician_id: String,
    clinician_name: Option<String>,
    room: Option<String>,
    date: String,
    start: String,
    end: String,
    slot_minutes: i64,
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
        }
    }
}

#[derive(SurrealValue)]
pub(crate) struct PatientRow {
    id: String,
    title: Option<String>,
    given_name: String,
    family_name: String,
    date_of_birth: String,
    nhs_number: String,
    address_lines: Vec<String>,
    postcode: String,
}

impl From<PatientRow> for PatientHit {
    fn from(r: PatientRow) -> Self {
        PatientHit {
            id: r.id,
            title: r.title,
            given_name: r.given_name,
            family_name: r.family_name,
            date_of_birth: r.date_of_birth,
            nhs_number: r.nhs_number,
            address_lines: r.address_lines,
            postcode: r.postcode,
        }
    }
}

fn sessions(rows: Vec<SessionRow>) -> Vec<SessionView> {
    rows.into_iter().map(Into::into).collect()
}

const SESSION_FIELDS: &str = "record::id(id) AS id, record::id(clinician) AS clinician_id,
    clinician.display_name AS clinician_name, room.name AS room, date, start, end, slot_minutes";

/// How a search term is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatientQuery {
    NhsNumber(String),
    DateOfBirth(String),
    /// A full postcode ("RG1 4AB") or its outward part ("RG1").
    Postcode(String),
    /// Family-name prefix (lower case) and optional given-name prefix.
    Name {
        family: String,
        given: Option<String>,
    },
}

impl PatientQuery {
    /// "943 476 5919" → NHS number; "03/04/1987", "3 Apr 1987" or
    /// "1987-04-03" → date of birth; "RG1 4AB" or "rg1" → postcode (a name
    /// has no digits); otherwise "smith" or "smith, john" / "smith john" →
    /// name.
    pub fn parse(input: &str) -> Option<PatientQuery> {
        let t = input.trim();
        if t.is_empty() {
            return None;
        }
        let digits: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit()) {
            return Some(PatientQuery::NhsNumber(digits));
        }
        if let Some(d) = domain::patient::parse_uk_date(t) {
            return Some(PatientQuery::DateOfBirth(d.to_string()));
        }
        if t.chars().any(|c| c.is_ascii_digit()) {
            if let Ok(p) = domain::Postcode::parse(t) {
                return Some(PatientQuery::Postcode(p.as_str().to_string()));
            }
            let outward = digits.to_uppercase();
            let shape_ok = (2..=4).contains(&outward.len())
                && outward.chars().all(|c| c.is_ascii_alphanumeric())
                && outward
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic());
            return shape_ok.then(|| PatientQuery::Postcode(format!("{outward} ")));
        }
        let mut parts = t
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty());
        let family = parts.next()?.to_lowercase();
        let given = parts.next().map(str::to_lowercase);
        Some(PatientQuery::Name { family, given })
    }
}

impl Store {
    /// A practice's clinic sessions on a date, by clinician then start.
    pub async fn day_sessions(
        &self,
        practice_id: &str,
        date: &str,
    ) -> Result<Vec<SessionView>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {SESSION_FIELDS} FROM clinic_session
                 WHERE practice = type::record('practice', $practice) AND date = $date
                 ORDER BY clinician_name, start"
            ))
            .bind(("practice", practice_id.to_string()))
            .bind(("date", date.to_string()))
            .await?
            .check()?;
        Ok(sessions(res.take(0)?))
    }

    /// One clinician's sessions and appointments from `from` to `to` (inclusive).
    pub async fn clinician_range(
        &self,
        practice_id: &str,
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
            .bind(("practice", practice_id.to_string()))
            .bind(("clinician", clinician_id.to_string()))
            .bind(("from", from.to_string()))
            .bind(("to", to.to_string()))
            .await?
            .check()?;
        let sessions = sessions(res.take(0)?);
        let ids: Vec<String> = res.take(1)?;
        let mut appointments = self.appointments_by_id(practice_id, &ids).await?;
        appointments.sort_by(|a, b| (&a.date, &a.start).cmp(&(&b.date, &b.start)));
        Ok((sessions, appointments))
    }

    /// Whether `id` is a patient of the practice.
    pub async fn patient_in_practice(
        &self,
        practice_id: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let mut res = self
            .db()
            .query("SELECT VALUE practice FROM ONLY type::record('patient', $id)")
            .bind(("id", id.to_string()))
            .await?
            .check()?;
        let practice: Option<RecordId> = res.take(0)?;
        Ok(practice == Some(RecordId::new("practice", practice_id)))
    }

    /// One patient of the practice, as search results show them.
    pub async fn patient_brief(
        &self,
        practice_id: &str,
        id: &str,
    ) -> Result<Option<PatientHit>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, title, given_name, family_name, date_of_birth, nhs_number, address_lines, postcode
                 FROM type::record('patient', $id) WHERE practice = type::record('practice', $practice)",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<PatientRow> = res.take(0)?;
        Ok(rows.into_iter().next().map(PatientHit::from))
    }

    /// Patients of the practice matching a search, at most `limit`.
    pub async fn find_patients(
        &self,
        practice_id: &str,
        query: &PatientQuery,
        limit: usize,
    ) -> Result<Vec<PatientHit>, StoreError> {
        const FIELDS: &str = "record::id(id) AS id, title, given_name, family_name, date_of_birth, nhs_number, address_lines, postcode";
        let (filter, a, b) = match query {
            PatientQuery::NhsNumber(n) => ("nhs_number = $a", n.clone(), String::new()),
            PatientQuery::DateOfBirth(d) => ("date_of_birth = $a", d.clone(), String::new()),
            // A full postcode matches exactly; "RG1 " (the outward part and
            // a space) matches every postcode in that district.
            PatientQuery::Postcode(p) if !p.ends_with(' ') => {
                ("postcode = $a", p.clone(), String::new())
            }
            PatientQuery::Postcode(p) => (
                "postcode_outward = $a",
                p.trim_end().to_string(),
                String::new(),
            ),
            PatientQuery::Name { family, given } => {
                return self
                    .find_by_name(
                        practice_id,
                        family,
                        given.as_deref().unwrap_or_default(),
                        limit,
                    )
                    .await;
            }
        };
        let mut res = self
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM patient
                 WHERE practice = type::record('practice', $practice) AND {filter}
                 ORDER BY family_name, given_name, date_of_birth LIMIT $limit"
            ))
            .bind(("practice", practice_id.to_string()))
            .bind(("prefix", a.chars().take(3).collect::<String>()))
            .bind(("a", a))
            .bind(("b", b))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<PatientRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Patients whose family name starts with `family` (and given name
    /// with `given`), in name order: a bounded range over `patient_name`,
    /// whose record ids are (practice, family, given, date of birth,
    /// patient) and which a database event keeps in step with `patient`.
    /// Reads only the rows it returns, however common the name.
    async fn find_by_name(
        &self,
        practice_id: &str,
        family: &str,
        given: &str,
        limit: usize,
    ) -> Result<Vec<PatientHit>, StoreError> {
        const FIELDS: &str = "record::id(id) AS id, title, given_name, family_name, date_of_birth, nhs_number, address_lines, postcode";
        let mut res = self
            .db()
            .query(format!(
                "LET $ids = (SELECT VALUE patient FROM patient_name:[$p, $a]..[$p, $a_end]
                    WHERE $b = '' OR string::starts_with(record::id(id)[2], $b) LIMIT $limit);
                 SELECT {FIELDS} FROM $ids WHERE practice = type::record('practice', $p);"
            ))
            .bind(("p", practice_id.to_string()))
            .bind(("a", family.to_string()))
            .bind(("a_end", format!("{family}\u{10ffff}")))
            .bind(("b", given.to_string()))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<PatientRow> = res.take(1)?;
        let mut hits: Vec<PatientHit> = rows.into_iter().map(Into::into).collect();
        hits.sort_by(|x, y| {
            (
                x.family_name.to_lowercase(),
                x.given_name.to_lowercase(),
                &x.date_of_birth,
            )
                .cmp(&(
                    y.family_name.to_lowercase(),
                    y.given_name.to_lowercase(),
                    &y.date_of_birth,
                ))
        });
        Ok(hits)
    }

    /// The first free slot from `date` at `time` on, optionally for one
    /// clinician, within `days` days.
    pub async fn next_free_slot(
        &self,
        practice_id: &str,
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
            .bind(("practice", practice_id.to_string()))
            .bind(("clinician", clinician_id.unwrap_or_default().to_string()))
            .bind(("from", date.to_string()))
            .bind(("to", to))
            .await?
            .check()?;
        let sessions = sessions(res.take(0)?);
        let taken: std::collections::HashSet<String> =
            res.take::<Vec<String>>(1)?.into_iter().collect();
        let mut best: Option<FreeSlot> = None;
        for s in sessions {
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

    /// Cancels an appointment (with a reason, kept) and frees its slot.
    pub async fn cancel_appointment(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
        reason: &str,
        by: &str,
    ) -> Result<AppointmentView, ChangeError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ChangeError::ReasonRequired);
        }
        self.change_status_with(
            practice_id,
            id,
            expected_version,
            domain::appointment_status::Action::Cancel,
            by,
            Some(reason.to_string()),
        )
        .await
    }

    /// Moves a booked appointment to another slot. The old and new day
    /// lists both hear of it (two outbox events); the unique slot key
    /// refuses a taken slot.
    pub async fn move_appointment(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
        to_session: &str,
        to_start: &str,
        by: &str,
    ) -> Result<AppointmentView, MoveError> {
        let current = match self.appointment(practice_id, id).await {
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
            return Err(MoveError::Book(BookError::Invalid(format!(
                "Only a booked appointment can be moved; this one is {}.",
                current.status.label().to_lowercase()
            ))));
        }
        let session = self
            .session_facts(practice_id, to_session)
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
             UPDATE $a SET clinic_session = type::record('clinic_session', $clinic),
                 clinician = type::record('staff', $staff), date = $date, start = $start,
                 duration_minutes = $duration, slot_key = $slot_key,
                 version = $new_version, updated_at = time::now(), updated_by = $by RETURN NONE;
             CREATE appointment_transition CONTENT {{ practice: $practice, appointment: $a, from: 'booked', to: 'booked', by: $by }} RETURN NONE;
             {old}
             {new}
             COMMIT TRANSACTION;",
            old = outbox::append("$old_date", "$old_staff"),
            new = outbox::append("$date", "$staff"),
        );
        let practice = RecordId::new("practice", practice_id);
        let outcome = outbox::run_with_retry(|| {
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
                .bind(("kind", outbox::KIND_APPOINTMENT.to_string()))
                .bind(("old_date", current.date.clone()))
                .bind(("old_staff", current.clinician_id.clone()))
        })
        .await;
        match outcome {
            Ok(()) => Ok(self
                .appointment(practice_id, id)
                .await
                .map_err(|e| MoveError::Change(e.into()))?),
            Err(Retry::AlreadyExists) => Err(MoveError::Book(BookError::SlotTaken)),
            Err(Retry::Thrown(t)) if t == "op:stale" => {
                let current = self
                    .appointment(practice_id, id)
                    .await
                    .map_err(|e| MoveError::Change(e.into()))?;
                Err(MoveError::Change(ChangeError::Stale {
                    current: Box::new(current),
                }))
            }
            Err(Retry::Thrown(t)) if t == "op:not_found" => {
                Err(MoveError::Change(ChangeError::NotFound))
            }
            Err(e) => Err(MoveError::Change(StoreError::from(e).into())),
        }
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

/// A new clinic session, as an admin enters it.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub practice_id: String,
    pub clinician_id: String,
    pub room_id: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub slot_minutes: i64,
}

/// A field and what is wrong with it.
pub type FieldProblem = (&'static str, String);

#[derive(SurrealValue)]
struct NamedRow {
    id: String,
    name: String,
}

impl Store {
    /// The practice's rooms: (id, name), by name.
    pub async fn rooms(&self, practice_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, name FROM room
                 WHERE practice = type::record('practice', $practice) ORDER BY name",
            )
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<NamedRow> = res.take(0)?;
        Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
    }

    /// The practice's active GPs and nurses: (id, name), by name.
    pub async fn clinicians(&self, practice_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, display_name AS name FROM staff
                 WHERE practice = type::record('practice', $practice) AND active = true
                   AND role IN ['gp', 'nurse'] ORDER BY name",
            )
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<NamedRow> = res.take(0)?;
        Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
    }

    /// Adds a room; a name already used in the practice is refused.
    pub async fn create_room(
        &self,
        practice_id: &str,
        name: &str,
    ) -> Result<String, Vec<FieldProblem>> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(vec![(
                "room_name",
                "Enter a room name of up to 60 characters.".into(),
            )]);
        }
        let res = self
            .db()
            .query("CREATE ONLY room CONTENT { practice: type::record('practice', $practice), name: $name } RETURN VALUE record::id(id)")
            .bind(("practice", practice_id.to_string()))
            .bind(("name", name.to_string()))
            .await
            .and_then(|r| r.check());
        match res {
            Ok(mut r) => r
                .take::<Option<String>>(0)
                .ok()
                .flatten()
                .ok_or_else(|| vec![("room_name", "The room could not be saved.".into())]),
            Err(e) if e.is_already_exists() || e.to_string().contains("already contains") => {
                Err(vec![(
                    "room_name",
                    format!("There is already a room called \"{name}\"."),
                )])
            }
            Err(e) => {
                tracing::error!(error = %e, "creating a room");
                Err(vec![(
                    "room_name",
                    "The room could not be saved; try again.".into(),
                )])
            }
        }
    }

    /// Adds a clinic session after checking every field (clinician and room
    /// of this practice, a real date, whole slots, no overlap with the
    /// clinician's other sessions that day). Nothing is written on error.
    pub async fn create_clinic_session(
        &self,
        new: &NewSession,
    ) -> Result<SessionView, Vec<FieldProblem>> {
        let mut problems: Vec<FieldProblem> = Vec::new();
        let internal = |e: StoreError| {
            tracing::error!(error = %e, "creating a clinic session");
            vec![(
                "session",
                "The session could not be saved; try again.".to_string(),
            )]
        };
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
        if !(5..=60).contains(&new.slot_minutes) {
            problems.push(("slot_minutes", "Slots are between 5 and 60 minutes.".into()));
        }
        if let (Some(f), Some(t)) = (from, to) {
            if t <= f {
                problems.push(("end", "The session must end after it starts.".into()));
            } else if (5..=60).contains(&new.slot_minutes) && (t - f) % new.slot_minutes != 0 {
                problems.push((
                    "end",
                    format!(
                        "{}–{} is not a whole number of {}-minute slots.",
                        new.start, new.end, new.slot_minutes
                    ),
                ));
            }
        }
        match self
            .staff_role_in_practice(&new.practice_id, &new.clinician_id)
            .await
        {
            Ok(Some(r)) if r.is_clinician() => {}
            Ok(_) => problems.push(("clinician", "Choose a GP or nurse of this practice.".into())),
            Err(e) => return Err(internal(e)),
        }
        let rooms = self.rooms(&new.practice_id).await.map_err(internal)?;
        if !rooms.iter().any(|(id, _)| *id == new.room_id) {
            problems.push(("room", "Choose a room of this practice.".into()));
        }
        if problems.is_empty() {
            let existing = self
                .day_sessions(&new.practice_id, &new.date)
                .await
                .map_err(internal)?;
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
            return Err(problems);
        }
        let mut res = self
            .db()
            .query(
                "CREATE ONLY clinic_session CONTENT {
                    practice: type::record('practice', $practice), clinician: type::record('staff', $clinician),
                    room: type::record('room', $room), date: $date, start: $start, end: $end, slot_minutes: $slot
                 } RETURN VALUE record::id(id)",
            )
            .bind(("practice", new.practice_id.clone()))
            .bind(("clinician", new.clinician_id.clone()))
            .bind(("room", new.room_id.clone()))
            .bind(("date", new.date.clone()))
            .bind(("start", new.start.clone()))
            .bind(("end", new.end.clone()))
            .bind(("slot", new.slot_minutes))
            .await
            .map_err(|e| internal(e.into()))?
            .check()
            .map_err(|e| internal(e.into()))?;
        let id: Option<String> = res.take(0).map_err(|e| internal(e.into()))?;
        let id = id.ok_or_else(|| internal(StoreError::NotFound))?;
        let sessions = self
            .day_sessions(&new.practice_id, &new.date)
            .await
            .map_err(internal)?;
        sessions
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| internal(StoreError::NotFound))
    }
}
