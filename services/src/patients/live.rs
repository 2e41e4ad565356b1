//! The patient topic: an open patient page hears which part of the record
//! changed (a `patient` outbox event names the patient and the part; an
//! appointment event, its appointment's patient), and reads that part
//! again through the same operations as on opening, so each role sees
//! only what it may. The rows carry no clinical data.

use crate::Actor;
use domain::live::{AppointmentView, EventKind, PatientChange, RecordPart, Rows, RowsKind, Topic};
use domain::policy::{Access, DataKind};
use domain::Area;
use store::live::Event;
use store::{PracticeStore, Store, StoreError};

/// May `actor` watch patient `id`'s page? Whoever may open it: the
/// patients area, demographics to read, a patient of their practice.
pub(crate) async fn may_watch(store: &Store, actor: &Actor, id: &str) -> Result<(), String> {
    if actor.require(Area::Patients).is_err() || !actor.may(DataKind::Demographics, Access::Read) {
        return Err("Your role does not open patients' records.".into());
    }
    match actor.db(store).patient_in_practice(id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err("Not found.".into()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot check a patient subscription");
            Err("The patient's page is unavailable; try again shortly.".into())
        }
    }
}

/// A snapshot says "anything may have changed up to `seq`": every part,
/// so a page whose data is older reads it all again. (A page subscribes
/// with the `seq` its data reflects and gets exactly what changed since;
/// a snapshot comes only when that is too far back.)
pub(crate) fn snapshot(seq: u64) -> Rows {
    Rows::Patient(
        RecordPart::ALL
            .into_iter()
            .map(|part| PatientChange { part, seq })
            .collect(),
    )
}

/// Whether an event can concern the topic (an appointment's patient is
/// known only once its row is read).
pub(crate) fn concerns(topic: &Topic, e: &Event) -> bool {
    match topic {
        Topic::Patient { id } => {
            (e.kind == EventKind::Patient && &e.record == id) || e.kind.is_appointment()
        }
        _ => false,
    }
}

/// Each patient's changed parts in `events`, the appointments among them
/// read already (`appointments`).
fn changes_of(events: &[Event], appointments: &[AppointmentView]) -> Vec<(String, PatientChange)> {
    events
        .iter()
        .filter_map(|e| {
            let seq = e.seq.max(0) as u64;
            if e.kind == EventKind::Patient {
                let part = e.part?;
                Some((e.record.clone(), PatientChange { part, seq }))
            } else if e.kind.is_appointment() {
                let a = appointments.iter().find(|a| a.id == e.record)?;
                let part = RecordPart::Appointments;
                Some((a.patient_id.clone(), PatientChange { part, seq }))
            } else {
                None
            }
        })
        .collect()
}

/// The topic's patient's changes, the latest of each part.
fn rows_of(topic: &Topic, changes: &[(String, PatientChange)]) -> Rows {
    let Topic::Patient { id } = topic else {
        return Rows::Patient(Vec::new());
    };
    let mine = changes
        .iter()
        .filter(|(patient, _)| patient == id)
        .map(|(_, c)| *c)
        .collect();
    let mut rows = Rows::empty(RowsKind::Patient);
    rows.merge(topic, Rows::Patient(mine));
    rows
}

/// What changed for the topic's patient among `events` (a catch-up).
pub(crate) async fn rows_for_events(
    db: &PracticeStore,
    topic: &Topic,
    events: &[Event],
) -> Result<Rows, StoreError> {
    let events: Vec<Event> = events
        .iter()
        .filter(|e| concerns(topic, e))
        .cloned()
        .collect();
    let mut ids: Vec<String> = events
        .iter()
        .filter(|e| e.kind.is_appointment())
        .map(|e| e.record.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let appointments = db.appointments_by_id(&ids).await?;
    Ok(rows_of(topic, &changes_of(&events, &appointments)))
}

/// A batch's changes to patients' records.
#[derive(Debug, Default)]
pub(crate) struct Changed {
    changes: Vec<(String, PatientChange)>,
}

impl Changed {
    /// `appointments`: the batch's changed appointments, read already.
    pub(crate) fn load(events: &[Event], appointments: &[AppointmentView]) -> Self {
        Self {
            changes: changes_of(events, appointments),
        }
    }

    pub(crate) fn rows_for(&self, topic: &Topic) -> Rows {
        rows_of(topic, &self.changes)
    }
}
