//! The current projection for a process that starts cold (the CLI's `state` and `report`):
//! the newest projection snapshot this key signed, checked against the store, plus the events
//! recorded after it — instead of reading and folding the whole ledger on every run.
//!
//! A snapshot that does not check out (another key, another fold version, a ledger restored or
//! rewritten under it, a changed byte) is ignored with a warning and the whole ledger is folded,
//! so the answer is always the full fold's. After folding more than [`REFRESH_AFTER`] events, the
//! process keeps a new snapshot for the next run (`spiral --snapshot-after`).

use crate::ledger::{decode, Ledger};
use crate::store::{EventLog, StoreError};
use domain::chain::Hash;
use domain::fold_index::Needs;
use domain::snapshot::{self, Sealed, FORMAT};
use domain::{LedgerState, Recorded, View};
use ed25519_dalek::SigningKey;
use std::sync::Arc;

/// Events folded since the last snapshot beyond which a new one is kept, unless told otherwise.
pub const REFRESH_AFTER: u64 = 10_000;

/// Rows read per query.
const PAGE: u64 = 20_000;

/// Where a current state came from, for the benchmark and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    /// The snapshot's position, when one was used.
    pub snapshot: Option<u64>,
    /// Events folded after it (or from the first, without one).
    pub folded: u64,
    /// Whether a new snapshot was kept.
    pub kept: bool,
}

/// Why a kept snapshot was not used.
#[derive(Debug, thiserror::Error)]
enum Unusable {
    #[error(transparent)]
    Snapshot(#[from] snapshot::SnapshotError),
    #[error("the ledger holds no event at position {0} now (restored from an earlier backup?)")]
    Missing(u64),
    #[error("the ledger's chain hash at position {0} is not the one the snapshot was folded to")]
    OtherLedger(u64),
    #[error("a correction or retraction after it needs the whole ledger folded")]
    Amended,
}

/// The projection of everything recorded, now, as far as `needs` asks: from the newest usable
/// snapshot signed by `key` (when there is a key), of which only the parts `needs` names are
/// read, and the events after it; or from the whole ledger. A new snapshot is kept when at least
/// `keep_after` events (not 0) were folded into a whole state.
pub async fn current_state(
    log: &EventLog,
    key: Option<&SigningKey>,
    keep_after: u64,
    needs: &Needs,
) -> Result<(LedgerState, Fold), StoreError> {
    let Some(key) = key else {
        let (state, _) = fold_everything(log).await?;
        let folded = state.events_seen;
        return Ok((
            state,
            Fold {
                snapshot: None,
                folded,
                kept: false,
            },
        ));
    };
    let signer = hex::encode(key.verifying_key().to_bytes());
    let started = std::time::Instant::now();
    let kept = log.kept_snapshot(&signer, FORMAT).await?;
    tracing::debug!(
        "read the kept projection snapshot ({} bytes) in {} ms",
        kept.as_ref().map_or(0, |k| k.body.len()),
        started.elapsed().as_millis()
    );
    // Whether the state is the whole one (a fold of everything, or every part of a snapshot).
    let mut whole = true;
    let from_snapshot = match kept {
        None => None,
        Some(sealed) => {
            // When this run will keep a new snapshot, it needs the whole state to seal.
            let behind = log.head().await?.position.saturating_sub(sealed.header.position);
            let needs = if keep_after > 0 && behind >= keep_after {
                Needs::Everything
            } else {
                needs.clone()
            };
            match resume(log, key, sealed, needs.clone()).await? {
                Ok(resumed) => {
                    whole = needs == Needs::Everything;
                    Some(resumed)
                }
                Err((position, why)) => {
                    tracing::warn!("ignored the projection snapshot at position {position}: {why}; folding the whole ledger");
                    None
                }
            }
        }
    };
    let (state, head_hash, fold) = match from_snapshot {
        Some((state, head_hash, position)) => {
            let folded = state.head_position - position;
            (
                state,
                head_hash,
                Fold {
                    snapshot: Some(position),
                    folded,
                    kept: false,
                },
            )
        }
        None => {
            let (state, head_hash) = fold_everything(log).await?;
            let folded = state.head_position;
            (
                state,
                head_hash,
                Fold {
                    snapshot: None,
                    folded,
                    kept: false,
                },
            )
        }
    };
    // A state opened for part of a question lacks other years' receipts: never sealed (a run
    // due to keep one opened it whole above).
    let kept = match head_hash {
        Some(hash) if whole && keep_after > 0 && fold.folded >= keep_after => {
            keep(log, &signer, key, state, hash).await?
        }
        _ => (state, false),
    };
    let fold = Fold { kept: kept.1, ..fold };
    match fold.snapshot {
        Some(position) => tracing::debug!(
            "folded {} events after the projection snapshot at position {position}; kept a new one: {}",
            fold.folded,
            fold.kept
        ),
        None => tracing::debug!(
            "folded all {} events; kept a snapshot: {}",
            fold.folded,
            fold.kept
        ),
    }
    Ok((kept.0, fold))
}

/// Keeps a snapshot of a running server's live projection (after a scheduled checkpoint), once
/// it is at least `keep_after` events (not 0) past the newest one this key kept. Returns
/// whether one was kept.
pub async fn keep_live(ledger: &Arc<Ledger>, key: &SigningKey, keep_after: u64) -> Result<bool, StoreError> {
    if keep_after == 0 {
        return Ok(false);
    }
    ledger.catch_up().await?;
    let signer = hex::encode(key.verifying_key().to_bytes());
    let head = ledger.read_state(|s| s.head_position);
    let last = ledger
        .log()
        .kept_snapshot_position(&signer, FORMAT)
        .await?
        .unwrap_or(0);
    if head == 0 || head < last.saturating_add(keep_after) {
        return Ok(false);
    }
    let Some(&(_, hash)) = ledger.log().hashes_at(&[head]).await?.first() else {
        return Ok(false);
    };
    let (ledger_ref, key_ref) = (ledger.clone(), key.clone());
    // Sealed under the projection's read lock, at the head read above unless events arrived
    // meanwhile: then this tick keeps none and the next one tries again.
    let sealed = tokio::task::spawn_blocking(move || {
        ledger_ref.read_state(|s| (s.head_position == head).then(|| snapshot::seal(s, hash, &key_ref)))
    })
    .await
    .map_err(stopped)?;
    match sealed {
        Some(Ok(sealed)) => {
            ledger.log().keep_snapshot(&signer, &sealed).await?;
            tracing::info!("kept a projection snapshot at position {head}");
            Ok(true)
        }
        Some(Err(e)) => {
            tracing::warn!("could not seal a projection snapshot: {e}");
            Ok(false)
        }
        None => Ok(false),
    }
}

/// Seals and keeps `state`; a snapshot that cannot be kept is a warning, never a failed answer.
async fn keep(
    log: &EventLog,
    signer: &str,
    key: &SigningKey,
    state: LedgerState,
    hash: Hash,
) -> Result<(LedgerState, bool), StoreError> {
    let key = key.clone();
    let (state, sealed) = tokio::task::spawn_blocking(move || {
        let sealed = snapshot::seal(&state, hash, &key);
        (state, sealed)
    })
    .await
    .map_err(stopped)?;
    let kept = match sealed {
        Ok(sealed) => match log.keep_snapshot(signer, &sealed).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("could not keep a projection snapshot: {e}");
                false
            }
        },
        Err(e) => {
            tracing::warn!("could not seal a projection snapshot: {e}");
            false
        }
    };
    Ok((state, kept))
}

