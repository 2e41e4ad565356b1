//! The clinical record: problems, allergies and medications (added,
//! reviewed, ended, each change in an append-only history), consultations
//! (saved once with their coded entries and observations in one
//! transaction; later corrections are amendments beside the original),
//! observations, and server-side consultation drafts (one per clinician per
//! patient). Callers pass an already-authorised practice and staff id.

use crate::outbox::{self, Retry};
use crate::{rfc3339, Store, StoreError};
use domain::clinical::{CodeKind, ObservationKind};
use domain::record::{
    Amendment, CodedEntry, ConsultationForm, ConsultationView, DraftView, ItemAction, ItemChange,
    ItemKind, Observation, RecordItem, UpcomingAppointment, ValidConsultation, ValidItem,
};
use surrealdb::types::{Datetime, RecordId, SurrealValue};

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not found")]
    NotFound,
    /// Changed since `expected_version`; here it is now.
    #[error("Changed by {} since you opened it.", .current.history.last().map(|h| h.by.as_str()).unwrap_or("someone else"))]
    Stale { current: Box<RecordItem> },
    /// A field and what is wrong with it.
    #[error("{1}")]
    Field(&'static str, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<surrealdb::Error> for RecordError {
    fn from(e: surrealdb::Error) -> Self {
        RecordError::Store(e.into())
    }
}

#[derive(SurrealValue)]
struct ChangeRow {
    at: Datetime,
    by: Option<String>,
    what: String,
}

#[derive(SurrealValue)]
struct ItemRow {
    id: String,
    kind: String,
    version: i64,
    code: Option<String>,
    term: String,
    dose: Option<String>,
    frequency: Option<String>,
    note: Option<String>,
    active: bool,
    since: String,
    ended_on: Option<String>,
    reviewed_at: Option<Datetime>,
    history: Vec<ChangeRow>,
}

impl ItemRow {
    fn into_view(self) -> Option<RecordItem> {
        Some(RecordItem {
            id: self.id,
            kind: ItemKind::parse(&self.kind)?,
            version: self.version,
            code: self.code,
            term: self.term,
            dose: self.dose,
            frequency: self.frequency,
            note: self.note,
            active: self.active,
            since: self.since,
            ended_on: self.ended_on,
            reviewed_at: self.reviewed_at.map(rfc3339),
            history: self
                .history
                .into_iter()
                .map(|h| ItemChange {
                    at: rfc3339(h.at),
                    by: h.by.unwrap_or_default(),
                    what: h.what,
                })
                .collect(),
        })
    }
}

const ITEM_FIELDS: &str = "record::id(id) AS id, kind, version, code, term, dose, frequency, note,
    active, since, ended_on, reviewed_at,
    (SELECT at, by.display_name AS by, what FROM record_item_change WHERE item = $parent.id ORDER BY at) AS history";

#[derive(Clone, SurrealValue)]
struct EntryRow {
    code: String,
    term: String,
    kind: String,
}

fn code_kind(s: &str) -> CodeKind {
    match s {
        "allergy" => CodeKind::Allergy,
        "procedure" => CodeKind::Procedure,
        _ => CodeKind::Problem,
    }
}

fn code_kind_str(k: CodeKind) -> &'static str {
    match k {
        CodeKind::Problem => "problem",
        CodeKind::Procedure => "procedure",
        CodeKind::Allergy => "allergy",
    }
}

#[derive(Clone, SurrealValue)]
struct ObservationIn {
    kind: String,
    value: f64,
}

#[derive(SurrealValue)]
struct ObservationRow {
    kind: String,
    value: f64,
    at: Datetime,
}

impl ObservationRow {
    fn into_view(self) -> Option<Observation> {
        Some(Observation {
            kind: ObservationKind::from_key(&self.kind)?,
            value: self.value,
            at: rfc3339(self.at),
        })
    }
}

#[derive(SurrealValue)]
struct AmendmentRow {
    by: Option<String>,
    at: Datetime,
    reason: String,
    history: String,
    examination: String,
    plan: String,
}

#[derive(SurrealValue)]
struct ConsultationRow {
    id: String,
    author: Option<String>,
    at: Datetime,
    history: String,
    examination: String,
    plan: String,
    entries: Vec<EntryRow>,
    observations: Vec<ObservationRow>,
    amendments: Vec<AmendmentRow>,
}

