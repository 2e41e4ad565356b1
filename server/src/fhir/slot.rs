//! Schedule (a clinic session: a clinician in a room on a date) and Slot
//! (each of its slots, free or busy), for booking GP Connect style.

use super::outcome::{resource, Answer, Refusal};
use super::search::{bundle, Query};
use super::{base_url, caller, profile};
use crate::ServerState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::book::SessionView;
use domain::ClinicSessionId;
use serde_json::{json, Value};
use store::clinics::SlotState;

pub const SEARCH_PARAMS: &[(&str, &str, &str)] = &[
    (
        "start",
        "date",
        "Slot start: ge and le (or gt, lt, eq) with a date or an instant; at most 31 days.",
    ),
    ("status", "token", "free or busy."),
    (
        "schedule",
        "reference",
        "Schedule/{id}: one clinic session's slots.",
    ),
];

/// "2026-12-01" + "09:10" (London) as a UTC instant.
pub fn instant(date: &str, hhmm: &str) -> Option<DateTime<Utc>> {
    let local =
        chrono::NaiveDateTime::parse_from_str(&format!("{date} {hhmm}"), "%Y-%m-%d %H:%M").ok()?;
    domain::time::london_to_utc(local).ok()
}

pub fn fhir_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A slot's id: its session and start ("<session>-0910").
pub fn slot_id(session: &str, start: &str) -> String {
    format!("{session}-{}", start.replace(':', ""))
}

/// The session and HH:MM a slot id names.
pub fn parse_slot_id(id: &str) -> Option<(String, String)> {
    let (session, hhmm) = id.rsplit_once('-')?;
    if hhmm.len() != 4 || !hhmm.chars().all(|c| c.is_ascii_digit()) || session.is_empty() {
        return None;
    }
    Some((
        session.to_string(),
        format!("{}:{}", &hhmm[..2], &hhmm[2..]),
    ))
}

pub fn schedule_to_fhir(s: &SessionView) -> Value {
    let start = instant(&s.date, &s.start).map(fhir_instant);
    let end = instant(&s.date, &s.end).map(fhir_instant);
    json!({
        "resourceType": "Schedule",
        "id": s.id,
        "meta": { "profile": [profile("Schedule")] },
        "active": true,
        "actor": [
            { "reference": format!("Practitioner/{}", s.clinician_id), "display": s.clinician_name },
            { "reference": format!("Location/{}", s.room_id), "display": s.room }
        ],
        "planningHorizon": { "start": start, "end": end },
        "comment": format!("{}-minute slots", s.slot_minutes),
    })
}

pub fn slot_to_fhir(s: &SlotState) -> Value {
    let start = instant(&s.session.date, &s.start);
    let end = start.map(|t| t + chrono::Duration::minutes(s.session.slot_minutes));
    json!({
        "resourceType": "Slot",
        "id": slot_id(&s.session.id, &s.start),
        "meta": { "profile": [profile("Slot")] },
        "schedule": { "reference": format!("Schedule/{}", s.session.id) },
        "status": if s.busy { "busy" } else { "free" },
        "start": start.map(fhir_instant),
        "end": end.map(fhir_instant),
    })
}

