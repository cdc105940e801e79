//! Loads the seed's history through the ordinary command path, skipping what is already there,
//! so running it twice records nothing new; and the fictional example NPO (`domain::example`),
//! through the command path at its default size or imported whole at any size.

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
        Ok(events) => events
            .iter()
            .all(|e| e.meta.actor == ACTOR || e.meta.actor == domain::example::ACTOR),
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

#[derive(Debug, thiserror::Error)]
pub enum ExampleError {
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the example's rules refused {0} of its own commands (first: {1})")]
    Refused(usize, String),
    #[error("could not encode the example: {0}")]
    Encode(String),
}

/// What loading the example did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleReport {
    Recorded(usize),
    /// The ledger holds the example already; nothing was recorded.
    AlreadyPresent,
}

/// Records the fictional example NPO. At its default size through the ordinary command path
/// (beside whatever the ledger holds); larger (`events`), built in memory through the same
/// rules and imported whole, which needs an empty ledger.
pub async fn load_example(ledger: &Ledger, events: Option<usize>) -> Result<ExampleReport, ExampleError> {
    let present: Option<i64> =
        sqlx::query_scalar("SELECT position FROM events WHERE metadata LIKE $1 LIMIT 1")
            .bind(format!("%\"actor\":\"{}\"%", domain::example::ACTOR))
            .fetch_optional(ledger.log().pool())
            .await
            .map_err(crate::store::StoreError::from)?;
    if present.is_some() {
        return Ok(ExampleReport::AlreadyPresent);
    }
    let scale = events.map_or_else(
        domain::example::Scale::default,
        domain::example::Scale::for_events,
    );
    if events.is_none() {
        let commands = domain::example::commands(&scale);
        let n = commands.len();
        for command in commands {
            ledger.execute(command, domain::example::ACTOR, None).await?;
        }
        return Ok(ExampleReport::Recorded(n));
    }
    let (recorded, refused) = domain::demo::record_in_memory(
        domain::example::commands(&scale),
        domain::example::ACTOR,
        chrono::Utc::now(),
    );
    if let Some(first) = refused.first() {
        return Err(ExampleError::Refused(refused.len(), first.clone()));
    }
    let rows = domain::chain::rows_for(&recorded).map_err(|e| ExampleError::Encode(e.to_string()))?;
    ledger.log().import_rows(&rows).await?;
    ledger.catch_up().await?;
    Ok(ExampleReport::Recorded(rows.len()))
}
