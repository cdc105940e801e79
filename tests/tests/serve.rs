//! `spiral serve` as a real process on an ephemeral port, read the way a browser without
//! JavaScript reads it: plain HTTP. Pages need a session; the sign-in form works without
//! scripts; the server-rendered home page lists the demo's programs with markup in names shown
//! as text; the language switch; the bundle is served; the health check answers.

mod common;

use common::http::{get, request, Response};
use common::server::Server;
use common::{spiral_with_input, TestDb, BOTH};

const PASSWORD: &str = "correct horse battery";

fn add_user(db: &TestDb, name: &str, role: &str) {
    spiral_with_input(
        db,
        &["user", "add", name, "--role", role],
        &format!("{PASSWORD}\n"),
    )
    .ok();
}

/// Signs in through the sign-in form (a urlencoded POST, as a browser sends it).
fn sign_in_form(addr: &str, name: &str, password: &str, next: &str) -> Response {
    let body = format!("name={name}&password={}&next={next}", password.replace(' ', "+"));
    request(
        addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )
}

#[test]
fn the_home_page_lists_the_demo_programs_before_any_script_runs() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        add_user(&db, "hanako", "staff");
        let server = Server::start(&db, true);

        // Without a session every page sends the reader to sign in, and back afterwards.
        let anonymous = get(&server.addr, "/programs", None);
        assert_eq!(anonymous.status, 303, "{kind:?}");
        assert_eq!(anonymous.header("location"), Some("/login?next=%2Fprograms"));
        let form = get(&server.addr, "/login?next=%2Fprograms", None);
        assert_eq!(form.status, 200);
        assert!(form.text().contains("name=\"password\"") && form.text().contains("ログイン"));

        let refused = sign_in_form(&server.addr, "hanako", "wrong", "%2F");
        assert_eq!(refused.status, 401);
        assert!(refused
            .text()
            .contains("ユーザー名またはパスワードが正しくありません"));
        assert!(refused.cookie().is_none());

        let signed_in = sign_in_form(&server.addr, "hanako", PASSWORD, "%2Fprograms");
        assert_eq!(signed_in.status, 303, "{}", signed_in.text());
        assert_eq!(signed_in.header("location"), Some("/programs"));
        let cookie = signed_in.cookie().expect("a session cookie");

        let home = get(&server.addr, "/", Some(&cookie));
        assert_eq!(home.status, 200);
        let body = home.text();
        assert!(body.contains("台帳には133件のイベント"), "{kind:?}: {body}");
        for name in [
            "西部地域障害児(者)就労支援パソコン講座",
            "バーチャル工房支援事業 &lt;ぽけっと工房&gt;",
            "「想いをかたちに」人材養成塾",
        ] {
            assert!(body.contains(name), "{kind:?}: {name} missing");
        }
        assert!(
            !body.contains("<ぽけっと工房>"),
            "names are escaped, never markup"
        );
        assert!(
            body.contains("data-position=\"133\""),
            "the page says how far it was rendered"
        );
        assert!(
            body.contains("<script type=\"module\" src=\"/start.js\">"),
            "the page loads the bundle"
        );
        assert!(
            !body.contains("<script type=\"module\">"),
            "and carries no inline script"
        );
        let start = get(&server.addr, "/start.js", None);
        assert!(start.text().contains("/pkg/frontend.js"), "{}", start.text());
        // The policy that makes an injected inline script inert.
        let csp = home
            .header("content-security-policy")
            .unwrap_or_default()
            .to_owned();
        let scripts = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert_eq!(scripts.trim(), "script-src 'self' 'wasm-unsafe-eval'", "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(home.header("referrer-policy"), Some("same-origin"));

        let health = get(&server.addr, "/api/health", None);
        assert_eq!(health.status, 200);
        assert_eq!(health.json()["status"], "ok");
        assert_eq!(health.json()["events"], 133);
    }
}

