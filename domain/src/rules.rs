//! The rules a new fact must keep, given the facts already standing in its stream and what the
//! directory knows of other subjects. Pure functions: the aggregate, the importer and (later) the
//! browser's forms all call these.

use crate::date::Date;
use crate::directory::Directory;
use crate::error::DomainError;
use crate::events::{Contract, Fact, Gathering};
use crate::funds::Payer;
#[cfg(feature = "aggregate")]
use crate::ids::DonorId;
use crate::ids::{PartnerId, ProgramId};
use crate::partner::PartnerKind;
#[cfg(feature = "aggregate")]
use crate::personal::Privacy;
use crate::subject::Standing;

const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 2000;

/// Checks `next` against the live facts `prior` of the same stream (oldest first).
pub fn check_fact(prior: &[&Standing], next: &Standing, dir: &dyn Directory) -> Result<(), DomainError> {
    use Fact::*;
    check_ids(&next.fact)?;
    let on = next.on;
    match &next.fact {
        ProgramLaunched { program, name, .. } => {
            text("name", name, MAX_NAME)?;
            fresh(prior, || format!("program {program}"))
        }
        ProgramSpunOff {
            program,
            parent,
            name,
            ..
        } => {
            text("name", name, MAX_NAME)?;
            fresh(prior, || format!("program {program}"))?;
            if program == parent {
                return Err(DomainError::SelfReference { what: "a spin-off" });
            }
            let parent_info = dir
                .program(parent)
                .ok_or_else(|| DomainError::UnknownProgram(parent.clone()))?;
            not_before(parent_info.launched_on, on)
        }
        ProgramConcluded { program } => {
            let launched = program_launch(prior, program)?;
            if let Some(concluded_on) = concluded(prior) {
                return Err(DomainError::AlreadyConcluded {
                    program: program.clone(),
                    concluded_on,
                });
            }
            not_before(launched, on)?;
            // The mirror of check_contract's rule: a contract for a year that starts after the
            // end is refused whichever of the two is recorded first.
            match contracts(prior)
                .map(|c| c.fiscal_year)
                .filter(|fy| fy.first_day() > on)
                .min()
            {
                Some(fiscal_year) => Err(DomainError::ProgramHasConcluded {
                    program: program.clone(),
                    concluded_on: on,
                    fiscal_year,
                }),
                None => Ok(()),
            }
        }
        ContractAwarded { program, contract } => check_contract(prior, program, contract, false, dir),
        ContractRenewed { program, contract } => check_contract(prior, program, contract, true, dir),
        PartnerRegistered {
            partner,
            name,
            parent,
            ..
        } => {
            text("name", name, MAX_NAME)?;
            fresh(prior, || format!("partner {partner}"))?;
            if let Some(parent) = parent {
                if parent == partner {
                    return Err(DomainError::SelfReference {
                        what: "a partner's parent",
                    });
                }
                known_partner(dir, parent)?;
            }
            Ok(())
        }
        PartnerRenamed { partner, name } => {
            text("name", name, MAX_NAME)?;
            let registered = partner_standing(prior, partner, on, &next.fact)?;
            not_before(registered, on)
        }
        PartnerMerged { partner, successor } => {
            let registered = partner_standing(prior, partner, on, &next.fact)?;
            if successor == partner {
                return Err(DomainError::SelfReference { what: "a merger" });
            }
            known_partner(dir, successor)?;
            not_before(registered, on)
        }
        RoundtableHeld(g)
        | WorkingGroupFormed(g)
        | StakeholderCouncilHeld(g)
        | NeedsSurveyConducted(g)
        | CommercialisationCommitteeFormed(g) => check_gathering(prior, g, dir),
        CivicGroupConsulted {
            activity,
            group,
            topic,
            program,
        } => {
            text("topic", topic, MAX_TEXT)?;
            fresh(prior, || format!("activity {activity}"))?;
            known_partner(dir, group)?;
            optional_program(dir, program.as_ref())
        }
        PolicyProposed {
            activity,
            title,
            addressed_to,
            program,
        } => {
            text("title", title, MAX_TEXT)?;
            fresh(prior, || format!("activity {activity}"))?;
            for partner in addressed_to {
                known_partner(dir, partner)?;
            }
            optional_program(dir, program.as_ref())
        }
        PolicyAdopted { activity, by } => {
            let proposed_on = prior
                .iter()
                .find(|e| matches!(e.fact, PolicyProposed { .. }))
                .map(|e| e.on)
                .ok_or_else(|| DomainError::NotAProposal(activity.to_string()))?;
            if prior.iter().any(|e| matches!(e.fact, PolicyAdopted { .. })) {
                return Err(DomainError::AlreadyAdopted(activity.to_string()));
            }
            known_partner(dir, by)?;
            not_before(proposed_on, on)
        }
        FundsReceived {
            receipt,
            amount,
            payer,
            program,
            ..
        } => {
            fresh(prior, || format!("receipt {receipt}"))?;
            crate::money::Yen::positive(amount.value())?;
            match payer {
                Payer::Partner(partner) => {
                    known_partner(dir, partner)?;
                }
                Payer::Donor(donor) if !dir.donor(donor) => {
                    return Err(DomainError::UnknownDonor(donor.clone()))
                }
                _ => {}
            }
            optional_program(dir, program.as_ref())
        }
        FundsSpent {
            receipt,
            fiscal_year,
            amount,
        } => check_spending(prior, receipt, *fiscal_year, *amount),
        DonorRegistered { donor, .. } => fresh(prior, || format!("donor {donor}")),
        DonorDetailsRecorded { .. } | DonorErasureRequested { .. } | DonorDetailsErased { .. } => {
            vault_record(prior, &next.fact, on)
        }
        OrganisationProfiled(profile) => organisation_profile(profile),
        CertificateIssued(certificate) => certificates::issued(prior, certificate, on, dir),
        CertificateVoided { certificate, reason } => {
            certificates::voided(prior, *certificate, reason, on, dir)
        }
    }
}

