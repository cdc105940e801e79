//! Spiral's domain: the NPO's facts, the rules that guard them, and the projections every part of
//! the product computes from the same ordered events. No I/O here; it compiles for wasm32 too.
//!
//! The path of data: [`command::Command`] → [`subject::Subject::decide`] (rules) → [`events::LedgerEvent`]
//! → store (position, [`chain`] hash) → [`record::Recorded`] → [`projection::LedgerState`].

pub mod certificate;
pub mod chain;
pub mod checkpoint;
pub mod command;
pub mod date;
pub mod demo;
pub mod directory;
#[cfg(feature = "aggregate")]
pub mod donor_search;
pub mod error;
pub mod events;
pub mod example;
pub mod fiscal_year;
pub mod fold_index;
pub mod funds;
#[cfg(feature = "aggregate")]
pub mod gift_import;
pub mod ids;
pub mod interchange;
pub mod log_chunks;
pub mod merkle;
pub mod money;
pub mod partner;
pub mod personal;
pub mod program;
pub mod projection;
pub mod receipts;
pub mod record;
pub mod report;
pub mod rules;
pub mod snapshot;
pub mod state_page;
pub mod subject;
pub mod text;

pub use command::Command;
pub use date::Date;
pub use error::DomainError;
pub use events::{Fact, LedgerEvent};
pub use fiscal_year::FiscalYear;
pub use money::Yen;
pub use projection::{LedgerState, View};
pub use record::{Metadata, Recorded};
pub use subject::Subject;

/// A hash map for summing a report's figures under ids: a fast hash (foldhash) in place of
/// SipHash, still seeded per process so ids chosen to collide cannot be planned. Its iteration
/// order is arbitrary: whatever is built from it is put in order before anyone reads it.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
