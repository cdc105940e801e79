//! The revenue section of the 活動計算書 as the NPO法人会計基準 lays it out: 経常収益 in its
//! five categories (受取会費, 受取寄付金, 受取助成金等, 事業収益, その他収益), each with its
//! lines, 経常収益計, and the note (注記) 使途等が制約された寄付等の内訳 with the 前受助成金
//! carried forward. The figures are the funding summary's (one recognition rule,
//! `revenue::recognised`), split by the kind of money within each category.

use super::funding::{funding_summary, ReportError, RestrictedLine};
use super::revenue::recognised;
use crate::fiscal_year::FiscalYear;
use crate::funds::{FundKind, RevenueCategory};
use crate::money::Yen;
use crate::projection::LedgerState;
use serde::Serialize;

/// The categories in the statement's order, with the kinds of money each holds and each kind's
/// line.
const LAYOUT: [(RevenueCategory, &[(FundKind, &str)]); 5] = [
    (
        RevenueCategory::Dues,
        &[
            (FundKind::MemberDues, "正会員受取会費"),
            (FundKind::SupportingDues, "賛助会員受取会費"),
        ],
    ),
    (RevenueCategory::Donations, &[(FundKind::Donation, "受取寄付金")]),
    (
        RevenueCategory::GrantsAndSubsidies,
        &[(FundKind::Grant, "受取助成金"), (FundKind::Subsidy, "受取補助金")],
    ),
    (
        RevenueCategory::ProgramRevenue,
        &[
            (FundKind::CommissionFee, "受託事業収益（委託料）"),
            (FundKind::ServiceDues, "会費収益（対価性のあるもの）"),
            (FundKind::EarnedRevenue, "自主事業収益"),
        ],
    ),
    (RevenueCategory::Other, &[(FundKind::Other, "受取利息・雑収益")]),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityStatement {
    pub fiscal_year: FiscalYear,
    /// 2014年度（平成26年度）
    pub label: String,
    pub sections: Vec<Section>,
    /// 経常収益計
    pub total: Yen,
    /// 注記: 使途等が制約された寄付等の内訳.
    pub restricted: Vec<RestrictedLine>,
    /// 前受助成金 at the year's end.
    pub carried_forward: Yen,
}

/// One category of 経常収益 and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    /// 1 to 5, as numbered in the statement.
    pub number: u8,
    pub category: RevenueCategory,
    /// 受取会費, 受取寄付金, …
    pub title: String,
    pub lines: Vec<StatementLine>,
    pub total: Yen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementLine {
    pub kind: FundKind,
    pub title: String,
    pub amount: Yen,
    /// The receipts (or, for restricted grants, the spendings) behind the figure.
    pub positions: Vec<u64>,
}

/// The revenue section of `fy`'s 活動計算書.
pub fn activity_statement(state: &LedgerState, fy: FiscalYear) -> Result<ActivityStatement, ReportError> {
    let summary = funding_summary(state, fy, fy, false)?;
    let year = summary
        .years
        .into_iter()
        .next()
        .expect("one year asked, one year given");
    let recognised = recognised(state, fy, fy);
    let mut sections = Vec::new();
    let mut total = Yen::ZERO;
    for ((category, kinds), number) in LAYOUT.iter().zip(1u8..) {
        let mut lines = Vec::new();
        let mut section_total = Yen::ZERO;
        for (kind, title) in kinds.iter() {
            let mut amount = Yen::ZERO;
            let mut positions = Vec::new();
            for r in recognised.iter().filter(|r| r.receipt.kind == *kind) {
                amount = amount.checked_add(r.amount)?;
                positions.push(r.position);
            }
            positions.sort_unstable();
            section_total = section_total.checked_add(amount)?;
            lines.push(StatementLine {
                kind: *kind,
                title: (*title).to_owned(),
                amount,
                positions,
            });
        }
        total = total.checked_add(section_total)?;
        sections.push(Section {
            number,
            category: *category,
            title: category.ja().to_owned(),
            lines,
            total: section_total,
        });
    }
    Ok(ActivityStatement {
        fiscal_year: fy,
        label: year.label,
        sections,
        total,
        restricted: year.restricted,
        carried_forward: year.carried_forward,
    })
}

/// Display width: a Japanese character takes two columns.
fn width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// `text` padded on the right to `columns`.
fn pad(text: &str, columns: usize) -> String {
    format!("{text}{}", " ".repeat(columns.saturating_sub(width(text))))
}

impl ActivityStatement {
    /// The section as it is printed: titles on the left, amounts right-aligned, then the note.
    pub fn text(&self) -> String {
        // ¥1,450,000, right-aligned (the yen sign and digits are one column each).
        let amount = |y: Yen| format!("{:>14}", y.to_string());
        let mut out = format!("活動計算書（経常収益の部） {}\n\nⅠ 経常収益\n", self.label);
        for s in &self.sections {
            out.push_str(&format!("  {} {}\n", s.number, s.title));
            for l in &s.lines {
                out.push_str(&format!("      {}{}\n", pad(&l.title, 36), amount(l.amount)));
            }
            out.push_str(&format!(
                "    {}{}\n",
                pad(&format!("{}計", s.title), 38),
                amount(s.total)
            ));
        }
        out.push_str(&format!("  {}{}\n", pad("経常収益計", 40), amount(self.total)));
        out.push_str("\n注記 使途等が制約された寄付等の内訳\n");
        if self.restricted.is_empty() {
            out.push_str("  該当なし\n");
        } else {
            let head = |title: &str| format!("{}{title}", " ".repeat(14usize.saturating_sub(width(title))));
            out.push_str(&format!(
                "  {}{}{}{}{}\n",
                pad("内容", 30),
                head("期首残高"),
                head("当期増加額"),
                head("当期減少額"),
                head("期末残高")
            ));
            for r in &self.restricted {
                out.push_str(&format!(
                    "  {}{}{}{}{}\n",
                    pad(&r.label, 30),
                    amount(r.opening),
                    amount(r.increase),
                    amount(r.decrease),
                    amount(r.closing)
                ));
            }
        }
        // Under the note's 期末残高 column.
        out.push_str(&format!(
            "  {}{}\n",
            pad("前受助成金（年度末）", 30 + 3 * 14),
            amount(self.carried_forward)
        ));
        out
    }

    /// The statement as two tables, each with its header row: 経常収益 (a row per line, then
    /// each category's total and the whole), and the note.
    pub fn tables(&self) -> [(&'static str, Vec<Vec<String>>); 2] {
        let mut revenue = vec![["区分", "科目", "金額（円）", "根拠イベント位置"]
            .map(String::from)
            .to_vec()];
        let positions = |p: &[u64]| p.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
        for s in &self.sections {
            for l in &s.lines {
                revenue.push(vec![
                    s.title.clone(),
                    l.title.clone(),
                    l.amount.value().to_string(),
                    positions(&l.positions),
                ]);
            }
            revenue.push(vec![
                s.title.clone(),
                format!("{}計", s.title),
                s.total.value().to_string(),
                String::new(),
            ]);
        }
        revenue.push(vec![
            "経常収益".into(),
            "経常収益計".into(),
            self.total.value().to_string(),
            String::new(),
        ]);
        let mut note = vec![[
            "内容",
            "期首残高（円）",
            "当期増加額（円）",
            "当期減少額（円）",
            "期末残高（円）",
            "根拠イベント位置",
        ]
        .map(String::from)
        .to_vec()];
        for r in &self.restricted {
            note.push(vec![
                r.label.clone(),
                r.opening.value().to_string(),
                r.increase.value().to_string(),
                r.decrease.value().to_string(),
                r.closing.value().to_string(),
                positions(&r.positions),
            ]);
        }
        [("経常収益", revenue), ("使途等が制約された寄付等の内訳", note)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::date::Date;
    use crate::events::Fact;
    use crate::funds::Payer;
    use crate::ids::{PartnerId, ProgramId, ReceiptId};
    use crate::partner::PartnerKind;

    fn year(y: i32) -> FiscalYear {
        FiscalYear::new(y).unwrap()
    }

    fn record(on: (i32, u32, u32), fact: Fact) -> Command {
        Command::Record {
            on: Date::from_ymd(on.0, on.1, on.2).unwrap(),
            fact,
            note: None,
        }
    }

    fn received(
        id: &str,
        kind: FundKind,
        payer: Payer,
        amount: i64,
        program: Option<&str>,
        restricted: bool,
    ) -> Fact {
        Fact::FundsReceived {
            receipt: ReceiptId::new(id).unwrap(),
            kind,
            payer,
            amount: Yen::new(amount),
            fiscal_year: year(2014),
            program: program.map(|p| ProgramId::new(p).unwrap()),
            restricted,
        }
    }

    /// FY2014 of the demo with money of five kinds: a commission of ¥1,200,000, a restricted
    /// grant of ¥600,000 of which ¥250,000 was spent, a donation of ¥30,000, dues of ¥12,000
    /// and ¥100 of interest.
    fn state() -> LedgerState {
        let mirai = PartnerId::new("mirai").unwrap();
        let plan = PartnerId::new("shizuoka-disability-plan").unwrap();
        crate::demo::state_with(vec![
            record(
                (2014, 4, 1),
                Fact::PartnerRegistered {
                    partner: mirai.clone(),
                    name: "みらい財団".into(),
                    kind: PartnerKind::Foundation,
                    parent: None,
                },
            ),
            record(
                (2014, 5, 1),
                received(
                    "fee",
                    FundKind::CommissionFee,
                    Payer::Partner(plan),
                    1_200_000,
                    Some("multimedia-centre"),
                    false,
                ),
            ),
            record(
                (2014, 6, 1),
                received(
                    "grant",
                    FundKind::Grant,
                    Payer::Partner(mirai),
                    600_000,
                    Some("job-coach"),
                    true,
                ),
            ),
            record(
                (2014, 7, 1),
                received("gift", FundKind::Donation, Payer::Anonymous, 30_000, None, false),
            ),
            record(
                (2014, 8, 1),
                received(
                    "dues",
                    FundKind::MemberDues,
                    Payer::Anonymous,
                    12_000,
                    None,
                    false,
                ),
            ),
            record(
                (2015, 3, 31),
                received("interest", FundKind::Other, Payer::Anonymous, 100, None, false),
            ),
            record(
                (2015, 3, 1),
                Fact::FundsSpent {
                    receipt: ReceiptId::new("grant").unwrap(),
                    fiscal_year: year(2014),
                    amount: Yen::new(250_000),
                },
            ),
        ])
    }

    #[test]
    fn the_revenue_section_is_laid_out_by_category_and_kind_with_the_restricted_note() {
        let state = state();
        let s = activity_statement(&state, year(2014)).unwrap();
        let sections: Vec<(&str, i64)> = s
            .sections
            .iter()
            .map(|s| (s.title.as_str(), s.total.value()))
            .collect();
        assert_eq!(
            sections,
            [
                ("受取会費", 12_000),
                ("受取寄付金", 30_000),
                ("受取助成金等", 250_000),
                ("事業収益", 1_200_000),
                ("その他収益", 100),
            ]
        );
        assert_eq!(s.total, Yen::new(1_492_100));
        let grants = &s.sections[2].lines;
        assert_eq!(
            (grants[0].title.as_str(), grants[0].amount),
            ("受取助成金", Yen::new(250_000))
        );
        assert_eq!(grants[1].amount, Yen::ZERO, "no subsidy");
        assert_eq!(s.sections[3].lines[0].title, "受託事業収益（委託料）");
        // The note: the grant received in the year, what was spent, what is left.
        assert_eq!(s.restricted.len(), 1);
        let r = &s.restricted[0];
        assert_eq!(
            [r.opening, r.increase, r.decrease, r.closing].map(Yen::value),
            [0, 600_000, 250_000, 350_000]
        );
        assert_eq!(s.carried_forward, Yen::new(350_000));
        // The same figures as the funding summary's categories.
        let summary = funding_summary(&state, year(2014), year(2014), false).unwrap();
        for section in &s.sections {
            let line = summary.years[0]
                .by_category
                .iter()
                .find(|l| l.key == format!("{:?}", section.category))
                .unwrap();
            assert_eq!(line.amount, section.total, "{}", section.title);
        }
        let text = s.text();
        assert!(text.contains("Ⅰ 経常収益"), "{text}");
        assert!(
            text.contains("経常収益計") && text.contains("¥1,492,100"),
            "{text}"
        );
        assert!(text.contains("注記 使途等が制約された寄付等の内訳"), "{text}");
        let tables = s.tables();
        assert_eq!(tables[0].1.last().unwrap()[2], "1492100");
        assert_eq!(tables[1].1[1][4], "350000");
    }

    #[test]
    fn a_year_without_money_is_all_zero_with_no_note() {
        let s = activity_statement(&state(), year(2010)).unwrap();
        assert_eq!(s.total, Yen::ZERO);
        assert!(s.restricted.is_empty());
        assert!(s.text().contains("該当なし"));
    }
}
