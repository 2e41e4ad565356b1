//! The tab's socket (browser only). One websocket per tab per endpoint
//! carries every live list and presence place of the tab's pages: a list
//! registers its topic when its page mounts and lets it go when the page
//! leaves. The socket subscribes each topic once, routes snapshots and
//! changes to every list watching it, and after a disconnect reconnects
//! with backoff and jitter, asking for each topic only what its lists
//! missed since their last `seq`.

use super::{london_hhmm_at, Connection, LiveList};
use domain::live::{
    ClientMessage, Place, ServerMessage, Topic, CLIENT_DEAD_AFTER, CLIENT_PING_EVERY,
    CLOSE_SIGNED_OUT, PRESENCE_HEARTBEAT_MS, RECONNECT_FIRST, RECONNECT_LONGEST,
};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use web_sys::WebSocket;

mod socket;

use socket::{connect, start_timers};

/// A list watching a topic.
struct Watcher {
    id: u64,
    topic: Topic,
    list: LiveList,
    /// The last `seq` this list applied.
    seq: Option<u64>,
}

/// A page announcing that its person is on `place`.
struct Here {
    id: u64,
    place: Place,
    editing: Signal<bool>,
    list: LiveList,
}

struct Tab {
    /// Its name in `TABS`.
    name: String,
    url: String,
    /// A call screen's practice and link secret, sent as the socket's
    /// first message (never in the address).
    display: Option<(String, String)>,
    socket: Option<WebSocket>,
    watchers: Vec<Watcher>,
    heres: Vec<Here>,
    next_id: u64,
    attempt: u32,
    last_heard: f64,
    /// What every list shows of the connection.
    state: Connection,
    /// Kept alive as long as the socket they belong to.
    handlers: Vec<Box<dyn std::any::Any>>,
    timers: Vec<IntervalHandle>,
}

type Shared = Rc<RefCell<Tab>>;

thread_local! {
    /// The tab's sockets, by address (staff `/ws`, or a display link's).
    static TABS: RefCell<HashMap<String, Shared>> = RefCell::new(HashMap::new());
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
        Some(_) => format!("{scheme}://{host}/ws/display"),
        None => format!("{scheme}://{host}/ws"),
    })
}

fn send(ws: &WebSocket, message: &ClientMessage) {
    if let Ok(text) = serde_json::to_string(message) {
        let _ = ws.send_with_str(&text);
    }
}

fn open_socket(t: &Tab) -> Option<&WebSocket> {
    t.socket
        .as_ref()
        .filter(|ws| ws.ready_state() == WebSocket::OPEN)
}

fn set_state(t: &mut Tab, state: Connection) {
    let live = state == Connection::Live;
    for w in &t.watchers {
        w.list.connection.set(state.clone());
        if !live {
            // A request for more sent on a socket that went is never
            // answered: the person may ask again once live.
            w.list.asked.set(None);
        }
    }
    for h in &t.heres {
        h.list.connection.set(state.clone());
    }
    t.state = state;
}

/// Subscribes `topic`, asking for what every list watching it missed.
fn subscribe(t: &Tab, topic: &Topic) {
    let Some(ws) = open_socket(t) else { return };
    let seqs: Vec<Option<u64>> = t
        .watchers
        .iter()
        .filter(|w| &w.topic == topic)
        .map(|w| w.seq)
        .collect();
    let since = if seqs.iter().any(Option::is_none) {
        None
    } else {
        seqs.into_iter().flatten().min()
    };
    send(
        ws,
        &ClientMessage::Subscribe {
            topic: topic.clone(),
            since,
        },
    );
}

fn announce(t: &Tab, place: &Place, editing: bool) {
    if let Some(ws) = open_socket(t) {
        send(
            ws,
            &ClientMessage::Here {
                place: place.clone(),
                editing,
            },
        );
    }
}

fn announce_all(t: &Tab) {
    for h in &t.heres {
        announce(t, &h.place, h.editing.get_untracked());
    }
}

