//! The projection's receipts, held a fiscal year at a time.
//!
//! A ledger at real size is mostly receipts: a million of them over twenty-five years. Most
//! questions ask about a few years (a funding summary of one, the public support test of five, a
//! page of one year's receipts), and a pass over every receipt to find those years' is most of
//! their time: the pass is bound by reading the receipts from memory, not by what it does with
//! them. Held by year, a question reads only its years' receipts, one after another.
//!
//! Everything else reads them as before, in id order ([`Receipts::iter`], merged from the years).
//! A receipt's year never changes once folded: a correction of a receipt makes the fold start
//! again ([`crate::projection::LedgerState::push`] refuses it), so the receipt is inserted once,
//! under the year it ends with.
//!
//! Each year's receipts are shared (`Arc`) between copies of the projection: the server copies
//! its state for every page it renders, and a copy then costs a pointer per year instead of a
//! million receipts (copied once a year is next written while a copy is still alive).

use crate::fiscal_year::FiscalYear;
use crate::ids::ReceiptId;
use crate::projection::{ReceiptView, Spending};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{btree_map, BTreeMap, BTreeSet, BinaryHeap};
use std::ops::Bound;
use std::sync::Arc;

/// Every receipt the fold has met, by fiscal year, then by id.
///
/// A receipt's id is unique: its stream must be new when it is recorded. Should a ledger edited
/// behind the rules' back hold one id under two fiscal years, both are kept (each year's own
/// answers stay right) and a lookup by id finds the later year's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Receipts {
    years: BTreeMap<FiscalYear, Arc<Year>>,
    /// The restricted receipts, by year then id: a report of some years needs every earlier
    /// year's too (what is unspent is carried forward). (A set, not a sorted list: a list costs
    /// its length per insertion when ids come in descending order.)
    restricted: BTreeSet<(FiscalYear, ReceiptId)>,
    /// The receipts held, over every year.
    len: usize,
}

/// One fiscal year's receipts, by id.
type Year = BTreeMap<ReceiptId, ReceiptView>;

impl Receipts {
    pub fn new() -> Receipts {
        Receipts::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Holds `receipt` under its id in its fiscal year, giving back the one it replaces there.
    pub fn insert(&mut self, receipt: ReceiptView) -> Option<ReceiptView> {
        let (year, restricted, id) = (receipt.fiscal_year, receipt.restricted, receipt.id.clone());
        if restricted {
            self.restricted.insert((year, id.clone()));
        }
        let replaced = Arc::make_mut(self.years.entry(year).or_default()).insert(id, receipt);
        match &replaced {
            None => self.len += 1,
            // Only where a ledger edited behind the rules' back records an id twice.
            Some(old) if old.restricted && !restricted => {
                self.restricted.remove(&(year, old.id.clone()));
            }
            Some(_) => {}
        }
        replaced
    }

    /// Records a use of the restricted receipt `id`; `false` when there is no such receipt.
    /// (The one change a receipt takes once held: its year and its restriction stay as they
    /// are, so the indexes stay true.)
    pub fn record_spending(&mut self, id: &ReceiptId, spending: Spending) -> bool {
        // Found first, then written: only the year that holds it is copied if shared.
        let held = self.years.values_mut().rev().find(|year| year.contains_key(id));
        match held.and_then(|year| Arc::make_mut(year).get_mut(id)) {
            Some(receipt) => {
                receipt.spent.push(spending);
                true
            }
            None => false,
        }
    }

    /// The restricted receipts, by year. (Each is checked as it is read: an index entry left by a
    /// ledger that recorded an id twice never brings in a receipt that is not restricted.)
    pub fn restricted(&self) -> impl Iterator<Item = &ReceiptView> {
        self.restricted
            .iter()
            .filter_map(|(year, id)| self.years.get(year)?.get(id))
            .filter(|r| r.restricted)
    }

    /// The receipt `id`, looked for from the latest year back: a lookup by id is rare (a
    /// spending, a certificate's gifts), a pass over some years is not.
    pub fn get(&self, id: &ReceiptId) -> Option<&ReceiptView> {
        self.years.values().rev().find_map(|year| year.get(id))
    }

    pub fn contains_key(&self, id: &ReceiptId) -> bool {
        self.get(id).is_some()
    }

    /// Every receipt, in id order.
    pub fn iter(&self) -> ById<'_> {
        self.after(None)
    }

