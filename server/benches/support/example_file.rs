//! The realistic example ledger (`spiral demo --example --events N`) built by the CLI, in a
//! process of its own, into a fresh SQLite file (shared by the `answers`, `donors` and `gifts`
//! benchmarks).
#![allow(dead_code)]

use std::path::PathBuf;

/// Builds the example ledger of about `n` events into a new file named for `name`; returns
/// the file and its database URL.
pub fn build(n: usize, name: &str) -> (PathBuf, String) {
    let path = std::env::temp_dir().join(format!("spiral_{name}_bench_{n}_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite:{}", path.display());
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_spiral"))
        .args([
            "--database-url",
            &url,
            "demo",
            "--example",
            "--events",
            &n.to_string(),
        ])
        .output()
        .expect("run spiral demo --example");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    (path, url)
}
