//! The seed's history (N-Pocket, 事業の進め方): the commissioned programs of DOMAIN.md as the
//! commands staff would have typed. `spiral demo` records them through the ordinary command path.
//!
//! The seed gives fiscal years, not days: each launch and contract takes effect on April 1 of its
//! fiscal year and each conclusion on March 31 of the last one. Where the seed says "⇒" inside one
//! row (#2, #3) or "→" for a department's later name, it gives no year; the years chosen here are
//! illustrative and every such command says so in its note. The seed gives no amounts: none are
//! recorded.

use crate::command::Command;
use crate::date::Date;
use crate::events::{Contract, Fact};
use crate::fiscal_year::FiscalYear;
use crate::ids::{PartnerId, ProgramId};
use crate::partner::PartnerKind;
use crate::program::{Beneficiary, Pillar, SpiralStage};

/// Who the demo's events are recorded as.
pub const ACTOR: &str = "system:demo";

/// The seed's last fiscal year: "現在" (still running) programs have contracts up to here.
pub const SEED_LAST_YEAR: i32 = 2015;

const SOURCE: &str = "seed: N-Pocket「事業の進め方」";

struct PartnerRow {
    id: &'static str,
    name: &'static str,
    kind: PartnerKind,
    parent: Option<&'static str>,
    since: i32,
}

const PARTNERS: &[PartnerRow] = &[
    PartnerRow {
        id: "shizuoka-pref",
        name: "静岡県",
        kind: PartnerKind::GovernmentBody,
        parent: None,
        since: 2001,
    },
    PartnerRow {
        id: "shizuoka-disability-plan",
        name: "静岡県民生部障害者プラン推進室",
        kind: PartnerKind::Department,
        parent: Some("shizuoka-pref"),
        since: 2001,
    },
    PartnerRow {
        id: "shizuoka-welfare",
        name: "静岡県民生部",
        kind: PartnerKind::Department,
        parent: Some("shizuoka-pref"),
        since: 2001,
    },
    PartnerRow {
        id: "shizuoka-industry",
        name: "静岡県産業部",
        kind: PartnerKind::Department,
        parent: Some("shizuoka-pref"),
        since: 2001,
    },
    PartnerRow {
        id: "hamamatsu-civil-engineering",
        name: "静岡県浜松土木事務所",
        kind: PartnerKind::Department,
        parent: Some("shizuoka-pref"),
        since: 2001,
    },
    PartnerRow {
        id: "shizuoka-education-board",
        name: "静岡県教育委員会",
        kind: PartnerKind::Department,
        parent: Some("shizuoka-pref"),
        since: 2009,
    },
    PartnerRow {
        id: "hamamatsu-city",
        name: "浜松市",
        kind: PartnerKind::GovernmentBody,
        parent: None,
        since: 2004,
    },
    PartnerRow {
        id: "hamamatsu-education-board",
        name: "浜松市教育委員会",
        kind: PartnerKind::Department,
        parent: Some("hamamatsu-city"),
        since: 2004,
    },
    PartnerRow {
        id: "hamamatsu-admin-management",
        name: "浜松市行政経営課",
        kind: PartnerKind::Department,
        parent: Some("hamamatsu-city"),
        since: 2005,
    },
    PartnerRow {
        id: "hamamatsu-labour",
        name: "浜松市労政課",
        kind: PartnerKind::Department,
        parent: Some("hamamatsu-city"),
        since: 2006,
    },
    PartnerRow {
        id: "hamamatsu-disability-welfare",
        name: "浜松市障害福祉課",
        kind: PartnerKind::Department,
        parent: Some("hamamatsu-city"),
        since: 2006,
    },
    PartnerRow {
        id: "hamamatsu-health-prevention",
        name: "浜松市保健予防課",
        kind: PartnerKind::Department,
        parent: Some("hamamatsu-city"),
        since: 2006,
    },
    PartnerRow {
        id: "hamamatsu-civic-collaboration",
        name: "浜松市市民協働・地域政策課",
        kind: PartnerKind::Department,
        parent: Some("hamamatsu-city"),
        since: 2011,
    },
];

/// A department's later name (the seed's "→"), taking effect at the start of `year`.
struct RenameRow {
    id: &'static str,
    name: &'static str,
    year: i32,
    why_this_year: &'static str,
}

const RENAMES: &[RenameRow] = &[
    RenameRow {
        id: "shizuoka-industry",
        name: "静岡県経済産業部雇用推進課",
        year: 2007,
        why_this_year: "the year the job-coach dispatch (#3 ⇒) is taken to begin",
    },
    RenameRow {
        id: "shizuoka-disability-plan",
        name: "静岡県健康福祉部障害者支援局障害者政策課",
        year: 2014,
        why_this_year: "#1a (to 2013) is still under the old name and #4, #5 end in 2014 under the new one",
    },
];

