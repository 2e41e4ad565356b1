//! A patient's results as their page and a report's history read them:
//! what clinicians asked reception to say, and earlier values of a test.

use crate::{rfc3339, PracticeStore, StoreError};
use domain::results::Analyte;
use surrealdb::types::{Datetime, SurrealValue};

/// The analytes of one patient's report, for their history.
#[derive(SurrealValue)]
struct Past {
    issued: Datetime,
    analytes: String,
}

impl PracticeStore {
    /// What clinicians asked reception to tell the patient, newest first.
    pub async fn patient_messages(
        &self,
        patient: &str,
    ) -> Result<Vec<domain::results::PatientMessage>, StoreError> {
        #[derive(SurrealValue)]
        struct Said {
            id: String,
            title: String,
            comment: String,
            by: Option<String>,
            at: Datetime,
        }
        let rows: Vec<Said> = self
            .db()
            .query(
                "SELECT record::id(id) AS id, title, patient_comment AS comment,
                    filed_by.display_name AS by, filed_at AS at
                 FROM result_report
                 WHERE patient = type::record('patient', $patient) AND practice = $practice
                   AND state = 'filed' AND patient_comment != NONE AND patient_comment != ''
                 ORDER BY at DESC LIMIT 50",
            )
            .bind(("patient", patient.to_string()))
            .bind(("practice", self.record()))
            .await?
            .check()?
            .take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| domain::results::PatientMessage {
                report_id: r.id,
                title: r.title,
                comment: r.comment,
                by: r.by.unwrap_or_default(),
                at: rfc3339(r.at),
            })
            .collect())
    }

    /// The patient's earlier values of `codes`, from their reports issued
    /// up to `until` (oldest first): (issued, analyte).
    pub async fn analyte_history(
        &self,
        patient: &str,
        codes: &[String],
        until: &str,
    ) -> Result<Vec<(String, Analyte)>, StoreError> {
        let until: chrono::DateTime<chrono::Utc> = chrono::DateTime::parse_from_rfc3339(until)
            .map_err(|e| StoreError::Internal(format!("history until: {e}")))?
            .into();
        let rows: Vec<Past> = self
            .db()
            .query(
                "SELECT issued, analytes FROM result_report
                 WHERE patient = type::record('patient', $patient) AND practice = $practice
                   AND state IN ['unfiled', 'filed'] AND issued <= $until
                   AND codes CONTAINSANY $codes
                 ORDER BY issued ASC, received_at ASC LIMIT 200",
            )
            .bind(("patient", patient.to_string()))
            .bind(("practice", self.record()))
            .bind(("until", Datetime::from(until)))
            .bind(("codes", codes.to_vec()))
            .await?
            .check()?
            .take(0)?;
        let mut out = Vec::new();
        for r in rows {
            let at = rfc3339(r.issued);
            let analytes: Vec<Analyte> = serde_json::from_str(&r.analytes)
                .map_err(|e| StoreError::Internal(format!("result analytes: {e}")))?;
            out.extend(
                analytes
                    .into_iter()
                    .filter(|a| codes.contains(&a.code))
                    .map(|a| (at.clone(), a)),
            );
        }
        Ok(out)
    }
}
