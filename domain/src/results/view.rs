//! What the inbox, a report and the Unmatched list show.

use super::{Analyte, Demographics, InboxKind, ItemState, Outcome, ReportStatus};
use serde::{Deserialize, Serialize};

/// One report in an inbox or the pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRow {
    pub id: String,
    pub version: i64,
    pub title: String,
    pub laboratory: String,
    pub status: ReportStatus,
    pub state: ItemState,
    pub patient_id: Option<String>,
    /// "SMITH, John" when matched.
    pub patient_name: Option<String>,
    /// When it arrived (RFC 3339).
    pub received_at: String,
    /// When the laboratory issued it (RFC 3339).
    pub issued: String,
    pub abnormal: bool,
    /// Unfiled for longer than the practice allows.
    pub overdue: bool,
    pub assigned_id: Option<String>,
    pub assigned_name: Option<String>,
    /// A laboratory report or a letter.
    #[serde(default)]
    pub kind: InboxKind,
}

impl InboxRow {
    /// The inbox's order: abnormal first, then oldest first.
    pub fn list_order(a: &InboxRow, b: &InboxRow) -> std::cmp::Ordering {
        a.key().cmp(&b.key())
    }

    /// Where the row stands in the inbox's order.
    pub fn key(&self) -> InboxKey {
        InboxKey {
            normal: !self.abnormal,
            received_at: self.received_at.clone(),
            id: self.id.clone(),
        }
    }
}

/// A place in the inbox's order (abnormal first, then oldest first; the
/// field order is the sort order).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct InboxKey {
    pub normal: bool,
    pub received_at: String,
    pub id: String,
}

impl InboxKey {
    /// Said when a place to continue a list from is not one.
    pub const NOT_A_PLACE: &'static str =
        "The place in the list to continue from is not a time: open the list again.";

    /// Whether the key names a place in a list (its received time is a time).
    pub fn is_place(&self) -> bool {
        chrono::DateTime::parse_from_rfc3339(&self.received_at).is_ok()
    }
}

/// How many reports an inbox (or the pool) holds in all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxCounts {
    pub unfiled: u64,
    pub abnormal: u64,
}

/// The practice's overdue results, oldest first: at most
/// `OVERDUE_SHOWN`, and whether more are overdue than that.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueResults {
    pub rows: Vec<InboxRow>,
    pub more: bool,
}

/// The first of an inbox's rows (at most `RESULTS_SHOWN`, in the
/// inbox's order) and how many it holds in all. `horizon`: the last row
/// sent when more follow it; rows beyond it are not held, so the list
/// never shows a later report in the place of an earlier one it lacks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRows {
    pub rows: Vec<InboxRow>,
    #[serde(default)]
    pub counts: Option<InboxCounts>,
    #[serde(default)]
    pub horizon: Option<InboxKey>,
}

impl ResultRows {
    /// Rows that changed (no counts, no horizon).
    pub fn changed(rows: Vec<InboxRow>) -> Self {
        Self {
            rows,
            ..Self::default()
        }
    }

    /// The list's counts, or (before any arrived) what it holds.
    pub fn counts(&self) -> InboxCounts {
        self.counts.unwrap_or(InboxCounts {
            unfiled: self.rows.len() as u64,
            abnormal: self.rows.iter().filter(|r| r.abnormal).count() as u64,
        })
    }

    /// More reports wait beyond the rows held.
    pub fn more(&self) -> bool {
        self.horizon.is_some()
    }
}

impl std::ops::Deref for ResultRows {
    type Target = [InboxRow];
    fn deref(&self) -> &[InboxRow] {
        &self.rows
    }
}

/// A patient's values of one test over time, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyteHistory {
    pub code: String,
    pub display: String,
    pub unit: String,
    /// (issued RFC 3339, value).
    pub points: Vec<(String, f64)>,
}

/// How a report was filed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    pub by: String,
    pub at: String,
    pub outcome: Outcome,
    pub patient_comment: String,
    pub note: String,
    pub task_id: Option<String>,
    /// A letter's one-line summary.
    #[serde(default)]
    pub summary: String,
    /// A letter's coded entries: (SNOMED CT id, term).
    #[serde(default)]
    pub codes: Vec<(String, String)>,
}

/// How a report came to its patient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchInfo {
    /// "automatic" or "manual".
    pub how: String,
    pub by: Option<String>,
    pub at: String,
}

/// A report with everything a clinician needs to file it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub row: InboxRow,
    pub identifier: String,
    /// The report's test code as "system|code", when the laboratory gave one.
    #[serde(default)]
    pub code: Option<String>,
    pub demographics: Demographics,
    pub requester_name: Option<String>,
    pub analytes: Vec<Analyte>,
    pub conclusion: Option<String>,
    /// The same tests' earlier values for this patient.
    pub history: Vec<AnalyteHistory>,
    pub matched: Option<MatchInfo>,
    pub filing: Option<Filing>,
    /// The report this one corrects, and the one that corrected it.
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
    pub rejected_reason: Option<String>,
}

/// A report no patient was found for: only what a person needs to match
/// it (never the results).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchedRow {
    pub id: String,
    pub version: i64,
    /// "Pathology report".
    pub kind: String,
    pub laboratory: String,
    pub received_at: String,
    pub demographics: Demographics,
    /// Why it was not matched.
    pub reason: String,
    /// Still waiting to be matched (false: matched or rejected since, so
    /// it leaves the list).
    #[serde(default)]
    pub open: bool,
}

/// The filing form as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileForm {
    pub outcome: String,
    /// The team an action's task goes to (required for an action).
    pub team: String,
    /// What reception reads out when the patient phones.
    pub patient_comment: String,
    /// For colleagues only.
    pub note: String,
}

/// A clinician's inbox as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    /// Whose inbox: (staff id, name).
    pub owner: (String, String),
    /// The reader is working a colleague's inbox.
    pub covering: bool,
    /// Their first unfiled reports (abnormal first, then oldest first) and
    /// how many in all (the inbox read `after` the last for the next).
    pub rows: ResultRows,
    /// The first unfiled reports with no clinician, and how many (none
    /// when the inbox was read on from a horizon: the pool was sent with
    /// its first window).
    pub pool: ResultRows,
    /// The practice's active clinicians (id, name), for covering.
    pub clinicians: Vec<(String, String)>,
}

/// A report with what its page's forms offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportPage {
    pub report: ReportView,
    /// (id, name) of the teams an action's task may go to.
    pub teams: Vec<(String, String)>,
    /// (id, name) of the clinicians it may be reassigned to.
    pub clinicians: Vec<(String, String)>,
}

/// What a clinician asked reception to tell the patient about a filed
/// result (no values): shown on the patient's page to every role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientMessage {
    pub report_id: String,
    /// The test ("HbA1c").
    pub title: String,
    pub comment: String,
    pub by: String,
    /// When filed (RFC 3339).
    pub at: String,
}