    /// Every receipt in id order, as the list of receipts has always been read.
    pub fn values(&self) -> impl Iterator<Item = &ReceiptView> {
        self.iter().map(|(_, r)| r)
    }

    /// The receipts after the id `after` (all without one), in id order.
    pub fn after(&self, after: Option<&ReceiptId>) -> ById<'_> {
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        ById::new(
            self.years
                .values()
                .map(|year| year.range::<ReceiptId, _>((start, Bound::Unbounded))),
        )
    }

    /// One fiscal year's receipts after the id `after` (all without one), in id order.
    pub fn of_year_after(
        &self,
        fiscal_year: FiscalYear,
        after: Option<&ReceiptId>,
    ) -> impl Iterator<Item = (&ReceiptId, &ReceiptView)> {
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.years
            .get(&fiscal_year)
            .map(|year| year.range::<ReceiptId, _>((start, Bound::Unbounded)))
            .into_iter()
            .flatten()
    }

    /// One fiscal year's receipts, in id order.
    pub fn of_year(&self, fiscal_year: FiscalYear) -> impl Iterator<Item = &ReceiptView> {
        self.of_year_after(fiscal_year, None).map(|(_, r)| r)
    }

    /// The receipts of the fiscal years `from` to `to`, a year at a time (in id order within
    /// each). Reads those years' receipts alone.
    pub fn in_years(&self, from: FiscalYear, to: FiscalYear) -> impl Iterator<Item = &ReceiptView> {
        let years = if from <= to {
            Some(self.years.range(from..=to))
        } else {
            None
        };
        years.into_iter().flatten().flat_map(|(_, year)| year.values())
    }

    /// Every receipt, taken, a year at a time.
    pub fn into_by_year(self) -> impl Iterator<Item = ReceiptView> {
        self.years
            .into_values()
            .flat_map(|year| Arc::unwrap_or_clone(year).into_values())
    }

    /// Every receipt, a year at a time: for a pass whose answer does not depend on the order
    /// (a sum, a set), cheaper than [`Receipts::values`], which merges the years.
    pub fn by_year(&self) -> impl Iterator<Item = &ReceiptView> {
        self.years.values().flat_map(|year| year.values())
    }
}

/// Built from entries in any order, a year's map in one go where they come in id order (a
/// snapshot's are): `BTreeMap::from_iter` sorts, then builds without searching once per entry.
/// An id twice in a year keeps its last entry, as inserting would.
impl FromIterator<(ReceiptId, ReceiptView)> for Receipts {
    fn from_iter<I: IntoIterator<Item = (ReceiptId, ReceiptView)>>(entries: I) -> Receipts {
        let mut by_year: BTreeMap<FiscalYear, Vec<(ReceiptId, ReceiptView)>> = BTreeMap::new();
        for (id, receipt) in entries {
            by_year
                .entry(receipt.fiscal_year)
                .or_default()
                .push((id, receipt));
        }
        let years: BTreeMap<FiscalYear, Arc<Year>> = by_year
            .into_iter()
            .map(|(year, entries)| (year, Arc::new(entries.into_iter().collect())))
            .collect();
        let len = years.values().map(|year| year.len()).sum();
        // Under the keys the receipts are held by, as `insert` keeps it.
        let restricted = years
            .iter()
            .flat_map(|(year, held)| held.iter().map(move |(id, r)| (year, id, r)))
            .filter(|(_, _, r)| r.restricted)
            .map(|(year, id, _)| (*year, id.clone()))
            .collect();
        Receipts {
            years,
            restricted,
            len,
        }
    }
}

/// The receipts of several years merged into id order. Ids are mostly recorded in runs (a year's,
/// a batch's), so the year holding the next id is usually the one that held the last: it is
/// compared with the others' smallest alone, and the others wait in a heap.
pub struct ById<'a> {
    /// The year that held the last id, when its next id is still the smallest.
    current: Option<Head<'a>>,
    rest: BinaryHeap<Head<'a>>,
}

struct Head<'a> {
    id: &'a ReceiptId,
    receipt: &'a ReceiptView,
    following: btree_map::Range<'a, ReceiptId, ReceiptView>,
}