/// Registers a list (its topic and/or its presence place) on the tab's
/// socket, opening the socket if it is the first; lets it go on cleanup.
/// `since`: the `seq` the list's data already reflects, if it has any.
pub fn watch(
    list: LiveList,
    topic: Option<Topic>,
    display: Option<(String, String)>,
    presence: Option<(Place, Signal<bool>)>,
    since: Option<u64>,
) {
    let Some(url) = socket_url(display.as_ref()) else {
        return;
    };
    let name = match &display {
        Some((practice, key)) => format!("{url} {practice} {key}"),
        None => url.clone(),
    };
    let tab = TABS.with(|tabs| tabs.borrow().get(&name).cloned());
    let tab = match tab {
        Some(tab) => tab,
        None => {
            let tab = Rc::new(RefCell::new(Tab {
                name: name.clone(),
                url: url.clone(),
                display: display.clone(),
                socket: None,
                watchers: Vec::new(),
                heres: Vec::new(),
                next_id: 0,
                attempt: 0,
                last_heard: js_sys::Date::now(),
                state: Connection::Connecting,
                handlers: Vec::new(),
                timers: Vec::new(),
            }));
            TABS.with(|tabs| tabs.borrow_mut().insert(name.clone(), tab.clone()));
            start_timers(&tab);
            connect(&tab);
            tab
        }
    };
    let id = {
        let mut t = tab.borrow_mut();
        t.next_id += 1;
        let id = t.next_id;
        list.connection.set(t.state.clone());
        if let Some(topic) = topic {
            t.watchers.push(Watcher {
                id,
                topic: topic.clone(),
                list,
                seq: since,
            });
            subscribe(&t, &topic);
            // Sends a result list's request for its next window.
            let asking = tab.clone();
            Effect::new(move |_| {
                if let Some(after) = list.asked.get() {
                    let t = asking.borrow();
                    if let Some(ws) = open_socket(&t) {
                        let topic = topic.clone();
                        send(ws, &ClientMessage::ReadOn { topic, after });
                    }
                }
            });
        }
        if let Some((place, editing)) = presence {
            announce(&t, &place, editing.get_untracked());
            t.heres.push(Here {
                id,
                place,
                editing,
                list,
            });
            // Re-announce at once when the person starts or stops editing.
            let on_change = tab.clone();
            Effect::new(move |_| {
                let editing = editing.get();
                let t = on_change.borrow();
                if let Some(h) = t.heres.iter().find(|h| h.id == id) {
                    announce(&t, &h.place, editing);
                }
            });
        }
        id
    };
    let leaving = send_wrapper::SendWrapper::new(tab);
    on_cleanup(move || release(&leaving, id));
}

/// A list's page has gone: stop what only it was watching.
fn release(tab: &Shared, id: u64) {
    let mut t = tab.borrow_mut();
    let gone_topic = t
        .watchers
        .iter()
        .position(|w| w.id == id)
        .map(|i| t.watchers.remove(i).topic);
    let gone_place = t
        .heres
        .iter()
        .position(|h| h.id == id)
        .map(|i| t.heres.remove(i).place);
    if let (Some(topic), Some(ws)) = (gone_topic, open_socket(&t)) {
        if !t.watchers.iter().any(|w| w.topic == topic) {
            send(ws, &ClientMessage::Unsubscribe { topic });
        }
    }
    if let (Some(place), Some(ws)) = (gone_place, open_socket(&t)) {
        if !t.heres.iter().any(|h| h.place == place) {
            send(ws, &ClientMessage::Away { place });
        }
    }
    if t.watchers.is_empty() && t.heres.is_empty() {
        shut(&mut t);
        let name = t.name.clone();
        TABS.with(|tabs| tabs.borrow_mut().remove(&name));
    }
}

/// Closes the tab's socket for good (nothing left to watch).
fn shut(t: &mut Tab) {
    for timer in t.timers.drain(..) {
        timer.clear();
    }
    if let Some(ws) = t.socket.take() {
        abandon(&ws);
    }
    t.handlers.clear();
}

/// Closes a socket we no longer want, first detaching our handlers:
/// its close event arrives later, after the handlers may be gone.
fn abandon(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
    let _ = ws.close();
}
