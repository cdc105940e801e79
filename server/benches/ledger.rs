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
//! runs), SPIRAL_BENCH_ONLY=reports (the funding summary and the public support test on the
//! realistic example ledger, computed and written as JSON apart, then the folds behind answers
//! as of a date and as known at a time; with SPIRAL_BENCH_PAST=only those folds alone). Results
//! are printed as Markdown rows for BENCHMARKS.md.

use chrono::{TimeZone, Utc};
use domain::{FiscalYear, LedgerState, Recorded, View, Yen};
use server::ledger::Ledger;
use server::store::EventLog;
use sqlx::Row as _;
use std::sync::Arc;
use std::time::Instant;

#[path = "support/synthetic.rs"]
mod synthetic;
use synthetic::{date, synthetic_rows};
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
    // The realistic example ledger (what `spiral demo --example --events N` records), built in
    // this process.
    let scale = domain::example::Scale::for_events(total);
    let events = domain::example::recorded(&scale, Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    let t = Instant::now();
    let state = LedgerState::replay(&events, View::everything());
    println!(
        "| memory | replay of the example ledger, {} events | {:.0} ms |",
        events.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let runs: usize = std::env::var("SPIRAL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let best_of = |f: &mut dyn FnMut()| {
        let mut best = f64::MAX;
        for _ in 0..runs {
            let t = Instant::now();
            f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        best * 1000.0
    };
    if std::env::var("SPIRAL_BENCH_PAST").as_deref() == Ok("only") {
        drop(state);
        past_folds(&events, &best_of);
        return;
    }
    let year = |y| FiscalYear::new(y).unwrap();
    let receipts = state.receipts.len();
    let scan = best_of(&mut || {
        let r = domain::report::revenue::recognised(&state, year(2020), year(2020));
        assert!(!r.is_empty());
    });
    println!("| memory | receipts recognised in FY2020, found among all {receipts} | {scan:.0} ms |");
    for (label, from, to) in [("FY2020", 2020, 2020), ("FY2020–2022", 2020, 2022)] {
        let mut json = 0;
        let compute = best_of(&mut || {
            let s = domain::report::funding::funding_summary(&state, year(from), year(to), false).unwrap();
            assert!(s.total > Yen::ZERO);
        });
        let s = domain::report::funding::funding_summary(&state, year(from), year(to), false).unwrap();
        let write = best_of(&mut || json = serde_json::to_vec(&s).unwrap().len());
        println!(
            "| memory | funding summary {label}: computed / written as JSON ({:.1} MB) | {compute:.0} / {write:.0} ms |",
            json as f64 / 1e6
        );
    }
    let mut json = 0;
    let options = domain::report::pst::PstOptions::default();
    let compute = best_of(&mut || {
        let r = domain::report::pst::public_support_test(&state, year(2019), year(2023), options).unwrap();
        assert!(r.relative.ordinary_revenue > Yen::ZERO);
    });
    let r = domain::report::pst::public_support_test(&state, year(2019), year(2023), options).unwrap();
    let write = best_of(&mut || json = serde_json::to_vec(&r).unwrap().len());
    println!(
        "| memory | public support test 2019–2023: computed / written as JSON ({:.1} MB) | {compute:.0} / {write:.0} ms |",
        json as f64 / 1e6
    );
    drop(state);
    past_folds(&events, &best_of);
}

/// The folds behind answers as of a date and as known at a time, from the fold index (what the
/// server does before it answers such a question), on the same ledger.
fn past_folds(events: &[Recorded], best_of: &dyn Fn(&mut dyn FnMut()) -> f64) {
    use domain::fold_index::{FoldIndex, Needs};
    use domain::state_page::{Narrowing, Part};
    let mut index = FoldIndex::default();
    for e in events {
        index.push(e);
    }
    let year = |y| FiscalYear::new(y).unwrap();
    let known = View {
        as_of: None,
        known_at: events.last().map(|e| e.meta.recorded_at),
    };
    let as_of = View {
        as_of: Some(domain::Date::from_ymd(2020, 4, 1).unwrap()),
        known_at: None,
    };
    let part = |part, fiscal_year| Narrowing {
        part,
        fiscal_year,
        program: None,
        after: None,
        limit: None,
    };
    let questions = [
        (
            "as known at the last recording",
            known,
            "funding FY2020–2022",
            Needs::years(year(2020), year(2022)),
        ),
        (
            "as known at the last recording",
            known,
            "PST 2019–2023",
            Needs::years(year(2019), year(2023)),
        ),
        (
            "as known at the last recording",
            known,
            "FY2019's receipts",
            Needs::of(Some(&part(Part::Receipts, Some(year(2019))))),
        ),
        (
            "as of 2020-04-01",
            as_of,
            "FY2019's receipts",
            Needs::of(Some(&part(Part::Receipts, Some(year(2019))))),
        ),
        (
            "as of 2020-04-01",
            as_of,
            "every year's money",
            Needs::of(Some(&part(Part::Money, None))),
        ),
    ];
    for (when, view, what, needs) in questions {
        let (folded, ms) = match index.plan(view, &needs) {
            Some(plan) => {
                let ms = best_of(&mut || {
                    let state = plan.replay(|p| events.get(p as usize - 1));
                    assert!(state.events_seen > 0);
                });
                (plan.positions.len(), ms)
            }
            None => (
                events.len(),
                best_of(&mut || {
                    let state = LedgerState::replay(events, view);
                    assert!(state.events_seen > 0);
                }),
            ),
        };
        println!("| memory | the fold for {what} {when} ({folded} events) | {ms:.0} ms |");
    }
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
