//! What the CLI's black-box tests share: running the built binary against a
//! database, reading its output, and a fresh database on either backend.
//! Each test file is its own crate and uses part of this.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// The audit key of databases on PostgreSQL (a centre keeps it outside the
/// database; SQLite files get theirs beside them).
pub const PG_AUDIT_KEY: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

/// `centinela --db DB ARGS…`, with the environment's database, audit key
/// and log level out of the way (a PostgreSQL database gets
/// [`PG_AUDIT_KEY`]).
pub fn run(db: impl AsRef<OsStr>, args: &[&str]) -> Output {
    command(db.as_ref(), args).output().expect("run centinela")
}

/// [`run`] with `stdin` written to the command's standard input. A
/// command that refuses its arguments exits without reading it: the pipe
/// may then be closed before it is written, which is no failure here.
pub fn run_with_stdin(db: impl AsRef<OsStr>, args: &[&str], stdin: &str) -> Output {
    let mut child = command(db.as_ref(), args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run centinela");
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
    child.wait_with_output().unwrap()
}

fn command(db: &OsStr, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_centinela"));
    c.arg("--db").arg(db).args(args).env_remove("CENTINELA_DB").env_remove("CENTINELA_AUDIT_KEY_FILE");
    if db.to_string_lossy().starts_with("postgres") {
        c.env("CENTINELA_AUDIT_KEY", PG_AUDIT_KEY);
    } else {
        c.env_remove("CENTINELA_AUDIT_KEY");
    }
    c.env("RUST_LOG", "warn");
    c
}

/// A TCP port free on 127.0.0.1 just now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh, empty database: a new PostgreSQL database when
/// `CENTINELA_TEST_PG` holds a server's URL, else a SQLite file in `dir`.
pub fn fresh_db(dir: &Path, tag: &str) -> String {
    match std::env::var("CENTINELA_TEST_PG") {
        Ok(url) if !url.is_empty() => {
            static N: AtomicU32 = AtomicU32::new(0);
            let name = format!("centinela_{tag}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
            // On a thread of its own: callers may be inside a runtime.
            let admin_url = url.clone();
            let setup = name.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    use sqlx::Connection;
                    let mut admin =
                        sqlx::PgConnection::connect(&admin_url).await.expect("CENTINELA_TEST_PG: cannot connect");
                    for sql in [format!("DROP DATABASE IF EXISTS {setup}"), format!("CREATE DATABASE {setup}")] {
                        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await.unwrap();
                    }
                });
            })
            .join()
            .expect("creating the test database");
            let (base, _) = url.rsplit_once('/').unwrap();
            format!("{base}/{name}")
        }
        _ => dir.join(format!("{tag}.db")).to_str().unwrap().to_string(),
    }
}
