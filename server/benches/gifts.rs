//! Bulk entry of gifts at size (not a test): a file of 100,000 gifts — donors found by name
//! and address, by id, new donors, anonymous gifts — read, previewed against the ledger and the
//! vault, recorded in one commit, then previewed again (every gift found recorded).
//!
//!   cargo bench -p server --bench gifts
//!
//! The realistic example ledger of SPIRAL_BENCH_EVENTS events (default "200000,1000000") with
//! every donor's details sealed; SPIRAL_BENCH_GIFTS rows (default 100000).

#[path = "support/example_file.rs"]
mod example_file;
#[path = "support/vaulted.rs"]
mod vaulted;

use server::gift_import;
use std::fmt::Write as _;
use std::time::Instant;
use vaulted::{details, millis, Fixture};

/// New people in the file: each gives several times.
const NEW_PEOPLE: usize = 5_000;

/// A platform's export of `rows` gifts in fiscal 2025: half from known donors by name and
/// address (some typed in full-width), a fifth by donor id, a fifth from new people, a tenth
/// anonymous.
fn gift_file(rows: usize, donors: &[domain::ids::DonorId]) -> String {
    let mut csv = String::from("受領日,氏名,フリガナ,郵便番号,住所,金額,種別,寄附者ID,決済方法\r\n");
    let first: domain::Date = "2025-04-01".parse().unwrap();
    for i in 0..rows {
        let on = first.plus_days((i % 365) as i64);
        let day = format!("{}/{}/{}", on.year(), on.month(), on.day());
        let amount = [1_000, 3_000, 5_000, 10_000, 30_000][i % 5];
        let known = (i * 7919) % donors.len();
        let _ = match i % 10 {
            0..=4 => {
                let d = details(known);
                let name = if i % 4 == 0 {
                    d.name().replace(' ', "　")
                } else {
                    d.name().to_string()
                };
                writeln!(
                    csv,
                    "{day},{name},{},{},{},\"{amount}\",寄附,,クレジットカード\r",
                    d.kana().unwrap_or_default(),
                    d.postal_code().map(|c| c.to_string()).unwrap_or_default(),
                    d.address().unwrap_or_default()
                )
            }
            5 | 6 => writeln!(csv, "{day},,,,,{amount},寄附,{},銀行振込\r", donors[known]),
            7 | 8 => {
                let k = i % NEW_PEOPLE;
                writeln!(
                    csv,
                    "{day},新規 {k:05},,,浜松市中区元城町{k},{amount},寄附,,銀行振込\r"
                )
            }
            _ => writeln!(csv, "{day},,,,,{amount},,,\r"),
        };
    }
    csv
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("SPIRAL_BENCH_GIFTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    println!("| events | what | time | per row |");
    println!("|---|---|---|---|");
    for n in vaulted::sizes() {
        let fixture = Fixture::build(n, "gifts").await;
        let (ledger, vault) = (&fixture.ledger, &fixture.vault);
        let head = ledger.log().committed();
        let text = gift_file(rows, &fixture.donors);
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend(text.as_bytes());
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        let per_row = |ms: f64| format!("{:.1} µs", ms * 1000.0 / rows as f64);

        let t = Instant::now();
        let (table, _) = gift_import::read_table(&utf8).unwrap();
        let parse = millis(t.elapsed());
        println!(
            "| {head} | read {rows} rows: UTF-8 with BOM, CSV ({:.1} MB) | {parse:.0} ms | {} |",
            utf8.len() as f64 / 1e6,
            per_row(parse)
        );
        let t = Instant::now();
        let (from_sjis, _) = gift_import::read_table(&sjis).unwrap();
        let parse_sjis = millis(t.elapsed());
        assert_eq!(from_sjis, table);
        println!(
            "| {head} | read {rows} rows: Shift_JIS, CSV | {parse_sjis:.0} ms | {} |",
            per_row(parse_sjis)
        );

        let t = Instant::now();
        let preview = gift_import::preview(ledger, vault, &table, "bench")
            .await
            .unwrap();
        let matching = millis(t.elapsed());
        assert!(
            preview.errors.is_empty(),
            "{:?}",
            &preview.errors[..3.min(preview.errors.len())]
        );
        println!(
            "| {head} | preview: match to {} donors' details, set against the ledger ({} gifts, {} new donors) | {matching:.0} ms | {} |",
            fixture.donors.len(),
            preview.gifts.len(),
            preview.new_donors.len(),
            per_row(matching)
        );

        let t = Instant::now();
        let done = gift_import::record(ledger, vault, &preview, "bench")
            .await
            .unwrap();
        let commit = millis(t.elapsed());
        println!(
            "| {head} | record it: seal {} new donors, {} events in one commit | {commit:.0} ms | {} |",
            done.new_donors,
            done.events,
            per_row(commit)
        );

        let t = Instant::now();
        let again = gift_import::preview(ledger, vault, &table, "bench")
            .await
            .unwrap();
        let repeat = millis(t.elapsed());
        assert_eq!(
            again.duplicates.len(),
            preview.gifts.len() + preview.duplicates.len()
        );
        assert!(again.gifts.is_empty());
        println!(
            "| {head} | preview the same file again (every gift found recorded) | {repeat:.0} ms | {} |",
            per_row(repeat)
        );

        let file = fixture.path.with_extension("csv");
        std::fs::write(&file, &utf8).unwrap();
        let t = Instant::now();
        let cli = fixture
            .spiral(&["import", "gifts"])
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(cli.success());
        println!(
            "| {} | `spiral import gifts FILE.csv` again (a process: fold, read, match, preview) | {:.0} ms | |",
            ledger.log().committed(),
            millis(t.elapsed())
        );
        let _ = std::fs::remove_file(&file);
        fixture.remove().await;
    }
}
