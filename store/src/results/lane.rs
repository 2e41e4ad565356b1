//! Reports of one practice arriving at the same moment are stored in one
//! transaction. Every arrival draws the practice's event counter (the
//! outbox's gap-free `seq`), so arrivals stored one transaction each
//! collide, retry and commit one disk sync at a time. Instead, callers
//! queue their report and whoever holds the practice's lane writes all
//! that are queued: one commit for many. Each caller hears its own
//! report's outcome, only once it is committed. If the batch is refused
//! (a duplicate, a correction that is not one, the same report twice at
//! once), each of its reports is stored alone, so one report never costs
//! another its place or its answer.

use super::arrive::{Item, SCRIPT};
use super::{Ingested, ResultError};
use crate::lane::Lane;
use crate::tx::{run_with_retry, Retry};
use crate::{new_key, PracticeStore, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use surrealdb::types::{RecordId, SurrealValue};
use tokio::sync::oneshot;

/// The most reports one transaction stores.
const BATCH_MAX: usize = 32;

/// Each practice's lane, made when its first report arrives.
#[derive(Debug, Default)]
pub(crate) struct ArrivalLanes {
    lanes: Mutex<HashMap<String, Arc<Lane<Pending>>>>,
}

impl ArrivalLanes {
    fn lane(&self, practice: String) -> Arc<Lane<Pending>> {
        self.lanes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(practice)
            .or_default()
            .clone()
    }
}

/// One caller's report and where to tell it the outcome.
pub(crate) struct Pending {
    item: Item,
    done: oneshot::Sender<Result<Ingested, ResultError>>,
}

/// A stored report and the one it corrected.
#[derive(SurrealValue)]
struct Stored {
    id: String,
    replaces: Option<String>,
}

impl PracticeStore {
    /// Stores `item` with whatever else of the practice is arriving.
    pub(super) async fn arrive(&self, item: Item) -> Result<Ingested, ResultError> {
        let lane = self.store().arrivals.lane(self.pid());
        let (done, outcome) = oneshot::channel();
        let db = self.clone();
        let stored = lane
            .join(Pending { item, done }, outcome, |batch| async move {
                db.store_arrivals(batch).await
            })
            .await;
        stored.unwrap_or_else(|| {
            Err(ResultError::Store(StoreError::Internal(
                "the report could not be stored".into(),
            )))
        })
    }

    /// Stores `batch` in transactions of at most `BATCH_MAX` reports,
    /// telling each caller its report's outcome.
    async fn store_arrivals(&self, mut batch: Vec<Pending>) {
        while !batch.is_empty() {
            let rest = batch.split_off(batch.len().min(BATCH_MAX));
            let items: Vec<Item> = batch.iter().map(|p| p.item.clone()).collect();
            if items.len() > 1 && self.run_arrival(&items).await.is_ok() {
                let stored = self.stored(&items).await;
                for p in batch {
                    let _ = p.done.send(match &stored {
                        Ok(found) => Ok(Ingested::Created {
                            replaced: found.get(&p.item.rid).cloned().flatten(),
                            id: p.item.rid,
                        }),
                        Err(e) => Err(ResultError::Store(StoreError::Internal(format!(
                            "stored, but not read back: {e}"
                        )))),
                    });
                }
            } else {
                for p in batch {
                    let _ = p.done.send(self.arrive_alone(p.item).await);
                }
            }
            batch = rest;
        }
    }

    async fn run_arrival(&self, items: &[Item]) -> Result<(), Retry> {
        run_with_retry(|| {
            self.db()
                .query(SCRIPT.as_str())
                .bind(("practice", self.record()))
                .bind(("items", items.to_vec()))
        })
        .await
    }

    /// Each stored report's id → the report it corrected.
    async fn stored(&self, items: &[Item]) -> Result<HashMap<String, Option<String>>, StoreError> {
        let ids: Vec<RecordId> = items
            .iter()
            .map(|i| RecordId::new("result_report", i.rid.as_str()))
            .collect();
        let rows: Vec<Stored> = self
            .db()
            .query("SELECT record::id(id) AS id, IF replaces THEN record::id(replaces) END AS replaces FROM $ids")
            .bind(("ids", ids))
            .await?
            .check()?
            .take(0)?;
        Ok(rows.into_iter().map(|s| (s.id, s.replaces)).collect())
    }

    /// Stores one report by itself, saying why not if it cannot be. The
    /// same report sent twice at once: the loser of the unique index runs
    /// again and finds the winner's report.
    async fn arrive_alone(&self, mut item: Item) -> Result<Ingested, ResultError> {
        for _ in 0..2 {
            let items = [item.clone()];
            match self.run_arrival(&items).await {
                Ok(()) => {
                    let replaced = self.stored(&items).await?.remove(&item.rid).flatten();
                    return Ok(Ingested::Created {
                        id: item.rid,
                        replaced,
                    });
                }
                Err(Retry::Thrown(t)) if t == "op:duplicate" => {
                    let (identifier, fingerprint) = item.same();
                    let ids: Vec<String> = self
                        .db()
                        .query("SELECT VALUE record::id(id) FROM result_report WHERE practice = $practice AND identifier = $identifier AND fingerprint = $fingerprint")
                        .bind(("practice", self.record()))
                        .bind(("identifier", identifier.to_string()))
                        .bind(("fingerprint", fingerprint.to_string()))
                        .await
                        .map_err(StoreError::from)?
                        .check()
                        .map_err(StoreError::from)?
                        .take(0)
                        .map_err(StoreError::from)?;
                    let id = ids.into_iter().next().ok_or(ResultError::NotFound)?;
                    return Ok(Ingested::Duplicate { id });
                }
                Err(Retry::Thrown(t)) if t == "op:not_correction" => {
                    return Err(ResultError::NotACorrection)
                }
                Err(Retry::Thrown(t)) if t == "op:no_patient" => {
                    return Err(ResultError::NoSuchPatient)
                }
                Err(Retry::AlreadyExists) => item.rid = new_key(),
                Err(e) => return Err(ResultError::Store(e.into())),
            }
        }
        Err(ResultError::Store(StoreError::Internal(
            "the report kept colliding with another of the same identifier".into(),
        )))
    }
}
