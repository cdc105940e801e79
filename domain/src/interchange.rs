//! One event as a line of the interchange format (`docs/interchange.md`): what `spiral export`
//! writes, `spiral import` and `spiral audit` read, and the API serves as JSON Lines. Pure text
//! handling, so every reader of the format shares one parser (and one fuzz target).

use crate::chain::{canonical_json, Row, RowRef};
use serde::Deserialize;
use serde_json::Value;

/// One export line, written by hand so payload and metadata appear byte for byte as stored.
pub fn export_line(row: &Row) -> String {
    let s = |text: &str| Value::String(text.to_owned()).to_string();
    format!(
        "{{\"position\":{},\"stream\":{},\"sequence\":{},\"type\":{},\"version\":{},\"payload\":{},\"metadata\":{},\"hash\":\"{}\"}}",
        row.position,
        s(&row.stream),
        row.sequence,
        s(&row.event_type),
        s(&row.event_version),
        row.payload,
        row.metadata,
        hex::encode(row.hash),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    position: u64,
    stream: String,
    sequence: u64,
    #[serde(rename = "type")]
    event_type: String,
    version: String,
    payload: Value,
    metadata: Value,
    hash: String,
}

/// A line read without building JSON values: payload and metadata stay the exact bytes of the
/// line, which is what their hashes cover. Used by the independent verifier, where speed matters
/// and the bytes, canonical or not, are checked by the hash.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine<'a> {
    position: u64,
    #[serde(borrow)]
    stream: std::borrow::Cow<'a, str>,
    sequence: u64,
    #[serde(rename = "type", borrow)]
    event_type: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    version: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    payload: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    metadata: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    hash: std::borrow::Cow<'a, str>,
}

/// Parses a line and hands its borrowed fields to `check` (the verifier's fast path).
pub fn with_raw_line<T>(text: &str, check: impl FnOnce(RowRef) -> T) -> Result<T, String> {
    let line: RawLine = serde_json::from_str(text).map_err(|e| format!("not a valid event line: {e}"))?;
    let mut hash = [0u8; 32];
    hex::decode_to_slice(line.hash.as_bytes(), &mut hash)
        .map_err(|_| format!("hash {:?} is not 64 hex digits", line.hash))?;
    Ok(check(RowRef {
        position: line.position,
        stream: &line.stream,
        sequence: line.sequence,
        event_type: &line.event_type,
        event_version: &line.version,
        payload: line.payload.get(),
        metadata: line.metadata.get(),
        hash,
    }))
}

pub fn parse_line(text: &str) -> Result<Row, String> {
    let line: Line = serde_json::from_str(text).map_err(|e| format!("not a valid event line: {e}"))?;
    let hash = hex::decode(&line.hash)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| format!("hash {:?} is not 64 hex digits", line.hash))?;
    Ok(Row {
        position: line.position,
        stream: line.stream,
        sequence: line.sequence,
        event_type: line.event_type,
        event_version: line.version,
        payload: canonical_json(&line.payload),
        metadata: canonical_json(&line.metadata),
        hash,
    })
}
