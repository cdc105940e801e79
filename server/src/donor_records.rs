//! Looking after a donor's record as staff do it on the donors' desk: registering a donor
//! with their details in one commit, changing the details (each change a new sealed revision),
//! correcting the household and officer marks, and reading the record's history. The
//! `identified` mark the public support test counts is never typed: it follows the details
//! the vault holds (a name and an address).

use crate::ledger::{CommandError, Ledger};
use crate::vault::{Held, Purpose, Vault, VaultError};
use chrono::{DateTime, Utc};
use domain::events::{Entry, Fact, SubjectRef};
use domain::funds::Payer;
use domain::ids::{DonorId, HouseholdId};
use domain::personal::DonorDetails;
use domain::{Command, Date};

/// What staff mark a donor with, beside their details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    pub household: Option<HouseholdId>,
    pub officer: bool,
    pub certified_npo: bool,
}

/// One revision of a donor's details as the ledger dates it, with the details when the vault
/// can still give them.
#[derive(Debug, Clone)]
pub struct Revision {
    pub number: u32,
    pub on: Date,
    pub recorded_at: DateTime<Utc>,
    pub by: String,
    pub details: Option<DonorDetails>,
}

/// Registers `donor` with `details` as its first revision, effective `on`: the registration
/// and the sealed details are one commit, so a donor is never left half-registered.
pub async fn register(
    ledger: &Ledger,
    vault: &Vault,
    donor: &DonorId,
    marks: &Marks,
    details: &DonorDetails,
    actor: &str,
    on: Date,
) -> Result<(), VaultError> {
    let seals = vault.seal_new(&[(donor.clone(), details.clone())]).await?;
    let seal = seals.first().copied().unwrap_or_default();
    let commands = vec![
        Command::record(on, registration(donor, marks, details.identified())),
        Command::record(
            on,
            Fact::DonorDetailsRecorded {
                donor: donor.clone(),
                revision: 1,
                seal,
            },
        ),
    ];
    if let Err(refused) = ledger.create_all(commands, actor).await {
        if let Err(e) = vault.discard(&[(donor.clone(), seal)]).await {
            tracing::warn!("removing the details sealed for {donor}, whose registration was refused: {e}");
        }
        return Err(refused.into());
    }
    Ok(())
}

fn registration(donor: &DonorId, marks: &Marks, identified: bool) -> Fact {
    Fact::DonorRegistered {
        donor: donor.clone(),
        household: marks.household.clone(),
        officer: marks.officer,
        certified_npo: marks.certified_npo,
        identified,
    }
}

/// The donor's registration as it stands, read from their own stream (not the whole
/// ledger, so the CLI need not fold a million events to change one donor).
struct Standing {
    /// The sequence of the registration in the stream: what a correction targets.
    target: u64,
    /// The stream's version, for optimistic concurrency.
    version: u64,
    marks: Marks,
    on: Date,
    identified: bool,
}

/// A stream's first fact as it stands now (after any corrections), with its sequence (what a
/// correction targets) and the day it takes effect; `None` when it was retracted. And the
/// stream's version.
async fn first_fact(ledger: &Ledger, stream: &str) -> Result<(Option<(u64, Date, Fact)>, u64), CommandError> {
    let rows = ledger.log().stream_rows(stream, 0).await?;
    let mut found: Option<(u64, Date, Fact)> = None;
    let mut first = None;
    for row in &rows {
        let recorded = crate::ledger::decode(row)?;
        let on = recorded.event.on;
        match recorded.event.entry {
            Entry::Fact(fact) if first.is_none() => {
                first = Some(recorded.sequence);
                found = Some((recorded.sequence, on, fact));
            }
            Entry::Corrected { target, fact, .. } if first == Some(target) => {
                found = Some((target, on, *fact));
            }
            Entry::Retracted { target, .. } if first == Some(target) => found = None,
            _ => {}
        }
    }
    Ok((found, rows.len() as u64))
}

async fn standing(ledger: &Ledger, donor: &DonorId) -> Result<Standing, CommandError> {
    let unknown = || CommandError::Rejected(domain::DomainError::UnknownDonor(donor.clone()));
    let (first, version) = first_fact(ledger, &SubjectRef::Donor(donor.clone()).stream()).await?;
    match first {
        Some((
            target,
            on,
            Fact::DonorRegistered {
                household,
                officer,
                certified_npo,
                identified,
                ..
            },
        )) => Ok(Standing {
            target,
            version,
            marks: Marks {
                household,
                officer,
                certified_npo,
            },
            on,
            identified,
        }),
        _ => Err(unknown()),
    }
}

/// Corrects the donor's registration to `marks` and `identified`, effective `on`, for
/// `reason`. Nothing is recorded when it already says so; returns whether anything was.
async fn correct_registration(
    ledger: &Ledger,
    donor: &DonorId,
    marks: &Marks,
    identified: bool,
    actor: &str,
    on: Date,
    reason: &str,
) -> Result<bool, CommandError> {
    let now = standing(ledger, donor).await?;
    if now.marks == *marks && now.identified == identified {
        return Ok(false);
    }
    let command = Command::Correct {
        stream: SubjectRef::Donor(donor.clone()).stream(),
        target: now.target,
        on,
        fact: registration(donor, marks, identified),
        reason: reason.to_owned(),
    };
    ledger.execute(command, actor, Some(now.version)).await?;
    Ok(true)
}

