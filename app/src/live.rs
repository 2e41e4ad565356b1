//! The browser's side of `/ws`: one socket per live list, which subscribes,
//! takes the snapshot, merges changes by version, and after any disconnect
//! reconnects (forever, with backoff and jitter) asking only for what it
//! missed since its last `seq`. While disconnected the list says so
//! ("Offline since 10:42 — reconnecting") so it is never mistaken for live.
//!
//! On the server this renders the "Connecting…" state; the socket exists
//! only in the hydrated browser.

use domain::live::{AppointmentView, CallView, Place, Topic};
use leptos::prelude::*;

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
    pub appointments: RwSignal<Vec<AppointmentView>>,
    pub calls: RwSignal<Vec<CallView>>,
    pub tasks: RwSignal<Vec<domain::task::TaskView>>,
    /// Bumped on every change delivered (pages that refetch details watch it).
    pub changes: RwSignal<u64>,
    pub refused: RwSignal<Option<String>>,
    /// Everyone else on this page (when the page announces presence).
    pub present: RwSignal<Vec<domain::live::PresentPerson>>,
}

impl LiveList {
    fn new() -> Self {
        Self {
            connection: RwSignal::new(Connection::Connecting),
            loaded: RwSignal::new(false),
            appointments: RwSignal::new(Vec::new()),
            calls: RwSignal::new(Vec::new()),
            tasks: RwSignal::new(Vec::new()),
            changes: RwSignal::new(0),
            refused: RwSignal::new(None),
            present: RwSignal::new(Vec::new()),
        }
    }

    /// Merges rows: a row replaces the one held only if its version is at
    /// least as new, so late or duplicate deliveries change nothing.
    pub fn merge(&self, topic: &Topic, rows: Vec<AppointmentView>) {
        self.appointments.update(|held| {
            merge_by_version(held, rows, |a| (&a.id, a.version));
            held.retain(|a| topic.includes(a));
            held.sort_by(|a, b| {
                (a.start.as_str(), a.clinician_name.as_str())
                    .cmp(&(b.start.as_str(), b.clinician_name.as_str()))
            });
        });
    }

    /// Merges tasks by version; keeps only those still in the topic.
    pub fn merge_tasks(&self, topic: &Topic, rows: Vec<domain::task::TaskView>) {
        self.tasks.update(|held| {
            merge_by_version(held, rows, |t| (&t.id, t.version));
            held.retain(|t| topic.includes_task(t));
            held.sort_by(domain::task::TaskView::list_order);
        });
    }

    pub fn merge_calls(&self, calls: Vec<CallView>) {
        self.calls.update(|held| {
            for c in calls {
                if !held.iter().any(|h| h.id == c.id) {
                    held.push(c);
                }
            }
            held.sort_by(|a, b| b.at.cmp(&a.at));
            held.truncate(8);
        });
    }
}

/// Puts each row into `held`, replacing the row with the same id only if
/// the new one's version is at least as new (a late or duplicate delivery
/// changes nothing).
fn merge_by_version<T>(held: &mut Vec<T>, rows: Vec<T>, key: impl Fn(&T) -> (&String, i64)) {
    for row in rows {
        let (id, version) = key(&row);
        match held.iter().position(|h| key(h).0 == id) {
            Some(i) if key(&held[i]).1 <= version => held[i] = row,
            Some(_) => {}
            None => held.push(row),
        }
    }
}

/// Watches `topic` live. `display`: (practice, key) to connect as a
/// waiting-room display (call screen) with a display link instead of a
/// staff session.
pub fn use_live(topic: Topic, display: Option<(String, String)>) -> LiveList {
    let list = LiveList::new();
    #[cfg(feature = "hydrate")]
    client::start(list, Some(topic), display, None);
    #[cfg(not(feature = "hydrate"))]
    let _ = (topic, display);
    list
}

