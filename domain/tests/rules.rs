//! Every rule a command must keep, as given/when/then: the events already in a subject's stream,
//! the command, and the events it appends or the error it is refused with.
//!
//! The directory of other subjects is a fixed list here, as the server's projection would be.

#![cfg(feature = "aggregate")]

use cqrs_es::test::TestFramework;
use domain::directory::{Directory, PartnerInfo, ProgramInfo};
use domain::events::Entry;
use domain::events::{Contract, Gathering, Participation};
use domain::funds::{FundKind, Payer};
use domain::ids::{ActivityId, DonorId, InvalidId, PartnerId, ProgramId, ReceiptId};
use domain::money::MoneyError;
use domain::partner::{PartnerKind, Sector};
use domain::program::{Beneficiary, Pillar, SpiralStage};
use domain::{Command, Date, DomainError, Fact, FiscalYear, LedgerEvent, Subject, Yen};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// The directory: what the rules may know about subjects outside the stream under test.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct TestDirectory {
    programs: HashMap<ProgramId, Date>,
    partners: HashMap<PartnerId, PartnerKind>,
    donors: HashSet<DonorId>,
}

impl Directory for TestDirectory {
    fn program(&self, id: &ProgramId) -> Option<ProgramInfo> {
        self.programs
            .get(id)
            .map(|&launched_on| ProgramInfo { launched_on })
    }

    fn partner(&self, id: &PartnerId) -> Option<PartnerInfo> {
        self.partners.get(id).map(|&kind| PartnerInfo { kind })
    }

    fn donor(&self, id: &DonorId) -> bool {
        self.donors.contains(id)
    }
}

/// The other subjects every test may refer to. `pc-course` (the program most tests record
/// against) is deliberately absent: contract rules must answer from the stream itself.
fn directory() -> TestDirectory {
    let mut dir = TestDirectory::default();
    dir.programs.insert(program("anma-river"), d(2001, 4, 1));
    for (id, kind) in [
        ("shizuoka-pref", PartnerKind::GovernmentBody),
        ("dept-a", PartnerKind::Department),
        ("dept-b", PartnerKind::Department),
        ("dept-c", PartnerKind::Department),
        ("successor-dept", PartnerKind::Department),
        ("welfare-council", PartnerKind::AffiliatedBody),
        ("toyota-foundation", PartnerKind::Foundation),
        ("citizen-group", PartnerKind::CitizenGroup),
    ] {
        dir.partners.insert(partner(id), kind);
    }
    dir.donors.insert(donor("donor-17"));
    dir
}

fn framework() -> TestFramework<Subject> {
    let dir: Arc<dyn Directory> = Arc::new(directory());
    TestFramework::with(dir)
}

// ---------------------------------------------------------------------------------------------
// Builders, so each test reads as the facts it is about.
// ---------------------------------------------------------------------------------------------

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn fy(year: i32) -> FiscalYear {
    FiscalYear::new(year).unwrap()
}

fn program(id: &str) -> ProgramId {
    ProgramId::new(id).unwrap()
}

fn partner(id: &str) -> PartnerId {
    PartnerId::new(id).unwrap()
}

fn activity(id: &str) -> ActivityId {
    ActivityId::new(id).unwrap()
}

fn receipt(id: &str) -> ReceiptId {
    ReceiptId::new(id).unwrap()
}

fn donor(id: &str) -> DonorId {
    DonorId::new(id).unwrap()
}

fn ev(on: Date, entry: impl Into<Entry>) -> LedgerEvent {
    LedgerEvent {
        on,
        entry: entry.into(),
    }
}

fn record(on: Date, fact: Fact) -> Command {
    Command::record(on, fact)
}

const PC: &str = "pc-course";
const PC_STREAM: &str = "program:pc-course";

fn launched(id: &str) -> Fact {
    Fact::ProgramLaunched {
        program: program(id),
        name: "西部地域障害児(者)就労支援パソコン講座".into(),
        pillar: Pillar::Collaboration,
        beneficiaries: vec![Beneficiary::DisabledPeople, Beneficiary::Children],
        stage: SpiralStage::PARTICIPATION,
    }
}

fn spun_off(id: &str, parent: &str) -> Fact {
    Fact::ProgramSpunOff {
        program: program(id),
        parent: program(parent),
        name: "バーチャル工房支援事業".into(),
        pillar: Pillar::Collaboration,
        beneficiaries: vec![Beneficiary::DisabledPeople],
        stage: SpiralStage::PIONEERING,
    }
}

fn contract(year: i32, commissioners: &[&str]) -> Contract {
    Contract {
        fiscal_year: fy(year),
        commissioners: commissioners.iter().map(|c| partner(c)).collect(),
        scheme: None,
        amount: None,
    }
}

fn award(year: i32, commissioners: &[&str]) -> Fact {
    Fact::ContractAwarded {
        program: program(PC),
        contract: contract(year, commissioners),
    }
}

fn renew(year: i32, commissioners: &[&str]) -> Fact {
    Fact::ContractRenewed {
        program: program(PC),
        contract: contract(year, commissioners),
    }
}

fn with_amount(year: i32, yen: i64) -> Fact {
    let mut c = contract(year, &["dept-a"]);
    c.amount = Some(Yen::new(yen));
    Fact::ContractAwarded {
        program: program(PC),
        contract: c,
    }
}

fn concluded() -> Fact {
    Fact::ProgramConcluded { program: program(PC) }
}

/// `pc-course` launched on 2001-04-01: the first event of most program streams below.
fn pc_launched() -> LedgerEvent {
    ev(d(2001, 4, 1), launched(PC))
}

fn registered(id: &str, name: &str) -> Fact {
    Fact::PartnerRegistered {
        partner: partner(id),
        name: name.into(),
        kind: PartnerKind::Department,
        parent: Some(partner("shizuoka-pref")),
    }
}

fn renamed(id: &str, name: &str) -> Fact {
    Fact::PartnerRenamed {
        partner: partner(id),
        name: name.into(),
    }
}

fn merged(id: &str, successor: &str) -> Fact {
    Fact::PartnerMerged {
        partner: partner(id),
        successor: partner(successor),
    }
}

fn gathering(id: &str, program: Option<&str>, counts: &[(Sector, u32)]) -> Gathering {
    Gathering {
        activity: activity(id),
        title: "障害者就労 円卓会議".into(),
        program: program.map(self::program),
        participants: counts
            .iter()
            .map(|&(sector, count)| Participation { sector, count })
            .collect(),
    }
}

fn proposed(id: &str) -> Fact {
    Fact::PolicyProposed {
        activity: activity(id),
        title: "ジョブコーチ制度の県予算化".into(),
        addressed_to: vec![partner("shizuoka-pref")],
        program: Some(program("anma-river")),
    }
}

fn adopted(id: &str, by: &str) -> Fact {
    Fact::PolicyAdopted {
        activity: activity(id),
        by: partner(by),
    }
}

fn funds(payer: Payer, yen: i64) -> Fact {
    Fact::FundsReceived {
        receipt: receipt("r-2006-001"),
        kind: FundKind::Grant,
        payer,
        amount: Yen::new(yen),
        fiscal_year: fy(2006),
        program: Some(program("anma-river")),
        restricted: true,
    }
}

fn correct(target: u64, on: Date, fact: Fact, reason: &str) -> Command {
    Command::Correct {
        stream: PC_STREAM.into(),
        target,
        on,
        fact,
        reason: reason.into(),
    }
}

fn retract(target: u64, reason: &str) -> Command {
    Command::Retract {
        stream: PC_STREAM.into(),
        target,
        reason: reason.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Programs: launch, spin-off, conclusion.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_program_is_launched() {
    framework()
        .given_no_previous_events()
        .when(record(d(2001, 4, 1), launched(PC)))
        .then_expect_events(vec![ev(d(2001, 4, 1), launched(PC))]);
}

#[test]
fn a_program_cannot_be_launched_twice() {
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2002, 4, 1), launched(PC)))
        .then_expect_error(DomainError::AlreadyRecorded {
            subject: "program pc-course".into(),
        });
}

