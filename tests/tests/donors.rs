//! Donors' personal details in the vault beside the ledger, on both databases, through the real
//! `spiral` process: sealed, logged when read, listed in the 寄附者名簿, and erased on request —
//! at once when no register must keep them, else when the register's retention ends — without
//! changing the chain or any report, and leaving no name in the database, the export or the log.

mod common;

use common::http::{get, post_json, request};
use common::people::{add_users, sign_in, ROLES};
use common::server::Server;
use common::{spiral, spiral_env, Kind, TestDb, BOTH};
use serde_json::Value;

const NAME: &str = "静岡 花子";
const NEW_ADDRESS: &str = "静岡市葵区呉服町1-1";

/// A donor of the example ledger who gave into its last fiscal year (so that a register listing
/// them is still kept), with the fiscal years of their first and last gifts.
fn a_donor_with_gifts(export: &str) -> (String, i64, i64) {
    let mut years: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for line in export.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let fact = &v["payload"]["fact"]["FundsReceived"];
        if fact["kind"] == "Donation" {
            if let Some(donor) = fact["payer"]["Donor"].as_str() {
                let fy = fact["fiscal_year"].as_i64().unwrap();
                let e = years.entry(donor.to_owned()).or_insert((fy, fy));
                *e = (e.0.min(fy), e.1.max(fy));
            }
        }
    }
    let (donor, (first, last)) = years
        .into_iter()
        .max_by_key(|(_, (first, last))| (*last, -*first))
        .unwrap();
    (donor, first, last)
}

/// Whether `text` appears anywhere the database keeps data: the SQLite file and its WAL, byte
/// for byte; every row of every table on PostgreSQL.
fn database_holds(db: &TestDb, text: &str) -> bool {
    match db.kind {
        Kind::Sqlite => {
            let path = db.url.strip_prefix("sqlite:").unwrap();
            ["", "-wal"].iter().any(|suffix| {
                std::fs::read(format!("{path}{suffix}"))
                    .map(|bytes| bytes.windows(text.len()).any(|w| w == text.as_bytes()))
                    .unwrap_or(false)
            })
        }
        Kind::Postgres => {
            let url = db.url.clone();
            let text = text.to_owned();
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    sqlx::any::install_default_drivers();
                    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
                    let tables: Vec<String> = sqlx::query_scalar(
                        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
                    )
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                    let mut found = false;
                    for table in tables {
                        let n: i64 = sqlx::query_scalar(&format!(
                            "SELECT COUNT(*) FROM {table} t WHERE t::text LIKE '%' || $1 || '%'"
                        ))
                        .bind(&text)
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                        found |= n > 0;
                    }
                    pool.close().await;
                    found
                })
        }
    }
}

/// The figures that must not move when a donor's details are erased.
fn reports(db: &TestDb, first: i64, last: i64) -> Vec<String> {
    let period = format!("{}-{}", last.max(first + 4) - 4, last.max(first + 4));
    vec![
        spiral(db, &["report", "pst", "--period", &period]).ok().stdout,
        spiral(
            db,
            &[
                "report",
                "funding",
                "--fiscal-year",
                &first.to_string(),
                "--to",
                &last.to_string(),
            ],
        )
        .ok()
        .stdout,
        // The donors as the test sees them (the page's head position moves on, of course).
        serde_json::from_str::<Value>(&spiral(db, &["state", "--part", "donors"]).ok().stdout).unwrap()
            ["items"]
            .to_string(),
    ]
}