/// A commissioned program: its years, and who commissioned it from which year on.
struct ProgramRow {
    seed_no: &'static str,
    id: &'static str,
    name: &'static str,
    /// The program it was spun off from (⇒), and whether the split year is the seed's own.
    parent: Option<(&'static str, bool)>,
    beneficiaries: &'static [Beneficiary],
    stage: u8,
    first: i32,
    /// `None`: still running when the seed was written (現在).
    last: Option<i32>,
    commissioners: &'static [&'static str],
    scheme: Option<&'static str>,
}

use Beneficiary::*;

const PROGRAMS: &[ProgramRow] = &[
    ProgramRow { seed_no: "1", id: "pc-course-west", name: "西部地域障害児(者)就労支援パソコン講座", parent: None, beneficiaries: &[DisabledPeople, Children], stage: 1, first: 2001, last: Some(2005), commissioners: &["shizuoka-disability-plan"], scheme: None },
    ProgramRow { seed_no: "1a", id: "pocket-kobo", name: "バーチャル工房支援事業 <ぽけっと工房>", parent: Some(("pc-course-west", true)), beneficiaries: &[DisabledPeople], stage: 2, first: 2006, last: Some(2013), commissioners: &["shizuoka-disability-plan"], scheme: None },
    ProgramRow { seed_no: "2", id: "anma-river-plan", name: "一級河川安間川河川整備構想策定事業", parent: None, beneficiaries: &[Residents], stage: 1, first: 2001, last: Some(2002), commissioners: &["hamamatsu-civil-engineering"], scheme: None },
    ProgramRow { seed_no: "2", id: "anma-river-opinions", name: "意見集約事業", parent: Some(("anma-river-plan", false)), beneficiaries: &[Residents], stage: 1, first: 2003, last: Some(2007), commissioners: &["hamamatsu-civil-engineering"], scheme: None },
    ProgramRow { seed_no: "3", id: "employment-network", name: "静岡県就労支援ネットワーク体制づくり", parent: None, beneficiaries: &[DisabledPeople], stage: 1, first: 2001, last: Some(2006), commissioners: &["shizuoka-welfare", "shizuoka-industry"], scheme: None },
    ProgramRow { seed_no: "3", id: "job-coach", name: "ジョブコーチ派遣事業", parent: Some(("employment-network", false)), beneficiaries: &[DisabledPeople], stage: 2, first: 2007, last: None, commissioners: &["shizuoka-industry"], scheme: None },
    ProgramRow { seed_no: "4", id: "multimedia-centre", name: "静岡県西部障害者マルチメディア情報センター運営事業", parent: None, beneficiaries: &[DisabledPeople], stage: 1, first: 2001, last: Some(2014), commissioners: &["shizuoka-disability-plan"], scheme: None },
    ProgramRow { seed_no: "5", id: "home-pc-training", name: "静岡県西部地域障害者在宅パソコン講習 開催事業", parent: None, beneficiaries: &[DisabledPeople], stage: 1, first: 2003, last: Some(2014), commissioners: &["shizuoka-disability-plan"], scheme: None },
    ProgramRow { seed_no: "6", id: "pc-volunteer-training", name: "パソコンボランティア特別研修", parent: None, beneficiaries: &[DisabledPeople], stage: 5, first: 2004, last: Some(2010), commissioners: &["shizuoka-disability-plan"], scheme: None },
    ProgramRow { seed_no: "7", id: "hs-guidance-2004", name: "第2回 日本語を母語としない子どものための高校進学ガイダンス", parent: None, beneficiaries: &[ForeignResidents, Children], stage: 1, first: 2004, last: Some(2004), commissioners: &["hamamatsu-education-board"], scheme: Some("16年度市民協働 たねからみのり") },
    ProgramRow { seed_no: "8", id: "collaboration-training-2005", name: "NPOと行政との“協働”をテーマとした研修会", parent: None, beneficiaries: &[GovernmentStaff, CitizenGroups], stage: 1, first: 2005, last: Some(2005), commissioners: &["hamamatsu-admin-management"], scheme: Some("17年度市民協働 たねからみのり") },
    ProgramRow { seed_no: "9", id: "enoshima-consultations", name: "浜松福祉協働センター「アンサンブル江之島」の機能強化の為の「行政と異分野専門家集団によるなんでも相談会」開催事業", parent: None, beneficiaries: &[DisabledPeople], stage: 5, first: 2006, last: Some(2006), commissioners: &["hamamatsu-labour", "hamamatsu-disability-welfare", "hamamatsu-health-prevention"], scheme: Some("17年度市民協働 たねからみのり") },
    ProgramRow { seed_no: "10", id: "staff-seminar-2006", name: "市職員の意識改革NPO協働セミナー", parent: None, beneficiaries: &[GovernmentStaff], stage: 1, first: 2006, last: Some(2006), commissioners: &["hamamatsu-admin-management"], scheme: Some("18年度市民協働 たねからみのり・悩みの種") },
    ProgramRow { seed_no: "11", id: "staff-training-newsletter", name: "職員の意識改革のための研修会の開催とメールニュースの企画編集", parent: None, beneficiaries: &[GovernmentStaff], stage: 1, first: 2006, last: Some(2006), commissioners: &["hamamatsu-admin-management"], scheme: Some("18年度市民協働 たねからみのり・悩みの種") },
    ProgramRow { seed_no: "12", id: "hs-guidance-2009", name: "高校進路ガイダンス2009", parent: None, beneficiaries: &[ForeignResidents, Children], stage: 1, first: 2009, last: Some(2009), commissioners: &["shizuoka-education-board"], scheme: None },
    ProgramRow { seed_no: "13", id: "civic-forum-2011", name: "浜松市民活動フォーラム開催事業", parent: None, beneficiaries: &[CitizenGroups], stage: 1, first: 2011, last: Some(2011), commissioners: &["hamamatsu-civic-collaboration"], scheme: None },
    ProgramRow { seed_no: "14", id: "certified-npo-course", name: "NPOスキルアップ講座「わかる!なれる!認定NPO法人」", parent: None, beneficiaries: &[CitizenGroups], stage: 1, first: 2012, last: Some(2012), commissioners: &["hamamatsu-civic-collaboration"], scheme: None },
    ProgramRow { seed_no: "15", id: "npo-publicity-course", name: "NPOプロモーション 広報力UP連続講座", parent: None, beneficiaries: &[CitizenGroups], stage: 1, first: 2013, last: Some(2013), commissioners: &["hamamatsu-civic-collaboration"], scheme: None },
    ProgramRow { seed_no: "16", id: "npo-student-pr", name: "NPOと学生との協働による”NPO”PR事業", parent: None, beneficiaries: &[CitizenGroups], stage: 1, first: 2013, last: Some(2013), commissioners: &["hamamatsu-civic-collaboration"], scheme: None },
    ProgramRow { seed_no: "17", id: "leadership-school", name: "「想いをかたちに」人材養成塾", parent: None, beneficiaries: &[CitizenGroups], stage: 1, first: 2015, last: Some(2015), commissioners: &["hamamatsu-civic-collaboration"], scheme: None },
];

