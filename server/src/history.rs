//! Every event of the ledger, decoded, kept in memory by the server as it catches its projection
//! up: answers "as of an effective date" or "as known at a recorded time", and the reports, fold
//! from here instead of re-reading and re-decoding the store on every request.
//!
//! The events are kept in the pages they were read in, each page shared (`Arc`) and never
//! changed, so a snapshot for one request is a copy of a few pointers, taken in an instant, while
//! the server goes on appending; a request folds its snapshot with no lock held.

use domain::Recorded;
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct History {
    pages: Vec<Arc<[Recorded]>>,
    len: u64,
}

impl History {
    /// Events held: positions 1 to `len`.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends the events that follow the last one held, in order; ones held already are
    /// skipped. Returns whether every new event followed on (a gap means the caller read past
    /// something, and nothing after the gap is kept).
    pub fn extend(&mut self, events: &[Recorded]) -> bool {
        let mut fresh: Vec<Recorded> = events.iter().filter(|e| e.position > self.len).cloned().collect();
        let kept = (self.len + 1..)
            .zip(&fresh)
            .take_while(|(expected, e)| e.position == *expected)
            .count();
        let followed_on = kept == fresh.len();
        if kept > 0 {
            // Each event is copied once, into the page (not again out of `fresh`).
            fresh.truncate(kept);
            self.len += kept as u64;
            self.pages.push(fresh.into());
        }
        followed_on
    }

    /// Every event held, in position order (a cloneable iterator, as the projection's replay
    /// wants).
    pub fn iter(&self) -> impl Iterator<Item = &Recorded> + Clone {
        self.pages.iter().flat_map(|page| page.iter())
    }

    /// The event at `position`, if held.
    pub fn get(&self, position: u64) -> Option<&Recorded> {
        // Pages are never empty, and follow on from each other.
        let page = self
            .pages
            .partition_point(|p| p.first().is_some_and(|e| e.position <= position));
        let page = self.pages.get(page.checked_sub(1)?)?;
        let first = page.first()?.position;
        page.get(usize::try_from(position.checked_sub(first)?).ok()?)
    }

    /// The events up to `position`, copied into one vector (for the few callers that need a
    /// slice).
    pub fn to_vec_until(&self, position: u64) -> Vec<Recorded> {
        self.iter()
            .take_while(|e| e.position <= position)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(positions: std::ops::RangeInclusive<u64>) -> Vec<Recorded> {
        let all = domain::demo::recorded("2026-11-28T09:00:00Z".parse().unwrap());
        all.into_iter()
            .filter(|e| positions.contains(&e.position))
            .collect()
    }

    #[test]
    fn pages_append_in_order_and_read_back_as_one_log() {
        let mut history = History::default();
        assert!(history.extend(&events(1..=40)));
        assert!(history.extend(&events(30..=90)), "overlap is skipped");
        assert_eq!(history.len(), 90);
        let positions: Vec<u64> = history.iter().map(|e| e.position).collect();
        assert_eq!(positions, (1..=90).collect::<Vec<_>>());
        assert_eq!(history.to_vec_until(10).len(), 10);
        for position in [1, 40, 41, 90] {
            assert_eq!(history.get(position).map(|e| e.position), Some(position));
        }
        assert!(history.get(0).is_none() && history.get(91).is_none());
    }

    #[test]
    fn a_gap_keeps_only_what_follows_on() {
        let mut history = History::default();
        assert!(history.extend(&events(1..=10)));
        assert!(!history.extend(&events(12..=20)));
        assert_eq!(history.len(), 10);
        let mut with_gap = events(11..=12);
        with_gap.extend(events(14..=15));
        assert!(!history.extend(&with_gap));
        assert_eq!(history.len(), 12);
    }
}
