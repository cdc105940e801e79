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
