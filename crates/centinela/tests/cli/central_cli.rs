//! The centre beyond one machine, for real: `scripts/central-loopback`
//! starts a PostgreSQL primary and a streaming read replica from Debian's
//! packages and two `centinela serve` nodes (this build) reading statistics
//! from the replica; its `check` writes through node 1 and reads back
//! through node 2, and shows node 2's statistics following the replica
//! (paused, then resumed) rather than the primary. Skipped, saying so, where
//! PostgreSQL's server programs are not installed.

use std::path::Path;
use std::process::{Command, Output};

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/central-loopback")
}

fn run(dir: &Path, base: u16, what: &str) -> Output {
    // A hang fails the test instead of holding it (nodes and servers must
    // not keep the script's output open: `output()` reads to the end).
    Command::new("timeout")
        .args(["300", "bash"])
        .arg(script())
        .arg(what)
        .env("CENTINELA", env!("CARGO_BIN_EXE_centinela"))
        .env("BASE_PORT", base.to_string())
        .env("DIR", dir)
        .env("RUST_LOG", "warn")
        .env_remove("CENTINELA_DB")
        .env_remove("CENTINELA_DB_REPLICA")
        .output()
        .expect("run scripts/central-loopback")
}

/// Stops what the script started, whatever happens to the test.
struct Stop<'a>(&'a Path, u16);

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        let _ = run(self.0, self.1, "stop");
    }
}

#[test]
fn two_nodes_a_primary_and_a_streaming_replica() {
    let installed = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().any(|v| v.path().join("bin/pg_basebackup").exists()))
        .unwrap_or(false);
    if !installed {
        eprintln!("PostgreSQL's server programs are not installed: central loopback test skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Four ports from BASE: primary, replica, nodes at +10 and +11.
    let base = 20_000 + (std::process::id() % 20_000) as u16;
    let _stop = Stop(dir.path(), base);
    let started = run(dir.path(), base, "start");
    let out = String::from_utf8_lossy(&started.stdout).into_owned();
    let err = String::from_utf8_lossy(&started.stderr).into_owned();
    assert!(started.status.success(), "start failed:\n{out}\n{err}");
    assert_eq!(out.lines().filter(|l| l.starts_with("node http://")).count(), 2, "{out}");
    assert!(out.contains(&format!("replica postgres://postgres@127.0.0.1:{}/centinela", base + 1)), "{out}");

    let checked = run(dir.path(), base, "check");
    let out = String::from_utf8_lossy(&checked.stdout).into_owned();
    let err = String::from_utf8_lossy(&checked.stderr).into_owned();
    let logs: String = ["node1.log", "node2.log"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.path().join(f)).unwrap_or_default())
        .collect();
    assert!(checked.status.success(), "check failed:\n{out}\n{err}\n{logs}");
    assert!(out.contains("write through node 1, read through node 2"), "{out}");
    assert!(out.contains("replica replay paused"), "{out}");
    assert!(out.trim_end().ends_with("ok"), "{out}");
    eprintln!("{out}");
}
