//! Reports for grant reporters, computed from a projected [`crate::LedgerState`] (so "as of" and
//! "as known at" come for free: project the view, then report on it). Every figure carries the
//! positions of the events it came from.

pub mod activity_statement;
pub mod audit;
pub mod donor_register;
pub mod funder;
pub mod funding;
pub mod pst;
#[cfg(feature = "aggregate")]
pub mod receipts_due;
pub mod revenue;
pub mod track_record;
