//! `GET /api/events` and `/api/log/chunks/…` as postcard, the log the browser replays, and
//! `/api/log/manifest` that lists its chunks: any bytes decoded as the WASM app decodes them,
//! then folded by the same projections, reports and playback views, and checked as a chunk.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(events) = postcard::from_bytes::<Vec<domain::Recorded>>(data) {
        spiral_fuzz::fold_every_way(&events);
        let chunk = domain::log_chunks::ChunkRef { last: events.last().map_or(1, |e| e.position), hash: [0; 32] };
        let _ = chunk.holds(events.len() as u64, &events);
    }
    if let Ok(manifest) = postcard::from_bytes::<domain::log_chunks::Manifest>(data) {
        if manifest.is_consistent() {
            let _ = manifest.tail_after();
            for c in &manifest.chunks {
                let _ = (c.path(), c.holds(manifest.size, &[]));
            }
        }
    }
    if let Ok(rows) = postcard::from_bytes::<Vec<domain::chain::Row>>(data) {
        // What the browser's verify button checks (`GET /api/rows`).
        let demo = spiral_fuzz::demo();
        if let Some(last) = demo.rows.last() {
            let tree = domain::merkle::MerkleTree::new(demo.rows.iter().map(|r| &r.hash));
            let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
            if let Ok(root) = tree.root(last.position) {
                let cp = domain::checkpoint::Checkpoint::sign(last.position, root, chrono::DateTime::UNIX_EPOCH, &key);
                let _ = cp.check_rows(&rows);
            }
        }
    }
});
