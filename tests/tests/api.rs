//! The JSON API and the live stream, against `spiral serve` as a real process on SQLite and on
//! PostgreSQL: roles on every endpoint, commands with the actor from the session, every kind of
//! bad input refused without changing the log, the stream with Last-Event-ID, sessions across a
//! restart, and a disabled user's session ending.

mod common;

use common::http::{get, post_json, request, EventStream};
use common::people::{add_users, export, sign_in, PASSWORD, ROLES};
use common::server::Server;
use common::{spiral, spiral_with_input, TestDb, BOTH};
use std::time::Duration;

fn partner_command(id: &str) -> String {
    serde_json::json!({
        "command": { "Record": { "on": "2020-04-01", "fact": { "PartnerRegistered": {
            "partner": id, "name": "テスト課", "kind": "Department", "parent": null } } } }
    })
    .to_string()
}

#[test]
fn every_endpoint_checks_the_role_on_the_server() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let addr = &server.addr;
        let cookies: Vec<(&str, String)> = ROLES
            .iter()
            .map(|r| (*r, sign_in(addr, &format!("{r}-user"))))
            .collect();
        let readers = ["staff", "auditor", "reporter"];
        let gets: Vec<(&str, Vec<&str>)> = vec![
            ("/api/me", ROLES.to_vec()),
            ("/api/programs", readers.to_vec()),
            ("/api/partners", readers.to_vec()),
            ("/api/timeline", readers.to_vec()),
            ("/api/state?as_of=2005-12-31", readers.to_vec()),
            ("/api/history/program:pocket-kobo", readers.to_vec()),
            ("/api/events?after=0&limit=5", readers.to_vec()),
            ("/api/verify", vec!["auditor"]),
            ("/api/checkpoint", vec!["auditor"]),
            ("/api/checkpoints", vec!["auditor"]),
            ("/api/proofs/event/5", vec!["auditor"]),
            ("/api/proofs/consistency?old=10", vec!["auditor"]),
            ("/api/reports/funding?from=2010", readers.to_vec()),
            ("/api/reports/pst?period=2010-2014", readers.to_vec()),
            ("/api/reports/track-record", readers.to_vec()),
            ("/api/reports/funder?partner=shizuoka-pref", readers.to_vec()),
            ("/api/reports/activity?fiscal_year=2014", readers.to_vec()),
            ("/api/users", vec!["admin"]),
        ];
        for (path, allowed) in &gets {
            assert_eq!(
                get(addr, path, None).status,
                401,
                "{kind:?} {path} without a session"
            );
            for (role, cookie) in &cookies {
                let status = get(addr, path, Some(cookie)).status;
                let expected = if allowed.contains(role) { 200 } else { 403 };
                assert_eq!(status, expected, "{kind:?} {path} as {role}");
            }
        }
        // State-changing endpoints.
        assert_eq!(
            post_json(addr, "/api/commands", None, &partner_command("p-none")).status,
            401
        );
        for (i, (role, cookie)) in cookies.iter().enumerate() {
            let status = post_json(
                addr,
                "/api/commands",
                Some(cookie),
                &partner_command(&format!("p-{i}")),
            )
            .status;
            assert_eq!(
                status,
                if *role == "staff" { 200 } else { 403 },
                "{kind:?} commands as {role}"
            );
            let new_user =
                serde_json::json!({ "name": format!("new-{i}"), "role": "reporter", "password": PASSWORD })
                    .to_string();
            let status = post_json(addr, "/api/users", Some(cookie), &new_user).status;
            assert_eq!(
                status,
                if *role == "admin" { 201 } else { 403 },
                "{kind:?} users as {role}"
            );
        }
        assert_eq!(
            request(addr, "POST", "/api/users/new-3/disable", &[], b"").status,
            401
        );
        for (role, cookie) in &cookies {
            let status = request(
                addr,
                "POST",
                "/api/users/new-3/disable",
                &[("Cookie", cookie)],
                b"",
            )
            .status;
            assert_eq!(
                status,
                if *role == "admin" { 200 } else { 403 },
                "{kind:?} disable as {role}"
            );
        }
        // The live stream.
        assert_eq!(
            request(
                addr,
                "GET",
                "/api/events/stream?after=999999",
                &[("Cookie", &cookies[3].1)],
                b""
            )
            .status,
            403
        );
        assert_eq!(
            get(addr, "/api/health", None).status,
            200,
            "health needs no session"
        );
    }
}

