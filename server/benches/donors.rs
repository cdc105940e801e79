//! The donor vault at size (not a test): sealing every donor's details, the 寄附者名簿 of a year
//! (each listed donor's details opened and the read logged), the 受領証明書 due for a calendar
//! year, that year's certificates issued and printed, the donors' desk (a search and a record),
//! and an erasure.
//!
//!   cargo bench -p server --bench donors
//!
//! The realistic example ledger (`spiral demo --example`) of SPIRAL_BENCH_EVENTS events (default
//! "200000,1000000") in a SQLite file; every registered donor is given details through the
//! vault, then the register of fiscal 2024 is drawn up in this process and by the CLI.

#[path = "support/example_file.rs"]
mod example_file;
#[path = "support/vaulted.rs"]
mod vaulted;

use server::vault::ErasureOutcome;
use std::time::Instant;
use vaulted::{millis, Fixture};

#[tokio::main]
async fn main() {
    println!("| events | what | time | per item |");
    println!("|---|---|---|---|");
    for n in vaulted::sizes() {
        let fixture = Fixture::build(n, "donors").await;
        let (ledger, vault, donors) = (&fixture.ledger, &fixture.vault, &fixture.donors);
        let head = ledger.log().committed();
        let on: domain::Date = "2026-04-01".parse().unwrap();
        let sealing = fixture.sealing;
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
        let register = server::reports::donor_register(ledger, vault, &state, fy, "bench")
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

        let t = Instant::now();
        let due = domain::report::receipts_due::receipts_due(&state, 2024, None);
        println!(
            "| {head} | 受領証明書 due for calendar 2024 in-process ({} donors, {} gifts) | {:.0} ms | |",
            due.len(),
            due.iter().map(|r| r.gifts.len()).sum::<usize>(),
            millis(t.elapsed())
        );
        drop(state);

        // The year's 受領証明書: issued in one commit, then printed (details opened at the
        // revision each was issued with, one A4 page each).
        let t = Instant::now();
        let request = server::certificates::IssueRequest::Year {
            calendar_year: 2024,
            donor: None,
        };
        let issued = server::certificates::issue(ledger, &request, "bench", on)
            .await
            .unwrap();
        let issuing = millis(t.elapsed());
        let certificates = issued.certificates.len();
        println!(
            "| {head} | 受領証明書 for calendar 2024 issued, numbered, one commit ({certificates} donors, {} gifts, {} skipped) | {issuing:.0} ms | {:.2} ms a certificate |",
            issued.certificates.iter().map(|c| c.gifts.len()).sum::<usize>(),
            issued.skipped.len(),
            issuing / certificates.max(1) as f64
        );
        let t = Instant::now();
        let standing = server::certificates::list(ledger, Some(2024), None);
        let printable = server::certificates::printable(ledger, vault, standing, "bench")
            .await
            .unwrap();
        let sheets: Vec<_> = printable.iter().map(server::web::print::sheet).collect();
        let html = app::print::certificates("bench", &sheets);
        let printing = millis(t.elapsed());
        assert_eq!(sheets.len(), certificates);
        println!(
            "| {head} | printing them: `/print/receipts?calendar_year=2024` in-process ({} A4 pages, {:.1} MB of HTML) | {printing:.0} ms | {:.2} ms a page |",
            sheets.len(),
            html.len() as f64 / 1e6,
            printing / sheets.len().max(1) as f64
        );

        let t = Instant::now();
        let cli = fixture
            .spiral(&[])
            .args(["report", "donors", "--fiscal-year", "2024", "--format", "csv"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run spiral report donors");
        assert!(cli.success());
        println!(
            "| {head} | `spiral report donors --fiscal-year 2024 --format csv` (a process) | {:.0} ms | |",
            millis(t.elapsed())
        );

        // The donors' desk: a search that finds one donor by kana typed as a bank prints it,
        // one that matches many (the first 50 shown), then one donor's record page: the details
        // now, every revision, their gifts by year from the projection.
        for (label, typed) in [
            ("one donor, half-width kana", "ｷﾌｼｬ 00042"),
            ("a vague word", "追手町1"),
        ] {
            let query = domain::donor_search::DonorQuery::parse(typed).unwrap();
            let t = Instant::now();
            let found = vault.search(ledger.log(), &query, "bench", 50).await.unwrap();
            println!(
                "| {head} | donors' desk search, {label} ({} matched of {} donors, {} shown) | {:.0} ms | |",
                found.matched,
                donors.len(),
                found.donors.len(),
                millis(t.elapsed())
            );
        }
        let donor = &donors[1];
        let t = Instant::now();
        let now = vault
            .read(ledger, donor, "bench", server::vault::Purpose::Manage)
            .await
            .unwrap();
        let revisions = server::donor_records::revisions(ledger, vault, donor, "bench")
            .await
            .unwrap();
        let gifts = ledger.read_state(|s| {
            s.receipts
                .values()
                .filter(|r| matches!(&r.payer, domain::funds::Payer::Donor(d) if d == donor))
                .count()
        });
        let reads = vault.reads(Some(donor)).await.unwrap();
        assert!(matches!(now, server::vault::Held::Recorded { .. }) && !revisions.is_empty());
        println!(
            "| {head} | a donor's record on the desk: details, {} revision(s), {gifts} gifts, {} reads | {:.0} ms | |",
            revisions.len(),
            reads.len(),
            millis(t.elapsed())
        );

        let donor = &donors[0];
        let years: Vec<domain::FiscalYear> =
            ledger.read_state(|s| domain::personal::gift_years(s.receipts.values(), donor).collect());
        let far: domain::Date = "2100-01-01".parse().unwrap();
        let t = Instant::now();
        let outcome = vault
            .request_erasure(
                ledger,
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

        fixture.remove().await;
    }
}