#[test]
fn a_donors_details_are_sealed_listed_and_erased_when_the_register_may_go() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral(&db, &["demo", "--example"]).ok();
        let (donor, first, last) = a_donor_with_gifts(&spiral(&db, &["export"]).ok().stdout);
        let today = "2026-12-01";
        let at_today = [("SPIRAL_TODAY", today)];

        // Bad input records nothing and names the field.
        let bad = spiral(
            &db,
            &[
                "donors",
                "record",
                &donor,
                "--name",
                NAME,
                "--postal-code",
                "12-34",
            ],
        );
        assert_eq!(bad.code, 2);
        assert!(bad.stderr.contains("postal code"), "{}", bad.stderr);
        let unknown = spiral(&db, &["donors", "record", "donor-99999", "--name", NAME]);
        assert!(
            unknown.stderr.contains("not been registered"),
            "{}",
            unknown.stderr
        );

        let recorded = |args: &[&str]| {
            let mut all = vec!["donors", "record", &donor, "--name", NAME];
            all.extend_from_slice(args);
            spiral_env(&db, &all, &at_today).ok().stdout
        };
        assert!(recorded(&[
            "--kana",
            "シズオカ ハナコ",
            "--postal-code",
            "4200853",
            "--address",
            "静岡市葵区追手町9-6"
        ])
        .contains("revision 1"));
        assert!(recorded(&["--address", NEW_ADDRESS]).contains("revision 2"));
        let shown: Value =
            serde_json::from_str(&spiral(&db, &["donors", "show", &donor]).ok().stdout).unwrap();
        assert_eq!(shown["revision"], 2, "{kind:?}: {shown}");
        assert_eq!(shown["details"]["name"], NAME);
        assert_eq!(shown["details"]["address"], NEW_ADDRESS);

        // The register of the first year lists them by name, at their latest address.
        let register = spiral(&db, &["report", "donors", "--fiscal-year", &first.to_string()])
            .ok()
            .stdout;
        let line = register.lines().find(|l| l.contains(&donor)).unwrap();
        assert!(
            line.contains(NAME) && line.contains(NEW_ADDRESS),
            "{kind:?}: {line}"
        );
        // Every read was logged: who, which donor, what for.
        let reads = spiral(&db, &["donors", "reads", "--donor", &donor]).ok().stdout;
        let purposes: Vec<String> = reads
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["purpose"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(purposes, ["manage", "register"], "{kind:?}: {reads}");

        // No plaintext anywhere but the vault's sealed rows: not the ledger, not the export.
        let export = spiral(&db, &["export"]).ok().stdout;
        assert!(export.contains("DonorDetailsRecorded"));
        for text in ["花子", "呉服町", "4200853", "420-0853"] {
            assert!(!export.contains(text), "{kind:?}: the export holds {text}");
        }
        assert!(
            !database_holds(&db, "花子"),
            "{kind:?}: the database holds the name in plaintext"
        );
        let before = reports(&db, first, last);

        // Asked to erase while a register listing them is still kept: recorded, deferred.
        let retention_ends = format!("{}-06-30", last + 6);
        let erasable_from = format!("{}-07-01", last + 6);
        let erase = spiral_env(&db, &["donors", "erase", &donor], &at_today)
            .ok()
            .stdout;
        assert!(
            erase.contains(&format!("kept until {retention_ends}")) && erase.contains(&erasable_from),
            "{kind:?}: {erase}"
        );
        let stopped: Value =
            serde_json::from_str(&spiral(&db, &["donors", "show", &donor]).ok().stdout).unwrap();
        assert_eq!(stopped["status"], "use_stopped", "{kind:?}");
        let change = spiral(&db, &["donors", "record", &donor, "--name", "別名"]);
        assert!(
            change
                .stderr
                .contains("asked for their personal data to be erased"),
            "{}",
            change.stderr
        );
        let again = spiral(&db, &["donors", "erase", &donor]);
        assert!(again.stderr.contains("erasure request"), "{}", again.stderr);
        // The register must still be kept, so it still reads them.
        let register = spiral(&db, &["report", "donors", "--fiscal-year", &first.to_string()])
            .ok()
            .stdout;
        assert!(register.contains(NAME), "{kind:?}");

        // The day before the retention ends nothing happens; on the day after, it is done.
        let waiting = spiral_env(
            &db,
            &["donors", "erase-due"],
            &[("SPIRAL_TODAY", &retention_ends)],
        )
        .ok()
        .stdout;
        assert!(waiting.contains("kept until"), "{kind:?}: {waiting}");
        let done = spiral_env(&db, &["donors", "erase-due"], &[("SPIRAL_TODAY", &erasable_from)])
            .ok()
            .stdout;
        assert!(
            done.contains(&format!("donor {donor}: personal data erased")),
            "{kind:?}: {done}"
        );
        assert!(spiral(&db, &["donors", "erase-due"])
            .ok()
            .stdout
            .contains("no erasure is waiting"));

        // After: the chain verifies, the reports are the same, and the name is gone everywhere.
        spiral(&db, &["verify"]).ok();
        assert_eq!(
            reports(&db, first, last),
            before,
            "{kind:?}: an erasure changed a report"
        );
        let erased: Value =
            serde_json::from_str(&spiral(&db, &["donors", "show", &donor]).ok().stdout).unwrap();
        assert_eq!(erased["status"], "erased");
        let register = spiral(&db, &["report", "donors", "--fiscal-year", &first.to_string()])
            .ok()
            .stdout;
        let line = register.lines().find(|l| l.contains(&donor)).unwrap();
        assert!(
            line.contains("（消去済み）") && !line.contains(NAME),
            "{kind:?}: {line}"
        );
        let export = spiral(&db, &["export"]).ok().stdout;
        let kinds: Vec<Value> = export
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["stream"] == format!("donor:{donor}"))
            .map(|v| v["type"].clone())
            .collect();
        assert_eq!(
            kinds,
            [
                "DonorRegistered",
                "DonorDetailsRecorded",
                "DonorDetailsRecorded",
                "DonorErasureRequested",
                "DonorDetailsErased"
            ],
            "{kind:?}: the ledger records each step"
        );
        let erased_on = export
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|v| v["type"] == "DonorDetailsErased")
            .unwrap()["payload"]["on"]
            .clone();
        assert_eq!(erased_on, erasable_from.as_str());
        assert!(!database_holds(&db, "花子"), "{kind:?}");
    }
}

