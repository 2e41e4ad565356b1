//! Staff accounts, two browsers: the admin adds a receptionist, who signs
//! in with the one-time password and is made to choose their own, then
//! works the live waiting room; the admin deactivates them and their open
//! tab goes to the sign-in page within 5 s, and their cookie no longer
//! opens anything.

use end2end::{fill_sign_in, launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole};
use std::time::Duration;

#[tokio::test]
async fn an_admin_adds_a_receptionist_who_works_until_deactivated() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let loaded = Duration::from_secs(30);

    // The admin adds Sam: a one-time password, shown once.
    let admin_context = browser.new_context().await?;
    let admin = sign_in(&server, &admin_context, "admin", DEMO_PASSWORD).await?;
    admin.goto(&server.url("/admin/staff"), None).await?;
    expect(role(&admin, AriaRole::Heading, "Staff"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    admin
        .get_by_label("Name (as colleagues see it)", true)
        .fill("Sam Patel", None)
        .await?;
    admin
        .get_by_label("Username", true)
        .fill("sam.patel", None)
        .await?;
    role(&admin, AriaRole::Button, "Add the member of staff")
        .click(None)
        .await?;
    let shown = admin.locator("[role=status] dd");
    expect(shown.first())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    assert_eq!(shown.nth(0).inner_text().await?.trim(), "sam.patel");
    let one_time = shown.nth(1).inner_text().await?.trim().to_string();
    expect(role(&admin, AriaRole::Button, "Deactivate Sam Patel"))
        .to_be_visible()
        .await?;

    // Sam signs in with it and is sent to choose a password first.
    let sam_context = browser.new_context().await?;
    let sam = sam_context.new_page().await?;
    sam.goto(&server.url("/login"), None).await?;
    fill_sign_in(&sam, "sam.patel", &one_time).await?;
    expect(role(&sam, AriaRole::Heading, "Change your password"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(sam.get_by_text("You signed in with a one-time password", false))
        .to_be_visible()
        .await?;
    // Any other page sends them back here.
    sam.goto(&server.url("/waiting-room"), None).await?;
    expect(role(&sam, AriaRole::Heading, "Change your password"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    assert!(sam.url().ends_with("/account/password"), "{}", sam.url());
    let mine = "lantern meadow copper";
    sam.get_by_label("Current password", true)
        .fill(&one_time, None)
        .await?;
    sam.get_by_label("New password", true)
        .fill(mine, None)
        .await?;
    sam.get_by_label("New password again", true)
        .fill(mine, None)
        .await?;
    role(&sam, AriaRole::Button, "Change password")
        .click(None)
        .await?;
    expect(role(&sam, AriaRole::Heading, "Welcome, Sam Patel"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;

    // Sam works the live waiting room.
    nav_link(&sam, "Waiting room").click(None).await?;
    expect(role(&sam, AriaRole::Heading, "Waiting room"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(sam.get_by_role(AriaRole::Status, None).first())
        .with_timeout(loaded)
        .to_have_text("Live")
        .await?;

    // The admin deactivates Sam: the open tab goes to sign in within 5 s.
    admin.reload(None).await?;
    let deactivate = role(&admin, AriaRole::Button, "Deactivate Sam Patel");
    expect(deactivate.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    deactivate.click(None).await?;
    expect(role(&admin, AriaRole::Button, "Reactivate Sam Patel"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(role(&sam, AriaRole::Heading, "Sign in"))
        .with_timeout(Duration::from_secs(5))
        .to_be_visible()
        .await?;

    // Their cookie opens nothing, and their password no longer signs in.
    sam.goto(&server.url("/waiting-room"), None).await?;
    expect(role(&sam, AriaRole::Heading, "Sign in"))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    fill_sign_in(&sam, "sam.patel", mine).await?;
    expect(sam.get_by_role(AriaRole::Alert, None).first())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(role(&sam, AriaRole::Button, "Sign out"))
        .to_have_count(0)
        .await?;
    Ok(())
}
