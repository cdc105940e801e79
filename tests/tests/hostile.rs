//! Spiral tried as an attacker or a careless user would: every hostile input gets a clear answer
//! and changes nothing, and no request can take the server down or break a page for others.
//! Real server processes, on SQLite and on PostgreSQL.

mod common;

use common::http::{get, post_json, request};
use common::people::{add_users, export, sign_in};
use common::server::Server;
use common::{TestDb, BOTH};

/// A postcard `Submit` whose command is a correction of a correction of … 20,000 deep: the body
/// (40 KB) is under the size limit, and once overflowed the worker's stack.
fn nested_corrections() -> Vec<u8> {
    let mut body = vec![1u8]; // Command::Correct
    body.extend(postcard::to_allocvec("program:pc-course-west").unwrap());
    body.push(2); // target
    body.extend(postcard::to_allocvec("2007-04-01").unwrap());
    for _ in 0..20_000 {
        body.extend([19, 2]); // Corrected, target 2
    }
    body
}

#[test]
fn a_command_nesting_corrections_is_refused_and_the_server_stays_up() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let staff = sign_in(&server.addr, "staff-user");
        let before = export(&db);
        let response = request(
            &server.addr,
            "POST",
            "/api/commands",
            &[("Content-Type", "application/x-postcard"), ("Cookie", &staff)],
            &nested_corrections(),
        );
        assert_eq!(response.status, 400, "{kind:?}: {}", response.text());
        assert!(response.json()["message_en"]
            .as_str()
            .unwrap()
            .contains("not a postcard-encoded command"));
        // The same in JSON.
        let json = r#"{"command":{"Correct":{"stream":"program:pc-course-west","target":2,"on":"2007-04-01","reason":"x","fact":{"Corrected":{"target":2,"reason":"y","fact":{"ProgramConcluded":{"program":"pc-course-west"}}}}}}}"#;
        let response = post_json(&server.addr, "/api/commands", Some(&staff), json);
        assert_eq!(response.status, 400, "{kind:?}: {}", response.text());
        assert!(
            response.text().contains("unknown variant `Corrected`"),
            "{}",
            response.text()
        );
        assert_eq!(
            get(&server.addr, "/api/health", None).status,
            200,
            "{kind:?}: still up"
        );
        assert_eq!(export(&db), before, "{kind:?}: nothing stored");
    }
}

#[test]
fn impossible_dates_are_refused_and_every_page_still_renders() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let addr = &server.addr;
        let staff = sign_in(addr, "staff-user");
        let before = export(&db);
        let launch = |on: &str| {
            serde_json::json!({ "command": { "Record": { "on": on, "note": null, "fact": { "ProgramLaunched": {
                "program": format!("typo-{}", &on[..4]), "name": "入力ミス", "pillar": "SelfInitiated",
                "beneficiaries": [], "stage": 1 } } } } })
            .to_string()
        };
        let contract = serde_json::json!({ "command": { "Record": { "on": "2001-04-01", "note": null, "fact": { "ContractAwarded": {
            "program": "pc-course-west",
            "contract": { "fiscal_year": 1800, "commissioners": ["shizuoka-disability-plan"], "scheme": null, "amount": null } } } } } })
        .to_string();
        for (body, needle) in [
            (launch("1800-05-01"), "date 1800-05-01 is out of range"),
            (launch("0218-05-01"), "date 0218-05-01 is out of range"),
            (launch("9999-05-01"), "date 9999-05-01 is out of range"),
            (contract, "fiscal year 1800 is out of range"),
        ] {
            let response = post_json(addr, "/api/commands", Some(&staff), &body);
            assert_eq!(response.status, 422, "{kind:?} {needle}: {}", response.text());
            let message = response.json()["message_en"].as_str().unwrap().to_owned();
            assert!(message.contains(needle), "{kind:?}: {message}");
        }
        assert_eq!(export(&db), before, "{kind:?}: nothing stored");
        for page in [
            "/",
            "/programs",
            "/programs/pc-course-west",
            "/partners",
            "/reports",
        ] {
            let response = get(addr, page, Some(&staff));
            assert_eq!(response.status, 200, "{kind:?} {page}");
        }
        // A date query out of range is a clear 400, not a dead connection.
        let response = get(addr, "/api/state?as_of=0218-05-01", Some(&staff));
        assert_eq!(response.status, 400, "{kind:?}: {}", response.text());
        assert!(response.text().contains("out of range"), "{}", response.text());
    }
}

fn login(addr: &str, name: &str, password: &str, extra: &[(&str, &str)]) -> common::http::Response {
    let body = serde_json::json!({ "name": name, "password": password }).to_string();
    let mut headers = vec![("Content-Type", "application/json")];
    headers.extend_from_slice(extra);
    request(addr, "POST", "/api/login", &headers, body.as_bytes())
}

/// The `name=value` of every cookie a response sets.
fn set_cookies(response: &common::http::Response) -> Vec<String> {
    response
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.split(';').next().map(str::to_owned))
        .collect()
}

