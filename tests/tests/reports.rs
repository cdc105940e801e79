//! Reports through the CLI and the API on both databases: the funding summary of the demo
//! (contracts per commissioner, with a renamed department), money recorded through the API and
//! reported as JSON and as Excel-ready CSV, reproduced as known at an earlier time.

mod common;

use common::http::{get, post_json};
use common::server::Server;
use common::{spiral, spiral_with_input, TestDb, BOTH};
use serde_json::{json, Value};

/// An .xlsx workbook read back: each sheet's name and its cells.
fn workbook(bytes: &[u8]) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx workbook");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            let rows = range.rows().map(<[calamine::Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

/// The row of `sheet` whose cells at `at` read `keys` (as text).
fn row_of<'a>(sheet: &'a [Vec<calamine::Data>], at: &[(usize, &str)]) -> &'a [calamine::Data] {
    sheet
        .iter()
        .find(|row| {
            at.iter()
                .all(|(i, key)| row.get(*i).map(ToString::to_string).as_deref() == Some(*key))
        })
        .unwrap_or_else(|| panic!("no row with {at:?}"))
}

const PASSWORD: &str = "correct horse battery";

fn command(on: &str, fact: Value) -> String {
    json!({ "command": { "Record": { "on": on, "fact": fact } } }).to_string()
}

#[test]
fn the_demo_funding_summary_counts_contracts_per_commissioner_under_their_names() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral(&db, &["demo"]).ok();
        let out = spiral(
            &db,
            &["report", "funding", "--fiscal-year", "2001", "--to", "2015"],
        )
        .ok()
        .stdout;
        let summary: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(summary["years"].as_array().unwrap().len(), 15);
        assert_eq!(
            summary["total"], 0,
            "the seed has no amounts, and none are invented"
        );
        let plan = summary["commissioners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "partner:shizuoka-disability-plan")
            .unwrap();
        // pc-course-west 5 + pocket-kobo 8 + multimedia-centre 14 + home-pc-training 12 +
        // pc-volunteer-training 7 = 46 contracts, in the 14 fiscal years 2001–2014.
        assert_eq!(plan["contracts"], 46, "{kind:?}");
        assert_eq!(plan["fiscal_years"], 14);
        assert_eq!(
            plan["names"],
            json!([
                "静岡県民生部障害者プラン推進室",
                "静岡県健康福祉部障害者支援局障害者政策課"
            ])
        );
        let bad = spiral(
            &db,
            &["report", "funding", "--fiscal-year", "2015", "--to", "2013"],
        );
        assert_eq!(bad.code, 2);
        assert!(
            bad.stderr.contains("ends (2013年度) before it starts (2015年度)"),
            "{}",
            bad.stderr
        );
    }
}