#[test]
fn a_staff_command_is_logged_with_the_staff_member_as_actor() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let staff = sign_in(&server.addr, "staff-user");
        // The body names another actor: it is ignored, the session decides.
        let mut body: serde_json::Value = serde_json::from_str(&partner_command("kyodo-ka")).unwrap();
        body["actor"] = "mallory".into();
        let response = post_json(&server.addr, "/api/commands", Some(&staff), &body.to_string());
        assert_eq!(
            response.status,
            400,
            "{kind:?}: unknown fields are refused: {}",
            response.text()
        );
        let response = post_json(
            &server.addr,
            "/api/commands",
            Some(&staff),
            &partner_command("kyodo-ka"),
        );
        assert_eq!(response.status, 200, "{}", response.text());
        let outcome = response.json();
        assert_eq!(outcome["positions"], serde_json::json!([134]));
        assert_eq!(outcome["stream"], "partner:kyodo-ka");
        let log = get(&server.addr, "/api/events?after=133", Some(&staff)).json();
        assert_eq!(log[0]["position"], 134);
        assert_eq!(log[0]["metadata"]["actor"], "staff-user", "{kind:?}");
        // The browser's replay format decodes to the same event.
        let postcard = request(
            &server.addr,
            "GET",
            "/api/events?after=133",
            &[("Cookie", &staff), ("Accept", "application/x-postcard")],
            b"",
        );
        assert_eq!(postcard.header("content-type"), Some("application/x-postcard"));
        let decoded: Vec<domain::Recorded> = postcard::from_bytes(&postcard.body).expect("postcard log");
        assert_eq!(decoded.len(), 1);
        assert_eq!(decoded[0].meta.actor, "staff-user");
    }
}

#[test]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let addr = &server.addr;
        let staff = sign_in(addr, "staff-user");
        let before = export(&db);
        let cases: Vec<(String, u16, &str)> = vec![
            ("{not json".into(), 400, "JSON"),
            (r#"{"command": {"Launch": {}}}"#.into(), 400, "unknown variant `Launch`"),
            (format!(r#"{{"command": "{}"}}"#, "x".repeat(100_000)), 413, ""),
            // A second contract for the same program, commissioner and fiscal year.
            (
                serde_json::json!({ "command": { "Record": { "on": "2001-04-01", "fact": { "ContractAwarded": {
                    "program": "pc-course-west",
                    "contract": { "fiscal_year": 2001, "commissioners": ["shizuoka-disability-plan"], "scheme": null, "amount": null } } } } } })
                .to_string(),
                422,
                "already has a contract for 2001年度",
            ),
            // Decided against a version of the program the person no longer sees.
            (
                serde_json::json!({ "expected_version": 2, "command": { "Record": { "on": "2005-03-31", "fact": { "ProgramConcluded": { "program": "hs-guidance-2009" } } } } })
                .to_string(),
                409,
                "changed by someone else first",
            ),
        ];
        for (body, status, needle) in &cases {
            let response = post_json(addr, "/api/commands", Some(&staff), body);
            assert_eq!(response.status, *status, "{kind:?}: {}", response.text());
            if response.status != 413 {
                let body = response.json();
                assert!(
                    !body["message"].as_str().unwrap().is_empty(),
                    "a Japanese message too"
                );
                let message = body["message_en"].as_str().unwrap().to_owned();
                assert!(
                    message.contains(needle),
                    "{kind:?}: {needle:?} not in {message:?}"
                );
            }
        }
        // The rule's message reads in Japanese by default.
        let duplicate = post_json(addr, "/api/commands", Some(&staff), &cases[3].0).json();
        assert_eq!(
            duplicate["message"],
            "事業 pc-course-west には2001年度（平成13年度）のshizuoka-disability-planからの契約が既にあります"
        );
        // …and names the record form's field it is about, for the browser to show it there.
        assert_eq!(duplicate["field"], "fiscal_year");
        // The browser's forms send postcard; bytes that are not a command are refused as such.
        let garbage = request(
            addr,
            "POST",
            "/api/commands",
            &[("Content-Type", "application/x-postcard"), ("Cookie", &staff)],
            &[0xff, 0x00, 0x13],
        );
        assert_eq!(garbage.status, 400, "{kind:?}: {}", garbage.text());
        assert!(garbage.json()["message_en"]
            .as_str()
            .unwrap()
            .contains("not a postcard-encoded command"));
        // A cross-site form post is refused before it reaches the command.
        let forged = request(
            addr,
            "POST",
            "/api/commands",
            &[
                ("Cookie", &staff),
                ("Content-Type", "application/json"),
                ("Origin", "http://evil.example"),
            ],
            partner_command("forged").as_bytes(),
        );
        assert_eq!(forged.status, 403);
        assert_eq!(export(&db), before, "{kind:?}: nothing was appended");
    }
}

#[test]
fn the_stream_delivers_each_event_once_in_order_and_resumes_after_a_reconnect() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let addr = &server.addr;
        let staff = sign_in(addr, "staff-user");
        let auditor = sign_in(addr, "auditor-user");

        let mut stream = EventStream::open(addr, &auditor, None);
        let history = stream.next_events(133, Duration::from_secs(20));
        assert_eq!(
            history.iter().map(|e| e.id).collect::<Vec<_>>(),
            (1..=133).collect::<Vec<_>>(),
            "{kind:?}"
        );
        let first: serde_json::Value = serde_json::from_str(&history[0].data).unwrap();
        assert_eq!(first["position"], 1);

        assert_eq!(
            post_json(addr, "/api/commands", Some(&staff), &partner_command("live-1")).status,
            200
        );
        let live = stream.next_events(1, Duration::from_secs(10));
        assert_eq!(
            live.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![134],
            "{kind:?}: a new event arrives live"
        );
        drop(stream);

        // Two events while the client is away; it comes back with the last id it saw.
        for id in ["away-1", "away-2"] {
            assert_eq!(
                post_json(addr, "/api/commands", Some(&staff), &partner_command(id)).status,
                200
            );
        }
        let mut again = EventStream::open(addr, &auditor, Some(134));
        let missed = again.next_events(3, Duration::from_secs(3));
        assert_eq!(
            missed.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![135, 136],
            "{kind:?}: exactly the missed events"
        );
        assert!(missed[1].data.contains("away-2"));
    }
}