/// 寄附金受領証明書: decided by the server against the whole ledger (the browser records none).
#[cfg(not(feature = "aggregate"))]
mod certificates {
    use super::*;
    use crate::certificate::{Certificate, CertificateError, CertificateNo};

    pub fn issued(_: &[&Standing], _: &Certificate, _: Date, _: &dyn Directory) -> Result<(), DomainError> {
        Err(CertificateError::Undecidable.into())
    }

    pub fn voided(
        _: &[&Standing],
        _: CertificateNo,
        _: &str,
        _: Date,
        _: &dyn Directory,
    ) -> Result<(), DomainError> {
        Err(CertificateError::Undecidable.into())
    }
}

#[cfg(feature = "aggregate")]
mod certificates {
    use super::*;
    use crate::certificate::{certified_on, Certificate, CertificateError, CertificateNo, MAX_GIFTS};
    use crate::funds::FundKind;
    use crate::money::Yen;
    use std::collections::HashSet;

    /// A certificate acknowledges gifts exactly as recorded: donations from its donor,
    /// received in its calendar year on a day the NPO was certified and not after the
    /// certificate's own day, none acknowledged by another standing certificate (but the one
    /// it replaces), with their total; addressed with the donor's latest details, which may
    /// still be used. Its number is of the year it is issued in.
    pub fn issued(
        prior: &[&Standing],
        c: &Certificate,
        on: Date,
        dir: &dyn Directory,
    ) -> Result<(), DomainError> {
        fresh(prior, || format!("certificate {}", c.number))?;
        if c.number.year() != on.year() {
            return Err(CertificateError::WrongYear {
                number: c.number,
                year: on.year(),
            }
            .into());
        }
        if c.gifts.is_empty() || c.gifts.len() > MAX_GIFTS {
            return Err(CertificateError::GiftCount.into());
        }
        let state = dir.ledger().ok_or(CertificateError::Undecidable)?;
        let book = &state.certificates;
        let donor = &c.donor;
        if !dir.donor(donor) {
            return Err(DomainError::UnknownDonor(donor.clone()));
        }
        let details = book.details.get(donor).copied().unwrap_or_default();
        if details.use_stopped {
            return Err(CertificateError::UseStopped(donor.clone()).into());
        }
        if details.revision == 0 {
            return Err(CertificateError::NoDetails(donor.clone()).into());
        }
        if details.revision != c.details_revision {
            return Err(CertificateError::StaleDetails {
                donor: donor.clone(),
                current: details.revision,
                found: c.details_revision,
            }
            .into());
        }
        let replaced = match &c.replaces {
            Some(r) => {
                text("reason", &r.reason, MAX_TEXT)?;
                let old = book
                    .issued
                    .get(&r.certificate)
                    .ok_or(CertificateError::UnknownCertificate(r.certificate))?;
                if let Some(by) = old.voided.as_ref().and_then(|v| v.replaced_by) {
                    return Err(CertificateError::AlreadyReplaced {
                        certificate: r.certificate,
                        by,
                    }
                    .into());
                }
                if &old.certificate.donor != donor {
                    return Err(CertificateError::OtherDonor(r.certificate).into());
                }
                not_before(old.issued_on, on)?;
                Some(r.certificate)
            }
            None => None,
        };
        let mut seen = HashSet::with_capacity(c.gifts.len());
        let mut sum = Yen::ZERO;
        for gift in &c.gifts {
            gift.receipt.validate()?;
            if !seen.insert(&gift.receipt) {
                return Err(CertificateError::DuplicateGift(gift.receipt.clone()).into());
            }
            let r = state
                .receipts
                .get(&gift.receipt)
                .ok_or_else(|| CertificateError::UnknownGift(gift.receipt.clone()))?;
            if r.kind != FundKind::Donation || r.payer != Payer::Donor(donor.clone()) {
                return Err(CertificateError::NotTheDonorsGift(gift.receipt.clone()).into());
            }
            if r.on != gift.received_on || r.amount != gift.amount {
                return Err(CertificateError::GiftMismatch(gift.receipt.clone()).into());
            }
            if r.on.year() != c.calendar_year {
                return Err(CertificateError::OutsideYear {
                    receipt: gift.receipt.clone(),
                    on: r.on,
                    calendar_year: c.calendar_year,
                }
                .into());
            }
            if r.on > on {
                return Err(CertificateError::AfterIssue {
                    receipt: gift.receipt.clone(),
                    on: r.on,
                }
                .into());
            }
            if !certified_on(state, r.on) {
                return Err(CertificateError::NotCertified {
                    receipt: gift.receipt.clone(),
                    on: r.on,
                }
                .into());
            }
            if let Some(other) = book.acknowledging.get(&gift.receipt) {
                if Some(*other) != replaced {
                    return Err(CertificateError::Acknowledged {
                        receipt: gift.receipt.clone(),
                        certificate: *other,
                    }
                    .into());
                }
            }
            sum = sum.checked_add(r.amount)?;
        }
        if sum != c.total {
            return Err(CertificateError::WrongTotal { stated: c.total, sum }.into());
        }
        Ok(())
    }