#[test]
fn a_sign_in_flood_neither_stalls_the_server_nor_keeps_the_owner_out() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, false);
        let addr = server.addr.clone();
        // The owner has signed in from this browser before: it holds a trusted-device cookie.
        let first = login(&addr, "staff-user", common::people::PASSWORD, &[]);
        assert_eq!(first.status, 200);
        let device = set_cookies(&first)
            .into_iter()
            .find(|c| c.starts_with("spiral_device="))
            .expect("a trusted-device cookie");

        // Eight clients guess at once, at made-up names and at the owner's, long names included.
        let flood: Vec<_> = (0..8)
            .map(|t| {
                let addr = addr.clone();
                std::thread::spawn(move || {
                    (0..25)
                        .map(|i| {
                            let name = match i % 3 {
                                0 => "staff-user".to_owned(),
                                1 => format!("made-up-{t}-{i}"),
                                _ => "x".repeat(60_000),
                            };
                            login(&addr, &name, "guess guess guess", &[]).status
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        // Meanwhile the server answers everyone else: health answers while guesses are still
        // being sent (not only after the flood has drained).
        let mut answered_during = 0;
        for _ in 0..10 {
            assert_eq!(
                get(&addr, "/api/health", None).status,
                200,
                "{kind:?}: health during the flood"
            );
            if flood.iter().any(|t| !t.is_finished()) {
                answered_during += 1;
            }
        }
        assert!(
            answered_during > 0,
            "{kind:?}: health answered while the flood went on"
        );
        let statuses: Vec<u16> = flood.into_iter().flat_map(|t| t.join().unwrap()).collect();
        assert!(
            statuses.iter().all(|s| [401, 429, 503].contains(s)),
            "{kind:?}: only refusals: {statuses:?}"
        );
        assert!(statuses.contains(&429), "{kind:?}: the guessing is slowed down");

        // A new browser waits, however right its password…
        let stranger = login(&addr, "staff-user", common::people::PASSWORD, &[]);
        assert_eq!(stranger.status, 429, "{kind:?}: {}", stranger.text());
        assert!(stranger.header("retry-after").is_some());
        assert!(stranger.json()["message_en"]
            .as_str()
            .unwrap()
            .contains("try again in"));
        // …but the owner's browser signs in while the guessing goes on.
        let owner = login(
            &addr,
            "staff-user",
            common::people::PASSWORD,
            &[("Cookie", &device)],
        );
        assert_eq!(owner.status, 200, "{kind:?}: {}", owner.text());
    }
}

#[test]
fn the_way_back_after_a_language_switch_or_sign_in_stays_on_this_site() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, false);
        for next in [
            "/%09/evil.example",
            "/%0a/evil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "https://evil.example",
        ] {
            let switched = get(&server.addr, &format!("/lang/ja?next={next}"), None);
            assert_eq!(switched.status, 303);
            assert_eq!(switched.header("location"), Some("/"), "{kind:?} {next}");
            let body = format!(
                "name=staff-user&password={}&next={next}",
                common::people::PASSWORD.replace(' ', "+")
            );
            let signed_in = request(
                &server.addr,
                "POST",
                "/login",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                body.as_bytes(),
            );
            assert_eq!(signed_in.status, 303, "{next}: {}", signed_in.text());
            assert_eq!(signed_in.header("location"), Some("/"), "{kind:?} {next}");
        }
    }
}

#[test]
fn a_live_stream_ends_with_its_session() {
    use common::http::EventStream;
    use std::time::Duration;
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        common::people::add_user(&db, "reporter-2", "reporter");
        let server = Server::start(&db, true);
        let addr = &server.addr;
        let admin = sign_in(addr, "admin-user");

        // Signing out closes the stream the session opened.
        let staff = sign_in(addr, "staff-user");
        let mut stream = EventStream::open(addr, &staff, Some(133));
        assert_eq!(
            request(addr, "POST", "/api/logout", &[("Cookie", &staff)], b"").status,
            200
        );
        let (closed, _) = stream.wait_closed(Duration::from_secs(10));
        assert!(closed, "{kind:?}: the stream ended with the sign-out");

        // An administrator disabling someone closes theirs.
        let reporter = sign_in(addr, "reporter-user");
        let mut stream = EventStream::open(addr, &reporter, Some(133));
        let disabled = request(
            addr,
            "POST",
            "/api/users/reporter-user/disable",
            &[("Cookie", &admin)],
            b"",
        );
        assert_eq!(disabled.status, 200, "{}", disabled.text());
        assert!(
            stream.wait_closed(Duration::from_secs(10)).0,
            "{kind:?}: closed on disabling"
        );

        // So does `spiral user disable`, another process, within the periodic check; and no
        // event recorded after that reaches it.
        let other = sign_in(addr, "reporter-2");
        let mut stream = EventStream::open(addr, &other, Some(133));
        common::spiral(&db, &["user", "disable", "reporter-2"]).ok();
        let auditor = sign_in(addr, "auditor-user");
        let (closed, _) = stream.wait_closed(Duration::from_secs(15));
        assert!(closed, "{kind:?}: closed after the CLI disabled the person");
        assert_eq!(
            get(addr, "/api/me", Some(&auditor)).status,
            200,
            "others stay signed in"
        );

        // A session past its lifetime, or idle too long, closes its stream too.
        let rt = tokio::runtime::Runtime::new().unwrap();
        for column in ["expires_at", "last_seen_at"] {
            let auditor = sign_in(addr, "auditor-user");
            let mut stream = EventStream::open(addr, &auditor, Some(133));
            rt.block_on(db.sql(&format!(
                "UPDATE sessions SET {column} = '2000-01-01T00:00:00.000000Z' WHERE user_name = 'auditor-user'"
            )));
            let (closed, _) = stream.wait_closed(Duration::from_secs(15));
            assert!(closed, "{kind:?}: closed once {column} passed");
            assert_eq!(get(addr, "/api/me", Some(&auditor)).status, 401);
        }
    }
}

