//! The auditor's tools: the server's signing key, signed checkpoints, inclusion and consistency
//! proofs, and the independent verifier `spiral audit`, which needs no database: only a saved
//! checkpoint, the public key an auditor trusts, and an export.

use crate::interchange::with_raw_line;
use crate::signer::{SignError, Signer};
use crate::store::{EventLog, StoreError};
use domain::chain::{ChainVerifier, Hash};
use domain::checkpoint::{parse_public_key, Checkpoint, CheckpointError};
use domain::merkle::{MerkleTree, ProofError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error("there is no event at position {0}")]
    NoSuchEvent(u64),
    /// The signer refused: the ledger does not verify or does not extend what it signed.
    #[error(transparent)]
    Refused(SignError),
}

impl From<SignError> for ProveError {
    fn from(e: SignError) -> Self {
        match e {
            SignError::Store(s) => ProveError::Store(s),
            SignError::Proof(p) => ProveError::Proof(p),
            other => ProveError::Refused(other),
        }
    }
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
    signer: &Signer,
    position: u64,
) -> Result<InclusionProof, ProveError> {
    let (cp, tree) = signer.sign_now(log).await?;
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
    signer: &Signer,
    old: u64,
) -> Result<ConsistencyProof, ProveError> {
    let (cp, tree) = signer.sign_now(log).await?;
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
            .header("Accept", crate::interchange::JSON_LINES)
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

/// Signs a checkpoint (once the ledger has verified and extends the last one signed) and keeps
/// it in the database too, unless one of that size is kept already.
pub async fn record_checkpoint(log: &EventLog, signer: &Signer) -> Result<Checkpoint, ProveError> {
    let (cp, _) = signer.sign_now(log).await?;
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

/// Signs and keeps a checkpoint every `every`, for as long as the server runs, and after it a
/// projection snapshot of the live state once the ledger has grown `snapshot_after` events past
/// the last one. A refusal (the
/// ledger was tampered with) is logged as an error on every tick until someone looks. Of
/// several servers on one PostgreSQL database only the leader signs (`store::leader`); another
/// takes over at its next tick when the leader goes.
pub fn spawn_schedule(
    ledger: std::sync::Arc<crate::ledger::Ledger>,
    signer: std::sync::Arc<Signer>,
    every: std::time::Duration,
    snapshot_after: u64,
) {
    let log = ledger.log().clone();
    tokio::spawn(async move {
        let mut leadership =
            crate::store::leader::Leadership::new(&log, crate::store::leader::CHECKPOINT_JOB);
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            if !leadership.lead().await {
                continue;
            }
            match record_checkpoint(&log, &signer).await {
                Ok(cp) => {
                    tracing::info!("signed checkpoint at size {}", cp.size);
                    // The CLI's next `state` or `report` then starts from here, not from the
                    // first event, even when every event came through the server.
                    if let Err(e) =
                        crate::snapshots::keep_live(&ledger, signer.signing_key(), snapshot_after).await
                    {
                        tracing::warn!("could not keep a projection snapshot: {e}");
                    }
                }
                Err(ProveError::Refused(e)) => tracing::error!("scheduled checkpoint refused: {e}"),
                Err(e) => tracing::warn!("scheduled checkpoint failed: {e}"),
            }
        }
    });
}
