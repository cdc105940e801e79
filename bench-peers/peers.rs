//! Spiral's ledger beside the stores a Rust developer would otherwise pick: cqrs-es 0.5's own
//! postgres-es and the community sqlite-es, on the same machine, in the same run, with the same
//! commands (each a receipt of its own, decided by the same `domain::Subject` aggregate) and the
//! same durability (SQLite `synchronous=FULL`, PostgreSQL `synchronous_commit=on`).
//!
//!   cargo bench --manifest-path bench-peers/Cargo.toml
//!
//! Writes: commands per second with 1 and 8 writers, each measurement run SPIRAL_BENCH_REPEAT
//! times (default 3), the median printed with the spread (slowest–fastest); raw INSERTs of
//! ready-made rows into Spiral's table are the floor both are compared with. Replay: every event
//! read back and decoded into `LedgerEvent`s (Spiral: `Ledger::recorded_all`; cqrs-es:
//! `stream_all_events`, the only way its stores read more than one aggregate), over
//! SPIRAL_BENCH_REPLAY_EVENTS (default 200,000) events, beside a raw read of Spiral's rows.
//!
//! SPIRAL_BENCH_DB=sqlite|postgres|both, SPIRAL_BENCH_COMMANDS (default 2000 on SQLite, 400 on
//! PostgreSQL), SPIRAL_BENCH_PG (admin URL). Results are Markdown rows for BENCHMARKS.md.

#[path = "../server/benches/support/synthetic.rs"]
#[allow(dead_code)]
mod synthetic;
#[path = "../server/benches/support/writes.rs"]
#[allow(dead_code)]
mod writes;

use domain::directory::Directory;
use domain::{LedgerEvent, LedgerState, Metadata, Recorded, Subject};
use server::ledger::Ledger;
use server::store::EventLog;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;
use writes::{command_path, raw_inserts, receipt_command, Db};

/// Their tables as their own SQL creates them (db/init.sql, migrations/), without the test
/// fixtures those files also hold.
const POSTGRES_ES_TABLES: &str =
    "CREATE TABLE events (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
    sequence bigint CHECK (sequence >= 0) NOT NULL, event_type text NOT NULL, event_version text NOT NULL, \
    payload json NOT NULL, metadata json NOT NULL, PRIMARY KEY (aggregate_type, aggregate_id, sequence))";
const SQLITE_ES_TABLES: &str = "CREATE TABLE events (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
    sequence integer CHECK (sequence >= 0) NOT NULL, event_type text NOT NULL, event_version text NOT NULL, \
    payload text NOT NULL, metadata text NOT NULL, PRIMARY KEY (aggregate_type, aggregate_id, sequence)) STRICT";

/// What the rules look other subjects up in: the one department the receipts come from.
fn directory() -> Arc<dyn Directory> {
    let event = synthetic::partner_event(0);
    let mut state = LedgerState::default();
    state.push(&Recorded {
        position: 1,
        stream: "partner:dept-0".into(),
        sequence: 1,
        meta: Metadata {
            actor: "bench".into(),
            correlation_id: String::new(),
            effective: event.on,
            reason: None,
            recorded_at: chrono::Utc::now(),
        },
        event,
    });
    Arc::new(state)
}

async fn sqlite_pool(url: &str) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .unwrap()
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
        .busy_timeout(std::time::Duration::from_secs(10));
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(10)
        .connect_with(options)
        .await
        .unwrap()
}

async fn postgres_pool(url: &str) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(10)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET synchronous_commit = on")
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .connect(url)
        .await
        .unwrap()
}