/// Several servers on one database: a command committed through one reaches the live streams
/// of the others. On PostgreSQL the commit's notification wakes them: the second server here
/// polls only once an hour, so the event can only arrive by the notification. On SQLite the
/// other server finds it by its poll (every second by default).
#[test]
fn a_commit_on_one_server_reaches_the_streams_of_the_others() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let first = Server::start(&db, true);
        let poll = if kind == common::Kind::Postgres {
            "3600"
        } else {
            "1"
        };
        let second = Server::start_with(&db, false, &["--poll-every", poll]);
        let third = Server::start_with(&db, false, &["--poll-every", poll]);
        // A session started on one server holds on the others (sessions live in the database).
        let staff = sign_in(&first.addr, "staff-user");
        let auditor = sign_in(&third.addr, "auditor-user");

        let mut on_second = EventStream::open(&second.addr, &auditor, Some(133));
        let mut on_third = EventStream::open(&third.addr, &staff, Some(133));
        assert_eq!(
            post_json(
                &first.addr,
                "/api/commands",
                Some(&staff),
                &partner_command("elsewhere-1")
            )
            .status,
            200
        );
        for (name, stream) in [("second", &mut on_second), ("third", &mut on_third)] {
            let live = stream.next_events(1, Duration::from_secs(20));
            assert_eq!(
                live.iter().map(|e| e.id).collect::<Vec<_>>(),
                vec![134],
                "{kind:?}: the {name} server's stream got the first server's commit"
            );
            assert!(live[0].data.contains("elsewhere-1"));
        }
        // And the other way round, through the third server: no server is special.
        assert_eq!(
            post_json(
                &third.addr,
                "/api/commands",
                Some(&auditor),
                &partner_command("x")
            )
            .status,
            403
        );
        assert_eq!(
            post_json(
                &third.addr,
                "/api/commands",
                Some(&staff),
                &partner_command("elsewhere-2")
            )
            .status,
            200
        );
        let live = on_second.next_events(1, Duration::from_secs(20));
        assert_eq!(
            live.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![135],
            "{kind:?}: the second server's stream got the third server's commit"
        );
        // Each server's projection follows too.
        let programs = get(&second.addr, "/api/partners", Some(&auditor));
        assert!(programs.text().contains("elsewhere-2"), "{kind:?}");
        // And so does the history its as-of answers fold (held in memory, not re-read).
        let before = get(&second.addr, "/api/state?as_of=2020-03-31", Some(&auditor)).text();
        let after = get(&second.addr, "/api/state?as_of=2020-04-01", Some(&auditor)).text();
        assert!(
            !before.contains("elsewhere-2") && after.contains("elsewhere-2"),
            "{kind:?}"
        );
    }
}

/// A notification lost on purpose: the database stops taking new connections, the listening
/// connections are cut, and a command is committed (through a connection already open) while no
/// one listens. The other server polls only once an hour, yet once the database takes
/// connections again its stream gets the event: listening again, it reads whatever was committed
/// while it was not.
#[test]
fn a_commit_whose_notification_was_lost_still_reaches_the_other_servers_stream() {
    let db = TestDb::new(common::Kind::Postgres);
    add_users(&db);
    let first = Server::start(&db, true);
    let second = Server::start_with(&db, false, &["--poll-every", "3600"]);
    let staff = sign_in(&first.addr, "staff-user");
    let auditor = sign_in(&second.addr, "auditor-user");
    let mut stream = EventStream::open(&second.addr, &auditor, Some(133));
    assert_eq!(
        post_json(
            &first.addr,
            "/api/commands",
            Some(&staff),
            &partner_command("heard-1")
        )
        .status,
        200
    );
    assert_eq!(
        stream.next_events(1, Duration::from_secs(20)).len(),
        1,
        "heard before the cut"
    );

    let name = db.url.rsplit('/').next().unwrap().to_owned();
    let admin = |sql: String| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let pool = sqlx::PgPool::connect(&common::pg_admin_url()).await.unwrap();
            sqlx::query(&sql).execute(&pool).await.unwrap();
            pool.close().await;
        });
    };
    admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"));
    admin(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND query LIKE 'LISTEN%'"
    ));
    std::thread::sleep(Duration::from_millis(300));
    let unheard = post_json(
        &first.addr,
        "/api/commands",
        Some(&staff),
        &partner_command("unheard-1"),
    );
    admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    assert_eq!(unheard.status, 200, "{}", unheard.text());
    let live = stream.next_events(1, Duration::from_secs(20));
    assert_eq!(
        live.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![135],
        "the event committed while no one listened arrived all the same"
    );
    assert!(live[0].data.contains("unheard-1"));
}

