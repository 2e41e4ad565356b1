//! Team tasks through the tasks service against a real (in-memory)
//! SurrealDB: the claim race, stale edits, the status rules, comments and
//! history, reassignment, practice isolation, and refusals in words.

mod common;

use common::{actor, field, world_with_team as setup, World};
use domain::task::{Priority, TaskAction, TaskAssignee, TaskStatus, TaskView};
use domain::{TaskId, Version};
use services::tasks::{self, TaskChanges, TaskForm};
use services::ServiceError;
use std::sync::Arc;

fn pool_task(w: &World, team: &str) -> TaskForm {
    TaskForm {
        title: "Repeat prescription: amlodipine".into(),
        details: "Patient asked at the desk.".into(),
        priority: Priority::Urgent,
        patient: Some(w.ours.patient_ids[0].clone().into()),
        assignee: TaskAssignee::Team(team.into()),
        due_date: None,
        due_time: None,
    }
}

async fn create(w: &World, team: &str) -> TaskView {
    tasks::create(&w.store, &actor(&w.ours, "reception"), pool_task(w, team))
        .await
        .unwrap()
}

fn id(t: &TaskView) -> TaskId {
    TaskId::new(t.id.as_str())
}

fn v(t: &TaskView) -> Version {
    Version(t.version)
}

#[tokio::test]
async fn a_task_is_created_with_its_patient_and_history_and_appends_an_event() {
    let (w, team) = setup().await;
    let db = w.ours.db(&w.store);
    let before = db.event_seq().await.unwrap();
    let t = create(&w, &team).await;
    assert_eq!(t.status, TaskStatus::Requested);
    assert_eq!(t.patient_name.as_deref(), Some("Mr John SMITH"));
    assert_eq!(t.patient_nhs_number.as_deref(), Some("9990000018"));
    assert_eq!(t.assigned_team_name.as_deref(), Some("Prescriptions"));
    assert_eq!(t.created_by, "Dee Patel");
    let events = db.events_since(before, 10).await.unwrap();
    assert_eq!(
        (
            events.len(),
            events[0].kind.as_str(),
            events[0].record.as_str()
        ),
        (1, "task", t.id.as_str())
    );
    assert_eq!(db.team_tasks(&team).await.unwrap().len(), 1);
    let history = db.task_history(&t.id).await.unwrap();
    assert_eq!(
        (history[0].0.as_str(), history[0].1.as_str()),
        ("Dee Patel", "Created")
    );

    // Bad input: a clear reason beside its field, nothing written.
    let reception = actor(&w.ours, "reception");
    let mut bad = pool_task(&w, &team);
    bad.title = "   ".into();
    let e = tasks::create(&w.store, &reception, bad).await.unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("title"));
    let mut nobody = pool_task(&w, &team);
    nobody.assignee = TaskAssignee::Staff("nobody".into());
    let e = tasks::create(&w.store, &reception, nobody)
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("assignee"));
    assert_eq!(db.event_seq().await.unwrap(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_simultaneous_claims_have_exactly_one_winner() {
    let (w, team) = setup().await;
    let t = create(&w, &team).await;
    let w = Arc::new(w);
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let claimants = ["gp", "gp2", "nurse", "reception", "admin"];
    let mut handles = Vec::new();
    for i in 0..20 {
        let (w, barrier) = (w.clone(), barrier.clone());
        let (id, version, who) = (id(&t), v(&t), actor(&w.ours, claimants[i % 5]));
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            tasks::act(&w.store, &who, &id, version, TaskAction::Claim).await
        }));
    }
    let mut winners = Vec::new();
    let mut told = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(v) => winners.push(v),
            Err(ServiceError::Conflict {
                message,
                current: Some(domain::Current::Task(current)),
            }) => {
                assert_eq!(
                    message,
                    format!(
                        "Claimed by {}.",
                        current.assigned_staff_name.as_deref().unwrap()
                    )
                );
                told += 1;
            }
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    assert_eq!((winners.len(), told), (1, 19));
    let db = w.ours.db(&w.store);
    let now = db.task(&t.id).await.unwrap();
    assert_eq!(now.status, TaskStatus::Accepted);
    assert_eq!(now.assigned_staff_id, winners[0].assigned_staff_id);
    assert_eq!(now.version, t.version + 1, "one change, not twenty");
    let claims = db
        .task_history(&t.id)
        .await
        .unwrap()
        .iter()
        .filter(|h| h.1 == "Claimed")
        .count();
    assert_eq!(claims, 1);
}

