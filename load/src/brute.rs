//! The sign-in brute-force figures (`openpractice-load brute-force`,
//! docs/SECURITY.md): the real server behind a simulated TLS proxy
//! (`--trusted-proxy 127.0.0.1`, each attacker's address in
//! `X-Forwarded-For`), then
//!
//! 1. page latency for a signed-in member of staff, idle and during a burst
//!    of real sign-ins (every one an argon2id hash), to show hashing does
//!    not stall pages;
//! 2. for `minutes` (15 by default), at once: one attacker guessing one
//!    account's password sequentially; 40 parallel attackers on one address
//!    guessing another account; 40 addresses guessing a third account (a
//!    small botnet); counting guesses the server actually checked (401)
//!    against those it refused unchecked (429). Meanwhile the attacked
//!    clinician signs in from their own address: an attacker must not be
//!    able to lock them out.

use crate::{percentile, sign_in_as, Proc};
use anyhow::{bail, Result};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Tally {
    checked: AtomicUsize,
    refused: AtomicUsize,
    other: AtomicUsize,
}

impl Tally {
    fn line(&self, name: &str, minutes: f64) -> String {
        let checked = self.checked.load(Ordering::Relaxed);
        format!(
            "{name:<44} checked {checked:>5} ({:>6.1} per 15 min)   refused unchecked {:>7}   other {}",
            checked as f64 * 15.0 / minutes,
            self.refused.load(Ordering::Relaxed),
            self.other.load(Ordering::Relaxed),
        )
    }
}

/// One sign-in attempt from `from` (as the proxy reports it).
async fn attempt(
    http: &reqwest::Client,
    addr: &str,
    from: &str,
    username: &str,
    password: &str,
) -> Result<reqwest::StatusCode> {
    Ok(http
        .post(format!("http://{addr}/api/sign_in"))
        .header("origin", format!("http://{addr}"))
        .header("accept", "application/json")
        .header("x-forwarded-for", from)
        .form(&[("username", username), ("password", password)])
        .send()
        .await?
        .status())
}

