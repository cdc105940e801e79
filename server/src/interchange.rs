//! The interchange format (`docs/interchange.md`): every event as one line of JSON, in global
//! order, with position, metadata and hash. `spiral export` writes it; `spiral import` reads it
//! back, checking everything before storing anything.

use crate::store::{EventLog, StoreError};
use domain::chain::{ChainVerifier, Row};
use domain::events::Entry;
pub use domain::interchange::{export_line, parse_line, with_raw_line};
use domain::{Command, LedgerState, Recorded, Subject, View};
use std::collections::HashMap;
use std::io::Write;

/// The media type of the export's own format, one event per line (served by `GET /api/events`
/// to `spiral audit --url`).
pub const JSON_LINES: &str = "application/x-ndjson";

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
