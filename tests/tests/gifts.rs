//! `spiral import gifts`: gift files from banks and platforms, in UTF-8 with a BOM and in
//! Shift_JIS, on both databases through the real `spiral` process. A preview records nothing;
//! `--yes` records everything or, if any row is wrong, nothing; the same file imported again,
//! or twice at once, records no gift twice.

mod common;

use common::http::request;
use common::people::{add_users, sign_in, ROLES};
use common::server::{key_file, vault_key_file, Server};
use common::{spiral, spiral_bin, Kind, TestDb, BOTH};
use serde_json::Value;

/// A donor of the example ledger, by id.
fn some_donor(db: &TestDb) -> String {
    let page: Value = serde_json::from_str(
        &spiral(db, &["state", "--part", "donors", "--limit", "1"])
            .ok()
            .stdout,
    )
    .unwrap();
    page["items"][0]["id"].as_str().unwrap().to_owned()
}

fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("spiral-{}-{name}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn events(db: &TestDb) -> usize {
    spiral(db, &["export"]).ok().stdout.lines().count()
}

fn preview_json(db: &TestDb, file: &str) -> Value {
    let run = spiral(db, &["import", "gifts", file, "--json"]);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {} {}", run.stdout, run.stderr))
}

/// Rows of a platform's export (Japanese headers, a column Spiral does not read): a new donor
/// written two ways, a donor by id, an anonymous gift and membership dues.
fn utf8_file(donor: &str) -> Vec<u8> {
    let text = format!(
        "受領日,氏名,フリガナ,郵便番号,住所,金額,種別,寄附者ID,決済方法\r\n\
         2024/5/1,静岡 花子,シズオカ ハナコ,420-0853,静岡市葵区追手町9-6,\"3,000\",寄附,,クレジットカード\r\n\
         令和6年6月1日,静岡　花子,,〒４２０－０８５３,静岡市葵区追手町９－６,５０００,寄付金,,銀行振込\r\n\
         2024-06-02,,,,,10000,,{donor},銀行振込\r\n\
         2024/7/1,,,,,1000,,,\r\n\
         2024/8/1,浜松 次郎,,,浜松市中区元城町103-2,12000,会費,,\r\n"
    );
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(text.as_bytes());
    bytes
}

#[test]
fn a_utf8_file_with_bom_is_previewed_then_recorded_once() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral(&db, &["demo", "--example"]).ok();
        let donor = some_donor(&db);
        let file = write("gifts.csv", &utf8_file(&donor));
        let file = file.to_str().unwrap();
        let before = events(&db);

        // The preview records nothing.
        let shown = spiral(&db, &["import", "gifts", file]).ok().stdout;
        assert!(
            shown.contains("UTF-8 (BOM)") && shown.contains("決済方法"),
            "{shown}"
        );
        assert!(shown.contains("静岡 花子"), "{shown}");
        let preview = preview_json(&db, file);
        assert_eq!(events(&db), before, "{kind:?}: a preview recorded something");
        assert_eq!(preview["rows"], 5);
        assert_eq!(preview["gifts"].as_array().unwrap().len(), 5, "{preview}");
        let new_donors = preview["new_donors"].as_array().unwrap();
        assert_eq!(
            new_donors.len(),
            2,
            "{kind:?}: one person written two ways is one donor: {preview}"
        );
        let hanako = new_donors
            .iter()
            .find(|d| d["details"]["name"] == "静岡 花子")
            .unwrap()["donor"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            preview["gifts"][2]["giver"],
            serde_json::json!({"as": "by_id", "donor": donor})
        );
        assert_eq!(preview["gifts"][3]["giver"]["as"], "anonymous");

        // Recorded: two donors registered with their details sealed, five gifts.
        spiral(&db, &["import", "gifts", file, "--yes"]).ok();
        assert_eq!(events(&db), before + 2 * 2 + 5);
        spiral(&db, &["verify"]).ok();
        let held: Value =
            serde_json::from_str(&spiral(&db, &["donors", "show", &hanako]).ok().stdout).unwrap();
        assert_eq!(held["details"]["postal_code"], "420-0853", "{kind:?}: {held}");
        assert_eq!(held["identified"], true);
        let receipts: Value = serde_json::from_str(
            &spiral(
                &db,
                &[
                    "state",
                    "--part",
                    "receipts",
                    "--fiscal-year",
                    "2024",
                    "--limit",
                    "10000",
                ],
            )
            .ok()
            .stdout,
        )
        .unwrap();
        for gift in preview["gifts"].as_array().unwrap() {
            let found = receipts["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == gift["receipt"])
                .unwrap_or_else(|| panic!("{kind:?}: {} was not recorded", gift["receipt"]));
            assert_eq!(found["amount"], gift["amount"]);
        }
        let export = spiral(&db, &["export"]).ok().stdout;
        assert!(
            !export.contains("花子") && !export.contains("元城町"),
            "{kind:?}: plaintext in the ledger"
        );

        // The same file again finds every gift recorded and records nothing.
        let again = preview_json(&db, file);
        assert_eq!(
            again["duplicates"].as_array().unwrap().len(),
            5,
            "{kind:?}: {again}"
        );
        assert!(again["gifts"].as_array().unwrap().is_empty());
        spiral(&db, &["import", "gifts", file, "--yes"]).ok();
        assert_eq!(
            events(&db),
            before + 9,
            "{kind:?}: a second import recorded something"
        );
        let _ = std::fs::remove_file(file);
    }
}

