//! The FHIR R4 (UK Core) API, under `/fhir/r4`, for other systems. A
//! door like the pages: each handler resolves its caller (an API client,
//! by bearer token) to an `Actor`, calls the same services the pages call
//! (policy, validation and audit live there), and maps the answer to FHIR
//! JSON. Outside the pages' session and Origin checks: a bearer token is
//! not sent by a browser on its own, so there is nothing to forge.

mod appointment;
mod capability;
mod clinical;
pub mod demo;
mod directory;
mod documents;
mod entry;
mod everything;
pub mod export;
pub mod import;
mod lab;
mod outcome;
mod patient;
pub mod report;
mod search;
mod slot;
mod task;
mod token;
mod write;

use crate::ServerState;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use outcome::Refusal;
use services::Actor;

pub use outcome::FHIR_JSON;

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/fhir/r4/metadata", get(capability::metadata))
        .route(
            "/fhir/r4/.well-known/smart-configuration",
            get(capability::smart_configuration),
        )
        .route("/oauth2/token", post(token::token))
        .route("/fhir/r4/Patient", get(patient::search))
        .route("/fhir/r4/Patient/{id}", get(patient::read))
        .route(
            "/fhir/r4/Patient/{id}/$everything",
            get(everything::everything),
        )
        .route("/fhir/r4/Organization", get(directory::search_organization))
        .route(
            "/fhir/r4/Organization/{id}",
            get(directory::read_organization),
        )
        .route("/fhir/r4/Practitioner", get(directory::search_practitioner))
        .route(
            "/fhir/r4/Practitioner/{id}",
            get(directory::read_practitioner),
        )
        .route(
            "/fhir/r4/PractitionerRole",
            get(directory::search_practitioner_role),
        )
        .route(
            "/fhir/r4/PractitionerRole/{id}",
            get(directory::read_practitioner_role),
        )
        .route("/fhir/r4/Location", get(directory::search_location))
        .route("/fhir/r4/Location/{id}", get(directory::read_location))
        .route("/fhir/r4/CareTeam", get(directory::search_care_team))
        .route("/fhir/r4/CareTeam/{id}", get(directory::read_care_team))
        .route("/fhir/r4/Bundle", post(report::receive))
        .route("/fhir/r4/Task", get(task::search).post(task::create))
        .route("/fhir/r4/Task/{id}", get(task::read).put(task::update))
        .route("/fhir/r4/Condition", get(clinical::conditions))
        .route("/fhir/r4/AllergyIntolerance", get(clinical::allergies))
        .route("/fhir/r4/MedicationStatement", get(clinical::medications))
        .route("/fhir/r4/Observation", get(clinical::observations))
        .route("/fhir/r4/Encounter", get(clinical::encounters))
        .route("/fhir/r4/Condition/{id}", get(entry::condition))
        .route("/fhir/r4/AllergyIntolerance/{id}", get(entry::allergy))
        .route("/fhir/r4/MedicationStatement/{id}", get(entry::medication))
        .route("/fhir/r4/Observation/{id}", get(entry::observation))
        .route("/fhir/r4/Encounter/{id}", get(entry::encounter))
        .route("/fhir/r4/DiagnosticReport", get(lab::search))
        .route("/fhir/r4/DiagnosticReport/{id}", get(lab::read))
        .route("/fhir/r4/DocumentReference", get(documents::search))
        .route("/fhir/r4/DocumentReference/{id}", get(documents::read))
        .route("/fhir/r4/Binary/{id}", get(documents::read_binary))
        .route("/fhir/r4/Schedule/{id}", get(slot::read_schedule))
        .route("/fhir/r4/Slot", get(slot::search))
        .route(
            "/fhir/r4/Appointment",
            get(appointment::search).post(appointment::create),
        )
        .route(
            "/fhir/r4/Appointment/{id}",
            get(appointment::read).put(appointment::update),
        )
        .route("/fhir/r4", any(unknown))
        .route("/fhir/r4/{*rest}", any(unknown))
        .layer(axum::middleware::from_fn(negotiate))
}