#[test]
fn a_program_is_spun_off_from_a_known_parent() {
    framework()
        .given_no_previous_events()
        .when(record(d(2006, 4, 1), spun_off("pocket-kobo", "anma-river")))
        .then_expect_events(vec![ev(d(2006, 4, 1), spun_off("pocket-kobo", "anma-river"))]);
}

#[test]
fn a_spin_off_needs_a_parent_that_exists() {
    framework()
        .given_no_previous_events()
        .when(record(d(2006, 4, 1), spun_off("pocket-kobo", "no-such-program")))
        .then_expect_error(DomainError::UnknownProgram(program("no-such-program")));
}

#[test]
fn a_program_cannot_be_spun_off_from_itself() {
    framework()
        .given_no_previous_events()
        .when(record(d(2006, 4, 1), spun_off("anma-river", "anma-river")))
        .then_expect_error(DomainError::SelfReference { what: "a spin-off" });
}

#[test]
fn a_spin_off_cannot_start_before_its_parent() {
    // anma-river launched 2001-04-01 in the directory.
    framework()
        .given_no_previous_events()
        .when(record(d(2001, 3, 31), spun_off("pocket-kobo", "anma-river")))
        .then_expect_error(DomainError::EndBeforeStart {
            start: d(2001, 4, 1),
            end: d(2001, 3, 31),
        });
}

#[test]
fn a_spin_off_cannot_reuse_an_existing_program_id() {
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2006, 4, 1), spun_off(PC, "anma-river")))
        .then_expect_error(DomainError::AlreadyRecorded {
            subject: "program pc-course".into(),
        });
}

#[test]
fn a_program_is_concluded() {
    framework()
        .given(vec![pc_launched(), ev(d(2001, 4, 1), award(2001, &["dept-a"]))])
        .when(record(d(2002, 3, 31), concluded()))
        .then_expect_events(vec![ev(d(2002, 3, 31), concluded())]);
}

#[test]
fn a_program_cannot_conclude_before_it_was_launched() {
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 3, 31), concluded()))
        .then_expect_error(DomainError::EndBeforeStart {
            start: d(2001, 4, 1),
            end: d(2001, 3, 31),
        });
}

#[test]
fn a_program_concludes_only_once() {
    framework()
        .given(vec![pc_launched(), ev(d(2002, 3, 31), concluded())])
        .when(record(d(2003, 3, 31), concluded()))
        .then_expect_error(DomainError::AlreadyConcluded {
            program: program(PC),
            concluded_on: d(2002, 3, 31),
        });
}

#[test]
fn an_unlaunched_program_cannot_conclude() {
    framework()
        .given_no_previous_events()
        .when(record(d(2002, 3, 31), concluded()))
        .then_expect_error(DomainError::UnknownProgram(program(PC)));
}

#[test]
fn a_program_cannot_conclude_before_a_fiscal_year_it_holds_a_contract_for() {
    // The mirror of "a concluded program takes no later contract": whichever of the two is
    // recorded first, the ledger must not end up with a contract for a year after the end.
    framework()
        .given(vec![
            pc_launched(),
            ev(d(2001, 4, 1), award(2001, &["dept-a"])),
            ev(d(2002, 4, 1), renew(2002, &["dept-a"])),
        ])
        .when(record(d(2002, 3, 31), concluded()))
        .then_expect_error(DomainError::ProgramHasConcluded {
            program: program(PC),
            concluded_on: d(2002, 3, 31),
            fiscal_year: fy(2002),
        });
}

#[test]
fn a_conclusion_cannot_be_corrected_to_before_a_contracts_year() {
    framework()
        .given(vec![
            pc_launched(),
            ev(d(2001, 4, 1), award(2001, &["dept-a"])),
            ev(d(2002, 4, 1), renew(2002, &["dept-a"])),
            ev(d(2003, 3, 31), concluded()),
        ])
        .when(correct(4, d(2002, 3, 31), concluded(), "ended a year earlier"))
        .then_expect_error(DomainError::ProgramHasConcluded {
            program: program(PC),
            concluded_on: d(2002, 3, 31),
            fiscal_year: fy(2002),
        });
}

// ---------------------------------------------------------------------------------------------
// Contracts.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_contract_is_awarded() {
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 4, 1), award(2001, &["dept-a"])))
        .then_expect_events(vec![ev(d(2001, 4, 1), award(2001, &["dept-a"]))]);
}

#[test]
fn a_contract_with_scheme_and_amount_is_kept_whole() {
    let mut c = contract(2004, &["dept-a"]);
    c.scheme = Some("16年度市民協働 たねからみのり".into());
    c.amount = Some(Yen::new(1_200_000));
    let fact = Fact::ContractAwarded {
        program: program(PC),
        contract: c,
    };
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2004, 4, 1), fact.clone()))
        .then_expect_events(vec![ev(d(2004, 4, 1), fact)]);
}

#[test]
fn a_contract_needs_a_launched_program() {
    framework()
        .given_no_previous_events()
        .when(record(d(2001, 4, 1), award(2001, &["dept-a"])))
        .then_expect_error(DomainError::UnknownProgram(program(PC)));
}

#[test]
fn a_concluded_program_takes_no_contract_for_a_later_year() {
    framework()
        .given(vec![
            pc_launched(),
            ev(d(2001, 4, 1), award(2001, &["dept-a"])),
            ev(d(2002, 3, 31), concluded()),
        ])
        .when(record(d(2002, 4, 1), award(2002, &["dept-a"])))
        .then_expect_error(DomainError::ProgramHasConcluded {
            program: program(PC),
            concluded_on: d(2002, 3, 31),
            fiscal_year: fy(2002),
        });
}

#[test]
fn a_contract_for_the_year_a_program_concludes_in_is_allowed() {
    // Concluded mid-year: that fiscal year's contract is still within the program's life.
    framework()
        .given(vec![pc_launched(), ev(d(2002, 9, 30), concluded())])
        .when(record(d(2002, 4, 1), award(2002, &["dept-a"])))
        .then_expect_events(vec![ev(d(2002, 4, 1), award(2002, &["dept-a"]))]);
}

#[test]
fn a_contract_cannot_be_for_a_year_that_ended_before_the_launch() {
    // FY2002 ends 2003-03-31, the day before this launch.
    framework()
        .given(vec![ev(d(2003, 4, 1), launched(PC))])
        .when(record(d(2002, 4, 1), award(2002, &["dept-a"])))
        .then_expect_error(DomainError::ContractBeforeLaunch {
            program: program(PC),
            launched_on: d(2003, 4, 1),
            fiscal_year: fy(2002),
        });
}

#[test]
fn a_contract_for_the_year_a_program_launched_mid_year_is_allowed() {
    framework()
        .given(vec![ev(d(2003, 3, 1), launched(PC))])
        .when(record(d(2002, 4, 1), award(2002, &["dept-a"])))
        .then_expect_events(vec![ev(d(2002, 4, 1), award(2002, &["dept-a"]))]);
}

#[test]
fn one_commissioner_gives_one_contract_per_program_and_year() {
    framework()
        .given(vec![pc_launched(), ev(d(2001, 4, 1), award(2001, &["dept-a"]))])
        .when(record(d(2001, 4, 1), award(2001, &["dept-a"])))
        .then_expect_error(DomainError::DuplicateContract {
            program: program(PC),
            fiscal_year: fy(2001),
            commissioner: partner("dept-a"),
        });
}

#[test]
fn a_joint_contract_sharing_one_commissioner_is_a_duplicate() {
    framework()
        .given(vec![
            pc_launched(),
            ev(d(2001, 4, 1), award(2001, &["dept-a", "dept-b"])),
        ])
        .when(record(d(2001, 4, 1), award(2001, &["dept-c", "dept-b"])))
        .then_expect_error(DomainError::DuplicateContract {
            program: program(PC),
            fiscal_year: fy(2001),
            commissioner: partner("dept-b"),
        });
}

#[test]
fn a_renewal_counts_as_a_contract_for_duplicates() {
    framework()
        .given(vec![
            pc_launched(),
            ev(d(2001, 4, 1), award(2001, &["dept-a"])),
            ev(d(2002, 4, 1), renew(2002, &["dept-a"])),
        ])
        .when(record(d(2002, 4, 1), award(2002, &["dept-a"])))
        .then_expect_error(DomainError::DuplicateContract {
            program: program(PC),
            fiscal_year: fy(2002),
            commissioner: partner("dept-a"),
        });
}

