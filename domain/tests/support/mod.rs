//! A ledger built by hand for tests: positions 1.., sequences per stream, and a recorded time one
//! day after the previous event's (so `known_at(n)` separates "known by event n" from later).
//! Shared by the projection, report and public-support-test tests.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use domain::events::Entry;
use domain::{Date, Fact, LedgerEvent, LedgerState, Metadata, Recorded, View};
use std::collections::HashMap;

#[derive(Default)]
pub struct Log {
    pub events: Vec<Recorded>,
    sequences: HashMap<String, u64>,
}

impl Log {
    pub fn recorded_at(position: u64) -> DateTime<Utc> {
        "2024-01-01T09:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::days(position as i64)
    }

    /// Appends a fact to its subject's stream; returns its position.
    pub fn push(&mut self, on: Date, fact: Fact) -> u64 {
        let stream = fact.subject().stream();
        self.push_to(&stream, on, fact)
    }

    /// Appends to a named stream (corrections and retractions); returns the position.
    pub fn push_to(&mut self, stream: &str, on: Date, entry: impl Into<Entry>) -> u64 {
        let position = self.events.len() as u64 + 1;
        let sequence = self.sequences.entry(stream.to_owned()).or_default();
        *sequence += 1;
        self.events.push(Recorded {
            position,
            stream: stream.to_owned(),
            sequence: *sequence,
            event: LedgerEvent {
                on,
                entry: entry.into(),
            },
            meta: Metadata {
                actor: "staff:test".into(),
                correlation_id: format!("c-{position}"),
                effective: on,
                reason: None,
                recorded_at: Self::recorded_at(position),
            },
        });
        position
    }

    /// The sequence within its stream of the event at `position`.
    pub fn sequence_of(&self, position: u64) -> u64 {
        self.events[position as usize - 1].sequence
    }

    pub fn replay(&self, view: View) -> LedgerState {
        LedgerState::replay(&self.events, view)
    }

    pub fn everything(&self) -> LedgerState {
        self.replay(View::everything())
    }
}

/// The view of everything recorded up to and including the event at `position`.
pub fn known_at(position: u64) -> View {
    View {
        as_of: None,
        known_at: Some(Log::recorded_at(position)),
    }
}
