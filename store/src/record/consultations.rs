//! Consultations: saved whole, amended never edited; and observations.

use super::{code_kind_str, ConsultationRow, EntryRow, ObservationIn, ObservationRow, RecordError};
use crate::live::patient_changed;
use crate::tx::run_with_retry;
use crate::{PracticeStore, StoreError};
use domain::clinical::ObservationKind;
use domain::live::RecordPart;
use domain::record::{ConsultationView, Observation, ValidConsultation};
use surrealdb::types::RecordId;

/// A consultation as its view reads it; its readings and amendments are
/// read apart (`children.rs`).
pub(super) const CONSULTATION_FIELDS: &str =
    "record::id(id) AS id, author.display_name AS author, at, history, examination, plan, entries";

impl PracticeStore {
    /// The patient's latest height (cm), for BMI.
    async fn latest_height(&self, patient_id: &str) -> Result<Option<f64>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT VALUE <float> value FROM observation
                 WHERE patient = type::record('patient', $patient) AND kind = 'height'
                 ORDER BY at DESC LIMIT 1",
            )
            .bind(("patient", patient_id.to_string()))
            .await?
            .check()?;
        let v: Vec<f64> = res.take(0)?;
        Ok(v.into_iter().next())
    }

    /// Saves a consultation in one transaction: the consultation and its
    /// coded entries, its observations (with BMI when a weight is recorded
    /// and a height is known), coded problems and allergies onto the
    /// patient's lists (unless already current), and the author's draft
    /// removed. Returns the consultation id.
    pub async fn save_consultation(
        &self,
        patient_id: &str,
        c: &ValidConsultation,
        by: &str,
        added: &str,
    ) -> Result<String, RecordError> {
        let id = crate::new_key();
        let mut observations: Vec<(ObservationKind, f64)> = c.observations.clone();
        let weight = observations
            .iter()
            .find(|(k, _)| *k == ObservationKind::Weight)
            .map(|o| o.1);
        if let Some(w) = weight {
            let height = match observations
                .iter()
                .find(|(k, _)| *k == ObservationKind::Height)
            {
                Some(h) => Some(h.1),
                None => self.latest_height(patient_id).await?,
            };
            if let Some(bmi) = height.and_then(|h| domain::clinical::bmi(w, h)) {
                observations.push((ObservationKind::Bmi, bmi));
            }
        }
        let obs: Vec<ObservationIn> = observations
            .iter()
            .map(|(k, v)| ObservationIn {
                kind: k.key().to_string(),
                value: *v,
            })
            .collect();
        let entries: Vec<EntryRow> = c
            .entries
            .iter()
            .map(|e| EntryRow {
                code: e.code.clone(),
                term: e.term.clone(),
                kind: code_kind_str(e.kind).to_string(),
            })
            .collect();
        let script = "BEGIN TRANSACTION;
            IF (SELECT VALUE practice FROM ONLY $patient) != $practice { THROW 'op:no_patient' };
            IF $appointment != NONE AND (SELECT VALUE patient FROM ONLY $appointment) != $patient { THROW 'op:no_appointment' };
            CREATE $consultation CONTENT {
                practice: $practice, patient: $patient, author: $by, appointment: $appointment,
                history: $history, examination: $examination, plan: $plan, entries: $entries
            } RETURN NONE;
            LET $at = (SELECT VALUE at FROM ONLY $consultation);
            FOR $o IN $observations {
                CREATE observation CONTENT {
                    practice: $practice, patient: $patient, consultation: $consultation,
                    kind: $o.kind, value: $o.value, at: $at, by: $by
                } RETURN NONE;
            };
            FOR $e IN $entries {
                IF $e.kind IN ['problem', 'allergy'] AND (SELECT VALUE id FROM record_item WHERE patient = $patient AND code = $e.code AND active = true) = [] {
                    LET $item = type::record('record_item', string::replace(<string> rand::uuid::v4(), '-', ''));
                    CREATE $item CONTENT {
                        practice: $practice, patient: $patient, kind: $e.kind, code: $e.code,
                        term: $e.term, since: $today
                    } RETURN NONE;
                    CREATE record_item_change CONTENT { practice: $practice, item: $item, by: $by, what: $added } RETURN NONE;
                };
            };
            DELETE type::record('consultation_draft', [record::id($practice), record::id($patient), record::id($by)]);";
        let script = format!(
            "{script}{}COMMIT TRANSACTION;",
            patient_changed("$patient", RecordPart::Clinical)
        );
        let today = domain::time::london_today(chrono::Utc::now()).to_string();
        let outcome = run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("practice", self.record()))
                .bind(("patient", RecordId::new("patient", patient_id)))
                .bind(("consultation", RecordId::new("consultation", id.as_str())))
                .bind((
                    "appointment",
                    c.appointment_id
                        .as_deref()
                        .map(|a| RecordId::new("appointment", a)),
                ))
                .bind(("history", c.history.clone()))
                .bind(("examination", c.examination.clone()))
                .bind(("plan", c.plan.clone()))
                .bind(("entries", entries.clone()))
                .bind(("observations", obs.clone()))
                .bind(("today", today.clone()))
                .bind(("added", added.to_string()))
                .bind(("by", RecordId::new("staff", by)))
        })
        .await;
        outcome?;
        Ok(id)
    }

    /// Amends a saved consultation's text (the original and every earlier
    /// amendment are kept).
    pub async fn amend_consultation(
        &self,
        id: &str,
        reason: &str,
        sections: (&str, &str, &str),
        by: &str,
    ) -> Result<(), RecordError> {
        let script = "BEGIN TRANSACTION;
            IF (SELECT VALUE practice FROM ONLY $consultation) != $practice { THROW 'op:not_found' };
            CREATE consultation_amendment CONTENT {
                practice: $practice, consultation: $consultation, by: $by, reason: $reason,
                history: $history, examination: $examination, plan: $plan
            } RETURN NONE;";
        let script = format!(
            "{script}{}COMMIT TRANSACTION;",
            patient_changed(
                "(SELECT VALUE patient FROM ONLY $consultation)",
                RecordPart::Clinical
            )
        );
        let outcome = run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("practice", self.record()))
                .bind(("consultation", RecordId::new("consultation", id)))
                .bind(("reason", reason.trim().to_string()))
                .bind(("history", sections.0.trim_end().to_string()))
                .bind(("examination", sections.1.trim_end().to_string()))
                .bind(("plan", sections.2.trim_end().to_string()))
                .bind(("by", RecordId::new("staff", by)))
        })
        .await;
        Ok(outcome?)
    }

    /// A patient's consultations, newest first, at most `limit`.
    pub async fn consultations(
        &self,
        patient_id: &str,
        limit: usize,
    ) -> Result<Vec<ConsultationView>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {CONSULTATION_FIELDS} FROM consultation
                 WHERE patient = type::record('patient', $patient) AND practice = type::record('practice', $practice)
                 ORDER BY at DESC LIMIT $limit",
            ))
            .bind(("patient", patient_id.to_string()))
            .bind(("practice", self.pid()))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<ConsultationRow> = res.take(0)?;
        self.with_parts(rows.into_iter().map(Into::into).collect())
            .await
    }

    /// Every observation of a patient, oldest first.
    pub async fn observations(&self, patient_id: &str) -> Result<Vec<Observation>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, kind, <float> value AS value, at FROM observation
                 WHERE patient = type::record('patient', $patient) AND practice = type::record('practice', $practice)
                 ORDER BY at",
            )
            .bind(("patient", patient_id.to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<ObservationRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .filter_map(ObservationRow::into_view)
            .collect())
    }
}
