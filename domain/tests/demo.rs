//! The seed's history (DOMAIN.md, "the seed's commissioned work") recorded through the ordinary
//! command path: every command is decided by its subject's rules against a directory that is the
//! projection of everything recorded before it, exactly as the server does. Then the projection
//! must tell the seed's story back.

use chrono::{DateTime, Duration, Utc};
use domain::ids::{PartnerId, ProgramId};
use domain::partner::PartnerKind;
use domain::program::Pillar;
use domain::projection::ProgramView;
use domain::Date;
use domain::{Command, FiscalYear, LedgerState, Metadata, Recorded, Subject, View};
use std::collections::{BTreeSet, HashMap};

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

/// A store in memory: the log in commit order and each stream's aggregate.
#[derive(Default)]
struct Ledger {
    log: Vec<Recorded>,
    subjects: HashMap<String, Subject>,
}

impl Ledger {
    /// Decides `command` against its subject and the projection of the log so far, and appends
    /// the events it yields. Returns why it was refused, if it was.
    fn execute(&mut self, command: Command) -> Result<(), domain::DomainError> {
        let directory = LedgerState::replay(&self.log, View::everything());
        let stream = command.stream()?;
        let reason = command.reason().map(str::to_owned);
        let subject = self.subjects.entry(stream.clone()).or_default();
        let events = subject.decide(command, &directory)?;
        let correlation_id = format!("cmd-{}", self.log.len() + 1);
        for event in events {
            let position = self.log.len() as u64 + 1;
            let recorded_at: DateTime<Utc> =
                "2024-04-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::seconds(position as i64);
            self.log.push(Recorded {
                position,
                stream: stream.clone(),
                sequence: subject.version() + 1,
                meta: Metadata {
                    actor: domain::demo::ACTOR.into(),
                    correlation_id: correlation_id.clone(),
                    effective: event.on,
                    reason: reason.clone(),
                    recorded_at,
                },
                event: event.clone(),
            });
            subject.apply_event(event);
        }
        Ok(())
    }
}

/// The seed recorded from scratch; panics naming the first command refused.
fn seeded() -> Ledger {
    let mut ledger = Ledger::default();
    for (i, command) in domain::demo::seed_history().into_iter().enumerate() {
        let shown = format!("{command:?}");
        if let Err(e) = ledger.execute(command) {
            panic!("seed command {i} was refused: {e}\n{shown}");
        }
    }
    ledger
}

fn final_state(ledger: &Ledger) -> LedgerState {
    LedgerState::replay(&ledger.log, View::everything())
}

fn years(from: i32, to: i32) -> Vec<FiscalYear> {
    (from..=to).map(fy).collect()
}

/// The seed table's row for each program id (#1a, and the ⇒ halves of #2 and #3, belong to
/// the row they are written in).
const SEED_ROWS: &[(u8, &str)] = &[
    (1, "pc-course-west"),
    (1, "pocket-kobo"),
    (2, "anma-river-plan"),
    (2, "anma-river-opinions"),
    (3, "employment-network"),
    (3, "job-coach"),
    (4, "multimedia-centre"),
    (5, "home-pc-training"),
    (6, "pc-volunteer-training"),
    (7, "hs-guidance-2004"),
    (8, "collaboration-training-2005"),
    (9, "enoshima-consultations"),
    (10, "staff-seminar-2006"),
    (11, "staff-training-newsletter"),
    (12, "hs-guidance-2009"),
    (13, "civic-forum-2011"),
    (14, "certified-npo-course"),
    (15, "npo-publicity-course"),
    (16, "npo-student-pr"),
    (17, "leadership-school"),
];

#[test]
fn every_seed_command_is_accepted_and_recorded() {
    let commands = domain::demo::seed_history();
    let ledger = seeded();
    // Each command is one fact: one event each, positions without gaps.
    assert_eq!(ledger.log.len(), commands.len());
    assert!(ledger
        .log
        .iter()
        .enumerate()
        .all(|(i, e)| e.position == i as u64 + 1));
    assert!(ledger.log.iter().all(|e| e.meta.actor == "system:demo"));
    // Sequences run 1.. within each stream.
    let mut last: HashMap<&str, u64> = HashMap::new();
    for e in &ledger.log {
        let seq = last.entry(e.stream.as_str()).or_default();
        assert_eq!(e.sequence, *seq + 1, "sequence break in {}", e.stream);
        *seq = e.sequence;
    }
    // Every event carries the note its command gave, naming the seed as the source.
    assert!(ledger
        .log
        .iter()
        .all(|e| e.meta.reason.as_deref().is_some_and(|r| r.contains("seed"))));
    // Dates the seed does not give are said to be illustrative: the two renames at least.
    let renames: Vec<_> = ledger
        .log
        .iter()
        .filter(|e| e.event.entry.type_name() == "PartnerRenamed")
        .collect();
    assert_eq!(renames.len(), 2);
    assert!(renames
        .iter()
        .all(|e| e.meta.reason.as_deref().unwrap().contains("illustrative")));
}

