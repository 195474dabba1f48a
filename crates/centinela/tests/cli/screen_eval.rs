//! Accuracy of `centinela screen` on the shared development set
//! (`shared/eval/names-dev`): F1 ≥ 0.98 and precision ≥ 0.98 at the shipped
//! threshold, computed as `shared/eval/score.py` does.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

const DEV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/eval/names-dev");

fn read(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path).unwrap().lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

#[test]
fn dev_set_accuracy() {
    let dev = Path::new(DEV);
    if !dev.join("truth.csv").exists() {
        println!("skipped: {} not found", dev.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let hits = dir.path().join("hits.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .args(["screen", "--list"])
        .arg(dev.join("list.csv"))
        .arg("--queries")
        .arg(dev.join("queries.csv"))
        .arg("--out")
        .arg(&hits)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let truth: HashMap<String, String> = read(&dev.join("truth.csv"))
        .into_iter()
        .map(|r| (r[0].clone(), r.get(1).cloned().unwrap_or_default()))
        .collect();
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut found = HashSet::new();
    for r in read(&hits) {
        let target = truth.get(&r[0]).map(String::as_str).unwrap_or("");
        if r[1] == target {
            tp += 1;
            found.insert(r[0].clone());
        } else {
            fp += 1;
        }
    }
    let positives = truth.values().filter(|v| !v.is_empty()).count();
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = found.len() as f64 / positives.max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(1e-12);
    println!("precision={precision:.4} recall={recall:.4} f1={f1:.4} alerts={} positives={positives}", tp + fp);
    assert!(precision >= 0.98, "precision {precision:.4}");
    assert!(f1 >= 0.98, "f1 {f1:.4}");
}