#[tokio::test]
async fn a_stale_edit_gets_a_conflict_carrying_the_current_task() {
    let (w, team) = setup().await;
    let t = create(&w, &team).await;
    let edit = |title: &str| TaskChanges {
        title: title.into(),
        details: t.details.clone(),
        priority: Priority::Asap,
        due_date: Some(String::new()),
        due_time: None,
    };
    let first = tasks::edit(
        &w.store,
        &actor(&w.ours, "admin"),
        &id(&t),
        v(&t),
        edit("Amlodipine 5 mg: 28 days"),
    )
    .await
    .unwrap();
    assert_eq!(first.version, t.version + 1);
    let err = tasks::edit(
        &w.store,
        &actor(&w.ours, "reception"),
        &id(&t),
        v(&t),
        edit("Amlodipine 10 mg"),
    )
    .await
    .unwrap_err();
    let ServiceError::Conflict {
        message,
        current: Some(domain::Current::Task(current)),
    } = err
    else {
        panic!("expected a conflict, got {err:?}")
    };
    assert!(
        message.starts_with("Changed by Eve Morgan at "),
        "{message}"
    );
    assert!(message.ends_with("Your text is kept: check the task and save again."));
    assert_eq!(current.title, "Amlodipine 5 mg: 28 days");
    assert_eq!(current.updated_by.as_deref(), Some("Eve Morgan"));
    assert_eq!(
        w.ours.db(&w.store).task(&t.id).await.unwrap().title,
        "Amlodipine 5 mg: 28 days",
        "not overwritten"
    );
}

#[tokio::test]
async fn status_rules_comments_and_history() {
    let (w, team) = setup().await;
    let admin = actor(&w.ours, "admin");
    let t = create(&w, &team).await;
    let err = tasks::act(&w.store, &admin, &id(&t), v(&t), TaskAction::Resume)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot resume it: the task is requested.");
    let t = tasks::act(&w.store, &admin, &id(&t), v(&t), TaskAction::Claim)
        .await
        .unwrap();
    let t = tasks::act(&w.store, &admin, &id(&t), v(&t), TaskAction::Start)
        .await
        .unwrap();
    let t = tasks::comment(&w.store, &admin, &id(&t), "Phoned the pharmacy.")
        .await
        .unwrap();
    let t = tasks::act(&w.store, &admin, &id(&t), v(&t), TaskAction::Complete)
        .await
        .unwrap();
    assert_eq!(t.status, TaskStatus::Completed);
    let db = w.ours.db(&w.store);
    assert!(
        db.team_tasks(&team).await.unwrap().is_empty(),
        "completed tasks leave the open list"
    );
    let what: Vec<String> = db
        .task_history(&t.id)
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
    let e = tasks::comment(&w.store, &admin, &id(&t), "  ")
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("comment"));
}

#[tokio::test]
async fn another_practice_cannot_read_claim_or_change_a_task() {
    let (w, team) = setup().await;
    let t = create(&w, &team).await;
    let intruder = actor(&w.theirs, "admin");
    assert!(matches!(
        tasks::find(&w.store, &intruder, &id(&t)).await.unwrap_err(),
        ServiceError::NotFound
    ));
    assert!(matches!(
        tasks::act(&w.store, &intruder, &id(&t), v(&t), TaskAction::Claim)
            .await
            .unwrap_err(),
        ServiceError::NotFound
    ));
    assert!(matches!(
        tasks::comment(&w.store, &intruder, &id(&t), "hello")
            .await
            .unwrap_err(),
        ServiceError::NotFound
    ));
    assert!(w
        .theirs
        .db(&w.store)
        .team_tasks(&team)
        .await
        .unwrap()
        .is_empty());
    // Nor can a task be pointed at another practice's team or patient.
    let mut theirs = pool_task(&w, &team);
    theirs.patient = None;
    let e = tasks::create(&w.store, &intruder, theirs)
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("assignee"));
    let mut their_patient = pool_task(&w, &team);
    their_patient.assignee = TaskAssignee::Staff(w.theirs.staff_id("admin").into());
    let e = tasks::create(&w.store, &intruder, their_patient)
        .await
        .unwrap_err();
    assert_eq!(field(&e).as_deref(), Some("patient"));
    assert_eq!(
        w.ours.db(&w.store).task(&t.id).await.unwrap().version,
        t.version
    );
}

