//! Tasks through the FHIR API: another system raises a task for a team
//! (it reaches the team's live list and names the system), finds it by
//! owner, status, patient and when last changed, and moves it on only
//! from the version it read; writes need the scope; another practice's
//! task is not found; bad tasks are refused by element and change nothing.

mod common;

use common::fhir::{call, client_token, get, issue};
use common::*;
use domain::live::{Rows, ServerMessage, Topic};
use serde_json::{json, Value};
use std::time::Duration;
use store::audit::AuditFilter;

fn new_task(team: &str, patient: &str) -> Value {
    json!({
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "priority": "urgent",
        "description": "Repeat prescription: amlodipine",
        "note": [{ "text": "Asked for by the community pharmacy." }],
        "for": { "reference": format!("Patient/{patient}") },
        "owner": { "reference": format!("CareTeam/{team}") },
        "restriction": { "period": { "end": "2030-06-03T16:00:00Z" } }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_raises_a_task_that_reaches_the_team_live_and_moves_it_on_by_version() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let team = w
        .ours
        .db(&w.store)
        .create_team("Prescriptions")
        .await
        .unwrap();
    let patient = &w.ours.patient_ids[1];
    let (tok, client) = client_token(&addr, &w, "system/Task.cruds system/CareTeam.rs").await;

    // The team is there to give tasks to.
    let teams = get(&addr, "/fhir/r4/CareTeam?name=prescr", &tok).await;
    assert_eq!(teams.status, 200, "{}", teams.body);
    assert_eq!(teams.json()["entry"][0]["resource"]["id"], json!(team));

    // Admin watches the team's list.
    let admin = sign_in(&state, &addr, "admin").await;
    let mut ws = staff_socket(&addr, &admin).await;
    subscribe(&mut ws, Topic::TeamTasks { team: team.clone() }, None).await;

    let created = call(
        &addr,
        "POST",
        "/fhir/r4/Task",
        &tok,
        &[],
        &new_task(&team, patient).to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("etag"), Some("W/\"1\""));
    let t = created.json();
    let id = t["id"].as_str().unwrap().to_string();
    assert!(created
        .header("location")
        .unwrap()
        .ends_with(&format!("/fhir/r4/Task/{id}/_history/1")));
    assert_eq!(t["status"], "requested");
    assert_eq!(t["owner"]["reference"], format!("CareTeam/{team}"));
    assert_eq!(t["for"]["display"], "Mrs Aisha KHAN");
    assert_eq!(t["requester"]["display"], "Test system (API)");
    assert_eq!(t["restriction"]["period"]["end"], "2030-06-03T16:00:00Z");
    assert_eq!(t["note"][0]["text"], "Asked for by the community pharmacy.");

    // It arrives in the team's list as any task does, urgent, for the patient.
    let Some(ServerMessage::Changes {
        rows: Rows::Tasks(rows),
        ..
    }) = next(&mut ws, Duration::from_secs(3)).await
    else {
        panic!("the task did not reach the team's list")
    };
    assert_eq!(rows[0].id, id);
    assert_eq!(rows[0].priority, domain::task::Priority::Urgent);
    assert_eq!(
        rows[0].due_at.as_deref().map(|d| &d[..16]),
        Some("2030-06-03T16:00")
    );

    // Found by owner, status, patient and when last changed.
    let search = |q: String| {
        let (addr, tok) = (addr.clone(), tok.clone());
        async move {
            let r = get(&addr, &format!("/fhir/r4/Task?{q}"), &tok).await;
            assert_eq!(r.status, 200, "{q}: {}", r.body);
            r.json()["total"].as_u64().unwrap()
        }
    };
    let today = domain::time::london_today(chrono::Utc::now());
    assert_eq!(search(format!("owner=CareTeam/{team}")).await, 1);
    assert_eq!(search("status=requested,accepted".into()).await, 1);
    assert_eq!(search("status=completed".into()).await, 0);
    assert_eq!(search(format!("patient=Patient/{patient}")).await, 1);
    assert_eq!(
        search(format!("patient={}", w.ours.patient_ids[0])).await,
        0
    );
    assert_eq!(search(format!("_lastUpdated=ge{today}")).await, 1);
    assert_eq!(search(format!("_lastUpdated=lt{today}")).await, 0);
    assert_eq!(
        search("_lastUpdated=ge2000-01-01T00:00:00Z&_lastUpdated=le2001".into()).await,
        0
    );
    let bad = get(&addr, "/fhir/r4/Task?status=done", &tok).await;
    assert_eq!(bad.status, 400);
    assert!(
        issue(&bad).1.contains("status: done is not a task status"),
        "{}",
        bad.body
    );

    // A status change needs the version read; a stale one changes nothing.
    let path = format!("/fhir/r4/Task/{id}");
    let mut started = t.clone();
    started["status"] = "in-progress".into();
    let body = started.to_string();
    let missing = call(&addr, "PUT", &path, &tok, &[], &body).await;
    assert_eq!(missing.status, 428);
    let old = call(&addr, "PUT", &path, &tok, &[("If-Match", "W/\"7\"")], &body).await;
    assert_eq!(old.status, 412, "{}", old.body);
    let mut retitled = t.clone();
    retitled["description"] = "Something else".into();
    let r = call(
        &addr,
        "PUT",
        &path,
        &tok,
        &[("If-Match", "W/\"1\"")],
        &retitled.to_string(),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(issue(&r).1.contains("Only status may change"), "{}", r.body);
    let mut claimed = t.clone();
    claimed["status"] = "accepted".into();
    let r = call(
        &addr,
        "PUT",
        &path,
        &tok,
        &[("If-Match", "W/\"1\"")],
        &claimed.to_string(),
    )
    .await;
    assert_eq!(
        r.status, 422,
        "a system cannot claim a task for itself: {}",
        r.body
    );
    assert!(issue(&r).1.starts_with("status: "), "{}", r.body);
    assert_eq!(
        get(&addr, &path, &tok).await.json()["meta"]["versionId"],
        "1"
    );

    let moved = call(&addr, "PUT", &path, &tok, &[("If-Match", "W/\"1\"")], &body).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.header("etag"), Some("W/\"2\""));
    assert_eq!(moved.json()["status"], "in-progress");
    // The colleague reading it now sees who moved it on.
    let page = services::tasks::page(
        &w.store,
        &actor(&w.ours, "admin"),
        &domain::TaskId::new(id.clone()),
    )
    .await
    .unwrap();
    assert_eq!(page.task.updated_by.as_deref(), Some("Test system (API)"));
    assert_eq!(
        page.history
            .iter()
            .map(|(by, what, _)| format!("{by}: {what}"))
            .collect::<Vec<_>>(),
        [
            "Test system (API): Created",
            "Test system (API): Requested → In progress"
        ]
    );

    // Every read and write is in the audit trail, naming the client.
    let rows = w
        .ours
        .db(&w.store)
        .audit_rows(
            &AuditFilter {
                patient_id: Some(patient.clone()),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    let by_client: Vec<&str> = rows
        .iter()
        .filter(|r| r.role.as_deref() == Some(&format!("api_client:{client}")))
        .map(|r| r.action.as_str())
        .collect();
    for action in [
        "created a task",
        "found a task in a search",
        "read a task",
        "changed a task's status",
    ] {
        assert!(by_client.contains(&action), "{action}: {by_client:?}");
    }
}

#[tokio::test]
async fn task_writes_need_the_scope_other_practices_tasks_are_not_found_and_bad_tasks_change_nothing(
) {
    let w = world().await;
    let addr = serve(state(&w.store)).await;
    let ours = w.ours.db(&w.store).create_team("Letters").await.unwrap();
    let theirs = w.theirs.db(&w.store).create_team("Letters").await.unwrap();
    let patient = &w.ours.patient_ids[0];
    let their_task = services::tasks::create(
        &w.store,
        &actor(&w.theirs, "admin"),
        services::tasks::TaskForm {
            title: "Their letter".into(),
            details: String::new(),
            priority: domain::task::Priority::Routine,
            patient: None,
            assignee: domain::task::TaskAssignee::Team(theirs.clone().into()),
            due_date: None,
            due_time: None,
        },
    )
    .await
    .unwrap();

    // Read-only: may look, may not raise or change.
    let (reader, _) = client_token(&addr, &w, "system/Task.rs").await;
    let r = call(
        &addr,
        "POST",
        "/fhir/r4/Task",
        &reader,
        &[],
        &new_task(&ours, patient).to_string(),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(issue(&r).0, "forbidden");
    assert_eq!(get(&addr, "/fhir/r4/Task", &reader).await.status, 200);

    let (tok, _) = client_token(&addr, &w, "system/Task.cruds").await;
    // Another practice's task, team and patient are not ours to see or use.
    let r = get(&addr, &format!("/fhir/r4/Task/{}", their_task.id), &tok).await;
    assert_eq!(r.status, 404);
    assert_eq!(issue(&r).0, "not-found");
    let theirs_owner = new_task(&theirs, patient).to_string();
    let r = call(&addr, "POST", "/fhir/r4/Task", &tok, &[], &theirs_owner).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(issue(&r).1.starts_with("owner: "), "{}", r.body);
    let their_patient = new_task(&ours, &w.theirs.patient_ids[0]).to_string();
    let r = call(&addr, "POST", "/fhir/r4/Task", &tok, &[], &their_patient).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(issue(&r).1.starts_with("for: "), "{}", r.body);

    // Bad tasks, each refused by the element at fault.
    let cases: [(&str, Value, &str); 6] = [
        ("description", Value::Null, "description: "),
        ("description", json!("   "), "description: "),
        ("intent", json!("plan"), "intent: "),
        ("owner", json!({ "reference": "Organization/x" }), "owner: "),
        ("priority", json!("soon"), "priority: "),
        (
            "restriction",
            json!({ "period": { "end": "tomorrow" } }),
            "restriction.period.end: ",
        ),
    ];
    for (element, value, said) in cases {
        let mut body = new_task(&ours, patient);
        if value.is_null() {
            body.as_object_mut().unwrap().remove(element);
        } else {
            body[element] = value;
        }
        let r = call(&addr, "POST", "/fhir/r4/Task", &tok, &[], &body.to_string()).await;
        assert_eq!(r.status, 422, "{element}: {}", r.body);
        assert!(issue(&r).1.starts_with(said), "{element}: {}", r.body);
    }
    let all = get(&addr, "/fhir/r4/Task", &tok).await.json();
    assert_eq!(all["total"], 0, "nothing was created: {all}");
}
