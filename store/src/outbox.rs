//! The transactional outbox. Every change to live data appends an `event`
//! row in its own transaction: practice, a gap-free per-practice `seq` (drawn
//! from `event_counter` in the same transaction, so a rolled-back change
//! leaves no gap), the kind of change, the record, its new version, and the
//! date and staff member it concerns (so the hub can route it to topics).
//! The event table is the record of "what changed since"; SurrealDB's live
//! notifications are only the wake-up (DESIGN.md, "How data flows").

use crate::{Store, StoreError};
use std::time::Duration;
use surrealdb::engine::any::Any;
use surrealdb::method::Query;
use surrealdb::types::SurrealValue;

/// An appointment was booked or changed.
pub const KIND_APPOINTMENT: &str = "appointment";
/// An appointment was called in: the call screen has a new call too.
pub const KIND_APPOINTMENT_CALLED: &str = "appointment_called";

/// SurrealQL appended inside a change's transaction: draws the next `seq`
/// and writes the event. Expects `$practice` (a record), `$kind`, `$record`,
/// `$new_version`, and the variables named for the date and staff member
/// the change concerns (a move appends twice: old and new day list).
pub(crate) fn append(date_var: &str, staff_var: &str) -> String {
    format!(
        "LET $seq = (UPSERT ONLY type::record('event_counter', record::id($practice)) SET value += 1 RETURN VALUE value);
         CREATE event CONTENT {{ practice: $practice, seq: $seq, kind: $kind, record: $record, version: $new_version, date: {date_var}, staff: {staff_var} }} RETURN NONE;"
    )
}

/// How many times a transaction that lost a write-write race is retried.
const MAX_ATTEMPTS: u32 = 40;

/// Why a transaction did not commit.
#[derive(Debug)]
pub(crate) enum Retry {
    /// Our own `THROW 'op:…'`: the token (e.g. "op:stale").
    Thrown(String),
    /// A unique index refused the write.
    AlreadyExists,
    Db(surrealdb::Error),
    /// Still conflicting after every retry.
    Exhausted,
}

impl From<Retry> for StoreError {
    fn from(r: Retry) -> Self {
        match r {
            Retry::Thrown(t) => StoreError::Internal(format!("unexpected {t}")),
            Retry::AlreadyExists => StoreError::AlreadyExists,
            Retry::Db(e) => StoreError::Db(e),
            Retry::Exhausted => {
                StoreError::Internal("the change kept conflicting with others".into())
            }
        }
    }
}

fn thrown_token(message: &str) -> Option<String> {
    let start = message.find("op:")?;
    let token: String = message[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '_')
        .collect();
    Some(token)
}

fn is_retryable(message: &str) -> bool {
    message.contains("can be retried") || message.contains("Transaction conflict")
}

/// Whether an error is only the echo of another statement's failure.
fn is_echo(message: &str) -> bool {
    message.contains("not executed due to a failed transaction")
        || message.contains("cancelled transaction")
}

/// Runs a transaction script built by `make`, retrying when it lost a race
/// with another transaction (SurrealDB's optimistic transactions), and
/// classifies the error that stopped it.
pub(crate) async fn run_with_retry<'a, F>(make: F) -> Result<(), Retry>
where
    F: Fn() -> Query<'a, Any>,
{
    for attempt in 0..MAX_ATTEMPTS {
        let errors: Vec<surrealdb::Error> = match make().await {
            Ok(mut response) => response.take_errors().into_values().collect(),
            Err(e) => vec![e],
        };
        if errors.is_empty() {
            return Ok(());
        }
        if let Some(t) = errors.iter().find_map(|e| thrown_token(&e.to_string())) {
            return Err(Retry::Thrown(t));
        }
        if errors
            .iter()
            .any(|e| e.is_already_exists() || e.to_string().contains("already contains"))
        {
            return Err(Retry::AlreadyExists);
        }
        if errors.iter().any(|e| is_retryable(&e.to_string())) {
            let jitter = u64::from(rand::random::<u8>() % 8);
            tokio::time::sleep(Duration::from_millis(
                1 + jitter + u64::from(attempt.min(20)),
            ))
            .await;
            continue;
        }
        let mut errors = errors;
        let pick = errors
            .iter()
            .position(|e| !is_echo(&e.to_string()))
            .unwrap_or(0);
        return Err(Retry::Db(errors.swap_remove(pick)));
    }
    Err(Retry::Exhausted)
}

/// One outbox row.
#[derive(Clone, Debug, PartialEq, Eq, SurrealValue)]
pub struct Event {
    pub seq: i64,
    pub kind: String,
    pub record: String,
    pub version: i64,
    pub date: Option<String>,
    pub staff: Option<String>,
    /// For task events: the team the change concerns.
    pub team: Option<String>,
}

impl Store {
    /// The practice's latest `seq` (0 before any change).
    pub async fn event_seq(&self, practice_id: &str) -> Result<u64, StoreError> {
        let mut res = self
            .db()
            .query("SELECT VALUE value FROM ONLY type::record('event_counter', $practice)")
            .bind(("practice", practice_id.to_string()))
            .await?
            .check()?;
        let value: Option<i64> = res.take(0)?;
        Ok(value.unwrap_or(0).max(0) as u64)
    }

    /// The practice's events after `since`, oldest first, at most `limit`.
    pub async fn events_since(
        &self,
        practice_id: &str,
        since: u64,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT seq, kind, record, version, date, staff, team FROM event
                 WHERE practice = type::record('practice', $practice) AND seq > $since
                 ORDER BY seq LIMIT $limit",
            )
            .bind(("practice", practice_id.to_string()))
            .bind(("since", since as i64))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// A stream that yields (the practice id) whenever any event is
    /// written, by this process or another sharing the database. Only a
    /// wake-up: read `events_since` for what actually changed.
    pub async fn watch_events(
        &self,
    ) -> Result<impl futures::Stream<Item = Option<String>> + Send + Unpin + use<>, StoreError>
    {
        use futures::StreamExt;
        let stream = self
            .db()
            .query("LIVE SELECT record::id(practice) AS practice FROM event")
            .await?
            .stream::<surrealdb::Notification<surrealdb::types::Value>>(0)?;
        Ok(stream.map(|n| {
            n.ok().and_then(|n| match n.data {
                surrealdb::types::Value::Object(o) => match o.get("practice") {
                    Some(surrealdb::types::Value::String(s)) => Some(s.clone()),
                    _ => None,
                },
                _ => None,
            })
        }))
    }
}
