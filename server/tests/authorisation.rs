//! The authorisation matrix: every server function and every websocket
//! topic and presence place, called as every kind of caller (reception,
//! GP, nurse, admin, a call screen, signed out) on an object of their own
//! practice, of another practice, and one that does not exist, compared
//! cell by cell with the checked-in table `authorisation.txt`.
//!
//! A server function registered with the framework that has no row here
//! fails the test (`every_server_function_has_a_row`), and so does a new
//! topic or place (the exhaustive matches in `topic_name` and `place_name`
//! stop the build until it is given cases). To review a deliberate change:
//! `OP_UPDATE_MATRIX=1 cargo test -p server --test authorisation`, then
//! read the table's diff.

mod common;

use axum::http::StatusCode;
use common::*;
use domain::live::{ClientMessage, Place, ServerMessage, Topic};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use store::fixtures::SmallPractice;

const TABLE: &str = "tests/authorisation.txt";
const CALLERS: [&str; 6] = [
    "reception",
    "gp",
    "nurse",
    "admin",
    "call-screen",
    "signed-out",
];
const MISSING: &str = "0000000000000000000000000000dead";

/// Which object a call names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Obj {
    Own,
    Other,
    Missing,
}

impl Obj {
    const ALL: [Obj; 3] = [Obj::Own, Obj::Other, Obj::Missing];
    fn name(self) -> &'static str {
        match self {
            Obj::Own => "own",
            Obj::Other => "other",
            Obj::Missing => "missing",
        }
    }
}

/// What each practice has besides the fixture: the objects the calls name.
struct Objects {
    task_for_action: String,
    task_for_edit: String,
    task_for_reassign: String,
    task_for_comment: String,
    team: String,
    display_link: String,
    record_item: String,
    consultation: String,
}

