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
use chrono::{DateTime, Utc};
use domain::{Command, LedgerState, View};
use serde::{Deserialize, Serialize};

/// Who may read projections and the log: everyone but an admin, whose job is people.
pub const READERS: &[Role] = &[Role::Staff, Role::Auditor, Role::Reporter];

/// The postcard media type the browser replays.
pub const POSTCARD: &str = "application/x-postcard";
pub use crate::interchange::JSON_LINES;

/// Turns axum's JSON rejections into clear 400/413/415 answers. A body of the wrong shape is a
/// 400 here: 422 is kept for a domain rule the command broke, and for a value that has the
/// right shape but lies outside its bounds (a date in 1800, fiscal year 9999).
pub fn json_rejection(rejection: JsonRejection) -> ApiError {
    let message = rejection.body_text();
    let status = match rejection.status() {
        StatusCode::UNPROCESSABLE_ENTITY if message.contains(domain::date::OUT_OF_RANGE) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
        other => other,
    };
    ApiError::BadRequest { status, message }
}

pub fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::BadRequest {
        status: StatusCode::BAD_REQUEST,
        message: rejection.body_text(),
    }
}

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
async fn read_submit(request: axum::extract::Request) -> Result<Submit, ApiError> {
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
    let bytes = axum::body::to_bytes(request.into_body(), super::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::BadRequest {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!("the body is over {} bytes", super::BODY_LIMIT),
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

/// Every error answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: unauthorized, forbidden, cross_site, not_found, bad_request, rule_broken,
    /// conflict, too_many_attempts, internal.
    error: String,
    /// What is wrong, for a person, in Japanese.
    message: String,
    /// The same in English.
    message_en: String,
    /// For a broken rule (422): the record form's field it is about, when it is about one.
    field: Option<String>,
}

/// The header naming a command, so that sending it again stores it once.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A command id as clients may choose it: 1 to 128 of `A-Z a-z 0-9 . _ : -` (a UUID fits).
fn command_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
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
    after: u64,
    /// At most this many (default 10,000; at most 100,000)
    #[param(minimum = 1, maximum = 100000)]
    limit: Option<u64>,
}

/// The most events one page of the log may carry.
pub const MAX_PAGE: u64 = 100_000;

/// The largest position or size the databases hold; a client may send any u64.
pub const MAX_POSITION: u64 = i64::MAX as u64;

/// A position or size from a client, refused beyond [`MAX_POSITION`].
pub fn position(name: &str, n: u64) -> Result<u64, ApiError> {
    if n > MAX_POSITION {
        return Err(ApiError::bad_request(format!(
            "{name}={n} is beyond the largest position ({MAX_POSITION})"
        )));
    }
    Ok(n)
}

fn path_rejection(rejection: axum::extract::rejection::PathRejection) -> ApiError {
    ApiError::bad_request(rejection.body_text())
}

impl LogQuery {
    fn limit(&self) -> Result<u64, ApiError> {
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
    let wants_postcard = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains(POSTCARD));
    let wants_lines = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains(JSON_LINES));
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    name: String,
    role: Role,
    password: String,
}

#[utoipa::path(get, path = "/api/users", tag = "people", responses((status = 200, description = "Users with their roles", body = Vec<crate::people::User>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn users(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    Ok(Json(state.people.list().await?).into_response())
}

#[utoipa::path(post, path = "/api/users", tag = "people", request_body = NewUser, responses((status = 201, description = "Created", body = crate::people::User), (status = 409, description = "Name taken", body = ErrorBody), (status = 422, description = "Bad name or weak password", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
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

#[utoipa::path(post, path = "/api/users/{name}/disable", tag = "people", params(("name" = String, Path, description = "User name")), responses((status = 200, description = "Disabled; their sessions ended", body = Object), (status = 404, description = "No such user", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn disable_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    state.people.disable(&name).await?;
    state.sessions_changed();
    Ok(Json(serde_json::json!({ "disabled": name })).into_response())
}

#[utoipa::path(post, path = "/api/users/{name}/enable", tag = "people", params(("name" = String, Path, description = "User name")), responses((status = 200, description = "Enabled: they may sign in again with their password", body = Object), (status = 404, description = "No such user", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not an administrator, or a cross-site request", body = ErrorBody)))]
pub async fn enable_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    state.people.enable(&name).await?;
    Ok(Json(serde_json::json!({ "enabled": name })).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The new password (at least 10 characters), to hand to the person
    password: String,
}

