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

/// Runs the binary with `args`, `stdin` as its standard input.
fn run(args: &[&str], stdin: &str) -> anyhow::Result<(bool, String, String)> {
    use std::io::Write;
    let mut child = Command::new(end2end::binary()?)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// The operator's audit tools on a real embedded database: the key is made
/// beside the data directory (owner-only), `verify-audit` prints the head
/// to record and checks against it, a missing key stops everything, and a
/// database server is refused without a key file.
#[test]
fn the_audit_trail_is_keyed_outside_the_database_and_checked_against_a_recorded_head(
) -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let dir = data.path().join("db");
    let dir = dir.to_str().unwrap_or_default().to_string();
    let key_file = data.path().join("db.audit-key");
    let (ok, _, err) = run(
        &[
            "--data-dir",
            &dir,
            "admin",
            "create-user",
            "--role",
            "admin",
            "--username",
            "hcarter",
            "--name",
            "Helen Carter",
            "--practice-name",
            "Keyed Surgery",
            "--password-stdin",
        ],
        "a long enough password\n",
    )?;
    assert!(ok, "{err}");
    assert!(
        key_file.exists(),
        "the key is made beside the data directory"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file)?.permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner may read the key");
    }

    let (ok, out, err) = run(&["--data-dir", &dir, "admin", "verify-audit"], "")?;
    assert!(ok, "{err}");
    assert!(out.contains("intact: 1 entries"), "{out}");
    let head = out
        .split("Its head is ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_default()
        .to_string();
    assert!(head.starts_with("1:"), "{out}");
    let (ok, _, err) = run(
        &[
            "--data-dir",
            &dir,
            "admin",
            "verify-audit",
            "--expect-head",
            &head,
        ],
        "",
    )?;
    assert!(ok, "{err}");

    // A head from the future (entries cut since it was logged) is a break.
    let later = format!("5:{}", &head[2..]);
    let (ok, _, err) = run(
        &[
            "--data-dir",
            &dir,
            "admin",
            "verify-audit",
            "--expect-head",
            &later,
        ],
        "",
    )?;
    assert!(!ok);
    assert!(err.contains("TAMPERED") && err.contains("entry 5"), "{err}");
    let (ok, _, err) = run(
        &[
            "--data-dir",
            &dir,
            "admin",
            "verify-audit",
            "--expect-head",
            "five",
        ],
        "",
    )?;
    assert!(!ok && err.contains("SEQ:HASH"), "{err}");

    // Without its key the database does not open, and no key is made in its place.
    let saved = std::fs::read(&key_file)?;
    std::fs::remove_file(&key_file)?;
    let (ok, _, err) = run(&["--data-dir", &dir, "admin", "verify-audit"], "")?;
    assert!(!ok && err.contains("missing"), "{err}");
    assert!(!key_file.exists());
    std::fs::write(&key_file, saved)?;

    // Synthetic patients never go into a real practice's database.
    let (ok, _, err) = run(
        &[
            "--data-dir",
            &dir,
            "admin",
            "seed-synthetic-patients",
            "--total",
            "10",
            "--create-demo",
        ],
        "",
    )?;
    assert!(!ok && err.contains("no demo practice"), "{err}");
    let (ok, out, _) = run(&["--data-dir", &dir, "admin", "verify-audit"], "")?;
    assert!(
        ok && out.contains("intact: 1 entries"),
        "nothing written: {out}"
    );

    // Listening beyond this machine needs the public origin.
    let (ok, _, err) = run(&["--data-dir", &dir, "--listen", "0.0.0.0:0"], "")?;
    assert!(!ok && err.contains("--public-origin"), "{err}");

    // A database server needs the shared key file.
    let (ok, _, err) = run(&["--db", "ws://127.0.0.1:9", "admin", "verify-audit"], "")?;
    assert!(!ok && err.contains("--audit-key-file"), "{err}");
    Ok(())
}
