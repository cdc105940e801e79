//! The log's full chunks as browsers download them, gzipped, kept in memory once made.
//!
//! A chunk's content never changes: its address names its last position and the chain hash
//! there, and that hash commits to every event up to it. Yet making one reads its rows from the
//! store, decodes them, encodes them as postcard and gzips ~1.3 MB: a first visit to a
//! 1,000,000-event ledger paid that a hundred times in a row, most of its wait (BENCHMARKS.md).
//! Made once and kept, every later download is a copy from memory. The server makes them in
//! the background after its start-up fold (`api::warm_chunks`), so even the first visitor finds
//! them.
//!
//! Bounded by [`BUDGET`] bytes: past it, chunks are made for each request as before.

use axum::body::Bytes;
use domain::chain::Hash;
use std::collections::HashMap;
use std::sync::Mutex;

/// Compressed bytes kept at most: ~150 MB of log at ~19 KB per thousand events, which is
/// 7 to 8 million events.
pub const BUDGET: usize = 150 * 1024 * 1024;

#[derive(Default)]
pub struct ChunkCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// By the chunk's last position: its chain hash and gzipped postcard.
    by_last: HashMap<u64, (Hash, Bytes)>,
    bytes: usize,
}

impl ChunkCache {
    /// The gzipped chunk ending at `last` with chain hash `hash`, if made before.
    pub fn get(&self, last: u64, hash: &Hash) -> Option<Bytes> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .by_last
            .get(&last)
            .filter(|(kept, _)| kept == hash)
            .map(|(_, gz)| gz.clone())
    }

    /// Keeps a chunk made (replacing one of another ledger at the same position), unless that
    /// would pass the budget.
    pub fn put(&self, last: u64, hash: Hash, gzip: Bytes) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let freed = inner.by_last.get(&last).map_or(0, |(_, old)| old.len());
        if inner.bytes - freed + gzip.len() > BUDGET {
            return;
        }
        inner.bytes = inner.bytes - freed + gzip.len();
        inner.by_last.insert(last, (hash, gzip));
    }

    /// Chunks kept, and their compressed bytes.
    pub fn size(&self) -> (usize, usize) {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        (inner.by_last.len(), inner.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_is_found_only_under_its_own_hash_and_the_budget_holds() {
        let cache = ChunkCache::default();
        cache.put(100, [1; 32], Bytes::from_static(b"first ledger"));
        assert_eq!(cache.get(100, &[1; 32]).as_deref(), Some(&b"first ledger"[..]));
        assert_eq!(cache.get(100, &[2; 32]), None, "another ledger's chunk at 100");
        assert_eq!(cache.get(200, &[1; 32]), None);
        cache.put(100, [2; 32], Bytes::from_static(b"second"));
        assert_eq!(cache.get(100, &[1; 32]), None, "replaced");
        assert_eq!(cache.size(), (1, 6));
        cache.put(200, [3; 32], Bytes::from(vec![0; BUDGET]));
        assert_eq!(cache.get(200, &[3; 32]), None, "over the budget: not kept");
        assert_eq!(cache.size(), (1, 6));
    }
}
