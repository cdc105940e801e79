//! The funding summary, on hand-worked examples: every figure below is written out by hand in
//! the comments and then checked.

mod support;

use domain::events::Entry;
use domain::events::{Contract, SubjectRef};
use domain::funds::{FundKind, Payer};
use domain::ids::{PartnerId, ProgramId, ReceiptId};
use domain::partner::PartnerKind;
use domain::program::{Beneficiary, Pillar, SpiralStage};
use domain::report::funding::{funding_summary, FundingSummary, ReportError};
use domain::{Date, Fact, FiscalYear, LedgerState, View, Yen};
use support::Log;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn partner(log: &mut Log, id: &str, name: &str, kind: PartnerKind) {
    log.push(
        d(2000, 4, 1),
        Fact::PartnerRegistered {
            partner: PartnerId::new(id).unwrap(),
            name: name.into(),
            kind,
            parent: None,
        },
    );
}

fn receipt(
    log: &mut Log,
    id: &str,
    kind: FundKind,
    payer: &str,
    amount: i64,
    year: i32,
    restricted: bool,
) -> u64 {
    log.push(
        fy(year).first_day(),
        Fact::FundsReceived {
            receipt: ReceiptId::new(id).unwrap(),
            kind,
            payer: Payer::Partner(PartnerId::new(payer).unwrap()),
            amount: Yen::new(amount),
            fiscal_year: fy(year),
            program: Some(ProgramId::new("kobo").unwrap()),
            restricted,
        },
    )
}

fn spend(log: &mut Log, id: &str, amount: i64, year: i32) -> u64 {
    log.push(
        fy(year).first_day(),
        Fact::FundsSpent {
            receipt: ReceiptId::new(id).unwrap(),
            fiscal_year: fy(year),
            amount: Yen::new(amount),
        },
    )
}

/// A program for the money to serve, and the funders.
fn world() -> Log {
    let mut log = Log::default();
    partner(
        &mut log,
        "pref-dept",
        "静岡県障害者政策課",
        PartnerKind::Department,
    );
    partner(&mut log, "foundation", "みらい財団", PartnerKind::Foundation);
    partner(
        &mut log,
        "welfare-council",
        "浜松市社会福祉協議会",
        PartnerKind::AffiliatedBody,
    );
    log.push(
        d(2010, 4, 1),
        Fact::ProgramLaunched {
            program: ProgramId::new("kobo").unwrap(),
            name: "ぽけっと工房".into(),
            pillar: Pillar::SelfInitiated,
            beneficiaries: vec![Beneficiary::DisabledPeople, Beneficiary::Children],
            stage: SpiralStage::COMPLEMENTARY,
        },
    );
    log
}

fn line<'a>(lines: &'a [domain::report::funding::Line], key: &str) -> &'a domain::report::funding::Line {
    lines
        .iter()
        .find(|l| l.key == key)
        .unwrap_or_else(|| panic!("no line {key}"))
}

fn summary(log: &Log, from: i32, to: i32) -> FundingSummary {
    funding_summary(&log.everything(), fy(from), fy(to), false).unwrap()
}

