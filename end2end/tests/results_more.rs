//! An inbox longer than a window, through a real browser: the GP's inbox
//! says it shows the first 100 of all it holds; "Show the next …" adds the
//! rest below them; the whole list then stays live (a new report appears
//! at its end without a reload).

use end2end::lab::{bundle, fhir, laboratory};
use end2end::{launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole};
use serde_json::Value;
use std::time::Duration;

/// The laboratory posts a normal HbA1c for `patient`, asked for by `gp`.
async fn post(
    server: &Server,
    lab: &str,
    n: usize,
    patient: &Value,
    gp: &str,
) -> anyhow::Result<()> {
    let born = patient["birthDate"].as_str().unwrap_or_default();
    let report = bundle(
        &format!("MORE-{n}"),
        ("4548-4", "HbA1c"),
        38.0,
        (20.0, 41.0),
        patient,
        born,
        gp,
    );
    let (status, said) = fhir(server, "POST", "/fhir/r4/Bundle", lab, &report.to_string()).await?;
    anyhow::ensure!(status == 201, "{said}");
    Ok(())
}

#[tokio::test]
async fn a_long_inbox_shows_the_next_reports_when_asked_and_stays_live() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let (live, loaded) = (Duration::from_secs(2), Duration::from_secs(30));
    let (lab, gp_id) = laboratory(&server, &browser).await?;
    let (_, patients) = fhir(&server, "GET", "/fhir/r4/Patient?_count=1", &lab, "").await?;
    let patient = patients["entry"][0]["resource"].clone();
    // A hundred more reports for Dr Khan than the demo gave her.
    for n in 0..100 {
        post(&server, &lab, n, &patient, &gp_id).await?;
    }

    let gp = sign_in(&server, &browser.new_context().await?, "gp", DEMO_PASSWORD).await?;
    nav_link(&gp, "Results").click(None).await?;
    let table = role(&gp, AriaRole::Table, "Unfiled");
    let rows = table.locator("tbody tr");
    expect(rows.clone())
        .with_timeout(loaded)
        .to_have_count(100)
        .await?;
    let status = gp.get_by_text("Showing the first 100 of ", false);
    expect(status.clone()).to_be_visible().await?;
    let said = status.inner_text().await?;
    let total: usize = said
        .trim_start_matches("Showing the first 100 of ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no total in {said:?}"))?;
    assert!(total > 100, "{said}");

    // Asked for, the rest are added below the first hundred.
    let more = format!("Show the next {}", total - 100);
    role(&gp, AriaRole::Button, &more).click(None).await?;
    expect(rows.clone())
        .with_timeout(live)
        .to_have_count(total)
        .await?;
    expect(status).to_have_count(0).await?;
    expect(role(&gp, AriaRole::Heading, &format!("Unfiled ({total})")))
        .to_be_visible()
        .await?;

    // The whole inbox is held now: a new report appears at its end, live.
    post(&server, &lab, 100, &patient, &gp_id).await?;
    expect(rows.clone())
        .with_timeout(live)
        .to_have_count(total + 1)
        .await?;
    expect(role(
        &gp,
        AriaRole::Heading,
        &format!("Unfiled ({})", total + 1),
    ))
    .with_timeout(live)
    .to_be_visible()
    .await?;
    Ok(())
}