    /// A certificate is voided once, with a reason, not before it was issued, and not after
    /// a replacement voided it.
    pub fn voided(
        prior: &[&Standing],
        number: CertificateNo,
        reason: &str,
        on: Date,
        dir: &dyn Directory,
    ) -> Result<(), DomainError> {
        text("reason", reason, MAX_TEXT)?;
        let issued_on = prior
            .iter()
            .find(|s| matches!(s.fact, Fact::CertificateIssued(_)))
            .map(|s| s.on)
            .ok_or(CertificateError::UnknownCertificate(number))?;
        let replaced_by = dir
            .ledger()
            .ok_or(CertificateError::Undecidable)?
            .certificates
            .issued
            .get(&number)
            .and_then(|i| i.voided.as_ref())
            .map(|v| v.replaced_by);
        match replaced_by {
            Some(Some(by)) => Err(CertificateError::AlreadyReplaced {
                certificate: number,
                by,
            }
            .into()),
            Some(None) => Err(CertificateError::AlreadyVoided(number).into()),
            None if prior
                .iter()
                .any(|s| matches!(s.fact, Fact::CertificateVoided { .. })) =>
            {
                Err(CertificateError::AlreadyVoided(number).into())
            }
            None => not_before(issued_on, on),
        }
    }
}

/// A new profile replaces the one before from its own day on; any number may stand.
#[cfg(feature = "aggregate")]
fn organisation_profile(profile: &crate::events::OrganisationProfile) -> Result<(), DomainError> {
    text("name", &profile.name, MAX_NAME)?;
    text("address", &profile.address, MAX_NAME)?;
    match &profile.certification {
        Some(c) => text("certification number", &c.number, MAX_NAME),
        None => Ok(()),
    }
}

