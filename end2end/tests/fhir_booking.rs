//! Another system books through the FHIR API and reception sees it live:
//! admin registers the system on the API clients page (its secret shown
//! once); the system takes a token, finds a patient by NHS number and a
//! free slot, and books it; reception's appointment book, open in a real
//! browser, shows the booking without a reload; a cancel with a stale
//! If-Match is refused (412), the right one frees the slot, live again.

use end2end::http::{request, token};
use end2end::{
    launch_browser, nav_link, register_api_client, role, sign_in, Server, DEMO_PASSWORD,
};
use playwright_rs::{expect, AriaRole};
use serde_json::{json, Value};
use std::time::Duration;

async fn fhir(
    server: &Server,
    method: &str,
    path: &str,
    token: &str,
    extra: &[(&str, &str)],
    body: &str,
) -> anyhow::Result<(u16, Value)> {
    let auth = format!("Bearer {token}");
    let mut headers = vec![
        ("Authorization", auth.as_str()),
        ("Accept", "application/fhir+json"),
        ("Content-Type", "application/fhir+json"),
    ];
    headers.extend_from_slice(extra);
    let r = request(&server.base_url, method, path, &headers, body).await?;
    Ok((r.status, r.json()?))
}

#[tokio::test]
async fn a_booking_through_the_api_reaches_reception_live_and_a_cancel_frees_the_slot(
) -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let (live, loaded) = (Duration::from_secs(2), Duration::from_secs(30));

    // Admin registers the system; the credentials are shown once.
    let admin_context = browser.new_context().await?;
    let admin = sign_in(&server, &admin_context, "admin", DEMO_PASSWORD).await?;
    nav_link(&admin, "Admin").click(None).await?;
    role(&admin, AriaRole::Link, "API clients")
        .click(None)
        .await?;
    expect(role(&admin, AriaRole::Heading, "API clients"))
        .to_be_visible()
        .await?;
    let (id, secret) = register_api_client(
        &admin,
        "Online booking",
        "system/Patient.rs system/Slot.rs system/Schedule.r system/Appointment.cruds",
    )
    .await?;
    expect(role(&admin, AriaRole::Button, "Revoke Online booking"))
        .to_be_visible()
        .await?;
    let t = token(&server.base_url, &id, &secret).await?;

    // The system finds a patient and the next free slot, with its clinician.
    let (status, patients) = fhir(&server, "GET", "/fhir/r4/Patient?_count=1", &t, &[], "").await?;
    assert_eq!(status, 200, "{patients}");
    let nhs = patients["entry"][0]["resource"]["identifier"][0]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (_, found) = fhir(
        &server,
        "GET",
        &format!("/fhir/r4/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}"),
        &t,
        &[],
        "",
    )
    .await?;
    assert_eq!(found["total"], 1, "{found}");
    let patient = found["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // An hour ahead: the test takes less than that to book it.
    let soon = (chrono::Utc::now() + chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let path = format!("/fhir/r4/Slot?status=free&start=ge{soon}&_include=Slot:schedule&_count=1");
    let (_, slots) = fhir(&server, "GET", &path, &t, &[], "").await?;
    let slot = slots["entry"][0]["resource"].clone();
    let schedule = slots["entry"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["search"]["mode"] == "include"))
        .cloned()
        .unwrap_or_default();
    let clinician = schedule["resource"]["actor"][0]["display"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!clinician.is_empty(), "{slots}");

    // Reception has that day's book open.
    let desk_context = browser.new_context().await?;
    let desk = sign_in(&server, &desk_context, "reception", DEMO_PASSWORD).await?;
    nav_link(&desk, "Appointments").click(None).await?;
    expect(desk.get_by_role(AriaRole::Status, None).first())
        .with_timeout(loaded)
        .to_have_text("Live")
        .await?;
    let (date, time) = london(slot["start"].as_str().unwrap_or_default());
    desk.get_by_label("Date", true).fill(&date, None).await?;
    let free = role(
        &desk,
        AriaRole::Button,
        &format!("Book: {time} with {clinician}"),
    );
    expect(free.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;

    // The system books it: reception sees it without a reload.
    let booking = json!({
        "resourceType": "Appointment", "status": "booked",
        "slot": [{ "reference": format!("Slot/{}", slot["id"].as_str().unwrap_or_default()) }],
        "participant": [{ "actor": { "reference": format!("Patient/{patient}") }, "status": "accepted" }],
        "description": "Booked online"
    });
    let (status, appt) = fhir(
        &server,
        "POST",
        "/fhir/r4/Appointment",
        &t,
        &[],
        &booking.to_string(),
    )
    .await?;
    assert_eq!(status, 201, "{appt}");
    let name = appt["participant"][0]["actor"]["display"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let booked = role(
        &desk,
        AriaRole::Button,
        &format!("{name} Booked · Face to face, {time}"),
    );
    expect(booked.clone())
        .with_timeout(live)
        .to_be_visible()
        .await?;

    // A stale cancel is refused; the right one frees the slot, live.
    let mut cancel = appt.clone();
    cancel["status"] = json!("cancelled");
    cancel["cancelationReason"] = json!({ "text": "Cancelled online by the patient" });
    let put = format!(
        "/fhir/r4/Appointment/{}",
        appt["id"].as_str().unwrap_or_default()
    );
    let (status, outcome) = fhir(
        &server,
        "PUT",
        &put,
        &t,
        &[("If-Match", "W/\"0\"")],
        &cancel.to_string(),
    )
    .await?;
    assert_eq!(status, 412, "{outcome}");
    expect(booked.clone()).to_be_visible().await?;
    let (status, done) = fhir(
        &server,
        "PUT",
        &put,
        &t,
        &[("If-Match", "W/\"1\"")],
        &cancel.to_string(),
    )
    .await?;
    assert_eq!(
        (status, done["status"].as_str()),
        (200, Some("cancelled")),
        "{done}"
    );
    expect(free).with_timeout(live).to_be_visible().await?;
    Ok(())
}

/// A FHIR instant as the book shows it: London date and HH:MM.
fn london(instant: &str) -> (String, String) {
    let at = chrono::DateTime::parse_from_rfc3339(instant)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    (
        domain::time::london_today(at).to_string(),
        domain::time::london_hhmm(at),
    )
}
