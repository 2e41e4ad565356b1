//! Laboratory reports: stored as they arrived (never deleted; a corrected
//! report supersedes the earlier one, which is kept), matched to one
//! patient or waiting on the Unmatched list, in a clinician's inbox or the
//! practice's pool until filed. Reading here; changing in `write`.

mod arrive;
mod lane;
mod letter;
mod patient;
mod unmatched;
mod window;
mod write;

pub use arrive::{Ingested, NewReport};
pub(crate) use lane::ArrivalLanes;

use crate::{rfc3339, PracticeStore, StoreError};
use domain::results::{
    Analyte, Demographics, Filing, InboxKind, InboxRow, ItemState, MatchInfo, Outcome,
    ReportStatus, ReportView,
};
use surrealdb::types::{Datetime, SurrealValue};

/// Why a change to a report was refused.
#[derive(Debug, thiserror::Error)]
pub enum ResultError {
    #[error("not found")]
    NotFound,
    /// Changed since the caller read it: the report as it is now.
    #[error("changed since read")]
    Stale { current: Box<ReportView> },
    /// Not in a state this change applies to (already filed, matched…).
    #[error("report is {0:?}")]
    WrongState(ItemState),
    /// Another report already has this identifier and this is not a
    /// correction of it.
    #[error("identifier in use")]
    NotACorrection,
    #[error("no such patient")]
    NoSuchPatient,
    #[error("no such team")]
    NoSuchTeam,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<surrealdb::Error> for ResultError {
    fn from(e: surrealdb::Error) -> Self {
        ResultError::Store(e.into())
    }
}

/// What an inbox row needs.
const ROW_FIELDS: &str = "record::id(id) AS id, version, title, laboratory, status, state,
    IF patient THEN record::id(patient) END AS patient_id,
    patient.family_name AS patient_family, patient.given_name AS patient_given,
    received_at, issued, abnormal,
    IF assigned_to THEN record::id(assigned_to) END AS assigned_id,
    assigned_to.display_name AS assigned_name, kind";

/// Everything a report page shows.
const FULL_FIELDS: &str =
    "record::id(id) AS id, identifier, code, nhs_number, family, given, birth_date, requester_name,
    analytes, conclusion, unmatched_reason, matched_how, matched_by.display_name AS matched_by_name,
    matched_at, outcome, patient_comment, note, filed_by.display_name AS filed_by_name, filed_at,
    IF task THEN record::id(task) END AS task_id, rejected_reason,
    IF replaces THEN record::id(replaces) END AS replaces_id,
    IF replaced_by THEN record::id(replaced_by) END AS replaced_by_id, summary, letter_codes";

#[derive(SurrealValue)]
struct Row {
    id: String,
    version: i64,
    title: String,
    laboratory: String,
    status: String,
    state: String,
    patient_id: Option<String>,
    patient_family: Option<String>,
    patient_given: Option<String>,
    received_at: Datetime,
    issued: Datetime,
    abnormal: bool,
    assigned_id: Option<String>,
    assigned_name: Option<String>,
    kind: Option<String>,
}

impl TryFrom<Row> for InboxRow {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let bad = |what: &str, v: &str| StoreError::Internal(format!("result {what} {v}"));
        Ok(InboxRow {
            status: ReportStatus::parse(&r.status).ok_or_else(|| bad("status", &r.status))?,
            state: ItemState::parse(&r.state).ok_or_else(|| bad("state", &r.state))?,
            patient_name: match (&r.patient_family, &r.patient_given) {
                (Some(f), Some(g)) => Some(format!("{}, {g}", f.to_uppercase())),
                _ => None,
            },
            id: r.id,
            version: r.version,
            title: r.title,
            laboratory: r.laboratory,
            patient_id: r.patient_id,
            // Exact: the inbox's order and its windows' edges rest on it.
            received_at: crate::rfc3339_exact(r.received_at),
            issued: rfc3339(r.issued),
            abnormal: r.abnormal,
            overdue: false,
            assigned_id: r.assigned_id,
            assigned_name: r.assigned_name,
            kind: match r.kind.as_deref() {
                None => InboxKind::Report,
                Some(k) => InboxKind::parse(k).ok_or_else(|| bad("kind", k))?,
            },
        })
    }
}