#[test]
fn a_donor_with_no_register_to_keep_is_erased_at_once_and_the_vaults_records_cannot_be_forged() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        spiral(&db, &["demo", "--example"]).ok();
        let (donor, _, last) = a_donor_with_gifts(&spiral(&db, &["export"]).ok().stdout);
        let long_after = format!("{}-07-01", last + 6);
        spiral(&db, &["donors", "record", &donor, "--name", NAME]).ok();
        let erase = spiral_env(
            &db,
            &["donors", "erase", &donor, "--by", "agent"],
            &[("SPIRAL_TODAY", &long_after)],
        )
        .ok()
        .stdout;
        assert!(erase.contains("personal data erased"), "{kind:?}: {erase}");
        let export = spiral(&db, &["export"]).ok().stdout;
        assert!(
            export.contains(r#""by":"Agent""#),
            "{kind:?}: who asked is recorded"
        );

        // Through the API, staff can record none of the vault's facts, nor withdraw one.
        let server = Server::start(&db, false);
        let staff = sign_in(&server.addr, "staff-user");
        for fact in [
            serde_json::json!({ "DonorDetailsErased": { "donor": "donor-00001" } }),
            serde_json::json!({ "DonorDetailsRecorded": { "donor": "donor-00001", "revision": 1, "seal": 7 } }),
            serde_json::json!({ "DonorErasureRequested": { "donor": "donor-00001", "by": "Donor" } }),
        ] {
            let body = serde_json::json!({ "command": { "Record": { "on": "2026-04-01", "fact": fact } } });
            let response = post_json(&server.addr, "/api/commands", Some(&staff), &body.to_string());
            assert_eq!(response.status, 422, "{kind:?}: {}", response.text());
            assert!(response.text().contains("vault"), "{}", response.text());
        }
        let retract = serde_json::json!({ "command": { "Retract": {
            "stream": format!("donor:{donor}"), "target": 3, "reason": "取り消したい" } } });
        let response = post_json(&server.addr, "/api/commands", Some(&staff), &retract.to_string());
        assert_eq!(response.status, 422, "{kind:?}: {}", response.text());
        drop(server);
        assert_eq!(
            spiral(&db, &["export"]).ok().stdout,
            export,
            "{kind:?}: nothing was stored"
        );
    }
}

