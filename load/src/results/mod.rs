//! The results-inbox benchmark (`openpractice-load results`): seeds an
//! embedded SurrealKV database with the demo practice and N synthetic
//! patients, registers a laboratory's API client, starts the real server
//! and then
//! 1. posts R laboratory reports (5 analytes each, a urea and
//!    electrolytes panel) as FHIR Bundles over HTTP, C at a time: reports
//!    a second and p99 per report. Four in five name one of the four demo
//!    GPs as requester and the patient exactly; one in five has the birth
//!    date a day out. Every report must then be where the rules put it:
//!    each GP's inbox holds exactly the reports meant for them, each about
//!    its own patient, and the Unmatched list exactly the others;
//! 2. opens a GP's inbox (the `results_inbox` server function, as the
//!    page does) Q times, one at a time: p50/p99;
//! 3. opens W websocket subscriptions to that GP's inbox (the same GP on
//!    W tablets) and posts reports for them at a steady rate: post → the
//!    moment the last subscription has the new row, p50/p99; nothing lost,
//!    nothing twice.

use crate::{percentile, seed, sign_in_as, Proc};
use anyhow::{bail, Context, Result};
use domain::book::PatientHit;
use domain::results::{Inbox, InboxRow, UnmatchedRow};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

mod live;

/// The benchmark's sizes.
pub(crate) struct Sizes {
    pub(crate) patients: usize,
    pub(crate) reports: usize,
    pub(crate) concurrency: usize,
    pub(crate) opens: usize,
    pub(crate) watchers: usize,
    pub(crate) live_reports: usize,
    pub(crate) rate: u64,
}

/// The demo's GPs, whose inboxes the reports fill.
const GPS: [&str; 4] = ["gp", "gp2", "gp3", "gp4"];

/// A urea and electrolytes panel: (LOINC, name, unit, low, high).
const PANEL: [(&str, &str, &str, f64, f64); 5] = [
    ("2951-2", "Sodium", "mmol/L", 133.0, 146.0),
    ("2823-3", "Potassium", "mmol/L", 3.5, 5.3),
    ("3094-0", "Urea", "mmol/L", 2.5, 7.8),
    ("2160-0", "Creatinine", "umol/L", 60.0, 120.0),
    ("33914-3", "eGFR", "mL/min/1.73m2", 60.0, 200.0),
];

/// Report `n` about `p` (its birth date as sent), requested by `requester`,
/// as a laboratory's FHIR Bundle.
fn bundle(n: usize, p: &PatientHit, birth_date: &str, requester: &str) -> Value {
    let url = |k: usize| {
        format!(
            "urn:uuid:00000000-0000-4000-8000-{:06}{k:06}",
            n % 1_000_000
        )
    };
    let observations: Vec<Value> = PANEL
        .iter()
        .enumerate()
        .map(|(k, (code, name, unit, low, high))| {
            // Every seventh report's potassium is high.
            let value = if k == 1 && n.is_multiple_of(7) {
                6.1
            } else {
                (low + high) / 2.0
            };
            json!({ "fullUrl": url(k + 3), "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": { "coding": [{ "system": "http://loinc.org", "code": code, "display": name }] },
                "subject": { "reference": url(1) },
                "valueQuantity": { "value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit },
                "referenceRange": [{ "low": { "value": low }, "high": { "value": high } }]
            }})
        })
        .collect();
    let mut entry = vec![
        json!({ "fullUrl": url(0), "resource": {
            "resourceType": "DiagnosticReport",
            "identifier": [{ "system": "https://riverside-pathology.example/reports", "value": format!("BENCH-{n}") }],
            "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "24362-6", "display": "Renal function panel" }], "text": "U&E" },
            "subject": { "reference": url(1) },
            "issued": "2026-11-20T10:00:00+00:00",
            "performer": [{ "display": "Riverside Pathology" }],
            "result": (0..PANEL.len()).map(|k| json!({ "reference": url(k + 3) })).collect::<Vec<_>>()
        }}),
        json!({ "fullUrl": url(1), "resource": {
            "resourceType": "Patient",
            "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": p.nhs_number }],
            "name": [{ "family": p.family_name, "given": [p.given_name] }],
            "birthDate": birth_date
        }}),
        json!({ "fullUrl": url(2), "resource": {
            "resourceType": "ServiceRequest",
            "status": "completed",
            "intent": "order",
            "subject": { "reference": url(1) },
            "requester": { "reference": format!("Practitioner/{requester}") }
        }}),
    ];
    entry.extend(observations);
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entry })
}

