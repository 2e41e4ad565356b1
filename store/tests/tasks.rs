//! Team tasks against a real (in-memory) SurrealDB: the claim race, stale
//! edits, the status rules, comments and history, practice isolation.

use domain::task::{Priority, TaskAction, TaskStatus};
use std::sync::Arc;
use store::fixtures::{small_practice, SmallPractice};
use store::staff::hash_password;
use store::tasks::{Assignee, NewTask, TaskEdit, TaskError};
use store::Store;

const DATE: &str = "2026-11-21";

async fn setup() -> (Store, SmallPractice, String) {
    let store = Store::memory().await.unwrap();
    let hash = hash_password("a long test password").unwrap();
    let p = small_practice(&store, "Test Surgery", "", &hash, DATE)
        .await
        .unwrap();
    let team = store
        .create_team(&p.practice_id, "Prescriptions")
        .await
        .unwrap();
    (store, p, team)
}

fn pool_task(p: &SmallPractice, team: &str) -> NewTask {
    NewTask {
        practice_id: p.practice_id.clone(),
        title: "Repeat prescription: amlodipine".into(),
        details: "Patient asked at the desk.".into(),
        patient_id: Some(p.patient_ids[0].clone()),
        priority: Priority::Urgent,
        due_at: None,
        assigned_staff: None,
        assigned_team: Some(team.to_string()),
        created_by: p.staff_id("reception").into(),
    }
}

#[tokio::test]
async fn a_task_is_created_with_its_patient_and_history_and_appends_an_event() {
    let (store, p, team) = setup().await;
    let before = store.event_seq(&p.practice_id).await.unwrap();
    let t = store.create_task(&pool_task(&p, &team)).await.unwrap();
    assert_eq!(t.status, TaskStatus::Requested);
    assert_eq!(t.patient_name.as_deref(), Some("Mr John SMITH"));
    assert_eq!(t.patient_nhs_number.as_deref(), Some("9990000018"));
    assert_eq!(t.assigned_team_name.as_deref(), Some("Prescriptions"));
    assert_eq!(t.created_by, "Dee Patel");
    let events = store
        .events_since(&p.practice_id, before, 10)
        .await
        .unwrap();
    assert_eq!(
        (
            events.len(),
            events[0].kind.as_str(),
            events[0].record.as_str()
        ),
        (1, "task", t.id.as_str())
    );
    assert_eq!(
        store.team_tasks(&p.practice_id, &team).await.unwrap().len(),
        1
    );
    let history = store.task_history(&p.practice_id, &t.id).await.unwrap();
    assert_eq!(
        (history[0].0.as_str(), history[0].1.as_str()),
        ("Dee Patel", "Created")
    );

    // Bad input: a clear reason, nothing written.
    let mut bad = pool_task(&p, &team);
    bad.title = "   ".into();
    assert!(matches!(
        store.create_task(&bad).await.unwrap_err(),
        TaskError::Field("title", _)
    ));
    let mut both = pool_task(&p, &team);
    both.assigned_staff = Some(p.staff_id("admin").into());
    assert!(matches!(
        store.create_task(&both).await.unwrap_err(),
        TaskError::Field("assignee", _)
    ));
    assert_eq!(store.event_seq(&p.practice_id).await.unwrap(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_simultaneous_claims_have_exactly_one_winner() {
    let (store, p, team) = setup().await;
    let t = store.create_task(&pool_task(&p, &team)).await.unwrap();
    let store = Arc::new(store);
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let claimants = ["gp", "gp2", "nurse", "reception", "admin"];
    let mut handles = Vec::new();
    for i in 0..20 {
        let (store, barrier) = (store.clone(), barrier.clone());
        let (practice, id, by) = (
            p.practice_id.clone(),
            t.id.clone(),
            p.staff_id(claimants[i % 5]).to_string(),
        );
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            store.claim_task(&practice, &id, &by).await
        }));
    }
    let mut winners = Vec::new();
    let mut told = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(v) => winners.push(v),
            Err(TaskError::ClaimedBy { by, current }) => {
                assert_eq!(Some(by.as_str()), current.assigned_staff_name.as_deref());
                told += 1;
            }
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    assert_eq!((winners.len(), told), (1, 19));
    let now = store.task(&p.practice_id, &t.id).await.unwrap();
    assert_eq!(now.status, TaskStatus::Accepted);
    assert_eq!(now.assigned_staff_id, winners[0].assigned_staff_id);
    assert_eq!(now.version, t.version + 1, "one change, not twenty");
    let claims = store
        .task_history(&p.practice_id, &t.id)
        .await
        .unwrap()
        .iter()
        .filter(|h| h.1 == "Claimed")
        .count();
    assert_eq!(claims, 1);
}

