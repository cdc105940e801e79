//! Every query string a handler reads, with the checks after its decoding.
//! Decoded as the server's handler decodes it (server::web::fuzzing::query).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| server::web::fuzzing::query(data));