/// The browser has no form for the NPO's profile: it is recorded from the CLI and the API, and
/// decided by the server's rules above (the bundle carries none of them).
#[cfg(not(feature = "aggregate"))]
fn organisation_profile(_: &crate::events::OrganisationProfile) -> Result<(), DomainError> {
    Ok(())
}

/// The vault's records: decided by the server's vault alone, so the browser (built without
/// command handling) refuses them outright and carries none of their rules or messages.
#[cfg(not(feature = "aggregate"))]
fn vault_record(_: &[&Standing], fact: &Fact, _: Date) -> Result<(), DomainError> {
    Err(DomainError::VaultRecord {
        kind: fact.type_name(),
    })
}

#[cfg(feature = "aggregate")]
fn vault_record(prior: &[&Standing], fact: &Fact, on: Date) -> Result<(), DomainError> {
    use Fact::*;
    match fact {
        DonorDetailsRecorded { donor, revision, .. } => {
            let privacy = registered_donor(prior, donor)?;
            if !privacy.in_use() {
                return Err(DomainError::ErasureRequested(donor.clone()));
            }
            if *revision != privacy.revisions.saturating_add(1) {
                return Err(DomainError::WrongRevision {
                    donor: donor.clone(),
                    current: privacy.revisions,
                    found: *revision,
                });
            }
            Ok(())
        }
        DonorErasureRequested { donor, .. } => match registered_donor(prior, donor)? {
            p if p.erased.is_some() => Err(DomainError::AlreadyErased(donor.clone())),
            p if p.erasure_requested.is_some() => Err(DomainError::AlreadyRecorded {
                subject: format!("donor {donor}'s erasure request"),
            }),
            _ => Ok(()),
        },
        DonorDetailsErased { donor } => match registered_donor(prior, donor)? {
            p if p.erased.is_some() => Err(DomainError::AlreadyErased(donor.clone())),
            p if p.erasure_requested.is_none() => Err(DomainError::ErasureNotRequested(donor.clone())),
            p => not_before(p.erasure_requested.map_or(on, |(asked, _)| asked), on),
        },
        _ => Ok(()),
    }
}

/// What a registered donor's stream says about their personal data.
#[cfg(feature = "aggregate")]
fn registered_donor(prior: &[&Standing], donor: &DonorId) -> Result<Privacy, DomainError> {
    let privacy = Privacy::of(prior);
    if privacy.registered {
        Ok(privacy)
    } else {
        Err(DomainError::UnknownDonor(donor.clone()))
    }
}