#[test]
fn the_language_switch_is_remembered_and_returns_to_the_page() {
    let db = TestDb::new(common::Kind::Sqlite);
    add_user(&db, "hanako", "staff");
    let server = Server::start(&db, true);
    let cookie = sign_in_form(&server.addr, "hanako", PASSWORD, "%2F")
        .cookie()
        .unwrap();

    let switched = get(&server.addr, "/lang/en?next=%2Fprograms", Some(&cookie));
    assert_eq!(switched.status, 303);
    assert_eq!(switched.header("location"), Some("/programs"));
    let lang = switched.cookie().unwrap();
    assert_eq!(lang, "spiral_lang=en");

    let english = get(&server.addr, "/programs", Some(&format!("{cookie}; {lang}"))).text();
    assert!(english.contains("<html lang=\"en\""));
    assert!(english.contains(">Programs</a>") && english.contains("FY2005 (平成17年度)"));
    let japanese = get(&server.addr, "/programs", Some(&cookie)).text();
    assert!(japanese.contains(">事業</a>") && japanese.contains("2005年度（平成17年度）"));

    // Only this server's own paths are returned to.
    let away = get(&server.addr, "/lang/ja?next=%2F%2Fevil.example%2F", Some(&cookie));
    assert_eq!(away.header("location"), Some("/"));
    assert_eq!(get(&server.addr, "/lang/fr", Some(&cookie)).status, 404);
}

#[test]
fn an_administrator_sees_no_ledger_and_signing_out_ends_the_session() {
    let db = TestDb::new(common::Kind::Sqlite);
    add_user(&db, "root", "admin");
    let server = Server::start(&db, true);
    let cookie = sign_in_form(&server.addr, "root", PASSWORD, "%2F")
        .cookie()
        .unwrap();
    let page = get(&server.addr, "/", Some(&cookie)).text();
    assert!(page.contains("この役割では台帳を閲覧できません"));
    assert!(
        !page.contains("ぽけっと工房"),
        "no ledger content for an administrator"
    );

    let out = request(&server.addr, "POST", "/logout", &[("Cookie", &cookie)], b"");
    assert_eq!(out.status, 303);
    assert_eq!(
        get(&server.addr, "/", Some(&cookie)).status,
        303,
        "the session has ended"
    );
}

#[test]
fn the_logs_chunks_are_kept_gzipped_and_served_only_while_the_ledger_holds_them() {
    let db = TestDb::new(common::Kind::Sqlite);
    add_user(&db, "hanako", "staff");
    let server = Server::start_with(&db, true, &["--log-chunk-events", "50"]);
    let cookie = sign_in_form(&server.addr, "hanako", PASSWORD, "%2F")
        .cookie()
        .unwrap();
    let manifest = get(&server.addr, "/api/log/manifest", Some(&cookie)).json();
    let paths: Vec<String> = manifest["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}?reader=hanako&format={}",
                c["path"].as_str().unwrap(),
                manifest["format"]
            )
        })
        .collect();
    assert_eq!(paths.len(), 2, "133 events: two full chunks of 50");
    let gunzip = |bytes: &[u8]| {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
        out
    };
    let gzipped = |path: &str, accept: &str| {
        request(
            &server.addr,
            "GET",
            path,
            &[("Cookie", &cookie), ("Accept-Encoding", accept)],
            b"",
        )
    };
    for (i, path) in paths.iter().enumerate() {
        let plain = get(&server.addr, path, Some(&cookie));
        assert_eq!(plain.status, 200, "{path}");
        assert!(plain.header("content-encoding").is_none());
        let events: Vec<domain::Recorded> = postcard::from_bytes(&plain.body).unwrap();
        let first = 50 * i as u64 + 1;
        assert_eq!(
            events.iter().map(|e| e.position).collect::<Vec<_>>(),
            (first..first + 50).collect::<Vec<_>>()
        );
        // Made (or kept since start-up) and then kept: the same bytes each time, gzip once.
        let (once, again) = (gzipped(path, "gzip, br"), gzipped(path, "gzip"));
        for answer in [&once, &again] {
            assert_eq!(answer.status, 200, "{path}");
            assert_eq!(answer.header("content-encoding"), Some("gzip"));
            assert_eq!(
                answer.header("cache-control"),
                Some("private, max-age=31536000, immutable")
            );
            assert_eq!(gunzip(&answer.body), plain.body, "{path}: the same chunk");
        }
        assert_eq!(once.body, again.body);
        let refused = gzipped(path, "gzip;q=0");
        assert!(refused.header("content-encoding").is_none());
        assert_eq!(refused.body, plain.body);
    }
    // The form of the events is part of the address: another one, or none, is refused.
    let (address, _) = paths[0].split_once('&').unwrap();
    for query in ["&format=999", ""] {
        let answer = gzipped(&format!("{address}{query}"), "gzip");
        assert_eq!(answer.status, 400, "{query}: {}", answer.text());
    }
    // Another ledger's chunk at the same position (its hash differs) is not served, kept or not.
    let (last, _) = paths[0].split_once('?').unwrap();
    let other = format!(
        "{}/{}?reader=hanako&format={}",
        &last[..last.rfind('/').unwrap()],
        "ab".repeat(32),
        manifest["format"]
    );
    for accept in ["gzip", "identity"] {
        let answer = gzipped(&other, accept);
        assert_eq!(answer.status, 404, "{accept}: {}", answer.text());
    }
}

