//! Folding only the events a question needs: the index behind answers "as of an effective date"
//! and "as known at a recorded time" on a big ledger.
//!
//! A real ledger is mostly receipts, and most receipts are gifts and fees tied to no program and
//! restricted in no way. Such a receipt changes two things in the projection: its own entry in
//! `receipts` and its fiscal year's line in `money`. Nothing else reads it. So a question about
//! programs, partners, activities, donors or the timeline needs none of them, and a question
//! about one fiscal year's receipts or money needs only that year's. Next come the donors'
//! registrations (2% of a generated million events, but 70% of the rest): only the donors part
//! and the reports read them. Everything else (programs, contracts, partners, activities,
//! spending, linked or restricted receipts, every correction and retraction, and anything a
//! correction touched) is needed by every question.
//!
//! The index keeps the positions of the events every question needs, of the donors'
//! registrations, and of the year-only receipts by fiscal year. A fold over the union of the two, in position order, gives the same
//! part of the state as a fold over everything ([`FoldIndex::replay`]; tested against full
//! replays of the example ledger with its corrections and retractions). Including an event a
//! question does not need is always harmless, so whenever in doubt an event is needed everywhere.

use crate::date::Date;
use crate::events::{Entry, Fact};
use crate::fiscal_year::FiscalYear;
use crate::money::Yen;
use crate::program::Pillar;
use crate::projection::{unlinked_pillar, LedgerState, View, YearMoney};
use crate::record::Recorded;
use crate::state_page::{Narrowing, Part};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::hash::BuildHasher;

#[derive(Debug, Clone, Default)]
pub struct FoldIndex {
    /// Events held: positions 1 to `len`.
    len: u64,
    /// Positions every question needs, ascending.
    everywhere: Vec<u64>,
    /// Donors' registrations, ascending. One moved to `everywhere` later leaves, so that those
    /// left are never amended.
    donors: Vec<u64>,
    /// Year-only receipts by fiscal year, ascending by position, with what each adds to its
    /// year's money. A receipt moved to `everywhere` later leaves (its money is then the fold's
    /// to count, once).
    by_year: BTreeMap<FiscalYear, Vec<HeldReceipt>>,
    /// The position of each year-only receipt (with its year) and each donor's registration by
    /// a hash of its stream, so that an amendment of that stream (which names it by stream and
    /// sequence), or anything else recorded in it, can move it to `everywhere`. Two streams with
    /// one hash both move: a needless event in a fold is harmless.
    held_apart: crate::FastMap<u64, (u64, Option<FiscalYear>)>,
    /// When each event was recorded, by position: what a fold of part of the ledger must still
    /// count as seen.
    recorded_at: Vec<DateTime<Utc>>,
    /// Whether a recorded time ever went back (servers with different clocks): then the events
    /// known at a time are counted one by one instead of found by bisection.
    recorded_out_of_order: bool,
}

/// A year-only receipt as its year's money line sees it. Such a receipt is never amended (else
/// it would have moved to `everywhere`), so what it adds is fixed when it is recorded: a
/// question about every year's money counts these instead of folding a million events.
#[derive(Debug, Clone, Copy)]
struct HeldReceipt {
    position: u64,
    on: Date,
    pillar: Pillar,
    amount: Yen,
}

/// What a question needs beyond the events every question needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needs {
    /// Everything: the whole state, every year's receipts or money.
    Everything,
    /// The donors' registrations or not, the year-only receipts of these fiscal years (none
    /// for programs, partners and the like), and whether every year's money lines are asked
    /// (counted from the index, without those receipts).
    Some {
        donors: bool,
        years: Vec<FiscalYear>,
        money: bool,
    },
}

impl Needs {
    /// What a report of the fiscal years `from` to `to` needs: the donors, and those years'
    /// plain receipts (earlier years' restricted money, which balances carry forward, is needed
    /// everywhere anyway).
    pub fn years(from: FiscalYear, to: FiscalYear) -> Needs {
        Needs::Some {
            donors: true,
            years: (from.year()..=to.year())
                .filter_map(|y| FiscalYear::new(y).ok())
                .collect(),
            money: false,
        }
    }

    /// What programs, partners, contracts and activities alone need: nothing held apart.
    pub fn the_work() -> Needs {
        Needs::Some {
            donors: false,
            years: Vec::new(),
            money: false,
        }
    }

