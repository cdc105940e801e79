//! POST /api/login (JSON) and POST /login (the form): the name, the password and the way back.
//! Decoded as the server's handler decodes it (server::web::fuzzing::sign_in).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| server::web::fuzzing::sign_in(data));