#[tokio::test]
async fn a_stale_edit_gets_a_conflict_carrying_the_current_task() {
    let (store, p, team) = setup().await;
    let t = store.create_task(&pool_task(&p, &team)).await.unwrap();
    let edit = |title: &str| TaskEdit {
        title: title.into(),
        details: t.details.clone(),
        priority: Priority::Asap,
        due_at: None,
    };
    let first = store
        .edit_task(
            &p.practice_id,
            &t.id,
            t.version,
            &edit("Amlodipine 5 mg: 28 days"),
            p.staff_id("admin"),
        )
        .await
        .unwrap();
    assert_eq!(first.version, t.version + 1);
    let err = store
        .edit_task(
            &p.practice_id,
            &t.id,
            t.version,
            &edit("Amlodipine 10 mg"),
            p.staff_id("reception"),
        )
        .await
        .unwrap_err();
    let TaskError::Stale { current } = err else {
        panic!("expected Stale, got {err:?}")
    };
    assert_eq!(current.title, "Amlodipine 5 mg: 28 days");
    assert_eq!(current.updated_by.as_deref(), Some("Eve Morgan"));
    assert_eq!(
        store.task(&p.practice_id, &t.id).await.unwrap().title,
        "Amlodipine 5 mg: 28 days",
        "not overwritten"
    );
}

#[tokio::test]
async fn status_rules_comments_and_history() {
    let (store, p, team) = setup().await;
    let by = p.staff_id("admin");
    let t = store.create_task(&pool_task(&p, &team)).await.unwrap();
    let err = store
        .task_action(&p.practice_id, &t.id, t.version, TaskAction::Resume, by)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot resume it: the task is requested.");
    let t = store.claim_task(&p.practice_id, &t.id, by).await.unwrap();
    let t = store
        .task_action(&p.practice_id, &t.id, t.version, TaskAction::Start, by)
        .await
        .unwrap();
    let t = store
        .comment_on_task(&p.practice_id, &t.id, "Phoned the pharmacy.", by)
        .await
        .unwrap();
    let t = store
        .task_action(&p.practice_id, &t.id, t.version, TaskAction::Complete, by)
        .await
        .unwrap();
    assert_eq!(t.status, TaskStatus::Completed);
    assert!(
        store
            .team_tasks(&p.practice_id, &team)
            .await
            .unwrap()
            .is_empty(),
        "completed tasks leave the open list"
    );
    let what: Vec<String> = store
        .task_history(&p.practice_id, &t.id)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.1)
        .collect();
    assert_eq!(
        what,
        vec![
            "Created",
            "Claimed",
            "Accepted → In progress",
            "Commented",
            "In progress → Completed"
        ]
    );
    assert!(matches!(
        store
            .comment_on_task(&p.practice_id, &t.id, "  ", by)
            .await
            .unwrap_err(),
        TaskError::Field("comment", _)
    ));
}

