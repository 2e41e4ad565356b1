//! A letter through real browsers: reception uploads a clinic letter's
//! PDF from the patient's page; the GP, with the same patient's page open,
//! sees it arrive under Documents without a reload, opens it and reads it
//! inline, codes it (atrial fibrillation) with a one-line summary and
//! files it; the code is on the patient's problem list. Reception never
//! sees the Documents section.

use end2end::{expect_live, launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole, FilterOptions};
use std::path::PathBuf;
use std::time::Duration;

#[tokio::test]
async fn a_letter_pdf_is_uploaded_viewed_inline_coded_and_filed_onto_the_problem_list(
) -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let (live, loaded) = (Duration::from_secs(2), Duration::from_secs(30));
    let pdf = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?)
        .join("tests")
        .join("fixtures")
        .join("clinic-letter.pdf");

    // Reception finds the patient.
    let reception = sign_in(
        &server,
        &browser.new_context().await?,
        "reception",
        DEMO_PASSWORD,
    )
    .await?;
    nav_link(&reception, "Patients").click(None).await?;
    reception
        .get_by_label("Find a patient", true)
        .fill("Jones", None)
        .await?;
    reception
        .get_by_role(AriaRole::Button, None)
        .filter(FilterOptions::default().has_text("Search"))
        .first()
        .click(None)
        .await?;
    let first = reception.locator("table a[href^='/patients/']").first();
    expect(first.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    first.click(None).await?;
    expect(role(&reception, AriaRole::Heading, "Upload a letter"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect_live(&reception).await?;
    let patient_url = reception.url();

    // The GP has the same patient's page open.
    let gp = sign_in(&server, &browser.new_context().await?, "gp", DEMO_PASSWORD).await?;
    gp.goto(&patient_url, None).await?;
    expect(role(&gp, AriaRole::Heading, "Documents"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect_live(&gp).await?;
    let letter_link = role(&gp, AriaRole::Link, "Clinic letter");
    expect(letter_link.clone()).to_have_count(0).await?;

    // Reception uploads the letter: a missing date is named, then it goes.
    reception
        .get_by_label("What it is (e.g. Discharge summary)", true)
        .fill("Clinic letter", None)
        .await?;
    reception
        .get_by_label("From (e.g. Riverside Hospital, Cardiology)", true)
        .fill("Riverside Hospital, Cardiology", None)
        .await?;
    reception
        .get_by_label("The letter (PDF)", true)
        .set_input_files(&pdf, None)
        .await?;
    role(&reception, AriaRole::Button, "Upload letter")
        .click(None)
        .await?;
    expect(reception.get_by_text("Give the letter's date.", true))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    let today = chrono::Utc::now().date_naive().to_string();
    reception
        .get_by_label("Letter date", true)
        .fill(&today, None)
        .await?;
    role(&reception, AriaRole::Button, "Upload letter")
        .click(None)
        .await?;
    expect(reception.get_by_text("Letter uploaded: it is in the GP's inbox.", true))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    // Letters are the clinical record: reception has no Documents section.
    expect(role(&reception, AriaRole::Heading, "Documents"))
        .to_have_count(0)
        .await?;

    // It reaches the GP's open page live; the GP reads it inline.
    expect(letter_link.clone())
        .with_timeout(live)
        .to_be_visible()
        .await?;
    letter_link.click(None).await?;
    let frame = gp.get_by_title("Letter: Clinic letter", true);
    expect(frame.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    let served: String = frame
        .evaluate(
            "async el => { const r = await fetch(el.src); const b = new Uint8Array(await r.arrayBuffer()); \
             return [r.status, r.headers.get('content-type'), String.fromCharCode(...b.slice(0, 5)), b.length].join(' '); }",
            None::<()>,
        )
        .await?;
    let size = std::fs::metadata(&pdf)?.len();
    assert_eq!(served, format!("200 application/pdf %PDF- {size}"));

    // Coded and filed.
    gp.get_by_label("Coded entry (joins the problem list)", true)
        .fill("atrial fib", None)
        .await?;
    // Picked from the keyboard: a mouse click made while headless
    // Chromium's PDF viewer is still starting in the frame above is, now
    // and then, lost (a person clicks seconds later).
    let code = role(&gp, AriaRole::Button, "Atrial fibrillation (49436004)");
    code.focus().await?;
    code.press("Enter", None).await?;
    let chosen = role(&gp, AriaRole::List, "Coded entries to add");
    expect(chosen.clone())
        .to_contain_text("Atrial fibrillation (49436004)")
        .await?;
    gp.get_by_label("Summary (one line)", true)
        .fill("Paroxysmal AF: apixaban started by cardiology.", None)
        .await?;
    role(&gp, AriaRole::Button, "File letter")
        .click(None)
        .await?;
    expect(role(&gp, AriaRole::Heading, "Filed"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(gp.get_by_text("Paroxysmal AF: apixaban started by cardiology.", false))
        .to_be_visible()
        .await?;

    // The code is on the problem list.
    gp.goto(&patient_url, None).await?;
    let problem = gp
        .get_by_role(AriaRole::Row, None)
        .filter(FilterOptions::default().has_text("Atrial fibrillation"));
    expect(problem.first())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    Ok(())
}