fn check_ids(fact: &Fact) -> Result<(), DomainError> {
    match fact.subject() {
        crate::events::SubjectRef::Program(id) => id.validate()?,
        crate::events::SubjectRef::Partner(id) => id.validate()?,
        crate::events::SubjectRef::Activity(id) => id.validate()?,
        crate::events::SubjectRef::Receipt(id) => id.validate()?,
        crate::events::SubjectRef::Donor(id) => id.validate()?,
        crate::events::SubjectRef::Organisation | crate::events::SubjectRef::Certificate(_) => {}
    }
    for partner in fact.partners() {
        partner.validate()?;
    }
    if let Some(program) = fact.program() {
        program.validate()?;
    }
    if let Fact::ProgramSpunOff { parent, .. } = fact {
        parent.validate()?;
    }
    if let Fact::FundsReceived {
        payer: Payer::Donor(donor),
        ..
    } = fact
    {
        donor.validate()?;
    }
    if let Fact::DonorRegistered {
        household: Some(household),
        ..
    } = fact
    {
        household.validate()?;
    }
    Ok(())
}

fn text(field: &'static str, value: &str, max: usize) -> Result<(), DomainError> {
    // Names and titles are one line; a consultation's topic may run over several.
    let lines = if max > MAX_NAME {
        crate::text::Lines::Many
    } else {
        crate::text::Lines::One
    };
    crate::text::check(value, max, lines).map_err(|problem| DomainError::text(field, problem))
}

/// The subject must not exist yet.
fn fresh(prior: &[&Standing], subject: impl FnOnce() -> String) -> Result<(), DomainError> {
    if prior.is_empty() {
        Ok(())
    } else {
        Err(DomainError::AlreadyRecorded { subject: subject() })
    }
}

fn not_before(start: Date, end: Date) -> Result<(), DomainError> {
    if end < start {
        Err(DomainError::EndBeforeStart { start, end })
    } else {
        Ok(())
    }
}

fn known_partner(dir: &dyn Directory, id: &PartnerId) -> Result<PartnerKind, DomainError> {
    dir.partner(id)
        .map(|p| p.kind)
        .ok_or_else(|| DomainError::UnknownPartner(id.clone()))
}

fn optional_program(dir: &dyn Directory, id: Option<&ProgramId>) -> Result<(), DomainError> {
    match id {
        Some(id) if dir.program(id).is_none() => Err(DomainError::UnknownProgram(id.clone())),
        _ => Ok(()),
    }
}

/// The program's launch date; the program must have been launched in this stream.
fn program_launch(prior: &[&Standing], program: &ProgramId) -> Result<Date, DomainError> {
    match prior.first() {
        Some(e) if matches!(e.fact, Fact::ProgramLaunched { .. } | Fact::ProgramSpunOff { .. }) => Ok(e.on),
        _ => Err(DomainError::UnknownProgram(program.clone())),
    }
}

fn concluded(prior: &[&Standing]) -> Option<Date> {
    prior
        .iter()
        .find(|e| matches!(e.fact, Fact::ProgramConcluded { .. }))
        .map(|e| e.on)
}

fn contracts<'a>(prior: &'a [&Standing]) -> impl Iterator<Item = &'a Contract> {
    prior.iter().filter_map(|e| match &e.fact {
        Fact::ContractAwarded { contract, .. } | Fact::ContractRenewed { contract, .. } => Some(contract),
        _ => None,
    })
}

