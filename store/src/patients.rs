//! The patient registry: register (NHS number unique in a practice; a
//! duplicate is refused naming the record that has it), read, and the
//! searches behind "find a patient".

use crate::book::PatientQuery;
use crate::{Store, StoreError};
use domain::book::PatientHit;
use domain::patient::{PatientDetails, ValidPatient};
use surrealdb::engine::any::Any;
use surrealdb::method::Query;
use surrealdb::types::SurrealValue;

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The NHS number is already registered in this practice, to `existing`.
    #[error("NHS number {} is already registered to {} (born {}).", .nhs, .existing.display_name(), .existing.date_of_birth)]
    Duplicate {
        nhs: String,
        existing: Box<PatientHit>,
    },
    #[error("{1}")]
    Field(&'static str, String),
    #[error("not found")]
    NotFound,
    /// Changed since the version the editor opened; here it is now.
    #[error("Changed by {by} at {at} since you opened it.")]
    Stale {
        by: String,
        at: String,
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

impl Store {
    /// A usual GP, if given, must be a GP of the practice.
    async fn check_usual_gp(
        &self,
        practice_id: &str,
        p: &ValidPatient,
    ) -> Result<(), RegisterError> {
        match &p.usual_gp {
            Some(gp)
                if self.staff_role_in_practice(practice_id, gp).await?
                    != Some(domain::Role::Gp) =>
            {
                Err(RegisterError::Field(
                    "usual_gp",
                    "Choose a GP of this practice.".into(),
                ))
            }
            _ => Ok(()),
        }
    }

    /// The refusal for an NHS number already in the practice, naming the
    /// record that has it.
    async fn duplicate(&self, practice_id: &str, p: &ValidPatient) -> RegisterError {
        let found = self
            .find_patients(
                practice_id,
                &PatientQuery::NhsNumber(p.nhs_number.digits()),
                1,
            )
            .await;
        match found.map(|hits| hits.into_iter().next()) {
            Ok(Some(existing)) => RegisterError::Duplicate {
                nhs: p.nhs_number.to_string(),
                existing: Box::new(existing),
            },
            Ok(None) => StoreError::AlreadyExists.into(),
            Err(e) => e.into(),
        }
    }

    /// Registers a patient; returns the new id.
    pub async fn register_patient(
        &self,
        practice_id: &str,
        p: &ValidPatient,
    ) -> Result<String, RegisterError> {
        self.check_usual_gp(practice_id, p).await?;
        let mut res = bind_patient(
            self.db().query(
                "CREATE ONLY patient CONTENT {
                    practice: type::record('practice', $practice), nhs_number: $nhs,
                    title: $title, given_name: $given, family_name: $family,
                    family_name_key: string::lowercase($family), date_of_birth: $dob,
                    sex: $sex, gender: $gender, address_lines: $address, postcode: $postcode,
                    phone: $phone, email: $email,
                    usual_gp: IF $gp THEN type::record('staff', $gp) END,
                    registered_on: $registered
                 } RETURN VALUE record::id(id)",
            ),
            p,
        )
        .bind(("practice", practice_id.to_string()))
        .await
        .map_err(StoreError::from)?;
        let errors: Vec<String> = res
            .take_errors()
            .into_values()
            .map(|e| e.to_string())
            .collect();
        if errors.iter().any(|e| e.contains("already contains")) {
            return Err(self.duplicate(practice_id, p).await);
        }
        if let Some(e) = errors.into_iter().next() {
            return Err(StoreError::Internal(e).into());
        }
        let id: Option<String> = res.take(0).map_err(StoreError::from)?;
        id.ok_or_else(|| StoreError::Internal("no id for the new patient".into()).into())
    }

    /// A patient of the practice in full (another practice's: `None`).
    pub async fn patient_record(
        &self,
        practice_id: &str,
        id: &str,
    ) -> Result<Option<PatientDetails>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, version, title, given_name, family_name, date_of_birth, sex, gender,
                    address_lines, postcode, phone, email, nhs_number,
                    usual_gp.display_name AS usual_gp_name,
                    IF usual_gp THEN record::id(usual_gp) END AS usual_gp_id,
                    registered_on
                 FROM type::record('patient', $id) WHERE practice = type::record('practice', $practice)",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<RecordRow> = res.take(0)?;
        Ok(rows.into_iter().next().map(PatientDetails::from))
    }
}

