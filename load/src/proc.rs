//! The server under test as a child process, and the file limit for many sockets.

use anyhow::{anyhow, Context, Result};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) fn raise_fd_limit() {
    // SAFETY: getrlimit/setrlimit with a valid, owned struct.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

pub(crate) struct Proc {
    pub(crate) child: Child,
    pub(crate) addr: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    pub(crate) fn start(mut cmd: Command, marker: &str) -> Result<Proc> {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting a server")?;
        let stdout = child.stdout.take().context("stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        let marker = marker.to_string();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if let Some(rest) = line.strip_prefix(&marker) {
                    let _ = tx.send(rest.trim().trim_start_matches("http://").to_string());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(180))
            .map_err(|_| anyhow!("the server did not start"))?;
        Ok(Proc { child, addr })
    }

    /// The real server: `--demo` on `db` (without the demo's clinical
    /// histories, which a benchmark of 100,000 patients would spend its
    /// first start loading), any free port, warnings only.
    pub(crate) fn real(server_bin: &str, db: &str, site_root: &str) -> Result<Proc> {
        Proc::real_with(server_bin, db, site_root, &[])
    }

    /// The real server with `extra` options.
    pub(crate) fn real_with(
        server_bin: &str,
        db: &str,
        site_root: &str,
        extra: &[&str],
    ) -> Result<Proc> {
        let mut cmd = Command::new(server_bin);
        cmd.args([
            "--db",
            db,
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--site-root",
            site_root,
            "--demo-histories",
            "false",
        ])
        .args(extra)
        .env("RUST_LOG", "warn");
        Proc::start(cmd, "OpenPractice listening on ")
    }

    /// The bare broadcast baseline (this binary's `bare-server`).
    pub(crate) fn bare() -> Result<Proc> {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.args(["bare-server", "--listen", "127.0.0.1:0"]);
        Proc::start(cmd, "bare server listening on ")
    }

    pub(crate) fn rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmRSS")
    }
}

pub(crate) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;
