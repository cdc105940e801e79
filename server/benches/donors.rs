//! The donor vault at size (not a test): sealing every donor's details, the 寄附者名簿 of a year
//! (each listed donor's details opened and the read logged), and an erasure.
//!
//!   cargo bench -p server --bench donors
//!
//! The realistic example ledger (`spiral demo --example`) of SPIRAL_BENCH_EVENTS events (default
//! "200000,1000000") in a SQLite file; every registered donor is given details through the
//! vault, then the register of fiscal 2024 is drawn up in this process and by the CLI.

use server::ledger::Ledger;
use server::vault::{ErasureOutcome, Vault};
use std::time::{Duration, Instant};

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("SPIRAL_BENCH_EVENTS")
        .unwrap_or_else(|_| "200000,1000000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    println!("| events | what | time | per item |");
    println!("|---|---|---|---|");
    for n in sizes {
        let dir = std::env::temp_dir();
        let tag = format!("{n}_{}", std::process::id());
        let path = dir.join(format!("spiral_donors_bench_{tag}.db"));
        let vault_key = dir.join(format!("spiral_donors_bench_{tag}.vault"));
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&vault_key);
        let url = format!("sqlite:{}", path.display());
        let built = std::process::Command::new(env!("CARGO_BIN_EXE_spiral"))
            .args([
                "--database-url",
                &url,
                "demo",
                "--example",
                "--events",
                &n.to_string(),
            ])
            .output()
            .expect("run spiral demo --example");
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        let ledger = Ledger::open(&url).await.unwrap();
        ledger.catch_up().await.unwrap();
        let head = ledger.log().committed();
        let vault = Vault::open(&vault_key, ledger.log()).unwrap();
        let donors: Vec<_> = ledger.read_state(|s| s.donors.keys().cloned().collect());
        let on: domain::Date = "2026-04-01".parse().unwrap();

        let t = Instant::now();
        for (i, donor) in donors.iter().enumerate() {
            let details = domain::personal::DonorDetails::try_from(domain::personal::DetailsInput {
                name: format!("寄付者 {i:05}"),
                kana: Some(format!("キフシャ {i:05}")),
                postal_code: Some(format!("{:07}", 4_200_000 + i)),
                address: Some(format!("静岡市葵区追手町{}-{}", i % 50 + 1, i % 9 + 1)),
            })
            .unwrap();
            vault.record(&ledger, donor, &details, "bench", on).await.unwrap();
        }
        let sealing = t.elapsed();
        println!(
            "| {head} | sealing and recording every donor's details ({} donors) | {:.0} ms | {:.2} ms |",
            donors.len(),
            millis(sealing),
            millis(sealing) / donors.len() as f64
        );

        ledger.catch_up().await.unwrap();
        let state = ledger.read_state(|s| s.clone());
        let fy = domain::FiscalYear::new(2024).unwrap();
        let t = Instant::now();
        let register = server::reports::donor_register(&ledger, &vault, &state, fy, "bench")
            .await
            .unwrap();
        let drawn = t.elapsed();
        let listed = register
            .lines
            .iter()
            .filter(|l| matches!(l.giver, domain::report::donor_register::Giver::Donor { .. }))
            .count();
        println!(
            "| {head} | 寄附者名簿 of 2024年度 in-process ({} gifts) | {:.0} ms | {:.2} ms a gift |",
            register.lines.len(),
            millis(drawn),
            millis(drawn) / listed.max(1) as f64
        );
        drop(state);

        let t = Instant::now();
        let cli = std::process::Command::new(env!("CARGO_BIN_EXE_spiral"))
            .args(["--database-url", &url, "--vault-key-file"])
            .arg(&vault_key)
            .args(["report", "donors", "--fiscal-year", "2024", "--format", "csv"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run spiral report donors");
        assert!(cli.success());
        println!(
            "| {head} | `spiral report donors --fiscal-year 2024 --format csv` (a process) | {:.0} ms | |",
            millis(t.elapsed())
        );

        let donor = &donors[0];
        let years: Vec<domain::FiscalYear> =
            ledger.read_state(|s| domain::personal::gift_years(s.receipts.values(), donor).collect());
        let far: domain::Date = "2100-01-01".parse().unwrap();
        let t = Instant::now();
        let outcome = vault
            .request_erasure(
                &ledger,
                donor,
                domain::personal::Requester::Donor,
                on,
                &years,
                "bench",
                far,
            )
            .await
            .unwrap();
        assert_eq!(outcome, ErasureOutcome::Erased);
        println!(
            "| {head} | one erasure: request, destroy the key and revisions, record | {:.0} ms | |",
            millis(t.elapsed())
        );

        ledger.log().close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let _ = std::fs::remove_file(&vault_key);
    }
}