#[test]
fn expired_sessions_are_purged() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        // The server's own purge, every second here (every ten minutes by default).
        let server = Server::start_with(&db, false, &["--purge-sessions-every", "1"]);
        let kept = sign_in(&server.addr, "staff-user");
        sign_in(&server.addr, "auditor-user");
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(db.sql(
            "UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE user_name = 'auditor-user'",
        ));
        let left = rt.block_on(async {
            let log = server::store::EventLog::open(&db.url).await.unwrap();
            let mut left = Vec::new();
            for _ in 0..100 {
                left = sqlx::query_scalar::<_, String>("SELECT user_name FROM sessions")
                    .fetch_all(log.pool())
                    .await
                    .unwrap();
                if left.len() == 1 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            log.close().await;
            left
        });
        assert_eq!(
            left,
            ["staff-user"],
            "{kind:?}: the server purged the expired session and kept the current one"
        );
        assert_eq!(get(&server.addr, "/api/me", Some(&kept)).status, 200);
    }
}

#[test]
fn people_change_their_password_admins_reset_one_and_re_enable_people() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, false);
        let addr = &server.addr;
        let here = sign_in(addr, "staff-user");
        let elsewhere = sign_in(addr, "staff-user");
        let change = |current: &str, new: &str| {
            let body = serde_json::json!({ "current": current, "new": new }).to_string();
            post_json(addr, "/api/me/password", Some(&here), &body)
        };
        assert_eq!(change("not my password", "a brand new passphrase").status, 403);
        assert_eq!(change(common::people::PASSWORD, "short").status, 422);
        let changed = change(common::people::PASSWORD, "a brand new passphrase");
        assert_eq!(changed.status, 200, "{kind:?}: {}", changed.text());
        assert_eq!(
            get(addr, "/api/me", Some(&here)).status,
            200,
            "this session stays"
        );
        assert_eq!(
            get(addr, "/api/me", Some(&elsewhere)).status,
            401,
            "the others end"
        );
        assert_eq!(
            login(addr, "staff-user", common::people::PASSWORD, &[]).status,
            401
        );
        assert_eq!(
            login(addr, "staff-user", "a brand new passphrase", &[]).status,
            200
        );

        // An administrator resets a forgotten password: every session of the person ends.
        let admin = sign_in(addr, "admin-user");
        let reset = post_json(
            addr,
            "/api/users/staff-user/password",
            Some(&admin),
            r#"{"password":"handed over in person"}"#,
        );
        assert_eq!(reset.status, 200, "{}", reset.text());
        assert_eq!(get(addr, "/api/me", Some(&here)).status, 401);
        assert_eq!(
            login(addr, "staff-user", "handed over in person", &[]).status,
            200
        );
        // Staff may not reset anyone's.
        let staff = sign_in_with(addr, "staff-user", "handed over in person");
        let refused = post_json(
            addr,
            "/api/users/auditor-user/password",
            Some(&staff),
            r#"{"password":"0123456789ab"}"#,
        );
        assert_eq!(refused.status, 403);

        // Disabled, then enabled again: the person signs in with the password they had.
        assert_eq!(
            request(
                addr,
                "POST",
                "/api/users/auditor-user/disable",
                &[("Cookie", &admin)],
                b""
            )
            .status,
            200
        );
        assert_eq!(
            login(addr, "auditor-user", common::people::PASSWORD, &[]).status,
            401
        );
        assert_eq!(
            request(
                addr,
                "POST",
                "/api/users/auditor-user/enable",
                &[("Cookie", &admin)],
                b""
            )
            .status,
            200
        );
        assert_eq!(
            login(addr, "auditor-user", common::people::PASSWORD, &[]).status,
            200
        );
        assert_eq!(
            request(
                addr,
                "POST",
                "/api/users/nobody/enable",
                &[("Cookie", &admin)],
                b""
            )
            .status,
            404
        );
    }
}

