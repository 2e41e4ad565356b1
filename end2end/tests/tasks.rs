//! Team tasks through real browsers: two admins. A creates a task for the
//! Prescriptions team → it appears in B's team list without reload; B
//! claims it → A sees who claimed it; B comments → A's task page shows it.

use end2end::{launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole, FilterOptions, SelectOption};
use std::time::Duration;

#[tokio::test]
async fn a_task_created_by_one_admin_is_claimed_and_commented_on_by_another_live(
) -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let loaded = Duration::from_secs(30);
    let live = Duration::from_secs(2);

    let mut pages = Vec::new();
    for user in ["admin", "admin2"] {
        let context = browser.new_context().await?;
        let page = sign_in(&server, &context, user, DEMO_PASSWORD).await?;
        nav_link(&page, "Tasks").click(None).await?;
        expect(role(&page, AriaRole::Heading, "Tasks"))
            .to_be_visible()
            .await?;
        page.get_by_label("Team", true)
            .select_option(SelectOption::Label("Prescriptions".into()), None)
            .await?;
        expect(page.get_by_role(AriaRole::Status, None).nth(1))
            .with_timeout(loaded)
            .to_have_text("Live")
            .await?;
        pages.push((context, page));
    }
    let (a, b) = (&pages[0].1, &pages[1].1);

    let title = "Repeat prescription: check blood pressure first";
    a.get_by_label("Title", true).fill(title, None).await?;
    a.get_by_label("Assign to", true)
        .select_option(SelectOption::Label("Prescriptions".into()), None)
        .await?;
    role(a, AriaRole::Button, "Create task").click(None).await?;
    let team_list_b = b
        .get_by_role(AriaRole::List, None)
        .filter(FilterOptions::default().has_text(title));
    expect(team_list_b.clone())
        .with_timeout(live)
        .to_be_visible()
        .await?;

    // B's navigation counts B's open tasks, live: claiming adds one.
    let b_count = b.locator("nav span[title='My tasks']");
    expect(b_count.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    let open_before = open_count(&b_count).await?;
    role(b, AriaRole::Button, &format!("Claim – {title}"))
        .click(None)
        .await?;
    let row_a = a
        .get_by_role(AriaRole::Listitem, None)
        .filter(FilterOptions::default().has_text(title))
        .first();
    expect(row_a.clone())
        .with_timeout(live)
        .to_contain_text("Claimed by")
        .await?;
    let deadline = std::time::Instant::now() + live;
    while open_count(&b_count).await? != open_before + 1 {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "B's open-task count did not go from {open_before} to {}",
            open_before + 1
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Both open the task; B comments; A sees it without reloading.
    row_a.get_by_role(AriaRole::Link, None).click(None).await?;
    expect(role(a, AriaRole::Heading, title))
        .to_be_visible()
        .await?;
    b.get_by_role(AriaRole::Link, None)
        .filter(FilterOptions::default().has_text(title))
        .first()
        .click(None)
        .await?;
    expect(role(b, AriaRole::Heading, title))
        .to_be_visible()
        .await?;
    expect(a.get_by_role(AriaRole::Status, None).first())
        .with_timeout(loaded)
        .to_have_text("Live")
        .await?;
    // Presence: each sees the other on the task.
    expect(a.get_by_text("Also here: David Boateng", true))
        .with_timeout(Duration::from_secs(5))
        .to_be_visible()
        .await?;
    expect(b.get_by_text("Also here: Helen Carter", true))
        .with_timeout(Duration::from_secs(5))
        .to_be_visible()
        .await?;
    b.get_by_label("Add a comment", true)
        .fill("Phoned the patient: BP done last week.", None)
        .await?;
    role(b, AriaRole::Button, "Add comment").click(None).await?;
    expect(
        a.get_by_role(AriaRole::List, None)
            .filter(FilterOptions::default().has_text("BP done last week")),
    )
    .with_timeout(Duration::from_secs(3))
    .to_be_visible()
    .await?;
    expect(
        a.get_by_role(AriaRole::List, None)
            .filter(FilterOptions::default().has_text("Claimed"))
            .first(),
    )
    .to_be_visible()
    .await?;

    // Both start editing; A saves first; B's save is refused with who,
    // B's text is still there, and B can choose to save it over A's.
    role(a, AriaRole::Button, "Edit task").click(None).await?;
    role(b, AriaRole::Button, "Edit task").click(None).await?;
    expect(a.get_by_text("Also here: David Boateng (editing)", true))
        .with_timeout(Duration::from_secs(3))
        .to_be_visible()
        .await?;
    a.get_by_label("Details", true)
        .fill("Check BP reading from last week.", None)
        .await?;
    role(a, AriaRole::Button, "Save changes")
        .click(None)
        .await?;
    expect(a.get_by_text("Saved.", true))
        .to_be_visible()
        .await?;
    let mine = "Ask the patient to book a BP check.";
    b.get_by_label("Details", true).fill(mine, None).await?;
    role(b, AriaRole::Button, "Save changes")
        .click(None)
        .await?;
    let alert = b
        .get_by_role(AriaRole::Alert, None)
        .filter(FilterOptions::default().has_text("Changed by"));
    expect(alert.clone())
        .to_contain_text("Changed by Helen Carter")
        .await?;
    expect(alert.clone())
        .to_contain_text("Your text is kept")
        .await?;
    // Their version is shown beside B's kept text.
    expect(alert)
        .to_contain_text("Check BP reading from last week.")
        .await?;
    expect(b.get_by_label("Details", true))
        .to_have_value(mine)
        .await?;
    role(b, AriaRole::Button, "Save my version over theirs")
        .click(None)
        .await?;
    expect(b.get_by_text("Saved.", true))
        .to_be_visible()
        .await?;
    expect(a.get_by_text(mine, true))
        .with_timeout(Duration::from_secs(3))
        .to_be_visible()
        .await?;
    Ok(())
}

/// The number in a navigation count such as "3 open, 1 overdue".
async fn open_count(count: &playwright_rs::Locator) -> anyhow::Result<usize> {
    let text = count.inner_text().await?;
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("unexpected count text {text:?}"))
}