#[test]
fn the_seed_history_is_refused_the_second_time() {
    // Replaying the seed over itself is refused command by command (already recorded, or a
    // duplicate contract), so an import run twice cannot double the history. Renames are left
    // out: no rule yet refuses renaming a partner to the name it already has.
    let mut ledger = seeded();
    let before = ledger.log.len();
    let commands = domain::demo::seed_history();
    let (renames, others): (Vec<_>, Vec<_>) = commands.into_iter().partition(|c| {
        matches!(
            c,
            Command::Record {
                fact: domain::Fact::PartnerRenamed { .. },
                ..
            }
        )
    });
    assert_eq!(renames.len(), 2);
    for command in others {
        let shown = format!("{command:?}");
        assert!(ledger.execute(command).is_err(), "accepted again: {shown}");
    }
    assert_eq!(ledger.log.len(), before);
}

#[test]
fn the_seed_programs_are_all_there() {
    let state = final_state(&seeded());
    assert_eq!(domain::demo::program_count(), 20);
    assert_eq!(state.programs.len(), domain::demo::program_count());
    let ids: BTreeSet<_> = state.programs.keys().map(|p| p.as_str()).collect();
    let expected: BTreeSet<_> = SEED_ROWS.iter().map(|&(_, id)| id).collect();
    assert_eq!(ids, expected);
    // All 17 rows of the seed table are represented.
    let rows: BTreeSet<u8> = SEED_ROWS.iter().map(|&(row, _)| row).collect();
    assert_eq!(rows, (1..=17).collect());
    // The seed's commissioned work is collaboration with government.
    assert!(state.programs.values().all(|p| p.pillar == Pillar::Collaboration));
    // Names as the seed writes them.
    assert_eq!(
        state.programs[&program("pc-course-west")].name,
        "西部地域障害児(者)就労支援パソコン講座"
    );
    assert!(state.programs[&program("pocket-kobo")]
        .name
        .contains("ぽけっと工房"));
    assert!(state.programs[&program("enoshima-consultations")]
        .name
        .contains("なんでも相談会"));
    assert_eq!(
        state.programs[&program("leadership-school")].name,
        "「想いをかたちに」人材養成塾"
    );
}

#[test]
fn lineage_follows_the_seeds_arrows() {
    let state = final_state(&seeded());
    let parent_of = |id: &str| state.programs[&program(id)].parent.clone();
    assert_eq!(parent_of("pocket-kobo"), Some(program("pc-course-west")));
    assert_eq!(parent_of("job-coach"), Some(program("employment-network")));
    assert_eq!(parent_of("anma-river-opinions"), Some(program("anma-river-plan")));
    assert_eq!(
        state.programs[&program("pc-course-west")].children,
        vec![program("pocket-kobo")]
    );
    assert_eq!(
        state.programs[&program("employment-network")].children,
        vec![program("job-coach")]
    );
    // Only the three ⇒ programs have a parent.
    assert_eq!(state.programs.values().filter(|p| p.parent.is_some()).count(), 3);
}

#[test]
fn the_years_of_each_program_match_the_seed_table() {
    let state = final_state(&seeded());
    let p = |id: &str| -> &ProgramView { &state.programs[&program(id)] };
    assert_eq!(p("pc-course-west").contract_years(), years(2001, 2005));
    assert_eq!(p("pocket-kobo").contract_years(), years(2006, 2013));
    assert_eq!(p("multimedia-centre").contract_years(), years(2001, 2014));
    assert_eq!(p("home-pc-training").contract_years(), years(2003, 2014));
    assert_eq!(p("pc-volunteer-training").contract_years(), years(2004, 2010));
    assert_eq!(p("hs-guidance-2004").contract_years(), years(2004, 2004));
    assert_eq!(p("hs-guidance-2009").contract_years(), years(2009, 2009));
    // The two halves of #2 together span 2001–2007.
    let mut anma = p("anma-river-plan").contract_years();
    anma.extend(p("anma-river-opinions").contract_years());
    assert_eq!(anma, years(2001, 2007));
    // Each program's first year is awarded and the rest renewed; it ends on the last day of its
    // last year.
    for program in state.programs.values() {
        let renewals: Vec<bool> = program.contracts.iter().map(|c| c.renewal).collect();
        assert!(!renewals[0] && renewals[1..].iter().all(|&r| r), "{}", program.id);
        assert!(
            program.contracts.iter().all(|c| c.amount.is_none()),
            "the seed gives no amounts"
        );
        assert_eq!(program.launched_on, program.contract_years()[0].first_day());
        if let Some(end) = program.concluded_on {
            assert_eq!(
                end,
                program.contract_years().last().unwrap().last_day(),
                "{}",
                program.id
            );
        }
    }
}