#[test]
fn a_shift_jis_file_with_one_bad_row_records_nothing() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral(&db, &["demo", "--example"]).ok();
        let rows = |bad_date: &str| {
            let text = format!(
                "受領日,氏名,住所,金額\r\n\
                 2025/4/10,伊豆 三郎,伊東市大原1-1,8000\r\n\
                 2025/4/11,髙橋 﨑子,熱海市銀座町1-1,2000\r\n\
                 {bad_date},沼津 四郎,沼津市御幸町1-1,3000\r\n"
            );
            // CP932's own characters (髙, 﨑) as Excel writes them.
            let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
            assert!(!unmappable);
            bytes.into_owned()
        };
        let before = spiral(&db, &["export"]).ok().stdout;
        let bad = write("sjis-bad.csv", &rows("2025/4/31"));
        let run = spiral(&db, &["import", "gifts", bad.to_str().unwrap(), "--yes"]);
        assert_eq!(run.code, 2, "{kind:?}: {} {}", run.stdout, run.stderr);
        assert!(run.stdout.contains("Shift_JIS"), "{}", run.stdout);
        assert!(
            run.stdout.contains("line 4 (受領日)") && run.stdout.contains("4行目"),
            "{}",
            run.stdout
        );
        assert!(run.stderr.contains("nothing recorded"), "{}", run.stderr);
        assert_eq!(
            spiral(&db, &["export"]).ok().stdout,
            before,
            "{kind:?}: something was recorded"
        );

        // Fixed, the same file records all three, its names read right.
        let good = write("sjis-good.csv", &rows("2025/4/30"));
        let preview = preview_json(&db, good.to_str().unwrap());
        let names: Vec<&str> = preview["new_donors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["details"]["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"髙橋 﨑子"), "{kind:?}: {names:?}");
        spiral(&db, &["import", "gifts", good.to_str().unwrap(), "--yes"]).ok();
        assert_eq!(
            spiral(&db, &["export"]).ok().stdout.lines().count(),
            before.lines().count() + 3 * 3
        );

        // Files that cannot be read at all say why.
        for (bytes, says) in [
            (&b"\xff\xfe\x00\x00"[..], "UTF-16"),
            (&b"\x81\x39\x81"[..], "neither UTF-8 nor Shift_JIS"),
            ("氏名,金額\n静岡 花子,100\n".as_bytes(), "received_on (受領日)"),
        ] {
            let file = write("unreadable.csv", bytes);
            let run = spiral(&db, &["import", "gifts", file.to_str().unwrap()]);
            assert_eq!(run.code, 2);
            assert!(run.stderr.contains(says), "{kind:?}: {}", run.stderr);
            let _ = std::fs::remove_file(file);
        }
        let _ = std::fs::remove_file(bad);
        let _ = std::fs::remove_file(good);
    }
}

