//! `spiral organisation`: the NPO's own profile (名称, 所在地, 認定番号, 認定年月日), recorded
//! in the ledger from the day it takes effect, as its receipts and registers print it.

use super::donors::cli_actor;
use super::{fail, print_out};
use crate::ledger::Ledger;
use clap::Subcommand;
use domain::events::{Certification, OrganisationProfile, ORGANISATION_STREAM};
use domain::{Command, Date, Fact};
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum OrganisationAction {
    /// Record the NPO's profile from a day on (the first, a move, a new name, a certification)
    Record {
        /// 名称, e.g. 特定非営利活動法人ひかり市民活動ネットワーク
        #[arg(long)]
        name: String,
        /// 所在地 (the main office)
        #[arg(long)]
        address: String,
        /// 認定番号, as the 所轄庁's notice gives it (with --certified-on)
        #[arg(long, requires = "certified_on")]
        certification_number: Option<String>,
        /// 認定年月日 (with --certification-number)
        #[arg(long, requires = "certification_number")]
        certified_on: Option<Date>,
        /// The day the profile takes effect (default: today, Japan time)
        #[arg(long)]
        on: Option<Date>,
    },
    /// Print every profile recorded, and the one in effect on a day (JSON)
    Show {
        /// The day (default: today, Japan time)
        #[arg(long)]
        as_of: Option<Date>,
    },
}

#[derive(serde::Serialize)]
struct Shown<'a> {
    as_of: Date,
    /// The profile in effect on `as_of`, if any was recorded by then.
    in_effect: Option<&'a Dated>,
    /// Every profile standing, by the day it took effect.
    profiles: &'a [Dated],
}

#[derive(serde::Serialize)]
struct Dated {
    on: Date,
    #[serde(flatten)]
    profile: OrganisationProfile,
}

pub async fn run(ledger: &Ledger, action: OrganisationAction) -> ExitCode {
    match action {
        OrganisationAction::Record {
            name,
            address,
            certification_number,
            certified_on,
            on,
        } => {
            let certification = certification_number
                .zip(certified_on)
                .map(|(number, certified_on)| Certification { number, certified_on });
            let profile = OrganisationProfile {
                name,
                address,
                certification,
            };
            let on = on.unwrap_or_else(crate::vault::today);
            let command = Command::record(on, Fact::OrganisationProfiled(profile));
            match ledger.execute(command, &cli_actor(), None).await {
                Ok(outcome) => print_out(&format!(
                    "recorded the profile from {on} (event {}) / {on}からの法人情報を記録しました",
                    outcome.positions.first().copied().unwrap_or_default()
                )),
                Err(e) => fail(e),
            }
        }
        OrganisationAction::Show { as_of } => {
            let subject = match ledger.subject(ORGANISATION_STREAM).await {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let mut profiles: Vec<Dated> = subject
                .facts()
                .into_iter()
                .filter_map(|s| match &s.fact {
                    Fact::OrganisationProfiled(profile) => Some(Dated {
                        on: s.on,
                        profile: profile.clone(),
                    }),
                    _ => None,
                })
                .collect();
            // Stable: two profiles of one day stand in the order recorded, the later winning.
            profiles.sort_by_key(|p| p.on);
            let as_of = as_of.unwrap_or_else(crate::vault::today);
            let in_effect = profiles.iter().rev().find(|p| p.on <= as_of);
            match serde_json::to_string_pretty(&Shown {
                as_of,
                in_effect,
                profiles: &profiles,
            }) {
                Ok(json) => print_out(&json),
                Err(e) => fail(e),
            }
        }
    }
}
