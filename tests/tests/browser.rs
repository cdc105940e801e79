//! The browser app in real headless Chromium (Debian's), against `spiral serve` as a real process
//! with the demo ledger: tests/browser/spiral.mjs drives the page with playwright-core and checks
//! it against the server's JSON API. Screenshots land in artifacts/browser/.

mod common;

use common::http::post_json;
use common::server::Server;
use common::{spiral_bin, spiral_with_input, Kind, TestDb};
use std::path::{Path, PathBuf};
use std::process::Command;

const PASSWORD: &str = "correct horse battery";

/// The bundle `scripts/build-frontend.sh` writes beside the target directory's profiles.
fn bundle() -> PathBuf {
    Path::new(spiral_bin())
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("site/pkg/frontend_bg.wasm")
}

#[test]
fn the_browser_app_replays_follows_plays_back_and_switches_language() {
    assert!(
        bundle().exists(),
        "the browser bundle is missing at {}: run scripts/build-frontend.sh first (scripts/test.sh does)",
        bundle().display()
    );
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let db = TestDb::new(kind);
        spiral_with_input(
            &db,
            &["user", "add", "hanako", "--role", "staff"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
        let server = Server::start(&db, true);
        let login = serde_json::json!({ "name": "hanako", "password": PASSWORD }).to_string();
        let cookie = post_json(&server.addr, "/api/login", None, &login)
            .cookie()
            .unwrap();

        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let artifacts = root
            .join("artifacts/browser")
            .join(format!("{kind:?}").to_lowercase());
        let output = Command::new("node")
            .arg(root.join("tests/browser/spiral.mjs"))
            .env("SPIRAL_URL", format!("http://{}", server.addr))
            .env("SPIRAL_COOKIE", &cookie)
            .env("SPIRAL_ARTIFACTS", &artifacts)
            .output()
            .expect("run node (Node.js is needed for the browser tests)");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        println!("{kind:?}:\n{stdout}");
        assert!(
            output.status.success(),
            "{kind:?}: the browser test failed:\n{stdout}\n{stderr}"
        );
        assert!(artifacts.join("spiral-desktop.png").exists() && artifacts.join("spiral-phone.png").exists());
    }
}

#[test]
fn staff_record_correct_and_meet_conflicts_through_the_forms() {
    assert!(
        bundle().exists(),
        "the browser bundle is missing: run scripts/build-frontend.sh first"
    );
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let db = TestDb::new(kind);
        for (name, role) in [("hanako", "staff"), ("kenji", "auditor"), ("yumi", "reporter")] {
            spiral_with_input(
                &db,
                &["user", "add", name, "--role", role],
                &format!("{PASSWORD}\n"),
            )
            .ok();
        }
        let server = Server::start(&db, true);
        let cookie = |name: &str| {
            let login = serde_json::json!({ "name": name, "password": PASSWORD }).to_string();
            post_json(&server.addr, "/api/login", None, &login)
                .cookie()
                .unwrap()
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let output = Command::new("node")
            .arg(root.join("tests/browser/record.mjs"))
            .env("SPIRAL_URL", format!("http://{}", server.addr))
            .env("SPIRAL_STAFF", cookie("hanako"))
            .env("SPIRAL_AUDITOR", cookie("kenji"))
            .env("SPIRAL_REPORTER", cookie("yumi"))
            .output()
            .expect("run node");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        println!("{kind:?}:\n{stdout}");
        assert!(
            output.status.success(),
            "{kind:?}: the record test failed:\n{stdout}\n{stderr}"
        );

        // What the page saw recorded is exactly what `spiral export` holds: nothing refused got in.
        let events: usize = stdout
            .lines()
            .find_map(|l| l.strip_prefix("EVENTS="))
            .and_then(|n| n.trim().parse().ok())
            .expect("the script reports the ledger's size");
        server.stop();
        let export = common::spiral(&db, &["export"]).ok();
        assert_eq!(export.stdout.lines().count(), events, "{kind:?}");
    }
}

#[test]
fn a_reporter_reads_the_funding_report_with_charts_drill_down_and_a4_print() {
    assert!(
        bundle().exists(),
        "the browser bundle is missing: run scripts/build-frontend.sh first"
    );
    let db = TestDb::new(Kind::Sqlite);
    for (name, role) in [("hanako", "staff"), ("yumi", "reporter")] {
        spiral_with_input(
            &db,
            &["user", "add", name, "--role", role],
            &format!("{PASSWORD}\n"),
        )
        .ok();
    }
    let server = Server::start(&db, true);
    let cookie = |name: &str| {
        let login = serde_json::json!({ "name": name, "password": PASSWORD }).to_string();
        post_json(&server.addr, "/api/login", None, &login)
            .cookie()
            .unwrap()
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = Command::new("node")
        .arg(root.join("tests/browser/reports.mjs"))
        .env("SPIRAL_URL", format!("http://{}", server.addr))
        .env("SPIRAL_STAFF", cookie("hanako"))
        .env("SPIRAL_REPORTER", cookie("yumi"))
        .env("SPIRAL_ARTIFACTS", root.join("artifacts/browser/reports"))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the report test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