#[test]
fn one_file_imported_twice_at_once_records_each_gift_once() {
    let db = TestDb::new(Kind::Postgres);
    spiral(&db, &["demo", "--example"]).ok();
    let donor = some_donor(&db);
    let file = write("racing.csv", &utf8_file(&donor));
    let before = events(&db);
    let start = || {
        std::process::Command::new(spiral_bin())
            .args(["--database-url", &db.url, "--key-file", &key_file(&db)])
            .args(["--vault-key-file", &vault_key_file(&db)])
            .args(["import", "gifts", file.to_str().unwrap(), "--yes"])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(start);
        let b = s.spawn(start);
        (a.join().unwrap(), b.join().unwrap())
    });
    let outcomes = [&a, &b].map(|o| (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned()));
    assert!(outcomes.iter().any(|(code, _)| *code == Some(0)), "{outcomes:?}");
    for (code, stderr) in &outcomes {
        // The loser found the gifts recorded, or lost the race and recorded nothing.
        assert!(
            *code == Some(0) || stderr.contains("changed by someone else"),
            "{outcomes:?}"
        );
    }
    assert_eq!(events(&db), before + 9, "{outcomes:?}");
    spiral(&db, &["verify"]).ok();
    let preview = preview_json(&db, file.to_str().unwrap());
    assert_eq!(preview["duplicates"].as_array().unwrap().len(), 5);
    // The new donors' details open: the loser's sealing was discarded, not theirs.
    let state: Value = serde_json::from_str(
        &spiral(&db, &["state", "--part", "donors", "--limit", "10000"])
            .ok()
            .stdout,
    )
    .unwrap();
    let imported: Vec<&str> = state["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["id"].as_str().filter(|id| id.starts_with("d-")))
        .collect();
    assert_eq!(imported.len(), 2, "{imported:?}");
    for id in imported {
        let held: Value = serde_json::from_str(&spiral(&db, &["donors", "show", id]).ok().stdout).unwrap();
        assert_eq!(held["status"], "recorded", "{held}");
    }
    let _ = std::fs::remove_file(file);
}

#[test]
fn staff_upload_a_file_see_its_preview_and_record_exactly_what_they_saw() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        spiral(&db, &["demo", "--example"]).ok();
        let donor = some_donor(&db);
        let file = utf8_file(&donor);
        let server = Server::start(&db, false);
        let addr = &server.addr;
        let upload = |cookie: Option<&str>, query: &str, body: &[u8]| {
            let mut headers = vec![("Content-Type", "text/csv")];
            if let Some(c) = cookie {
                headers.push(("Cookie", c));
            }
            request(
                addr,
                "POST",
                &format!("/api/imports/gifts{query}"),
                &headers,
                body,
            )
        };
        let before = events(&db);

        // Only staff: everyone else is refused before the file is read.
        assert_eq!(upload(None, "", &file).status, 401);
        let cookies: Vec<(&str, String)> = ROLES
            .iter()
            .map(|r| (*r, sign_in(addr, &format!("{r}-user"))))
            .collect();
        for (role, cookie) in &cookies {
            let response = upload(Some(cookie), "", &file);
            let expected = if *role == "staff" { 200 } else { 403 };
            assert_eq!(
                response.status,
                expected,
                "{kind:?} as {role}: {}",
                response.text()
            );
        }
        let staff = cookies[0].1.as_str();

        let shown = upload(Some(staff), "", &file).json();
        assert_eq!(shown["encoding"], "utf8_bom");
        assert_eq!(shown["preview"]["gifts"].as_array().unwrap().len(), 5, "{shown}");
        assert!(shown["recorded"].is_null());
        let digest = shown["digest"].as_str().unwrap().to_owned();
        assert_eq!(events(&db), before, "{kind:?}: a preview recorded something");

        // A confirmation of some other preview records nothing.
        let stale = upload(Some(staff), "?record=0000", &file);
        assert_eq!(stale.status, 409, "{}", stale.text());
        assert_eq!(events(&db), before);

        // Confirmed: exactly what was shown.
        let done = upload(Some(staff), &format!("?record={digest}"), &file);
        assert_eq!(done.status, 200, "{kind:?}: {}", done.text());
        assert_eq!(done.json()["recorded"]["gifts"], 5);
        assert_eq!(events(&db), before + 9);
        // The same confirmation again: the preview has changed (every gift is recorded now).
        assert_eq!(
            upload(Some(staff), &format!("?record={digest}"), &file).status,
            409
        );
        let again = upload(Some(staff), "", &file).json();
        assert_eq!(again["preview"]["duplicates"].as_array().unwrap().len(), 5);

        // Files that cannot be read, and bodies over the limit, say so in both languages.
        let unreadable = upload(Some(staff), "", "氏名,金額\n静岡 花子,100\n".as_bytes());
        assert_eq!(unreadable.status, 422);
        assert!(unreadable.text().contains("受領日"), "{}", unreadable.text());
        assert_eq!(oversized_upload(addr, staff), 413);
        let bad_rows = upload(
            Some(staff),
            "?record=x",
            "受領日,金額\n2024/4/31,100\n".as_bytes(),
        );
        assert_eq!(bad_rows.status, 409, "{}", bad_rows.text());
        assert_eq!(events(&db), before + 9);
    }
}

