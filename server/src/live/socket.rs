//! One websocket connection: its subscriptions, their snapshots and
//! catch-ups, and the changes pushed to it. What a connection may watch is
//! decided by the live service (`services::live::authorise`, the same
//! checks the pages make) when it subscribes; the practice itself is fixed
//! at the handshake (the staff member's own, or the display link's), so no
//! message can reach another practice's socket. Generic over topics.

use super::hub::Hub;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use domain::live::{
    ClientMessage, Place, PresentPerson, ServerMessage, Topic, CLOSE_RESYNC, CLOSE_SIGNED_OUT,
    CLOSE_TOO_MANY_MESSAGES, MAX_PLACES_PER_SOCKET, MAX_TOPICS_PER_SOCKET, MESSAGES_PER_SECOND,
    MESSAGE_BURST, SERVER_PING_EVERY, SERVER_SILENCE_LIMIT,
};
use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use services::live::{authorise, authorise_place, catch_up, read_on, snapshot, Viewer};
use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;

/// A write that takes longer than this means the client is not reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

fn encode(message: &ServerMessage) -> Option<Utf8Bytes> {
    serde_json::to_string(message).ok().map(Utf8Bytes::from)
}

/// Sends a close frame, then reads (and drops) what the client had already
/// sent until it answers the close, or `WRITE_TIMEOUT`: closing with unread
/// data would reset the connection before the client reads why.
pub(crate) async fn close_and_drain<S, R>(
    sink: &mut S,
    incoming: &mut R,
    code: u16,
    reason: &'static str,
) where
    S: futures::Sink<Message> + Unpin,
    R: futures::Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.send(close(code, reason))).await;
    let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
        while let Some(Ok(m)) = incoming.next().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    }))
}

/// A token bucket: `MESSAGE_BURST` messages at once, refilled at
/// `MESSAGES_PER_SECOND`.
struct Allowance {
    tokens: f64,
    at: Instant,
}

impl Allowance {
    fn new() -> Self {
        Self {
            tokens: f64::from(MESSAGE_BURST),
            at: Instant::now(),
        }
    }

