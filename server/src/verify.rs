//! `spiral verify`: re-reads the whole ledger and checks positions, sequences and the hash chain,
//! then that the head row agrees with the last event (so events deleted from the end are noticed).
//!
//! The head is read first and only the events up to it are checked, so a ledger that grows while
//! it is being verified (a busy server) verifies as the prefix it was when verification began,
//! instead of looking truncated.

use crate::store::{EventLog, StoreError};
use domain::chain::{ChainError, ChainVerifier, Hash};
use domain::merkle::MerkleTree;

/// Rows read per query.
const PAGE: u64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub count: u64,
    pub head: Hash,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error("events after position {last} are missing: the ledger head records {recorded} events")]
    Truncated { last: u64, recorded: u64 },
    #[error("the ledger head does not match the event at position {position}")]
    HeadMismatch { position: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl VerifyError {
    /// The first position found bad, when the failure is the ledger's and not the database's.
    pub fn position(&self) -> Option<u64> {
        match self {
            VerifyError::Chain(e) => Some(e.position()),
            VerifyError::Truncated { last, .. } => Some(last + 1),
            VerifyError::HeadMismatch { position } => Some(*position),
            VerifyError::Store(_) => None,
        }
    }
}

pub async fn verify(log: &EventLog) -> Result<Verified, VerifyError> {
    verify_with_tree(log).await.map(|(verified, _)| verified)
}

/// Verifies the ledger up to its head as of now, and builds the Merkle tree over the events
/// checked (what a checkpoint signs).
pub async fn verify_with_tree(log: &EventLog) -> Result<(Verified, MerkleTree), VerifyError> {
    let head = log.head().await?;
    let mut chain = ChainVerifier::new();
    let mut tree = MerkleTree::default();
    while chain.count() < head.position {
        let wanted = (head.position - chain.count()).min(PAGE);
        let rows = log.rows_after(chain.count(), wanted).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            chain.push(row)?;
            tree.push(&row.hash);
        }
    }
    if head.position > chain.count() {
        return Err(VerifyError::Truncated {
            last: chain.count(),
            recorded: head.position,
        });
    }
    // Rows beyond the head the head row does not know of: inserted behind the store's back.
    if let Some(extra) = log.rows_after(head.position, 1).await?.first() {
        if log.head().await?.position < extra.position {
            return Err(VerifyError::HeadMismatch {
                position: extra.position,
            });
        }
    }
    if head.hash != chain.head() {
        return Err(VerifyError::HeadMismatch {
            position: chain.count(),
        });
    }
    Ok((
        Verified {
            count: chain.count(),
            head: chain.head(),
        },
        tree,
    ))
}
