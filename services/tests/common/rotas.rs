//! Rotas and absences as an admin types them, for the rota tests.

use chrono::{Datelike, Duration, NaiveDate};
use domain::live::AppointmentView;
use services::appointments::Booking;
use services::clinics::{AbsenceForm, RotaForm};
use services::Actor;
use store::Store;

/// The Monday after today (London).
pub fn next_monday() -> NaiveDate {
    let today = domain::time::london_today(chrono::Utc::now());
    today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
}

pub fn rota(clinician: &str, room: &str, days: &[&str]) -> RotaForm {
    RotaForm {
        clinician: clinician.into(),
        room: room.into(),
        weekdays: days.iter().map(|d| d.to_string()).collect(),
        start: "08:30".into(),
        end: "12:00".into(),
        slot_minutes: "10".into(),
        kind: "face_to_face".into(),
    }
}

pub const WEEKDAYS: [&str; 5] = ["1", "2", "3", "4", "5"];

pub fn absence(clinician: &str, from: NaiveDate, to: NaiveDate) -> AbsenceForm {
    AbsenceForm {
        clinician: clinician.into(),
        kind: "leave".into(),
        from: from.to_string(),
        to: to.to_string(),
        note: "Annual leave".into(),
    }
}

pub async fn book(
    store: &Store,
    who: &Actor,
    session: &str,
    start: &str,
    patient: &str,
) -> services::Result<AppointmentView> {
    services::appointments::book(
        store,
        who,
        Booking {
            session: session.to_string().into(),
            start: start.into(),
            patient: patient.to_string().into(),
            kind: "face_to_face".into(),
            reason: None,
        },
    )
    .await
}