/// A report's id from the answer's `Location` (`…/DiagnosticReport/{id}/_history/{version}`).
fn posted_id(res: &reqwest::Response) -> Option<String> {
    let location = res.headers().get("location")?.to_str().ok()?;
    let (_, rest) = location.rsplit_once("/DiagnosticReport/")?;
    Some(rest.split('/').next()?.to_string())
}

/// Posts one Bundle: (report id, milliseconds). A retry's 200 is a failure
/// here: every report is new.
async fn post(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    body: String,
) -> Result<(String, f64)> {
    let t0 = Instant::now();
    let res = http
        .post(format!("{base}/fhir/r4/Bundle"))
        .bearer_auth(token)
        .header("content-type", "application/fhir+json")
        .header("accept", "application/fhir+json")
        .body(body)
        .send()
        .await?;
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    if res.status().as_u16() != 201 {
        bail!(
            "a report was answered {}: {}",
            res.status(),
            res.text().await?
        );
    }
    let id = posted_id(&res).context("no Location")?;
    Ok((id, ms))
}

/// Calls a server function as the signed-in `cookie`; its JSON answer.
async fn server_fn<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    addr: &str,
    cookie: &str,
    name: &str,
) -> Result<T> {
    server_fn_with(http, addr, cookie, name, String::new()).await
}

/// A server function with its arguments as a form's fields.
async fn server_fn_with<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    addr: &str,
    cookie: &str,
    name: &str,
    form: String,
) -> Result<T> {
    let res = http
        .post(format!("http://{addr}/api/{name}"))
        .header("origin", format!("http://{addr}"))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("{name} failed: {}", res.status());
    }
    Ok(res.json().await?)
}

/// Every row of the signed-in clinician's inbox, a window at a time as
/// the server sends them (each window after the last one's horizon).
async fn whole_inbox(http: &reqwest::Client, addr: &str, cookie: &str) -> Result<Vec<InboxRow>> {
    let mut rows = Vec::new();
    let mut form = String::new();
    loop {
        let inbox: Inbox = server_fn_with(http, addr, cookie, "results_inbox", form).await?;
        let Some(h) = inbox.rows.horizon.clone() else {
            rows.extend(inbox.rows.rows);
            return Ok(rows);
        };
        rows.extend(inbox.rows.rows);
        let keep = |s: &str| domain::url::percent_encode(s, b"");
        form = format!(
            "after[normal]={}&after[received_at]={}&after[id]={}",
            h.normal,
            keep(&h.received_at),
            keep(&h.id)
        );
    }
}

fn line(name: &str, sorted: &[f64], tail: &str) {
    println!(
        "{name:<34} p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms   {tail}",
        percentile(sorted, 50.0),
        percentile(sorted, 99.0),
        sorted.last().copied().unwrap_or(f64::NAN),
    );
}