impl Store {
    /// Changes a patient's details, if no one has changed them since
    /// `expected_version`. The NHS number stays unique in the practice (a
    /// clash names the record that has it). Returns the record as saved.
    pub async fn update_patient(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
        p: &ValidPatient,
        by: &str,
    ) -> Result<PatientDetails, RegisterError> {
        self.check_usual_gp(practice_id, p).await?;
        let script = "BEGIN TRANSACTION;
            LET $row = (SELECT practice, version FROM ONLY $patient);
            IF $row = NONE OR $row.practice != $practice { THROW 'op:not_found' };
            IF $row.version != $version { THROW 'op:stale' };
            UPDATE $patient SET nhs_number = $nhs, title = $title, given_name = $given,
                family_name = $family, family_name_key = string::lowercase($family),
                date_of_birth = $dob, sex = $sex, gender = $gender, address_lines = $address,
                postcode = $postcode, phone = $phone, email = $email,
                usual_gp = IF $gp THEN type::record('staff', $gp) END,
                registered_on = $registered, version += 1, updated_at = time::now(), updated_by = $by
                RETURN NONE;
            COMMIT TRANSACTION;";
        let outcome = crate::outbox::run_with_retry(|| {
            bind_patient(self.db().query(script), p)
                .bind((
                    "practice",
                    surrealdb::types::RecordId::new("practice", practice_id),
                ))
                .bind(("patient", surrealdb::types::RecordId::new("patient", id)))
                .bind(("version", expected_version))
                .bind(("by", surrealdb::types::RecordId::new("staff", by)))
        })
        .await;
        let current = || async {
            self.patient_record(practice_id, id)
                .await?
                .ok_or(RegisterError::NotFound)
        };
        match outcome {
            Ok(()) => current().await,
            Err(crate::outbox::Retry::Thrown(t)) if t == "op:not_found" => {
                Err(RegisterError::NotFound)
            }
            Err(crate::outbox::Retry::Thrown(t)) if t == "op:stale" => {
                let mut res = self
                    .db()
                    .query(
                        "SELECT updated_by.display_name AS by, updated_at AS at FROM type::record('patient', $id)",
                    )
                    .bind(("id", id.to_string()))
                    .await
                    .map_err(StoreError::from)?;
                #[derive(SurrealValue)]
                struct Who {
                    by: Option<String>,
                    at: surrealdb::types::Datetime,
                }
                let who: Vec<Who> = res.take(0).map_err(StoreError::from)?;
                let (by, at) = who
                    .into_iter()
                    .next()
                    .map(|w| {
                        let at = chrono::DateTime::<chrono::Utc>::from(w.at);
                        (
                            w.by.unwrap_or_else(|| "someone else".into()),
                            domain::time::london_hhmm(at),
                        )
                    })
                    .unwrap_or_else(|| ("someone else".into(), String::new()));
                Err(RegisterError::Stale {
                    by,
                    at,
                    current: Box::new(current().await?),
                })
            }
            Err(crate::outbox::Retry::AlreadyExists) => Err(self.duplicate(practice_id, p).await),
            Err(e) => Err(RegisterError::Store(e.into())),
        }
    }

    /// How many patients the practice has.
    pub async fn patient_count(&self, practice_id: &str) -> Result<usize, StoreError> {
        let mut res = self
            .db()
            .query("SELECT VALUE count() FROM patient WHERE practice = type::record('practice', $p) GROUP ALL")
            .bind(("p", practice_id.to_string()))
            .await?
            .check()?;
        let n: Option<i64> = res.take(0)?;
        Ok(n.unwrap_or(0).max(0) as usize)
    }

    /// Up to `n` patients spread through the practice (benchmark samples).
    pub async fn sample_patients(
        &self,
        practice_id: &str,
        n: usize,
    ) -> Result<Vec<domain::book::PatientHit>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, title, given_name, family_name, date_of_birth, nhs_number, address_lines, postcode
                 FROM patient WHERE practice = type::record('practice', $p) ORDER BY rand() LIMIT $n",
            )
            .bind(("p", practice_id.to_string()))
            .bind(("n", n as i64))
            .await?
            .check()?;
        let rows: Vec<crate::book::PatientRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