#[derive(SurrealValue)]
struct FullRow {
    id: String,
    identifier: String,
    code: Option<String>,
    nhs_number: String,
    family: String,
    given: String,
    birth_date: String,
    requester_name: Option<String>,
    analytes: String,
    conclusion: Option<String>,
    unmatched_reason: Option<String>,
    matched_how: Option<String>,
    matched_by_name: Option<String>,
    matched_at: Option<Datetime>,
    outcome: Option<String>,
    patient_comment: Option<String>,
    note: Option<String>,
    filed_by_name: Option<String>,
    filed_at: Option<Datetime>,
    task_id: Option<String>,
    rejected_reason: Option<String>,
    replaces_id: Option<String>,
    replaced_by_id: Option<String>,
    summary: Option<String>,
    letter_codes: Option<String>,
}

fn view(row: InboxRow, f: FullRow) -> Result<ReportView, StoreError> {
    let analytes: Vec<Analyte> = serde_json::from_str(&f.analytes)
        .map_err(|e| StoreError::Internal(format!("result analytes: {e}")))?;
    let filing = match (f.outcome.as_deref().and_then(Outcome::parse), f.filed_at) {
        (Some(outcome), Some(at)) => Some(Filing {
            by: f.filed_by_name.unwrap_or_default(),
            at: rfc3339(at),
            outcome,
            patient_comment: f.patient_comment.unwrap_or_default(),
            note: f.note.unwrap_or_default(),
            task_id: f.task_id,
            summary: f.summary.unwrap_or_default(),
            codes: match &f.letter_codes {
                Some(json) => serde_json::from_str(json)
                    .map_err(|e| StoreError::Internal(format!("letter codes: {e}")))?,
                None => Vec::new(),
            },
        }),
        _ => None,
    };
    Ok(ReportView {
        identifier: f.identifier,
        code: f.code,
        demographics: Demographics {
            nhs_number: f.nhs_number,
            family: f.family,
            given: f.given,
            birth_date: f.birth_date,
        },
        requester_name: f.requester_name,
        analytes,
        conclusion: f.conclusion,
        history: Vec::new(),
        matched: match (f.matched_how, f.matched_at) {
            (Some(how), Some(at)) => Some(MatchInfo {
                how,
                by: f.matched_by_name,
                at: rfc3339(at),
            }),
            _ => None,
        },
        filing,
        replaces: f.replaces_id,
        replaced_by: f.replaced_by_id,
        rejected_reason: f.rejected_reason.or(match row.state {
            ItemState::Unmatched => f.unmatched_reason,
            _ => None,
        }),
        row,
    })
}

impl PracticeStore {
    /// Runs a row query (`where` and `order` fixed by the callers here).
    async fn result_rows(
        &self,
        condition: &str,
        binds: Vec<(&'static str, String)>,
    ) -> Result<Vec<InboxRow>, StoreError> {
        let mut q = self
            .db()
            .query(format!(
                "SELECT {ROW_FIELDS} FROM result_report WHERE practice = $practice AND {condition}
                 ORDER BY abnormal DESC, received_at ASC"
            ))
            .bind(("practice", self.record()));
        for (k, v) in binds {
            q = q.bind((k, v));
        }
        let rows: Vec<Row> = q.await?.check()?.take(0)?;
        rows.into_iter().map(InboxRow::try_from).collect()
    }

    /// The reports of `ids` (any state), for the live inboxes: fetched by
    /// id (`id IN $ids` would read the whole table, every practice's
    /// reports, for each batch of changes).
    pub async fn results_by_id(&self, ids: &[String]) -> Result<Vec<InboxRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<surrealdb::types::RecordId> = ids
            .iter()
            .map(|i| surrealdb::types::RecordId::new("result_report", i.as_str()))
            .collect();
        let rows: Vec<Row> = self
            .db()
            .query(format!(
                "SELECT {ROW_FIELDS} FROM $ids WHERE practice = $practice"
            ))
            .bind(("practice", self.record()))
            .bind(("ids", records))
            .await?
            .check()?
            .take(0)?;
        rows.into_iter().map(InboxRow::try_from).collect()
    }