/// Corrects the household and officer marks, for `reason`; `identified` stays as the
/// details make it. Returns whether anything changed.
pub async fn correct_marks(
    ledger: &Ledger,
    donor: &DonorId,
    marks: &Marks,
    actor: &str,
    on: Date,
    reason: &str,
) -> Result<bool, CommandError> {
    let identified = standing(ledger, donor).await?.identified;
    correct_registration(ledger, donor, marks, identified, actor, on, reason).await
}

/// Records a change of the donor's details (a new revision, effective `on`), then makes the
/// registration's `identified` say what the details now do: an address added makes the donor
/// count in the absolute criterion, one removed stops it. Returns the revision.
///
/// The two are separate commits: should the second fail, the details stand and the record
/// page shows the mark still to be put right, which the next change of details does.
pub async fn record_details(
    ledger: &Ledger,
    vault: &Vault,
    donor: &DonorId,
    details: &DonorDetails,
    actor: &str,
    on: Date,
) -> Result<u32, VaultError> {
    let revision = vault.record(ledger, donor, details, actor, on).await?;
    let now = standing(ledger, donor).await?;
    if now.identified != details.identified() {
        let reason = if details.identified() {
            "住所の記録により絶対値基準に数える / name and address now recorded"
        } else {
            "住所がなくなり絶対値基準に数えない / address no longer recorded"
        };
        correct_registration(
            ledger,
            donor,
            &now.marks,
            details.identified(),
            actor,
            now.on,
            reason,
        )
        .await?;
    }
    Ok(revision)
}

/// Every revision of the donor's details, oldest first, with the details the vault still
/// gives (each revision opened is logged as read by `actor` for managing the record).
pub async fn revisions(
    ledger: &Ledger,
    vault: &Vault,
    donor: &DonorId,
    actor: &str,
) -> Result<Vec<Revision>, VaultError> {
    let stream = SubjectRef::Donor(donor.clone()).stream();
    let mut revisions = Vec::new();
    for row in ledger.log().stream_rows(&stream, 0).await? {
        let recorded = crate::ledger::decode(&row)?;
        if let Some(Fact::DonorDetailsRecorded { revision, .. }) = recorded.event.fact() {
            revisions.push(Revision {
                number: *revision,
                on: recorded.event.on,
                recorded_at: recorded.meta.recorded_at,
                by: recorded.meta.actor.clone(),
                details: None,
            });
        }
    }
    let wanted: Vec<(DonorId, Option<u32>)> = revisions
        .iter()
        .map(|r| (donor.clone(), Some(r.number)))
        .collect();
    let mut held = vault
        .read_revisions(ledger.log(), &wanted, actor, Purpose::Manage)
        .await?;
    for r in &mut revisions {
        if let Some(Held::Recorded { details, .. }) = held.remove(&(donor.clone(), Some(r.number))) {
            r.details = Some(details);
        }
    }
    Ok(revisions)
}

/// Why two donors' records could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("a donor cannot be merged into themselves")]
    SameDonor,
    #[error(transparent)]
    Command(#[from] CommandError),
}

impl MergeError {
    pub fn ja(&self) -> String {
        match self {
            MergeError::SameDonor => "同じ寄附者には名寄せできません".into(),
            MergeError::Command(CommandError::Rejected(rule)) => rule.ja(),
            MergeError::Command(CommandError::Conflict { .. }) => {
                "同時に他の変更がありました。もう一度お試しください".into()
            }
            MergeError::Command(_) => "記録できませんでした。しばらくしてからもう一度お試しください".into(),
        }
    }
}

/// 名寄せ: `from` and `into` are one person recorded twice. Every gift and due recorded from
/// `from` is corrected to come from `into`, all in one commit with `reason`, so the public
/// support test, the 寄附者名簿 and the 受領証明書 count them as one donor's. `from` stays
/// registered with no gifts (their details stay in the vault until erased). A gift under a
/// standing 受領証明書 cannot be corrected: the certificate is voided first, and until then
/// nothing is merged. Returns how many gifts moved.
pub async fn merge(
    ledger: &Ledger,
    from: &DonorId,
    into: &DonorId,
    actor: &str,
    reason: &str,
) -> Result<usize, MergeError> {
    if from == into {
        return Err(MergeError::SameDonor);
    }
    ledger.catch_up().await.map_err(CommandError::from)?;
    let unknown = |d: &DonorId| CommandError::Rejected(domain::DomainError::UnknownDonor(d.clone()));
    let receipts = ledger.read_state(|s| {
        if !s.donors.contains_key(from) {
            return Err(unknown(from));
        }
        if !s.donors.contains_key(into) {
            return Err(unknown(into));
        }
        Ok(s.receipts
            .values()
            .filter(|r| matches!(&r.payer, Payer::Donor(d) if d == from))
            .map(|r| r.id.clone())
            .collect::<Vec<_>>())
    })?;
    let mut commands = Vec::with_capacity(receipts.len());
    for receipt in &receipts {
        let stream = SubjectRef::Receipt(receipt.clone()).stream();
        let (Some((target, on, mut fact)), _) = first_fact(ledger, &stream).await? else {
            continue;
        };
        if let Fact::FundsReceived { payer, .. } = &mut fact {
            *payer = Payer::Donor(into.clone());
        } else {
            continue;
        }
        commands.push(Command::Correct {
            stream,
            target,
            on,
            fact,
            reason: reason.to_owned(),
        });
    }
    let moved = commands.len();
    if moved > 0 {
        ledger.amend_all(commands, actor, reason).await?;
    }
    Ok(moved)
}
