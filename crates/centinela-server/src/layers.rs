//! The layering rules of ARCHITECTURE.md, checked on the source: web pages
//! and the command line call the use cases (`centinela_app`), never an API
//! handler; the server's shared modules do not reach up into handlers or
//! pages (which once made 16 files import each other in a circle).

use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Every line of the `.rs` files under `dir` (relative to this crate)
/// holding one of `needles`, comments left out.
fn offending(dir: &str, needles: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut found = Vec::new();
    for file in sources(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if needles.iter().any(|needle| code.contains(needle)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn web_pages_never_call_api_handlers() {
    let found = offending("src/web", &["handlers::", "handlers::{"]);
    assert!(found.is_empty(), "web pages must call centinela_app, not handlers:\n{}", found.join("\n"));
}

#[test]
fn the_command_line_never_calls_the_server_handlers() {
    let found = offending("../centinela/src", &["centinela_server::handlers", "axum::extract"]);
    assert!(found.is_empty(), "commands must call centinela_app:\n{}", found.join("\n"));
}

#[test]
fn shared_server_modules_do_not_reach_into_handlers_or_pages() {
    for file in ["src/state.rs", "src/auth.rs", "src/error.rs", "src/signin.rs", "src/failures.rs"] {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
        let bad: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("use ") && (l.contains("handlers::") || l.contains("web::")))
            .collect();
        assert!(bad.is_empty(), "{file} imports from handlers or web: {bad:?}");
    }
}

#[test]
fn a_handler_never_calls_another_handler() {
    // A handler file names no other handler module; shared request types
    // come from centinela_app.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/handlers");
    for file in sources(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        let bad: Vec<&str> = text
            .lines()
            .filter(|l| {
                let code = l.split("//").next().unwrap_or("");
                code.contains("crate::handlers::") || code.contains("super::") && !code.contains("super::*")
            })
            .collect();
        assert!(bad.is_empty(), "{} calls into another handler module: {bad:?}", file.display());
    }
}
