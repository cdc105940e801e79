//! The facts the ledger records. Each stored event is a [`LedgerEvent`]: a [`Fact`] and the date
//! it took effect in the world (which may be long before the day it was recorded).
//!
//! Every fact names its subject (a program, partner, activity or receipt); the subject's stream in
//! the store is derived from it, so a fact can never land in the wrong stream.

use crate::fiscal_year::FiscalYear;
use crate::funds::{FundKind, Payer};
use crate::ids::{ActivityId, DonorId, HouseholdId, PartnerId, ProgramId, ReceiptId};
use crate::money::Yen;
use crate::partner::{PartnerKind, Sector};
use crate::program::{Beneficiary, Pillar, SpiralStage};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The version of the payload format; bumped (with an upcaster) when a fact's shape changes.
pub const EVENT_VERSION: &str = "1.0";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEvent {
    /// The date the fact took effect (a contract's fiscal year start, a meeting's day).
    pub on: NaiveDate,
    pub fact: Fact,
}

/// A contract for one fiscal year (単年度契約), possibly from several departments jointly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contract {
    pub fiscal_year: FiscalYear,
    /// One or more commissioning departments (共同委託 when several).
    pub commissioners: Vec<PartnerId>,
    /// The call or scheme it came through, e.g. "16年度市民協働 たねからみのり".
    pub scheme: Option<String>,
    /// The contract amount when known; the seed's history has none.
    pub amount: Option<Yen>,
}

/// A participant count by sector, for round-tables and working groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participation {
    pub sector: Sector,
    pub count: u32,
}

/// A meeting, group or survey: what it was, what program it served, who took part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gathering {
    pub activity: ActivityId,
    pub title: String,
    pub program: Option<ProgramId>,
    pub participants: Vec<Participation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Fact {
    // --- programs ---
    ProgramLaunched {
        program: ProgramId,
        name: String,
        pillar: Pillar,
        beneficiaries: Vec<Beneficiary>,
        stage: SpiralStage,
    },
    /// ⇒ in the seed: a new program begotten by an existing one.
    ProgramSpunOff {
        program: ProgramId,
        parent: ProgramId,
        name: String,
        pillar: Pillar,
        beneficiaries: Vec<Beneficiary>,
        stage: SpiralStage,
    },
    ProgramConcluded {
        program: ProgramId,
    },
    ContractAwarded {
        program: ProgramId,
        contract: Contract,
    },
    /// The next year's contract of a program contracted the year before.
    ContractRenewed {
        program: ProgramId,
        contract: Contract,
    },
    // --- partners ---
    PartnerRegistered {
        partner: PartnerId,
        name: String,
        kind: PartnerKind,
        /// The government body a department belongs to.
        parent: Option<PartnerId>,
    },
    PartnerRenamed {
        partner: PartnerId,
        name: String,
    },
    /// A department merged into (or replaced by) a successor.
    PartnerMerged {
        partner: PartnerId,
        successor: PartnerId,
    },
    // --- the spiral's activities ---
    RoundtableHeld(Gathering),
    WorkingGroupFormed(Gathering),
    StakeholderCouncilHeld(Gathering),
    NeedsSurveyConducted(Gathering),
    CommercialisationCommitteeFormed(Gathering),
    CivicGroupConsulted {
        activity: ActivityId,
        group: PartnerId,
        topic: String,
        program: Option<ProgramId>,
    },
    PolicyProposed {
        activity: ActivityId,
        title: String,
        addressed_to: Vec<PartnerId>,
        program: Option<ProgramId>,
    },
    /// Recorded in the proposal's own stream.
    PolicyAdopted {
        activity: ActivityId,
        by: PartnerId,
    },
    // --- money ---
    FundsReceived {
        receipt: ReceiptId,
        kind: FundKind,
        payer: Payer,
        amount: Yen,
        fiscal_year: FiscalYear,
        program: Option<ProgramId>,
        /// Restricted in use by the funder (使途等が制約された寄付等).
        restricted: bool,
    },
    /// Part of a restricted grant, subsidy or donation used in a fiscal year: a restricted grant
    /// is recognised as revenue in the years it is spent, the rest carried forward (前受助成金).
    FundsSpent {
        receipt: ReceiptId,
        fiscal_year: FiscalYear,
        amount: Yen,
    },
    /// A donor, by pseudonymous id, with only what the public support test needs. Names and
    /// addresses stay outside the ledger, where they can be erased on request.
    DonorRegistered {
        donor: DonorId,
        /// Donors sharing a household count once in the absolute criterion.
        household: Option<HouseholdId>,
        /// An officer (役員) or an officer's household: not counted in the absolute criterion.
        officer: bool,
        /// A certified NPO or 特定公益増進法人: its share of donations may reach 50% before the
        /// excess leaves the numerator (10% for anyone else).
        certified_npo: bool,
        /// Whether the NPO holds the donor's name and address (needed to count in the absolute
        /// criterion).
        identified: bool,
    },
    // --- corrections: the ledger is never edited; these amend it ---
    /// Replaces the fact at `target` (a sequence in the same stream) and its effective date.
    Corrected {
        target: u64,
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        fact: Box<Fact>,
        reason: String,
    },
    /// Withdraws the fact at `target`, as if it had never happened.
    Retracted {
        target: u64,
        reason: String,
    },
}

/// What a fact is about; its stream in the store is `kind:id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SubjectRef {
    Program(ProgramId),
    Partner(PartnerId),
    Activity(ActivityId),
    Receipt(ReceiptId),
    Donor(DonorId),
}

