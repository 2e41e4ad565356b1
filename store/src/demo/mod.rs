//! The demo practice, "Riverside Surgery": synthetic, deterministic (a seeded
//! ChaCha RNG, so every seed run produces the same people) and clearly marked.
//! Every patient has an NHS number in the 999 test range, which NHS England
//! never issues, and `is_test_data = true`; postcodes use the fictional "RV"
//! area. Nothing here describes a real person.

mod names;
mod pdf;
mod people;
mod results;
mod rows;
mod spec;
#[cfg(test)]
mod tests;

pub use pdf::letter_pdf;
pub use people::{add_synthetic_patients, synthetic_nhs_number};

use crate::staff::{hash_password, NewStaff};
use crate::{Store, StoreError};
use chrono::{Duration, NaiveDate, Utc};
use domain::{PracticeId, Role, Username};
use people::synthetic_patients;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rows::{hm, insert_batches, rid, AppointmentRow, SessionRow, TaskRow};
use spec::{StaffSpec, ROOMS, STAFF, TEAMS};
use std::collections::HashSet;
use surrealdb::types::RecordId;

pub const DEMO_PRACTICE_NAME: &str = "Riverside Surgery";
pub const DEMO_PASSWORD: &str = "openpractice-demo";
/// The sign-ins shown on the sign-in page in demo mode: the practice's
/// four roles and the deployment's operator.
pub const DEMO_SIGN_INS: [(&str, Role); 5] = [
    ("reception", Role::Reception),
    ("gp", Role::Gp),
    ("nurse", Role::Nurse),
    ("admin", Role::Admin),
    ("operator", Role::ServiceAdmin),
];
pub const DEMO_PATIENTS: usize = 2_000;
const SEED: u64 = 0x0_9e2_1de;
const DAYS: i64 = 15;

/// Sizes of what was seeded, for the log and the tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub practice_id: PracticeId,
    pub patients: usize,
    pub staff: usize,
    pub clinic_sessions: usize,
    /// Laboratory reports (some unmatched).
    pub results: usize,
    pub appointments: usize,
    pub tasks: usize,
}

/// Reports progress while seeding: (steps done, steps in all).
pub trait Progress {
    fn advance(&self, done: u64, total: u64, what: &str);
}

impl<F: Fn(u64, u64, &str)> Progress for F {
    fn advance(&self, done: u64, total: u64, what: &str) {
        self(done, total, what)
    }
}