impl From<ConsultationRow> for ConsultationView {
    fn from(r: ConsultationRow) -> Self {
        let mut observations: Vec<Observation> = r
            .observations
            .into_iter()
            .filter_map(ObservationRow::into_view)
            .collect();
        // In the order the form asks for them (blood pressure first).
        observations.sort_by_key(|o| {
            ObservationKind::ALL_WITH_BMI
                .iter()
                .position(|k| *k == o.kind)
        });
        ConsultationView {
            id: r.id,
            author: r.author.unwrap_or_default(),
            at: rfc3339(r.at),
            history: r.history,
            examination: r.examination,
            plan: r.plan,
            entries: r
                .entries
                .into_iter()
                .map(|e| CodedEntry {
                    kind: code_kind(&e.kind),
                    code: e.code,
                    term: e.term,
                })
                .collect(),
            observations,
            amendments: r
                .amendments
                .into_iter()
                .map(|a| Amendment {
                    by: a.by.unwrap_or_default(),
                    at: rfc3339(a.at),
                    reason: a.reason,
                    history: a.history,
                    examination: a.examination,
                    plan: a.plan,
                })
                .collect(),
        }
    }
}

#[derive(SurrealValue)]
struct DraftRow {
    form: String,
    author: Option<String>,
    author_id: String,
    saved_at: Datetime,
}

/// Why a record script did not commit: our own thrown tokens in words,
/// anything else a store error.
impl From<Retry> for RecordError {
    fn from(r: Retry) -> Self {
        match r {
            Retry::Thrown(t) => thrown(&t),
            other => RecordError::Store(other.into()),
        }
    }
}

/// Maps a thrown token of a record script.
fn thrown(t: &str) -> RecordError {
    match t {
        "op:no_patient" | "op:not_found" => RecordError::NotFound,
        "op:no_appointment" => RecordError::Field(
            "appointment",
            "That appointment is not this patient's.".into(),
        ),
        "op:duplicate" => RecordError::Field(
            "term",
            "That is already on the patient's current list.".into(),
        ),
        "op:ended" => RecordError::Field(
            "action",
            "This has already been ended: add it again if it is current.".into(),
        ),
        other => RecordError::Store(StoreError::Internal(format!("unexpected {other}"))),
    }
}

