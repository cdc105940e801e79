//! A second demo, and the realistic ledger the benchmarks use: a clearly fictional NPO
//! (「ひかり市民活動ネットワーク」, in the fictional ひかり県 and みなと市) whose history exercises
//! every page: all three pillars and nine stages, contracts renewed year after year, spin-offs, a
//! renamed and a merged department, round-tables, proposals and their adoption, money of every
//! kind (commission fees, subsidies, restricted and unrestricted grants spent down over years,
//! donations from registered and anonymous donors, dues, earned revenue, interest), households,
//! officers and a certified-NPO donor, and corrections and retractions with their reasons.
//!
//! At the default size it is a few thousand events; [`Scale::for_events`] grows it to any size
//! the way a real NPO's ledger grows: mostly receipts (many donors giving several times a year
//! over 25 fiscal years), a few thousand activities. Deterministic: the same scale gives the same
//! commands, so benchmarks and screenshots are repeatable. Every command keeps the domain's rules
//! (tested: decided in order, none is refused).

use crate::command::Command;
use crate::date::Date;
use crate::events::{Contract, Fact, Gathering, Participation};
use crate::fiscal_year::FiscalYear;
use crate::funds::{FundKind, Payer};
use crate::ids::{ActivityId, DonorId, HouseholdId, PartnerId, ProgramId, ReceiptId};
use crate::money::Yen;
use crate::partner::{PartnerKind, Sector};
use crate::program::{Beneficiary, Pillar, SpiralStage};

/// Who the example's events are recorded by.
pub const ACTOR: &str = "system:example";

/// The fiscal years the example spans.
pub const FIRST_YEAR: i32 = 2001;
pub const LAST_YEAR: i32 = 2025;

/// How big the example is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Registered donors (each gives several times a year from the year they start).
    pub donors: usize,
    /// Gifts a donor makes in a year they give.
    pub gifts_per_year: usize,
    /// Programs, across the three pillars.
    pub programs: usize,
    /// Meetings, surveys, consultations and proposals a year.
    pub activities_per_year: usize,
    /// Citizen groups the NPO supports.
    pub groups: usize,
}

impl Default for Scale {
    /// The second demo: every page has something to show, a few thousand events.
    fn default() -> Self {
        Scale {
            donors: 40,
            gifts_per_year: 2,
            programs: 15,
            activities_per_year: 10,
            groups: 12,
        }
    }
}

impl Scale {
    /// A ledger of about `events` events, shaped like a real one: from 200,000 up, 200 programs
    /// and 40 activities a year (1,000 over the 25 years), and as many donors as it takes to fill
    /// the rest with receipts.
    pub fn for_events(events: usize) -> Scale {
        let small = Scale::default();
        if events <= estimate(&small) {
            return small;
        }
        let mut scale = Scale {
            donors: 0,
            gifts_per_year: 4,
            programs: (events / 1000).clamp(small.programs, 200),
            activities_per_year: (events / 5000).clamp(small.activities_per_year, 40),
            groups: (events / 5000).clamp(small.groups, 60),
        };
        let without_donors = estimate(&scale);
        scale.donors = events.saturating_sub(without_donors) / per_donor(&scale);
        scale
    }
}

/// Events a donor brings: registration, gifts over the years they give (they start evenly over
/// the span, so 13 of its 25 years on average), and dues from one donor in four.
fn per_donor(scale: &Scale) -> usize {
    let active = (LAST_YEAR - FIRST_YEAR + 2) as usize / 2;
    1 + scale.gifts_per_year * active + active / 4
}

/// Roughly how many events a scale gives (exact is [`commands`]`.len()`).
pub fn estimate(scale: &Scale) -> usize {
    let years = (LAST_YEAR - FIRST_YEAR + 1) as usize;
    30 + scale.groups
        + scale.programs * (2 + 2 * years / 2)
        + scale.activities_per_year * years
        + scale.donors * per_donor(scale)
}

/// SplitMix64: small, fast and the same everywhere (the domain takes no random crate).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