    /// Takes one message's token; false when the client is sending faster
    /// than any page does.
    fn take(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * f64::from(MESSAGES_PER_SECOND);
        self.tokens = (self.tokens + refill).min(f64::from(MESSAGE_BURST));
        self.at = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

/// Re-checks, `every` so often, that the viewer may still be connected
/// (session not ended, display link not revoked).
pub struct StillAllowed {
    pub check: Box<dyn Fn() -> BoxFuture<'static, bool> + Send + Sync>,
    pub every: Duration,
}

/// Serves one connection until it closes.
pub async fn serve(socket: WebSocket, hub: Arc<Hub>, viewer: Viewer, still_allowed: StillAllowed) {
    let practice_id = viewer.practice().clone();
    let db = hub.store().practice(&practice_id);
    let (mut sink, mut incoming) = socket.split();
    // Database futures are large; boxing them keeps each idle connection's
    // task small (its state machine holds only a pointer while they run).
    let mut feed = match Box::pin(hub.join(&practice_id)).await {
        Ok(rx) => rx,
        Err(e) => {
            tracing::warn!(error = %e, "cannot join the practice feed");
            let _ = sink.send(close(1011, "unavailable")).await;
            return;
        }
    };
    // Topic → the seq its snapshot or catch-up reflected.
    let mut topics: HashMap<Topic, u64> = HashMap::new();
    let presence = hub.presence().clone();
    let conn = presence.connection();
    let mut presence_updates = presence.updates();
    // Pages this connection has open (and was allowed to).
    let mut present: HashSet<Place> = HashSet::new();
    let (me, my_name) = match &viewer {
        Viewer::Staff(actor) => (
            actor.staff_id().map(|s| s.to_string()).unwrap_or_default(),
            actor.name.clone(),
        ),
        Viewer::Display { .. } => (String::new(), String::new()),
    };
    // Everyone on a page but this person (in other tabs too).
    let others = |people: Vec<PresentPerson>| -> Vec<PresentPerson> {
        people.into_iter().filter(|p| p.staff_id != me).collect()
    };
    let mut ping = tokio::time::interval(SERVER_PING_EVERY);
    let mut recheck = tokio::time::interval(still_allowed.every);
    ping.reset();
    recheck.reset();
    let mut last_heard = Instant::now();
    let mut allowance = Allowance::new();
    macro_rules! send {
        ($msg:expr) => {
            match tokio::time::timeout(WRITE_TIMEOUT, sink.send($msg)).await {
                Ok(Ok(())) => {}
                _ => break,
            }
        };
    }
    loop {
        tokio::select! {
            message = incoming.next() => {
                let text = match message {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                        last_heard = Instant::now();
                        continue;
                    }
                    Some(Ok(Message::Binary(_))) => {
                        close_and_drain(&mut sink, &mut incoming, 1003, "text messages only").await;
                        break;
                    }
                    Some(Err(e)) if e.to_string().contains("Space limit exceeded") => {
                        // Over MAX_CLIENT_MESSAGE: say so, rather than drop
                        // the connection without a word.
                        close_and_drain(&mut sink, &mut incoming, 1009, "message too big").await;
                        break;
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                };
                last_heard = Instant::now();
                if !allowance.take() {
                    close_and_drain(&mut sink, &mut incoming, CLOSE_TOO_MANY_MESSAGES, "too many messages").await;
                    break;
                }
                let Ok(message) = serde_json::from_str::<ClientMessage>(text.as_str()) else {
                    close_and_drain(&mut sink, &mut incoming, 1008, "unrecognised message").await;
                    break;
                };
                match message {
                    ClientMessage::Ping => {
                        if let Some(t) = encode(&ServerMessage::Pong) {
                            send!(Message::Text(t));
                        }
                    }
                    ClientMessage::Unsubscribe { topic } => {
                        topics.remove(&topic);
                    }
                    // Only a call screen's first message, already read.
                    ClientMessage::Display { .. } => {}
                    ClientMessage::Here { place, editing } => {
                        let first = !present.contains(&place);
                        if first && present.len() >= MAX_PLACES_PER_SOCKET {
                            let message = "Too many pages are open on one connection.".to_string();
                            if let Some(t) = encode(&ServerMessage::PresenceRefused { place, message }) {
                                send!(Message::Text(t));
                            }
                            continue;
                        }
                        if first {
                            if let Err(message) = Box::pin(authorise_place(hub.store(), &viewer, &place)).await {
                                if let Some(t) = encode(&ServerMessage::PresenceRefused { place, message }) {
                                    send!(Message::Text(t));
                                }
                                continue;
                            }
                            present.insert(place.clone());
                        }
                        presence.here(conn, practice_id.as_str(), &place, PresentPerson {
                            name: my_name.clone(),
                            staff_id: me.clone(),
                            editing,
                        });
                        if first {
                            let people = others(presence.people(practice_id.as_str(), &place));
                            if let Some(t) = encode(&ServerMessage::Presence { place, people }) {
                                send!(Message::Text(t));
                            }
                        }
                    }
                    ClientMessage::Away { place } => {
                        if present.remove(&place) {
                            presence.away(conn, practice_id.as_str(), &place);
                        }
                    }
                    ClientMessage::ReadOn { topic, after } => {
                        let reply = if !topics.contains_key(&topic) {
                            ServerMessage::Refused { topic, message: "This list is not open on this connection.".into() }
                        } else {
                            match Box::pin(authorise(hub.store(), &viewer, &topic)).await {
                                Err(message) => ServerMessage::Refused { topic, message },
                                Ok(()) => match Box::pin(read_on(&db, &topic, after)).await {
                                    Ok(reply) => reply,
                                    Err(e) => {
                                        tracing::warn!(error = %e, "cannot read on in a list");
                                        ServerMessage::Refused { topic, message: "More of this list is unavailable just now; try again.".into() }
                                    }
                                },
                            }
                        };
                        if let Some(t) = encode(&reply) {
                            send!(Message::Text(t));
                        }
                    }
                    ClientMessage::Subscribe { topic, .. }
                        if !topics.contains_key(&topic) && topics.len() >= MAX_TOPICS_PER_SOCKET =>
                    {
                        let message = "Too many lists are open on one connection.".to_string();
                        if let Some(t) = encode(&ServerMessage::Refused { topic, message }) {
                            send!(Message::Text(t));
                        }
                    }
                    ClientMessage::Subscribe { topic, since } => {
                        let reply = match Box::pin(authorise(hub.store(), &viewer, &topic)).await {
                            Err(message) => ServerMessage::Refused { topic, message },
                            Ok(()) => {
                                let result = match since {
                                    Some(since) => Box::pin(catch_up(&db, &topic, since)).await,
                                    None => Box::pin(snapshot(&db, &topic)).await,
                                };
                                match result {
                                    Ok(reply) => {
                                        if let ServerMessage::Snapshot { seq, .. } | ServerMessage::Changes { seq, .. } = &reply {
                                            topics.insert(topic, *seq);
                                        }
                                        reply
                                    }
                                    Err(e) => {
                                        tracing::warn!(error = %e, "cannot load a subscription");
                                        ServerMessage::Refused {
                                            topic,
                                            message: "This list is unavailable just now; retrying.".into(),
                                        }
                                    }
                                }
                            }
                        };
                        if let Some(t) = encode(&reply) {
                            send!(Message::Text(t));
                        }
                    }
                }
            }
            batch = feed.recv() => match batch {
                Ok(batch) if batch.ends(&viewer) => {
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.send(close(CLOSE_SIGNED_OUT, "signed out"))).await;
                    break;
                }
                Ok(batch) => {
                    if batch.tells_settings(&viewer) {
                        if let Some(t) = encode(&ServerMessage::SettingsChanged) {
                            send!(Message::Text(t));
                        }
                    }
                    for (topic, stamp) in topics.iter_mut() {
                        if batch.seq <= *stamp {
                            continue;
                        }
                        if let Some(json) = batch.message_for(topic) {
                            send!(Message::Text(json));
                        }
                        *stamp = batch.seq;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // Too slow to keep up: drop it; it reconnects and catches up.
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.send(close(CLOSE_RESYNC, "resync"))).await;
                    break;
                }
                Err(RecvError::Closed) => break,
            },
            update = presence_updates.recv() => match update {
                Ok(update) => {
                    if update.practice == practice_id.as_str() && present.contains(&update.place) {
                        let message = ServerMessage::Presence {
                            place: update.place.clone(),
                            people: others(update.people.clone()),
                        };
                        if let Some(t) = encode(&message) {
                            send!(Message::Text(t));
                        }
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    // Missed some: send the current lists of our pages.
                    for place in present.clone() {
                        let people = others(presence.people(practice_id.as_str(), &place));
                        if let Some(t) = encode(&ServerMessage::Presence { place, people }) {
                            send!(Message::Text(t));
                        }
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > SERVER_SILENCE_LIMIT {
                    break;
                }
                send!(Message::Ping(Default::default()));
            }
            _ = recheck.tick() => {
                if !(still_allowed.check)().await {
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.send(close(CLOSE_SIGNED_OUT, "signed out"))).await;
                    break;
                }
            }
        }
    }
    presence.gone(conn);
}
