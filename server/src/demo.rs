//! Loads the seed's history through the ordinary command path, skipping what is already there,
//! so running it twice records nothing new.

use crate::ledger::{CommandError, Ledger};
use domain::demo::{seed_history, ACTOR};
use domain::{Command, LedgerEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoReport {
    pub recorded: usize,
    pub already_present: usize,
}

pub async fn load(ledger: &Ledger) -> Result<DemoReport, CommandError> {
    let mut report = DemoReport {
        recorded: 0,
        already_present: 0,
    };
    for command in seed_history() {
        if let Command::Record { on, fact, .. } = &command {
            let stream = command.stream()?;
            let wanted = LedgerEvent {
                on: *on,
                fact: fact.clone(),
            };
            let subject = ledger.subject(&stream).await?;
            if subject.facts().into_iter().any(|e| *e == wanted) {
                report.already_present += 1;
                continue;
            }
        }
        ledger.execute(command, ACTOR, None).await?;
        report.recorded += 1;
    }
    Ok(report)
}