#[test]
fn the_donor_endpoints_keep_to_their_roles_and_log_every_read() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        spiral(&db, &["demo", "--example"]).ok();
        let (donor, first, _) = a_donor_with_gifts(&spiral(&db, &["export"]).ok().stdout);
        let server = Server::start(&db, false);
        let addr = &server.addr;
        let cookies: Vec<(&str, String)> = ROLES
            .iter()
            .map(|r| (*r, sign_in(addr, &format!("{r}-user"))))
            .collect();
        let details_path = format!("/api/donors/{donor}");
        let put = |cookie: Option<&str>, body: &str| {
            let mut headers = vec![("Content-Type", "application/json")];
            if let Some(c) = cookie {
                headers.push(("Cookie", c));
            }
            request(addr, "PUT", &details_path, &headers, body.as_bytes())
        };
        let body =
            serde_json::json!({ "name": NAME, "postal_code": "〒４２０－０８５３", "address": NEW_ADDRESS })
                .to_string();
        assert_eq!(put(None, &body).status, 401);
        for (role, cookie) in &cookies {
            let response = put(Some(cookie), &body);
            let expected = if *role == "staff" { 200 } else { 403 };
            assert_eq!(
                response.status,
                expected,
                "{kind:?} PUT details as {role}: {}",
                response.text()
            );
            let expected = if *role == "staff" { 200 } else { 403 };
            assert_eq!(
                get(addr, &details_path, Some(cookie)).status,
                expected,
                "{kind:?} GET details as {role}"
            );
            let register = get(
                addr,
                &format!("/api/reports/donors?fiscal_year={first}&format=csv"),
                Some(cookie),
            );
            let expected = if ["staff", "reporter"].contains(role) {
                200
            } else {
                403
            };
            assert_eq!(register.status, expected, "{kind:?} the register as {role}");
            if expected == 200 {
                assert!(
                    register.text().contains(NAME) && register.text().contains("〒420-0853"),
                    "{kind:?}"
                );
            }
            let erasure = post_json(
                addr,
                &format!("{details_path}/erasure"),
                Some(cookie),
                r#"{"by":"Nobody"}"#,
            );
            let expected = if *role == "staff" { 400 } else { 403 };
            assert_eq!(
                erasure.status,
                expected,
                "{kind:?} erasure as {role}: {}",
                erasure.text()
            );
        }
        let staff = &cookies[0].1;
        let shown = get(addr, &details_path, Some(staff)).json();
        assert_eq!(shown["status"], "recorded");
        assert_eq!(shown["details"]["postal_code"], "420-0853");
        // A field that cannot be taken is named, in both languages, and nothing is recorded.
        let bad = put(Some(staff), r#"{"name":"静岡 花子","postal_code":"12-34"}"#);
        assert_eq!(bad.status, 422, "{}", bad.text());
        assert!(
            bad.json()["message"].as_str().unwrap().contains("郵便番号"),
            "{}",
            bad.text()
        );
        assert!(bad.json()["message_en"].as_str().unwrap().contains("postal code"));
        assert_eq!(get(addr, "/api/donors/donor-99999", Some(staff)).status, 404);
        // Erasure through the API: deferred while the register is kept; the details stop.
        let erasure = post_json(
            addr,
            &format!("{details_path}/erasure"),
            Some(staff),
            r#"{"by":"Donor"}"#,
        )
        .json();
        assert_eq!(erasure["outcome"], "deferred", "{kind:?}: {erasure}");
        assert_eq!(
            get(addr, &details_path, Some(staff)).json()["status"],
            "use_stopped"
        );
        let refused = put(Some(staff), &body);
        assert_eq!(refused.status, 422, "{}", refused.text());
        assert!(
            refused.json()["message"].as_str().unwrap().contains("消去"),
            "{}",
            refused.text()
        );
        drop(server);
        // Every read was logged under the reader's name: staff's, and the registers' readers'.
        let reads = spiral(&db, &["donors", "reads", "--donor", &donor]).ok().stdout;
        let readers: std::collections::BTreeSet<String> = reads
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                format!(
                    "{}:{}",
                    v["actor"].as_str().unwrap(),
                    v["purpose"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            readers,
            [
                "reporter-user:register",
                "staff-user:manage",
                "staff-user:register"
            ]
            .map(String::from)
            .into(),
            "{kind:?}"
        );
        // A server standing on a day after the retention carries the erasure out by itself.
        let server = Server::start_with_env(&db, false, &[], &[("SPIRAL_TODAY", "2100-01-01")]);
        let staff = sign_in(&server.addr, "staff-user");
        let erased = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            get(&server.addr, &details_path, Some(&staff)).json()["status"] == "erased"
        });
        assert!(erased, "{kind:?}: the server did not carry out the due erasure");
        drop(server);
        let export = spiral(&db, &["export"]).ok().stdout;
        let last = export.lines().last().unwrap();
        assert!(
            last.contains("DonorDetailsErased")
                && last.contains("system:vault")
                && last.contains("2100-01-01"),
            "{kind:?}: {last}"
        );
    }
}

