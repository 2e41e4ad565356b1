//! Audit entries are appended in batches. Every entry moves the one chain
//! head, so entries written one transaction each collide, retry and commit
//! one disk sync at a time. Instead, callers queue their entries and one of
//! them (whoever holds the lane's writer lock) writes everything queued in
//! one transaction: one commit for many entries. Each caller still waits
//! until its own entry is committed, and hears if it was not. Several
//! processes on one database (scale-out) each batch their own; the head
//! check makes a batch that lost the race to another process re-link
//! onto the new head and try again.

use super::{AuditEntry, Linked, GENESIS, HMAC_SHA256};
use crate::tx::{run_with_retry, Retry};
use crate::{Store, StoreError};
use chrono::{SubsecRound, Utc};
use surrealdb::types::{Datetime, RecordId, SurrealValue};
use tokio::sync::oneshot;

/// The most entries one transaction writes.
const BATCH_MAX: usize = 256;

/// How many times a batch re-links after another process moved the head.
const RELINKS: usize = 50;

/// The entries waiting to be written, and the writer's turn.
pub(crate) type AuditLane = crate::lane::Lane<Pending>;

/// One caller's entry and where to tell it the outcome.
pub(crate) struct Pending {
    practice: Option<String>,
    entry: AuditEntry,
    done: oneshot::Sender<Result<(), String>>,
}

/// An `audit_event` as written.
#[derive(Clone, SurrealValue)]
struct NewRow {
    seq: i64,
    at: Datetime,
    practice: Option<RecordId>,
    staff: Option<RecordId>,
    role: Option<String>,
    action: String,
    patient: Option<RecordId>,
    address: Option<String>,
    outcome: String,
    prev_hash: String,
    hash: String,
    alg: String,
}

impl Store {
    /// Appends an entry to the chain, for `practice` (none: a deployment
    /// event, such as a failed sign-in naming no known account), returning
    /// once it is committed.
    pub(crate) async fn append_audit(
        &self,
        practice: Option<&str>,
        e: &AuditEntry,
    ) -> Result<(), StoreError> {
        let (done, outcome) = oneshot::channel();
        let pending = Pending {
            practice: practice.map(String::from),
            entry: e.clone(),
            done,
        };
        let store = self.clone();
        let written = self
            .audit_lane()
            .join(pending, outcome, |batch| async move {
                store.write_batches(batch).await
            })
            .await;
        match written {
            Some(written) => written.map_err(StoreError::Internal),
            None => Err(StoreError::Internal(
                "the audit entry could not be written".into(),
            )),
        }
    }

    /// Writes `batch` in transactions of at most `BATCH_MAX` entries, in
    /// order, telling each caller its entry's outcome.
    async fn write_batches(&self, mut batch: Vec<Pending>) {
        while !batch.is_empty() {
            let rest = batch.split_off(batch.len().min(BATCH_MAX));
            let written = self.write_linked(&batch).await;
            for p in batch {
                // A caller that has gone no longer needs telling.
                let _ = p.done.send(written.clone());
            }
            batch = rest;
        }
    }

    /// Links `batch` onto the chain's head and writes it in one
    /// transaction; on a head moved meanwhile, links again.
    async fn write_linked(&self, batch: &[Pending]) -> Result<(), String> {
        let key = self.audit_key();
        for _ in 0..RELINKS {
            let (prev_seq, mut prev_hash) = self
                .audit_head()
                .await
                .map_err(|e| e.to_string())?
                .map(|h| (h.seq, h.hash))
                .unwrap_or((0, GENESIS.to_string()));
            let mut seq = prev_seq;
            let mut rows = Vec::with_capacity(batch.len());
            for p in batch {
                seq += 1;
                let e = &p.entry;
                let at = Utc::now().trunc_subsecs(6);
                let hash = Linked {
                    prev: &prev_hash,
                    seq,
                    at: &at,
                    practice: p.practice.as_deref(),
                    staff: e.staff_id.as_deref(),
                    role: e.role.as_deref(),
                    action: &e.action,
                    patient: e.patient_id.as_deref(),
                    address: e.address.as_deref(),
                    outcome: e.outcome.as_str(),
                }
                .hmac(&key);
                rows.push(NewRow {
                    seq,
                    at: Datetime::from(at),
                    practice: p.practice.as_deref().map(|p| RecordId::new("practice", p)),
                    staff: e.staff_id.as_deref().map(|s| RecordId::new("staff", s)),
                    role: e.role.clone(),
                    action: e.action.clone(),
                    patient: e.patient_id.as_deref().map(|p| RecordId::new("patient", p)),
                    address: e.address.clone(),
                    outcome: e.outcome.as_str().to_string(),
                    prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
                    hash,
                    alg: HMAC_SHA256.to_string(),
                });
            }
            let written = run_with_retry(|| {
                self.db()
                    .query(
                        "BEGIN TRANSACTION;
                         LET $head = (SELECT VALUE seq FROM ONLY audit_head:chain) ?? 0;
                         IF $head != $prev_seq { THROW 'op:stale' };
                         FOR $row IN $rows { CREATE audit_event CONTENT $row RETURN NONE; };
                         UPSERT audit_head:chain SET seq = $seq, hash = $hash RETURN NONE;
                         COMMIT TRANSACTION;",
                    )
                    .bind(("prev_seq", prev_seq))
                    .bind(("rows", rows.clone()))
                    .bind(("seq", seq))
                    .bind(("hash", prev_hash.clone()))
            })
            .await;
            match written {
                Ok(()) => return Ok(()),
                Err(Retry::Thrown(t)) if t == "op:stale" => continue,
                Err(e) => return Err(StoreError::from(e).to_string()),
            }
        }
        Err("the audit chain stayed busy".into())
    }
}
