//! A lane: callers queue what they want written, and whichever of them
//! holds the writer's turn writes everything queued at once (one
//! transaction for many, instead of one each colliding on a shared
//! record). Each caller is answered on its own channel, only once its own
//! item is written; the writing happens in a task of its own, so a caller
//! whose request is dropped mid-write costs no one else their answer.
//! Used by the audit chain (`audit/lane.rs`) and by arriving reports
//! (`results/lane.rs`).

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use tokio::sync::oneshot;

pub(crate) struct Lane<T> {
    waiting: Mutex<Vec<T>>,
    writing: tokio::sync::Mutex<()>,
}

impl<T> Default for Lane<T> {
    fn default() -> Self {
        Self {
            waiting: Mutex::new(Vec::new()),
            writing: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T> std::fmt::Debug for Lane<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let waiting = self.waiting.lock().map_or(0, |w| w.len());
        f.debug_struct("Lane").field("waiting", &waiting).finish()
    }
}

impl<T: Send + 'static> Lane<T> {
    /// Queues `item` (which carries the sender of `outcome`) and returns
    /// its outcome. If no one has written it by the time this caller holds
    /// the writer's turn, this caller hands everything queued to `write`,
    /// run in a task of its own, which must answer every item. `None`:
    /// the item was dropped unanswered.
    pub(crate) async fn join<R, F, Fut>(
        &self,
        item: T,
        mut outcome: oneshot::Receiver<R>,
        write: F,
    ) -> Option<R>
    where
        F: FnOnce(Vec<T>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(item);
        let writing = self.writing.lock().await;
        // Written by the caller that held the turn before.
        if let Ok(written) = outcome.try_recv() {
            return Some(written);
        }
        let batch =
            std::mem::take(&mut *self.waiting.lock().unwrap_or_else(PoisonError::into_inner));
        if !batch.is_empty() {
            // (Empty: this item is in a batch such a task is still writing.)
            let _ = tokio::spawn(write(batch)).await;
        }
        drop(writing);
        outcome.await.ok()
    }
}
