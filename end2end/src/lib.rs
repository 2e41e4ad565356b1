//! End-to-end harness: starts a real `openpractice` server (in-memory
//! database, demo practice, ephemeral port) and a real headless Chromium via
//! playwright-rs. Tests find things by role and accessible name.
//!
//! Environment (set by `make test`): OP_E2E_BIN, the debug server binary built
//! by cargo-leptos; OP_E2E_SITE_ROOT, the site it built (WASM, JS, CSS).

pub mod http;
pub mod lab;

use anyhow::{bail, Context, Result};
use playwright_rs::{
    expect, AriaRole, Browser, BrowserContext, FilterOptions, GetByRoleOptions, LaunchOptions,
    Locator, Page, Playwright,
};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const DEMO_PASSWORD: &str = "openpractice-demo";

/// A running server, killed when dropped.
pub struct Server {
    child: Child,
    pub base_url: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// Starts a server on `mem://` with the demo practice seeded, its
    /// patients' records empty (quicker to start).
    pub fn start_demo() -> Result<Self> {
        Self::start(&["--db", "mem://", "--demo", "--demo-histories", "false"])
    }

    /// Starts a server on `mem://` with the demo practice seeded and its
    /// patients' clinical histories loaded through the importer, as `make
    /// run` shows it.
    pub fn start_demo_with_histories() -> Result<Self> {
        Self::start(&["--db", "mem://", "--demo"])
    }

