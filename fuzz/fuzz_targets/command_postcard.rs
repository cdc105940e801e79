//! `POST /api/commands` as `application/x-postcard` (what the browser's forms send): any bytes,
//! decoded as the server does, then decided against the demo ledger.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((command, _expected)) = postcard::from_bytes::<(domain::Command, Option<u64>)>(data) {
        spiral_fuzz::decide(command);
    }
});
