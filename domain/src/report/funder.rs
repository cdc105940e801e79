//! The statement a reporter sends one funder: everything the NPO received from it and every
//! contract it commissioned, over a range of fiscal years, under the name the funder had in
//! each year (a department renamed in 2014 is 静岡県民生部障害者プラン推進室 in 2013 and
//! 静岡県健康福祉部障害者支援局障害者政策課 in 2014), and, for its restricted money, what was
//! spent in each year and what is left (前受助成金 for grants and subsidies).

use crate::fiscal_year::FiscalYear;
use crate::funds::{FundKind, Payer};
use crate::ids::{PartnerId, ProgramId, ReceiptId};
use crate::money::Yen;
use crate::projection::{LedgerState, ReceiptView};
use crate::report::revenue::unspent_at_end_of;
use serde::Serialize;

/// The most fiscal years one statement covers.
pub const MAX_YEARS: i32 = 50;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("no partner {0} is recorded")]
    UnknownPartner(PartnerId),
    #[error("the range {from}–{to} ends before it starts")]
    BackwardRange { from: FiscalYear, to: FiscalYear },
    #[error("the range {from}–{to} spans {years} fiscal years; a statement covers at most {max}")]
    TooLong {
        from: FiscalYear,
        to: FiscalYear,
        years: i32,
        max: i32,
    },
    #[error("{0} overflows a yen amount")]
    Overflow(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunderStatement {
    pub partner: PartnerId,
    pub from: FiscalYear,
    pub to: FiscalYear,
    /// The funder's name in each fiscal year of the range.
    pub names: Vec<YearName>,
    pub receipts: Vec<ReceivedLine>,
    pub received_total: Yen,
    pub contracts: Vec<ContractLine>,
    /// Its restricted money, year by year.
    pub restricted: Vec<RestrictedYear>,
    /// What is left of its restricted money at the end of the range.
    pub restricted_balance: Yen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearName {
    pub fiscal_year: FiscalYear,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceivedLine {
    pub receipt: ReceiptId,
    pub fiscal_year: FiscalYear,
    pub on: crate::date::Date,
    pub kind: FundKind,
    pub amount: Yen,
    pub restricted: bool,
    pub program: Option<ProgramId>,
    pub program_name: Option<String>,
    /// The funder's name when the money came.
    pub funder_name: String,
    pub position: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractLine {
    pub program: ProgramId,
    pub program_name: String,
    pub fiscal_year: FiscalYear,
    pub scheme: Option<String>,
    pub amount: Option<Yen>,
    /// Commissioned jointly with these others.
    pub with: Vec<PartnerId>,
    pub funder_name: String,
    pub position: u64,
}

/// A year of the funder's restricted money: what was left at its start, received and spent in
/// it, and left at its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestrictedYear {
    pub fiscal_year: FiscalYear,
    pub opening: Yen,
    pub received: Yen,
    pub spent: Yen,
    pub closing: Yen,
    /// The receipts and spendings behind the year's figures.
    pub positions: Vec<u64>,
}

fn add(a: Yen, b: Yen, figure: &'static str) -> Result<Yen, StatementError> {
    a.checked_add(b).map_err(|_| StatementError::Overflow(figure))
}

/// The statement for `partner` over `from`–`to`; without a range, from the first to the last
/// fiscal year with money or a contract from it (the current one when there is none).
pub fn funder_statement(
    state: &LedgerState,
    partner: &PartnerId,
    from: Option<FiscalYear>,
    to: Option<FiscalYear>,
) -> Result<FunderStatement, StatementError> {
    let funder = state
        .partners
        .get(partner)
        .ok_or_else(|| StatementError::UnknownPartner(partner.clone()))?;
    let from_it = |r: &&ReceiptView| matches!(&r.payer, Payer::Partner(p) if p == partner);
    let theirs: Vec<&ReceiptView> = state.receipts.values().filter(from_it).collect();
    let commissioned = state.programs.values().flat_map(|p| {
        p.contracts
            .iter()
            .filter(|c| c.commissioners.contains(partner))
            .map(move |c| (p, c))
    });
    let commissioned: Vec<_> = commissioned.collect();
    let years = theirs
        .iter()
        .map(|r| r.fiscal_year)
        .chain(theirs.iter().flat_map(|r| r.spent.iter().map(|s| s.fiscal_year)))
        .chain(commissioned.iter().map(|(_, c)| c.fiscal_year));
    let (first, last) = years.fold(
        (None, None),
        |(lo, hi): (Option<FiscalYear>, Option<FiscalYear>), y| {
            (Some(lo.map_or(y, |l| l.min(y))), Some(hi.map_or(y, |h| h.max(y))))
        },
    );
    let fallback = FiscalYear::containing(funder.registered_on);
    let from = from.or(first).unwrap_or(fallback);
    let to = to.or(last).unwrap_or(from.max(fallback));
    if to < from {
        return Err(StatementError::BackwardRange { from, to });
    }
    let span = to.year() - from.year() + 1;
    if span > MAX_YEARS {
        return Err(StatementError::TooLong {
            from,
            to,
            years: span,
            max: MAX_YEARS,
        });
    }
    let in_range = |y: FiscalYear| (from..=to).contains(&y);
    let name_in = |y: FiscalYear| funder.name_on(y.first_day()).to_owned();
    let program_name = |p: &ProgramId| state.programs.get(p).map(|p| p.name.clone());

    let mut receipts: Vec<ReceivedLine> = theirs
        .iter()
        .filter(|r| in_range(r.fiscal_year))
        .map(|r| ReceivedLine {
            receipt: r.id.clone(),
            fiscal_year: r.fiscal_year,
            on: r.on,
            kind: r.kind,
            amount: r.amount,
            restricted: r.restricted,
            program: r.program.clone(),
            program_name: r.program.as_ref().and_then(program_name),
            funder_name: name_in(r.fiscal_year),
            position: r.position,
        })
        .collect();
    receipts.sort_by_key(|r| (r.fiscal_year, r.on, r.position));
    let received_total = receipts
        .iter()
        .try_fold(Yen::ZERO, |sum, r| add(sum, r.amount, "the total received"))?;

    let mut contracts: Vec<ContractLine> = commissioned
        .iter()
        .filter(|(_, c)| in_range(c.fiscal_year))
        .map(|(p, c)| ContractLine {
            program: p.id.clone(),
            program_name: p.name.clone(),
            fiscal_year: c.fiscal_year,
            scheme: c.scheme.clone(),
            amount: c.amount,
            with: c
                .commissioners
                .iter()
                .filter(|id| *id != partner)
                .cloned()
                .collect(),
            funder_name: name_in(c.fiscal_year),
            position: c.position,
        })
        .collect();
    contracts.sort_by_key(|c| (c.fiscal_year, c.position));

    let restricted_receipts: Vec<&&ReceiptView> = theirs.iter().filter(|r| r.restricted).collect();
    let mut restricted = Vec::new();
    for y in from.year()..=to.year() {
        let fy = FiscalYear::new(y).expect("between two valid fiscal years");
        let mut year = RestrictedYear {
            fiscal_year: fy,
            opening: Yen::ZERO,
            received: Yen::ZERO,
            spent: Yen::ZERO,
            closing: Yen::ZERO,
            positions: Vec::new(),
        };
        for r in &restricted_receipts {
            if let Some(before) = fy.previous() {
                year.opening = add(year.opening, unspent_at_end_of(r, before), "an opening balance")?;
            }
            if r.fiscal_year == fy {
                year.received = add(year.received, r.amount, "restricted money received")?;
                year.positions.push(r.position);
            }
            for s in r.spent.iter().filter(|s| s.fiscal_year == fy) {
                year.spent = add(year.spent, s.amount, "restricted money spent")?;
                year.positions.push(s.position);
            }
            year.closing = add(year.closing, unspent_at_end_of(r, fy), "a closing balance")?;
        }
        year.positions.sort_unstable();
        // Every year of the range once the funder gave restricted money: a year without
        // movement still shows the balance carried through it.
        if !restricted_receipts.is_empty() {
            restricted.push(year);
        }
    }
    let restricted_balance = restricted.last().map_or(Yen::ZERO, |y| y.closing);
    Ok(FunderStatement {
        partner: partner.clone(),
        from,
        to,
        names: (from.year()..=to.year())
            .filter_map(|y| FiscalYear::new(y).ok())
            .map(|fiscal_year| YearName {
                fiscal_year,
                name: name_in(fiscal_year),
            })
            .collect(),
        receipts,
        received_total,
        contracts,
        restricted,
        restricted_balance,
    })
}

impl FunderStatement {
    /// The statement as tables for CSV and workbooks: what was received, the contracts, and
    /// the restricted money by year. Each starts with its header row.
    pub fn tables(&self) -> [(&'static str, Vec<Vec<String>>); 3] {
        let program = |p: &Option<ProgramId>, name: &Option<String>| match (p, name) {
            (_, Some(name)) => name.clone(),
            (Some(p), None) => p.to_string(),
            (None, None) => String::new(),
        };
        let mut received = vec![[
            "年度",
            "受領日",
            "収入ID",
            "種別",
            "金額（円）",
            "使途制約",
            "事業",
            "財源名（当時）",
            "根拠イベント位置",
        ]
        .map(String::from)
        .to_vec()];
        for r in &self.receipts {
            received.push(vec![
                r.fiscal_year.year().to_string(),
                r.on.to_string(),
                r.receipt.to_string(),
                r.kind.ja().to_owned(),
                r.amount.value().to_string(),
                if r.restricted { "あり" } else { "なし" }.to_owned(),
                program(&r.program, &r.program_name),
                r.funder_name.clone(),
                r.position.to_string(),
            ]);
        }
        let mut contracts = vec![[
            "年度",
            "事業",
            "事業枠",
            "契約額（円）",
            "共同委託元",
            "委託元名（当時）",
            "根拠イベント位置",
        ]
        .map(String::from)
        .to_vec()];
        for c in &self.contracts {
            contracts.push(vec![
                c.fiscal_year.year().to_string(),
                c.program_name.clone(),
                c.scheme.clone().unwrap_or_default(),
                c.amount.map(|a| a.value().to_string()).unwrap_or_default(),
                c.with
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("・"),
                c.funder_name.clone(),
                c.position.to_string(),
            ]);
        }
        let mut restricted = vec![[
            "年度",
            "期首残高（円）",
            "当期受入（円）",
            "当期使用（円）",
            "期末残高（円）",
            "根拠イベント位置",
        ]
        .map(String::from)
        .to_vec()];
        for y in &self.restricted {
            restricted.push(vec![
                y.fiscal_year.year().to_string(),
                y.opening.value().to_string(),
                y.received.value().to_string(),
                y.spent.value().to_string(),
                y.closing.value().to_string(),
                y.positions
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            ]);
        }
        [
            ("受領明細", received),
            ("委託契約", contracts),
            ("使途制約付き財源", restricted),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::date::Date;
    use crate::events::Fact;
    use crate::partner::PartnerKind;

    fn day(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd(y, m, d).unwrap()
    }

    fn year(y: i32) -> FiscalYear {
        FiscalYear::new(y).unwrap()
    }

    fn record(on: Date, fact: Fact) -> Command {
        Command::Record { on, fact, note: None }
    }

    /// The demo, and a foundation renamed in FY2015 that gave a restricted grant of ¥600,000
    /// in FY2014 (¥250,000 spent that year, ¥200,000 the next) and a donation of ¥50,000 in
    /// FY2015.
    fn state() -> LedgerState {
        let mirai = PartnerId::new("mirai").unwrap();
        let grant = ReceiptId::new("g-mirai").unwrap();
        crate::demo::state_with(vec![
            record(
                day(2014, 4, 1),
                Fact::PartnerRegistered {
                    partner: mirai.clone(),
                    name: "みらい財団".into(),
                    kind: PartnerKind::Foundation,
                    parent: None,
                },
            ),
            record(
                day(2014, 6, 1),
                Fact::FundsReceived {
                    receipt: grant.clone(),
                    kind: FundKind::Grant,
                    payer: Payer::Partner(mirai.clone()),
                    amount: Yen::new(600_000),
                    fiscal_year: year(2014),
                    program: Some(ProgramId::new("job-coach").unwrap()),
                    restricted: true,
                },
            ),
            record(
                day(2015, 3, 1),
                Fact::FundsSpent {
                    receipt: grant.clone(),
                    fiscal_year: year(2014),
                    amount: Yen::new(250_000),
                },
            ),
            record(
                day(2015, 4, 1),
                Fact::PartnerRenamed {
                    partner: mirai.clone(),
                    name: "みらい未来財団".into(),
                },
            ),
            record(
                day(2015, 7, 1),
                Fact::FundsReceived {
                    receipt: ReceiptId::new("d-mirai").unwrap(),
                    kind: FundKind::Donation,
                    payer: Payer::Partner(mirai.clone()),
                    amount: Yen::new(50_000),
                    fiscal_year: year(2015),
                    program: None,
                    restricted: false,
                },
            ),
            record(
                day(2016, 3, 1),
                Fact::FundsSpent {
                    receipt: grant,
                    fiscal_year: year(2015),
                    amount: Yen::new(200_000),
                },
            ),
        ])
    }

    #[test]
    fn a_foundations_statement_names_it_as_it_was_each_year_and_carries_its_restricted_grant() {
        let s = funder_statement(&state(), &PartnerId::new("mirai").unwrap(), None, None).unwrap();
        assert_eq!(
            (s.from, s.to),
            (year(2014), year(2015)),
            "the years with its money"
        );
        let names: Vec<&str> = s.names.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["みらい財団", "みらい未来財団"]);
        let received: Vec<(&str, i64, &str)> = s
            .receipts
            .iter()
            .map(|r| (r.receipt.as_str(), r.amount.value(), r.funder_name.as_str()))
            .collect();
        assert_eq!(
            received,
            [
                ("g-mirai", 600_000, "みらい財団"),
                ("d-mirai", 50_000, "みらい未来財団")
            ]
        );
        assert_eq!(s.received_total, Yen::new(650_000));
        assert_eq!(
            s.receipts[0].program_name.as_deref(),
            Some("ジョブコーチ派遣事業")
        );
        assert!(s.contracts.is_empty());
        let by_year: Vec<[i64; 4]> = s
            .restricted
            .iter()
            .map(|y| [y.opening, y.received, y.spent, y.closing].map(Yen::value))
            .collect();
        // 2014: 600,000 in, 250,000 spent, 350,000 left; 2015: 200,000 spent, 150,000 left.
        assert_eq!(
            by_year,
            [[0, 600_000, 250_000, 350_000], [350_000, 0, 200_000, 150_000]]
        );
        assert_eq!(s.restricted_balance, Yen::new(150_000));
        let tables = s.tables();
        assert_eq!(tables[0].1.len(), 3, "a header and two receipts");
        assert_eq!(tables[2].1[2][4], "150000");
    }

    #[test]
    fn a_departments_statement_lists_its_contracts_under_its_name_of_each_year() {
        let state = state();
        let plan = PartnerId::new("shizuoka-disability-plan").unwrap();
        let s = funder_statement(&state, &plan, Some(year(2013)), Some(year(2014))).unwrap();
        let contracts: Vec<(i32, &str, &str)> = s
            .contracts
            .iter()
            .map(|c| (c.fiscal_year.year(), c.program.as_str(), c.funder_name.as_str()))
            .collect();
        let old = "静岡県民生部障害者プラン推進室";
        let new = "静岡県健康福祉部障害者支援局障害者政策課";
        assert_eq!(
            contracts,
            [
                (2013, "pocket-kobo", old),
                (2013, "multimedia-centre", old),
                (2013, "home-pc-training", old),
                (2014, "multimedia-centre", new),
                (2014, "home-pc-training", new),
            ]
        );
        assert!(s.receipts.is_empty() && s.restricted.is_empty());
        let whole = funder_statement(&state, &plan, None, None).unwrap();
        assert_eq!((whole.from, whole.to), (year(2001), year(2014)));
        assert_eq!(whole.contracts.len(), 46, "5 + 8 + 14 + 12 + 7 contracts");
    }

    #[test]
    fn an_unknown_partner_or_a_backward_range_is_refused() {
        let state = state();
        let nobody = PartnerId::new("nobody").unwrap();
        assert_eq!(
            funder_statement(&state, &nobody, None, None),
            Err(StatementError::UnknownPartner(nobody))
        );
        let mirai = PartnerId::new("mirai").unwrap();
        assert_eq!(
            funder_statement(&state, &mirai, Some(year(2015)), Some(year(2014))),
            Err(StatementError::BackwardRange {
                from: year(2015),
                to: year(2014)
            })
        );
        assert!(matches!(
            funder_statement(&state, &mirai, Some(year(1900)), Some(year(2015))),
            Err(StatementError::TooLong { .. })
        ));
    }
}
