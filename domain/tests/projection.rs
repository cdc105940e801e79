//! The projection as the server, CLI and browser all compute it: a fold over recorded events,
//! seen from an effective date (`as_of`) and a recorded time (`known_at`).
//!
//! Events are built by hand here (not through the rules), so each test shows exactly what was
//! stored, in which order and when.

mod support;

use domain::events::Entry;
use domain::events::{Contract, Gathering, Participation, SubjectRef};
use domain::funds::{FundKind, Payer};
use domain::ids::{ActivityId, PartnerId, ProgramId, ReceiptId};
use domain::partner::{PartnerKind, Sector};
use domain::program::{Beneficiary, Pillar, SpiralStage};
use domain::{Date, Fact, FiscalYear, LedgerState, View, Yen};
use support::{known_at, Log};

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

fn as_of(date: Date) -> View {
    View {
        as_of: Some(date),
        known_at: None,
    }
}

fn launched(id: &str, pillar: Pillar, stage: SpiralStage) -> Fact {
    Fact::ProgramLaunched {
        program: program(id),
        name: format!("{id} の事業"),
        pillar,
        beneficiaries: vec![Beneficiary::DisabledPeople],
        stage,
    }
}

fn spun_off(id: &str, parent: &str) -> Fact {
    Fact::ProgramSpunOff {
        program: program(id),
        parent: program(parent),
        name: "バーチャル工房支援事業 <ぽけっと工房>".into(),
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

fn award(id: &str, year: i32, commissioners: &[&str]) -> Fact {
    Fact::ContractAwarded {
        program: program(id),
        contract: contract(year, commissioners),
    }
}

fn renew(id: &str, year: i32, commissioners: &[&str]) -> Fact {
    Fact::ContractRenewed {
        program: program(id),
        contract: contract(year, commissioners),
    }
}

fn registered(id: &str, name: &str, kind: PartnerKind, parent: Option<&str>) -> Fact {
    Fact::PartnerRegistered {
        partner: partner(id),
        name: name.into(),
        kind,
        parent: parent.map(self::partner),
    }
}

fn gathering(id: &str, program: Option<&str>) -> Gathering {
    Gathering {
        activity: activity(id),
        title: format!("{id} の会"),
        program: program.map(self::program),
        participants: vec![Participation {
            sector: Sector::Npo,
            count: 4,
        }],
    }
}

const OLD_NAME: &str = "静岡県民生部障害者プラン推進室";
const NEW_NAME: &str = "静岡県健康福祉部障害者支援局障害者政策課";

#[test]
fn programs_carry_their_lineage_and_contracts() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        registered("plan-office", OLD_NAME, PartnerKind::Department, None),
    );
    log.push(
        d(2001, 4, 1),
        launched(
            "pc-course-west",
            Pillar::Collaboration,
            SpiralStage::PARTICIPATION,
        ),
    );
    let first = log.push(d(2001, 4, 1), award("pc-course-west", 2001, &["plan-office"]));
    let second = log.push(d(2002, 4, 1), renew("pc-course-west", 2002, &["plan-office"]));
    log.push(
        d(2003, 3, 31),
        Fact::ProgramConcluded {
            program: program("pc-course-west"),
        },
    );
    log.push(d(2003, 4, 1), spun_off("pocket-kobo", "pc-course-west"));
    log.push(d(2003, 4, 1), award("pocket-kobo", 2003, &["plan-office"]));

    let state = log.everything();
    let parent = &state.programs[&program("pc-course-west")];
    let child = &state.programs[&program("pocket-kobo")];
    assert_eq!(parent.parent, None);
    assert_eq!(parent.children, vec![program("pocket-kobo")]);
    assert_eq!(child.parent, Some(program("pc-course-west")));
    assert!(child.children.is_empty());
    assert_eq!(child.name, "バーチャル工房支援事業 <ぽけっと工房>");
    assert_eq!(child.stage, SpiralStage::PIONEERING);

    assert_eq!(parent.launched_on, d(2001, 4, 1));
    assert_eq!(parent.concluded_on, Some(d(2003, 3, 31)));
    assert_eq!(child.concluded_on, None);
    assert_eq!(parent.contract_years(), vec![fy(2001), fy(2002)]);
    let contracts: Vec<_> = parent
        .contracts
        .iter()
        .map(|c| (c.fiscal_year, c.renewal, c.position))
        .collect();
    assert_eq!(
        contracts,
        vec![(fy(2001), false, first), (fy(2002), true, second)]
    );
    assert_eq!(parent.contracts[0].commissioners, vec![partner("plan-office")]);
    assert_eq!(child.contract_years(), vec![fy(2003)]);
    assert_eq!(state.events_seen, 7);
    assert_eq!(state.head_position, 7);
}