fn check_contract(
    prior: &[&Standing],
    program: &ProgramId,
    contract: &Contract,
    renewal: bool,
    dir: &dyn Directory,
) -> Result<(), DomainError> {
    let launched_on = program_launch(prior, program)?;
    let fiscal_year = contract.fiscal_year;
    if let Some(concluded_on) = concluded(prior) {
        if fiscal_year.first_day() > concluded_on {
            return Err(DomainError::ProgramHasConcluded {
                program: program.clone(),
                concluded_on,
                fiscal_year,
            });
        }
    }
    if fiscal_year.last_day() < launched_on {
        return Err(DomainError::ContractBeforeLaunch {
            program: program.clone(),
            launched_on,
            fiscal_year,
        });
    }
    if contract.commissioners.is_empty() {
        return Err(DomainError::NoCommissioner);
    }
    for (i, commissioner) in contract.commissioners.iter().enumerate() {
        if contract.commissioners[..i].contains(commissioner) {
            return Err(DomainError::DuplicateCommissioner(commissioner.clone()));
        }
        let kind = known_partner(dir, commissioner)?;
        if !(kind.is_government() || kind == PartnerKind::AffiliatedBody) {
            return Err(DomainError::NotGovernment {
                partner: commissioner.clone(),
                kind: kind.ja(),
            });
        }
    }
    if let Some(scheme) = &contract.scheme {
        text("scheme", scheme, MAX_NAME)?;
    }
    if let Some(amount) = contract.amount {
        crate::money::Yen::positive(amount.value())?;
    }
    for earlier in contracts(prior).filter(|c| c.fiscal_year == fiscal_year) {
        if let Some(shared) = contract
            .commissioners
            .iter()
            .find(|c| earlier.commissioners.contains(c))
        {
            return Err(DomainError::DuplicateContract {
                program: program.clone(),
                fiscal_year,
                commissioner: shared.clone(),
            });
        }
    }
    if renewal {
        let previous = fiscal_year.previous();
        if !previous.is_some_and(|p| contracts(prior).any(|c| c.fiscal_year == p)) {
            return Err(DomainError::NothingToRenew {
                program: program.clone(),
                fiscal_year,
                // The first year Spiral knows has no year before it to renew.
                previous: previous.unwrap_or(fiscal_year),
            });
        }
    }
    Ok(())
}

/// Spending draws down a restricted receipt: never before its fiscal year, never past its amount.
fn check_spending(
    prior: &[&Standing],
    receipt: &crate::ids::ReceiptId,
    fiscal_year: crate::fiscal_year::FiscalYear,
    amount: crate::money::Yen,
) -> Result<(), DomainError> {
    crate::money::Yen::positive(amount.value())?;
    let (received, restricted, received_year) = match prior.first().map(|e| &e.fact) {
        Some(Fact::FundsReceived {
            amount,
            restricted,
            fiscal_year,
            ..
        }) => (*amount, *restricted, *fiscal_year),
        _ => {
            return Err(DomainError::NotRecorded {
                subject: format!("receipt {receipt}"),
            })
        }
    };
    if !restricted {
        return Err(DomainError::NotRestricted(receipt.clone()));
    }
    if fiscal_year < received_year {
        return Err(DomainError::SpentBeforeReceived {
            receipt: receipt.clone(),
            received: received_year,
            fiscal_year,
        });
    }
    let spent = crate::money::Yen::sum(prior.iter().filter_map(|e| match e.fact {
        Fact::FundsSpent { amount, .. } => Some(amount),
        _ => None,
    }))?;
    let remaining = received.checked_sub(spent)?;
    if amount > remaining {
        return Err(DomainError::Overspent {
            receipt: receipt.clone(),
            remaining,
            amount,
        });
    }
    Ok(())
}

fn check_gathering(prior: &[&Standing], g: &Gathering, dir: &dyn Directory) -> Result<(), DomainError> {
    text("title", &g.title, MAX_TEXT)?;
    fresh(prior, || format!("activity {}", g.activity))?;
    if g.participants.iter().any(|p| p.count == 0) {
        return Err(DomainError::NoParticipants);
    }
    optional_program(dir, g.program.as_ref())
}

/// A partner must have been registered and, for a change effective on `on`, not merged away by
/// then (a second merger is refused whatever its date).
fn partner_standing(
    prior: &[&Standing],
    partner: &PartnerId,
    on: Date,
    next: &Fact,
) -> Result<Date, DomainError> {
    let registered = match prior.first() {
        Some(e) if matches!(e.fact, Fact::PartnerRegistered { .. }) => e.on,
        _ => return Err(DomainError::UnknownPartner(partner.clone())),
    };
    for e in prior {
        // A change dated before the merger is still the old department's history.
        if let Fact::PartnerMerged { successor, .. } = &e.fact {
            if e.on > on && !matches!(next, Fact::PartnerMerged { .. }) {
                continue;
            }
            return Err(DomainError::PartnerMergedAway {
                partner: partner.clone(),
                successor: successor.clone(),
                on: e.on,
            });
        }
    }
    Ok(registered)
}
