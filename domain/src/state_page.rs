//! A bounded piece of the projected state (`GET /api/state?part=…`): one kind of thing, narrowed
//! by fiscal year or program, a page at a time, so that a ledger of a million receipts is never
//! one answer of hundreds of megabytes. Pages follow the state's own order (ids, positions,
//! years), and `next_after` names where the next page starts.

use crate::fiscal_year::FiscalYear;
use crate::ids::{ActivityId, DonorId, PartnerId, ProgramId, ReceiptId};
use crate::projection::{
    ActivityView, DonorView, LedgerState, PartnerView, ProgramView, ReceiptView, TimelineEntry, View,
    YearMoney,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Bound;

/// Which kind of thing a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Part {
    Programs,
    Partners,
    Activities,
    Receipts,
    Donors,
    Timeline,
    Money,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Programs => "programs",
            Part::Partners => "partners",
            Part::Activities => "activities",
            Part::Receipts => "receipts",
            Part::Donors => "donors",
            Part::Timeline => "timeline",
            Part::Money => "money",
        }
    }

    /// Every part, in the state's order.
    pub const ALL: [Part; 7] = [
        Part::Programs,
        Part::Partners,
        Part::Activities,
        Part::Receipts,
        Part::Donors,
        Part::Timeline,
        Part::Money,
    ];

    /// The filters that narrow this part, for the error that names them.
    pub(crate) fn narrowed_by(self) -> (bool, bool, &'static str) {
        // (fiscal_year, program, in words)
        match self {
            Part::Programs | Part::Activities | Part::Receipts | Part::Timeline => {
                (true, true, "fiscal_year and program")
            }
            Part::Money => (true, false, "fiscal_year only"),
            Part::Partners | Part::Donors => (false, false, "nothing: page through it with after"),
        }
    }
}

impl std::str::FromStr for Part {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Part::ALL.into_iter().find(|p| p.name() == text).ok_or_else(|| {
            format!("no part {text:?}: programs, partners, activities, receipts, donors, timeline or money")
        })
    }
}

/// Items per page unless asked otherwise, and the most one page holds.
pub const DEFAULT_LIMIT: usize = 1_000;
pub const MAX_LIMIT: usize = 10_000;