fn day(year: i32, month: u32, d: u32) -> Date {
    Date::from_ymd(year, month, d).unwrap_or_else(Date::first)
}

/// A day of fiscal year `fy`: `offset` days after April 1 (0..=364).
fn in_year(fy: FiscalYear, offset: usize) -> Date {
    fy.first_day().plus_days(offset.min(364) as i64)
}

fn fy(year: i32) -> FiscalYear {
    FiscalYear::new(year).unwrap_or(FiscalYear::first())
}

fn partner(id: &str) -> PartnerId {
    PartnerId::new(id).unwrap_or_else(|_| PartnerId::new("invalid").expect("a valid id"))
}

fn id<T>(make: impl Fn(String) -> Result<T, crate::ids::InvalidId>, text: String) -> T {
    make(text).unwrap_or_else(|_| make("invalid".into()).expect("a valid id"))
}

const PREF: &str = "hikari-pref";
const CITY: &str = "minato-city";
/// Departments that commission work: (id, name, parent).
const DEPARTMENTS: [(&str, &str, &str); 6] = [
    ("hikari-welfare", "ひかり県福祉部障害福祉課", PREF),
    ("hikari-education", "ひかり県教育委員会", PREF),
    ("hikari-regional", "ひかり県地域振興課", PREF),
    ("minato-civic", "みなと市市民協働推進課", CITY),
    ("minato-intl", "みなと市国際交流課", CITY),
    ("minato-elderly", "みなと市高齢者支援課", CITY),
];
const FOUNDATIONS: [(&str, &str); 3] = [
    ("aozora-fdn", "あおぞら財団"),
    ("komorebi-fund", "こもれび基金"),
    ("mirai-kyoso", "未来共創財団"),
];
const SHAKYO: &str = "minato-shakyo";

struct Builder {
    out: Vec<Command>,
    rng: Random,
    receipts: usize,
    activities: usize,
}

impl Builder {
    fn record(&mut self, on: Date, fact: Fact) {
        self.out.push(Command::Record { on, fact, note: None });
    }

    fn noted(&mut self, on: Date, fact: Fact, note: &str) {
        self.out.push(Command::Record {
            on,
            fact,
            note: Some(note.to_owned()),
        });
    }

    fn receipt(&mut self, year: FiscalYear) -> ReceiptId {
        self.receipts += 1;
        id(ReceiptId::new, format!("r{}-{:06}", year.year(), self.receipts))
    }