fn fy(year: i32) -> FiscalYear {
    FiscalYear::new(year).expect("seed years are in range")
}

fn partner(id: &str) -> PartnerId {
    PartnerId::new(id).expect("seed partner ids are valid")
}

fn program(id: &str) -> ProgramId {
    ProgramId::new(id).expect("seed program ids are valid")
}

fn noted(on: Date, fact: Fact, note: String) -> Command {
    Command::Record {
        on,
        fact,
        note: Some(note),
    }
}

/// The seed's history, in the order it is recorded.
pub fn seed_history() -> Vec<Command> {
    let mut commands = Vec::new();
    for p in PARTNERS {
        commands.push(noted(
            fy(p.since).first_day(),
            Fact::PartnerRegistered {
                partner: partner(p.id),
                name: p.name.to_owned(),
                kind: p.kind,
                parent: p.parent.map(partner),
            },
            format!("{SOURCE}; registered from its first commission"),
        ));
    }
    for r in RENAMES {
        commands.push(noted(
            fy(r.year).first_day(),
            Fact::PartnerRenamed {
                partner: partner(r.id),
                name: r.name.to_owned(),
            },
            format!(
                "{SOURCE}; date illustrative (the seed gives none): {}",
                r.why_this_year
            ),
        ));
    }
    for p in PROGRAMS {
        let source = format!("{SOURCE} #{}", p.seed_no);
        let id = program(p.id);
        let stage = SpiralStage::try_from(p.stage).expect("seed stages are 1..=9");
        let launch = match p.parent {
            None => Fact::ProgramLaunched {
                program: id.clone(),
                name: p.name.to_owned(),
                pillar: Pillar::Collaboration,
                beneficiaries: p.beneficiaries.to_vec(),
                stage,
            },
            Some((parent, _)) => Fact::ProgramSpunOff {
                program: id.clone(),
                parent: program(parent),
                name: p.name.to_owned(),
                pillar: Pillar::Collaboration,
                beneficiaries: p.beneficiaries.to_vec(),
                stage,
            },
        };
        let launch_note = match p.parent {
            Some((_, false)) => {
                format!("{source}; ⇒ split year illustrative (the seed gives the whole span only)")
            }
            _ => source.clone(),
        };
        commands.push(noted(fy(p.first).first_day(), launch, launch_note));
        let last = p.last.unwrap_or(SEED_LAST_YEAR);
        for year in p.first..=last {
            let contract = Contract {
                fiscal_year: fy(year),
                commissioners: p.commissioners.iter().copied().map(partner).collect(),
                scheme: p.scheme.map(str::to_owned),
                amount: None,
            };
            let fact = if year == p.first {
                Fact::ContractAwarded {
                    program: id.clone(),
                    contract,
                }
            } else {
                Fact::ContractRenewed {
                    program: id.clone(),
                    contract,
                }
            };
            commands.push(noted(fy(year).first_day(), fact, source.clone()));
        }
        if let Some(last) = p.last {
            commands.push(noted(
                fy(last).last_day(),
                Fact::ProgramConcluded { program: id.clone() },
                source.clone(),
            ));
        }
    }
    commands
}