#[test]
fn another_commissioner_may_contract_the_same_program_in_the_same_year() {
    framework()
        .given(vec![pc_launched(), ev(d(2001, 4, 1), award(2001, &["dept-a"]))])
        .when(record(d(2001, 4, 1), award(2001, &["dept-b"])))
        .then_expect_events(vec![ev(d(2001, 4, 1), award(2001, &["dept-b"]))]);
}

#[test]
fn a_renewal_needs_the_previous_years_contract() {
    framework()
        .given(vec![pc_launched(), ev(d(2001, 4, 1), award(2001, &["dept-a"]))])
        .when(record(d(2003, 4, 1), renew(2003, &["dept-a"])))
        .then_expect_error(DomainError::NothingToRenew {
            program: program(PC),
            fiscal_year: fy(2003),
            previous: fy(2002),
        });
}

#[test]
fn a_contract_is_renewed_for_the_next_year() {
    framework()
        .given(vec![pc_launched(), ev(d(2001, 4, 1), award(2001, &["dept-a"]))])
        .when(record(d(2002, 4, 1), renew(2002, &["dept-a"])))
        .then_expect_events(vec![ev(d(2002, 4, 1), renew(2002, &["dept-a"]))]);
}

#[test]
fn a_renewal_may_change_the_commissioner() {
    // A reorganised department renews under its new id: the renewal is of the program's contract.
    framework()
        .given(vec![pc_launched(), ev(d(2001, 4, 1), award(2001, &["dept-a"]))])
        .when(record(d(2002, 4, 1), renew(2002, &["successor-dept"])))
        .then_expect_events(vec![ev(d(2002, 4, 1), renew(2002, &["successor-dept"]))]);
}

#[test]
fn a_contract_needs_a_commissioner() {
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 4, 1), award(2001, &[])))
        .then_expect_error(DomainError::NoCommissioner);
}

#[test]
fn a_commissioner_is_listed_once() {
    framework()
        .given(vec![pc_launched()])
        .when(record(
            d(2001, 4, 1),
            award(2001, &["dept-a", "dept-b", "dept-a"]),
        ))
        .then_expect_error(DomainError::DuplicateCommissioner(partner("dept-a")));
}

#[test]
fn a_commissioner_must_be_a_known_partner() {
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 4, 1), award(2001, &["dept-a", "no-such-dept"])))
        .then_expect_error(DomainError::UnknownPartner(partner("no-such-dept")));
}

#[test]
fn a_foundation_cannot_commission_work() {
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 4, 1), award(2001, &["toyota-foundation"])))
        .then_expect_error(DomainError::NotGovernment {
            partner: partner("toyota-foundation"),
            kind: "財団",
        });
}

#[test]
fn a_citizen_group_cannot_commission_work() {
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 4, 1), award(2001, &["citizen-group"])))
        .then_expect_error(DomainError::NotGovernment {
            partner: partner("citizen-group"),
            kind: "市民活動団体",
        });
}

#[test]
fn government_bodies_and_affiliated_bodies_can_commission_work() {
    // A commission passed through an affiliated body (外郭団体) is still a commission.
    let fact = award(2001, &["shizuoka-pref", "welfare-council"]);
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 4, 1), fact.clone()))
        .then_expect_events(vec![ev(d(2001, 4, 1), fact)]);
}

#[test]
fn a_contract_amount_must_be_positive() {
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 4, 1), with_amount(2001, -500_000)))
        .then_expect_error(DomainError::Money(MoneyError::NotPositive(-500_000)));
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 4, 1), with_amount(2001, 0)))
        .then_expect_error(DomainError::Money(MoneyError::NotPositive(0)));
}

#[test]
fn a_scheme_named_must_not_be_blank() {
    let mut c = contract(2004, &["dept-a"]);
    c.scheme = Some("   ".into());
    framework()
        .given(vec![pc_launched()])
        .when(record(
            d(2004, 4, 1),
            Fact::ContractAwarded {
                program: program(PC),
                contract: c,
            },
        ))
        .then_expect_error(DomainError::EmptyText { field: "scheme" });
}

// ---------------------------------------------------------------------------------------------
// Partners.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_partner_is_registered() {
    framework()
        .given_no_previous_events()
        .when(record(
            d(2001, 4, 1),
            registered("plan-office", "静岡県民生部障害者プラン推進室"),
        ))
        .then_expect_events(vec![ev(
            d(2001, 4, 1),
            registered("plan-office", "静岡県民生部障害者プラン推進室"),
        )]);
}

#[test]
fn a_partner_is_registered_once() {
    framework()
        .given(vec![ev(d(2001, 4, 1), registered("plan-office", "推進室"))])
        .when(record(d(2002, 4, 1), registered("plan-office", "推進室")))
        .then_expect_error(DomainError::AlreadyRecorded {
            subject: "partner plan-office".into(),
        });
}

#[test]
fn a_partners_parent_must_be_known_and_not_itself() {
    let with_parent = |parent: &str| Fact::PartnerRegistered {
        partner: partner("plan-office"),
        name: "推進室".into(),
        kind: PartnerKind::Department,
        parent: Some(self::partner(parent)),
    };
    framework()
        .given_no_previous_events()
        .when(record(d(2001, 4, 1), with_parent("no-such-pref")))
        .then_expect_error(DomainError::UnknownPartner(partner("no-such-pref")));
    framework()
        .given_no_previous_events()
        .when(record(d(2001, 4, 1), with_parent("plan-office")))
        .then_expect_error(DomainError::SelfReference {
            what: "a partner's parent",
        });
}

#[test]
fn a_partner_is_renamed() {
    let new_name = "静岡県健康福祉部障害者支援局障害者政策課";
    framework()
        .given(vec![ev(
            d(2001, 4, 1),
            registered("plan-office", "静岡県民生部障害者プラン推進室"),
        )])
        .when(record(d(2014, 4, 1), renamed("plan-office", new_name)))
        .then_expect_events(vec![ev(d(2014, 4, 1), renamed("plan-office", new_name))]);
}

#[test]
fn a_partner_cannot_be_renamed_before_it_was_registered() {
    framework()
        .given(vec![ev(d(2001, 4, 1), registered("plan-office", "推進室"))])
        .when(record(d(2000, 4, 1), renamed("plan-office", "旧推進室")))
        .then_expect_error(DomainError::EndBeforeStart {
            start: d(2001, 4, 1),
            end: d(2000, 4, 1),
        });
}

#[test]
fn an_unregistered_partner_cannot_be_renamed() {
    framework()
        .given_no_previous_events()
        .when(record(d(2014, 4, 1), renamed("plan-office", "政策課")))
        .then_expect_error(DomainError::UnknownPartner(partner("plan-office")));
}

#[test]
fn a_partner_merged_away_takes_no_more_changes() {
    let history = vec![
        ev(d(2001, 4, 1), registered("plan-office", "推進室")),
        ev(d(2010, 4, 1), merged("plan-office", "successor-dept")),
    ];
    let refusal = DomainError::PartnerMergedAway {
        partner: partner("plan-office"),
        successor: partner("successor-dept"),
        on: d(2010, 4, 1),
    };
    framework()
        .given(history.clone())
        .when(record(d(2014, 4, 1), renamed("plan-office", "政策課")))
        .then_expect_error(refusal.clone());
    framework()
        .given(history)
        .when(record(d(2014, 4, 1), merged("plan-office", "dept-b")))
        .then_expect_error(refusal);
}

#[test]
fn a_rename_dated_before_the_merger_is_still_the_old_departments_history() {
    // Typed in late: the department was renamed in 2005, then merged away in 2010.
    framework()
        .given(vec![
            ev(d(2001, 4, 1), registered("plan-office", "推進室")),
            ev(d(2010, 4, 1), merged("plan-office", "successor-dept")),
        ])
        .when(record(d(2005, 4, 1), renamed("plan-office", "政策室")))
        .then_expect_events(vec![ev(d(2005, 4, 1), renamed("plan-office", "政策室"))]);
}

