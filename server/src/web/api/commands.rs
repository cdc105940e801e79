//! `POST /api/commands`: every way into the ledger from the web, JSON or postcard, optionally
//! named by an `Idempotency-Key`.

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::{json_rejection, ErrorBody, POSTCARD};
use crate::people::Role;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::Command;
use serde::{Deserialize, Serialize};

/// A command to decide and record.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    command: Command,
    /// The version of the subject the person was looking at; a moved subject is a 409.
    expected_version: Option<u64>,
}

/// The body of `POST /api/commands`: JSON, or with `Content-Type: application/x-postcard` the
/// same fields postcard-encoded (what the browser's record forms send: it keeps a JSON encoder
/// out of the WASM bundle).
pub(crate) async fn read_submit(request: axum::extract::Request) -> Result<Submit, ApiError> {
    use axum::extract::FromRequest;
    let postcard = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with(POSTCARD));
    if !postcard {
        let Json(submit) = Json::<Submit>::from_request(request, &())
            .await
            .map_err(json_rejection)?;
        return Ok(submit);
    }
    let bytes = axum::body::to_bytes(request.into_body(), crate::web::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::BadRequest {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!("the body is over {} bytes", crate::web::BODY_LIMIT),
        })?;
    postcard::from_bytes(&bytes).map_err(|e| ApiError::BadRequest {
        status: StatusCode::BAD_REQUEST,
        message: format!("the body is not a postcard-encoded command: {e}"),
    })
}

/// What a command stored.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Submitted {
    /// The subject's stream, e.g. `program:pocket-kobo`.
    stream: String,
    /// Global positions of the new events.
    positions: Vec<u64>,
    /// The stream's version afterwards (send it as `expected_version` next time).
    version: u64,
}

/// The header naming a command, so that sending it again stores it once.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A command id as clients may choose it: 1 to 128 of `A-Z a-z 0-9 . _ : -` (a UUID fits).
pub(crate) fn command_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    let valid = (1..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".:_-".contains(&b));
    if !valid {
        return Err(ApiError::bad_request(
            "Idempotency-Key: use 1 to 128 letters, digits, '.', ':', '_' or '-' (a UUID fits)",
        ));
    }
    Ok(Some(key.to_owned()))
}

/// Submits any domain command. 200 with the new events' positions; 422 for a broken rule; 409
/// for a conflict; 400 for bad JSON or an unknown command; 413 for an oversize body. With an
/// `Idempotency-Key`, a command sent again (its reply was lost) is stored once: the second
/// answer is the first one's, with `Idempotent-Replayed: true`.
#[utoipa::path(post, path = "/api/commands", tag = "commands", request_body = Submit,
    params(("Idempotency-Key" = Option<String>, Header, description = "A client-chosen id for the command (1 to 128 of A-Z a-z 0-9 . _ : -): sending the same command again under it stores nothing new and returns the first outcome")),
    responses(
        (status = 200, description = "Stored (or, for a repeated Idempotency-Key, stored before)", body = Submitted),
        (status = 400, description = "Bad JSON, not a command, or a bad Idempotency-Key", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not staff, or a cross-site request", body = ErrorBody),
        (status = 409, description = "The subject changed since `expected_version`", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Neither JSON nor postcard", body = ErrorBody),
        (status = 422, description = "A domain rule refused it, a value is out of range, or the Idempotency-Key names another command; nothing stored", body = ErrorBody),
        (status = 503, description = "Busy, or the database is away; nothing stored", body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    use crate::web::metrics::CommandOutcome;
    let metrics = state.metrics.clone();
    let answer = submit_command(state, user, request).await;
    metrics.command(match &answer {
        Ok(response) if response.headers().contains_key("idempotent-replayed") => CommandOutcome::Replayed,
        Ok(_) => CommandOutcome::Stored,
        Err(ApiError::Conflict(_)) => CommandOutcome::Conflict,
        Err(ApiError::Rejected(_)) => CommandOutcome::Refused,
        Err(ApiError::BadRequest { status, .. }) if *status == StatusCode::UNPROCESSABLE_ENTITY => {
            CommandOutcome::Refused
        }
        Err(ApiError::BadRequest { .. }) => CommandOutcome::BadRequest,
        Err(ApiError::Unavailable(_)) => CommandOutcome::Unavailable,
        Err(_) => CommandOutcome::Other,
    });
    answer
}

async fn submit_command(
    state: AppState,
    user: CurrentUser,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let actor = user.require(&[Role::Staff])?.name.clone();
    let key = command_key(request.headers())?;
    let submit = read_submit(request).await?;
    let id = key.map(|key| crate::store::CommandId {
        key,
        // Of the decoded command, so the same command sent as JSON or postcard is the same.
        digest: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            postcard::to_allocvec(&(&submit.command, submit.expected_version)).unwrap_or_default(),
        )),
    });
    // Detached from the request: a client that disconnects mid-commit must not cancel a
    // transaction other writers' appends share (group commit).
    let ledger = state.ledger.clone();
    let outcome = tokio::spawn(async move {
        ledger
            .execute_once(submit.command, &actor, submit.expected_version, id)
            .await
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let replayed = outcome.replayed;
    let mut response = Json(Submitted {
        stream: outcome.stream,
        positions: outcome.positions,
        version: outcome.version,
    })
    .into_response();
    if replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}
