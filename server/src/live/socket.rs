//! One websocket connection: its subscriptions, their snapshots and
//! catch-ups, and the changes pushed to it. Everything a connection may see
//! is decided by `authorise` when it subscribes (role + practice + object);
//! the practice itself is fixed at the handshake (the staff member's own, or
//! the display link's), so no message can reach another practice's socket.

use super::hub::Hub;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use domain::live::{ClientMessage, Place, PresentPerson, ServerMessage, Topic};
use domain::{Area, Role};
use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::Store;
use tokio::sync::broadcast::error::RecvError;

/// A write that takes longer than this means the client is not reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
const PING_EVERY: Duration = Duration::from_secs(20);
/// Silence for longer than this means the peer is gone.
const SILENCE_LIMIT: Duration = Duration::from_secs(60);
/// How often the session (or display link) is re-checked.
const RECHECK_EVERY: Duration = Duration::from_secs(15);
/// More missed events than this and the client gets a fresh snapshot.
const CATCH_UP_LIMIT: usize = 1000;
/// Calls shown on the call screen.
pub const CALLS_SHOWN: usize = 8;

/// Close codes the client understands (4000–4999 are the application's).
pub const CLOSE_RESYNC: u16 = 4000;
pub const CLOSE_SIGNED_OUT: u16 = 4401;

/// Who is on the other end.
#[derive(Clone, Debug)]
pub enum Viewer {
    Staff {
        practice_id: String,
        staff_id: String,
        /// As colleagues see it in presence.
        name: String,
        role: Role,
    },
    /// A waiting-room screen opened with a display link: calls only.
    Display { practice_id: String },
}

impl Viewer {
    pub fn practice_id(&self) -> &str {
        match self {
            Viewer::Staff { practice_id, .. } | Viewer::Display { practice_id } => practice_id,
        }
    }
}

fn valid_date(date: &str) -> bool {
    domain::time::iso_date(date).is_some()
}

/// May `viewer` watch `topic`? `Err` carries the reason shown to the user.
pub async fn authorise(store: &Store, viewer: &Viewer, topic: &Topic) -> Result<(), String> {
    let (practice_id, staff_id, role) = match viewer {
        Viewer::Display { .. } => {
            return match topic {
                Topic::CallScreen => Ok(()),
                _ => Err("A display link shows the call screen only.".into()),
            }
        }
        Viewer::Staff {
            practice_id,
            staff_id,
            role,
            ..
        } => (practice_id, staff_id, *role),
    };
    match topic {
        Topic::TeamTasks { team } => match store.teams(practice_id).await {
            Ok(teams) if teams.iter().any(|(id, _)| id == team) => Ok(()),
            Ok(_) => Err("No such team in this practice.".into()),
            Err(e) => {
                tracing::warn!(error = %e, "cannot check a team subscription");
                Err("The task list is unavailable; try again shortly.".into())
            }
        },
        Topic::MyTasks { staff } => {
            if staff == staff_id {
                Ok(())
            } else {
                Err("You can only watch your own tasks.".into())
            }
        }
        Topic::Task { id } => match store.task(practice_id, id).await {
            Ok(_) => Ok(()),
            // Another practice's task does not exist for this viewer.
            Err(store::tasks::TaskError::NotFound) => Err("Not found.".into()),
            Err(e) => {
                tracing::warn!(error = %e, "cannot check a task subscription");
                Err("The task is unavailable; try again shortly.".into())
            }
        },
        Topic::WaitingRoom { date } | Topic::DayList { date, .. } if !valid_date(date) => {
            Err(format!("\"{date}\" is not a date (YYYY-MM-DD)."))
        }
        Topic::WaitingRoom { .. } | Topic::CallScreen => {
            if Area::WaitingRoom.allows(role) {
                Ok(())
            } else {
                Err("Your role does not use the waiting room.".into())
            }
        }
        Topic::DayList { clinician, .. } => {
            if role.is_clinician() && clinician == staff_id {
                return Ok(());
            }
            if role != Role::Reception {
                return Err("You can only watch your own day list.".into());
            }
            // Reception may watch any clinician's list in its own practice.
            match store.staff_role_in_practice(practice_id, clinician).await {
                Ok(Some(r)) if r.is_clinician() => Ok(()),
                Ok(_) => Err("No such clinician in this practice.".into()),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot check a day-list subscription");
                    Err("The day list is unavailable; try again shortly.".into())
                }
            }
        }
    }
}