#[test]
fn money_recorded_through_the_api_is_reported_as_json_and_as_excel_csv() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral(&db, &["demo"]).ok();
        spiral_with_input(
            &db,
            &["user", "add", "rep", "--role", "reporter"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
        spiral_with_input(
            &db,
            &["user", "add", "ann", "--role", "staff"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
        let server = Server::start(&db, false);
        let login = |name: &str| {
            post_json(
                &server.addr,
                "/api/login",
                None,
                &json!({ "name": name, "password": PASSWORD }).to_string(),
            )
            .cookie()
            .unwrap()
        };
        let (staff, reporter) = (login("ann"), login("rep"));
        let record = |on: &str, fact: Value| {
            let r = post_json(&server.addr, "/api/commands", Some(&staff), &command(on, fact));
            assert_eq!(r.status, 200, "{}", r.text());
        };
        // FY2014: a commission of ¥1,200,000 from the renamed department for the job-coach
        // program, and a restricted grant of ¥600,000 from a foundation, ¥250,000 spent that year.
        record(
            "2014-04-01",
            json!({ "PartnerRegistered": { "partner": "mirai", "name": "みらい財団", "kind": "Foundation", "parent": null } }),
        );
        record(
            "2014-05-01",
            json!({ "FundsReceived": { "receipt": "fee-2014", "kind": "CommissionFee",
            "payer": { "Partner": "shizuoka-disability-plan" }, "amount": 1200000, "fiscal_year": 2014,
            "program": "multimedia-centre", "restricted": false } }),
        );
        record(
            "2014-06-01",
            json!({ "FundsReceived": { "receipt": "grant-2014", "kind": "Grant",
            "payer": { "Partner": "mirai" }, "amount": 600000, "fiscal_year": 2014, "program": "job-coach", "restricted": true } }),
        );
        let before_spending = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        std::thread::sleep(std::time::Duration::from_millis(20));
        record(
            "2015-03-01",
            json!({ "FundsSpent": { "receipt": "grant-2014", "fiscal_year": 2014, "amount": 250000 } }),
        );

        let json_report = get(&server.addr, "/api/reports/funding?from=2014", Some(&reporter));
        assert_eq!(json_report.status, 200, "{}", json_report.text());
        let summary = json_report.json();
        let year = &summary["years"][0];
        // Revenue 1,200,000 + 250,000 = 1,450,000; 前受助成金 600,000 − 250,000 = 350,000.
        assert_eq!(year["total"], 1_450_000, "{kind:?}");
        assert_eq!(year["carried_forward"], 350_000);
        let funder = year["by_funder"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == "partner:shizuoka-disability-plan")
            .unwrap();
        assert_eq!(
            funder["label"], "静岡県健康福祉部障害者支援局障害者政策課",
            "the name it had in 2014"
        );

        let csv = get(
            &server.addr,
            "/api/reports/funding?from=2014&format=csv",
            Some(&reporter),
        );
        assert_eq!(csv.status, 200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        assert!(
            csv.body.starts_with(b"\xEF\xBB\xBF"),
            "UTF-8 with a byte-order mark"
        );
        let text = std::str::from_utf8(&csv.body[3..]).unwrap();
        assert!(
            text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'),
            "CRLF line ends only"
        );
        let mut reader = csv::Reader::from_reader(&csv.body[3..]);
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            [
                "年度",
                "集計区分",
                "キー",
                "項目",
                "金額（円）",
                "件数",
                "根拠イベント位置"
            ]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let amount = |section: &str, key: &str| -> i64 {
            rows.iter()
                .find(|r| &r[1] == section && &r[2] == key)
                .unwrap_or_else(|| panic!("{section} {key}"))[4]
                .parse()
                .unwrap()
        };
        // The CSV parses back to the JSON's figures.
        assert_eq!(amount("合計", "total"), year["total"].as_i64().unwrap());
        assert_eq!(amount("活動計算書区分", "ProgramRevenue"), 1_200_000);
        assert_eq!(amount("活動計算書区分", "GrantsAndSubsidies"), 250_000);
        assert_eq!(amount("前受助成金（年度末）", "carried_forward"), 350_000);
        assert_eq!(amount("使途制約・期末残高", "partner:mirai"), 350_000);

        // The same figures as an Excel workbook: a sheet per table, yen as numbers.
        let xlsx = get(
            &server.addr,
            "/api/reports/funding?from=2014&format=xlsx",
            Some(&reporter),
        );
        assert_eq!(xlsx.status, 200);
        assert_eq!(
            xlsx.header("content-type"),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        let book = workbook(&xlsx.body);
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["収益", "使途制約付き財源", "委託元別"], "{kind:?}");
        let (revenue, restricted) = (&book[0].1, &book[1].1);
        assert_eq!(revenue[0][4].to_string(), "金額（円）", "Japanese headers");
        let total = row_of(revenue, &[(1, "合計"), (2, "total")]);
        assert_eq!(total[4], calamine::Data::Float(year["total"].as_f64().unwrap()));
        let closing = row_of(restricted, &[(1, "使途制約・期末残高"), (2, "partner:mirai")]);
        assert_eq!(closing[4], calamine::Data::Float(350_000.0));
        // The CLI writes the same workbook to a file.
        let file = std::env::temp_dir().join(format!("spiral-funding-{}-{kind:?}.xlsx", std::process::id()));
        spiral(
            &db,
            &[
                "report",
                "funding",
                "--fiscal-year",
                "2014",
                "--format",
                "xlsx",
                "--output",
                file.to_str().unwrap(),
            ],
        )
        .ok();
        let from_cli = workbook(&std::fs::read(&file).unwrap());
        let _ = std::fs::remove_file(&file);
        assert_eq!(from_cli, book, "{kind:?}: the CLI's workbook is the API's");

        // The 活動計算書's revenue section: the commission under 事業収益, the part of the grant
        // spent under 受取助成金等, and the rest of it in the note.
        let printed = spiral(&db, &["report", "activity", "--fiscal-year", "2014"])
            .ok()
            .stdout;
        for text in [
            "Ⅰ 経常収益",
            "受取助成金等",
            "¥1,450,000",
            "注記 使途等が制約された寄付等の内訳",
            "みらい財団",
        ] {
            assert!(printed.contains(text), "{kind:?}: {text} in\n{printed}");
        }
        let activity = get(
            &server.addr,
            "/api/reports/activity?fiscal_year=2014",
            Some(&reporter),
        )
        .json();
        assert_eq!(activity["total"], year["total"], "{kind:?}");
        assert_eq!(activity["sections"][3]["total"], 1_200_000);
        assert_eq!(activity["restricted"][0]["closing"], 350_000);
        let as_text = get(
            &server.addr,
            "/api/reports/activity?fiscal_year=2014&format=text",
            Some(&reporter),
        );
        assert_eq!(
            as_text.text(),
            printed,
            "{kind:?}: the API prints what the CLI prints"
        );
        let book = workbook(
            &get(
                &server.addr,
                "/api/reports/activity?fiscal_year=2014&format=xlsx",
                Some(&reporter),
            )
            .body,
        );
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["経常収益", "使途等が制約された寄付等の内訳"]);
        let whole = row_of(&book[0].1, &[(1, "経常収益計")]);
        assert_eq!(whole[2], calamine::Data::Float(1_450_000.0));

        // The foundation's own statement: its grant, what was spent of it and what is left.
        let statement: Value = serde_json::from_str(
            &spiral(&db, &["report", "funder", "--partner", "mirai"])
                .ok()
                .stdout,
        )
        .unwrap();
        assert_eq!(
            (statement["from"].clone(), statement["to"].clone()),
            (json!(2014), json!(2014))
        );
        assert_eq!(statement["received_total"], 600_000, "{kind:?}");
        assert_eq!(statement["receipts"][0]["funder_name"], "みらい財団");
        assert_eq!(statement["restricted"][0]["spent"], 250_000);
        assert_eq!(statement["restricted_balance"], 350_000);
        let api = get(&server.addr, "/api/reports/funder?partner=mirai", Some(&reporter));
        assert_eq!(api.status, 200);
        assert_eq!(api.json(), statement, "{kind:?}: the API and the CLI agree");
        let csv = get(
            &server.addr,
            "/api/reports/funder?partner=mirai&format=csv",
            Some(&reporter),
        )
        .text();
        for title in ["【受領明細】", "【委託契約】", "【使途制約付き財源】"] {
            assert!(csv.contains(title), "{kind:?}: {title} in {csv}");
        }
        let xlsx = get(
            &server.addr,
            "/api/reports/funder?partner=mirai&format=xlsx",
            Some(&reporter),
        );
        let book = workbook(&xlsx.body);
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["受領明細", "委託契約", "使途制約付き財源"]);
        assert_eq!(
            book[2].1[1][4],
            calamine::Data::Float(350_000.0),
            "the closing balance"
        );
        let unknown = get(
            &server.addr,
            "/api/reports/funder?partner=nobody",
            Some(&reporter),
        );
        assert_eq!(unknown.status, 422, "{kind:?}");
        assert!(unknown.text().contains("nobody"), "{}", unknown.text());
        let refused = spiral(
            &db,
            &[
                "report",
                "funder",
                "--partner",
                "mirai",
                "--from",
                "2015",
                "--to",
                "2014",
            ],
        );
        assert_eq!(refused.code, 2);
        assert!(
            refused.stderr.contains("ends before it starts"),
            "{}",
            refused.stderr
        );

        // As known before the spending was recorded: nothing of the grant was revenue yet.
        let then = get(
            &server.addr,
            &format!(
                "/api/reports/funding?from=2014&known_at={}",
                before_spending.replace('+', "%2B")
            ),
            Some(&reporter),
        )
        .json();
        assert_eq!(
            then["years"][0]["total"], 1_200_000,
            "{kind:?}: reproduced as it was known"
        );
        assert_eq!(then["years"][0]["carried_forward"], 600_000);

        // The CLI gives the same figures as the API.
        let cli: Value = serde_json::from_str(
            &spiral(&db, &["report", "funding", "--fiscal-year", "2014"])
                .ok()
                .stdout,
        )
        .unwrap();
        assert_eq!(cli["years"], summary["years"]);
        let cli_csv = spiral(
            &db,
            &["report", "funding", "--fiscal-year", "2014", "--format", "csv"],
        )
        .ok();
        assert!(cli_csv.stdout.starts_with('\u{feff}'));

        // Roles: an admin may not read reports.
        spiral_with_input(
            &db,
            &["user", "add", "adm", "--role", "admin"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
        assert_eq!(
            get(
                &server.addr,
                "/api/reports/funding?from=2014",
                Some(&login("adm"))
            )
            .status,
            403
        );
        assert_eq!(
            get(&server.addr, "/api/reports/funding?from=2014", None).status,
            401
        );
        assert_eq!(
            get(
                &server.addr,
                "/api/reports/funding?from=2014&format=xml",
                Some(&reporter)
            )
            .status,
            400
        );
    }
}

#[test]
fn the_public_support_test_is_derived_from_donations_recorded_through_the_api() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral_with_input(
            &db,
            &["user", "add", "ann", "--role", "staff"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
        let server = Server::start(&db, false);
        let staff = post_json(
            &server.addr,
            "/api/login",
            None,
            &json!({ "name": "ann", "password": PASSWORD }).to_string(),
        )
        .cookie()
        .unwrap();
        let record = |on: &str, fact: Value| {
            let r = post_json(&server.addr, "/api/commands", Some(&staff), &command(on, fact));
            assert_eq!(r.status, 200, "{}", r.text());
        };
        let gift = |id: &str, payer: Value, amount: i64, kind: &str| {
            json!({ "FundsReceived": { "receipt": id, "kind": kind, "payer": payer, "amount": amount,
                "fiscal_year": 2020, "program": null, "restricted": false } })
        };
        record(
            "2020-04-01",
            json!({ "PartnerRegistered": { "partner": "city-welfare", "name": "浜松市福祉課", "kind": "Department", "parent": null } }),
        );
        for donor in ["d1", "d2"] {
            record(
                "2020-04-01",
                json!({ "DonorRegistered": { "donor": donor, "household": null, "officer": false, "certified_npo": false, "identified": true } }),
            );
        }
        record(
            "2020-05-01",
            gift("g-d1", json!({ "Donor": "d1" }), 5_000, "Donation"),
        );
        record(
            "2020-05-02",
            gift("g-anon", json!("Anonymous"), 2_000, "Donation"),
        );
        record(
            "2020-05-03",
            gift("g-d2", json!({ "Donor": "d2" }), 500, "Donation"),
        );
        record(
            "2020-05-04",
            gift(
                "subsidy",
                json!({ "Partner": "city-welfare" }),
                100_000,
                "Subsidy",
            ),
        );

        let report: Value = serde_json::from_str(
            &spiral(&db, &["report", "pst", "--period", "2020-2021"])
                .ok()
                .stdout,
        )
        .unwrap();
        let rel = &report["relative"];
        // Ordinary revenue 107,500; government subsidy 100,000 out of the denominator; the
        // anonymous 2,000 and d2's 500 (under ¥1,000) out of both sides; d1's 5,000 is above 10%
        // of all donations (750), so 4,250 leaves the numerator.
        assert_eq!(rel["ordinary_revenue"], 107_500, "{kind:?}");
        assert_eq!(rel["government_total"], 100_000);
        assert_eq!(rel["left_out_total"], 2_500);
        assert_eq!(rel["denominator"], 5_000);
        assert_eq!(rel["excess_total"], 4_250);
        assert_eq!(rel["numerator"], 750);
        assert_eq!(rel["percent"], "15.00%");
        assert_eq!(rel["passes"], false);
        // One qualifying donor in 2020, none in 2021: 1 × 12 ÷ 24 months = 0.50 a year.
        assert_eq!(report["absolute"]["sum"], 1);
        assert_eq!(report["absolute"]["average_text"], "0.50");
        assert_eq!(report["absolute"]["passes"], false);
        assert!(report["derivation"].as_array().unwrap().len() > 3);

        let csv = spiral(
            &db,
            &["report", "pst", "--period", "2020-2021", "--format", "csv"],
        )
        .ok()
        .stdout;
        assert!(csv.starts_with('\u{feff}'));
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let value = |item: &str| {
            rows.iter()
                .find(|r| &r[1] == item)
                .unwrap_or_else(|| panic!("{item}"))[2]
                .to_owned()
        };
        assert_eq!(value("分子（寄附金）"), "750");
        assert_eq!(value("分母（経常収益）"), "5000");
        assert_eq!(value("判定（1/5以上）"), "基準を満たさない");

        let xlsx = get(
            &server.addr,
            "/api/reports/pst?period=2020-2021&format=xlsx",
            Some(&staff),
        );
        assert_eq!(xlsx.status, 200);
        let book = workbook(&xlsx.body);
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["判定", "寄附者別", "算出過程"], "{kind:?}");
        let criteria = &book[0].1;
        assert_eq!(
            row_of(criteria, &[(1, "分子（寄附金）")])[2],
            calamine::Data::Float(750.0)
        );
        assert_eq!(
            row_of(criteria, &[(1, "寄附者数の合計")])[2],
            calamine::Data::Float(1.0)
        );
        assert_eq!(
            row_of(criteria, &[(1, "割合")])[2],
            calamine::Data::String("15.00%".into())
        );

        let bad = spiral(&db, &["report", "pst", "--period", "2015-2023"]);
        assert_eq!(bad.code, 2);
        assert!(bad.stderr.contains("5"), "{}", bad.stderr);
        let api = get(&server.addr, "/api/reports/pst?period=2020-2021", Some(&staff));
        assert_eq!(api.json()["relative"]["numerator"], 750);
    }
}

/// `spiral ARGS…` with the server crate's debug log on stderr, which says where a fold started.
fn spiral_logged(db: &TestDb, args: &[&str]) -> common::Run {
    let output = std::process::Command::new(common::spiral_bin())
        .arg("--database-url")
        .arg(&db.url)
        .arg("--key-file")
        .arg(common::server::key_file(db))
        .args(args)
        .env("RUST_LOG", "warn,server=debug")
        .output()
        .expect("run spiral");
    let run = common::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    run.ok()
}

/// What a CLI answer says now, folded from the first event: the same command with a key file
/// that does not exist, so no snapshot can be used (or kept).
fn folded_whole(db: &TestDb, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--key-file", "/nonexistent/spiral-signing.key"]);
    spiral(db, &all).ok().stdout
}

/// `spiral state` and `spiral report` fold from the projection snapshot they keep, plus the
/// events after it, and answer exactly as a fold of the whole ledger; a snapshot that does not
/// check out (a correction after it, a changed signature, another ledger's chain hash) is
/// ignored with a warning.
#[test]
fn cli_answers_from_a_kept_snapshot_equal_the_whole_fold() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral(&db, &["demo", "--example"]).ok();
        spiral(&db, &["key", "show"]).ok();
        // The whole state first (it keeps the snapshot), then questions that read only some of
        // its parts: a few years' receipts, or none.
        let asks: [&[&str]; 7] = [
            &["state"],
            &["report", "funding", "--fiscal-year", "2001", "--to", "2025"],
            &["report", "pst", "--period", "2019-2023"],
            &["report", "activity", "--fiscal-year", "2022"],
            &["report", "track-record"],
            &["state", "--part", "programs"],
            &["state", "--part", "receipts", "--fiscal-year", "2021"],
        ];
        let check = |expect_in_log: &str| {
            for (i, ask) in asks.iter().enumerate() {
                let mut args = vec!["--snapshot-after", "100"];
                args.extend_from_slice(ask);
                let run = spiral_logged(&db, &args);
                assert_eq!(run.stdout, folded_whole(&db, ask), "{kind:?}: {ask:?}");
                if i == 0 {
                    assert!(
                        run.stderr.contains(expect_in_log),
                        "{kind:?}: {ask:?}: no {expect_in_log:?} in:\n{}",
                        run.stderr
                    );
                }
                // A five-year report opens only its years' parts of a snapshot it uses.
                if ask.get(1) == Some(&"pst") && run.stderr.contains("checked and decoded") {
                    assert!(
                        run.stderr.contains("the core and 5 fiscal years' receipts"),
                        "{kind:?}: {}",
                        run.stderr
                    );
                }
            }
        };
        let events = spiral(&db, &["export"]).ok().stdout.lines().count() as u64;
        check(&format!("folded all {events} events; kept a snapshot: true"));
        // The next runs start from it.
        check(&format!(
            "folded 0 events after the projection snapshot at position {events}"
        ));

        common::people::add_user(&db, "staff-user", "staff");
        let server = Server::start(&db, false);
        let staff = common::people::sign_in(&server.addr, "staff-user");
        let send = |command: Value| {
            let answer = post_json(&server.addr, "/api/commands", Some(&staff), &command.to_string());
            assert_eq!(answer.status, 200, "{kind:?}: {}", answer.text());
        };
        let registered = |id: &str, name: &str| {
            json!({ "command": { "Record": { "on": "2021-04-01", "fact": { "PartnerRegistered": {
                "partner": id, "name": name, "kind": "Department", "parent": null } } } } })
        };
        send(registered("snap-a", "追加課"));
        send(registered("snap-b", "もう一つの課"));
        check(&format!(
            "folded 2 events after the projection snapshot at position {events}"
        ));

        // A correction after the snapshot amends an event the snapshot folded in.
        send(
            json!({ "command": { "Correct": { "stream": "partner:snap-a", "target": 1,
            "on": "2020-04-01", "reason": "日付の誤り",
            "fact": { "PartnerRegistered": { "partner": "snap-a", "name": "訂正課", "kind": "Department", "parent": null } } } } }),
        );
        drop(server);
        let head_now = events + 3;
        check(&format!(
            "ignored the projection snapshot at position {events}: a correction or retraction"
        ));
        check(&format!(
            "folded 0 events after the projection snapshot at position {head_now}"
        ));

        // Someone with the database but not the key file: a forged signature, then a snapshot
        // moved onto another ledger's chain hash.
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(db.sql(&format!(
            "UPDATE projection_snapshots SET signature = '{}'",
            "0".repeat(128)
        )));
        check("not signed by this key");
        rt.block_on(db.sql(&format!(
            "UPDATE projection_snapshots SET chain_hash = '{}'",
            "ab".repeat(32)
        )));
        check(&format!(
            "the ledger's chain hash at position {head_now} is not the one"
        ));
        check(&format!(
            "folded 0 events after the projection snapshot at position {head_now}"
        ));
    }
}

