//! What every write through the API shares: the body as one resource of
//! the right type, `If-Match` on updates, the `Location` of what was
//! created, and the comparison that finds a change to what may not change.

use super::outcome::Refusal;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

/// The body, which must be JSON and a `kind` resource.
pub fn body_json(body: &Bytes, kind: &str) -> Result<Value, Refusal> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        Refusal::invalid(format!(
            "The body is not JSON: {}.",
            super::short(&e.to_string())
        ))
    })?;
    if v["resourceType"] != kind {
        return Err(Refusal::invalid(format!("resourceType: send a {kind}.")));
    }
    Ok(v)
}

/// The version an update was made from: `If-Match: W/"<version>"`,
/// required (428 without it).
pub fn if_match(headers: &HeaderMap) -> Result<i64, Refusal> {
    let Some(value) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Err(Refusal::new(
            StatusCode::PRECONDITION_REQUIRED,
            "required",
            "If-Match: send the version you last read, as W/\"<version>\".",
        ));
    };
    value
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| Refusal::invalid("If-Match: give the version as W/\"<version>\"."))
}

/// 412: the resource has moved on since the client read it.
pub fn stale(kind: &str, version: i64) -> Refusal {
    Refusal::new(
        StatusCode::PRECONDITION_FAILED,
        "conflict",
        format!(
            "If-Match: the {} is now at version {version}; read it again.",
            kind.to_lowercase()
        ),
    )
}

/// The resource without `keys` (what an update may change) and `meta`.
pub fn without(v: &Value, keys: &[&str]) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("meta");
        o.remove("text");
        for k in keys {
            o.remove(*k);
        }
    }
    v
}

/// Sets `Location` to the created resource's version.
pub fn located(mut res: Response, base: &str, kind: &str, id: &str, version: i64) -> Response {
    if let Ok(loc) = HeaderValue::from_str(&format!("{base}/{kind}/{id}/_history/{version}")) {
        res.headers_mut().insert(header::LOCATION, loc);
    }
    res
}
