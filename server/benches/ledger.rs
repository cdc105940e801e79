//! Ledger benchmarks (not tests): the command path against raw INSERTs, replay of a large ledger
//! against a raw read, the fold alone, and `state --as-of`.
//!
//!   cargo bench -p server --bench ledger
//!
//! Environment: SPIRAL_BENCH_DB=sqlite|postgres|both (default both), SPIRAL_BENCH_EVENTS (ledger
//! size for replay, default 1000000), SPIRAL_BENCH_COMMANDS (commands per write run, default 2000
//! on SQLite and 400 on PostgreSQL), SPIRAL_BENCH_PG (admin URL, default
//! postgres://postgres@127.0.0.1:5432/postgres), SPIRAL_BENCH_ONLY=write|fold (only the write
//! runs, or only the fold from memory), SPIRAL_BENCH_ONLY=replay (only the 1,000,000-event replay
//! runs), SPIRAL_BENCH_ONLY=reports (funding summary and public
//! support test on a replayed ledger of money). Results are printed as Markdown rows for
//! BENCHMARKS.md.

use chrono::{Duration, TimeZone, Utc};
use domain::events::{Entry, Fact, LedgerEvent};
use domain::ids::{PartnerId, ReceiptId};
use domain::partner::PartnerKind;
use domain::{FiscalYear, LedgerState, Metadata, Recorded, View, Yen};
use server::ledger::Ledger;
use server::store::EventLog;
use sqlx::Row as _;
use std::sync::Arc;
use std::time::Instant;

#[path = "support/synthetic.rs"]
mod synthetic;
use synthetic::{date, synthetic_rows, PARTNERS};
#[path = "support/writes.rs"]
mod writes;
use writes::{command_path, rate, raw_inserts, Db};

async fn replay(db_kind: &str, total: usize) {
    let db = Db::new(db_kind, "replay").await;
    let log = EventLog::open(&db.url).await.unwrap();
    let t = Instant::now();
    let rows = synthetic_rows(total);
    let generate = t.elapsed().as_secs_f64();
    let t = Instant::now();
    log.import_rows(&rows).await.unwrap();
    let import = t.elapsed().as_secs_f64();
    drop(rows);
    println!("| {db_kind} | build {total} synthetic events in memory | {generate:.1} s |");
    println!("| {db_kind} | bulk import of {total} events (500 rows per INSERT, one transaction) | {import:.1} s ({}) |", rate(total, import));

    // Raw sqlx read of the same rows, nothing decoded.
    let t = Instant::now();
    let mut raw = 0usize;
    let mut after = 0i64;
    loop {
        let page = sqlx::query(
            "SELECT position, stream, sequence, event_type, event_version, payload, metadata, hash FROM events \
             WHERE position > $1 ORDER BY position LIMIT 50000",
        )
        .bind(after)
        .fetch_all(log.pool())
        .await
        .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().unwrap().get::<i64, _>(0);
        raw += page.len();
    }
    let raw_secs = t.elapsed().as_secs_f64();
    assert_eq!(raw, total);
    println!(
        "| {db_kind} | raw sqlx read of all rows | {raw_secs:.2} s ({}) |",
        rate(total, raw_secs)
    );

    // Read all + decode + fold into every projection.
    let ledger = Ledger::new(Arc::new(log));
    let t = Instant::now();
    let events: Vec<Recorded> = ledger.recorded_all().await.unwrap();
    let read_decode = t.elapsed().as_secs_f64();
    let state = LedgerState::replay(&events, View::everything());
    let full = t.elapsed().as_secs_f64();
    assert_eq!(state.events_seen as usize, total);
    println!(
        "| {db_kind} | replay: read + decode + fold all | {full:.2} s ({}; read+decode {read_decode:.2} s) |",
        rate(total, full)
    );

    // The fold alone, from memory (what the browser and a warm server do).
    let t = Instant::now();
    let state = LedgerState::replay(&events, View::everything());
    let fold = t.elapsed().as_secs_f64();
    println!(
        "| {db_kind} | fold alone, from memory | {:.0} ms ({}) |",
        fold * 1000.0,
        rate(state.events_seen as usize, fold)
    );

    // state --as-of from memory, and the whole CLI run.
    let t = Instant::now();
    let as_of = LedgerState::replay(
        &events,
        View {
            as_of: Some(date(1950, 3, 31)),
            known_at: None,
        },
    );
    let as_of_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "| {db_kind} | `state --as-of` fold from memory ({} programs) | {as_of_ms:.0} ms |",
        as_of.programs.len()
    );
    let t = Instant::now();
    let all = ledger.recorded_all().await.unwrap();
    let state = LedgerState::replay(
        &all,
        View {
            as_of: Some(date(1950, 3, 31)),
            known_at: None,
        },
    );
    let json = serde_json::to_string(&state).unwrap();
    let cli_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "| {db_kind} | `state --as-of` end to end (read, fold, JSON {} MB) | {cli_ms:.0} ms |",
        json.len() / 1_000_000
    );

    // Signing a checkpoint: the signer first re-verifies the whole chain (every row read,
    // hashed and decoded) and builds the Merkle tree (signer.rs); a second signature also checks
    // that the ledger extends the first.
    let last = std::env::temp_dir().join(format!(
        "spiral-bench-ledger-{}.last-checkpoint",
        std::process::id()
    ));
    let signer = server::signer::Signer::new(ed25519_dalek::SigningKey::from_bytes(&[9; 32]), last.clone());
    let t = Instant::now();
    signer.sign_now(ledger.log()).await.unwrap();
    let first = t.elapsed().as_secs_f64();
    let t = Instant::now();
    signer.sign_now(ledger.log()).await.unwrap();
    let second = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(last);
    println!(
        "| {db_kind} | sign a checkpoint (verify chain + decode + Merkle tree + sign) | {first:.2} s ({}); again, checking it extends the first: {second:.2} s |",
        rate(total, first)
    );
    ledger.log().close().await;
    db.drop().await;
}

