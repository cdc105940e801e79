//! The aggregate: one subject's stream (a program, partner, activity or receipt) and the decision
//! whether a command may add to it.
//!
//! The state is the stream itself, with corrections and retractions already applied, because
//! every rule is a question about the facts that currently stand. Streams stay short (a program
//! has one contract a year), so keeping them whole is cheap.

use crate::command::Command;
use crate::directory::Directory;
use crate::error::DomainError;
use crate::events::{Entry, Fact, LedgerEvent};
use crate::rules::check_fact;
use serde::{Deserialize, Serialize};

/// A fact as it currently stands, and the date it took effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub on: crate::date::Date,
    pub fact: Fact,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// For each event of the stream (index = sequence - 1): the fact as it currently stands,
    /// with its effective date, or `None` for correction events themselves and for retracted
    /// facts.
    standing: Vec<Option<Standing>>,
}

impl Subject {
    /// The number of events in the stream (its version).
    pub fn version(&self) -> u64 {
        self.standing.len() as u64
    }

    /// The facts that currently stand, oldest first.
    pub fn facts(&self) -> Vec<&Standing> {
        self.standing.iter().flatten().collect()
    }

    pub fn apply_event(&mut self, event: LedgerEvent) {
        match event.entry {
            Entry::Corrected { target, fact, .. } => {
                if let Some(slot) = self.slot(target) {
                    *slot = Some(Standing {
                        on: event.on,
                        fact: *fact,
                    });
                }
                self.standing.push(None);
            }
            Entry::Retracted { target, .. } => {
                if let Some(slot) = self.slot(target) {
                    *slot = None;
                }
                self.standing.push(None);
            }
            Entry::Fact(fact) => self.standing.push(Some(Standing { on: event.on, fact })),
        }
    }

    fn slot(&mut self, target: u64) -> Option<&mut Option<Standing>> {
        let index = usize::try_from(target).ok()?.checked_sub(1)?;
        self.standing.get_mut(index)
    }

    /// Decides a command: the events to append, or why not. Never changes `self`.
    pub fn decide(&self, command: Command, dir: &dyn Directory) -> Result<Vec<LedgerEvent>, DomainError> {
        let stream = command.stream()?;
        match command {
            Command::Record { on, fact, note } => {
                check_note(note.as_deref())?;
                let event = Standing { on, fact };
                check_fact(&self.facts(), &event, dir)?;
                Ok(vec![LedgerEvent::new(event.on, event.fact)])
            }
            Command::Correct {
                target,
                on,
                fact,
                reason,
                ..
            } => {
                require_reason(&reason)?;
                let current = self.live_target(&stream, target)?;
                refuse_vault_record(&current.fact)?;
                refuse_certified(&current.fact, dir)?;
                if fact.type_name() != current.fact.type_name() {
                    return Err(DomainError::WrongKindOfCorrection {
                        expected: current.fact.type_name(),
                        found: fact.type_name(),
                    });
                }
                let found = fact.subject().stream();
                if found != stream {
                    return Err(DomainError::SubjectMismatch { stream, found });
                }
                let replacement = Standing { on, fact };
                self.recheck(target, Some(&replacement), &stream, dir)?;
                Ok(vec![LedgerEvent {
                    on,
                    entry: Entry::Corrected {
                        target,
                        fact: Box::new(replacement.fact),
                        reason,
                    },
                }])
            }
            Command::Retract { target, reason, .. } => {
                require_reason(&reason)?;
                let current = self.live_target(&stream, target)?;
                refuse_vault_record(&current.fact)?;
                refuse_certified(&current.fact, dir)?;
                let on = current.on;
                self.recheck(target, None, &stream, dir)?;
                Ok(vec![LedgerEvent {
                    on,
                    entry: Entry::Retracted { target, reason },
                }])
            }
        }
    }

    fn live_target(&self, stream: &str, target: u64) -> Result<&Standing, DomainError> {
        let index = usize::try_from(target).ok().and_then(|t| t.checked_sub(1));
        match index.and_then(|i| self.standing.get(i)) {
            None => Err(DomainError::NoSuchTarget {
                stream: stream.to_owned(),
                target,
            }),
            Some(None) => Err(DomainError::TargetNotLive {
                stream: stream.to_owned(),
                target,
            }),
            Some(Some(event)) => Ok(event),
        }
    }

