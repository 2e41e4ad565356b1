//! Operating the real binary: health probes, graceful shutdown on SIGTERM,
//! and a SurrealKV database that survives a restart (and is not re-seeded).

use end2end::Server;
use std::process::Command;
use std::time::Duration;

fn http_get(url: &str) -> anyhow::Result<(u16, String)> {
    // A tiny HTTP/1.1 client: enough for probes, no extra dependency.
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split(' ').nth(1).unwrap_or("0").parse()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

#[test]
fn sigterm_stops_cleanly_and_the_embedded_database_survives_a_restart() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let dir = data.path().join("db");
    let dir = dir.to_str().unwrap_or_default().to_string();

    let mut server = Server::start(&["--data-dir", &dir, "--demo"])?;
    assert_eq!(http_get(&server.url("/healthz"))?, (200, "ok".to_string()));
    assert_eq!(http_get(&server.url("/readyz"))?.0, 200);
    let (status, _) = http_get(&server.url("/login"))?;
    assert_eq!(status, 200);

    let kill = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()?;
    assert!(kill.success());
    let status = server.wait_exit(Duration::from_secs(30))?;
    assert!(status.success(), "exit status after SIGTERM: {status}");
    std::thread::sleep(Duration::from_millis(200)); // let the log reader drain
    let log = server.log();
    assert!(
        log.contains("database closed; stopped"),
        "no clean close in the log:\n{log}"
    );
    assert!(
        !log.contains("did not shut down cleanly"),
        "unclean shutdown:\n{log}"
    );

    // Restart on the same directory: it opens (closed cleanly), migrations
    // are already applied, and the demo practice is still there, once.
    let server = Server::start(&["--data-dir", &dir, "--demo"])?;
    assert_eq!(http_get(&server.url("/readyz"))?.0, 200);
    let (_, page) = http_get(&server.url("/login"))?;
    assert!(
        page.contains("Demo sign-ins"),
        "demo mode lists its sign-ins"
    );
    Ok(())
}

#[test]
fn help_explains_the_configuration() -> anyhow::Result<()> {
    let out = Command::new(end2end::binary()?).arg("--help").output()?;
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--db",
        "--data-dir",
        "--namespace",
        "--database",
        "--demo",
        "--log-format",
        "admin",
    ] {
        assert!(help.contains(flag), "--help does not mention {flag}");
    }
    Ok(())
}

#[test]
fn a_bad_database_address_is_refused_with_a_clear_message() -> anyhow::Result<()> {
    let out = Command::new(end2end::binary()?)
        .args(["--db", "ftp://nowhere"])
        .output()?;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported database address"), "{err}");
    Ok(())
}