#[test]
fn contract_years_are_sorted_and_counted_once_for_joint_years() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        launched("network", Pillar::Collaboration, SpiralStage::PARTICIPATION),
    );
    // Recorded out of order, and two departments contracting separately in 2001.
    log.push(d(2003, 4, 1), award("network", 2003, &["welfare"]));
    log.push(d(2001, 4, 1), award("network", 2001, &["welfare"]));
    log.push(d(2001, 4, 1), award("network", 2001, &["industry"]));
    let state = log.everything();
    let p = &state.programs[&program("network")];
    assert_eq!(p.contracts.len(), 3);
    assert_eq!(p.contract_years(), vec![fy(2001), fy(2003)]);
}

#[test]
fn a_partner_renamed_mid_way_keeps_the_name_it_had_at_each_date() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        registered("shizuoka-pref", "静岡県", PartnerKind::GovernmentBody, None),
    );
    log.push(
        d(2001, 4, 1),
        registered(
            "plan-office",
            OLD_NAME,
            PartnerKind::Department,
            Some("shizuoka-pref"),
        ),
    );
    log.push(
        d(2014, 4, 1),
        Fact::PartnerRenamed {
            partner: partner("plan-office"),
            name: NEW_NAME.into(),
        },
    );

    let state = log.everything();
    let office = &state.partners[&partner("plan-office")];
    assert_eq!(office.name_on(d(2013, 4, 1)), OLD_NAME);
    assert_eq!(office.name_on(d(2014, 3, 31)), OLD_NAME);
    assert_eq!(office.name_on(d(2014, 4, 1)), NEW_NAME);
    assert_eq!(office.name_on(d(2020, 1, 1)), NEW_NAME);
    // Before it was registered, the first name known is the best answer.
    assert_eq!(office.name_on(d(1999, 1, 1)), OLD_NAME);
    assert_eq!(office.current_name(), NEW_NAME);
    assert_eq!(office.registered_on, d(2001, 4, 1));
    assert_eq!(office.parent, Some(partner("shizuoka-pref")));
    assert_eq!(
        state.partners[&partner("shizuoka-pref")].departments,
        vec![partner("plan-office")]
    );

    // Seen as of 2013 the rename has not happened yet.
    let then = log.replay(as_of(d(2013, 12, 31)));
    assert_eq!(then.partners[&partner("plan-office")].current_name(), OLD_NAME);
}

#[test]
fn renames_recorded_out_of_order_are_kept_in_date_order() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        registered("industry", "静岡県産業部", PartnerKind::Department, None),
    );
    log.push(
        d(2014, 4, 1),
        Fact::PartnerRenamed {
            partner: partner("industry"),
            name: "C".into(),
        },
    );
    // Typed in later, but effective earlier.
    log.push(
        d(2007, 4, 1),
        Fact::PartnerRenamed {
            partner: partner("industry"),
            name: "B".into(),
        },
    );
    let state = log.everything();
    let p = &state.partners[&partner("industry")];
    let names: Vec<_> = p.names.iter().map(|s| (s.from, s.name.as_str())).collect();
    assert_eq!(
        names,
        vec![
            (d(2001, 4, 1), "静岡県産業部"),
            (d(2007, 4, 1), "B"),
            (d(2014, 4, 1), "C")
        ]
    );
    assert_eq!(p.name_on(d(2010, 1, 1)), "B");
    assert_eq!(p.current_name(), "C");
}

#[test]
fn a_merger_is_shown_on_the_partner_merged_away() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        registered("welfare", "静岡県民生部", PartnerKind::Department, None),
    );
    log.push(
        d(2001, 4, 1),
        registered("health", "静岡県健康福祉部", PartnerKind::Department, None),
    );
    log.push(
        d(2007, 4, 1),
        Fact::PartnerMerged {
            partner: partner("welfare"),
            successor: partner("health"),
        },
    );
    let state = log.everything();
    let merger = state.partners[&partner("welfare")].merged_into.as_ref().unwrap();
    assert_eq!(
        (merger.on, &merger.successor),
        (d(2007, 4, 1), &partner("health"))
    );
    assert_eq!(state.partners[&partner("health")].merged_into, None);
    assert_eq!(
        log.replay(as_of(d(2007, 3, 31))).partners[&partner("welfare")].merged_into,
        None
    );
}