/// Anything else under the base: not implemented (the CapabilityStatement
/// lists what is).
async fn unknown(method: Method, req: Request) -> Response {
    Refusal::not_supported(
        StatusCode::NOT_FOUND,
        format!(
            "{method} {} is not something this server does; GET /fhir/r4/metadata lists what it does.",
            short(req.uri().path())
        ),
    )
    .into_response()
}

/// "Kind/id" (shortened) for a read of `kind` by `id`: what a refusal
/// names. An id that cannot be one of ours is not found, before any
/// lookup.
fn read_target(kind: &str, id: &str) -> Result<String, outcome::Refusal> {
    let what = format!("{kind}/{}", short(id));
    if patient::valid_id(id) {
        Ok(what)
    } else {
        Err(outcome::Refusal::not_found(&what))
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        s.push('…');
    }
    s
}

/// JSON only: `_format` (when given) overrides `Accept`; a format we do
/// not speak is 406, a body that is not JSON 415.
async fn negotiate(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/oauth2/token" {
        return next.run(req).await;
    }
    let format = req.uri().query().and_then(|q| {
        form_pairs(q)
            .into_iter()
            .find(|(k, _)| k == "_format")
            .map(|(_, v)| v)
    });
    let acceptable = match &format {
        Some(f) => matches!(
            f.split(';').next().unwrap_or("").trim(),
            "json" | "application/json" | "application/fhir+json"
        ),
        None => accepts_json(req.headers()),
    };
    if !acceptable {
        return Refusal::not_supported(
            StatusCode::NOT_ACCEPTABLE,
            "This server answers in JSON only: ask for application/fhir+json (or leave out _format).",
        )
        .into_response();
    }
    if matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if mime != "application/fhir+json" && mime != "application/json" {
            return Refusal::not_supported(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as application/fhir+json.",
            )
            .into_response();
        }
    }
    next.run(req).await
}

/// Does `Accept` (absent meaning anything) admit FHIR JSON?
fn accepts_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    accept.split(',').any(|part| {
        let mut bits = part.split(';');
        let mime = bits.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = bits.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        !refused
            && matches!(
                mime.as_str(),
                "*/*" | "application/*" | "application/json" | "application/fhir+json"
            )
    })
}

/// The query string as decoded pairs, in order.
pub(crate) fn form_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// `+` as space and `%XX` as its byte (invalid escapes kept as written).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The client a request's bearer token acts for, its address as the
/// trusted proxies tell it.
pub(crate) async fn caller(
    state: &ServerState,
    parts: &axum::http::request::Parts,
) -> Result<Actor, Refusal> {
    let address = app::door::address_of(parts, &state.app.trusted_proxies);
    client(state, &parts.headers, &address).await
}

/// The client a request's bearer token acts for.
pub(crate) async fn client(
    state: &ServerState,
    headers: &HeaderMap,
    address: &str,
) -> Result<Actor, Refusal> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_string())
        })
        .ok_or_else(Refusal::unauthenticated)?;
    services::api_clients::resolve_token(&state.app.store, &token, address)
        .await
        .map_err(|e| Refusal::from_service(e, "this server"))
}

/// The UK Core profile of a resource type.
pub(crate) fn profile(kind: &str) -> String {
    format!("https://fhir.hl7.org.uk/StructureDefinition/UKCore-{kind}")
}

/// The API's base address as clients reach it (`--public-origin`, or the
/// request's Host).
pub(crate) fn base_url(state: &ServerState, headers: &HeaderMap) -> String {
    let origin = match &state.public_origin {
        Some(o) => o.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .filter(|h| {
                    h.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                    })
                })
                .unwrap_or("localhost");
            let scheme = if state.app.auth.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        }
    };
    format!("{origin}/fhir/r4")
}
