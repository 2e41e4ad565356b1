//! The transactional outbox. Every change to live data appends an `event`
//! row in its own transaction: practice, a gap-free per-practice `seq` (drawn
//! from `event_counter` in the same transaction, so a rolled-back change
//! leaves no gap), the kind of change, the record, its new version, and the
//! date and staff member it concerns (so the hub can route it to topics).
//! The event table is the record of "what changed since"; SurrealDB's live
//! notifications are only the wake-up (DESIGN.md, "How data flows").

pub mod cluster;

use crate::{PracticeStore, Store, StoreError};
use domain::live::EventKind;
use surrealdb::types::SurrealValue;

/// SurrealQL appended inside a change's transaction: draws the next `seq`
/// and writes the event. Expects `$practice` (a record), `$kind` (an
/// `EventKind`'s spelling), `$record`, `$new_version`, and the variables
/// named for the date and staff member the change concerns (a move appends
/// twice: old and new day list).
pub(crate) fn append(date_var: &str, staff_var: &str) -> String {
    append_event("$kind", "$record", "$new_version", date_var, staff_var)
}

/// `append` with every part named: for a transaction that appends events
/// of two kinds (a result filed and the task it raised).
pub(crate) fn append_event(
    kind: &str,
    record: &str,
    version: &str,
    date_var: &str,
    staff_var: &str,
) -> String {
    format!(
        "LET $seq = (UPSERT ONLY type::record('event_counter', record::id($practice)) SET value += 1 RETURN VALUE value);
         CREATE event CONTENT {{ practice: $practice, seq: $seq, kind: {kind}, record: {record}, version: {version}, date: {date_var}, staff: {staff_var} }} RETURN NONE;"
    )
}

/// SurrealQL appended inside a change's transaction when it changes
/// `part` of a patient's record: `patient` is an expression giving the
/// patient (a record, or NONE: then nothing is appended). Expects
/// `$practice` (a record).
pub(crate) fn patient_changed(patient: &str, part: domain::live::RecordPart) -> String {
    format!(
        "LET $changed_patient = {patient};
         IF $changed_patient {{
             LET $seq = (UPSERT ONLY type::record('event_counter', record::id($practice)) SET value += 1 RETURN VALUE value);
             CREATE event CONTENT {{ practice: $practice, seq: $seq, kind: 'patient', record: record::id($changed_patient), version: 0, part: '{part}' }} RETURN NONE;
         }};",
        part = part.as_str()
    )
}

/// One outbox row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub seq: i64,
    pub kind: EventKind,
    pub record: String,
    pub version: i64,
    pub date: Option<String>,
    pub staff: Option<String>,
    /// For task events: the team the change concerns.
    pub team: Option<String>,
    /// For patient events: the part of the record that changed.
    pub part: Option<domain::live::RecordPart>,
}

#[derive(SurrealValue)]
struct EventRow {
    seq: i64,
    kind: String,
    record: String,
    version: i64,
    date: Option<String>,
    staff: Option<String>,
    team: Option<String>,
    part: Option<String>,
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        Ok(Event {
            kind: EventKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Internal(format!("unknown event kind {}", r.kind)))?,
            seq: r.seq,
            record: r.record,
            version: r.version,
            date: r.date,
            staff: r.staff,
            team: r.team,
            part: r.part.as_deref().and_then(domain::live::RecordPart::parse),
        })
    }
}

impl PracticeStore {
    /// The practice's latest `seq` (0 before any change).
    pub async fn event_seq(&self) -> Result<u64, StoreError> {
        let mut res = self
            .db()
            .query("SELECT VALUE value FROM ONLY type::record('event_counter', $practice)")
            .bind(("practice", self.pid()))
            .await?
            .check()?;
        let value: Option<i64> = res.take(0)?;
        Ok(value.unwrap_or(0).max(0) as u64)
    }

    /// The practice's events after `since`, oldest first, at most `limit`.
    pub async fn events_since(&self, since: u64, limit: usize) -> Result<Vec<Event>, StoreError> {
        let mut res = self
            .db()
            .query(
                "SELECT seq, kind, record, version, date, staff, team, part FROM event
                 WHERE practice = type::record('practice', $practice) AND seq > $since
                 ORDER BY seq LIMIT $limit",
            )
            .bind(("practice", self.pid()))
            .bind(("since", since as i64))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<EventRow> = res.take(0)?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}

impl Store {
    /// A stream that yields (the practice id) whenever any event is
    /// written, by this process or another sharing the database. Only a
    /// wake-up: read `events_since` for what actually changed.
    pub async fn watch_events(
        &self,
    ) -> Result<
        impl futures::Stream<Item = Option<domain::PracticeId>> + Send + Unpin + use<>,
        StoreError,
    > {
        use futures::StreamExt;
        let stream = self
            .db()
            .query("LIVE SELECT record::id(practice) AS practice FROM event")
            .await?
            .stream::<surrealdb::Notification<surrealdb::types::Value>>(0)?;
        Ok(stream.map(|n| {
            n.ok().and_then(|n| match n.data {
                surrealdb::types::Value::Object(o) => match o.get("practice") {
                    Some(surrealdb::types::Value::String(s)) => {
                        Some(domain::PracticeId::new(s.clone()))
                    }
                    _ => None,
                },
                _ => None,
            })
        }))
    }
}
