//! The other request bodies: a command (JSON and postcard), a new person, a password reset or change.
//! Decoded as the server's handler decodes it (server::web::fuzzing::bodies).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| server::web::fuzzing::bodies(data));
