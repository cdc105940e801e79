//! The ledger itself: a subject's history, the log in pages (JSON, JSON Lines or postcard), the
//! stored rows, and verification.

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::{accepts, position, query_rejection, ErrorBody, JSON_LINES, POSTCARD, READERS};
use crate::interchange::export_line;
use crate::ledger::decode;
use crate::people::Role;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

/// One subject's full history: every event of its stream with metadata, corrections included.
#[utoipa::path(get, path = "/api/history/{stream}", tag = "log", params(("stream" = String, Path, description = "A subject's stream, e.g. program:pocket-kobo", pattern = "^(program|partner|activity|receipt|donor):[a-z0-9][a-z0-9._-]{0,63}$")), responses((status = 200, description = "The stream's events in interchange form (docs/interchange.md), corrections included", body = Vec<Object>), (status = 404, description = "No such subject", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// Events after this position (default 0: from the start)
    #[serde(default)]
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    pub(crate) after: u64,
    /// At most this many (default 10,000; at most 100,000)
    #[param(minimum = 1, maximum = 100000)]
    limit: Option<u64>,
}

/// The most events one page of the log may carry.
pub const MAX_PAGE: u64 = 100_000;

impl LogQuery {
    pub(crate) fn limit(&self) -> Result<u64, ApiError> {
        match self.limit {
            None => Ok(10_000),
            Some(n @ 1..=MAX_PAGE) => Ok(n),
            Some(n) => Err(ApiError::bad_request(format!(
                "limit={n}: ask for 1 to {MAX_PAGE} events per page"
            ))),
        }
    }
}

/// Events after position N, in order: JSON (export lines) or, with `Accept:
/// application/x-postcard`, postcard-encoded `Vec<Recorded>` for the browser's replay.
#[utoipa::path(get, path = "/api/events", tag = "log", params(LogQuery), responses((status = 200, description = "Events after a position: JSON (interchange form) or, with `Accept: application/x-postcard`, postcard `Vec<Recorded>`", content((Vec<Object> = "application/json"), (Vec<u8> = "application/x-postcard"))), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn log(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let limit = q.limit()?;
    let rows = state
        .ledger
        .log()
        .rows_after(position("after", q.after)?, limit)
        .await?;
    let wants_postcard = accepts(&headers, POSTCARD);
    let wants_lines = accepts(&headers, JSON_LINES);
    if wants_lines {
        // Exactly the lines `spiral export` writes: what `spiral audit --url` checks.
        let mut body = String::new();
        for row in &rows {
            body.push_str(&export_line(row));
            body.push('\n');
        }
        return Ok(([(header::CONTENT_TYPE, JSON_LINES)], body).into_response());
    }
    if wants_postcard {
        let recorded = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        let bytes = postcard::to_allocvec(&recorded).map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok(([(header::CONTENT_TYPE, POSTCARD)], bytes).into_response());
    }
    Ok(json_lines_array(rows.iter().map(export_line)))
}

/// Stored rows as they are (hashes and canonical bytes), postcard-encoded `Vec<Row>`: what the
/// browser's verify button checks against a checkpoint (auditors only).
#[utoipa::path(get, path = "/api/rows", tag = "audit", params(LogQuery), responses((status = 200, description = "Postcard `Vec<Row>` after a position", content_type = "application/x-postcard", body = Vec<u8>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not an auditor", body = ErrorBody)))]
pub async fn rows(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Auditor])?;
    let Query(q) = query.map_err(query_rejection)?;
    let limit = q.limit()?;
    let rows = state
        .ledger
        .log()
        .rows_after(position("after", q.after)?, limit)
        .await?;
    let bytes = postcard::to_allocvec(&rows).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, POSTCARD)], bytes).into_response())
}

/// Re-reads the ledger and checks the chain (auditors only).
#[utoipa::path(get, path = "/api/verify", tag = "log", responses((status = 200, description = "`valid`, with the event count and head hash, or the first bad position and the problem", body = Object), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn verify(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(&[Role::Auditor])?;
    let _reading = state.limits.ledger_read()?;
    Ok(match crate::verify::verify(state.ledger.log()).await {
        Ok(v) => Json(serde_json::json!({ "valid": true, "events": v.count, "head": hex::encode(v.head) })),
        Err(crate::verify::VerifyError::Store(e)) => return Err(e.into()),
        Err(e) => {
            Json(serde_json::json!({ "valid": false, "position": e.position(), "problem": e.to_string() }))
        }
    }
    .into_response())
}