/// The fold from memory alone, without a database: quick to rerun while tuning projections.
fn fold_only(total: usize) {
    let rows = synthetic_rows(total);
    let t = Instant::now();
    let events: Vec<Recorded> = rows.iter().map(|r| r.decode().unwrap()).collect();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "| memory | decode alone (JSON payload + metadata), one thread | {:.0} ms ({}) |",
        secs * 1000.0,
        rate(total, secs)
    );
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let state = LedgerState::replay(&events, View::everything());
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(state.events_seen as usize, total);
    }
    println!(
        "| memory | fold alone, best of 3 | {:.0} ms ({}) |",
        best * 1000.0,
        rate(total, best)
    );
    let t = Instant::now();
    let as_of = LedgerState::replay(
        &events,
        View {
            as_of: Some(date(1950, 3, 31)),
            known_at: None,
        },
    );
    println!(
        "| memory | `state --as-of` fold ({} programs) | {:.0} ms |",
        as_of.programs.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
}

/// A valid ledger of money: departments and foundations, 1,000 registered donors, then receipts
/// of every kind over fiscal years 2000–2024 (a restricted grant every 50th, spent over two years).
fn synthetic_money(total: usize) -> Vec<Recorded> {
    use domain::funds::{FundKind, Payer};
    use domain::ids::DonorId;
    let base = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut events = Vec::with_capacity(total);
    let push = |stream: String, sequence: u64, event: LedgerEvent, events: &mut Vec<Recorded>| {
        let position = events.len() as u64 + 1;
        events.push(Recorded {
            position,
            stream,
            sequence,
            meta: Metadata {
                actor: "bench".into(),
                correlation_id: "bench".into(),
                effective: event.on,
                reason: None,
                recorded_at: base + Duration::microseconds(position as i64),
            },
            event,
        });
    };
    for i in 0..PARTNERS {
        let kind = if i % 2 == 0 {
            PartnerKind::Department
        } else {
            PartnerKind::Foundation
        };
        let event = LedgerEvent {
            on: date(1990, 4, 1),
            entry: Entry::Fact(Fact::PartnerRegistered {
                partner: PartnerId::new(format!("funder-{i}")).unwrap(),
                name: format!("財源{i}"),
                kind,
                parent: None,
            }),
        };
        push(format!("partner:funder-{i}"), 1, event, &mut events);
    }
    for i in 0..1000 {
        let event = LedgerEvent {
            on: date(1990, 4, 1),
            entry: Entry::Fact(Fact::DonorRegistered {
                donor: DonorId::new(format!("d{i}")).unwrap(),
                household: None,
                officer: i % 97 == 0,
                certified_npo: i % 113 == 0,
                identified: i % 5 != 0,
            }),
        };
        push(format!("donor:d{i}"), 1, event, &mut events);
    }
    let kinds = [
        FundKind::Donation,
        FundKind::Donation,
        FundKind::CommissionFee,
        FundKind::Grant,
        FundKind::Subsidy,
        FundKind::MemberDues,
        FundKind::EarnedRevenue,
    ];
    let mut i = 0;
    while events.len() < total {
        let year = FiscalYear::new(2000 + (i % 25) as i32).unwrap();
        let kind = kinds[i % kinds.len()];
        let payer = match kind {
            FundKind::Donation if i % 11 == 0 => Payer::Anonymous,
            FundKind::Donation | FundKind::MemberDues => {
                Payer::Donor(DonorId::new(format!("d{}", i % 1000)).unwrap())
            }
            _ => Payer::Partner(PartnerId::new(format!("funder-{}", i % PARTNERS)).unwrap()),
        };
        let restricted = kind == FundKind::Grant && i % 50 == 3;
        let receipt = ReceiptId::new(format!("r{i}")).unwrap();
        let amount = 500 + (i % 200) as i64 * 1_000;
        let event = LedgerEvent {
            on: year.first_day(),
            entry: Entry::Fact(Fact::FundsReceived {
                receipt: receipt.clone(),
                kind,
                payer,
                amount: Yen::new(amount),
                fiscal_year: year,
                program: None,
                restricted,
            }),
        };
        push(format!("receipt:r{i}"), 1, event, &mut events);
        if restricted && events.len() + 2 <= total {
            // Half spent in the year received, half in the next.
            for (k, spent_in, part) in [
                (0, year, amount / 2),
                (
                    1,
                    year.next().expect("bench years are in range"),
                    amount - amount / 2,
                ),
            ] {
                let event = LedgerEvent {
                    on: spent_in.first_day(),
                    entry: Entry::Fact(Fact::FundsSpent {
                        receipt: receipt.clone(),
                        fiscal_year: spent_in,
                        amount: Yen::new(part),
                    }),
                };
                push(format!("receipt:r{i}"), 2 + k, event, &mut events);
            }
        }
        i += 1;
    }
    events
}

