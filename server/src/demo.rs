//! Loads the seed's history through the ordinary command path, skipping what is already there,
//! so running it twice records nothing new.

use crate::ledger::{CommandError, Ledger};
use crate::people::{People, PeopleError, Role};
use domain::demo::{seed_history, ACTOR};
use domain::subject::Standing;
use domain::Command;

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
            let wanted = Standing {
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

/// On a demo database — nothing in the ledger but the seed history, and no accounts yet —
/// creates one sign-in per role with a fresh random password, and prints them (to stderr, once).
/// Anywhere else it does nothing: real ledgers get their accounts from `spiral user add`.
pub async fn create_logins(ledger: &Ledger) -> Result<(), PeopleError> {
    let people = People::new(ledger.log().pool().clone());
    if people.count().await? > 0 {
        return Ok(());
    }
    let only_demo = match ledger.recorded_all().await {
        Ok(events) => events.iter().all(|e| e.meta.actor == ACTOR),
        Err(_) => false,
    };
    if !only_demo {
        return Ok(());
    }
    let password = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    eprintln!("Demo sign-ins (this demo database only; the password is shown once):");
    for role in [Role::Staff, Role::Auditor, Role::Reporter, Role::Admin] {
        let name = format!("demo-{role}");
        people.add(&name, role, &password).await?;
        eprintln!("  {name:<14} {password}");
    }
    Ok(())
}