fn sign_in_with(addr: &str, name: &str, password: &str) -> String {
    let response = login(addr, name, password, &[]);
    assert_eq!(response.status, 200, "{}", response.text());
    response.cookie().unwrap()
}

/// Rewrites the payload of event `position` in the database and recomputes every later hash
/// and the head, as someone with database access who knows the format would; then deletes the
/// kept checkpoints.
async fn rechain_behind_the_servers_back(db: &TestDb, position: usize) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let export = export(db);
    let mut prev = domain::chain::GENESIS;
    for (i, line) in export.lines().enumerate() {
        let mut row = server::interchange::parse_line(line).unwrap();
        if i + 1 == position {
            row.payload = row.payload.replacen("浜松市", "浜松県", 1);
        }
        row.hash = row.expected_hash(&prev);
        prev = row.hash;
        if i + 1 >= position {
            sqlx::query("UPDATE events SET payload = $1, hash = $2 WHERE position = $3")
                .bind(&row.payload)
                .bind(hex::encode(row.hash))
                .bind(row.position as i64)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
    sqlx::query("UPDATE ledger_head SET hash = $1")
        .bind(hex::encode(prev))
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM checkpoints")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[test]
fn a_rechained_ledger_is_never_signed() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let auditor = sign_in(&server.addr, "auditor-user");
        let first = get(&server.addr, "/api/checkpoint", Some(&auditor));
        assert_eq!(first.status, 200, "{kind:?}: {}", first.text());
        assert_eq!(common::spiral(&db, &["verify"]).ok().code, 0);

        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(rechain_behind_the_servers_back(&db, 8));
        // The chain alone now looks valid…
        assert_eq!(
            get(&server.addr, "/api/verify", Some(&auditor)).json()["valid"],
            true
        );
        // …but the server will not vouch for it, and says why.
        for path in [
            "/api/checkpoint",
            "/api/proofs/event/1",
            "/api/proofs/consistency?old=10",
        ] {
            let refused = get(&server.addr, path, Some(&auditor));
            assert_eq!(refused.status, 409, "{kind:?} {path}: {}", refused.text());
            let message = refused.json()["message_en"].as_str().unwrap().to_owned();
            assert!(
                message.contains("first 133 events are not the ones this server signed"),
                "{message}"
            );
        }
        // `spiral verify` knows it too (the checkpoint file beside the key).
        let verified = common::spiral(&db, &["verify"]);
        assert_eq!(
            verified.code, 1,
            "{kind:?}: {} {}",
            verified.stdout, verified.stderr
        );
        assert!(
            verified.stdout.contains("history was rewritten"),
            "{}",
            verified.stdout
        );
    }
}

fn record(
    addr: &str,
    staff: &str,
    on: &str,
    fact: serde_json::Value,
    key: Option<&str>,
) -> common::http::Response {
    let body =
        serde_json::json!({ "command": { "Record": { "on": on, "note": null, "fact": fact } } }).to_string();
    let mut headers = vec![("Content-Type", "application/json"), ("Cookie", staff)];
    if let Some(key) = key {
        headers.push(("Idempotency-Key", key));
    }
    request(addr, "POST", "/api/commands", &headers, body.as_bytes())
}

#[test]
fn a_name_that_is_a_formula_reaches_excel_as_text() {
    // Names cannot hold a tab or CR at all (control characters are refused), so these are the
    // starts of a formula a name can have.
    let formulas = [
        r#"=HYPERLINK("http://evil.example","請求書")"#,
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
    ];
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let (addr, staff) = (&server.addr, sign_in(&server.addr, "staff-user"));
        for (i, formula) in formulas.iter().enumerate() {
            let ok = record(
                addr,
                &staff,
                "2020-04-01",
                serde_json::json!({ "PartnerRegistered": {
                "partner": format!("evil-{i}"), "name": formula, "kind": "Foundation", "parent": null } }),
                None,
            );
            assert_eq!(ok.status, 200, "{}", ok.text());
            let ok = record(
                addr,
                &staff,
                "2020-05-01",
                serde_json::json!({ "FundsReceived": {
                "receipt": format!("g-2020-{i}"), "kind": "Grant", "payer": { "Partner": format!("evil-{i}") },
                "amount": 100000, "fiscal_year": 2020, "program": null, "restricted": false } }),
                None,
            );
            assert_eq!(ok.status, 200, "{}", ok.text());
        }
        let reporter = sign_in(addr, "reporter-user");
        let csv = get(addr, "/api/reports/funding?from=2020&format=csv", Some(&reporter));
        assert_eq!(csv.status, 200);
        let text = csv.text();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let cells: Vec<String> = reader
            .records()
            .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        for formula in formulas {
            assert!(
                cells.iter().any(|c| c == &format!("'{formula}")),
                "{kind:?} {formula}: {text}"
            );
        }
        assert!(
            !cells
                .iter()
                .any(|c| c.starts_with(['=', '+', '@']) || (c.starts_with('-') && c.parse::<i64>().is_err())),
            "{kind:?}: no cell starts a formula: {text}"
        );
        assert!(
            cells.iter().any(|c| c == "100000"),
            "{kind:?}: amounts stay numbers: {text}"
        );
    }
}

