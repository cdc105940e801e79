//! The interchange format (`docs/interchange.md`): every event as one line of JSON, in global
//! order, with position, metadata and hash. `spiral export` writes it; `spiral import` reads it
//! back, checking everything before storing anything.

use crate::store::{EventLog, StoreError};
use domain::chain::{canonical_json, ChainVerifier, Row, RowRef};
use domain::events::Entry;
use domain::{Command, LedgerState, Recorded, Subject, View};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;

/// The media type of the export's own format, one event per line (served by `GET /api/events`
/// to `spiral audit --url`).
pub const JSON_LINES: &str = "application/x-ndjson";

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

/// Writes the whole ledger to `out`, reading it page by page.
pub async fn export(log: &EventLog, out: &mut impl Write) -> Result<u64, ExportError> {
    let mut after = 0;
    loop {
        let rows = log.rows_after(after, 10_000).await?;
        if rows.is_empty() {
            return Ok(after);
        }
        for row in &rows {
            writeln!(out, "{}", export_line(row))?;
        }
        after = rows.last().map(|r| r.position).unwrap_or(after);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
}

/// Why an import stored nothing: the first bad line and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {reason}")]
    BadLine { line: usize, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
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

/// The command that would have produced `recorded`: how the importer re-checks the rules.
fn command_for(recorded: &Recorded) -> Command {
    let on = recorded.event.on;
    match &recorded.event.entry {
        Entry::Corrected { target, fact, reason } => Command::Correct {
            stream: recorded.stream.clone(),
            target: *target,
            on,
            fact: (**fact).clone(),
            reason: reason.clone(),
        },
        Entry::Retracted { target, reason } => Command::Retract {
            stream: recorded.stream.clone(),
            target: *target,
            reason: reason.clone(),
        },
        Entry::Fact(fact) => Command::Record {
            on,
            fact: fact.clone(),
            note: recorded.meta.reason.clone(),
        },
    }
}

/// Parses and checks a whole file: JSON, the hash chain, event types, and every domain rule in
/// order, as if each event were a command recorded afresh.
pub fn check_file(text: &str) -> Result<Vec<Row>, ImportError> {
    let mut rows = Vec::new();
    let mut chain = ChainVerifier::new();
    let mut subjects: HashMap<String, Subject> = HashMap::new();
    let mut history: Vec<Recorded> = Vec::new();
    let mut state = LedgerState::default();
    for (index, text) in text.lines().enumerate() {
        let line = index + 1;
        let bad = |reason: String| ImportError::BadLine { line, reason };
        if text.trim().is_empty() {
            return Err(bad("empty line".into()));
        }
        let row = parse_line(text).map_err(bad)?;
        chain.push(&row).map_err(|e| bad(e.to_string()))?;
        let recorded = row
            .decode()
            .map_err(|e| bad(format!("unknown or malformed event: {e}")))?;
        if row.event_type != recorded.event.entry.type_name() {
            return Err(bad(format!(
                "type {:?} does not match the payload's {}",
                row.event_type,
                recorded.event.entry.type_name()
            )));
        }
        let command = command_for(&recorded);
        let stream = command.stream().map_err(|e| bad(e.to_string()))?;
        if stream != row.stream {
            return Err(bad(format!(
                "the event is about {stream} but is filed under {}",
                row.stream
            )));
        }
        let subject = subjects.entry(stream).or_default();
        let decided = subject
            .decide(command, &state)
            .map_err(|e| bad(format!("rule broken: {e}")))?;
        if decided != [recorded.event.clone()] {
            return Err(bad("the event is not what its command would record".into()));
        }
        subject.apply_event(recorded.event.clone());
        if !state.push(&recorded) {
            history.push(recorded);
            state = LedgerState::replay(&history, View::everything());
        } else {
            history.push(recorded);
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Imports a checked file into an empty ledger; on any error nothing is stored.
pub async fn import(log: &EventLog, text: &str) -> Result<usize, ImportError> {
    let rows = check_file(text)?;
    log.import_rows(&rows).await?;
    Ok(rows.len())
}
