//! `spiral receipts`: the 寄附金受領証明書. So far what is due: each donor's qualifying gifts of a
//! calendar year (issuing, numbering, voiding and reissuing come next).

use super::{fail, print_out};
use clap::Subcommand;
use domain::ids::DonorId;
use domain::LedgerState;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum ReceiptsAction {
    /// Print, as JSON, each donor's gifts a receipt for the calendar year would acknowledge:
    /// donations received on or after the 認定日 of the NPO's profile in effect that day
    Due {
        /// The calendar year (January to December)
        #[arg(long, value_parser = clap::value_parser!(i32).range(1868..=2201))]
        calendar_year: i32,
        /// Only this donor's
        #[arg(long)]
        donor: Option<String>,
    },
}

pub async fn run(
    state: impl std::future::Future<Output = Result<LedgerState, crate::store::StoreError>>,
    action: ReceiptsAction,
) -> ExitCode {
    let ReceiptsAction::Due { calendar_year, donor } = action;
    let donor = match donor.map(DonorId::new).transpose() {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let state = match state.await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if let Some(d) = &donor {
        if !state.donors.contains_key(d) {
            return fail(format_args!("donor {d} has not been registered"));
        }
    }
    let due = domain::report::receipts_due::receipts_due(&state, calendar_year, donor.as_ref());
    match serde_json::to_string_pretty(&due) {
        Ok(json) => print_out(&json),
        Err(e) => fail(e),
    }
}
