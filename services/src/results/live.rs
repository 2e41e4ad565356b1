//! Result topics: a clinician's inbox and the pool. A report that left a
//! list (filed, reassigned, unmatched, corrected) is still sent to it (the
//! outbox names the clinician it was with before as well as after), so
//! the list drops it.

use domain::live::{EventKind, Rows, Topic};
use domain::results::{InboxCounts, InboxRow, ResultRows};
use std::collections::HashMap;
use store::live::Event;
use store::{PracticeStore, StoreError};

/// Everything in a result topic now.
pub(crate) async fn snapshot(db: &PracticeStore, topic: &Topic) -> Result<Rows, StoreError> {
    Ok(Rows::Results(match topic {
        Topic::Inbox { staff } => super::inbox::window(db, Some(staff), None).await?,
        Topic::ResultsPool => super::inbox::window(db, None, None).await?,
        _ => ResultRows::default(),
    }))
}

/// A result topic's next window, the reports after `after`.
pub(crate) async fn read_on(
    db: &PracticeStore,
    topic: &Topic,
    after: &domain::results::InboxKey,
) -> Result<ResultRows, StoreError> {
    Ok(match owner(topic) {
        Some(o) => super::inbox::window(db, o, Some(after)).await?,
        None => ResultRows::default(),
    })
}

/// The inbox (`Some`) or pool (`None`) a topic shows.
fn owner(topic: &Topic) -> Option<Option<&str>> {
    match topic {
        Topic::Inbox { staff } => Some(Some(staff.as_str())),
        Topic::ResultsPool => Some(None),
        _ => None,
    }
}

/// How many reports the topic's list holds now.
async fn counts(db: &PracticeStore, topic: &Topic) -> Result<Option<InboxCounts>, StoreError> {
    Ok(match owner(topic) {
        Some(o) => Some(db.inbox_counts(o).await?),
        None => None,
    })
}

pub(crate) fn concerns(e: &Event) -> bool {
    e.kind == EventKind::Result
}

fn belongs(topic: &Topic, r: &InboxRow, events: &[Event]) -> bool {
    topic.includes_result(r)
        || events
            .iter()
            .any(|e| concerns(e) && e.record == r.id && topic.routes_result(e.staff.as_deref()))
}

/// The reports of `ids` that belong in the topic, or left it since.
pub(crate) async fn rows_for_ids(
    db: &PracticeStore,
    topic: &Topic,
    ids: &[String],
    events: &[Event],
) -> Result<Rows, StoreError> {
    let mut rows = db.results_by_id(ids).await?;
    rows.retain(|r| belongs(topic, r, events));
    Ok(Rows::Results(ResultRows {
        rows: super::inbox::overdue_flags(db, rows).await?,
        counts: counts(db, topic).await?,
        horizon: None,
    }))
}

/// A batch's changed reports, with the events that routed them, as the
/// inboxes and the Unmatched list show them (the reports' ids gathered
/// once, each list's rows fetched by id).
#[derive(Debug, Default)]
pub(crate) struct Changed {
    rows: Vec<InboxRow>,
    events: Vec<Event>,
    /// Each changed inbox's counts after the batch (`None`: the pool's).
    counts: HashMap<Option<String>, InboxCounts>,
    unmatched: Vec<domain::results::UnmatchedRow>,
}

impl Changed {
    pub(crate) async fn load(db: &PracticeStore, events: &[Event]) -> Result<Self, StoreError> {
        let events: Vec<Event> = events.iter().filter(|e| concerns(e)).cloned().collect();
        if events.is_empty() {
            return Ok(Self::default());
        }
        let mut ids: Vec<String> = events.iter().map(|e| e.record.clone()).collect();
        ids.sort();
        ids.dedup();
        let rows = super::inbox::overdue_flags(db, db.results_by_id(&ids).await?).await?;
        let mut counts = HashMap::new();
        for e in &events {
            if !counts.contains_key(&e.staff) {
                counts.insert(e.staff.clone(), db.inbox_counts(e.staff.as_deref()).await?);
            }
        }
        Ok(Self {
            rows,
            events,
            counts,
            unmatched: db.unmatched_by_id(&ids).await?,
        })
    }

    pub(crate) fn rows_for(&self, topic: &Topic) -> Rows {
        Rows::Results(ResultRows {
            rows: self
                .rows
                .iter()
                .filter(|r| belongs(topic, r, &self.events))
                .cloned()
                .collect(),
            counts: owner(topic)
                .and_then(|o| self.counts.get(&o.map(str::to_string)))
                .copied(),
            horizon: None,
        })
    }

    /// The batch's reports that are, or were, on the Unmatched list.
    pub(crate) fn unmatched_rows(&self) -> Rows {
        Rows::Unmatched(self.unmatched.clone())
    }
}

/// The Unmatched list: reports waiting for a person to match them. A
/// report that is matched or rejected is still sent (not `open`), so the
/// list drops it.
pub(crate) mod unmatched {
    use domain::live::Rows;
    use store::{PracticeStore, StoreError};

    pub(crate) async fn snapshot(db: &PracticeStore) -> Result<Rows, StoreError> {
        Ok(Rows::Unmatched(db.unmatched_results().await?))
    }

    pub(crate) async fn rows_for_ids(
        db: &PracticeStore,
        ids: &[String],
    ) -> Result<Rows, StoreError> {
        Ok(Rows::Unmatched(db.unmatched_by_id(ids).await?))
    }
}
