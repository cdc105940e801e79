//! The funding summary for a fiscal year or a range of years: revenue by 活動計算書 category,
//! by funder, pillar, beneficiary group and program; the restricted-funds table
//! (使途等が制約された寄付等の内訳); contracts per commissioner. Every line lists the positions of
//! the events it was computed from.

use super::revenue::{self, unspent_at_end_of, Recognised};
use crate::fiscal_year::FiscalYear;
use crate::funds::{Payer, RevenueCategory};
use crate::ids::{DonorId, PartnerId, ProgramId};
use crate::money::{MoneyError, Yen};
use crate::program::{Beneficiary, Pillar};
use crate::projection::{LedgerState, ReceiptView};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("the range ends ({to}) before it starts ({from})")]
    BackwardRange { from: FiscalYear, to: FiscalYear },
    #[error("a report covers at most {max} fiscal years; {from}–{to} is {years}")]
    TooLong {
        from: FiscalYear,
        to: FiscalYear,
        years: i32,
        max: i32,
    },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl ReportError {
    /// The message in Japanese (Display gives the English).
    pub fn ja(&self) -> String {
        match self {
            ReportError::BackwardRange { from, to } => {
                format!(
                    "期間の終わり（{}）が始まり（{}）より前です",
                    to.seireki(),
                    from.seireki()
                )
            }
            ReportError::TooLong { from, to, years, max } => format!(
                "報告の期間は最長{max}年度です。{}から{}までは{years}年度あります",
                from.seireki(),
                to.seireki()
            ),
            ReportError::Money(e) => format!("金額の計算ができません: {e}"),
        }
    }
}

/// The longest range a funding summary covers.
pub const MAX_YEARS: i32 = 50;

/// One figure and the events behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Line {
    /// A stable key: a category, funder, pillar, beneficiary group or program id.
    pub key: String,
    /// What a person reads (Japanese).
    pub label: String,
    pub amount: Yen,
    pub positions: Vec<u64>,
}

/// A row of 使途等が制約された寄付等の内訳.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestrictedLine {
    pub key: String,
    pub label: String,
    /// 期首残高
    pub opening: Yen,
    /// 当期増加額 (received in the year)
    pub increase: Yen,
    /// 当期減少額 (spent in the year)
    pub decrease: Yen,
    /// 期末残高
    pub closing: Yen,
    pub positions: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearFunding {
    pub fiscal_year: FiscalYear,
    /// 2013年度（平成25年度）
    pub label: String,
    pub total: Yen,
    pub by_category: Vec<Line>,
    pub by_funder: Vec<Line>,
    pub by_pillar: Vec<Line>,
    /// Money for a program that serves several groups counts under each of them.
    pub by_beneficiary: Vec<Line>,
    pub by_program: Vec<Line>,
    /// 前受助成金: restricted grants and subsidies received but not yet spent at year end.
    pub carried_forward: Yen,
    pub restricted: Vec<RestrictedLine>,
}

/// Contracts a commissioner gave over the range (the seed's history has no amounts; this still
/// says something true about it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionerLine {
    pub key: String,
    /// Its names in the range's years, oldest first, without repeats (a rename shows as two).
    pub names: Vec<String>,
    pub contracts: u32,
    /// Distinct fiscal years with at least one contract.
    pub fiscal_years: u32,
    pub positions: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundingSummary {
    pub from: FiscalYear,
    pub to: FiscalYear,
    /// Funders merged into others are reported under their current successor.
    pub by_successor: bool,
    /// The rules the figures follow, stated for the reader.
    pub rules: Vec<String>,
    pub total: Yen,
    pub years: Vec<YearFunding>,
    pub commissioners: Vec<CommissionerLine>,
}

/// What a figure is summed under: the thing itself while summing, so no text is made per
/// receipt (a year of a large ledger is 100,000 of them), and its stable key once per line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key<'a> {
    Category(RevenueCategory),
    Pillar(Pillar),
    Beneficiary(Beneficiary),
    Program(&'a ProgramId),
    Partner(PartnerId),
    Donor(&'a DonorId),
    Text(&'static str),
}

impl Key<'_> {
    fn text(&self) -> String {
        match self {
            Key::Category(c) => format!("{c:?}"),
            Key::Pillar(p) => format!("{p:?}"),
            Key::Beneficiary(b) => format!("{b:?}"),
            Key::Program(id) => id.as_str().to_owned(),
            // Joined, not formatted: a year of a large ledger has tens of thousands of donors.
            Key::Partner(id) => ["partner:", id.as_str()].concat(),
            Key::Donor(id) => ["donor:", id.as_str()].concat(),
            Key::Text(t) => (*t).to_owned(),
        }
    }
}

/// Sums amounts under keys, keeping the first label seen and every position. Hashed, not
/// ordered: a year's donations sum under thousands of donors, and an ordered map's string
/// comparisons were a third of a report's time; the lines are put in order once, at the end.
#[derive(Default)]
struct Tally<'a>(crate::FastMap<Key<'a>, (String, Yen, Vec<u64>)>);

