//! The live layer's rules: who may watch which topic and be present on
//! which page (the same checks the pages make), and what a topic carries:
//! a snapshot, a catch-up after a reconnect, and each batch of outbox
//! events read once for every socket of a practice. Generic over the
//! features: a new live feature adds its topic's arm in `snapshot`,
//! `concerns`, `rows_for_ids` and `Changed`, nothing in the hub, the
//! socket or the browser.

use crate::appointments::{day_list_access, DayListAccess};
use crate::{Actor, ServiceError};
use domain::live::EventKind;
use domain::live::{Place, Rows, RowsKind, ServerMessage, Topic, CATCH_UP_LIMIT};
use domain::{Area, DisplayLinkId, PracticeId, StaffId, TaskId};
use store::live::Event;
use store::{PracticeStore, Store, StoreError};

pub use crate::tasks::live::Published;

/// Who is on the other end of a socket.
#[derive(Clone, Debug)]
pub enum Viewer {
    Staff(Actor),
    /// A waiting-room screen opened with a display link: calls only.
    Display {
        practice: PracticeId,
        link: DisplayLinkId,
    },
}

impl Viewer {
    pub fn practice(&self) -> &PracticeId {
        match self {
            Viewer::Staff(a) => &a.practice,
            Viewer::Display { practice, .. } => practice,
        }
    }
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> String {
    tracing::warn!(error = %e, "cannot check a {what} subscription");
    format!("The {what} is unavailable; try again shortly.")
}

/// May `viewer` watch `topic`? `Err` carries the reason shown to the user.
pub async fn authorise(store: &Store, viewer: &Viewer, topic: &Topic) -> Result<(), String> {
    let actor = match viewer {
        Viewer::Display { .. } => {
            return match topic {
                Topic::CallScreen => Ok(()),
                _ => Err("A display link shows the call screen only.".into()),
            }
        }
        Viewer::Staff(actor) => actor,
    };
    match topic {
        Topic::TeamTasks { team } => match crate::tasks::teams(store, actor).await {
            Ok(teams) if teams.iter().any(|(id, _)| id == team) => Ok(()),
            Ok(_) | Err(ServiceError::Forbidden) => Err("No such team in this practice.".into()),
            Err(e) => Err(unavailable("task list", e)),
        },
        Topic::MyTasks { staff } => {
            if actor.is(staff) {
                Ok(())
            } else {
                Err("You can only watch your own tasks.".into())
            }
        }
        Topic::Task { id } => {
            match crate::tasks::find(store, actor, &TaskId::new(id.as_str())).await {
                Ok(_) => Ok(()),
                // Another practice's task does not exist for this viewer.
                Err(ServiceError::NotFound | ServiceError::Forbidden) => Err("Not found.".into()),
                Err(e) => Err(unavailable("task", e)),
            }
        }
        Topic::Inbox { staff } => crate::results::may_watch(store, actor, Some(staff)).await,
        Topic::ResultsPool => crate::results::may_watch(store, actor, None).await,
        Topic::Unmatched => crate::results::matcher(actor)
            .map_err(|_| "Your role does not match reports to patients.".to_string()),
        Topic::Patient { id } => crate::patients::live::may_watch(store, actor, id).await,
        Topic::WaitingRoom { date } | Topic::DayList { date, .. }
            if domain::time::iso_date(date).is_none() =>
        {
            Err(format!("\"{date}\" is not a date (YYYY-MM-DD)."))
        }
        Topic::WaitingRoom { .. } | Topic::CallScreen => actor
            .require(Area::WaitingRoom)
            .map_err(|_| "Your role does not use the waiting room.".to_string()),
        Topic::DayList { clinician, .. } => {
            match day_list_access(store, actor, &StaffId::new(clinician.as_str())).await {
                Ok(DayListAccess::Allowed) => Ok(()),
                Ok(DayListAccess::NotOwn) => Err("You can only watch your own day list.".into()),
                Ok(DayListAccess::NoSuchClinician) => {
                    Err("No such clinician in this practice.".into())
                }
                Err(e) => Err(unavailable("day list", e)),
            }
        }
    }
}

/// May `viewer` be seen (and see others) on `place`? Every role of the
/// practice may open a task or a patient's page (what each shows is the
/// page's business); another practice's objects do not exist.
pub async fn authorise_place(store: &Store, viewer: &Viewer, place: &Place) -> Result<(), String> {
    let Viewer::Staff(actor) = viewer else {
        return Err("A display link shows the call screen only.".into());
    };
    let found = match place {
        Place::Task { id } => {
            match crate::tasks::find(store, actor, &TaskId::new(id.as_str())).await {
                Ok(_) => Ok(true),
                Err(ServiceError::NotFound | ServiceError::Forbidden) => Ok(false),
                Err(e) => Err(e.to_string()),
            }
        }
        Place::Patient { id } => actor
            .db(store)
            .patient_in_practice(id)
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
pub async fn snapshot(db: &PracticeStore, topic: &Topic) -> Result<ServerMessage, StoreError> {
    // Read the stamp first: anything after it will also arrive as a change.
    let seq = db.event_seq().await?;
    let rows = match topic.rows_kind() {
        RowsKind::Appointments | RowsKind::Calls => {
            crate::appointments::live::snapshot(db, topic).await?
        }
        RowsKind::Tasks => crate::tasks::live::snapshot(db, topic).await?,
        RowsKind::Results => crate::results::live::snapshot(db, topic).await?,
        RowsKind::Patient => crate::patients::live::snapshot(seq),
        RowsKind::Unmatched => crate::results::live::unmatched::snapshot(db).await?,
    };
    Ok(ServerMessage::Snapshot {
        topic: topic.clone(),
        seq,
        rows,
    })
}

/// The next window of a result list, the reports after `after`
/// (`ClientMessage::ReadOn`): `More`, or `Refused` for a list that is not
/// a result list or a place that is not one. No `seq`: changes after the
/// read reach the socket after this answer, and rows merge by version.
pub async fn read_on(
    db: &PracticeStore,
    topic: &Topic,
    after: domain::results::InboxKey,
) -> Result<ServerMessage, StoreError> {
    let refused = |message: &str| ServerMessage::Refused {
        topic: topic.clone(),
        message: message.into(),
    };
    if topic.rows_kind() != RowsKind::Results {
        return Ok(refused("Only a results list shows more."));
    }
    if !after.is_place() {
        return Ok(refused(domain::results::InboxKey::NOT_A_PLACE));
    }
    let rows = crate::results::live::read_on(db, topic, &after).await?;
    Ok(ServerMessage::More {
        topic: topic.clone(),
        after,
        rows: Rows::Results(rows),
    })
}

/// Whether an outbox event can concern `topic`.
fn concerns(topic: &Topic, e: &Event) -> bool {
    match topic.rows_kind() {
        RowsKind::Appointments | RowsKind::Calls => crate::appointments::live::concerns(topic, e),
        RowsKind::Tasks => crate::tasks::live::concerns(e),
        RowsKind::Results | RowsKind::Unmatched => crate::results::live::concerns(e),
        RowsKind::Patient => crate::patients::live::concerns(topic, e),
    }
}

/// What changed in `topic` after `since`, or a snapshot if that is too far
/// back (or ahead: a database restored from backup).
pub async fn catch_up(
    db: &PracticeStore,
    topic: &Topic,
    since: u64,
) -> Result<ServerMessage, StoreError> {
    let now = db.event_seq().await?;
    if since > now {
        return snapshot(db, topic).await;
    }
    let events = db.events_since(since, CATCH_UP_LIMIT).await?;
    if events.len() >= CATCH_UP_LIMIT {
        return snapshot(db, topic).await;
    }
    let seq = events
        .last()
        .map(|e| e.seq.max(0) as u64)
        .unwrap_or(now)
        .max(now);
    let mut ids: Vec<String> = events
        .iter()
        .filter(|e| concerns(topic, e))
        .map(|e| e.record.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let rows = match topic.rows_kind() {
        RowsKind::Appointments | RowsKind::Calls => {
            crate::appointments::live::rows_for_ids(db, topic, &ids).await?
        }
        RowsKind::Tasks => crate::tasks::live::rows_for_ids(db, topic, &ids, &events).await?,
        RowsKind::Results => crate::results::live::rows_for_ids(db, topic, &ids, &events).await?,
        RowsKind::Patient => crate::patients::live::rows_for_events(db, topic, &events).await?,
        RowsKind::Unmatched => crate::results::live::unmatched::rows_for_ids(db, &ids).await?,
    };
    Ok(ServerMessage::Changes {
        topic: topic.clone(),
        seq,
        rows,
    })
}

/// The rows changed by a batch of consecutive outbox events, read once
/// and shared by every socket of the practice.
#[derive(Debug)]
pub struct Changed {
    /// The last event's `seq`.
    pub seq: u64,
    appointments: crate::appointments::live::Changed,
    tasks: crate::tasks::live::Changed,
    results: crate::results::live::Changed,
    patients: crate::patients::live::Changed,
    /// Call-screen links revoked in this batch.
    revoked_links: Vec<String>,
    /// Staff whose sessions were ended in this batch.
    signed_out: Vec<String>,
    /// The practice's settings changed in this batch.
    settings_changed: bool,
}

impl Changed {
    /// Reads what `events` changed. `published` is the practice's memory
    /// of what was already sent (kept by the caller between batches).
    pub async fn load(
        db: &PracticeStore,
        events: &[Event],
        published: &mut Published,
    ) -> Result<Changed, StoreError> {
        let seq = events.last().map(|e| e.seq.max(0) as u64).unwrap_or(0);
        let appointments = crate::appointments::live::Changed::load(db, events).await?;
        Ok(Changed {
            seq,
            patients: crate::patients::live::Changed::load(events, appointments.appointments()),
            appointments,
            tasks: crate::tasks::live::Changed::load(db, events, published).await?,
            results: crate::results::live::Changed::load(db, events).await?,
            revoked_links: events
                .iter()
                .filter(|e| e.kind == EventKind::DisplayLinkRevoked)
                .map(|e| e.record.clone())
                .collect(),
            signed_out: events
                .iter()
                .filter(|e| e.kind == EventKind::StaffSignedOut)
                .map(|e| e.record.clone())
                .collect(),
            settings_changed: events.iter().any(|e| e.kind == EventKind::Settings),
        })
    }

    /// Whether `viewer` should be told the practice's settings changed
    /// (staff pages use them; a call screen does not).
    pub fn tells_settings(&self, _viewer: &Viewer) -> bool {
        // Every screen of the practice, the call screen included: the
        // message carries nothing but "read your settings again".
        self.settings_changed
    }

    /// Whether this batch ends what `viewer` may see (its link revoked,
    /// their sessions ended).
    pub fn ends(&self, viewer: &Viewer) -> bool {
        match viewer {
            Viewer::Display { link, .. } => self.revoked_links.iter().any(|l| l == link.as_str()),
            Viewer::Staff(actor) => self.signed_out.iter().any(|s| actor.is(s)),
        }
    }

    /// What this batch carries for `topic`; `None` if nothing.
    pub fn rows_for(&self, topic: &Topic) -> Option<Rows> {
        let rows = match topic.rows_kind() {
            RowsKind::Appointments | RowsKind::Calls => self.appointments.rows_for(topic),
            RowsKind::Tasks => self.tasks.rows_for(topic),
            RowsKind::Results => self.results.rows_for(topic),
            RowsKind::Patient => self.patients.rows_for(topic),
            RowsKind::Unmatched => self.results.unmatched_rows(),
        };
        (!rows.is_empty()).then_some(rows)
    }
}
