//! `/reports/pst`: the public support test as a page, for staff, reporters and auditors, from
//! the same fold as `GET /api/reports/pst`. Names in its register are shown only when a
//! reporter or staff member asks (each donor named is a logged read); auditors see ids.

use super::print::signed_in;
use super::{pages, AppState};
use crate::people::Role;
use crate::vault::{Held, Purpose};
use app::i18n::Lang;
use app::pst_page::{pst_page, PstPage};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::ids::DonorId;
use domain::report::pst::PstOptions;
use domain::FiscalYear;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PstPageQuery {
    /// `2019-2023`.
    pub(super) period: Option<String>,
    /// A time in Japan as a `datetime-local` field sends it (`2026-04-01T09:30`), or RFC 3339.
    pub(super) known_at: Option<String>,
    names: Option<String>,
    /// The register's page, from 1.
    register_page: Option<usize>,
    /// A checkbox: present (any value but `false`) when ticked.
    supporting_dues_as_donations: Option<String>,
    add_member_dues: Option<String>,
}

impl PstPageQuery {
    pub(super) fn options(&self) -> PstOptions {
        let ticked = |v: &Option<String>| v.as_deref().is_some_and(|v| v != "false");
        PstOptions {
            supporting_dues_as_donations: ticked(&self.supporting_dues_as_donations),
            add_member_dues: ticked(&self.add_member_dues),
        }
    }
}

/// The recorded time `text` names: a local time in Japan as the form sends it, or RFC 3339.
pub(super) fn known_at(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.to_utc());
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .and_then(|local| local.and_utc().checked_sub_signed(chrono::Duration::hours(9)))
}

/// The five fiscal years up to the last one closed: what a certification application covers.
fn default_period() -> String {
    let open = FiscalYear::containing(crate::vault::today());
    let to = open.previous().unwrap_or(open);
    format!("{}-{}", to.year() - 4, to.year())
}

/// `GET /reports/pst?period=Y-Y[&known_at=…][&names=1]`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PstPageQuery>, QueryRejection>,
) -> Response {
    let user = match signed_in(&state, &headers, "/reports/pst").await {
        Ok(user) => user,
        Err(page) => return page,
    };
    if user.role == Role::Admin {
        return super::print::refused(
            StatusCode::FORBIDDEN,
            "管理者は台帳を見られません。",
            "Administrators do not read the ledger.",
        );
    }
    let lang = pages::lang_of(&headers);
    let say = |ja: String, en: String| if lang == Lang::Ja { ja } else { en };
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let options = q.options();
    let register_page = q.register_page.unwrap_or(1);
    let period = q
        .period
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(default_period);
    let typed_at = q.known_at.as_deref().filter(|t| !t.trim().is_empty());
    let at = typed_at.map(known_at);
    let may_name = matches!(user.role, Role::Staff | Role::Reporter) && state.vault.is_some();
    let report = match (domain::fiscal_year::parse_period(&period), at) {
        (_, Some(None)) => Err(say(
            format!("記録時点が読めません: {:?}", typed_at.unwrap_or_default()),
            format!("not a time: {:?}", typed_at.unwrap_or_default()),
        )),
        (Err(e), _) => Err(say(format!("実績判定期間が読めません: {e}"), e.to_string())),
        (Ok((from, to)), at) => {
            let _reading = match state.limits.ledger_read() {
                Ok(slot) => slot,
                Err(_) => return super::print::busy(),
            };
            crate::reports::pst(&state.ledger, from, to, options, at.flatten())
                .await
                .map_err(|e| e.to_string())
        }
    };
    let names = match (&report, may_name && q.names.is_some(), state.vault.as_ref()) {
        (Ok(report), true, Some(vault)) => {
            let ids: Vec<DonorId> = app::pst_page::donors_shown(report, register_page)
                .into_iter()
                .filter_map(|d| d.strip_prefix("donor:"))
                .filter_map(|id| DonorId::new(id).ok())
                .collect();
            match vault
                .read_many(state.ledger.log(), &ids, &user.name, Purpose::Register)
                .await
            {
                Ok(held) => Some(
                    held.into_iter()
                        .filter_map(|(id, h)| match h {
                            Held::Recorded { details, .. } => {
                                Some((format!("donor:{id}"), details.name().to_owned()))
                            }
                            _ => None,
                        })
                        .collect::<HashMap<_, _>>(),
                ),
                Err(e) => {
                    tracing::error!("pst page names: {e}");
                    return super::print::busy();
                }
            }
        }
        _ => None,
    };
    let mut query = format!("period={}", app::boot::encode_segment(&period));
    if let Some(Some(at)) = at {
        query.push_str(&format!(
            "&known_at={}",
            app::boot::encode_segment(&at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        ));
    }
    if options.supporting_dues_as_donations {
        query.push_str("&supporting_dues_as_donations=true");
    }
    if options.add_member_dues {
        query.push_str("&add_member_dues=true");
    }
    let status = if report.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        Html(pst_page(&PstPage {
            lang,
            period: &period,
            known_at: typed_at,
            options,
            register_page,
            report: report.as_ref().map_err(Clone::clone),
            names: names.as_ref(),
            may_name,
            query: &query,
        })),
    )
        .into_response()
}
