//! A small practice for tests (store, server and load tools): real rows
//! written through the real schema, nothing mocked. Not used by the server.

use crate::appointments::NewAppointment;
use crate::staff::NewStaff;
use crate::{PracticeStore, Store, StoreError};
use domain::book::AppointmentKind;
use domain::live::AppointmentView;
use domain::{PracticeId, Role, Username};
use surrealdb::types::RecordId;

/// What `small_practice` made.
#[derive(Clone, Debug)]
pub struct SmallPractice {
    pub practice_id: PracticeId,
    pub practice_name: String,
    /// (username, staff id) for gp, gp2, nurse, reception, admin, each
    /// prefixed with `prefix` when one was given.
    pub staff: Vec<(String, String, Role)>,
    pub gp_session_id: String,
    pub date: String,
    pub patient_ids: Vec<String>,
    /// Booked with the GP at 09:00, 09:10, … (one per patient).
    pub appointments: Vec<AppointmentView>,
}

impl SmallPractice {
    /// The practice's scoped store handle.
    pub fn db(&self, store: &Store) -> PracticeStore {
        store.practice(&self.practice_id)
    }

    /// A member of staff's name as colleagues see it ("Dee Patel").
    pub fn name_of(&self, username: &str) -> &'static str {
        let base = username.rsplit('-').next().unwrap_or(username);
        STAFF
            .iter()
            .find(|(u, _, _)| *u == base)
            .map(|(_, name, _)| *name)
            .unwrap_or_default()
    }

    /// A member of staff's role.
    pub fn role_of(&self, username: &str) -> Option<Role> {
        self.staff
            .iter()
            .find(|(u, _, _)| u == username || u.ends_with(&format!("-{username}")))
            .map(|(_, _, r)| *r)
    }

    pub fn staff_id(&self, username: &str) -> &str {
        self.staff
            .iter()
            .find(|(u, _, _)| u == username || u.ends_with(&format!("-{username}")))
            .map(|(_, id, _)| id.as_str())
            .unwrap_or_default()
    }
}

const STAFF: [(&str, &str, Role); 5] = [
    ("gp", "Dr Ann Carter", Role::Gp),
    ("gp2", "Dr Ben Okafor", Role::Gp),
    ("nurse", "Nurse Cara Lee", Role::Nurse),
    ("reception", "Dee Patel", Role::Reception),
    ("admin", "Eve Morgan", Role::Admin),
];

const PATIENTS: [(&str, &str, &str, &str); 4] = [
    ("Mr", "John", "Smith", "1961-04-03"),
    ("Mrs", "Aisha", "Khan", "1987-09-12"),
    ("Ms", "Olivia", "Brown", "2001-01-30"),
    ("Mr", "Tomasz", "Nowak", "1975-06-18"),
];