#[test]
fn as_of_leaves_out_facts_effective_later() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        launched("network", Pillar::Collaboration, SpiralStage::PARTICIPATION),
    );
    log.push(d(2001, 4, 1), award("network", 2001, &["welfare"]));
    log.push(
        d(2006, 4, 1),
        launched("pocket-kobo", Pillar::SelfInitiated, SpiralStage::PIONEERING),
    );
    log.push(d(2007, 4, 1), award("network", 2007, &["welfare"]));
    log.push(
        d(2008, 3, 31),
        Fact::ProgramConcluded {
            program: program("network"),
        },
    );

    let before = log.replay(as_of(d(2005, 12, 31)));
    assert!(!before.programs.contains_key(&program("pocket-kobo")));
    assert_eq!(
        before.programs[&program("network")].contract_years(),
        vec![fy(2001)]
    );
    assert_eq!(before.programs[&program("network")].concluded_on, None);

    // The boundary day is included.
    let on_the_day = log.replay(as_of(d(2006, 4, 1)));
    assert!(on_the_day.programs.contains_key(&program("pocket-kobo")));

    let fy2007 = log.replay(as_of(d(2007, 4, 1)));
    assert_eq!(
        fy2007.programs[&program("network")].contract_years(),
        vec![fy(2001), fy(2007)]
    );
    assert_eq!(fy2007.programs[&program("network")].concluded_on, None);

    let all = log.everything();
    assert_eq!(
        all.programs[&program("network")].concluded_on,
        Some(d(2008, 3, 31))
    );
    // as_of filters what is shown, not what is read: every event was still looked at.
    assert_eq!(before.events_seen, 5);
}

#[test]
fn known_at_leaves_out_events_recorded_later() {
    let mut log = Log::default();
    let launch = log.push(
        d(2001, 4, 1),
        launched("network", Pillar::Collaboration, SpiralStage::PARTICIPATION),
    );
    let contract = log.push(d(2001, 4, 1), award("network", 2001, &["welfare"]));
    // History typed in later about an earlier year: effective 2000s, recorded after.
    log.push(
        d(2001, 4, 1),
        launched("anma-river", Pillar::Collaboration, SpiralStage::PARTICIPATION),
    );

    let at_launch = log.replay(known_at(launch));
    assert!(at_launch.programs[&program("network")].contracts.is_empty());
    assert!(!at_launch.programs.contains_key(&program("anma-river")));
    assert_eq!((at_launch.events_seen, at_launch.head_position), (1, launch));

    let at_contract = log.replay(known_at(contract));
    assert_eq!(
        at_contract.programs[&program("network")].contract_years(),
        vec![fy(2001)]
    );
    assert!(!at_contract.programs.contains_key(&program("anma-river")));

    // A moment before anything was recorded shows nothing.
    let empty = LedgerState::replay(
        &log.events,
        View {
            as_of: None,
            known_at: Some(Log::recorded_at(0)),
        },
    );
    assert!(empty.programs.is_empty());
    assert_eq!(empty.events_seen, 0);
}

#[test]
fn a_correction_shows_only_from_when_it_was_recorded() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        launched("network", Pillar::Collaboration, SpiralStage::PARTICIPATION),
    );
    let original = log.push(d(2001, 4, 1), award("network", 2001, &["welfare"]));
    let target = log.sequence_of(original);
    let correction = log.push_to(
        "program:network",
        d(2002, 4, 1),
        Entry::Corrected {
            target,
            fact: Box::new(award("network", 2002, &["welfare"])),
            reason: "typed 2001 for 2002".into(),
        },
    );

    // A report made before the correction is reproduced as it was.
    let before = log.replay(known_at(correction - 1));
    let p = &before.programs[&program("network")];
    assert_eq!(p.contract_years(), vec![fy(2001)]);

    let after = log.replay(known_at(correction));
    let p = &after.programs[&program("network")];
    assert_eq!(p.contract_years(), vec![fy(2002)]);
    // The corrected contract keeps the place (position) of the event it replaces.
    assert_eq!(p.contracts[0].position, original);
    assert_eq!(
        log.everything().programs[&program("network")].contract_years(),
        vec![fy(2002)]
    );

    // The correction also moved the effective date: as of FY2001 there is no contract at all.
    let fy2001 = log.replay(View {
        as_of: Some(d(2002, 3, 31)),
        known_at: None,
    });
    assert!(fy2001.programs[&program("network")].contracts.is_empty());
    // The timeline shows the contract once, at its corrected date.
    let marks: Vec<_> = log
        .everything()
        .timeline
        .iter()
        .filter(|t| t.kind == "ContractAwarded")
        .map(|t| t.on)
        .collect();
    assert_eq!(marks, vec![d(2002, 4, 1)]);
}