/// Seeds the demo practice unless one exists. Returns `None` when it already did.
pub async fn seed_demo(
    store: &Store,
    progress: &dyn Progress,
) -> Result<Option<SeedSummary>, StoreError> {
    if store.demo_practice().await?.is_some() {
        return Ok(None);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let today = domain::time::london_today(Utc::now());
    let total: u64 = 6;
    let mut summary = SeedSummary::default();

    progress.advance(0, total, "practice and staff");
    let practice = store.create_practice(DEMO_PRACTICE_NAME, true).await?;
    let db = store.practice(&practice.id);
    let practice_rid = rid("practice", practice.id.as_str());
    summary.practice_id = practice.id.clone();

    // One argon2 hash per account (each with its own salt).
    let mut staff_ids = Vec::new();
    for spec in STAFF {
        let username = Username::parse(spec.username)
            .map_err(|e| StoreError::Internal(format!("demo username: {e}")))?;
        let staff = db
            .create_staff(NewStaff {
                username: &username,
                display_name: spec.name,
                role: spec.role,
                password_hash: hash_password(DEMO_PASSWORD)?,
            })
            .await?;
        staff_ids.push((spec, staff.id.into_string()));
    }
    summary.staff = staff_ids.len();
    // The deployment's operator (Practices page), in the operators' own
    // practice.
    let operators = store.operators_practice().await?;
    let operator = store
        .practice(&operators)
        .create_staff(NewStaff {
            username: &Username::parse("operator")
                .map_err(|e| StoreError::Internal(format!("demo username: {e}")))?,
            display_name: "Olu Operator",
            role: Role::ServiceAdmin,
            password_hash: hash_password(DEMO_PASSWORD)?,
        })
        .await;
    match operator {
        Ok(_) | Err(StoreError::AlreadyExists) => {} // one made by hand stays
        Err(e) => return Err(e),
    }

    for team in TEAMS {
        let members: Vec<RecordId> = staff_ids
            .iter()
            .filter(|(s, _)| s.teams.contains(&team))
            .map(|(_, id)| rid("staff", id.clone()))
            .collect();
        store
            .db()
            .query(
                "LET $team = (CREATE team CONTENT { practice: $practice, name: $name } RETURN id)[0].id;
                 FOR $m IN $members { CREATE team_member CONTENT { team: $team, staff: $m } };",
            )
            .bind(("practice", practice_rid.clone()))
            .bind(("name", team.to_string()))
            .bind(("members", members))
            .await?
            .check()?;
    }
    for (i, room) in ROOMS.iter().enumerate() {
        store
            .db()
            .query("CREATE type::record('room', $key) CONTENT { practice: $practice, name: $name } RETURN NONE")
            .bind(("key", format!("{}-r{}", practice.id, i + 1)))
            .bind(("practice", practice_rid.clone()))
            .bind(("name", room.to_string()))
            .await?
            .check()?;
    }

    progress.advance(1, total, "patients");
    let gps: Vec<RecordId> = staff_ids
        .iter()
        .filter(|(s, _)| s.role == Role::Gp)
        .map(|(_, id)| rid("staff", id.clone()))
        .collect();
    let mut seen = HashSet::new();
    let patients = synthetic_patients(
        &mut rng,
        &practice.id,
        &gps,
        DEMO_PATIENTS,
        0,
        &mut seen,
        today,
    )?;
    summary.patients = patients.len();
    let gp_names: Vec<(RecordId, String)> = staff_ids
        .iter()
        .filter(|(s, _)| s.role == Role::Gp)
        .map(|(_, id)| (rid("staff", id.clone()), id.clone()))
        .collect();
    let subjects: Vec<results::Subject> = patients
        .iter()
        .enumerate()
        .map(|(i, p)| results::Subject {
            id: format!("{}-p{:05}", practice.id, i + 1),
            nhs_number: p.nhs_number.clone(),
            family: p.family_name.clone(),
            given: p.given_name.clone(),
            birth_date: p.date_of_birth.clone(),
            usual_gp: p.usual_gp.as_ref().and_then(|g| {
                gp_names
                    .iter()
                    .find(|(r, _)| r == g)
                    .map(|(_, id)| id.clone())
            }),
        })
        .collect();
    let patient_ids: Vec<RecordId> = patients.iter().map(|p| p.id.clone()).collect();
    insert_batches(store, "patient", patients).await?;

    progress.advance(2, total, "clinic sessions");
    let clinicians: Vec<&(&StaffSpec, String)> = staff_ids
        .iter()
        .filter(|(s, _)| s.role.is_clinician())
        .collect();
    let receptionists: Vec<RecordId> = staff_ids
        .iter()
        .filter(|(s, _)| s.role == Role::Reception)
        .map(|(_, id)| rid("staff", id.clone()))
        .collect();
    let mut sessions = Vec::new();
    let mut appointments = Vec::new();
    for day in 0..DAYS {
        let date: NaiveDate = today + Duration::days(day);
        for (ci, (spec, clinician_id)) in clinicians.iter().enumerate() {
            // Morning 09:00–12:00 and afternoon 14:00–17:00, 10-minute slots.
            for (part, (from, to)) in [(9 * 60, 12 * 60), (14 * 60, 17 * 60)]
                .into_iter()
                .enumerate()
            {
                let key = format!("{}-s{}-{}-{}", practice.id, date.format("%Y%m%d"), ci, part);
                let session_rid = rid("clinic_session", key);
                let room_no = if spec.role == Role::Nurse {
                    5 + (ci % 2)
                } else {
                    1 + ci % 4
                };
                sessions.push(SessionRow {
                    id: session_rid.clone(),
                    practice: practice_rid.clone(),
                    clinician: rid("staff", clinician_id.clone()),
                    room: rid("room", format!("{}-r{}", practice.id, room_no)),
                    date: date.to_string(),
                    start: hm(from),
                    end: hm(to),
                    slot_minutes: 10,
                });
                let mut start = from;
                while start < to {
                    if rng.gen_bool(0.6) {
                        let patient = patient_ids
                            .choose(&mut rng)
                            .cloned()
                            .unwrap_or_else(|| patient_ids[0].clone());
                        let kind = match rng.gen_range(0..10) {
                            0..=6 => "face_to_face",
                            7..=8 => "telephone",
                            _ => "video",
                        };
                        appointments.push(AppointmentRow {
                            practice: practice_rid.clone(),
                            clinic_session: session_rid.clone(),
                            clinician: rid("staff", clinician_id.clone()),
                            patient,
                            date: date.to_string(),
                            start: hm(start),
                            duration_minutes: 10,
                            kind: kind.to_string(),
                            reason: names::REASONS.choose(&mut rng).map(|r| r.to_string()),
                            status: "booked".to_string(),
                            slot_key: format!("{}/{}/{}", clinician_id, date, hm(start)),
                            booked_by: receptionists
                                .choose(&mut rng)
                                .cloned()
                                .unwrap_or_else(|| rid("staff", clinician_id.clone())),
                        });
                    }
                    start += 10;
                }
            }
        }
    }
    summary.clinic_sessions = sessions.len();
    insert_batches(store, "clinic_session", sessions).await?;

    progress.advance(3, total, "appointments");
    summary.appointments = appointments.len();
    insert_batches(store, "appointment", appointments).await?;

    progress.advance(4, total, "tasks");
    let mut res = store
        .db()
        .query("SELECT VALUE id FROM team WHERE practice = $practice ORDER BY name")
        .bind(("practice", practice_rid.clone()))
        .await?
        .check()?;
    let team_ids: Vec<RecordId> = res.take(0)?;
    let creators: Vec<RecordId> = staff_ids
        .iter()
        .map(|(_, id)| rid("staff", id.clone()))
        .collect();
    let now = Utc::now();
    let mut tasks = Vec::new();
    for i in 0..36 {
        let (title, details) = names::TASKS[i % names::TASKS.len()];
        let priority =
            ["routine", "routine", "routine", "urgent", "asap", "stat"][rng.gen_range(0..6)];
        let to_person = rng.gen_bool(0.25);
        tasks.push(TaskRow {
            practice: practice_rid.clone(),
            title: title.to_string(),
            details: details.to_string(),
            patient: rng
                .gen_bool(0.7)
                .then(|| patient_ids.choose(&mut rng).cloned())
                .flatten(),
            priority: priority.to_string(),
            due_at: Some(now + Duration::hours(rng.gen_range(-48..96))),
            status: if to_person { "accepted" } else { "requested" }.to_string(),
            assigned_staff: to_person
                .then(|| creators.choose(&mut rng).cloned())
                .flatten(),
            assigned_team: (!to_person)
                .then(|| team_ids.choose(&mut rng).cloned())
                .flatten(),
            created_by: creators
                .choose(&mut rng)
                .cloned()
                .unwrap_or_else(|| creators[0].clone()),
        });
    }
    summary.tasks = tasks.len();
    insert_batches(store, "task", tasks).await?;

    let first_gp = staff_ids
        .iter()
        .find(|(s, _)| s.username == "gp")
        .map(|(_, id)| id.clone())
        .unwrap_or_default();
    summary.results = results::seed(&db, &mut rng, &subjects, &first_gp).await?;

    progress.advance(total, total, "done");
    Ok(Some(summary))
}
