//! The call screen's rows: a short name and a room, nothing else.

use crate::{rfc3339, PracticeStore, StoreError};
use domain::live::CallView;
use surrealdb::types::{Datetime, RecordId, SurrealValue};

#[derive(SurrealValue)]
struct CallRow {
    id: String,
    short_name: String,
    room: String,
    at: Datetime,
}

impl From<CallRow> for CallView {
    fn from(r: CallRow) -> Self {
        CallView {
            id: r.id,
            short_name: r.short_name,
            room: r.room,
            at: rfc3339(r.at),
        }
    }
}

impl PracticeStore {
    /// The latest calls for the call screen, newest first.
    pub async fn recent_calls(&self, limit: usize) -> Result<Vec<CallView>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, short_name, room, at FROM call
                 WHERE practice = type::record('practice', $practice)
                 ORDER BY at DESC LIMIT $limit",
            )
            .bind(("practice", self.pid()))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<CallRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Calls made for the given appointments (the outbox names the
    /// appointment), newest first.
    pub async fn calls_for_appointments(
        &self,
        appointment_ids: &[String],
    ) -> Result<Vec<CallView>, StoreError> {
        if appointment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<RecordId> = appointment_ids
            .iter()
            .map(|id| RecordId::new("appointment", id.as_str()))
            .collect();
        let mut res = self
            .db()
            .query(
                "SELECT record::id(id) AS id, short_name, room, at FROM call
                 WHERE practice = type::record('practice', $practice) AND appointment IN $records
                 ORDER BY at DESC",
            )
            .bind(("practice", self.pid()))
            .bind(("records", records))
            .await?
            .check()?;
        let rows: Vec<CallRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