#[tokio::test]
async fn reception_raises_a_task_about_a_waiting_patient() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let context = browser.new_context().await?;
    let page = sign_in(&server, &context, "reception", DEMO_PASSWORD).await?;
    nav_link(&page, "Waiting room").click(None).await?;
    let new_task = page
        .get_by_role(AriaRole::Link, None)
        .filter(FilterOptions::default().has_text("New task"))
        .first();
    expect(new_task.clone())
        .with_timeout(Duration::from_secs(30))
        .to_be_visible()
        .await?;
    let patient = new_task
        .get_attribute("aria-label")
        .await?
        .unwrap_or_default()
        .trim_start_matches("New task for ")
        .to_string();
    new_task.click(None).await?;
    expect(role(&page, AriaRole::Heading, "New task"))
        .to_be_visible()
        .await?;
    expect(page.get_by_text(&format!("For patient: {patient}, NHS number"), false))
        .with_timeout(Duration::from_secs(30))
        .to_be_visible()
        .await?;
    page.get_by_label("Title", true)
        .fill("Patient asks for a fit note", None)
        .await?;
    page.get_by_label("Assign to", true)
        .select_option(SelectOption::Label("Admin".into()), None)
        .await?;
    page.get_by_label("Due date (optional)", true)
        .fill("2030-01-15", None)
        .await?;
    role(&page, AriaRole::Button, "Create task")
        .click(None)
        .await?;
    role(&page, AriaRole::Link, "Open it").click(None).await?;
    expect(role(
        &page,
        AriaRole::Heading,
        "Patient asks for a fit note",
    ))
    .to_be_visible()
    .await?;
    expect(page.get_by_text(&format!("Patient: {patient}"), false))
        .to_be_visible()
        .await?;
    expect(page.get_by_text("Due Tue 15 Jan 2030 17:00", false))
        .to_be_visible()
        .await?;
    // The patient link leads to the patient's page, which offers a new task.
    role(&page, AriaRole::Link, &patient).click(None).await?;
    expect(role(&page, AriaRole::Heading, &patient))
        .to_be_visible()
        .await?;
    expect(role(&page, AriaRole::Link, "New task for this patient"))
        .to_be_visible()
        .await?;
    Ok(())
}
