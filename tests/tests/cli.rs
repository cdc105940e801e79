//! The `spiral` CLI as a process, on both databases: the demo, export → import, bad imports,
//! tampering caught by `verify`, and `state` as of a date and as known at a time.

mod common;

use common::{spiral, temp_file, Kind, TestDb, BOTH};
use domain::chain::link_hash;
use serde_json::Value;

/// The seed history's event count: 13 partners, 2 renames, 20 programs with their contracts
/// and conclusions.
const DEMO_EVENTS: u64 = 133;

fn demo_db(kind: Kind) -> TestDb {
    let db = TestDb::new(kind);
    spiral(&db, &["demo"]).ok();
    db
}

#[test]
fn the_demo_loads_once_and_verifies() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let first = spiral(&db, &["demo"]).ok();
        assert!(
            first.stdout.contains(&format!("recorded {DEMO_EVENTS} events")),
            "{kind:?}: {}",
            first.stdout
        );
        let second = spiral(&db, &["demo"]).ok();
        assert!(
            second.stdout.contains("recorded 0 events"),
            "{kind:?}: running twice records nothing new"
        );
        let verified = spiral(&db, &["verify"]).ok();
        assert!(
            verified.stdout.contains(&format!("{DEMO_EVENTS} events")),
            "{kind:?}: {}",
            verified.stdout
        );
        let export = spiral(&db, &["export"]).ok();
        assert_eq!(export.stdout.lines().count() as u64, DEMO_EVENTS);
        // Every demo event was recorded by the demo loader, through the command path.
        for line in export.stdout.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["metadata"]["actor"], "system:demo");
        }
    }
}

#[test]
fn export_then_import_reproduces_a_byte_identical_export() {
    for kind in BOTH {
        let source = demo_db(kind);
        let exported = spiral(&source, &["export"]).ok().stdout;
        // Across databases too: SQLite's export imports into PostgreSQL and back.
        for target_kind in BOTH {
            let target = TestDb::new(target_kind);
            let file = temp_file("export.jsonl", &exported);
            let imported = spiral(&target, &["import", file.to_str().unwrap()]).ok();
            assert!(imported
                .stdout
                .contains(&format!("imported {DEMO_EVENTS} events")));
            let again = spiral(&target, &["export"]).ok().stdout;
            assert!(
                again == exported,
                "{kind:?} -> {target_kind:?}: export after import differs"
            );
            spiral(&target, &["verify"]).ok();
            // A second import into the now non-empty ledger is refused and changes nothing.
            let refused = spiral(&target, &["import", file.to_str().unwrap()]);
            assert_eq!(refused.code, 2);
            assert!(refused.stderr.contains("empty ledger"), "{}", refused.stderr);
            assert_eq!(spiral(&target, &["export"]).ok().stdout, exported);
            let _ = std::fs::remove_file(file);
        }
    }
}

/// Recomputes every hash of an export, as a forger who knows the format would.
fn rechain(lines: &[Value]) -> String {
    let mut prev = [0u8; 32];
    let mut out = String::new();
    for v in lines {
        let canonical = |x: &Value| domain::chain::canonical_json(x);
        let hash = link_hash(
            &prev,
            v["position"].as_u64().unwrap(),
            v["stream"].as_str().unwrap(),
            v["sequence"].as_u64().unwrap(),
            v["type"].as_str().unwrap(),
            v["version"].as_str().unwrap(),
            &canonical(&v["payload"]),
            &canonical(&v["metadata"]),
        );
        let mut v = v.clone();
        v["hash"] = Value::String(hash.iter().map(|b| format!("{b:02x}")).collect());
        out.push_str(&v.to_string());
        out.push('\n');
        prev = hash;
    }
    out
}

