//! The accessibility gate: axe-core (npm, pinned in package.json, a library
//! we did not write) audits every page, for every role that uses it, in
//! Chromium once the page's content has arrived, against WCAG 2.0, 2.1 and
//! 2.2 A and AA. Any violation fails, with its rule, the element and
//! axe's own explanation.

use end2end::http::{request, token};
use end2end::{call, launch_browser, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, Page};
use serde_json::json;
use std::time::Duration;

fn axe_source() -> anyhow::Result<String> {
    // Where cargo says this package is as it runs the test, not where it
    // was compiled: a checkout elsewhere sharing the target directory may
    // have built this binary.
    let package = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    let path = package.join("../node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).map_err(|e| {
        anyhow::anyhow!(
            "{}: {e} (make test installs it with npm ci)",
            path.display()
        )
    })
}

/// Runs axe on the page as it is; returns one line per violation.
async fn violations(page: &Page, axe: &str) -> anyhow::Result<Vec<String>> {
    // Through the DevTools protocol, so the page's own
    // Content-Security-Policy does not apply to the auditor.
    page.evaluate_expression(axe).await?;
    let found: Vec<String> = page
        .evaluate(
            r#"async () => {
                const r = await axe.run(document, {
                    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
                    resultTypes: ['violations'],
                });
                return r.violations.flatMap(v => v.nodes.map(n =>
                    `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`));
            }"#,
            None::<&()>,
        )
        .await?;
    Ok(found)
}

async fn audit(page: &Page, axe: &str, url: &str, what: &str) -> anyhow::Result<Vec<String>> {
    page.goto(url, None).await?;
    expect(page.locator("main"))
        .with_timeout(Duration::from_secs(30))
        .not()
        .to_contain_text("Loading…")
        .await
        .map_err(|e| anyhow::anyhow!("{what}: still loading: {e}"))?;
    // Data that follows the first paint (lists over the socket).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    Ok(violations(page, axe)
        .await?
        .into_iter()
        .map(|v| format!("{what}: {v}"))
        .collect())
}

