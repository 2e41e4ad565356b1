//! Stored cross-site scripting: a corpus of payloads (script tags, event
//! handlers, SVG, `</script>` breakers, `javascript:` URLs, attribute
//! breakers, an iframe) is saved through the real server functions into
//! every free-text field staff can fill (patient details, appointment
//! reason, consultation text, record items and their notes, task title,
//! details and comments, team and room names), then every page that shows
//! them is opened in Chromium, as delivered by the server and after
//! hydration, and the waiting-room call screen. No payload may run (a
//! dialog, or the global a payload sets, fails the test), none may become
//! markup (no element or attribute it carries appears in the page, and
//! the Content-Security-Policy never has to block one: that would mean it
//! got into the page), and each page shows the text as typed.

use end2end::{call, launch_browser, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole, Page, SelectOption};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Each sets `window.__xss` (or opens a dialog) if it ever runs.
const P1: &str = "<script>window.__xss=1</script>";
const P2: &str = "<img src=x onerror=\"window.__xss=2\">";
const P3: &str = "<svg onload=\"window.__xss=3\"></svg>";
const P4: &str = "</script><script>window.__xss=4</script>";
const P5: &str = "javascript:window.__xss=5";
const P6: &str = "\"><img src=x onerror=window.__xss=6>";
const P7: &str = "' autofocus onfocus='window.__xss=7";
const P8: &str = "<iframe srcdoc=\"<script>parent.__xss=8</script>\"></iframe>";
const P9: &str = "<a href=\"javascript:alert(9)\">open</a>";
/// The title field takes at most 20 characters.
const P10: &str = "<b onclick=alert(1)>";

fn all() -> String {
    [P1, P2, P3, P4, P5, P6, P7, P8, P9].join("\n")
}

fn id_of(v: &Value) -> String {
    v.as_str()
        .map(String::from)
        .or_else(|| v["id"].as_str().map(String::from))
        .unwrap_or_default()
}

/// What went wrong on a page: dialogs opened, console reports of blocked
/// scripts, page errors.
type Seen = Arc<Mutex<Vec<String>>>;

async fn watch(page: &Page) -> anyhow::Result<Seen> {
    let seen: Seen = Arc::default();
    let sink = seen.clone();
    page.on_dialog(move |d| {
        let sink = sink.clone();
        async move {
            sink.lock()
                .unwrap()
                .push(format!("a dialog opened: {}", d.message()));
            d.dismiss().await
        }
    })
    .await?;
    let sink = seen.clone();
    page.on_console(move |m| {
        let sink = sink.clone();
        async move {
            let text = m.text().to_string();
            if text.contains("Content Security Policy") {
                sink.lock()
                    .unwrap()
                    .push(format!("the CSP had to block: {text}"));
            }
            Ok(())
        }
    })
    .await?;
    Ok(seen)
}

/// Injected markup, wherever it landed.
const INJECTED: &str = r#"() => {
    const hits = [];
    const handlers = ['onerror', 'onload', 'onfocus', 'onclick', 'onmouseover'];
    for (const el of document.querySelectorAll('*')) {
        for (const a of el.getAttributeNames()) {
            if (handlers.includes(a.toLowerCase())) hits.push(el.tagName + '[' + a + ']');
        }
        const href = el.getAttribute('href') || el.getAttribute('src') || '';
        if (href.trim().toLowerCase().startsWith('javascript:')) hits.push(el.tagName + ' ' + href);
    }
    for (const el of document.querySelectorAll('iframe, svg[onload], img[src="x"], b[onclick]')) {
        hits.push(el.outerHTML.slice(0, 80));
    }
    for (const s of document.querySelectorAll('script')) {
        if (s.textContent.includes('__xss')) hits.push('script: ' + s.textContent.slice(0, 80));
    }
    if (window.__xss !== undefined) hits.push('window.__xss = ' + window.__xss);
    return hits;
}"#;

/// The page shows `needle` as text (or in a form field, as typed).
const SHOWS: &str = r#"(needle) => {
    const n = needle.toLowerCase();
    const text = document.body.innerText.toLowerCase();
    const values = [...document.querySelectorAll('input, textarea')].map(e => e.value.toLowerCase());
    const options = [...document.querySelectorAll('option')].map(e => e.textContent.toLowerCase());
    return text.includes(n) || values.some(v => v.includes(n)) || options.some(v => v.includes(n));
}"#;

