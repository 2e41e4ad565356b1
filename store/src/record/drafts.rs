//! Consultation drafts kept on the server: one per clinician per patient.

use super::{DraftRow, RecordError};
use crate::tx::run_with_retry;
use crate::{rfc3339, PracticeStore, StoreError};
use domain::record::{ConsultationForm, DraftView};
use surrealdb::types::{Datetime, RecordId};

impl PracticeStore {
    /// Keeps `by`'s draft of a consultation on a patient (replacing their
    /// earlier one); an empty form removes it. Returns when it was saved.
    pub async fn save_draft(
        &self,
        patient_id: &str,
        form: &ConsultationForm,
        by: &str,
    ) -> Result<Option<String>, RecordError> {
        let key = vec![self.pid(), patient_id.to_string(), by.to_string()];
        if form.is_empty() {
            self.db()
                .query("DELETE type::record('consultation_draft', $key)")
                .bind(("key", key))
                .await?
                .check()?;
            return Ok(None);
        }
        let json =
            serde_json::to_string(form).map_err(|e| StoreError::Internal(format!("draft: {e}")))?;
        let script = "BEGIN TRANSACTION;
            IF (SELECT VALUE practice FROM ONLY $patient) != $practice { THROW 'op:no_patient' };
            UPSERT type::record('consultation_draft', $key) CONTENT {
                practice: $practice, patient: $patient, author: $by, form: $form, saved_at: time::now()
            } RETURN NONE;
            COMMIT TRANSACTION;";
        let outcome = run_with_retry(|| {
            self.db()
                .query(script)
                .bind(("practice", self.record()))
                .bind(("patient", RecordId::new("patient", patient_id)))
                .bind(("key", key.clone()))
                .bind(("form", json.clone()))
                .bind(("by", RecordId::new("staff", by)))
        })
        .await;
        outcome?;
        let mut res = self
            .db()
            .query("SELECT VALUE saved_at FROM type::record('consultation_draft', $key)")
            .bind(("key", key))
            .await?
            .check()?;
        let saved: Vec<Datetime> = res.take(0)?;
        Ok(saved.into_iter().next().map(rfc3339))
    }

    /// Every unsaved consultation draft on a patient, newest first.
    pub async fn drafts(&self, patient_id: &str) -> Result<Vec<DraftView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT form, author.display_name AS author, record::id(author) AS author_id, saved_at
                 FROM consultation_draft
                 WHERE patient = type::record('patient', $patient) AND practice = type::record('practice', $practice)
                 ORDER BY saved_at DESC",
            )
            .bind(("patient", patient_id.to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<DraftRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(DraftView {
                    form: serde_json::from_str(&r.form).ok()?,
                    author: r.author.unwrap_or_default(),
                    author_staff_id: r.author_id,
                    saved_at: rfc3339(r.saved_at),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::passwords::hash_password;
    use crate::fixtures::small_practice;
    use crate::Store;

    /// The database itself refuses to edit or delete saved clinical
    /// history, whatever code asks.
    #[tokio::test]
    async fn the_database_refuses_edits_and_deletions_of_saved_history() {
        let store = Store::memory().await.unwrap();
        let hash = hash_password("a long test password").unwrap();
        let p = small_practice(&store, "Test Surgery", "", &hash, "2026-11-21")
            .await
            .unwrap();
        let gp = p.staff_id("gp").to_string();
        let db = p.db(&store);
        let patient = &p.patient_ids[0];
        let form = domain::record::ConsultationForm {
            history: "Cough.".into(),
            codes: vec!["195967001".into()],
            observations: vec![("pulse".into(), "72".into())],
            ..Default::default()
        };
        let id = db
            .save_consultation(
                patient,
                &form.validate().unwrap(),
                &gp,
                "Added in a consultation",
            )
            .await
            .unwrap();
        db.amend_consultation(&id, "Typo", ("Coughing.", "", ""), &gp)
            .await
            .unwrap();
        for sql in [
            "UPDATE consultation SET history = 'rewritten'",
            "DELETE consultation",
            "UPDATE observation SET value = 1",
            "DELETE observation",
            "DELETE record_item",
            "UPDATE record_item_change SET what = 'x'",
            "UPDATE consultation_amendment SET reason = 'x'",
            "DELETE consultation_amendment",
        ] {
            let errors = store.db().query(sql).await.unwrap().take_errors();
            assert!(!errors.is_empty(), "{sql} was allowed");
        }
        let c = &db.consultations(patient, 1).await.unwrap()[0];
        assert_eq!(c.history, "Cough.");
        assert_eq!(c.current_text().0, "Coughing.");
        assert_eq!(c.observations[0].value, 72.0);
        assert_eq!(db.record_items(patient, None).await.unwrap().len(), 1);
    }
}
