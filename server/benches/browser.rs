//! Browser benchmarks (not tests), in Debian's Chromium driven by playwright-core
//! (tests/browser/bench.mjs) against this crate's server running in-process:
//! - the domain's replay in WASM on a 100,000-event ledger (events/s);
//! - time to first render and to interactive of the spiral page on the demo ledger;
//! - the bundle's size, raw and gzipped.
//!
//!   scripts/build-frontend.sh && cargo bench -p server --bench browser
//!
//! SPIRAL_BENCH_EVENTS (default 100000) sets the large ledger's size; SPIRAL_BENCH_RUNS (default
//! 5) the runs per measurement (the median is reported); SPIRAL_BENCH_VISITS (default 200000,
//! e.g. "200000,1000000") the sizes of the realistic example ledger whose visits are measured:
//! first visit, second visit, navigation, zoom frames, heap. Needs the bundle in
//! target/site/pkg (or SPIRAL_SITE) and /usr/bin/chromium.

#[path = "support/synthetic.rs"]
mod synthetic;

use server::ledger::Ledger;
use server::people::{People, Role};
use server::web::{bundle_dir, router, AppState};
use std::path::Path;
use std::sync::Arc;

/// Serves `ledger` on an ephemeral port; returns the address and a staff session cookie.
async fn serve(ledger: Arc<Ledger>) -> (String, String) {
    let people = People::new(ledger.log().pool().clone());
    let user = people
        .add("bench", Role::Staff, "benchmark password")
        .await
        .unwrap();
    let cookie = format!("spiral_session={}", people.start_session(&user).await.unwrap());
    let state = AppState::new(ledger, bench_signer("browser"));
    // As `spiral serve` does once it has folded: make the log's chunks before anyone asks.
    let started = std::time::Instant::now();
    let made = server::web::api::warm_chunks(&state).await.unwrap();
    if made > 0 {
        println!(
            "| chunks of the log made at start-up (gzipped, kept) | {made} in {:.1} s, {:.1} MB |",
            started.elapsed().as_secs_f64(),
            state.chunks.size().1 as f64 / 1_000_000.0
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, router(state)).await.unwrap() });
    (addr, cookie)
}