#[test]
fn a_ledger_moved_without_its_vault_or_opened_with_another_key_reads_no_one() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral(&db, &["demo", "--example"]).ok();
        let (donor, first, _) = a_donor_with_gifts(&spiral(&db, &["export"]).ok().stdout);
        spiral(
            &db,
            &[
                "donors",
                "record",
                &donor,
                "--name",
                NAME,
                "--address",
                NEW_ADDRESS,
            ],
        )
        .ok();
        let export = spiral(&db, &["export"]).ok().stdout;

        // Imported elsewhere: the ledger names a sealed revision the new vault has never seen.
        let elsewhere = TestDb::new(kind);
        let file = common::temp_file("export.jsonl", &export);
        spiral(&elsewhere, &["import", file.to_str().unwrap()]).ok();
        let _ = std::fs::remove_file(file);
        let shown = spiral(&elsewhere, &["donors", "show", &donor]);
        assert_eq!(shown.code, 2);
        assert!(
            shown.stderr.contains("missing from the vault"),
            "{kind:?}: {}",
            shown.stderr
        );
        let register = spiral(
            &elsewhere,
            &["report", "donors", "--fiscal-year", &first.to_string()],
        )
        .ok()
        .stdout;
        let line = register.lines().find(|l| l.contains(&donor)).unwrap();
        assert!(
            line.contains("（保管庫から読めません）") && !line.contains(NAME),
            "{kind:?}: {line}"
        );

        // The right database with another vault key file: nothing opens, and it says why.
        let other_key = common::temp_file("other.vault", "");
        let _ = std::fs::remove_file(&other_key);
        let wrong = spiral(
            &db,
            &[
                "--vault-key-file",
                other_key.to_str().unwrap(),
                "donors",
                "show",
                &donor,
            ],
        );
        let _ = std::fs::remove_file(&other_key);
        assert_eq!(wrong.code, 2);
        assert!(
            wrong.stderr.contains("cannot be opened"),
            "{kind:?}: {}",
            wrong.stderr
        );

        // An erasure request cannot be dated after today.
        let future = spiral_env(
            &db,
            &["donors", "erase", &donor, "--on", "2026-12-02"],
            &[("SPIRAL_TODAY", "2026-12-01")],
        );
        assert!(
            future.stderr.contains("after today"),
            "{kind:?}: {}",
            future.stderr
        );
        assert_eq!(
            spiral(&db, &["export"]).ok().stdout,
            export,
            "{kind:?}: nothing was recorded"
        );
    }
}

/// `fields` as a browser sends a form: urlencoded, every byte but letters and digits escaped.
fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    let escape = |text: &str| -> String {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", escape(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// How many events the export holds for `donor` of `event_type`, with their payloads.
fn donor_events(db: &TestDb, donor: &str, event_type: &str) -> Vec<Value> {
    spiral(db, &["export"])
        .ok()
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["stream"] == format!("donor:{donor}") && v["type"] == event_type)
        .collect()
}

