//! The patient registry: register (NHS number unique in a practice; a
//! duplicate is refused naming the record that has it), read, edit with a
//! version check, and the searches behind "find a patient". Returns typed
//! refusals; the words are the patients service's.

mod filter;
mod register;
mod search;

pub use filter::PatientFilter;
pub use search::PatientQuery;

use crate::StoreError;
use chrono::{DateTime, Utc};
use domain::book::PatientHit;
use domain::patient::{PatientDetails, ValidPatient};
use surrealdb::engine::any::Any;
use surrealdb::method::Query;
use surrealdb::types::SurrealValue;

/// Why a registration or an edit did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The NHS number is already registered in this practice, to `existing`.
    #[error("duplicate NHS number")]
    Duplicate { existing: Box<PatientHit> },
    #[error("not found")]
    NotFound,
    /// Changed since the version the editor opened; here it is now, and
    /// who changed it when.
    #[error("changed since it was read")]
    Stale {
        by: Option<String>,
        at: DateTime<Utc>,
        current: Box<PatientDetails>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(SurrealValue)]
struct RecordRow {
    id: String,
    version: i64,
    title: Option<String>,
    given_name: String,
    family_name: String,
    date_of_birth: String,
    sex: String,
    gender: Option<String>,
    address_lines: Vec<String>,
    postcode: String,
    phone: Option<String>,
    email: Option<String>,
    nhs_number: String,
    usual_gp_name: Option<String>,
    usual_gp_id: Option<String>,
    registered_on: String,
}

impl From<RecordRow> for PatientDetails {
    fn from(r: RecordRow) -> Self {
        PatientDetails {
            id: r.id,
            version: r.version,
            title: r.title,
            given_name: r.given_name,
            family_name: r.family_name,
            date_of_birth: r.date_of_birth,
            sex: r.sex,
            gender: r.gender,
            address_lines: r.address_lines,
            postcode: r.postcode,
            phone: r.phone,
            email: r.email,
            nhs_number: r.nhs_number,
            usual_gp_name: r.usual_gp_name,
            usual_gp_id: r.usual_gp_id,
            registered_on: r.registered_on,
        }
    }
}

/// Binds a patient's details for the CREATE and UPDATE scripts ($nhs,
/// $title, $given, $family, $dob, $sex, $gender, $address, $postcode,
/// $phone, $email, $gp, $registered).
fn bind_patient<'a>(q: Query<'a, Any>, p: &ValidPatient) -> Query<'a, Any> {
    q.bind(("nhs", p.nhs_number.digits()))
        .bind(("title", p.title.clone()))
        .bind(("given", p.given_name.clone()))
        .bind(("family", p.family_name.clone()))
        .bind(("dob", p.date_of_birth.to_string()))
        .bind(("sex", p.sex.clone()))
        .bind(("gender", p.gender.clone()))
        .bind(("address", p.address_lines.clone()))
        .bind(("postcode", p.postcode.as_str().to_string()))
        .bind(("phone", p.phone.clone()))
        .bind(("email", p.email.clone()))
        .bind(("gp", p.usual_gp.clone()))
        .bind(("registered", p.registered_on.to_string()))
}

/// The patient records named by `ids`.
fn records_of(ids: &[String]) -> Vec<surrealdb::types::RecordId> {
    ids.iter()
        .map(|p| surrealdb::types::RecordId::new("patient", p.as_str()))
        .collect()
}