/// `n` receipts sent by `writers` concurrent writers through `send`: commands/s.
async fn drive<F, Fut>(send: F, n: usize, writers: usize) -> f64
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let start = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let send = send.clone();
            tokio::spawn(async move {
                for i in (w..n).step_by(writers) {
                    send(i).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// A cqrs-es framework's `execute` of receipt `i`, each receipt its own aggregate instance.
macro_rules! sender {
    ($cqrs:expr) => {{
        let cqrs = Arc::new($cqrs);
        move |i: usize| {
            let cqrs = cqrs.clone();
            async move {
                let id = format!("receipt:r-{i}");
                cqrs.execute(&id, receipt_command(i)).await.unwrap();
            }
        }
    }};
}

/// The same receipts through cqrs-es's own store for `kind`.
async fn peer_commands(kind: &str, n: usize, writers: usize) -> f64 {
    let db = Db::new(kind, "peer").await;
    let rate = if kind == "sqlite" {
        let pool = sqlite_pool(&db.url).await;
        sqlx::query(SQLITE_ES_TABLES).execute(&pool).await.unwrap();
        let send = sender!(sqlite_es::sqlite_cqrs::<Subject>(
            pool.clone(),
            vec![],
            directory()
        ));
        let rate = drive(send, n, writers).await;
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(stored as usize, n);
        pool.close().await;
        rate
    } else {
        let pool = postgres_pool(&db.url).await;
        sqlx::query(POSTGRES_ES_TABLES).execute(&pool).await.unwrap();
        let send = sender!(postgres_es::postgres_cqrs::<Subject>(
            pool.clone(),
            vec![],
            directory()
        ));
        let rate = drive(send, n, writers).await;
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(stored as usize, n);
        pool.close().await;
        rate
    };
    db.drop().await;
    rate
}

/// The median of `runs`, and the spread, as "median (slowest–fastest)".
fn summary(mut runs: Vec<f64>) -> (f64, String) {
    runs.sort_by(f64::total_cmp);
    let median = runs[runs.len() / 2];
    (
        median,
        format!("{median:.0}/s ({:.0}–{:.0})", runs[0], runs[runs.len() - 1]),
    )
}

/// `events` rows of one receipt each, as cqrs-es stores them (JSON payload, per-aggregate
/// sequence 1), inserted in bulk.
async fn fill_peer(kind: &str, url: &str, events: &[LedgerEvent]) {
    let rows: Vec<(String, String, String)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            (
                format!("receipt:r-{i}"),
                cqrs_es::DomainEvent::event_type(e),
                serde_json::to_string(e).unwrap(),
            )
        })
        .collect();
    // `cast` is "::json" on PostgreSQL, whose payload and metadata columns are json.
    let insert = |batch: &[(String, String, String)], cast: &str| {
        let marks: Vec<String> = (0..batch.len())
            .map(|i| {
                format!(
                    "('spiral', ${}, 1, ${}, '1', ${}{cast}, '{{}}'{cast})",
                    3 * i + 1,
                    3 * i + 2,
                    3 * i + 3
                )
            })
            .collect();
        format!(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) VALUES {}",
            marks.join(",")
        )
    };
    if kind == "sqlite" {
        let pool = sqlite_pool(url).await;
        sqlx::query(SQLITE_ES_TABLES).execute(&pool).await.unwrap();
        let mut tx = pool.begin().await.unwrap();
        for batch in rows.chunks(300) {
            let sql = insert(batch, "");
            let mut q = sqlx::query(&sql);
            for (id, ty, payload) in batch {
                q = q.bind(id).bind(ty).bind(payload);
            }
            q.execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        pool.close().await;
    } else {
        let pool = postgres_pool(url).await;
        sqlx::query(POSTGRES_ES_TABLES).execute(&pool).await.unwrap();
        let mut tx = pool.begin().await.unwrap();
        for batch in rows.chunks(300) {
            // Their payload column is json; text binds are cast.
            let sql = insert(batch, "::json");
            let mut q = sqlx::query(&sql);
            for (id, ty, payload) in batch {
                q = q.bind(id).bind(ty).bind(payload);
            }
            q.execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        pool.close().await;
    }
}

/// Every event of cqrs-es's store read back and decoded: events/s.
async fn peer_replay<R>(repo: R, expected: usize) -> f64
where
    R: cqrs_es::persist::PersistedEventRepository,
{
    let start = Instant::now();
    let mut stream = repo.stream_all_events::<Subject>().await.unwrap();
    let mut read = 0usize;
    while let Some(envelope) = stream.next::<Subject>(&[]).await {
        let _event: LedgerEvent = envelope.unwrap().payload;
        read += 1;
    }
    assert_eq!(read, expected);
    expected as f64 / start.elapsed().as_secs_f64()
}

async fn replays(kind: &str, total: usize, runs: usize) {
    // The same events for both: receipts, as the write runs record them.
    let events: Vec<LedgerEvent> = (0..total)
        .map(|i| match receipt_command(i) {
            domain::Command::Record { on, fact, .. } => LedgerEvent {
                on,
                entry: domain::events::Entry::Fact(fact),
            },
            _ => unreachable!("a receipt is recorded"),
        })
        .collect();
    let spiral_db = Db::new(kind, "replay_spiral").await;
    let log = EventLog::open(&spiral_db.url).await.unwrap();
    let recorded: Vec<Recorded> = events
        .iter()
        .enumerate()
        .map(|(i, e)| Recorded {
            position: i as u64 + 1,
            stream: format!("receipt:r-{i}"),
            sequence: 1,
            meta: Metadata {
                actor: "bench".into(),
                correlation_id: String::new(),
                effective: e.on,
                reason: None,
                recorded_at: chrono::Utc::now(),
            },
            event: e.clone(),
        })
        .collect();
    log.import_rows(&domain::chain::rows_for(&recorded).unwrap())
        .await
        .unwrap();
    drop(recorded);
    let ledger = Ledger::new(Arc::new(log));
    let peer_db = Db::new(kind, "replay_peer").await;
    fill_peer(kind, &peer_db.url, &events).await;

    let mut spiral = Vec::new();
    let mut raw = Vec::new();
    let mut peer = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let rows = ledger.log().all_rows().await.unwrap();
        assert_eq!(rows.len(), total);
        raw.push(total as f64 / t.elapsed().as_secs_f64());
        drop(rows);
        let t = Instant::now();
        assert_eq!(ledger.recorded_all().await.unwrap().len(), total);
        spiral.push(total as f64 / t.elapsed().as_secs_f64());
        peer.push(if kind == "sqlite" {
            let pool = sqlite_pool(&peer_db.url).await;
            let rate = peer_replay(sqlite_es::SqliteEventRepository::new(pool.clone()), total).await;
            pool.close().await;
            rate
        } else {
            let pool = postgres_pool(&peer_db.url).await;
            let rate = peer_replay(postgres_es::PostgresEventRepository::new(pool.clone()), total).await;
            pool.close().await;
            rate
        });
    }
    let store = if kind == "sqlite" {
        "sqlite-es"
    } else {
        "postgres-es"
    };
    let (raw_median, raw) = summary(raw);
    let (spiral_median, spiral) = summary(spiral);
    let (peer_median, peer) = summary(peer);
    println!(
        "| {kind} | replay of {total} events, read and decoded | raw read {raw} | Spiral {spiral} ({:.0}% of raw) | {store} {peer} ({:.0}% of raw) | Spiral ×{:.1} |",
        100.0 * spiral_median / raw_median,
        100.0 * peer_median / raw_median,
        spiral_median / peer_median
    );
    ledger.log().close().await;
    spiral_db.drop().await;
    peer_db.drop().await;
}

#[tokio::main]
async fn main() {
    let which = std::env::var("SPIRAL_BENCH_DB").unwrap_or_else(|_| "both".into());
    let runs: usize = std::env::var("SPIRAL_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let replay_events: usize = std::env::var("SPIRAL_BENCH_REPLAY_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let kinds: Vec<&str> = match which.as_str() {
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        _ => vec!["sqlite", "postgres"],
    };
    println!(
        "| database | measurement | raw INSERT (floor) | Spiral | cqrs-es store | Spiral against the store |"
    );
    println!("|---|---|---|---|---|---|");
    for kind in kinds {
        let n: usize = std::env::var("SPIRAL_BENCH_COMMANDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if kind == "sqlite" { 2000 } else { 400 });
        let store = if kind == "sqlite" {
            "sqlite-es"
        } else {
            "postgres-es"
        };
        for writers in [1, 8] {
            let (mut raw, mut spiral, mut peer) = (Vec::new(), Vec::new(), Vec::new());
            // Interleaved, so a slow moment of the machine falls on all three alike.
            for _ in 0..runs {
                raw.push(raw_inserts(kind, n, writers).await);
                spiral.push(command_path(kind, n, writers).await);
                peer.push(peer_commands(kind, n, writers).await);
            }
            let (raw_median, raw) = summary(raw);
            let (spiral_median, spiral) = summary(spiral);
            let (peer_median, peer) = summary(peer);
            println!(
                "| {kind} | {writers} writer(s), {n} commands, median of {runs} (spread) | {raw} | {spiral} ({:.0}% of raw) | {store} {peer} ({:.0}% of raw) | ×{:.1} |",
                100.0 * spiral_median / raw_median,
                100.0 * peer_median / raw_median,
                spiral_median / peer_median
            );
        }
        replays(kind, replay_events, runs).await;
    }
}
