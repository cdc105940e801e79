//! The public support test (パブリック・サポート・テスト), worked by hand.
//!
//! Each ledger is built from hand-made `Recorded` events (not through the rules), projected, and
//! tested; every figure the assertions expect is worked out in the comments beside it.

mod support;

use domain::events::Entry;
use domain::funds::{FundKind, Payer};
use domain::ids::{DonorId, HouseholdId, PartnerId, ReceiptId};
use domain::partner::PartnerKind;
use domain::report::pst::{
    public_support_test, DonorTotal, ExcessLine, GovernmentLine, HouseholdLine, PstError, PstOptions,
    PstReport, YearAmount, YearMembers,
};
use domain::{Date, Fact, FiscalYear, LedgerState, View, Yen};
use support::{known_at, Log};

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn fy(year: i32) -> FiscalYear {
    FiscalYear::new(year).unwrap()
}

fn partner(id: &str) -> PartnerId {
    PartnerId::new(id).unwrap()
}

fn donor(id: &str) -> DonorId {
    DonorId::new(id).unwrap()
}

fn receipt(id: &str) -> ReceiptId {
    ReceiptId::new(id).unwrap()
}

fn yen(value: i64) -> Yen {
    Yen::new(value)
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Log {
    fn partner(&mut self, id: &str, kind: PartnerKind, parent: Option<&str>) {
        self.push(
            d(2000, 4, 1),
            Fact::PartnerRegistered {
                partner: partner(id),
                name: format!("{id} の名称"),
                kind,
                parent: parent.map(partner),
            },
        );
    }

    fn donor(
        &mut self,
        id: &str,
        household: Option<&str>,
        officer: bool,
        certified_npo: bool,
        identified: bool,
    ) {
        self.push(
            d(2000, 4, 1),
            Fact::DonorRegistered {
                donor: donor(id),
                household: household.map(|h| HouseholdId::new(h).unwrap()),
                officer,
                certified_npo,
                identified,
            },
        );
    }

    /// A plain (unrestricted) receipt, effective on June 1 of its fiscal year; returns its position.
    fn receive(&mut self, id: &str, kind: FundKind, payer: Payer, amount: i64, year: i32) -> u64 {
        self.push(d(year, 6, 1), received(id, kind, payer, amount, year, false))
    }

    fn gift(&mut self, id: &str, from: &str, amount: i64, year: i32) -> u64 {
        self.receive(id, FundKind::Donation, Payer::Donor(donor(from)), amount, year)
    }

    fn spend(&mut self, id: &str, amount: i64, year: i32) -> u64 {
        self.push(
            d(year + 1, 3, 31),
            Fact::FundsSpent {
                receipt: receipt(id),
                fiscal_year: fy(year),
                amount: yen(amount),
            },
        )
    }

    fn state(&self, view: View) -> LedgerState {
        self.replay(view)
    }
}

fn received(id: &str, kind: FundKind, payer: Payer, amount: i64, year: i32, restricted: bool) -> Fact {
    Fact::FundsReceived {
        receipt: receipt(id),
        kind,
        payer,
        amount: yen(amount),
        fiscal_year: fy(year),
        program: None,
        restricted,
    }
}

fn pst(state: &LedgerState, from: i32, to: i32) -> PstReport {
    public_support_test(state, fy(from), fy(to), PstOptions::default()).unwrap()
}

fn has_line(report: &PstReport, text: &str) {
    assert!(
        report.derivation.iter().any(|line| line.contains(text)),
        "no derivation line contains {text:?}:\n{}",
        report.derivation.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The worked example: every rule of the test at once, over FY2020–FY2021 (2 years, 24 months).
// ---------------------------------------------------------------------------------------------

/// Positions of the events the assertions trace figures back to.
struct Example {
    log: Log,
    subsidy: u64,
    commission: u64,
    small: [u64; 2],
    anonymous: u64,
    regular: [u64; 2],
}

/// The ledger of the worked example.
///
/// Donations (寄附金), by donor and fiscal year:
///
/// | donor            | attributes                       | FY2020  | FY2021  | period  |
/// |------------------|----------------------------------|---------|---------|---------|
/// | anonymous        | —                                |  20,000 |       0 |  20,000 |
/// | d-small          | identified                       |     500 |     405 |     905 |
/// | d-big            | identified                       | 200,000 |       0 | 200,000 |
/// | npo-peer         | certified NPO, identified        |       0 | 150,000 | 150,000 |
/// | d-h1a            | household h1, identified         |   5,000 |   3,000 |   8,000 |
/// | d-h1b            | household h1, identified         |   5,000 |       0 |   5,000 |
/// | d-officer        | officer, household h2            |  10,000 |  10,000 |  20,000 |
/// | d-spouse         | household h2 (an officer's)      |       0 |   4,000 |   4,000 |
/// | d-unknown        | name/address not known           |       0 |   5,000 |   5,000 |
/// | d-regular        | identified (+¥8,000 in FY2019)   |   3,000 |   2,000 |   5,000 |
/// | partner:suzuki-co| a company paying as a partner    |       0 |  30,000 |  30,000 |
/// | total            |                                  | 243,500 | 204,405 | 447,905 |
///
/// Other revenue recognised in the period:
/// - r-subsidy: 補助金 ¥300,000 FY2020 from civic-dept (a Department of the city): government;
/// - r-commission: 委託料 ¥1,000,000 FY2021 from hamamatsu-city (GovernmentBody): government;
/// - r-council: 委託料 ¥400,000 FY2020 from welfare-council (AffiliatedBody): stays in;
/// - r-grant: a restricted 助成金 of ¥600,000 received FY2020 from toyota-foundation, spent
///   ¥250,000 in FY2020, ¥200,000 in FY2021 and ¥150,000 in FY2022: recognised ¥450,000 in the
///   period (the FY2022 part is outside it; the receipt amount itself is never revenue);
/// - r-dues: 会費 ¥60,000 FY2021 from d-regular: revenue, but not a donation;
/// - r-sales: 自主事業収益 ¥100,000 FY2021, payer anonymous: revenue, not a donation.
fn example() -> Example {
    let mut log = Log::default();
    log.partner("hamamatsu-city", PartnerKind::GovernmentBody, None);
    log.partner("civic-dept", PartnerKind::Department, Some("hamamatsu-city"));
    log.partner("welfare-council", PartnerKind::AffiliatedBody, None);
    log.partner("toyota-foundation", PartnerKind::Foundation, None);
    log.partner("suzuki-co", PartnerKind::Company, None);

    log.donor("d-small", None, false, false, true);
    log.donor("d-big", None, false, false, true);
    log.donor("npo-peer", None, false, true, true);
    log.donor("d-h1a", Some("h1"), false, false, true);
    log.donor("d-h1b", Some("h1"), false, false, true);
    log.donor("d-officer", Some("h2"), true, false, true);
    log.donor("d-spouse", Some("h2"), false, false, true);
    log.donor("d-unknown", None, false, false, false);
    log.donor("d-regular", None, false, false, true);

    // Outside the period: never counted.
    log.gift("r-regular-2019", "d-regular", 8_000, 2019);

    // FY2020 donations.
    let anonymous = log.receive("r-anon", FundKind::Donation, Payer::Anonymous, 20_000, 2020);
    let small_2020 = log.gift("r-small-2020", "d-small", 500, 2020);
    log.gift("r-big", "d-big", 200_000, 2020);
    log.gift("r-h1a-2020", "d-h1a", 5_000, 2020);
    log.gift("r-h1b-2020", "d-h1b", 5_000, 2020);
    log.gift("r-officer-2020", "d-officer", 10_000, 2020);
    let regular_2020 = log.gift("r-regular-2020", "d-regular", 3_000, 2020);

    // FY2021 donations.
    let small_2021 = log.gift("r-small-2021", "d-small", 405, 2021);
    log.gift("r-npo", "npo-peer", 150_000, 2021);
    log.gift("r-h1a-2021", "d-h1a", 3_000, 2021);
    log.gift("r-officer-2021", "d-officer", 10_000, 2021);
    log.gift("r-spouse", "d-spouse", 4_000, 2021);
    log.gift("r-unknown", "d-unknown", 5_000, 2021);
    let regular_2021 = log.gift("r-regular-2021", "d-regular", 2_000, 2021);
    log.receive(
        "r-suzuki",
        FundKind::Donation,
        Payer::Partner(partner("suzuki-co")),
        30_000,
        2021,
    );

    // Other revenue.
    let subsidy = log.receive(
        "r-subsidy",
        FundKind::Subsidy,
        Payer::Partner(partner("civic-dept")),
        300_000,
        2020,
    );
    let commission = log.receive(
        "r-commission",
        FundKind::CommissionFee,
        Payer::Partner(partner("hamamatsu-city")),
        1_000_000,
        2021,
    );
    log.receive(
        "r-council",
        FundKind::CommissionFee,
        Payer::Partner(partner("welfare-council")),
        400_000,
        2020,
    );
    log.push(
        d(2020, 5, 1),
        received(
            "r-grant",
            FundKind::Grant,
            Payer::Partner(partner("toyota-foundation")),
            600_000,
            2020,
            true,
        ),
    );
    log.spend("r-grant", 250_000, 2020);
    log.spend("r-grant", 200_000, 2021);
    log.spend("r-grant", 150_000, 2022);
    log.receive(
        "r-dues",
        FundKind::MemberDues,
        Payer::Donor(donor("d-regular")),
        60_000,
        2021,
    );
    log.receive(
        "r-sales",
        FundKind::EarnedRevenue,
        Payer::Anonymous,
        100_000,
        2021,
    );

    Example {
        log,
        subsidy,
        commission,
        small: [small_2020, small_2021],
        anonymous,
        regular: [regular_2020, regular_2021],
    }
}

#[test]
fn the_worked_example_relative_criterion() {
    let ex = example();
    let report = pst(&ex.log.everything(), 2020, 2021);
    let r = &report.relative;

    assert_eq!(report.period.from, fy(2020));
    assert_eq!(report.period.to, fy(2021));
    assert_eq!(report.period.years, 2);
    assert_eq!(report.period.months, 24);

    // Ordinary revenue (経常収益), everything recognised in FY2020–FY2021:
    //   donations 447,905 + subsidy 300,000 + city commission 1,000,000
    //   + council commission 400,000 + grant as spent (250,000 + 200,000 =) 450,000
    //   + dues 60,000 + sales 100,000 = 2,757,905
    assert_eq!(r.ordinary_revenue, yen(2_757_905));

    // Paid directly by a government: the department's subsidy and the city's commission.
    // The affiliated body's commission (¥400,000) stays in the denominator.
    assert_eq!(
        r.government_excluded,
        vec![
            GovernmentLine {
                receipt: receipt("r-subsidy"),
                payer: partner("civic-dept"),
                kind: FundKind::Subsidy,
                fiscal_year: fy(2020),
                amount: yen(300_000),
                position: ex.subsidy,
            },
            GovernmentLine {
                receipt: receipt("r-commission"),
                payer: partner("hamamatsu-city"),
                kind: FundKind::CommissionFee,
                fiscal_year: fy(2021),
                amount: yen(1_000_000),
                position: ex.commission,
            },
        ]
    );
    // 300,000 + 1,000,000 = 1,300,000
    assert_eq!(r.government_total, yen(1_300_000));

    // All donations, anonymous and small included: 243,500 + 204,405 = 447,905.
    assert_eq!(r.total_donations, yen(447_905));
    // Out of both sides: anonymous 20,000, and d-small (500 + 405 = 905 < 1,000).
    assert_eq!(r.anonymous_excluded, yen(20_000));
    assert_eq!(
        r.small_donors_excluded,
        vec![DonorTotal {
            donor: "donor:d-small".into(),
            total: yen(905),
        }]
    );
    assert_eq!(r.small_donors_total, yen(905));
    // 20,000 + 905 = 20,905
    assert_eq!(r.left_out_total, yen(20_905));

    // Limits: floor(447,905 × 10 / 100) = floor(44,790.5) = 44,790;
    //         floor(447,905 × 50 / 100) = floor(223,952.5) = 223,952.
    assert_eq!(r.limit, yen(44_790));
    assert_eq!(r.limit_certified, yen(223_952));
    // d-big gave 200,000 > 44,790: the excess 200,000 − 44,790 = 155,210 leaves the numerator.
    // npo-peer gave 150,000: over 10% (44,790) but a certified NPO, under 50% (223,952): nothing.
    // suzuki-co gave 30,000 < 44,790: nothing.
    assert_eq!(
        r.excess_over_limit,
        vec![ExcessLine {
            donor: "donor:d-big".into(),
            certified_npo: false,
            total: yen(200_000),
            limit: yen(44_790),
            excess: yen(155_210),
        }]
    );
    assert_eq!(r.excess_total, yen(155_210));

    // Numerator: 447,905 − 20,905 − 155,210 = 271,790.
    assert_eq!(r.numerator, yen(271_790));
    // Denominator: 2,757,905 − 1,300,000 − 20,905 = 1,437,000.
    assert_eq!(r.denominator, yen(1_437_000));
    // 271,790 / 1,437,000: gcd = 10 (271,790 = 2·5·27,179; 1,437,000 = 2³·3·5³·479, and 27,179
    // is divisible by none of 2, 3, 5 or 479) → 27,179 / 143,700.
    assert_eq!((r.ratio_numerator, r.ratio_denominator), (27_179, 143_700));
    // 271,790 × 10,000 ÷ 1,437,000 = 1,891.37… → 1,891 hundredths of a percent → "18.91%".
    assert_eq!(r.percent.as_deref(), Some("18.91%"));
    // 271,790 × 5 = 1,358,950 < 1,437,000: fails. (Had the affiliated body's ¥400,000 been left
    // out too, the denominator would be 1,037,000 and the test would pass.)
    assert!(!r.passes);
}

#[test]
fn the_worked_example_absolute_criterion() {
    let report = pst(&example().log.everything(), 2020, 2021);
    let a = &report.absolute;
    assert_eq!(a.years.len(), 2);

    // FY2020, donors of ≥ ¥3,000: d-big 200,000, d-h1a 5,000, d-h1b 5,000, d-officer 10,000,
    // d-regular 3,000 (exactly the threshold). d-officer is an officer: out. d-h1a and d-h1b
    // share household h1: one. Count = d-big + h1 + d-regular = 3.
    let y2020 = &a.years[0];
    assert_eq!(y2020.fiscal_year, fy(2020));
    assert_eq!(
        y2020.qualifying_donors,
        strings(&["donor:d-big", "donor:d-h1a", "donor:d-h1b", "donor:d-regular"])
    );
    assert_eq!(
        y2020.households_counted,
        vec![HouseholdLine {
            household: HouseholdId::new("h1").unwrap(),
            donors: strings(&["donor:d-h1a", "donor:d-h1b"]),
        }]
    );
    assert_eq!(y2020.excluded_officers, strings(&["donor:d-officer"]));
    assert!(y2020.excluded_unidentified.is_empty());
    assert_eq!(y2020.count, 3);

    // FY2021, donors of ≥ ¥3,000: npo-peer 150,000, d-h1a 3,000, d-officer 10,000, d-spouse
    // 4,000, d-unknown 5,000, suzuki-co 30,000 (d-regular gave 2,000, d-small 405: below).
    // d-officer and d-spouse (the officer's household h2): out. d-unknown: name and address not
    // known, out. Count = d-h1a (household h1) + npo-peer + suzuki-co = 3.
    let y2021 = &a.years[1];
    assert_eq!(y2021.fiscal_year, fy(2021));
    assert_eq!(
        y2021.qualifying_donors,
        strings(&["donor:d-h1a", "donor:npo-peer", "partner:suzuki-co"])
    );
    assert_eq!(
        y2021.households_counted,
        vec![HouseholdLine {
            household: HouseholdId::new("h1").unwrap(),
            donors: strings(&["donor:d-h1a"]),
        }]
    );
    assert_eq!(
        y2021.excluded_officers,
        strings(&["donor:d-officer", "donor:d-spouse"])
    );
    assert_eq!(y2021.excluded_unidentified, strings(&["donor:d-unknown"]));
    assert_eq!(y2021.count, 3);

    // (3 + 3) × 12 ÷ 24 = 3.00 a year; 6 × 12 = 72 < 100 × 24 = 2,400: fails.
    assert_eq!(a.sum, 6);
    assert_eq!(a.months, 24);
    assert_eq!(a.average_text, "3.00");
    assert!(!a.passes);
}

#[test]
fn the_worked_example_register_traces_each_total_to_its_events() {
    let ex = example();
    let report = pst(&ex.log.everything(), 2020, 2021);
    let keys: Vec<&str> = report.register.iter().map(|l| l.donor.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "donor:d-big",
            "donor:d-h1a",
            "donor:d-h1b",
            "donor:d-officer",
            "donor:d-regular",
            "donor:d-small",
            "donor:d-spouse",
            "donor:d-unknown",
            "donor:npo-peer",
            "partner:suzuki-co",
            "anonymous",
        ]
    );
    let line = |key: &str| report.register.iter().find(|l| l.donor == key).unwrap();

    // d-small: 500 + 405 = 905, from its two receipts.
    let small = line("donor:d-small");
    assert_eq!(small.total, yen(905));
    assert_eq!(
        small.per_year,
        vec![
            YearAmount {
                fiscal_year: fy(2020),
                amount: yen(500),
            },
            YearAmount {
                fiscal_year: fy(2021),
                amount: yen(405),
            },
        ]
    );
    assert_eq!(small.positions, ex.small.to_vec());

    // d-regular: the FY2019 gift (outside the period) and the ¥60,000 of dues (not a donation)
    // are not in the register: 3,000 + 2,000 = 5,000.
    let regular = line("donor:d-regular");
    assert_eq!(regular.total, yen(5_000));
    assert_eq!(regular.positions, ex.regular.to_vec());

    // Anonymous: the ¥20,000 gift only; the anonymous ¥100,000 of sales is not a donation.
    let anonymous = line("anonymous");
    assert_eq!(anonymous.total, yen(20_000));
    assert_eq!(anonymous.positions, vec![ex.anonymous]);

    // Attributes as registered; a partner is identified, its own household, not certified.
    let officer = line("donor:d-officer");
    assert!(officer.officer);
    assert_eq!(officer.household, Some(HouseholdId::new("h2").unwrap()));
    assert!(line("donor:npo-peer").certified_npo);
    assert!(!line("donor:d-unknown").identified);
    let suzuki = line("partner:suzuki-co");
    assert!(suzuki.identified && !suzuki.officer && !suzuki.certified_npo);
    assert_eq!(suzuki.household, None);

    // The register adds up to the total donations: 447,905.
    let sum: i64 = report.register.iter().map(|l| l.total.value()).sum();
    assert_eq!(sum, 447_905);
}

#[test]
fn a_restricted_grant_is_revenue_only_as_it_is_spent() {
    let state = example().log.everything();
    // FY2020 alone: donations 243,500 + subsidy 300,000 + council 400,000 + grant spent 250,000
    // = 1,193,500 (not the ¥600,000 received).
    assert_eq!(pst(&state, 2020, 2020).relative.ordinary_revenue, yen(1_193_500));
    // FY2022 alone: only the last ¥150,000 of the grant.
    assert_eq!(pst(&state, 2022, 2022).relative.ordinary_revenue, yen(150_000));
}

#[test]
fn the_derivation_states_each_step_with_its_figures() {
    let report = pst(&example().log.everything(), 2020, 2021);
    has_line(&report, "判定期間: 2020年度〜2021年度（2年度、24か月）");
    has_line(&report, "経常収益 ¥2,757,905");
    has_line(&report, "r-subsidy partner:civic-dept 補助金 2020年度 ¥300,000");
    has_line(
        &report,
        "r-commission partner:hamamatsu-city 委託料 2021年度 ¥1,000,000",
    );
    has_line(&report, "受取寄附金の総額 ¥447,905");
    has_line(&report, "匿名の寄附 ¥20,000");
    has_line(&report, "donor:d-small ¥905");
    has_line(
        &report,
        "経常収益 ¥2,757,905 − 国・地方公共団体からの補助金・委託料 ¥1,300,000 − 除外寄附者の寄附 ¥20,905 = 分母 ¥1,437,000",
    );
    has_line(&report, "寄附総額 ¥447,905 × 10% = ¥44,790");
    has_line(&report, "× 50% = ¥223,952");
    has_line(
        &report,
        "donor:d-big の寄附 ¥200,000 は限度額 ¥44,790 を ¥155,210 超える",
    );
    has_line(
        &report,
        "寄附総額 ¥447,905 − 除外寄附者の寄附 ¥20,905 − 限度超過額 ¥155,210 = 分子 ¥271,790",
    );
    has_line(&report, "= 27179/143700 = 18.91%");
    has_line(&report, "5分の1未満のため基準を満たさない");
    has_line(&report, "会費");
    has_line(&report, "取引先として記録された団体からの寄附");
    has_line(&report, "2020年度: ¥3,000以上の寄附者のうち数える者 4名");
    has_line(&report, "household:h1 = donor:d-h1a+donor:d-h1b");
    has_line(&report, "(3 + 3) × 12 ÷ 24か月");
    has_line(&report, "年平均 3.00人");
    has_line(&report, "100人未満のため基準を満たさない");
}

// ---------------------------------------------------------------------------------------------
// Boundaries of the two criteria.
// ---------------------------------------------------------------------------------------------

/// Twenty donors giving ¥10,000 each in FY2021 (each 5% of ¥200,000: under the 10% limit),
/// and earned revenue of `earned` in FY2022.
fn twenty_donors(earned: i64) -> Log {
    let mut log = Log::default();
    for i in 1..=20 {
        let id = format!("d{i:02}");
        log.donor(&id, None, false, false, true);
        log.gift(&format!("r-{id}"), &id, 10_000, 2021);
    }
    log.receive("r-sales", FundKind::EarnedRevenue, Payer::Anonymous, earned, 2022);
    log
}

#[test]
fn exactly_one_fifth_passes_and_a_yen_less_fails() {
    // 200,000 ÷ (200,000 + 800,000) = 1/5 exactly: 200,000 × 5 = 1,000,000 ≥ 1,000,000.
    let report = pst(&twenty_donors(800_000).everything(), 2021, 2022);
    let r = &report.relative;
    assert_eq!((r.numerator, r.denominator), (yen(200_000), yen(1_000_000)));
    assert_eq!((r.ratio_numerator, r.ratio_denominator), (1, 5));
    assert_eq!(r.percent.as_deref(), Some("20.00%"));
    assert!(r.passes);
    has_line(&report, "5分の1以上のため基準を満たす");

    // One yen more of revenue: 200,000 × 5 = 1,000,000 < 1,000,001. The percentage is truncated:
    // 200,000 × 10,000 ÷ 1,000,001 = 1,999.99… → "19.99%" (rounding would show 20.00%).
    let r = pst(&twenty_donors(800_001).everything(), 2021, 2022).relative;
    assert_eq!(r.denominator, yen(1_000_001));
    assert_eq!(r.percent.as_deref(), Some("19.99%"));
    assert!(!r.passes);
}

/// `first` donors giving ¥3,000 in FY2021 and `second` in FY2022 (different donors).
fn many_donors(first: usize, second: usize) -> LedgerState {
    let mut log = Log::default();
    for (year, count) in [(2021, first), (2022, second)] {
        for i in 0..count {
            let id = format!("d{year}-{i:03}");
            log.donor(&id, None, false, false, true);
            log.gift(&format!("r-{id}"), &id, 3_000, year);
        }
    }
    log.everything()
}

#[test]
fn the_absolute_criterion_needs_an_average_of_one_hundred() {
    // (101 + 99) × 12 = 2,400 ≥ 100 × 24 = 2,400: an average of exactly 100.00 passes.
    let a = pst(&many_donors(101, 99), 2021, 2022).absolute;
    assert_eq!((a.years[0].count, a.years[1].count, a.sum), (101, 99, 200));
    assert_eq!(a.average_text, "100.00");
    assert!(a.passes);

    // (100 + 99) × 12 = 2,388 < 2,400: 2,388 ÷ 24 = 99.50.
    let a = pst(&many_donors(100, 99), 2021, 2022).absolute;
    assert_eq!(a.sum, 199);
    assert_eq!(a.average_text, "99.50");
    assert!(!a.passes);
}

#[test]
fn a_denominator_of_zero_does_not_pass() {
    // Only an anonymous gift: ordinary revenue 5,000 − left out 5,000 = 0.
    let mut log = Log::default();
    log.receive("r-anon", FundKind::Donation, Payer::Anonymous, 5_000, 2021);
    let report = pst(&log.everything(), 2021, 2021);
    let r = &report.relative;
    assert_eq!((r.numerator, r.denominator), (yen(0), yen(0)));
    assert_eq!(r.percent, None);
    assert!(!r.passes);
    has_line(&report, "分母が ¥0 のため比率を計算できず、基準を満たさない");
}

#[test]
fn an_empty_period_fails_both_criteria() {
    let report = pst(&Log::default().everything(), 2021, 2022);
    assert_eq!(report.relative.ordinary_revenue, yen(0));
    assert!(!report.relative.passes);
    assert_eq!(report.absolute.sum, 0);
    assert_eq!(report.absolute.average_text, "0.00");
    assert!(!report.absolute.passes);
    assert!(report.register.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Members' dues, as the NPO chooses: supporting dues as donations, regular dues added.
// ---------------------------------------------------------------------------------------------

/// FY2021–FY2022. Regular members m01–m21 pay 正会員会費 ¥3,000 a year; m21 stops in FY2022
/// (21 then 20 members: ¥63,000 + ¥60,000 = ¥123,000). Supporting member s1 pays 賛助会費
/// ¥10,000 each year, s2 ¥500 once (FY2021). Donations: d1 ¥50,000 (FY2021), d2 ¥30,000
/// (FY2022). Earned revenue ¥400,000 (FY2021).
///
/// Ordinary revenue: 123,000 + 20,500 + 80,000 + 400,000 = ¥623,500, whatever is chosen.
fn members_ledger() -> Log {
    let mut log = Log::default();
    for n in 1..=21 {
        let id = format!("m{n:02}");
        log.donor(&id, None, false, false, true);
        log.receive(
            &format!("{id}-2021"),
            FundKind::MemberDues,
            Payer::Donor(donor(&id)),
            3_000,
            2021,
        );
        if n <= 20 {
            log.receive(
                &format!("{id}-2022"),
                FundKind::MemberDues,
                Payer::Donor(donor(&id)),
                3_000,
                2022,
            );
        }
    }
    for id in ["s1", "s2", "d1", "d2"] {
        log.donor(id, None, false, false, true);
    }
    log.receive(
        "s1-2021",
        FundKind::SupportingDues,
        Payer::Donor(donor("s1")),
        10_000,
        2021,
    );
    log.receive(
        "s1-2022",
        FundKind::SupportingDues,
        Payer::Donor(donor("s1")),
        10_000,
        2022,
    );
    log.receive(
        "s2-2021",
        FundKind::SupportingDues,
        Payer::Donor(donor("s2")),
        500,
        2021,
    );
    log.gift("d1-2021", "d1", 50_000, 2021);
    log.gift("d2-2022", "d2", 30_000, 2022);
    log.receive("sales", FundKind::EarnedRevenue, Payer::Anonymous, 400_000, 2021);
    log
}

fn with(supporting_dues_as_donations: bool, add_member_dues: bool) -> PstOptions {
    PstOptions {
        supporting_dues_as_donations,
        add_member_dues,
    }
}

#[test]
fn members_dues_count_only_as_the_npo_chooses() {
    let state = members_ledger().everything();
    let run = |options| public_support_test(&state, fy(2021), fy(2022), options).unwrap();

    // Neither: donations ¥80,000, limit ¥8,000, excess 42,000 + 22,000 = ¥64,000, numerator
    // ¥16,000; denominator ¥623,500.
    let none = run(with(false, false));
    assert_eq!(none.relative.ordinary_revenue, yen(623_500));
    assert_eq!(none.relative.total_donations, yen(80_000));
    assert_eq!(none.relative.excess_total, yen(64_000));
    assert_eq!(none.relative.member_dues_added, yen(0));
    assert_eq!(
        (none.relative.numerator, none.relative.denominator),
        (yen(16_000), yen(623_500))
    );
    assert_eq!(none.dues.supporting_dues, yen(20_500));
    assert_eq!(none.dues.member_dues, yen(123_000));
    assert_eq!(
        none.dues.members,
        vec![
            YearMembers {
                fiscal_year: fy(2021),
                members: 21
            },
            YearMembers {
                fiscal_year: fy(2022),
                members: 20
            },
        ]
    );
    assert!(none.dues.members_enough);
    assert_eq!(none.register.len(), 2);
    assert_eq!(
        none.absolute.years.iter().map(|y| y.count).collect::<Vec<_>>(),
        vec![1, 1]
    );
    has_line(&none, "賛助会費 ¥20,500: 寄附金に含めていない");
    has_line(&none, "正会員会費 ¥123,000: 分子に加算していない（加算を選択していない。正会員: 2021年度 21人、2022年度 20人）");

    // Supporting dues as donations: donations 80,000 + 20,500 = ¥100,500; s2's ¥500 is a small
    // donor (left out of both); limit ¥10,050; excess 39,950 (d1) + 19,950 (d2) + 9,950 (s1) =
    // ¥69,850; numerator 100,500 − 500 − 69,850 = ¥30,150; denominator 623,500 − 500 = ¥623,000.
    // s1 gave ≥ ¥3,000 each year: one more donor a year.
    let supporting = run(with(true, false));
    assert_eq!(supporting.relative.total_donations, yen(100_500));
    assert_eq!(supporting.relative.small_donors_total, yen(500));
    assert_eq!(supporting.relative.limit, yen(10_050));
    assert_eq!(supporting.relative.excess_total, yen(69_850));
    assert_eq!(
        (supporting.relative.numerator, supporting.relative.denominator),
        (yen(30_150), yen(623_000))
    );
    assert_eq!(
        supporting
            .absolute
            .years
            .iter()
            .map(|y| y.count)
            .collect::<Vec<_>>(),
        vec![2, 2]
    );
    assert_eq!(supporting.register.len(), 4);
    has_line(
        &supporting,
        "賛助会費 ¥20,500: 任意に支払われ対価性がないものとして寄附金に含めた",
    );

    // Regular dues added: 20 or more members each year; ¥123,000 capped at the donations
    // counted (¥16,000): numerator 16,000 + 16,000 = ¥32,000. The denominator does not move.
    let members = run(with(false, true));
    assert_eq!(members.dues.member_dues_limit, yen(16_000));
    assert_eq!(members.relative.member_dues_added, yen(16_000));
    assert_eq!(
        (members.relative.numerator, members.relative.denominator),
        (yen(32_000), yen(623_500))
    );
    has_line(&members, "正会員会費 ¥123,000 を分子に加算（選択。各年度の正会員が20人以上: 2021年度 21人、2022年度 20人。寄附金として数えた額 ¥16,000 を限度）: 加算額 ¥16,000");
    has_line(
        &members,
        "限度超過額 ¥64,000 + 正会員会費の加算 ¥16,000 = 分子 ¥32,000",
    );

    // Both: 30,150 counted + 30,150 added = ¥60,300 over ¥623,000 = 603/6230 = 9.67%.
    let both = run(with(true, true));
    assert_eq!(both.relative.member_dues_added, yen(30_150));
    assert_eq!(
        (both.relative.numerator, both.relative.denominator),
        (yen(60_300), yen(623_000))
    );
    assert_eq!(
        (both.relative.ratio_numerator, both.relative.ratio_denominator),
        (603, 6230)
    );
    assert_eq!(both.relative.percent.as_deref(), Some("9.67%"));
    assert_eq!(both.options, with(true, true));

    // FY2022–FY2023: nobody pays in FY2023 (20 then 0 members), so nothing is added though chosen.
    let short = public_support_test(&state, fy(2022), fy(2023), with(false, true)).unwrap();
    assert!(!short.dues.members_enough);
    assert_eq!(short.relative.member_dues_added, yen(0));
    has_line(
        &short,
        "正会員が20人に満たない年度があるため分子に加算しない（正会員: 2022年度 20人、2023年度 0人）",
    );
}

// ---------------------------------------------------------------------------------------------
// The period, overflow and data the test must assume about.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_period_is_one_to_five_fiscal_years_in_order() {
    let state = Log::default().everything();
    assert_eq!(
        public_support_test(&state, fy(2022), fy(2021), PstOptions::default()),
        Err(PstError::PeriodReversed {
            from: fy(2022),
            to: fy(2021),
        })
    );
    assert_eq!(
        public_support_test(&state, fy(2016), fy(2021), PstOptions::default()),
        Err(PstError::PeriodTooLong {
            from: fy(2016),
            to: fy(2021),
            years: 6,
            max: 5,
        })
    );
    let five = pst(&state, 2017, 2021);
    assert_eq!((five.period.years, five.period.months), (5, 60));
    assert_eq!(five.absolute.years.len(), 5);
    let one = pst(&state, 2021, 2021);
    assert_eq!((one.period.years, one.period.months), (1, 12));
    let message = PstError::PeriodTooLong {
        from: fy(2016),
        to: fy(2021),
        years: 6,
        max: 5,
    }
    .to_string();
    assert!(message.contains("2016年度") && message.contains('6') && message.contains('5'));
}

#[test]
fn sums_too_large_for_whole_yen_are_an_error_not_a_wrapped_figure() {
    let mut log = Log::default();
    let half = i64::MAX / 2 + 1;
    log.receive("r-1", FundKind::EarnedRevenue, Payer::Anonymous, half, 2021);
    log.receive("r-2", FundKind::EarnedRevenue, Payer::Anonymous, half, 2021);
    assert_eq!(
        public_support_test(&log.everything(), fy(2021), fy(2021), PstOptions::default()),
        Err(PstError::Overflow {
            figure: "ordinary revenue",
        })
    );
}

#[test]
fn a_donor_not_registered_in_the_view_is_counted_as_unidentified_and_noted() {
    // Built by hand, so the gift's donor was never registered.
    let mut log = Log::default();
    log.gift("r-ghost", "ghost", 5_000, 2021);
    let report = pst(&log.everything(), 2021, 2021);
    assert_eq!(
        report.absolute.years[0].excluded_unidentified,
        strings(&["donor:ghost"])
    );
    assert_eq!(report.absolute.years[0].count, 0);
    has_line(&report, "注意: donor:ghost はこの時点の台帳に寄附者登録がない");
}

// ---------------------------------------------------------------------------------------------
// Reproducing a report as it was known before a correction.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_report_is_reproduced_as_known_before_a_later_correction() {
    // Twenty donors give ¥10,000 each in FY2021 (¥200,000), and FY2022 brings earned revenue of
    // ¥300,001 and ¥500,000 from the city, first recorded as a private grant (助成金).
    let mut log = twenty_donors(300_001);
    log.partner("hamamatsu-city", PartnerKind::GovernmentBody, None);
    let city = Payer::Partner(partner("hamamatsu-city"));
    let grant = log.receive("r-city", FundKind::Grant, city.clone(), 500_000, 2022);
    let before = log.events.len() as u64;
    // Later, the receipt is corrected: it was a government subsidy (補助金).
    let correction = log.push_to(
        "receipt:r-city",
        d(2022, 6, 1),
        Entry::Corrected {
            target: log.sequence_of(grant),
            fact: Box::new(received("r-city", FundKind::Subsidy, city, 500_000, 2022, false)),
            reason: "補助金を助成金と誤って記録".into(),
        },
    );
    assert_eq!(correction, before + 1);

    // As known before the correction:
    //   ordinary revenue 200,000 + 300,001 + 500,000 = 1,000,001; nothing is government money;
    //   denominator 1,000,001; numerator 200,000; 200,000 × 5 = 1,000,000 < 1,000,001: fails;
    //   200,000 × 10,000 ÷ 1,000,001 = 1,999.99… → "19.99%".
    let then = pst(&log.state(known_at(before)), 2021, 2022);
    assert_eq!(then.relative.ordinary_revenue, yen(1_000_001));
    assert!(then.relative.government_excluded.is_empty());
    assert_eq!(then.relative.denominator, yen(1_000_001));
    assert_eq!(then.relative.numerator, yen(200_000));
    assert_eq!(then.relative.percent.as_deref(), Some("19.99%"));
    assert!(!then.relative.passes);
    // It is exactly the report the ledger gave before the correction was recorded.
    let mut earlier = log.events.clone();
    earlier.truncate(before as usize);
    assert_eq!(
        then,
        pst(&LedgerState::replay(&earlier, View::everything()), 2021, 2022)
    );

    // As known now: the ¥500,000 is a government subsidy and leaves the denominator:
    //   1,000,001 − 500,000 = 500,001; 200,000 × 5 = 1,000,000 ≥ 500,001: passes;
    //   200,000 / 500,001 (coprime: 500,001 is odd and not divisible by 5);
    //   200,000 × 10,000 ÷ 500,001 = 3,999.99… → "39.99%".
    let now = pst(&log.state(known_at(correction)), 2021, 2022);
    assert_eq!(now.relative.ordinary_revenue, yen(1_000_001));
    assert_eq!(now.relative.government_total, yen(500_000));
    assert_eq!(
        now.relative.government_excluded,
        vec![GovernmentLine {
            receipt: receipt("r-city"),
            payer: partner("hamamatsu-city"),
            kind: FundKind::Subsidy,
            fiscal_year: fy(2022),
            amount: yen(500_000),
            position: grant,
        }]
    );
    assert_eq!(now.relative.denominator, yen(500_001));
    assert_eq!(
        (now.relative.ratio_numerator, now.relative.ratio_denominator),
        (200_000, 500_001)
    );
    assert_eq!(now.relative.percent.as_deref(), Some("39.99%"));
    assert!(now.relative.passes);
    assert_eq!(now, pst(&log.everything(), 2021, 2022));

    // The absolute side is untouched: 20 donors in FY2021, none in FY2022;
    // (20 + 0) × 12 ÷ 24 = 10.00.
    for report in [&then, &now] {
        assert_eq!(report.absolute.sum, 20);
        assert_eq!(report.absolute.average_text, "10.00");
    }
}
