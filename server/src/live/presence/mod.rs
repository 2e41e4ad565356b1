//! Presence: who else has a task or a patient page open, and whether they
//! have unsaved edits there. Ephemeral: held in memory, never written to
//! the database. Each page re-announces itself every 1.5 s over its
//! websocket; a page not heard from for 3.5 s (a lost connection) or whose
//! socket closes is gone.
//!
//! Several servers sharing one database relay their local presence to each
//! other over UDP: each announces its relay address in the database
//! (`server_node`) and sends, signed with the shared cluster key, what
//! changed as it changes and everything it has once a second. A server's
//! entries expire 3.5 s after its last message, so a server that dies takes
//! its people with it.

use domain::live::{Place, PresentPerson, PRESENCE_TTL_MS};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use store::Store;
use tokio::net::UdpSocket;
use tokio::sync::{broadcast, mpsc};

mod relay;

pub use relay::RelayConfig;
use relay::*;

/// How long another server's entries last without a message from it.
const REMOTE_TTL: Duration = Duration::from_millis(PRESENCE_TTL_MS);
/// How often expired entries are swept.
const SWEEP_EVERY: Duration = Duration::from_millis(250);
/// How often each server sends everything it has to the others.
const FULL_STATE_EVERY: Duration = Duration::from_secs(1);
/// How often a server re-announces itself and looks for others.
const ANNOUNCE_EVERY: Duration = Duration::from_secs(2);
/// Servers not heard of for this long are not sent to.
const NODE_SILENCE_SECS: i64 = 10;
/// A relay message older than this is ignored (replayed or stuck).
const MAX_AGE_MS: i64 = 10_000;
/// Keep each datagram well under common path limits.
const DATAGRAM_BUDGET: usize = 8 * 1024;
/// Changed pages queued for the relay; beyond this a change waits for the
/// next full-state send (at most `FULL_STATE_EVERY`).
const DIRTY_QUEUE: usize = 4096;

type Key = (String, Place);

/// A change in who is on a page of a practice.
#[derive(Debug)]
pub struct PresenceUpdate {
    pub practice: String,
    pub place: Place,
    pub people: Vec<PresentPerson>,
}

#[derive(Clone, Debug)]
struct LocalEntry {
    conn: u64,
    person: PresentPerson,
    last: Instant,
}

/// (people, when received, the sending server's message seq).
type Heard = (Vec<PresentPerson>, Instant, u64);

#[derive(Default)]
struct State {
    local: HashMap<Key, Vec<LocalEntry>>,
    /// key → node → what that server last said.
    remote: HashMap<Key, HashMap<String, Heard>>,
    /// What was last announced to this server's sockets.
    shown: HashMap<Key, Vec<PresentPerson>>,
    /// node → the highest datagram number accepted from it, and when.
    /// Kept for twice the freshness window after a node's last datagram
    /// (older ones are refused as stale anyway), so no replay is accepted.
    node_seq: HashMap<String, (u64, Instant)>,
}

impl State {
    fn people(&self, key: &Key) -> Vec<PresentPerson> {
        let mut by_staff: BTreeMap<&str, PresentPerson> = BTreeMap::new();
        let local = self.local.get(key).into_iter().flatten().map(|e| &e.person);
        let remote = self
            .remote
            .get(key)
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|(people, _, _)| people.iter());
        for p in local.chain(remote) {
            by_staff
                .entry(p.staff_id.as_str())
                .and_modify(|q| q.editing |= p.editing)
                .or_insert_with(|| p.clone());
        }
        let mut people: Vec<PresentPerson> = by_staff.into_values().collect();
        people.sort();
        people
    }

    fn local_people(&self, key: &Key) -> Vec<PresentPerson> {
        let mut by_staff: BTreeMap<&str, PresentPerson> = BTreeMap::new();
        for e in self.local.get(key).into_iter().flatten() {
            by_staff
                .entry(e.person.staff_id.as_str())
                .and_modify(|q| q.editing |= e.person.editing)
                .or_insert_with(|| e.person.clone());
        }
        by_staff.into_values().collect()
    }
}