/// An administrator sets a new password for someone (who forgot theirs); all their sessions end.
#[utoipa::path(post, path = "/api/users/{name}/password", tag = "people", params(("name" = String, Path, description = "User name")), request_body = PasswordReset,
    responses((status = 200, description = "Reset; their sessions ended", body = Object), (status = 400, description = "Not a password reset", body = ErrorBody), (status = 404, description = "No such user", body = ErrorBody), (status = 415, description = "Not JSON", body = ErrorBody), (status = 422, description = "Too short or too long", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not an administrator, or a cross-site request", body = ErrorBody), (status = 503, description = "Busy", body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    body: Result<Json<PasswordReset>, JsonRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    let Json(reset) = body.map_err(json_rejection)?;
    state.people.set_password(&name, &reset.password).await?;
    state.sessions_changed();
    Ok(Json(serde_json::json!({ "reset": name })).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FundingQuery {
    /// First fiscal year (2013 = 2013年度)
    from: domain::FiscalYear,
    /// Last fiscal year (default: `from`)
    to: Option<domain::FiscalYear>,
    /// Merged funders under their current successor
    #[serde(default)]
    by_successor: bool,
    /// Reproduce the report as the ledger stood at this recorded time (RFC 3339)
    known_at: Option<DateTime<Utc>>,
    /// `json` (default) or `csv` (UTF-8 with BOM, CRLF, Japanese headers)
    format: Option<ReportFormat>,
}

/// How a report is answered.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Json,
    /// UTF-8 with BOM, CRLF line ends, Japanese headers: opens as it should in Excel.
    Csv,
}

fn csv_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn wants_csv(format: Option<ReportFormat>) -> bool {
    matches!(format, Some(ReportFormat::Csv))
}

fn report_error(e: crate::reports::ReportFailure) -> ApiError {
    use crate::reports::ReportFailure;
    match e {
        ReportFailure::Store(s) => s.into(),
        ReportFailure::Csv(c) => ApiError::Internal(c),
        other => ApiError::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: other.to_string(),
        },
    }
}

/// The funding summary for a fiscal year or a range.
#[utoipa::path(get, path = "/api/reports/funding", tag = "reports", params(FundingQuery),
    responses(
        (status = 200, description = "The summary (JSON) or the same figures as CSV", body = domain::report::funding::FundingSummary),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 422, description = "A range the report cannot cover", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Role may not read", body = ErrorBody),
    ))]
pub async fn funding_report(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<FundingQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let csv = wants_csv(q.format);
    let (from, to) = (q.from, q.to.unwrap_or(q.from));
    let _reading = state.limits.ledger_read()?;
    let summary = crate::reports::funding(&state.ledger, from, to, q.by_successor, q.known_at)
        .await
        .map_err(report_error)?;
    if csv {
        let bytes =
            crate::reports::excel_csv(&crate::reports::funding_rows(&summary)).map_err(report_error)?;
        return Ok(csv_response(
            bytes,
            &format!("funding-{}-{}.csv", from.year(), to.year()),
        ));
    }
    Ok(Json(summary).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PstQuery {
    /// Fiscal years FROM-TO, e.g. 2019-2023 (at most 5)
    #[param(
        pattern = "^(18[6-9][0-9]|19[0-9]{2}|2[01][0-9]{2}|2200)-(18[6-9][0-9]|19[0-9]{2}|2[01][0-9]{2}|2200)$",
        example = "2019-2023"
    )]
    period: String,
    /// Reproduce the report as the ledger stood at this recorded time (RFC 3339)
    known_at: Option<DateTime<Utc>>,
    /// `json` (default) or `csv`
    format: Option<ReportFormat>,
}

/// The public support test over an assessment period, with its derivation.
#[utoipa::path(get, path = "/api/reports/pst", tag = "reports", params(PstQuery),
    responses(
        (status = 200, description = "Both criteria with their derivation and the donor register (JSON), or CSV", body = Object),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 422, description = "A period the test cannot cover", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Role may not read", body = ErrorBody),
    ))]
pub async fn pst_report(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<PstQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let csv = wants_csv(q.format);
    let (from, to) = domain::fiscal_year::parse_period(&q.period).map_err(ApiError::bad_request)?;
    let _reading = state.limits.ledger_read()?;
    let report = crate::reports::pst(&state.ledger, from, to, q.known_at)
        .await
        .map_err(report_error)?;
    if csv {
        let bytes = crate::reports::excel_csv(&crate::reports::pst_rows(&report)).map_err(report_error)?;
        return Ok(csv_response(
            bytes,
            &format!("pst-{}-{}.csv", from.year(), to.year()),
        ));
    }
    Ok(Json(report).into_response())
}

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