#[test]
fn the_donors_desk_finds_registers_changes_and_erases_a_donor() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        spiral(&db, &["demo", "--example"]).ok();
        let server = Server::start(&db, false);
        let addr = &server.addr;
        let staff = sign_in(addr, "staff-user");
        let post = |path: &str, fields: &[(&str, &str)]| {
            request(
                addr,
                "POST",
                path,
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Cookie", &staff),
                ],
                &form(fields),
            )
        };
        let today = chrono::Utc::now().date_naive().to_string();

        // Before anything is looked for, the desk names no one.
        let desk = get(addr, "/donors", Some(&staff));
        assert_eq!(desk.status, 200, "{kind:?}");
        assert!(desk.text().contains("id=\"counts\"") && !desk.text().contains("id=\"hits\""));

        // Registering: the registration and the details in one commit, `identified` from the
        // details (an address), the marks as ticked.
        let taro = [
            ("id", "d-desk-1"),
            ("name", "静岡 太郎"),
            ("kana", "シズオカ タロウ"),
            ("postal_code", "４２０－０８５３"),
            ("address", "静岡市葵区追手町9-6"),
            ("household", "h-desk"),
            ("officer", "on"),
            ("on", today.as_str()),
        ];
        let registered = post("/donors", &taro);
        assert_eq!(registered.status, 200, "{kind:?} {}", registered.text());
        assert!(registered.text().contains("静岡 太郎") && registered.text().contains("〒420-0853"));
        let registration = donor_events(&db, "d-desk-1", "DonorRegistered");
        assert_eq!(registration.len(), 1, "{kind:?}");
        let fact = &registration[0]["payload"]["fact"]["DonorRegistered"];
        assert_eq!(fact["identified"], true, "{kind:?} {fact}");
        assert_eq!(fact["officer"], true);
        assert_eq!(fact["household"], "h-desk");
        assert_eq!(donor_events(&db, "d-desk-1", "DonorDetailsRecorded").len(), 1);

        // Refused registrations record nothing and keep what was typed.
        let events = spiral(&db, &["export"]).ok().stdout.lines().count();
        let again = post("/donors", &taro);
        assert_eq!(again.status, 422, "{kind:?}");
        assert!(again.text().contains("id=\"message\" class=\"refused\""));
        let mut bad = taro;
        bad[0] = ("id", "d-desk-2");
        bad[3] = ("postal_code", "12-34");
        let refused = post("/donors", &bad);
        assert_eq!(refused.status, 422, "{kind:?}");
        assert!(refused.text().contains("郵便番号"), "{}", refused.text());
        assert!(
            refused.text().contains("value=\"静岡 太郎\""),
            "what was typed is kept"
        );
        let mut future = taro;
        future[0] = ("id", "d-desk-3");
        future[7] = ("on", "2999-01-01");
        assert_eq!(post("/donors", &future).status, 422);
        assert_eq!(
            spiral(&db, &["export"]).ok().stdout.lines().count(),
            events,
            "{kind:?}"
        );

        // Found by kana as a bank prints it, by postal code without its dash, by address; not
        // by a word it does not hold. Each donor shown is a logged read.
        for q in [
            "%EF%BD%BC%EF%BD%BD%EF%BE%9E%EF%BD%B5%EF%BD%B6",
            "4200853",
            "%E8%BF%BD%E6%89%8B%E7%94%BA",
        ] {
            let found = get(addr, &format!("/donors?q={q}"), Some(&staff));
            assert_eq!(found.status, 200);
            assert!(found.text().contains("data-donor=\"d-desk-1\""), "{kind:?} q={q}");
        }
        let none = get(addr, "/donors?q=%E6%B5%9C%E6%9D%BE", Some(&staff)).text();
        assert!(!none.contains("data-donor=\"d-desk-1\""), "{kind:?}");

        // A change of details is a new revision; the earlier one stays, dated. Without an
        // address the donor no longer counts in the absolute criterion.
        let changed = post(
            "/donors/d-desk-1",
            &[
                ("action", "details"),
                ("name", "静岡 太郎"),
                ("kana", "しずおか たろう"),
                ("on", today.as_str()),
            ],
        );
        assert_eq!(changed.status, 200, "{kind:?} {}", changed.text());
        let page = changed.text();
        assert!(page.contains("data-revision=\"2\"") && page.contains("data-revision=\"1\""));
        assert!(
            page.contains("追手町9-6"),
            "revision 1 still shows the old address"
        );
        assert!(page.contains("name and address unknown") || page.contains("氏名・住所なし"));
        let corrections = donor_events(&db, "d-desk-1", "Corrected");
        assert_eq!(corrections.len(), 1, "{kind:?}");
        assert_eq!(
            corrections[0]["payload"]["fact"]["Corrected"]["fact"]["DonorRegistered"]["identified"], false,
            "{}",
            corrections[0]
        );
        // The search follows the change at once (what it keeps is dropped when the vault moves).
        let moved = get(addr, "/donors?q=%E8%BF%BD%E6%89%8B%E7%94%BA", Some(&staff)).text();
        assert!(
            !moved.contains("data-donor=\"d-desk-1\""),
            "{kind:?} the old address finds no one"
        );
        let reads = page.matches("data-purpose=\"search\"").count();
        assert!(
            reads >= 3,
            "{kind:?} each search that showed the donor is logged: {reads}"
        );

        // Marks are corrected with a reason; without one nothing changes.
        let unreasoned = post(
            "/donors/d-desk-1",
            &[
                ("action", "marks"),
                ("household", "h-desk"),
                ("on", today.as_str()),
            ],
        );
        assert_eq!(unreasoned.status, 422, "{kind:?}");
        let marked = post(
            "/donors/d-desk-1",
            &[
                ("action", "marks"),
                ("household", ""),
                ("reason", "役員を退任"),
                ("on", today.as_str()),
            ],
        );
        assert_eq!(marked.status, 200, "{kind:?} {}", marked.text());
        let standing = get(addr, "/donors/d-desk-1", Some(&staff)).text();
        assert!(!standing.contains("h-desk\"") && !standing.contains("世帯 h-desk"));
        assert_eq!(donor_events(&db, "d-desk-1", "Corrected").len(), 2);

        // Erasure: a donor with no gifts, so no register keeps them: erased at once, found no more.
        let erased = post(
            "/donors/d-desk-1",
            &[("action", "erase"), ("by", "donor"), ("on", today.as_str())],
        );
        assert_eq!(erased.status, 200, "{kind:?} {}", erased.text());
        assert!(erased.text().contains("消去済み") && !erased.text().contains("追手町"));
        let gone = get(addr, "/donors?q=d-desk-1", Some(&staff)).text();
        assert!(!gone.contains("data-donor=\"d-desk-1\""), "{kind:?}");
        assert!(!database_holds(&db, "追手町"), "{kind:?}");

        // Staff only; anyone else is refused, and no one unsigned sees the desk.
        for role in ["reporter", "auditor", "admin"] {
            let cookie = sign_in(addr, &format!("{role}-user"));
            assert_eq!(get(addr, "/donors", Some(&cookie)).status, 403, "{role}");
            assert_eq!(get(addr, "/donors/d-desk-1", Some(&cookie)).status, 403, "{role}");
        }
        assert_eq!(get(addr, "/donors", None).status, 303);
        assert_eq!(get(addr, "/donors/no-such-donor", Some(&staff)).status, 404);
    }
}

