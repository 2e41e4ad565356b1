//! The patient-search benchmark (`openpractice-load search`): seeds an
//! embedded SurrealKV database with the demo practice plus synthetic
//! patients up to N (100,000 by default) with the server's own
//! `admin seed-synthetic-patients`, starts the real server on it, signs in as reception and times the real
//! `search_patients` server function over HTTP for each kind of search
//! (NHS number, family name, family + given name, date of birth, postcode),
//! checking every answer is right. p50/p99 per kind and overall.

use crate::{percentile, seed, sign_in_as, Proc};
use anyhow::{bail, Result};
use domain::book::PatientHit;
use std::time::Instant;

pub async fn run(
    server_bin: String,
    site_root: String,
    patients: usize,
    queries: usize,
    dir: String,
) -> Result<()> {
    println!("openpractice-load search: {patients} patients, {queries} searches per kind");
    // 1. Seed with the server's own command (demo practice only), which
    //    also writes the sample patients to search for.
    let samples = seed::patients(&server_bin, &dir, patients, queries)?;

    // 2. The real server on that database.
    let server = Proc::real(&server_bin, &dir, &site_root)?;
    let http = reqwest::Client::new();
    let cookie = sign_in_as(&http, &server.addr, "reception").await?;
    let search = |q: String| {
        let (http, cookie, addr) = (http.clone(), cookie.clone(), server.addr.clone());
        async move {
            let t0 = Instant::now();
            let res = http
                .post(format!("http://{addr}/api/search_patients"))
                .header("origin", format!("http://{addr}"))
                .header("cookie", &cookie)
                .header("accept", "application/json")
                .form(&[("query", q.as_str())])
                .send()
                .await?;
            if !res.status().is_success() {
                bail!("search {q:?} failed: {}", res.status());
            }
            let hits: Vec<PatientHit> = res.json().await?;
            Ok::<_, anyhow::Error>((t0.elapsed().as_secs_f64() * 1000.0, hits))
        }
    };
    // Warm up.
    for p in samples.iter().take(20) {
        search(p.nhs_number.clone()).await?;
    }
    type Kind = (
        &'static str,
        fn(&PatientHit) -> String,
        fn(&PatientHit, &[PatientHit]) -> bool,
    );
    let kinds: [Kind; 5] = [
        (
            "NHS number",
            |p| {
                format!(
                    "{} {} {}",
                    &p.nhs_number[..3],
                    &p.nhs_number[3..6],
                    &p.nhs_number[6..]
                )
            },
            |p, hits| hits.len() == 1 && hits[0].id == p.id,
        ),
        (
            "family name",
            |p| p.family_name.to_lowercase(),
            |p, hits| {
                !hits.is_empty()
                    && hits.iter().all(|h| {
                        h.family_name.eq_ignore_ascii_case(&p.family_name)
                            || h.family_name
                                .to_lowercase()
                                .starts_with(&p.family_name.to_lowercase())
                    })
            },
        ),
        (
            "family, given",
            |p| format!("{}, {}", p.family_name, p.given_name),
            |p, hits| hits.iter().any(|h| h.id == p.id) || hits.len() >= 20,
        ),
        (
            "date of birth",
            |p| {
                let d = chrono::NaiveDate::parse_from_str(&p.date_of_birth, "%Y-%m-%d")
                    .unwrap_or_default();
                d.format("%d/%m/%Y").to_string()
            },
            |p, hits| {
                hits.iter().all(|h| h.date_of_birth == p.date_of_birth)
                    && (hits.iter().any(|h| h.id == p.id) || hits.len() >= 20)
            },
        ),
        (
            "postcode",
            |p| p.postcode.to_lowercase().replace(' ', ""),
            |p, hits| {
                hits.iter().all(|h| h.postcode == p.postcode)
                    && (hits.iter().any(|h| h.id == p.id) || hits.len() >= 20)
            },
        ),
    ];
    let mut all = Vec::new();
    for (name, query, right) in kinds {
        let mut times = Vec::with_capacity(samples.len());
        for p in &samples {
            let (ms, hits) = search(query(p)).await?;
            if !right(p, &hits) {
                bail!(
                    "{name} search for {:?} gave a wrong answer ({} hits)",
                    query(p),
                    hits.len()
                );
            }
            times.push(ms);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{name:<14} p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>6.2} ms   ({} searches, all answers right)",
            percentile(&times, 50.0),
            percentile(&times, 99.0),
            times.last().copied().unwrap_or(f64::NAN),
            times.len()
        );
        all.extend(times);
    }
    all.sort_by(|a, b| a.total_cmp(b));
    println!(
        "all searches   p50 {:>6.2} ms   p99 {:>6.2} ms   ({} searches over {patients} patients, through the server function)",
        percentile(&all, 50.0),
        percentile(&all, 99.0),
        all.len()
    );
    Ok(())
}
