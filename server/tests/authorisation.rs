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
use common::calls::*;
use common::*;
use domain::live::{ClientMessage, Place, ServerMessage, Topic};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const TABLE: &str = "tests/authorisation.txt";
const CALLERS: [&str; 7] = [
    "reception",
    "gp",
    "nurse",
    "admin",
    "operator",
    "call-screen",
    "signed-out",
];

/// The deployment's operator (`service_admin`, in the operators' own
/// practice), signing in as "operator" with the fixture password.
async fn add_operator(w: &World) {
    let ops = w.store.operators_practice().await.unwrap();
    w.store
        .practice(&ops)
        .create_staff(store::staff::NewStaff {
            username: &domain::Username::parse("operator").unwrap(),
            display_name: "Olu Operator",
            role: domain::Role::ServiceAdmin,
            password_hash: store::staff::hash_password(store::fixtures::PASSWORD).unwrap(),
        })
        .await
        .unwrap();
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
    if caller == "operator" {
        add_operator(&w).await;
    }
    let cookie = match caller {
        "call-screen" | "signed-out" => None,
        role => Some(sign_in(&state, host, role).await),
    };
    let caller_id = w.ours.staff_id(match caller {
        "call-screen" | "signed-out" | "operator" => "gp",
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
        Topic::Inbox { .. } => "topic inbox",
        Topic::ResultsPool => "topic results_pool",
        Topic::Patient { .. } => "topic patient",
        Topic::Unmatched => "topic unmatched",
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
    if caller == "operator" {
        add_operator(&w).await;
    }
    let me = match caller {
        "call-screen" | "signed-out" | "operator" => "gp",
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
        ("-".into(), "", Ok(Topic::ResultsPool)),
        ("-".into(), "", Ok(Topic::Unmatched)),
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
            Ok(Topic::Inbox {
                staff: pick(o, w.ours.staff_id("gp"), w.theirs.staff_id("gp")),
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
            Ok(Topic::Patient {
                id: pick(o, &w.ours.patient_ids[0], &w.theirs.patient_ids[0]),
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
    let path = package_dir().join(TABLE);
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
    let table = std::fs::read_to_string(package_dir().join(TABLE)).unwrap();
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
