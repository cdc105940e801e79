//! A row's payload and metadata as the store holds them (JSON): what every replay decodes, on the
//! server and, re-encoded, in the browser. A row someone edited in the database must give an
//! error, never a panic in decoding or in any projection that folds it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (payload, metadata) = text.split_once('\n').unwrap_or((text, ""));
    if let Ok(event) = serde_json::from_str::<domain::LedgerEvent>(payload) {
        let _ = domain::chain::to_canonical(&event);
        spiral_fuzz::replay_after_demo(std::slice::from_ref(&event));
        let mut subject = domain::Subject::default();
        subject.apply_event(event);
        let _ = subject.facts();
    }
    let _ = serde_json::from_str::<domain::Metadata>(metadata);
});