    /// Starts the server binary with `args` plus an ephemeral port and the built site.
    pub fn start(args: &[&str]) -> Result<Self> {
        let bin = binary()?;
        let site = std::env::var("OP_E2E_SITE_ROOT").context("OP_E2E_SITE_ROOT is not set")?;
        let mut child = Command::new(&bin)
            .args(args)
            .args(["--listen", "127.0.0.1:0", "--site-root", &site])
            .env(
                "RUST_LOG",
                std::env::var("OP_E2E_LOG").unwrap_or_else(|_| "info".into()),
            )
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {bin}"))?;
        // Keep the server's log for assertions; echo warnings and errors.
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stderr = child.stderr.take().context("server stderr")?;
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
                if line.contains("WARN") || line.contains("ERROR") {
                    eprintln!("server: {line}");
                }
                if let Ok(mut lines) = sink.lock() {
                    lines.push(line);
                }
            }
        });
        let stdout = child.stdout.take().context("server stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if let Some(url) = line.strip_prefix("OpenPractice listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let base_url = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                bail!("the server did not start listening within 120 s");
            }
        };
        Ok(Self {
            child,
            base_url,
            log,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Everything the server has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.join("\n")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `timeout` for the process to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if std::time::Instant::now() > deadline {
                bail!("the server did not exit within {timeout:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The server binary under test.
pub fn binary() -> Result<String> {
    std::env::var("OP_E2E_BIN")
        .context("OP_E2E_BIN is not set: run the end-to-end tests with `make test`")
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Debian's Chromium, headless, with the background networking that this
/// closed network would refuse switched off.
pub async fn launch_browser() -> Result<(Playwright, Browser)> {
    let playwright = Playwright::launch()
        .await
        .context("starting the Playwright driver")?;
    let args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .map(String::from)
    .to_vec();
    let browser = playwright
        .chromium()
        .launch_with_options(
            LaunchOptions::new()
                .executable_path(
                    std::env::var("OP_E2E_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                )
                .headless(true)
                .args(args),
        )
        .await
        .context("launching Chromium")?;
    Ok((playwright, browser))
}

pub fn role(page: &Page, role: AriaRole, name: &str) -> Locator {
    page.get_by_role(
        role,
        Some(GetByRoleOptions::default().name(name).exact(true)),
    )
}

/// Signs in through the form, as a person would, and waits for the shell.
pub async fn sign_in(
    server: &Server,
    context: &BrowserContext,
    username: &str,
    password: &str,
) -> Result<Page> {
    let page = context.new_page().await?;
    page.goto(&server.url("/login"), None).await?;
    fill_sign_in(&page, username, password).await?;
    expect(role(&page, AriaRole::Button, "Sign out"))
        .to_be_visible()
        .await?;
    // Wait until the page is hydrated and live (the navigation's task count
    // appears only then; the operator, who has no tasks, has Practices): a
    // link clicked while a page is still hydrating can leave the next page
    // on "Loading…" (see the hazard log, H17).
    expect(
        page.locator("nav span[title='My tasks'], nav a[href='/operator/practices']")
            .first(),
    )
    .with_timeout(std::time::Duration::from_secs(30))
    .to_be_visible()
    .await?;
    Ok(page)
}

pub async fn fill_sign_in(page: &Page, username: &str, password: &str) -> Result<()> {
    page.get_by_label("Username", true)
        .fill(username, None)
        .await?;
    page.get_by_label("Password", true)
        .fill(password, None)
        .await?;
    role(page, AriaRole::Button, "Sign in").click(None).await?;
    Ok(())
}

/// The page shows the sign-in form and no signed-in shell.
pub async fn expect_signed_out(page: &Page) -> Result<()> {
    expect(role(page, AriaRole::Heading, "Sign in"))
        .to_be_visible()
        .await?;
    expect(role(page, AriaRole::Button, "Sign out"))
        .to_have_count(0)
        .await?;
    Ok(())
}

/// Waits (up to 30 s) for the page's live status to say "Live": its
/// socket is subscribed, so a change made now reaches it.
pub async fn expect_live(page: &Page) -> Result<()> {
    expect(
        page.get_by_role(AriaRole::Status, None)
            .filter(FilterOptions::default().has_text("Live"))
            .first(),
    )
    .with_timeout(Duration::from_secs(30))
    .to_be_visible()
    .await?;
    Ok(())
}

/// A link in the main navigation.
pub fn nav_link(page: &Page, name: &str) -> Locator {
    page.get_by_role(
        AriaRole::Navigation,
        Some(GetByRoleOptions::default().name("Main")),
    )
    .get_by_role(
        AriaRole::Link,
        Some(GetByRoleOptions::default().name(name).exact(true)),
    )
}

/// Calls a server function from inside a signed-in page (same origin, its
/// session cookie), as the page's own code would: a form post, or JSON for
/// the functions that take JSON. Fails unless it answers 200; returns the
/// answer (`null` when it is not JSON).
pub async fn call(
    page: &Page,
    name: &str,
    fields: serde_json::Value,
    as_json: bool,
) -> Result<serde_json::Value> {
    let (status, body): (u16, String) = page
        .evaluate(
            r#"async ([name, fields, asJson]) => {
                const body = asJson ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
                const r = await fetch('/api/' + name, {
                    method: 'POST',
                    headers: {
                        'Content-Type': asJson ? 'application/json' : 'application/x-www-form-urlencoded',
                        'Accept': 'application/json',
                    },
                    body,
                });
                return [r.status, await r.text()];
            }"#,
            Some(&(name, fields, as_json)),
        )
        .await?;
    if status != 200 {
        bail!("{name}: {status} {body}");
    }
    Ok(serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
}

/// On the API clients page (Admin → API clients, with none registered
/// yet): registers `name` with `scopes` and returns the id and secret the
/// page shows once.
pub async fn register_api_client(
    admin: &Page,
    name: &str,
    scopes: &str,
) -> Result<(String, String)> {
    let loaded = std::time::Duration::from_secs(30);
    expect(admin.get_by_text("No API clients yet.", true))
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    admin
        .get_by_label("Name of the system", true)
        .fill(name, None)
        .await?;
    admin
        .get_by_label("Scopes (separated by spaces)", true)
        .fill(scopes, None)
        .await?;
    role(admin, AriaRole::Button, "Register the client")
        .click(None)
        .await?;
    let shown = admin.locator("[role=status] dd");
    expect(shown.first())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    let id = shown.nth(0).inner_text().await?;
    let secret = shown.nth(1).inner_text().await?;
    Ok((id.trim().to_string(), secret.trim().to_string()))
}