#[tokio::test]
async fn every_page_for_every_role_passes_wcag_2_2_aa_in_axe() -> anyhow::Result<()> {
    let axe = axe_source()?;
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let mut found = Vec::new();

    // Signed out.
    let page = browser.new_context().await?.new_page().await?;
    page.goto(&server.url("/login"), None).await?;
    expect(page.get_by_label("Username", true))
        .to_be_visible()
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    found.extend(
        violations(&page, &axe)
            .await?
            .into_iter()
            .map(|v| format!("signed out /login: {v}")),
    );

    // A patient and a task of the demo practice, and a call-screen link.
    let admin = sign_in(
        &server,
        &browser.new_context().await?,
        "admin",
        DEMO_PASSWORD,
    )
    .await?;
    let hits = call(
        &admin,
        "search_patients",
        json!({ "query": "Jones" }),
        false,
    )
    .await?;
    let me = call(&admin, "current_user", json!({}), false).await?;
    let task = call(
        &admin,
        "create_task",
        json!({ "title": "Order more gloves", "details": "", "priority": "routine",
                "assignee": format!("staff:{}", me["staff_id"].as_str().unwrap_or_default()) }),
        false,
    )
    .await?;
    let link = call(&admin, "create_display_link", json!({}), false).await?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let (patient, task, link) = (text(&hits[0]["id"]), text(&task["id"]), text(&link));
    // A rota and tomorrow's leave over booked appointments: the rotas page
    // lists them to move and the book marks them.
    let info = call(&admin, "rotas_info", json!({}), false).await?;
    let (clinician, room) = (
        text(&info["clinicians"][0][0]),
        text(&info["rooms"][0]["id"]),
    );
    call(
        &admin,
        "add_rota",
        json!({ "form[clinician]": clinician, "form[room]": room, "form[day1]": "1", "form[day3]": "3",
                "form[start]": "18:00", "form[end]": "19:00", "form[slot_minutes]": "10", "form[kind]": "video" }),
        false,
    )
    .await?;
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();
    call(
        &admin,
        "add_absence",
        json!({ "clinician": clinician, "kind": "training", "from": tomorrow, "to": tomorrow, "note": "" }),
        false,
    )
    .await?;

    // A laboratory's report about the patient, and one nobody matches.
    let lab = call(
        &admin,
        "register_api_client",
        json!({ "name": "Riverside Pathology", "scopes": "system/DiagnosticReport.c" }),
        false,
    )
    .await?;
    let lab = token(&server.base_url, &text(&lab["id"]), &text(&lab["secret"])).await?;
    let mut report = String::new();
    for (n, born) in [text(&hits[0]["date_of_birth"]), "1900-01-01".to_string()]
        .into_iter()
        .enumerate()
    {
        let bundle = json!({
            "resourceType": "Bundle", "type": "collection",
            "entry": [
                { "fullUrl": "urn:uuid:r", "resource": {
                    "resourceType": "DiagnosticReport", "status": "final",
                    "identifier": [{ "system": "https://lab.example/reports", "value": format!("AXE-{n}") }],
                    "code": { "text": "Full blood count" }, "subject": { "reference": "urn:uuid:p" },
                    "issued": "2026-11-20T10:00:00Z", "performer": [{ "display": "Riverside Pathology" }],
                    "result": [{ "reference": "urn:uuid:o" }] } },
                { "fullUrl": "urn:uuid:p", "resource": {
                    "resourceType": "Patient",
                    "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": text(&hits[0]["nhs_number"]) }],
                    "name": [{ "family": text(&hits[0]["family_name"]), "given": [text(&hits[0]["given_name"])] }],
                    "birthDate": born } },
                { "fullUrl": "urn:uuid:o", "resource": {
                    "resourceType": "Observation", "status": "final",
                    "code": { "coding": [{ "system": "http://loinc.org", "code": "718-7", "display": "Haemoglobin" }] },
                    "valueQuantity": { "value": 101, "unit": "g/L" },
                    "referenceRange": [{ "low": { "value": 115 }, "high": { "value": 165 } }] } }
            ]
        });
        let auth = format!("Bearer {lab}");
        let r = request(
            &server.base_url,
            "POST",
            "/fhir/r4/Bundle",
            &[
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/fhir+json"),
            ],
            &bundle.to_string(),
        )
        .await?;
        assert_eq!(r.status, 201, "{}", r.body);
        if n == 0 {
            let v = r.json()?;
            let words = text(&v["issue"][0]["diagnostics"]);
            report = words.rsplit('/').next().unwrap_or_default().to_string();
        }
    }

    for (user, pages) in [
        (
            "gp",
            vec![
                "/",
                "/results",
                "/results/{report}",
                "/my-day",
                "/waiting-room",
                "/patients",
                "/patients/{patient}",
                "/patients/{patient}/consultation",
                "/tasks",
                "/tasks/new",
                "/account/password",
                "/account/sessions",
            ],
        ),
        ("nurse", vec!["/my-day", "/patients/{patient}", "/tasks"]),
        ("operator", vec!["/", "/operator/practices"]),
        (
            "reception",
            vec![
                "/",
                "/waiting-room",
                "/appointments",
                "/patients",
                "/patients/new",
                "/patients/{patient}",
                "/patients/{patient}/edit",
                "/tasks",
                "/call-screen-links",
                "/results",
                "/results/unmatched",
            ],
        ),
        (
            "admin",
            vec![
                "/",
                "/admin",
                "/admin/teams",
                "/admin/audit",
                "/admin/api-clients",
                "/admin/staff",
                "/admin/settings",
                "/admin/sessions",
                "/admin/rotas",
                "/admin/rooms",
                "/results",
                "/appointments",
                "/patients/{patient}",
                "/tasks",
                "/tasks/{task}",
                "/call-screen-links",
            ],
        ),
    ] {
        let page = sign_in(&server, &browser.new_context().await?, user, DEMO_PASSWORD).await?;
        for path in pages {
            let path = path
                .replace("{patient}", &patient)
                .replace("{task}", &task)
                .replace("{report}", &report);
            found.extend(audit(&page, &axe, &server.url(&path), &format!("{user} {path}")).await?);
        }
    }

    // The waiting-room screen.
    let tv = browser.new_context().await?.new_page().await?;
    found.extend(audit(&tv, &axe, &server.url(&link), "the call screen").await?);

    assert!(
        found.is_empty(),
        "{} accessibility violations:\n{}",
        found.len(),
        found.join("\n")
    );
    Ok(())
}