/// A practice with five staff (password hash given, so a test hashes
/// once), one room per clinician, a 09:00–12:00 session of 10-minute slots
/// for each clinician on `date`, four patients, and one booked appointment
/// per patient with the first GP.
pub async fn small_practice(
    store: &Store,
    name: &str,
    prefix: &str,
    password_hash: &str,
    date: &str,
) -> Result<SmallPractice, StoreError> {
    let username_of = |u: &str| {
        let u = if prefix.is_empty() {
            u.to_string()
        } else {
            format!("{prefix}-{u}")
        };
        Username::parse(&u).map_err(|e| StoreError::Internal(e.to_string()))
    };
    // A second practice is made as the operator makes one (its first admin
    // with it, in one transaction), that admin having since chosen their
    // own password: every cross-practice test then covers such a practice.
    let practice = if prefix.is_empty() {
        store.create_practice(name, false).await?
    } else {
        let admin = username_of("admin")?;
        let new = crate::practice::NewPractice {
            name: name.to_string(),
            ods_code: None,
            address: None,
            phone: None,
        };
        let account = crate::staff::NewAccount {
            username: &admin,
            display_name: STAFF
                .iter()
                .find(|s| s.0 == "admin")
                .map(|s| s.1)
                .unwrap_or("Admin"),
            role: Role::Admin,
            password_hash: password_hash.to_string(),
            teams: &[],
        };
        let made = store
            .create_practice_with_admin(&new, account)
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        store
            .db()
            .query("UPDATE staff SET must_change_password = false WHERE username = $u")
            .bind(("u", admin.as_str().to_string()))
            .await?
            .check()?;
        made
    };
    let db = store.practice(&practice.id);
    let mut staff = Vec::new();
    for (username, display, role) in STAFF {
        let username = username_of(username)?;
        if !prefix.is_empty() && role == Role::Admin {
            let mut res = store
                .db()
                .query("SELECT VALUE record::id(id) FROM staff WHERE username = $u")
                .bind(("u", username.as_str().to_string()))
                .await?
                .check()?;
            let id: Option<String> = res.take(0)?;
            staff.push((username.to_string(), id.ok_or(StoreError::NotFound)?, role));
            continue;
        }
        let s = db
            .create_staff(NewStaff {
                username: &username,
                display_name: display,
                role,
                password_hash: password_hash.to_string(),
            })
            .await?;
        staff.push((username.to_string(), s.id.into_string(), role));
    }
    let practice_rid = RecordId::new("practice", practice.id.as_str());
    let mut gp_session_id = String::new();
    for (i, (_, staff_id, role)) in staff.iter().enumerate() {
        if !role.is_clinician() {
            continue;
        }
        let room_key = format!("{}-r{}", practice.id, i + 1);
        let session_key = format!("{}-s{}", practice.id, i);
        store
            .db()
            .query(
                "CREATE type::record('room', $room) CONTENT { practice: $practice, name: $room_name } RETURN NONE;
                 CREATE type::record('clinic_session', $clinic) CONTENT {
                     practice: $practice, clinician: type::record('staff', $staff),
                     room: type::record('room', $room), date: $date, start: '09:00', end: '12:00', slot_minutes: 10
                 } RETURN NONE;",
            )
            .bind(("room", room_key))
            .bind(("room_name", format!("Room {}", i + 1)))
            .bind(("practice", practice_rid.clone()))
            .bind(("clinic", session_key.clone()))
            .bind(("staff", staff_id.clone()))
            .bind(("date", date.to_string()))
            .await?
            .check()?;
        if gp_session_id.is_empty() {
            gp_session_id = session_key;
        }
    }
    let mut patient_ids = Vec::new();
    for (n, (title, given, family, dob)) in PATIENTS.iter().enumerate() {
        let key = format!("{}-p{n}", practice.id);
        // Test-range NHS numbers (999 prefix) that pass Modulus 11.
        let nhs = ["9990000018", "9990000026", "9990000034", "9990000042"][n];
        store
            .db()
            .query(
                "CREATE type::record('patient', $key) CONTENT {
                    practice: $practice, nhs_number: $nhs, title: $title, given_name: $given,
                    family_name: $family, family_name_key: string::lowercase($family),
                    date_of_birth: $dob, sex: 'unknown', address_lines: ['1 Test Street'],
                    postcode: 'RV1 1AA', registered_on: '2020-01-01', is_test_data: true
                 } RETURN NONE",
            )
            .bind(("key", key.clone()))
            .bind(("practice", practice_rid.clone()))
            .bind(("nhs", nhs.to_string()))
            .bind(("title", title.to_string()))
            .bind(("given", given.to_string()))
            .bind(("family", family.to_string()))
            .bind(("dob", dob.to_string()))
            .await?
            .check()?;
        patient_ids.push(key);
    }
    let reception = staff
        .iter()
        .find(|(_, _, r)| *r == Role::Reception)
        .map(|(_, id, _)| id.clone())
        .unwrap_or_default();
    let mut appointments = Vec::new();
    for (n, patient) in patient_ids.iter().enumerate() {
        let view = db
            .book_appointment(&NewAppointment {
                clinic_session_id: gp_session_id.clone(),
                patient_id: patient.clone(),
                start: format!("09:{:02}", n * 10),
                kind: AppointmentKind::FaceToFace,
                reason: Some("Review".into()),
                booked_by: reception.clone().into(),
            })
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        appointments.push(view);
    }
    Ok(SmallPractice {
        practice_id: practice.id,
        practice_name: practice.name,
        staff,
        gp_session_id,
        date: date.to_string(),
        patient_ids,
        appointments,
    })
}