/// May `viewer` be seen (and see others) on `place`? Every role of the
/// practice may open a task or a patient's page (what each shows is the
/// page's business); another practice's objects do not exist.
pub async fn authorise_place(store: &Store, viewer: &Viewer, place: &Place) -> Result<(), String> {
    let Viewer::Staff { practice_id, .. } = viewer else {
        return Err("A display link shows the call screen only.".into());
    };
    let found = match place {
        Place::Task { id } => match store.task(practice_id, id).await {
            Ok(_) => Ok(true),
            Err(store::tasks::TaskError::NotFound) => Ok(false),
            Err(e) => Err(e.to_string()),
        },
        Place::Patient { id } => store
            .patient_in_practice(practice_id, id)
            .await
            .map_err(|e| e.to_string()),
    };
    match found {
        Ok(true) => Ok(()),
        Ok(false) => Err("Not found.".into()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot check a presence subscription");
            Err("Presence is unavailable; try again shortly.".into())
        }
    }
}

/// Everything in `topic` now, stamped with the `seq` it reflects.
pub async fn snapshot(
    store: &Store,
    practice_id: &str,
    topic: &Topic,
) -> Result<ServerMessage, store::StoreError> {
    // Read the stamp first: anything after it will also arrive as a change.
    let seq = store.event_seq(practice_id).await?;
    let mut tasks = Vec::new();
    let (appointments, calls) = match topic {
        Topic::TeamTasks { team } => {
            tasks = store.team_tasks(practice_id, team).await?;
            (Vec::new(), Vec::new())
        }
        Topic::MyTasks { staff } => {
            tasks = store.my_tasks(practice_id, staff).await?;
            (Vec::new(), Vec::new())
        }
        Topic::Task { id } => {
            tasks = store
                .tasks_by_id(practice_id, std::slice::from_ref(id))
                .await?;
            (Vec::new(), Vec::new())
        }
        Topic::WaitingRoom { date } => (
            store.day_appointments(practice_id, date, None).await?,
            Vec::new(),
        ),
        Topic::DayList { clinician, date } => (
            store
                .day_appointments(practice_id, date, Some(clinician))
                .await?,
            Vec::new(),
        ),
        Topic::CallScreen => (
            Vec::new(),
            store.recent_calls(practice_id, CALLS_SHOWN).await?,
        ),
    };
    Ok(ServerMessage::Snapshot {
        topic: topic.clone(),
        seq,
        appointments,
        calls,
        tasks,
    })
}

/// What changed in `topic` after `since`, or a snapshot if that is too far
/// back (or ahead: a database restored from backup).
pub async fn catch_up(
    store: &Store,
    practice_id: &str,
    topic: &Topic,
    since: u64,
) -> Result<ServerMessage, store::StoreError> {
    let now = store.event_seq(practice_id).await?;
    if since > now {
        return snapshot(store, practice_id, topic).await;
    }
    let events = store
        .events_since(practice_id, since, CATCH_UP_LIMIT)
        .await?;
    if events.len() >= CATCH_UP_LIMIT {
        return snapshot(store, practice_id, topic).await;
    }
    let seq = events
        .last()
        .map(|e| e.seq.max(0) as u64)
        .unwrap_or(now)
        .max(now);
    let relevant = |e: &store::outbox::Event| match topic {
        Topic::WaitingRoom { date } => e.date.as_deref() == Some(date),
        Topic::DayList { clinician, date } => {
            e.date.as_deref() == Some(date) && e.staff.as_deref() == Some(clinician)
        }
        Topic::CallScreen => e.kind == store::outbox::KIND_APPOINTMENT_CALLED,
        // Task events are few; fetch them all and filter by the task itself
        // (a task reassigned away must still reach the list it left).
        Topic::TeamTasks { .. } | Topic::MyTasks { .. } | Topic::Task { .. } => {
            e.kind == store::tasks::KIND_TASK
        }
    };
    let mut ids: Vec<String> = events
        .iter()
        .filter(|e| relevant(e))
        .map(|e| e.record.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let mut tasks = Vec::new();
    let (appointments, calls) = if topic.is_tasks() {
        tasks = store.tasks_by_id(practice_id, &ids).await?;
        // A task that left this list since is sent too (the client drops it).
        tasks.retain(|t| {
            topic.includes_task(t)
                || events.iter().any(|e| {
                    e.record == t.id && topic.routes_task(e.team.as_deref(), e.staff.as_deref())
                })
        });
        (Vec::new(), Vec::new())
    } else if *topic == Topic::CallScreen {
        (
            Vec::new(),
            store.calls_for_appointments(practice_id, &ids).await?,
        )
    } else {
        let mut rows = store.appointments_by_id(practice_id, &ids).await?;
        rows.retain(|a| topic.includes(a));
        (rows, Vec::new())
    };
    Ok(ServerMessage::Changes {
        topic: topic.clone(),
        seq,
        appointments,
        calls,
        tasks,
    })
}

fn encode(message: &ServerMessage) -> Option<Utf8Bytes> {
    serde_json::to_string(message).ok().map(Utf8Bytes::from)
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    }))
}