async fn objects(w: &World, p: &SmallPractice) -> Objects {
    let gp = actor(p, "gp");
    let admin = actor(p, "admin");
    let team = p.db(&w.store).create_team("Prescriptions").await.unwrap();
    let mut tasks = Vec::new();
    for title in ["Action", "Edit", "Reassign", "Comment"] {
        let t = services::tasks::create(
            &w.store,
            &admin,
            services::tasks::TaskForm {
                title: format!("{title} me"),
                details: String::new(),
                priority: domain::task::Priority::Routine,
                patient: None,
                assignee: domain::task::TaskAssignee::Team(team.clone().into()),
                due_date: None,
                due_time: None,
            },
        )
        .await
        .unwrap();
        tasks.push(t.id);
    }
    services::display::create(&w.store, &admin).await.unwrap();
    let display_link = services::display::list(&w.store, &admin).await.unwrap()[0]
        .id
        .clone();
    let patient = domain::PatientId::new(p.patient_ids[0].as_str());
    let item = services::record::add_item(
        &w.store,
        &gp,
        &patient,
        &domain::record::ItemForm {
            kind: "problem".into(),
            term: "Asthma".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let consultation = services::record::save_consultation(
        &w.store,
        &gp,
        &patient,
        &domain::record::ConsultationForm {
            history: "Cough for a week.".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    Objects {
        task_for_action: tasks[0].to_string(),
        task_for_edit: tasks[1].to_string(),
        task_for_reassign: tasks[2].to_string(),
        task_for_comment: tasks[3].to_string(),
        team,
        display_link: display_link.to_string(),
        record_item: item.id.to_string(),
        consultation: consultation.to_string(),
    }
}

/// One call: the row's name, the object column, the path and the body
/// (JSON for the functions that take JSON, else a form).
struct Call {
    name: &'static str,
    obj: &'static str,
    body: Value,
    json: bool,
}

fn form_body(v: &Value) -> String {
    serde_qs::to_string(v).unwrap()
}

/// Every server function, with its arguments for each object.
fn calls(w: &World, ours: &Objects, theirs: &Objects, caller_id: &str) -> Vec<Call> {
    let pick = |o: Obj, own: &str, other: &str| -> String {
        match o {
            Obj::Own => own.to_string(),
            Obj::Other => other.to_string(),
            Obj::Missing => MISSING.to_string(),
        }
    };
    let (us, them) = (&w.ours, &w.theirs);
    let date = us.date.clone();
    let mut out = Vec::new();
    let mut none = |name: &'static str, body: Value| {
        out.push(Call {
            name,
            obj: "-",
            body,
            json: false,
        })
    };
    none("sign_in_info", json!({}));
    none("current_user", json!({}));
    none("day_info", json!({}));
    none("day_sessions", json!({"date": date}));
    none("sessions_info", json!({"date": date}));
    none("search_patients", json!({"query": "Smith"}));
    none("practice_gps", json!({}));
    none("teams", json!({}));
    none("team_admin", json!({}));
    none("practice_staff", json!({}));
    none("list_display_links", json!({}));
    none("audit_trail", json!({}));
    none("create_display_link", json!({}));
    none("add_room", json!({"room_name": "Room 9"}));
    none("create_team", json!({"name": "Letters"}));
    none(
        "register_patient",
        json!({"form": {
            "title": "Ms", "given_name": "Nia", "family_name": "Reed",
            "date_of_birth": "02/03/1990", "sex": "female", "gender": "",
            "address": "1 High Street", "postcode": "RV1 1AA", "phone": "", "email": "",
            "nhs_number": "943 476 5919", "usual_gp": "", "registered_on": ""
        }}),
    );
    none(
        "create_task",
        json!({"title": "Call back", "details": "", "priority": "routine",
               "assignee": format!("staff:{caller_id}")}),
    );
    for o in Obj::ALL {
        let obj = o.name();
        let patient = pick(o, &us.patient_ids[1], &them.patient_ids[1]);
        let clinician = pick(o, us.staff_id("gp"), them.staff_id("gp"));
        let session = pick(o, &us.gp_session_id, &them.gp_session_id);
        let appt = |i: usize| {
            (
                pick(o, &us.appointments[i].id, &them.appointments[i].id),
                match o {
                    Obj::Own => us.appointments[i].version,
                    _ => them.appointments[i].version,
                },
            )
        };
        let task = |f: fn(&Objects) -> &String| pick(o, f(ours), f(theirs));
        let mut call = |name: &'static str, body: Value, json: bool| {
            out.push(Call {
                name,
                obj,
                body,
                json,
            })
        };
        call("patient_page", json!({"id": patient}), false);
        call("consultation_page", json!({"patient_id": patient}), false);
        call("task_form", json!({"patient": patient}), false);
        call(
            "edit_patient",
            json!({"id": patient, "version": 1, "form": {
                "title": "Mrs", "given_name": "Aisha", "family_name": "Khan",
                "date_of_birth": "12/09/1987", "sex": "female", "gender": "",
                "address": "2 Mill Lane", "postcode": "RV2 2BB", "phone": "", "email": "",
                "nhs_number": "9990000026", "usual_gp": "", "registered_on": ""
            }}),
            false,
        );
        call(
            "record_item_add",
            json!({"patient_id": patient, "form": {"kind": "allergy", "term": "Penicillin"}}),
            false,
        );
        call(
            "consultation_draft",
            json!({"patient_id": patient, "form": {"history": "Draft"}}),
            true,
        );
        call(
            "consultation_save",
            json!({"patient_id": patient, "form": {"history": "Seen today."}}),
            true,
        );
        call(
            "record_item_change",
            json!({"id": pick(o, &ours.record_item, &theirs.record_item), "version": 1,
                   "action": "review", "note": "Still current."}),
            false,
        );
        call(
            "consultation_amend",
            json!({"id": pick(o, &ours.consultation, &theirs.consultation),
                   "reason": "Typo", "history": "Cough for two weeks.",
                   "examination": "", "plan": ""}),
            false,
        );
        call(
            "clinician_week",
            json!({"clinician": clinician, "from": date}),
            false,
        );
        call(
            "next_free_slot",
            json!({"clinician": clinician, "date": date}),
            false,
        );
        call(
            "add_clinic_session",
            json!({"clinician": clinician, "date": date,
                   "room": pick(o, &format!("{}-r1", us.practice_id.as_str()), &format!("{}-r1", them.practice_id.as_str())),
                   "start": "14:00", "end": "15:00", "slot_minutes": "10"}),
            false,
        );
        call(
            "book_slot",
            json!({"session_id": session, "start": "11:50", "patient_id": pick(o, &us.patient_ids[0], &them.patient_ids[0]),
                   "kind": "face_to_face"}),
            false,
        );
        let (id, version) = appt(0);
        call(
            "appointment_action",
            json!({"id": id, "version": version, "action": "mark_arrived"}),
            false,
        );
        let (id, version) = appt(1);
        call(
            "move_booking",
            json!({"id": id, "version": version, "session_id": session, "start": "11:40"}),
            false,
        );
        let (id, version) = appt(2);
        call(
            "cancel_booking",
            json!({"id": id, "version": version, "reason": "Patient rang"}),
            false,
        );
        call(
            "task_page",
            json!({"id": task(|o| &o.task_for_action)}),
            false,
        );
        call(
            "task_action",
            json!({"id": task(|o| &o.task_for_action), "version": 1, "action": "claim"}),
            false,
        );
        call(
            "edit_task",
            json!({"id": task(|o| &o.task_for_edit), "version": 1, "title": "Edited",
                   "details": "", "priority": "urgent"}),
            false,
        );
        call(
            "reassign_task",
            json!({"id": task(|o| &o.task_for_reassign), "version": 1,
                   "assignee": format!("staff:{}", clinician)}),
            false,
        );
        call(
            "comment_on_task",
            json!({"id": task(|o| &o.task_for_comment), "comment": "Done?"}),
            false,
        );
        call(
            "team_member",
            json!({"team": pick(o, &ours.team, &theirs.team), "staff": pick(o, us.staff_id("nurse"), them.staff_id("nurse")), "add": true}),
            false,
        );
        call(
            "revoke_display_link",
            json!({"id": pick(o, &ours.display_link, &theirs.display_link)}),
            false,
        );
    }
    // Last: these end the session the other calls use (signing in again
    // replaces the session the request carried).
    for (name, body) in [
        ("sign_out", json!({})),
        ("sign_in", json!({"username": "gp", "password": PASSWORD})),
    ] {
        out.push(Call {
            name,
            obj: "-",
            body,
            json: false,
        });
    }
    out
}

/// (row, object, caller) → outcome.
type Matrix = BTreeMap<(String, String), BTreeMap<String, String>>;

/// Runs every server function as `caller` on a fresh pair of practices.
async fn server_function_outcomes(caller: &str, matrix: &mut Matrix) {
    let w = world().await;
    let ours = objects(&w, &w.ours).await;
    let theirs = objects(&w, &w.theirs).await;
    let state = state(&w.store);
    let host = "127.0.0.1:3000";
    let cookie = match caller {
        "call-screen" | "signed-out" => None,
        role => Some(sign_in(&state, host, role).await),
    };
    let caller_id = w.ours.staff_id(match caller {
        "call-screen" | "signed-out" => "gp",
        role => role,
    });
    for c in calls(&w, &ours, &theirs, caller_id) {
        let path = format!("/api/{}", c.name);
        let req = if c.json {
            post(
                &path,
                host,
                "application/json",
                c.body.to_string(),
                cookie.as_deref(),
            )
        } else {
            form(&path, host, form_body(&c.body), cookie.as_deref())
        };
        let (status, body) = respond(&state, req).await;
        assert_ne!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{caller} {} {}: {body}",
            c.name,
            c.obj
        );
        if std::env::var("OP_MATRIX_SHOW").is_ok_and(|v| v.split(',').any(|n| n == c.name)) {
            eprintln!("{caller} {} {} → {status}: {body}", c.name, c.obj);
        }
        matrix
            .entry((c.name.to_string(), c.obj.to_string()))
            .or_default()
            .insert(caller.to_string(), status.as_u16().to_string());
    }
}

fn topic_name(t: &Topic) -> &'static str {
    // No wildcard: a new topic does not build until it has cases here.
    match t {
        Topic::WaitingRoom { .. } => "topic waiting_room",
        Topic::DayList { .. } => "topic day_list",
        Topic::CallScreen => "topic call_screen",
        Topic::TeamTasks { .. } => "topic team_tasks",
        Topic::MyTasks { .. } => "topic my_tasks",
        Topic::Task { .. } => "topic task",
    }
}

