//! A projection snapshot's body as the CLI reads it back from the database (`domain::snapshot`):
//! signed bodies are ours, but the decoder still takes any bytes without panicking, and a state
//! it accepts answers the reports, takes the next events, and seals and opens again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((position, body)) = data.split_first_chunk::<8>() else { return };
    let Ok(mut state) = domain::snapshot::decode_body(body, u64::from_be_bytes(*position)) else {
        return;
    };
    spiral_fuzz::report_every_way(&state);
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    if let Ok(sealed) = domain::snapshot::seal(&state, [1; 32], &key) {
        let opened = domain::snapshot::open(&sealed, &key.verifying_key());
        assert_eq!(opened.as_ref(), Ok(&state), "a sealed snapshot opens to itself");
    }
    for e in spiral_fuzz::demo().events.iter().take(20) {
        let _ = state.push(e);
    }
});
