//! Signed checkpoints and Merkle proofs, for auditors.

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::{path_rejection, position, query_rejection, ErrorBody};
use crate::people::Role;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

fn prove_error(e: crate::audit::ProveError) -> ApiError {
    use crate::audit::ProveError;
    match e {
        ProveError::Store(s) => s.into(),
        ProveError::NoSuchEvent(_) => ApiError::NotFound(e.to_string()),
        ProveError::Proof(p) => ApiError::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: p.to_string(),
        },
        // The server will not vouch for this ledger: say why, loudly (it is an audit finding).
        ProveError::Refused(refusal) => {
            tracing::error!("checkpoint refused: {refusal}");
            ApiError::Refused(refusal.to_string())
        }
    }
}

/// A checkpoint of the ledger as it is now, signed on request (auditors only).
#[utoipa::path(get, path = "/api/checkpoint", tag = "audit",
    responses((status = 200, description = "The signed checkpoint in its plain-text form (docs/audit.md)", content_type = "text/plain", body = String),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not an auditor", body = ErrorBody)))]
pub async fn checkpoint(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(&[Role::Auditor])?;
    let _reading = state.limits.ledger_read()?;
    let cp = crate::audit::record_checkpoint(state.ledger.log(), &state.signer)
        .await
        .map_err(prove_error)?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        cp.to_text(),
    )
        .into_response())
}

/// The checkpoints the server signed and kept, oldest first (auditors only).
#[utoipa::path(get, path = "/api/checkpoints", tag = "audit",
    responses((status = 200, description = "Checkpoint texts", body = Vec<String>),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not an auditor", body = ErrorBody)))]
pub async fn checkpoints(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(&[Role::Auditor])?;
    Ok(Json(crate::audit::recorded_checkpoints(state.ledger.log()).await?).into_response())
}

/// An inclusion proof for the event at a position, against a fresh checkpoint (auditors only).
#[utoipa::path(get, path = "/api/proofs/event/{position}", tag = "audit",
    params(("position" = u64, Path, description = "The event's global position", minimum = 1, maximum = 9223372036854775807_i64)),
    responses((status = 200, description = "Checkpoint, event hash, leaf index and audit path", body = Object),
        (status = 404, description = "No event at that position", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not an auditor", body = ErrorBody)))]
pub async fn prove_event(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<u64>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Auditor])?;
    let Path(at) = path.map_err(path_rejection)?;
    let position = position("position", at)?;
    let _reading = state.limits.ledger_read()?;
    let proof = crate::audit::prove_event(state.ledger.log(), &state.signer, position)
        .await
        .map_err(prove_error)?;
    Ok(Json(serde_json::to_value(proof).map_err(|e| ApiError::Internal(e.to_string()))?).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The size of the older checkpoint
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    old: u64,
}

/// A consistency proof from an older ledger size to today's (auditors only).
#[utoipa::path(get, path = "/api/proofs/consistency", tag = "audit", params(ConsistencyQuery),
    responses((status = 200, description = "Checkpoint, old size and root, and the proof", body = Object),
        (status = 422, description = "Not a valid older size", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not an auditor", body = ErrorBody)))]
pub async fn prove_consistency(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Auditor])?;
    let Query(q) = query.map_err(query_rejection)?;
    let old = position("old", q.old)?;
    let _reading = state.limits.ledger_read()?;
    let proof = crate::audit::prove_consistency(state.ledger.log(), &state.signer, old)
        .await
        .map_err(prove_error)?;
    Ok(Json(serde_json::to_value(proof).map_err(|e| ApiError::Internal(e.to_string()))?).into_response())
}
