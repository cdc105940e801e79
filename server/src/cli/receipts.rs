//! `spiral receipts`: the 寄附金受領証明書. What is due (each donor's qualifying gifts of a
//! calendar year not yet acknowledged), issuing them (a year's batch, one donor's, one gift's),
//! voiding and reissuing, and the list of those issued.

use super::donors::cli_actor;
use super::{fail, print_out};
use crate::certificates::{self, IssueOutcome, IssueRequest};
use crate::ledger::{CommandError, Ledger};
use clap::Subcommand;
use domain::certificate::CertificateNo;
use domain::ids::{DonorId, ReceiptId};
use domain::{Date, DomainError, LedgerState};
use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum ReceiptsAction {
    /// Print, as JSON, each donor's gifts a receipt for the calendar year would acknowledge:
    /// donations received on or after the 認定日 of the NPO's profile in effect that day, and
    /// not acknowledged by a certificate already
    Due {
        /// The calendar year (January to December)
        #[arg(long, value_parser = clap::value_parser!(i32).range(1868..=2201))]
        calendar_year: i32,
        /// Only this donor's
        #[arg(long)]
        donor: Option<String>,
    },
    /// Issue certificates: one per donor for a calendar year (--calendar-year, with --donor
    /// for one donor), or one for a gift (--gift), all in one commit, numbered YYYY-NNNNN
    #[command(group(clap::ArgGroup::new("what").required(true).args(["calendar_year", "gift"])))]
    Issue {
        /// The calendar year whose gifts the certificates acknowledge
        #[arg(long, value_parser = clap::value_parser!(i32).range(1868..=2201))]
        calendar_year: Option<i32>,
        /// Only this donor's certificate (with --calendar-year)
        #[arg(long, requires = "calendar_year")]
        donor: Option<String>,
        /// A certificate for this one gift (its receipt id)
        #[arg(long, conflicts_with = "donor")]
        gift: Option<String>,
        /// The day they are issued (default: today, Japan time)
        #[arg(long)]
        on: Option<Date>,
        /// Print what was issued as JSON
        #[arg(long)]
        json: bool,
    },
    /// Void a certificate (it stays in the ledger, marked void)
    Void {
        /// Its number, e.g. 2026-00001
        number: CertificateNo,
        /// Why (kept in the ledger)
        #[arg(long)]
        reason: String,
        /// The day it is voided (default: today, Japan time)
        #[arg(long)]
        on: Option<Date>,
    },
    /// Issue a certificate in place of another (after a move, a lost one, a corrected gift),
    /// voiding it: the same gifts as recorded now, addressed with the donor's details now
    Reissue {
        /// The number of the certificate replaced
        number: CertificateNo,
        /// Why (kept in the ledger)
        #[arg(long)]
        reason: String,
        /// The day it is issued (default: today, Japan time)
        #[arg(long)]
        on: Option<Date>,
        /// Print what was issued as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print the certificates issued, as JSON, voided ones included (each says so)
    List {
        /// Only those acknowledging gifts of this calendar year
        #[arg(long, value_parser = clap::value_parser!(i32).range(1868..=2201))]
        calendar_year: Option<i32>,
        /// Only this donor's
        #[arg(long)]
        donor: Option<String>,
    },
}

/// The day a certificate is issued or voided on: today unless told, never after it.
fn day(on: Option<Date>) -> Result<Date, ExitCode> {
    let today = crate::vault::today();
    match on {
        Some(on) if on > today => Err(fail(format_args!(
            "{on} is after today ({today}): a certificate is issued and voided on the day it happens / 発行・無効の日付に未来の日は指定できません"
        ))),
        on => Ok(on.unwrap_or(today)),
    }
}

fn donor_id(text: Option<String>) -> Result<Option<DonorId>, ExitCode> {
    text.map(DonorId::new).transpose().map_err(fail)
}

/// A refusal in both languages: the rules' in Japanese too.
fn refused(e: CommandError) -> ExitCode {
    match &e {
        CommandError::Rejected(rule) => refused_rule(rule),
        _ => fail(format_args!("nothing recorded: {e}")),
    }
}

fn refused_rule(rule: &DomainError) -> ExitCode {
    fail(format_args!(
        "nothing recorded: {rule} / 記録していません: {}",
        rule.ja()
    ))
}

pub async fn run(
    ledger: &Ledger,
    state: impl std::future::Future<Output = Result<LedgerState, crate::store::StoreError>>,
    action: ReceiptsAction,
) -> ExitCode {
    let actor = cli_actor();
    match action {
        ReceiptsAction::Due { calendar_year, donor } => {
            let donor = match donor_id(donor) {
                Ok(d) => d,
                Err(code) => return code,
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
        ReceiptsAction::Issue {
            calendar_year,
            donor,
            gift,
            on,
            json,
        } => {
            let request = match (calendar_year, gift) {
                (Some(calendar_year), _) => match donor_id(donor) {
                    Ok(donor) => IssueRequest::Year { calendar_year, donor },
                    Err(code) => return code,
                },
                (None, Some(gift)) => match ReceiptId::new(gift) {
                    Ok(receipt) => IssueRequest::Gift(receipt),
                    Err(e) => return fail(e),
                },
                // clap requires one of the two.
                (None, None) => return fail("name --calendar-year or --gift"),
            };
            issue_and_show(ledger, &request, &actor, on, json).await
        }
        ReceiptsAction::Reissue {
            number,
            reason,
            on,
            json,
        } => {
            let request = IssueRequest::Reissue { number, reason };
            issue_and_show(ledger, &request, &actor, on, json).await
        }
        ReceiptsAction::Void { number, reason, on } => {
            let on = match day(on) {
                Ok(on) => on,
                Err(code) => return code,
            };
            match certificates::void(ledger, number, &reason, &actor, on).await {
                Ok(()) => print_out(&format!(
                    "voided certificate {number} / 受領証明書 {number} を無効にしました"
                )),
                Err(e) => refused(e),
            }
        }
        ReceiptsAction::List { calendar_year, donor } => {
            let donor = match donor_id(donor) {
                Ok(d) => d,
                Err(code) => return code,
            };
            if let Err(e) = ledger.catch_up().await {
                return fail(e);
            }
            let issued = certificates::list(ledger, calendar_year, donor.as_ref());
            match serde_json::to_string_pretty(&issued) {
                Ok(json) => print_out(&json),
                Err(e) => fail(e),
            }
        }
    }
}

/// Issues `request` on `on` (today unless told) and prints what was issued.
async fn issue_and_show(
    ledger: &Ledger,
    request: &IssueRequest,
    actor: &str,
    on: Option<Date>,
    json: bool,
) -> ExitCode {
    let on = match day(on) {
        Ok(on) => on,
        Err(code) => return code,
    };
    match certificates::issue(ledger, request, actor, on).await {
        Ok(outcome) => show_issued(&outcome, json),
        Err(e) => refused(e),
    }
}

fn show_issued(outcome: &IssueOutcome, json: bool) -> ExitCode {
    if json {
        return match serde_json::to_string_pretty(outcome) {
            Ok(text) => print_out(&text),
            Err(e) => fail(e),
        };
    }
    let mut text = String::new();
    for c in &outcome.certificates {
        let _ = writeln!(
            text,
            "{}  {}  {}  {} gift(s) of {}{}",
            c.number,
            c.donor,
            c.total,
            c.gifts.len(),
            c.calendar_year,
            c.replaces
                .as_ref()
                .map_or_else(String::new, |r| format!("  replaces {}", r.certificate))
        );
    }
    for s in &outcome.skipped {
        let _ = writeln!(text, "skipped {}: {} / {}", s.donor, s.reason, s.reason.ja());
    }
    let total = outcome
        .certificates
        .iter()
        .fold(0i64, |sum, c| sum.saturating_add(c.total.value()));
    match outcome.issued_on {
        Some(on) => {
            let _ = write!(
                text,
                "issued {} certificate(s) on {on}, {} in all / 受領証明書を{}件発行しました（合計 {}）",
                outcome.certificates.len(),
                domain::Yen::new(total),
                outcome.certificates.len(),
                domain::Yen::new(total)
            );
        }
        None => text.push_str("nothing to issue: every qualifying gift is acknowledged already / 発行する受領証明書はありません"),
    }
    print_out(&text)
}
