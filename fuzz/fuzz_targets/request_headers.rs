//! Headers and cookies: session, device and language cookies, Idempotency-Key, Last-Event-ID, Accept, Origin and Host, X-Forwarded-For (one value per line).
//! Decoded as the server's handler decodes it (server::web::fuzzing::headers).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| server::web::fuzzing::headers(data));
