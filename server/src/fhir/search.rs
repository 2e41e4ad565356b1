//! Searching, for every resource type: reading the query (known
//! parameters, `_count`, `_offset`; unknown ones reported, or refused
//! under `Prefer: handling=strict`), FHIR date prefixes, and the
//! `searchset` Bundle with `total`, `self` and `next` links.

use super::form_pairs;
use super::outcome::{outcome_body, Refusal};
use axum::http::HeaderMap;
use serde_json::{json, Value};

/// The page size when `_count` is not given.
pub const DEFAULT_COUNT: usize = 20;

/// A search's query, read.
#[derive(Debug)]
pub struct Query {
    /// Known parameters, in order.
    pub params: Vec<(String, String)>,
    pub count: usize,
    pub offset: usize,
    /// Parameters this server does not support (reported in the Bundle).
    pub ignored: Vec<String>,
}

impl Query {
    /// `known` are the resource's parameters; `max` the largest page.
    pub fn read(
        raw: Option<&str>,
        headers: &HeaderMap,
        known: &[&str],
        max: usize,
    ) -> Result<Query, Refusal> {
        let strict = headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.replace(' ', "").contains("handling=strict"));
        let mut q = Query {
            params: Vec::new(),
            count: DEFAULT_COUNT.min(max),
            offset: 0,
            ignored: Vec::new(),
        };
        for (name, value) in form_pairs(raw.unwrap_or("")) {
            match name.as_str() {
                "_count" => {
                    q.count = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n <= max)
                        .ok_or_else(|| {
                            Refusal::invalid(format!(
                                "_count: give a whole number from 0 to {max}."
                            ))
                        })?;
                }
                "_offset" => {
                    q.offset = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n <= 1_000_000)
                        .ok_or_else(|| {
                            Refusal::invalid(
                                "_offset: give a whole number (as the next link does).",
                            )
                        })?;
                }
                "_format" => {}
                n if known.contains(&n) => {
                    if value.trim().is_empty() {
                        return Err(Refusal::invalid(format!(
                            "{n}: give a value to search for."
                        )));
                    }
                    q.params.push((name, value));
                }
                _ if strict => {
                    return Err(Refusal::invalid(format!(
                        "{}: this server does not support that search parameter (supported: {}).",
                        super::short(&name),
                        known.join(", ")
                    )))
                }
                _ => q.ignored.push(super::short(&name)),
            }
        }
        Ok(q)
    }

    /// Each value given for `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.params
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The one value given for `name` (twice is refused: we do not guess
    /// whether the client meant both or either).
    pub fn one<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, Refusal> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(Refusal::invalid(format!(
                "{name}: give it once (to match any of several values, separate them with commas is not supported either)."
            )));
        }
        Ok(first)
    }

    /// The query string of this search at `offset` (for links).
    fn link(&self, offset: usize) -> String {
        let mut parts: Vec<String> = self
            .params
            .iter()
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect();
        parts.push(format!("_count={}", self.count));
        parts.push(format!("_offset={offset}"));
        parts.join("&")
    }
}

fn encode(s: &str) -> String {
    domain::url::percent_encode(s, b"")
}

/// A search by patient (`params` the resource's search parameters, the
/// first of them `patient`): the query and the patient's id. Without a
/// patient it is refused: a practice's whole record is not searched at
/// once.
pub fn patient_query(
    parts: &axum::http::request::Parts,
    params: &[(&str, &str, &str)],
) -> Result<(Query, String), Refusal> {
    let names: Vec<&str> = params.iter().map(|(n, _, _)| *n).collect();
    let q = Query::read(parts.uri.query(), &parts.headers, &names, 1000)?;
    let patient = q
        .one("patient")?
        .map(|p| p.strip_prefix("Patient/").unwrap_or(p).to_string())
        .ok_or_else(|| Refusal::invalid("patient: give the patient (Patient/{id}); a practice's whole record is not searched at once."))?;
    Ok((q, patient))
}

/// Keeps the resources whose `field` (a date or date-time) is within
/// every `date` the query gives.
pub fn keep_dated(found: &mut Vec<Value>, q: &Query, field: &str) -> Result<(), Refusal> {
    for v in q.all("date") {
        let (from, to) = date_range("date", v)?;
        found.retain(|r| {
            let day: String = r[field]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(10)
                .collect();
            from.as_ref().is_none_or(|f| &day >= f) && to.as_ref().is_none_or(|t| &day <= t)
        });
    }
    Ok(())
}