impl Store {
    /// A patient's problems, allergies and medications (current first,
    /// then past), each with its history. Another practice's: empty.
    pub async fn record_items(
        &self,
        practice_id: &str,
        patient_id: &str,
        kind: Option<ItemKind>,
    ) -> Result<Vec<RecordItem>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {ITEM_FIELDS}, created_at FROM record_item
                 WHERE patient = type::record('patient', $patient) AND practice = type::record('practice', $practice)
                   AND ($kind = NONE OR kind = $kind)
                 ORDER BY active DESC, created_at DESC"
            ))
            .bind(("patient", patient_id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .bind(("kind", kind.map(|k| k.as_str().to_string())))
            .await?
            .check()?;
        let rows: Vec<ItemRow> = res.take(0)?;
        Ok(rows.into_iter().filter_map(ItemRow::into_view).collect())
    }

    async fn record_item(
        &self,
        practice_id: &str,
        id: &str,
    ) -> Result<Option<RecordItem>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {ITEM_FIELDS} FROM type::record('record_item', $id)
                 WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("id", id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<ItemRow> = res.take(0)?;
        Ok(rows.into_iter().next().and_then(ItemRow::into_view))
    }

    /// The patient a record item belongs to, in this practice.
    pub async fn record_item_patient(
        &self,
        practice_id: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        self.owner_patient("record_item", practice_id, id).await
    }

    /// The patient a consultation belongs to, in this practice.
    pub async fn consultation_patient(
        &self,
        practice_id: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        self.owner_patient("consultation", practice_id, id).await
    }

    async fn owner_patient(
        &self,
        table: &'static str,
        practice_id: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT VALUE record::id(patient) FROM type::record($table, $id)
                 WHERE practice = type::record('practice', $practice)",
            )
            .bind(("table", table))
            .bind(("id", id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let ids: Vec<String> = res.take(0)?;
        Ok(ids.into_iter().next())
    }

    /// Adds a problem, allergy or medication with its "Added" history row.
    /// A coded entry already current on the patient's list is refused.
    pub async fn add_record_item(
        &self,
        practice_id: &str,
        patient_id: &str,
        item: &ValidItem,
        by: &str,
    ) -> Result<RecordItem, RecordError> {
        let id = crate::new_key();
        let script = "BEGIN TRANSACTION;
            IF (SELECT VALUE practice FROM ONLY $patient) != $practice { THROW 'op:no_patient' };
            IF $code != NONE AND (SELECT VALUE id FROM record_item WHERE patient = $patient AND code = $code AND active = true) != [] { THROW 'op:duplicate' };
            CREATE $item CONTENT {
                practice: $practice, patient: $patient, kind: $kind, code: $code, term: $term,
                dose: $dose, frequency: $frequency, note: $note, since: $since
            } RETURN NONE;
            CREATE record_item_change CONTENT { practice: $practice, item: $item, by: $by, what: $what } RETURN NONE;
            COMMIT TRANSACTION;";
        let what = match &item.note {
            Some(n) => format!("Added ({n})"),
            None => "Added".to_string(),
        };
        let outcome = outbox::run_with_retry(|| {
            self.db()
                .query(script)
                .bind(("practice", RecordId::new("practice", practice_id)))
                .bind(("patient", RecordId::new("patient", patient_id)))
                .bind(("item", RecordId::new("record_item", id.as_str())))
                .bind(("kind", item.kind.as_str()))
                .bind(("code", item.code.clone()))
                .bind(("term", item.term.clone()))
                .bind(("dose", item.dose.clone()))
                .bind(("frequency", item.frequency.clone()))
                .bind(("note", item.note.clone()))
                .bind(("since", item.since.to_string()))
                .bind(("by", RecordId::new("staff", by)))
                .bind(("what", what.clone()))
        })
        .await;
        outcome?;
        self.record_item(practice_id, &id)
            .await?
            .ok_or(RecordError::NotFound)
    }

    /// Reviews (still current) or ends (no longer current) an item, if it
    /// is still at `expected_version`; the note goes into its history. An
    /// item ends on today's London date.
    pub async fn change_record_item(
        &self,
        practice_id: &str,
        id: &str,
        expected_version: i64,
        action: ItemAction,
        note: &str,
        by: &str,
    ) -> Result<RecordItem, RecordError> {
        let today = domain::time::london_today(chrono::Utc::now());
        let note = note.trim();
        if note.chars().count() > domain::record::ITEM_TEXT_MAX {
            return Err(RecordError::Field(
                "note",
                format!(
                    "The note must be {} characters or fewer.",
                    domain::record::ITEM_TEXT_MAX
                ),
            ));
        }
        let (verb, change) = match action {
            ItemAction::Review => (
                "Reviewed",
                "UPDATE $item SET reviewed_at = time::now(), version += 1 RETURN NONE;",
            ),
            ItemAction::End => (
                "Ended",
                "UPDATE $item SET active = false, ended_on = $today, version += 1 RETURN NONE;",
            ),
        };
        let what = if note.is_empty() {
            verb.to_string()
        } else {
            format!("{verb}: {note}")
        };
        let script = format!(
            "BEGIN TRANSACTION;
             LET $row = (SELECT practice, version, active FROM ONLY $item);
             IF $row = NONE OR $row.practice != $practice {{ THROW 'op:not_found' }};
             IF $row.version != $version {{ THROW 'op:stale' }};
             IF $row.active = false {{ THROW 'op:ended' }};
             {change}
             CREATE record_item_change CONTENT {{ practice: $practice, item: $item, by: $by, what: $what }} RETURN NONE;
             COMMIT TRANSACTION;"
        );
        let outcome = outbox::run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("practice", RecordId::new("practice", practice_id)))
                .bind(("item", RecordId::new("record_item", id)))
                .bind(("version", expected_version))
                .bind(("today", today.to_string()))
                .bind(("by", RecordId::new("staff", by)))
                .bind(("what", what.clone()))
        })
        .await;
        match outcome {
            Ok(()) => self
                .record_item(practice_id, id)
                .await?
                .ok_or(RecordError::NotFound),
            Err(Retry::Thrown(t)) if t == "op:stale" => Err(RecordError::Stale {
                current: Box::new(
                    self.record_item(practice_id, id)
                        .await?
                        .ok_or(RecordError::NotFound)?,
                ),
            }),
            Err(e) => Err(e.into()),
        }
    }

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
        practice_id: &str,
        patient_id: &str,
        c: &ValidConsultation,
        by: &str,
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
                    CREATE record_item_change CONTENT { practice: $practice, item: $item, by: $by, what: 'Added in a consultation' } RETURN NONE;
                };
            };
            DELETE type::record('consultation_draft', [record::id($practice), record::id($patient), record::id($by)]);
            COMMIT TRANSACTION;";
        let today = domain::time::london_today(chrono::Utc::now()).to_string();
        let outcome = outbox::run_with_retry(|| {
            self.db()
                .query(script)
                .bind(("practice", RecordId::new("practice", practice_id)))
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
        practice_id: &str,
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
            } RETURN NONE;
            COMMIT TRANSACTION;";
        let outcome = outbox::run_with_retry(|| {
            self.db()
                .query(script)
                .bind(("practice", RecordId::new("practice", practice_id)))
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
        practice_id: &str,
        patient_id: &str,
        limit: usize,
    ) -> Result<Vec<ConsultationView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, author.display_name AS author, at, history, examination, plan, entries,
                    (SELECT kind, <float> value AS value, at FROM observation WHERE consultation = $parent.id ORDER BY kind) AS observations,
                    (SELECT by.display_name AS by, at, reason, history, examination, plan FROM consultation_amendment
                        WHERE consultation = $parent.id ORDER BY at) AS amendments
                 FROM consultation
                 WHERE patient = type::record('patient', $patient) AND practice = type::record('practice', $practice)
                 ORDER BY at DESC LIMIT $limit",
            )
            .bind(("patient", patient_id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<ConsultationRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Every observation of a patient, oldest first.
    pub async fn observations(
        &self,
        practice_id: &str,
        patient_id: &str,
    ) -> Result<Vec<Observation>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT kind, <float> value AS value, at FROM observation
                 WHERE patient = type::record('patient', $patient) AND practice = type::record('practice', $practice)
                 ORDER BY at",
            )
            .bind(("patient", patient_id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let rows: Vec<ObservationRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .filter_map(ObservationRow::into_view)
            .collect())
    }

    /// Keeps `by`'s draft of a consultation on a patient (replacing their
    /// earlier one); an empty form removes it. Returns when it was saved.
    pub async fn save_draft(
        &self,
        practice_id: &str,
        patient_id: &str,
        form: &ConsultationForm,
        by: &str,
    ) -> Result<Option<String>, RecordError> {
        let key = vec![
            practice_id.to_string(),
            patient_id.to_string(),
            by.to_string(),
        ];
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
        if json.len() > 4 * domain::record::SECTION_MAX * 4 {
            return Err(RecordError::Field(
                "history",
                "The draft is too long.".into(),
            ));
        }
        let script = "BEGIN TRANSACTION;
            IF (SELECT VALUE practice FROM ONLY $patient) != $practice { THROW 'op:no_patient' };
            UPSERT type::record('consultation_draft', $key) CONTENT {
                practice: $practice, patient: $patient, author: $by, form: $form, saved_at: time::now()
            } RETURN NONE;
            COMMIT TRANSACTION;";
        let outcome = outbox::run_with_retry(|| {
            self.db()
                .query(script)
                .bind(("practice", RecordId::new("practice", practice_id)))
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
    pub async fn drafts(
        &self,
        practice_id: &str,
        patient_id: &str,
    ) -> Result<Vec<DraftView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT form, author.display_name AS author, record::id(author) AS author_id, saved_at
                 FROM consultation_draft
                 WHERE patient = type::record('patient', $patient) AND practice = type::record('practice', $practice)
                 ORDER BY saved_at DESC",
            )
            .bind(("patient", patient_id.to_string()))
            .bind(("practice", practice_id.to_string()))
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

    /// The patient's appointments from `today` on (not cancelled), soonest
    /// first.
    pub async fn upcoming_appointments(
        &self,
        practice_id: &str,
        patient_id: &str,
        today: chrono::NaiveDate,
    ) -> Result<Vec<UpcomingAppointment>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT date, start, clinician.display_name AS clinician FROM appointment
                 WHERE patient = type::record('patient', $patient) AND practice = type::record('practice', $practice)
                   AND date >= $today AND status NOT IN ['cancelled', 'did_not_attend', 'finished', 'left', 'walked_out']
                 ORDER BY date, start LIMIT 10",
            )
            .bind(("patient", patient_id.to_string()))
            .bind(("practice", practice_id.to_string()))
            .bind(("today", today.to_string()))
            .await?
            .check()?;
        #[derive(SurrealValue)]
        struct Row {
            date: String,
            start: String,
            clinician: Option<String>,
        }
        let rows: Vec<Row> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| UpcomingAppointment {
                date: r.date,
                start: r.start,
                clinician: r.clinician.unwrap_or_default(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::fixtures::small_practice;
    use crate::staff::hash_password;
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
        let patient = &p.patient_ids[0];
        let form = domain::record::ConsultationForm {
            history: "Cough.".into(),
            codes: vec!["195967001".into()],
            observations: vec![("pulse".into(), "72".into())],
            ..Default::default()
        };
        let id = store
            .save_consultation(&p.practice_id, patient, &form.validate().unwrap(), &gp)
            .await
            .unwrap();
        store
            .amend_consultation(&p.practice_id, &id, "Typo", ("Coughing.", "", ""), &gp)
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
        let c = &store
            .consultations(&p.practice_id, patient, 1)
            .await
            .unwrap()[0];
        assert_eq!(c.history, "Cough.");
        assert_eq!(c.current_text().0, "Coughing.");
        assert_eq!(c.observations[0].value, 72.0);
        assert_eq!(
            store
                .record_items(&p.practice_id, patient, None)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}
