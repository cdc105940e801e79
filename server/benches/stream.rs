//! Live-stream latency (not a test): how long from submitting a command to the event arriving
//! on every open `GET /api/events/stream`, with 1, 100 and 1,000 connected clients; and then a
//! server left running for a read-throughput run with wrk (see BENCHMARKS.md).
//!
//!   cargo bench -p server --bench stream
//!
//! The server runs in this process on 127.0.0.1 (ephemeral port) over a SQLite file with the
//! demo history; clients are raw TCP connections in the same process, so they share the 2 cores
//! with the server. The clock starts just before the command is submitted (so the figure
//! includes deciding and committing it) and stops when a client has read the event's `id:`.
//! SPIRAL_BENCH_CLIENTS="1,100,1000" and SPIRAL_BENCH_EVENTS_PER_RUN=50 change the runs;
//! SPIRAL_BENCH_SERVE_SECS=N keeps the server up for N seconds afterwards and prints a cookie for wrk.
//!
//! Several servers on one PostgreSQL database (issue 13):
//!
//!   SPIRAL_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres SPIRAL_BENCH_INSTANCES=3 \
//!     SPIRAL_BENCH_CLIENTS=1,100 cargo bench -p server --bench stream
//!
//! opens that many servers, each with its own pool, tail and LISTEN connection, on a fresh
//! database; commands are committed through the first and the clients read the last one's stream,
//! so every figure is a commit crossing from one server to another.

use domain::events::Fact;
use domain::ids::PartnerId;
use domain::partner::PartnerKind;
use domain::Command;
use server::ledger::Ledger;
use server::people::{People, Role};
use server::web::{router, AppState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type Arrivals = Arc<Mutex<HashMap<u64, Vec<Instant>>>>;

async fn client(
    addr: String,
    cookie: String,
    after: u64,
    arrivals: Arrivals,
    ready: tokio::sync::mpsc::Sender<()>,
) {
    let mut stream = TcpStream::connect(&addr).await.expect("connect");
    let request = format!(
        "GET /api/events/stream?after={after} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut carry = String::new();
    let mut announced = false;
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let now = Instant::now();
        if !announced {
            announced = true;
            let _ = ready.send(()).await;
        }
        carry.push_str(&String::from_utf8_lossy(&buf[..n]));
        // Every "id: N" line is one event; keep an unfinished tail for the next read.
        let mut consumed = 0;
        while let Some(start) = carry[consumed..].find("id: ") {
            let from = consumed + start + 4;
            let Some(end) = carry[from..].find('\n') else {
                break;
            };
            if let Ok(id) = carry[from..from + end].trim().parse::<u64>() {
                arrivals.lock().unwrap().entry(id).or_default().push(now);
            }
            consumed = from + end;
        }
        carry.drain(..consumed);
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn partner_command(i: usize) -> Command {
    Command::record(
        domain::Date::from_ymd(2020, 4, 1).unwrap(),
        Fact::PartnerRegistered {
            partner: PartnerId::new(format!("bench-{i}")).unwrap(),
            name: format!("ベンチ{i}"),
            kind: PartnerKind::CitizenGroup,
            parent: None,
        },
    )
}

#[tokio::main]
async fn main() {
    let path = std::env::temp_dir().join(format!("spiral_stream_bench_{}.db", std::process::id()));
    let pg = std::env::var("SPIRAL_BENCH_PG").ok();
    let url = match &pg {
        Some(admin) => fresh_pg_database(admin).await,
        None => format!("sqlite:{}", path.display()),
    };
    let instances: usize = std::env::var("SPIRAL_BENCH_INSTANCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let ledger = Arc::new(Ledger::open(&url).await.unwrap());
    server::demo::load(&ledger).await.unwrap();
    let people = People::new(ledger.log().pool().clone());
    let user = people
        .add("bench", Role::Staff, "benchmark password")
        .await
        .unwrap();
    let cookie = format!("spiral_session={}", people.start_session(&user).await.unwrap());
    // The first server is the one commands go through; clients read the last one's stream.
    let mut serving = ledger.clone();
    for _ in 1..instances {
        serving = Arc::new(Ledger::open(&url).await.unwrap());
    }
    let mut state = AppState::new(serving, bench_signer("stream"));
    // One session holds every client's stream here; the per-session bound is not what is measured.
    state.limits = Arc::new(server::web::limits::Limits::new(server::web::limits::Bounds {
        max_connections: 4096,
        max_streams: 4096,
        max_streams_per_session: 4096,
        ..Default::default()
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, router(state)).await.unwrap() });
    println!(
        "{instances} server(s) on {}",
        if pg.is_some() { "PostgreSQL" } else { "SQLite" }
    );

    let runs: Vec<usize> = std::env::var("SPIRAL_BENCH_CLIENTS")
        .unwrap_or_else(|_| "1,100,1000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let per_run: usize = std::env::var("SPIRAL_BENCH_EVENTS_PER_RUN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    println!("| clients | events | p50 | p95 | p99 | max | deliveries |");
    println!("|---|---|---|---|---|---|---|");
    let mut next = 0;
    for clients in runs {
        let head = ledger.log().committed();
        let arrivals: Arrivals = Arc::default();
        let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(clients);
        let mut tasks = Vec::new();
        for _ in 0..clients {
            tasks.push(tokio::spawn(client(
                addr.clone(),
                cookie.clone(),
                head,
                arrivals.clone(),
                ready_tx.clone(),
            )));
        }
        // Wait until every client has its response head (the stream is open).
        for _ in 0..clients {
            tokio::time::timeout(Duration::from_secs(60), ready_rx.recv())
                .await
                .expect("clients connect");
        }
        let mut submitted = HashMap::new();
        for _ in 0..per_run {
            let t0 = Instant::now();
            let outcome = ledger
                .execute(partner_command(next), "bench", None)
                .await
                .unwrap();
            next += 1;
            submitted.insert(outcome.positions[0], t0);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Let the last deliveries land.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let done = submitted
                .keys()
                .all(|p| arrivals.lock().unwrap().get(p).map_or(0, Vec::len) >= clients);
            if done || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let arrivals = arrivals.lock().unwrap();
        let mut latencies: Vec<f64> = Vec::new();
        for (position, t0) in &submitted {
            for t in arrivals.get(position).into_iter().flatten() {
                latencies.push(t.duration_since(*t0).as_secs_f64() * 1000.0);
            }
        }
        latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let expected = clients * per_run;
        println!(
            "| {clients} | {per_run} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {}/{} |",
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.95),
            percentile(&latencies, 0.99),
            latencies.last().copied().unwrap_or(0.0),
            latencies.len(),
            expected
        );
        for t in tasks {
            t.abort();
        }
    }
    if let Some(secs) = std::env::var("SPIRAL_BENCH_SERVE_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        println!("serving http://{addr}/ for {secs} s; cookie: {cookie}");
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    if let Some(admin) = &pg {
        use sqlx::Connection;
        let name = url.rsplit('/').next().unwrap_or_default();
        if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
            let _ = sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }
}

/// A new database beside the admin URL's, named for this run.
async fn fresh_pg_database(admin: &str) -> String {
    use sqlx::Connection;
    let name = format!("spiral_stream_bench_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("reach PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create the benchmark's database");
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    format!("{base}/{name}")
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
