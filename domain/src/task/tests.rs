use super::*;
use proptest::prelude::*;

#[test]
fn a_pool_task_is_claimed_worked_and_completed() {
    let mut s = TaskStatus::Requested;
    for a in [
        TaskAction::Claim,
        TaskAction::Start,
        TaskAction::PutOnHold,
        TaskAction::Resume,
        TaskAction::Complete,
    ] {
        s = s.apply(a).unwrap();
    }
    assert_eq!(s, TaskStatus::Completed);
    assert!(!s.is_open());
    assert_eq!(s.apply(TaskAction::Reopen), Ok(TaskStatus::Requested));
}

#[test]
fn refusals_say_why() {
    let e = TaskStatus::Accepted.apply(TaskAction::Claim).unwrap_err();
    assert_eq!(e.to_string(), "Cannot claim it: the task is accepted.");
    assert!(TaskStatus::Completed.apply(TaskAction::Complete).is_err());
    assert!(TaskStatus::Requested.apply(TaskAction::Resume).is_err());
}

#[test]
fn names_round_trip_and_are_fhir_codes() {
    let fhir = [
        "draft",
        "requested",
        "received",
        "accepted",
        "rejected",
        "ready",
        "cancelled",
        "in-progress",
        "on-hold",
        "failed",
        "completed",
        "entered-in-error",
    ];
    for s in TaskStatus::ALL {
        assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
        assert!(fhir.contains(&s.as_str()));
    }
    for a in TaskAction::ALL {
        assert_eq!(TaskAction::parse(a.as_str()), Some(a));
    }
    for p in Priority::ALL {
        assert_eq!(Priority::parse(p.as_str()), Some(p));
    }
    assert!(Priority::Stat > Priority::Routine);
}

fn task_due(due: Option<&str>, status: TaskStatus) -> TaskView {
    TaskView {
        id: "t".into(),
        version: 1,
        title: "Letter".into(),
        details: String::new(),
        patient_id: None,
        patient_name: None,
        patient_nhs_number: None,
        priority: Priority::Routine,
        due_at: due.map(str::to_string),
        status,
        assigned_staff_id: None,
        assigned_staff_name: None,
        assigned_team_id: Some("team".into()),
        assigned_team_name: Some("Admin".into()),
        created_by: "Dee Patel".into(),
        created_at: "2026-11-20T09:00:00Z".into(),
        updated_at: "2026-11-20T09:00:00Z".into(),
        updated_by: None,
        comment_count: 0,
    }
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[test]
fn overdue_and_due_today_follow_the_london_clock() {
    // 23:30 UTC on 1 July is 00:30 on 2 July in London.
    let t = task_due(Some("2026-07-01T23:30:00Z"), TaskStatus::Requested);
    assert_eq!(
        t.due(at("2026-07-01T22:00:00Z")),
        Due::Later,
        "still 1 July in London"
    );
    assert_eq!(
        t.due(at("2026-07-01T23:10:00Z")),
        Due::Today,
        "now 2 July in London"
    );
    assert_eq!(t.due(at("2026-07-01T23:30:00Z")), Due::Overdue);
    assert_eq!(
        t.due_text(at("2026-07-01T23:10:00Z")).as_deref(),
        Some("Due 00:30 today")
    );
    // In winter London is on UTC.
    let w = task_due(Some("2026-12-01T23:30:00Z"), TaskStatus::InProgress);
    assert_eq!(w.due(at("2026-12-01T22:00:00Z")), Due::Today);
    assert_eq!(w.due(at("2026-12-02T00:00:00Z")), Due::Overdue);
    // The night the clocks go back: due 01:30 BST (00:30 UTC) is overdue at 01:10 GMT.
    let autumn = task_due(Some("2026-10-25T00:30:00Z"), TaskStatus::Requested);
    assert_eq!(autumn.due(at("2026-10-25T01:10:00Z")), Due::Overdue);
    // Closed or undated tasks are never overdue.
    assert_eq!(
        task_due(Some("2020-01-01T00:00:00Z"), TaskStatus::Completed)
            .due(at("2026-01-01T00:00:00Z")),
        Due::Unset
    );
    assert_eq!(
        task_due(None, TaskStatus::Requested).due(at("2026-01-01T00:00:00Z")),
        Due::Unset
    );
}

#[test]
fn team_list_filters_and_sorts() {
    let now = at("2026-11-21T12:00:00Z");
    let mut a = task_due(Some("2026-11-21T09:00:00Z"), TaskStatus::Requested); // overdue
    a.id = "a".into();
    let mut b = task_due(Some("2026-11-21T16:00:00Z"), TaskStatus::Accepted); // today, mine
    b.id = "b".into();
    b.assigned_staff_id = Some("me".into());
    b.priority = Priority::Urgent;
    let mut c = task_due(None, TaskStatus::Requested);
    c.id = "c".into();
    c.priority = Priority::Stat;
    let mut d = task_due(Some("2026-11-20T09:00:00Z"), TaskStatus::Completed);
    d.id = "d".into();
    let all = vec![a, b, c, d];
    let ids = |f: ListFilter| -> Vec<String> {
        f.apply(&all, "me", now).into_iter().map(|t| t.id).collect()
    };
    assert_eq!(
        ids(ListFilter::default()),
        ["c", "b", "a"],
        "open only, most urgent first"
    );
    assert_eq!(
        ids(ListFilter {
            by_due: true,
            ..Default::default()
        }),
        ["a", "b", "c"]
    );
    assert_eq!(
        ids(ListFilter {
            unassigned_only: true,
            ..Default::default()
        }),
        ["c", "a"]
    );
    assert_eq!(
        ids(ListFilter {
            mine_only: true,
            ..Default::default()
        }),
        ["b"]
    );
    assert_eq!(
        ids(ListFilter {
            due: Some(Due::Overdue),
            ..Default::default()
        }),
        ["a"]
    );
    assert_eq!(
        ids(ListFilter {
            due: Some(Due::Today),
            ..Default::default()
        }),
        ["b"]
    );
    assert_eq!(
        ids(ListFilter {
            priority: Some(Priority::Stat),
            ..Default::default()
        }),
        ["c"]
    );
}

proptest! {
    /// Whatever anyone does, a closed task only ever reopens, and an
    /// open task can always be completed or cancelled.
    #[test]
    fn any_sequence_keeps_the_rules(actions in proptest::collection::vec(0usize..7, 0..40)) {
        let mut s = TaskStatus::Requested;
        for i in actions {
            let a = TaskAction::ALL[i];
            match s.apply(a) {
                Ok(next) => {
                    if !s.is_open() {
                        prop_assert_eq!(a, TaskAction::Reopen);
                    }
                    s = next;
                }
                Err(e) => prop_assert_eq!(e.from, s),
            }
            if s.is_open() {
                prop_assert!(s.apply(TaskAction::Complete).is_ok());
                prop_assert!(s.apply(TaskAction::Cancel).is_ok());
            }
        }
    }
}