/// Re-checks that the viewer may still be connected (session not ended,
/// display link not revoked).
pub type StillAllowed = Box<dyn Fn() -> BoxFuture<'static, bool> + Send + Sync>;

/// Serves one connection until it closes.
pub async fn serve(socket: WebSocket, hub: Arc<Hub>, viewer: Viewer, still_allowed: StillAllowed) {
    let practice_id = viewer.practice_id().to_string();
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
        Viewer::Staff { staff_id, name, .. } => (staff_id.clone(), name.clone()),
        Viewer::Display { .. } => (String::new(), String::new()),
    };
    // Everyone on a page but this person (in other tabs too).
    let others = |people: Vec<PresentPerson>| -> Vec<PresentPerson> {
        people.into_iter().filter(|p| p.staff_id != me).collect()
    };
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut recheck = tokio::time::interval(RECHECK_EVERY);
    ping.reset();
    recheck.reset();
    let mut last_heard = Instant::now();
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
                        let _ = sink.send(close(1003, "text messages only")).await;
                        break;
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                };
                last_heard = Instant::now();
                let Ok(message) = serde_json::from_str::<ClientMessage>(text.as_str()) else {
                    let _ = sink.send(close(1008, "unrecognised message")).await;
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
                    ClientMessage::Here { place, editing } => {
                        let first = !present.contains(&place);
                        if first {
                            if let Err(message) = Box::pin(authorise_place(hub.store(), &viewer, &place)).await {
                                if let Some(t) = encode(&ServerMessage::PresenceRefused { place, message }) {
                                    send!(Message::Text(t));
                                }
                                continue;
                            }
                            present.insert(place.clone());
                        }
                        presence.here(conn, &practice_id, &place, PresentPerson {
                            name: my_name.clone(),
                            staff_id: me.clone(),
                            editing,
                        });
                        if first {
                            let people = others(presence.people(&practice_id, &place));
                            if let Some(t) = encode(&ServerMessage::Presence { place, people }) {
                                send!(Message::Text(t));
                            }
                        }
                    }
                    ClientMessage::Away { place } => {
                        if present.remove(&place) {
                            presence.away(conn, &practice_id, &place);
                        }
                    }
                    ClientMessage::Subscribe { topic, since } => {
                        let reply = match Box::pin(authorise(hub.store(), &viewer, &topic)).await {
                            Err(message) => ServerMessage::Refused { topic, message },
                            Ok(()) => {
                                let result = match since {
                                    Some(since) => Box::pin(catch_up(hub.store(), &practice_id, &topic, since)).await,
                                    None => Box::pin(snapshot(hub.store(), &practice_id, &topic)).await,
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
                Ok(batch) => {
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
                    if update.practice == practice_id && present.contains(&update.place) {
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
                        let people = others(presence.people(&practice_id, &place));
                        if let Some(t) = encode(&ServerMessage::Presence { place, people }) {
                            send!(Message::Text(t));
                        }
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENCE_LIMIT {
                    break;
                }
                send!(Message::Ping(Default::default()));
            }
            _ = recheck.tick() => {
                if !still_allowed().await {
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.send(close(CLOSE_SIGNED_OUT, "signed out"))).await;
                    break;
                }
            }
        }
    }
    presence.gone(conn);
}
