//! The change hub. One per server process. It holds a LIVE SELECT on the
//! outbox (`event`) as its wake-up, so a change written through any server
//! sharing the database reaches this one's sockets; on each wake-up (and on
//! a short timer, in case a notification is ever lost) it reads the outbox
//! from the last `seq` it published, fetches the changed rows once, and
//! broadcasts them to the practice's connections. Each connection filters
//! by its own topics and permissions (see `socket`).

use super::presence::{Presence, RelayConfig};
use axum::extract::ws::Utf8Bytes;
use domain::live::{AppointmentView, CallView, ServerMessage, Topic};
use domain::task::TaskView;
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::outbox::KIND_APPOINTMENT_CALLED;
use store::tasks::KIND_TASK;
use store::Store;
use tokio::sync::broadcast;

/// How many batches a connection may fall behind before it is dropped (it
/// reconnects and catches up from its last `seq`; others are not slowed).
pub const QUEUE_DEPTH: usize = 256;
/// How often the hub checks the outbox even without a wake-up.
const SAFETY_POLL: Duration = Duration::from_secs(2);
/// Events read per outbox query.
const PAGE: usize = 500;

/// The rows changed by consecutive events, up to `seq`.
#[derive(Debug)]
pub struct Batch {
    pub seq: u64,
    pub appointments: Vec<AppointmentView>,
    pub calls: Vec<CallView>,
    pub tasks: Vec<TaskView>,
    /// (task id, team, staff) each task event concerned, so a task that
    /// left a list still reaches it (and the client drops it).
    pub task_routes: Vec<(String, Option<String>, Option<String>)>,
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
                let appointments: Vec<AppointmentView> = self
                    .appointments
                    .iter()
                    .filter(|a| topic.includes(a))
                    .cloned()
                    .collect();
                let calls = if *topic == Topic::CallScreen {
                    self.calls.clone()
                } else {
                    Vec::new()
                };
                let tasks: Vec<TaskView> = self
                    .tasks
                    .iter()
                    .filter(|t| {
                        topic.includes_task(t)
                            || self.task_routes.iter().any(|(id, team, staff)| {
                                id == &t.id && topic.routes_task(team.as_deref(), staff.as_deref())
                            })
                    })
                    .cloned()
                    .collect();
                if appointments.is_empty() && calls.is_empty() && tasks.is_empty() {
                    return None;
                }
                serde_json::to_string(&ServerMessage::Changes {
                    topic: topic.clone(),
                    seq: self.seq,
                    appointments,
                    calls,
                    tasks,
                })
                .ok()
                .map(Utf8Bytes::from)
            })
            .clone()
    }
}

struct Feed {
    tx: broadcast::Sender<Arc<Batch>>,
    /// Each task's (version, comments) as last published, so a state that
    /// an earlier batch already carried (read after a later change had
    /// committed) is not sent twice.
    sent: Mutex<HashMap<String, (i64, i64)>>,
    /// The last `seq` published; the lock also serialises publishing.
    published: tokio::sync::Mutex<u64>,
}

pub struct Hub {
    store: Store,
    presence: Arc<Presence>,
    feeds: Mutex<HashMap<String, Arc<Feed>>>,
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

    fn feed(&self, practice_id: &str) -> Option<Arc<Feed>> {
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
        practice_id: &str,
    ) -> Result<broadcast::Receiver<Arc<Batch>>, store::StoreError> {
        if let Some(feed) = self.feed(practice_id) {
            return Ok(feed.tx.subscribe());
        }
        let seq = self.store.event_seq(practice_id).await?;
        let mut feeds = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
        let feed = feeds.entry(practice_id.to_string()).or_insert_with(|| {
            Arc::new(Feed {
                tx: broadcast::channel(QUEUE_DEPTH).0,
                sent: Mutex::new(HashMap::new()),
                published: tokio::sync::Mutex::new(seq),
            })
        });
        Ok(feed.tx.subscribe())
    }

    async fn pump_all(&self) {
        let practices: Vec<String> = {
            let mut feeds = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
            feeds.retain(|_, f| f.tx.receiver_count() > 0);
            feeds.keys().cloned().collect()
        };
        for p in practices {
            self.pump(&p).await;
        }
    }

    /// Publishes every event of the practice after the last one published.
    async fn pump(&self, practice_id: &str) {
        let Some(feed) = self.feed(practice_id) else {
            return;
        };
        let mut published = feed.published.lock().await;
        loop {
            let events = match self.store.events_since(practice_id, *published, PAGE).await {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the outbox");
                    return;
                }
            };
            let Some(last) = events.last().map(|e| e.seq.max(0) as u64) else {
                return;
            };
            let mut ids: Vec<String> = events
                .iter()
                .filter(|e| e.kind != KIND_TASK)
                .map(|e| e.record.clone())
                .collect();
            ids.sort();
            ids.dedup();
            let mut task_ids: Vec<String> = events
                .iter()
                .filter(|e| e.kind == KIND_TASK)
                .map(|e| e.record.clone())
                .collect();
            task_ids.sort();
            task_ids.dedup();
            let task_routes: Vec<(String, Option<String>, Option<String>)> = events
                .iter()
                .filter(|e| e.kind == KIND_TASK)
                .map(|e| (e.record.clone(), e.team.clone(), e.staff.clone()))
                .collect();
            let called: Vec<String> = events
                .iter()
                .filter(|e| e.kind == KIND_APPOINTMENT_CALLED)
                .map(|e| e.record.clone())
                .collect();
            let appointments = self.store.appointments_by_id(practice_id, &ids).await;
            let calls = self
                .store
                .calls_for_appointments(practice_id, &called)
                .await;
            let tasks = self.store.tasks_by_id(practice_id, &task_ids).await;
            let (Ok(appointments), Ok(calls), Ok(tasks)) = (appointments, calls, tasks) else {
                tracing::warn!("cannot read changed appointments; will retry");
                return;
            };
            let tasks = fresh_tasks(&feed, tasks, &task_routes);
            // No receivers is not an error: nobody is watching this practice.
            let _ = feed.tx.send(Arc::new(Batch {
                seq: last,
                appointments,
                calls,
                tasks,
                task_routes,
                encoded: Mutex::new(HashMap::new()),
            }));
            *published = last;
            if events.len() < PAGE {
                return;
            }
        }
    }
}

/// The tasks not already published in this state. One is sent again only
/// when a change in this batch concerned a list the task is no longer in
/// (that list must hear that it left).
fn fresh_tasks(
    feed: &Feed,
    tasks: Vec<TaskView>,
    routes: &[(String, Option<String>, Option<String>)],
) -> Vec<TaskView> {
    let mut sent = feed.sent.lock().unwrap_or_else(|p| p.into_inner());
    if sent.len() > 100_000 {
        // Forgetting only costs a harmless repeat.
        sent.clear();
    }
    tasks
        .into_iter()
        .filter(|t| {
            let state = (t.version, t.comment_count);
            let left_a_list = routes.iter().any(|(id, team, staff)| {
                id == &t.id
                    && (team.as_deref() != t.assigned_team_id.as_deref()
                        || staff.as_deref() != t.assigned_staff_id.as_deref())
            });
            let repeat = sent.insert(t.id.clone(), state) == Some(state);
            !repeat || left_a_list
        })
        .collect()
}
