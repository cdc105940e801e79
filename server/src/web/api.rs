//! The JSON API under `/api`. Every handler checks the caller's role first.

use super::auth::CurrentUser;
use super::error::ApiError;
use super::AppState;
use crate::interchange::export_line;
use crate::ledger::decode;
use crate::people::Role;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Command, LedgerState, View};
use serde::Deserialize;
use serde_json::Value;

/// Who may read projections and the log: everyone but an admin, whose job is people.
pub const READERS: &[Role] = &[Role::Staff, Role::Auditor, Role::Reporter];

/// The postcard media type the browser replays.
pub const POSTCARD: &str = "application/x-postcard";

/// Turns axum's JSON rejections into clear 400/413/415 answers. A body of the wrong shape is a
/// 400 here: 422 is kept for a domain rule the command broke.
pub fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = match rejection.status() {
        StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
        other => other,
    };
    ApiError::BadRequest {
        status,
        message: rejection.body_text(),
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::BadRequest {
        status: StatusCode::BAD_REQUEST,
        message: rejection.body_text(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    command: Value,
    /// The version of the subject the person was looking at; a moved subject is a 409.
    expected_version: Option<u64>,
}

/// Submits any domain command. 200 with the new events' positions; 422 for a broken rule; 409
/// for a conflict; 400 for bad JSON or an unknown command; 413 for an oversize body.
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Result<Json<Submit>, JsonRejection>,
) -> Result<Response, ApiError> {
    let actor = user.require(&[Role::Staff])?.name.clone();
    let Json(submit) = body.map_err(json_rejection)?;
    let command: Command = serde_json::from_value(submit.command)
        .map_err(|e| ApiError::bad_request(format!("not a command Spiral knows: {e}")))?;
    let outcome = state
        .ledger
        .execute(command, &actor, submit.expected_version)
        .await?;
    Ok(Json(serde_json::json!({
        "stream": outcome.stream,
        "positions": outcome.positions,
        "version": outcome.version,
    }))
    .into_response())
}

async fn current(state: &AppState) -> Result<(), ApiError> {
    state.ledger.catch_up().await.map_err(ApiError::from)
}

pub async fn programs(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(READERS)?;
    current(&state).await?;
    Ok(state
        .ledger
        .read_state(|s| Json(s.programs.values().collect::<Vec<_>>()).into_response()))
}

pub async fn partners(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(READERS)?;
    current(&state).await?;
    Ok(state
        .ledger
        .read_state(|s| Json(s.partners.values().collect::<Vec<_>>()).into_response()))
}

pub async fn timeline(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(READERS)?;
    current(&state).await?;
    Ok(state.ledger.read_state(|s| Json(&s.timeline).into_response()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateQuery {
    as_of: Option<NaiveDate>,
    known_at: Option<DateTime<Utc>>,
}

/// The projected state as of an effective date and as known at a recorded time: the same answer
/// as `spiral state`.
pub async fn projected_state(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<StateQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let events = state.ledger.recorded_all().await?;
    let projected = LedgerState::replay(
        &events,
        View {
            as_of: q.as_of,
            known_at: q.known_at,
        },
    );
    Ok(Json(projected).into_response())
}

/// One subject's full history: every event of its stream with metadata, corrections included.
pub async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(stream): Path<String>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    if domain::events::SubjectRef::from_stream(&stream).is_none() {
        return Err(ApiError::NotFound(format!("subject {stream:?}")));
    }
    let rows = state.ledger.log().stream_rows(&stream, 0).await?;
    if rows.is_empty() {
        return Err(ApiError::NotFound(format!("subject {stream:?}")));
    }
    Ok(json_lines_array(rows.iter().map(export_line)))
}

/// A JSON array whose elements are export lines, written without re-encoding them.
fn json_lines_array(lines: impl Iterator<Item = String>) -> Response {
    let mut body = String::from("[");
    for (i, line) in lines.enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&line);
    }
    body.push(']');
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    #[serde(default)]
    after: u64,
    limit: Option<u64>,
}

/// Events after position N, in order: JSON (export lines) or, with `Accept:
/// application/x-postcard`, postcard-encoded `Vec<Recorded>` for the browser's replay.
pub async fn log(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let limit = q.limit.unwrap_or(10_000).clamp(1, 100_000);
    let rows = state.ledger.log().rows_after(q.after, limit).await?;
    let wants_postcard = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains(POSTCARD));
    if wants_postcard {
        let recorded = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        let bytes = postcard::to_allocvec(&recorded).map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok(([(header::CONTENT_TYPE, POSTCARD)], bytes).into_response());
    }
    Ok(json_lines_array(rows.iter().map(export_line)))
}

/// Re-reads the ledger and checks the chain (auditors only).
pub async fn verify(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(&[Role::Auditor])?;
    Ok(match crate::verify::verify(state.ledger.log()).await {
        Ok(v) => Json(serde_json::json!({ "valid": true, "events": v.count, "head": hex::encode(v.head) })),
        Err(crate::verify::VerifyError::Store(e)) => return Err(e.into()),
        Err(e) => {
            Json(serde_json::json!({ "valid": false, "position": e.position(), "problem": e.to_string() }))
        }
    }
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    name: String,
    role: Role,
    password: String,
}

pub async fn users(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    Ok(Json(state.people.list().await?).into_response())
}

pub async fn add_user(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    let Json(new) = body.map_err(json_rejection)?;
    let created = state.people.add(&new.name, new.role, &new.password).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

pub async fn disable_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    state.people.disable(&name).await?;
    Ok(Json(serde_json::json!({ "disabled": name })).into_response())
}
