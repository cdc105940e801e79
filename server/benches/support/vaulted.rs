//! The realistic example ledger (`spiral demo --example --events N`) in a SQLite file, with
//! every registered donor's details sealed in its vault (shared by the `donors` and `gifts`
//! benchmarks).
#![allow(dead_code)]

use domain::ids::DonorId;
use domain::personal::{DetailsInput, DonorDetails};
use server::ledger::Ledger;
use server::vault::Vault;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The ledger sizes asked for in SPIRAL_BENCH_EVENTS (default "200000,1000000").
pub fn sizes() -> Vec<usize> {
    std::env::var("SPIRAL_BENCH_EVENTS")
        .unwrap_or_else(|_| "200000,1000000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

/// The details the fixture gives the `i`-th donor.
pub fn details(i: usize) -> DonorDetails {
    DonorDetails::try_from(DetailsInput {
        name: format!("寄付者 {i:05}"),
        kana: Some(format!("キフシャ {i:05}")),
        postal_code: Some(format!("{:07}", 4_200_000 + i)),
        address: Some(format!("静岡市葵区追手町{}-{}", i % 50 + 1, i % 9 + 1)),
    })
    .unwrap()
}

pub struct Fixture {
    pub path: PathBuf,
    pub url: String,
    pub vault_key: PathBuf,
    pub ledger: Ledger,
    pub vault: Vault,
    /// The registered donors, in id order: the `i`-th has [`details`]`(i)`.
    pub donors: Vec<DonorId>,
    /// How long sealing and recording every donor's details took.
    pub sealing: Duration,
}

impl Fixture {
    /// Builds the example ledger of about `n` events and seals every donor's details.
    pub async fn build(n: usize, name: &str) -> Fixture {
        let (path, url) = super::example_file::build(n, name);
        let vault_key = path.with_extension("vault");
        let _ = std::fs::remove_file(&vault_key);
        let ledger = Ledger::open(&url).await.unwrap();
        ledger.catch_up().await.unwrap();
        let vault = Vault::open(&vault_key, ledger.log()).unwrap();
        let donors: Vec<DonorId> = ledger.read_state(|s| s.donors.keys().cloned().collect());
        let on: domain::Date = "2026-04-01".parse().unwrap();
        let t = Instant::now();
        for (i, donor) in donors.iter().enumerate() {
            vault
                .record(&ledger, donor, &details(i), "bench", on)
                .await
                .unwrap();
        }
        let sealing = t.elapsed();
        ledger.catch_up().await.unwrap();
        Fixture {
            path,
            url,
            vault_key,
            ledger,
            vault,
            donors,
            sealing,
        }
    }

    /// `spiral --database-url … --vault-key-file …` with `args`.
    pub fn spiral(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_spiral"));
        command
            .args(["--database-url", &self.url, "--vault-key-file"])
            .arg(&self.vault_key)
            .args(args);
        command
    }

    pub async fn remove(self) {
        self.ledger.log().close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
        let _ = std::fs::remove_file(&self.vault_key);
    }
}
