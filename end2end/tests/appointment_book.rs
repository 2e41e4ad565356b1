//! The appointment book through real browsers: find the next free slot,
//! find a patient, book; a second receptionist who had the same slot open
//! is told it was just taken; cancelling needs a reason and frees the slot.

use end2end::{launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole, FilterOptions, SelectOption};
use std::time::Duration;

#[tokio::test]
async fn reception_books_the_next_free_slot_and_a_second_desk_cannot_double_book_it(
) -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let loaded = Duration::from_secs(30);

    let mut desks = Vec::new();
    for _ in 0..2 {
        let context = browser.new_context().await?;
        let page = sign_in(&server, &context, "reception", DEMO_PASSWORD).await?;
        nav_link(&page, "Appointments").click(None).await?;
        expect(role(&page, AriaRole::Heading, "Appointments"))
            .to_be_visible()
            .await?;
        expect(page.get_by_role(AriaRole::Status, None).first())
            .with_timeout(loaded)
            .to_have_text("Live")
            .await?;
        page.get_by_label("Clinician", true)
            .select_option(SelectOption::Label("Dr Aisha Khan".into()), None)
            .await?;
        role(&page, AriaRole::Button, "Find next free slot")
            .click(None)
            .await?;
        let found = page
            .get_by_role(AriaRole::Status, None)
            .filter(FilterOptions::default().has_text("Next free slot"));
        expect(found.clone())
            .to_contain_text("with Dr Aisha Khan")
            .await?;
        role(&page, AriaRole::Button, "Go to this slot")
            .click(None)
            .await?;
        expect(
            page.get_by_role(AriaRole::Heading, None)
                .filter(FilterOptions::default().has_text("Book ")),
        )
        .to_contain_text("with Dr Aisha Khan")
        .await?;
        desks.push((context, page));
    }
    let (first, second) = (&desks[0].1, &desks[1].1);
    let heading = first
        .get_by_role(AriaRole::Heading, None)
        .filter(FilterOptions::default().has_text("Book "))
        .inner_text()
        .await?;
    let time = heading
        .split(" at ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap_or_default()
        .to_string();
    assert_eq!(time.len(), 5, "{heading}");

    // Both find a patient; the first books.
    for page in [first, second] {
        page.get_by_label("Find patient", false)
            .fill("Smith", None)
            .await?;
        role(page, AriaRole::Button, "Search").click(None).await?;
        let choose = page
            .get_by_role(AriaRole::List, None)
            .filter(FilterOptions::default().has_text("NHS"))
            .get_by_role(AriaRole::Button, None)
            .first();
        expect(choose.clone()).to_contain_text("SMITH").await?;
        choose.click(None).await?;
    }
    role(first, AriaRole::Button, "Book appointment")
        .click(None)
        .await?;
    let booked = first
        .get_by_role(AriaRole::Status, None)
        .filter(FilterOptions::default().has_text("Booked"));
    expect(booked.clone())
        .to_contain_text(&format!("at {time} with Dr Aisha Khan"))
        .await?;
    let patient = booked
        .inner_text()
        .await?
        .trim_start_matches("Booked ")
        .split(" at ")
        .next()
        .unwrap_or_default()
        .to_string();

    // The second desk's grid shows the booking live; its stale form is refused clearly.
    let cell = format!("{patient} Booked · Face to face, {time}");
    expect(role(second, AriaRole::Button, &cell))
        .with_timeout(Duration::from_secs(2))
        .to_be_visible()
        .await?;
    role(second, AriaRole::Button, "Book appointment")
        .click(None)
        .await?;
    expect(second.get_by_role(AriaRole::Alert, None).first())
        .to_have_text("This slot was just taken. Choose another slot.")
        .await?;

    // Cancelling needs a reason, and then frees the slot.
    role(first, AriaRole::Button, &cell).click(None).await?;
    role(first, AriaRole::Button, "Cancel appointment")
        .click(None)
        .await?;
    expect(first.get_by_role(AriaRole::Alert, None).first())
        .to_have_text("Give a reason for cancelling.")
        .await?;
    first
        .get_by_label("Reason for cancelling", true)
        .fill("Booked in error", None)
        .await?;
    role(first, AriaRole::Button, "Cancel appointment")
        .click(None)
        .await?;
    expect(
        first
            .get_by_role(AriaRole::Status, None)
            .filter(FilterOptions::default().has_text("Cancelled")),
    )
    .to_be_visible()
    .await?;
    let free = format!("Book: {time} with Dr Aisha Khan");
    expect(role(first, AriaRole::Button, &free))
        .to_be_visible()
        .await?;
    expect(role(second, AriaRole::Button, &free))
        .with_timeout(Duration::from_secs(2))
        .to_be_visible()
        .await?;
    Ok(())
}
