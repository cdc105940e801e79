//! The auditor's tools: the server's signing key, signed checkpoints, inclusion and consistency
//! proofs, and the independent verifier `spiral audit`, which needs no database: only a saved
//! checkpoint, the public key an auditor trusts, and an export.

use crate::interchange::with_raw_line;
use crate::store::{EventLog, StoreError};
use chrono::Utc;
use domain::chain::{ChainVerifier, Hash};
use domain::checkpoint::{parse_public_key, Checkpoint, CheckpointError};
use domain::merkle::{MerkleTree, ProofError};
use ed25519_dalek::SigningKey;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the signing key {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("cannot create the signing key {path}: {reason}")]
    Create { path: String, reason: String },
}

/// The server's Ed25519 signing key, kept in a file of its own (never in the ledger's
/// database), created with owner-only permissions on first use.
pub fn load_or_create_key(path: &Path) -> Result<SigningKey, KeyError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes: [u8; 32] = hex::decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| KeyError::Read {
                    path: shown.clone(),
                    reason: "not 64 hex digits".into(),
                })?;
            Ok(SigningKey::from_bytes(&bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SigningKey::generate(&mut argon2::password_hash::rand_core::OsRng);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).map_err(|e| KeyError::Create {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
            writeln!(file, "{}", hex::encode(key.to_bytes())).map_err(|e| KeyError::Create {
                path: shown,
                reason: e.to_string(),
            })?;
            Ok(key)
        }
        Err(e) => Err(KeyError::Read {
            path: shown,
            reason: e.to_string(),
        }),
    }
}

/// The Merkle tree over every stored event's hash, read page by page.
pub async fn ledger_tree(log: &EventLog) -> Result<MerkleTree, StoreError> {
    let mut tree = MerkleTree::default();
    let mut after = 0;
    loop {
        let rows = log.rows_after(after, 10_000).await?;
        let Some(last) = rows.last() else { return Ok(tree) };
        after = last.position;
        for row in &rows {
            tree.push(&row.hash);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error("there is no event at position {0}")]
    NoSuchEvent(u64),
}

/// Signs a checkpoint of the ledger as it is now.
pub async fn checkpoint(log: &EventLog, key: &SigningKey) -> Result<(Checkpoint, MerkleTree), ProveError> {
    let tree = ledger_tree(log).await?;
    let size = tree.size();
    Ok((Checkpoint::sign(size, tree.root(size)?, Utc::now(), key), tree))
}

fn hexes(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(hex::encode).collect()
}

#[derive(Debug, Serialize)]
pub struct InclusionProof {
    pub checkpoint: String,
    pub position: u64,
    /// The event's chain hash (the Merkle leaf is SHA-256(0x00 ‖ this)).
    pub event_hash: String,
    /// 0-based leaf index (position − 1).
    pub leaf_index: u64,
    pub tree_size: u64,
    pub proof: Vec<String>,
}

pub async fn prove_event(
    log: &EventLog,
    key: &SigningKey,
    position: u64,
) -> Result<InclusionProof, ProveError> {
    let (cp, tree) = checkpoint(log, key).await?;
    if position == 0 || position > cp.size {
        return Err(ProveError::NoSuchEvent(position));
    }
    let row = log
        .rows_after(position - 1, 1)
        .await?
        .pop()
        .ok_or(ProveError::NoSuchEvent(position))?;
    Ok(InclusionProof {
        checkpoint: cp.to_text(),
        position,
        event_hash: hex::encode(row.hash),
        leaf_index: position - 1,
        tree_size: cp.size,
        proof: hexes(&tree.inclusion_proof(position - 1, cp.size)?),
    })
}

#[derive(Debug, Serialize)]
pub struct ConsistencyProof {
    pub checkpoint: String,
    pub old_size: u64,
    pub old_root: String,
    pub new_size: u64,
    pub proof: Vec<String>,
}

pub async fn prove_consistency(
    log: &EventLog,
    key: &SigningKey,
    old: u64,
) -> Result<ConsistencyProof, ProveError> {
    let (cp, tree) = checkpoint(log, key).await?;
    let proof = tree.consistency_proof(old, cp.size)?;
    Ok(ConsistencyProof {
        checkpoint: cp.to_text(),
        old_size: old,
        old_root: hex::encode(tree.root(old)?),
        new_size: cp.size,
        proof: hexes(&proof),
    })
}

/// What `spiral audit` found wrong.
#[derive(Debug, thiserror::Error)]
pub enum AuditFailure {
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error("position {position}: {reason}")]
    AtPosition { position: u64, reason: String },
    #[error("the export's first {size} events do not match the checkpoint's Merkle root: history the checkpoint covers was rewritten")]
    RootMismatch { size: u64 },
}

