//! The projected state of the ledger: a pure fold over the ordered events, shared by the server,
//! the CLI and the browser so all three compute the same answers.
//!
//! Two times govern what a fold sees (DOMAIN.md, "two times"):
//! - `as_of`: the world as it stood on an effective date — facts effective later are left out;
//! - `known_at`: the ledger as it stood at a recorded time — events recorded later are left out,
//!   corrections included, so a report sent last year can be reproduced exactly.

use crate::date::Date;
use crate::directory::{Directory, PartnerInfo, ProgramInfo};
#[cfg(feature = "aggregate")]
use crate::events::OrganisationProfile;
use crate::events::{Contract, Entry, Fact, Gathering, Participation, SubjectRef};
use crate::fiscal_year::FiscalYear;
use crate::funds::{FundKind, Payer};
use crate::ids::{ActivityId, DonorId, HouseholdId, PartnerId, ProgramId, ReceiptId};
use crate::money::Yen;
use crate::partner::PartnerKind;
use crate::program::{Beneficiary, Pillar, SpiralStage};
use crate::receipts::Receipts;
use crate::record::Recorded;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A fact as it takes effect in a fold: the event's own, or the correction standing in for it.
#[derive(Clone, Copy)]
struct Effect<'a> {
    on: Date,
    fact: &'a Fact,
}

/// Which moment of history to project.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct View {
    pub as_of: Option<Date>,
    pub known_at: Option<DateTime<Utc>>,
}

impl View {
    /// Everything recorded, whenever it took effect.
    pub fn everything() -> Self {
        Self::default()
    }

    pub(crate) fn knows(&self, e: &Recorded) -> bool {
        self.known_at.is_none_or(|t| e.meta.recorded_at <= t)
    }

