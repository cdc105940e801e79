//! The hash chain that makes the ledger tamper-evident, and the canonical bytes it is computed over.
//!
//! Each event's hash is SHA-256 over the previous event's hash followed by a length-prefixed
//! encoding of the stored fields (see `docs/interchange.md`). The payload and metadata enter as
//! the exact JSON text the store holds, which Spiral always writes in canonical form (keys
//! sorted, no whitespace), so the hash never depends on how a database renders JSON.

use crate::events::LedgerEvent;
use crate::record::{Metadata, Recorded};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub type Hash = [u8; 32];

/// The "previous hash" of the first event.
pub const GENESIS: Hash = [0u8; 32];

/// A stored row, exactly as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub position: u64,
    pub stream: String,
    pub sequence: u64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
    pub hash: Hash,
}

/// SHA-256(prev ‖ u64be position ‖ str stream ‖ u64be sequence ‖ str type ‖ str version ‖
/// str payload ‖ str metadata), where `str` is a u32 big-endian byte length and the UTF-8 bytes.
#[allow(clippy::too_many_arguments)]
pub fn link_hash(
    prev: &Hash,
    position: u64,
    stream: &str,
    sequence: u64,
    event_type: &str,
    event_version: &str,
    payload: &str,
    metadata: &str,
) -> Hash {
    fn put_str(h: &mut Sha256, field: &str) {
        h.update((field.len() as u32).to_be_bytes());
        h.update(field.as_bytes());
    }
    let mut h = Sha256::new();
    h.update(prev);
    h.update(position.to_be_bytes());
    put_str(&mut h, stream);
    h.update(sequence.to_be_bytes());
    put_str(&mut h, event_type);
    put_str(&mut h, event_version);
    put_str(&mut h, payload);
    put_str(&mut h, metadata);
    h.finalize().into()
}

/// A stored row's fields, borrowed: lets a verifier check a line without copying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRef<'a> {
    pub position: u64,
    pub stream: &'a str,
    pub sequence: u64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub payload: &'a str,
    pub metadata: &'a str,
    pub hash: Hash,
}

impl RowRef<'_> {
    pub fn expected_hash(&self, prev: &Hash) -> Hash {
        link_hash(
            prev,
            self.position,
            self.stream,
            self.sequence,
            self.event_type,
            self.event_version,
            self.payload,
            self.metadata,
        )
    }
}

impl Row {
    pub fn borrowed(&self) -> RowRef<'_> {
        RowRef {
            position: self.position,
            stream: &self.stream,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: &self.event_version,
            payload: &self.payload,
            metadata: &self.metadata,
            hash: self.hash,
        }
    }

    /// The hash this row should carry after `prev`.
    pub fn expected_hash(&self, prev: &Hash) -> Hash {
        link_hash(
            prev,
            self.position,
            &self.stream,
            self.sequence,
            &self.event_type,
            &self.event_version,
            &self.payload,
            &self.metadata,
        )
    }

    pub fn decode(&self) -> Result<Recorded, serde_json::Error> {
        let event: LedgerEvent = serde_json::from_str(&self.payload)?;
        let meta: Metadata = serde_json::from_str(&self.metadata)?;
        Ok(Recorded {
            position: self.position,
            stream: self.stream.clone(),
            sequence: self.sequence,
            event,
            meta,
        })
    }
}

/// Canonical JSON text: object keys in byte order, no insignificant whitespace.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Canonical JSON of any serialisable value.
pub fn to_canonical<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    Ok(canonical_json(&serde_json::to_value(value)?))
}

/// Stored rows for recorded events, hash-chained as the store writes them (canonical payload and
/// metadata): for tests, benchmarks and fuzz seeds that need a ledger without a database.
pub fn rows_for(events: &[Recorded]) -> Result<Vec<Row>, serde_json::Error> {
    let mut prev = GENESIS;
    events
        .iter()
        .map(|e| {
            let mut row = Row {
                position: e.position,
                stream: e.stream.clone(),
                sequence: e.sequence,
                event_type: e.event.entry.type_name().to_owned(),
                event_version: crate::events::EVENT_VERSION.to_owned(),
                payload: to_canonical(&e.event)?,
                metadata: to_canonical(&e.meta)?,
                hash: GENESIS,
            };
            row.hash = row.expected_hash(&prev);
            prev = row.hash;
            Ok(row)
        })
        .collect()
}

