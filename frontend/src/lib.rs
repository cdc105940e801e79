//! The browser's entry (wasm32). `start` reads what the server rendered (`#app`'s `data-`
//! attributes), downloads the log as postcard (cacheable chunks and a tail), replays it with the same `domain` projection the
//! server uses, hydrates the server's HTML with the same components, then follows the live
//! stream: each server-sent event is a wake-up to fetch what is new, again as postcard.

use app::boot::Boot;
use app::store::Store;
use domain::{LedgerState, Recorded, View};

/// Decodes a postcard-encoded `Vec<Recorded>` and folds it; `None` if the bytes are not a log.
pub fn replay(bytes: &[u8]) -> Option<LedgerState> {
    let events: Vec<Recorded> = postcard::from_bytes(bytes).ok()?;
    Some(LedgerState::replay(&events, View::everything()))
}

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod download;
#[cfg(target_arch = "wasm32")]
mod kept;
#[cfg(target_arch = "wasm32")]
mod navigation;

#[cfg(target_arch = "wasm32")]
pub use browser::{bench_replay, start, wasm_memory_bytes};

/// Keeps the events the server had rendered (up to its position); the rest arrive later.
pub fn split_at_position(mut events: Vec<Recorded>, position: u64) -> (Vec<Recorded>, Vec<Recorded>) {
    let at = events.partition_point(|e| e.position <= position);
    let later = events.split_off(at);
    (events, later)
}

/// What the page starts from: the server's boot and the store replayed from the log.
pub fn initial_store(boot: &Boot, events: Vec<Recorded>) -> (Store, Vec<Recorded>) {
    let (rendered, later) = split_at_position(events, boot.position);
    (Store::replayed(rendered), later)
}