#[test]
fn a_retraction_removes_the_fact() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        launched("network", Pillar::Collaboration, SpiralStage::PARTICIPATION),
    );
    log.push(d(2001, 4, 1), award("network", 2001, &["welfare"]));
    let kept = log.push(d(2002, 4, 1), renew("network", 2002, &["welfare"]));
    let wrong = log.push(d(2001, 4, 1), award("network", 2001, &["industry"]));
    let target = log.sequence_of(wrong);
    let retraction = log.push_to(
        "program:network",
        d(2001, 4, 1),
        Entry::Retracted {
            target,
            reason: "二重登録".into(),
        },
    );

    let state = log.everything();
    let p = &state.programs[&program("network")];
    assert_eq!(p.contracts.len(), 2);
    assert!(p
        .contracts
        .iter()
        .all(|c| c.commissioners == vec![partner("welfare")]));
    assert_eq!(p.contracts[1].position, kept);
    assert!(!state.timeline.iter().any(|t| t.position == wrong));
    // Corrections and retractions are looked at but add nothing of their own.
    assert_eq!(state.events_seen, 5);
    assert_eq!(state.timeline.len(), 3);

    // Before the retraction was recorded, the contract still stood.
    let before = log.replay(known_at(retraction - 1));
    assert_eq!(before.programs[&program("network")].contracts.len(), 3);
}

#[test]
fn a_correction_in_one_stream_does_not_touch_the_same_sequence_of_another() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        launched("network", Pillar::Collaboration, SpiralStage::PARTICIPATION),
    );
    log.push(
        d(2001, 4, 1),
        launched("anma-river", Pillar::Collaboration, SpiralStage::PARTICIPATION),
    );
    log.push(d(2001, 4, 1), award("network", 2001, &["welfare"]));
    log.push(d(2001, 4, 1), award("anma-river", 2001, &["civil-engineering"]));
    // Sequence 2 of program:network is retracted; sequence 2 of program:anma-river stays.
    log.push_to(
        "program:network",
        d(2001, 4, 1),
        Entry::Retracted {
            target: 2,
            reason: "誤登録".into(),
        },
    );
    let state = log.everything();
    assert!(state.programs[&program("network")].contracts.is_empty());
    assert_eq!(
        state.programs[&program("anma-river")].contract_years(),
        vec![fy(2001)]
    );
}

