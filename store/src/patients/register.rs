//! Registering a patient and changing their details.

use super::{bind_patient, RecordRow, RegisterError};
use crate::{PracticeStore, StoreError};
use domain::patient::{PatientDetails, ValidPatient};
use surrealdb::types::SurrealValue;

impl PracticeStore {
    /// The refusal for an NHS number already in the practice, naming the
    /// record that has it.
    async fn duplicate(&self, p: &ValidPatient) -> RegisterError {
        let found = self
            .find_patients(&super::PatientQuery::NhsNumber(p.nhs_number.digits()), 1)
            .await;
        match found.map(|hits| hits.into_iter().next()) {
            Ok(Some(existing)) => RegisterError::Duplicate {
                existing: Box::new(existing),
            },
            Ok(None) => StoreError::AlreadyExists.into(),
            Err(e) => e.into(),
        }
    }

    /// Registers a patient; returns the new id.
    pub async fn register_patient(&self, p: &ValidPatient) -> Result<String, RegisterError> {
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
        .bind(("practice", self.pid()))
        .await
        .map_err(StoreError::from)?;
        let errors: Vec<String> = res
            .take_errors()
            .into_values()
            .map(|e| e.to_string())
            .collect();
        if errors.iter().any(|e| e.contains("already contains")) {
            return Err(self.duplicate(p).await);
        }
        if let Some(e) = errors.into_iter().next() {
            return Err(StoreError::Internal(e).into());
        }
        let id: Option<String> = res.take(0).map_err(StoreError::from)?;
        id.ok_or_else(|| StoreError::Internal("no id for the new patient".into()).into())
    }

    /// A patient of the practice in full (another practice's: `None`).
    pub async fn patient_record(&self, id: &str) -> Result<Option<PatientDetails>, StoreError> {
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
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<RecordRow> = res.take(0)?;
        Ok(rows.into_iter().next().map(PatientDetails::from))
    }
    /// Changes a patient's details, if no one has changed them since
    /// `expected_version`. The NHS number stays unique in the practice (a
    /// clash names the record that has it). Returns the record as saved.
    pub async fn update_patient(
        &self,
        id: &str,
        expected_version: i64,
        p: &ValidPatient,
        by: &str,
    ) -> Result<PatientDetails, RegisterError> {
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
                RETURN NONE;";
        let script = format!(
            "{script}{}COMMIT TRANSACTION;",
            crate::live::patient_changed("$patient", domain::live::RecordPart::Details)
        );
        let outcome = crate::tx::run_with_retry(|| {
            bind_patient(self.db().query(script.as_str()), p)
                .bind(("practice", self.record()))
                .bind(("patient", surrealdb::types::RecordId::new("patient", id)))
                .bind(("version", expected_version))
                .bind(("by", surrealdb::types::RecordId::new("staff", by)))
        })
        .await;
        let current = || async {
            self.patient_record(id)
                .await?
                .ok_or(RegisterError::NotFound)
        };
        match outcome {
            Ok(()) => current().await,
            Err(crate::tx::Retry::Thrown(t)) if t == "op:not_found" => Err(RegisterError::NotFound),
            Err(crate::tx::Retry::Thrown(t)) if t == "op:stale" => {
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
                    .map(|w| (w.by, chrono::DateTime::<chrono::Utc>::from(w.at)))
                    .unwrap_or((None, chrono::Utc::now()));
                Err(RegisterError::Stale {
                    by,
                    at,
                    current: Box::new(current().await?),
                })
            }
            Err(crate::tx::Retry::AlreadyExists) => Err(self.duplicate(p).await),
            Err(e) => Err(RegisterError::Store(e.into())),
        }
    }
}