#[tokio::test]
async fn reassigning_tells_the_list_it_left_and_the_one_it_joined() {
    let (w, team) = setup().await;
    let db = w.ours.db(&w.store);
    let admin_team = db.create_team("Admin").await.unwrap();
    let t = create(&w, &team).await;
    let admin = actor(&w.ours, "admin");
    let before = db.event_seq().await.unwrap();
    let moved = tasks::reassign(
        &w.store,
        &admin,
        &id(&t),
        v(&t),
        TaskAssignee::Team(admin_team.as_str().into()),
    )
    .await
    .unwrap();
    assert_eq!(moved.assigned_team_name.as_deref(), Some("Admin"));
    assert_eq!(moved.version, t.version + 1);
    let events = db.events_since(before, 10).await.unwrap();
    let mut teams: Vec<Option<String>> = events.iter().map(|e| e.team.clone()).collect();
    teams.sort();
    let mut expected = vec![Some(team.clone()), Some(admin_team.clone())];
    expected.sort();
    assert_eq!(teams, expected, "both team lists are told");
    assert!(db.team_tasks(&team).await.unwrap().is_empty());

    // To a person: it becomes theirs (accepted) and their list is told.
    let gp = w.ours.staff_id("gp");
    let before = db.event_seq().await.unwrap();
    let mine = tasks::reassign(
        &w.store,
        &admin,
        &id(&t),
        v(&moved),
        TaskAssignee::Staff(gp.into()),
    )
    .await
    .unwrap();
    assert_eq!(mine.assigned_staff_name.as_deref(), Some("Dr Ann Carter"));
    assert_eq!(mine.status, TaskStatus::Accepted);
    let events = db.events_since(before, 10).await.unwrap();
    assert!(events.iter().any(|e| e.staff.as_deref() == Some(gp)));
    assert_eq!(db.my_tasks(gp).await.unwrap().len(), 1);
    let history = db.task_history(&t.id).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.1.as_str()).collect::<Vec<_>>(),
        [
            "Created",
            "Reassigned to the Admin team",
            "Reassigned to Dr Ann Carter"
        ]
    );

    // From an old version: a conflict, nothing changed.
    let stale = tasks::reassign(
        &w.store,
        &admin,
        &id(&t),
        v(&moved),
        TaskAssignee::Team(team.as_str().into()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(stale, ServiceError::Conflict { current: Some(domain::Current::Task(ref current)), .. } if current.version == mine.version)
    );
    // A closed task is reopened first.
    let gp_actor = actor(&w.ours, "gp");
    let done = tasks::act(&w.store, &gp_actor, &id(&t), v(&mine), TaskAction::Complete)
        .await
        .unwrap();
    let closed = tasks::reassign(
        &w.store,
        &admin,
        &id(&t),
        v(&done),
        TaskAssignee::Team(team.as_str().into()),
    )
    .await
    .unwrap_err();
    assert!(closed.to_string().contains("reopen it"), "{closed}");

    // Another practice's person or team is refused; nothing changes.
    let reopened = tasks::act(&w.store, &gp_actor, &id(&t), v(&done), TaskAction::Reopen)
        .await
        .unwrap();
    for to in [
        TaskAssignee::Staff(w.theirs.staff_id("gp").into()),
        TaskAssignee::Team("nope".into()),
    ] {
        let e = tasks::reassign(&w.store, &admin, &id(&t), v(&reopened), to)
            .await
            .unwrap_err();
        assert_eq!(field(&e).as_deref(), Some("assignee"));
    }
    assert!(matches!(
        tasks::reassign(
            &w.store,
            &actor(&w.theirs, "admin"),
            &id(&t),
            v(&reopened),
            TaskAssignee::Team(team.as_str().into())
        )
        .await
        .unwrap_err(),
        ServiceError::NotFound
    ));
    assert_eq!(db.task(&t.id).await.unwrap().version, reopened.version);
}