    /// A patient's reports that are theirs (unfiled or filed), newest first.
    pub async fn patient_results(&self, patient: &str) -> Result<Vec<InboxRow>, StoreError> {
        let mut rows = self
            .result_rows(
                "patient = type::record('patient', $patient) AND state IN ['unfiled', 'filed']",
                vec![("patient", patient.to_string())],
            )
            .await?;
        rows.sort_by(|a, b| b.issued.cmp(&a.issued));
        Ok(rows)
    }

    /// One report, whole.
    pub async fn result_report(&self, id: &str) -> Result<ReportView, ResultError> {
        if id.is_empty() {
            return Err(ResultError::NotFound);
        }
        let mut res = self
            .db()
            .query(format!(
                "SELECT {ROW_FIELDS} FROM type::record('result_report', $id) WHERE practice = $practice;
                 SELECT {FULL_FIELDS} FROM type::record('result_report', $id) WHERE practice = $practice;"
            ))
            .bind(("id", id.to_string()))
            .bind(("practice", self.record()))
            .await?
            .check()?;
        let rows: Vec<Row> = res.take(0)?;
        let full: Vec<FullRow> = res.take(1)?;
        match (rows.into_iter().next(), full.into_iter().next()) {
            (Some(row), Some(full)) => Ok(view(row.try_into()?, full)?),
            _ => Err(ResultError::NotFound),
        }
    }

    /// A patient's filed reports, whole, newest first, at most `limit`
    /// (two queries whatever their number).
    pub async fn filed_reports(
        &self,
        patient: &str,
        limit: usize,
    ) -> Result<Vec<ReportView>, StoreError> {
        let patient = surrealdb::types::RecordId::new("patient", patient);
        self.filed_where("patient = $patient", limit, |q| {
            q.bind(("patient", patient))
        })
        .await
    }

    /// The filed reports and letters of `patients` (an export's page),
    /// whole, newest first (two queries, each from the patient index,
    /// whatever their number).
    pub async fn filed_reports_of(
        &self,
        patients: &[String],
    ) -> Result<Vec<ReportView>, StoreError> {
        let any = crate::AnyOf::new("p", "patient", patients);
        let filter = any.on("patient");
        self.filed_where(&filter, i64::MAX as usize, |q| any.bind(q))
            .await
    }

    /// Filed reports matching `filter` (its variables bound by `bind`),
    /// newest first, at most `limit`.
    async fn filed_where<'a>(
        &'a self,
        filter: &str,
        limit: usize,
        bind: impl FnOnce(
            surrealdb::method::Query<'a, surrealdb::engine::any::Any>,
        ) -> surrealdb::method::Query<'a, surrealdb::engine::any::Any>,
    ) -> Result<Vec<ReportView>, StoreError> {
        let filter = format!(
            "({filter}) AND practice = $practice AND state = 'filed' ORDER BY issued DESC LIMIT $limit"
        );
        let q = self
            .db()
            .query(format!(
                "SELECT {ROW_FIELDS} FROM result_report WHERE {filter};
                 SELECT {FULL_FIELDS}, issued FROM result_report WHERE {filter};"
            ))
            .bind(("practice", self.record()))
            .bind(("limit", limit.min(i64::MAX as usize) as i64));
        let mut res = bind(q).await?.check()?;
        let rows: Vec<Row> = res.take(0)?;
        let mut full: std::collections::HashMap<String, FullRow> = res
            .take::<Vec<FullRow>>(1)?
            .into_iter()
            .map(|f| (f.id.clone(), f))
            .collect();
        rows.into_iter()
            .filter_map(|r| full.remove(&r.id).map(|f| (r, f)))
            .map(|(r, f)| view(r.try_into()?, f))
            .collect()
    }
}