#[test]
fn a_partner_is_merged_into_a_known_successor() {
    framework()
        .given(vec![ev(d(2001, 4, 1), registered("plan-office", "推進室"))])
        .when(record(d(2010, 4, 1), merged("plan-office", "successor-dept")))
        .then_expect_events(vec![ev(d(2010, 4, 1), merged("plan-office", "successor-dept"))]);
}

#[test]
fn a_partner_cannot_merge_into_itself() {
    framework()
        .given(vec![ev(d(2001, 4, 1), registered("plan-office", "推進室"))])
        .when(record(d(2010, 4, 1), merged("plan-office", "plan-office")))
        .then_expect_error(DomainError::SelfReference { what: "a merger" });
}

#[test]
fn a_partner_cannot_merge_into_an_unknown_successor() {
    framework()
        .given(vec![ev(d(2001, 4, 1), registered("plan-office", "推進室"))])
        .when(record(d(2010, 4, 1), merged("plan-office", "no-such-dept")))
        .then_expect_error(DomainError::UnknownPartner(partner("no-such-dept")));
}

#[test]
fn a_partner_cannot_merge_before_it_was_registered() {
    framework()
        .given(vec![ev(d(2001, 4, 1), registered("plan-office", "推進室"))])
        .when(record(d(2000, 4, 1), merged("plan-office", "successor-dept")))
        .then_expect_error(DomainError::EndBeforeStart {
            start: d(2001, 4, 1),
            end: d(2000, 4, 1),
        });
}

// ---------------------------------------------------------------------------------------------
// Text and ids.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_name_must_not_be_empty_or_blank() {
    for blank in ["", "   ", "\t\n"] {
        framework()
            .given_no_previous_events()
            .when(record(d(2001, 4, 1), registered("plan-office", blank)))
            .then_expect_error(DomainError::EmptyText { field: "name" });
    }
}

#[test]
fn a_name_is_at_most_200_characters_counted_as_characters_not_bytes() {
    // 200 kana are 600 bytes of UTF-8 and still within the limit.
    let longest = "あ".repeat(200);
    framework()
        .given_no_previous_events()
        .when(record(d(2001, 4, 1), registered("plan-office", &longest)))
        .then_expect_events(vec![ev(d(2001, 4, 1), registered("plan-office", &longest))]);
    framework()
        .given_no_previous_events()
        .when(record(
            d(2001, 4, 1),
            registered("plan-office", &"あ".repeat(201)),
        ))
        .then_expect_error(DomainError::TextTooLong {
            field: "name",
            len: 201,
            max: 200,
        });
}

#[test]
fn a_title_may_be_longer_than_a_name_but_not_unbounded() {
    let mut g = gathering("roundtable-1", None, &[(Sector::Npo, 3)]);
    g.title = "円".repeat(2001);
    framework()
        .given_no_previous_events()
        .when(record(d(2004, 6, 1), Fact::RoundtableHeld(g)))
        .then_expect_error(DomainError::TextTooLong {
            field: "title",
            len: 2001,
            max: 2000,
        });
}

/// An id that `ProgramId::new` would refuse, as it can still arrive through JSON.
fn bad_program_id() -> ProgramId {
    serde_json::from_str("\"Bad Id\"").unwrap()
}

#[test]
fn an_invalid_subject_id_is_refused() {
    let fact = Fact::ProgramLaunched {
        program: bad_program_id(),
        name: "講座".into(),
        pillar: Pillar::Collaboration,
        beneficiaries: vec![],
        stage: SpiralStage::PARTICIPATION,
    };
    framework()
        .given_no_previous_events()
        .when(record(d(2001, 4, 1), fact))
        .then_expect_error(DomainError::InvalidId(InvalidId {
            kind: "program",
            id: "Bad Id".into(),
        }));
}

#[test]
fn invalid_ids_the_fact_refers_to_are_refused() {
    // A commissioner, a spin-off's parent and a donor are checked as well as the subject.
    let bad_partner: PartnerId = serde_json::from_str("\"Dept A\"").unwrap();
    let fact = Fact::ContractAwarded {
        program: program(PC),
        contract: Contract {
            fiscal_year: fy(2001),
            commissioners: vec![bad_partner],
            scheme: None,
            amount: None,
        },
    };
    framework()
        .given(vec![pc_launched()])
        .when(record(d(2001, 4, 1), fact))
        .then_expect_error(DomainError::InvalidId(InvalidId {
            kind: "partner",
            id: "Dept A".into(),
        }));

    let fact = Fact::ProgramSpunOff {
        program: program("pocket-kobo"),
        parent: bad_program_id(),
        name: "工房".into(),
        pillar: Pillar::Collaboration,
        beneficiaries: vec![],
        stage: SpiralStage::PIONEERING,
    };
    framework()
        .given_no_previous_events()
        .when(record(d(2006, 4, 1), fact))
        .then_expect_error(DomainError::InvalidId(InvalidId {
            kind: "program",
            id: "Bad Id".into(),
        }));

    let donor: DonorId = serde_json::from_str("\"山田\"").unwrap();
    framework()
        .given_no_previous_events()
        .when(record(d(2006, 5, 1), funds(Payer::Donor(donor), 3000)))
        .then_expect_error(DomainError::InvalidId(InvalidId {
            kind: "donor",
            id: "山田".into(),
        }));
}

// ---------------------------------------------------------------------------------------------
// The spiral's activities.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_roundtable_is_held() {
    let g = gathering(
        "roundtable-1",
        Some("anma-river"),
        &[(Sector::Npo, 5), (Sector::Assembly, 2)],
    );
    framework()
        .given_no_previous_events()
        .when(record(d(2004, 6, 1), Fact::RoundtableHeld(g.clone())))
        .then_expect_events(vec![ev(d(2004, 6, 1), Fact::RoundtableHeld(g))]);
}

#[test]
fn a_gathering_cannot_count_zero_participants_of_a_sector() {
    let g = gathering("roundtable-1", None, &[(Sector::Npo, 5), (Sector::Assembly, 0)]);
    framework()
        .given_no_previous_events()
        .when(record(d(2004, 6, 1), Fact::RoundtableHeld(g)))
        .then_expect_error(DomainError::NoParticipants);
}

#[test]
fn a_gathering_must_serve_a_known_program() {
    let g = gathering("survey-1", Some("no-such-program"), &[(Sector::Residents, 40)]);
    framework()
        .given_no_previous_events()
        .when(record(d(2004, 6, 1), Fact::NeedsSurveyConducted(g)))
        .then_expect_error(DomainError::UnknownProgram(program("no-such-program")));
}

#[test]
fn an_activity_is_recorded_once() {
    let g = gathering("wg-1", None, &[(Sector::Volunteers, 8)]);
    framework()
        .given(vec![ev(d(2004, 6, 1), Fact::WorkingGroupFormed(g.clone()))])
        .when(record(d(2004, 7, 1), Fact::StakeholderCouncilHeld(g)))
        .then_expect_error(DomainError::AlreadyRecorded {
            subject: "activity wg-1".into(),
        });
}

#[test]
fn a_civic_group_consultation_needs_a_known_group() {
    let consulted = |group: &str| Fact::CivicGroupConsulted {
        activity: activity("consult-1"),
        group: partner(group),
        topic: "NPO法人の設立".into(),
        program: None,
    };
    framework()
        .given_no_previous_events()
        .when(record(d(2005, 5, 1), consulted("citizen-group")))
        .then_expect_events(vec![ev(d(2005, 5, 1), consulted("citizen-group"))]);
    framework()
        .given_no_previous_events()
        .when(record(d(2005, 5, 1), consulted("no-such-group")))
        .then_expect_error(DomainError::UnknownPartner(partner("no-such-group")));
}

#[test]
fn a_policy_proposal_is_addressed_to_known_partners() {
    let fact = Fact::PolicyProposed {
        activity: activity("proposal-1"),
        title: "提案".into(),
        addressed_to: vec![partner("shizuoka-pref"), partner("no-such-assembly")],
        program: None,
    };
    framework()
        .given_no_previous_events()
        .when(record(d(2005, 5, 1), fact))
        .then_expect_error(DomainError::UnknownPartner(partner("no-such-assembly")));
}