impl<'a> Head<'a> {
    fn first(mut range: btree_map::Range<'a, ReceiptId, ReceiptView>) -> Option<Head<'a>> {
        let (id, receipt) = range.next()?;
        Some(Head {
            id,
            receipt,
            following: range,
        })
    }
}

/// The heap is a max-heap: the smallest id (then the earliest year) ranks highest.
impl Ord for Head<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.id, other.receipt.fiscal_year).cmp(&(self.id, self.receipt.fiscal_year))
    }
}

impl PartialOrd for Head<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head<'_> {}

impl<'a> ById<'a> {
    fn new(years: impl Iterator<Item = btree_map::Range<'a, ReceiptId, ReceiptView>>) -> ById<'a> {
        ById {
            current: None,
            rest: years.filter_map(Head::first).collect(),
        }
    }
}

impl<'a> Iterator for ById<'a> {
    type Item = (&'a ReceiptId, &'a ReceiptView);

    fn next(&mut self) -> Option<Self::Item> {
        let mut head = match self.current.take() {
            Some(head) => head,
            None => self.rest.pop()?,
        };
        let item = (head.id, head.receipt);
        if let Some((id, receipt)) = head.following.next() {
            head.id = id;
            head.receipt = receipt;
            if self.rest.peek().is_some_and(|other| *other > head) {
                self.rest.push(head);
            } else {
                self.current = Some(head);
            }
        }
        Some(item)
    }
}

/// Written as one map from id to receipt, in id order: the shape every reader of a state has
/// always had (the JSON of `/api/state`, a snapshot's body).
impl Serialize for Receipts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.len))?;
        for (id, receipt) in self.iter() {
            map.serialize_entry(id, receipt)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Receipts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Receipts, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Receipts;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of receipts by id")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Receipts, A::Error> {
                // The size a decoder announces is not trusted beyond a bound.
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(entry) = map.next_entry::<ReceiptId, ReceiptView>()? {
                    entries.push(entry);
                }
                Ok(entries.into_iter().collect())
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funds::{FundKind, Payer};
    use crate::money::Yen;
    use crate::Date;

    fn receipt(id: &str, year: i32) -> ReceiptView {
        ReceiptView {
            id: ReceiptId::new(id).unwrap(),
            kind: FundKind::Donation,
            payer: Payer::Anonymous,
            amount: Yen::new(1_000),
            fiscal_year: FiscalYear::new(year).unwrap(),
            program: None,
            restricted: false,
            on: Date::from_ymd(year, 6, 1).unwrap(),
            position: 1,
            spent: Vec::new(),
        }
    }

    /// Ids interleaved across years, in runs and alone, as a real ledger's are.
    fn mixed() -> (Receipts, BTreeMap<ReceiptId, ReceiptView>) {
        let mut held = Receipts::new();
        let mut plain = BTreeMap::new();
        let mut seed = 7u64;
        for i in 0..2_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let year = 2000 + (seed >> 33) as i32 % 25;
            // Runs of one year (a batch) and single ids of any year.
            let id = if i % 3 == 0 {
                format!("r-{year}-{i:05}")
            } else {
                format!("r-{:05}", seed % 100_000)
            };
            let r = receipt(&id, year);
            if plain.contains_key(&r.id) {
                continue; // ids are unique in a ledger
            }
            plain.insert(r.id.clone(), r.clone());
            assert!(held.insert(r).is_none());
        }
        (held, plain)
    }

    #[test]
    fn a_copy_shares_the_years_until_either_side_writes() {
        let (original, _) = mixed();
        let mut copy = original.clone();
        let year = FiscalYear::new(2010).unwrap();
        assert!(
            Arc::ptr_eq(&original.years[&year], &copy.years[&year]),
            "shared, not copied"
        );
        let mut gift = receipt("r-new", 2010);
        gift.restricted = true;
        copy.insert(gift.clone());
        let spending = Spending {
            fiscal_year: year,
            amount: Yen::new(400),
            position: 9,
        };
        assert!(copy.record_spending(&gift.id, spending.clone()));
        assert_eq!(copy.len(), original.len() + 1);
        assert!(
            original.get(&gift.id).is_none(),
            "the original does not see the copy's receipt"
        );
        assert_eq!(copy.get(&gift.id).map(|r| r.spent.clone()), Some(vec![spending]));
        assert_eq!(original.restricted().count(), 0);
        assert_eq!(copy.restricted().count(), 1);
        // Another year, untouched, is still the same allocation on both sides.
        let other = FiscalYear::new(2011).unwrap();
        assert!(Arc::ptr_eq(&original.years[&other], &copy.years[&other]));
        assert!(!Arc::ptr_eq(&original.years[&year], &copy.years[&year]));
    }

    #[test]
    fn read_in_id_order_they_are_the_map_they_would_have_been() {
        let (held, plain) = mixed();
        assert_eq!(held.len(), plain.len());
        assert!(held.iter().map(|(id, _)| id).eq(plain.keys()));
        assert!(held.values().eq(plain.values()));
        let after = plain.keys().nth(700).unwrap();
        assert!(held.after(Some(after)).map(|(id, _)| id).eq(plain
            .range::<ReceiptId, _>((Bound::Excluded(after), Bound::Unbounded))
            .map(|(id, _)| id)));
    }

    #[test]
    fn a_year_and_a_range_of_years_read_those_years_alone() {
        let (held, plain) = mixed();
        let y = |y| FiscalYear::new(y).unwrap();
        let of_2010: Vec<_> = plain.values().filter(|r| r.fiscal_year == y(2010)).collect();
        assert!(!of_2010.is_empty());
        assert!(held.of_year(y(2010)).eq(of_2010.iter().copied()));
        let span = held.in_years(y(2005), y(2009)).count();
        let want = plain
            .values()
            .filter(|r| (y(2005)..=y(2009)).contains(&r.fiscal_year))
            .count();
        assert_eq!(span, want);
        assert_eq!(held.in_years(y(2009), y(2005)).count(), 0);
        assert_eq!(held.by_year().count(), plain.len());
        for r in plain.values() {
            assert_eq!(held.get(&r.id), Some(r));
        }
    }

    #[test]
    fn the_restricted_are_found_without_reading_the_rest_and_stay_true_when_replaced() {
        let mut held = Receipts::new();
        let mut grant = receipt("g", 2012);
        grant.restricted = true;
        let mut early = receipt("e", 2003);
        early.restricted = true;
        held.insert(grant.clone());
        held.insert(receipt("plain", 2012));
        held.insert(early.clone());
        assert!(held.restricted().eq([&early, &grant]));
        // The same id in the same year again (a ledger edited behind the rules' back): it
        // replaces the first, and the index follows.
        assert_eq!(held.insert(receipt("g", 2012)), Some(grant));
        assert!(held.restricted().eq([&early]));
        assert_eq!(held.len(), 3);
        let spending = Spending {
            fiscal_year: FiscalYear::new(2004).unwrap(),
            amount: Yen::new(10),
            position: 9,
        };
        assert!(held.record_spending(&early.id, spending.clone()));
        assert!(!held.record_spending(&ReceiptId::new("none").unwrap(), spending.clone()));
        assert_eq!(held.get(&early.id).unwrap().spent, vec![spending]);
        let rebuilt: Receipts = held.iter().map(|(id, r)| (id.clone(), r.clone())).collect();
        assert_eq!(rebuilt, held);
    }

    #[test]
    fn entries_in_any_order_give_what_inserting_would() {
        let (a, b) = (receipt("a", 2010), receipt("b", 2011));
        let mut later_a = receipt("a", 2010);
        later_a.amount = Yen::new(5);
        let held: Receipts = [b.clone(), a, later_a.clone()]
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        assert_eq!(held.len(), 2);
        assert!(held.values().eq([&later_a, &b]));
    }

    #[test]
    fn written_and_read_back_they_are_the_same_and_written_as_one_map() {
        let (held, plain) = mixed();
        let json = serde_json::to_string(&held).unwrap();
        assert_eq!(json, serde_json::to_string(&plain).unwrap());
        let back: Receipts = serde_json::from_str(&json).unwrap();
        assert_eq!(back, held);
        let bytes = postcard::to_allocvec(&held).unwrap();
        assert_eq!(bytes, postcard::to_allocvec(&plain).unwrap());
        assert_eq!(postcard::from_bytes::<Receipts>(&bytes).unwrap(), held);
    }
}
