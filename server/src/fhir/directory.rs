//! The practice's own description: Organization (the practice),
//! Practitioner and PractitionerRole (its active staff, with their role),
//! Location (its rooms), CareTeam (its teams, which tasks are given to).
//! Small lists: read whole, filtered and paged here.

use super::outcome::{resource, Answer, Refusal};
use super::search::{bundle, Query};
use super::{base_url, caller, profile};
use crate::ServerState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use domain::task::Person;
use serde_json::{json, Value};
use store::practice::Practice;

pub const ORGANIZATION_PARAMS: &[(&str, &str, &str)] = &[("_id", "token", "The practice's id.")];
pub const PRACTITIONER_PARAMS: &[(&str, &str, &str)] = &[
    ("_id", "token", "The member of staff's id."),
    ("name", "string", "Name contains (any case)."),
];
pub const ROLE_PARAMS: &[(&str, &str, &str)] = &[
    ("_id", "token", "The role's id."),
    ("practitioner", "reference", "Practitioner/{id}."),
];
pub const LOCATION_PARAMS: &[(&str, &str, &str)] = &[
    ("_id", "token", "The room's id."),
    ("name", "string", "Name contains (any case)."),
];

fn organization(p: &Practice) -> Value {
    let mut org = json!({
        "resourceType": "Organization",
        "id": p.id.as_str(),
        "meta": { "profile": [profile("Organization")] },
        "active": true,
        "type": [{ "coding": [{
            "system": "https://fhir.nhs.uk/CodeSystem/organisation-role",
            "code": "76",
            "display": "GP PRACTICE"
        }] }],
        "name": p.name,
    });
    // What the practice's admin has set (Admin → Practice settings).
    if let Some(ods) = &p.ods_code {
        org["identifier"] =
            json!([{ "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": ods }]);
    }
    if let Some(phone) = &p.phone {
        org["telecom"] = json!([{ "system": "phone", "value": phone, "use": "work" }]);
    }
    if let Some(address) = &p.address {
        org["address"] = json!([{ "use": "work", "text": address }]);
    }
    org
}

fn practitioner(s: &Person) -> Value {
    json!({
        "resourceType": "Practitioner",
        "id": s.id,
        "meta": { "profile": [profile("Practitioner")] },
        "active": true,
        "name": [{ "text": s.name }],
    })
}

/// Our role as a PractitionerRole code (SNOMED CT occupations).
fn role_code(role: &str) -> (&'static str, &'static str) {
    match role {
        "gp" => ("62247001", "General practitioner"),
        "nurse" => ("106292003", "Professional nurse"),
        "reception" => ("159561009", "Receptionist"),
        _ => ("224608005", "Administrative healthcare staff"),
    }
}

fn practitioner_role(s: &Person, practice: &str) -> Value {
    let (code, display) = role_code(&s.role);
    json!({
        "resourceType": "PractitionerRole",
        "id": format!("{}-role", s.id),
        "meta": { "profile": [profile("PractitionerRole")] },
        "active": true,
        "practitioner": { "reference": format!("Practitioner/{}", s.id), "display": s.name },
        "organization": { "reference": format!("Organization/{practice}") },
        "code": [{ "coding": [{ "system": "http://snomed.info/sct", "code": code, "display": display }] }],
    })
}

pub const CARE_TEAM_PARAMS: &[(&str, &str, &str)] = &[
    ("_id", "token", "The team's id."),
    ("name", "string", "Name contains (any case)."),
];

/// A team, as base R4 CareTeam (UK Core has no CareTeam profile).
fn care_team(id: &str, name: &str, practice: &str) -> Value {
    json!({
        "resourceType": "CareTeam",
        "id": id,
        "status": "active",
        "name": name,
        "managingOrganization": [{ "reference": format!("Organization/{practice}") }],
    })
}

fn location(id: &str, name: &str, practice: &str) -> Value {
    json!({
        "resourceType": "Location",
        "id": id,
        "meta": { "profile": [profile("Location")] },
        "status": "active",
        "name": name,
        "managingOrganization": { "reference": format!("Organization/{practice}") },
    })
}