fn parsed(export: &str) -> Vec<Value> {
    export.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Imports `text` into a fresh database: it must fail naming `line` and `needle`, and store nothing.
fn assert_import_refused(kind: Kind, text: &str, line: usize, needle: &str) {
    let target = TestDb::new(kind);
    let file = temp_file("bad.jsonl", text);
    let run = spiral(&target, &["import", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{kind:?}: import of a bad file must fail");
    assert!(run.stderr.contains("nothing imported"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("line {line}:")),
        "{kind:?}: expected line {line} in {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(needle),
        "{kind:?}: expected {needle:?} in {}",
        run.stderr
    );
    assert_eq!(
        spiral(&target, &["export"]).ok().stdout,
        "",
        "{kind:?}: nothing stored"
    );
    let _ = std::fs::remove_file(file);
}

#[test]
fn a_file_with_any_bad_line_imports_nothing_and_names_the_line() {
    for kind in BOTH {
        let source = demo_db(kind);
        let exported = spiral(&source, &["export"]).ok().stdout;
        let mut lines: Vec<String> = exported.lines().map(str::to_owned).collect();

        // Bad JSON on line 40.
        let original = lines[39].clone();
        lines[39] = original[..original.len() / 2].to_owned();
        assert_import_refused(kind, &(lines.join("\n") + "\n"), 40, "not a valid event line");
        lines[39] = original;

        // An unknown event type (hashes recomputed, so only the type is wrong).
        let mut values = parsed(&exported);
        let payload = values[2]["payload"]
            .to_string()
            .replace("PartnerRegistered", "PartnerInvented");
        values[2]["payload"] = serde_json::from_str(&payload).unwrap();
        values[2]["type"] = Value::String("PartnerInvented".into());
        assert_import_refused(kind, &rechain(&values), 3, "unknown variant");

        // A rule broken: a renewal turned into a second contract for the same year.
        let mut values = parsed(&exported);
        let renewal = values
            .iter()
            .position(|v| v["type"] == "ContractRenewed")
            .expect("the demo has renewals");
        let previous_year = values[renewal]["payload"]["fact"]["ContractRenewed"]["contract"]["fiscal_year"]
            .as_i64()
            .unwrap()
            - 1;
        values[renewal]["payload"]["fact"]["ContractRenewed"]["contract"]["fiscal_year"] =
            previous_year.into();
        assert_import_refused(kind, &rechain(&values), renewal + 1, "rule broken: program");

        // A hash that does not match (an edited name without recomputing the chain).
        let tampered = exported.replacen("浜松市", "浜松県", 1);
        let line = exported.lines().position(|l| l.contains("浜松市")).unwrap() + 1;
        assert_import_refused(kind, &tampered, line, "does not match its hash");
    }
}

fn verify_fails_at(db: &TestDb, position: u64) {
    let run = spiral(db, &["verify"]);
    assert_eq!(
        run.code, 1,
        "{:?}: verify must fail: {} {}",
        db.kind, run.stdout, run.stderr
    );
    assert!(
        run.stdout.contains(&format!("FAILED at position {position}:")),
        "{:?}: expected position {position}: {}",
        db.kind,
        run.stdout
    );
}

#[tokio::test]
async fn tampering_behind_the_applications_back_is_caught_at_the_right_position() {
    for kind in BOTH {
        let edited = demo_db(kind);
        edited
            .sql("UPDATE events SET payload = REPLACE(payload, '浜松市', '浜松県') WHERE position = 8")
            .await;
        verify_fails_at(&edited, 8);

        let deleted = demo_db(kind);
        deleted.sql("DELETE FROM events WHERE position = 20").await;
        verify_fails_at(&deleted, 20);

        let swapped = demo_db(kind);
        swapped
            .sql("UPDATE events SET position = -1 WHERE position = 30")
            .await;
        swapped
            .sql("UPDATE events SET position = 30 WHERE position = 31")
            .await;
        swapped
            .sql("UPDATE events SET position = 31 WHERE position = -1")
            .await;
        verify_fails_at(&swapped, 30);

        let truncated = demo_db(kind);
        truncated
            .sql(&format!("DELETE FROM events WHERE position = {DEMO_EVENTS}"))
            .await;
        verify_fails_at(&truncated, DEMO_EVENTS);

        let inserted = demo_db(kind);
        inserted
            .sql(&format!(
                "INSERT INTO events (position, stream, sequence, event_type, event_version, payload, metadata, hash) \
                 SELECT {p}, 'partner:forged', 1, event_type, event_version, payload, metadata, hash FROM events WHERE position = 1",
                p = DEMO_EVENTS + 1
            ))
            .await;
        verify_fails_at(&inserted, DEMO_EVENTS + 1);
    }
}

fn state(db: &TestDb, args: &[&str]) -> Value {
    let mut all = vec!["state"];
    all.extend_from_slice(args);
    let out = spiral(db, &all).ok().stdout;
    // Into a pipe it is compact: one line (indented only at a terminal).
    assert_eq!(
        out.trim_end().lines().count(),
        1,
        "state into a pipe is one line of JSON"
    );
    serde_json::from_str(&out).expect("state prints JSON")
}

#[test]
fn state_as_of_a_date_and_as_known_at_a_time() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let before_demo = chrono::Utc::now().to_rfc3339();
        std::thread::sleep(std::time::Duration::from_millis(20));
        spiral(&db, &["demo"]).ok();

        let now = state(&db, &[]);
        assert_eq!(
            now["programs"].as_object().unwrap().len(),
            domain::demo::program_count()
        );
        assert_eq!(now["programs"]["pocket-kobo"]["parent"], "pc-course-west");
        assert_eq!(now["programs"]["pc-course-west"]["children"][0], "pocket-kobo");

        let in_2005 = state(&db, &["--as-of", "2005-12-31"]);
        let programs = in_2005["programs"].as_object().unwrap();
        assert!(programs.contains_key("pc-course-west"), "{kind:?}: began 2001");
        assert!(!programs.contains_key("pocket-kobo"), "{kind:?}: began 2006");
        assert!(
            !programs.contains_key("leadership-school"),
            "{kind:?}: began 2015"
        );
        let names = &in_2005["partners"]["shizuoka-disability-plan"]["names"];
        assert_eq!(
            names.as_array().unwrap().len(),
            1,
            "{kind:?}: the 2014 rename had not happened in 2005"
        );

        let known_before = state(&db, &["--known-at", &before_demo]);
        assert_eq!(
            known_before["programs"].as_object().unwrap().len(),
            0,
            "{kind:?}: nothing was known yet"
        );
        assert_eq!(known_before["events_seen"], 0);

        let bad = spiral(&db, &["state", "--as-of", "2005-13-01"]);
        assert_eq!(bad.code, 2);
        assert!(bad.stderr.contains("--as-of"), "{}", bad.stderr);
    }
}

#[test]
fn an_unusable_database_url_is_refused_clearly() {
    let output = std::process::Command::new(common::spiral_bin())
        .args(["--database-url", "mysql://nowhere/x", "verify"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unsupported database URL"), "{stderr}");
    // A database that cannot be reached is named, but never with its password.
    for url in [
        "postgres://spiral:s3cret-pass@127.0.0.1:1/spiral",
        "mysql://spiral:s3cret-pass@h/x",
    ] {
        let output = std::process::Command::new(common::spiral_bin())
            .args(["--database-url", url, "verify"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{url}");
        let said =
            String::from_utf8_lossy(&output.stderr).into_owned() + &String::from_utf8_lossy(&output.stdout);
        assert!(!said.contains("s3cret-pass"), "{said}");
        assert!(said.contains("spiral:***@"), "{said}");
    }
}

/// `spiral state --part …` pages one part of the state as `/api/state?part=` does: the pages put
/// together are that part of the whole state; narrowing without `--part` is refused.
#[test]
fn state_by_part_pages_through_one_part() {
    let db = demo_db(Kind::Sqlite);
    let whole = state(&db, &[]);
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut args = vec!["--part", "programs", "--limit", "3"];
        if let Some(a) = &after {
            args.extend(["--after", a.as_str()]);
        }
        let page = state(&db, &args);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        names.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        match page["next_after"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = whole["programs"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(names, expected);
    let running_2005 = state(
        &db,
        &["--part", "programs", "--fiscal-year", "2005", "--limit", "100"],
    );
    let ids: Vec<&str> = running_2005["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"pc-course-west"), "{ids:?}");
    assert!(!ids.contains(&"pocket-kobo"), "began 2006: {ids:?}");

    let refused = spiral(&db, &["state", "--fiscal-year", "2005"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--part"), "{}", refused.stderr);
    let refused = spiral(&db, &["state", "--part", "partners", "--fiscal-year", "2005"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("does not narrow"), "{}", refused.stderr);
    let refused = spiral(&db, &["state", "--part", "everything"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("no part"), "{}", refused.stderr);
}

#[test]
fn the_npos_profile_is_recorded_from_a_day_and_read_as_of_any_day() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let name = "特定非営利活動法人しずおか協働ネット";
        spiral(
            &db,
            &[
                "organisation",
                "record",
                "--name",
                name,
                "--address",
                "静岡市葵区追手町9-6",
                "--on",
                "2010-04-01",
            ],
        )
        .ok();
        spiral(
            &db,
            &[
                "organisation",
                "record",
                "--name",
                name,
                "--address",
                "静岡市葵区呉服町1-1",
                "--certification-number",
                "静岡県指令第123号",
                "--certified-on",
                "2020-10-01",
                "--on",
                "2020-10-01",
            ],
        )
        .ok();
        let show = |day: &str| -> Value {
            serde_json::from_str(&spiral(&db, &["organisation", "show", "--as-of", day]).ok().stdout).unwrap()
        };
        let before = show("2020-09-30");
        assert_eq!(
            before["in_effect"]["address"], "静岡市葵区追手町9-6",
            "{kind:?}: {before}"
        );
        assert!(before["in_effect"]["certification"].is_null());
        let after = show("2024-01-01");
        assert_eq!(after["in_effect"]["certification"]["number"], "静岡県指令第123号");
        assert_eq!(after["in_effect"]["certification"]["certified_on"], "2020-10-01");
        assert_eq!(after["profiles"].as_array().unwrap().len(), 2);
        assert!(show("2009-01-01")["in_effect"].is_null());

        // Bad input records nothing and says what is wrong.
        let empty = spiral(&db, &["organisation", "record", "--name", " ", "--address", "x"]);
        assert_eq!(empty.code, 2);
        assert!(empty.stderr.contains("name"), "{}", empty.stderr);
        let half = spiral(
            &db,
            &[
                "organisation",
                "record",
                "--name",
                name,
                "--address",
                "x",
                "--certification-number",
                "第1号",
            ],
        );
        assert_eq!(half.code, 2);
        assert!(half.stderr.contains("--certified-on"), "{}", half.stderr);
        assert_eq!(show("2024-01-01")["profiles"].as_array().unwrap().len(), 2);
    }
}

#[test]
fn receipts_due_are_the_donations_from_the_certification_day_on() {
    let db = TestDb::new(Kind::Sqlite);
    spiral(&db, &["demo", "--example"]).ok();
    // The example NPO was certified on 2021-06-15.
    let due = |year: &str| -> Value {
        serde_json::from_str(
            &spiral(&db, &["receipts", "due", "--calendar-year", year])
                .ok()
                .stdout,
        )
        .unwrap()
    };
    assert!(
        due("2020").as_array().unwrap().is_empty(),
        "nothing before the certification"
    );
    let receipts = due("2021");
    let receipts = receipts.as_array().unwrap();
    assert!(!receipts.is_empty());
    for receipt in receipts {
        let mut sum = 0;
        for gift in receipt["gifts"].as_array().unwrap() {
            let on = gift["received_on"].as_str().unwrap();
            assert!(("2021-06-15"..="2021-12-31").contains(&on), "{on}");
            sum += gift["amount"].as_i64().unwrap();
        }
        assert_eq!(receipt["total"].as_i64().unwrap(), sum);
    }
    let one = receipts[0]["donor"].as_str().unwrap();
    let only: Value = serde_json::from_str(
        &spiral(
            &db,
            &["receipts", "due", "--calendar-year", "2021", "--donor", one],
        )
        .ok()
        .stdout,
    )
    .unwrap();
    assert_eq!(only.as_array().unwrap().len(), 1);
    assert_eq!(only[0], receipts[0]);
    let unknown = spiral(
        &db,
        &["receipts", "due", "--calendar-year", "2021", "--donor", "nobody"],
    );
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("not been registered"),
        "{}",
        unknown.stderr
    );
    let bad_year = spiral(&db, &["receipts", "due", "--calendar-year", "99999"]);
    assert_eq!(bad_year.code, 2);
}