/// The status of an upload of 17 MiB, over the limit: the server answers as soon as it knows and
/// may close the connection before the body is sent, so write errors are expected.
fn oversized_upload(addr: &str, cookie: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let body = vec![b'a'; 17 << 20];
    let head = format!(
        "POST /api/imports/gifts HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: text/csv\r\nCookie: {cookie}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(&body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw)
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// 寄附金受領証明書 from imported gifts, through the real `spiral` process and server: a year's
/// batch issued once (donors without details skipped, dues and anonymous gifts left out),
/// printed one per A4 page with the NPO's certification, reissued and voided over the API by
/// the roles that may, and refused to the rest.
#[test]
fn certificates_are_issued_once_printed_reissued_and_voided() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        spiral(&db, &["demo", "--example"]).ok();
        let donor = some_donor(&db);
        let file = write("gifts.csv", &utf8_file(&donor));
        spiral(&db, &["import", "gifts", file.to_str().unwrap(), "--yes"]).ok();

        // The year's batch: 静岡 花子's two gifts (¥3,000 and ¥5,000) on one certificate; the
        // example's donor, who has no details, is skipped with the reason; 浜松 次郎 paid dues.
        let issued: Value = serde_json::from_str(
            &spiral(&db, &["receipts", "issue", "--calendar-year", "2024", "--json"])
                .ok()
                .stdout,
        )
        .unwrap();
        let certificates = issued["certificates"].as_array().unwrap();
        assert_eq!(certificates.len(), 1, "{kind:?}: {issued}");
        let first = certificates[0]["number"].as_str().unwrap().to_owned();
        let year = issued["issued_on"].as_str().unwrap()[..4].to_owned();
        assert_eq!(first, format!("{year}-00001"));
        assert_eq!(certificates[0]["total"], 8000);
        assert_eq!(certificates[0]["gifts"].as_array().unwrap().len(), 2);
        let skipped = issued["skipped"].as_array().unwrap();
        assert!(
            skipped.iter().any(|s| s["donor"] == donor.as_str()
                && s["reason"].as_str().unwrap().contains("no name and address")),
            "{issued}"
        );
        // Issued again: nothing, every qualifying gift is acknowledged.
        let again = spiral(&db, &["receipts", "issue", "--calendar-year", "2024"])
            .ok()
            .stdout;
        assert!(again.contains("nothing to issue"), "{again}");
        let due: Value = serde_json::from_str(
            &spiral(&db, &["receipts", "due", "--calendar-year", "2024"])
                .ok()
                .stdout,
        )
        .unwrap();
        assert!(
            due.as_array()
                .unwrap()
                .iter()
                .all(|d| d["donor"] != certificates[0]["donor"]),
            "{kind:?}: an acknowledged gift is still due: {due}"
        );
        // A day after today is refused, and so is a number that is not one.
        let future = spiral(
            &db,
            &["receipts", "void", &first, "--reason", "x", "--on", "2200-01-01"],
        );
        assert_eq!(future.code, 2, "{}", future.stderr);
        assert_eq!(
            spiral(&db, &["receipts", "void", "2024-1", "--reason", "x"]).code,
            2
        );

        let server = Server::start(&db, false);
        let addr = &server.addr;
        let cookies: Vec<(&str, String)> = ROLES
            .iter()
            .map(|r| (*r, sign_in(addr, &format!("{r}-user"))))
            .collect();
        let cookie = |role: &str| cookies.iter().find(|(r, _)| *r == role).unwrap().1.clone();
        let post = |role: Option<&str>, path: &str, body: &str| {
            let c = role.map(cookie);
            common::http::post_json(addr, path, c.as_deref(), body)
        };

        // Printed, one per page, as the reporter prepares it.
        let printed = common::http::get(
            addr,
            "/print/receipts?calendar_year=2024",
            Some(&cookie("reporter")),
        );
        assert_eq!(printed.status, 200, "{}", printed.text());
        let page = printed.text();
        for words in [
            "寄附金受領証明書",
            "静岡 花子",
            "¥8,000",
            "ひかり県指令市第21-15号",
            "令和3年6月15日",
            "特定非営利活動に係る事業に関連する寄附金",
            &format!("No. {first}"),
        ] {
            assert!(
                page.contains(words),
                "{kind:?}: the certificate lacks {words}: {page}"
            );
        }
        assert_eq!(page.matches("class=\"sheet\"").count(), 1);

        // Who may: the list for every role that reads the ledger; issuing, voiding and
        // reissuing for reporters and staff; the printed certificate not for auditors.
        for (role, may_list, may_issue) in [
            ("staff", 200, 200),
            ("reporter", 200, 200),
            ("auditor", 200, 403),
            ("admin", 403, 403),
        ] {
            let listed = common::http::get(addr, "/api/certificates?calendar_year=2024", Some(&cookie(role)));
            assert_eq!(listed.status, may_list, "{kind:?} {role}: {}", listed.text());
            let issue = post(Some(role), "/api/certificates", r#"{"calendar_year": 2024}"#);
            assert_eq!(issue.status, may_issue, "{kind:?} {role}: {}", issue.text());
            if may_issue == 403 {
                let void = post(
                    Some(role),
                    &format!("/api/certificates/{first}/void"),
                    r#"{"reason": "x"}"#,
                );
                assert_eq!(void.status, 403);
                let reissue = post(
                    Some(role),
                    &format!("/api/certificates/{first}/reissue"),
                    r#"{"reason": "x"}"#,
                );
                assert_eq!(reissue.status, 403);
                let print =
                    common::http::get(addr, "/print/receipts?calendar_year=2024", Some(&cookie(role)));
                assert_eq!(print.status, 403);
            }
        }
        assert_eq!(common::http::get(addr, "/api/certificates", None).status, 401);
        assert_eq!(
            post(None, "/api/certificates", r#"{"calendar_year": 2024}"#).status,
            401
        );
        let listed = common::http::get(addr, "/api/certificates", Some(&cookie("auditor"))).json();
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
        assert!(
            !listed.to_string().contains("花子"),
            "an auditor sees no name: {listed}"
        );

        // Reissued after a move, then that one voided: each in the ledger, numbered in turn.
        let bad = post(
            Some("reporter"),
            "/api/certificates",
            r#"{"calendar_year": 2024, "gift": "x"}"#,
        );
        assert_eq!(bad.status, 400, "{}", bad.text());
        assert_eq!(
            post(
                Some("reporter"),
                "/api/certificates/2024-1/void",
                r#"{"reason": "x"}"#
            )
            .status,
            400
        );
        let reissued = post(
            Some("reporter"),
            &format!("/api/certificates/{first}/reissue"),
            r#"{"reason": "住所変更"}"#,
        );
        assert_eq!(reissued.status, 200, "{}", reissued.text());
        let second = reissued.json()["certificates"][0]["number"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(second, format!("{year}-00002"));
        let again = post(
            Some("staff"),
            &format!("/api/certificates/{first}/reissue"),
            r#"{"reason": "もう一度"}"#,
        );
        assert_eq!(again.status, 422, "{}", again.text());
        assert!(again.text().contains(&second), "{}", again.text());
        let void = post(
            Some("staff"),
            &format!("/api/certificates/{second}/void"),
            r#"{"reason": "二重発行"}"#,
        );
        assert_eq!(void.status, 200, "{}", void.text());
        let twice = post(
            Some("staff"),
            &format!("/api/certificates/{second}/void"),
            r#"{"reason": "二重発行"}"#,
        );
        assert_eq!(twice.status, 422, "{}", twice.text());
        let shown = common::http::get(
            addr,
            &format!("/print/receipts?number={second}"),
            Some(&cookie("staff")),
        );
        assert!(shown.text().contains("無効"), "{}", shown.text());
        let none = common::http::get(addr, "/print/receipts?calendar_year=2024", Some(&cookie("staff")));
        assert!(none.text().contains("id=\"none\""), "{}", none.text());
        drop(server);
        spiral(&db, &["verify"]).ok();
        let listed: Value = serde_json::from_str(
            &spiral(&db, &["receipts", "list", "--calendar-year", "2024"])
                .ok()
                .stdout,
        )
        .unwrap();
        let states: Vec<(String, bool)> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["certificate"]["number"].as_str().unwrap().to_owned(),
                    i["voided"].is_null(),
                )
            })
            .collect();
        assert_eq!(
            states,
            [(first.clone(), false), (second.clone(), false)],
            "{listed}"
        );
        // Since every gift stands unacknowledged again, the year can be issued anew.
        let fresh = spiral(&db, &["receipts", "issue", "--calendar-year", "2024"])
            .ok()
            .stdout;
        assert!(fresh.contains(&format!("{year}-00003")), "{fresh}");
    }
}

