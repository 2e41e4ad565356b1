//! Rotas and absences in Chromium: the admin adds Dr Khan's evening
//! telephone rota and makes four weeks of sessions from it, then records
//! her leave over a day of booked appointments: the page lists them for
//! moving, and reception's appointment book shows her away with each of
//! those appointments still booked, marked to move, and nothing bookable.

use end2end::{launch_browser, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole, FilterOptions, SelectOption};
use std::time::Duration;

#[tokio::test]
async fn a_rota_makes_four_weeks_and_leave_lists_the_appointments_to_move() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let loaded = Duration::from_secs(30);
    let admin = sign_in(
        &server,
        &browser.new_context().await?,
        "admin",
        DEMO_PASSWORD,
    )
    .await?;
    admin.goto(&server.url("/admin/rotas"), None).await?;
    expect(role(&admin, AriaRole::Heading, "Rotas and absences"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;

    let rota = admin
        .locator("form")
        .filter(FilterOptions::default().has_text("Add rota"));
    rota.get_by_label("Clinician", true)
        .select_option(SelectOption::Label("Dr Aisha Khan".into()), None)
        .await?;
    rota.get_by_label("Start (HH:MM)", true)
        .fill("18:00", None)
        .await?;
    rota.get_by_label("End (HH:MM)", true)
        .fill("19:00", None)
        .await?;
    rota.get_by_label("Appointments", true)
        .select_option(SelectOption::Label("Telephone".into()), None)
        .await?;
    role(&admin, AriaRole::Button, "Add rota")
        .click(None)
        .await?;
    let said = |text: &str| {
        admin
            .get_by_role(AriaRole::Status, None)
            .filter(FilterOptions::default().has_text(text))
    };
    expect(said("Added Dr Aisha Khan's rota"))
        .with_timeout(loaded)
        .to_contain_text("Monday–Friday 18:00–19:00, 10-minute slots")
        .await?;

    // Any four weeks hold twenty weekdays; the demo's clinics are 09:00–17:00.
    role(&admin, AriaRole::Button, "Make sessions")
        .click(None)
        .await?;
    expect(said("Made "))
        .with_timeout(loaded)
        .to_have_text("Made 20 sessions (0 already made).")
        .await?;

    // Leave the day after tomorrow, over the demo's booked appointments.
    let day = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
    let away = admin
        .locator("form")
        .filter(FilterOptions::default().has_text("Record absence"));
    away.get_by_label("Clinician", true)
        .select_option(SelectOption::Label("Dr Aisha Khan".into()), None)
        .await?;
    away.get_by_label("First day away", true)
        .fill(&day, None)
        .await?;
    away.get_by_label("Last day away", true)
        .fill(&day, None)
        .await?;
    role(&admin, AriaRole::Button, "Record absence")
        .click(None)
        .await?;
    expect(said("Recorded: Dr Aisha Khan away"))
        .with_timeout(loaded)
        .to_contain_text("sessions blocked")
        .await?;
    let table = admin.get_by_role(AriaRole::Table, None);
    expect(table.clone()).to_be_visible().await?;
    let caption = table.locator("caption").inner_text().await?;
    let rows = table.locator("tbody tr").count().await?;
    assert!(rows > 0, "the demo books Dr Khan's clinics: {caption}");
    assert_eq!(caption, format!("Appointments to move ({rows})"));
    expect(role(
        &admin,
        AriaRole::Button,
        &format!("Remove absence: Dr Aisha Khan · Leave, {day} to {day}"),
    ))
    .to_be_visible()
    .await?;

    // Reception's book that day: every one still booked, marked to move,
    // and no free slot of hers offered.
    let desk = sign_in(
        &server,
        &browser.new_context().await?,
        "reception",
        DEMO_PASSWORD,
    )
    .await?;
    desk.goto(&server.url("/appointments"), None).await?;
    expect(desk.get_by_role(AriaRole::Status, None).first())
        .with_timeout(loaded)
        .to_have_text("Live")
        .await?;
    for _ in 0..2 {
        role(&desk, AriaRole::Button, "Next day")
            .click(None)
            .await?;
    }
    let to_move = desk
        .get_by_role(AriaRole::Button, None)
        .filter(FilterOptions::default().has_text("Clinician away: move"));
    expect(to_move.first())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    assert_eq!(
        to_move.count().await?,
        rows,
        "each listed appointment, still in the book"
    );
    expect(desk.get_by_text("Away: leave", true).first())
        .to_be_visible()
        .await?;
    let bookable = desk
        .get_by_role(AriaRole::Button, None)
        .filter(FilterOptions::default().has_text("Book"));
    for i in 0..bookable.count().await? as i32 {
        let name = bookable
            .nth(i)
            .get_attribute("aria-label")
            .await?
            .unwrap_or_default();
        assert!(
            !name.contains("Dr Aisha Khan"),
            "a slot of hers offered while away: {name}"
        );
    }
    Ok(())
}
