//! A gift file as `spiral import gifts` reads it: any bytes are decoded (UTF-8, Shift_JIS) and
//! read as CSV, or refused with a reason, never a panic; whatever is read is previewed, and
//! every row read is accounted for once — a gift to record, one recorded already, or an error
//! on its own line.
#![no_main]

use domain::gift_import::preview;
use domain::LedgerState;
use libfuzzer_sys::fuzz_target;
use server::gift_import::read_table;

fuzz_target!(|data: &[u8]| {
    let Ok((table, _)) = read_table(data) else {
        return;
    };
    let Ok(p) = preview(&table, &LedgerState::default(), &[]) else {
        return;
    };
    assert_eq!(p.gifts.len() + p.duplicates.len() + p.errors.len(), p.rows);
    let lines: std::collections::HashSet<u64> = table.rows.iter().map(|r| r.line).collect();
    assert!(p.errors.iter().all(|e| lines.contains(&e.line)));
    assert!(p.gifts.iter().all(|g| g.amount.value() > 0));
    let _ = p.total();
});
