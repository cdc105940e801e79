//! Looking after a donor's record as staff do it on the donors' desk: registering a donor
//! with their details in one commit, changing the details (each change a new sealed revision),
//! correcting the household and officer marks, and reading the record's history. The
//! `identified` mark the public support test counts is never typed: it follows the details
//! the vault holds (a name and an address).

use crate::ledger::{CommandError, Ledger};
use crate::vault::{Held, Purpose, Vault, VaultError};
use chrono::{DateTime, Utc};
use domain::events::{Entry, Fact, SubjectRef};
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

async fn standing(ledger: &Ledger, donor: &DonorId) -> Result<Standing, CommandError> {
    let stream = SubjectRef::Donor(donor.clone()).stream();
    let rows = ledger.log().stream_rows(&stream, 0).await?;
    let mut found: Option<Standing> = None;
    let read = |fact: &Fact, on: Date, target: u64| match fact {
        Fact::DonorRegistered {
            household,
            officer,
            certified_npo,
            identified,
            ..
        } => Some(Standing {
            target,
            version: 0,
            marks: Marks {
                household: household.clone(),
                officer: *officer,
                certified_npo: *certified_npo,
            },
            on,
            identified: *identified,
        }),
        _ => None,
    };
    for row in &rows {
        let recorded = crate::ledger::decode(row)?;
        let on = recorded.event.on;
        match &recorded.event.entry {
            Entry::Fact(fact) if found.is_none() => found = read(fact, on, recorded.sequence),
            Entry::Corrected { target, fact, .. } if found.as_ref().is_some_and(|f| f.target == *target) => {
                found = read(fact, on, *target).or(found);
            }
            Entry::Retracted { target, .. } if found.as_ref().is_some_and(|f| f.target == *target) => {
                found = None;
            }
            _ => {}
        }
    }
    let mut found =
        found.ok_or_else(|| CommandError::Rejected(domain::DomainError::UnknownDonor(donor.clone())))?;
    found.version = rows.len() as u64;
    Ok(found)
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
