//! `spiral backup FILE` and `spiral restore FILE`: a copy of a SQLite ledger taken while the
//! server runs, and putting one back only once it has proved itself.
//!
//! A backup is SQLite's `VACUUM INTO`: one consistent snapshot (a read transaction, so writers go
//! on meanwhile), written to a new file and then verified like the ledger itself. A restore copies
//! the file beside the target, brings its schema up to date, and accepts it only when its chain
//! verifies, every checkpoint kept in it was signed by this server's key over exactly these
//! events, and it holds everything up to the last checkpoint the key signed (kept beside the key,
//! outside any database). Then it is renamed into place; a refused restore leaves nothing.
//!
//! PostgreSQL has its own tools for this (docs/operations.md): `pg_dump` while serving, and after
//! `pg_restore`, `spiral verify` makes the same checks against the key's last checkpoint.

use crate::signer::{SignError, Signer};
use crate::store::{EventLog, StoreError};
use crate::verify::{verify_with_tree, VerifyError};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{what} works on SQLite ledgers; on PostgreSQL use pg_dump and pg_restore, then `spiral verify` (docs/operations.md)")]
    NotSqlite { what: &'static str },
    #[error("{path} exists already: a backup never overwrites a file")]
    Exists { path: String },
    #[error(
        "the target database {path} exists already: restore into a new file (or move that one away first)"
    )]
    TargetExists { path: String },
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("the backup does not verify: {0}")]
    Invalid(#[from] VerifyError),
    #[error("the checkpoint kept in the backup at size {size} {problem}")]
    BadCheckpoint { size: u64, problem: String },
    #[error("the backup holds {held} events, but this server signed a checkpoint of {signed}: restoring it would lose events {first_lost}–{signed}. Find a newer backup")]
    Older { held: u64, signed: u64, first_lost: u64 },
    #[error("the backup's first {size} events differ from the checkpoint this server signed at that size: it is another ledger, or was altered")]
    Diverged { size: u64 },
    #[error(transparent)]
    Signer(#[from] SignError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a backup or a restore holds, once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub events: u64,
    pub head: String,
    /// Checkpoints kept in the file, each checked against the events.
    pub checkpoints: usize,
    /// The size of the last checkpoint the key signed, which the file extends.
    pub last_signed: Option<u64>,
}

/// The SQLite file a `sqlite:` URL names.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite:")?;
    let path = path.split('?').next().unwrap_or(path);
    let path = path.strip_prefix("//").unwrap_or(path);
    Some(PathBuf::from(path))
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Writes a consistent copy of the running ledger to `to`, then verifies the copy.
pub async fn backup(log: &EventLog, to: &Path, signer: &Signer) -> Result<Verified, BackupError> {
    if log.backend() != crate::store::Backend::Sqlite {
        return Err(BackupError::NotSqlite {
            what: "spiral backup",
        });
    }
    if to.exists() {
        return Err(BackupError::Exists {
            path: to.display().to_string(),
        });
    }
    let target = to.to_str().ok_or_else(|| BackupError::File {
        path: to.display().to_string(),
        reason: "the path is not UTF-8".into(),
    })?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(log.pool())
        .await
        .map_err(StoreError::from)?;
    let copy = EventLog::open(&format!("sqlite:{target}")).await?;
    let verified = check(&copy, signer).await;
    copy.close().await;
    verified
}

/// Puts the backup at `from` in place as the SQLite ledger at `to` (which must not exist), once
/// it has verified.
pub async fn restore(from: &Path, to: &Path, signer: &Signer) -> Result<Verified, BackupError> {
    if to.exists() {
        return Err(BackupError::TargetExists {
            path: to.display().to_string(),
        });
    }
    let mut pending = to.as_os_str().to_owned();
    pending.push(".restoring");
    let pending = PathBuf::from(pending);
    let _ = std::fs::remove_file(&pending);
    std::fs::copy(from, &pending).map_err(file_error(from))?;
    let outcome = async {
        let copy = EventLog::open(&format!("sqlite:{}", pending.display())).await?;
        let verified = check(&copy, signer).await;
        copy.close().await;
        verified
    }
    .await;
    match outcome {
        Ok(verified) => {
            std::fs::rename(&pending, to).map_err(file_error(to))?;
            Ok(verified)
        }
        Err(e) => {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = pending.as_os_str().to_owned();
                file.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(file));
            }
            Err(e)
        }
    }
}

/// The chain, the checkpoints kept in the file, and the key's last checkpoint.
async fn check(log: &EventLog, signer: &Signer) -> Result<Verified, BackupError> {
    let (verified, tree) = verify_with_tree(log).await?;
    let key = signer.public_key();
    let kept = crate::audit::recorded_checkpoints(log).await?;
    for text in &kept {
        let cp = domain::checkpoint::Checkpoint::parse(text).map_err(|e| BackupError::BadCheckpoint {
            size: 0,
            problem: format!("cannot be read: {e}"),
        })?;
        let bad = |problem: &str| BackupError::BadCheckpoint {
            size: cp.size,
            problem: problem.to_owned(),
        };
        cp.verify(&key)
            .map_err(|_| bad("was not signed by this server's key"))?;
        if cp.size > verified.count {
            return Err(bad("covers more events than the backup holds"));
        }
        if tree.root(cp.size).ok() != Some(cp.root) {
            return Err(bad("does not match the backup's events"));
        }
    }
    let last_signed = signer.last()?;
    if let Some(last) = &last_signed {
        if last.size > verified.count {
            return Err(BackupError::Older {
                held: verified.count,
                signed: last.size,
                first_lost: verified.count + 1,
            });
        }
        if tree.root(last.size).ok() != Some(last.root) {
            return Err(BackupError::Diverged { size: last.size });
        }
    }
    Ok(Verified {
        events: verified.count,
        head: hex::encode(verified.head),
        checkpoints: kept.len(),
        last_signed: last_signed.map(|cp| cp.size),
    })
}