/// What a client asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrowing {
    pub part: Part,
    pub fiscal_year: Option<FiscalYear>,
    pub program: Option<ProgramId>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NarrowingError {
    #[error("limit={0} is out of range: ask for 1 to {MAX_LIMIT} items a page")]
    Limit(usize),
    #[error("{filter} does not narrow part={part}; it is narrowed by {narrows}")]
    DoesNotNarrow {
        filter: &'static str,
        part: &'static str,
        narrows: &'static str,
    },
    #[error("after={after:?} cannot start a page of {part}: give the next_after of the page before")]
    BadAfter { after: String, part: &'static str },
}

/// The items of one page, in the state's order.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Items<'a> {
    Programs(Vec<&'a ProgramView>),
    Partners(Vec<&'a PartnerView>),
    Activities(Vec<&'a ActivityView>),
    Receipts(Vec<&'a ReceiptView>),
    Donors(Vec<&'a DonorView>),
    Timeline(Vec<&'a TimelineEntry>),
    Money(Vec<&'a YearMoney>),
}

impl Items<'_> {
    pub fn len(&self) -> usize {
        match self {
            Items::Programs(v) => v.len(),
            Items::Partners(v) => v.len(),
            Items::Activities(v) => v.len(),
            Items::Receipts(v) => v.len(),
            Items::Donors(v) => v.len(),
            Items::Timeline(v) => v.len(),
            Items::Money(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One page of one part of the state.
#[derive(Debug, Serialize)]
pub struct Page<'a> {
    pub view: View,
    pub events_seen: u64,
    pub head_position: u64,
    pub part: Part,
    pub items: Items<'a>,
    /// Where the next page starts (pass it as `after`); `None` on the last page.
    pub next_after: Option<String>,
}

/// Up to `limit` of the values after `after` that `keep`, and the key of the last one when more
/// follow.
fn take<'a, K: ToString + 'a, V: 'a>(
    entries: impl Iterator<Item = (K, &'a V)>,
    keep: impl Fn(&V) -> bool,
    limit: usize,
) -> (Vec<&'a V>, Option<String>) {
    let mut items = Vec::new();
    let mut last = None;
    for (key, value) in entries.filter(|(_, v)| keep(v)) {
        if items.len() == limit {
            return (items, last.map(|k: K| k.to_string()));
        }
        items.push(value);
        last = Some(key);
    }
    (items, None)
}

/// The entries of `map` after the id `after` (all of them without one).
fn after_id<'a, K: Ord, V>(
    map: &'a BTreeMap<K, V>,
    after: Option<&str>,
    parse: impl Fn(&str) -> Option<K>,
    part: Part,
) -> Result<std::collections::btree_map::Range<'a, K, V>, NarrowingError> {
    let start = match parsed_id(after, parse, part)? {
        None => Bound::Unbounded,
        Some(id) => Bound::Excluded(id),
    };
    Ok(map.range((start, Bound::Unbounded)))
}

/// The id `after` names, or the error that names it.
fn parsed_id<K>(
    after: Option<&str>,
    parse: impl Fn(&str) -> Option<K>,
    part: Part,
) -> Result<Option<K>, NarrowingError> {
    after
        .map(|text| {
            parse(text).ok_or_else(|| NarrowingError::BadAfter {
                after: text.to_owned(),
                part: part.name(),
            })
        })
        .transpose()
}

/// A number `after` (a position or a year), or the error that names it.
fn after_number<T: std::str::FromStr>(after: Option<&str>, part: Part) -> Result<Option<T>, NarrowingError> {
    after
        .map(|text| {
            text.parse().map_err(|_| NarrowingError::BadAfter {
                after: text.to_owned(),
                part: part.name(),
            })
        })
        .transpose()
}

/// The page `n` asks for, or why it cannot be answered.
pub fn page<'a>(state: &'a LedgerState, n: &Narrowing) -> Result<Page<'a>, NarrowingError> {
    let limit = n.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(NarrowingError::Limit(limit));
    }
    let (by_year, by_program, narrows) = n.part.narrowed_by();
    for (asked, allowed, filter) in [
        (n.fiscal_year.is_some(), by_year, "fiscal_year"),
        (n.program.is_some(), by_program, "program"),
    ] {
        if asked && !allowed {
            return Err(NarrowingError::DoesNotNarrow {
                filter,
                part: n.part.name(),
                narrows,
            });
        }
    }
    let in_year = |fy: FiscalYear| n.fiscal_year.is_none_or(|y| y == fy);
    let of_program = |p: Option<&ProgramId>| n.program.as_ref().is_none_or(|want| p == Some(want));
    let after = n.after.as_deref();
    let (items, next_after) = match n.part {
        Part::Programs => {
            let running = |p: &ProgramView| {
                n.fiscal_year.is_none_or(|y| {
                    p.launched_on.fiscal_year() <= y && p.concluded_on.is_none_or(|c| c.fiscal_year() >= y)
                })
            };
            let range = after_id(&state.programs, after, |t| ProgramId::new(t).ok(), n.part)?;
            let (v, next) = take(range, |p| running(p) && of_program(Some(&p.id)), limit);
            (Items::Programs(v), next)
        }
        Part::Partners => {
            let range = after_id(&state.partners, after, |t| PartnerId::new(t).ok(), n.part)?;
            let (v, next) = take(range, |_| true, limit);
            (Items::Partners(v), next)
        }
        Part::Activities => {
            let range = after_id(&state.activities, after, |t| ActivityId::new(t).ok(), n.part)?;
            let (v, next) = take(
                range,
                |a| in_year(a.on.fiscal_year()) && of_program(a.program.as_ref()),
                limit,
            );
            (Items::Activities(v), next)
        }
        Part::Receipts => {
            let after = parsed_id(after, |t| ReceiptId::new(t).ok(), n.part)?;
            let keep = |r: &ReceiptView| of_program(r.program.as_ref());
            // A year's receipts are held together: a page of one year reads that year alone.
            let (v, next) = match n.fiscal_year {
                Some(year) => take(state.receipts.of_year_after(year, after.as_ref()), keep, limit),
                None => take(state.receipts.after(after.as_ref()), keep, limit),
            };
            (Items::Receipts(v), next)
        }
        Part::Donors => {
            let range = after_id(&state.donors, after, |t| DonorId::new(t).ok(), n.part)?;
            let (v, next) = take(range, |_| true, limit);
            (Items::Donors(v), next)
        }
        Part::Timeline => {
            let from = after_number::<u64>(after, n.part)?
                .map_or(0, |p| state.timeline.partition_point(|e| e.position <= p));
            let entries = state.timeline[from..].iter().map(|e| (e.position, e));
            let (v, next) = take(
                entries,
                |e| in_year(e.on.fiscal_year()) && of_program(e.program.as_ref()),
                limit,
            );
            (Items::Timeline(v), next)
        }
        Part::Money => {
            let from = after_number::<i32>(after, n.part)?
                .map_or(0, |y| state.money.partition_point(|m| m.fiscal_year.year() <= y));
            let entries = state.money[from..].iter().map(|m| (m.fiscal_year.year(), m));
            let (v, next) = take(entries, |m| in_year(m.fiscal_year), limit);
            (Items::Money(v), next)
        }
    };
    Ok(Page {
        view: state.view,
        events_seen: state.events_seen,
        head_position: state.head_position,
        part: n.part,
        items,
        next_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> LedgerState {
        let events = crate::example::recorded(
            &crate::example::Scale::default(),
            chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        );
        LedgerState::replay(&events, View::everything())
    }

    fn ask(part: Part) -> Narrowing {
        Narrowing {
            part,
            fiscal_year: None,
            program: None,
            after: None,
            limit: None,
        }
    }

    #[test]
    fn pages_of_receipts_in_a_year_put_together_are_that_years_receipts() {
        let state = example();
        // The year with the most receipts.
        let year = state.money.iter().max_by_key(|m| m.receipts).unwrap().fiscal_year;
        let mut asked = Narrowing {
            fiscal_year: Some(year),
            limit: Some(7),
            ..ask(Part::Receipts)
        };
        let mut seen = Vec::new();
        loop {
            let page = page(&state, &asked).unwrap();
            let Items::Receipts(items) = page.items else {
                panic!("receipts")
            };
            assert!(items.len() <= 7);
            seen.extend(items.iter().map(|r| r.id.clone()));
            match page.next_after {
                Some(next) => asked.after = Some(next),
                None => break,
            }
        }
        let expected: Vec<_> = state
            .receipts
            .values()
            .filter(|r| r.fiscal_year == year)
            .map(|r| r.id.clone())
            .collect();
        assert!(expected.len() > 7, "more than one page");
        assert_eq!(seen, expected);
    }

    #[test]
    fn the_timeline_and_money_page_by_position_and_year() {
        let state = example();
        for part in [
            Part::Timeline,
            Part::Money,
            Part::Programs,
            Part::Partners,
            Part::Donors,
            Part::Activities,
        ] {
            let mut asked = Narrowing {
                limit: Some(3),
                ..ask(part)
            };
            let mut total = 0;
            loop {
                let page = page(&state, &asked).unwrap();
                total += page.items.len();
                match page.next_after {
                    Some(next) => asked.after = Some(next),
                    None => break,
                }
            }
            let expected = match part {
                Part::Timeline => state.timeline.len(),
                Part::Money => state.money.len(),
                Part::Programs => state.programs.len(),
                Part::Partners => state.partners.len(),
                Part::Donors => state.donors.len(),
                Part::Activities => state.activities.len(),
                Part::Receipts => state.receipts.len(),
            };
            assert_eq!(total, expected, "{part:?}");
        }
    }

    #[test]
    fn a_program_narrows_receipts_to_its_own() {
        let state = example();
        let program = state
            .receipts
            .values()
            .find_map(|r| r.program.clone())
            .expect("a receipt linked to a program");
        let asked = Narrowing {
            program: Some(program.clone()),
            limit: Some(MAX_LIMIT),
            ..ask(Part::Receipts)
        };
        let Items::Receipts(items) = page(&state, &asked).unwrap().items else {
            panic!()
        };
        assert!(!items.is_empty());
        assert!(items.iter().all(|r| r.program.as_ref() == Some(&program)));
    }

    #[test]
    fn what_cannot_be_answered_is_named() {
        let state = example();
        assert_eq!(
            page(
                &state,
                &Narrowing {
                    limit: Some(0),
                    ..ask(Part::Receipts)
                }
            )
            .unwrap_err(),
            NarrowingError::Limit(0)
        );
        assert_eq!(
            page(
                &state,
                &Narrowing {
                    limit: Some(MAX_LIMIT + 1),
                    ..ask(Part::Receipts)
                }
            )
            .unwrap_err(),
            NarrowingError::Limit(MAX_LIMIT + 1)
        );
        assert!(matches!(
            page(
                &state,
                &Narrowing {
                    fiscal_year: Some(FiscalYear::new(2020).unwrap()),
                    ..ask(Part::Partners)
                }
            ),
            Err(NarrowingError::DoesNotNarrow {
                filter: "fiscal_year",
                ..
            })
        ));
        for part in [Part::Receipts, Part::Timeline, Part::Money] {
            assert!(matches!(
                page(
                    &state,
                    &Narrowing {
                        after: Some("Not An Id!".into()),
                        ..ask(part)
                    }
                ),
                Err(NarrowingError::BadAfter { .. })
            ));
        }
    }
}
