//! Path segments: positions, chain hashes, subjects' streams, names, languages.
//! Decoded as the server's handler decodes it (server::web::fuzzing::path).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| server::web::fuzzing::path(data));
