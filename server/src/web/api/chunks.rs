//! The log as immutable, cacheable chunks (`domain::log_chunks`): the manifest says which full
//! chunks the ledger holds now and names each by its last position and chain hash; a chunk's
//! answer never changes, so the browser's HTTP cache keeps it, and a second visit downloads only
//! the tail. Sign-out clears that cache (`Clear-Site-Data`, see `auth`).

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::{gzip, AppState};
use super::{accepts, path_rejection, position, query_rejection, ErrorBody, POSTCARD, READERS};
use crate::ledger::decode;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use domain::chain::Hash;
use domain::log_chunks::{ChunkRef, Manifest, WIRE_FORMAT};
use domain::Recorded;
use serde::Deserialize;

/// A chunk's answer is the same forever: its address names its content.
const IMMUTABLE: &str = "private, max-age=31536000, immutable";

/// The full chunks the log holds now and its head.
#[utoipa::path(get, path = "/api/log/manifest", tag = "log",
    responses((status = 200, description = "Events per chunk, every full chunk (last position, chain hash) and the head: JSON, or postcard `Manifest` with `Accept: application/x-postcard`", content((Object = "application/json"), (Vec<u8> = "application/x-postcard"))),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn log_manifest(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let size = state.reach.log_chunk_events;
    let log = state.ledger.log();
    let head = log.head().await?.position;
    let ends = Manifest::chunk_ends(size, head);
    let found = log.hashes_at(&ends).await?;
    if found.len() != ends.len() {
        return Err(ApiError::Internal(format!(
            "the log's head is {head} but only {} of its {} chunk ends are stored",
            found.len(),
            ends.len()
        )));
    }
    let manifest = Manifest {
        size,
        chunks: found
            .into_iter()
            .map(|(last, hash)| ChunkRef { last, hash })
            .collect(),
        head,
    };
    let no_store = (header::CACHE_CONTROL, "no-store");
    if accepts(&headers, POSTCARD) {
        let bytes = postcard::to_allocvec(&manifest).map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok(([(header::CONTENT_TYPE, POSTCARD), no_store], bytes).into_response());
    }
    let chunks: Vec<_> = manifest
        .chunks
        .iter()
        .map(|c| serde_json::json!({ "last": c.last, "hash": hex::encode(c.hash), "path": format!("/api/log/chunks/{}", c.path()) }))
        .collect();
    let body = serde_json::json!({ "size": size, "head": head, "format": WIRE_FORMAT, "chunks": chunks });
    Ok(([no_store], axum::Json(body)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChunkQuery {
    /// The signed-in person's name: it puts the chunk's address in that person's part of the
    /// browser's cache, so two people sharing a browser never share a cached copy
    #[param(min_length = 1, max_length = 64)]
    reader: String,
    /// The form of the events the client reads (`domain::log_chunks::WIRE_FORMAT`): part of the
    /// address, so a browser's cached chunks in another form are never read. The schema's bounds
    /// are the one format this server writes (kept equal to it by a test below).
    #[param(minimum = 2, maximum = 2)]
    format: u32,
}

/// One full chunk of the log, postcard `Vec<Recorded>`, cacheable forever.
#[utoipa::path(get, path = "/api/log/chunks/{last}/{hash}", tag = "log",
    params(("last" = u64, Path, description = "The chunk's last position, a multiple of the chunk size", minimum = 1, maximum = 9223372036854775807_i64),
        ("hash" = String, Path, description = "The chain hash at `last`, hex", pattern = "^[0-9a-f]{64}$"),
        ChunkQuery),
    responses((status = 200, description = "Postcard `Vec<Recorded>` of the chunk's positions", content_type = "application/x-postcard", body = Vec<u8>),
        (status = 400, description = "Not a position, a hash or a reader, or another format than this server writes", body = ErrorBody),
        (status = 404, description = "The ledger holds no such chunk (not yet full, or another ledger)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Role may not read, or `reader` is someone else", body = ErrorBody)))]
pub async fn log_chunk(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    path: Result<Path<(u64, String)>, PathRejection>,
    query: Result<Query<ChunkQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let reader = user.require(READERS)?;
    let Path((last, hash)) = path.map_err(path_rejection)?;
    let Query(q) = query.map_err(query_rejection)?;
    if q.reader != reader.name {
        return Err(ApiError::Forbidden);
    }
    if q.format != WIRE_FORMAT {
        return Err(ApiError::bad_request(format!(
            "format={}: this server writes the log's chunks in format {WIRE_FORMAT} (reload the page for its current code)",
            q.format
        )));
    }
    let last = position("last", last)?;
    let hash = parse_hash(&hash)?;
    let size = state.reach.log_chunk_events;
    if last == 0 || last % size != 0 {
        return Err(ApiError::NotFound(format!(
            "log chunk ending at {last} (chunks hold {size} events and end at multiples of {size})"
        )));
    }
    let chunk = ChunkRef { last, hash };
    let not_held = || {
        ApiError::NotFound(format!(
            "log chunk {}: this ledger does not hold it (not full yet, or another ledger's)",
            chunk.path()
        ))
    };
    if !gzip::accepted(&headers) {
        let recorded = chunk_events(&state, last, hash).await?.ok_or_else(not_held)?;
        let bytes = postcard::to_allocvec(&recorded).map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok((
            [
                (header::CONTENT_TYPE, POSTCARD),
                (header::CACHE_CONTROL, IMMUTABLE),
            ],
            bytes,
        )
            .into_response());
    }
    // A kept chunk is served only while this ledger holds it: one restored or replaced since
    // has another hash at `last`.
    let held = state.ledger.log().hashes_at(&[last]).await?;
    if held.first() != Some(&(last, hash)) {
        return Err(not_held());
    }
    let gzipped = match state.chunks.get(last, &hash) {
        Some(kept) => kept,
        None => make_chunk(&state, last, hash).await?.ok_or_else(not_held)?,
    };
    Ok((
        [
            (header::CONTENT_TYPE, POSTCARD),
            (header::CACHE_CONTROL, IMMUTABLE),
            (header::CONTENT_ENCODING, "gzip"),
            (header::VARY, "accept-encoding"),
        ],
        gzipped,
    )
        .into_response())
}

/// The events of the full chunk ending at `last`, if this ledger holds it with chain hash `hash`.
async fn chunk_events(state: &AppState, last: u64, hash: Hash) -> Result<Option<Vec<Recorded>>, ApiError> {
    let size = state.reach.log_chunk_events;
    // Bounded like a page of `/api/events` (at most MAX_CHUNK_EVENTS rows), so not counted
    // among the whole-ledger reads: a browser asks for a few chunks at once.
    let rows = state.ledger.log().rows_after(last - size, size).await?;
    if rows.len() as u64 != size || rows.last().is_none_or(|r| r.position != last || r.hash != hash) {
        return Ok(None);
    }
    Ok(Some(rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?))
}

/// Makes the chunk ending at `last` (postcard, gzipped) and keeps it (`chunk_cache`); `None`
/// if this ledger does not hold it.
async fn make_chunk(state: &AppState, last: u64, hash: Hash) -> Result<Option<Bytes>, ApiError> {
    let Some(recorded) = chunk_events(state, last, hash).await? else {
        return Ok(None);
    };
    let bytes = postcard::to_allocvec(&recorded).map_err(|e| ApiError::Internal(e.to_string()))?;
    // ~20 ms of compression for 10,000 events: off the threads that answer requests.
    let gzipped = tokio::task::spawn_blocking(move || Bytes::from(gzip::compress(&bytes)))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    state.chunks.put(last, hash, gzipped.clone());
    Ok(Some(gzipped))
}

/// Makes every full chunk the ledger holds now that is not kept yet, one after another (a
/// background task's pace, beside the requests), and says how many. Stops at the first error;
/// a request makes what is missing.
pub async fn warm_chunks(state: &AppState) -> Result<usize, ApiError> {
    let size = state.reach.log_chunk_events;
    let head = state.ledger.log().head().await?.position;
    let ends = Manifest::chunk_ends(size, head);
    let mut made = 0;
    for (last, hash) in state.ledger.log().hashes_at(&ends).await? {
        if state.chunks.get(last, &hash).is_none() {
            make_chunk(state, last, hash).await?;
            made += 1;
        }
    }
    Ok(made)
}

pub(crate) fn parse_hash(text: &str) -> Result<domain::chain::Hash, ApiError> {
    let bad = || ApiError::bad_request(format!("{text:?} is not a chain hash (64 hex digits)"));
    if text.len() != 64 {
        return Err(bad());
    }
    let bytes = hex::decode(text).map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use domain::log_chunks::WIRE_FORMAT;

    /// The OpenAPI document says which `format` a chunk's address takes: exactly the one this
    /// server writes, so generated clients (and Schemathesis) need not guess.
    #[test]
    fn the_documented_format_is_the_one_written() {
        let doc = serde_json::to_value(crate::web::openapi::api_doc()).unwrap();
        let parameters = doc["paths"]["/api/log/chunks/{last}/{hash}"]["get"]["parameters"]
            .as_array()
            .expect("the chunk's operation has parameters");
        let format = parameters
            .iter()
            .find(|p| p["name"] == "format")
            .expect("a format parameter");
        assert_eq!(format["schema"]["minimum"], serde_json::json!(WIRE_FORMAT));
        assert_eq!(format["schema"]["maximum"], serde_json::json!(WIRE_FORMAT));
    }
}