#[test]
fn a_command_sent_again_under_its_id_is_stored_once() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let (addr, staff) = (&server.addr, sign_in(&server.addr, "staff-user"));
        let grant = serde_json::json!({ "FundsReceived": { "receipt": "g-2021", "kind": "Grant",
            "payer": "Anonymous", "amount": 300000, "fiscal_year": 2021, "program": null, "restricted": true } });
        assert_eq!(record(addr, &staff, "2021-04-10", grant, None).status, 200);
        let spent = serde_json::json!({ "FundsSpent": { "receipt": "g-2021", "fiscal_year": 2021, "amount": 100000 } });
        let key = "0d8f6a4e-3c1b-4e7a-9b2d-5f6e7a8b9c0d";
        let first = record(addr, &staff, "2022-03-01", spent.clone(), Some(key));
        assert_eq!(first.status, 200, "{kind:?}: {}", first.text());
        assert!(first.header("idempotent-replayed").is_none());
        let before = export(&db);
        // The reply was lost; the form sends the same command again, twice, and once more after
        // a restart.
        let again = record(addr, &staff, "2022-03-01", spent.clone(), Some(key));
        assert_eq!(again.status, 200, "{kind:?}: {}", again.text());
        assert_eq!(again.json(), first.json(), "{kind:?}: the first outcome");
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        drop(server);
        let server = Server::start(&db, false);
        let staff = sign_in(&server.addr, "staff-user");
        let after_restart = record(&server.addr, &staff, "2022-03-01", spent.clone(), Some(key));
        assert_eq!(after_restart.json(), first.json(), "{kind:?}: across a restart");
        assert_eq!(export(&db), before, "{kind:?}: nothing stored twice");
        // The same id for a different command is refused; a new id records a new command.
        let other =
            serde_json::json!({ "FundsSpent": { "receipt": "g-2021", "fiscal_year": 2021, "amount": 5000 } });
        let reused = record(&server.addr, &staff, "2022-03-01", other.clone(), Some(key));
        assert_eq!(reused.status, 422, "{kind:?}: {}", reused.text());
        assert!(reused.text().contains("already used for a different command"));
        assert_eq!(
            record(&server.addr, &staff, "2022-03-01", other, Some("another-id")).status,
            200
        );
        assert_eq!(
            record(&server.addr, &staff, "2022-03-01", spent, Some("bad id!")).status,
            400
        );
    }
}

#[test]
fn verify_on_a_busy_server_reports_the_ledger_valid() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let (addr, staff) = (server.addr.clone(), sign_in(&server.addr, "staff-user"));
        let auditor = sign_in(&addr, "auditor-user");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (addr, staff, stop) = (addr.clone(), staff.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut i = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let fact = serde_json::json!({ "PartnerRegistered": {
                            "partner": format!("busy-{w}-{i}"), "name": "部署", "kind": "Department", "parent": null } });
                        assert_eq!(record(&addr, &staff, "2020-04-01", fact, None).status, 200);
                        i += 1;
                    }
                    i
                })
            })
            .collect();
        for _ in 0..15 {
            let verdict = get(&addr, "/api/verify", Some(&auditor));
            assert_eq!(verdict.status, 200, "{kind:?}: {}", verdict.text());
            assert_eq!(verdict.json()["valid"], true, "{kind:?}: {}", verdict.text());
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let written: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
        assert!(written > 0);
    }
}

#[test]
fn a_server_killed_under_load_keeps_every_acknowledged_command_once() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let (addr, staff) = (server.addr.clone(), sign_in(&server.addr, "staff-user"));
        let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let (addr, staff, acknowledged, stop) = (addr.clone(), staff.clone(), acknowledged.clone(), stop.clone());
                std::thread::spawn(move || {
                    for i in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        let id = format!("crash-{w}-{i}");
                        let fact = serde_json::json!({ "PartnerRegistered": {
                            "partner": id, "name": "部署", "kind": "Department", "parent": null } });
                        let body = serde_json::json!({ "command": { "Record": { "on": "2020-04-01", "note": null, "fact": fact } } }).to_string();
                        // A request the killed server never answers is simply not acknowledged.
                        let Ok(status) = std::panic::catch_unwind(|| {
                            request(&addr, "POST", "/api/commands", &[("Content-Type", "application/json"), ("Cookie", &staff)], body.as_bytes()).status
                        }) else {
                            return;
                        };
                        if status == 200 {
                            acknowledged.lock().unwrap().push(id);
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            let _ = w.join();
        }
        let acknowledged = acknowledged.lock().unwrap().clone();
        assert!(
            acknowledged.len() > 10,
            "{kind:?}: load before the kill ({})",
            acknowledged.len()
        );

        let restarted = Server::start(&db, false);
        let verified = common::spiral(&db, &["verify"]);
        assert_eq!(verified.code, 0, "{kind:?}: {}", verified.stdout);
        let export = export(&db);
        for id in &acknowledged {
            let needle = format!("\"partner\":\"{id}\"");
            assert_eq!(
                export.matches(&needle).count(),
                1,
                "{kind:?}: {id} stored exactly once"
            );
        }
        let staff = sign_in(&restarted.addr, "staff-user");
        let fact = serde_json::json!({ "PartnerRegistered": { "partner": "after-restart", "name": "部署", "kind": "Department", "parent": null } });
        assert_eq!(
            record(&restarted.addr, &staff, "2020-04-01", fact, None).status,
            200,
            "{kind:?}: writes go on"
        );
    }
}

