//! Several practices in Chromium: the deployment's operator creates
//! Hillside Surgery on the Practices page; its first admin signs in with the
//! one-time password shown once, is made to choose their own, and finds
//! none of Riverside's patients or staff; the operator is refused every
//! practice's pages.

use end2end::{call, fill_sign_in, launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn the_operator_creates_a_practice_whose_admin_sees_only_their_own() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let loaded = Duration::from_secs(30);

    // The operator's navigation is Practices alone (no task counts).
    let ops = browser.new_context().await?.new_page().await?;
    ops.goto(&server.url("/login"), None).await?;
    fill_sign_in(&ops, "operator", DEMO_PASSWORD).await?;
    expect(role(&ops, AriaRole::Heading, "Welcome, Olu Operator"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(nav_link(&ops, "Practices")).to_be_visible().await?;
    expect(nav_link(&ops, "Patients")).to_have_count(0).await?;
    ops.goto(&server.url("/operator/practices"), None).await?;
    expect(role(&ops, AriaRole::Heading, "Practices"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(
        ops.get_by_role(AriaRole::Cell, None)
            .get_by_text("Riverside Surgery", true),
    )
    .with_timeout(loaded)
    .to_be_visible()
    .await?;
    ops.get_by_label("Practice name", true)
        .fill("Hillside Surgery", None)
        .await?;
    ops.get_by_label("ODS code (optional)", true)
        .fill("B82005", None)
        .await?;
    ops.get_by_label("Name (as colleagues see it)", true)
        .fill("Hana Hill", None)
        .await?;
    ops.get_by_label("Username", true)
        .fill("hana.hill", None)
        .await?;
    role(&ops, AriaRole::Button, "Create practice")
        .click(None)
        .await?;
    let shown = ops.locator("[role=status] dd");
    expect(shown.first())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    assert_eq!(shown.nth(0).inner_text().await?.trim(), "hana.hill");
    let one_time = shown.nth(1).inner_text().await?.trim().to_string();
    expect(
        ops.get_by_role(AriaRole::Cell, None)
            .get_by_text("B82005", true),
    )
    .with_timeout(loaded)
    .to_be_visible()
    .await?;
    // The operator sees no practice's work.
    for path in ["/patients", "/tasks", "/admin/staff"] {
        ops.goto(&server.url(path), None).await?;
        expect(
            ops.get_by_text("You do not have access to this page", false)
                .first(),
        )
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    }
    assert!(
        call(&ops, "search_patients", json!({ "query": "Jones" }), false)
            .await
            .is_err()
    );

    // Hillside's admin: the one-time password, then their own.
    let hana = browser.new_context().await?.new_page().await?;
    hana.goto(&server.url("/login"), None).await?;
    fill_sign_in(&hana, "hana.hill", &one_time).await?;
    expect(role(&hana, AriaRole::Heading, "Change your password"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    let mine = "heather lantern quarry";
    hana.get_by_label("Current password", true)
        .fill(&one_time, None)
        .await?;
    hana.get_by_label("New password", true)
        .fill(mine, None)
        .await?;
    hana.get_by_label("New password again", true)
        .fill(mine, None)
        .await?;
    role(&hana, AriaRole::Button, "Change password")
        .click(None)
        .await?;
    expect(role(&hana, AriaRole::Heading, "Welcome, Hana Hill"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(hana.get_by_text("Signed in to Hillside Surgery", false))
        .to_be_visible()
        .await?;

    // None of Riverside's patients or staff; Riverside's admin still sees theirs.
    let riverside = sign_in(
        &server,
        &browser.new_context().await?,
        "admin",
        DEMO_PASSWORD,
    )
    .await?;
    let theirs = call(
        &riverside,
        "search_patients",
        json!({ "query": "Jones" }),
        false,
    )
    .await?;
    assert!(
        !theirs.as_array().unwrap_or(&vec![]).is_empty(),
        "the demo has patients called Jones"
    );
    let found = call(&hana, "search_patients", json!({ "query": "Jones" }), false).await?;
    assert_eq!(
        found,
        json!([]),
        "Hillside finds none of Riverside's patients"
    );
    let staff = call(&hana, "list_staff", json!({}), false).await?;
    let names: Vec<&str> = staff
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["Hana Hill"]);
    hana.goto(&server.url("/admin/staff"), None).await?;
    expect(role(&hana, AriaRole::Heading, "Staff"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(hana.get_by_text("Dr Aisha Khan", false))
        .to_have_count(0)
        .await?;
    Ok(())
}