/// Two processes on one PostgreSQL issuing certificates at the same moment: each takes the next
/// number in turn (the one that finds its number taken plans again), none is lost or doubled.
#[test]
fn two_processes_issuing_at_once_take_numbers_in_turn() {
    let db = TestDb::new(Kind::Postgres);
    spiral(&db, &["demo", "--example"]).ok();
    let donor = some_donor(&db);
    let file = write("certificates.csv", &utf8_file(&donor));
    spiral(&db, &["import", "gifts", file.to_str().unwrap(), "--yes"]).ok();
    let _ = std::fs::remove_file(file);
    let due: Value = serde_json::from_str(
        &spiral(&db, &["receipts", "due", "--calendar-year", "2024"])
            .ok()
            .stdout,
    )
    .unwrap();
    // 静岡 花子's two gifts (the example's own donors have no details to address one to).
    let gifts: Vec<String> = due
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["donor"].as_str().unwrap().starts_with("d-"))
        .flat_map(|d| d["gifts"].as_array().unwrap().clone())
        .map(|g| g["receipt"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(gifts.len(), 2, "{due}");
    let issue = |gift: &str| {
        std::process::Command::new(spiral_bin())
            .args(["--database-url", &db.url, "--key-file", &key_file(&db)])
            .args(["--vault-key-file", &vault_key_file(&db)])
            .args(["receipts", "issue", "--gift", gift, "--json"])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| issue(&gifts[0]));
        let b = s.spawn(|| issue(&gifts[1]));
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut numbers: Vec<String> = [&a, &b]
        .iter()
        .map(|o| {
            assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
            let issued: Value = serde_json::from_slice(&o.stdout).unwrap();
            issued["certificates"][0]["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let year = &numbers[0][..4];
    assert_eq!(numbers, [format!("{year}-00001"), format!("{year}-00002")]);
    spiral(&db, &["verify"]).ok();
    let listed: Value = serde_json::from_str(&spiral(&db, &["receipts", "list"]).ok().stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
}

/// `bytes` sent as a browser sends a file chosen in a form.
fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----spiral-test-boundary-7c1d";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The value of the hidden input `name` in `page`.
fn hidden(page: &str, name: &str) -> String {
    let start = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + name.len()
        + 15;
    page[start..start + page[start..].find('"').unwrap()].to_owned()
}

#[test]
fn staff_choose_a_file_in_the_browser_see_what_it_holds_and_record_it_once() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        spiral(&db, &["demo", "--example"]).ok();
        let donor = some_donor(&db);
        let server = Server::start(&db, false);
        let addr = &server.addr;
        let staff = sign_in(addr, "staff-user");
        let page = common::http::get(addr, "/imports/gifts", Some(&staff));
        assert_eq!(page.status, 200, "{kind:?}");
        assert!(page.text().contains("id=\"choose\""));
        let upload = |name: &str, bytes: &[u8]| {
            let (content_type, body) = multipart(name, bytes);
            request(
                addr,
                "POST",
                "/imports/gifts",
                &[("Content-Type", content_type.as_str()), ("Cookie", &staff)],
                &body,
            )
        };
        let before = events(&db);

        // The preview: what would be recorded, nothing recorded yet.
        let shown = upload("congrant.csv", &utf8_file(&donor));
        assert_eq!(shown.status, 200, "{kind:?} {}", shown.text());
        let text = shown.text();
        assert!(
            text.contains("congrant.csv") && text.contains("UTF-8 (BOM)"),
            "{text}"
        );
        assert!(text.contains("id=\"new-donors\">2<"), "two new donors: {text}");
        assert!(text.contains("決済方法"), "the column not read is named");
        assert_eq!(events(&db), before, "{kind:?} a preview records nothing");

        // Confirmed: exactly what was shown, once.
        let confirm = |file: &str, digest: &str| {
            request(
                addr,
                "POST",
                "/imports/gifts",
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Cookie", &staff),
                ],
                format!("file_name=congrant.csv&file={file}&digest={digest}").as_bytes(),
            )
        };
        let (file, digest) = (hidden(&text, "file"), hidden(&text, "digest"));
        let recorded = confirm(&file, &digest);
        assert_eq!(recorded.status, 200, "{kind:?} {}", recorded.text());
        assert!(
            recorded.text().contains("id=\"message\" class=\"done\""),
            "{}",
            recorded.text()
        );
        let after = events(&db);
        assert_eq!(
            after,
            before + 5 + 2 * 2,
            "{kind:?} five gifts, two donors registered with details"
        );
        let again = confirm(&file, &digest);
        assert!(
            again.text().contains("id=\"message\" class=\"refused\""),
            "{kind:?}"
        );
        assert_eq!(events(&db), after, "{kind:?} confirmed twice, recorded once");

        // A file with a wrong row shows it by line and offers nothing to record.
        let bad = upload("bad.csv", "受領日,金額\n2024/4/1,100\n2024/13/1,200\n".as_bytes());
        assert_eq!(bad.status, 422, "{kind:?}");
        assert!(bad.text().contains("id=\"line-errors\"") && !bad.text().contains("id=\"confirm\""));
        let unreadable = upload("utf16.csv", &[0xFF, 0xFE, b'a', 0]);
        assert_eq!(unreadable.status, 422, "{kind:?}");
        assert_eq!(
            confirm("not*base64", &digest).status,
            400,
            "{kind:?} a file that is not what the page sent"
        );
        assert_eq!(events(&db), after);

        // Staff only: every other role is refused, to look and to send; no one unsigned.
        for role in ["reporter", "auditor", "admin"] {
            let cookie = sign_in(addr, &format!("{role}-user"));
            assert_eq!(
                common::http::get(addr, "/imports/gifts", Some(&cookie)).status,
                403,
                "{role}"
            );
            let (content_type, body) = multipart("x.csv", &utf8_file(&donor));
            let sent = request(
                addr,
                "POST",
                "/imports/gifts",
                &[("Content-Type", content_type.as_str()), ("Cookie", &cookie)],
                &body,
            );
            assert_eq!(sent.status, 403, "{role}");
        }
        assert_eq!(common::http::get(addr, "/imports/gifts", None).status, 303);
        assert_eq!(events(&db), after, "{kind:?}");
    }
}
