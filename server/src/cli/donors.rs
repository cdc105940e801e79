//! `spiral donors`: donors' personal details in the vault beside the ledger, and their erasure.
//! Every read is logged under the operating-system user who ran the command (`cli:NAME`).

use super::{fail, print_out};
use crate::ledger::Ledger;
use crate::vault::{ErasureOutcome, Purpose, Vault};
use clap::Subcommand;
use domain::ids::DonorId;
use domain::personal::{gift_years, DetailsInput, DonorDetails, Requester};
use domain::{Date, FiscalYear, LedgerState};
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum DonorAction {
    /// Record a donor's personal details (the first time, or a change): sealed in the vault,
    /// with only the revision recorded in the ledger
    Record {
        /// The donor's id, as registered in the ledger
        donor: String,
        /// 氏名 (or 名称 of an organisation)
        #[arg(long)]
        name: String,
        /// フリガナ
        #[arg(long)]
        kana: Option<String>,
        /// 郵便番号, e.g. 420-0853
        #[arg(long)]
        postal_code: Option<String>,
        /// 住所
        #[arg(long)]
        address: Option<String>,
        /// The day the details took effect (default: today, Japan time)
        #[arg(long)]
        on: Option<Date>,
    },
    /// Print a donor's details (JSON). The read is logged
    Show { donor: String },
    /// Record that a donor asked for their personal data to be erased, and erase it now if no
    /// 寄附者名簿 listing them must still be kept (else when that retention ends)
    Erase {
        donor: String,
        /// Who asked: the donor, or an agent acting for them
        #[arg(long, value_enum, default_value = "donor")]
        by: RequesterArg,
        /// The day the request was received (default: today)
        #[arg(long)]
        on: Option<Date>,
    },
    /// Carry out every requested erasure whose registers' retention has ended
    EraseDue,
    /// The log of reads of personal data (JSON lines): who, when, which donor, what for
    Reads {
        /// Only this donor's
        #[arg(long)]
        donor: Option<String>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequesterArg {
    Donor,
    Agent,
}

impl From<RequesterArg> for Requester {
    fn from(r: RequesterArg) -> Requester {
        match r {
            RequesterArg::Donor => Requester::Donor,
            RequesterArg::Agent => Requester::Agent,
        }
    }
}

/// Who runs the command, as the ledger and the read log name them.
pub fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

fn donor_id(text: String) -> Result<DonorId, ExitCode> {
    DonorId::new(text).map_err(fail)
}

/// The fiscal years of a donor's gifts that a register lists.
fn years_of(state: &LedgerState, donor: &DonorId) -> Vec<FiscalYear> {
    gift_years(state.receipts.values(), donor).collect()
}

/// Runs `action`; `state` is the projection, folded only by the actions that need it.
pub async fn run(
    ledger: &Ledger,
    vault: &Vault,
    state: impl std::future::Future<Output = Result<LedgerState, crate::store::StoreError>>,
    action: DonorAction,
) -> ExitCode {
    let actor = cli_actor();
    let today = crate::vault::today();
    match action {
        DonorAction::Record {
            donor,
            name,
            kana,
            postal_code,
            address,
            on,
        } => {
            let donor = match donor_id(donor) {
                Ok(d) => d,
                Err(code) => return code,
            };
            let input = DetailsInput {
                name,
                kana,
                postal_code,
                address,
            };
            let details = match DonorDetails::try_from(input) {
                Ok(d) => d,
                Err(e) => return fail(format_args!("nothing recorded: {e}")),
            };
            match crate::donor_records::record_details(
                ledger,
                vault,
                &donor,
                &details,
                &actor,
                on.unwrap_or(today),
            )
            .await
            {
                Ok(revision) => print_out(&format!("donor {donor}: details recorded (revision {revision})")),
                Err(e) => fail(format_args!("nothing recorded: {e}")),
            }
        }
        DonorAction::Show { donor } => {
            let donor = match donor_id(donor) {
                Ok(d) => d,
                Err(code) => return code,
            };
            match vault.read(ledger, &donor, &actor, Purpose::Manage).await {
                Ok(held) => print_out(
                    &serde_json::to_string(&crate::vault::Shown { donor, held }).expect("details serialise"),
                ),
                Err(e) => fail(e),
            }
        }
        DonorAction::Erase { donor, by, on } => {
            let donor = match donor_id(donor) {
                Ok(d) => d,
                Err(code) => return code,
            };
            let state = match state.await {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let years = years_of(&state, &donor);
            let on = on.unwrap_or(today);
            match vault
                .request_erasure(ledger, &donor, by.into(), on, &years, &actor, today)
                .await
            {
                Ok(outcome) => print_out(&erasure_line(&donor, outcome)),
                Err(e) => fail(e),
            }
        }
        DonorAction::EraseDue => {
            let state = match state.await {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let done = match vault
                .carry_out_due(ledger, |donor| years_of(&state, donor), &actor, today)
                .await
            {
                Ok(done) => done,
                Err(e) => return fail(e),
            };
            let mut lines: Vec<String> = done
                .iter()
                .map(|(donor, outcome)| erasure_line(donor, *outcome))
                .collect();
            if lines.is_empty() {
                lines.push("no erasure is waiting".into());
            }
            print_out(&lines.join("\n"))
        }
        DonorAction::Reads { donor } => {
            let donor = match donor.map(donor_id).transpose() {
                Ok(d) => d,
                Err(code) => return code,
            };
            match vault.reads(donor.as_ref()).await {
                Ok(reads) => print_out(
                    &reads
                        .iter()
                        .map(|r| serde_json::to_string(r).expect("a read log entry serialises"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                Err(e) => fail(e),
            }
        }
    }
}

fn erasure_line(donor: &DonorId, outcome: ErasureOutcome) -> String {
    match outcome {
        ErasureOutcome::Erased => format!("donor {donor}: personal data erased"),
        ErasureOutcome::AlreadyErased => format!("donor {donor}: personal data was already erased"),
        ErasureOutcome::Deferred { from } => format!(
            "donor {donor}: erasure recorded; a 寄附者名簿 listing them is kept until {}, so it is carried out on {from} (their data is used for nothing else meanwhile)",
            from.plus_days(-1)
        ),
    }
}