#[test]
fn the_timeline_marks_each_activity_with_its_pillar_and_stage() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        registered("shizuoka-pref", "静岡県", PartnerKind::GovernmentBody, None),
    );
    log.push(
        d(2001, 4, 1),
        registered("parents-group", "親の会", PartnerKind::CitizenGroup, None),
    );
    log.push(
        d(2006, 4, 1),
        launched("pocket-kobo", Pillar::SelfInitiated, SpiralStage::PIONEERING),
    );
    log.push(
        d(2006, 6, 1),
        Fact::RoundtableHeld(gathering("roundtable-1", Some("pocket-kobo"))),
    );
    log.push(d(2006, 7, 1), Fact::WorkingGroupFormed(gathering("wg-1", None)));
    log.push(
        d(2006, 8, 1),
        Fact::StakeholderCouncilHeld(gathering("council-1", None)),
    );
    log.push(
        d(2006, 9, 1),
        Fact::NeedsSurveyConducted(gathering("survey-1", None)),
    );
    log.push(
        d(2006, 10, 1),
        Fact::CommercialisationCommitteeFormed(gathering("committee-1", None)),
    );
    log.push(
        d(2006, 11, 1),
        Fact::CivicGroupConsulted {
            activity: activity("consult-1"),
            group: partner("parents-group"),
            topic: "設立相談".into(),
            program: None,
        },
    );
    log.push(
        d(2006, 12, 1),
        Fact::PolicyProposed {
            activity: activity("proposal-1"),
            title: "工房の県予算化".into(),
            addressed_to: vec![partner("shizuoka-pref")],
            program: Some(program("pocket-kobo")),
        },
    );
    log.push(
        d(2007, 4, 1),
        Fact::PolicyAdopted {
            activity: activity("proposal-1"),
            by: partner("shizuoka-pref"),
        },
    );
    let funds = |id: &str, kind: FundKind, program: Option<&str>| Fact::FundsReceived {
        receipt: ReceiptId::new(id).unwrap(),
        kind,
        payer: Payer::Anonymous,
        amount: Yen::new(10_000),
        fiscal_year: fy(2007),
        program: program.map(self::program),
        restricted: false,
    };
    log.push(d(2007, 5, 1), funds("fee-1", FundKind::CommissionFee, None));
    log.push(d(2007, 5, 2), funds("gift-1", FundKind::Donation, None));
    log.push(
        d(2007, 5, 3),
        funds("fee-2", FundKind::CommissionFee, Some("pocket-kobo")),
    );

    let state = log.everything();
    let mark = |stream: &str| {
        let marks: Vec<_> = state
            .timeline
            .iter()
            .filter(|t| t.subject.stream() == stream)
            .collect();
        marks
            .iter()
            .map(|t| (t.kind.as_ref(), t.pillar, t.stage.number()))
            .collect::<Vec<_>>()
    };
    use Pillar::*;
    // Linked to a self-initiated program: the program's pillar, the activity's own stage.
    assert_eq!(
        mark("activity:roundtable-1"),
        vec![("RoundtableHeld", SelfInitiated, 4)]
    );
    // Unlinked activities are civic-activity support.
    assert_eq!(
        mark("activity:wg-1"),
        vec![("WorkingGroupFormed", CivicSupport, 5)]
    );
    assert_eq!(
        mark("activity:council-1"),
        vec![("StakeholderCouncilHeld", CivicSupport, 6)]
    );
    assert_eq!(
        mark("activity:survey-1"),
        vec![("NeedsSurveyConducted", CivicSupport, 7)]
    );
    assert_eq!(
        mark("activity:committee-1"),
        vec![("CommercialisationCommitteeFormed", CivicSupport, 8)]
    );
    assert_eq!(
        mark("activity:consult-1"),
        vec![("CivicGroupConsulted", CivicSupport, 5)]
    );
    // A proposal and its adoption: two marks in one stream, both round-table stage.
    assert_eq!(
        mark("activity:proposal-1"),
        vec![
            ("PolicyProposed", SelfInitiated, 4),
            ("PolicyAdopted", SelfInitiated, 4)
        ]
    );
    // Money is not a mark (a real ledger is mostly receipts): it is summed per fiscal year and
    // pillar. Unlinked commission fees are collaboration, other unlinked money self-initiated, and
    // a linked receipt takes its program's pillar whatever the kind of money.
    for receipt in ["receipt:fee-1", "receipt:gift-1", "receipt:fee-2"] {
        assert_eq!(mark(receipt), vec![], "{receipt}");
    }
    let money = domain::projection::YearMoney::find(&state.money, fy(2007)).unwrap();
    assert_eq!(money.of(Collaboration), Yen::new(10_000));
    assert_eq!(money.of(SelfInitiated), Yen::new(20_000));
    assert_eq!(money.of(CivicSupport), Yen::ZERO);
    assert_eq!((money.total(), money.receipts), (Yen::new(30_000), 3));
    // The program's own launch is a mark at the program's stage.
    assert_eq!(
        mark("program:pocket-kobo"),
        vec![("ProgramLaunched", SelfInitiated, 2)]
    );
    // Partners are not activities on the spiral.
    assert!(state
        .timeline
        .iter()
        .all(|t| !matches!(t.subject, SubjectRef::Partner(_))));
    // One mark per activity event, in recorded order.
    assert_eq!(state.timeline.len(), 9);
    assert!(state.timeline.windows(2).all(|w| w[0].position < w[1].position));

    // The activities and receipts themselves, and their links to the program.
    let kobo = &state.programs[&program("pocket-kobo")];
    assert_eq!(
        kobo.activities,
        vec![activity("roundtable-1"), activity("proposal-1")]
    );
    assert_eq!(kobo.receipts, vec![ReceiptId::new("fee-2").unwrap()]);
    let proposal = &state.activities[&activity("proposal-1")];
    assert_eq!(proposal.kind, "PolicyProposed");
    assert_eq!(proposal.partners, vec![partner("shizuoka-pref")]);
    assert_eq!(proposal.adopted, Some((d(2007, 4, 1), partner("shizuoka-pref"))));
    assert_eq!(
        state.activities[&activity("roundtable-1")].participants[0].count,
        4
    );
    assert_eq!(
        state
            .receipts
            .get(&ReceiptId::new("fee-1").unwrap())
            .unwrap()
            .kind,
        FundKind::CommissionFee
    );
}