/// One relay datagram (after the signature).
pub struct Presence {
    node: String,
    state: Mutex<State>,
    updates: broadcast::Sender<Arc<PresenceUpdate>>,
    /// Keys whose local people changed, for the relay to send now.
    dirty: mpsc::Sender<Key>,
    next_conn: AtomicU64,
    stopped: AtomicBool,
    /// Wakes the relay to say goodbye and let go of the database.
    halt: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Presence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presence")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Presence {
    /// Starts presence with its sweep, and its relay to other servers on
    /// the same database (if the relay cannot start, presence still works
    /// within this server and the reason is logged).
    pub fn start(store: Store, relay: RelayConfig) -> Arc<Presence> {
        let (dirty_tx, dirty_rx) = mpsc::channel(DIRTY_QUEUE);
        let presence = Arc::new(Presence {
            node: format!("{:016x}", rand::random::<u64>()),
            state: Mutex::new(State::default()),
            updates: broadcast::channel(1024).0,
            dirty: dirty_tx,
            next_conn: AtomicU64::new(1),
            stopped: AtomicBool::new(false),
            halt: Arc::new(tokio::sync::Notify::new()),
        });
        let weak = Arc::downgrade(&presence);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            loop {
                tick.tick().await;
                let Some(p) = weak.upgrade() else { return };
                p.sweep();
            }
        });
        let weak = Arc::downgrade(&presence);
        let halt = presence.halt.clone();
        tokio::spawn(async move {
            if let Err(e) = run_relay(weak, store, relay, dirty_rx, halt).await {
                tracing::warn!(error = %e, "presence relay unavailable: presence is per server");
            }
        });
        presence
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// A new connection's id.
    pub fn connection(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Updates about every page of every practice on this server; each
    /// socket keeps those for its own practice and pages.
    pub fn updates(&self) -> broadcast::Receiver<Arc<PresenceUpdate>> {
        self.updates.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Who is on a page now.
    pub fn people(&self, practice: &str, place: &Place) -> Vec<PresentPerson> {
        self.lock().people(&(practice.to_string(), place.clone()))
    }

    /// Connection `conn` has `place` open (a heartbeat, or a change of
    /// `editing`).
    pub fn here(&self, conn: u64, practice: &str, place: &Place, person: PresentPerson) {
        let key = (practice.to_string(), place.clone());
        let mut state = self.lock();
        let entries = state.local.entry(key.clone()).or_default();
        let now = Instant::now();
        let changed = match entries.iter_mut().find(|e| e.conn == conn) {
            Some(e) => {
                e.last = now;
                let changed = e.person != person;
                e.person = person;
                changed
            }
            None => {
                entries.push(LocalEntry {
                    conn,
                    person,
                    last: now,
                });
                true
            }
        };
        if changed {
            self.publish(&mut state, &[key], true);
        }
    }

    /// Connection `conn` left `place`.
    pub fn away(&self, conn: u64, practice: &str, place: &Place) {
        let key = (practice.to_string(), place.clone());
        let mut state = self.lock();
        let Some(entries) = state.local.get_mut(&key) else {
            return;
        };
        let before = entries.len();
        entries.retain(|e| e.conn != conn);
        if entries.len() != before {
            self.publish(&mut state, &[key], true);
        }
    }

    /// Connection `conn` closed: it has left every page.
    pub fn gone(&self, conn: u64) {
        let mut state = self.lock();
        let mut keys = Vec::new();
        for (key, entries) in state.local.iter_mut() {
            let before = entries.len();
            entries.retain(|e| e.conn != conn);
            if entries.len() != before {
                keys.push(key.clone());
            }
        }
        if !keys.is_empty() {
            self.publish(&mut state, &keys, true);
        }
    }

    /// Drops pages not heard from in time, and servers gone silent.
    fn sweep(&self) {
        let now = Instant::now();
        let local_ttl = Duration::from_millis(PRESENCE_TTL_MS);
        let mut state = self.lock();
        let mut local_keys = Vec::new();
        for (key, entries) in state.local.iter_mut() {
            let before = entries.len();
            entries.retain(|e| now.duration_since(e.last) < local_ttl);
            if entries.len() != before {
                local_keys.push(key.clone());
            }
        }
        let mut remote_keys = Vec::new();
        for (key, nodes) in state.remote.iter_mut() {
            let before = nodes.len();
            nodes.retain(|_, (_, at, _)| now.duration_since(*at) < REMOTE_TTL);
            if nodes.len() != before {
                remote_keys.push(key.clone());
            }
        }
        state.local.retain(|_, e| !e.is_empty());
        state.remote.retain(|_, n| !n.is_empty());
        let remember = Duration::from_millis(2 * MAX_AGE_MS.unsigned_abs());
        state
            .node_seq
            .retain(|_, (_, at)| now.duration_since(*at) < remember);
        if !local_keys.is_empty() {
            self.publish(&mut state, &local_keys, true);
        }
        if !remote_keys.is_empty() {
            self.publish(&mut state, &remote_keys, false);
        }
    }

    /// Announces the pages whose people changed to this server's sockets,
    /// and (when `local` people changed) to the other servers.
    fn publish(&self, state: &mut State, keys: &[Key], local: bool) {
        for key in keys {
            let people = state.people(key);
            let shown = state.shown.get(key).cloned().unwrap_or_default();
            if people != shown {
                if people.is_empty() {
                    state.shown.remove(key);
                } else {
                    state.shown.insert(key.clone(), people.clone());
                }
                let _ = self.updates.send(Arc::new(PresenceUpdate {
                    practice: key.0.clone(),
                    place: key.1.clone(),
                    people,
                }));
            }
            if local && !self.stopped.load(Ordering::Relaxed) {
                let _ = self.dirty.try_send(key.clone());
            }
        }
    }

    /// What another server says it has.
    fn receive(&self, message: RelayMessage) {
        if message.node == self.node {
            return;
        }
        let now = Instant::now();
        let mut state = self.lock();
        // Strictly increasing per server: a replayed (or overtaken) datagram
        // is dropped; the next full-state send repairs a lost one.
        match state.node_seq.get(&message.node) {
            Some((last, _)) if message.seq <= *last => return,
            _ => {
                state
                    .node_seq
                    .insert(message.node.clone(), (message.seq, now));
            }
        }
        let mut keys = Vec::new();
        for entry in message.entries {
            let key = (entry.practice, entry.place);
            let nodes = state.remote.entry(key.clone()).or_default();
            if entry.people.is_empty() {
                nodes.remove(&message.node);
            } else {
                nodes.insert(message.node.clone(), (entry.people, now, message.seq));
            }
            keys.push(key);
        }
        state.remote.retain(|_, n| !n.is_empty());
        self.publish(&mut state, &keys, false);
    }

    /// Everything this server has, per page.
    fn local_snapshot(&self) -> Vec<RelayEntry> {
        let keys: Vec<Key> = self.lock().local.keys().cloned().collect();
        self.entries(keys)
    }

    /// This server's people on each of `keys` (none: an empty list).
    fn entries(&self, keys: impl IntoIterator<Item = Key>) -> Vec<RelayEntry> {
        let state = self.lock();
        keys.into_iter()
            .map(|key| RelayEntry {
                people: state.local_people(&key),
                practice: key.0,
                place: key.1,
            })
            .collect()
    }

    /// Stops relaying (shutdown). With `goodbye`, other servers are told
    /// first that this server's people have left; without, they drop them
    /// when this server falls silent, as if it had crashed.
    pub fn stop(&self, goodbye: bool) {
        if goodbye {
            let keys: Vec<Key> = self.lock().local.keys().cloned().collect();
            let mut state = self.lock();
            state.local.clear();
            self.publish(&mut state, &keys, true);
        }
        self.stopped.store(true, Ordering::Relaxed);
        // A stored permit if the relay is busy: it stops at its next turn.
        self.halt.notify_one();
    }
}

#[cfg(test)]
mod tests;