impl<'a> Tally<'a> {
    fn add(
        &mut self,
        key: Key<'a>,
        label: impl FnOnce(&Key<'a>) -> String,
        amount: Yen,
        position: u64,
    ) -> Result<(), MoneyError> {
        let entry = self
            .0
            .entry(key)
            .or_insert_with_key(|key| (label(key), Yen::ZERO, Vec::new()));
        entry.1 = entry.1.checked_add(amount)?;
        entry.2.push(position);
        Ok(())
    }

    /// The lines in the order of their keys' text (two keys of the same text, which ids
    /// allow, in the keys' own order, so the order never depends on the hashing).
    fn lines(self) -> Vec<Line> {
        let mut lines: Vec<(Key<'a>, Line)> = self
            .0
            .into_iter()
            .map(|(key, (label, amount, mut positions))| {
                positions.sort_unstable();
                let line = Line {
                    key: key.text(),
                    label,
                    amount,
                    positions,
                };
                (key, line)
            })
            .collect();
        lines.sort_by(|(a, x), (b, y)| x.key.cmp(&y.key).then_with(|| a.cmp(b)));
        lines.into_iter().map(|(_, line)| line).collect()
    }
}

fn year_label(fy: FiscalYear) -> String {
    format!("{}（{}）", fy.seireki(), fy.wareki())
}

/// Whom money is summed under: merged partners under their successor on request.
fn funder<'a>(state: &LedgerState, payer: &'a Payer, by_successor: bool) -> Key<'a> {
    match payer {
        Payer::Partner(id) if by_successor => Key::Partner(successor(state, id)),
        Payer::Partner(id) => Key::Partner(id.clone()),
        Payer::Donor(id) => Key::Donor(id),
        Payer::Anonymous => Key::Text("anonymous"),
    }
}

/// The funder's name in `year` (its current name when summed under successors).
fn funder_label(state: &LedgerState, funder: &Key<'_>, year: FiscalYear, by_successor: bool) -> String {
    match funder {
        Key::Partner(id) => match state.partners.get(id) {
            Some(p) if by_successor => p.current_name().to_owned(),
            Some(p) => p.name_on(year.first_day()).to_owned(),
            None => id.to_string(),
        },
        Key::Donor(id) => format!("寄付者 {id}"),
        _ => "匿名の寄付者".into(),
    }
}

/// Follows mergers to the partner that stands today (a cycle, which the rules prevent, stops).
fn successor(state: &LedgerState, id: &PartnerId) -> PartnerId {
    let mut current = id.clone();
    for _ in 0..state.partners.len() {
        match state.partners.get(&current).and_then(|p| p.merged_into.as_ref()) {
            Some(m) => current = m.successor.clone(),
            None => break,
        }
    }
    current
}

pub fn funding_summary(
    state: &LedgerState,
    from: FiscalYear,
    to: FiscalYear,
    by_successor: bool,
) -> Result<FundingSummary, ReportError> {
    if to < from {
        return Err(ReportError::BackwardRange { from, to });
    }
    let years = to.year() - from.year() + 1;
    if years > MAX_YEARS {
        return Err(ReportError::TooLong {
            from,
            to,
            years,
            max: MAX_YEARS,
        });
    }
    // Each year's figures summed as the one pass over the receipts meets them, which also
    // finds the restricted receipts up to the range's end for every year's table.
    let mut tallies: Vec<YearTallies> = (from.year()..=to.year())
        .map(|y| YearTallies::new(FiscalYear::new(y).expect("within the range of valid years")))
        .collect();
    let restricted = revenue::for_each_recognised(state, from, to, |r| {
        let year = usize::try_from(r.fiscal_year.year() - from.year()).ok();
        match year.and_then(|i| tallies.get_mut(i)) {
            Some(tally) => tally.add(state, &r, by_successor),
            None => Ok(()), // recognised within the range, so never here
        }
    })?;
    let mut out = Vec::new();
    let mut total = Yen::ZERO;
    for tally in tallies {
        let year_funding = summarise_year(state, tally, by_successor, &restricted)?;
        total = total.checked_add(year_funding.total)?;
        out.push(year_funding);
    }
    // The report states its rules in both languages (the first two) and its choices in
    // Japanese; a page shows `rules_ja` or `rules_en` in its own language.
    let mut rules = vec![revenue::RULE_JA.to_owned(), revenue::RULE_EN.to_owned()];
    rules.extend(rules_ja(by_successor).into_iter().skip(1).map(str::to_owned));
    Ok(FundingSummary {
        from,
        to,
        by_successor,
        rules,
        total,
        years: out,
        commissioners: commissioners(state, from, to),
    })
}

