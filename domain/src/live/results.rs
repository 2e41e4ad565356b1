//! Which result topics (a clinician's inbox, the pool) a report belongs
//! to, and which changes reach them.

use super::Topic;

impl Topic {
    /// Whether a report belongs in this topic (unfiled, and with this
    /// clinician or, for the pool, with no one).
    pub fn includes_result(&self, r: &crate::results::InboxRow) -> bool {
        let unfiled = r.state == crate::results::ItemState::Unfiled;
        match self {
            Topic::Inbox { staff } => unfiled && r.assigned_id.as_deref() == Some(staff.as_str()),
            Topic::ResultsPool => unfiled && r.assigned_id.is_none(),
            _ => false,
        }
    }

    /// Whether a report change routed to `staff` (the clinician it was
    /// with before or after; none: the pool) must reach this topic.
    pub fn routes_result(&self, staff: Option<&str>) -> bool {
        match self {
            Topic::Inbox { staff: s } => staff == Some(s.as_str()),
            Topic::ResultsPool => staff.is_none(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::live::{Rows, RowsKind, Topic};
    use crate::results::{InboxCounts, InboxKind, InboxRow, ItemState, ReportStatus, ResultRows};

    fn row(id: &str, version: i64, abnormal: bool, received_at: &str) -> InboxRow {
        InboxRow {
            id: id.into(),
            version,
            title: "U&E".into(),
            laboratory: "Riverside Pathology".into(),
            status: ReportStatus::Final,
            state: ItemState::Unfiled,
            patient_id: Some("p".into()),
            patient_name: Some("SMITH, Ann".into()),
            received_at: received_at.into(),
            issued: received_at.into(),
            abnormal,
            overdue: false,
            assigned_id: Some("gp".into()),
            assigned_name: Some("Dr A".into()),
            kind: InboxKind::Report,
        }
    }

    fn ids(held: &Rows) -> Vec<&str> {
        held.results().iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn a_windowed_inbox_never_shows_a_later_report_in_place_of_one_it_lacks() {
        let topic = Topic::Inbox { staff: "gp".into() };
        let last = row("n2", 1, false, "2026-11-20T10:02:00Z");
        let mut held = Rows::empty(RowsKind::Results);
        // The first three of ten (two abnormal), as a snapshot sends them.
        held.merge(
            &topic,
            Rows::Results(ResultRows {
                rows: vec![
                    last.clone(),
                    row("a1", 1, true, "2026-11-20T10:05:00Z"),
                    row("n1", 1, false, "2026-11-20T10:01:00Z"),
                ],
                counts: Some(InboxCounts {
                    unfiled: 10,
                    abnormal: 2,
                }),
                horizon: Some(last.key()),
            }),
        );
        assert_eq!(
            ids(&held),
            ["a1", "n1", "n2"],
            "abnormal first, then oldest"
        );
        // A new normal report sorts after the horizon: seven others the
        // list does not hold come before it, so it is not shown; the
        // counts (which came with the change) are.
        let mut newer = ResultRows::changed(vec![row("n9", 1, false, "2026-11-21T09:00:00Z")]);
        newer.counts = Some(InboxCounts {
            unfiled: 11,
            abnormal: 2,
        });
        held.merge(&topic, Rows::Results(newer));
        assert_eq!(ids(&held), ["a1", "n1", "n2"]);
        let window = held.result_rows().unwrap();
        assert_eq!(
            window.counts(),
            InboxCounts {
                unfiled: 11,
                abnormal: 2
            }
        );
        assert!(window.more(), "a change does not forget that more wait");
        // A new abnormal report sorts before the horizon: shown at once.
        held.merge(
            &topic,
            Rows::Results(ResultRows::changed(vec![row(
                "a2",
                1,
                true,
                "2026-11-21T09:30:00Z",
            )])),
        );
        assert_eq!(ids(&held), ["a1", "a2", "n1", "n2"]);
        // Filed: it leaves.
        let mut filed = row("n1", 2, false, "2026-11-20T10:01:00Z");
        filed.state = ItemState::Filed;
        held.merge(&topic, Rows::Results(ResultRows::changed(vec![filed])));
        assert_eq!(ids(&held), ["a1", "a2", "n2"]);
    }

    #[test]
    fn a_whole_inbox_takes_every_new_report() {
        let topic = Topic::Inbox { staff: "gp".into() };
        let mut held = Rows::empty(RowsKind::Results);
        held.merge(
            &topic,
            Rows::Results(ResultRows::changed(vec![row(
                "n1",
                1,
                false,
                "2026-11-20T10:01:00Z",
            )])),
        );
        held.merge(
            &topic,
            Rows::Results(ResultRows::changed(vec![row(
                "n9",
                1,
                false,
                "2026-11-21T09:00:00Z",
            )])),
        );
        assert_eq!(ids(&held), ["n1", "n9"]);
        let window = held.result_rows().unwrap();
        assert!(!window.more());
        assert_eq!(
            window.counts(),
            InboxCounts {
                unfiled: 2,
                abnormal: 0
            }
        );
    }

    #[test]
    fn reading_on_adds_the_next_window_only_where_the_list_ends() {
        let topic = Topic::Inbox { staff: "gp".into() };
        let first_last = row("n2", 1, false, "2026-11-20T10:02:00Z");
        let counts = Some(InboxCounts {
            unfiled: 4,
            abnormal: 1,
        });
        let mut held = Rows::empty(RowsKind::Results);
        held.merge(
            &topic,
            Rows::Results(ResultRows {
                rows: vec![
                    row("a1", 1, true, "2026-11-20T10:05:00Z"),
                    first_last.clone(),
                ],
                counts,
                horizon: Some(first_last.key()),
            }),
        );
        // A change beyond the list's end, before the next window is read.
        held.merge(
            &topic,
            Rows::Results(ResultRows::changed(vec![row(
                "n3",
                2,
                false,
                "2026-11-20T10:03:00Z",
            )])),
        );
        assert_eq!(ids(&held), ["a1", "n2"]);
        // A window read from another place is not added: the list would
        // lack what lies between.
        let elsewhere = row("a1", 1, true, "2026-11-20T10:05:00Z").key();
        let next = ResultRows {
            rows: vec![
                row("n3", 2, false, "2026-11-20T10:03:00Z"),
                row("n4", 1, false, "2026-11-20T10:04:00Z"),
            ],
            counts,
            horizon: None,
        };
        assert!(!held.read_on(&topic, &elsewhere, next.clone()));
        assert_eq!(ids(&held), ["a1", "n2"]);
        // The window that continues from the list's end: added, and the
        // whole inbox is now held, so a later report shows at once.
        assert!(held.read_on(&topic, &first_last.key(), next.clone()));
        assert_eq!(ids(&held), ["a1", "n2", "n3", "n4"]);
        assert!(!held.result_rows().unwrap().more());
        held.merge(
            &topic,
            Rows::Results(ResultRows::changed(vec![row(
                "n5",
                1,
                false,
                "2026-11-21T09:00:00Z",
            )])),
        );
        assert_eq!(ids(&held), ["a1", "n2", "n3", "n4", "n5"]);
        // The same window again (a duplicate) finds the list ending
        // elsewhere and changes nothing.
        assert!(!held.read_on(&topic, &first_last.key(), next));
        assert_eq!(ids(&held), ["a1", "n2", "n3", "n4", "n5"]);
    }
}