pub(crate) async fn run(
    server_bin: String,
    site_root: String,
    dir: String,
    s: Sizes,
) -> Result<()> {
    crate::raise_fd_limit();
    println!(
        "openpractice-load results: {} patients, {} reports ({} analytes each) {} at a time, {} inbox opens, {} live inboxes",
        s.patients,
        s.reports,
        PANEL.len(),
        s.concurrency,
        s.opens,
        s.watchers
    );
    let samples = seed::patients(&server_bin, &dir, s.patients, s.patients.min(5_000))?;
    let client = seed::api_client(
        &server_bin,
        &dir,
        "Riverside Pathology (benchmark)",
        "system/DiagnosticReport.c",
    )?;
    let server = Proc::real(&server_bin, &dir, &site_root)?;
    let addr = server.addr.clone();
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let token = seed::token(&http, &base, &client).await?;
    // Each GP's session and staff id (their inbox names its owner).
    let mut gps = Vec::new();
    for username in GPS {
        let cookie = sign_in_as(&http, &addr, username).await?;
        let inbox: Inbox = server_fn(&http, &addr, &cookie, "results_inbox").await?;
        let before = whole_inbox(&http, &addr, &cookie).await?.len();
        gps.push((cookie, inbox.owner.0, before));
    }

    // 1. Ingest.
    let mut meant: HashMap<String, (usize, String)> = HashMap::new(); // id → (GP, patient)
    let mut astray: HashSet<String> = HashSet::new();
    let mut times = Vec::with_capacity(s.reports);
    let t = Instant::now();
    let work: Vec<usize> = (0..s.reports).collect();
    for chunk in work.chunks(s.concurrency.max(1)) {
        let posts = chunk.iter().map(|&n| {
            let p = &samples[n % samples.len()];
            let gp = n % 5;
            let birth = if gp == 4 {
                chrono::NaiveDate::parse_from_str(&p.date_of_birth, "%Y-%m-%d")
                    .map(|d| (d + chrono::Duration::days(1)).to_string())
                    .unwrap_or_else(|_| "1900-01-01".into())
            } else {
                p.date_of_birth.clone()
            };
            let body = bundle(n, p, &birth, &gps[gp % 4].1).to_string();
            let (http, base, token) = (&http, &base, &token);
            async move { (n, post(http, base, token, body).await) }
        });
        for (n, answer) in futures::future::join_all(posts).await {
            let (id, ms) = answer?;
            times.push(ms);
            if n % 5 == 4 {
                astray.insert(id);
            } else {
                meant.insert(id, (n % 5, samples[n % samples.len()].id.clone()));
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    times.sort_by(|a, b| a.total_cmp(b));
    line(
        "ingest, per report",
        &times,
        &format!(
            "{:.0} reports/s ({} reports, {} observations, {secs:.1} s)",
            s.reports as f64 / secs,
            s.reports,
            s.reports * PANEL.len()
        ),
    );
    // Every report where the rules put it.
    for (g, (cookie, owner, before)) in gps.iter().enumerate() {
        let inbox: Inbox = server_fn(&http, &addr, cookie, "results_inbox").await?;
        let all = whole_inbox(&http, &addr, cookie).await?;
        let ours: Vec<_> = all.iter().filter(|r| meant.contains_key(&r.id)).collect();
        let expected = meant.values().filter(|(gp, _)| *gp == g).count();
        let distinct: HashSet<&str> = all.iter().map(|r| r.id.as_str()).collect();
        if ours.len() != expected
            || all.len() != before + expected
            || distinct.len() != all.len()
            || inbox.rows.counts().unfiled != all.len() as u64
        {
            bail!(
                "{}'s inbox ({owner}) holds {} of the benchmark's reports and {} in all ({} distinct, {} counted); {expected} were meant for it",
                GPS[g],
                ours.len(),
                all.len(),
                distinct.len(),
                inbox.rows.counts().unfiled
            );
        }
        for r in ours {
            let (gp, patient) = &meant[&r.id];
            if *gp != g || r.patient_id.as_deref() != Some(patient.as_str()) {
                bail!(
                    "report {} is about the wrong patient or in the wrong inbox",
                    r.id
                );
            }
        }
    }
    let reception = sign_in_as(&http, &addr, "reception").await?;
    let unmatched: Vec<UnmatchedRow> =
        server_fn(&http, &addr, &reception, "unmatched_results").await?;
    let ours = unmatched.iter().filter(|u| astray.contains(&u.id)).count();
    if ours != astray.len() {
        bail!(
            "{ours} of the {} reports with a wrong birth date are in Unmatched",
            astray.len()
        );
    }
    println!(
        "matching: {} reports each in its requester's inbox about its own patient; {} with a wrong birth date all in Unmatched",
        meant.len(),
        astray.len()
    );

    // 2. Opening a GP's inbox.
    let (cookie, owner, _) = gps[0].clone();
    let mut times = Vec::with_capacity(s.opens);
    let mut size = (0, 0);
    for _ in 0..s.opens {
        let t0 = Instant::now();
        let inbox: Inbox = server_fn(&http, &addr, &cookie, "results_inbox").await?;
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        size = (inbox.rows.len(), inbox.rows.counts().unfiled);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    line(
        "a GP's inbox opens",
        &times,
        &format!(
            "({} unfiled items, the first {} sent; {} opens)",
            size.1, size.0, s.opens
        ),
    );

    // 3. Live: a posted report reaching the last of W open inboxes (with
    //    a fresh token: the first has lived out its minutes by now).
    let token = seed::token(&http, &base, &client).await?;
    live::run(&http, &addr, &base, &token, &cookie, &owner, &samples, &s).await
}
