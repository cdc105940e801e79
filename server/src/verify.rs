//! `spiral verify`: re-reads the whole ledger and checks positions, sequences and the hash chain,
//! then that the head row agrees with the last event (so events deleted from the end are noticed).

use crate::store::{EventLog, StoreError};
use domain::chain::{ChainError, ChainVerifier, Hash};

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
    let mut chain = ChainVerifier::new();
    let mut after = 0;
    loop {
        let rows = log.rows_after(after, 10_000).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            chain.push(row)?;
        }
        after = chain.count();
    }
    let head = log.head().await?;
    if head.position > chain.count() {
        return Err(VerifyError::Truncated {
            last: chain.count(),
            recorded: head.position,
        });
    }
    if head.position != chain.count() || head.hash != chain.head() {
        return Err(VerifyError::HeadMismatch {
            position: chain.count(),
        });
    }
    Ok(Verified {
        count: chain.count(),
        head: chain.head(),
    })
}
