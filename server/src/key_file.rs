//! A 32-byte secret kept in a file of its own, as 64 hex digits, created with owner-only
//! permissions on first use: the checkpoint signing key and the donor vault's master key. Neither
//! ever goes into the ledger's database, so a copy of the database (or an export, or a backup)
//! carries neither.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the {what} {path}: {reason}")]
    Read {
        what: &'static str,
        path: String,
        reason: String,
    },
    #[error("cannot create the {what} {path}: {reason}")]
    Create {
        what: &'static str,
        path: String,
        reason: String,
    },
}

/// The secret in `path`, or `None` when there is no such file (nothing is created). `what`
/// names the key in errors ("signing key", "vault key").
pub fn read(path: &Path, what: &'static str) -> Result<Option<[u8; 32]>, KeyError> {
    let failed = |reason: String| KeyError::Read {
        what,
        path: path.display().to_string(),
        reason,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .map(Some)
            .ok_or_else(|| failed("not 64 hex digits".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(failed(e.to_string())),
    }
}

/// The secret in `path`, or a new random one written there (owner-only) when there is none.
pub fn read_or_create(path: &Path, what: &'static str) -> Result<[u8; 32], KeyError> {
    if let Some(secret) = read(path, what)? {
        return Ok(secret);
    }
    let failed = |e: std::io::Error| KeyError::Create {
        what,
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    // Written whole under a name of its own, then linked into place, which fails if the file
    // exists: of several servers starting at once on one key file, one key wins and every
    // server reads it (none ever sees a half-written file).
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".new-{}", std::process::id()));
    let temporary = std::path::PathBuf::from(temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        writeln!(file, "{}", hex::encode(secret))?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(secret),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path, what)?.ok_or_else(|| failed(e)),
        Err(e) => Err(failed(e)),
    }
}