    pub(crate) fn in_effect(&self, on: Date) -> bool {
        self.as_of.is_none_or(|d| on <= d)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractView {
    pub fiscal_year: FiscalYear,
    pub commissioners: Vec<PartnerId>,
    pub scheme: Option<String>,
    pub amount: Option<Yen>,
    pub renewal: bool,
    pub position: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramView {
    pub id: ProgramId,
    pub name: String,
    pub pillar: Pillar,
    pub beneficiaries: Vec<Beneficiary>,
    pub stage: SpiralStage,
    pub launched_on: Date,
    pub concluded_on: Option<Date>,
    /// The program it was spun off from (⇒).
    pub parent: Option<ProgramId>,
    pub children: Vec<ProgramId>,
    pub contracts: Vec<ContractView>,
    pub activities: Vec<ActivityId>,
    pub receipts: Vec<ReceiptId>,
}

impl ProgramView {
    /// Fiscal years with at least one contract, in order.
    pub fn contract_years(&self) -> Vec<FiscalYear> {
        let mut years: Vec<_> = self.contracts.iter().map(|c| c.fiscal_year).collect();
        years.sort();
        years.dedup();
        years
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameSpan {
    /// The name holds from this date until the next span's.
    pub from: Date,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Merger {
    pub on: Date,
    pub successor: PartnerId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerView {
    pub id: PartnerId,
    pub kind: PartnerKind,
    pub parent: Option<PartnerId>,
    pub departments: Vec<PartnerId>,
    pub registered_on: Date,
    /// Its names through time, oldest first.
    pub names: Vec<NameSpan>,
    pub merged_into: Option<Merger>,
}

impl PartnerView {
    /// The name the partner had on `date` (its first name for dates before it was registered).
    pub fn name_on(&self, date: Date) -> &str {
        self.names
            .iter()
            .rev()
            .find(|span| span.from <= date)
            .or(self.names.first())
            .map(|span| span.name.as_str())
            .unwrap_or("")
    }

    pub fn current_name(&self) -> &str {
        self.names.last().map(|s| s.name.as_str()).unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityView {
    pub id: ActivityId,
    /// The event type that created it (RoundtableHeld, PolicyProposed, …).
    pub kind: String,
    pub title: String,
    pub on: Date,
    pub program: Option<ProgramId>,
    pub participants: Vec<Participation>,
    pub partners: Vec<PartnerId>,
    pub adopted: Option<(Date, PartnerId)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptView {
    pub id: ReceiptId,
    pub kind: FundKind,
    pub payer: Payer,
    pub amount: Yen,
    pub fiscal_year: FiscalYear,
    pub program: Option<ProgramId>,
    pub restricted: bool,
    pub on: Date,
    /// The position of the receipt's event, for tracing a figure back to it.
    pub position: u64,
    /// Uses of a restricted receipt, by fiscal year.
    pub spent: Vec<Spending>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spending {
    pub fiscal_year: FiscalYear,
    pub amount: Yen,
    pub position: u64,
}

/// A donor as the public support test sees them: attributes only, no personal details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DonorView {
    pub id: DonorId,
    pub household: Option<HouseholdId>,
    pub officer: bool,
    pub certified_npo: bool,
    pub identified: bool,
    pub registered_on: Date,
}

/// One activity on the spiral: a mark at its effective date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub position: u64,
    pub on: Date,
    /// What the mark is about (its stream in the store).
    pub subject: SubjectRef,
    /// The event type (ContractAwarded, RoundtableHeld, …).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: Cow<'static, str>,
    pub pillar: Pillar,
    pub stage: SpiralStage,
    pub program: Option<ProgramId>,
    /// The activity's title or the kind of money; `None` for program marks, which are named by
    /// their program.
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerState {
    pub view: View,
    /// Events the fold looked at (recorded by `known_at`), corrections included.
    pub events_seen: u64,
    /// The last position the fold looked at.
    pub head_position: u64,
    pub programs: BTreeMap<ProgramId, ProgramView>,
    pub partners: BTreeMap<PartnerId, PartnerView>,
    pub activities: BTreeMap<ActivityId, ActivityView>,
    /// Held by fiscal year; written and read as one map by id.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, ReceiptView>))]
    pub receipts: Receipts,
    pub donors: BTreeMap<DonorId, DonorView>,
    /// The spiral's marks: programs' facts and activities. Receipts are not marks (a ledger is
    /// mostly receipts); their money is summed per fiscal year in `money`.
    pub timeline: Vec<TimelineEntry>,
    /// Money received per fiscal year, by pillar, in year order: what the spiral draws as each
    /// year's band. (A sorted list rather than a map: it is short, and the browser's bundle is
    /// smaller without another map type.)
    pub money: Vec<YearMoney>,
    /// The NPO's profiles, each from the day it took effect, in that order. (Kept by the server
    /// alone: no page of the browser shows them yet, and its bundle is the smaller for it.)
    #[cfg(feature = "aggregate")]
    pub organisation: Vec<ProfileView>,
    /// The 寄附金受領証明書 issued, and what they need to know of donors' details. (The
    /// server's alone, like the profiles.)
    #[cfg(feature = "aggregate")]
    pub certificates: crate::certificate::CertificateBook,
}

/// The NPO's profile from `on`.
#[cfg(feature = "aggregate")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileView {
    pub on: Date,
    pub position: u64,
    pub profile: OrganisationProfile,
}

/// Money received in one fiscal year, for the spiral. A receipt counts under its program's
/// pillar, or, unlinked, under collaboration for a commission fee and self-initiated work
/// otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearMoney {
    pub fiscal_year: FiscalYear,
    /// In the order of [`Pillar::ALL`].
    pub by_pillar: [Yen; 3],
    pub receipts: u64,
}

impl YearMoney {
    pub fn empty(fiscal_year: FiscalYear) -> Self {
        Self {
            fiscal_year,
            by_pillar: [Yen::ZERO; 3],
            receipts: 0,
        }
    }

    /// Counts one receipt of `amount` under `pillar`.
    pub fn add(&mut self, pillar: Pillar, amount: Yen) {
        if let Some(i) = Pillar::ALL.iter().position(|p| *p == pillar) {
            self.by_pillar[i] = self.by_pillar[i].saturating_add(amount);
        }
        self.receipts += 1;
    }

    /// The year's money in a list [`LedgerState::money`] keeps in year order.
    pub fn find(list: &[YearMoney], fiscal_year: FiscalYear) -> Option<&YearMoney> {
        list.binary_search_by_key(&fiscal_year, |m| m.fiscal_year)
            .ok()
            .map(|i| &list[i])
    }

    pub fn total(&self) -> Yen {
        Yen::new(
            self.by_pillar
                .iter()
                .fold(0i64, |sum, y| sum.saturating_add(y.value())),
        )
    }

    pub fn of(&self, pillar: Pillar) -> Yen {
        Pillar::ALL
            .iter()
            .position(|p| *p == pillar)
            .map_or(Yen::ZERO, |i| self.by_pillar[i])
    }
}

/// The pillar money tied to no program counts under: a commission's fee is collaboration
/// (協働), anything else the NPO's own (自主).
pub fn unlinked_pillar(kind: FundKind) -> Pillar {
    match kind {
        FundKind::CommissionFee => Pillar::Collaboration,
        _ => Pillar::SelfInitiated,
    }
}

impl LedgerState {
    /// Adds `line` to its fiscal year's money, keeping the lines in year order. (Sums saturate,
    /// so receipts of positive amounts, which are all the rules allow, give the same lines
    /// in any order: the fold index adds a year's plain receipts in one line.)
    pub(crate) fn add_money(&mut self, line: &YearMoney) {
        let at = match self
            .money
            .binary_search_by_key(&line.fiscal_year, |m| m.fiscal_year)
        {
            Ok(at) => at,
            Err(at) => {
                self.money.insert(at, YearMoney::empty(line.fiscal_year));
                at
            }
        };
        let year = &mut self.money[at];
        for (sum, more) in year.by_pillar.iter_mut().zip(line.by_pillar) {
            *sum = sum.saturating_add(more);
        }
        year.receipts += line.receipts;
    }

    /// A copy of everything but the receipts, which a snapshot keeps apart (a million of them
    /// are not copied to be left out). Every field is named, so a new one must be decided here.
    pub fn clone_without_receipts(&self) -> LedgerState {
        LedgerState {
            view: self.view,
            events_seen: self.events_seen,
            head_position: self.head_position,
            programs: self.programs.clone(),
            partners: self.partners.clone(),
            activities: self.activities.clone(),
            receipts: Receipts::new(),
            donors: self.donors.clone(),
            timeline: self.timeline.clone(),
            money: self.money.clone(),
            #[cfg(feature = "aggregate")]
            organisation: self.organisation.clone(),
            #[cfg(feature = "aggregate")]
            certificates: self.certificates.clone(),
        }
    }

    /// Folds the events (in position order) as seen from `view`.
    pub fn replay<'a, I>(events: I, view: View) -> LedgerState
    where
        I: IntoIterator<Item = &'a Recorded>,
        I::IntoIter: Clone,
    {
        Self::replay_marked(events.into_iter().map(|e| (e, false)), view)
    }

    /// [`LedgerState::replay`] of events some of which are marked as never amended by any
    /// event of the ledger (the fold index knows which): those are not looked up among the
    /// amendments, a lookup that reads each event's stream name, for most events the one part
    /// of them not yet in the cache.
    pub(crate) fn replay_marked<'a, I>(events: I, view: View) -> LedgerState
    where
        I: Iterator<Item = (&'a Recorded, bool)> + Clone,
    {
        // Pass 1: what corrections and retractions, known by then, say about earlier events.
        let mut amended: crate::FastMap<(&str, u64), Option<Effect<'a>>> = crate::FastMap::default();
        for (e, _) in events.clone().filter(|(_, never_amended)| !never_amended) {
            if !view.knows(e) {
                continue;
            }
            match &e.event.entry {
                Entry::Corrected { target, fact, .. } => {
                    let replacement = Effect { on: e.event.on, fact };
                    amended.insert((e.stream.as_str(), *target), Some(replacement));
                }
                Entry::Retracted { target, .. } => {
                    amended.insert((e.stream.as_str(), *target), None);
                }
                Entry::Fact(_) => {}
            }
        }
        // Pass 2: apply each standing fact, as amended, if it is in effect.
        let mut state = LedgerState {
            view,
            ..Default::default()
        };
        for (e, never_amended) in events {
            if !view.knows(e) {
                continue;
            }
            state.events_seen += 1;
            state.head_position = e.position;
            let Entry::Fact(fact) = &e.event.entry else {
                continue;
            };
            let own = Effect { on: e.event.on, fact };
            let effect = if never_amended || amended.is_empty() {
                Some(own)
            } else {
                match amended.get(&(e.stream.as_str(), e.sequence)) {
                    Some(replacement) => *replacement,
                    None => Some(own),
                }
            };
            if let Some(effect) = effect {
                if view.in_effect(effect.on) {
                    state.apply(e, effect);
                }
            }
        }
        state
    }

    /// Applies the next event (by position) to a state already folded up to the one before.
    /// Returns `false`, changing nothing, for a correction or retraction: amending an earlier
    /// event needs a full [`LedgerState::replay`].
    pub fn push(&mut self, e: &Recorded) -> bool {
        let Entry::Fact(fact) = &e.event.entry else {
            return false;
        };
        if self.view.knows(e) {
            self.events_seen += 1;
            self.head_position = e.position;
            if self.view.in_effect(e.event.on) {
                self.apply(e, Effect { on: e.event.on, fact });
            }
        }
        true
    }

    fn apply(&mut self, e: &Recorded, event: Effect<'_>) {
        use Fact::*;
        let on = event.on;
        match event.fact {
            ProgramLaunched {
                program,
                name,
                pillar,
                beneficiaries,
                stage,
            } => {
                self.launch(program, name, *pillar, beneficiaries, *stage, None, on);
                self.program_mark(e, event, program, *pillar, *stage);
            }
            ProgramSpunOff {
                program,
                parent,
                name,
                pillar,
                beneficiaries,
                stage,
            } => {
                self.launch(program, name, *pillar, beneficiaries, *stage, Some(parent), on);
                if let Some(p) = self.programs.get_mut(parent) {
                    p.children.push(program.clone());
                }
                self.program_mark(e, event, program, *pillar, *stage);
            }
            ProgramConcluded { program } => {
                if let Some(p) = self.programs.get_mut(program) {
                    p.concluded_on = Some(on);
                    let (pillar, stage) = (p.pillar, p.stage);
                    self.program_mark(e, event, program, pillar, stage);
                }
            }
            ContractAwarded { program, contract } => self.contract(e, event, program, contract, false),
            ContractRenewed { program, contract } => self.contract(e, event, program, contract, true),
            PartnerRegistered {
                partner,
                name,
                kind,
                parent,
            } => {
                self.partners.insert(
                    partner.clone(),
                    PartnerView {
                        id: partner.clone(),
                        kind: *kind,
                        parent: parent.clone(),
                        departments: Vec::new(),
                        registered_on: on,
                        names: vec![NameSpan {
                            from: on,
                            name: name.clone(),
                        }],
                        merged_into: None,
                    },
                );
                if let Some(parent) = parent.as_ref().and_then(|p| self.partners.get_mut(p)) {
                    parent.departments.push(partner.clone());
                }
            }
            PartnerRenamed { partner, name } => {
                if let Some(p) = self.partners.get_mut(partner) {
                    let at = p.names.partition_point(|s| s.from <= on);
                    p.names.insert(
                        at,
                        NameSpan {
                            from: on,
                            name: name.clone(),
                        },
                    );
                }
            }
            PartnerMerged { partner, successor } => {
                if let Some(p) = self.partners.get_mut(partner) {
                    p.merged_into = Some(Merger {
                        on,
                        successor: successor.clone(),
                    });
                }
            }
            RoundtableHeld(g)
            | WorkingGroupFormed(g)
            | StakeholderCouncilHeld(g)
            | NeedsSurveyConducted(g)
            | CommercialisationCommitteeFormed(g) => self.gathering(e, event, g),
            CivicGroupConsulted {
                activity,
                group,
                topic,
                program,
            } => {
                self.activity(
                    e,
                    event,
                    activity,
                    topic,
                    program.as_ref(),
                    &[],
                    std::slice::from_ref(group),
                );
            }
            PolicyProposed {
                activity,
                title,
                addressed_to,
                program,
            } => {
                self.activity(e, event, activity, title, program.as_ref(), &[], addressed_to);
            }
            PolicyAdopted { activity, by } => {
                let (program, title) = match self.activities.get_mut(activity) {
                    Some(a) => {
                        a.adopted = Some((on, by.clone()));
                        (a.program.clone(), a.title.clone())
                    }
                    None => (None, String::new()),
                };
                self.mark(e, event, program.as_ref(), title);
            }
            FundsReceived {
                receipt,
                kind,
                payer,
                amount,
                fiscal_year,
                program,
                restricted,
            } => {
                self.receipts.insert(ReceiptView {
                    id: receipt.clone(),
                    kind: *kind,
                    payer: payer.clone(),
                    amount: *amount,
                    fiscal_year: *fiscal_year,
                    program: program.clone(),
                    restricted: *restricted,
                    on,
                    position: e.position,
                    spent: Vec::new(),
                });
                let linked = program.as_ref().and_then(|p| self.programs.get_mut(p));
                let pillar = match linked {
                    Some(p) => {
                        p.receipts.push(receipt.clone());
                        p.pillar
                    }
                    None => unlinked_pillar(*kind),
                };
                let mut line = YearMoney::empty(*fiscal_year);
                line.add(pillar, *amount);
                self.add_money(&line);
            }
            FundsSpent {
                receipt,
                fiscal_year,
                amount,
            } => {
                self.receipts.record_spending(
                    receipt,
                    Spending {
                        fiscal_year: *fiscal_year,
                        amount: *amount,
                        position: e.position,
                    },
                );
            }
            DonorRegistered {
                donor,
                household,
                officer,
                certified_npo,
                identified,
            } => {
                self.donors.insert(
                    donor.clone(),
                    DonorView {
                        id: donor.clone(),
                        household: household.clone(),
                        officer: *officer,
                        certified_npo: *certified_npo,
                        identified: *identified,
                        registered_on: on,
                    },
                );
            }
            // What happens to a donor's sealed details changes no figure: the public support
            // test and every report read the same before and after an erasure.
            #[cfg(not(feature = "aggregate"))]
            DonorDetailsRecorded { .. } | DonorErasureRequested { .. } | DonorDetailsErased { .. } => {}
            // The server keeps which revision a certificate is addressed with, and whether the
            // details may still be used for one.
            #[cfg(feature = "aggregate")]
            DonorDetailsRecorded { donor, revision, .. } => {
                self.certificates
                    .details
                    .entry(donor.clone())
                    .or_default()
                    .revision = *revision;
            }
            #[cfg(feature = "aggregate")]
            DonorErasureRequested { donor, .. } | DonorDetailsErased { donor } => {
                self.certificates
                    .details
                    .entry(donor.clone())
                    .or_default()
                    .use_stopped = true;
            }
            #[cfg(not(feature = "aggregate"))]
            CertificateIssued(_) | CertificateVoided { .. } => {}
            #[cfg(feature = "aggregate")]
            CertificateIssued(certificate) => self.certificates.issue(on, e.position, certificate),
            #[cfg(feature = "aggregate")]
            CertificateVoided { certificate, reason } => {
                self.certificates.void(*certificate, on, reason, None)
            }
            #[cfg(not(feature = "aggregate"))]
            OrganisationProfiled(_) => {}
            #[cfg(feature = "aggregate")]
            OrganisationProfiled(profile) => {
                // In effective-date order (recording order within a day): the last one on or
                // before a day is the profile of that day.
                let at = self
                    .organisation
                    .partition_point(|p| (p.on, p.position) <= (on, e.position));
                self.organisation.insert(
                    at,
                    ProfileView {
                        on,
                        position: e.position,
                        profile: profile.clone(),
                    },
                );
            }
        }
    }

    /// The NPO's profile in effect on `day`, if one was recorded by then.
    #[cfg(feature = "aggregate")]
    pub fn organisation_on(&self, day: Date) -> Option<&OrganisationProfile> {
        let before = self.organisation.partition_point(|p| p.on <= day);
        before.checked_sub(1).map(|i| &self.organisation[i].profile)
    }

    #[allow(clippy::too_many_arguments)]
    fn launch(
        &mut self,
        program: &ProgramId,
        name: &str,
        pillar: Pillar,
        beneficiaries: &[Beneficiary],
        stage: SpiralStage,
        parent: Option<&ProgramId>,
        on: Date,
    ) {
        self.programs.insert(
            program.clone(),
            ProgramView {
                id: program.clone(),
                name: name.to_owned(),
                pillar,
                beneficiaries: beneficiaries.to_vec(),
                stage,
                launched_on: on,
                concluded_on: None,
                parent: parent.cloned(),
                children: Vec::new(),
                contracts: Vec::new(),
                activities: Vec::new(),
                receipts: Vec::new(),
            },
        );
    }

    fn contract(
        &mut self,
        e: &Recorded,
        event: Effect<'_>,
        program: &ProgramId,
        contract: &Contract,
        renewal: bool,
    ) {
        // One lookup serves both the contract list and the mark: this is the hottest path of a
        // replay (a contract per program per year).
        if let Some(p) = self.programs.get_mut(program) {
            p.contracts.push(ContractView {
                fiscal_year: contract.fiscal_year,
                commissioners: contract.commissioners.clone(),
                scheme: contract.scheme.clone(),
                amount: contract.amount,
                renewal,
                position: e.position,
            });
            let (pillar, stage) = (p.pillar, p.stage);
            self.program_mark(e, event, program, pillar, stage);
        }
    }

    fn gathering(&mut self, e: &Recorded, event: Effect<'_>, g: &Gathering) {
        self.activity(
            e,
            event,
            &g.activity,
            &g.title,
            g.program.as_ref(),
            &g.participants,
            &[],
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn activity(
        &mut self,
        e: &Recorded,
        event: Effect<'_>,
        id: &ActivityId,
        title: &str,
        program: Option<&ProgramId>,
        participants: &[Participation],
        partners: &[PartnerId],
    ) {
        self.activities.insert(
            id.clone(),
            ActivityView {
                id: id.clone(),
                kind: event.fact.type_name().to_owned(),
                title: title.to_owned(),
                on: event.on,
                program: program.cloned(),
                participants: participants.to_vec(),
                partners: partners.to_vec(),
                adopted: None,
            },
        );
        if let Some(p) = program.and_then(|p| self.programs.get_mut(p)) {
            p.activities.push(id.clone());
        }
        self.mark(e, event, program, title.to_owned());
    }

    /// Adds a mark for an activity or meeting (not a program fact) to the spiral.
    fn mark(&mut self, e: &Recorded, event: Effect<'_>, program: Option<&ProgramId>, label: String) {
        let linked = program.and_then(|p| self.programs.get(p));
        let pillar = linked.map_or(Pillar::CivicSupport, |p| p.pillar);
        let stage = stage_of(event.fact)
            .or(linked.map(|p| p.stage))
            .unwrap_or(SpiralStage::PARTICIPATION);
        let subject = event.fact.subject();
        self.timeline.push(TimelineEntry {
            position: e.position,
            on: event.on,
            subject,
            kind: Cow::Borrowed(event.fact.type_name()),
            pillar,
            stage,
            program: program.cloned(),
            label: Some(label),
        });
    }

    /// The spiral's marks for programs: launches, spin-offs, contracts and conclusions.
    fn program_mark(
        &mut self,
        e: &Recorded,
        event: Effect<'_>,
        program: &ProgramId,
        pillar: Pillar,
        stage: SpiralStage,
    ) {
        self.timeline.push(TimelineEntry {
            position: e.position,
            on: event.on,
            subject: SubjectRef::Program(program.clone()),
            kind: Cow::Borrowed(event.fact.type_name()),
            pillar,
            // A launch's own stage; the program's for its later facts.
            stage: stage_of(event.fact).unwrap_or(stage),
            program: Some(program.clone()),
            label: None,
        });
    }
}

/// The spiral stage an activity belongs to by its nature; `None` for program facts, which take
/// their program's stage.
fn stage_of(fact: &Fact) -> Option<SpiralStage> {
    use Fact::*;
    Some(match fact {
        ProgramLaunched { stage, .. } | ProgramSpunOff { stage, .. } => *stage,
        RoundtableHeld(_) | PolicyProposed { .. } | PolicyAdopted { .. } => SpiralStage::ROUNDTABLE,
        WorkingGroupFormed(_) | CivicGroupConsulted { .. } => SpiralStage::WORKING_GROUP,
        StakeholderCouncilHeld(_) => SpiralStage::STAKEHOLDERS,
        NeedsSurveyConducted(_) => SpiralStage::SURVEY,
        CommercialisationCommitteeFormed(_) => SpiralStage::COMMITTEE,
        FundsReceived { .. } => SpiralStage::FUNDING,
        _ => return None,
    })
}

impl Directory for LedgerState {
    fn program(&self, id: &ProgramId) -> Option<ProgramInfo> {
        self.programs.get(id).map(|p| ProgramInfo {
            launched_on: p.launched_on,
        })
    }

    fn partner(&self, id: &PartnerId) -> Option<PartnerInfo> {
        self.partners.get(id).map(|p| PartnerInfo { kind: p.kind })
    }

    fn donor(&self, id: &DonorId) -> bool {
        self.donors.contains_key(id)
    }

    #[cfg(feature = "aggregate")]
    fn ledger(&self) -> Option<&LedgerState> {
        Some(self)
    }
}