/// A running server keeps a projection snapshot after its scheduled checkpoint, so the CLI's
/// next run starts from the events it already folded, even when every event came through the
/// server.
#[test]
fn the_servers_checkpoint_tick_keeps_a_snapshot_the_cli_starts_from() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let server = Server::start_with(&db, true, &["--checkpoint-every", "1", "--snapshot-after", "1"]);
        let events = spiral(&db, &["export"]).ok().stdout.lines().count();
        let expected = format!("folded 0 events after the projection snapshot at position {events}");
        let mut last = String::new();
        let started = std::time::Instant::now();
        while !last.contains(&expected) {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "{kind:?}: no snapshot from the server; the CLI said:\n{last}"
            );
            std::thread::sleep(std::time::Duration::from_millis(300));
            last = spiral_logged(&db, &["state"]).stderr;
        }
        drop(server);
        assert_eq!(
            spiral_logged(&db, &["state"]).stdout,
            folded_whole(&db, &["state"]),
            "{kind:?}"
        );
    }
}

/// The track record (実績一覧) of the demo from the CLI and the API, on both databases: the
/// seed's list in its own form (the line-by-line comparison with the seed is the domain's test),
/// the same list as JSON and CSV, narrowed by pillar and years, and refusals that name the
/// problem.
#[test]
fn the_track_record_of_the_demo_reads_as_the_seeds_list() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        common::people::add_users(&db);
        let server = Server::start(&db, true);
        let text = spiral(&db, &["report", "track-record"]).ok().stdout;
        for line in [
            "- 西部地域障害児(者)就労支援パソコン講座\n(2001~2005年度 静岡県民生部障害者プラン推進室委託)\n⇒バーチャル工房支援事業 <ぽけっと工房>\n(2006~2013年度 静岡県民生部障害者プラン推進室委託)\n",
            "- 静岡県就労支援ネットワーク体制づくり\n(2001~2006年度 静岡県民生部・産業部委託)\n⇒ジョブコーチ派遣事業\n(2007~現在 静岡県経済産業部雇用推進課委託)\n",
            "(2001~2014年度 静岡県民生部障害者プラン推進室 → 県健康福祉部障害者支援局障害者政策課委託)",
            "- 第2回 日本語を母語としない子どものための高校進学ガイダンス\n(2004年度 浜松市教育委員会 16年度市民協働 たねからみのり)\n",
        ] {
            assert!(text.contains(line), "{kind:?}: {line} in\n{text}");
        }
        assert_eq!(
            text.matches("\n- ").count() + 1,
            17,
            "{kind:?}: 17 entries:\n{text}"
        );

        let reporter = common::people::sign_in(&server.addr, "reporter-user");
        let api = get(
            &server.addr,
            "/api/reports/track-record?format=text",
            Some(&reporter),
        );
        assert_eq!(api.status, 200);
        assert_eq!(api.text(), text, "{kind:?}: the API and the CLI give one list");
        let json: Value = get(&server.addr, "/api/reports/track-record", Some(&reporter)).json();
        let entries = json["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 17, "{kind:?}");
        assert_eq!(entries[2]["span"]["first"], 2001);
        assert_eq!(
            entries[2]["commissioners_text"],
            "静岡県民生部・産業部 → 県経済産業部雇用推進課"
        );
        let csv = get(
            &server.addr,
            "/api/reports/track-record?format=csv&from=2010&to=2012",
            Some(&reporter),
        );
        assert_eq!(csv.status, 200);
        let csv = csv.text();
        assert!(
            csv.starts_with("\u{feff}番号,事業名,前身事業,年度,開始年度,終了年度,委託元,事業枠,柱\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains(",ジョブコーチ派遣事業,静岡県就労支援ネットワーク体制づくり,2010~2012年度,2010,2012,静岡県経済産業部雇用推進課,,行政との協働\r\n"),
            "{kind:?}: {csv}"
        );
        assert!(!csv.contains("現在"), "{kind:?}: a range that ends is not 現在");
        let xlsx = get(
            &server.addr,
            "/api/reports/track-record?format=xlsx",
            Some(&reporter),
        );
        assert_eq!(xlsx.status, 200);
        let book = workbook(&xlsx.body);
        assert_eq!(book.len(), 1);
        let (name, rows) = &book[0];
        assert_eq!(name, "実績一覧");
        assert_eq!(rows.len(), 21, "{kind:?}: a header and the 20 programs");
        let coach = row_of(rows, &[(1, "ジョブコーチ派遣事業")]);
        assert_eq!(coach[4], calamine::Data::Float(2007.0));
        assert_eq!(coach[5], calamine::Data::String("現在".into()));
        let other = spiral(&db, &["report", "track-record", "--pillar", "self-initiated"])
            .ok()
            .stdout;
        assert_eq!(other, "", "{kind:?}: the seed's programs are all commissioned");

        let backward = spiral(&db, &["report", "track-record", "--from", "2012", "--to", "2010"]);
        assert_eq!(backward.code, 2, "{kind:?}");
        assert!(backward.stderr.contains("2012"), "{}", backward.stderr);
        let refused = get(
            &server.addr,
            "/api/reports/track-record?from=2012&to=2010",
            Some(&reporter),
        );
        assert_eq!(refused.status, 422, "{kind:?}: {}", refused.text());
        let unknown = get(
            &server.addr,
            "/api/reports/track-record?pillar=Everything",
            Some(&reporter),
        );
        assert_eq!(unknown.status, 400, "{kind:?}");
        assert!(unknown.text().contains("pillar"), "{}", unknown.text());
    }
}

