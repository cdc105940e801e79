//! A projection snapshot: the fold of every event up to one position, kept so that a process
//! starting cold (the CLI's `state` and `report`) folds only the events recorded after it
//! instead of the whole ledger.
//!
//! A snapshot is derived data, never evidence: the ledger stays the only record. It is trusted
//! only when all of these hold, and otherwise ignored (the fold starts from the first event):
//! - it was made by this code's fold ([`FORMAT`]);
//! - the chain hash it names is the ledger's hash at its position, so the ledger it was folded
//!   from is the one read now, not a restored, replaced or rewritten one;
//! - its signature verifies under the reader's own key, so someone who can write to the database
//!   but does not hold the key file cannot plant figures in a report.

use crate::chain::Hash;
use crate::projection::{LedgerState, View};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The fold's version. Change it whenever `LedgerState`'s shape or the way events fold into it
/// changes, so snapshots made by older code are folded again rather than read wrongly. The test
/// `the_demos_snapshot_is_pinned` fails until it is changed.
pub const FORMAT: u32 = 3;

/// What a snapshot says it is, beside its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: u32,
    /// The last position folded in.
    pub position: u64,
    /// The chain hash at `position`.
    pub chain_hash: Hash,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SnapshotError {
    #[error(
        "the snapshot was made by another version of the fold (format {found}, this one reads {FORMAT})"
    )]
    OtherFormat { found: u32 },
    #[error("the snapshot is not signed by this key, or was changed after it was signed")]
    BadSignature,
    #[error("the snapshot's body cannot be read: {0}")]
    Unreadable(String),
    #[error("the snapshot says it ends at position {header}, its fold at {folded}")]
    WrongPosition { header: u64, folded: u64 },
    #[error("only the fold of everything, now, is kept as a snapshot")]
    NotEverything,
}

/// The bytes a snapshot's signature covers: a domain tag, the header and the body's SHA-256.
fn signed_message(header: &Header, body: &[u8]) -> Vec<u8> {
    let mut message = b"spiral projection snapshot\n".to_vec();
    message.extend_from_slice(&header.format.to_be_bytes());
    message.extend_from_slice(&header.position.to_be_bytes());
    message.extend_from_slice(&header.chain_hash);
    message.extend_from_slice(&Sha256::digest(body));
    message
}

/// A state to keep: its header, its body (postcard) and the signature over both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub header: Header,
    pub body: Vec<u8>,
    pub signature: [u8; 64],
}

/// Seals the fold of everything up to `state.head_position`, whose chain hash is `chain_hash`.
pub fn seal(state: &LedgerState, chain_hash: Hash, key: &SigningKey) -> Result<Sealed, SnapshotError> {
    if state.view != View::everything() {
        return Err(SnapshotError::NotEverything);
    }
    let header = Header {
        format: FORMAT,
        position: state.head_position,
        chain_hash,
    };
    let body = postcard::to_allocvec(state).map_err(|e| SnapshotError::Unreadable(e.to_string()))?;
    let signature = key.sign(&signed_message(&header, &body)).to_bytes();
    Ok(Sealed {
        header,
        body,
        signature,
    })
}

/// Opens a kept snapshot: checks its format and signature, then decodes the body. (Whether
/// `header.chain_hash` is the ledger's hash at `header.position` is for the caller to check
/// against the store.)
pub fn open(sealed: &Sealed, trusted: &VerifyingKey) -> Result<LedgerState, SnapshotError> {
    verify(sealed, trusted)?;
    decode_body(&sealed.body, sealed.header.position)
}

/// Checks a kept snapshot's format and signature, without decoding its body.
pub fn verify(sealed: &Sealed, trusted: &VerifyingKey) -> Result<(), SnapshotError> {
    if sealed.header.format != FORMAT {
        return Err(SnapshotError::OtherFormat {
            found: sealed.header.format,
        });
    }
    trusted
        .verify_strict(
            &signed_message(&sealed.header, &sealed.body),
            &Signature::from_bytes(&sealed.signature),
        )
        .map_err(|_| SnapshotError::BadSignature)
}