impl SubjectRef {
    pub fn stream(&self) -> String {
        match self {
            SubjectRef::Program(id) => format!("program:{id}"),
            SubjectRef::Partner(id) => format!("partner:{id}"),
            SubjectRef::Activity(id) => format!("activity:{id}"),
            SubjectRef::Receipt(id) => format!("receipt:{id}"),
            SubjectRef::Donor(id) => format!("donor:{id}"),
        }
    }

    /// Parses `kind:id` back; `None` for anything else.
    pub fn from_stream(stream: &str) -> Option<SubjectRef> {
        let (kind, id) = stream.split_once(':')?;
        match kind {
            "program" => ProgramId::new(id).ok().map(SubjectRef::Program),
            "partner" => PartnerId::new(id).ok().map(SubjectRef::Partner),
            "activity" => ActivityId::new(id).ok().map(SubjectRef::Activity),
            "receipt" => ReceiptId::new(id).ok().map(SubjectRef::Receipt),
            "donor" => DonorId::new(id).ok().map(SubjectRef::Donor),
            _ => None,
        }
    }
}

impl Fact {
    /// The subject a fact is about; `None` for corrections, which address a stream by target.
    pub fn subject(&self) -> Option<SubjectRef> {
        use Fact::*;
        Some(match self {
            ProgramLaunched { program, .. }
            | ProgramSpunOff { program, .. }
            | ProgramConcluded { program }
            | ContractAwarded { program, .. }
            | ContractRenewed { program, .. } => SubjectRef::Program(program.clone()),
            PartnerRegistered { partner, .. }
            | PartnerRenamed { partner, .. }
            | PartnerMerged { partner, .. } => SubjectRef::Partner(partner.clone()),
            RoundtableHeld(g)
            | WorkingGroupFormed(g)
            | StakeholderCouncilHeld(g)
            | NeedsSurveyConducted(g)
            | CommercialisationCommitteeFormed(g) => SubjectRef::Activity(g.activity.clone()),
            CivicGroupConsulted { activity, .. }
            | PolicyProposed { activity, .. }
            | PolicyAdopted { activity, .. } => SubjectRef::Activity(activity.clone()),
            FundsReceived { receipt, .. } | FundsSpent { receipt, .. } => {
                SubjectRef::Receipt(receipt.clone())
            }
            DonorRegistered { donor, .. } => SubjectRef::Donor(donor.clone()),
            Corrected { .. } | Retracted { .. } => return None,
        })
    }

    /// The event type name stored beside the payload (and shown in the audit log).
    pub fn type_name(&self) -> &'static str {
        use Fact::*;
        match self {
            ProgramLaunched { .. } => "ProgramLaunched",
            ProgramSpunOff { .. } => "ProgramSpunOff",
            ProgramConcluded { .. } => "ProgramConcluded",
            ContractAwarded { .. } => "ContractAwarded",
            ContractRenewed { .. } => "ContractRenewed",
            PartnerRegistered { .. } => "PartnerRegistered",
            PartnerRenamed { .. } => "PartnerRenamed",
            PartnerMerged { .. } => "PartnerMerged",
            RoundtableHeld(_) => "RoundtableHeld",
            WorkingGroupFormed(_) => "WorkingGroupFormed",
            StakeholderCouncilHeld(_) => "StakeholderCouncilHeld",
            NeedsSurveyConducted(_) => "NeedsSurveyConducted",
            CommercialisationCommitteeFormed(_) => "CommercialisationCommitteeFormed",
            CivicGroupConsulted { .. } => "CivicGroupConsulted",
            PolicyProposed { .. } => "PolicyProposed",
            PolicyAdopted { .. } => "PolicyAdopted",
            FundsReceived { .. } => "FundsReceived",
            FundsSpent { .. } => "FundsSpent",
            DonorRegistered { .. } => "DonorRegistered",
            Corrected { .. } => "Corrected",
            Retracted { .. } => "Retracted",
        }
    }

    /// The program a fact concerns, if any (for lineage, timelines and per-program history).
    pub fn program(&self) -> Option<&ProgramId> {
        use Fact::*;
        match self {
            ProgramLaunched { program, .. }
            | ProgramSpunOff { program, .. }
            | ProgramConcluded { program }
            | ContractAwarded { program, .. }
            | ContractRenewed { program, .. } => Some(program),
            RoundtableHeld(g)
            | WorkingGroupFormed(g)
            | StakeholderCouncilHeld(g)
            | NeedsSurveyConducted(g)
            | CommercialisationCommitteeFormed(g) => g.program.as_ref(),
            CivicGroupConsulted { program, .. }
            | PolicyProposed { program, .. }
            | FundsReceived { program, .. } => program.as_ref(),
            _ => None,
        }
    }

    /// The partners a fact mentions (commissioners, payers, addressees).
    pub fn partners(&self) -> Vec<&PartnerId> {
        use Fact::*;
        match self {
            ContractAwarded { contract, .. } | ContractRenewed { contract, .. } => {
                contract.commissioners.iter().collect()
            }
            PartnerRegistered { partner, parent, .. } => {
                std::iter::once(partner).chain(parent.iter()).collect()
            }
            PartnerRenamed { partner, .. } => vec![partner],
            PartnerMerged { partner, successor } => vec![partner, successor],
            CivicGroupConsulted { group, .. } => vec![group],
            PolicyProposed { addressed_to, .. } => addressed_to.iter().collect(),
            PolicyAdopted { by, .. } => vec![by],
            FundsReceived {
                payer: Payer::Partner(p),
                ..
            } => vec![p],
            _ => vec![],
        }
    }
}

#[cfg(feature = "aggregate")]
impl cqrs_es::DomainEvent for LedgerEvent {
    fn event_type(&self) -> String {
        self.fact.type_name().to_owned()
    }

    fn event_version(&self) -> String {
        EVENT_VERSION.to_owned()
    }
}