/// Guesses wrong passwords for `username` from `from` until `until`,
/// polling again a second after each refusal (as a patient attacker would).
async fn guess(
    http: reqwest::Client,
    addr: String,
    from: String,
    username: &'static str,
    until: Instant,
    tally: Arc<Tally>,
) -> Result<()> {
    let mut i = 0u64;
    while Instant::now() < until {
        i += 1;
        let status = attempt(&http, &addr, &from, username, &format!("guess-{i}-{from}")).await?;
        match status.as_u16() {
            401 => {
                tally.checked.fetch_add(1, Ordering::Relaxed);
            }
            429 => {
                tally.refused.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            _ => {
                tally.other.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    Ok(())
}

/// p50 and p99 (ms) of `n` requests for a page and a server function, as
/// a signed-in member of staff.
async fn page_latency(
    http: &reqwest::Client,
    addr: &str,
    cookie: &str,
    n: usize,
) -> Result<(f64, f64)> {
    let mut ms = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        let res = if i % 2 == 0 {
            http.get(format!("http://{addr}/waiting-room"))
                .header("cookie", cookie)
                .send()
                .await?
        } else {
            http.post(format!("http://{addr}/api/day_info"))
                .header("origin", format!("http://{addr}"))
                .header("cookie", cookie)
                .header("accept", "application/json")
                .send()
                .await?
        };
        if !res.status().is_success() {
            bail!("a signed-in request failed: {}", res.status());
        }
        res.bytes().await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    Ok((percentile(&ms, 50.0), percentile(&ms, 99.0)))
}

pub async fn run(
    server_bin: String,
    site_root: String,
    minutes: f64,
    parallel: usize,
) -> Result<()> {
    println!(
        "openpractice-load brute-force: {minutes} minutes of guessing, {parallel} parallel attackers"
    );
    let server = Proc::real_with(
        &server_bin,
        "mem://",
        &site_root,
        &["--trusted-proxy", "127.0.0.1"],
    )?;
    let addr = server.addr.clone();
    let http = reqwest::Client::new();
    let cookie = sign_in_as(&http, &addr, "reception").await?;

    // 1. Pages while staff sign in: idle, then during a burst of real
    //    sign-ins from `parallel` addresses at once.
    page_latency(&http, &addr, &cookie, 20).await?;
    let (idle50, idle99) = page_latency(&http, &addr, &cookie, 200).await?;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let signed_in = Arc::new(AtomicUsize::new(0));
    let burst_started = Instant::now();
    let mut burst = Vec::new();
    for i in 0..parallel {
        let (http, addr, stop, signed_in) =
            (http.clone(), addr.clone(), stop.clone(), signed_in.clone());
        burst.push(tokio::spawn(async move {
            let from = format!("192.0.2.{}", i + 1);
            while !stop.load(Ordering::Relaxed) {
                let status = attempt(&http, &addr, &from, "gp3", "openpractice-demo").await?;
                if status.is_success() {
                    signed_in.fetch_add(1, Ordering::Relaxed);
                } else {
                    bail!("a real sign-in was refused: {status}");
                }
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (burst50, burst99) = page_latency(&http, &addr, &cookie, 200).await?;
    stop.store(true, Ordering::Relaxed);
    for b in burst {
        b.await??;
    }
    let rate = signed_in.load(Ordering::Relaxed) as f64 / burst_started.elapsed().as_secs_f64();
    println!("page and server function latency, signed in (p50 / p99):");
    println!("  idle                                       {idle50:>7.1} ms / {idle99:>7.1} ms");
    println!(
        "  during {parallel} parallel real sign-ins        {burst50:>7.1} ms / {burst99:>7.1} ms   ({rate:.1} sign-ins/s completed)"
    );

    // 2. The attacks, all at once, on three accounts.
    let until = Instant::now() + Duration::from_secs_f64(minutes * 60.0);
    let sequential = Arc::new(Tally::default());
    let same_address = Arc::new(Tally::default());
    let botnet = Arc::new(Tally::default());
    let mut attackers = vec![tokio::spawn(guess(
        http.clone(),
        addr.clone(),
        "203.0.113.1".into(),
        "gp",
        until,
        sequential.clone(),
    ))];
    for i in 0..parallel {
        attackers.push(tokio::spawn(guess(
            http.clone(),
            addr.clone(),
            "203.0.113.2".into(),
            "gp2",
            until,
            same_address.clone(),
        )));
        attackers.push(tokio::spawn(guess(
            http.clone(),
            addr.clone(),
            format!("198.51.100.{}", i + 1),
            "nurse",
            until,
            botnet.clone(),
        )));
    }
    // The clinicians under attack sign in from their own desks, once a
    // minute, throughout.
    let mut locked_out = 0;
    let mut owner_sign_ins = 0;
    let mut progress = Instant::now();
    while Instant::now() < until {
        for user in ["gp", "gp2", "nurse"] {
            owner_sign_ins += 1;
            let status = attempt(&http, &addr, "10.1.1.1", user, "openpractice-demo").await?;
            if !status.is_success() {
                locked_out += 1;
            }
        }
        if progress.elapsed() > Duration::from_secs(60) {
            progress = Instant::now();
            println!(
                "  … {:.0} s left: checked so far {} / {} / {}",
                until
                    .saturating_duration_since(Instant::now())
                    .as_secs_f64(),
                sequential.checked.load(Ordering::Relaxed),
                same_address.checked.load(Ordering::Relaxed),
                botnet.checked.load(Ordering::Relaxed),
            );
        }
        tokio::time::sleep(
            Duration::from_secs(60).min(until.saturating_duration_since(Instant::now())),
        )
        .await;
    }
    for a in attackers {
        a.await??;
    }
    println!("wrong-password guesses the server checked in {minutes} minutes:");
    println!(
        "  {}",
        sequential.line("one attacker, one address, sequential", minutes)
    );
    println!(
        "  {}",
        same_address.line(&format!("{parallel} in parallel from one address"), minutes)
    );
    println!(
        "  {}",
        botnet.line(&format!("{parallel} addresses, one guesser each"), minutes)
    );
    println!(
        "the attacked staff signing in from their own address: {} of {owner_sign_ins} refused",
        locked_out
    );
    if locked_out > 0 {
        bail!("an attacker locked a member of staff out");
    }
    Ok(())
}
