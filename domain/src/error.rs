//! Why a command was refused. Each variant carries the facts a person needs to fix the input;
//! the message (Display) says what is wrong in plain words.

use crate::fiscal_year::FiscalYear;
use crate::ids::{DonorId, InvalidId, PartnerId, ProgramId, ReceiptId};
use crate::money::MoneyError;
use crate::money::Yen;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    InvalidId(#[from] InvalidId),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("{field} must not be empty")]
    EmptyText { field: &'static str },
    #[error("{field} is too long ({len} characters; at most {max})")]
    TextTooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("program {0} does not exist")]
    UnknownProgram(ProgramId),
    #[error("partner {0} does not exist")]
    UnknownPartner(PartnerId),
    #[error("{subject} has already been recorded")]
    AlreadyRecorded { subject: String },
    #[error("{subject} has not been recorded yet")]
    NotRecorded { subject: String },
    #[error("program {program} concluded on {concluded_on}; it can take no contract for {fiscal_year}")]
    ProgramHasConcluded {
        program: ProgramId,
        concluded_on: NaiveDate,
        fiscal_year: FiscalYear,
    },
    #[error("program {program} already concluded on {concluded_on}")]
    AlreadyConcluded {
        program: ProgramId,
        concluded_on: NaiveDate,
    },
    #[error("program {program} launched on {launched_on}; a contract for {fiscal_year} ends before that")]
    ContractBeforeLaunch {
        program: ProgramId,
        launched_on: NaiveDate,
        fiscal_year: FiscalYear,
    },
    #[error("program {program} already has a contract for {fiscal_year} from {commissioner}")]
    DuplicateContract {
        program: ProgramId,
        fiscal_year: FiscalYear,
        commissioner: PartnerId,
    },
    #[error("program {program} has no contract for {previous} to renew; record the {fiscal_year} contract as awarded instead")]
    NothingToRenew {
        program: ProgramId,
        fiscal_year: FiscalYear,
        previous: FiscalYear,
    },
    #[error("a contract needs at least one commissioning department")]
    NoCommissioner,
    #[error("commissioner {0} is listed twice")]
    DuplicateCommissioner(PartnerId),
    #[error("partner {partner} is a {kind}, not a government body that can commission work")]
    NotGovernment { partner: PartnerId, kind: &'static str },
    #[error("it ends on {end}, before it started on {start}")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("{what} cannot refer to itself")]
    SelfReference { what: &'static str },
    #[error("partner {partner} was merged into {successor} on {on}; record changes on the successor")]
    PartnerMergedAway {
        partner: PartnerId,
        successor: PartnerId,
        on: NaiveDate,
    },
    #[error("activity {0} is not a policy proposal")]
    NotAProposal(String),
    #[error("policy proposal {0} has already been adopted")]
    AlreadyAdopted(String),
    #[error("a participant count must be more than zero")]
    NoParticipants,
    #[error("a reason is required for a correction or retraction")]
    MissingReason,
    #[error("{stream} has no event {target} to correct")]
    NoSuchTarget { stream: String, target: u64 },
    #[error("event {target} of {stream} is a correction or has been retracted; correct the fact it stands for instead")]
    TargetNotLive { stream: String, target: u64 },
    #[error("a {expected} can only be corrected by another {expected}, not a {found}")]
    WrongKindOfCorrection {
        expected: &'static str,
        found: &'static str,
    },
    #[error("the corrected fact is about {found}, but the correction was sent to {stream}")]
    SubjectMismatch { stream: String, found: String },
    #[error("{stream} has later facts that depend on event {target}; retract those first")]
    DependentFacts { stream: String, target: u64 },
    #[error("a correction must carry a fact, not another correction")]
    NestedCorrection,
    #[error("donor {0} has not been registered")]
    UnknownDonor(DonorId),
    #[error("receipt {0} is not restricted: it is revenue when received and has nothing to spend down")]
    NotRestricted(ReceiptId),
    #[error("receipt {receipt} has {remaining} left to spend, less than {amount}")]
    Overspent {
        receipt: ReceiptId,
        remaining: Yen,
        amount: Yen,
    },
    #[error("receipt {receipt} is for {received}; it cannot be spent in the earlier {fiscal_year}")]
    SpentBeforeReceived {
        receipt: ReceiptId,
        received: FiscalYear,
        fiscal_year: FiscalYear,
    },
    #[error("{0:?} is not a subject's stream (expected program:ID, partner:ID, activity:ID, receipt:ID or donor:ID)")]
    BadStream(String),
}