fn place_name(p: &Place) -> &'static str {
    match p {
        Place::Task { .. } => "place task",
        Place::Patient { .. } => "place patient",
    }
}

/// Every topic and place, as `caller`, over a real socket.
async fn socket_outcomes(caller: &str, matrix: &mut Matrix) {
    let w = world().await;
    let ours = objects(&w, &w.ours).await;
    let theirs = objects(&w, &w.theirs).await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let me = match caller {
        "call-screen" | "signed-out" => "gp",
        role => role,
    };
    let pick = |o: Obj, own: &str, other: &str| match o {
        Obj::Own => own.to_string(),
        Obj::Other => other.to_string(),
        Obj::Missing => MISSING.to_string(),
    };
    let mut cases: Vec<(String, &'static str, Result<Topic, Place>)> = vec![
        (
            "-".into(),
            "",
            Ok(Topic::WaitingRoom {
                date: w.ours.date.clone(),
            }),
        ),
        ("-".into(), "", Ok(Topic::CallScreen)),
    ];
    for o in Obj::ALL {
        let obj = o.name().to_string();
        cases.push((
            obj.clone(),
            "",
            Ok(Topic::DayList {
                clinician: pick(o, w.ours.staff_id("gp"), w.theirs.staff_id("gp")),
                date: w.ours.date.clone(),
            }),
        ));
        cases.push((
            obj.clone(),
            "",
            Ok(Topic::TeamTasks {
                team: pick(o, &ours.team, &theirs.team),
            }),
        ));
        cases.push((
            obj.clone(),
            "",
            Ok(Topic::MyTasks {
                staff: pick(o, w.ours.staff_id(me), w.theirs.staff_id(me)),
            }),
        ));
        cases.push((
            obj.clone(),
            "",
            Ok(Topic::Task {
                id: pick(o, &ours.task_for_action, &theirs.task_for_action),
            }),
        ));
        cases.push((
            obj.clone(),
            "",
            Err(Place::Task {
                id: pick(o, &ours.task_for_action, &theirs.task_for_action),
            }),
        ));
        cases.push((
            obj.clone(),
            "",
            Err(Place::Patient {
                id: pick(o, &w.ours.patient_ids[0], &w.theirs.patient_ids[0]),
            }),
        ));
    }
    // A colleague's own lists.
    cases.push((
        "colleague".into(),
        "",
        Ok(Topic::MyTasks {
            staff: w
                .ours
                .staff_id(if me == "gp" { "gp2" } else { "gp" })
                .to_string(),
        }),
    ));
    let mut ws = match caller {
        "signed-out" => None,
        "call-screen" => {
            let key = "display-secret-for-the-matrix-0123456789";
            w.ours
                .db(&w.store)
                .create_display_link(&services::auth::token_key(key), w.ours.staff_id("admin"))
                .await
                .unwrap();
            Some(display_socket(&addr, w.ours.practice_id.as_str(), key).await)
        }
        role => {
            let cookie = sign_in(&state, &addr, role).await;
            Some(staff_socket(&addr, &cookie).await)
        }
    };
    if caller == "signed-out" {
        let refused = connect(&addr, "/ws", None, Some(&format!("http://{addr}")))
            .await
            .is_err();
        assert!(refused, "a socket without a session");
    }
    for (obj, _, case) in cases {
        let (name, outcome) = match (&case, ws.as_mut()) {
            (Ok(topic), None) => (topic_name(topic), "no-socket".to_string()),
            (Err(place), None) => (place_name(place), "no-socket".to_string()),
            (Ok(topic), Some(ws)) => {
                let outcome = match subscribe(ws, topic.clone(), None).await {
                    ServerMessage::Snapshot { .. } => "snapshot",
                    ServerMessage::Refused { .. } => "refused",
                    other => panic!("{caller} {topic:?}: {other:?}"),
                };
                (topic_name(topic), outcome.to_string())
            }
            (Err(place), Some(ws)) => {
                send(
                    ws,
                    &ClientMessage::Here {
                        place: place.clone(),
                        editing: false,
                    },
                )
                .await;
                let mut outcome = "no-answer";
                while let Some(m) = next(ws, Duration::from_millis(400)).await {
                    match m {
                        ServerMessage::Presence { place: p, .. } if &p == place => {
                            outcome = "present"
                        }
                        ServerMessage::PresenceRefused { place: p, .. } if &p == place => {
                            outcome = "refused"
                        }
                        _ => {}
                    }
                }
                (place_name(place), outcome.to_string())
            }
        };
        matrix
            .entry((name.to_string(), obj))
            .or_default()
            .insert(caller.to_string(), outcome);
    }
}