#[test]
fn a_policy_proposal_is_adopted() {
    framework()
        .given(vec![ev(d(2005, 5, 1), proposed("proposal-1"))])
        .when(record(d(2006, 4, 1), adopted("proposal-1", "shizuoka-pref")))
        .then_expect_events(vec![ev(d(2006, 4, 1), adopted("proposal-1", "shizuoka-pref"))]);
}

#[test]
fn only_a_proposal_can_be_adopted() {
    framework()
        .given_no_previous_events()
        .when(record(d(2006, 4, 1), adopted("proposal-1", "shizuoka-pref")))
        .then_expect_error(DomainError::NotAProposal("proposal-1".into()));
    // A round-table in the same stream is no proposal either.
    let g = gathering("roundtable-1", None, &[(Sector::Npo, 5)]);
    framework()
        .given(vec![ev(d(2004, 6, 1), Fact::RoundtableHeld(g))])
        .when(record(d(2006, 4, 1), adopted("roundtable-1", "shizuoka-pref")))
        .then_expect_error(DomainError::NotAProposal("roundtable-1".into()));
}

#[test]
fn a_proposal_is_adopted_once() {
    framework()
        .given(vec![
            ev(d(2005, 5, 1), proposed("proposal-1")),
            ev(d(2006, 4, 1), adopted("proposal-1", "shizuoka-pref")),
        ])
        .when(record(d(2007, 4, 1), adopted("proposal-1", "dept-a")))
        .then_expect_error(DomainError::AlreadyAdopted("proposal-1".into()));
}

#[test]
fn a_proposal_cannot_be_adopted_before_it_was_made_nor_by_an_unknown_body() {
    framework()
        .given(vec![ev(d(2005, 5, 1), proposed("proposal-1"))])
        .when(record(d(2005, 4, 30), adopted("proposal-1", "shizuoka-pref")))
        .then_expect_error(DomainError::EndBeforeStart {
            start: d(2005, 5, 1),
            end: d(2005, 4, 30),
        });
    framework()
        .given(vec![ev(d(2005, 5, 1), proposed("proposal-1"))])
        .when(record(d(2006, 4, 1), adopted("proposal-1", "no-such-assembly")))
        .then_expect_error(DomainError::UnknownPartner(partner("no-such-assembly")));
}

// ---------------------------------------------------------------------------------------------
// Money.
// ---------------------------------------------------------------------------------------------

#[test]
fn funds_are_received() {
    for payer in [
        Payer::Partner(partner("toyota-foundation")),
        Payer::Donor(DonorId::new("donor-17").unwrap()),
        Payer::Anonymous,
    ] {
        framework()
            .given_no_previous_events()
            .when(record(d(2006, 5, 1), funds(payer.clone(), 500_000)))
            .then_expect_events(vec![ev(d(2006, 5, 1), funds(payer, 500_000))]);
    }
}

#[test]
fn funds_received_must_be_a_positive_amount() {
    framework()
        .given_no_previous_events()
        .when(record(d(2006, 5, 1), funds(Payer::Anonymous, -1000)))
        .then_expect_error(DomainError::Money(MoneyError::NotPositive(-1000)));
    framework()
        .given_no_previous_events()
        .when(record(d(2006, 5, 1), funds(Payer::Anonymous, 0)))
        .then_expect_error(DomainError::Money(MoneyError::NotPositive(0)));
}

#[test]
fn funds_from_a_partner_need_a_known_partner() {
    framework()
        .given_no_previous_events()
        .when(record(
            d(2006, 5, 1),
            funds(Payer::Partner(partner("no-such-foundation")), 1000),
        ))
        .then_expect_error(DomainError::UnknownPartner(partner("no-such-foundation")));
}

#[test]
fn a_receipt_is_recorded_once() {
    framework()
        .given(vec![ev(d(2006, 5, 1), funds(Payer::Anonymous, 1000))])
        .when(record(d(2006, 5, 2), funds(Payer::Anonymous, 1000)))
        .then_expect_error(DomainError::AlreadyRecorded {
            subject: "receipt r-2006-001".into(),
        });
}

/// The receipt `r-2006-001`: ¥500,000 received in FY2006, restricted or not.
fn received(restricted: bool) -> LedgerEvent {
    let mut fact = funds(Payer::Partner(partner("toyota-foundation")), 500_000);
    if let Fact::FundsReceived { restricted: r, .. } = &mut fact {
        *r = restricted;
    }
    ev(d(2006, 5, 1), fact)
}

fn spent(year: i32, yen: i64) -> Fact {
    Fact::FundsSpent {
        receipt: receipt("r-2006-001"),
        fiscal_year: fy(year),
        amount: Yen::new(yen),
    }
}

#[test]
fn a_restricted_receipt_is_spent() {
    framework()
        .given(vec![received(true), ev(d(2007, 3, 31), spent(2006, 200_000))])
        .when(record(d(2008, 3, 31), spent(2007, 300_000)))
        .then_expect_events(vec![ev(d(2008, 3, 31), spent(2007, 300_000))]);
}

#[test]
fn an_unrestricted_receipt_has_nothing_to_spend_down() {
    framework()
        .given(vec![received(false)])
        .when(record(d(2007, 3, 31), spent(2006, 100_000)))
        .then_expect_error(DomainError::NotRestricted(receipt("r-2006-001")));
}

#[test]
fn a_receipt_cannot_be_spent_past_its_amount() {
    // ¥500,000 received, ¥200,000 spent in FY2006: ¥300,000 remain, so ¥300,001 is refused.
    framework()
        .given(vec![received(true), ev(d(2007, 3, 31), spent(2006, 200_000))])
        .when(record(d(2008, 3, 31), spent(2007, 300_001)))
        .then_expect_error(DomainError::Overspent {
            receipt: receipt("r-2006-001"),
            remaining: Yen::new(300_000),
            amount: Yen::new(300_001),
        });
}

#[test]
fn a_receipt_cannot_be_spent_in_a_year_before_it_was_received() {
    framework()
        .given(vec![received(true)])
        .when(record(d(2006, 3, 31), spent(2005, 100_000)))
        .then_expect_error(DomainError::SpentBeforeReceived {
            receipt: receipt("r-2006-001"),
            received: fy(2006),
            fiscal_year: fy(2005),
        });
}

#[test]
fn an_unrecorded_receipt_cannot_be_spent() {
    framework()
        .given_no_previous_events()
        .when(record(d(2007, 3, 31), spent(2006, 100_000)))
        .then_expect_error(DomainError::NotRecorded {
            subject: "receipt r-2006-001".into(),
        });
}

#[test]
fn a_spending_must_be_a_positive_amount() {
    framework()
        .given(vec![received(true)])
        .when(record(d(2007, 3, 31), spent(2006, 0)))
        .then_expect_error(DomainError::Money(MoneyError::NotPositive(0)));
}

fn donor_registered(id: &str) -> Fact {
    Fact::DonorRegistered {
        donor: donor(id),
        household: Some(domain::ids::HouseholdId::new("household-7").unwrap()),
        officer: false,
        certified_npo: false,
        identified: true,
    }
}

#[test]
fn a_donor_is_registered() {
    framework()
        .given_no_previous_events()
        .when(record(d(2006, 4, 1), donor_registered("donor-18")))
        .then_expect_events(vec![ev(d(2006, 4, 1), donor_registered("donor-18"))]);
}

#[test]
fn a_donor_is_registered_once() {
    framework()
        .given(vec![ev(d(2006, 4, 1), donor_registered("donor-18"))])
        .when(record(d(2007, 4, 1), donor_registered("donor-18")))
        .then_expect_error(DomainError::AlreadyRecorded {
            subject: "donor donor-18".into(),
        });
}

#[test]
fn funds_from_a_donor_need_a_registered_donor() {
    framework()
        .given_no_previous_events()
        .when(record(
            d(2006, 5, 1),
            funds(Payer::Donor(donor("donor-99")), 3000),
        ))
        .then_expect_error(DomainError::UnknownDonor(donor("donor-99")));
}

