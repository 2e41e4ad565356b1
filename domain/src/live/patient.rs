//! The patient topic: an open patient page hears which part of the record
//! changed (and at which outbox `seq`), never what changed. The page then
//! reads that part again through the same server functions, so each role
//! sees exactly what it may: the signal itself carries no clinical data.

use serde::{Deserialize, Serialize};

/// A part of a patient's page that is read (and so refreshed) together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordPart {
    /// Name, date of birth, address, usual GP…
    Details,
    /// Problems, allergies, medications, consultations, observations.
    Clinical,
    /// Appointments booked, moved, cancelled.
    Appointments,
    /// Laboratory reports matched, filed, unmatched.
    Results,
}

impl RecordPart {
    pub const ALL: [RecordPart; 4] = [
        RecordPart::Details,
        RecordPart::Clinical,
        RecordPart::Appointments,
        RecordPart::Results,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordPart::Details => "details",
            RecordPart::Clinical => "clinical",
            RecordPart::Appointments => "appointments",
            RecordPart::Results => "results",
        }
    }

    pub fn parse(s: &str) -> Option<RecordPart> {
        RecordPart::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// "This part of the record changed; the latest change is `seq`."
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientChange {
    pub part: RecordPart,
    pub seq: u64,
}

/// Keeps, for each part, the latest change.
pub(super) fn merge_changes(held: &mut Vec<PatientChange>, incoming: Vec<PatientChange>) {
    for c in incoming {
        match held.iter_mut().find(|h| h.part == c.part) {
            Some(h) => h.seq = h.seq.max(c.seq),
            None => held.push(c),
        }
    }
    held.sort_by_key(|c| c.part);
}

/// The parts whose latest change is after `shown` (the `seq` the page's
/// data reflects): the ones to read again.
pub fn changed_since(changes: &[PatientChange], shown: u64) -> Vec<RecordPart> {
    changes
        .iter()
        .filter(|c| c.seq > shown)
        .map(|c| c.part)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_keeps_its_latest_change_and_only_later_ones_count() {
        let mut held = Vec::new();
        merge_changes(
            &mut held,
            vec![
                PatientChange {
                    part: RecordPart::Results,
                    seq: 9,
                },
                PatientChange {
                    part: RecordPart::Clinical,
                    seq: 4,
                },
            ],
        );
        // A late delivery of an older change changes nothing.
        merge_changes(
            &mut held,
            vec![PatientChange {
                part: RecordPart::Results,
                seq: 7,
            }],
        );
        assert_eq!(
            held,
            [
                PatientChange {
                    part: RecordPart::Clinical,
                    seq: 4
                },
                PatientChange {
                    part: RecordPart::Results,
                    seq: 9
                },
            ]
        );
        assert_eq!(changed_since(&held, 5), [RecordPart::Results]);
        assert!(changed_since(&held, 9).is_empty());
        for p in RecordPart::ALL {
            assert_eq!(RecordPart::parse(p.as_str()), Some(p));
        }
    }
}
