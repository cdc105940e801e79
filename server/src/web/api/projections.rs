//! What the ledger says now, or as of a date and as known at a time: the domain's projections.

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::{query_rejection, ErrorBody, READERS};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::{LedgerState, View};
use serde::Deserialize;

async fn current(state: &AppState) -> Result<(), ApiError> {
    state.ledger.catch_up().await.map_err(ApiError::from)
}

#[utoipa::path(get, path = "/api/programs", tag = "projections", responses((status = 200, description = "Programs with lineage and contracts", body = Vec<domain::projection::ProgramView>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn programs(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(READERS)?;
    current(&state).await?;
    Ok(state
        .ledger
        .read_state(|s| Json(s.programs.values().collect::<Vec<_>>()).into_response()))
}

#[utoipa::path(get, path = "/api/partners", tag = "projections", responses((status = 200, description = "Partners with their names through time", body = Vec<domain::projection::PartnerView>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn partners(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(READERS)?;
    current(&state).await?;
    Ok(state
        .ledger
        .read_state(|s| Json(s.partners.values().collect::<Vec<_>>()).into_response()))
}

#[utoipa::path(get, path = "/api/timeline", tag = "projections", responses((status = 200, description = "The spiral: each activity with its date, pillar and stage", body = Vec<domain::projection::TimelineEntry>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn timeline(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(READERS)?;
    current(&state).await?;
    Ok(state.ledger.read_state(|s| Json(&s.timeline).into_response()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StateQuery {
    /// Effective date (YYYY-MM-DD): facts that took effect later are left out
    as_of: Option<domain::Date>,
    /// Recorded time (RFC 3339): events recorded later are left out
    known_at: Option<DateTime<Utc>>,
}

/// The projected state as of an effective date and as known at a recorded time: the same answer
/// as `spiral state`.
#[utoipa::path(get, path = "/api/state", tag = "projections", params(StateQuery), responses((status = 200, description = "The projected state (as `spiral state`)", body = domain::projection::LedgerState), (status = 400, description = "Bad date or time", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn projected_state(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<StateQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let _reading = state.limits.ledger_read()?;
    // From the events the server holds in memory; the fold runs off the async workers.
    let history = state.ledger.history().await?;
    let view = View {
        as_of: q.as_of,
        known_at: q.known_at,
    };
    let answer =
        tokio::task::spawn_blocking(move || serde_json::to_vec(&LedgerState::replay(history.iter(), view)))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], answer).into_response())
}
