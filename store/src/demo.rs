//! The demo practice, "Riverside Surgery": synthetic, deterministic (a seeded
//! ChaCha RNG, so every seed run produces the same people) and clearly marked.
//! Every patient has an NHS number in the 999 test range, which NHS England
//! never issues, and `is_test_data = true`; postcodes use the fictional "RV"
//! area. Nothing here describes a real person.

mod names;

use crate::staff::{hash_password, NewStaff};
use crate::{Store, StoreError};
use chrono::{Duration, NaiveDate, Utc};
use domain::{NhsNumber, Postcode, Role, Username};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use surrealdb::types::{RecordId, SurrealValue};

pub const DEMO_PRACTICE_NAME: &str = "Riverside Surgery";
pub const DEMO_PASSWORD: &str = "openpractice-demo";
/// The four sign-ins shown on the sign-in page in demo mode.
pub const DEMO_SIGN_INS: [(&str, Role); 4] = [
    ("reception", Role::Reception),
    ("gp", Role::Gp),
    ("nurse", Role::Nurse),
    ("admin", Role::Admin),
];
pub const DEMO_PATIENTS: usize = 2_000;
const SEED: u64 = 0x0_9e2_1de;
const DAYS: i64 = 15;

/// Sizes of what was seeded, for the log and the tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub practice_id: String,
    pub patients: usize,
    pub staff: usize,
    pub clinic_sessions: usize,
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

struct StaffSpec {
    username: &'static str,
    name: &'static str,
    role: Role,
    teams: &'static [&'static str],
}

const STAFF: &[StaffSpec] = &[
    StaffSpec {
        username: "gp",
        name: "Dr Aisha Khan",
        role: Role::Gp,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "gp2",
        name: "Dr Samuel Patel",
        role: Role::Gp,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "gp3",
        name: "Dr Joanna Morgan",
        role: Role::Gp,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "gp4",
        name: "Dr Emeka Okafor",
        role: Role::Gp,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "nurse",
        name: "Nurse Bethan Hughes",
        role: Role::Nurse,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "nurse2",
        name: "Nurse Tom Fletcher",
        role: Role::Nurse,
        teams: &["Clinical"],
    },
    StaffSpec {
        username: "reception",
        name: "Rachel Green",
        role: Role::Reception,
        teams: &["Reception"],
    },
    StaffSpec {
        username: "reception2",
        name: "Imran Ali",
        role: Role::Reception,
        teams: &["Reception", "Prescriptions"],
    },
    StaffSpec {
        username: "reception3",
        name: "Grace O'Neill",
        role: Role::Reception,
        teams: &["Reception"],
    },
    StaffSpec {
        username: "admin",
        name: "Helen Carter",
        role: Role::Admin,
        teams: &["Admin", "Prescriptions"],
    },
    StaffSpec {
        username: "admin2",
        name: "David Boateng",
        role: Role::Admin,
        teams: &["Admin", "Prescriptions"],
    },
];
const TEAMS: [&str; 4] = ["Reception", "Prescriptions", "Admin", "Clinical"];
const ROOMS: [&str; 6] = [
    "Room 1",
    "Room 2",
    "Room 3",
    "Room 4",
    "Treatment room",
    "Nurse room",
];

#[derive(SurrealValue)]
struct PatientRow {
    id: RecordId,
    practice: RecordId,
    nhs_number: String,
    title: Option<String>,
    given_name: String,
    family_name: String,
    family_name_key: String,
    date_of_birth: String,
    sex: String,
    address_lines: Vec<String>,
    postcode: String,
    phone: Option<String>,
    email: Option<String>,
    usual_gp: Option<RecordId>,
    registered_on: String,
    is_test_data: bool,
}

#[derive(SurrealValue)]
struct SessionRow {
    id: RecordId,
    practice: RecordId,
    clinician: RecordId,
    room: RecordId,
    date: String,
    start: String,
    end: String,
    slot_minutes: i64,
}

#[derive(SurrealValue)]
struct AppointmentRow {
    practice: RecordId,
    clinic_session: RecordId,
    clinician: RecordId,
    patient: RecordId,
    date: String,
    start: String,
    duration_minutes: i64,
    kind: String,
    reason: Option<String>,
    status: String,
    slot_key: String,
    booked_by: RecordId,
}