/// The password every fixture account has.
pub const PASSWORD: &str = "a long test password";

/// Two small practices on `date` ("Test Surgery" and "Other Surgery",
/// whose usernames start "o-"): for tests that something stays in its own
/// practice. One password hash for all their staff (`PASSWORD`).
pub async fn two_practices(
    store: &Store,
    date: &str,
) -> Result<(SmallPractice, SmallPractice), StoreError> {
    let hash = crate::staff::hash_password(PASSWORD)?;
    let ours = small_practice(store, "Test Surgery", "", &hash, date).await?;
    let theirs = small_practice(store, "Other Surgery", "o", &hash, date).await?;
    Ok((ours, theirs))
}

/// A laboratory's HbA1c report (20–41 mmol/mol, so above 41 is abnormal)
/// from Riverside Pathology about the fixtures' first patient, John Smith
/// (NHS number 999 000 0018, born 1961-04-03: another birth date leaves
/// it unmatched), requested by `requester` (a staff id).
pub fn lab_report(
    identifier: &str,
    value: f64,
    requester: Option<&str>,
    born: &str,
) -> domain::results::IncomingReport {
    use domain::results::{Analyte, Demographics, Flag, InboxKind, IncomingReport, ReportStatus};
    IncomingReport {
        identifier: format!("https://pathology.example/reports|{identifier}"),
        status: ReportStatus::Final,
        title: "HbA1c".into(),
        code: Some("http://loinc.org|4548-4".into()),
        issued: "2026-11-20T10:00:00Z".into(),
        laboratory: "Riverside Pathology".into(),
        requester_id: requester.map(String::from),
        requester_name: Some("Dr Ann Carter".into()),
        patient: Demographics {
            nhs_number: "999 000 0018".into(),
            family: "SMITH".into(),
            given: "John".into(),
            birth_date: born.into(),
        },
        analytes: vec![Analyte {
            code: "http://loinc.org|4548-4".into(),
            display: "Haemoglobin A1c".into(),
            value: Some(value),
            text: None,
            unit: "mmol/mol".into(),
            low: Some(20.0),
            high: Some(41.0),
            flag: Flag::from_range(Some(value), Some(20.0), Some(41.0)),
        }],
        conclusion: None,
        kind: InboxKind::Report,
        document: None,
    }
}

/// Moves a report's arrival back to `at` (as if it had waited since):
/// for tests of what becomes overdue.
pub async fn backdate_report(
    store: &Store,
    report: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    store
        .db()
        .query("UPDATE type::record('result_report', $id) SET received_at = $at RETURN NONE")
        .bind(("id", report.to_string()))
        .bind(("at", surrealdb::types::Datetime::from(at)))
        .await?
        .check()?;
    Ok(())
}

/// Every row of every table, as text in a fixed order: equal before and
/// after a refused request proves it wrote nothing. Leaves out the servers'
/// heartbeat (`server_node`), which changes on its own.
pub async fn everything(store: &Store) -> Result<String, StoreError> {
    let mut res = store
        .db()
        .query("RETURN object::keys((INFO FOR DB).tables)")
        .await?
        .check()?;
    let mut tables: Vec<String> = res.take(0)?;
    tables.sort();
    let mut out = String::new();
    for table in tables.into_iter().filter(|t| t != "server_node") {
        let mut res = store
            .db()
            .query("SELECT * FROM type::table($table) ORDER BY id")
            .bind(("table", table.clone()))
            .await?
            .check()?;
        let rows: surrealdb::types::Value = res.take(0)?;
        out.push_str(&format!("{table}: {rows:?}\n"));
    }
    Ok(out)
}