#[test]
fn staff_record_the_npos_profile_from_the_browser_and_others_read_it() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        spiral(&db, &["demo", "--example"]).ok();
        let server = Server::start(&db, false);
        let addr = &server.addr;
        let staff = sign_in(addr, "staff-user");
        let post = |cookie: &str, fields: &[(&str, &str)]| {
            request(
                addr,
                "POST",
                "/organisation",
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Cookie", cookie),
                ],
                &form(fields),
            )
        };
        let rows = |page: &str| page.matches("<tr").count();
        let page = get(addr, "/organisation", Some(&staff));
        assert_eq!(page.status, 200, "{kind:?}");
        let before = rows(&page.text());
        assert!(page.text().contains("class=\"in-effect\"") && page.text().contains("id=\"record-profile\""));
        let today = chrono::Utc::now().date_naive().to_string();

        // Half a certification, or a day to come, is refused and records nothing.
        let half = post(
            &staff,
            &[
                ("name", "特定非営利活動法人ひかり市民活動ネットワーク"),
                ("address", "静岡市葵区呉服町2-1"),
                ("certification_number", "静岡県指令第999号"),
                ("certified_on", ""),
                ("on", today.as_str()),
            ],
        );
        assert_eq!(half.status, 422, "{kind:?}");
        assert!(half.text().contains("認定番号と認定年月日"), "{}", half.text());
        assert!(
            half.text().contains("value=\"静岡市葵区呉服町2-1\""),
            "what was typed is kept"
        );
        assert_eq!(rows(&get(addr, "/organisation", Some(&staff)).text()), before);

        // A move, still certified as before: in effect from today.
        let moved = post(
            &staff,
            &[
                ("name", "特定非営利活動法人ひかり市民活動ネットワーク"),
                ("address", "静岡市葵区呉服町2-1"),
                ("certification_number", "静岡県指令第123号"),
                ("certified_on", "2021-06-15"),
                ("on", today.as_str()),
            ],
        );
        assert_eq!(moved.status, 200, "{kind:?} {}", moved.text());
        assert_eq!(rows(&moved.text()), before + 1);
        let shown: Value = serde_json::from_str(&spiral(&db, &["organisation", "show"]).ok().stdout).unwrap();
        assert_eq!(
            shown["in_effect"]["address"], "静岡市葵区呉服町2-1",
            "{kind:?} {shown}"
        );
        assert_eq!(shown["in_effect"]["certification"]["certified_on"], "2021-06-15");

        // Reporters and auditors read it without the form; only staff record; admins see none.
        for role in ["reporter", "auditor"] {
            let cookie = sign_in(addr, &format!("{role}-user"));
            let page = get(addr, "/organisation", Some(&cookie));
            assert_eq!(page.status, 200, "{role}");
            assert!(page.text().contains("呉服町2-1") && !page.text().contains("record-profile"));
            assert_eq!(post(&cookie, &[("name", "x")]).status, 403, "{role}");
        }
        let admin = sign_in(addr, "admin-user");
        assert_eq!(get(addr, "/organisation", Some(&admin)).status, 403);
    }
}