fn render(matrix: &Matrix) -> String {
    let mut out = String::from(
        "# The authorisation matrix (server/tests/authorisation.rs): what each caller\n\
         # gets from each server function (HTTP status) and each live topic or\n\
         # presence place, on an object of their own practice, of another practice,\n\
         # or one that does not exist (\"-\": the call names no object).\n\
         # 200 done · 401 not signed in · 403 not for this role · 404 not found (also\n\
         # another practice's) · 409 conflict · 422 refused input.\n",
    );
    out.push_str(&format!("{:<22} {:<9}", "# call", "object"));
    for c in CALLERS {
        out.push_str(&format!(" {c:<11}"));
    }
    out.push('\n');
    for ((name, obj), cells) in matrix {
        out.push_str(&format!("{name:<22} {obj:<9}"));
        for c in CALLERS {
            out.push_str(&format!(
                " {:<11}",
                cells.get(c).map_or("?", String::as_str)
            ));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_caller_gets_what_the_table_says() {
    let mut matrix = Matrix::new();
    for caller in CALLERS {
        server_function_outcomes(caller, &mut matrix).await;
        socket_outcomes(caller, &mut matrix).await;
    }
    let actual = render(&matrix);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
    if std::env::var_os("OP_UPDATE_MATRIX").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if actual != expected {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .filter(|(e, a)| e != a)
            .map(|(e, a)| format!("expected: {e}\n  actual: {a}"))
            .collect();
        panic!(
            "the authorisation matrix differs from {TABLE} ({} vs {} lines):\n{}\n\nwhole actual table:\n{actual}",
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

/// Every server function the framework serves has a row in the table (a
/// new one without a row fails here), and every row names a real one.
#[test]
fn every_server_function_has_a_row() {
    // Linking the app registers its server functions.
    let _ = server::app;
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    assert!(registered.len() > 30, "{registered:?}");
    let table =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE))
            .unwrap();
    let rows: BTreeSet<String> = table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("topic") && !l.starts_with("place"))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    let missing: Vec<_> = registered.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "server functions with no row in {TABLE}: {missing:?}"
    );
    let stale: Vec<_> = rows.difference(&registered).collect();
    assert!(stale.is_empty(), "rows for no server function: {stale:?}");
}
