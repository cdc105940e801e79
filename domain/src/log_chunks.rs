//! The log as immutable chunks a browser can keep. A ledger only grows, so the events up to a
//! position never change, and the chain hash of that position names them all: two ledgers that
//! share it share every event before it. A chunk is therefore addressed by its last position and
//! that hash. Its address can be cached forever, a ledger rewritten or replaced behind the same
//! URL gives other addresses (never a stale mix), and a visit after the first downloads only the
//! chunks it has not seen and the short tail after the last full chunk.
//!
//! The server publishes a [`Manifest`] (the full chunks and the head); the browser fetches each
//! chunk by its address and checks it holds exactly the positions it should. The address also
//! names the form the events are written in ([`WIRE_FORMAT`]), so chunks a browser cached from
//! an older server are never read by newer code that would decode them differently.

use crate::chain::Hash;
use crate::record::Recorded;
use serde::{Deserialize, Serialize};

/// Events per chunk unless the server is told otherwise: at ~130 bytes per event, ~1.3 MB
/// before compression, so a 1,000,000-event ledger is 100 chunks and its manifest a few KB.
pub const DEFAULT_CHUNK_EVENTS: u64 = 10_000;

/// The largest chunk a server may be configured with (one chunk is one answer in memory).
pub const MAX_CHUNK_EVENTS: u64 = 100_000;

/// The form of a chunk's events: postcard of `Vec<Recorded>` as this code writes it. Change it
/// whenever that form changes (a field, a variant's place, a type); the test
/// `the_wire_form_is_pinned` fails until it is changed. Format 2: a recorded time is seconds and
/// nanoseconds, not RFC 3339 text (`date::recorded_time`).
pub const WIRE_FORMAT: u32 = 2;

/// One full chunk: positions `last - size + 1 ..= last`, the chain hash at `last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRef {
    pub last: u64,
    pub hash: Hash,
}

/// What the server's log holds now, as chunks and a tail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Events per chunk.
    pub size: u64,
    /// Every full chunk, in order: the `i`-th ends at `(i + 1) * size`.
    pub chunks: Vec<ChunkRef>,
    /// The last position; the tail is `chunks.last().last + 1 ..= head`.
    pub head: u64,
}

impl Manifest {
    /// The last positions of the full chunks of a log of `head` events, `size` per chunk.
    pub fn chunk_ends(size: u64, head: u64) -> Vec<u64> {
        if size == 0 {
            return Vec::new();
        }
        (1..=head / size).map(|i| i * size).collect()
    }

    /// The position the tail starts after.
    pub fn tail_after(&self) -> u64 {
        self.chunks.last().map_or(0, |c| c.last)
    }

    /// Whether the manifest is one a server could have sent: chunks exactly at every multiple of
    /// `size` up to `head`. A browser trusts nothing it cannot check.
    pub fn is_consistent(&self) -> bool {
        self.size > 0
            && self.size <= MAX_CHUNK_EVENTS
            && self.chunks.len() as u64 == self.head / self.size
            && self
                .chunks
                .iter()
                .zip(Self::chunk_ends(self.size, self.head))
                .all(|(c, end)| c.last == end)
    }
}

impl ChunkRef {
    /// The chunk's address under `/api/log/chunks/`: its last position and hash (hex).
    pub fn path(&self) -> String {
        format!("{}/{}", self.last, hex::encode(self.hash))
    }

    /// The chunk's address with its query: the reader's name (already percent-encoded) and the
    /// form its events are written in.
    pub fn url(&self, reader: &str) -> String {
        format!(
            "/api/log/chunks/{}?reader={reader}&format={WIRE_FORMAT}",
            self.path()
        )
    }

    /// Whether `events` are exactly this chunk's positions, in order: `size` of them, the last at
    /// `last`. (Checked arithmetic: the bytes come from the network.)
    pub fn holds(&self, size: u64, events: &[Recorded]) -> bool {
        let n = events.len() as u64;
        n == size
            && events
                .iter()
                .zip(0..n)
                .all(|(e, i)| self.last.checked_sub(n - 1 - i) == Some(e.position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins the postcard form of the demo's and the example's events (every kind of fact,
    /// receipts, donors, corrections). When this fails, chunks cached by browsers from the code
    /// before would decode differently: bump [`WIRE_FORMAT`] and put the new digest here.
    #[test]
    fn the_wire_form_is_pinned() {
        use sha2::{Digest, Sha256};
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut events = crate::demo::recorded(at);
        events.extend(crate::example::recorded(&crate::example::Scale::default(), at));
        let bytes = postcard::to_allocvec(&events).unwrap();
        assert_eq!(
            (WIRE_FORMAT, hex::encode(Sha256::digest(&bytes))),
            (
                2,
                String::from("a56f64be4541814c5ee6fd35cce3b19d4f7af8af58f6e8e91bb21c49bfe8eadf")
            )
        );
    }

    #[test]
    fn chunks_end_at_every_multiple_of_the_size() {
        assert_eq!(Manifest::chunk_ends(50, 133), vec![50, 100]);
        assert_eq!(Manifest::chunk_ends(50, 49), Vec::<u64>::new());
        assert_eq!(Manifest::chunk_ends(50, 150), vec![50, 100, 150]);
        assert!(Manifest::chunk_ends(0, 10).is_empty());
    }

    #[test]
    fn a_manifest_is_checked_against_its_own_size_and_head() {
        let chunk = |last| ChunkRef { last, hash: [7; 32] };
        let good = Manifest {
            size: 50,
            chunks: vec![chunk(50), chunk(100)],
            head: 133,
        };
        assert!(good.is_consistent());
        assert_eq!(good.tail_after(), 100);
        for bad in [
            Manifest {
                size: 0,
                ..good.clone()
            },
            Manifest {
                head: 150,
                ..good.clone()
            },
            Manifest {
                chunks: vec![chunk(50), chunk(99)],
                ..good.clone()
            },
            Manifest {
                size: MAX_CHUNK_EVENTS + 1,
                chunks: vec![],
                head: 10,
            },
        ] {
            assert!(!bad.is_consistent(), "{bad:?}");
        }
    }

    #[test]
    fn a_chunk_address_is_its_last_position_and_hash() {
        let c = ChunkRef {
            last: 100,
            hash: [0xab; 32],
        };
        assert_eq!(c.path(), format!("100/{}", "ab".repeat(32)));
    }
}
