//! An event as stored: its place in the global order, its stream, and who recorded it when.

use crate::date::Date;
use crate::events::LedgerEvent;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Metadata the server writes beside every event. Never taken from the request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Metadata {
    /// Who recorded it (a user name, or `system:demo` for the seed history).
    pub actor: String,
    /// Groups the events of one command or one import.
    pub correlation_id: String,
    /// When the fact took effect in the world (copied from the event).
    pub effective: Date,
    /// The note given with a record, or the reason of a correction or retraction.
    pub reason: Option<String>,
    /// When the store committed it, by the server's clock, in UTC.
    #[serde(with = "crate::date::recorded_time")]
    pub recorded_at: DateTime<Utc>,
}

/// One event of the ledger, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recorded {
    /// 1, 2, 3 … in commit order, without gaps.
    pub position: u64,
    pub stream: String,
    /// 1, 2, 3 … within the stream.
    pub sequence: u64,
    pub event: LedgerEvent,
    pub meta: Metadata,
}