#[test]
fn answers_are_gzipped_for_clients_that_accept_it_but_live_streams_are_not() {
    let db = TestDb::new(common::Kind::Sqlite);
    add_user(&db, "hanako", "staff");
    let server = Server::start(&db, true);
    let cookie = sign_in_form(&server.addr, "hanako", PASSWORD, "%2F")
        .cookie()
        .unwrap();
    for path in ["/", "/programs", "/api/programs", "/api/events?limit=133"] {
        let plain = get(&server.addr, path, Some(&cookie));
        let gzipped = request(
            &server.addr,
            "GET",
            path,
            &[("Cookie", &cookie), ("Accept-Encoding", "gzip")],
            b"",
        );
        assert_eq!(gzipped.status, 200, "{path}");
        assert_eq!(gzipped.header("content-encoding"), Some("gzip"), "{path}");
        assert!(plain.header("content-encoding").is_none(), "{path}");
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzipped.body[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded.len(), plain.body.len(), "{path}: the same answer");
        assert!(
            gzipped.body.len() * 3 < plain.body.len(),
            "{path}: {} of {} bytes",
            gzipped.body.len(),
            plain.body.len()
        );
    }
    // The stream's head says it is not compressed (events must not wait in a compressor).
    let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
    std::io::Write::write_all(
        &mut stream,
        format!("GET /api/events/stream?after=133 HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nCookie: {cookie}\r\n\r\n").as_bytes(),
    )
    .unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut head = [0u8; 2048];
    let n = std::io::Read::read(&mut stream, &mut head).unwrap();
    let head = String::from_utf8_lossy(&head[..n]).to_lowercase();
    assert!(
        head.contains("text/event-stream") && !head.contains("content-encoding"),
        "{head}"
    );
}

/// Liveness and readiness apart: a server starting on a big ledger answers `/api/health` at
/// once, while `/api/ready` says 503 "folding" until the projection reaches the ledger's head,
/// and 200 with the head after. Neither needs a session (a load balancer asks them).
#[test]
fn a_starting_server_is_alive_at_once_and_ready_once_it_has_folded_the_ledger() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        common::spiral(&db, &["demo", "--example", "--events", "30000"]).ok();
        let head = common::spiral(&db, &["verify"]).ok().stdout;
        let server = Server::start(&db, false);
        let health = get(&server.addr, "/api/health", None);
        assert_eq!(health.status, 200, "{kind:?}: alive while it folds");
        let events = health.json()["events"].as_u64().unwrap();
        assert!(events >= 30_000, "{kind:?}: {events} events; verify said {head}");
        let mut seen = Vec::new();
        let ready = loop {
            let ready = get(&server.addr, "/api/ready", None);
            seen.push(ready.status);
            if ready.status == 200 || seen.len() > 600 {
                break ready;
            }
            let body = ready.json();
            assert_eq!(ready.status, 503, "{kind:?}: {body}");
            assert_eq!(body["status"], "folding", "{kind:?}: {body}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert_eq!(ready.status, 200, "{kind:?}: never ready ({} tries)", seen.len());
        let body = ready.json();
        assert_eq!(body["status"], "ready");
        assert_eq!(
            body["folded"].as_u64(),
            Some(events),
            "{kind:?}: folded to the head"
        );
    }
}