/// The number of seed programs (the 17 rows, with #1a, #2 ⇒ and #3 ⇒ as programs of their own).
pub fn program_count() -> usize {
    PROGRAMS.len()
}

/// The seed's history and `extra` commands after it, folded: the state the reports' tests
/// work their scenarios out on. Panics if the rules refuse any of them.
#[cfg(test)]
pub(crate) fn state_with(extra: Vec<Command>) -> crate::LedgerState {
    let mut commands = seed_history();
    commands.extend(extra);
    let (events, refused) = record_in_memory(commands, "test", "2026-11-28T09:00:00Z".parse().unwrap());
    assert_eq!(refused, Vec::<String>::new());
    crate::LedgerState::replay(&events, crate::View::everything())
}

/// The seed's history decided through the rules, as `spiral demo` records it, but in memory:
/// every event with its position, stream sequence and metadata (all recorded at `recorded_at`).
/// For tests, benchmarks and fuzzing that need the demo ledger without a database.
pub fn recorded(recorded_at: chrono::DateTime<chrono::Utc>) -> Vec<crate::Recorded> {
    record_in_memory(seed_history(), ACTOR, recorded_at).0
}

/// A ledger in memory that decides each command through the rules, as the server's command
/// path does, and keeps what they decide: for the example, the benchmarks and tests.
#[derive(Default)]
pub struct InMemory {
    pub events: Vec<crate::Recorded>,
    subjects: std::collections::HashMap<String, crate::Subject>,
    pub state: crate::LedgerState,
}

impl InMemory {
    /// Decides `command` against the ledger so far and records what it decides, as `actor` at
    /// `recorded_at`; or says why the rules refused it (nothing recorded).
    pub fn record(
        &mut self,
        command: Command,
        actor: &str,
        recorded_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), crate::DomainError> {
        use crate::{LedgerState, Metadata, Recorded, View};
        let stream = command.stream()?;
        let reason = command.reason().map(str::to_owned);
        let subject = self.subjects.entry(stream.clone()).or_default();
        for event in subject.decide(command, &self.state)? {
            let recorded = Recorded {
                position: self.events.len() as u64 + 1,
                stream: stream.clone(),
                sequence: subject.version() + 1,
                meta: Metadata {
                    actor: actor.into(),
                    correlation_id: format!("{actor}-{}", self.events.len() + 1),
                    effective: event.on,
                    reason: reason.clone(),
                    recorded_at,
                },
                event: event.clone(),
            };
            subject.apply_event(event);
            let pushed = self.state.push(&recorded);
            self.events.push(recorded);
            if !pushed {
                // An amendment: fold again (the example has a handful).
                self.state = LedgerState::replay(&self.events, View::everything());
            }
        }
        Ok(())
    }
}

/// Decides `commands` in order through the rules, as the server's command path does, and
/// records what they decide in memory: the events, and the refusals (as messages) of any
/// command the rules refused.
pub fn record_in_memory(
    commands: Vec<Command>,
    actor: &str,
    recorded_at: chrono::DateTime<chrono::Utc>,
) -> (Vec<crate::Recorded>, Vec<String>) {
    let mut ledger = InMemory::default();
    let mut refused = Vec::new();
    for command in commands {
        let stream = command.stream().unwrap_or_default();
        if let Err(e) = ledger.record(command, actor, recorded_at) {
            refused.push(if stream.is_empty() {
                e.to_string()
            } else {
                format!("{stream}: {e}")
            });
        }
    }
    (ledger.events, refused)
}