/// A FHIR date search value ("ge1980", "1980-04", "le1980-04-03") as an
/// inclusive range of YYYY-MM-DD dates (either end open).
pub fn date_range(param: &str, value: &str) -> Result<(Option<String>, Option<String>), Refusal> {
    let (prefix, date) = match value.get(..2) {
        Some(p @ ("eq" | "ge" | "le" | "gt" | "lt")) => (p, &value[2..]),
        Some(p) if p.chars().all(|c| c.is_ascii_alphabetic()) => {
            return Err(Refusal::invalid(format!(
                "{param}: the prefix {p} is not supported (use eq, ge, le, gt or lt)."
            )))
        }
        _ => ("eq", value),
    };
    let bad = || {
        Refusal::invalid(format!("{param}: give a date as YYYY, YYYY-MM or YYYY-MM-DD, optionally after eq, ge, le, gt or lt."))
    };
    let parse = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (first, last) = match date.len() {
        4 => {
            let y: i32 = date.parse().map_err(|_| bad())?;
            (
                chrono::NaiveDate::from_ymd_opt(y, 1, 1),
                chrono::NaiveDate::from_ymd_opt(y, 12, 31),
            )
        }
        7 => {
            let first = parse(&format!("{date}-01")).ok_or_else(bad)?;
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .ok_or_else(bad)?;
            (Some(first), next.pred_opt())
        }
        10 => (parse(date), parse(date)),
        _ => return Err(bad()),
    };
    let (Some(first), Some(last)) = (first, last) else {
        return Err(bad());
    };
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(match prefix {
        "ge" => (Some(day(first)), None),
        "gt" => (last.succ_opt().map(day), None),
        "le" => (None, Some(day(last))),
        "lt" => (None, first.pred_opt().map(day)),
        _ => (Some(day(first)), Some(day(last))),
    })
}

/// A `searchset` Bundle of `resources` (each with its type and id).
/// Everything a search `found` (in order), as the searchset page the
/// query asks for (`_count`, the offset of a `next` link).
pub fn found_page(base: &str, kind: &str, q: &Query, found: Vec<Value>) -> Value {
    let total = found.len();
    let page = found.into_iter().skip(q.offset).take(q.count).collect();
    bundle(base, kind, q, total, page)
}

pub fn bundle(base: &str, kind: &str, q: &Query, total: usize, resources: Vec<Value>) -> Value {
    let shown = resources.len();
    let mut entries: Vec<Value> = resources
        .into_iter()
        .map(|r| {
            let id = r["id"].as_str().unwrap_or_default().to_string();
            let rtype = r["resourceType"].as_str().unwrap_or(kind).to_string();
            json!({
                "fullUrl": format!("{base}/{rtype}/{id}"),
                "resource": r,
                "search": { "mode": "match" }
            })
        })
        .collect();
    if !q.ignored.is_empty() {
        let mut outcome = outcome_body(
            "not-supported",
            &format!(
                "Ignored search parameters this server does not support: {}.",
                q.ignored.join(", ")
            ),
        );
        outcome["issue"][0]["severity"] = json!("warning");
        entries.push(json!({ "resource": outcome, "search": { "mode": "outcome" } }));
    }
    let mut links =
        vec![json!({ "relation": "self", "url": format!("{base}/{kind}?{}", q.link(q.offset)) })];
    if q.count > 0 && q.offset + shown < total {
        links.push(json!({ "relation": "next", "url": format!("{base}/{kind}?{}", q.link(q.offset + shown)) }));
    }
    json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": entries,
    })
}

/// A reference parameter's id: "Patient/abc" (or "abc", the type being
/// the parameter's only one) → "abc".
pub fn reference<'a>(param: &str, kind: &str, value: &'a str) -> Result<&'a str, Refusal> {
    let id = value.strip_prefix(&format!("{kind}/")).unwrap_or(value);
    if super::patient::valid_id(id) {
        Ok(id)
    } else {
        Err(Refusal::invalid(format!("{param}: give {kind}/{{id}}.")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_and_prefixes_become_ranges() {
        let r = |v| date_range("birthdate", v).unwrap();
        assert_eq!(
            r("1980"),
            (Some("1980-01-01".into()), Some("1980-12-31".into()))
        );
        assert_eq!(
            r("eq1980-02"),
            (Some("1980-02-01".into()), Some("1980-02-29".into()))
        );
        assert_eq!(r("ge1980-04-03"), (Some("1980-04-03".into()), None));
        assert_eq!(r("gt1980"), (Some("1981-01-01".into()), None));
        assert_eq!(r("le1980-04"), (None, Some("1980-04-30".into())));
        assert_eq!(r("lt1980-04-03"), (None, Some("1980-04-02".into())));
        for bad in [
            "",
            "80",
            "1980-13",
            "1980-02-30",
            "sa1980",
            "ne1980",
            "1980/04/03",
        ] {
            assert!(date_range("birthdate", bad).is_err(), "{bad:?} accepted");
        }
    }
}
