//! The rows a topic carries, and the one rule for merging them: a row
//! replaces the one held only if its version is at least as new, so a late
//! or duplicate delivery changes nothing. Shared by the browser and tests.

use super::{AppointmentView, CallView, PatientChange, Topic, CALLS_SHOWN};
use crate::results::{InboxKey, InboxRow, ResultRows, UnmatchedRow};
use crate::task::TaskView;
use serde::{Deserialize, Serialize};

/// What kind of rows a topic carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowsKind {
    Appointments,
    Calls,
    Tasks,
    Results,
    Patient,
    Unmatched,
}

/// The rows of a snapshot or a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rows {
    Appointments(Vec<AppointmentView>),
    /// Newest first; only a short name and a room each.
    Calls(Vec<CallView>),
    Tasks(Vec<TaskView>),
    /// Unfiled laboratory reports and letters, abnormal first, then
    /// oldest first: the first of them and how many in all.
    Results(ResultRows),
    /// Which parts of a patient's record changed, the latest `seq` of each.
    Patient(Vec<PatientChange>),
    /// Reports waiting to be matched, oldest first (demographics, never
    /// values).
    Unmatched(Vec<UnmatchedRow>),
}

impl Rows {
    pub fn empty(kind: RowsKind) -> Rows {
        match kind {
            RowsKind::Appointments => Rows::Appointments(Vec::new()),
            RowsKind::Calls => Rows::Calls(Vec::new()),
            RowsKind::Tasks => Rows::Tasks(Vec::new()),
            RowsKind::Results => Rows::Results(ResultRows::default()),
            RowsKind::Patient => Rows::Patient(Vec::new()),
            RowsKind::Unmatched => Rows::Unmatched(Vec::new()),
        }
    }