/// Of two servers on one PostgreSQL database, both told to sign a checkpoint every second, only
/// one signs (it holds the schedule's advisory lock); when it stops, the other takes over.
/// Each signs with a key of its own, so the kept checkpoints say who signed them.
#[test]
fn of_several_servers_one_signs_the_scheduled_checkpoints_and_another_takes_over() {
    let db = TestDb::new(common::Kind::Postgres);
    add_users(&db);
    let keys = [0, 1].map(|i| format!("{}-{i}", common::server::key_file(&db)));
    let every = ["--checkpoint-every", "1"];
    let first = Server::start_keyed(&db, &keys[0], true, &every);
    std::thread::sleep(Duration::from_millis(500));
    let second = Server::start_keyed(&db, &keys[1], false, &every);
    let signers = |db: &TestDb| -> Vec<(u64, String)> {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let log = server::store::EventLog::open(&db.url).await.unwrap();
            let texts = server::audit::recorded_checkpoints(&log).await.unwrap();
            log.close().await;
            texts
                .iter()
                .map(|t| {
                    let cp = domain::checkpoint::Checkpoint::parse(t).unwrap();
                    (cp.size, hex::encode(cp.key))
                })
                .collect()
        })
    };
    let key_of = |path: &str| {
        spiral(&db, &["--key-file", path, "key", "show"])
            .ok()
            .stdout
            .trim()
            .to_owned()
    };
    let (first_key, second_key) = (key_of(&keys[0]), key_of(&keys[1]));
    assert_ne!(first_key, second_key);

    let staff = sign_in(&second.addr, "staff-user");
    for i in 0..4 {
        let command = partner_command(&format!("tick-{i}"));
        assert_eq!(
            post_json(&second.addr, "/api/commands", Some(&staff), &command).status,
            200
        );
        std::thread::sleep(Duration::from_millis(1300));
    }
    let before = signers(&db);
    assert!(
        before.len() >= 3,
        "checkpoints were signed each second: {before:?}"
    );
    assert!(
        before.iter().all(|(_, key)| *key == first_key),
        "only the first server signed: {before:?}"
    );

    first.stop();
    for i in 0..4 {
        let command = partner_command(&format!("after-{i}"));
        assert_eq!(
            post_json(&second.addr, "/api/commands", Some(&staff), &command).status,
            200
        );
        std::thread::sleep(Duration::from_millis(1300));
    }
    // Once the last command is signed for (the schedule's next tick after it).
    let mut after = signers(&db);
    for _ in 0..100 {
        if after.iter().any(|(size, _)| *size == 133 + 8) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        after = signers(&db);
    }
    let taken_over: Vec<_> = after.iter().filter(|(_, key)| *key == second_key).collect();
    assert!(
        taken_over.len() >= 2,
        "the second server signs once the first has stopped: {after:?}"
    );
    let last = after.iter().map(|(size, _)| *size).max();
    assert_eq!(last, Some(133 + 8), "the last checkpoint covers the last command");
}

