//! The FHIR API benchmark (`openpractice-load fhir`): seeds an embedded
//! SurrealKV database with the demo practice plus synthetic patients up to
//! N (100,000 by default) with the server's own `admin
//! seed-synthetic-patients`, gives each sample patient 100 observations
//! through the importer (`import fhir`), registers an API client with
//! `admin create-api-client`, starts the real server, takes a token and
//! times, one request at a time over HTTP, `Patient?identifier=` (NHS
//! number) and `Observation?patient=…&_count=100`, checking every answer.

use crate::{percentile, seed, Proc};
use anyhow::{bail, Result};
use domain::book::PatientHit;
use serde_json::{json, Value};
use std::io::Write;
use std::time::Instant;

/// Observations given to each sample patient (and asked for at once).
const READINGS: usize = 100;

/// A sample patient as a FHIR Patient with `READINGS` weights, as NDJSON.
fn history(p: &PatientHit, out: &mut impl Write) -> Result<()> {
    let patient = json!({
        "resourceType": "Patient",
        "id": p.id,
        "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": p.nhs_number }],
        "name": [{ "family": p.family_name, "given": [p.given_name] }],
        "birthDate": p.date_of_birth,
        "address": [{ "line": p.address_lines, "postalCode": p.postcode }],
    });
    writeln!(out, "{patient}")?;
    for n in 0..READINGS {
        let day = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default()
            + chrono::Duration::days(n as i64 * 30);
        let weight = json!({
            "resourceType": "Observation",
            "id": format!("bench-{}-{n}", p.id),
            "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "29463-7" }] },
            "subject": { "reference": format!("Patient/{}", p.id) },
            "effectiveDateTime": format!("{day}T10:00:00Z"),
            "valueQuantity": { "value": 60.0 + (n % 20) as f64, "unit": "kg",
                "system": "http://unitsofmeasure.org", "code": "kg" }
        });
        writeln!(out, "{weight}")?;
    }
    Ok(())
}

fn by_nhs(p: &PatientHit) -> String {
    format!(
        "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C{}",
        p.nhs_number
    )
}

fn readings(p: &PatientHit) -> String {
    format!("Observation?patient={}&_count={READINGS}", p.id)
}

pub async fn run(
    server_bin: String,
    site_root: String,
    patients: usize,
    queries: usize,
    dir: String,
) -> Result<()> {
    println!("openpractice-load fhir: {patients} patients, {queries} requests of each kind");
    let samples = seed::patients(&server_bin, &dir, patients, queries)?;

    // Each sample patient's readings, through the importer.
    let t = Instant::now();
    let ndjson = format!("{dir}-readings.ndjson");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&ndjson)?);
    for p in &samples {
        history(p, &mut file)?;
    }
    file.flush()?;
    drop(file);
    seed::server_command(&server_bin, &dir, &["import", "fhir", &ndjson])?;
    println!(
        "imported {} readings for {} patients in {:.1} s",
        READINGS * samples.len(),
        samples.len(),
        t.elapsed().as_secs_f64()
    );

    let client = seed::api_client(
        &server_bin,
        &dir,
        "FHIR benchmark",
        "system/Patient.rs system/Observation.rs",
    )?;

    let server = Proc::real(&server_bin, &dir, &site_root)?;
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();
    let token = seed::token(&http, &base, &client).await?;
    let get = |path: String| {
        let (http, token, base) = (http.clone(), token.clone(), base.clone());
        async move {
            let t0 = Instant::now();
            let res = http
                .get(format!("{base}/fhir/r4/{path}"))
                .bearer_auth(&token)
                .header("accept", "application/fhir+json")
                .send()
                .await?;
            if !res.status().is_success() {
                bail!("{path} failed: {}", res.status());
            }
            let body: Value = res.json().await?;
            Ok::<_, anyhow::Error>((t0.elapsed().as_secs_f64() * 1000.0, body))
        }
    };
    for p in samples.iter().take(10) {
        get(by_nhs(p)).await?;
        get(readings(p)).await?;
    }
    type Kind = (
        &'static str,
        fn(&PatientHit) -> String,
        fn(&PatientHit, &Value) -> bool,
    );
    let kinds: [Kind; 2] = [
        ("Patient?identifier=", by_nhs, |p, b| {
            b["total"] == 1 && b["entry"][0]["resource"]["id"] == json!(p.id)
        }),
        ("Observation?patient=", readings, |_, b| {
            b["total"] == READINGS && b["entry"].as_array().map(Vec::len) == Some(READINGS)
        }),
    ];
    for (name, path, right) in kinds {
        let mut times = Vec::with_capacity(samples.len());
        for p in &samples {
            let (ms, body) = get(path(p)).await?;
            if !right(p, &body) {
                bail!("{name} for a sample patient gave a wrong answer");
            }
            times.push(ms);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{name:<21} p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>6.2} ms   ({} requests over {patients} patients, all answers right)",
            percentile(&times, 50.0),
            percentile(&times, 99.0),
            times.last().copied().unwrap_or(f64::NAN),
            times.len()
        );
    }
    Ok(())
}