async fn open(label: &str) -> (Arc<Ledger>, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("spiral_browser_bench_{label}_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let ledger = Arc::new(Ledger::open(&format!("sqlite:{}", path.display())).await.unwrap());
    (ledger, path)
}

/// Runs bench.mjs in one mode; returns its JSON results.
async fn chromium(addr: &str, cookie: &str, mode: &str) -> Vec<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser/bench.mjs");
    let output = tokio::process::Command::new("node")
        .arg(script)
        .env("SPIRAL_URL", format!("http://{addr}"))
        .env("SPIRAL_COOKIE", cookie)
        .env("SPIRAL_BENCH_MODE", mode)
        .output()
        .await
        .expect("node");
    assert!(
        output.status.success(),
        "bench.mjs {mode}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("bench.mjs prints JSON")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    // The bench binary lives in target/release/deps; the bundle in target/site/pkg.
    if std::env::var_os("SPIRAL_SITE").is_none() {
        let exe = std::env::current_exe().unwrap();
        std::env::set_var(
            "SPIRAL_SITE",
            exe.parent()
                .unwrap()
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .join("site"),
        );
    }
    let bundle = bundle_dir();
    let size = |name: &str| {
        std::fs::metadata(bundle.join(name))
            .map(|m| m.len())
            .unwrap_or_else(|_| {
                panic!(
                    "{} is missing: run scripts/build-frontend.sh",
                    bundle.join(name).display()
                )
            })
    };
    println!("| measurement | result |");
    println!("|---|---|");
    println!(
        "| WASM bundle (frontend_bg.wasm) raw / gzipped | {} KB / {} KB |",
        size("frontend_bg.wasm") / 1024,
        size("frontend_bg.wasm.gz") / 1024
    );
    println!(
        "| JavaScript glue (frontend.js) raw / gzipped | {} KB / {} KB |",
        size("frontend.js") / 1024,
        size("frontend.js.gz") / 1024
    );

    let (demo, demo_path) = open("demo").await;
    server::demo::load(&demo).await.unwrap();
    let (addr, cookie) = serve(demo).await;
    let runs = chromium(&addr, &cookie, "demo").await;
    let field = |name: &str| median(runs.iter().map(|r| r[name].as_f64().unwrap()).collect());
    println!(
        "| demo (133 events), spiral page: first contentful paint, median of {} | {:.0} ms |",
        runs.len(),
        field("first_render_ms")
    );
    println!(
        "| demo, spiral page: interactive (log downloaded, replayed, hydrated), median of {} | {:.0} ms |",
        runs.len(),
        field("interactive_ms")
    );

    let total: usize = std::env::var("SPIRAL_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (large, large_path) = open("large").await;
    large
        .log()
        .import_rows(&synthetic::synthetic_rows(total))
        .await
        .unwrap();
    let (addr, cookie) = serve(large).await;
    let runs = chromium(&addr, &cookie, "replay").await;
    let events = runs[0]["events"].as_f64().unwrap();
    let ms = median(runs.iter().map(|r| r["ms"].as_f64().unwrap()).collect());
    println!(
        "| replay of {events:.0} events in WASM (domain::LedgerState::replay), median of {} | {ms:.0} ms = {:.0} events/s |",
        runs.len(),
        events / ms * 1000.0
    );
    // Visits at real size: the realistic example ledger (mostly receipts over 25 years).
    let mut paths = vec![demo_path, large_path];
    let sizes: Vec<usize> = std::env::var("SPIRAL_BENCH_VISITS")
        .unwrap_or_else(|_| "200000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    for n in sizes {
        let (ledger, path) = open(&format!("example{n}")).await;
        paths.push(path);
        server::demo::load_example(&ledger, Some(n)).await.unwrap();
        let head = ledger.log().head().await.unwrap().position;
        let (addr, cookie) = serve(ledger).await;
        let runs = chromium(&addr, &cookie, "visits").await;
        let first = &runs[0]["first"];
        let mb = |v: &serde_json::Value| v.as_f64().unwrap() / 1_000_000.0;
        let med = |f: &dyn Fn(&serde_json::Value) -> f64| median(runs.iter().map(f).collect());
        println!(
            "| example at {head} events: first visit, interactive / on the wire (log) / JS heap / WASM memory | {:.0} ms / {:.1} MB ({:.1} MB) / {:.0} MB / {:.0} MB |",
            first["interactive_ms"].as_f64().unwrap(),
            mb(&first["wire_bytes"]),
            mb(&first["log_bytes"]),
            mb(&first["heap_bytes"]),
            mb(&first["wasm_bytes"])
        );
        println!(
            "| example at {head} events: second visit (reload), interactive / on the wire (log), median of {} | {:.0} ms / {:.1} KB ({:.1} KB) |",
            runs.len(),
            med(&|r| r["again"]["interactive_ms"].as_f64().unwrap()),
            med(&|r| r["again"]["wire_bytes"].as_f64().unwrap()) / 1000.0,
            med(&|r| r["again"]["log_bytes"].as_f64().unwrap()) / 1000.0
        );
        // Where the time goes: HTML received, bundle started, log read and decoded, replayed,
        // hydrated.
        let stage =
            |visit: &serde_json::Value, name: &str| visit["stages"][name].as_f64().unwrap_or(f64::NAN);
        println!(
            "| example at {head} events: first visit, HTML / bundle started / log / replayed / interactive at | {:.0} / {:.0} / {:.0} / {:.0} / {:.0} ms |",
            stage(first, "html_ms"),
            stage(first, "start_ms"),
            stage(first, "log_ms"),
            stage(first, "replayed_ms"),
            first["interactive_ms"].as_f64().unwrap()
        );
        println!(
            "| example at {head} events: second visit, HTML / bundle started / log / replayed / interactive at, median of {} | {:.0} / {:.0} / {:.0} / {:.0} / {:.0} ms |",
            runs.len(),
            med(&|r| stage(&r["again"], "html_ms")),
            med(&|r| stage(&r["again"], "start_ms")),
            med(&|r| stage(&r["again"], "log_ms")),
            med(&|r| stage(&r["again"], "replayed_ms")),
            med(&|r| r["again"]["interactive_ms"].as_f64().unwrap())
        );
        println!(
            "| example at {head} events: spiral → programs / back, log bytes / the driver's own click and wait | {:.0} ms / {:.0} ms, {:.0} B / {:.0} ms |",
            med(&|r| r["navigation"]["to_programs_ms"].as_f64().unwrap()),
            med(&|r| r["navigation"]["back_ms"].as_f64().unwrap()),
            med(&|r| r["navigation"]["log_bytes"].as_f64().unwrap()),
            med(&|r| r["navigation"]["driver_ms"].as_f64().unwrap_or(f64::NAN))
        );
        // Each run's moves, to see the spread behind the medians.
        let each = |f: &dyn Fn(&serde_json::Value) -> f64| {
            runs.iter()
                .map(|r| format!("{:.0}", f(r)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "| example at {head} events: spiral → programs / back, each run | {} / {} ms |",
            each(&|r| r["navigation"]["to_programs_ms"].as_f64().unwrap_or(f64::NAN)),
            each(&|r| r["navigation"]["back_ms"].as_f64().unwrap_or(f64::NAN))
        );
        // The same moves as the page saw them, from the click to the new page hydrated.
        let nav = |way: &str, name: &str| med(&|r| r["navigation"][way][name].as_f64().unwrap_or(f64::NAN));
        for way in ["to_programs", "back"] {
            println!(
                "| example at {head} events: {way}, in the page: HTML received / parsed into place / hydrated / painted at, median of {} | {:.0} / {:.0} / {:.0} / {:.0} ms |",
                runs.len(),
                nav(way, "html_ms"),
                nav(way, "parsed_ms"),
                nav(way, "hydrated_ms"),
                nav(way, "painted_ms")
            );
        }
        println!(
            "| example at {head} events: zoom buttons, frames per second / JS heap / WASM memory after | {:.0} fps / {:.0} MB / {:.0} MB |",
            med(&|r| r["fps"].as_f64().unwrap()),
            med(&|r| r["heap_bytes"].as_f64().unwrap()) / 1_000_000.0,
            med(&|r| r["wasm_bytes"].as_f64().unwrap()) / 1_000_000.0
        );
    }
    for path in paths {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}

/// A signing key for the benchmark, with its last-checkpoint file in the temporary directory.
fn bench_signer(name: &str) -> server::signer::Signer {
    server::signer::Signer::new(
        ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
        std::env::temp_dir().join(format!(
            "spiral-bench-{name}-{}.last-checkpoint",
            std::process::id()
        )),
    )
}