#[test]
fn a_commission_a_subsidy_and_a_grant_land_in_their_own_categories() {
    let mut log = world();
    // FY2013: commission ¥1,000,000 (事業収益), subsidy ¥500,000 and grant ¥300,000 (both
    // 受取助成金等), donation ¥10,000 (受取寄付金). Total ¥1,810,000.
    let commission = receipt(
        &mut log,
        "c1",
        FundKind::CommissionFee,
        "pref-dept",
        1_000_000,
        2013,
        false,
    );
    let subsidy = receipt(
        &mut log,
        "s1",
        FundKind::Subsidy,
        "pref-dept",
        500_000,
        2013,
        false,
    );
    let grant = receipt(
        &mut log,
        "g1",
        FundKind::Grant,
        "foundation",
        300_000,
        2013,
        false,
    );
    let donation = receipt(
        &mut log,
        "d1",
        FundKind::Donation,
        "welfare-council",
        10_000,
        2013,
        false,
    );
    let s = summary(&log, 2013, 2013);
    let year = &s.years[0];
    assert_eq!(year.label, "2013年度（平成25年度）");
    assert_eq!(year.total, Yen::new(1_810_000));
    assert_eq!(s.total, Yen::new(1_810_000));
    let program_revenue = line(&year.by_category, "ProgramRevenue");
    assert_eq!(
        (program_revenue.label.as_str(), program_revenue.amount),
        ("事業収益", Yen::new(1_000_000))
    );
    assert_eq!(program_revenue.positions, vec![commission]);
    let grants = line(&year.by_category, "GrantsAndSubsidies");
    assert_eq!(
        (grants.label.as_str(), grants.amount),
        ("受取助成金等", Yen::new(800_000))
    );
    assert_eq!(grants.positions, vec![subsidy, grant]);
    assert_eq!(line(&year.by_category, "Donations").amount, Yen::new(10_000));
    assert_eq!(line(&year.by_category, "Donations").positions, vec![donation]);
    // Every category appears, in the statement's order, zero where nothing came in.
    let keys: Vec<&str> = year.by_category.iter().map(|l| l.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "Dues",
            "Donations",
            "GrantsAndSubsidies",
            "ProgramRevenue",
            "Other"
        ]
    );
    assert_eq!(line(&year.by_category, "Dues").amount, Yen::ZERO);
    // By funder: the department ¥1,500,000, the foundation ¥300,000, the council ¥10,000.
    assert_eq!(
        line(&year.by_funder, "partner:pref-dept").amount,
        Yen::new(1_500_000)
    );
    assert_eq!(
        line(&year.by_funder, "partner:pref-dept").label,
        "静岡県障害者政策課"
    );
    assert_eq!(
        line(&year.by_funder, "partner:foundation").amount,
        Yen::new(300_000)
    );
    // All of it served one program of the self-initiated pillar, for two beneficiary groups.
    assert_eq!(line(&year.by_pillar, "SelfInitiated").amount, Yen::new(1_810_000));
    assert_eq!(
        line(&year.by_beneficiary, "DisabledPeople").amount,
        Yen::new(1_810_000)
    );
    assert_eq!(line(&year.by_beneficiary, "Children").amount, Yen::new(1_810_000));
    assert_eq!(line(&year.by_program, "kobo").label, "ぽけっと工房");
    assert!(
        s.rules.iter().any(|r| r.contains("前受助成金")),
        "the recognition rule is stated"
    );
}

#[test]
fn a_multi_year_grant_is_recognised_as_spent_and_the_rest_carried_forward() {
    let mut log = world();
    // A restricted grant of ¥900,000 received in FY2013, spent ¥300,000 / ¥400,000 / ¥200,000
    // in FY2013 / 2014 / 2015.
    let received = receipt(
        &mut log,
        "g-multi",
        FundKind::Grant,
        "foundation",
        900_000,
        2013,
        true,
    );
    let spent_2013 = spend(&mut log, "g-multi", 300_000, 2013);
    let spent_2014 = spend(&mut log, "g-multi", 400_000, 2014);
    spend(&mut log, "g-multi", 200_000, 2015);
    let s = summary(&log, 2013, 2015);
    let revenue: Vec<i64> = s.years.iter().map(|y| y.total.value()).collect();
    assert_eq!(
        revenue,
        [300_000, 400_000, 200_000],
        "revenue in the years it is spent"
    );
    // 前受助成金 at each year end: 900,000 − 300,000 = 600,000; − 400,000 = 200,000; − 200,000 = 0.
    let carried: Vec<i64> = s.years.iter().map(|y| y.carried_forward.value()).collect();
    assert_eq!(carried, [600_000, 200_000, 0]);
    assert_eq!(
        line(&s.years[0].by_category, "GrantsAndSubsidies").positions,
        vec![spent_2013]
    );
    // The restricted-funds table for 2013: opening 0, +900,000, −300,000, closing 600,000;
    // for 2014: opening 600,000, +0, −400,000, closing 200,000.
    let t2013 = &s.years[0].restricted[0];
    assert_eq!(
        (t2013.key.as_str(), t2013.label.as_str()),
        ("partner:foundation", "みらい財団")
    );
    assert_eq!(
        [t2013.opening, t2013.increase, t2013.decrease, t2013.closing].map(Yen::value),
        [0, 900_000, 300_000, 600_000]
    );
    assert_eq!(t2013.positions, vec![received, spent_2013]);
    let t2014 = &s.years[1].restricted[0];
    assert_eq!(
        [t2014.opening, t2014.increase, t2014.decrease, t2014.closing].map(Yen::value),
        [600_000, 0, 400_000, 200_000]
    );
    assert!(t2014.positions.contains(&spent_2014) && t2014.positions.contains(&received));
    // A later year with nothing left shows no row.
    let s2016 = summary(&log, 2016, 2016);
    assert!(s2016.years[0].restricted.is_empty());
}

