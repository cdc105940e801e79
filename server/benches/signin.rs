//! Sign-in under the bounded password pool (not a test):
//! - throughput: correct sign-ins per second from 8 concurrent clients (each from a browser that
//!   signed in before, so the limiter lets it through);
//! - a flood: 8 clients sending wrong passwords for made-up names as fast as the server answers,
//!   while a ninth asks `/api/health` every 20 ms; the health latencies (p50/p95/max) and what
//!   the flood got back (401 checked, 429 slowed down, 503 pool full).
//!
//!   cargo bench -p server --bench signin
//!
//! The server runs in this process (the real accept loop and router) over a SQLite file, on the
//! same 2 cores as the clients. SPIRAL_BENCH_SECONDS (default 10) sets each phase's length.

use server::ledger::Ledger;
use server::people::{People, Role};
use server::web::{router, AppState};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 request on a fresh connection: the status and the `Set-Cookie` lines.
async fn request(addr: &str, path: &str, body: Option<&str>, cookie: Option<&str>) -> (u16, Vec<String>) {
    request_from(addr, path, body, cookie, "").await
}

/// As [`request`], with extra header lines (`X-Forwarded-For: …\r\n`).
async fn request_from(
    addr: &str,
    path: &str,
    body: Option<&str>,
    cookie: Option<&str>,
    extra: &str,
) -> (u16, Vec<String>) {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return (0, Vec::new());
    };
    let method = if body.is_some() { "POST" } else { "GET" };
    let body = body.unwrap_or_default();
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n{cookie}{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return (0, Vec::new());
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw);
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let cookies = text
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .filter_map(|c| c.split(';').next().map(str::to_owned))
        .collect();
    (status, cookies)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len().saturating_sub(1))]
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("SPIRAL_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let path = std::env::temp_dir().join(format!("spiral_signin_bench_{}.db", std::process::id()));
    let ledger = Arc::new(Ledger::open(&format!("sqlite:{}", path.display())).await.unwrap());
    let people = People::new(ledger.log().pool().clone());
    let password = "benchmark password";
    for i in 0..8 {
        people
            .add(&format!("bench-{i}"), Role::Staff, password)
            .await
            .unwrap();
    }
    let mut state = AppState::new(ledger.clone(), bench_signer());
    // As behind a proxy: the last phase's guesses come "from" many addresses, which the
    // per-address limit cannot stop, so only the bounded password pool stands in the way.
    state.behind_proxy = true;
    let limits = state.limits.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        server::web::limits::accept(listener, router(state), &limits, std::future::pending()).await
    });

    // Each client signs in once to be a trusted device.
    let mut devices = Vec::new();
    for i in 0..8 {
        let body = serde_json::json!({ "name": format!("bench-{i}"), "password": password }).to_string();
        let (status, cookies) = request(&addr, "/api/login", Some(&body), None).await;
        assert_eq!(status, 200);
        devices.push(
            cookies
                .into_iter()
                .find(|c| c.starts_with("spiral_device="))
                .unwrap(),
        );
    }

    println!("| phase | result |");
    println!("|---|---|");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let done = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(i, device)| {
            let (addr, device, done) = (addr.clone(), device.clone(), done.clone());
            let body = serde_json::json!({ "name": format!("bench-{i}"), "password": password }).to_string();
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    if request(&addr, "/api/login", Some(&body), Some(&device)).await.0 == 200 {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for c in clients {
        c.await.unwrap();
    }
    let n = done.load(Ordering::Relaxed);
    println!(
        "| correct sign-ins, 8 clients, {seconds} s | {n} = {:.1}/s (argon2id, at most {} at once) |",
        n as f64 / seconds as f64,
        std::thread::available_parallelism().map_or(2, |n| n.get())
    );

    // The flood, and health meanwhile; then the same from a thousand addresses, where every
    // guess reaches the password pool.
    flood(&addr, seconds, "from one address", |_| String::new()).await;
    flood(&addr, seconds, "from 1,000 addresses", |i| {
        format!("X-Forwarded-For: 10.0.{}.{}\r\n", (i / 250) % 4, i % 250)
    })
    .await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// 8 clients send wrong passwords for made-up names for `seconds` (with `from(i)`'s extra
/// headers), while `/api/health` is asked every 20 ms; prints what the flood got and how health
/// fared.
async fn flood(addr: &str, seconds: u64, label: &str, from: impl Fn(u64) -> String + Clone + Send + 'static) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let counts = Arc::new([
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    ]);
    let clients: Vec<_> = (0..8)
        .map(|t| {
            let (addr, counts, from) = (addr.to_owned(), counts.clone(), from.clone());
            tokio::spawn(async move {
                let mut i = 0u64;
                while Instant::now() < deadline {
                    let body = serde_json::json!({ "name": format!("guess-{t}-{i}"), "password": "wrong wrong wrong" }).to_string();
                    let slot = match request_from(&addr, "/api/login", Some(&body), None, &from(i)).await.0 {
                        401 => 0,
                        429 => 1,
                        503 => 2,
                        _ => 3,
                    };
                    counts[slot].fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    let mut health = Vec::new();
    while Instant::now() < deadline {
        let start = Instant::now();
        if request(addr, "/api/health", None, None).await.0 == 200 {
            health.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for c in clients {
        c.await.unwrap();
    }
    health.sort_by(|a, b| a.total_cmp(b));
    let c = |i: usize| counts[i].load(Ordering::Relaxed);
    println!(
        "| wrong sign-ins {label}, 8 clients, {seconds} s | {} answered: {} wrong (401), {} slowed (429), {} pool full (503), {} other |",
        c(0) + c(1) + c(2) + c(3),
        c(0),
        c(1),
        c(2),
        c(3)
    );
    println!(
        "| health during that flood | {} answers: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms |",
        health.len(),
        percentile(&health, 0.5),
        percentile(&health, 0.95),
        health.last().copied().unwrap_or_default()
    );
}

fn bench_signer() -> server::signer::Signer {
    server::signer::Signer::new(
        ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
        std::env::temp_dir().join(format!(
            "spiral-bench-signin-{}.last-checkpoint",
            std::process::id()
        )),
    )
}
