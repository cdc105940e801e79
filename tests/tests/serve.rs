//! `spiral serve` as a real process on an ephemeral port: the server-rendered home page lists the
//! demo's programs, with markup in names shown as text, and the health check answers.

mod common;

use common::server::Server;
use common::{TestDb, BOTH};
use std::io::{Read, Write};
use std::net::TcpStream;

/// A plain HTTP/1.1 GET, as a browser without JavaScript would make it.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn the_home_page_lists_the_demo_programs_before_any_script_runs() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let server = Server::start(&db, true);
        let (status, body) = get(&server.addr, "/");
        assert_eq!(status, 200);
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
        let (status, health) = get(&server.addr, "/api/health");
        assert_eq!(status, 200);
        let health: serde_json::Value = serde_json::from_str(&health).unwrap();
        assert_eq!(health["status"], "ok");
        assert_eq!(health["events"], 133);
    }
}
