//! A line of an export (`spiral import`, `spiral audit`, `GET /api/events` as JSON Lines): both
//! parsers, then the chain verifier and the decoder on what they return.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for line in text.lines().take(8) {
        if let Ok(row) = domain::interchange::parse_line(line) {
            let mut chain = domain::chain::ChainVerifier::new();
            let _ = chain.push(&row);
            let _ = row.decode();
            let _ = domain::interchange::export_line(&row);
        }
        let _ = domain::interchange::with_raw_line(line, |row| {
            let mut chain = domain::chain::ChainVerifier::new();
            chain.push_integrity(&row).is_ok()
        });
    }
});