/// One binary carries the browser bundle: with nothing on disk where the server looks for it
/// (SPIRAL_SITE names an empty directory), the copy embedded at build time is served, gzipped
/// for browsers that accept it, and revalidated with its entity tag.
#[test]
fn the_binary_serves_the_browser_bundle_embedded_in_it() {
    let on_disk = std::path::Path::new(common::spiral_bin())
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("site/pkg");
    let wasm = std::fs::read(on_disk.join("frontend_bg.wasm"))
        .expect("the browser bundle is missing: run scripts/build-frontend.sh first");
    let gzipped = std::fs::read(on_disk.join("frontend_bg.wasm.gz")).unwrap();
    let empty = std::env::temp_dir().join(format!("spiral-empty-site-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let db = TestDb::new(common::Kind::Sqlite);
    let server = Server::start_with_env(&db, false, &[], &[("SPIRAL_SITE", empty.to_str().unwrap())]);

    let plain = request(&server.addr, "GET", "/pkg/frontend_bg.wasm", &[], b"");
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-type"), Some("application/wasm"));
    assert_eq!(plain.body, wasm, "the embedded module is the one built");
    let compressed = request(
        &server.addr,
        "GET",
        "/pkg/frontend_bg.wasm",
        &[("Accept-Encoding", "gzip, br")],
        b"",
    );
    assert_eq!(compressed.header("content-encoding"), Some("gzip"));
    assert_eq!(compressed.body, gzipped);
    let tag = compressed.header("etag").expect("an entity tag").to_owned();
    let again = request(
        &server.addr,
        "GET",
        "/pkg/frontend_bg.wasm",
        &[("Accept-Encoding", "gzip"), ("If-None-Match", &tag)],
        b"",
    );
    assert_eq!(again.status, 304, "a reload revalidates instead of downloading");
    let script = request(&server.addr, "GET", "/pkg/frontend.js", &[], b"");
    assert_eq!(script.status, 200);
    assert!(script
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(
        request(&server.addr, "GET", "/pkg/nothing.js", &[], b"").status,
        404
    );
    let _ = std::fs::remove_dir(&empty);
}

/// `--log-format json`: every log line on stderr is one JSON object, with its level and message,
/// for a log collector.
#[test]
fn logs_are_json_lines_when_asked() {
    use std::io::{BufRead, BufReader};
    let db = TestDb::new(common::Kind::Sqlite);
    let mut child = std::process::Command::new(common::spiral_bin())
        .args([
            "--database-url",
            &db.url,
            "--key-file",
            &common::server::key_file(&db),
            "--vault-key-file",
            &common::server::vault_key_file(&db),
        ])
        .args(["--log-format", "json", "serve", "--addr", "127.0.0.1:0", "--demo"])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let folded = loop {
        let Some(Ok(line)) = lines.next() else { break None };
        if !line.starts_with('{') {
            // The first run's plain notes (demo sign-ins) are for people, not the log.
            seen.push(line);
            continue;
        }
        let entry: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            entry["level"].is_string() && entry["timestamp"].is_string(),
            "{entry}"
        );
        if entry["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("folded "))
        {
            break Some(entry);
        }
        seen.push(line);
    };
    let _ = child.kill();
    let _ = child.wait();
    let folded = folded.unwrap_or_else(|| panic!("no JSON line about the start-up fold: {seen:?}"));
    assert_eq!(folded["level"], "INFO");
}
