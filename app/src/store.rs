//! The ledger as the page sees it: the recorded events and the state the `domain` projection
//! folds from them, as seen from the playback's `View`.
//!
//! In the browser `events` is the whole log, downloaded and replayed. On the server, which
//! renders the first HTML, `state` is the server's own fold and `events` holds only what the page
//! lists line by line (a program's history); both sides then render the same markup.

use domain::{LedgerState, Recorded, View};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Store {
    events: StoredValue<Vec<Recorded>>,
    /// Bumped whenever `events` changes, so lists built from them re-render.
    revision: RwSignal<u64>,
    pub state: RwSignal<LedgerState>,
    pub view: RwSignal<View>,
    /// The earliest effective date on the spiral as it stands today: the spiral's first turn,
    /// kept while playback hides later marks so the picture does not jump.
    pub first_on: RwSignal<Option<domain::Date>>,
    /// The last position the page was first rendered with; marks after it are new.
    pub rendered_at: u64,
    /// Whether the live stream is connected: unknown (`None`) until the browser has tried.
    pub live: RwSignal<Option<bool>>,
}

impl Store {
    pub fn new(events: Vec<Recorded>, state: LedgerState, rendered_at: u64) -> Self {
        Store {
            first_on: RwSignal::new(first_on(&state)),
            live: RwSignal::new(None),
            events: StoredValue::new(events),
            revision: RwSignal::new(0),
            view: RwSignal::new(state.view),
            state: RwSignal::new(state),
            rendered_at,
        }
    }

    /// The browser's start: replays the downloaded log with the domain's projection.
    pub fn replayed(events: Vec<Recorded>) -> Self {
        let state = LedgerState::replay(&events, View::everything());
        let head = state.head_position;
        Store::new(events, state, head)
    }

    /// The position of the last event held.
    pub fn head(&self) -> u64 {
        self.events.with_value(|e| e.last().map_or(0, |e| e.position))
    }

    /// Adds events that follow the ones held (older or repeated ones are skipped) and brings the
    /// state up to date: by a cheap push when the page shows everything, else by a full replay.
    pub fn append(&self, new: Vec<Recorded>) {
        let head = self.head();
        let new: Vec<Recorded> = new.into_iter().filter(|e| e.position > head).collect();
        if new.is_empty() {
            return;
        }
        let view = self.view.get_untracked();
        let amends = new.iter().any(|e| e.event.entry.is_amendment());
        self.events
            .update_value(|events| events.extend(new.iter().cloned()));
        if view == View::everything() && !amends {
            self.state.update(|s| {
                for e in &new {
                    s.push(e);
                }
            });
            self.first_on.set(self.state.with_untracked(first_on));
        } else {
            self.replay();
        }
        self.revision.update(|r| *r += 1);
    }

    /// Shows the ledger from another point of view (playback).
    pub fn set_view(&self, view: View) {
        if self.view.get_untracked() != view {
            self.view.set(view);
            self.replay();
        }
    }

    fn replay(&self) {
        let view = self.view.get_untracked();
        let state = self.events.with_value(|events| LedgerState::replay(events, view));
        self.state.set(state);
    }

    /// The events of one stream (a program's or partner's history), tracked for changes.
    pub fn stream(&self, stream: &str) -> Vec<Recorded> {
        self.revision.track();
        self.events
            .with_value(|events| events.iter().filter(|e| e.stream == stream).cloned().collect())
    }

    /// The events at these positions, in position order (a report figure's drill-down).
    pub fn events_at(&self, positions: &[u64]) -> Vec<Recorded> {
        let mut wanted = positions.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        self.events.with_value(|events| {
            wanted
                .iter()
                .filter_map(|p| {
                    let i = events.partition_point(|e| e.position < *p);
                    events.get(i).filter(|e| e.position == *p).cloned()
                })
                .collect()
        })
    }

    /// Reads every event held (tracked: re-runs when events arrive).
    pub fn with_events<T>(&self, f: impl FnOnce(&[Recorded]) -> T) -> T {
        self.revision.track();
        self.events.with_value(|events| f(events))
    }

    /// The recorded time of the event at a position (for "as recorded by" playback).
    pub fn recorded_at(&self, position: u64) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.with_value(|events| {
            let i = events.partition_point(|e| e.position < position);
            events
                .get(i)
                .filter(|e| e.position == position)
                .map(|e| e.meta.recorded_at)
        })
    }
}

fn first_on(state: &LedgerState) -> Option<domain::Date> {
    state.timeline.iter().map(|t| t.on).min()
}