#[derive(SurrealValue)]
struct TaskRow {
    practice: RecordId,
    title: String,
    details: String,
    patient: Option<RecordId>,
    priority: String,
    due_at: Option<chrono::DateTime<Utc>>,
    status: String,
    assigned_staff: Option<RecordId>,
    assigned_team: Option<RecordId>,
    created_by: RecordId,
}

/// A synthetic NHS number in the 999 test range, never issued to anyone.
pub fn synthetic_nhs_number(rng: &mut impl Rng) -> NhsNumber {
    loop {
        let mut nine = [9u8; 9];
        for d in nine.iter_mut().skip(3) {
            *d = rng.gen_range(0..10);
        }
        if let Some(n) = NhsNumber::with_check_digit(nine) {
            return n;
        }
    }
}

fn synthetic_postcode(rng: &mut impl Rng) -> Result<Postcode, StoreError> {
    const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let letter = |rng: &mut dyn rand::RngCore| {
        char::from(INWARD_LETTERS[rng.gen_range(0..INWARD_LETTERS.len())])
    };
    let text = format!(
        "RV{} {}{}{}",
        rng.gen_range(1..10),
        rng.gen_range(0..10),
        letter(rng),
        letter(rng)
    );
    // Always a valid AA9 9AA shape; parse() is the proof, checked by a test.
    Postcode::parse(&text).map_err(|e| StoreError::Internal(format!("demo postcode {text}: {e}")))
}

/// Inserts rows in batches of 500 (one statement each) so the seed of a
/// few thousand rows takes a handful of round trips, not thousands.
/// `table` is a constant from this file, never input.
async fn insert_batches<T: SurrealValue>(
    store: &Store,
    table: &'static str,
    mut rows: Vec<T>,
) -> Result<(), StoreError> {
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(500));
        store
            .db()
            .query(format!("INSERT INTO {table} $rows RETURN NONE"))
            .bind(("rows", rows))
            .await?
            .check()?;
        rows = rest;
    }
    Ok(())
}

fn rid(table: &str, key: impl Into<String>) -> RecordId {
    RecordId::new(table.to_string(), key.into())
}

fn hm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
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
    let practice_rid = rid("practice", practice.id.clone());
    summary.practice_id = practice.id.clone();

    // One argon2 hash per account (each with its own salt).
    let mut staff_ids = Vec::new();
    for spec in STAFF {
        let username = Username::parse(spec.username)
            .map_err(|e| StoreError::Internal(format!("demo username: {e}")))?;
        let staff = store
            .create_staff(NewStaff {
                practice_id: &practice.id,
                username: &username,
                display_name: spec.name,
                role: spec.role,
                password_hash: hash_password(DEMO_PASSWORD)?,
            })
            .await?;
        staff_ids.push((spec, staff.id));
    }
    summary.staff = staff_ids.len();

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

    progress.advance(total, total, "done");
    Ok(Some(summary))
}

/// `count` synthetic patients (test-range NHS numbers not in `seen`,
/// fictional RV postcodes), keyed from `first + 1`.
fn synthetic_patients(
    rng: &mut impl Rng,
    practice_id: &str,
    gps: &[RecordId],
    count: usize,
    first: usize,
    seen: &mut HashSet<NhsNumber>,
    today: chrono::NaiveDate,
) -> Result<Vec<PatientRow>, StoreError> {
    let mut patients = Vec::with_capacity(count);
    while patients.len() < count {
        let nhs = synthetic_nhs_number(rng);
        if !seen.insert(nhs) {
            continue;
        }
        let female = rng.gen_bool(0.51);
        let given = if female { names::FEMALE } else { names::MALE }
            .choose(rng)
            .copied()
            .unwrap_or("Alex");
        let family = names::FAMILY.choose(rng).copied().unwrap_or("Smith");
        let age_days = rng.gen_range(0..=(100 * 365));
        let dob = today - Duration::days(age_days);
        let adult = age_days >= 18 * 365;
        let title = match (adult, female) {
            (false, _) => None,
            (true, true) => Some(["Mrs", "Ms", "Miss"][rng.gen_range(0..3)].to_string()),
            (true, false) => Some("Mr".to_string()),
        };
        let street = names::STREETS.choose(rng).copied().unwrap_or("High Street");
        let key = format!("{}-p{:05}", practice_id, first + patients.len() + 1);
        let registered = dob.max(today - Duration::days(rng.gen_range(0..(30 * 365))));
        patients.push(PatientRow {
            id: rid("patient", key),
            practice: rid("practice", practice_id),
            nhs_number: nhs.digits(),
            title,
            given_name: given.to_string(),
            family_name: family.to_string(),
            family_name_key: family.to_lowercase(),
            date_of_birth: dob.to_string(),
            sex: if female { "female" } else { "male" }.to_string(),
            address_lines: vec![
                format!("{} {}", rng.gen_range(1..200), street),
                "Riverside".to_string(),
            ],
            postcode: synthetic_postcode(rng)?.to_string(),
            phone: adult.then(|| format!("07700 900{:03}", rng.gen_range(0..1000))),
            email: None,
            usual_gp: gps.choose(rng).cloned(),
            registered_on: registered.to_string(),
            is_test_data: true,
        });
    }
    Ok(patients)
}