fn details_recorded(revision: u32) -> Fact {
    Fact::DonorDetailsRecorded {
        donor: donor("donor-18"),
        revision,
        seal: 4_000_000_000 + u64::from(revision),
    }
}

fn erasure_requested() -> Fact {
    Fact::DonorErasureRequested {
        donor: donor("donor-18"),
        by: domain::personal::Requester::Donor,
    }
}

fn erased() -> Fact {
    Fact::DonorDetailsErased {
        donor: donor("donor-18"),
    }
}

#[test]
fn a_donors_details_are_revised_one_revision_at_a_time() {
    framework()
        .given_no_previous_events()
        .when(record(d(2024, 5, 1), details_recorded(1)))
        .then_expect_error(DomainError::UnknownDonor(donor("donor-18")));
    let registered = vec![ev(d(2024, 4, 1), donor_registered("donor-18"))];
    framework()
        .given(registered.clone())
        .when(record(d(2024, 5, 1), details_recorded(1)))
        .then_expect_events(vec![ev(d(2024, 5, 1), details_recorded(1))]);
    for (given, next, current) in [(0, 2, 0), (1, 1, 1), (1, 3, 1)] {
        let mut history = registered.clone();
        history.extend((1..=given).map(|r| ev(d(2024, 5, 1), details_recorded(r))));
        framework()
            .given(history)
            .when(record(d(2024, 6, 1), details_recorded(next)))
            .then_expect_error(DomainError::WrongRevision {
                donor: donor("donor-18"),
                current,
                found: next,
            });
    }
}

#[test]
fn an_erasure_is_asked_for_once_then_carried_out_once() {
    let asked = vec![
        ev(d(2024, 4, 1), donor_registered("donor-18")),
        ev(d(2024, 5, 1), details_recorded(1)),
        ev(d(2025, 1, 6), erasure_requested()),
    ];
    // Nothing more may be changed once erasure is asked for.
    framework()
        .given(asked.clone())
        .when(record(d(2025, 2, 1), details_recorded(2)))
        .then_expect_error(DomainError::ErasureRequested(donor("donor-18")));
    framework()
        .given(asked.clone())
        .when(record(d(2025, 2, 1), erasure_requested()))
        .then_expect_error(DomainError::AlreadyRecorded {
            subject: "donor donor-18's erasure request".into(),
        });
    framework()
        .given(asked[..2].to_vec())
        .when(record(d(2025, 2, 1), erased()))
        .then_expect_error(DomainError::ErasureNotRequested(donor("donor-18")));
    framework()
        .given(asked.clone())
        .when(record(d(2025, 1, 5), erased()))
        .then_expect_error(DomainError::EndBeforeStart {
            start: d(2025, 1, 6),
            end: d(2025, 1, 5),
        });
    framework()
        .given(asked.clone())
        .when(record(d(2031, 7, 1), erased()))
        .then_expect_events(vec![ev(d(2031, 7, 1), erased())]);
    let mut done = asked.clone();
    done.push(ev(d(2031, 7, 1), erased()));
    for again in [erased(), erasure_requested()] {
        framework()
            .given(done.clone())
            .when(record(d(2031, 8, 1), again))
            .then_expect_error(DomainError::AlreadyErased(donor("donor-18")));
    }
}

#[test]
fn the_vaults_records_are_never_corrected_or_retracted() {
    let history = vec![
        ev(d(2024, 4, 1), donor_registered("donor-18")),
        ev(d(2024, 5, 1), details_recorded(1)),
        ev(d(2025, 1, 6), erasure_requested()),
    ];
    for target in [2, 3] {
        framework()
            .given(history.clone())
            .when(Command::Retract {
                stream: "donor:donor-18".into(),
                target,
                reason: "押し間違い".into(),
            })
            .then_expect_error(DomainError::VaultRecord {
                kind: history[target as usize - 1].fact().unwrap().type_name(),
            });
    }
    framework()
        .given(history.clone())
        .when(Command::Correct {
            stream: "donor:donor-18".into(),
            target: 3,
            on: d(2025, 1, 7),
            fact: Fact::DonorErasureRequested {
                donor: donor("donor-18"),
                by: domain::personal::Requester::Agent,
            },
            reason: "依頼者の入力誤り".into(),
        })
        .then_expect_error(DomainError::VaultRecord {
            kind: "DonorErasureRequested",
        });
    // The registration itself cannot be withdrawn from under them either.
    framework()
        .given(history)
        .when(Command::Retract {
            stream: "donor:donor-18".into(),
            target: 1,
            reason: "二重登録".into(),
        })
        .then_expect_error(DomainError::DependentFacts {
            stream: "donor:donor-18".into(),
            target: 1,
        });
}

// ---------------------------------------------------------------------------------------------
// Corrections and retractions.
// ---------------------------------------------------------------------------------------------

/// pc-course launched (sequence 1) with its FY2001 contract (sequence 2).
fn launched_and_contracted() -> Vec<LedgerEvent> {
    vec![pc_launched(), ev(d(2001, 4, 1), award(2001, &["dept-a"]))]
}

#[test]
fn a_contracts_fiscal_year_is_corrected() {
    framework()
        .given(launched_and_contracted())
        .when(correct(
            2,
            d(2002, 4, 1),
            award(2002, &["dept-a"]),
            "typed 2001 for 2002",
        ))
        .then_expect_events(vec![ev(
            d(2002, 4, 1),
            Entry::Corrected {
                target: 2,
                fact: Box::new(award(2002, &["dept-a"])),
                reason: "typed 2001 for 2002".into(),
            },
        )]);
}

#[test]
fn a_correction_needs_a_reason() {
    for reason in ["", "  "] {
        framework()
            .given(launched_and_contracted())
            .when(correct(2, d(2002, 4, 1), award(2002, &["dept-a"]), reason))
            .then_expect_error(DomainError::MissingReason);
    }
    framework()
        .given(launched_and_contracted())
        .when(retract(2, " "))
        .then_expect_error(DomainError::MissingReason);
}

#[test]
fn a_correction_needs_an_existing_target() {
    for target in [0, 3, 99] {
        framework()
            .given(launched_and_contracted())
            .when(correct(
                target,
                d(2002, 4, 1),
                award(2002, &["dept-a"]),
                "wrong year",
            ))
            .then_expect_error(DomainError::NoSuchTarget {
                stream: PC_STREAM.into(),
                target,
            });
    }
    framework()
        .given(launched_and_contracted())
        .when(retract(3, "never happened"))
        .then_expect_error(DomainError::NoSuchTarget {
            stream: PC_STREAM.into(),
            target: 3,
        });
}

#[test]
fn a_retracted_fact_or_a_correction_itself_cannot_be_corrected() {
    let mut history = launched_and_contracted();
    history.push(ev(
        d(2001, 4, 1),
        Entry::Retracted {
            target: 2,
            reason: "never happened".into(),
        },
    ));
    // Sequence 2 is retracted; sequence 3 is the retraction itself.
    for target in [2, 3] {
        framework()
            .given(history.clone())
            .when(correct(
                target,
                d(2002, 4, 1),
                award(2002, &["dept-a"]),
                "wrong year",
            ))
            .then_expect_error(DomainError::TargetNotLive {
                stream: PC_STREAM.into(),
                target,
            });
    }
    framework()
        .given(history)
        .when(retract(2, "again"))
        .then_expect_error(DomainError::TargetNotLive {
            stream: PC_STREAM.into(),
            target: 2,
        });
}

#[test]
fn a_fact_is_corrected_only_by_a_fact_of_its_own_kind() {
    framework()
        .given(launched_and_contracted())
        .when(correct(
            2,
            d(2002, 4, 1),
            renew(2002, &["dept-a"]),
            "was a renewal",
        ))
        .then_expect_error(DomainError::WrongKindOfCorrection {
            expected: "ContractAwarded",
            found: "ContractRenewed",
        });
}

#[test]
fn a_correction_must_stay_about_the_same_subject() {
    let elsewhere = Fact::ContractAwarded {
        program: program("anma-river"),
        contract: contract(2001, &["dept-a"]),
    };
    framework()
        .given(launched_and_contracted())
        .when(correct(2, d(2001, 4, 1), elsewhere, "wrong program"))
        .then_expect_error(DomainError::SubjectMismatch {
            stream: PC_STREAM.into(),
            found: "program:anma-river".into(),
        });
}