/// The rules a funding summary follows, in Japanese: recognition, commissions, and how funders
/// are named.
pub fn rules_ja(by_successor: bool) -> [&'static str; 3] {
    [
        revenue::RULE_JA,
        "委託料は活動計算書上「事業収益」であり、受取助成金等ではない。",
        if by_successor {
            "統合・改組された相手先は、現在の後継組織の名称で合算している。"
        } else {
            "相手先は各年度時点の名称で表示している。"
        },
    ]
}

/// The same rules in English.
pub fn rules_en(by_successor: bool) -> [&'static str; 3] {
    [
        revenue::RULE_EN,
        "A commission fee is program revenue (事業収益) in the 活動計算書, not a grant.",
        if by_successor {
            "Merged or reorganised funders are summed under their current successor's name."
        } else {
            "Funders are named as they were named in each fiscal year."
        },
    ]
}

/// One fiscal year's figures while the pass over the receipts sums them.
struct YearTallies<'a> {
    fy: FiscalYear,
    total: Yen,
    category: Tally<'a>,
    funders: Tally<'a>,
    pillar: Tally<'a>,
    beneficiary: Tally<'a>,
    program: Tally<'a>,
}

impl<'a> YearTallies<'a> {
    fn new(fy: FiscalYear) -> Self {
        YearTallies {
            fy,
            total: Yen::ZERO,
            category: Tally::default(),
            funders: Tally::default(),
            pillar: Tally::default(),
            beneficiary: Tally::default(),
            program: Tally::default(),
        }
    }

    /// Sums one amount recognised in the year under each heading.
    fn add(
        &mut self,
        state: &'a LedgerState,
        r: &Recognised<'a>,
        by_successor: bool,
    ) -> Result<(), ReportError> {
        let (receipt, fy) = (r.receipt, self.fy);
        self.total = self.total.checked_add(r.amount)?;
        let c = receipt.kind.category();
        self.category
            .add(Key::Category(c), |_| c.ja().to_owned(), r.amount, r.position)?;
        self.funders.add(
            funder(state, &receipt.payer, by_successor),
            |key| funder_label(state, key, fy, by_successor),
            r.amount,
            r.position,
        )?;
        let linked = receipt.program.as_ref().and_then(|p| state.programs.get(p));
        match linked {
            Some(p) => {
                self.pillar.add(
                    Key::Pillar(p.pillar),
                    |_| p.pillar.ja().to_owned(),
                    r.amount,
                    r.position,
                )?;
                for b in &p.beneficiaries {
                    self.beneficiary.add(
                        Key::Beneficiary(*b),
                        |_| b.ja().to_owned(),
                        r.amount,
                        r.position,
                    )?;
                }
                self.program
                    .add(Key::Program(&p.id), |_| p.name.clone(), r.amount, r.position)?;
            }
            None => {
                for (tally, key) in [
                    (&mut self.pillar, "Unassigned"),
                    (&mut self.beneficiary, "Unassigned"),
                    (&mut self.program, "unassigned"),
                ] {
                    tally.add(Key::Text(key), |_| "事業の指定なし".into(), r.amount, r.position)?;
                }
            }
        }
        Ok(())
    }
}

