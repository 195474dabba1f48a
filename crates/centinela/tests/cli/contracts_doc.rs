//! `docs/CONTRACTS.md`, the formats outside tools rely on, is in the
//! repository, the README links it, and the CSV headers it gives are the
//! ones the code reads and writes (a change to one changes the other). The
//! README also says how to put `centinela` on PATH and names the demo's
//! passwords file.

use std::path::PathBuf;

fn repo_file(path: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_readme_links_the_contracts_in_the_repository() {
    let readme = repo_file("README.md");
    assert!(readme.contains("(docs/CONTRACTS.md)"), "the README links docs/CONTRACTS.md");
    assert!(!readme.contains("shared/design"), "the README points outside the repository");
    let contracts = repo_file("docs/CONTRACTS.md");
    assert!(contracts.contains("Exit status: 0 on"), "exit codes documented");
    assert!(readme.contains("cargo install --locked --path crates/centinela"), "how to put centinela on PATH");
    assert!(readme.contains("centinela.db.demo-users"), "the passwords file is named");
    assert!(readme.contains("demo --users"));
}

#[test]
fn the_documented_csv_headers_are_the_codes() {
    let contracts = repo_file("docs/CONTRACTS.md");
    let crossings = centinela_domain::CROSSING_COLUMNS.join(",");
    assert!(contracts.contains(&format!("`{crossings}`")), "crossing header {crossings}");
    let list = centinela_lists::LIST_REQUIRED.join(",");
    assert!(contracts.contains(&format!("header: `{list}`")), "list header {list}");
    let queries = centinela_lists::QUERY_REQUIRED.join(",");
    assert!(contracts.contains(&format!("header: `{queries}`")), "query header {queries}");
    let documents = centinela_lists::DOCUMENTS_REQUIRED.join(",");
    assert!(contracts.contains(&format!("`{documents},reported_at`")), "documents header {documents}");
    assert!(contracts.contains("lines end in CRLF") && centinela_domain::csv::EOL == "\r\n");
    assert!(contracts.contains("`--excel`") && centinela_domain::csv::BOM == "\u{feff}");
    for optional in centinela_lists::LIST_OPTIONAL {
        assert!(contracts.contains(&format!("`{optional}`")), "{optional}");
    }
}
