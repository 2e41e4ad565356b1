//! An inbox (or the pool) read a window at a time: a clinician with 2,000
//! unfiled reports opens the first hundred, not all of them. Each half of
//! the inbox's order (abnormal, then normal; oldest first within each)
//! is read in order straight from the `result_report_inbox_order` index,
//! so a window costs the same whatever the inbox's size; the counts come
//! from the `result_inbox_count` view, which the database keeps. The
//! practice's overdue reports are read the same way, oldest first, from
//! the `result_report_received` index.

use super::{Row, ROW_FIELDS};
use crate::{PracticeStore, StoreError};
use domain::results::{InboxCounts, InboxKey, InboxRow, ResultRows};
use surrealdb::types::{Datetime, RecordId};

/// Rows read beyond a window's edge: reports received in the same
/// nanosecond as the edge sort by id, which the time range cannot tell.
const TIES: usize = 16;

/// The unfiled reports of an inbox (`$owner`; NONE: the pool).
const LIST: &str = "practice = $practice AND state = 'unfiled' AND assigned_to = $owner";

/// How many reports an inbox holds, abnormal and not (two records of the
/// `result_inbox_count` view, which the database keeps).
/// (No RETURN: inside a transaction it would end it.)
const COUNTS: &str = "LET $owner = $owner ?? NONE;
    LET $abnormal = (SELECT VALUE n FROM type::record('result_inbox_count', [$practice, 'unfiled', $owner, true]))[0] ?? 0;
    LET $normal = (SELECT VALUE n FROM type::record('result_inbox_count', [$practice, 'unfiled', $owner, false]))[0] ?? 0;
    [$abnormal, $normal];";

/// The statement of `COUNTS` whose answer is the counts.
const COUNTED: usize = 3;

/// The counts, from `COUNTS`'s answers (`before`: how many statements
/// came before them; `BEGIN TRANSACTION` is one).
fn counts(res: &mut surrealdb::IndexedResults, before: usize) -> Result<InboxCounts, StoreError> {
    let n: Vec<i64> = res.take(before + COUNTED)?;
    let (abnormal, normal) = match n[..] {
        [a, b] => (a.max(0) as u64, b.max(0) as u64),
        _ => return Err(StoreError::Internal(format!("inbox counts {n:?}"))),
    };
    Ok(InboxCounts {
        unfiled: abnormal + normal,
        abnormal,
    })
}

impl PracticeStore {
    /// How many unfiled reports `owner`'s inbox (none: the pool) holds.
    pub async fn inbox_counts(&self, owner: Option<&str>) -> Result<InboxCounts, StoreError> {
        let mut res = self
            .db()
            .query(COUNTS)
            .bind(("practice", self.record()))
            .bind(("owner", owner.map(|s| RecordId::new("staff", s))))
            .await?
            .check()?;
        counts(&mut res, 0)
    }

    /// The first `limit` unfiled reports of `owner`'s inbox (none: the
    /// pool) after `after` (none: from the start), in the inbox's order,
    /// with how many it holds in all; `horizon` is set when more follow.
    pub async fn inbox_window(
        &self,
        owner: Option<&str>,
        after: Option<&InboxKey>,
        limit: usize,
    ) -> Result<ResultRows, StoreError> {
        let from = match after {
            Some(k) => Some(
                chrono::DateTime::parse_from_rfc3339(&k.received_at)
                    .map(|t| Datetime::from(t.with_timezone(&chrono::Utc)))
                    .map_err(|e| StoreError::Internal(format!("inbox place: {e}")))?,
            ),
            None => None,
        };
        // Each half read, and whether from the edge's time on.
        let mut halves = Vec::new();
        match after {
            None => halves.extend([(true, false), (false, false)]),
            Some(k) if !k.normal => halves.extend([(true, true), (false, false)]),
            Some(_) => halves.push((false, true)),
        }
        // One read transaction: the counts and the rows from one snapshot,
        // so a report filed or arriving between statements cannot leave
        // the counts and the horizon disagreeing.
        let mut sql = format!("BEGIN TRANSACTION; {COUNTS}");
        for (abnormal, bounded) in &halves {
            let bound = if *bounded {
                "AND received_at >= $from"
            } else {
                ""
            };
            // From the start, the normal half needs only what the abnormal
            // half leaves of the window (one at least, to know it goes on).
            let take = if after.is_none() && !abnormal {
                "math::max([1, $take - $abnormal])"
            } else {
                "$take"
            };
            sql.push_str(&format!(
                "SELECT {ROW_FIELDS} FROM result_report WHERE {LIST} AND abnormal = {abnormal} {bound}
                 ORDER BY received_at ASC LIMIT {take};"
            ));
        }
        sql.push_str("COMMIT TRANSACTION;");
        let mut res = self
            .db()
            .query(sql)
            .bind(("practice", self.record()))
            .bind(("owner", owner.map(|s| RecordId::new("staff", s))))
            .bind(("from", from))
            .bind((
                "take",
                (limit + 1 + if after.is_some() { TIES } else { 0 }) as i64,
            ))
            .await?
            .check()?;
        // BEGIN, then COUNTS's four statements, then the halves.
        let counts = counts(&mut res, 1)?;
        let first_half = 1 + COUNTED + 1;
        let mut rows = Vec::new();
        for i in 0..halves.len() {
            let half: Vec<Row> = res.take(first_half + i)?;
            for r in half {
                let r = InboxRow::try_from(r)?;
                if after.is_none_or(|a| r.key() > *a) {
                    rows.push(r);
                }
            }
        }
        rows.sort_by(InboxRow::list_order);
        let horizon = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(InboxRow::key)
        } else {
            None
        };
        Ok(ResultRows {
            rows,
            counts: Some(counts),
            horizon,
        })
    }

    /// The practice's unfiled reports received before `before`, oldest
    /// first, at most `limit` (the overdue view: the results service
    /// works out the instant from the practice's setting).
    pub async fn unfiled_before(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<InboxRow>, StoreError> {
        let rows: Vec<Row> = self
            .db()
            .query(format!(
                "SELECT {ROW_FIELDS} FROM result_report
                 WHERE practice = $practice AND state = 'unfiled' AND received_at < $before
                 ORDER BY received_at ASC LIMIT $limit"
            ))
            .bind(("practice", self.record()))
            .bind(("before", Datetime::from(before)))
            .bind(("limit", limit as i64))
            .await?
            .check()?
            .take(0)?;
        rows.into_iter().map(InboxRow::try_from).collect()
    }
}