#[test]
fn a_database_that_goes_away_gives_503s_and_the_server_recovers_by_itself() {
    use common::http::EventStream;
    use std::time::Duration;
    let db = TestDb::new(common::Kind::Postgres);
    add_users(&db);
    let mut server = Server::start_with(&db, true, &["--checkpoint-every", "1"]);
    let addr = server.addr.clone();
    let staff = sign_in(&addr, "staff-user");
    let auditor = sign_in(&addr, "auditor-user");
    let mut stream = EventStream::open(&addr, &auditor, Some(133));
    let name = db.url.rsplit('/').next().unwrap().to_owned();
    let admin = |sql: String| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&common::pg_admin_url()).await.unwrap();
            sqlx::query(&sql).execute(&pool).await.unwrap();
            pool.close().await;
        })
    };
    let checkpoints = || {
        get(&addr, "/api/checkpoints", Some(&auditor))
            .json()
            .as_array()
            .map_or(0, Vec::len)
    };

    // The database refuses connections and drops the ones it had.
    admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"));
    admin(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    let grant = serde_json::json!({ "PartnerRegistered": { "partner": "during-outage", "name": "部署", "kind": "Department", "parent": null } });
    for (what, status) in [
        ("health", get(&addr, "/api/health", None).status),
        ("programs", get(&addr, "/api/programs", Some(&staff)).status),
        ("a page", get(&addr, "/programs", Some(&staff)).status),
        (
            "a command",
            record(&addr, &staff, "2020-04-01", grant.clone(), None).status,
        ),
    ] {
        assert_eq!(status, 503, "{what} during the outage");
    }
    assert!(server.alive(), "no crash");

    // Back again: no restart needed.
    admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    let mut healthy = false;
    for _ in 0..40 {
        if get(&addr, "/api/health", None).status == 200 {
            healthy = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(healthy, "the server recovered by itself");
    let signed_before = checkpoints();
    let after = serde_json::json!({ "PartnerRegistered": { "partner": "after-outage", "name": "部署", "kind": "Department", "parent": null } });
    let stored = record(&addr, &staff, "2020-04-01", after, None);
    assert_eq!(stored.status, 200, "{}", stored.text());
    let position = stored.json()["positions"][0].as_u64().unwrap();
    // The stream that was open all along delivers it: the live tail resumed.
    let events = stream.next_events(1, Duration::from_secs(10));
    assert_eq!(events.first().map(|e| e.id), Some(position), "{events:?}");
    // And the checkpoint schedule signs again.
    std::thread::sleep(Duration::from_millis(2500));
    assert!(checkpoints() > signed_before, "checkpoints resumed");
}

#[test]
fn over_a_limit_the_answer_is_clear_and_nothing_else_is_held_up() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let db = TestDb::new(common::Kind::Sqlite);
    add_users(&db);
    let server = Server::start(&db, true);
    let addr = &server.addr;
    let reader = sign_in(addr, "reporter-user");

    // A page larger than the log serves is refused, in both languages.
    let page = get(addr, "/api/events?limit=100001", Some(&reader));
    assert_eq!(page.status, 400);
    let body = page.json();
    assert!(
        body["message_en"].as_str().unwrap().contains("1 to 100000"),
        "{body}"
    );
    assert!(!body["message"].as_str().unwrap().is_empty());
    assert_eq!(
        get(addr, "/api/events?after=9223372036854775808", Some(&reader)).status,
        400
    );

    // One session may hold 8 live streams; the 9th is refused, and others still get theirs.
    let streams: Vec<_> = (0..8)
        .map(|_| common::http::EventStream::open(addr, &reader, Some(133)))
        .collect();
    let ninth = get(addr, "/api/events/stream?after=133", Some(&reader));
    assert_eq!(ninth.status, 429, "{}", ninth.text());
    assert!(ninth.json()["message_en"]
        .as_str()
        .unwrap()
        .contains("live streams open"));
    let staff = sign_in(addr, "staff-user");
    drop(common::http::EventStream::open(addr, &staff, Some(133)));
    drop(streams);

    // A client that sends half a request head and stops (slowloris) is cut off, while
    // everyone else is served meanwhile.
    let mut slow = std::net::TcpStream::connect(addr).unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    assert_eq!(get(addr, "/api/health", None).status, 200);
    let started = Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(19),
        "the server closed the slow connection instead of waiting for it"
    );
}

