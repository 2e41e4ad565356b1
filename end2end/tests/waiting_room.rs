//! The live day through real browsers: reception, the GP and the waiting-room
//! TV each in their own browser context, talking to one real server.

use end2end::{launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole, FilterOptions, SelectOption};
use std::time::Duration;

/// Lets a test cut this page's websockets and hold them down (as a dropped
/// network would), then let them reconnect.
const SOCKET_CONTROL: &str = r#"
    (() => {
        const Real = window.WebSocket;
        window.__sockets = [];
        window.__blocked = false;
        function Controlled(url, protocols) {
            const target = window.__blocked ? url.replace(/\/ws.*/, '/no-such-socket') : url;
            const s = protocols === undefined ? new Real(target) : new Real(target, protocols);
            window.__sockets.push(s);
            return s;
        }
        Controlled.prototype = Real.prototype;
        Object.assign(Controlled, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
        window.WebSocket = Controlled;
    })();
"#;

#[tokio::test]
async fn an_arrival_reaches_the_gp_live_and_a_call_reaches_the_waiting_room_screen(
) -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let live = Duration::from_secs(2);
    // A debug WASM takes a while to load and start on a busy 2-core machine;
    // the 2-second promise is about changes once a page is live.
    let loaded = Duration::from_secs(30);

    // The GP's tablet.
    let gp_context = browser.new_context().await?;
    gp_context.add_init_script(SOCKET_CONTROL).await?;
    let gp = sign_in(&server, &gp_context, "gp", DEMO_PASSWORD).await?;
    gp.set_viewport_size(playwright_rs::Viewport {
        width: 820,
        height: 1180,
    })
    .await?;
    nav_link(&gp, "My day").click(None).await?;
    expect(role(&gp, AriaRole::Heading, "My day"))
        .to_be_visible()
        .await?;
    expect(gp.get_by_role(AriaRole::Status, None).first())
        .with_timeout(loaded)
        .to_have_text("Live")
        .await?;

    // Reception marks one of the GP's patients arrived.
    let desk_context = browser.new_context().await?;
    let desk = sign_in(&server, &desk_context, "reception", DEMO_PASSWORD).await?;
    nav_link(&desk, "Waiting room").click(None).await?;
    expect(desk.get_by_role(AriaRole::Status, None).first())
        .with_timeout(loaded)
        .to_have_text("Live")
        .await?;
    desk.get_by_label("Clinician", true)
        .select_option(SelectOption::Label("Dr Aisha Khan".into()), None)
        .await?;
    let arrive = desk
        .get_by_role(AriaRole::Button, None)
        .filter(FilterOptions::default().has_text("Mark arrived"))
        .first();
    let label = arrive
        .get_attribute("aria-label")
        .await?
        .unwrap_or_default();
    let patient = label.trim_start_matches("Mark arrived – ").to_string();
    assert!(
        !patient.is_empty() && patient != label,
        "button label was {label:?}"
    );
    arrive.click(None).await?;
    let desk_row = desk
        .get_by_role(AriaRole::Row, None)
        .filter(FilterOptions::default().has_text(patient.clone()))
        .first();
    expect(desk_row.clone()).to_contain_text("Arrived").await?;
    expect(desk_row).to_contain_text("0 min").await?;

    // The GP sees it without reloading, within 2 s: "Call in" appears.
    let call_in = role(&gp, AriaRole::Button, &format!("Call in – {patient}"));
    expect(call_in.clone())
        .with_timeout(live)
        .to_be_visible()
        .await?;
    let gp_item = gp
        .get_by_role(AriaRole::Listitem, None)
        .filter(FilterOptions::default().has_text(patient.clone()))
        .first();
    expect(gp_item.clone()).to_contain_text("Arrived").await?;

    // Reception opens a display link on the waiting-room TV (no session).
    desk.goto(&server.url("/call-screen-links"), None).await?;
    role(&desk, AriaRole::Button, "Create a display link")
        .click(None)
        .await?;
    let link = desk
        .get_by_role(AriaRole::Status, None)
        .filter(FilterOptions::default().has_text("New display link"));
    expect(link.clone()).to_be_visible().await?;
    let href = role(&desk, AriaRole::Link, "Open the call screen")
        .get_attribute("href")
        .await?
        .unwrap_or_default();
    assert!(
        href.starts_with("/display/") && href.contains("#key=") && !href.contains('?'),
        "{href}"
    );
    let tv_context = browser.new_context().await?;
    let tv = tv_context.new_page().await?;
    tv.goto(&server.url(&href), None).await?;
    expect(role(&tv, AriaRole::Heading, "Now calling"))
        .to_be_visible()
        .await?;
    expect(tv.get_by_text("Live", true))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    expect(tv.get_by_text("No one has been called yet.", true))
        .to_be_visible()
        .await?;

    // The GP calls the patient in: the TV shows "A. Surname" and the room.
    call_in.click(None).await?;
    expect(gp_item.clone()).to_contain_text("Sent in").await?;
    let family = patient.split_whitespace().last().unwrap_or_default();
    let given = patient.split_whitespace().rev().nth(1).unwrap_or_default();
    let short = domain::live::short_name(given, family);
    let calling = tv.get_by_text(&short, false).first();
    expect(calling).with_timeout(live).to_be_visible().await?;
    expect(tv.get_by_text("Please go to Room", false))
        .to_be_visible()
        .await?;
    let screen = tv.locator("main").inner_text().await?;
    assert!(
        !screen.contains(given),
        "the TV shows only an initial: {screen}"
    );
    assert!(
        !screen.contains(family),
        "the TV does not shout the surname in capitals: {screen}"
    );

    // The GP's socket is cut and held down: the page says it is offline…
    gp.evaluate_expression("window.__blocked = true; window.__sockets.forEach(s => s.close())")
        .await?;
    let offline = gp
        .get_by_role(AriaRole::Status, None)
        .filter(FilterOptions::default().has_text("Offline since"));
    expect(offline.clone()).to_be_visible().await?;
    // …reception marks another of the GP's patients arrived meanwhile…
    desk.goto(&server.url("/waiting-room"), None).await?;
    expect(desk.get_by_role(AriaRole::Status, None).first())
        .with_timeout(loaded)
        .to_have_text("Live")
        .await?;
    desk.get_by_label("Clinician", true)
        .select_option(SelectOption::Label("Dr Aisha Khan".into()), None)
        .await?;
    let second = desk
        .get_by_role(AriaRole::Button, None)
        .filter(FilterOptions::default().has_text("Mark arrived"))
        .first();
    let second_patient = second
        .get_attribute("aria-label")
        .await?
        .unwrap_or_default()
        .trim_start_matches("Mark arrived – ")
        .to_string();
    second.click(None).await?;
    expect(
        desk.get_by_role(AriaRole::Row, None)
            .filter(FilterOptions::default().has_text(second_patient.clone()))
            .first(),
    )
    .to_contain_text("Arrived")
    .await?;
    // …and when the network comes back the GP's list catches up by itself.
    gp.evaluate_expression("window.__blocked = false").await?;
    expect(gp.get_by_role(AriaRole::Status, None).first())
        .with_timeout(Duration::from_secs(40))
        .to_have_text("Live")
        .await?;
    expect(role(
        &gp,
        AriaRole::Button,
        &format!("Call in – {second_patient}"),
    ))
    .with_timeout(live)
    .to_be_visible()
    .await?;
    expect(offline).to_have_count(0).await?;

    // The TV's link is revoked: the screen says so at once (no waiting for
    // a periodic check), and shows no calls any more.
    desk.goto(&server.url("/call-screen-links"), None).await?;
    desk.get_by_role(AriaRole::Button, None)
        .filter(FilterOptions::default().has_text("Revoke"))
        .first()
        .click(None)
        .await?;
    expect(tv.get_by_text("This display link has been revoked.", true))
        .with_timeout(Duration::from_secs(5))
        .to_be_visible()
        .await?;
    expect(tv.get_by_text(&short, false))
        .to_have_count(0)
        .await?;
    Ok(())
}
