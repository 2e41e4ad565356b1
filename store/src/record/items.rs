//! Problems, allergies and medications, each with its history.

use super::{ItemRow, RecordError, ITEM_FIELDS};
use crate::live::patient_changed;
use crate::tx::{run_with_retry, Retry};
use crate::{PracticeStore, StoreError};
use domain::live::RecordPart;
use domain::record::{ItemAction, ItemKind, RecordItem, ValidItem};
use surrealdb::types::RecordId;

impl PracticeStore {
    /// A patient's problems, allergies and medications (current first,
    /// then past), each with its history. Another practice's: empty.
    pub async fn record_items(
        &self,
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
            .bind(("practice", self.pid()))
            .bind(("kind", kind.map(|k| k.as_str().to_string())))
            .await?
            .check()?;
        let rows: Vec<ItemRow> = res.take(0)?;
        self.with_history(rows.into_iter().filter_map(ItemRow::into_view).collect())
            .await
    }

    async fn record_item(&self, id: &str) -> Result<Option<RecordItem>, StoreError> {
        let mut res = self
            .db()
            .query(format!(
                "SELECT {ITEM_FIELDS} FROM type::record('record_item', $id)
                 WHERE practice = type::record('practice', $practice)"
            ))
            .bind(("id", id.to_string()))
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let rows: Vec<ItemRow> = res.take(0)?;
        let item: Vec<RecordItem> = rows
            .into_iter()
            .next()
            .and_then(ItemRow::into_view)
            .into_iter()
            .collect();
        Ok(self.with_history(item).await?.into_iter().next())
    }

    /// The patient a record item belongs to, in this practice.
    pub async fn record_item_patient(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.owner_patient("record_item", id).await
    }

    /// The patient a problem, allergy or medication (`kind` only) belongs
    /// to, in this practice: another kind's id is no entry of this kind.
    pub async fn record_item_patient_of_kind(
        &self,
        id: &str,
        kind: ItemKind,
    ) -> Result<Option<String>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT VALUE record::id(patient) FROM type::record('record_item', $id)
                 WHERE practice = type::record('practice', $practice) AND kind = $kind",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", self.pid()))
            .bind(("kind", kind.as_str()))
            .await?
            .check()?;
        let ids: Vec<String> = res.take(0)?;
        Ok(ids.into_iter().next())
    }

    /// The patient an observation belongs to, in this practice.
    pub async fn observation_patient(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.owner_patient("observation", id).await
    }

    /// The patient a consultation belongs to, in this practice.
    pub async fn consultation_patient(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.owner_patient("consultation", id).await
    }

    async fn owner_patient(
        &self,
        table: &'static str,
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
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let ids: Vec<String> = res.take(0)?;
        Ok(ids.into_iter().next())
    }

    /// Adds a problem, allergy or medication with its "Added" history row.
    /// A coded entry already current on the patient's list is refused.
    pub async fn add_record_item(
        &self,
        patient_id: &str,
        item: &ValidItem,
        by: &str,
        what: &str,
    ) -> Result<RecordItem, RecordError> {
        let id = crate::new_key();
        let script = format!(
            "BEGIN TRANSACTION;
            IF (SELECT VALUE practice FROM ONLY $patient) != $practice {{ THROW 'op:no_patient' }};
            IF $code != NONE AND (SELECT VALUE id FROM record_item WHERE patient = $patient AND code = $code AND active = true) != [] {{ THROW 'op:duplicate' }};
            CREATE $item CONTENT {{
                practice: $practice, patient: $patient, kind: $kind, code: $code, term: $term,
                dose: $dose, frequency: $frequency, note: $note, since: $since
            }} RETURN NONE;
            CREATE record_item_change CONTENT {{ practice: $practice, item: $item, by: $by, what: $what }} RETURN NONE;
            {changed}
            COMMIT TRANSACTION;",
            changed = patient_changed("$patient", RecordPart::Clinical)
        );
        let outcome = run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("practice", self.record()))
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
                .bind(("what", what.to_string()))
        })
        .await;
        outcome?;
        self.record_item(&id).await?.ok_or(RecordError::NotFound)
    }

    /// Reviews (still current) or ends (no longer current) an item, if it
    /// is still at `expected_version`; the note goes into its history. An
    /// item ends on today's London date.
    pub async fn change_record_item(
        &self,
        id: &str,
        expected_version: i64,
        action: ItemAction,
        by: &str,
        what: &str,
    ) -> Result<RecordItem, RecordError> {
        let today = domain::time::london_today(chrono::Utc::now());
        let change = match action {
            ItemAction::Review => {
                "UPDATE $item SET reviewed_at = time::now(), version += 1 RETURN NONE;"
            }
            ItemAction::End => {
                "UPDATE $item SET active = false, ended_on = $today, version += 1 RETURN NONE;"
            }
        };
        let script = format!(
            "BEGIN TRANSACTION;
             LET $row = (SELECT practice, version, active FROM ONLY $item);
             IF $row = NONE OR $row.practice != $practice {{ THROW 'op:not_found' }};
             IF $row.version != $version {{ THROW 'op:stale' }};
             IF $row.active = false {{ THROW 'op:ended' }};
             {change}
             CREATE record_item_change CONTENT {{ practice: $practice, item: $item, by: $by, what: $what }} RETURN NONE;
             {changed}
             COMMIT TRANSACTION;",
            changed = patient_changed("(SELECT VALUE patient FROM ONLY $item)", RecordPart::Clinical)
        );
        let outcome = run_with_retry(|| {
            self.db()
                .query(script.as_str())
                .bind(("practice", self.record()))
                .bind(("item", RecordId::new("record_item", id)))
                .bind(("version", expected_version))
                .bind(("today", today.to_string()))
                .bind(("by", RecordId::new("staff", by)))
                .bind(("what", what.to_string()))
        })
        .await;
        match outcome {
            Ok(()) => self.record_item(id).await?.ok_or(RecordError::NotFound),
            Err(Retry::Thrown(t)) if t == "op:stale" => Err(RecordError::Stale {
                current: Box::new(self.record_item(id).await?.ok_or(RecordError::NotFound)?),
            }),
            Err(e) => Err(e.into()),
        }
    }
}