#[tokio::test]
async fn another_practice_cannot_read_claim_or_change_a_task() {
    let (store, p, team) = setup().await;
    let t = store.create_task(&pool_task(&p, &team)).await.unwrap();
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, DATE)
        .await
        .unwrap();
    let intruder = other.staff_id("admin");
    assert!(matches!(
        store.task(&other.practice_id, &t.id).await.unwrap_err(),
        TaskError::NotFound
    ));
    assert!(matches!(
        store
            .claim_task(&other.practice_id, &t.id, intruder)
            .await
            .unwrap_err(),
        TaskError::NotFound
    ));
    assert!(matches!(
        store
            .comment_on_task(&other.practice_id, &t.id, "hello", intruder)
            .await
            .unwrap_err(),
        TaskError::NotFound
    ));
    assert!(store
        .team_tasks(&other.practice_id, &team)
        .await
        .unwrap()
        .is_empty());
    // Nor can a task be pointed at another practice's team or patient.
    let mut theirs = pool_task(&other, &team);
    theirs.patient_id = None;
    assert!(matches!(
        store.create_task(&theirs).await.unwrap_err(),
        TaskError::Field("assignee", _)
    ));
    assert_eq!(
        store.task(&p.practice_id, &t.id).await.unwrap().version,
        t.version
    );
}

#[tokio::test]
async fn reassigning_tells_the_list_it_left_and_the_one_it_joined() {
    let (store, p, team) = setup().await;
    let admin_team = store.create_team(&p.practice_id, "Admin").await.unwrap();
    let t = store.create_task(&pool_task(&p, &team)).await.unwrap();
    let by = p.staff_id("admin");
    let before = store.event_seq(&p.practice_id).await.unwrap();
    let moved = store
        .reassign_task(
            &p.practice_id,
            &t.id,
            t.version,
            &Assignee::Team(admin_team.clone()),
            by,
        )
        .await
        .unwrap();
    assert_eq!(moved.assigned_team_name.as_deref(), Some("Admin"));
    assert_eq!(moved.version, t.version + 1);
    let events = store
        .events_since(&p.practice_id, before, 10)
        .await
        .unwrap();
    let mut teams: Vec<Option<String>> = events.iter().map(|e| e.team.clone()).collect();
    teams.sort();
    let mut expected = vec![Some(team.clone()), Some(admin_team.clone())];
    expected.sort();
    assert_eq!(teams, expected, "both team lists are told");
    assert!(store
        .team_tasks(&p.practice_id, &team)
        .await
        .unwrap()
        .is_empty());

    // To a person: it becomes theirs (accepted) and their list is told.
    let gp = p.staff_id("gp");
    let before = store.event_seq(&p.practice_id).await.unwrap();
    let mine = store
        .reassign_task(
            &p.practice_id,
            &t.id,
            moved.version,
            &Assignee::Staff(gp.into()),
            by,
        )
        .await
        .unwrap();
    assert_eq!(mine.assigned_staff_name.as_deref(), Some("Dr Ann Carter"));
    assert_eq!(mine.status, TaskStatus::Accepted);
    let events = store
        .events_since(&p.practice_id, before, 10)
        .await
        .unwrap();
    assert!(events.iter().any(|e| e.staff.as_deref() == Some(gp)));
    assert_eq!(store.my_tasks(&p.practice_id, gp).await.unwrap().len(), 1);
    let history = store.task_history(&p.practice_id, &t.id).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.1.as_str()).collect::<Vec<_>>(),
        [
            "Created",
            "Reassigned to the Admin team",
            "Reassigned to Dr Ann Carter"
        ]
    );

    // From an old version: a conflict, nothing changed.
    let stale = store
        .reassign_task(
            &p.practice_id,
            &t.id,
            moved.version,
            &Assignee::Team(team.clone()),
            by,
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, TaskError::Stale { ref current } if current.version == mine.version));
    // A closed task is reopened first.
    let done = store
        .task_action(
            &p.practice_id,
            &t.id,
            mine.version,
            TaskAction::Complete,
            gp,
        )
        .await
        .unwrap();
    let closed = store
        .reassign_task(
            &p.practice_id,
            &t.id,
            done.version,
            &Assignee::Team(team.clone()),
            by,
        )
        .await
        .unwrap_err();
    assert!(closed.to_string().contains("reopen it"), "{closed}");

    // Another practice's person or team is refused; nothing changes.
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, DATE)
        .await
        .unwrap();
    let reopened = store
        .task_action(&p.practice_id, &t.id, done.version, TaskAction::Reopen, gp)
        .await
        .unwrap();
    for to in [
        Assignee::Staff(other.staff_id("gp").into()),
        Assignee::Team("nope".into()),
    ] {
        assert!(matches!(
            store
                .reassign_task(&p.practice_id, &t.id, reopened.version, &to, by)
                .await
                .unwrap_err(),
            TaskError::Field("assignee", _)
        ));
    }
    assert!(matches!(
        store
            .reassign_task(
                &other.practice_id,
                &t.id,
                reopened.version,
                &Assignee::Team(team),
                other.staff_id("admin")
            )
            .await
            .unwrap_err(),
        TaskError::NotFound
    ));
    assert_eq!(
        store.task(&p.practice_id, &t.id).await.unwrap().version,
        reopened.version
    );
}