/// What a person does on a page before it shows the text.
enum Step {
    Nothing,
    /// Searches for a patient.
    Search(&'static str),
    /// Chooses a team's list (by id).
    Team(String),
}

/// Opens `path`, waits for the page's content (after hydration), and
/// checks it: nothing ran, nothing became markup, `needle` is shown. The
/// HTML the server sent is checked for the raw payloads too.
async fn check(
    page: &Page,
    seen: &Seen,
    url: &str,
    what: &str,
    step: &Step,
    needle: &str,
) -> anyhow::Result<()> {
    let loaded = Duration::from_secs(30);
    page.goto(url, None).await?;
    expect(page.locator("main"))
        .with_timeout(loaded)
        .not()
        .to_contain_text("Loading…")
        .await
        .map_err(|e| anyhow::anyhow!("{what}: still loading: {e}"))?;
    match step {
        Step::Nothing => {}
        Step::Search(query) => {
            page.get_by_label("Find a patient", true)
                .fill(query, None)
                .await?;
            role(page, AriaRole::Button, "Search").click(None).await?;
        }
        Step::Team(id) => {
            page.get_by_label("Team", true)
                .select_option(SelectOption::Value(id.clone()), None)
                .await?;
        }
    }
    // The payload's text arrives with the page's data.
    let mut shown = false;
    for _ in 0..60 {
        if page.evaluate::<_, bool>(SHOWS, Some(&needle)).await? {
            shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Handlers such as onfocus or onload would have fired by now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hits: Vec<String> = page.evaluate(INJECTED, None::<&()>).await?;
    assert!(
        hits.is_empty(),
        "{what}: injected markup or script: {hits:?}"
    );
    let seen_now = seen.lock().unwrap().clone();
    assert!(seen_now.is_empty(), "{what}: {seen_now:?}");
    assert!(shown, "{what}: the text {needle:?} is not shown as typed");
    // What the server itself sent, before any script ran.
    let html: String = page
        .evaluate(
            "async (url) => (await fetch(url, { credentials: 'same-origin' })).text()",
            Some(&url),
        )
        .await?;
    for p in [P1, P2, P3, P4, P6, P8, P9, P10] {
        assert!(
            !html.contains(p),
            "{what}: the server's HTML carries {p} raw"
        );
    }
    Ok(())
}

#[tokio::test]
async fn no_stored_payload_runs_or_becomes_markup_on_any_page() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let admin = sign_in(
        &server,
        &browser.new_context().await?,
        "admin",
        DEMO_PASSWORD,
    )
    .await?;
    let reception = sign_in(
        &server,
        &browser.new_context().await?,
        "reception",
        DEMO_PASSWORD,
    )
    .await?;
    let gp = sign_in(&server, &browser.new_context().await?, "gp", DEMO_PASSWORD).await?;
    let today: String = gp
        .evaluate(
            "() => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date())",
            None::<&()>,
        )
        .await?;
    let gp_id = call(&gp, "current_user", json!({}), false).await?["staff_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    anyhow::ensure!(!gp_id.is_empty(), "the GP's staff id");

    // Admin: a team, a room, a session in that room, a call-screen link.
    call(&admin, "create_team", json!({ "name": P6 }), false).await?;
    let teams = call(&admin, "teams", json!({}), false).await?;
    let team = teams
        .as_array()
        .and_then(|t| t.iter().find(|t| t[1] == P6))
        .map(|t| t[0].as_str().unwrap_or_default().to_string())
        .ok_or_else(|| anyhow::anyhow!("the new team in {teams}"))?;
    let room = id_of(&call(&admin, "add_room", json!({ "room_name": P7 }), false).await?);
    let session = id_of(
        &call(
            &admin,
            "add_clinic_session",
            json!({ "clinician": gp_id, "room": room, "date": today,
                    "start": "21:00", "end": "22:00", "slot_minutes": "10" }),
            false,
        )
        .await?,
    );
    let link = call(&admin, "create_display_link", json!({}), false).await?;
    let link = link.as_str().unwrap_or_default().to_string();
    anyhow::ensure!(link.contains("#key="), "a call-screen link: {link}");

    // Reception: a patient with a payload in every field that takes one,
    // booked into that session with a payload reason, arrived.
    let patient = id_of(
        &call(
            &reception,
            "register_patient",
            json!({
                "form[title]": P10, "form[given_name]": "Ann'", "form[family_name]": "O'Xss",
                "form[date_of_birth]": "02/03/1990", "form[sex]": "female", "form[gender]": P2,
                "form[address]": format!("{P1}\n{P4}\n{P8}\n1 High Street"),
                "form[postcode]": "RV1 1AA", "form[phone]": "01632 960 001",
                "form[email]": "<svg/onload=window.__xss=3>@evil.example",
                "form[nhs_number]": "943 476 5919", "form[usual_gp]": gp_id,
                "form[registered_on]": "",
            }),
            false,
        )
        .await?,
    );
    let booked = call(
        &reception,
        "book_slot",
        json!({ "session_id": session, "start": "21:00", "patient_id": patient,
                "kind": "face_to_face", "reason": format!("{P9} {P3}") }),
        false,
    )
    .await?;
    let arrived = call(
        &reception,
        "appointment_action",
        json!({ "id": booked["id"], "version": booked["version"], "action": "mark_arrived" }),
        false,
    )
    .await?;

    // The GP: calls them in (the call screen shows the call), writes the
    // consultation, records a problem and reviews it, raises a task for
    // the new team, and comments on it.
    call(
        &gp,
        "appointment_action",
        json!({ "id": arrived["id"], "version": arrived["version"], "action": "call_in" }),
        false,
    )
    .await?;
    call(
        &gp,
        "consultation_save",
        json!({ "patient_id": patient, "form": {
            "history": all(), "examination": format!("{P6} {P7}"), "plan": P5 } }),
        true,
    )
    .await?;
    let item = call(
        &gp,
        "record_item_add",
        json!({ "patient_id": patient, "form[kind]": "problem", "form[term]": P2, "form[note]": P8 }),
        false,
    )
    .await?;
    call(
        &gp,
        "record_item_change",
        json!({ "id": item["id"], "version": item["version"], "action": "review", "note": P4 }),
        false,
    )
    .await?;
    let task = call(
        &gp,
        "create_task",
        json!({ "title": P1, "details": all(), "priority": "routine",
                "patient_id": patient, "assignee": format!("team:{team}") }),
        false,
    )
    .await?;
    let task = id_of(&task);
    call(
        &gp,
        "comment_on_task",
        json!({ "id": task, "comment": format!("{P3} {P9}") }),
        false,
    )
    .await?;

    // Every page that shows them.
    let pages: Vec<(&Page, String, Step, &str)> = vec![
        (
            &reception,
            format!("/patients/{patient}"),
            Step::Nothing,
            "__xss=2",
        ),
        (
            &reception,
            format!("/patients/{patient}/edit"),
            Step::Nothing,
            "__xss=1",
        ),
        (&reception, "/waiting-room".into(), Step::Nothing, "o'xss"),
        (
            &reception,
            "/patients".into(),
            Step::Search("9434765919"),
            "o'xss",
        ),
        (&reception, "/appointments".into(), Step::Nothing, "o'xss"),
        (&gp, "/my-day".into(), Step::Nothing, "o'xss"),
        (
            &gp,
            format!("/patients/{patient}"),
            Step::Nothing,
            "__xss=8",
        ),
        (
            &gp,
            format!("/patients/{patient}/consultation"),
            Step::Nothing,
            "__xss=1",
        ),
        (&gp, format!("/tasks/{task}"), Step::Nothing, "__xss=3"),
        (&gp, "/tasks".into(), Step::Team(team.clone()), "__xss=1"),
        (&admin, "/admin/teams".into(), Step::Nothing, "__xss=6"),
        (&admin, "/admin/sessions".into(), Step::Nothing, "__xss=7"),
    ];
    for (page, path, step, needle) in pages {
        let fresh = page.context()?.new_page().await?;
        let seen = watch(&fresh).await?;
        check(&fresh, &seen, &server.url(&path), &path, &step, needle).await?;
        fresh.close().await?;
    }

    // The waiting-room screen, as the TV opens it.
    let tv = browser.new_context().await?.new_page().await?;
    let seen = watch(&tv).await?;
    let url = if link.starts_with('/') {
        server.url(&link)
    } else {
        link.clone()
    };
    check(&tv, &seen, &url, "the call screen", &Step::Nothing, "o'xss").await?;
    Ok(())
}
