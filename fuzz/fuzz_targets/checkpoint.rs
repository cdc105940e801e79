//! A checkpoint as an auditor hands it to `spiral audit` (and the browser pins): the parser, the
//! signature check, and the round trip of whatever parses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let _ = domain::checkpoint::parse_public_key(text);
    if let Ok(cp) = domain::checkpoint::Checkpoint::parse(text) {
        let _ = cp.verify(&key.verifying_key());
        let again = domain::checkpoint::Checkpoint::parse(&cp.to_text());
        assert_eq!(again.as_ref(), Ok(&cp), "a parsed checkpoint prints back to itself");
        let _ = cp.check_rows(&spiral_fuzz::demo().rows);
    }
});