    fn activity(&mut self, year: FiscalYear) -> ActivityId {
        self.activities += 1;
        id(
            ActivityId::new,
            format!("a{}-{:05}", year.year(), self.activities),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn funds(
        &mut self,
        on: Date,
        year: FiscalYear,
        kind: FundKind,
        payer: Payer,
        amount: i64,
        program: Option<ProgramId>,
        restricted: bool,
    ) -> ReceiptId {
        let receipt = self.receipt(year);
        self.record(
            on,
            Fact::FundsReceived {
                receipt: receipt.clone(),
                kind,
                payer,
                amount: Yen::new(amount),
                fiscal_year: year,
                program,
                restricted,
            },
        );
        receipt
    }
}

/// One program of the example: what it is and when it runs.
struct Plan {
    id: ProgramId,
    name: String,
    pillar: Pillar,
    stage: SpiralStage,
    beneficiaries: Vec<Beneficiary>,
    parent: Option<usize>,
    first: i32,
    last: i32,
    commissioner: usize,
}

const THEMES: [(&str, Beneficiary); 8] = [
    ("障害のある人の就労支援", Beneficiary::DisabledPeople),
    (
        "外国にルーツのある子どもの学習支援",
        Beneficiary::ForeignResidents,
    ),
    ("高齢者の居場所づくり", Beneficiary::Elderly),
    ("子ども食堂ネットワーク", Beneficiary::Children),
    ("市民活動団体の立ち上げ相談", Beneficiary::CitizenGroups),
    ("多文化共生の地域づくり", Beneficiary::ForeignResidents),
    ("障害者のICT講座", Beneficiary::DisabledPeople),
    ("NPOの広報力講座", Beneficiary::CitizenGroups),
];

fn plans(scale: &Scale, rng: &mut Random) -> Vec<Plan> {
    let span = LAST_YEAR - FIRST_YEAR;
    (0..scale.programs)
        .map(|i| {
            let (theme, beneficiary) = THEMES[i % THEMES.len()];
            let pillar = [Pillar::Collaboration, Pillar::CivicSupport, Pillar::SelfInitiated][i % 3];
            // Programs start over the first twenty years; every fourth grows out of an earlier one.
            let first = FIRST_YEAR + (i as i32 * 20 / scale.programs.max(1) as i32).min(span);
            let parent = (i >= 4 && i % 4 == 0).then(|| i - 3);
            let length = 3 + rng.below(12) as i32;
            let last = if i % 5 == 2 {
                (first + length).min(LAST_YEAR)
            } else {
                LAST_YEAR
            };
            Plan {
                id: id(ProgramId::new, format!("p{:03}", i + 1)),
                name: format!("{theme}（第{}期）", i / THEMES.len() + 1),
                pillar,
                stage: SpiralStage::try_from((i % 9 + 1) as u8).unwrap_or(SpiralStage::PARTICIPATION),
                beneficiaries: vec![beneficiary],
                parent,
                first,
                last,
                commissioner: i % DEPARTMENTS.len(),
            }
        })
        .collect()
}

/// The example's commands in the order they are recorded.
pub fn commands(scale: &Scale) -> Vec<Command> {
    let mut b = Builder {
        out: Vec::new(),
        rng: Random(0x5EED_0001),
        receipts: 0,
        activities: 0,
    };
    let start = fy(FIRST_YEAR).first_day();
    // --- who the NPO works with ---
    for (gov, name) in [(PREF, "ひかり県"), (CITY, "みなと市")] {
        b.record(
            start,
            Fact::PartnerRegistered {
                partner: partner(gov),
                name: name.into(),
                kind: PartnerKind::GovernmentBody,
                parent: None,
            },
        );
    }
    for (dept, name, parent) in DEPARTMENTS {
        b.record(
            start,
            Fact::PartnerRegistered {
                partner: partner(dept),
                name: name.into(),
                kind: PartnerKind::Department,
                parent: Some(partner(parent)),
            },
        );
    }
    b.record(
        start,
        Fact::PartnerRegistered {
            partner: partner(SHAKYO),
            name: "みなと市社会福祉協議会".into(),
            kind: PartnerKind::AffiliatedBody,
            parent: None,
        },
    );
    for (fdn, name) in FOUNDATIONS {
        b.record(
            start,
            Fact::PartnerRegistered {
                partner: partner(fdn),
                name: name.into(),
                kind: PartnerKind::Foundation,
                parent: None,
            },
        );
    }
    for (other, name, kind) in [
        ("minato-univ", "みなと大学", PartnerKind::University),
        ("umikaze-denki", "うみかぜ電機株式会社", PartnerKind::Company),
    ] {
        b.record(
            start,
            Fact::PartnerRegistered {
                partner: partner(other),
                name: name.into(),
                kind,
                parent: None,
            },
        );
    }
    let groups: Vec<PartnerId> = (0..scale.groups)
        .map(|i| id(PartnerId::new, format!("group-{:03}", i + 1)))
        .collect();
    for (i, group) in groups.iter().enumerate() {
        b.record(
            start.plus_days(i as i64),
            Fact::PartnerRegistered {
                partner: group.clone(),
                name: format!("市民団体「みなとの輪{}」", i + 1),
                kind: PartnerKind::CitizenGroup,
                parent: None,
            },
        );
    }
    let plans = plans(scale, &mut b.rng);
    let donors: Vec<DonorId> = (0..scale.donors)
        .map(|i| id(DonorId::new, format!("donor-{:05}", i + 1)))
        .collect();
    // Each donor's first year of giving, spread over the span.
    let donor_start: Vec<i32> = (0..scale.donors)
        .map(|_| FIRST_YEAR + b.rng.below((LAST_YEAR - FIRST_YEAR + 1) as usize) as i32)
        .collect();
    let mut proposals: Vec<(ActivityId, i32)> = Vec::new();
    let mut restricted: Vec<(ReceiptId, i32, i64)> = Vec::new();

    for year in FIRST_YEAR..=LAST_YEAR {
        let fy = fy(year);
        // --- departments change names and merge ---
        if year == 2010 {
            b.noted(
                day(2010, 4, 1),
                Fact::PartnerRenamed {
                    partner: partner("hikari-welfare"),
                    name: "ひかり県健康福祉部障害者支援課".into(),
                },
                "組織改編",
            );
        }
        if year == 2016 {
            b.noted(
                day(2016, 4, 1),
                Fact::PartnerMerged {
                    partner: partner("minato-intl"),
                    successor: partner("minato-civic"),
                },
                "国際交流課は市民協働推進課に統合",
            );
        }
        // --- programs begin, are contracted, funded and end ---
        for (i, plan) in plans.iter().enumerate() {
            if year == plan.first {
                let fact = match plan.parent {
                    Some(parent) if plans[parent].first <= year && plans[parent].last >= year => {
                        Fact::ProgramSpunOff {
                            program: plan.id.clone(),
                            parent: plans[parent].id.clone(),
                            name: plan.name.clone(),
                            pillar: plan.pillar,
                            beneficiaries: plan.beneficiaries.clone(),
                            stage: plan.stage,
                        }
                    }
                    _ => Fact::ProgramLaunched {
                        program: plan.id.clone(),
                        name: plan.name.clone(),
                        pillar: plan.pillar,
                        beneficiaries: plan.beneficiaries.clone(),
                        stage: plan.stage,
                    },
                };
                b.record(in_year(fy, i % 30), fact);
            }
            if year < plan.first || year > plan.last {
                continue;
            }
            let commissioner = effective_commissioner(plan.commissioner, year);
            match plan.pillar {
                Pillar::Collaboration => {
                    let amount = 1_000_000 + 100_000 * b.rng.below(40) as i64;
                    let contract = Contract {
                        fiscal_year: fy,
                        commissioners: vec![partner(commissioner)],
                        scheme: (i % 4 == 0).then(|| format!("{}年度 市民協働提案事業", year)),
                        amount: Some(Yen::new(amount)),
                    };
                    let fact = if year == plan.first {
                        Fact::ContractAwarded {
                            program: plan.id.clone(),
                            contract,
                        }
                    } else {
                        Fact::ContractRenewed {
                            program: plan.id.clone(),
                            contract,
                        }
                    };
                    b.record(in_year(fy, i % 30 + 1), fact);
                    b.funds(
                        in_year(fy, 60 + i % 60),
                        fy,
                        FundKind::CommissionFee,
                        Payer::Partner(partner(commissioner)),
                        amount,
                        Some(plan.id.clone()),
                        false,
                    );
                }
                Pillar::CivicSupport => {
                    let amount = 300_000 + 50_000 * b.rng.below(10) as i64;
                    b.funds(
                        in_year(fy, 90 + i % 60),
                        fy,
                        FundKind::Subsidy,
                        Payer::Partner(partner(CITY)),
                        amount,
                        Some(plan.id.clone()),
                        false,
                    );
                }
                Pillar::SelfInitiated => {
                    let (foundation, _) = FOUNDATIONS[(i + year as usize) % FOUNDATIONS.len()];
                    let amount = 500_000 + 100_000 * b.rng.below(15) as i64;
                    // Every other grant is restricted to the program and spent over two years.
                    let is_restricted = (i + year as usize).is_multiple_of(2);
                    let receipt = b.funds(
                        in_year(fy, 30 + i % 60),
                        fy,
                        FundKind::Grant,
                        Payer::Partner(partner(foundation)),
                        amount,
                        Some(plan.id.clone()),
                        is_restricted,
                    );
                    if is_restricted {
                        restricted.push((receipt, year, amount));
                    }
                    let fees = 50_000 + 10_000 * b.rng.below(20) as i64;
                    b.funds(
                        in_year(fy, 200 + i % 100),
                        fy,
                        FundKind::EarnedRevenue,
                        Payer::Anonymous,
                        fees,
                        Some(plan.id.clone()),
                        false,
                    );
                }
            }
            if year == plan.last && year < LAST_YEAR {
                b.record(
                    fy.last_day(),
                    Fact::ProgramConcluded {
                        program: plan.id.clone(),
                    },
                );
            }
        }
        // --- restricted grants are spent: 60% the year received, the rest the next ---
        for (receipt, received, amount) in &restricted {
            let share = if *received == year {
                amount * 6 / 10
            } else if *received + 1 == year {
                amount - amount * 6 / 10
            } else {
                continue;
            };
            b.record(
                fy.last_day(),
                Fact::FundsSpent {
                    receipt: receipt.clone(),
                    fiscal_year: fy,
                    amount: Yen::new(share),
                },
            );
        }
        restricted.retain(|(_, received, _)| *received >= year);
        // --- the spiral's activities ---
        let running: Vec<&Plan> = plans
            .iter()
            .filter(|p| p.first <= year && p.last >= year)
            .collect();
        for k in 0..scale.activities_per_year {
            let on = in_year(fy, 20 + k * 340 / scale.activities_per_year.max(1));
            let program = (!running.is_empty()).then(|| running[b.rng.below(running.len())].id.clone());
            let activity = b.activity(fy);
            let participants = vec![
                Participation {
                    sector: Sector::Npo,
                    count: 3 + b.rng.below(10) as u32,
                },
                Participation {
                    sector: b.rng.pick(&[
                        Sector::Government,
                        Sector::Residents,
                        Sector::PeopleConcerned,
                        Sector::Experts,
                    ]),
                    count: 2 + b.rng.below(8) as u32,
                },
            ];
            let gathering = |title: String| Gathering {
                activity: activity.clone(),
                title,
                program: program.clone(),
                participants: participants.clone(),
            };
            let fact = match k % 8 {
                0 => Fact::RoundtableHeld(gathering(format!("{year}年度 NPO・議会・行政の円卓会議"))),
                1 => Fact::WorkingGroupFormed(gathering(format!("{year}年度 課題解決ワーキンググループ"))),
                2 => Fact::StakeholderCouncilHeld(gathering(format!("{year}年度 当事者による企画運営会議"))),
                3 => Fact::NeedsSurveyConducted(gathering(format!("{year}年度 地域ニーズ調査"))),
                4 => {
                    Fact::CommercialisationCommitteeFormed(gathering(format!("{year}年度 事業化検討委員会")))
                }
                5 if !groups.is_empty() => Fact::CivicGroupConsulted {
                    activity: activity.clone(),
                    group: groups[b.rng.below(groups.len())].clone(),
                    topic: "団体の立ち上げと運営についての相談".into(),
                    program: program.clone(),
                },
                6 => {
                    proposals.push((activity.clone(), year));
                    Fact::PolicyProposed {
                        activity: activity.clone(),
                        title: format!("{year}年度 政策提案「誰もが参加できる地域づくり」"),
                        addressed_to: vec![partner(effective_commissioner(k, year))],
                        program: program.clone(),
                    }
                }
                _ => Fact::RoundtableHeld(gathering(format!("{year}年度 地域円卓会議（第{}回）", k + 1))),
            };
            b.record(on, fact);
        }
        // Proposals of the year before: every other one is adopted.
        for (n, (activity, proposed)) in proposals.iter().filter(|(_, y)| *y + 1 == year).enumerate() {
            if n % 2 == 0 {
                b.record(
                    in_year(fy, 180),
                    Fact::PolicyAdopted {
                        activity: activity.clone(),
                        by: partner(effective_commissioner(*proposed as usize, year)),
                    },
                );
            }
        }
        // --- donors: registered the year they first give, then several gifts a year ---
        for (i, donor) in donors.iter().enumerate() {
            if donor_start[i] > year {
                continue;
            }
            if donor_start[i] == year {
                b.record(
                    in_year(fy, i % 200),
                    Fact::DonorRegistered {
                        donor: donor.clone(),
                        household: (i % 7 == 3)
                            .then(|| id(HouseholdId::new, format!("household-{:05}", i / 7))),
                        officer: i % 97 == 5,
                        certified_npo: i % 211 == 17,
                        identified: i % 13 != 0,
                    },
                );
            }
            for g in 0..scale.gifts_per_year {
                let offset = 200 + (i * 7 + g * 83) % 160;
                let amount = b.rng.pick(&[
                    500, 1_000, 1_000, 3_000, 3_000, 5_000, 10_000, 10_000, 30_000, 100_000,
                ]);
                b.funds(
                    in_year(fy, offset),
                    fy,
                    FundKind::Donation,
                    Payer::Donor(donor.clone()),
                    amount,
                    None,
                    false,
                );
            }
            // Regular members pay their dues once a year; supporting members (賛助会員) too.
            if i % 4 == 0 {
                b.funds(
                    in_year(fy, 30),
                    fy,
                    FundKind::MemberDues,
                    Payer::Donor(donor.clone()),
                    3_000,
                    None,
                    false,
                );
            } else if i % 8 == 3 {
                b.funds(
                    in_year(fy, 45),
                    fy,
                    FundKind::SupportingDues,
                    Payer::Donor(donor.clone()),
                    10_000,
                    None,
                    false,
                );
            }
        }
        // Anonymous gifts at events, a corporate gift, interest.
        for k in 0..3 {
            let amount = 1_000 * (1 + b.rng.below(20) as i64);
            b.funds(
                in_year(fy, 100 + k * 80),
                fy,
                FundKind::Donation,
                Payer::Anonymous,
                amount,
                None,
                false,
            );
        }
        if year % 3 == 0 {
            b.funds(
                in_year(fy, 250),
                fy,
                FundKind::Donation,
                Payer::Partner(partner("umikaze-denki")),
                200_000,
                None,
                false,
            );
        }
        let interest = 100 + b.rng.below(900) as i64;
        b.funds(
            fy.last_day(),
            fy,
            FundKind::Other,
            Payer::Anonymous,
            interest,
            None,
            false,
        );
    }
    corrections(&mut b);
    profiles(&mut b, start);
    b.out
}

/// The NPO's own profile: founded in the first year, moved and certified (認定) in 2021, so
/// that gifts before and after the 認定日 can be told apart.
fn profiles(b: &mut Builder, founded: Date) {
    use crate::events::{Certification, OrganisationProfile};
    let name = "特定非営利活動法人ひかり市民活動ネットワーク";
    b.record(
        founded,
        Fact::OrganisationProfiled(OrganisationProfile {
            name: name.into(),
            address: "ひかり県みなと市本町1-2-3".into(),
            certification: None,
        }),
    );
    let certified_on = Date::from_ymd(2021, 6, 15).unwrap_or(founded);
    b.record(
        certified_on,
        Fact::OrganisationProfiled(OrganisationProfile {
            name: name.into(),
            address: "ひかり県みなと市港町4-5-6 みなと市民活動センター2階".into(),
            certification: Some(Certification {
                number: "ひかり県指令市第21-15号".into(),
                certified_on,
            }),
        }),
    );
}

/// The commissioner a program's contracts come from in `year`: the merged department's
/// successor after the merger.
fn effective_commissioner(index: usize, year: i32) -> &'static str {
    let (dept, _, _) = DEPARTMENTS[index % DEPARTMENTS.len()];
    if dept == "minato-intl" && year >= 2016 {
        "minato-civic"
    } else {
        dept
    }
}

/// Mistakes found later and fixed the ledger's way: a contract's amount corrected, a receipt
/// recorded twice retracted, an activity's title corrected — each with its reason.
fn corrections(b: &mut Builder) {
    let mut amended = 0;
    let mut corrections = Vec::new();
    for command in &b.out {
        let Command::Record { on, fact, .. } = command else {
            continue;
        };
        let stream = fact.subject().stream();
        match fact {
            Fact::ContractRenewed { program, contract } if amended % 3 == 0 && contract.amount.is_some() => {
                let mut fixed = contract.clone();
                fixed.amount = contract.amount.map(|a| Yen::new(a.value() + 50_000));
                corrections.push((
                    stream,
                    1,
                    *on,
                    Some(Fact::ContractRenewed {
                        program: program.clone(),
                        contract: fixed,
                    }),
                    "契約変更により増額",
                ));
                amended += 1;
            }
            Fact::ContractRenewed { .. } => amended += 1,
            Fact::FundsReceived {
                kind: FundKind::Donation,
                payer: Payer::Anonymous,
                ..
            } if corrections.len() < 4 => {
                corrections.push((stream, 1, *on, None, "同じ寄付を二重に記録していた"));
            }
            _ => {}
        }
        if corrections.len() >= 6 {
            break;
        }
    }
    for (stream, _, on, fact, reason) in corrections {
        // The stream's own sequence of the fact: its first event for a receipt, found by
        // counting the program's events for a contract.
        let target = b
            .out
            .iter()
            .filter_map(|c| match c {
                Command::Record { fact, on: at, .. } if fact.subject().stream() == stream => {
                    Some((*at, fact.clone()))
                }
                _ => None,
            })
            .position(|(at, f)| {
                at == on
                    && fact
                        .as_ref()
                        .is_none_or(|wanted| wanted.type_name() == f.type_name())
            })
            .map_or(1, |p| p as u64 + 1);
        b.out.push(match fact {
            Some(fact) => Command::Correct {
                stream,
                target,
                on,
                fact,
                reason: reason.into(),
            },
            None => Command::Retract {
                stream,
                target,
                reason: reason.into(),
            },
        });
    }
}

/// The example decided through the rules, in memory, as `spiral demo --example` records it.
pub fn recorded(scale: &Scale, recorded_at: chrono::DateTime<chrono::Utc>) -> Vec<crate::Recorded> {
    crate::demo::record_in_memory(commands(scale), ACTOR, recorded_at).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_of_the_example_keeps_the_rules() {
        let at = "2026-11-28T09:00:00Z".parse().unwrap();
        let (events, refused) = crate::demo::record_in_memory(commands(&Scale::default()), ACTOR, at);
        assert_eq!(refused, Vec::<String>::new());
        assert!(events.len() > 1500, "{}", events.len());
        let kinds: std::collections::BTreeSet<&str> =
            events.iter().map(|e| e.event.entry.type_name()).collect();
        // The vault's records stand for sealed details the example does not have: they are
        // made by the server's vault alone. Certificates are addressed with those details, so
        // the example has none either (tests/certificates.rs issues them).
        let vault_records = [
            "DonorDetailsRecorded",
            "DonorErasureRequested",
            "DonorDetailsErased",
            "CertificateIssued",
            "CertificateVoided",
        ];
        for kind in crate::events::FACT_VARIANTS
            .iter()
            .filter(|kind| !vault_records.contains(kind))
            .chain(["Corrected", "Retracted"].iter())
        {
            assert!(kinds.contains(kind), "the example has no {kind}");
        }
    }

    #[test]
    fn a_larger_scale_is_mostly_receipts() {
        let scale = Scale::for_events(200_000);
        assert_eq!(scale.programs, 200);
        assert_eq!(scale.activities_per_year * 25, 1000);
        let commands = commands(&scale);
        let receipts = commands
            .iter()
            .filter(|c| {
                matches!(
                    c,
                    Command::Record {
                        fact: Fact::FundsReceived { .. },
                        ..
                    }
                )
            })
            .count();
        assert!((170_000..230_000).contains(&commands.len()), "{}", commands.len());
        assert!(
            receipts * 10 > commands.len() * 9,
            "{receipts} of {}",
            commands.len()
        );
    }
}