/// The status line a live stream's request gets, read without waiting for a body that, for an
/// open stream, never ends; the connection is returned so the stream stays open while held.
fn stream_status(addr: &str, cookie: &str) -> (u16, std::net::TcpStream) {
    use std::io::{BufRead, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .write_all(
            format!("GET /api/events/stream HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n").as_bytes(),
        )
        .unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut status = String::new();
    std::io::BufReader::new(stream.try_clone().unwrap())
        .read_line(&mut status)
        .unwrap();
    (
        status.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0),
        stream,
    )
}

/// The bounds an operator sets on connections, live streams in all and whole-ledger reads:
/// over each, a clear refusal; under it again, service as before.
#[test]
fn the_operators_bounds_on_connections_streams_and_ledger_reads_hold() {
    use std::io::{Read, Write};
    use std::time::Duration;
    let db = TestDb::new(common::Kind::Sqlite);
    // A ledger big enough that verifying it takes a noticeable while.
    common::spiral(&db, &["demo", "--example", "--events", "30000"]).ok();
    add_users(&db);

    // Connections: four held open (sending nothing yet) fill the bound; a fifth is closed as
    // it arrives; when the four go, requests are served again.
    let server = Server::start_with(&db, false, &["--max-connections", "4"]);
    let addr = server.addr.clone();
    // Nothing else is sent first: a finished request's connection may still hold its place for
    // a moment, which would leave one of the four below refused and the fifth served.
    let held: Vec<_> = (0..4)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut fifth = std::net::TcpStream::connect(&addr).unwrap();
    fifth.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = fifth.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut reply = Vec::new();
    let _ = fifth.read_to_end(&mut reply);
    assert!(
        reply.is_empty(),
        "a connection over the bound was served: {}",
        String::from_utf8_lossy(&reply)
    );
    drop(held);
    let served = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        std::panic::catch_unwind(|| get(&addr, "/api/health", None).status == 200).unwrap_or(false)
    });
    assert!(
        served,
        "connections were not served again once the held ones closed"
    );
    server.stop();

    let server = Server::start_with(&db, false, &["--max-streams", "2", "--max-ledger-reads", "1"]);
    let addr = &server.addr;
    let staff = sign_in(addr, "staff-user");
    let reporter = sign_in(addr, "reporter-user");
    let auditor = sign_in(addr, "auditor-user");

    // Live streams in all: two are open (from two people); a third person's is refused with a
    // 503 in both languages, and once one closes, the third person's opens.
    let (status, first) = stream_status(addr, &staff);
    assert_eq!(status, 200);
    let (status, second) = stream_status(addr, &reporter);
    assert_eq!(status, 200);
    let third = get(addr, "/api/events/stream", Some(&auditor));
    assert_eq!(third.status, 503, "{}", third.text());
    let body = third.json();
    assert!(
        body["message_en"]
            .as_str()
            .unwrap()
            .contains("too many live streams"),
        "{body}"
    );
    assert!(!body["message"].as_str().unwrap().is_empty());
    drop(first);
    let reopened = (0..50).find_map(|_| {
        std::thread::sleep(Duration::from_millis(100));
        let (status, stream) = stream_status(addr, &auditor);
        (status != 503).then_some((status, stream))
    });
    assert_eq!(
        reopened.as_ref().map(|(status, _)| *status),
        Some(200),
        "a closed stream's place was not given back"
    );
    drop((second, reopened));

    // Whole-ledger reads: with one allowed at a time, verifications sent together get one
    // answer computed and the rest a 503 at once; health answers meanwhile.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
    let verifications: Vec<_> = (0..6)
        .map(|_| {
            let (addr, auditor, barrier) = (addr.clone(), auditor.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                get(&addr, "/api/verify", Some(&auditor))
            })
        })
        .collect();
    assert_eq!(get(addr, "/api/health", None).status, 200);
    let answers: Vec<_> = verifications.into_iter().map(|t| t.join().unwrap()).collect();
    let busy: Vec<_> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(
        answers
            .iter()
            .any(|a| a.status == 200 && a.json()["valid"] == true),
        "no verification was answered"
    );
    assert!(!busy.is_empty(), "six verifications at once were all computed");
    assert!(busy.iter().all(|a| a.json()["message_en"]
        .as_str()
        .unwrap()
        .contains("busy reading the ledger")));
    // Once they are done, the next is answered.
    assert_eq!(get(addr, "/api/verify", Some(&auditor)).status, 200);
}