pub async fn read_schedule(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Answer {
    let actor = caller(&state, &parts).await?;
    let what = super::read_target("Schedule", &id)?;
    let s = services::appointments::calendar::session(
        &state.app.store,
        &actor,
        &ClinicSessionId::new(id),
    )
    .await
    .map_err(|e| Refusal::from_service(e, &what))?;
    Ok(resource(StatusCode::OK, &schedule_to_fhir(&s)))
}

/// One `start` bound: its prefix, the London date for the calendar, and
/// the exact instant when one was given.
struct Bound {
    prefix: String,
    day: Option<String>,
    at: Option<DateTime<Utc>>,
}

fn bound(value: &str) -> Result<Bound, Refusal> {
    let (prefix, v) = match value.get(..2) {
        Some(p @ ("eq" | "ge" | "le" | "gt" | "lt")) => (p.to_string(), &value[2..]),
        _ => ("eq".to_string(), value),
    };
    if v.len() == 10 {
        let (from, to) = super::search::date_range("start", &format!("{prefix}{v}"))?;
        return Ok(Bound {
            prefix,
            day: from.or(to),
            at: None,
        });
    }
    let at = DateTime::parse_from_rfc3339(v)
        .map_err(|_| Refusal::invalid("start: give a date (YYYY-MM-DD) or an instant (2026-12-01T09:00:00Z), after ge, le, gt, lt or eq."))?
        .with_timezone(&Utc);
    let day = domain::time::london_local(at).date().to_string();
    Ok(Bound {
        prefix,
        day: Some(day),
        at: Some(at),
    })
}

pub async fn search(State(state): State<ServerState>, parts: Parts) -> Answer {
    let actor = caller(&state, &parts).await?;
    let mut names: Vec<&str> = SEARCH_PARAMS.iter().map(|(n, _, _)| *n).collect();
    names.push("_include");
    let q = Query::read(parts.uri.query(), &parts.headers, &names, 200)?;
    let today = domain::time::london_today(Utc::now());
    let (mut from, mut to) = (today.to_string(), None::<String>);
    let mut instants: Vec<(String, DateTime<Utc>)> = Vec::new();
    for v in q.all("start") {
        let Bound { prefix, day, at } = bound(v)?;
        let Some(day) = day else { continue };
        match prefix.as_str() {
            "ge" | "gt" => from = day,
            "le" | "lt" => to = Some(day),
            _ => {
                from = day.clone();
                to = Some(day);
            }
        }
        if let Some(at) = at {
            instants.push((prefix, at));
        }
    }
    let to = to.unwrap_or_else(|| {
        domain::time::iso_date(&from)
            .map(|d| (d + chrono::Duration::days(13)).to_string())
            .unwrap_or_else(|| from.clone())
    });
    let status = q.one("status")?;
    if status.is_some_and(|s| s != "free" && s != "busy") {
        return Err(Refusal::invalid("status: give free or busy."));
    }
    let schedule = q
        .one("schedule")?
        .map(|s| ClinicSessionId::new(s.strip_prefix("Schedule/").unwrap_or(s)));
    let include = match q.one("_include")? {
        None => false,
        Some("Slot:schedule") => true,
        Some(_) => {
            return Err(Refusal::invalid(
                "_include: only Slot:schedule is supported.",
            ))
        }
    };
    let all = services::appointments::calendar::slots(
        &state.app.store,
        &actor,
        &from,
        &to,
        schedule.as_ref(),
    )
    .await
    .map_err(|e| Refusal::from_service(e, "Slot"))?;
    let wanted: Vec<&SlotState> = all
        .iter()
        .filter(|s| status.is_none_or(|st| (st == "busy") == s.busy))
        .filter(|s| {
            let Some(at) = instant(&s.session.date, &s.start) else {
                return false;
            };
            instants.iter().all(|(p, b)| match p.as_str() {
                "ge" => at >= *b,
                "gt" => at > *b,
                "le" => at <= *b,
                "lt" => at < *b,
                _ => at == *b,
            })
        })
        .collect();
    let total = wanted.len();
    let page: Vec<&SlotState> = wanted.into_iter().skip(q.offset).take(q.count).collect();
    let mut resources: Vec<Value> = page.iter().map(|s| slot_to_fhir(s)).collect();
    let base = base_url(&state, &parts.headers);
    let mut body = bundle(&base, "Slot", &q, total, std::mem::take(&mut resources));
    if include {
        let mut seen = std::collections::BTreeSet::new();
        let entries = body["entry"]
            .as_array_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        let mut with = entries;
        for s in &page {
            if seen.insert(s.session.id.clone()) {
                with.push(json!({
                    "fullUrl": format!("{base}/Schedule/{}", s.session.id),
                    "resource": schedule_to_fhir(&s.session),
                    "search": { "mode": "include" }
                }));
            }
        }
        body["entry"] = json!(with);
    }
    Ok(resource(StatusCode::OK, &body))
}
