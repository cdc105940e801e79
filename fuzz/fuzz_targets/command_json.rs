//! `POST /api/commands` as JSON: any bytes, decoded as the server does, then decided against the
//! demo ledger. A refusal is fine; a panic, a hang or a stack overflow is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Submit {
    command: domain::Command,
    expected_version: Option<u64>,
}

fuzz_target!(|data: &[u8]| {
    if let Ok(submit) = serde_json::from_slice::<Submit>(data) {
        spiral_fuzz::decide(submit.command);
    }
    if let Ok(command) = serde_json::from_slice::<domain::Command>(data) {
        spiral_fuzz::decide(command);
    }
});