/// Which kind of directory resource a route serves.
#[derive(Clone, Copy)]
pub enum Kind {
    Organization,
    Practitioner,
    PractitionerRole,
    Location,
    CareTeam,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Organization => "Organization",
            Kind::Practitioner => "Practitioner",
            Kind::PractitionerRole => "PractitionerRole",
            Kind::Location => "Location",
            Kind::CareTeam => "CareTeam",
        }
    }

    fn params(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Kind::Organization => ORGANIZATION_PARAMS,
            Kind::Practitioner => PRACTITIONER_PARAMS,
            Kind::PractitionerRole => ROLE_PARAMS,
            Kind::Location => LOCATION_PARAMS,
            Kind::CareTeam => CARE_TEAM_PARAMS,
        }
    }
}

/// Every resource of `kind` in the actor's practice.
async fn all(state: &ServerState, parts: &Parts, kind: Kind) -> Result<Vec<Value>, Refusal> {
    let actor = caller(state, parts).await?;
    let store = &state.app.store;
    let refused = |e| Refusal::from_service(e, kind.name());
    let practice = actor.practice.as_str().to_string();
    Ok(match kind {
        Kind::Organization => vec![organization(
            &services::directory::practice(store, &actor)
                .await
                .map_err(refused)?,
        )],
        Kind::Practitioner | Kind::PractitionerRole => {
            let staff = services::directory::staff(store, &actor, kind.name())
                .await
                .map_err(refused)?;
            staff
                .iter()
                .map(|s| match kind {
                    Kind::Practitioner => practitioner(s),
                    _ => practitioner_role(s, &practice),
                })
                .collect()
        }
        Kind::Location => services::directory::rooms(store, &actor)
            .await
            .map_err(refused)?
            .iter()
            .map(|(id, name)| location(id, name, &practice))
            .collect(),
        Kind::CareTeam => services::directory::teams(store, &actor)
            .await
            .map_err(refused)?
            .iter()
            .map(|(id, name)| care_team(id, name, &practice))
            .collect(),
    })
}

async fn read(state: ServerState, id: String, parts: Parts, kind: Kind) -> Answer {
    let found = all(&state, &parts, kind).await?;
    let what = format!("{}/{}", kind.name(), super::short(&id));
    let r = found
        .into_iter()
        .find(|r| r["id"] == json!(id))
        .ok_or_else(|| Refusal::not_found(&what))?;
    Ok(resource(StatusCode::OK, &r))
}

async fn search(state: ServerState, parts: Parts, kind: Kind) -> Answer {
    let names: Vec<&str> = kind.params().iter().map(|(n, _, _)| *n).collect();
    let q = Query::read(parts.uri.query(), &parts.headers, &names, 100)?;
    let found = all(&state, &parts, kind).await?;
    let id = q.one("_id")?.map(String::from);
    let name = q.one("name")?.map(str::to_lowercase);
    let practitioner = q.one("practitioner")?.map(|p| {
        format!(
            "Practitioner/{}",
            p.strip_prefix("Practitioner/").unwrap_or(p)
        )
    });
    let text = |r: &Value| {
        r["name"].as_str().map(String::from).unwrap_or_else(|| {
            r["name"][0]["text"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
    };
    let wanted: Vec<Value> = found
        .into_iter()
        .filter(|r| id.as_ref().is_none_or(|id| r["id"] == json!(id)))
        .filter(|r| {
            name.as_ref()
                .is_none_or(|n| text(r).to_lowercase().contains(n.as_str()))
        })
        .filter(|r| {
            practitioner
                .as_ref()
                .is_none_or(|p| r["practitioner"]["reference"] == json!(p))
        })
        .collect();
    let total = wanted.len();
    let page = wanted.into_iter().skip(q.offset).take(q.count).collect();
    let base = base_url(&state, &parts.headers);
    Ok(resource(
        StatusCode::OK,
        &bundle(&base, kind.name(), &q, total, page),
    ))
}

macro_rules! routes_for {
    ($read:ident, $search:ident, $kind:expr) => {
        pub async fn $read(
            State(state): State<ServerState>,
            Path(id): Path<String>,
            parts: Parts,
        ) -> Answer {
            read(state, id, parts, $kind).await
        }
        pub async fn $search(State(state): State<ServerState>, parts: Parts) -> Answer {
            search(state, parts, $kind).await
        }
    };
}

routes_for!(read_organization, search_organization, Kind::Organization);
routes_for!(read_practitioner, search_practitioner, Kind::Practitioner);
routes_for!(
    read_practitioner_role,
    search_practitioner_role,
    Kind::PractitionerRole
);
routes_for!(read_location, search_location, Kind::Location);
routes_for!(read_care_team, search_care_team, Kind::CareTeam);
