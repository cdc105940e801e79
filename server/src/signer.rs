//! The server's checkpoint signer: its Ed25519 key and the last checkpoint it signed, both kept
//! in files outside the ledger's database.
//!
//! A signature is the server vouching for history, so it must never vouch for history someone
//! rewrote in the database. Before every signature the signer re-verifies the whole chain and
//! checks that the ledger still begins with exactly what it signed last time (the Merkle root of
//! that prefix). Someone with database access who edits a row, recomputes every later hash and
//! deletes the kept checkpoints still meets the file beside the key, and the signer refuses,
//! saying why. `spiral verify` makes the same check.

use crate::store::{EventLog, StoreError};
use crate::verify::{verify_with_tree, VerifyError};
use chrono::Utc;
use domain::checkpoint::{Checkpoint, CheckpointError};
use domain::merkle::{MerkleTree, ProofError};
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use crate::key_file::KeyError;

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("nothing was signed: the ledger does not verify ({0})")]
    Unverified(VerifyError),
    #[error("nothing was signed: the ledger holds {now} events, but this server signed a checkpoint of {signed} (kept in {path}); events were removed or the database was replaced")]
    Shrunk { signed: u64, now: u64, path: String },
    #[error("nothing was signed: the ledger's first {size} events are not the ones this server signed (root {signed_root}, kept in {path}); history was rewritten or the database replaced. If the database was replaced on purpose, move {path} aside")]
    Diverged {
        size: u64,
        signed_root: String,
        path: String,
    },
    #[error("nothing was signed: the last checkpoint file {path} cannot be used: {reason}")]
    LastCheckpoint { path: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Proof(#[from] ProofError),
}

impl From<VerifyError> for SignError {
    fn from(e: VerifyError) -> Self {
        match e {
            VerifyError::Store(s) => SignError::Store(s),
            other => SignError::Unverified(other),
        }
    }
}

pub struct Signer {
    key: SigningKey,
    last_path: PathBuf,
    /// One signature at a time in this process (the schedule and a request may race).
    signing: tokio::sync::Mutex<()>,
}

/// The file that keeps the last checkpoint signed with the key in `key_file`.
pub fn last_checkpoint_path(key_file: &Path) -> PathBuf {
    let mut name = key_file.as_os_str().to_owned();
    name.push(".last-checkpoint");
    PathBuf::from(name)
}

impl Signer {
    /// The key from `key_file` (created, owner-only, on first use), with its last-checkpoint
    /// file beside it.
    pub fn open(key_file: &Path) -> Result<Signer, KeyError> {
        Ok(Signer::new(
            load_or_create_key(key_file)?,
            last_checkpoint_path(key_file),
        ))
    }

    pub fn new(key: SigningKey, last_path: PathBuf) -> Signer {
        Signer {
            key,
            last_path,
            signing: tokio::sync::Mutex::new(()),
        }
    }

    /// The key itself, for what else this server signs with it (projection snapshots).
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn last_path(&self) -> &Path {
        &self.last_path
    }

    /// The last checkpoint this key signed, if any (its signature checked against the key).
    pub fn last(&self) -> Result<Option<Checkpoint>, SignError> {
        let shown = self.last_path.display().to_string();
        let text = match std::fs::read_to_string(&self.last_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(SignError::LastCheckpoint {
                    path: shown,
                    reason: e.to_string(),
                })
            }
        };
        let unusable = |e: CheckpointError| SignError::LastCheckpoint {
            path: shown.clone(),
            reason: e.to_string(),
        };
        let cp = Checkpoint::parse(&text).map_err(unusable)?;
        cp.verify(&self.public_key()).map_err(unusable)?;
        Ok(Some(cp))
    }

    /// Verifies the whole ledger as it is now and checks that it extends the last checkpoint
    /// signed; returns the Merkle tree to sign from.
    pub async fn verified_tree(&self, log: &EventLog) -> Result<MerkleTree, SignError> {
        let (_, tree) = verify_with_tree(log).await?;
        if let Some(last) = self.last()? {
            let path = self.last_path.display().to_string();
            if tree.size() < last.size {
                return Err(SignError::Shrunk {
                    signed: last.size,
                    now: tree.size(),
                    path,
                });
            }
            if tree.root(last.size)? != last.root {
                return Err(SignError::Diverged {
                    size: last.size,
                    signed_root: hex::encode(last.root),
                    path,
                });
            }
        }
        Ok(tree)
    }

    /// Signs a checkpoint of the ledger as it is now, once it has verified, and remembers it.
    pub async fn sign_now(&self, log: &EventLog) -> Result<(Checkpoint, MerkleTree), SignError> {
        let _one_at_a_time = self.signing.lock().await;
        let tree = self.verified_tree(log).await?;
        let size = tree.size();
        let cp = Checkpoint::sign(size, tree.root(size)?, Utc::now(), &self.key);
        self.remember(&cp)?;
        Ok((cp, tree))
    }

    /// Signs the prefix of `size` events of a tree `verified_tree` produced (the audit report's
    /// checkpoints at the start and end of a period).
    pub fn sign_prefix(&self, tree: &MerkleTree, size: u64) -> Result<Checkpoint, ProofError> {
        Ok(Checkpoint::sign(size, tree.root(size)?, Utc::now(), &self.key))
    }

    /// Writes the checkpoint beside the key (atomically: a temporary file, synced, renamed),
    /// unless a larger one is kept already.
    fn remember(&self, cp: &Checkpoint) -> Result<(), SignError> {
        if self.last()?.is_some_and(|last| last.size > cp.size) {
            return Ok(());
        }
        let failed = |e: std::io::Error| SignError::LastCheckpoint {
            path: self.last_path.display().to_string(),
            reason: e.to_string(),
        };
        let mut temporary = self.last_path.clone().into_os_string();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        let mut file = std::fs::File::create(&temporary).map_err(failed)?;
        file.write_all(cp.to_text().as_bytes()).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        std::fs::rename(&temporary, &self.last_path).map_err(failed)?;
        if let Some(dir) = self.last_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(dir) = std::fs::File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

/// The server's Ed25519 signing key, kept in a file of its own (never in the ledger's
/// database), created with owner-only permissions on first use.
pub fn load_or_create_key(path: &Path) -> Result<SigningKey, KeyError> {
    crate::key_file::read_or_create(path, WHAT).map(|bytes| SigningKey::from_bytes(&bytes))
}

/// The key in `path`, or `None` when there is no such file (nothing is created).
pub fn read_key(path: &Path) -> Result<Option<SigningKey>, KeyError> {
    Ok(crate::key_file::read(path, WHAT)?.map(|bytes| SigningKey::from_bytes(&bytes)))
}

const WHAT: &str = "signing key";