#[tokio::test]
async fn admins_manage_team_membership_within_their_practice() {
    let (store, p, team) = setup().await;
    let nurse = p.staff_id("nurse");
    store
        .add_team_member(&p.practice_id, &team, nurse)
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_team_member(&p.practice_id, &team, nurse)
            .await
            .unwrap_err(),
        store::StoreError::AlreadyExists
    ));
    let teams = store.teams_with_members(&p.practice_id).await.unwrap();
    let rx = teams.iter().find(|t| t.id == team).unwrap();
    assert_eq!(
        rx.members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["Nurse Cara Lee"]
    );
    let hash = hash_password("a long test password").unwrap();
    let other = small_practice(&store, "Other Surgery", "o", &hash, DATE)
        .await
        .unwrap();
    let e = store
        .add_team_member(&p.practice_id, &team, other.staff_id("gp"))
        .await
        .unwrap_err();
    assert!(matches!(e, store::StoreError::NotFound), "{e:?}");
    let e = store
        .add_team_member(&other.practice_id, &team, other.staff_id("gp"))
        .await
        .unwrap_err();
    assert!(matches!(e, store::StoreError::NotFound), "{e:?}");
    assert!(matches!(
        store
            .remove_team_member(&other.practice_id, &team, nurse)
            .await
            .unwrap_err(),
        store::StoreError::NotFound
    ));
    store
        .remove_team_member(&p.practice_id, &team, nurse)
        .await
        .unwrap();
    let teams = store.teams_with_members(&p.practice_id).await.unwrap();
    let left = &teams.iter().find(|t| t.id == team).unwrap().members;
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(store.practice_staff(&p.practice_id).await.unwrap().len(), 5);
}

#[tokio::test]
async fn servers_share_one_relay_key_and_see_each_other_until_they_leave() {
    let (store, _, _) = setup().await;
    let key = store.cluster_secret().await.unwrap();
    assert_eq!(key.len(), 64);
    assert_eq!(
        store.cluster_secret().await.unwrap(),
        key,
        "the first key stays"
    );
    store.announce_node("a", "127.0.0.1:1000").await.unwrap();
    store.announce_node("b", "127.0.0.1:2000").await.unwrap();
    let seen_by_a = store.live_nodes("a", 10).await.unwrap();
    assert_eq!(
        seen_by_a,
        [store::cluster::Node {
            id: "b".into(),
            address: "127.0.0.1:2000".into()
        }]
    );
    store.forget_node("b").await.unwrap();
    assert!(store.live_nodes("a", 10).await.unwrap().is_empty());
}
