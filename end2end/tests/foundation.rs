//! The foundation, through a real browser: each demo role signs in and sees
//! its navigation; a wrong password is refused; sign-out kills the session.

use end2end::{
    expect_signed_out, fill_sign_in, launch_browser, role, sign_in, Server, DEMO_PASSWORD,
};
use playwright_rs::{expect, AriaRole, GetByRoleOptions};

#[tokio::test]
async fn each_demo_role_signs_in_and_sees_its_own_navigation() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let cases = [
        (
            "reception",
            "Rachel Green",
            "Receptionist",
            &["Waiting room", "Appointments", "Patients", "Tasks"][..],
            &["Admin", "My day"][..],
        ),
        (
            "gp",
            "Dr Aisha Khan",
            "GP",
            &[
                "My day",
                "Waiting room",
                "Appointments",
                "Patients",
                "Tasks",
            ][..],
            &["Admin"][..],
        ),
        (
            "nurse",
            "Nurse Bethan Hughes",
            "Nurse",
            &[
                "My day",
                "Waiting room",
                "Appointments",
                "Patients",
                "Tasks",
            ][..],
            &["Admin"][..],
        ),
        (
            "admin",
            "Helen Carter",
            "Practice admin",
            &["Appointments", "Patients", "Tasks", "Admin"][..],
            &["Waiting room", "My day"][..],
        ),
    ];
    for (username, name, role_label, visible, hidden) in cases {
        let context = browser.new_context().await?;
        let page = sign_in(&server, &context, username, DEMO_PASSWORD).await?;
        expect(role(&page, AriaRole::Heading, &format!("Welcome, {name}")))
            .to_be_visible()
            .await?;
        let banner = page.get_by_role(AriaRole::Banner, None);
        expect(banner.clone())
            .to_contain_text("Riverside Surgery")
            .await?;
        expect(banner.clone()).to_contain_text(name).await?;
        expect(banner).to_contain_text(role_label).await?;
        expect(page.get_by_text("Demo practice", false))
            .to_be_visible()
            .await?;
        let nav = page.get_by_role(
            AriaRole::Navigation,
            Some(GetByRoleOptions::default().name("Main")),
        );
        for area in visible {
            expect(nav.get_by_role(
                AriaRole::Link,
                Some(GetByRoleOptions::default().name(*area).exact(true)),
            ))
            .to_be_visible()
            .await?;
        }
        for area in hidden {
            expect(nav.get_by_role(
                AriaRole::Link,
                Some(GetByRoleOptions::default().name(*area).exact(true)),
            ))
            .to_have_count(0)
            .await?;
        }
        // Patients opens the patient search.
        nav.get_by_role(
            AriaRole::Link,
            Some(GetByRoleOptions::default().name("Patients").exact(true)),
        )
        .click(None)
        .await?;
        expect(role(&page, AriaRole::Heading, "Patients"))
            .to_be_visible()
            .await?;
        expect(page.get_by_label("Find a patient", true))
            .to_be_visible()
            .await?;
        context.close().await?;
    }
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_wrong_password_shows_one_generic_error_and_stays_signed_out() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let context = browser.new_context().await?;
    let page = context.new_page().await?;
    page.goto(&server.url("/"), None).await?;
    // Not signed in: the start page sends us to sign in.
    expect(role(&page, AriaRole::Heading, "Sign in"))
        .to_be_visible()
        .await?;
    fill_sign_in(&page, "gp", "not-the-password").await?;
    expect(page.get_by_role(AriaRole::Alert, None))
        .to_have_text("The username or password is incorrect.")
        .await?;
    // An unknown username gets exactly the same message.
    fill_sign_in(&page, "nobody-here", "not-the-password").await?;
    expect(page.get_by_role(AriaRole::Alert, None))
        .to_have_text("The username or password is incorrect.")
        .await?;
    expect_signed_out(&page).await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn sign_out_returns_to_sign_in_and_the_old_cookie_stops_working() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let context = browser.new_context().await?;
    let page = sign_in(&server, &context, "reception", DEMO_PASSWORD).await?;
    // A second tab of the same browser, left open on the live waiting room.
    let other_tab = context.new_page().await?;
    other_tab.goto(&server.url("/waiting-room"), None).await?;
    expect(other_tab.get_by_role(AriaRole::Status, None).first())
        .with_timeout(std::time::Duration::from_secs(30))
        .to_have_text("Live")
        .await?;
    let cookies = context.cookies(None).await?;
    let session = cookies
        .into_iter()
        .find(|c| c.name == "op_session")
        .expect("a session cookie after sign-in");
    assert!(session.http_only, "the session cookie must be HttpOnly");

    role(&page, AriaRole::Button, "Sign out")
        .click(None)
        .await?;
    expect(role(&page, AriaRole::Heading, "Sign in"))
        .to_be_visible()
        .await?;
    assert!(
        page.url().contains("/login"),
        "after sign-out: {}",
        page.url()
    );
    // The other tab's socket is told the session ended (re-checked every
    // 15 s) and the tab goes to the sign-in page: nothing stays on screen.
    expect(role(&other_tab, AriaRole::Heading, "Sign in"))
        .with_timeout(std::time::Duration::from_secs(25))
        .to_be_visible()
        .await?;
    assert!(
        other_tab.url().contains("/login?next=%2Fwaiting-room"),
        "the other tab: {}",
        other_tab.url()
    );

    // Replay the old cookie in a fresh browser: the server ended that session.
    let replay = browser.new_context().await?;
    replay.add_cookies(&[session]).await?;
    let page = replay.new_page().await?;
    page.goto(&server.url("/tasks"), None).await?;
    expect_signed_out(&page).await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_shell_fits_a_tablet_and_works_from_the_keyboard() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let context = browser.new_context().await?;
    let page = sign_in(&server, &context, "gp", DEMO_PASSWORD).await?;
    page.set_viewport_size(playwright_rs::Viewport {
        width: 820,
        height: 1180,
    })
    .await?;

    // Nothing spills sideways on an 820 px tablet.
    let scroll_width: i64 = page
        .evaluate::<(), i64>("() => document.documentElement.scrollWidth", None)
        .await?;
    assert!(
        scroll_width <= 820,
        "page is {scroll_width}px wide at 820px"
    );

    // Touch targets are at least 44 px tall.
    for (kind, name) in [(AriaRole::Button, "Sign out"), (AriaRole::Link, "Patients")] {
        let height: f64 = role(&page, kind, name)
            .first()
            .evaluate::<f64, ()>("el => el.getBoundingClientRect().height", None)
            .await?;
        assert!(height >= 44.0, "{name} is {height}px tall");
    }

    // The first Tab lands on "Skip to main content"; the keyboard reaches the navigation.
    page.keyboard().press("Tab", None).await?;
    let focused: String = page
        .evaluate::<(), String>("() => document.activeElement.textContent", None)
        .await?;
    assert_eq!(focused, "Skip to main content");
    let patients = page
        .get_by_role(
            AriaRole::Navigation,
            Some(GetByRoleOptions::default().name("Main")),
        )
        .get_by_role(
            AriaRole::Link,
            Some(GetByRoleOptions::default().name("Patients").exact(true)),
        );
    patients.focus().await?;
    page.keyboard().press("Enter", None).await?;
    expect(role(&page, AriaRole::Heading, "Patients"))
        .to_be_visible()
        .await?;
    browser.close().await?;
    Ok(())
}