#[test]
fn a_donor_recorded_twice_is_merged_into_one_and_counted_once() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        spiral(&db, &["demo", "--example"]).ok();
        let server = Server::start(&db, false);
        let addr = &server.addr;
        let staff = sign_in(addr, "staff-user");
        let post = |path: &str, fields: &[(&str, &str)]| {
            request(
                addr,
                "POST",
                path,
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Cookie", &staff),
                ],
                &form(fields),
            )
        };
        for (id, address) in [
            ("d-merge-a", "静岡市葵区追手町9-6"),
            ("d-merge-b", "静岡市葵区追手町９－６"),
        ] {
            let registered = post(
                "/donors",
                &[
                    ("id", id),
                    ("name", "三島 一郎"),
                    ("address", address),
                    ("on", "2024-04-01"),
                ],
            );
            assert_eq!(registered.status, 200, "{kind:?} {}", registered.text());
        }
        let csv = "受領日,金額,寄附者ID\n2024/5/1,3000,d-merge-a\n2024/6/1,5000,d-merge-a\n2024/7/1,7000,d-merge-b\n";
        let file = common::temp_file("merge.csv", csv);
        spiral(&db, &["import", "gifts", file.to_str().unwrap(), "--yes"]).ok();
        let _ = std::fs::remove_file(file);
        spiral(
            &db,
            &[
                "receipts",
                "issue",
                "--calendar-year",
                "2024",
                "--donor",
                "d-merge-b",
            ],
        )
        .ok();
        let events = || spiral(&db, &["export"]).ok().stdout.lines().count();
        let before = events();

        // Refused, recording nothing: into themselves, into no one, or a gift under a standing
        // certificate (void it first).
        let merge = |from: &str, into: &str, reason: &str| {
            post(
                &format!("/donors/{from}"),
                &[("action", "merge"), ("into", into), ("reason", reason)],
            )
        };
        assert_eq!(
            merge("d-merge-a", "d-merge-a", "同一人物").status,
            422,
            "{kind:?}"
        );
        assert_eq!(merge("d-merge-a", "d-nobody", "同一人物").status, 422, "{kind:?}");
        let certified = merge("d-merge-b", "d-merge-a", "同一人物");
        assert_eq!(certified.status, 422, "{kind:?} {}", certified.text());
        assert_eq!(
            merge("d-merge-a", "d-merge-b", "").status,
            422,
            "{kind:?} a reason is needed"
        );
        assert_eq!(events(), before, "{kind:?} nothing recorded");

        // Merged: both gifts of a corrected to come from b, in one commit.
        let merged = merge("d-merge-a", "d-merge-b", "同一人物の二重登録");
        assert_eq!(merged.status, 200, "{kind:?} {}", merged.text());
        assert!(merged.text().contains("2件"), "{}", merged.text());
        assert_eq!(events(), before + 2, "{kind:?}");
        let export = spiral(&db, &["export"]).ok().stdout;
        let corrections: Vec<Value> = export
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["type"] == "Corrected" && v["stream"].as_str().unwrap().starts_with("receipt:"))
            .filter(|v| v["metadata"]["reason"] == "同一人物の二重登録")
            .collect();
        assert_eq!(corrections.len(), 2, "{kind:?}");
        let correlations: std::collections::HashSet<_> = corrections
            .iter()
            .map(|v| v["metadata"]["correlation_id"].clone())
            .collect();
        assert_eq!(correlations.len(), 1, "one commit");
        for c in &corrections {
            assert_eq!(
                c["payload"]["fact"]["Corrected"]["fact"]["FundsReceived"]["payer"]["Donor"],
                "d-merge-b"
            );
        }
        let register = get(addr, "/api/reports/donors?fiscal_year=2024", Some(&staff)).json();
        let of = |id: &str| {
            register["lines"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["giver"]["id"] == id)
                .count()
        };
        assert_eq!((of("d-merge-a"), of("d-merge-b")), (0, 3), "{kind:?}");
        assert!(get(addr, "/donors/d-merge-a", Some(&staff))
            .text()
            .contains("なし"));
    }
}
