//! The socket itself: connecting, pinging, routing what arrives, and
//! reconnecting after a drop.

use super::*;
use web_sys::{CloseEvent, MessageEvent};

/// Pings (and notices a connection that died silently) and re-announces
/// presence on the heartbeat.
pub(super) fn start_timers(tab: &Shared) {
    let pinger = {
        let tab = tab.clone();
        set_interval_with_handle(
            move || {
                let mut t = tab.borrow_mut();
                let Some(ws) = open_socket(&t).cloned() else {
                    return;
                };
                if js_sys::Date::now() - t.last_heard > CLIENT_DEAD_AFTER.as_millis() as f64 {
                    // Silent too long: treat as dropped.
                    abandon(&ws);
                    t.socket = None;
                    drop(t);
                    went_offline(&tab);
                    return;
                }
                send(&ws, &ClientMessage::Ping);
            },
            CLIENT_PING_EVERY,
        )
        .ok()
    };
    let heartbeat = {
        let tab = tab.clone();
        set_interval_with_handle(
            move || announce_all(&tab.borrow()),
            Duration::from_millis(u64::from(PRESENCE_HEARTBEAT_MS)),
        )
        .ok()
    };
    let mut t = tab.borrow_mut();
    t.timers.extend(pinger);
    t.timers.extend(heartbeat);
}

pub(super) fn connect(tab: &Shared) {
    let url = tab.borrow().url.clone();
    let Ok(ws) = WebSocket::new(&url) else {
        went_offline(tab);
        return;
    };
    let on_open = {
        let tab = tab.clone();
        Closure::<dyn FnMut()>::new(move || {
            let mut t = tab.borrow_mut();
            t.attempt = 0;
            t.last_heard = js_sys::Date::now();
            set_state(&mut t, Connection::Live);
            if let (Some((practice, key)), Some(ws)) = (&t.display, open_socket(&t)) {
                send(
                    ws,
                    &ClientMessage::Display {
                        practice: practice.clone(),
                        key: key.clone(),
                    },
                );
            }
            let mut topics: Vec<Topic> = Vec::new();
            for w in &t.watchers {
                if !topics.contains(&w.topic) {
                    topics.push(w.topic.clone());
                }
            }
            for topic in &topics {
                subscribe(&t, topic);
            }
            announce_all(&t);
        })
    };
    let on_message = {
        let tab = tab.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else {
                return;
            };
            let Ok(message) = serde_json::from_str::<ServerMessage>(&text) else {
                return;
            };
            let mut t = tab.borrow_mut();
            t.last_heard = js_sys::Date::now();
            deliver(&mut t, message);
        })
    };
    let on_close = {
        let tab = tab.clone();
        Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            let mut t = tab.borrow_mut();
            t.socket = None;
            if e.code() == CLOSE_SIGNED_OUT {
                set_state(&mut t, Connection::SignedOut);
                for timer in t.timers.drain(..) {
                    timer.clear();
                }
                // A staff session that ended (signed out, idle, deactivated):
                // the tab goes to the sign-in page, so nothing stays on an
                // unattended screen. (A call screen says its link was revoked.)
                if t.display.is_none() {
                    to_sign_in();
                }
                return;
            }
            drop(t);
            went_offline(&tab);
        })
    };
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let mut t = tab.borrow_mut();
    t.handlers = vec![Box::new(on_open), Box::new(on_message), Box::new(on_close)];
    t.socket = Some(ws);
}

/// Sends the tab to the sign-in page, to come back where it was.
fn to_sign_in() {
    let location = window().location();
    let here = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let next = js_sys::encode_uri_component(&here);
    let _ = location.assign(&format!("/login?next={next}"));
}

/// Routes a server message to every list it concerns.
pub(super) fn deliver(t: &mut Tab, message: ServerMessage) {
    match message {
        ServerMessage::Snapshot { topic, seq, rows } => {
            for w in t.watchers.iter_mut().filter(|w| w.topic == topic) {
                w.seq = Some(seq);
                w.list.replace(&topic, rows.clone());
            }
        }
        ServerMessage::Changes { topic, seq, rows } => {
            for w in t.watchers.iter_mut().filter(|w| w.topic == topic) {
                w.seq = Some(w.seq.unwrap_or(0).max(seq));
                w.list.changed(&topic, rows.clone());
            }
        }
        ServerMessage::More { topic, after, rows } => {
            for w in t.watchers.iter().filter(|w| w.topic == topic) {
                w.list.read_on(&topic, &after, rows.clone());
            }
        }
        ServerMessage::Refused { topic, message } => {
            for w in t.watchers.iter().filter(|w| w.topic == topic) {
                w.list.refused.set(Some(message.clone()));
                w.list.asked.set(None);
            }
        }
        ServerMessage::Presence { place, people } => {
            for h in t.heres.iter().filter(|h| h.place == place) {
                h.list.present.set(people.clone());
            }
        }
        ServerMessage::SettingsChanged => {
            crate::live::settings_changes().update(|n| *n += 1);
        }
        ServerMessage::PresenceRefused { .. } | ServerMessage::Pong => {}
    }
}

/// Shows "Offline since" (keeping the first time) and schedules a
/// reconnect: doubling from the first wait to the longest, each with ±50%
/// jitter.
pub(super) fn went_offline(tab: &Shared) {
    let delay = {
        let mut t = tab.borrow_mut();
        if t.timers.is_empty() {
            // Shut or signed out: no reconnecting.
            return;
        }
        // Who else is here is unknown while offline: show nobody.
        for h in &t.heres {
            h.list.present.set(Vec::new());
        }
        if !matches!(t.state, Connection::Offline { .. }) {
            let since = london_hhmm_at(js_sys::Date::now());
            set_state(&mut t, Connection::Offline { since });
        }
        let first = RECONNECT_FIRST.as_millis() as f64;
        let base =
            (first * 2f64.powi(t.attempt.min(6) as i32)).min(RECONNECT_LONGEST.as_millis() as f64);
        t.attempt += 1;
        base * (0.5 + js_sys::Math::random())
    };
    let tab = tab.clone();
    set_timeout(
        move || {
            if !tab.borrow().timers.is_empty() {
                connect(&tab);
            }
        },
        Duration::from_millis(delay as u64),
    );
}