/// Checkpoints, proofs and the independent verifier on a large ledger.
fn audit_only(total: usize) {
    use domain::checkpoint::Checkpoint;
    use domain::merkle::{verify_consistency, verify_inclusion, MerkleTree};
    let rows = synthetic_rows(total);
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let t = Instant::now();
    let tree = MerkleTree::new(rows.iter().map(|r| &r.hash));
    let root = tree.root(tree.size()).unwrap();
    let cp = Checkpoint::sign(tree.size(), root, Utc::now(), &key);
    println!(
        "| memory | Merkle tree over {total} event hashes + signed checkpoint | {:.0} ms |",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let n = total as u64;
    let samples = 1000u64;
    let t = Instant::now();
    for i in 0..samples {
        let index = (i * 7919) % n;
        let proof = tree.inclusion_proof(index, n).unwrap();
        verify_inclusion(&rows[index as usize].hash, index, n, &proof, &cp.root).unwrap();
    }
    println!(
        "| memory | inclusion proof + verification, mean of {samples} | {:.3} ms |",
        t.elapsed().as_secs_f64() * 1000.0 / samples as f64
    );
    let t = Instant::now();
    for i in 0..samples {
        let old = 1 + (i * 104_729) % n;
        let proof = tree.consistency_proof(old, n).unwrap();
        verify_consistency(old, n, &proof, &tree.root(old).unwrap(), &cp.root).unwrap();
    }
    println!(
        "| memory | consistency proof + verification, mean of {samples} | {:.3} ms |",
        t.elapsed().as_secs_f64() * 1000.0 / samples as f64
    );
    let export: String = rows
        .iter()
        .map(|r| server::interchange::export_line(r) + "\n")
        .collect();
    let public = hex::encode(key.verifying_key().to_bytes());
    let t = Instant::now();
    let report = server::audit::audit_export(&cp.to_text(), &public, &export).unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(report.events, n);
    println!(
        "| memory | `spiral audit` of a {} MB export (parse, chain, Merkle root) | {:.2} s ({}) |",
        export.len() / 1_000_000,
        secs,
        rate(total, secs)
    );
}

/// One fiscal year's funding summary and a five-year public support test on a replayed ledger.
fn reports_only(total: usize) {
    let events = synthetic_money(total);
    let t = Instant::now();
    let state = LedgerState::replay(&events, View::everything());
    println!(
        "| memory | replay of {total} money events | {:.0} ms |",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let s = domain::report::funding::funding_summary(
            &state,
            FiscalYear::new(2013).unwrap(),
            FiscalYear::new(2013).unwrap(),
            false,
        )
        .unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert!(s.total > Yen::ZERO);
    }
    println!(
        "| memory | funding summary, one fiscal year ({} receipts in the ledger) | {:.0} ms |",
        state.receipts.len(),
        best * 1000.0
    );
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let r = domain::report::pst::public_support_test(
            &state,
            FiscalYear::new(2019).unwrap(),
            FiscalYear::new(2023).unwrap(),
            domain::report::pst::PstOptions::default(),
        )
        .unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert!(r.relative.ordinary_revenue > Yen::ZERO);
    }
    println!(
        "| memory | public support test, 2019–2023 | {:.0} ms |",
        best * 1000.0
    );
}