    /// Re-validates the whole stream with `target` replaced (or removed), so a correction can
    /// never leave behind facts that the rules would have refused.
    fn recheck(
        &self,
        target: u64,
        replacement: Option<&Standing>,
        stream: &str,
        dir: &dyn Directory,
    ) -> Result<(), DomainError> {
        let target_index = (target - 1) as usize;
        let mut standing: Vec<&Standing> = Vec::with_capacity(self.standing.len());
        for (i, slot) in self.standing.iter().enumerate() {
            let event = if i == target_index {
                replacement
            } else {
                slot.as_ref()
            };
            if let Some(event) = event {
                if let Err(err) = check_fact(&standing, event, dir) {
                    // Taking away the fact the others stand on (a launch, a registration, a
                    // proposal) is a dependency problem, not a fault of the later facts.
                    return Err(if replacement.is_none() && target_index < i {
                        DomainError::DependentFacts {
                            stream: stream.to_owned(),
                            target,
                        }
                    } else {
                        err
                    });
                }
                standing.push(event);
            }
        }
        Ok(())
    }
}

/// Notes and reasons: free text kept in each event's metadata, bounded like any other text.
pub const MAX_NOTE: usize = 2000;

/// The vault's records stand for what was done to sealed personal data (a key destroyed cannot
/// be brought back), so none is ever corrected or retracted.
fn refuse_vault_record(fact: &Fact) -> Result<(), DomainError> {
    if fact.is_vault_record() {
        Err(DomainError::VaultRecord {
            kind: fact.type_name(),
        })
    } else {
        Ok(())
    }
}

/// A certificate is voided and reissued, never amended; and a gift a standing certificate
/// acknowledges is not changed under it: the certificate is voided first, then reissued.
fn refuse_certified(fact: &Fact, dir: &dyn Directory) -> Result<(), DomainError> {
    use crate::certificate::CertificateError;
    match fact {
        Fact::CertificateIssued(_) | Fact::CertificateVoided { .. } => {
            Err(CertificateError::NeverAmended.into())
        }
        #[cfg(feature = "aggregate")]
        Fact::FundsReceived { receipt, .. } => {
            match dir
                .ledger()
                .and_then(|s| s.certificates.acknowledging.get(receipt))
            {
                Some(certificate) => Err(CertificateError::Acknowledged {
                    receipt: receipt.clone(),
                    certificate: *certificate,
                }
                .into()),
                None => Ok(()),
            }
        }
        _ => {
            let _ = dir;
            Ok(())
        }
    }
}

fn require_reason(reason: &str) -> Result<(), DomainError> {
    use crate::text::{check, Lines, TextProblem};
    match check(reason, MAX_NOTE, Lines::Many) {
        Ok(()) => Ok(()),
        Err(TextProblem::Empty) => Err(DomainError::MissingReason),
        Err(problem) => Err(DomainError::text("reason", problem)),
    }
}

fn check_note(note: Option<&str>) -> Result<(), DomainError> {
    match note {
        Some(note) => crate::text::check_optional(note, MAX_NOTE, crate::text::Lines::Many)
            .map_err(|problem| DomainError::text("note", problem)),
        None => Ok(()),
    }
}

/// The cqrs-es aggregate: the framework's services are the [`Directory`] of other subjects.
#[cfg(feature = "aggregate")]
mod aggregate {
    use super::*;
    use cqrs_es::event_sink::EventSink;
    use cqrs_es::Aggregate;
    use std::sync::Arc;

    impl Aggregate for Subject {
        const TYPE: &'static str = "spiral";
        type Command = Command;
        type Event = LedgerEvent;
        type Error = DomainError;
        type Services = Arc<dyn Directory>;

        async fn handle(
            &mut self,
            command: Self::Command,
            services: &Self::Services,
            sink: &EventSink<Self>,
        ) -> Result<(), Self::Error> {
            let events = self.decide(command, services.as_ref())?;
            // Write to the sink against a scratch copy: cqrs-es 0.5's snapshot store applies the
            // committed events to the aggregate again, so applying them to `self` here would count
            // them twice (see FINDINGS.md).
            let mut scratch = self.clone();
            for event in events {
                sink.write(event, &mut scratch).await;
            }
            Ok(())
        }

        fn apply(&mut self, event: Self::Event) {
            self.apply_event(event);
        }
    }
}