    pub fn kind(&self) -> RowsKind {
        match self {
            Rows::Appointments(_) => RowsKind::Appointments,
            Rows::Calls(_) => RowsKind::Calls,
            Rows::Tasks(_) => RowsKind::Tasks,
            Rows::Results(_) => RowsKind::Results,
            Rows::Patient(_) => RowsKind::Patient,
            Rows::Unmatched(_) => RowsKind::Unmatched,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Rows::Appointments(r) => r.len(),
            Rows::Calls(r) => r.len(),
            Rows::Tasks(r) => r.len(),
            Rows::Results(r) => r.len(),
            Rows::Patient(r) => r.len(),
            Rows::Unmatched(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn appointments(&self) -> &[AppointmentView] {
        match self {
            Rows::Appointments(r) => r,
            _ => &[],
        }
    }

    pub fn calls(&self) -> &[CallView] {
        match self {
            Rows::Calls(r) => r,
            _ => &[],
        }
    }

    pub fn tasks(&self) -> &[TaskView] {
        match self {
            Rows::Tasks(r) => r,
            _ => &[],
        }
    }

    pub fn results(&self) -> &[InboxRow] {
        match self {
            Rows::Results(r) => &r.rows,
            _ => &[],
        }
    }

    /// A result list's rows with its counts and horizon.
    pub fn result_rows(&self) -> Option<&ResultRows> {
        match self {
            Rows::Results(r) => Some(r),
            _ => None,
        }
    }

    pub fn unmatched(&self) -> &[UnmatchedRow] {
        match self {
            Rows::Unmatched(r) => r,
            _ => &[],
        }
    }

    pub fn patient_changes(&self) -> &[PatientChange] {
        match self {
            Rows::Patient(r) => r,
            _ => &[],
        }
    }

    /// Merges `incoming` into these rows (a row of another kind is
    /// ignored) and keeps only what still belongs in `topic`, in the
    /// order the topic's list shows.
    pub fn merge(&mut self, topic: &Topic, incoming: Rows) {
        match (self, incoming) {
            (Rows::Appointments(held), Rows::Appointments(rows)) => {
                merge_by_version(held, rows, |a| (&a.id, a.version));
                held.retain(|a| topic.includes(a));
                held.sort_by(|a, b| {
                    (a.start.as_str(), a.clinician_name.as_str())
                        .cmp(&(b.start.as_str(), b.clinician_name.as_str()))
                });
            }
            (Rows::Tasks(held), Rows::Tasks(rows)) => {
                merge_by_version(held, rows, |t| (&t.id, t.version));
                held.retain(|t| topic.includes_task(t));
                held.sort_by(TaskView::list_order);
            }
            (Rows::Results(held), Rows::Results(incoming)) => {
                merge_by_version(&mut held.rows, incoming.rows, |r| (&r.id, r.version));
                held.counts = incoming.counts.or(held.counts);
                held.horizon = incoming.horizon.or(held.horizon.take());
                keep_window(held, topic);
            }
            (Rows::Patient(held), Rows::Patient(rows)) => super::patient::merge_changes(held, rows),
            (Rows::Unmatched(held), Rows::Unmatched(rows)) => {
                merge_by_version(held, rows, |r| (&r.id, r.version));
                held.retain(|r| r.open);
                held.sort_by(|a, b| (&a.received_at, &a.id).cmp(&(&b.received_at, &b.id)));
            }
            (Rows::Calls(held), Rows::Calls(calls)) => {
                for c in calls {
                    if !held.iter().any(|h| h.id == c.id) {
                        held.push(c);
                    }
                }
                held.sort_by(|a, b| b.at.cmp(&a.at));
                held.truncate(CALLS_SHOWN);
            }
            _ => {}
        }
    }
}

impl Rows {
    /// Adds the next window of a result list (the reports after `after`)
    /// to these rows, if the list still ends at `after`: its horizon moves
    /// to the window's (none: the whole list is held). A window for a list
    /// that no longer ends there (a snapshot replaced it meanwhile) is
    /// ignored, so the list never lacks reports between what it held and
    /// what was added. Whether it was added.
    pub fn read_on(&mut self, topic: &Topic, after: &InboxKey, next: ResultRows) -> bool {
        let Rows::Results(held) = self else {
            return false;
        };
        if held.horizon.as_ref() != Some(after) {
            return false;
        }
        held.horizon = next.horizon;
        held.counts = next.counts.or(held.counts);
        merge_by_version(&mut held.rows, next.rows, |r| (&r.id, r.version));
        keep_window(held, topic);
        true
    }
}

/// Keeps the reports that belong in `topic` up to the list's horizon, in
/// the inbox's order.
fn keep_window(held: &mut ResultRows, topic: &Topic) {
    let horizon = held.horizon.clone();
    held.rows
        .retain(|r| topic.includes_result(r) && horizon.as_ref().is_none_or(|h| r.key() <= *h));
    held.rows.sort_by(InboxRow::list_order);
}

/// Puts each row into `held`, replacing the row with the same id only if
/// the new one's version is at least as new.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appointment_status::Status;

    fn appointment(id: &str, version: i64, start: &str, date: &str) -> AppointmentView {
        AppointmentView {
            id: id.into(),
            version,
            date: date.into(),
            start: start.into(),
            duration_minutes: 10,
            clinician_id: "c".into(),
            clinician_name: "Dr C".into(),
            room: "1".into(),
            patient_id: "p".into(),
            patient_name: "Mr P".into(),
            patient_date_of_birth: "1980-01-01".into(),
            kind: "face_to_face".into(),
            reason: None,
            status: Status::Booked,
            arrived_at: None,
            updated_at: String::new(),
            updated_by: None,
            clinic_session_id: String::new(),
            cancel_reason: None,
        }
    }

    #[test]
    fn a_late_or_duplicate_row_changes_nothing_and_rows_leave_their_topic() {
        let topic = Topic::WaitingRoom {
            date: "2026-11-21".into(),
        };
        let mut held = Rows::empty(RowsKind::Appointments);
        held.merge(
            &topic,
            Rows::Appointments(vec![
                appointment("b", 2, "09:10", "2026-11-21"),
                appointment("a", 1, "09:00", "2026-11-21"),
            ]),
        );
        assert_eq!(
            held.appointments()
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"],
            "in time order"
        );
        // An older version of b is ignored; a newer a replaces it.
        held.merge(
            &topic,
            Rows::Appointments(vec![
                appointment("b", 1, "09:50", "2026-11-21"),
                appointment("a", 3, "09:00", "2026-11-21"),
            ]),
        );
        assert_eq!(held.appointments()[1].start, "09:10");
        assert_eq!(held.appointments()[0].version, 3);
        // Moved to another day: it leaves the list.
        held.merge(
            &topic,
            Rows::Appointments(vec![appointment("a", 4, "09:00", "2026-11-22")]),
        );
        assert_eq!(held.len(), 1);
        // Rows of another kind are ignored.
        held.merge(&topic, Rows::Tasks(Vec::new()));
        assert_eq!(held.len(), 1);
    }

    #[test]
    fn the_call_screen_keeps_the_latest_calls_newest_first() {
        let mut held = Rows::empty(RowsKind::Calls);
        let calls = (0..12)
            .map(|i| CallView {
                id: format!("c{i}"),
                short_name: "J. Smith".into(),
                room: "1".into(),
                at: format!("2026-11-21T09:{i:02}:00Z"),
            })
            .collect();
        held.merge(&Topic::CallScreen, Rows::Calls(calls));
        assert_eq!(held.len(), CALLS_SHOWN);
        assert_eq!(held.calls()[0].id, "c11");
    }
}
