//! The server's answers that read the whole ledger, at size (not a test): the funding report,
//! the public support test, `/api/state` as of a date and as known at a time, and the fold a
//! starting server makes before it is ready; with the process's memory once it holds the ledger,
//! and what keeping a projection snapshot of it costs.
//!
//!   cargo bench -p server --bench answers
//!
//! The realistic example ledger (`spiral demo --example`: mostly receipts over 25 years) of
//! SPIRAL_BENCH_EVENTS events (default "200000,1000000") in a SQLite file, served in this process
//! on loopback; requests on fresh connections as a reporter. SPIRAL_BENCH_RUNS (default 5) runs
//! per answer, the median and the slowest reported.

#[path = "support/example_file.rs"]
mod example_file;

use server::ledger::Ledger;
use server::people::{People, Role};
use server::web::{router, AppState};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// GET `path` on a fresh connection: the status and the body's size.
async fn get(addr: &str, path: &str, cookie: &str) -> (u16, usize) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let status = std::str::from_utf8(&response[9..12]).unwrap().parse().unwrap();
    let head = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(0);
    (status, response.len() - head)
}

/// Resident memory of this process, in MB (Linux).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `spiral report` and `spiral state` as processes (their output thrown away): the first run
/// folds the whole ledger and keeps a projection snapshot; the later ones fold only what came
/// after it (none here).
fn cli_answers(url: &str, head: u64, runs: usize) {
    let key = std::env::temp_dir().join(format!("spiral-bench-answers-{}.key", std::process::id()));
    let _ = std::fs::remove_file(&key);
    let spiral = |args: &[&str]| {
        let t = Instant::now();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_spiral"))
            .args(["--database-url", url, "--key-file"])
            .arg(&key)
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run spiral");
        assert!(status.success(), "spiral {args:?}");
        millis(t.elapsed())
    };
    spiral(&["key", "show"]);
    let asks: [(&str, &[&str]); 5] = [
        (
            "`spiral report funding --fiscal-year 2020 --to 2022`",
            &["report", "funding", "--fiscal-year", "2020", "--to", "2022"],
        ),
        (
            "`spiral report pst --period 2019-2023`",
            &["report", "pst", "--period", "2019-2023"],
        ),
        (
            "`spiral report track-record`",
            &["report", "track-record", "--format", "text"],
        ),
        ("`spiral state --part programs`", &["state", "--part", "programs"]),
        ("`spiral state` (JSON of everything)", &["state"]),
    ];
    let cold = spiral(asks[0].1);
    println!(
        "| {head} | {}, first run: whole fold, keeps a snapshot | {cold:.0} ms | | |",
        asks[0].0
    );
    for (label, args) in asks {
        let mut times: Vec<f64> = (0..runs).map(|_| spiral(args)).collect();
        times.sort_by(f64::total_cmp);
        println!(
            "| {head} | {label}, from the snapshot | {:.0} ms | {:.0} ms | |",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
    let _ = std::fs::remove_file(&key);
}

/// What a server's checkpoint tick costs when it keeps a projection snapshot: sealing the live
/// projection (the time the projection's read lock is held, and commands wait to take their
/// own events in) and the whole keeping, stored in the database.
async fn seal_answers(ledger: &Arc<Ledger>, head: u64, runs: usize) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let (_, hash) = ledger.log().hashes_at(&[head]).await.unwrap()[0];
    let mut sealing = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let sealed = ledger.read_state(|s| domain::snapshot::seal(s, hash, &key).unwrap());
        sealing.push(millis(t.elapsed()));
        size = sealed.body.len();
    }
    sealing.sort_by(f64::total_cmp);
    println!(
        "| {head} | sealing the live projection (its read lock held) | {:.0} ms | {:.0} ms | {:.1} MB |",
        sealing[sealing.len() / 2],
        sealing[sealing.len() - 1],
        size as f64 / 1e6
    );
    let t = Instant::now();
    let kept = server::snapshots::keep_live(ledger, &key, 1).await.unwrap();
    assert!(kept, "a snapshot is kept");
    println!(
        "| {head} | keeping it, as the checkpoint tick does (seal and store) | {:.0} ms | | |",
        millis(t.elapsed())
    );
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("SPIRAL_BENCH_EVENTS")
        .unwrap_or_else(|_| "200000,1000000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("SPIRAL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let at_start = rss_mb();
    println!("| events | answer | median | slowest | answer size |");
    println!("|---|---|---|---|---|");
    for n in sizes {
        // Built by the CLI in a process of its own, so this one's memory is only what serving
        // the ledger takes.
        let (path, url) = example_file::build(n, "answers");
        let ledger = Arc::new(Ledger::open(&url).await.unwrap());
        let head = ledger.log().committed();
        let people = People::new(ledger.log().pool().clone());
        let user = people
            .add("bench", Role::Reporter, "benchmark password")
            .await
            .unwrap();
        let cookie = format!("spiral_session={}", people.start_session(&user).await.unwrap());
        let started = Instant::now();
        ledger.catch_up().await.unwrap();
        let fold = started.elapsed();
        println!(
            "| {head} | start-up fold into the projection and the history (until ready) | {:.0} ms | | |",
            millis(fold)
        );
        println!(
            "| {head} | the process's memory after the fold (RSS; {at_start:.0} MB at its start) | {:.0} MB | | |",
            rss_mb()
        );
        // As known when the last event was recorded. (The example ledger is recorded in one
        // go, so an earlier time would leave nearly nothing to fold.)
        let history = ledger.history().await.unwrap();
        let last_recorded = history
            .iter()
            .last()
            .map(|e| {
                e.meta
                    .recorded_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
            })
            .unwrap();
        drop(history);
        // Every event passes the recorded-time check; the fold index still leaves out the
        // plain receipts a question does not need.
        let known_at = format!("/api/state?part=programs&known_at={last_recorded}");
        let known_receipts =
            format!("/api/state?part=receipts&fiscal_year=2019&limit=10000&known_at={last_recorded}");
        let known_funding = format!("/api/reports/funding?from=2020&to=2022&known_at={last_recorded}");
        let known_pst = format!("/api/reports/pst?period=2019-2023&known_at={last_recorded}");
        let state = AppState::new(
            ledger.clone(),
            server::signer::Signer::new(
                ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
                std::env::temp_dir().join(format!(
                    "spiral-bench-answers-{}.last-checkpoint",
                    std::process::id()
                )),
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = tokio::spawn(async move { axum::serve(listener, router(state)).await.unwrap() });
        for (label, path) in [
            ("funding report, FY2020", "/api/reports/funding?from=2020"),
            (
                "funding report, FY2020–2022",
                "/api/reports/funding?from=2020&to=2022",
            ),
            (
                "public support test, 2019–2023",
                "/api/reports/pst?period=2019-2023",
            ),
            ("state now, programs", "/api/state?part=programs"),
            (
                "state now, FY2019's receipts (first 10,000)",
                "/api/state?part=receipts&fiscal_year=2019&limit=10000",
            ),
            (
                "state as of 2020-04-01, programs",
                "/api/state?as_of=2020-04-01&part=programs",
            ),
            (
                "state as of 2020-04-01, FY2019's receipts (first 10,000)",
                "/api/state?as_of=2020-04-01&part=receipts&fiscal_year=2019&limit=10000",
            ),
            (
                "state as known at the last recording, programs",
                known_at.as_str(),
            ),
            (
                "state as known at the last recording, FY2019's receipts (first 10,000)",
                known_receipts.as_str(),
            ),
            (
                "state as of 2020-04-01, every year's money (counted from the fold index)",
                "/api/state?as_of=2020-04-01&part=money",
            ),
            (
                "funding report, FY2020–2022, as an Excel workbook",
                "/api/reports/funding?from=2020&to=2022&format=xlsx",
            ),
            (
                "活動計算書 revenue section, FY2020",
                "/api/reports/activity?fiscal_year=2020",
            ),
            (
                "statement for one funder (a foundation), every year",
                "/api/reports/funder?partner=aozora-fdn",
            ),
            (
                "track record (実績一覧), every year, as text",
                "/api/reports/track-record?format=text",
            ),
            (
                "funding report, FY2020–2022, as known at the last recording",
                known_funding.as_str(),
            ),
            (
                "public support test, 2019–2023, as known at the last recording",
                known_pst.as_str(),
            ),
            // The same reports as pages (server-rendered HTML, what a reporter opens).
            (
                "page: the public support test, 2019–2023",
                "/reports/pst?period=2019-2023",
            ),
            ("page: 活動計算書, FY2020", "/reports/activity?fiscal_year=2020"),
            (
                "page: statement for one funder, every year",
                "/reports/funder?partner=aozora-fdn",
            ),
            ("page: track record", "/reports/track-record"),
        ] {
            let mut times = Vec::new();
            let mut size = 0;
            for _ in 0..runs {
                let t = Instant::now();
                let (status, bytes) = get(&addr, path, &cookie).await;
                times.push(millis(t.elapsed()));
                assert_eq!(status, 200, "{path}");
                size = bytes;
            }
            times.sort_by(f64::total_cmp);
            println!(
                "| {head} | {label} | {:.0} ms | {:.0} ms | {:.1} MB |",
                times[times.len() / 2],
                times[times.len() - 1],
                size as f64 / 1e6
            );
        }
        server.abort();
        seal_answers(&ledger, head, runs).await;
        cli_answers(&url, head, runs);
        ledger.log().close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