/// The text of the element with `id` in `page` (its first text, tags stripped).
fn text_of(page: &str, id: &str) -> String {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &page[start..];
    let end = rest.find("</tr>").or_else(|| rest.find("</p>")).unwrap();
    let mut out = String::new();
    let mut in_tag = false;
    for c in rest[..end].chars().skip_while(|c| *c != '>').skip(1) {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn the_public_support_test_page_shows_what_the_api_computes_and_names_donors_only_when_asked() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        for (name, role) in [("yumi", "reporter"), ("kenji", "auditor"), ("root", "admin")] {
            spiral_with_input(
                &db,
                &["user", "add", name, "--role", role],
                &format!("{PASSWORD}\n"),
            )
            .ok();
        }
        spiral(&db, &["demo", "--example"]).ok();
        // One donor of the period gets a name in the vault.
        let export = spiral(&db, &["export"]).ok().stdout;
        let donor = export
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find_map(|v| {
                let fact = &v["payload"]["fact"]["FundsReceived"];
                (fact["kind"] == "Donation" && fact["fiscal_year"] == 2022)
                    .then(|| fact["payer"]["Donor"].as_str().map(str::to_owned))
                    .flatten()
            })
            .unwrap();
        spiral(
            &db,
            &[
                "donors",
                "record",
                &donor,
                "--name",
                "伊豆 三郎",
                "--address",
                "伊東市大原1-1",
            ],
        )
        .ok();
        let server = Server::start(&db, false);
        let cookie = |name: &str| {
            post_json(
                &server.addr,
                "/api/login",
                None,
                &json!({ "name": name, "password": PASSWORD }).to_string(),
            )
            .cookie()
            .unwrap()
        };
        let (reporter, auditor, admin) = (cookie("yumi"), cookie("kenji"), cookie("root"));
        let api = get(&server.addr, "/api/reports/pst?period=2020-2024", Some(&reporter)).json();
        let page = get(&server.addr, "/reports/pst?period=2020-2024", Some(&reporter));
        assert_eq!(page.status, 200, "{kind:?}");
        let page = page.text();
        let percent = api["relative"]["percent"].as_str().unwrap();
        assert!(
            text_of(&page, "relative-verdict").contains(percent),
            "{kind:?} {percent}"
        );
        assert!(
            text_of(&page, "absolute-verdict").contains(api["absolute"]["average_text"].as_str().unwrap())
        );
        for criterion in ["relative", "absolute"] {
            assert_eq!(
                text_of(&page, &format!("{criterion}-verdict")).contains("不適合"),
                !api[criterion]["passes"].as_bool().unwrap(),
                "{kind:?} {criterion}"
            );
        }
        assert_eq!(
            page.matches("<li>").count(),
            api["derivation"].as_array().unwrap().len(),
            "the derivation line by line"
        );
        let numerator = api["relative"]["numerator"].as_i64().unwrap();
        assert!(
            text_of(&page, "numerator").contains(&format!("¥{}", group(numerator))),
            "{kind:?} {}",
            text_of(&page, "numerator")
        );
        assert!(page.contains("format=xlsx") && page.contains("format=csv"));
        assert!(!page.contains("伊豆 三郎"), "{kind:?} no names unless asked");

        // Names when a reporter asks, each a logged read; never for an auditor.
        let named = get(
            &server.addr,
            "/reports/pst?period=2020-2024&names=1",
            Some(&reporter),
        )
        .text();
        assert!(named.contains("伊豆 三郎"), "{kind:?}");
        let reads = spiral(&db, &["donors", "reads", "--donor", &donor]).ok().stdout;
        assert!(
            reads.contains("\"register\"") && reads.contains("yumi"),
            "{kind:?} {reads}"
        );
        let audited = get(
            &server.addr,
            "/reports/pst?period=2020-2024&names=1",
            Some(&auditor),
        );
        assert_eq!(audited.status, 200);
        assert!(!audited.text().contains("伊豆 三郎") && !audited.text().contains("name=\"names\""));

        // As known at a time: the same figures as the API's.
        let at = "2000-01-01T09:00";
        let then = get(
            &server.addr,
            &format!("/reports/pst?period=2020-2024&known_at={at}"),
            Some(&reporter),
        )
        .text();
        let api_then = get(
            &server.addr,
            "/api/reports/pst?period=2020-2024&known_at=2000-01-01T00:00:00Z",
            Some(&reporter),
        )
        .json();
        assert!(text_of(&then, "numerator").contains(&format!(
            "¥{}",
            group(api_then["relative"]["numerator"].as_i64().unwrap())
        )));

        // Refused with the reason; admins see no ledger.
        for bad in ["2024-2020", "2015-2024", "abc"] {
            let refused = get(
                &server.addr,
                &format!("/reports/pst?period={bad}"),
                Some(&reporter),
            );
            assert_eq!(refused.status, 422, "{kind:?} {bad}");
            assert!(refused.text().contains("id=\"message\""));
        }
        assert_eq!(
            get(&server.addr, "/reports/pst?known_at=yesterday", Some(&reporter)).status,
            422
        );
        assert_eq!(get(&server.addr, "/reports/pst", Some(&admin)).status, 403);
        assert_eq!(get(&server.addr, "/reports/pst", None).status, 303);
    }
}

