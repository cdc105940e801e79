//! What staff ask the ledger to do: record a fact, correct one, or retract one.
//!
//! Staff record what happened, so a command mostly carries the fact itself; the rules in
//! [`crate::rules`] decide whether it may be stored.

use crate::date::Date;
use crate::error::DomainError;
use crate::events::{Fact, SubjectRef};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Command {
    /// Record a fact that took effect on `on`.
    Record {
        on: Date,
        fact: Fact,
        /// A note kept in the event's metadata (e.g. "date illustrative").
        note: Option<String>,
    },
    /// Replace event `target` of `stream` with `fact`, effective `on`.
    Correct {
        stream: String,
        target: u64,
        on: Date,
        fact: Fact,
        reason: String,
    },
    /// Withdraw event `target` of `stream`.
    Retract {
        stream: String,
        target: u64,
        reason: String,
    },
}

impl Command {
    pub fn record(on: Date, fact: Fact) -> Self {
        Command::Record { on, fact, note: None }
    }

    /// The stream the command is decided against and appended to.
    pub fn stream(&self) -> Result<String, DomainError> {
        match self {
            Command::Record { fact, .. } => Ok(fact.subject().stream()),
            Command::Correct { stream, .. } | Command::Retract { stream, .. } => {
                SubjectRef::from_stream(stream)
                    .map(|s| s.stream())
                    .ok_or_else(|| DomainError::BadStream(stream.clone()))
            }
        }
    }

    /// The note or reason to keep in the event's metadata.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Command::Record { note, .. } => note.as_deref(),
            Command::Correct { reason, .. } | Command::Retract { reason, .. } => Some(reason),
        }
    }
}