    /// What one page of one part of the state needs.
    pub fn of(narrowing: Option<&Narrowing>) -> Needs {
        let Some(n) = narrowing else {
            return Needs::Everything;
        };
        match n.part {
            Part::Programs | Part::Partners | Part::Activities | Part::Timeline => Needs::the_work(),
            Part::Donors => Needs::Some {
                donors: true,
                years: Vec::new(),
                money: false,
            },
            Part::Receipts => match n.fiscal_year {
                Some(year) => Needs::Some {
                    donors: false,
                    years: vec![year],
                    money: false,
                },
                None => Needs::Everything,
            },
            // A year's line or every year's: counted from the index either way.
            Part::Money => Needs::Some {
                donors: false,
                years: Vec::new(),
                money: true,
            },
        }
    }
}

/// A stream's hash, fixed for the life of the index. (A collision only folds a needless event.)
fn stream_hash(stream: &str) -> u64 {
    foldhash::fast::FixedState::default().hash_one(stream)
}

/// Which questions need an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Everywhere,
    /// A donor's registration, in the donor's own stream: the donors part and the reports.
    Donors,
    /// Money received tied to no program, restricted in no way, in the receipt's own stream:
    /// only its own fiscal year's receipts and money, and reports of that year.
    Year(FiscalYear),
}

/// Only the first event of a stream is ever held apart: a receipt recorded in a stream that
/// already holds something (which the rules never allow, but a restored ledger might) could
/// replace what an earlier event said, so it is needed everywhere.
fn reach(e: &Recorded) -> Reach {
    if e.sequence != 1 {
        return Reach::Everywhere;
    }
    match &e.event.entry {
        Entry::Fact(Fact::FundsReceived {
            receipt,
            program: None,
            restricted: false,
            fiscal_year,
            ..
        }) if e.stream.strip_prefix("receipt:") == Some(receipt.as_str()) => Reach::Year(*fiscal_year),
        Entry::Fact(Fact::DonorRegistered { donor, .. })
            if e.stream.strip_prefix("donor:") == Some(donor.as_str()) =>
        {
            Reach::Donors
        }
        _ => Reach::Everywhere,
    }
}

/// What a year-only receipt adds to its year's money.
fn held_receipt(e: &Recorded) -> Option<HeldReceipt> {
    match &e.event.entry {
        Entry::Fact(Fact::FundsReceived { kind, amount, .. }) => Some(HeldReceipt {
            position: e.position,
            on: e.event.on,
            pillar: unlinked_pillar(*kind),
            amount: *amount,
        }),
        _ => None,
    }
}

impl FoldIndex {
    /// Events held.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Takes in the event after the last one held (anything else is ignored, and `false`
    /// returned).
    pub fn push(&mut self, e: &Recorded) -> bool {
        if e.position != self.len + 1 {
            return false;
        }
        self.len = e.position;
        let in_order = self
            .recorded_at
            .last()
            .is_none_or(|last| *last <= e.meta.recorded_at);
        self.recorded_out_of_order |= !in_order;
        self.recorded_at.push(e.meta.recorded_at);
        let stream = stream_hash(&e.stream);
        match reach(e) {
            Reach::Everywhere => {
                // Anything else in a stream held apart (an amendment, a spending) may change
                // what its event means: that event is needed everywhere from now on.
                if let Some(earlier) = self.held_apart.remove(&stream) {
                    self.promote(earlier);
                }
                self.everywhere.push(e.position);
            }
            apart => {
                let year = match apart {
                    Reach::Year(year) => Some(year),
                    _ => None,
                };
                if let Some(earlier) = self.held_apart.insert(stream, (e.position, year)) {
                    // A second event held apart in one stream (or a hash shared): both
                    // everywhere.
                    self.promote(earlier);
                    self.everywhere.push(e.position);
                    self.held_apart.remove(&stream);
                } else if let Some(year) = year {
                    match held_receipt(e) {
                        Some(held) => self.by_year.entry(year).or_default().push(held),
                        // Unreachable (only a receipt reaches one year): needed everywhere.
                        None => self.everywhere.push(e.position),
                    }
                } else {
                    self.donors.push(e.position);
                }
            }
        }
        true
    }