/// `1234567` as `1,234,567`.
fn group(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// How many rows the table `table-N` of `page` has in its body.
fn body_rows(page: &str, n: usize) -> usize {
    let start = page
        .find(&format!("id=\"table-{n}\""))
        .unwrap_or_else(|| panic!("no table {n}"));
    let rest = &page[start..];
    let body = &rest[rest.find("<tbody>").unwrap()..rest.find("</tbody>").unwrap()];
    body.matches("<tr>").count()
}

#[test]
fn the_activity_statement_track_record_and_funder_statement_pages_show_what_the_api_computes() {
    let db = TestDb::new(common::Kind::Sqlite);
    for (name, role) in [("yumi", "reporter"), ("root", "admin")] {
        spiral_with_input(
            &db,
            &["user", "add", name, "--role", role],
            &format!("{PASSWORD}\n"),
        )
        .ok();
    }
    spiral(&db, &["demo", "--example"]).ok();
    let server = Server::start(&db, false);
    let login = |name: &str| {
        post_json(
            &server.addr,
            "/api/login",
            None,
            &json!({ "name": name, "password": PASSWORD }).to_string(),
        )
        .cookie()
        .unwrap()
    };
    let (reporter, admin) = (login("yumi"), login("root"));
    let page = |path: &str| get(&server.addr, path, Some(&reporter));

    // The 活動計算書: a row per line and per section total, then the whole; the note a row per
    // restricted line.
    let api = page("/api/reports/activity?fiscal_year=2023").json();
    let shown = page("/reports/activity?fiscal_year=2023");
    assert_eq!(shown.status, 200);
    let shown = shown.text();
    let sections = api["sections"].as_array().unwrap();
    let lines: usize = sections
        .iter()
        .map(|s| s["lines"].as_array().unwrap().len())
        .sum();
    assert_eq!(body_rows(&shown, 1), lines + sections.len() + 1);
    assert_eq!(body_rows(&shown, 2), api["restricted"].as_array().unwrap().len());
    assert!(shown.contains(&format!("¥{}", group(api["total"].as_i64().unwrap()))));
    assert!(shown.contains("format=xlsx") && shown.contains("fiscal_year=2023"));

    // The track record: one row per program line, as the CSV.
    let record = page("/api/reports/track-record").json();
    let programs: usize = record["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["programs"].as_array().unwrap().len())
        .sum();
    let shown = page("/reports/track-record").text();
    assert_eq!(body_rows(&shown, 1), programs);
    let one = page("/reports/track-record?pillar=Collaboration&from=2010").text();
    assert!(body_rows(&one, 1) <= programs);

    // A funder's statement: the funder chosen from a list of partners; the receipts as the API.
    let choose = page("/reports/funder").text();
    assert!(choose.contains("<select name=\"partner\""));
    let partner = record["entries"][0]["commissioners"][0]["partners"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let api = page(&format!("/api/reports/funder?partner={partner}")).json();
    let shown = page(&format!("/reports/funder?partner={partner}")).text();
    assert_eq!(
        body_rows(&shown, 1),
        api["receipts"].as_array().unwrap().len(),
        "{partner}"
    );
    assert_eq!(body_rows(&shown, 2), api["contracts"].as_array().unwrap().len());

    // Bad input is named and changes nothing; admins see no ledger.
    for bad in [
        "/reports/activity?fiscal_year=1700",
        "/reports/activity?known_at=soon",
        "/reports/track-record?pillar=Nothing",
        "/reports/track-record?from=2020&to=2010",
        "/reports/funder?partner=no-such-partner",
    ] {
        let refused = page(bad);
        assert_eq!(refused.status, 422, "{bad}: {}", refused.text());
        assert!(refused.text().contains("id=\"message\""), "{bad}");
    }
    for path in ["/reports/activity", "/reports/track-record", "/reports/funder"] {
        assert_eq!(get(&server.addr, path, Some(&admin)).status, 403, "{path}");
    }
}

/// Members' dues, chosen on and off: the page shows what the API computes, and both equal the
/// figures worked by hand (the same ledger as the domain's `members_dues_count_only_as_the_npo_chooses`).
#[test]
fn the_pst_page_and_api_agree_with_members_dues_chosen_on_and_off() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral_with_input(
            &db,
            &["user", "add", "ann", "--role", "staff"],
            &format!("{PASSWORD}\n"),
        )
        .ok();
        let server = Server::start(&db, false);
        let staff = post_json(
            &server.addr,
            "/api/login",
            None,
            &json!({ "name": "ann", "password": PASSWORD }).to_string(),
        )
        .cookie()
        .unwrap();
        let record = |on: &str, fact: Value| {
            let r = post_json(&server.addr, "/api/commands", Some(&staff), &command(on, fact));
            assert_eq!(r.status, 200, "{}", r.text());
        };
        let donor = |id: &str| {
            record(
                "2021-04-01",
                json!({ "DonorRegistered": { "donor": id, "household": null, "officer": false, "certified_npo": false, "identified": true } }),
            )
        };
        let receive = |id: &str, payer: Value, amount: i64, kind: &str, year: i32| {
            record(
                &format!("{year}-06-01"),
                json!({ "FundsReceived": { "receipt": id, "kind": kind, "payer": payer, "amount": amount,
                    "fiscal_year": year, "program": null, "restricted": false } }),
            )
        };
        // 21 regular members pay ¥3,000 in FY2021, 20 of them in FY2022: ¥123,000.
        for n in 1..=21 {
            let id = format!("m{n:02}");
            donor(&id);
            receive(
                &format!("{id}-2021"),
                json!({ "Donor": id }),
                3_000,
                "MemberDues",
                2021,
            );
            if n <= 20 {
                receive(
                    &format!("{id}-2022"),
                    json!({ "Donor": id }),
                    3_000,
                    "MemberDues",
                    2022,
                );
            }
        }
        for id in ["s1", "s2", "d1", "d2"] {
            donor(id);
        }
        // 賛助会費: s1 ¥10,000 a year, s2 ¥500 once: ¥20,500.
        receive(
            "s1-2021",
            json!({ "Donor": "s1" }),
            10_000,
            "SupportingDues",
            2021,
        );
        receive(
            "s1-2022",
            json!({ "Donor": "s1" }),
            10_000,
            "SupportingDues",
            2022,
        );
        receive("s2-2021", json!({ "Donor": "s2" }), 500, "SupportingDues", 2021);
        receive("d1-2021", json!({ "Donor": "d1" }), 50_000, "Donation", 2021);
        receive("d2-2022", json!({ "Donor": "d2" }), 30_000, "Donation", 2022);
        receive("sales", json!("Anonymous"), 400_000, "EarnedRevenue", 2021);

        // (supporting dues as donations, add members' dues) → (numerator, denominator, added).
        // Neither: donations 80,000 less 10% limit excess (42,000 + 22,000) = 16,000, over
        //   ordinary revenue 123,000 + 20,500 + 80,000 + 400,000 = 623,500.
        // Supporting: 100,500 − s2's 500 (under ¥1,000) − excess 69,850 (limit 10,050) = 30,150,
        //   over 623,500 − 500 = 623,000.
        // Members (21 and 20, both ≥ 20): 16,000 + min(123,000, 16,000) = 32,000.
        // Both: 30,150 + min(123,000, 30,150) = 60,300 over 623,000 = 9.67%.
        let worked = [
            ((false, false), (16_000, 623_500, 0)),
            ((true, false), (30_150, 623_000, 0)),
            ((false, true), (32_000, 623_500, 16_000)),
            ((true, true), (60_300, 623_000, 30_150)),
        ];
        for ((supporting, members), (numerator, denominator, added)) in worked {
            let mut query = "period=2021-2022".to_owned();
            if supporting {
                query.push_str("&supporting_dues_as_donations=true");
            }
            if members {
                query.push_str("&add_member_dues=true");
            }
            let api = get(&server.addr, &format!("/api/reports/pst?{query}"), Some(&staff)).json();
            let rel = &api["relative"];
            assert_eq!(
                (&rel["numerator"], &rel["denominator"], &rel["member_dues_added"]),
                (&json!(numerator), &json!(denominator), &json!(added)),
                "{kind:?} {query}"
            );
            assert_eq!(api["options"]["supporting_dues_as_donations"], supporting);
            assert_eq!(api["dues"]["member_dues"], 123_000);
            assert_eq!(api["dues"]["supporting_dues"], 20_500);

            let page = get(&server.addr, &format!("/reports/pst?{query}"), Some(&staff));
            assert_eq!(page.status, 200, "{kind:?} {query}");
            let page = page.text();
            for (id, figure) in [
                ("numerator", numerator),
                ("denominator", denominator),
                ("member-dues-added", added),
                ("supporting-dues", 20_500),
            ] {
                assert!(
                    text_of(&page, id).contains(&format!("¥{}", group(figure))),
                    "{kind:?} {query} #{id}: {}",
                    text_of(&page, id)
                );
            }
            // The choices stay ticked, are stated with their rule, and travel to the downloads.
            assert_eq!(
                page.contains("name=\"supporting_dues_as_donations\" value=\"true\" checked"),
                supporting
            );
            assert_eq!(
                page.contains("name=\"add_member_dues\" value=\"true\" checked"),
                members
            );
            assert!(page.contains("20人以上"), "the members' rule is stated");
            assert_eq!(page.contains("add_member_dues=true&amp;format=xlsx"), members);
        }
        assert!(text_of(
            &get(
                &server.addr,
                "/reports/pst?period=2021-2022&supporting_dues_as_donations=true",
                Some(&staff)
            )
            .text(),
            "supporting-dues"
        )
        .contains("寄附金に含めた"));

        // The CLI with both chosen says the same.
        let cli: Value = serde_json::from_str(
            &spiral(
                &db,
                &[
                    "report",
                    "pst",
                    "--period",
                    "2021-2022",
                    "--supporting-dues-as-donations",
                    "--add-member-dues",
                ],
            )
            .ok()
            .stdout,
        )
        .unwrap();
        assert_eq!(cli["relative"]["numerator"], 60_300, "{kind:?}");
        assert_eq!(cli["relative"]["percent"], "9.67%");
    }
}
