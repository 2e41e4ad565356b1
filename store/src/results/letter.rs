//! Letters: filing one (its coded entries join the patient's problem list
//! in the same transaction) and reading its PDF.

use super::ResultError;
use crate::live::patient_changed;
use crate::{new_key, By, PracticeStore, StoreError};
use domain::live::RecordPart;
use domain::results::ValidLetterFiling;
use surrealdb::types::{Bytes, SurrealValue};

/// A coded entry a letter adds to the problem list.
#[derive(Clone, SurrealValue)]
struct NewProblem {
    key: String,
    code: String,
    term: String,
}

#[derive(SurrealValue)]
struct DocumentRow {
    data: Bytes,
}

impl PracticeStore {
    /// Files an unfiled letter with its summary and coded entries; each
    /// code not already current on the patient's problem list is added as
    /// a problem since `since` (YYYY-MM-DD), with its history naming the
    /// letter, in the same transaction.
    pub async fn file_letter(
        &self,
        id: &str,
        version: i64,
        filing: &ValidLetterFiling,
        since: &str,
        by: &str,
    ) -> Result<(), ResultError> {
        let codes_json = serde_json::to_string(&filing.codes)
            .map_err(|e| StoreError::Internal(format!("letter codes: {e}")))?;
        let problems: Vec<NewProblem> = filing
            .codes
            .iter()
            .map(|(code, term)| NewProblem {
                key: new_key(),
                code: code.clone(),
                term: term.clone(),
            })
            .collect();
        let body = format!(
            "IF (SELECT VALUE kind FROM ONLY $r) != 'letter' {{ THROW 'op:state' }};
             UPDATE $r SET state = 'filed', outcome = 'letter', summary = $summary,
                 letter_codes = $codes_json, filed_by = $filer, filed_at = time::now(),
                 version += 1 RETURN NONE;
             FOR $p IN $problems {{
                 IF (SELECT VALUE id FROM record_item WHERE patient = $row.patient AND code = $p.code AND active = true) = [] {{
                     LET $item = type::record('record_item', $p.key);
                     CREATE $item CONTENT {{
                         practice: $practice, patient: $row.patient, kind: 'problem', code: $p.code,
                         term: $p.term, since: $since
                     }} RETURN NONE;
                     CREATE record_item_change CONTENT {{
                         practice: $practice, item: $item, by: $filer, what: $what
                     }} RETURN NONE;
                 }};
             }};
             IF array::len($problems) > 0 {{ {changed} }};",
            changed = patient_changed("$row.patient", RecordPart::Clinical)
        );
        self.change_result(
            id,
            version,
            &["unfiled"],
            &body,
            None,
            vec![
                ("summary", filing.summary.clone().into_value()),
                ("codes_json", codes_json.into_value()),
                ("problems", problems.into_value()),
                ("since", since.to_string().into_value()),
                (
                    "what",
                    format!("Added from a letter (result {id})").into_value(),
                ),
                ("filer", By::from(by).record().into_value()),
            ],
        )
        .await
    }

    /// A letter's PDF (none: no such letter in this practice).
    pub async fn result_document(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if id.is_empty() {
            return Ok(None);
        }
        let rows: Vec<DocumentRow> = self
            .db()
            .query(
                "SELECT data FROM result_document
                 WHERE report = type::record('result_report', $id) AND practice = $practice",
            )
            .bind(("id", id.to_string()))
            .bind(("practice", self.record()))
            .await?
            .check()?
            .take(0)?;
        Ok(rows.into_iter().next().map(|r| r.data.to_vec()))
    }
}