/// The year's lines. `restricted`: the restricted receipts of the year and every year before
/// (later ones may be in it).
fn summarise_year(
    state: &LedgerState,
    tallies: YearTallies<'_>,
    by_successor: bool,
    restricted: &[&ReceiptView],
) -> Result<YearFunding, ReportError> {
    let YearTallies {
        fy,
        total,
        category,
        funders,
        pillar,
        beneficiary,
        program,
    } = tallies;
    // Categories in the statement's order, even when zero, so a year reads like a 活動計算書.
    let mut by_category = category.lines();
    let order = |key: &str| {
        [
            RevenueCategory::Dues,
            RevenueCategory::Donations,
            RevenueCategory::GrantsAndSubsidies,
            RevenueCategory::ProgramRevenue,
            RevenueCategory::Other,
        ]
        .iter()
        .position(|c| format!("{c:?}") == key)
    };
    for c in [
        RevenueCategory::Dues,
        RevenueCategory::Donations,
        RevenueCategory::GrantsAndSubsidies,
        RevenueCategory::ProgramRevenue,
        RevenueCategory::Other,
    ] {
        if !by_category.iter().any(|l| l.key == format!("{c:?}")) {
            by_category.push(Line {
                key: format!("{c:?}"),
                label: c.ja().to_owned(),
                amount: Yen::ZERO,
                positions: vec![],
            });
        }
    }
    by_category.sort_by_key(|l| order(&l.key));
    let mut carried_forward = Yen::ZERO;
    for receipt in restricted.iter().filter(|r| revenue::deferred(r)) {
        carried_forward = carried_forward.checked_add(unspent_at_end_of(receipt, fy))?;
    }
    Ok(YearFunding {
        fiscal_year: fy,
        label: year_label(fy),
        total,
        by_category,
        by_funder: funders.lines(),
        by_pillar: pillar.lines(),
        by_beneficiary: beneficiary.lines(),
        by_program: program.lines(),
        carried_forward,
        restricted: restricted_table(state, fy, by_successor, restricted)?,
    })
}

/// 使途等が制約された寄付等の内訳 for one year, per funder.
fn restricted_table(
    state: &LedgerState,
    fy: FiscalYear,
    by_successor: bool,
    restricted: &[&ReceiptView],
) -> Result<Vec<RestrictedLine>, ReportError> {
    let mut rows: BTreeMap<Key, RestrictedLine> = BTreeMap::new();
    for receipt in restricted.iter().filter(|r| r.fiscal_year <= fy) {
        let row = rows
            .entry(funder(state, &receipt.payer, by_successor))
            .or_insert_with_key(|key| RestrictedLine {
                key: key.text(),
                label: funder_label(state, key, fy, by_successor),
                opening: Yen::ZERO,
                increase: Yen::ZERO,
                decrease: Yen::ZERO,
                closing: Yen::ZERO,
                positions: Vec::new(),
            });
        // A receipt of an earlier year means there is a year before this one.
        let carried = match fy.previous() {
            Some(previous) if receipt.fiscal_year < fy => Some(unspent_at_end_of(receipt, previous)),
            _ => None,
        };
        if let Some(carried) = carried {
            row.opening = row.opening.checked_add(carried)?;
        } else {
            row.increase = row.increase.checked_add(receipt.amount)?;
            row.positions.push(receipt.position);
        }
        for spending in receipt.spent.iter().filter(|s| s.fiscal_year == fy) {
            row.decrease = row.decrease.checked_add(spending.amount)?;
            row.positions.push(spending.position);
        }
        if carried.is_some_and(|c| c > Yen::ZERO) {
            row.positions.push(receipt.position);
        }
    }
    let mut lines: Vec<RestrictedLine> = Vec::new();
    for (_, mut row) in rows {
        row.closing = row.opening.checked_add(row.increase)?.checked_sub(row.decrease)?;
        if row.opening != Yen::ZERO
            || row.increase != Yen::ZERO
            || row.decrease != Yen::ZERO
            || row.closing != Yen::ZERO
        {
            row.positions.sort_unstable();
            lines.push(row);
        }
    }
    lines.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(lines)
}

fn commissioners(state: &LedgerState, from: FiscalYear, to: FiscalYear) -> Vec<CommissionerLine> {
    struct Acc {
        names: Vec<String>,
        contracts: u32,
        years: std::collections::BTreeSet<FiscalYear>,
        positions: Vec<u64>,
    }
    let mut acc: BTreeMap<PartnerId, Acc> = BTreeMap::new();
    for program in state.programs.values() {
        for contract in program
            .contracts
            .iter()
            .filter(|c| (from..=to).contains(&c.fiscal_year))
        {
            for commissioner in &contract.commissioners {
                let a = acc.entry(commissioner.clone()).or_insert_with(|| Acc {
                    names: Vec::new(),
                    contracts: 0,
                    years: Default::default(),
                    positions: Vec::new(),
                });
                a.contracts += 1;
                a.years.insert(contract.fiscal_year);
                a.positions.push(contract.position);
            }
        }
    }
    acc.into_iter()
        .map(|(id, mut a)| {
            if let Some(p) = state.partners.get(&id) {
                for fy in &a.years {
                    let name = p.name_on(fy.first_day()).to_owned();
                    if a.names.last() != Some(&name) {
                        a.names.push(name);
                    }
                }
            }
            a.positions.sort_unstable();
            CommissionerLine {
                key: format!("partner:{id}"),
                names: a.names,
                contracts: a.contracts,
                fiscal_years: a.years.len() as u32,
                positions: a.positions,
            }
        })
        .collect()
}