#[test]
fn job_coach_is_still_running() {
    let state = final_state(&seeded());
    let job_coach = &state.programs[&program("job-coach")];
    assert_eq!(
        job_coach.contract_years(),
        years(2007, domain::demo::SEED_LAST_YEAR)
    );
    assert_eq!(job_coach.contract_years(), years(2007, 2015));
    assert_eq!(job_coach.concluded_on, None);
    // The only "現在" program; every other one has concluded.
    let running: Vec<_> = state
        .programs
        .values()
        .filter(|p| p.concluded_on.is_none())
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(running, vec!["job-coach"]);
}

#[test]
fn enoshima_was_commissioned_jointly_by_three_departments() {
    let state = final_state(&seeded());
    let enoshima = &state.programs[&program("enoshima-consultations")];
    assert_eq!(enoshima.contracts.len(), 1);
    let contract = &enoshima.contracts[0];
    assert_eq!(contract.fiscal_year, fy(2006));
    assert_eq!(
        contract.commissioners,
        vec![
            partner("hamamatsu-labour"),
            partner("hamamatsu-disability-welfare"),
            partner("hamamatsu-health-prevention")
        ]
    );
    assert!(contract
        .scheme
        .as_deref()
        .is_some_and(|s| s.contains("たねからみのり")));
    // The three are departments of Hamamatsu city.
    for c in &contract.commissioners {
        let p = &state.partners[c];
        assert_eq!(
            (p.kind, p.parent.clone()),
            (PartnerKind::Department, Some(partner("hamamatsu-city")))
        );
    }
}

#[test]
fn a_commissioner_shows_under_the_name_it_had_that_year() {
    let state = final_state(&seeded());
    let centre = &state.programs[&program("multimedia-centre")];
    let commissioner_name = |year: i32| {
        let c = centre
            .contracts
            .iter()
            .find(|c| c.fiscal_year == fy(year))
            .unwrap();
        assert_eq!(c.commissioners.len(), 1);
        state.partners[&c.commissioners[0]]
            .name_on(fy(year).first_day())
            .to_owned()
    };
    assert_eq!(commissioner_name(2013), "静岡県民生部障害者プラン推進室");
    assert_eq!(
        commissioner_name(2014),
        "静岡県健康福祉部障害者支援局障害者政策課"
    );
    // The same department throughout: the reorganisation renamed it, it did not replace it.
    assert_eq!(
        centre.contracts[0].commissioners,
        centre.contracts.last().unwrap().commissioners
    );
    // Pocket Kobo ended in 2013, under the old name; job-coach's department got its later name.
    let industry = &state.partners[&partner("shizuoka-industry")];
    assert_eq!(industry.name_on(d(2006, 4, 1)), "静岡県産業部");
    assert_eq!(industry.current_name(), "静岡県経済産業部雇用推進課");
}

#[test]
fn the_seed_seen_from_earlier_moments() {
    let ledger = seeded();
    // As of the end of FY2005: #1 ended, Pocket Kobo not yet spun off, job-coach not started.
    let fy2005 = LedgerState::replay(
        &ledger.log,
        View {
            as_of: Some(fy(2005).last_day()),
            known_at: None,
        },
    );
    assert_eq!(
        fy2005.programs[&program("pc-course-west")].concluded_on,
        Some(d(2006, 3, 31))
    );
    assert!(!fy2005.programs.contains_key(&program("pocket-kobo")));
    assert!(!fy2005.programs.contains_key(&program("job-coach")));
    assert!(!fy2005
        .partners
        .contains_key(&partner("hamamatsu-civic-collaboration")));
    assert!(fy2005.programs[&program("pc-course-west")].children.is_empty());
    // Known before the first program was recorded: partners only.
    let first_program = ledger
        .log
        .iter()
        .find(|e| e.stream.starts_with("program:"))
        .unwrap();
    let partners_only = LedgerState::replay(
        &ledger.log,
        View {
            as_of: None,
            known_at: Some(first_program.meta.recorded_at - Duration::seconds(1)),
        },
    );
    assert!(partners_only.programs.is_empty());
    assert_eq!(partners_only.partners.len(), 13);
}

#[test]
fn fiscal_2019_is_reiwa_gannen() {
    // 令和 began on 2019-05-01, after the fiscal year had started; the year is still 令和元年度.
    assert_eq!(fy(2019).wareki(), "令和元年度");
    assert_eq!(fy(2004).wareki(), "平成16年度");
    assert_eq!(fy(2001).seireki(), "2001年度");
}

#[test]
fn the_in_memory_demo_is_the_recorded_one_and_chains() {
    let at: DateTime<Utc> = "2026-11-28T09:00:00Z".parse().unwrap();
    let events = domain::demo::recorded(at);
    assert_eq!(events.len(), 133);
    let rows = domain::chain::rows_for(&events).unwrap();
    let mut chain = domain::chain::ChainVerifier::new();
    for row in &rows {
        chain.push(row).unwrap();
    }
    assert_eq!(chain.count(), 133);
}
