//! Live lists in the browser. Every live list of a tab shares one socket
//! to `/ws` (`client`), which subscribes to each list's topic, takes the
//! snapshot, merges changes by version (`domain::live::Rows::merge`), and
//! after any disconnect reconnects (forever, with backoff and jitter)
//! asking only for what each list missed since its last `seq`. While
//! disconnected a list says so ("Offline since 10:42 — reconnecting") so it
//! is never mistaken for live.
//!
//! On the server this renders the "Connecting…" state; the socket exists
//! only in the hydrated browser.

#[cfg(feature = "hydrate")]
mod client;
mod clock;

pub use clock::*;

use domain::live::{AppointmentView, CallView, Place, Rows, RowsKind, Topic};
use domain::results::InboxKey;
use domain::task::TaskView;
use leptos::prelude::*;

thread_local! {
    /// Counts the practice settings changes this tab's socket was told of.
    static SETTINGS_CHANGES: ArcRwSignal<u64> = ArcRwSignal::new(0);
}

/// Bumped whenever the practice's settings change (the socket says so):
/// pages that use a setting read it again.
pub fn settings_changes() -> ArcRwSignal<u64> {
    SETTINGS_CHANGES.with(Clone::clone)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    /// Disconnected since this London time (HH:MM); reconnecting.
    Offline {
        since: String,
    },
    /// The session ended: sign in again.
    SignedOut,
}

/// A live list: what the page renders from.
#[derive(Clone, Copy)]
pub struct LiveList {
    pub connection: RwSignal<Connection>,
    pub loaded: RwSignal<bool>,
    /// The topic's rows, merged by version.
    pub rows: RwSignal<Rows>,
    pub appointments: Memo<Vec<AppointmentView>>,
    pub calls: Memo<Vec<CallView>>,
    pub tasks: Memo<Vec<TaskView>>,
    /// Bumped on every change delivered (pages that refetch details watch it).
    pub changes: RwSignal<u64>,
    pub refused: RwSignal<Option<String>>,
    /// Everyone else on this page (when the page announces presence).
    pub present: RwSignal<Vec<domain::live::PresentPerson>>,
    /// A result list's next window, asked for from this place and not yet
    /// answered (`show_more`).
    pub asked: RwSignal<Option<InboxKey>>,
}

impl LiveList {
    fn new(kind: RowsKind) -> Self {
        let rows = RwSignal::new(Rows::empty(kind));
        Self {
            connection: RwSignal::new(Connection::Connecting),
            loaded: RwSignal::new(false),
            rows,
            appointments: Memo::new(move |_| rows.with(|r| r.appointments().to_vec())),
            calls: Memo::new(move |_| rows.with(|r| r.calls().to_vec())),
            tasks: Memo::new(move |_| rows.with(|r| r.tasks().to_vec())),
            changes: RwSignal::new(0),
            refused: RwSignal::new(None),
            present: RwSignal::new(Vec::new()),
            asked: RwSignal::new(None),
        }
    }

    /// A snapshot: replaces what the list had.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn replace(&self, topic: &Topic, rows: Rows) {
        let mut fresh = Rows::empty(topic.rows_kind());
        fresh.merge(topic, rows);
        self.rows.set(fresh);
        self.changes.update(|c| *c += 1);
        self.refused.set(None);
        self.loaded.set(true);
        self.asked.set(None);
    }

    /// Changes delivered live: merged by version.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn changed(&self, topic: &Topic, rows: Rows) {
        self.merge(topic, rows);
        self.changes.update(|c| *c += 1);
        self.loaded.set(true);
    }

    /// A result list's next window, continuing from `after`: added if the
    /// list still ends there (`Rows::read_on`).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn read_on(&self, topic: &Topic, after: &InboxKey, rows: Rows) {
        if let Rows::Results(next) = rows {
            let mut added = false;
            self.rows
                .update(|held| added = held.read_on(topic, after, next));
            if added {
                self.changes.update(|c| *c += 1);
                self.refused.set(None);
            }
        }
        self.asked.set(None);
    }

    /// Asks for the next window of a result list (the reports after the
    /// last it holds); answered on the list's socket, so only while live.
    pub fn show_more(&self) {
        if self.connection.get_untracked() != Connection::Live {
            return;
        }
        let after = self
            .rows
            .with_untracked(|r| r.result_rows().and_then(|w| w.horizon.clone()));
        if after.is_some() {
            self.asked.set(after);
        }
    }

    /// Merges rows by version (a page merges the row a change returned, so
    /// it shows at once; the same row arriving live changes nothing).
    pub fn merge(&self, topic: &Topic, rows: Rows) {
        self.rows.update(|held| held.merge(topic, rows));
    }
}

/// Watches `topic` live. `display`: (practice, key) to connect as a
/// waiting-room display (call screen) with a display link instead of a
/// staff session.
pub fn use_live(topic: Topic, display: Option<(String, String)>) -> LiveList {
    let list = LiveList::new(topic.rows_kind());
    #[cfg(feature = "hydrate")]
    client::watch(list, Some(topic), display, None, None);
    #[cfg(not(feature = "hydrate"))]
    let _ = (topic, display);
    list
}

/// Watches `topic` from `since`, the outbox `seq` the page's data already
/// reflects: the first message is what changed after it (a snapshot only
/// if that is too far back), so nothing between the read and the
/// subscription is missed.
pub fn use_live_since(topic: Topic, since: u64) -> LiveList {
    let list = LiveList::new(topic.rows_kind());
    #[cfg(feature = "hydrate")]
    client::watch(list, Some(topic), None, None, Some(since));
    #[cfg(not(feature = "hydrate"))]
    let _ = (topic, since);
    list
}

/// Announces that this person has `place` open (and whether they have
/// unsaved edits there), and shows who else has: `LiveList::present`.
/// Also watches `topic`, if given, on the same socket.
pub fn use_live_here(topic: Option<Topic>, place: Place, editing: Signal<bool>) -> LiveList {
    let kind = topic
        .as_ref()
        .map(Topic::rows_kind)
        .unwrap_or(RowsKind::Tasks);
    let list = LiveList::new(kind);
    #[cfg(feature = "hydrate")]
    client::watch(list, topic, None, Some((place, editing)), None);
    #[cfg(not(feature = "hydrate"))]
    let _ = (topic, place, editing);
    list
}

/// "Also here: Dr A. Khan (editing), Eve Morgan" — live presence.
#[component]
pub fn AlsoHere(list: LiveList) -> impl IntoView {
    view! {
        <p role="status" aria-live="polite" class="mb-3 text-lg">
            {move || {
                let people = list.present.get();
                if people.is_empty() {
                    return String::new();
                }
                let names: Vec<String> = people
                    .iter()
                    .map(|p| if p.editing { format!("{} (editing)", p.name) } else { p.name.clone() })
                    .collect();
                format!("Also here: {}", names.join(", "))
            }}
        </p>
    }
}
