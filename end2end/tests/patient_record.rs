//! The patient record through real browsers: the GP starts a consultation
//! from "My day", records a blood pressure and a coded problem (the draft
//! survives a reload), saves, and sees both in the summary and on the
//! chart; reception opening the same patient does not see the consultation
//! text, and sees an allergy the GP then records appear live; the
//! admin's audit page lists both accesses.

use end2end::{expect_live, launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole, FilterOptions, GetByRoleOptions, SelectOption};
use std::time::Duration;

#[tokio::test]
async fn a_gp_records_a_consultation_from_my_day_and_only_clinicians_see_its_text(
) -> anyhow::Result<()> {
    let server = Server::start_demo_with_histories()?;
    let (_pw, browser) = launch_browser().await?;
    let loaded = Duration::from_secs(30);
    let history = "Tight chest on the stairs for a fortnight.";

    // The GP's tablet: My day → "Start consultation".
    let gp_context = browser.new_context().await?;
    let gp = sign_in(&server, &gp_context, "gp", DEMO_PASSWORD).await?;
    gp.set_viewport_size(playwright_rs::Viewport {
        width: 820,
        height: 1180,
    })
    .await?;
    nav_link(&gp, "My day").click(None).await?;
    expect(gp.get_by_role(AriaRole::Status, None).first())
        .with_timeout(loaded)
        .to_have_text("Live")
        .await?;
    let start = gp
        .get_by_role(AriaRole::Button, None)
        .filter(FilterOptions::default().has_text("Start consultation"))
        .first();
    let label = start.get_attribute("aria-label").await?.unwrap_or_default();
    let patient = label
        .trim_start_matches("Start consultation – ")
        .to_string();
    assert!(
        !patient.is_empty() && patient != label,
        "button label was {label:?}"
    );
    start.click(None).await?;
    let heading = gp.get_by_role(
        AriaRole::Heading,
        Some(GetByRoleOptions::default().level(1)),
    );
    expect(heading.clone())
        .with_timeout(loaded)
        .to_contain_text(&format!("Consultation: {patient}"))
        .await?;
    assert!(
        gp.url().contains("/consultation?appointment="),
        "{}",
        gp.url()
    );

    gp.get_by_label("History", true).fill(history, None).await?;
    gp.get_by_label("Systolic blood pressure (mmHg)", true)
        .fill("138", None)
        .await?;
    gp.get_by_label("Diastolic blood pressure (mmHg)", true)
        .fill("86", None)
        .await?;
    gp.get_by_label("Add a coded entry", true)
        .fill("hypert", None)
        .await?;
    role(
        &gp,
        AriaRole::Button,
        "Hypertensive disorder, systemic arterial (38341003)",
    )
    .click(None)
    .await?;
    let chosen = gp.get_by_role(
        AriaRole::List,
        Some(GetByRoleOptions::default().name("Coded entries chosen")),
    );
    expect(chosen.clone())
        .to_contain_text("Hypertensive disorder, systemic arterial (SNOMED CT 38341003)")
        .await?;

    // The draft is on the server: a reload brings every part of it back.
    let saved = gp
        .get_by_role(AriaRole::Status, None)
        .filter(FilterOptions::default().has_text("Your draft is saved"));
    expect(saved.first())
        .with_timeout(Duration::from_secs(10))
        .to_be_visible()
        .await?;
    // The connection drops mid-consultation: the page says the draft is
    // not saved, keeps trying, and saves it once the connection is back.
    gp_context.set_offline(true).await?;
    gp.get_by_label("Plan", true)
        .fill("Review in two weeks.", None)
        .await?;
    let not_saved = gp
        .get_by_role(AriaRole::Status, None)
        .filter(FilterOptions::default().has_text("Your draft is NOT saved"));
    expect(not_saved.first())
        .with_timeout(Duration::from_secs(10))
        .to_be_visible()
        .await?;
    gp_context.set_offline(false).await?;
    expect(saved.first())
        .with_timeout(Duration::from_secs(15))
        .to_be_visible()
        .await?;
    gp.reload(None).await?;
    expect(gp.get_by_label("History", true))
        .with_timeout(loaded)
        .to_have_value(history)
        .await?;
    expect(gp.get_by_label("Systolic blood pressure (mmHg)", true))
        .to_have_value("138")
        .await?;
    expect(gp.get_by_label("Plan", true))
        .to_have_value("Review in two weeks.")
        .await?;
    expect(chosen.clone())
        .to_contain_text("Hypertensive disorder, systemic arterial")
        .await?;

    role(&gp, AriaRole::Button, "Save consultation")
        .click(None)
        .await?;
    // The patient's page: the problem, the reading, and the chart; live.
    expect_live(&gp).await?;
    expect(role(&gp, AriaRole::Region, "Active problems"))
        .with_timeout(loaded)
        .to_contain_text("Hypertensive disorder, systemic arterial")
        .await?;
    expect(role(&gp, AriaRole::Region, "Latest observations"))
        .to_contain_text("Systolic blood pressure: 138 mmHg")
        .await?;
    expect(role(&gp, AriaRole::Region, "Latest observations"))
        .to_contain_text("Diastolic blood pressure: 86 mmHg")
        .await?;
    let chart = gp.get_by_role(
        AriaRole::Img,
        Some(GetByRoleOptions::default().name("latest 138/86 mmHg")),
    );
    expect(chart).to_be_visible().await?;
    expect(gp.locator("main")).to_contain_text(history).await?;
    // No draft is left behind once the consultation is saved.
    expect(gp.locator("main"))
        .not()
        .to_contain_text("unsaved consultation draft")
        .await?;
    // A medication added from the record's form, then ended with a note:
    // it leaves "Current medications" and keeps its history.
    gp.get_by_label("Kind", true)
        .select_option(SelectOption::Label("Medication".into()), None)
        .await?;
    gp.get_by_label("Medication name", true)
        .fill("Lansoprazole", None)
        .await?;
    gp.get_by_label("Dose", true).fill("15 mg", None).await?;
    gp.get_by_label("Frequency", true)
        .fill("once a day", None)
        .await?;
    role(&gp, AriaRole::Button, "Add to the record")
        .click(None)
        .await?;
    let meds = role(&gp, AriaRole::Region, "Current medications");
    expect(meds.clone())
        .with_timeout(loaded)
        .to_contain_text("Lansoprazole, 15 mg, once a day")
        .await?;
    gp.get_by_label("Note for Lansoprazole, 15 mg, once a day", true)
        .fill("ankle swelling", None)
        .await?;
    role(&gp, AriaRole::Button, "End Lansoprazole, 15 mg, once a day")
        .click(None)
        .await?;
    expect(meds.clone())
        .with_timeout(loaded)
        .not()
        .to_contain_text("Lansoprazole")
        .await?;
    let row = gp
        .get_by_role(AriaRole::Row, None)
        .filter(FilterOptions::default().has_text("Lansoprazole"));
    expect(row.clone()).to_contain_text("Past: ended").await?;
    expect(row).to_contain_text("2 changes").await?;
    // Amend, never edit: the text in force changes, who amended it and why
    // is shown, and the original is kept beside it.
    let amended = "Tight chest on the stairs for three weeks.";
    role(&gp, AriaRole::Button, "Amend this consultation")
        .click(None)
        .await?;
    gp.get_by_label("Reason for the amendment", true)
        .fill("Duration was wrong", None)
        .await?;
    gp.get_by_label("History", true).fill(amended, None).await?;
    role(&gp, AriaRole::Button, "Save amendment")
        .click(None)
        .await?;
    let consultation = gp.get_by_role(AriaRole::Article, None).first();
    expect(consultation.clone())
        .with_timeout(loaded)
        .to_contain_text("Amended by Dr Aisha Khan")
        .await?;
    expect(consultation.clone())
        .to_contain_text(amended)
        .await?;
    gp.get_by_text("Original text and amendments", true)
        .click(None)
        .await?;
    expect(consultation.clone())
        .to_contain_text(&format!("History: {history}"))
        .await?;
    expect(consultation)
        .to_contain_text("Duration was wrong")
        .await?;
    let record_url = gp.url();
    assert!(
        record_url.contains("/patients/") && !record_url.contains("consultation"),
        "{record_url}"
    );

    // Reception opens the same patient: the banner, not the consultation.
    let desk_context = browser.new_context().await?;
    let desk = sign_in(&server, &desk_context, "reception", DEMO_PASSWORD).await?;
    desk.goto(&record_url, None).await?;
    expect(desk.get_by_role(
        AriaRole::Heading,
        Some(GetByRoleOptions::default().level(1)),
    ))
    .with_timeout(loaded)
    .to_have_text(&patient)
    .await?;
    expect(desk.locator("main"))
        .to_contain_text("New task for this patient")
        .await?;
    for hidden in [
        history,
        amended,
        "Hypertensive disorder",
        "Last consultations",
        "138",
    ] {
        expect(desk.locator("main"))
            .not()
            .to_contain_text(hidden)
            .await?;
    }

    // With both pages open, the GP records an allergy: reception's banner
    // shows it without a reload.
    let banner = role(&desk, AriaRole::Region, "Patient banner");
    expect(banner.clone())
        .not()
        .to_contain_text("Allergy to penicillin")
        .await?;
    expect_live(&desk).await?;
    gp.get_by_label("Kind", true)
        .select_option(SelectOption::Label("Allergy".into()), None)
        .await?;
    gp.get_by_label("Problem or allergy", true)
        .fill("penicillin", None)
        .await?;
    role(&gp, AriaRole::Button, "Allergy to penicillin (91936005)")
        .click(None)
        .await?;
    role(&gp, AriaRole::Button, "Add to the record")
        .click(None)
        .await?;
    expect(banner)
        .with_timeout(Duration::from_secs(2))
        .to_contain_text("Allergies: Allergy to penicillin")
        .await?;
    assert_eq!(desk.url(), record_url, "no navigation, no reload");

    // The GP has started typing on the page when reception changes the
    // address: the GP's entry is not redrawn away; the page says a
    // colleague changed the record, and shows it when asked.
    gp.get_by_label("Kind", true)
        .select_option(SelectOption::Label("Problem".into()), None)
        .await?;
    gp.get_by_label("Note or reaction (optional)", true)
        .fill("worse on exertion", None)
        .await?;
    desk.goto(&format!("{record_url}/edit"), None).await?;
    desk.get_by_label("Address", true)
        .fill("1 New Road\nRiverside", None)
        .await?;
    role(&desk, AriaRole::Button, "Save changes")
        .click(None)
        .await?;
    expect(
        desk.get_by_role(AriaRole::Status, None)
            .filter(FilterOptions::default().has_text("Saved.")),
    )
    .with_timeout(loaded)
    .to_be_visible()
    .await?;
    let held = gp
        .get_by_role(AriaRole::Alert, None)
        .filter(FilterOptions::default().has_text("A colleague changed this record"));
    expect(held.clone())
        .with_timeout(Duration::from_secs(2))
        .to_be_visible()
        .await?;
    expect(gp.get_by_label("Note or reaction (optional)", true))
        .to_have_value("worse on exertion")
        .await?;
    expect(role(&gp, AriaRole::Region, "Patient banner"))
        .not()
        .to_contain_text("1 New Road")
        .await?;
    held.get_by_role(AriaRole::Button, None).click(None).await?;
    expect(role(&gp, AriaRole::Region, "Patient banner"))
        .with_timeout(loaded)
        .to_contain_text("1 New Road")
        .await?;

    // The admin's audit page lists the GP's consultation and reception's view.
    let admin_context = browser.new_context().await?;
    let admin = sign_in(&server, &admin_context, "admin", DEMO_PASSWORD).await?;
    admin.goto(&server.url("/admin/audit"), None).await?;
    role(&admin, AriaRole::Button, "Show").click(None).await?;
    let rows = admin.get_by_role(AriaRole::Row, None);
    let family = patient.split_whitespace().last().unwrap_or_default();
    for (action, role_name) in [
        ("saved a consultation", "(gp)"),
        ("viewed the record", "(reception)"),
    ] {
        expect(
            rows.clone()
                .filter(FilterOptions::default().has_text(action))
                .filter(FilterOptions::default().has_text(role_name))
                .filter(FilterOptions::default().has_text(family))
                .first(),
        )
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    }
    // Nothing clinical or identifying reaches the server's log.
    let log = server.log();
    for private in [
        history,
        amended,
        patient.as_str(),
        "Lansoprazole",
        "ankle swelling",
    ] {
        assert!(!log.contains(private), "the server log holds {private:?}");
    }
    Ok(())
}
