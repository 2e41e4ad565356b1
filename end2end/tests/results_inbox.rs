//! The results inbox through real browsers: a laboratory (an API client
//! the admin registered) posts an abnormal HbA1c over HTTP; it appears in
//! the requesting GP's open inbox without a reload, first, and the count
//! beside Results says so, and on the GP's open patient page; the GP files
//! it "abnormal, action: urgent appointment" with a comment for the
//! patient, the task appears in reception's open Reception list live, the
//! open patient page shows it filed, and reception reads the comment on the
//! patient's page. A report whose birth date does not agree appears on
//! reception's open Unmatched list live; reception finds the patient,
//! matches it, it leaves the list, and it reaches the GP's inbox live.

use end2end::lab::{bundle, fhir, laboratory};
use end2end::{expect_live, launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole, FilterOptions, SelectOption};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_posted_result_reaches_the_gp_live_and_filing_it_raises_reception_s_task(
) -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let (live, loaded) = (Duration::from_secs(2), Duration::from_secs(30));

    // The admin registers the laboratory; Dr Khan is who asks for tests.
    let (lab, gp_id) = laboratory(&server, &browser).await?;
    // One of Dr Khan's own patients, so a report matched by hand reaches her.
    let (_, patients) = fhir(&server, "GET", "/fhir/r4/Patient?_count=50", &lab, "").await?;
    let theirs = format!("Practitioner/{gp_id}");
    let patient = patients["entry"]
        .as_array()
        .and_then(|e| {
            e.iter()
                .find(|e| e["resource"]["generalPractitioner"][0]["reference"] == json!(theirs))
        })
        .map(|e| e["resource"].clone())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "none of the first 50 patients is Dr Khan's: {}",
                &patients.to_string()[..2000.min(patients.to_string().len())]
            )
        })?;
    let born = patient["birthDate"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let family = patient["name"][0]["family"]
        .as_str()
        .unwrap_or_default()
        .to_uppercase();
    let given = patient["name"][0]["given"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let nhs = patient["identifier"][0]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // The GP has the inbox open, and the patient's page in another tab;
    // reception has the Reception list open.
    let gp_context = browser.new_context().await?;
    let gp = sign_in(&server, &gp_context, "gp", DEMO_PASSWORD).await?;
    let patient_url = server.url(&format!(
        "/patients/{}",
        patient["id"].as_str().unwrap_or_default()
    ));
    let gp_record = gp_context.new_page().await?;
    gp_record.goto(&patient_url, None).await?;
    expect_live(&gp_record).await?;
    let record_row = gp_record
        .get_by_role(AriaRole::Row, None)
        .filter(FilterOptions::default().has_text("HbA1c"));
    expect(record_row.clone()).to_have_count(0).await?;
    nav_link(&gp, "Results").click(None).await?;
    expect(role(&gp, AriaRole::Heading, "Your results inbox"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    // The demo laboratory's reports for her are all normal.
    let unfiled_heading = gp
        .get_by_role(AriaRole::Heading, None)
        .filter(FilterOptions::default().has_text("Unfiled ("));
    expect(unfiled_heading.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    let reception = sign_in(
        &server,
        &browser.new_context().await?,
        "reception",
        DEMO_PASSWORD,
    )
    .await?;
    nav_link(&reception, "Tasks").click(None).await?;
    reception
        .get_by_label("Team", true)
        .select_option(SelectOption::Label("Reception".into()), None)
        .await?;

    // The laboratory posts an abnormal HbA1c: first in the inbox, live.
    let hba1c = bundle(
        "E2E-1",
        ("4548-4", "HbA1c"),
        64.0,
        (20.0, 41.0),
        &patient,
        &born,
        &gp_id,
    );
    let (status, said) = fhir(&server, "POST", "/fhir/r4/Bundle", &lab, &hba1c.to_string()).await?;
    assert_eq!(status, 201, "{said}");
    let unfiled = gp
        .get_by_role(AriaRole::Table, None)
        .filter(FilterOptions::default().has_text("Test"));
    let first = unfiled.first().get_by_role(AriaRole::Link, None).first();
    let label = format!("HbA1c – {family}, {given}");
    expect(first.clone())
        .with_timeout(live)
        .to_have_text(&label)
        .await?;
    expect(gp.locator("nav span[title='My results']"))
        .with_timeout(live)
        .to_contain_text(", 1 abnormal")
        .await?;
    // The open patient page shows it too, without a reload.
    expect(record_row.clone())
        .with_timeout(live)
        .to_contain_text("Waiting to be filed")
        .await?;

    // The GP opens it: the value, its range and its flag in words.
    first.click(None).await?;
    expect(role(&gp, AriaRole::Heading, &label))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    let row = gp
        .get_by_role(AriaRole::Row, None)
        .filter(FilterOptions::default().has_text("64 mmol/mol"));
    expect(row.clone()).to_contain_text("20–41").await?;
    expect(row).to_contain_text("High").await?;

    // Filed "urgent appointment" for Reception, with what to tell the patient.
    gp.get_by_label("Abnormal, action: book an urgent appointment", true)
        .check(None)
        .await?;
    gp.get_by_label("Team to act on it (for an action)", true)
        .select_option(SelectOption::Label("Reception".into()), None)
        .await?;
    let comment = "Please book an urgent appointment with Dr Khan this week.";
    gp.get_by_label("Comment for the patient (reception reads this out)", true)
        .fill(comment, None)
        .await?;
    role(&gp, AriaRole::Button, "File result")
        .click(None)
        .await?;
    expect(
        gp.get_by_role(AriaRole::Status, None)
            .filter(FilterOptions::default().has_text("Filed.")),
    )
    .with_timeout(loaded)
    .to_be_visible()
    .await?;

    // Reception's Reception list shows the task without a reload.
    let task = reception
        .get_by_role(AriaRole::List, None)
        .filter(FilterOptions::default().has_text("Book an urgent appointment: HbA1c result"));
    expect(task).with_timeout(live).to_be_visible().await?;
    // The GP's open patient page shows it filed, with the comment.
    expect(record_row)
        .with_timeout(live)
        .to_contain_text("Filed")
        .await?;
    expect(gp_record.locator("main"))
        .with_timeout(live)
        .to_contain_text(comment)
        .await?;
    // Reception opens the patient (the patient has phoned) and reads it out.
    reception.goto(&patient_url, None).await?;
    expect(reception.locator("main"))
        .with_timeout(loaded)
        .to_contain_text(comment)
        .await?;
    expect(reception.locator("main"))
        .not()
        .to_contain_text("64 mmol/mol")
        .await?;

    // A report whose birth date disagrees waits for reception to match it.
    gp.goto(&server.url("/results"), None).await?;
    expect(unfiled_heading.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(gp.locator("nav span[title='My results']"))
        .with_timeout(loaded)
        .not()
        .to_contain_text("abnormal")
        .await?;
    // Reception has the Unmatched list open: the report appears on it live.
    reception
        .goto(&server.url("/results/unmatched"), None)
        .await?;
    expect_live(&reception).await?;
    let lipids = bundle(
        "E2E-2",
        ("2093-3", "Cholesterol"),
        7.9,
        (0.0, 5.0),
        &patient,
        "1900-01-01",
        &gp_id,
    );
    let (status, said) = fhir(
        &server,
        "POST",
        "/fhir/r4/Bundle",
        &lab,
        &lipids.to_string(),
    )
    .await?;
    assert_eq!(status, 201, "{said}");
    let item = reception
        .get_by_role(AriaRole::Listitem, None)
        .filter(FilterOptions::default().has_text(format!("NHS number {nhs}")))
        // Ours is the newest of the laboratory's unmatched reports.
        .last();
    expect(item.clone())
        .with_timeout(live)
        .to_contain_text("The date of birth differs")
        .await?;
    // Reception sees who it says it is about, never the result.
    expect(item.clone()).not().to_contain_text("7.9").await?;
    item.get_by_label("Find the patient (name, NHS number or date of birth)", true)
        .fill(&nhs, None)
        .await?;
    item.get_by_role(AriaRole::Button, None)
        .filter(FilterOptions::default().has_text("Search"))
        .click(None)
        .await?;
    let matching = item
        .get_by_role(AriaRole::Button, None)
        .filter(FilterOptions::default().has_text("Match to this patient"));
    expect(matching.clone())
        .with_timeout(loaded)
        .to_have_count(1)
        .await?;
    matching.click(None).await?;
    expect(
        reception
            .get_by_role(AriaRole::Status, None)
            .filter(FilterOptions::default().has_text("Matched")),
    )
    .with_timeout(loaded)
    .to_be_visible()
    .await?;
    // And it leaves the list.
    expect(item).with_timeout(live).to_have_count(0).await?;

    // It reaches the patient's usual GP's open inbox live.
    let arrived = gp
        .get_by_role(AriaRole::Link, None)
        .filter(FilterOptions::default().has_text(format!("Cholesterol – {family}, {given}")));
    expect(arrived).with_timeout(live).to_be_visible().await?;
    Ok(())
}