/// Decodes a snapshot's body and checks it ends where its header says. Signed bodies are ours,
/// but a decoder still never trusts its input (fuzz target `snapshot_body`).
pub fn decode_body(body: &[u8], position: u64) -> Result<LedgerState, SnapshotError> {
    let (state, rest): (LedgerState, &[u8]) =
        postcard::take_from_bytes(body).map_err(|e| SnapshotError::Unreadable(e.to_string()))?;
    if !rest.is_empty() {
        return Err(SnapshotError::Unreadable(format!(
            "{} bytes after the state",
            rest.len()
        )));
    }
    if state.head_position != position {
        return Err(SnapshotError::WrongPosition {
            header: position,
            folded: state.head_position,
        });
    }
    if state.view != View::everything() {
        return Err(SnapshotError::NotEverything);
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::GENESIS;

    fn demo_events() -> Vec<crate::Recorded> {
        crate::demo::recorded(chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap())
    }

    fn demo_state() -> LedgerState {
        LedgerState::replay(&demo_events(), View::everything())
    }

    #[test]
    fn a_sealed_snapshot_opens_to_the_same_state() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let state = demo_state();
        let sealed = seal(&state, [9; 32], &key).unwrap();
        assert_eq!(open(&sealed, &key.verifying_key()).unwrap(), state);
    }

    #[test]
    fn a_changed_body_another_key_or_another_format_is_refused() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let sealed = seal(&demo_state(), GENESIS, &key).unwrap();
        let mut changed = sealed.clone();
        let last = changed.body.len() - 1;
        changed.body[last] ^= 1;
        assert_eq!(
            open(&changed, &key.verifying_key()),
            Err(SnapshotError::BadSignature)
        );
        let mut moved = sealed.clone();
        moved.header.position -= 1;
        assert_eq!(
            open(&moved, &key.verifying_key()),
            Err(SnapshotError::BadSignature)
        );
        let other = SigningKey::from_bytes(&[4; 32]);
        assert_eq!(
            open(&sealed, &other.verifying_key()),
            Err(SnapshotError::BadSignature)
        );
        let mut older = sealed;
        older.header.format = FORMAT + 1;
        assert_eq!(
            open(&older, &key.verifying_key()),
            Err(SnapshotError::OtherFormat { found: FORMAT + 1 })
        );
    }

    #[test]
    fn only_the_fold_of_everything_is_sealed() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let events = demo_events();
        let as_of = LedgerState::replay(
            &events,
            View {
                as_of: Some(crate::Date::from_ymd(2015, 4, 1).unwrap()),
                known_at: None,
            },
        );
        assert_eq!(seal(&as_of, GENESIS, &key), Err(SnapshotError::NotEverything));
    }

    #[test]
    fn a_body_with_trailing_bytes_or_another_position_is_unreadable() {
        let state = demo_state();
        let mut body = postcard::to_allocvec(&state).unwrap();
        assert!(decode_body(&body, state.head_position).is_ok());
        assert!(matches!(
            decode_body(&body, state.head_position + 1),
            Err(SnapshotError::WrongPosition { .. })
        ));
        body.push(0);
        assert!(matches!(
            decode_body(&body, state.head_position),
            Err(SnapshotError::Unreadable(_))
        ));
    }

    /// Pins the demo's snapshot body. When this fails, the fold or `LedgerState` changed: bump
    /// [`FORMAT`] (kept snapshots are then folded again) and put the new digest here.
    #[test]
    fn the_demos_snapshot_is_pinned() {
        let body = postcard::to_allocvec(&demo_state()).unwrap();
        assert_eq!(
            (FORMAT, hex::encode(Sha256::digest(&body))),
            (
                3,
                String::from("1d3d5abe913768953bcaed462f92111750360244cc267a9fd4d48bad39c657de")
            )
        );
    }
}