/// Adds `count` more synthetic patients to a practice (the search
/// benchmark's 100,000), in batches. Returns how many were added.
pub async fn add_synthetic_patients(
    store: &Store,
    practice_id: &str,
    count: usize,
    seed: u64,
) -> Result<usize, StoreError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut res = store
        .db()
        .query(
            "SELECT VALUE nhs_number FROM patient WHERE practice = type::record('practice', $p);
             SELECT VALUE id FROM staff WHERE practice = type::record('practice', $p) AND role = 'gp';",
        )
        .bind(("p", practice_id.to_string()))
        .await?
        .check()?;
    let numbers: Vec<String> = res.take(0)?;
    let gps: Vec<RecordId> = res.take(1)?;
    let mut seen: HashSet<NhsNumber> = numbers
        .iter()
        .filter_map(|n| NhsNumber::parse(n).ok())
        .collect();
    let first = numbers.len() + 1_000_000;
    let today = domain::time::london_today(Utc::now());
    let mut added = 0;
    while added < count {
        let n = (count - added).min(5_000);
        let batch = synthetic_patients(
            &mut rng,
            practice_id,
            &gps,
            n,
            first + added,
            &mut seen,
            today,
        )?;
        insert_batches(store, "patient", batch).await?;
        added += n;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_nhs_numbers_are_valid_and_in_the_test_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..10_000 {
            let n = synthetic_nhs_number(&mut rng);
            assert!(n.is_test_range());
            assert_eq!(NhsNumber::parse(&n.to_string()), Ok(n));
        }
    }

    #[test]
    fn synthetic_postcodes_are_valid() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..10_000 {
            let p = synthetic_postcode(&mut rng).unwrap();
            assert!(p.as_str().starts_with("RV"));
        }
    }

    #[tokio::test]
    async fn seeding_builds_the_whole_demo_practice_once() {
        let store = Store::memory().await.unwrap();
        let summary = seed_demo(&store, &|_: u64, _: u64, _: &str| {})
            .await
            .unwrap()
            .unwrap();
        assert_eq!(summary.patients, DEMO_PATIENTS);
        assert_eq!(summary.staff, 11);
        assert_eq!(summary.clinic_sessions, 15 * 6 * 2);
        let slots = 15 * 6 * 36;
        let booked = summary.appointments as f64 / slots as f64;
        assert!((0.55..0.65).contains(&booked), "booked fraction {booked}");
        assert!(summary.tasks >= 24);

        // Every stored NHS number passes Modulus 11 and is test-range.
        let mut res = store
            .db()
            .query("SELECT VALUE nhs_number FROM patient")
            .await
            .unwrap();
        let numbers: Vec<String> = res.take(0).unwrap();
        assert_eq!(numbers.len(), DEMO_PATIENTS);
        for n in &numbers {
            assert!(NhsNumber::parse(n).unwrap().is_test_range(), "{n}");
        }
        // The demo sign-ins exist with the right roles and the demo password.
        for (username, role) in DEMO_SIGN_INS {
            let account = store
                .sign_in_account(&Username::parse(username).unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(account.staff.role, role);
            assert!(crate::staff::verify_password(
                DEMO_PASSWORD,
                &account.password_hash
            ));
        }
        // A second run does nothing.
        assert!(seed_demo(&store, &|_: u64, _: u64, _: &str| {})
            .await
            .unwrap()
            .is_none());
    }
}