#[tokio::main]
async fn main() {
    let which = std::env::var("SPIRAL_BENCH_DB").unwrap_or_else(|_| "both".into());
    let total: usize = std::env::var("SPIRAL_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let kinds: Vec<&str> = match which.as_str() {
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        _ => vec!["sqlite", "postgres"],
    };
    if std::env::var("SPIRAL_BENCH_ONLY").as_deref() == Ok("fold") {
        fold_only(total);
        return;
    }
    if std::env::var("SPIRAL_BENCH_ONLY").as_deref() == Ok("audit") {
        audit_only(total);
        return;
    }
    if std::env::var("SPIRAL_BENCH_ONLY").as_deref() == Ok("reports") {
        reports_only(total);
        return;
    }
    println!("| database | measurement | result |");
    println!("|---|---|---|");
    for kind in kinds {
        let n: usize = std::env::var("SPIRAL_BENCH_COMMANDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if kind == "sqlite" { 2000 } else { 400 });
        let writes: &[usize] = if std::env::var("SPIRAL_BENCH_ONLY").as_deref() == Ok("replay") {
            &[]
        } else {
            &[1, 8]
        };
        for &writers in writes {
            let raw = raw_inserts(kind, n, writers).await;
            let cmd = command_path(kind, n, writers).await;
            println!(
                "| {kind} | {writers} writer(s), {n} each: raw INSERT {raw:.0}/s; command path {cmd:.0}/s | {:.0}% of raw |",
                100.0 * cmd / raw
            );
        }
        if std::env::var("SPIRAL_BENCH_ONLY").as_deref() != Ok("write") {
            replay(kind, total).await;
        }
    }
}