impl AuditFailure {
    pub fn position(&self) -> Option<u64> {
        match self {
            AuditFailure::AtPosition { position, .. } => Some(*position),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub events: u64,
    pub covered: u64,
    pub head: Hash,
}

/// Checks a saved checkpoint against the trusted key, then an export against the checkpoint:
/// every line, position and hash of the chain, and the Merkle root of the events it covers
/// (the export may go on past the checkpoint: later events are checked by the chain only).
pub fn audit_export(
    checkpoint_text: &str,
    public_key: &str,
    export: &str,
) -> Result<AuditReport, AuditFailure> {
    let trusted = parse_public_key(public_key)?;
    let cp = Checkpoint::parse(checkpoint_text)?;
    cp.verify(&trusted)?;
    let mut chain = ChainVerifier::new();
    let mut tree = MerkleTree::default();
    for (i, line) in export.lines().enumerate() {
        let expected = i as u64 + 1;
        let checked = with_raw_line(line, |row| {
            chain.push_integrity(&row)?;
            tree.push(&row.hash);
            Ok::<_, domain::chain::ChainError>(())
        })
        .map_err(|reason| AuditFailure::AtPosition {
            position: expected,
            reason: format!("line {expected}: {reason}"),
        })?;
        checked.map_err(|e| AuditFailure::AtPosition {
            position: e.position(),
            reason: e.to_string(),
        })?;
    }
    if tree.size() < cp.size {
        return Err(AuditFailure::AtPosition {
            position: tree.size() + 1,
            reason: format!(
                "the export ends after {} events but the checkpoint covers {}: events were deleted",
                tree.size(),
                cp.size
            ),
        });
    }
    let root = tree.root(cp.size).expect("size checked above");
    if root != cp.root {
        return Err(AuditFailure::RootMismatch { size: cp.size });
    }
    Ok(AuditReport {
        events: tree.size(),
        covered: cp.size,
        head: chain.head(),
    })
}

/// Why the live ledger could not be read from a server.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} refused the sign-in of {user} (the name or the password is wrong, or it is locked for a minute)")]
    SignInRefused { url: String, user: String },
    #[error("{url} answered {status} to {what}")]
    Refused {
        url: String,
        what: &'static str,
        status: u16,
    },
}

/// Reads a running server's whole log in the export's own line format (signing in as `user`),
/// for `spiral audit --url`: the auditor checks what the server serves, with no database access.
pub fn fetch_export(url: &str, user: &str, password: &str) -> Result<String, FetchError> {
    let base = url.trim_end_matches('/');
    let unreachable = |e: ureq::Error| FetchError::Unreachable {
        url: base.to_owned(),
        reason: e.to_string(),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let login = serde_json::json!({ "name": user, "password": password }).to_string();
    let response = agent
        .post(&format!("{base}/api/login"))
        .content_type("application/json")
        .send(login.as_bytes())
        .map_err(unreachable)?;
    if response.status() != 200 {
        return Err(FetchError::SignInRefused {
            url: base.to_owned(),
            user: user.to_owned(),
        });
    }
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned();
    let mut export = String::new();
    let mut after = 0u64;
    loop {
        const PAGE: u64 = 100_000;
        let mut response = agent
            .get(&format!("{base}/api/events?after={after}&limit={PAGE}"))
            .header("Cookie", &cookie)
            .header("Accept", crate::web::api::JSON_LINES)
            .call()
            .map_err(unreachable)?;
        if response.status() != 200 {
            return Err(FetchError::Refused {
                url: base.to_owned(),
                what: "the log request",
                status: response.status().as_u16(),
            });
        }
        let page = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_string()
            .map_err(unreachable)?;
        let lines = page.lines().count() as u64;
        export.push_str(&page);
        after += lines;
        if lines < PAGE {
            return Ok(export);
        }
    }
}

/// Signs a checkpoint and keeps it, unless one of that size is already kept.
pub async fn record_checkpoint(log: &EventLog, key: &SigningKey) -> Result<Checkpoint, ProveError> {
    let (cp, _) = checkpoint(log, key).await?;
    sqlx::query(
        // ON CONFLICT, not NOT EXISTS: two signers racing (the schedule and a request) must not
        // turn into a unique violation on PostgreSQL.
        "INSERT INTO checkpoints (size, signed_at, text) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING",
    )
    .bind(cp.size as i64)
    .bind(cp.time.to_rfc3339())
    .bind(cp.to_text())
    .execute(log.pool())
    .await
    .map_err(StoreError::from)?;
    Ok(cp)
}

/// The kept checkpoints' texts, oldest first.
pub async fn recorded_checkpoints(log: &EventLog) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT text FROM checkpoints ORDER BY size")
        .fetch_all(log.pool())
        .await?)
}

/// Signs and keeps a checkpoint every `every`, for as long as the server runs.
pub fn spawn_schedule(
    log: std::sync::Arc<EventLog>,
    key: std::sync::Arc<SigningKey>,
    every: std::time::Duration,
) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            match record_checkpoint(&log, &key).await {
                Ok(cp) => tracing::info!("signed checkpoint at size {}", cp.size),
                Err(e) => tracing::warn!("scheduled checkpoint failed: {e}"),
            }
        }
    });
}
