//! The `spiral` server: the event store on sqlx, the command path, the CLI and the web server.
//! The rules live in `domain`; this crate is the I/O around them.

pub mod audit;
pub mod backup;
pub mod certificates;
pub mod cli;
pub mod demo;
pub mod donor_records;
pub mod gift_import;
pub mod history;
pub mod interchange;
pub mod key_file;
pub mod ledger;
pub mod passwords;
pub mod people;
pub mod reports;
pub mod signer;
pub mod snapshots;
pub mod store;
pub mod tail;
pub mod vault;
pub mod verify;
pub mod web;
pub mod workbook;
