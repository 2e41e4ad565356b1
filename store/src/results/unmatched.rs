//! The Unmatched list: reports and letters no patient was found for, as a
//! person matching them sees them (demographics and the kind of item,
//! never the results or the letter).

use crate::{rfc3339, PracticeStore, StoreError};
use domain::results::{Demographics, InboxKind, UnmatchedRow};
use surrealdb::types::{Datetime, SurrealValue};

#[derive(SurrealValue)]
struct UnmatchedDb {
    id: String,
    version: i64,
    laboratory: String,
    received_at: Datetime,
    nhs_number: String,
    family: String,
    given: String,
    birth_date: String,
    unmatched_reason: Option<String>,
    open: bool,
    kind: Option<String>,
}

impl PracticeStore {
    /// The reports no patient was found for, oldest first.
    pub async fn unmatched_results(&self) -> Result<Vec<UnmatchedRow>, StoreError> {
        self.unmatched_rows("result_report", "state = 'unmatched'", Vec::new())
            .await
    }

    /// The reports of `ids` that are, or were, on the Unmatched list, as
    /// it shows them (`open`: still waiting; else matched by a person,
    /// rejected or replaced since). One matched on arrival never was.
    pub async fn unmatched_by_id(&self, ids: &[String]) -> Result<Vec<UnmatchedRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let records = ids
            .iter()
            .map(|i| surrealdb::types::RecordId::new("result_report", i.as_str()))
            .collect();
        self.unmatched_rows(
            "$ids",
            "state IN ['unmatched', 'rejected', 'superseded'] OR matched_how = 'manual'",
            records,
        )
        .await
    }

    /// The Unmatched rows of `from` (the table, or `$ids`: fetched by id)
    /// meeting `condition`.
    async fn unmatched_rows(
        &self,
        from: &str,
        condition: &str,
        ids: Vec<surrealdb::types::RecordId>,
    ) -> Result<Vec<UnmatchedRow>, StoreError> {
        let rows: Vec<UnmatchedDb> = self
            .db()
            .query(format!(
                "SELECT record::id(id) AS id, version, laboratory, received_at, nhs_number, family,
                    given, birth_date, unmatched_reason, state = 'unmatched' AS open, kind
                 FROM {from} WHERE practice = $practice AND ({condition})
                 ORDER BY received_at ASC"
            ))
            .bind(("practice", self.record()))
            .bind(("ids", ids))
            .await?
            .check()?
            .take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| UnmatchedRow {
                id: r.id,
                version: r.version,
                kind: r
                    .kind
                    .as_deref()
                    .and_then(InboxKind::parse)
                    .unwrap_or_default()
                    .label()
                    .into(),
                laboratory: r.laboratory,
                received_at: rfc3339(r.received_at),
                demographics: Demographics {
                    nhs_number: r.nhs_number,
                    family: r.family,
                    given: r.given,
                    birth_date: r.birth_date,
                },
                reason: r.unmatched_reason.unwrap_or_default(),
                open: r.open,
            })
            .collect())
    }
}
