//! The change hub. One per server process. It holds a LIVE SELECT on the
//! outbox (`event`) as its wake-up, so a change written through any server
//! sharing the database reaches this one's sockets; on each wake-up (and on
//! a short timer, in case a notification is ever lost) it reads the outbox
//! from the last `seq` it published, fetches the changed rows once, and
//! broadcasts them to the practice's connections. Each connection filters
//! by its own topics and permissions (see `socket`).

use super::presence::{Presence, RelayConfig};
use axum::extract::ws::Utf8Bytes;
use domain::live::{ServerMessage, Topic};
use domain::PracticeId;
use futures::StreamExt;
use services::live::{Changed, Published};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::Store;
use tokio::sync::broadcast;

/// How many batches a connection may fall behind before it is dropped (it
/// reconnects and catches up from its last `seq`; others are not slowed).
pub const QUEUE_DEPTH: usize = 256;
/// How often the hub checks the outbox even without a wake-up.
const SAFETY_POLL: Duration = Duration::from_secs(2);
/// Events read per outbox query.
const PAGE: usize = 500;

/// The rows changed by consecutive events, up to `seq`, read once for
/// every connection of the practice.
#[derive(Debug)]
pub struct Batch {
    pub seq: u64,
    changed: Changed,
    /// Serialised `Changes` per topic, shared by every connection watching it.
    encoded: Mutex<HashMap<Topic, Option<Utf8Bytes>>>,
}

impl Batch {
    /// The `Changes` message for `topic`, or `None` if nothing in this batch
    /// belongs to it. Serialised once per topic, however many watch it.
    pub fn message_for(&self, topic: &Topic) -> Option<Utf8Bytes> {
        let mut cache = self.encoded.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .entry(topic.clone())
            .or_insert_with(|| {
                let rows = self.changed.rows_for(topic)?;
                serde_json::to_string(&ServerMessage::Changes {
                    topic: topic.clone(),
                    seq: self.seq,
                    rows,
                })
                .ok()
                .map(Utf8Bytes::from)
            })
            .clone()
    }

    /// Whether this batch ends what `viewer` may see (a revoked link,
    /// their sessions ended).
    pub fn ends(&self, viewer: &services::live::Viewer) -> bool {
        self.changed.ends(viewer)
    }

    /// Whether `viewer` is to be told the practice's settings changed.
    pub fn tells_settings(&self, viewer: &services::live::Viewer) -> bool {
        self.changed.tells_settings(viewer)
    }
}

/// What the hub keeps between batches, per practice.
struct Pumped {
    /// The last `seq` published.
    seq: u64,
    /// What was already sent, so a state is not sent twice.
    published: Published,
}

struct Feed {
    tx: broadcast::Sender<Arc<Batch>>,
    /// The lock also serialises publishing.
    pumped: tokio::sync::Mutex<Pumped>,
}

pub struct Hub {
    store: Store,
    presence: Arc<Presence>,
    feeds: Mutex<HashMap<PracticeId, Arc<Feed>>>,
    /// Sockets held per session and per call-screen link.
    slots: Arc<super::slots::Slots>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").finish_non_exhaustive()
    }
}

impl Hub {
    /// Starts the hub's wake-up and safety-poll tasks on the current
    /// runtime, with presence relayed on a loopback port (servers on one
    /// machine find each other).
    pub fn start(store: Store) -> Arc<Hub> {
        Hub::start_with(store, RelayConfig::default())
    }

    /// As `start`, with presence relayed as `relay` says.
    pub fn start_with(store: Store, relay: RelayConfig) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            presence: Presence::start(store.clone(), relay),
            store,
            feeds: Mutex::new(HashMap::new()),
            slots: Arc::default(),
        });
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            loop {
                let Some(hub) = weak.upgrade() else { return };
                let stream = hub.store.watch_events().await;
                drop(hub);
                match stream {
                    Ok(mut stream) => {
                        while let Some(practice) = stream.next().await {
                            let Some(hub) = weak.upgrade() else { return };
                            match practice {
                                Some(p) => hub.pump(&p).await,
                                None => hub.pump_all().await,
                            }
                        }
                        tracing::warn!("the outbox live query ended; re-opening it");
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot open the outbox live query; retrying")
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SAFETY_POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(hub) = weak.upgrade() else { return };
                hub.pump_all().await;
            }
        });
        hub
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn presence(&self) -> &Arc<Presence> {
        &self.presence
    }

    pub fn slots(&self) -> &Arc<super::slots::Slots> {
        &self.slots
    }

    fn feed(&self, practice_id: &PracticeId) -> Option<Arc<Feed>> {
        self.feeds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(practice_id)
            .cloned()
    }

    /// Joins a practice's feed. Subscribe before reading a snapshot, so no
    /// change committed after the snapshot can be missed.
    pub async fn join(
        &self,
        practice_id: &PracticeId,
    ) -> Result<broadcast::Receiver<Arc<Batch>>, store::StoreError> {
        if let Some(feed) = self.feed(practice_id) {
            return Ok(feed.tx.subscribe());
        }
        let seq = self.store.practice(practice_id).event_seq().await?;
        let mut feeds = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
        let feed = feeds.entry(practice_id.clone()).or_insert_with(|| {
            Arc::new(Feed {
                tx: broadcast::channel(QUEUE_DEPTH).0,
                pumped: tokio::sync::Mutex::new(Pumped {
                    seq,
                    published: Published::default(),
                }),
            })
        });
        Ok(feed.tx.subscribe())
    }

    async fn pump_all(&self) {
        let practices: Vec<PracticeId> = {
            let mut feeds = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
            feeds.retain(|_, f| f.tx.receiver_count() > 0);
            feeds.keys().cloned().collect()
        };
        for p in practices {
            self.pump(&p).await;
        }
    }

    /// Publishes every event of the practice after the last one published.
    async fn pump(&self, practice_id: &PracticeId) {
        let Some(feed) = self.feed(practice_id) else {
            return;
        };
        let db = self.store.practice(practice_id);
        let mut pumped = feed.pumped.lock().await;
        loop {
            let events = match db.events_since(pumped.seq, PAGE).await {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the outbox");
                    return;
                }
            };
            if events.is_empty() {
                return;
            }
            let changed = match Changed::load(&db, &events, &mut pumped.published).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read changed rows; will retry");
                    return;
                }
            };
            let seq = changed.seq;
            // No receivers is not an error: nobody is watching this practice.
            let _ = feed.tx.send(Arc::new(Batch {
                seq,
                changed,
                encoded: Mutex::new(HashMap::new()),
            }));
            pumped.seq = seq;
            if events.len() < PAGE {
                return;
            }
        }
    }
}
