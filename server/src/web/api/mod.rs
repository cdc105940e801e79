//! The JSON API under `/api`, one module per resource. Every handler checks the caller's role
//! first; what they share (who may read, the rejections as bilingual errors, the error body,
//! bounds on positions) is here.

mod audit;
mod certificates;
mod chunks;
mod commands;
mod donors;
mod imports;
mod log;
mod people;
mod projections;
mod reports;

pub use audit::*;
pub use certificates::*;
pub use chunks::*;
pub use commands::*;
pub use donors::*;
pub use imports::*;
pub use log::*;
pub use people::*;
pub use projections::*;
pub use reports::*;

use super::error::ApiError;
use crate::people::Role;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use serde::Serialize;

/// Who may read projections and the log: everyone but an admin, whose job is people.
pub const READERS: &[Role] = &[Role::Staff, Role::Auditor, Role::Reporter];

/// The postcard media type the browser replays.
pub const POSTCARD: &str = "application/x-postcard";

/// Whether the request's `Accept` asks for `media` (postcard, JSON Lines).
pub fn accepts(headers: &axum::http::HeaderMap, media: &str) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains(media))
}
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

pub fn path_rejection(rejection: PathRejection) -> ApiError {
    ApiError::bad_request(rejection.body_text())
}
