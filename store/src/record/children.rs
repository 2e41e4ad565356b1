//! What belongs to record items and consultations (an item's history, a
//! consultation's readings and amendments), read for all the parents at
//! once through the index on the parent. Never a subquery per parent row:
//! SurrealDB answers `WHERE item = $parent.id` by scanning the whole child
//! table for every row, so the export with clinical histories crawled
//! (18 patients a second) and a record page grew slower with the practice.
//! Nor `item IN $ids`, which scans the child table once (`AnyOf`).

use super::ObservationRow;
use crate::{rfc3339, AnyOf, PracticeStore, StoreError};
use domain::clinical::ObservationKind;
use domain::record::{Amendment, ConsultationView, ItemChange, RecordItem};
use std::collections::HashMap;
use surrealdb::types::{Datetime, SurrealValue};

#[derive(SurrealValue)]
struct ChangeRow {
    parent: String,
    at: Datetime,
    by: Option<String>,
    what: String,
}

#[derive(SurrealValue)]
struct ReadingRow {
    parent: String,
    id: String,
    kind: String,
    value: f64,
    at: Datetime,
}

#[derive(SurrealValue)]
struct AmendRow {
    parent: String,
    by: Option<String>,
    at: Datetime,
    reason: String,
    history: String,
    examination: String,
    plan: String,
}

impl PracticeStore {
    /// The items, each with its history (oldest first).
    pub(super) async fn with_history(
        &self,
        mut items: Vec<RecordItem>,
    ) -> Result<Vec<RecordItem>, StoreError> {
        if items.is_empty() {
            return Ok(items);
        }
        let any = AnyOf::new("i", "record_item", items.iter().map(|i| i.id.as_str()));
        let q = self.db().query(format!(
            "SELECT record::id(item) AS parent, at, by.display_name AS by, what
             FROM record_item_change WHERE {} ORDER BY at",
            any.on("item")
        ));
        let mut res = any.bind(q).await?.check()?;
        let rows: Vec<ChangeRow> = res.take(0)?;
        let mut by_item: HashMap<String, Vec<ItemChange>> = HashMap::new();
        for r in rows {
            by_item.entry(r.parent).or_default().push(ItemChange {
                at: rfc3339(r.at),
                by: r.by.unwrap_or_default(),
                what: r.what,
            });
        }
        for i in &mut items {
            i.history = by_item.remove(&i.id).unwrap_or_default();
        }
        Ok(items)
    }

    /// The consultations, each with its readings (in the order the form
    /// asks for them) and its amendments (oldest first).
    pub(super) async fn with_parts(
        &self,
        mut consultations: Vec<ConsultationView>,
    ) -> Result<Vec<ConsultationView>, StoreError> {
        if consultations.is_empty() {
            return Ok(consultations);
        }
        let any = AnyOf::new(
            "c",
            "consultation",
            consultations.iter().map(|c| c.id.as_str()),
        );
        let of_consultations = any.on("consultation");
        let q = self.db().query(format!(
            "SELECT record::id(consultation) AS parent, record::id(id) AS id, kind, <float> value AS value, at
               FROM observation WHERE {of_consultations};
             SELECT record::id(consultation) AS parent, by.display_name AS by, at, reason, history, examination, plan
               FROM consultation_amendment WHERE {of_consultations} ORDER BY at;"
        ));
        let mut res = any.bind(q).await?.check()?;
        let readings: Vec<ReadingRow> = res.take(0)?;
        let amendments: Vec<AmendRow> = res.take(1)?;
        let mut read_at: HashMap<String, Vec<_>> = HashMap::new();
        for r in readings {
            let row = ObservationRow {
                patient_id: None,
                id: r.id,
                kind: r.kind,
                value: r.value,
                at: r.at,
            };
            if let Some(o) = row.into_view() {
                read_at.entry(r.parent).or_default().push(o);
            }
        }
        let mut amended: HashMap<String, Vec<Amendment>> = HashMap::new();
        for a in amendments {
            amended.entry(a.parent).or_default().push(Amendment {
                by: a.by.unwrap_or_default(),
                at: rfc3339(a.at),
                reason: a.reason,
                history: a.history,
                examination: a.examination,
                plan: a.plan,
            });
        }
        for c in &mut consultations {
            let mut readings = read_at.remove(&c.id).unwrap_or_default();
            readings.sort_by_key(|o| ObservationKind::RECORDED.iter().position(|k| *k == o.kind));
            c.observations = readings;
            c.amendments = amended.remove(&c.id).unwrap_or_default();
        }
        Ok(consultations)
    }
}
