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

/// Runs one of tests/browser/*.mjs with `env`; fails the test with its output unless it passes.
/// Returns what it printed.
fn run_script(script: &str, label: &str, env: &[(&str, String)]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = Command::new("node")
        .arg(root.join("tests/browser").join(script))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("run node (Node.js is needed for the browser tests)");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    println!("{label}:\n{stdout}");
    assert!(
        output.status.success(),
        "{label}: {script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Signs in through the API; returns the session cookie.
fn cookie(server: &Server, name: &str) -> String {
    let login = serde_json::json!({ "name": name, "password": PASSWORD }).to_string();
    post_json(&server.addr, "/api/login", None, &login)
        .cookie()
        .unwrap()
}

fn add_users(db: &TestDb, users: &[(&str, &str)]) {
    for (name, role) in users {
        spiral_with_input(
            db,
            &["user", "add", name, "--role", role],
            &format!("{PASSWORD}\n"),
        )
        .ok();
    }
}

/// The bundle `scripts/build-frontend.sh` writes beside the target directory's profiles.
fn bundle() -> PathBuf {
    Path::new(spiral_bin())
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("site/pkg/frontend_bg.wasm")
}

fn artifacts(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("artifacts/browser")
        .join(name)
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
        add_users(&db, &[("hanako", "staff")]);
        let server = Server::start(&db, true);
        let shots = artifacts(&format!("{kind:?}").to_lowercase());
        run_script(
            "spiral.mjs",
            &format!("{kind:?}"),
            &[
                ("SPIRAL_URL", format!("http://{}", server.addr)),
                ("SPIRAL_COOKIE", cookie(&server, "hanako")),
                ("SPIRAL_ARTIFACTS", shots.display().to_string()),
            ],
        );
        assert!(shots.join("spiral-desktop.png").exists() && shots.join("spiral-phone.png").exists());
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
        add_users(
            &db,
            &[("hanako", "staff"), ("kenji", "auditor"), ("yumi", "reporter")],
        );
        let server = Server::start(&db, true);
        let stdout = run_script(
            "record.mjs",
            &format!("{kind:?}"),
            &[
                ("SPIRAL_URL", format!("http://{}", server.addr)),
                ("SPIRAL_STAFF", cookie(&server, "hanako")),
                ("SPIRAL_AUDITOR", cookie(&server, "kenji")),
                ("SPIRAL_REPORTER", cookie(&server, "yumi")),
            ],
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
    add_users(&db, &[("hanako", "staff"), ("yumi", "reporter")]);
    let server = Server::start(&db, true);
    run_script(
        "reports.mjs",
        "reports",
        &[
            ("SPIRAL_URL", format!("http://{}", server.addr)),
            ("SPIRAL_STAFF", cookie(&server, "hanako")),
            ("SPIRAL_REPORTER", cookie(&server, "yumi")),
            ("SPIRAL_ARTIFACTS", artifacts("reports").display().to_string()),
        ],
    );
}

#[test]
fn an_auditor_filters_the_log_and_sees_corrections_with_their_reasons() {
    assert!(
        bundle().exists(),
        "the browser bundle is missing: run scripts/build-frontend.sh first"
    );
    let db = TestDb::new(Kind::Sqlite);
    add_users(
        &db,
        &[("hanako", "staff"), ("kenji", "auditor"), ("yumi", "reporter")],
    );
    let server = Server::start(&db, true);
    run_script(
        "audit.mjs",
        "audit",
        &[
            ("SPIRAL_URL", format!("http://{}", server.addr)),
            ("SPIRAL_STAFF", cookie(&server, "hanako")),
            ("SPIRAL_AUDITOR", cookie(&server, "kenji")),
            ("SPIRAL_REPORTER", cookie(&server, "yumi")),
        ],
    );
}

#[test]
fn the_verify_button_checks_the_ledger_in_the_browser_and_names_an_edited_row() {
    assert!(
        bundle().exists(),
        "the browser bundle is missing: run scripts/build-frontend.sh first"
    );
    let db = TestDb::new(Kind::Sqlite);
    add_users(&db, &[("kenji", "auditor")]);
    let server = Server::start(&db, true);
    let env = |expect: &str| {
        vec![
            ("SPIRAL_URL", format!("http://{}", server.addr)),
            ("SPIRAL_AUDITOR", cookie(&server, "kenji")),
            ("SPIRAL_EXPECT", expect.to_owned()),
        ]
    };
    let pinned = |key: &str, expect: &str, also: &str| {
        let mut env = env(expect);
        env.push(("SPIRAL_KEY", key.to_owned()));
        env.push(("SPIRAL_EXPECT_ALSO", also.to_owned()));
        env
    };
    run_script("verify.mjs", "verify", &env("valid — 133"));
    // The checkpoint's signature, checked against the key the auditor pinned (WebCrypto).
    let public = common::spiral(&db, &["key", "show"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    run_script(
        "verify.mjs",
        "verify with the pinned key",
        &pinned(
            &public,
            "valid — 133",
            "チェックポイントの署名は信頼する鍵で検証できました",
        ),
    );
    let stranger = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    run_script(
        "verify.mjs",
        "verify with another key pinned",
        &pinned(stranger, "無効", "信頼する鍵とは別の鍵で署名されています"),
    );
    // A row edited in the database behind the server's back.
    tokio::runtime::Runtime::new().unwrap().block_on(
        db.sql("UPDATE events SET payload = REPLACE(payload, '浜松市', '浜松県') WHERE position = 8"),
    );
    run_script("verify.mjs", "verify after an edit", &env("invalid at 8"));
}

#[test]
fn a_visit_downloads_the_log_once_and_later_visits_only_its_tail() {
    assert!(
        bundle().exists(),
        "the browser bundle is missing: run scripts/build-frontend.sh first"
    );
    for kind in [Kind::Sqlite, Kind::Postgres] {
        // Two ledgers: the seed's history, and the fictional example that replaces it later.
        let (seed, other) = (TestDb::new(kind), TestDb::new(kind));
        common::spiral(&seed, &["demo"]).ok();
        common::spiral(&other, &["demo", "--example"]).ok();
        add_users(&seed, &[("hanako", "staff")]);
        add_users(&other, &[("hanako", "staff")]);
        let profile = std::env::temp_dir().join(format!("spiral-profile-{}-{kind:?}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let chunks = ["--log-chunk-events", "50"];
        let run = |server: &Server, phase: &str| {
            run_script(
                "visits.mjs",
                &format!("{kind:?} {phase}"),
                &[
                    ("SPIRAL_URL", format!("http://{}", server.addr)),
                    ("SPIRAL_USER", "hanako".into()),
                    ("SPIRAL_PASSWORD", PASSWORD.into()),
                    ("SPIRAL_PROFILE", profile.display().to_string()),
                    ("PHASE", phase.into()),
                    (
                        "SPIRAL_ARTIFACTS",
                        artifacts(&format!("{kind:?}").to_lowercase())
                            .display()
                            .to_string(),
                    ),
                ],
            )
        };
        let server = Server::start_with(&seed, false, &chunks);
        run(&server, "first");
        run(&server, "again");
        let addr = server.addr.clone();
        server.stop();
        // Another ledger behind the same address, as after a restore from the wrong backup.
        let replaced = Server::start_with(&other, false, &["--addr", &addr, chunks[0], chunks[1]]);
        assert_eq!(replaced.addr, addr);
        run(&replaced, "replaced");
        let _ = std::fs::remove_dir_all(&profile);
    }
}

/// The installed binary alone serves a page that comes alive: the server looks for the bundle in
/// an empty directory (SPIRAL_SITE), so the browser gets the copy embedded in the binary.
#[test]
fn the_binary_alone_serves_a_page_that_hydrates() {
    assert!(
        bundle().exists(),
        "the browser bundle is missing: run scripts/build-frontend.sh first"
    );
    let empty = std::env::temp_dir().join(format!("spiral-no-site-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let db = TestDb::new(Kind::Sqlite);
    add_users(&db, &[("hanako", "staff")]);
    let server = Server::start_with_env(&db, true, &[], &[("SPIRAL_SITE", empty.to_str().unwrap())]);
    assert_eq!(
        common::http::get(&server.addr, "/pkg/frontend_bg.wasm", None).status,
        200,
        "served from the binary"
    );
    let out = run_script(
        "hydrates.mjs",
        "the embedded bundle",
        &[
            ("SPIRAL_URL", format!("http://{}", server.addr)),
            ("SPIRAL_COOKIE", cookie(&server, "hanako")),
        ],
    );
    assert!(out.contains("hydrated"), "{out}");
    let _ = std::fs::remove_dir(&empty);
}

#[test]
fn the_spiral_of_a_ledger_of_100000_events_draws_the_work_and_sums_the_money() {
    assert!(
        bundle().exists(),
        "the browser bundle is missing: run scripts/build-frontend.sh first"
    );
    // The drawing does not depend on the database; SQLite keeps the test's build of the ledger short.
    let db = TestDb::new(Kind::Sqlite);
    let built = common::spiral(&db, &["demo", "--example", "--events", "100000"]).ok();
    assert!(built.stdout.contains("recorded"), "{}", built.stdout);
    let shots = run_as_staff(&db, false, "scale.mjs", "100,000 events");
    assert!(shots.join("spiral-at-size.png").exists());
}

#[test]
fn a_crowded_year_and_stage_is_one_group_mark_until_zoomed_in() {
    assert!(
        bundle().exists(),
        "the browser bundle is missing: run scripts/build-frontend.sh first"
    );
    let db = TestDb::new(Kind::Sqlite);
    let shots = run_as_staff(&db, true, "lod.mjs", "level of detail");
    assert!(shots.join("spiral-grouped.png").exists());
}

/// Serves `db` (with the demo history when `demo`) and runs `script` signed in as staff, with
/// SPIRAL_URL, SPIRAL_COOKIE and SPIRAL_ARTIFACTS; returns the artefacts directory.
fn run_as_staff(db: &TestDb, demo: bool, script: &str, label: &str) -> PathBuf {
    add_users(db, &[("hanako", "staff")]);
    let server = Server::start(db, demo);
    let shots = artifacts(&format!("{:?}", db.kind).to_lowercase());
    run_script(
        script,
        label,
        &[
            ("SPIRAL_URL", format!("http://{}", server.addr)),
            ("SPIRAL_COOKIE", cookie(&server, "hanako")),
            ("SPIRAL_ARTIFACTS", shots.display().to_string()),
        ],
    );
    shots
}

#[test]
fn a_reporter_prints_the_donor_register_and_the_receipts_on_a4() {
    let db = TestDb::new(Kind::Sqlite);
    add_users(&db, &[("yumi", "reporter"), ("kenji", "auditor")]);
    common::spiral(&db, &["demo", "--example"]).ok();
    // Named donors' gifts in 2024年度, one with the longest name and address a form takes.
    let long_name = format!("特定非営利活動法人{}", "長".repeat(80));
    let long_address = format!("静岡県静岡市葵区追手町9-6 {}", "番地".repeat(90));
    let csv = format!(
        "受領日,氏名,郵便番号,住所,金額\n2024/5/1,静岡 花子,420-0853,静岡市葵区追手町9-6,3000\n\
         2024/6/1,{long_name},4200853,{long_address},1000000\n2024/7/1,,,,500\n"
    );
    let file = common::temp_file("register.csv", &csv);
    common::spiral(&db, &["import", "gifts", file.to_str().unwrap(), "--yes"]).ok();
    let _ = std::fs::remove_file(file);
    let server = Server::start(&db, false);
    run_script(
        "register.mjs",
        "register",
        &[
            ("SPIRAL_URL", format!("http://{}", server.addr)),
            ("SPIRAL_REPORTER", cookie(&server, "yumi")),
            ("SPIRAL_AUDITOR", cookie(&server, "kenji")),
            ("SPIRAL_FY", "2024".into()),
            ("SPIRAL_LONG_NAME", long_name.chars().take(20).collect()),
            ("SPIRAL_NPO", "ひかり市民活動ネットワーク".into()),
            ("SPIRAL_ARTIFACTS", artifacts("register").display().to_string()),
        ],
    );
}

#[test]
fn staff_register_find_and_change_a_donor_at_the_donors_desk() {
    let db = TestDb::new(Kind::Sqlite);
    common::spiral(&db, &["demo", "--example"]).ok();
    let shots = run_as_staff(&db, false, "donors.mjs", "donors' desk");
    assert!(shots.join("donor-record.png").exists());
}