#[test]
fn a_department_renamed_mid_period_shows_under_the_name_of_each_year_or_its_successor() {
    let mut log = world();
    partner(
        &mut log,
        "plan-office",
        "静岡県民生部障害者プラン推進室",
        PartnerKind::Department,
    );
    log.push(
        d(2014, 4, 1),
        Fact::PartnerRenamed {
            partner: PartnerId::new("plan-office").unwrap(),
            name: "静岡県障害者政策課（旧推進室）".into(),
        },
    );
    receipt(
        &mut log,
        "fee-2013",
        FundKind::CommissionFee,
        "plan-office",
        100_000,
        2013,
        false,
    );
    receipt(
        &mut log,
        "fee-2014",
        FundKind::CommissionFee,
        "plan-office",
        120_000,
        2014,
        false,
    );
    for (year, at) in [(2013, d(2013, 4, 1)), (2014, d(2014, 4, 1))] {
        log.push(
            at,
            Fact::ContractAwarded {
                program: ProgramId::new("kobo").unwrap(),
                contract: Contract {
                    fiscal_year: fy(year),
                    commissioners: vec![
                        PartnerId::new("plan-office").unwrap(),
                        PartnerId::new("pref-dept").unwrap(),
                    ],
                    scheme: None,
                    amount: None,
                },
            },
        );
    }
    let s = summary(&log, 2013, 2014);
    assert_eq!(
        line(&s.years[0].by_funder, "partner:plan-office").label,
        "静岡県民生部障害者プラン推進室"
    );
    assert_eq!(
        line(&s.years[1].by_funder, "partner:plan-office").label,
        "静岡県障害者政策課（旧推進室）"
    );
    // Two joint contracts: each commissioner has 2 contracts in 2 fiscal years; the renamed one
    // shows both names.
    let office = s
        .commissioners
        .iter()
        .find(|c| c.key == "partner:plan-office")
        .unwrap();
    assert_eq!((office.contracts, office.fiscal_years), (2, 2));
    assert_eq!(
        office.names,
        ["静岡県民生部障害者プラン推進室", "静岡県障害者政策課（旧推進室）"]
    );

    // Merged into the prefecture's department in 2015: grouped by successor on request.
    log.push(
        d(2015, 4, 1),
        Fact::PartnerMerged {
            partner: PartnerId::new("plan-office").unwrap(),
            successor: PartnerId::new("pref-dept").unwrap(),
        },
    );
    receipt(
        &mut log,
        "fee-pref",
        FundKind::CommissionFee,
        "pref-dept",
        50_000,
        2014,
        false,
    );
    let grouped = funding_summary(&log.everything(), fy(2013), fy(2014), true).unwrap();
    let pref_2014 = line(&grouped.years[1].by_funder, "partner:pref-dept");
    assert_eq!(
        pref_2014.amount,
        Yen::new(170_000),
        "120,000 from the merged office + 50,000"
    );
    assert_eq!(pref_2014.label, "静岡県障害者政策課");
    assert!(grouped.years[1]
        .by_funder
        .iter()
        .all(|l| l.key != "partner:plan-office"));
}

#[test]
fn a_report_is_reproduced_as_known_at_an_earlier_time_after_a_later_correction() {
    let mut log = world();
    receipt(
        &mut log,
        "c1",
        FundKind::CommissionFee,
        "pref-dept",
        1_000_000,
        2013,
        false,
    );
    let sent_to_funder_at = Log::recorded_at(log.events.len() as u64);
    // Later, the amount is corrected to ¥1,100,000.
    log.push_to(
        &SubjectRef::Receipt(ReceiptId::new("c1").unwrap()).stream(),
        fy(2013).first_day(),
        Entry::Corrected {
            target: 1,
            fact: Box::new(Fact::FundsReceived {
                receipt: ReceiptId::new("c1").unwrap(),
                kind: FundKind::CommissionFee,
                payer: Payer::Partner(PartnerId::new("pref-dept").unwrap()),
                amount: Yen::new(1_100_000),
                fiscal_year: fy(2013),
                program: Some(ProgramId::new("kobo").unwrap()),
                restricted: false,
            }),
            reason: "契約変更".into(),
        },
    );
    let now = funding_summary(&log.everything(), fy(2013), fy(2013), false).unwrap();
    assert_eq!(now.total, Yen::new(1_100_000));
    let then_state = LedgerState::replay(
        &log.events,
        View {
            as_of: None,
            known_at: Some(sent_to_funder_at),
        },
    );
    let then = funding_summary(&then_state, fy(2013), fy(2013), false).unwrap();
    assert_eq!(
        then.total,
        Yen::new(1_000_000),
        "exactly what was sent before the correction"
    );
}

#[test]
fn a_backward_or_overlong_range_is_refused() {
    let log = world();
    assert_eq!(
        funding_summary(&log.everything(), fy(2015), fy(2013), false),
        Err(ReportError::BackwardRange {
            from: fy(2015),
            to: fy(2013)
        })
    );
    assert!(matches!(
        funding_summary(&log.everything(), fy(1900), fy(2015), false),
        Err(ReportError::TooLong { .. })
    ));
}
