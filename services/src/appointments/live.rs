//! The live day's topics: the waiting room, a clinician's day list, and
//! the call screen (short names and rooms only). Which appointments and
//! calls each topic carries, from a snapshot, a catch-up or a batch of
//! outbox events.

use domain::live::{AppointmentView, CallView, EventKind, Rows, Topic, CALLS_SHOWN};
use store::live::Event;
use store::{PracticeStore, StoreError};

/// Everything in an appointment or call-screen topic now.
pub(crate) async fn snapshot(db: &PracticeStore, topic: &Topic) -> Result<Rows, StoreError> {
    Ok(match topic {
        Topic::WaitingRoom { date } => Rows::Appointments(db.day_appointments(date, None).await?),
        Topic::DayList { clinician, date } => {
            Rows::Appointments(db.day_appointments(date, Some(clinician)).await?)
        }
        Topic::CallScreen => Rows::Calls(db.recent_calls(CALLS_SHOWN).await?),
        _ => Rows::Appointments(Vec::new()),
    })
}

/// Whether an event can concern the topic (before its row is read).
pub(crate) fn concerns(topic: &Topic, e: &Event) -> bool {
    match topic {
        Topic::WaitingRoom { date } => e.date.as_deref() == Some(date),
        Topic::DayList { clinician, date } => {
            e.date.as_deref() == Some(date) && e.staff.as_deref() == Some(clinician)
        }
        Topic::CallScreen => e.kind == EventKind::AppointmentCalled,
        _ => false,
    }
}

/// The rows of `ids` that belong in the topic now.
pub(crate) async fn rows_for_ids(
    db: &PracticeStore,
    topic: &Topic,
    ids: &[String],
) -> Result<Rows, StoreError> {
    if *topic == Topic::CallScreen {
        return Ok(Rows::Calls(db.calls_for_appointments(ids).await?));
    }
    let mut rows = db.appointments_by_id(ids).await?;
    rows.retain(|a| topic.includes(a));
    Ok(Rows::Appointments(rows))
}

/// A batch's changed appointments and new calls, read once for every
/// socket of the practice.
#[derive(Debug, Default)]
pub(crate) struct Changed {
    appointments: Vec<AppointmentView>,
    calls: Vec<CallView>,
}

impl Changed {
    pub(crate) async fn load(db: &PracticeStore, events: &[Event]) -> Result<Self, StoreError> {
        let mut ids: Vec<String> = events
            .iter()
            .filter(|e| e.kind.is_appointment())
            .map(|e| e.record.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let called: Vec<String> = events
            .iter()
            .filter(|e| e.kind == EventKind::AppointmentCalled)
            .map(|e| e.record.clone())
            .collect();
        Ok(Self {
            appointments: db.appointments_by_id(&ids).await?,
            calls: db.calls_for_appointments(&called).await?,
        })
    }

    /// The batch's changed appointments.
    pub(crate) fn appointments(&self) -> &[AppointmentView] {
        &self.appointments
    }

    pub(crate) fn rows_for(&self, topic: &Topic) -> Rows {
        if *topic == Topic::CallScreen {
            return Rows::Calls(self.calls.clone());
        }
        Rows::Appointments(
            self.appointments
                .iter()
                .filter(|a| topic.includes(a))
                .cloned()
                .collect(),
        )
    }
}
