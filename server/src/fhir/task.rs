//! Task: read, search (owner, status, patient, `_lastUpdated`), create,
//! and a status change (PUT with If-Match). The same task lists staff work
//! from: a task created here appears live in its team's or person's list,
//! and the status rules, the checks and the audit are the tasks service's.

use super::outcome::{resource, with_etag, Answer, Refusal};
use super::search::{bundle, date_range, reference, Query};
use super::slot::fhir_instant;
use super::write::{body_json, if_match, located, stale, without};
use super::{base_url, caller, profile};
use crate::ServerState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::task::{Priority, TaskAssignee, TaskStatus, TaskView};
use domain::{PatientId, StaffId, TaskId, TeamId, Version};
use serde_json::{json, Value};
use services::tasks::TaskForm;
use services::ServiceError;
use store::tasks::{Assignee, TaskFilter};

pub const SEARCH_PARAMS: &[(&str, &str, &str)] = &[
    ("_id", "token", "The task's id."),
    (
        "owner",
        "reference",
        "Practitioner/{id} (the person's tasks) or CareTeam/{id} (the team's unclaimed pool).",
    ),
    (
        "status",
        "token",
        "requested, accepted, in-progress, on-hold, completed or cancelled; several separated by commas.",
    ),
    ("patient", "reference", "Patient/{id}."),
    (
        "_lastUpdated",
        "date",
        "When last changed: a date (YYYY, YYYY-MM, YYYY-MM-DD, London days) or an instant, with eq, ge, le, gt or lt.",
    ),
];

fn link(kind: &str, id: &str, display: Option<&str>) -> Value {
    let mut v = json!({ "reference": format!("{kind}/{id}") });
    if let Some(d) = display {
        v["display"] = json!(d);
    }
    v
}

/// A stored RFC 3339 time as a FHIR instant (to the second).
fn instant_of(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| fhir_instant(t.with_timezone(&Utc)))
        .unwrap_or_else(|_| at.to_string())
}

pub fn to_fhir(t: &TaskView) -> Value {
    let updated = instant_of(&t.updated_at);
    let mut r = json!({
        "resourceType": "Task",
        "id": t.id,
        "meta": {
            "versionId": t.version.to_string(),
            "lastUpdated": updated,
            "profile": [profile("Task")],
        },
        "status": t.status.as_str(),
        "intent": "order",
        "priority": t.priority.as_str(),
        "description": t.title,
        "authoredOn": instant_of(&t.created_at),
        "lastModified": updated,
    });
    if !t.details.trim().is_empty() {
        r["note"] = json!([{ "text": t.details }]);
    }
    if let Some(p) = &t.patient_id {
        r["for"] = link("Patient", p, t.patient_name.as_deref());
    }
    if let Some(s) = &t.assigned_staff_id {
        r["owner"] = link("Practitioner", s, t.assigned_staff_name.as_deref());
    } else if let Some(team) = &t.assigned_team_id {
        r["owner"] = link("CareTeam", team, t.assigned_team_name.as_deref());
    }
    if !t.created_by.is_empty() {
        r["requester"] = json!({ "display": t.created_by });
    }
    if let Some(due) = t.due_instant() {
        r["restriction"] = json!({ "period": { "end": fhir_instant(due) } });
    }
    r
}

/// A service's refusal, its fields named as the Task's elements.
fn refusal(e: ServiceError, what: &str) -> Refusal {
    let e = match e {
        ServiceError::Invalid(mut fields) => {
            for f in &mut fields {
                f.field = match f.field.as_str() {
                    "title" => "description",
                    "details" => "note",
                    "patient" => "for",
                    "assignee" => "owner",
                    "due_date" | "due_time" | "due" => "restriction.period.end",
                    other => other,
                }
                .to_string();
            }
            ServiceError::Invalid(fields)
        }
        other => other,
    };
    Refusal::from_service(e, what)
}

pub async fn read(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = super::read_target("Task", &id)?;
    let t = services::tasks::api::read(&state.app.store, &actor, &TaskId::new(id))
        .await
        .map_err(|e| refusal(e, &what))?;
    Ok(with_etag(resource(StatusCode::OK, &to_fhir(&t)), t.version))
}