/// Announces that this person has `place` open (and whether they have
/// unsaved edits there), and shows who else has: `LiveList::present`.
/// Also watches `topic`, if given, on the same socket.
pub fn use_live_here(topic: Option<Topic>, place: Place, editing: Signal<bool>) -> LiveList {
    let list = LiveList::new();
    #[cfg(feature = "hydrate")]
    client::start(list, topic, None, Some((place, editing)));
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

/// Milliseconds since the epoch, from the browser's clock (0 on the server).
pub fn now_millis() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// The time now (the browser's clock in the browser: `Utc::now` is not
/// available in WASM).
pub fn clock_now() -> chrono::DateTime<chrono::Utc> {
    #[cfg(feature = "hydrate")]
    {
        chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        chrono::Utc::now()
    }
}

/// The time now, refreshed every `every_ms` in the browser (for "overdue"
/// and waiting times that change as the clock moves).
pub fn use_now(every_ms: u32) -> RwSignal<chrono::DateTime<chrono::Utc>> {
    let now = RwSignal::new(clock_now());
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || now.set(clock_now()),
            std::time::Duration::from_millis(u64::from(every_ms)),
        )
        .ok();
        let handle = send_wrapper::SendWrapper::new(handle);
        on_cleanup(move || {
            if let Some(h) = handle.take() {
                h.clear();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = every_ms;
    now
}

/// "21 Nov 2026 14:05", London time, from RFC 3339.
pub fn london_text(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            domain::time::london_local(t.with_timezone(&chrono::Utc))
                .format("%-d %b %Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// "14:05" in London for a time in epoch milliseconds.
pub fn london_hhmm_at(millis: f64) -> String {
    chrono::DateTime::from_timestamp_millis(millis as i64)
        .map(domain::time::london_hhmm)
        .unwrap_or_default()
}

#[cfg(feature = "hydrate")]
mod client {
    use super::*;
    use domain::live::{ClientMessage, ServerMessage};
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;
    use wasm_bindgen::prelude::*;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    /// Close codes from the server (see server::live::socket).
    const CLOSE_SIGNED_OUT: u16 = 4401;
    /// Ping the server this often; no message for longer than DEAD_AFTER
    /// means the connection is dead even if the browser has not noticed.
    const PING_EVERY: Duration = Duration::from_secs(15);
    const DEAD_AFTER_MS: f64 = 40_000.0;

    struct Inner {
        list: LiveList,
        topic: Option<Topic>,
        presence: Option<(Place, Signal<bool>)>,
        url: String,
        socket: Option<WebSocket>,
        seq: Option<u64>,
        attempt: u32,
        last_heard: f64,
        stopped: bool,
        // Kept alive as long as the socket they belong to.
        handlers: Vec<Box<dyn std::any::Any>>,
    }

    fn socket_url(display: Option<&(String, String)>) -> Option<String> {
        let location = window().location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().ok()?;
        Some(match display {
            Some((practice, key)) => format!(
                "{scheme}://{host}/ws/display?practice={}&key={}",
                js_sys::encode_uri_component(practice),
                js_sys::encode_uri_component(key)
            ),
            None => format!("{scheme}://{host}/ws"),
        })
    }

    fn announce(i: &Inner) {
        if let (Some(ws), Some((place, editing))) = (&i.socket, &i.presence) {
            if ws.ready_state() == WebSocket::OPEN {
                send(
                    ws,
                    &ClientMessage::Here {
                        place: place.clone(),
                        editing: editing.get_untracked(),
                    },
                );
            }
        }
    }

    pub fn start(
        list: LiveList,
        topic: Option<Topic>,
        display: Option<(String, String)>,
        presence: Option<(Place, Signal<bool>)>,
    ) {
        let Some(url) = socket_url(display.as_ref()) else {
            return;
        };
        let inner = Rc::new(RefCell::new(Inner {
            list,
            topic,
            presence: presence.clone(),
            url,
            socket: None,
            seq: None,
            attempt: 0,
            last_heard: js_sys::Date::now(),
            stopped: false,
            handlers: Vec::new(),
        }));
        connect(&inner);
        let pinger = {
            let inner = inner.clone();
            set_interval_with_handle(
                move || {
                    let mut i = inner.borrow_mut();
                    if i.stopped {
                        return;
                    }
                    if let Some(ws) = &i.socket {
                        if ws.ready_state() == WebSocket::OPEN {
                            if js_sys::Date::now() - i.last_heard > DEAD_AFTER_MS {
                                // Silent too long: treat as dropped.
                                abandon(ws);
                                i.socket = None;
                                drop(i);
                                went_offline(&inner);
                                return;
                            }
                            send(ws, &ClientMessage::Ping);
                        }
                    }
                },
                PING_EVERY,
            )
            .ok()
        };
        // Presence: re-announce on a heartbeat, and at once when the
        // person starts or stops editing.
        let heartbeat = presence.as_ref().and_then(|(_, editing)| {
            let editing = *editing;
            let on_change = inner.clone();
            Effect::new(move |_| {
                editing.track();
                announce(&on_change.borrow());
            });
            let beat = inner.clone();
            set_interval_with_handle(
                move || announce(&beat.borrow()),
                Duration::from_millis(u64::from(domain::live::PRESENCE_HEARTBEAT_MS)),
            )
            .ok()
        });
        let cleanup = send_wrapper::SendWrapper::new((inner, pinger, heartbeat));
        on_cleanup(move || {
            let (inner, pinger, heartbeat) = cleanup.take();
            if let Some(p) = pinger {
                p.clear();
            }
            if let Some(h) = heartbeat {
                h.clear();
            }
            let mut i = inner.borrow_mut();
            i.stopped = true;
            if let Some(ws) = i.socket.take() {
                abandon(&ws);
            }
            i.handlers.clear();
        });
    }

    /// Closes a socket we no longer want, first detaching our handlers:
    /// its close event arrives later, after the handlers may be gone.
    fn abandon(ws: &WebSocket) {
        ws.set_onopen(None);
        ws.set_onmessage(None);
        ws.set_onclose(None);
        let _ = ws.close();
    }

    fn send(ws: &WebSocket, message: &ClientMessage) {
        if let Ok(text) = serde_json::to_string(message) {
            let _ = ws.send_with_str(&text);
        }
    }

    fn connect(inner: &Rc<RefCell<Inner>>) {
        let url = inner.borrow().url.clone();
        let Ok(ws) = WebSocket::new(&url) else {
            went_offline(inner);
            return;
        };
        let on_open = {
            let inner = inner.clone();
            Closure::<dyn FnMut()>::new(move || {
                let mut i = inner.borrow_mut();
                i.attempt = 0;
                i.last_heard = js_sys::Date::now();
                i.list.connection.set(Connection::Live);
                if let (Some(ws), Some(topic)) = (&i.socket, &i.topic) {
                    send(
                        ws,
                        &ClientMessage::Subscribe {
                            topic: topic.clone(),
                            since: i.seq,
                        },
                    );
                }
                announce(&i);
            })
        };
        let on_message = {
            let inner = inner.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let Some(text) = e.data().as_string() else {
                    return;
                };
                let Ok(message) = serde_json::from_str::<ServerMessage>(&text) else {
                    return;
                };
                let mut i = inner.borrow_mut();
                i.last_heard = js_sys::Date::now();
                let list = i.list;
                match message {
                    ServerMessage::Snapshot {
                        topic,
                        seq,
                        appointments,
                        calls,
                        tasks,
                    } if Some(&topic) == i.topic.as_ref() => {
                        i.seq = Some(seq);
                        list.appointments.set(Vec::new());
                        list.calls.set(Vec::new());
                        list.tasks.set(Vec::new());
                        list.merge(&topic, appointments);
                        list.merge_calls(calls);
                        list.merge_tasks(&topic, tasks);
                        list.changes.update(|c| *c += 1);
                        list.refused.set(None);
                        list.loaded.set(true);
                    }
                    ServerMessage::Changes {
                        topic,
                        seq,
                        appointments,
                        calls,
                        tasks,
                    } if Some(&topic) == i.topic.as_ref() => {
                        i.seq = Some(i.seq.unwrap_or(0).max(seq));
                        list.merge(&topic, appointments);
                        list.merge_calls(calls);
                        list.merge_tasks(&topic, tasks);
                        list.changes.update(|c| *c += 1);
                        list.loaded.set(true);
                    }
                    ServerMessage::Refused { topic, message }
                        if Some(&topic) == i.topic.as_ref() =>
                    {
                        list.refused.set(Some(message));
                    }
                    ServerMessage::Presence { place, people }
                        if i.presence.as_ref().is_some_and(|(p, _)| *p == place) =>
                    {
                        list.present.set(people);
                    }
                    _ => {}
                }
            })
        };
        let on_close = {
            let inner = inner.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
                let mut i = inner.borrow_mut();
                if i.stopped {
                    return;
                }
                i.socket = None;
                if e.code() == CLOSE_SIGNED_OUT {
                    i.stopped = true;
                    i.list.connection.set(Connection::SignedOut);
                    return;
                }
                drop(i);
                went_offline(&inner);
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let mut i = inner.borrow_mut();
        i.handlers = vec![Box::new(on_open), Box::new(on_message), Box::new(on_close)];
        i.socket = Some(ws);
    }

    /// Shows "Offline since" (keeping the first time) and schedules a
    /// reconnect: 0.5 s doubling to 30 s, each with ±50% jitter.
    fn went_offline(inner: &Rc<RefCell<Inner>>) {
        let delay = {
            let mut i = inner.borrow_mut();
            if i.stopped {
                return;
            }
            // Who else is here is unknown while offline: show nobody.
            i.list.present.set(Vec::new());
            if !matches!(
                i.list.connection.get_untracked(),
                Connection::Offline { .. }
            ) {
                i.list.connection.set(Connection::Offline {
                    since: london_hhmm_at(js_sys::Date::now()),
                });
            }
            let base = (500.0 * 2f64.powi(i.attempt.min(6) as i32)).min(30_000.0);
            i.attempt += 1;
            base * (0.5 + js_sys::Math::random())
        };
        let inner = inner.clone();
        set_timeout(
            move || {
                if !inner.borrow().stopped {
                    connect(&inner);
                }
            },
            Duration::from_millis(delay as u64),
        );
    }
}