    /// Moves an earlier event held apart into the events every question needs, out of its
    /// year's receipts (so that its money is counted once, by the fold) or the donors'.
    fn promote(&mut self, (position, year): (u64, Option<FiscalYear>)) {
        if let Err(at) = self.everywhere.binary_search(&position) {
            self.everywhere.insert(at, position);
        }
        match year {
            Some(year) => {
                if let Some(held) = self.by_year.get_mut(&year) {
                    if let Ok(at) = held.binary_search_by_key(&position, |r| r.position) {
                        held.remove(at);
                    }
                }
            }
            None => {
                if let Ok(at) = self.donors.binary_search(&position) {
                    self.donors.remove(at);
                }
            }
        }
    }

    /// What a fold from `view` must read to answer what `needs` asks, or `None` when that is
    /// every event (a plain [`LedgerState::replay`] of them all is then the answer).
    pub fn plan(&self, view: View, needs: &Needs) -> Option<Plan> {
        let Needs::Some { donors, years, money } = needs else {
            return None;
        };
        let mut positions = self.everywhere.clone();
        let mut held = Vec::new();
        if *donors {
            held.extend_from_slice(&self.donors);
        }
        for year in years {
            if let Some(receipts) = self.by_year.get(year) {
                held.extend(receipts.iter().map(|r| r.position));
            }
        }
        positions.extend_from_slice(&held);
        positions.sort_unstable();
        positions.dedup();
        held.sort_unstable();
        let seen = self.seen(view);
        let money = if *money {
            self.held_money(view, seen.1, years)
        } else {
            Vec::new()
        };
        Some(Plan {
            positions,
            held,
            view,
            seen,
            money,
        })
    }

    /// What the year-only receipts of every year but `folded` (whose receipts the fold counts
    /// itself) add to their years' money lines, from `view`. `last` is the last position the
    /// view can know.
    fn held_money(&self, view: View, last: u64, folded: &[FiscalYear]) -> Vec<YearMoney> {
        // Known at `view`: by position while recorded times never went back, else one by one.
        let knows = |position: u64| match view.known_at {
            Some(t) if self.recorded_out_of_order => position
                .checked_sub(1)
                .and_then(|i| self.recorded_at.get(i as usize))
                .is_some_and(|at| *at <= t),
            _ => position <= last,
        };
        let mut lines = Vec::new();
        for (year, receipts) in self.by_year.iter().filter(|(y, _)| !folded.contains(y)) {
            let mut line = YearMoney {
                fiscal_year: *year,
                by_pillar: [Yen::ZERO; 3],
                receipts: 0,
            };
            for r in receipts {
                if knows(r.position) && view.in_effect(r.on) {
                    line.add(r.pillar, r.amount);
                }
            }
            if line.receipts > 0 {
                lines.push(line);
            }
        }
        lines
    }

    /// How many events a fold of the whole ledger from `view` would count as seen, and the last
    /// position it would look at.
    fn seen(&self, view: View) -> (u64, u64) {
        match view.known_at {
            None => (self.len, self.len),
            // Recorded times in position order (one clock): the events known are a prefix.
            Some(t) if !self.recorded_out_of_order => {
                let seen = self.recorded_at.partition_point(|at| *at <= t) as u64;
                (seen, seen)
            }
            Some(t) => self
                .recorded_at
                .iter()
                .zip(1u64..)
                .filter(|(at, _)| **at <= t)
                .fold((0, 0), |(count, _), (_, position)| (count + 1, position)),
        }
    }
}

/// A fold of part of the ledger, planned by [`FoldIndex::plan`].
#[derive(Debug, Clone)]
pub struct Plan {
    /// The positions to fold, ascending, each once.
    pub positions: Vec<u64>,
    /// Those of them held apart (year-only receipts, donors' registrations): never amended,
    /// ascending.
    held: Vec<u64>,
    view: View,
    /// What a fold of everything would count as seen, and its last position.
    seen: (u64, u64),
    /// Money lines of the year-only receipts left out of the fold, when every year's money
    /// was asked.
    money: Vec<YearMoney>,
}