#[test]
fn served_over_https_the_cookies_are_secure_and_only_the_public_origin_may_change_state() {
    let db = TestDb::new(common::Kind::Sqlite);
    add_users(&db);
    let server = Server::start_with(
        &db,
        false,
        &["--public-url", "https://spiral.example.org", "--behind-proxy"],
    );
    let addr = &server.addr;
    let body = serde_json::json!({ "name": "staff-user", "password": common::people::PASSWORD }).to_string();
    let signed_in = request(
        addr,
        "POST",
        "/api/login",
        &[
            ("Content-Type", "application/json"),
            ("Origin", "https://spiral.example.org"),
        ],
        body.as_bytes(),
    );
    assert_eq!(signed_in.status, 200, "{}", signed_in.text());
    let cookies: Vec<&str> = signed_in
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("__Host-spiral_session=")),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .all(|c| c.contains("; Secure") && c.contains("HttpOnly") && c.contains("Path=/")),
        "{cookies:?}"
    );
    assert!(signed_in.header("strict-transport-security").is_some());
    let session = set_cookies(&signed_in)
        .into_iter()
        .find(|c| c.starts_with("__Host-spiral_session="))
        .unwrap();
    assert_eq!(get(addr, "/api/me", Some(&session)).status, 200);
    // The plain cookie name means nothing here.
    let plain = session.replacen("__Host-", "", 1);
    assert_eq!(get(addr, "/api/me", Some(&plain)).status, 401);
    // A state change from another origin, even one naming this host, is refused.
    let forged = request(
        addr,
        "POST",
        "/api/logout",
        &[("Cookie", &session), ("Origin", &format!("http://{addr}"))],
        b"",
    );
    assert_eq!(forged.status, 403, "{}", forged.text());
    assert_eq!(
        get(addr, "/api/me", Some(&session)).status,
        200,
        "still signed in"
    );
}

#[test]
fn a_person_cannot_be_named_to_look_like_someone_else() {
    // Bidirectional overrides, zero-width characters and controls would let a name read as
    // another person's in the audit log; every way of naming a person refuses them.
    let spoofs = [
        "staff\u{202E}resu-",
        "staff\u{200B}-user",
        "staff-user\u{2066}",
        "staff\u{0007}user",
        "staff\u{FEFF}user",
    ];
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, false);
        let admin = sign_in(&server.addr, "admin-user");
        for name in spoofs {
            let body =
                serde_json::json!({ "name": name, "role": "staff", "password": common::people::PASSWORD })
                    .to_string();
            let answer = post_json(&server.addr, "/api/users", Some(&admin), &body);
            assert!(
                [400, 422].contains(&answer.status),
                "{kind:?} {name:?}: {} {}",
                answer.status,
                answer.text()
            );
            assert!(answer.json()["message_en"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
            let cli = common::spiral_with_input(
                &db,
                &["user", "add", name, "--role", "staff"],
                &format!("{}\n", common::people::PASSWORD),
            );
            assert!(
                cli.code != 0 && !cli.stderr.is_empty(),
                "{kind:?} {name:?}: the CLI refuses it too, saying why"
            );
        }
        let listed = get(&server.addr, "/api/users", Some(&admin)).json();
        let names: Vec<&str> = listed
            .as_array()
            .expect("a list of people")
            .iter()
            .filter_map(|u| u["name"].as_str())
            .collect();
        for name in spoofs {
            assert!(!names.contains(&name), "{kind:?}: {name:?} was stored");
        }
    }
}

#[test]
fn requests_beyond_the_bound_in_flight_or_in_time_get_a_clear_503() {
    use std::io::Write;
    // Requests that sent their head and only part of their body stay in flight, holding a slot.
    let hold = |addr: &str, cookie: &str| {
        let mut socket = std::net::TcpStream::connect(addr).unwrap();
        write!(
            socket,
            "POST /api/commands HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
             Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"command\":"
        )
        .unwrap();
        socket
    };
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start_with(&db, true, &["--max-in-flight", "2", "--request-timeout", "3"]);
        let addr = &server.addr;
        let staff = sign_in(addr, "staff-user");
        let held: Vec<_> = (0..2).map(|_| hold(addr, &staff)).collect();
        // Let both reach the server before the third asks.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let busy = get(addr, "/api/programs", Some(&staff));
        assert_eq!(busy.status, 503, "{kind:?}: {}", busy.text());
        // Health is exempt, so a loaded server still says it is up.
        assert_eq!(get(addr, "/api/health", None).status, 200);
        let body = busy.json();
        assert!(
            body["message_en"]
                .as_str()
                .unwrap()
                .contains("too many requests at once"),
            "{body}"
        );
        assert!(!body["message"].as_str().unwrap().is_empty());
        // A request that never finishes sending is answered when its time is up, and frees its slot.
        let mut reader = std::io::BufReader::new(held.into_iter().next().unwrap());
        let mut status_line = String::new();
        std::io::BufRead::read_line(&mut reader, &mut status_line).unwrap();
        assert!(status_line.contains(" 503 "), "{kind:?}: {status_line}");
        drop(reader);
        assert_eq!(
            get(addr, "/api/programs", Some(&staff)).status,
            200,
            "{kind:?}: served again"
        );
        assert_eq!(export(&db).lines().count(), 133, "{kind:?}: nothing recorded");
    }
}