/// The server's as-of and known-at answers, folded from the events it holds in memory, equal a
/// full replay from the store (`spiral state`, a fresh process), at every fiscal-year boundary
/// of the demo and at other dates, with a correction and a retraction in the ledger.
#[test]
fn answers_from_memory_equal_a_full_replay_from_the_store() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, true);
        let addr = &server.addr;
        let staff = sign_in(addr, "staff-user");
        let auditor = sign_in(addr, "auditor-user");
        let send = |body: serde_json::Value| {
            let answer = post_json(addr, "/api/commands", Some(&staff), &body.to_string());
            assert_eq!(answer.status, 200, "{kind:?}: {}", answer.text());
        };
        let registered = |id: &str, on: &str, name: &str| {
            serde_json::json!({ "command": { "Record": { "on": on, "fact": { "PartnerRegistered": {
                "partner": id, "name": name, "kind": "Department", "parent": null } } } } })
        };
        send(registered("moved", "2010-04-01", "旧名課"));
        // Known at this time: the registration, not yet its correction.
        let between = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        std::thread::sleep(Duration::from_millis(20));
        send(
            serde_json::json!({ "command": { "Correct": { "stream": "partner:moved", "target": 1,
            "on": "2012-04-01", "reason": "日付の誤り",
            "fact": { "PartnerRegistered": { "partner": "moved", "name": "新名課", "kind": "Department", "parent": null } } } } }),
        );
        send(registered("withdrawn", "2015-06-01", "取消課"));
        send(
            serde_json::json!({ "command": { "Retract": { "stream": "partner:withdrawn", "target": 1, "reason": "重複" } } }),
        );
        // Plain receipts (no program, unrestricted): a part's answer folds only its own years'
        // (the fold index), and a corrected one moves to another year.
        let receipt = |id: &str, year: i32, amount: i64| {
            serde_json::json!({ "FundsReceived": { "receipt": id, "kind": "Grant",
                "payer": { "Partner": "moved" }, "amount": amount, "fiscal_year": year,
                "program": null, "restricted": false } })
        };
        let record = |on: &str, fact: serde_json::Value| serde_json::json!({ "command": { "Record": { "on": on, "fact": fact } } });
        send(record("2015-06-01", receipt("gift-a", 2015, 1000)));
        send(record("2016-05-01", receipt("gift-b", 2016, 2000)));
        std::thread::sleep(Duration::from_millis(20));
        let before_move = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        std::thread::sleep(Duration::from_millis(20));
        send(
            serde_json::json!({ "command": { "Correct": { "stream": "receipt:gift-b", "target": 1,
            "on": "2017-05-01", "reason": "年度の誤り", "fact": receipt("gift-b", 2017, 2500) } } }),
        );

        let mut dates: Vec<String> = (2000..=2027)
            .flat_map(|y| [format!("{y}-03-31"), format!("{y}-04-01")])
            .collect();
        dates.extend(
            [
                "2003-07-15",
                "2011-01-01",
                "2012-03-31",
                "2015-06-01",
                "2019-12-31",
            ]
            .map(String::from),
        );
        for date in &dates {
            let api: serde_json::Value =
                get(addr, &format!("/api/state?as_of={date}"), Some(&auditor)).json();
            let cli: serde_json::Value =
                serde_json::from_str(&spiral(&db, &["state", "--as-of", date]).ok().stdout).unwrap();
            assert_eq!(api, cli, "{kind:?}: as of {date}");
        }
        // One part at a time, as the fold index answers it, equals the same from a full replay.
        let parts = [
            ("programs", None),
            ("partners", None),
            ("receipts", Some("2015")),
            ("receipts", Some("2016")),
            ("receipts", Some("2017")),
            ("money", Some("2017")),
        ];
        let views: Vec<(String, Vec<&str>)> = [
            "2012-04-01",
            "2015-06-01",
            "2016-03-31",
            "2017-04-01",
            "2018-01-01",
        ]
        .into_iter()
        .map(|d| (format!("as_of={d}"), vec!["--as-of", d]))
        .chain([&between, &before_move].map(|t| (format!("known_at={t}"), vec!["--known-at", t.as_str()])))
        .collect();
        for (query, args) in &views {
            for (part, year) in parts {
                let mut path = format!("/api/state?{query}&part={part}&limit=10000");
                let mut cli_args = vec!["state", "--part", part, "--limit", "10000"];
                cli_args.extend(args.iter().copied());
                if let Some(year) = year {
                    path.push_str(&format!("&fiscal_year={year}"));
                    cli_args.extend(["--fiscal-year", year]);
                }
                let api: serde_json::Value = get(addr, &path, Some(&auditor)).json();
                let cli: serde_json::Value =
                    serde_json::from_str(&spiral(&db, &cli_args).ok().stdout).unwrap();
                assert_eq!(api, cli, "{kind:?}: {path}");
            }
        }
        let in_2017 = |query: &str| -> Vec<serde_json::Value> {
            let path = format!("/api/state?{query}&part=receipts&fiscal_year=2017");
            get(addr, &path, Some(&auditor)).json()["items"]
                .as_array()
                .unwrap()
                .clone()
        };
        assert_eq!(
            in_2017("as_of=2018-01-01").len(),
            1,
            "{kind:?}: the corrected receipt moved to FY2017"
        );
        assert_eq!(
            in_2017(&format!("known_at={before_move}")).len(),
            0,
            "{kind:?}: not yet moved"
        );

        let path = format!("/api/state?known_at={between}");
        let api: serde_json::Value = get(addr, &path, Some(&auditor)).json();
        let cli: serde_json::Value =
            serde_json::from_str(&spiral(&db, &["state", "--known-at", &between]).ok().stdout).unwrap();
        assert_eq!(api, cli, "{kind:?}: as known at {between}");
        let moved = &api["partners"]["moved"];
        assert_eq!(
            moved["names"][0]["name"], "旧名課",
            "{kind:?}: before the correction: {moved}"
        );
        assert_eq!(moved["registered_on"], "2010-04-01", "{kind:?}");
        let now: serde_json::Value = get(addr, "/api/state", Some(&auditor)).json();
        let moved = &now["partners"]["moved"];
        assert_eq!(moved["names"][0]["name"], "新名課", "{kind:?}: {moved}");
        assert_eq!(moved["registered_on"], "2012-04-01", "{kind:?}");
        assert!(now["partners"].get("withdrawn").is_none(), "{kind:?}: retracted");
    }
}