/// An owner reference: a person or a team.
fn owner(param: &str, value: &str) -> Result<Assignee, Refusal> {
    let bad = || {
        Refusal::invalid(format!(
            "{param}: give Practitioner/{{id}} or CareTeam/{{id}}."
        ))
    };
    let (kind, id) = value.split_once('/').ok_or_else(bad)?;
    if !super::patient::valid_id(id) {
        return Err(bad());
    }
    match kind {
        "Practitioner" => Ok(Assignee::Staff(StaffId::new(id))),
        "CareTeam" => Ok(Assignee::Team(TeamId::new(id))),
        _ => Err(bad()),
    }
}

/// [from, before): either end open.
type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// A `_lastUpdated` value as a span of instants: a date as London days,
/// or an instant.
fn updated(value: &str) -> Result<Span, Refusal> {
    let (prefix, rest) = match value.get(..2) {
        Some(p @ ("eq" | "ge" | "le" | "gt" | "lt")) => (p, &value[2..]),
        _ => ("eq", value),
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(rest) {
        let at = at.with_timezone(&Utc);
        let tick = chrono::Duration::microseconds(1);
        return Ok(match prefix {
            "ge" => (Some(at), None),
            "gt" => (Some(at + tick), None),
            "le" => (None, Some(at + tick)),
            "lt" => (None, Some(at)),
            _ => (Some(at), Some(at + chrono::Duration::seconds(1))),
        });
    }
    let (first, last) = date_range("_lastUpdated", value)?;
    let midnight = |day: &str| -> Result<DateTime<Utc>, Refusal> {
        let d = domain::time::iso_date(day)
            .ok_or_else(|| Refusal::invalid("_lastUpdated: not a date."))?;
        domain::time::london_to_utc(d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .map_err(|_| Refusal::invalid("_lastUpdated: not a London day."))
    };
    let from = first.as_deref().map(midnight).transpose()?;
    let before = match last {
        Some(day) => {
            let next = domain::time::iso_date(&day)
                .and_then(|d| d.succ_opt())
                .map(|d| d.to_string())
                .ok_or_else(|| Refusal::invalid("_lastUpdated: not a date."))?;
            Some(midnight(&next)?)
        }
        None => None,
    };
    Ok((from, before))
}

pub async fn search(State(state): State<ServerState>, parts: Parts) -> Answer {
    let actor = caller(&state, &parts).await?;
    let names: Vec<&str> = SEARCH_PARAMS.iter().map(|(n, _, _)| *n).collect();
    let q = Query::read(
        parts.uri.query(),
        &parts.headers,
        &names,
        services::patients::MAX_PAGE,
    )?;
    let mut f = TaskFilter::default();
    if let Some(id) = q.one("_id")? {
        f.id = Some(reference("_id", "Task", id)?.to_string());
    }
    if let Some(p) = q.one("patient")? {
        f.patient = Some(reference("patient", "Patient", p)?.to_string());
    }
    if let Some(o) = q.one("owner")? {
        f.owner = Some(owner("owner", o)?);
    }
    if let Some(codes) = q.one("status")? {
        let mut statuses = Vec::new();
        for code in codes.split(',') {
            let s = TaskStatus::parse(code.trim()).ok_or_else(|| {
                Refusal::invalid(format!(
                    "status: {} is not a task status.",
                    super::short(code)
                ))
            })?;
            statuses.push(s.as_str().to_string());
        }
        f.statuses = Some(statuses);
    }
    for v in q.all("_lastUpdated") {
        let (from, before) = updated(v)?;
        if let Some(from) = from {
            f.updated_from = Some(f.updated_from.map_or(from, |b| b.max(from)));
        }
        if let Some(before) = before {
            f.updated_before = Some(f.updated_before.map_or(before, |b| b.min(before)));
        }
    }
    let (total, page) =
        services::tasks::api::search(&state.app.store, &actor, &f, q.offset, q.count)
            .await
            .map_err(|e| refusal(e, "Task"))?;
    let base = base_url(&state, &parts.headers);
    Ok(resource(
        StatusCode::OK,
        &bundle(&base, "Task", &q, total, page.iter().map(to_fhir).collect()),
    ))
}

fn unprocessable(diagnostics: impl Into<String>) -> Refusal {
    Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", diagnostics)
}

/// The new task a POSTed Task asks for.
fn form_of(v: &Value) -> Result<TaskForm, Refusal> {
    if v["intent"] != "order" {
        return Err(unprocessable("intent: a task here is an order."));
    }
    let title = v["description"]
        .as_str()
        .ok_or_else(|| unprocessable("description: say what is to be done."))?;
    let owner_ref = v["owner"]["reference"]
        .as_str()
        .ok_or_else(|| unprocessable("owner: give Practitioner/{id} or CareTeam/{id}."))?;
    let assignee = match owner("owner", owner_ref).map_err(|r| unprocessable(r.diagnostics))? {
        Assignee::Staff(s) => TaskAssignee::Staff(s),
        Assignee::Team(t) => TaskAssignee::Team(t),
    };
    let status_ok = matches!(
        (&assignee, v["status"].as_str()),
        (_, Some("requested")) | (TaskAssignee::Staff(_), Some("accepted"))
    );
    if !status_ok {
        return Err(unprocessable(
            "status: a new task is requested (or accepted, when its owner is a Practitioner).",
        ));
    }
    let priority = match v["priority"].as_str() {
        None => Priority::Routine,
        Some(p) => Priority::parse(p)
            .ok_or_else(|| unprocessable("priority: routine, urgent, asap or stat."))?,
    };
    let patient = match v["for"]["reference"].as_str() {
        None if v.get("for").is_none() => None,
        None => return Err(unprocessable("for: give Patient/{id}.")),
        Some(r) => Some(PatientId::new(
            reference("for", "Patient", r).map_err(|r| unprocessable(r.diagnostics))?,
        )),
    };
    let details: Vec<&str> = v["note"]
        .as_array()
        .map(|notes| notes.iter().filter_map(|n| n["text"].as_str()).collect())
        .unwrap_or_default();
    let (due_date, due_time) = match v["restriction"]["period"]["end"].as_str() {
        None => (None, None),
        Some(end) => {
            let at = DateTime::parse_from_rfc3339(end).map_err(|_| {
                unprocessable("restriction.period.end: give an instant with its time zone.")
            })?;
            let local = domain::time::london_local(at.with_timezone(&Utc));
            (
                Some(local.format("%Y-%m-%d").to_string()),
                Some(local.format("%H:%M").to_string()),
            )
        }
    };
    Ok(TaskForm {
        title: title.to_string(),
        details: details.join("\n\n"),
        priority,
        patient,
        assignee,
        due_date,
        due_time,
    })
}

pub async fn create(State(state): State<ServerState>, parts: Parts, body: Bytes) -> Answer {
    let actor = caller(&state, &parts).await?;
    let v = body_json(&body, "Task")?;
    let form = form_of(&v)?;
    let t = services::tasks::api::create(&state.app.store, &actor, form)
        .await
        .map_err(|e| refusal(e, "Task"))?;
    let base = base_url(&state, &parts.headers);
    let res = with_etag(resource(StatusCode::CREATED, &to_fhir(&t)), t.version);
    Ok(located(res, &base, "Task", &t.id, t.version))
}

pub async fn update(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = format!("Task/{}", super::short(&id));
    let version = if_match(&parts.headers)?;
    let v = body_json(&body, "Task")?;
    if v["id"] != json!(id) {
        return Err(Refusal::invalid("id: the body's id must be the task's."));
    }
    if !super::patient::valid_id(&id) {
        return Err(Refusal::not_found(&what));
    }
    let store = &state.app.store;
    let tid = TaskId::new(id);
    let current = services::tasks::api::read(store, &actor, &tid)
        .await
        .map_err(|e| refusal(e, &what))?;
    if current.version != version {
        return Err(stale("Task", current.version));
    }
    let may_change = ["status", "lastModified"];
    if without(&v, &may_change) != without(&to_fhir(&current), &may_change) {
        return Err(unprocessable(
            "Only status may change: send the task as read, with its new status.",
        ));
    }
    let to = v["status"]
        .as_str()
        .and_then(TaskStatus::parse)
        .ok_or_else(|| unprocessable("status: not a task status."))?;
    if to == current.status {
        return Ok(with_etag(
            resource(StatusCode::OK, &to_fhir(&current)),
            current.version,
        ));
    }
    let t = services::tasks::api::set_status(store, &actor, &tid, Version(version), to)
        .await
        .map_err(|e| match e {
            ServiceError::Conflict {
                current: Some(_),
                message,
            } => Refusal::new(StatusCode::PRECONDITION_FAILED, "conflict", message),
            other => refusal(other, &what),
        })?;
    Ok(with_etag(resource(StatusCode::OK, &to_fhir(&t)), t.version))
}