impl Plan {
    /// The state from the plan's view as far as its needs reach: the parts they name are those
    /// of [`LedgerState::replay`] over every event; the others hold only what the needed events
    /// gave them. `at` gives the held event at a position.
    pub fn replay<'a>(&self, at: impl Fn(u64) -> Option<&'a Recorded>) -> LedgerState {
        // The events held apart are marked: never amended, they are spared the lookup among the
        // amendments. (Building each year's tree from them in one pass instead of folding
        // them was tried: moving the receipts through the bulk build cost more than it saved.)
        let mut held = self.held.iter().peekable();
        let events: Vec<(&Recorded, bool)> = self
            .positions
            .iter()
            .filter_map(|p| {
                let never_amended = held.next_if_eq(&p).is_some();
                at(*p).map(|e| (e, never_amended))
            })
            .collect();
        let mut state = LedgerState::replay_marked(events.iter().copied(), self.view);
        (state.events_seen, state.head_position) = self.seen;
        for line in &self.money {
            state.add_money(line);
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{self, Scale};
    use crate::state_page::{page, Part};

    /// The realistic example ledger, recorded, with its corrections and retractions.
    fn ledger() -> Vec<Recorded> {
        let scale = Scale {
            donors: 60,
            ..Scale::default()
        };
        let start: DateTime<Utc> = "2026-11-28T09:00:00Z".parse().unwrap();
        let mut events = example::recorded(&scale, start);
        // Each event recorded a second after the one before, so "as known at" has times to
        // fall between.
        for e in &mut events {
            e.meta.recorded_at = start + chrono::Duration::seconds(e.position as i64);
        }
        events
    }

    fn index(events: &[Recorded]) -> FoldIndex {
        let mut index = FoldIndex::default();
        for e in events {
            assert!(index.push(e));
        }
        index
    }

    fn narrowings(years: &[FiscalYear]) -> Vec<Narrowing> {
        let mut all = Vec::new();
        for part in Part::ALL {
            let (by_year, _, _) = part.narrowed_by();
            let mut asked = vec![None];
            if by_year {
                asked.extend(years.iter().copied().map(Some));
            }
            for fiscal_year in asked {
                all.push(Narrowing {
                    part,
                    fiscal_year,
                    program: None,
                    after: None,
                    limit: Some(crate::state_page::MAX_LIMIT),
                });
            }
        }
        all
    }

    /// Every part, narrowed by every year, from the index equals the same from a full fold.
    fn assert_same(events: &[Recorded], index: &FoldIndex, view: View, years: &[FiscalYear]) {
        let whole = LedgerState::replay(events, view);
        for n in narrowings(years) {
            let needs = Needs::of(Some(&n));
            let part = match index.plan(view, &needs) {
                Some(plan) => plan.replay(|p| events.get(p as usize - 1)),
                None => LedgerState::replay(events, view),
            };
            let expected = serde_json::to_string(&page(&whole, &n).unwrap()).unwrap();
            let got = serde_json::to_string(&page(&part, &n).unwrap()).unwrap();
            assert_eq!(got, expected, "{view:?} {n:?}");
        }
    }

    #[test]
    fn a_fold_of_what_a_part_needs_equals_the_whole_fold_at_every_year_boundary() {
        let events = ledger();
        let amendments = events.iter().filter(|e| e.event.entry.is_amendment()).count();
        assert!(amendments > 0, "the example holds corrections and retractions");
        let index = index(&events);
        let years: Vec<FiscalYear> = (example::FIRST_YEAR - 1..=example::LAST_YEAR + 1)
            .map(|y| FiscalYear::new(y).unwrap())
            .collect();
        assert_same(&events, &index, View::everything(), &years);
        for year in &years {
            for as_of in [year.first_day(), year.last_day()] {
                let view = View {
                    as_of: Some(as_of),
                    known_at: None,
                };
                assert_same(&events, &index, view, &years);
            }
        }
    }

    #[test]
    fn a_fold_of_what_a_part_needs_equals_the_whole_fold_as_known_at_any_time() {
        let events = ledger();
        let index = index(&events);
        let years: Vec<FiscalYear> = [2001, 2010, 2019, 2020, 2025]
            .into_iter()
            .map(|y| FiscalYear::new(y).unwrap())
            .collect();
        // Just before and just after each amendment was recorded, and a spread of other times,
        // each also as of a spread of dates.
        let mut times: Vec<DateTime<Utc>> = events
            .iter()
            .filter(|e| e.event.entry.is_amendment())
            .flat_map(|e| {
                [
                    e.meta.recorded_at - chrono::Duration::microseconds(1),
                    e.meta.recorded_at,
                ]
            })
            .collect();
        times.extend(
            events
                .iter()
                .step_by(events.len() / 7 + 1)
                .map(|e| e.meta.recorded_at),
        );
        let mut seed = 7u64;
        for known_at in times {
            // A small deterministic generator of dates (no randomness crate in the domain).
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let year =
                example::FIRST_YEAR + (seed >> 33) as i32 % (example::LAST_YEAR - example::FIRST_YEAR + 1);
            let day =
                crate::date::Date::from_ymd(year, 1 + (seed >> 20) as u32 % 12, 1 + (seed >> 8) as u32 % 28)
                    .unwrap();
            for as_of in [None, Some(day)] {
                let view = View {
                    as_of,
                    known_at: Some(known_at),
                };
                assert_same(&events, &index, view, &years);
            }
        }
    }

    #[test]
    fn reports_of_some_years_from_what_they_need_equal_the_same_from_everything() {
        use crate::report::funding::funding_summary;
        use crate::report::pst::{public_support_test, PstOptions};
        let events = ledger();
        let index = index(&events);
        let year = |y| FiscalYear::new(y).unwrap();
        let amended: Vec<DateTime<Utc>> = events
            .iter()
            .filter(|e| e.event.entry.is_amendment())
            .map(|e| e.meta.recorded_at)
            .collect();
        for known_at in [None, amended.first().copied(), amended.last().copied()] {
            let view = View {
                as_of: None,
                known_at,
            };
            let whole = LedgerState::replay(&events, view);
            for (from, to) in [
                (2001, 2005),
                (2010, 2012),
                (2019, 2023),
                (2021, 2025),
                (2025, 2025),
            ] {
                let (from, to) = (year(from), year(to));
                let part = index
                    .plan(view, &Needs::years(from, to))
                    .unwrap()
                    .replay(|p| events.get(p as usize - 1));
                assert_eq!(
                    funding_summary(&part, from, to, true),
                    funding_summary(&whole, from, to, true),
                    "{from}–{to} {view:?}"
                );
                assert_eq!(
                    funding_summary(&part, from, to, false),
                    funding_summary(&whole, from, to, false)
                );
                let every = PstOptions {
                    supporting_dues_as_donations: true,
                    add_member_dues: true,
                };
                for options in [PstOptions::default(), every] {
                    assert_eq!(
                        public_support_test(&part, from, to, options),
                        public_support_test(&whole, from, to, options)
                    );
                }
            }
        }
    }

    /// A donor's registration and a plain receipt, each corrected later: answers from before the
    /// corrections read them as first recorded, answers from after as corrected, and every
    /// year's money counts the receipt once.
    #[test]
    fn corrections_of_events_held_apart_are_read_as_a_full_fold_reads_them() {
        let mut events = ledger();
        let before = events.last().unwrap().meta.recorded_at;
        let donor = events.iter().find(|e| reach(e) == Reach::Donors).unwrap().clone();
        let receipt = events
            .iter()
            .find(|e| matches!(reach(e), Reach::Year(_)))
            .unwrap()
            .clone();
        for (original, seconds) in [(donor, 10), (receipt, 20)] {
            let mut fact = match &original.event.entry {
                Entry::Fact(fact) => fact.clone(),
                _ => unreachable!("held apart only as a fact"),
            };
            match &mut fact {
                Fact::DonorRegistered { officer, .. } => *officer = !*officer,
                Fact::FundsReceived { amount, .. } => *amount = crate::Yen::new(amount.value() * 3),
                _ => unreachable!("only registrations and receipts are held apart"),
            }
            let mut correction = original.clone();
            correction.position = events.len() as u64 + 1;
            correction.sequence = original.sequence + 1;
            correction.meta.recorded_at = before + chrono::Duration::seconds(seconds);
            correction.event.entry = Entry::Corrected {
                target: original.sequence,
                fact: Box::new(fact),
                reason: "誤入力".into(),
            };
            events.push(correction);
        }
        let index = index(&events);
        let years: Vec<FiscalYear> = (example::FIRST_YEAR..=example::LAST_YEAR)
            .map(|y| FiscalYear::new(y).unwrap())
            .collect();
        for known_at in [None, Some(before), Some(before + chrono::Duration::seconds(15))] {
            let view = View {
                as_of: None,
                known_at,
            };
            assert_same(&events, &index, view, &years);
        }
    }

    #[test]
    fn year_only_receipts_stay_out_of_other_questions() {
        let events = ledger();
        let index = index(&events);
        let programs = index
            .plan(View::everything(), &Needs::of(Some(&narrowings(&[])[0])))
            .unwrap();
        let programs = programs.positions;
        assert!(
            (programs.len() as u64) < index.len() / 2,
            "{} of {} events needed for programs",
            programs.len(),
            index.len()
        );
    }

    #[test]
    fn an_amendment_of_an_event_held_apart_makes_it_needed_everywhere() {
        let events = ledger();
        for apart in [
            events
                .iter()
                .find(|e| matches!(reach(e), Reach::Year(_)))
                .unwrap(),
            events.iter().find(|e| reach(e) == Reach::Donors).unwrap(),
        ] {
            let mut index = FoldIndex::default();
            for e in events.iter().take_while(|e| e.position <= apart.position) {
                index.push(e);
            }
            let needed = |index: &FoldIndex| {
                index
                    .plan(View::everything(), &Needs::the_work())
                    .unwrap()
                    .positions
            };
            assert!(!needed(&index).contains(&apart.position));
            let mut retraction = apart.clone();
            retraction.position = index.len() + 1;
            retraction.sequence += 1;
            retraction.event.entry = Entry::Retracted {
                target: apart.sequence,
                reason: "誤入力".into(),
            };
            assert!(index.push(&retraction));
            assert!(needed(&index).contains(&apart.position), "{}", apart.stream);
            assert!(!index.push(&retraction), "only the next position is taken");
        }
    }

    /// A stream that holds a restricted receipt and then a plain one under the same id (the
    /// rules refuse it; a ledger restored from elsewhere may hold it): the plain one replaces
    /// the first in a full fold, so it must not be held apart.
    #[test]
    fn a_plain_receipt_after_another_event_of_its_stream_is_needed_everywhere() {
        let mut events = ledger();
        let template = events
            .iter()
            .find(|e| reach(e) != Reach::Everywhere && e.stream.starts_with("receipt:"))
            .unwrap()
            .clone();
        let receipt = crate::ids::ReceiptId::new("dup").unwrap();
        let mut push = |sequence: u64, restricted: bool, year: i32| {
            let mut e = template.clone();
            e.position = events.len() as u64 + 1;
            e.stream = "receipt:dup".into();
            e.sequence = sequence;
            e.meta.recorded_at = events.last().unwrap().meta.recorded_at + chrono::Duration::seconds(1);
            if let Entry::Fact(Fact::FundsReceived {
                receipt: r,
                restricted: rs,
                fiscal_year,
                ..
            }) = &mut e.event.entry
            {
                *r = receipt.clone();
                *rs = restricted;
                *fiscal_year = FiscalYear::new(year).unwrap();
            }
            events.push(e);
        };
        push(1, true, 2010);
        push(2, false, 2012);
        let index = index(&events);
        let years = [FiscalYear::new(2010).unwrap(), FiscalYear::new(2012).unwrap()];
        assert_same(&events, &index, View::everything(), &years);
        let known_at = events[events.len() - 2].meta.recorded_at;
        let view = View {
            as_of: None,
            known_at: Some(known_at),
        };
        assert_same(&events, &index, view, &years);
    }

    /// Servers whose clocks differ record times that go back now and then: the events known at
    /// a time are then no longer a prefix of the ledger, and the index still counts them right.
    #[test]
    fn recorded_times_that_go_back_are_counted_as_a_full_fold_counts_them() {
        let mut events = ledger();
        for e in events.iter_mut().filter(|e| e.position % 97 == 0) {
            e.meta.recorded_at -= chrono::Duration::seconds(500);
        }
        let index = index(&events);
        assert!(index.recorded_out_of_order);
        let years = [FiscalYear::new(2010).unwrap(), FiscalYear::new(2020).unwrap()];
        for e in events.iter().step_by(events.len() / 9 + 1) {
            let view = View {
                as_of: None,
                known_at: Some(e.meta.recorded_at),
            };
            assert_same(&events, &index, view, &years);
        }
    }
}