/// `/metrics` in Prometheus's text format: commands by outcome, answers by status, open
/// streams, the ledger's head and the start-up fold; or, with `--metrics-addr`, only there.
#[test]
fn metrics_count_commands_answers_and_streams() {
    let db = TestDb::new(common::Kind::Sqlite);
    add_users(&db);
    let server = Server::start(&db, true);
    let addr = &server.addr;
    let staff = sign_in(addr, "staff-user");
    let auditor = sign_in(addr, "auditor-user");
    assert_eq!(
        post_json(addr, "/api/commands", Some(&staff), &partner_command("m-1")).status,
        200
    );
    let stale = serde_json::json!({
        "command": { "Record": { "on": "2020-04-01", "fact": { "PartnerRenamed": {
            "partner": "m-1", "name": "改名課" } } } },
        "expected_version": 7
    })
    .to_string();
    assert_eq!(post_json(addr, "/api/commands", Some(&staff), &stale).status, 409);
    assert_eq!(
        post_json(addr, "/api/commands", Some(&staff), "{not json").status,
        400
    );
    let _stream = EventStream::open(addr, &auditor, Some(134));
    // The start-up fold is done once the server is ready.
    while get(addr, "/api/ready", None).status != 200 {
        std::thread::sleep(Duration::from_millis(50));
    }

    let scraped = get(addr, "/metrics", None);
    assert_eq!(scraped.status, 200);
    assert!(scraped.header("content-type").unwrap().starts_with("text/plain"));
    let text = scraped.text();
    for line in [
        "spiral_commands_total{outcome=\"stored\"} 1",
        "spiral_commands_total{outcome=\"conflict\"} 1",
        "spiral_commands_total{outcome=\"bad_request\"} 1",
        "spiral_stream_clients 1",
        "spiral_ledger_head_position 134",
        "spiral_tail_lag_events 0",
        "spiral_responses_total{status=\"409\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
    assert!(text.contains("spiral_startup_fold_seconds "), "{text}");
    assert!(
        !text.contains("staff-user") && !text.contains("m-1"),
        "counts only: {text}"
    );
    drop(server);

    // Moved to an address of its own: not on the main one.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let server = Server::start_with(&db, false, &["--metrics-addr", &metrics_addr]);
    assert_eq!(get(&server.addr, "/metrics", None).status, 404);
    let moved = (0..50).find_map(|_| {
        std::thread::sleep(Duration::from_millis(100));
        std::panic::catch_unwind(|| get(&metrics_addr, "/metrics", None)).ok()
    });
    let moved = moved.expect("the metrics address answers");
    assert_eq!(moved.status, 200);
    assert!(moved.text().contains("spiral_ledger_head_position 134"));
}

#[test]
fn sessions_survive_a_restart_and_end_when_the_user_is_disabled() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_users(&db);
        let server = Server::start(&db, false);
        let reporter = sign_in(&server.addr, "reporter-user");
        let staff = sign_in(&server.addr, "staff-user");
        server.stop();

        let server = Server::start(&db, false);
        let me = get(&server.addr, "/api/me", Some(&reporter));
        assert_eq!(me.status, 200, "{kind:?}: the session survived the restart");
        assert_eq!(me.json()["role"], "reporter");

        spiral(&db, &["user", "disable", "reporter-user"]).ok();
        assert_eq!(
            get(&server.addr, "/api/me", Some(&reporter)).status,
            401,
            "{kind:?}: disabled"
        );
        let again = post_json(
            &server.addr,
            "/api/login",
            None,
            &serde_json::json!({ "name": "reporter-user", "password": PASSWORD }).to_string(),
        );
        assert_eq!(again.status, 401);

        // Logging out ends the session.
        assert_eq!(
            request(&server.addr, "POST", "/api/logout", &[("Cookie", &staff)], b"").status,
            200
        );
        assert_eq!(get(&server.addr, "/api/me", Some(&staff)).status, 401);
    }
}

#[test]
fn failed_sign_ins_say_nothing_about_the_name_and_are_rate_limited() {
    let db = TestDb::new(common::Kind::Sqlite);
    add_users(&db);
    let server = Server::start(&db, false);
    let attempt = |name: &str| {
        post_json(
            &server.addr,
            "/api/login",
            None,
            &serde_json::json!({ "name": name, "password": "wrong password!" }).to_string(),
        )
    };
    let unknown = attempt("nobody");
    let wrong = attempt("staff-user");
    assert_eq!((unknown.status, wrong.status), (401, 401));
    assert_eq!(
        unknown.json()["message"],
        wrong.json()["message"],
        "the same message either way"
    );
    for _ in 0..4 {
        attempt("staff-user");
    }
    let slowed = attempt("staff-user");
    assert_eq!(slowed.status, 429, "too many failures");
    assert!(slowed.header("retry-after").is_some());
    let right = post_json(
        &server.addr,
        "/api/login",
        None,
        &serde_json::json!({ "name": "staff-user", "password": PASSWORD }).to_string(),
    );
    assert_eq!(
        right.status, 429,
        "even the right password waits, from a browser never seen before"
    );
}