/// What is wrong at a position of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("position {expected} is missing (the next stored row is at position {found})")]
    Gap { expected: u64, found: u64 },
    #[error("event at position {position} does not match its hash: it was altered, moved, or an earlier event was")]
    HashMismatch { position: u64 },
    #[error("event at position {position} is sequence {found} of {stream}, expected {expected}")]
    SequenceBreak {
        position: u64,
        stream: String,
        expected: u64,
        found: u64,
    },
    #[error("event at position {position} cannot be read: {reason}")]
    Unreadable { position: u64, reason: String },
}

impl ChainError {
    pub fn position(&self) -> u64 {
        match self {
            ChainError::Gap { expected, .. } => *expected,
            ChainError::HashMismatch { position }
            | ChainError::SequenceBreak { position, .. }
            | ChainError::Unreadable { position, .. } => *position,
        }
    }
}

/// Checks rows one at a time, in position order, so a ledger of any size verifies in one pass.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    count: u64,
    head: Option<Hash>,
    sequences: HashMap<String, u64>,
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks position, hash and stream sequence, and that the payload decodes as an event.
    pub fn push(&mut self, row: &Row) -> Result<(), ChainError> {
        self.check(&row.borrowed())?;
        if let Err(e) = row.decode() {
            return Err(ChainError::Unreadable {
                position: row.position,
                reason: e.to_string(),
            });
        }
        self.advance(&row.borrowed());
        Ok(())
    }

    /// Checks position, hash and stream sequence only: what integrity needs, without decoding
    /// the payload (the independent verifier's fast path).
    pub fn push_integrity(&mut self, row: &RowRef) -> Result<(), ChainError> {
        self.check(row)?;
        self.advance(row);
        Ok(())
    }

    fn check(&self, row: &RowRef) -> Result<(), ChainError> {
        let expected = self.count + 1;
        if row.position != expected {
            return Err(ChainError::Gap {
                expected,
                found: row.position,
            });
        }
        let prev = self.head.unwrap_or(GENESIS);
        if row.expected_hash(&prev) != row.hash {
            return Err(ChainError::HashMismatch {
                position: row.position,
            });
        }
        let last = self.sequences.get(row.stream).copied().unwrap_or(0);
        if row.sequence != last + 1 {
            return Err(ChainError::SequenceBreak {
                position: row.position,
                stream: row.stream.to_owned(),
                expected: last + 1,
                found: row.sequence,
            });
        }
        Ok(())
    }

    fn advance(&mut self, row: &RowRef) {
        match self.sequences.get_mut(row.stream) {
            Some(sequence) => *sequence = row.sequence,
            None => {
                self.sequences.insert(row.stream.to_owned(), row.sequence);
            }
        }
        self.count = row.position;
        self.head = Some(row.hash);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn head(&self) -> Hash {
        self.head.unwrap_or(GENESIS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let v: Value = serde_json::from_str(r#"{ "b": [1, {"z": null, "a": "x"}], "a": "日本" }"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":"日本","b":[1,{"a":"x","z":null}]}"#);
        let again: Value = serde_json::from_str(&canonical_json(&v)).unwrap();
        assert_eq!(canonical_json(&again), canonical_json(&v));
    }

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let base = link_hash(&GENESIS, 1, "s", 1, "T", "1.0", "{}", "{}");
        assert_ne!(base, link_hash(&[1; 32], 1, "s", 1, "T", "1.0", "{}", "{}"));
        assert_ne!(base, link_hash(&GENESIS, 2, "s", 1, "T", "1.0", "{}", "{}"));
        assert_ne!(base, link_hash(&GENESIS, 1, "t", 1, "T", "1.0", "{}", "{}"));
        assert_ne!(base, link_hash(&GENESIS, 1, "s", 2, "T", "1.0", "{}", "{}"));
        assert_ne!(base, link_hash(&GENESIS, 1, "s", 1, "U", "1.0", "{}", "{}"));
        assert_ne!(base, link_hash(&GENESIS, 1, "s", 1, "T", "1.1", "{}", "{}"));
        assert_ne!(base, link_hash(&GENESIS, 1, "s", 1, "T", "1.0", "[]", "{}"));
        assert_ne!(base, link_hash(&GENESIS, 1, "s", 1, "T", "1.0", "{}", "[]"));
        // Length prefixes keep field boundaries: moving a byte between fields changes the hash.
        assert_ne!(
            link_hash(&GENESIS, 1, "ab", 1, "c", "", "", ""),
            link_hash(&GENESIS, 1, "a", 1, "bc", "", "", "")
        );
    }
}
