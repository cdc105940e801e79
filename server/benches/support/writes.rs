//! The write runs both ledger benchmarks share (`ledger` and the peers bench in `bench-peers/`):
//! raw INSERTs of ready-made rows, the floor; and Spiral's whole command path on the same
//! receipts. Each returns commands (or rows) per second.

use super::synthetic::{date, partner_event, synthetic_rows};
use domain::events::Fact;
use domain::ids::{PartnerId, ReceiptId};
use domain::{Command, FiscalYear, Yen};
use server::ledger::Ledger;
use server::store::EventLog;
use std::sync::Arc;
use std::time::Instant;

/// A database of its own for one run: a SQLite file, or a PostgreSQL database dropped after.
pub struct Db {
    pub url: String,
    drop_sql: Option<(String, String)>,
}

impl Db {
    pub async fn new(kind: &str, label: &str) -> Db {
        let name = format!("spiral_bench_{label}_{}", std::process::id());
        if kind == "sqlite" {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            Db {
                url: format!("sqlite:{}", path.display()),
                drop_sql: None,
            }
        } else {
            let admin = std::env::var("SPIRAL_BENCH_PG")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&admin).await.expect("PostgreSQL");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
            Db {
                url: format!("{base}/{name}"),
                drop_sql: Some((admin, format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))),
            }
        }
    }

    pub async fn drop(self) {
        match self.drop_sql {
            Some((admin, sql)) => {
                let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
                sqlx::query(&sql).execute(&pool).await.unwrap();
            }
            None => {
                let path = self.url.trim_start_matches("sqlite:");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
        }
    }
}

pub fn receipt_command(i: usize) -> Command {
    Command::record(
        date(2020, 4, 1),
        Fact::FundsReceived {
            receipt: ReceiptId::new(format!("r-{i}")).unwrap(),
            kind: domain::funds::FundKind::Grant,
            payer: domain::funds::Payer::Partner(PartnerId::new("dept-0").unwrap()),
            amount: Yen::new(10_000),
            fiscal_year: FiscalYear::new(2020).unwrap(),
            program: None,
            restricted: false,
        },
    )
}

pub fn rate(n: usize, secs: f64) -> String {
    format!("{:.0}/s", n as f64 / secs)
}

/// Raw autocommit INSERTs of ready-made rows into the events table: the floor the command path
/// is compared with.
pub async fn raw_inserts(db_kind: &str, n: usize, writers: usize) -> f64 {
    let db = Db::new(db_kind, "raw").await;
    let log = Arc::new(EventLog::open(&db.url).await.unwrap());
    let rows = Arc::new(synthetic_rows(n));
    let start = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let log = log.clone();
            let rows = rows.clone();
            tokio::spawn(async move {
                for row in rows.iter().skip(w).step_by(writers) {
                    sqlx::query(
                        "INSERT INTO events (position, stream, sequence, event_type, event_version, payload, metadata, hash) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(row.position as i64)
                    .bind(&row.stream)
                    .bind(row.sequence as i64)
                    .bind(&row.event_type)
                    .bind(&row.event_version)
                    .bind(&row.payload)
                    .bind(&row.metadata)
                    .bind("00")
                    .execute(log.pool())
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    log.close().await;
    db.drop().await;
    n as f64 / secs
}

/// Whole command path: rules, aggregate load, hash chain, serialised append.
pub async fn command_path(db_kind: &str, n: usize, writers: usize) -> f64 {
    let db = Db::new(db_kind, "cmd").await;
    let ledger = Arc::new(Ledger::open(&db.url).await.unwrap());
    ledger
        .execute(
            Command::record(date(1900, 4, 1), partner_event(0).fact().unwrap().clone()),
            "bench",
            None,
        )
        .await
        .unwrap();
    let start = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let ledger = ledger.clone();
            tokio::spawn(async move {
                for i in (w..n).step_by(writers) {
                    ledger.execute(receipt_command(i), "bench", None).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(ledger.log().count().await.unwrap() as usize, n + 1);
    ledger.log().close().await;
    db.drop().await;
    n as f64 / secs
}