#[test]
fn a_correction_cannot_create_a_duplicate_contract() {
    let mut history = launched_and_contracted();
    history.push(ev(d(2002, 4, 1), award(2002, &["dept-a"])));
    framework()
        .given(history)
        .when(correct(3, d(2001, 4, 1), award(2001, &["dept-a"]), "wrong year"))
        .then_expect_error(DomainError::DuplicateContract {
            program: program(PC),
            fiscal_year: fy(2001),
            commissioner: partner("dept-a"),
        });
}

#[test]
fn a_correction_cannot_strand_later_facts() {
    // Moving the launch to 2003 would leave the FY2001 contract before the launch.
    framework()
        .given(launched_and_contracted())
        .when(correct(1, d(2003, 4, 1), launched(PC), "launched later"))
        .then_expect_error(DomainError::ContractBeforeLaunch {
            program: program(PC),
            launched_on: d(2003, 4, 1),
            fiscal_year: fy(2001),
        });
}

#[test]
fn a_correction_is_itself_checked_against_the_rules() {
    framework()
        .given(launched_and_contracted())
        .when(correct(
            2,
            d(2001, 4, 1),
            award(2001, &["toyota-foundation"]),
            "other funder",
        ))
        .then_expect_error(DomainError::NotGovernment {
            partner: partner("toyota-foundation"),
            kind: "財団",
        });
}

#[test]
fn a_corrected_fact_stands_in_place_of_the_original() {
    // After FY2001 was corrected to FY2002, FY2001 is free and FY2002 is taken.
    let mut history = launched_and_contracted();
    history.push(ev(
        d(2002, 4, 1),
        Entry::Corrected {
            target: 2,
            fact: Box::new(award(2002, &["dept-a"])),
            reason: "wrong year".into(),
        },
    ));
    framework()
        .given(history.clone())
        .when(record(d(2001, 4, 1), award(2001, &["dept-a"])))
        .then_expect_events(vec![ev(d(2001, 4, 1), award(2001, &["dept-a"]))]);
    framework()
        .given(history.clone())
        .when(record(d(2002, 4, 1), award(2002, &["dept-a"])))
        .then_expect_error(DomainError::DuplicateContract {
            program: program(PC),
            fiscal_year: fy(2002),
            commissioner: partner("dept-a"),
        });
    // The corrected fact can be corrected again: it is the live fact of sequence 2.
    framework()
        .given(history)
        .when(correct(2, d(2003, 4, 1), award(2003, &["dept-a"]), "still wrong"))
        .then_expect_events(vec![ev(
            d(2003, 4, 1),
            Entry::Corrected {
                target: 2,
                fact: Box::new(award(2003, &["dept-a"])),
                reason: "still wrong".into(),
            },
        )]);
}

#[test]
fn a_contract_is_retracted() {
    // The retraction takes the effective date of the fact it withdraws.
    framework()
        .given(launched_and_contracted())
        .when(retract(2, "never signed"))
        .then_expect_events(vec![ev(
            d(2001, 4, 1),
            Entry::Retracted {
                target: 2,
                reason: "never signed".into(),
            },
        )]);
}

#[test]
fn a_launch_cannot_be_retracted_while_its_contracts_stand() {
    framework()
        .given(launched_and_contracted())
        .when(retract(1, "launched by mistake"))
        .then_expect_error(DomainError::DependentFacts {
            stream: PC_STREAM.into(),
            target: 1,
        });
}

#[test]
fn a_launch_can_be_retracted_once_its_contracts_are() {
    let mut history = launched_and_contracted();
    history.push(ev(
        d(2001, 4, 1),
        Entry::Retracted {
            target: 2,
            reason: "never signed".into(),
        },
    ));
    framework()
        .given(history)
        .when(retract(1, "launched by mistake"))
        .then_expect_events(vec![ev(
            d(2001, 4, 1),
            Entry::Retracted {
                target: 1,
                reason: "launched by mistake".into(),
            },
        )]);
}

#[test]
fn a_contract_a_renewal_rests_on_cannot_be_retracted() {
    let mut history = launched_and_contracted();
    history.push(ev(d(2002, 4, 1), renew(2002, &["dept-a"])));
    framework()
        .given(history)
        .when(retract(2, "never signed"))
        .then_expect_error(DomainError::DependentFacts {
            stream: PC_STREAM.into(),
            target: 2,
        });
}

#[test]
fn a_retracted_contract_can_be_awarded_again() {
    let mut history = launched_and_contracted();
    history.push(ev(
        d(2001, 4, 1),
        Entry::Retracted {
            target: 2,
            reason: "recorded twice".into(),
        },
    ));
    framework()
        .given(history)
        .when(record(d(2001, 4, 1), award(2001, &["dept-a"])))
        .then_expect_events(vec![ev(d(2001, 4, 1), award(2001, &["dept-a"]))]);
}

// A correction can be neither recorded as a fact nor carry one: `Command::Record` and
// `Command::Correct` hold a `Fact`, which has no amendment variants, so such a command cannot be
// built at all (and fails to decode: see `codec.rs`, `corrections_cannot_nest_in_any_encoding`).

#[test]
fn a_correction_must_name_a_subjects_stream() {
    for stream in ["nonsense", "contract:pc-course", "program:Bad Id"] {
        framework()
            .given(launched_and_contracted())
            .when(Command::Retract {
                stream: stream.into(),
                target: 2,
                reason: "typo".into(),
            })
            .then_expect_error(DomainError::BadStream(stream.into()));
    }
}

// ---------------------------------------------------------------------------------------------
// Messages: each error's Display names the problem and the facts needed to fix the input.
// ---------------------------------------------------------------------------------------------

/// Compile-time guard: a new DomainError variant breaks this match until it gets an example in
/// `every_error` (and the count below is raised).
fn variant_index(e: &DomainError) -> usize {
    use DomainError::*;
    match e {
        InvalidId(_) => 0,
        Money(_) => 1,
        EmptyText { .. } => 2,
        TextTooLong { .. } => 3,
        UnknownProgram(_) => 4,
        UnknownPartner(_) => 5,
        AlreadyRecorded { .. } => 6,
        NotRecorded { .. } => 7,
        ProgramHasConcluded { .. } => 8,
        AlreadyConcluded { .. } => 9,
        ContractBeforeLaunch { .. } => 10,
        DuplicateContract { .. } => 11,
        NothingToRenew { .. } => 12,
        NoCommissioner => 13,
        DuplicateCommissioner(_) => 14,
        NotGovernment { .. } => 15,
        EndBeforeStart { .. } => 16,
        SelfReference { .. } => 17,
        PartnerMergedAway { .. } => 18,
        NotAProposal(_) => 19,
        AlreadyAdopted(_) => 20,
        NoParticipants => 21,
        MissingReason => 22,
        NoSuchTarget { .. } => 23,
        TargetNotLive { .. } => 24,
        WrongKindOfCorrection { .. } => 25,
        SubjectMismatch { .. } => 26,
        DependentFacts { .. } => 27,
        InvisibleCharacter { .. } => 28,
        BadStream(_) => 29,
        UnknownDonor(_) => 30,
        NotRestricted(_) => 31,
        Overspent { .. } => 32,
        SpentBeforeReceived { .. } => 33,
        VaultRecord { .. } => 34,
        WrongRevision { .. } => 35,
        ErasureRequested(_) => 36,
        ErasureNotRequested(_) => 37,
        AlreadyErased(_) => 38,
        Certificate(_) => 39,
    }
}

const ERROR_VARIANTS: usize = 40;

