//! The browser's entry (wasm32). For now it proves the replay path: decode a postcard-encoded log
//! and fold it with the same `domain` projection the server uses. Hydration of the Leptos app
//! arrives with the browser-app issue.

use domain::{LedgerState, Recorded, View};

/// Decodes a postcard-encoded `Vec<Recorded>` and folds it; `None` if the bytes are not a log.
pub fn replay(bytes: &[u8]) -> Option<LedgerState> {
    let events: Vec<Recorded> = postcard::from_bytes(bytes).ok()?;
    Some(LedgerState::replay(&events, View::everything()))
}