#[test]
fn user_passwords_come_from_stdin_and_are_checked() {
    let db = TestDb::new(common::Kind::Sqlite);
    let short = spiral_with_input(&db, &["user", "add", "ann", "--role", "staff"], "short\n");
    assert_eq!(short.code, 2);
    assert!(
        short.stderr.contains("at least 10 characters"),
        "{}",
        short.stderr
    );
    let role = spiral_with_input(
        &db,
        &["user", "add", "ann", "--role", "boss"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(role.code, 2);
    assert!(role.stderr.contains("unknown role"), "{}", role.stderr);
    spiral_with_input(
        &db,
        &["user", "add", "ann", "--role", "staff"],
        &format!("{PASSWORD}\n"),
    )
    .ok();
    let twice = spiral_with_input(
        &db,
        &["user", "add", "ann", "--role", "staff"],
        &format!("{PASSWORD}\n"),
    );
    assert!(twice.stderr.contains("already exists"), "{}", twice.stderr);
    let list = spiral(&db, &["user", "list"]).ok();
    assert!(list.stdout.starts_with("ann\tstaff\tactive"), "{}", list.stdout);
}

#[test]
fn the_openapi_document_describes_every_endpoint_and_the_domains_commands() {
    let db = TestDb::new(common::Kind::Sqlite);
    let server = Server::start(&db, false);
    let doc = get(&server.addr, "/api/openapi.json", None);
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/health",
        "/api/ready",
        "/api/login",
        "/api/logout",
        "/api/me",
        "/api/commands",
        "/api/programs",
        "/api/partners",
        "/api/timeline",
        "/api/state",
        "/api/history/{stream}",
        "/api/events",
        "/api/events/stream",
        "/api/verify",
        "/api/users",
        "/api/users/{name}/disable",
        "/api/checkpoint",
        "/api/checkpoints",
        "/api/proofs/event/{position}",
        "/api/proofs/consistency",
        "/api/reports/funding",
        "/api/reports/pst",
        "/api/reports/track-record",
        "/api/reports/funder",
        "/api/reports/activity",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "Command",
        "Fact",
        "Contract",
        "Submit",
        "Submitted",
        "ErrorBody",
        "ProgramView",
    ] {
        assert!(schemas.contains_key(schema), "schema {schema} missing");
    }
    // Generated from the code: the Fact schema knows every event type.
    let fact = doc["components"]["schemas"]["Fact"].to_string();
    for variant in [
        "ContractAwarded",
        "ProgramSpunOff",
        "PartnerMerged",
        "DonorRegistered",
    ] {
        assert!(fact.contains(variant), "Fact schema lacks {variant}");
    }
    // A correction is a command of its own; a fact never is one, so none can nest.
    assert!(!fact.contains("Corrected"), "{fact}");
    let command = doc["components"]["schemas"]["Command"].to_string();
    for variant in ["Record", "Correct", "Retract"] {
        assert!(command.contains(variant), "Command schema lacks {variant}");
    }
}

#[test]
fn serve_demo_prints_one_sign_in_per_role_for_the_demo_database_only() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let db = TestDb::new(common::Kind::Sqlite);
    let mut child = Command::new(common::spiral_bin())
        .args([
            "--database-url",
            &db.url,
            "--vault-key-file",
            &common::server::vault_key_file(&db),
            "serve",
            "--demo",
            "--addr",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .trim_start_matches("Spiral is listening on http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut logins = Vec::new();
    while logins.len() < 4 {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() == 2 && words[0].starts_with("demo-") {
            logins.push((words[0].to_owned(), words[1].to_owned()));
        }
    }
    assert_eq!(
        logins.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["demo-staff", "demo-auditor", "demo-reporter", "demo-admin"]
    );
    let (name, password) = &logins[0];
    let signed_in = post_json(
        &addr,
        "/api/login",
        None,
        &serde_json::json!({ "name": name, "password": password }).to_string(),
    );
    assert_eq!(signed_in.status, 200);
    assert_eq!(signed_in.json()["role"], "staff");
    let _ = child.kill();
    let _ = child.wait();

    // A ledger with real work in it gets no demo accounts.
    let real = TestDb::new(common::Kind::Sqlite);
    spiral(&real, &["demo"]).ok();
    spiral_with_input(
        &real,
        &["user", "add", "ann", "--role", "staff"],
        &format!("{PASSWORD}\n"),
    )
    .ok();
    let server = Server::start(&real, false);
    let ann = sign_in(&server.addr, "ann");
    assert_eq!(
        post_json(
            &server.addr,
            "/api/commands",
            Some(&ann),
            &partner_command("real-work")
        )
        .status,
        200
    );
    server.stop();
    let restarted = Server::start(&real, true);
    let list = spiral(&real, &["user", "list"]).ok().stdout;
    assert!(!list.contains("demo-"), "{list}");
    drop(restarted);
}

#[test]
fn a_client_that_stops_reading_does_not_hold_back_the_others() {
    let db = TestDb::new(common::Kind::Sqlite);
    add_users(&db);
    let server = Server::start(&db, true);
    let staff = sign_in(&server.addr, "staff-user");
    let auditor = sign_in(&server.addr, "auditor-user");
    // Opens its stream and never reads another byte.
    let _stalled = EventStream::open(&server.addr, &auditor, Some(133));
    let mut reader = EventStream::open(&server.addr, &auditor, Some(133));
    for i in 0..200 {
        assert_eq!(
            post_json(
                &server.addr,
                "/api/commands",
                Some(&staff),
                &partner_command(&format!("many-{i}"))
            )
            .status,
            200
        );
    }
    let got = reader.next_events(200, Duration::from_secs(20));
    assert_eq!(
        got.iter().map(|e| e.id).collect::<Vec<_>>(),
        (134..=333).collect::<Vec<_>>()
    );
}

/// Every page of `/api/state?part=…` (with `extra` narrowing) put together.
fn all_pages(addr: &str, cookie: &str, part: &str, extra: &str, limit: usize) -> Vec<serde_json::Value> {
    let mut items = Vec::new();
    let mut after = String::new();
    loop {
        let path = format!("/api/state?part={part}&limit={limit}{extra}{after}");
        let page = get(addr, &path, Some(cookie));
        assert_eq!(page.status, 200, "{path}: {}", page.text());
        let page = page.json();
        let got = page["items"].as_array().unwrap();
        assert!(got.len() <= limit, "{path}");
        items.extend(got.iter().cloned());
        match page["next_after"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return items,
        }
    }
}

/// `/api/state` in bounded answers: one part at a time, narrowed by fiscal year or program and
/// paged, equal to the same part of the whole state (now and as of a date); narrowing that
/// cannot be answered is a 400 naming the problem.
#[test]
fn the_state_is_answered_a_part_and_a_page_at_a_time() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        spiral(&db, &["demo", "--example"]).ok();
        add_users(&db);
        let server = Server::start(&db, false);
        let addr = &server.addr;
        let reporter = sign_in(addr, "reporter-user");
        for as_of in ["", "&as_of=2012-03-31"] {
            let whole = get(
                addr,
                &format!("/api/state?{}", as_of.trim_start_matches('&')),
                Some(&reporter),
            )
            .json();
            let receipts_2010: Vec<_> = whole["receipts"]
                .as_object()
                .unwrap()
                .values()
                .filter(|r| r["fiscal_year"] == 2010)
                .cloned()
                .collect();
            assert!(receipts_2010.len() > 10, "{kind:?}: several pages");
            assert_eq!(
                all_pages(
                    addr,
                    &reporter,
                    "receipts",
                    &format!("&fiscal_year=2010{as_of}"),
                    10
                ),
                receipts_2010,
                "{kind:?} {as_of}"
            );
            for (part, limit) in [("programs", 4), ("partners", 5), ("donors", 7), ("activities", 9)] {
                let expected: Vec<_> = whole[part].as_object().unwrap().values().cloned().collect();
                assert_eq!(
                    all_pages(addr, &reporter, part, as_of, limit),
                    expected,
                    "{kind:?} {part} {as_of}"
                );
            }
            for part in ["timeline", "money"] {
                assert_eq!(
                    all_pages(addr, &reporter, part, as_of, 6),
                    *whole[part].as_array().unwrap(),
                    "{kind:?} {part} {as_of}"
                );
            }
            let program = whole["programs"]
                .as_object()
                .unwrap()
                .keys()
                .next()
                .unwrap()
                .clone();
            let of_program: Vec<_> = whole["activities"]
                .as_object()
                .unwrap()
                .values()
                .filter(|a| a["program"] == program.as_str())
                .cloned()
                .collect();
            assert_eq!(
                all_pages(
                    addr,
                    &reporter,
                    "activities",
                    &format!("&program={program}{as_of}"),
                    3
                ),
                of_program
            );
        }
        for (path, needle) in [
            ("/api/state?fiscal_year=2010", "give part"),
            ("/api/state?part=partners&fiscal_year=2010", "does not narrow"),
            ("/api/state?part=money&program=x", "does not narrow"),
            ("/api/state?part=receipts&limit=0", "limit=0"),
            ("/api/state?part=receipts&limit=10001", "limit=10001"),
            ("/api/state?part=receipts&after=NOT-AN-ID", "cannot start a page"),
            ("/api/state?part=timeline&after=x", "cannot start a page"),
            ("/api/state?part=receipts&program=Bad%20Id", "invalid program id"),
            ("/api/state?part=everything", "part"),
        ] {
            let refused = get(addr, path, Some(&reporter));
            assert_eq!(refused.status, 400, "{kind:?} {path}");
            assert!(
                refused.text().contains(needle),
                "{kind:?} {path}: {}",
                refused.text()
            );
        }
    }
}

/// A state of more than 50,000 items is not sent whole: the refusal says how to ask for it, and
/// the parts answer.
#[test]
fn a_large_state_is_refused_whole_and_answered_in_parts() {
    let db = TestDb::new(common::Kind::Sqlite);
    spiral(&db, &["demo", "--example", "--events", "60000"]).ok();
    add_users(&db);
    let server = Server::start(&db, false);
    let addr = &server.addr;
    let auditor = sign_in(addr, "auditor-user");
    let whole = get(addr, "/api/state", Some(&auditor));
    assert_eq!(whole.status, 400);
    assert!(whole.text().contains("part=programs"), "{}", whole.text());
    let page = get(addr, "/api/state?part=receipts&limit=10000", Some(&auditor));
    assert_eq!(page.status, 200);
    let page = page.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 10_000);
    assert!(page["next_after"].is_string());
    let money = get(addr, "/api/state?part=money&fiscal_year=2020", Some(&auditor)).json();
    assert_eq!(money["items"].as_array().unwrap().len(), 1);
    assert!(money["next_after"].is_null());
}