/// The snapshot's state brought up to the store's head, or why it cannot be used. Returns the
/// state, the chain hash at its head (when events were folded after the snapshot) and the
/// snapshot's position.
async fn resume(
    log: &EventLog,
    key: &SigningKey,
    sealed: Sealed,
    needs: Needs,
) -> Result<Result<(LedgerState, Option<Hash>, u64), (u64, Unusable)>, StoreError> {
    let position = sealed.header.position;
    let started = std::time::Instant::now();
    match log.hashes_at(&[position]).await?.first() {
        None => return Ok(Err((position, Unusable::Missing(position)))),
        Some((_, hash)) if *hash != sealed.header.chain_hash => {
            return Ok(Err((position, Unusable::OtherLedger(position))))
        }
        Some(_) => {}
    }
    let trusted = key.verifying_key();
    let reading = match &needs {
        Needs::Everything => "every part".to_owned(),
        Needs::Some { years, .. } => format!("the core and {} fiscal years' receipts", years.len()),
    };
    let opened = tokio::task::spawn_blocking(move || snapshot::open_needed(&sealed, &trusted, &needs))
        .await
        .map_err(stopped)?;
    let mut state = match opened {
        Ok(state) => state,
        Err(e) => return Ok(Err((position, e.into()))),
    };
    tracing::debug!(
        "checked and decoded {reading} of it: {} ms",
        started.elapsed().as_millis()
    );
    let mut head_hash = None;
    loop {
        let rows = log.rows_after(state.head_position, PAGE).await?;
        let Some(last) = rows.last() else { break };
        head_hash = Some(last.hash);
        let recorded = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        for event in &recorded {
            if !state.push(event) {
                return Ok(Err((position, Unusable::Amended)));
            }
        }
    }
    Ok(Ok((state, head_hash, position)))
}

/// Every event read and folded: the state and the chain hash at its head (`None` when empty).
async fn fold_everything(log: &EventLog) -> Result<(LedgerState, Option<Hash>), StoreError> {
    let mut events: Vec<Recorded> = Vec::new();
    let mut head_hash = None;
    loop {
        let after = events.last().map_or(0, |e| e.position);
        let rows = log.rows_after(after, PAGE).await?;
        let Some(last) = rows.last() else { break };
        head_hash = Some(last.hash);
        for row in &rows {
            events.push(decode(row)?);
        }
    }
    let state = tokio::task::spawn_blocking(move || LedgerState::replay(&events, View::everything()))
        .await
        .map_err(stopped)?;
    Ok((state, head_hash))
}

fn stopped(e: tokio::task::JoinError) -> StoreError {
    StoreError::Corrupt {
        position: 0,
        reason: format!("the fold stopped: {e}"),
    }
}