#[test]
fn a_contracts_mark_takes_its_programs_pillar_and_stage() {
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        launched("pc-volunteers", Pillar::Collaboration, SpiralStage::WORKING_GROUP),
    );
    log.push(d(2001, 4, 1), award("pc-volunteers", 2001, &["plan-office"]));
    let state = log.everything();
    let t = state
        .timeline
        .iter()
        .find(|t| t.kind == "ContractAwarded")
        .unwrap();
    assert_eq!(
        (t.pillar, t.stage),
        (Pillar::Collaboration, SpiralStage::WORKING_GROUP)
    );
    assert_eq!(t.program, Some(program("pc-volunteers")));
    assert_eq!(t.label, None, "a program mark is named by its program");
    assert_eq!(
        state.programs[&program("pc-volunteers")].name,
        "pc-volunteers の事業"
    );
}

#[test]
fn the_projection_answers_as_a_directory() {
    use domain::directory::Directory;
    let mut log = Log::default();
    log.push(
        d(2001, 4, 1),
        launched("network", Pillar::Collaboration, SpiralStage::PARTICIPATION),
    );
    log.push(
        d(2001, 4, 1),
        registered("foundation", "財団", PartnerKind::Foundation, None),
    );
    let state = log.everything();
    assert_eq!(
        state.program(&program("network")).unwrap().launched_on,
        d(2001, 4, 1)
    );
    assert!(state.program(&program("ghost")).is_none());
    assert_eq!(
        state.partner(&partner("foundation")).unwrap().kind,
        PartnerKind::Foundation
    );
    assert!(state.partner(&partner("ghost")).is_none());
}

#[test]
fn the_organisations_profile_on_a_day_is_the_last_one_in_effect_by_then() {
    use domain::events::{Certification, OrganisationProfile};
    let profile = |address: &str, certified: Option<Date>| {
        Fact::OrganisationProfiled(OrganisationProfile {
            name: "特定非営利活動法人テスト".into(),
            address: address.into(),
            certification: certified.map(|certified_on| Certification {
                number: "第1号".into(),
                certified_on,
            }),
        })
    };
    let mut log = Log::default();
    // Recorded out of order: the certification first, the founding profile later.
    let certified = log.push(d(2021, 6, 15), profile("港町4-5-6", Some(d(2021, 6, 15))));
    log.push(d(2001, 4, 1), profile("本町1-2-3", None));
    let state = log.everything();
    assert_eq!(state.organisation_on(d(2001, 3, 31)), None);
    assert_eq!(
        state.organisation_on(d(2021, 6, 14)).unwrap().address,
        "本町1-2-3"
    );
    let now = state.organisation_on(d(2021, 6, 15)).unwrap();
    assert_eq!(now.certification.as_ref().unwrap().certified_on, d(2021, 6, 15));
    // A correction of the certified profile's address is what the day reads.
    log.push_to(
        "organisation:profile",
        d(2021, 6, 15),
        Entry::Corrected {
            target: log.sequence_of(certified),
            fact: Box::new(profile("港町4-5-7", Some(d(2021, 6, 15)))),
            reason: "番地の誤り".into(),
        },
    );
    assert_eq!(
        log.everything().organisation_on(d(2030, 1, 1)).unwrap().address,
        "港町4-5-7"
    );
    // As of a day before the certification took effect, it is not there at all.
    assert_eq!(log.replay(as_of(d(2021, 1, 1))).organisation.len(), 1);
}
