//! Every page survives a full page load (typing its address, reloading, a
//! bookmark) and a link clicked before the previous page finished
//! starting: the page hydrates without an error in the browser and its
//! content arrives (never left on "Loading…"), and nothing on it is
//! blocked by the Content-Security-Policy. See the hazard log, H17 and H23.

use end2end::{launch_browser, nav_link, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test]
async fn every_page_hydrates_after_a_full_load_and_after_an_early_click() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let loaded = Duration::from_secs(30);
    for (user, pages) in [
        (
            "gp",
            vec![
                "/",
                "/my-day",
                "/waiting-room",
                "/patients",
                "/patients/{patient}",
                "/patients/{patient}/consultation",
                "/tasks",
                "/tasks/new",
            ],
        ),
        (
            "reception",
            vec![
                "/patients/{patient}",
                "/patients/{patient}/edit",
                "/waiting-room",
            ],
        ),
        (
            "admin",
            vec![
                "/appointments",
                "/patients/new",
                "/admin",
                "/admin/teams",
                "/admin/audit",
                "/admin/sessions",
                "/call-screen-links",
            ],
        ),
    ] {
        let context = browser.new_context().await?;
        let page = sign_in(&server, &context, user, DEMO_PASSWORD).await?;
        let errors = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = errors.clone();
        page.on_pageerror(move |m| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(m);
                Ok(())
            }
        })
        .await?;
        let sink = errors.clone();
        page.on_console(move |m| {
            let sink = sink.clone();
            async move {
                let text = m.text().to_string();
                // Chromium reports every script or style the
                // Content-Security-Policy blocked on the console.
                if text.contains("hydration")
                    || text.contains("panicked")
                    || text.contains("Content Security Policy")
                {
                    sink.lock().unwrap().push(text);
                }
                Ok(())
            }
        })
        .await?;
        // A patient of the demo practice, from the patients search.
        nav_link(&page, "Patients").click(None).await?;
        page.get_by_label("Find a patient", true)
            .fill("Jones", None)
            .await?;
        page.get_by_role(AriaRole::Button, None)
            .filter(playwright_rs::FilterOptions::default().has_text("Search"))
            .first()
            .click(None)
            .await?;
        let first = page.locator("table a[href^='/patients/']").first();
        expect(first.clone())
            .with_timeout(loaded)
            .to_be_visible()
            .await?;
        let href = first.get_attribute("href").await?.unwrap_or_default();
        let patient = href.trim_start_matches("/patients/").to_string();

        for path in pages {
            let path = path.replace("{patient}", &patient);
            page.goto(&server.url(&path), None).await?;
            expect(page.locator("nav span[title='My tasks']"))
                .with_timeout(loaded)
                .to_be_visible()
                .await?;
            expect(page.locator("main"))
                .with_timeout(loaded)
                .not()
                .to_contain_text("Loading…")
                .await
                .map_err(|e| anyhow::anyhow!("{user} {path}: still loading: {e}"))?;
            let seen = errors.lock().unwrap().clone();
            assert!(seen.is_empty(), "{user} {path}: {seen:?}");
        }

        // A link clicked the moment the page is drawn, before it has
        // finished starting, still leads to a page that loads.
        for (from, link) in [
            ("/tasks", "My day"),
            ("/", "Patients"),
            ("/my-day", "Tasks"),
        ] {
            if user != "gp" && link == "My day" {
                continue;
            }
            page.goto(&server.url(from), None).await?;
            nav_link(&page, link).click(None).await?;
            expect(page.locator("main"))
                .with_timeout(loaded)
                .not()
                .to_contain_text("Loading…")
                .await
                .map_err(|e| anyhow::anyhow!("{user} {from} → {link}: still loading: {e}"))?;
            expect(page.get_by_role(AriaRole::Heading, None).first())
                .with_timeout(loaded)
                .to_be_visible()
                .await?;
            let seen = errors.lock().unwrap().clone();
            assert!(seen.is_empty(), "{user} {from} → {link}: {seen:?}");
        }
    }
    Ok(())
}
