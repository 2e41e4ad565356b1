//! What the database benchmarks do before the server starts, with the
//! server's own commands: seed the demo practice and synthetic patients,
//! and register an API client; then take that client's token.

use anyhow::{bail, Context, Result};
use domain::book::PatientHit;
use serde_json::Value;
use std::process::Command;
use std::time::Instant;

/// Runs `server_bin --db dir ARGS` to the end: its standard output.
pub(crate) fn server_command(server_bin: &str, dir: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(server_bin)
        .args(["--db", dir])
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .with_context(|| format!("running {args:?}"))?;
    if !out.status.success() {
        bail!("{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Seeds the new database `dir` with the demo practice and synthetic
/// patients up to `total`: `samples` of them, spread over the practice.
pub(crate) fn patients(
    server_bin: &str,
    dir: &str,
    total: usize,
    samples: usize,
) -> Result<Vec<PatientHit>> {
    if std::path::Path::new(dir).exists() {
        bail!("{dir} exists: give a new directory for the benchmark's database");
    }
    let t = Instant::now();
    let samples_file = format!("{dir}-samples.json");
    server_command(
        server_bin,
        dir,
        &[
            "admin",
            "seed-synthetic-patients",
            "--total",
            &total.to_string(),
            "--samples",
            &samples.to_string(),
            "--samples-out",
            &samples_file,
            "--create-demo",
        ],
    )?;
    let found: Vec<PatientHit> = serde_json::from_str(&std::fs::read_to_string(&samples_file)?)?;
    if found.is_empty() {
        bail!("no sample patients");
    }
    println!("seeded in {:.1} s", t.elapsed().as_secs_f64());
    Ok(found)
}

/// Registers an API client of the demo practice: (client id, secret).
pub(crate) fn api_client(
    server_bin: &str,
    dir: &str,
    name: &str,
    scopes: &str,
) -> Result<(String, String)> {
    let registered = server_command(
        server_bin,
        dir,
        &[
            "admin",
            "create-api-client",
            "--name",
            name,
            "--scopes",
            scopes,
        ],
    )?;
    let field = |label: &str| {
        registered
            .lines()
            .find_map(|l| l.strip_prefix(label).map(|v| v.trim().to_string()))
            .with_context(|| format!("no {label} in {registered}"))
    };
    Ok((field("client id:")?, field("client secret:")?))
}

/// A bearer token for the client (client credentials) from the server at
/// `base` (`http://host:port`).
pub(crate) async fn token(
    http: &reqwest::Client,
    base: &str,
    (id, secret): &(String, String),
) -> Result<String> {
    let answer: Value = http
        .post(format!("{base}/oauth2/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?
        .json()
        .await?;
    Ok(answer["access_token"]
        .as_str()
        .context("no access token")?
        .to_string())
}
