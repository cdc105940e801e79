//! Issuing, voiding and reissuing 寄附金受領証明書, for the CLI and the API alike: planned from
//! the projection (`domain::certificate`), decided by the rules, recorded all at once.
//!
//! Numbers are taken in turn: two servers issuing at once plan the same next number, the store
//! lets one of them create that certificate's stream, and the other plans again from the ledger
//! as it then stands (its gifts may be acknowledged by then, and it issues nothing twice).

use crate::ledger::{CommandError, Ledger};
use crate::store::StoreError;
use crate::vault::{Held, Purpose, Vault, VaultError};
use domain::certificate::{plan_gift, plan_reissue, plan_year, Certificate, CertificateNo, Issued, Skipped};
use domain::ids::{DonorId, ReceiptId};
use domain::{Command, Date, Fact};
use std::collections::HashMap;

/// How many times a batch is planned again after another process took its numbers.
const ATTEMPTS: usize = 5;

/// What to issue.
#[derive(Debug, Clone)]
pub enum IssueRequest {
    /// One consolidated certificate per donor (or for one donor) for a calendar year.
    Year {
        calendar_year: i32,
        donor: Option<DonorId>,
    },
    /// A certificate for one gift.
    Gift(ReceiptId),
    /// A certificate in place of another, which it voids.
    Reissue { number: CertificateNo, reason: String },
}

/// What an issue recorded.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct IssueOutcome {
    /// The day they were issued on.
    pub issued_on: Option<Date>,
    pub certificates: Vec<Certificate>,
    /// Donors a year's batch left out, and why (no details recorded, erasure asked for).
    #[schema(value_type = Vec<Object>)]
    pub skipped: Vec<Skipped>,
}

fn plan(
    ledger: &Ledger,
    request: &IssueRequest,
    on: Date,
) -> Result<(Vec<Certificate>, Vec<Skipped>), CommandError> {
    let planned = ledger.read_state(|state| match request {
        IssueRequest::Year { calendar_year, donor } => {
            plan_year(state, *calendar_year, donor.as_ref(), on).map(|p| (p.certificates, p.skipped))
        }
        IssueRequest::Gift(receipt) => plan_gift(state, receipt, on).map(|c| (vec![c], Vec::new())),
        IssueRequest::Reissue { number, reason } => {
            plan_reissue(state, *number, reason, on).map(|c| (vec![c], Vec::new()))
        }
    });
    planned.map_err(|e| CommandError::Rejected(e.into()))
}

/// Issues what `request` asks for, on `on`, as `actor`: every certificate in one commit, or
/// none. A year with nothing left to acknowledge records nothing.
pub async fn issue(
    ledger: &Ledger,
    request: &IssueRequest,
    actor: &str,
    on: Date,
) -> Result<IssueOutcome, CommandError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        ledger.catch_up().await?;
        let (certificates, skipped) = plan(ledger, request, on)?;
        if certificates.is_empty() {
            return Ok(IssueOutcome {
                issued_on: None,
                certificates,
                skipped,
            });
        }
        let commands = certificates
            .iter()
            .map(|c| Command::record(on, Fact::CertificateIssued(c.clone())))
            .collect();
        match ledger.create_all(commands, actor).await {
            Ok(_) => {
                return Ok(IssueOutcome {
                    issued_on: Some(on),
                    certificates,
                    skipped,
                })
            }
            // Another process issued under one of these numbers first: plan again.
            Err(CommandError::Conflict { .. } | CommandError::Store(StoreError::Stale))
                if attempt < ATTEMPTS => {}
            Err(e) => return Err(e),
        }
    }
}

/// Voids certificate `number` on `on`, for `reason`.
pub async fn void(
    ledger: &Ledger,
    number: CertificateNo,
    reason: &str,
    actor: &str,
    on: Date,
) -> Result<(), CommandError> {
    ledger.catch_up().await?;
    let command = Command::record(
        on,
        Fact::CertificateVoided {
            certificate: number,
            reason: reason.to_owned(),
        },
    );
    ledger.execute(command, actor, None).await.map(|_| ())
}

/// Certificates issued, in number order: those acknowledging gifts of `calendar_year` and
/// `donor`'s when given, voided ones included (each says so).
pub fn list(ledger: &Ledger, calendar_year: Option<i32>, donor: Option<&DonorId>) -> Vec<Issued> {
    ledger.read_state(|state| {
        state
            .certificates
            .issued
            .values()
            .filter(|i| calendar_year.is_none_or(|y| i.certificate.calendar_year == y))
            .filter(|i| donor.is_none_or(|d| &i.certificate.donor == d))
            .cloned()
            .collect()
    })
}

/// A certificate with what is printed on it beside the ledger's facts: the NPO's profile and the
/// donor's 氏名 and 住所 at the revision it was issued with.
pub struct Printable {
    pub issued: Issued,
    pub organisation: Option<domain::events::OrganisationProfile>,
    pub addressee: Held,
}

/// The certificates to print, with their addressees read from the vault (each read logged as
/// for a certificate; a donor who asked for erasure reads as such, and is printed without).
pub async fn printable(
    ledger: &Ledger,
    vault: &Vault,
    issued: Vec<Issued>,
    actor: &str,
) -> Result<Vec<Printable>, VaultError> {
    let wanted: Vec<(DonorId, Option<u32>)> = issued
        .iter()
        .map(|i| (i.certificate.donor.clone(), Some(i.certificate.details_revision)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let held: HashMap<(DonorId, Option<u32>), Held> = vault
        .read_revisions(ledger.log(), &wanted, actor, Purpose::Certificate)
        .await?;
    Ok(issued
        .into_iter()
        .map(|i| {
            let key = (i.certificate.donor.clone(), Some(i.certificate.details_revision));
            let addressee = held.get(&key).cloned().unwrap_or(Held::NotRecorded);
            let organisation = ledger.read_state(|s| certifying_profile(s, &i));
            Printable {
                issued: i,
                organisation,
                addressee,
            }
        })
        .collect())
}

/// The profile a certificate prints: the NPO's on the day it was issued, or, if that one names
/// no certification (it lapsed since), the one in effect on the last gift's day, under which
/// the gifts qualified.
fn certifying_profile(
    state: &domain::LedgerState,
    issued: &Issued,
) -> Option<domain::events::OrganisationProfile> {
    let on_issue = state.organisation_on(issued.issued_on);
    if on_issue.is_some_and(|p| p.certification.is_some()) {
        return on_issue.cloned();
    }
    let last_gift = issued
        .certificate
        .gifts
        .last()
        .map_or(issued.issued_on, |g| g.received_on);
    state
        .organisation_on(last_gift)
        .cloned()
        .or_else(|| on_issue.cloned())
}