/// One of each error, with the words its message must contain.
fn every_error() -> Vec<(DomainError, Vec<&'static str>)> {
    use DomainError::*;
    vec![
        (
            InvalidId(domain::ids::InvalidId {
                kind: "program",
                id: "Bad Id".into(),
            }),
            vec!["program", "\"Bad Id\""],
        ),
        (
            Money(MoneyError::NotPositive(-5000)),
            vec!["-¥5,000", "more than zero"],
        ),
        (EmptyText { field: "name" }, vec!["name", "empty"]),
        (
            TextTooLong {
                field: "title",
                len: 2001,
                max: 2000,
            },
            vec!["title", "2001", "2000"],
        ),
        (
            UnknownProgram(program(PC)),
            vec!["program pc-course", "does not exist"],
        ),
        (
            UnknownPartner(partner("dept-x")),
            vec!["partner dept-x", "does not exist"],
        ),
        (
            AlreadyRecorded {
                subject: "program pc-course".into(),
            },
            vec!["program pc-course", "already"],
        ),
        (
            NotRecorded {
                subject: "partner dept-x".into(),
            },
            vec!["partner dept-x", "not been recorded"],
        ),
        (
            ProgramHasConcluded {
                program: program(PC),
                concluded_on: d(2006, 3, 31),
                fiscal_year: fy(2006),
            },
            vec!["pc-course", "2006-03-31", "2006年度"],
        ),
        (
            AlreadyConcluded {
                program: program(PC),
                concluded_on: d(2006, 3, 31),
            },
            vec!["pc-course", "2006-03-31"],
        ),
        (
            ContractBeforeLaunch {
                program: program(PC),
                launched_on: d(2003, 4, 1),
                fiscal_year: fy(2002),
            },
            vec!["pc-course", "2003-04-01", "2002年度"],
        ),
        (
            DuplicateContract {
                program: program(PC),
                fiscal_year: fy(2004),
                commissioner: partner("dept-a"),
            },
            vec!["pc-course", "2004年度", "dept-a"],
        ),
        (
            NothingToRenew {
                program: program(PC),
                fiscal_year: fy(2003),
                previous: fy(2002),
            },
            vec!["pc-course", "2003年度", "2002年度"],
        ),
        (NoCommissioner, vec!["commissioning"]),
        (DuplicateCommissioner(partner("dept-a")), vec!["dept-a", "twice"]),
        (
            NotGovernment {
                partner: partner("toyota-foundation"),
                kind: "財団",
            },
            vec!["toyota-foundation", "財団"],
        ),
        (
            EndBeforeStart {
                start: d(2001, 4, 1),
                end: d(2001, 3, 31),
            },
            vec!["2001-04-01", "2001-03-31"],
        ),
        (SelfReference { what: "a merger" }, vec!["a merger", "itself"]),
        (
            PartnerMergedAway {
                partner: partner("plan-office"),
                successor: partner("policy-division"),
                on: d(2014, 4, 1),
            },
            vec!["plan-office", "policy-division", "2014-04-01"],
        ),
        (
            NotAProposal("roundtable-1".into()),
            vec!["roundtable-1", "not a policy proposal"],
        ),
        (
            AlreadyAdopted("proposal-1".into()),
            vec!["proposal-1", "already been adopted"],
        ),
        (NoParticipants, vec!["participant"]),
        (MissingReason, vec!["reason"]),
        (
            NoSuchTarget {
                stream: PC_STREAM.into(),
                target: 9,
            },
            vec![PC_STREAM, "9"],
        ),
        (
            TargetNotLive {
                stream: PC_STREAM.into(),
                target: 2,
            },
            vec![PC_STREAM, "event 2", "retracted"],
        ),
        (
            WrongKindOfCorrection {
                expected: "ContractAwarded",
                found: "ContractRenewed",
            },
            vec!["ContractAwarded", "ContractRenewed"],
        ),
        (
            SubjectMismatch {
                stream: PC_STREAM.into(),
                found: "program:anma-river".into(),
            },
            vec![PC_STREAM, "program:anma-river"],
        ),
        (
            DependentFacts {
                stream: PC_STREAM.into(),
                target: 1,
            },
            vec![PC_STREAM, "event 1", "retract those first"],
        ),
        (
            InvisibleCharacter {
                field: "name",
                character: '\u{202E}',
            },
            vec!["name", "U+202E"],
        ),
        (BadStream("nonsense".into()), vec!["\"nonsense\"", "program:ID"]),
        (
            UnknownDonor(donor("donor-99")),
            vec!["donor donor-99", "not been registered"],
        ),
        (
            NotRestricted(receipt("r-2006-001")),
            vec!["r-2006-001", "not restricted"],
        ),
        (
            Overspent {
                receipt: receipt("r-2006-001"),
                remaining: Yen::new(300_000),
                amount: Yen::new(300_001),
            },
            vec!["r-2006-001", "¥300,000", "¥300,001"],
        ),
        (
            SpentBeforeReceived {
                receipt: receipt("r-2006-001"),
                received: fy(2006),
                fiscal_year: fy(2005),
            },
            vec!["r-2006-001", "2006年度", "2005年度"],
        ),
        (
            VaultRecord {
                kind: "DonorDetailsErased",
            },
            vec!["DonorDetailsErased", "vault", "never corrected"],
        ),
        (
            WrongRevision {
                donor: donor("donor-18"),
                current: 2,
                found: 2,
            },
            vec!["donor-18", "revision 2", "next is 3"],
        ),
        (
            ErasureRequested(donor("donor-18")),
            vec!["donor-18", "asked", "erased"],
        ),
        (
            ErasureNotRequested(donor("donor-18")),
            vec!["donor-18", "not asked"],
        ),
        (
            AlreadyErased(donor("donor-18")),
            vec!["donor-18", "already been erased"],
        ),
        (
            Certificate(domain::certificate::CertificateError::Acknowledged {
                receipt: domain::ids::ReceiptId::new("g-7").unwrap(),
                certificate: "2025-00003".parse().unwrap(),
            }),
            vec!["g-7", "2025-00003", "void"],
        ),
    ]
}

#[test]
fn every_error_is_exemplified() {
    let covered: std::collections::BTreeSet<usize> =
        every_error().iter().map(|(e, _)| variant_index(e)).collect();
    assert_eq!(
        covered,
        (0..ERROR_VARIANTS).collect(),
        "every DomainError variant needs an example"
    );
}

#[test]
fn every_error_message_names_the_problem() {
    for (error, words) in every_error() {
        let message = error.to_string();
        for word in words {
            assert!(
                message.contains(word),
                "{error:?} displays as {message:?}, which does not mention {word:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text that would read differently to different people is refused wherever it enters.
// ---------------------------------------------------------------------------------------------

#[test]
fn names_with_invisible_or_bidirectional_characters_are_refused() {
    for (bad, character) in [
        ("ぽけっと\u{202E}工房", '\u{202E}'),
        ("工房\u{200B}", '\u{200B}'),
        ("a\nb", '\n'),
    ] {
        let Fact::ProgramLaunched {
            program,
            pillar,
            beneficiaries,
            stage,
            ..
        } = launched("kobo")
        else {
            unreachable!()
        };
        framework()
            .given_no_previous_events()
            .when(record(
                d(2006, 4, 1),
                Fact::ProgramLaunched {
                    program,
                    name: bad.into(),
                    pillar,
                    beneficiaries,
                    stage,
                },
            ))
            .then_expect_error(DomainError::InvisibleCharacter {
                field: "name",
                character,
            });
    }
}

#[test]
fn notes_and_reasons_are_bounded_and_checked() {
    let long = "あ".repeat(2001);
    framework()
        .given_no_previous_events()
        .when(Command::Record {
            on: d(2001, 4, 1),
            fact: launched(PC),
            note: Some(long.clone()),
        })
        .then_expect_error(DomainError::TextTooLong {
            field: "note",
            len: 2001,
            max: 2000,
        });
    framework()
        .given(launched_and_contracted())
        .when(retract(2, &long))
        .then_expect_error(DomainError::TextTooLong {
            field: "reason",
            len: 2001,
            max: 2000,
        });
    framework()
        .given(launched_and_contracted())
        .when(retract(2, "理由\u{2066}隠し"))
        .then_expect_error(DomainError::InvisibleCharacter {
            field: "reason",
            character: '\u{2066}',
        });
    // Multi-line notes are fine.
    framework()
        .given_no_previous_events()
        .when(Command::Record {
            on: d(2001, 4, 1),
            fact: launched(PC),
            note: Some("一行目\n二行目".into()),
        })
        .then_expect_events(vec![ev(d(2001, 4, 1), launched(PC))]);
}
