//! `/receipts`: the desk of 寄附金受領証明書 in the browser, for reporters and staff. Plain
//! forms posted back here (same-origin, like every state-changing request), rendered by the
//! server: issue a calendar year's certificates or one gift's, void or reissue one with its
//! reason, and open them to print. The same calls as `spiral receipts` and `/api/certificates`.

use super::print::printer;
use super::{pages, AppState};
use crate::certificates::{self, IssueOutcome, IssueRequest};
use crate::ledger::CommandError;
use app::i18n::Lang;
use app::print::{Desk, DeskLine};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use domain::certificate::CertificateNo;
use domain::ids::{DonorId, ReceiptId};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskQuery {
    calendar_year: Option<u16>,
    /// Only this donor's certificates.
    donor: Option<String>,
}

/// The most certificates the desk lists at once: a year of a large NPO has thousands (17,017
/// at a million events), and a page of them all would be megabytes of forms. Filtered by donor
/// to reach the rest.
const LISTED: usize = 200;

/// What a form on the desk asks.
#[derive(Deserialize)]
pub struct DeskForm {
    action: String,
    calendar_year: Option<u16>,
    gift: Option<String>,
    pub(super) number: Option<String>,
    reason: Option<String>,
}

/// The year shown: the one asked for if it is one Spiral holds, else the last calendar year
/// (the one whose certificates are issued in January).
fn year_of(asked: Option<u16>) -> i32 {
    asked
        .map(i32::from)
        .filter(|y| (1868..=2201).contains(y))
        .unwrap_or_else(|| crate::vault::today().year() - 1)
}

/// The desk for `year` (`donor`'s certificates only, when given), with the last action's
/// outcome.
fn render(
    state: &AppState,
    lang: Lang,
    year: i32,
    donor: Option<&DonorId>,
    message: Option<(bool, String)>,
) -> String {
    state.ledger.read_state(|s| {
        let due = domain::report::receipts_due::receipts_due(s, year, None);
        let of_year = || {
            s.certificates
                .issued
                .values()
                .filter(|i| i.certificate.calendar_year == year)
                .filter(|i| donor.is_none_or(|d| &i.certificate.donor == d))
        };
        let certificates = of_year()
            .take(LISTED)
            .map(|i| DeskLine {
                certificate: &i.certificate,
                issued_on: i.issued_on,
                voided: i
                    .voided
                    .as_ref()
                    .map(|v| (v.on, v.reason.as_str(), v.replaced_by)),
            })
            .collect();
        app::print::certificate_desk(&Desk {
            lang,
            calendar_year: year,
            donor: donor.map(|d| d.as_str()),
            listed_of: of_year().count(),
            due_donors: due.len(),
            due_gifts: due.iter().map(|d| d.gifts.len()).sum(),
            unaddressable: due
                .iter()
                .filter(|d| {
                    s.certificates
                        .details
                        .get(&d.donor)
                        .is_none_or(|state| state.revision == 0 || state.use_stopped)
                })
                .count(),
            certificates,
            message,
        })
    })
}

/// `GET /receipts?calendar_year=Y`.
pub async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<DeskQuery>, QueryRejection>,
) -> Response {
    let (asked, donor) = match query {
        Ok(Query(q)) => (q.calendar_year, q.donor.and_then(|d| DonorId::new(d.trim()).ok())),
        Err(_) => (None, None),
    };
    let year = year_of(asked);
    let path = format!("/receipts?calendar_year={year}");
    if let Err(page) = printer(&state, &headers, &path, "受領証明書", "receipt certificates").await {
        return page;
    }
    if let Err(e) = state.ledger.catch_up().await {
        tracing::error!("receipts desk: {e}");
        return super::print::busy();
    }
    Html(render(
        &state,
        pages::lang_of(&headers),
        year,
        donor.as_ref(),
        None,
    ))
    .into_response()
}

/// What a form on the desk asks for.
enum Asked {
    Issue(IssueRequest),
    Void(CertificateNo),
}

/// What an action did, in the page's language.
fn done(lang: Lang, outcome: &IssueOutcome) -> String {
    let numbers: Vec<String> = outcome
        .certificates
        .iter()
        .map(|c| c.number.to_string())
        .collect();
    match (lang, numbers.is_empty()) {
        (Lang::Ja, true) => "発行する受領証明書はありません（すべて発行済みです）".into(),
        (Lang::Ja, false) => format!(
            "{}件発行しました（{}）{}",
            numbers.len(),
            span(&numbers),
            if outcome.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    "。氏名・住所がない等で発行できない寄附者 {}人",
                    outcome.skipped.len()
                )
            }
        ),
        (_, true) => "Nothing to issue: every qualifying gift is acknowledged already".into(),
        (_, false) => format!(
            "Issued {} ({}){}",
            numbers.len(),
            span(&numbers),
            if outcome.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} donors skipped (no details, or erasure asked for)",
                    outcome.skipped.len()
                )
            }
        ),
    }
}

/// `2026-00001〜2026-00042`, or the one number.
fn span(numbers: &[String]) -> String {
    match numbers {
        [one] => one.clone(),
        [first, .., last] => format!("{first}〜{last}"),
        [] => String::new(),
    }
}

fn refusal(lang: Lang, e: &CommandError) -> String {
    match (lang, e) {
        (Lang::Ja, CommandError::Rejected(rule)) => rule.ja(),
        (Lang::Ja, CommandError::Conflict { .. }) => {
            "同時に他の操作がありました。もう一度お試しください".into()
        }
        (Lang::Ja, _) => "記録できませんでした。しばらくしてからもう一度お試しください".into(),
        (_, e) => e.to_string(),
    }
}

/// `POST /receipts`: issue, void or reissue, then the desk again with what happened.
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<DeskForm>, FormRejection>,
) -> Response {
    let (user, _) = match printer(
        &state,
        &headers,
        "/receipts",
        "受領証明書",
        "receipt certificates",
    )
    .await
    {
        Ok(reader) => reader,
        Err(page) => return page,
    };
    let lang = pages::lang_of(&headers);
    let Ok(Form(form)) = form else {
        let year = year_of(None);
        let message = if lang == Lang::Ja {
            "送信された内容を読めませんでした".to_owned()
        } else {
            "The form could not be read".to_owned()
        };
        return (
            StatusCode::BAD_REQUEST,
            Html(render(&state, lang, year, None, Some((false, message)))),
        )
            .into_response();
    };
    let year = year_of(form.calendar_year);
    let today = crate::vault::today();
    let reason = form.reason.unwrap_or_default();
    let number = form.number.as_deref().map(str::parse::<CertificateNo>);
    // What the form asks, then that done once.
    let asked: Result<Asked, String> = match (form.action.as_str(), number) {
        ("issue_year", _) => Ok(Asked::Issue(IssueRequest::Year {
            calendar_year: year,
            donor: None,
        })),
        ("issue_gift", _) => ReceiptId::new(form.gift.unwrap_or_default().trim())
            .map(|gift| Asked::Issue(IssueRequest::Gift(gift)))
            .map_err(|e| e.to_string()),
        ("void", Some(Ok(number))) => Ok(Asked::Void(number)),
        ("reissue", Some(Ok(number))) => Ok(Asked::Issue(IssueRequest::Reissue {
            number,
            reason: reason.clone(),
        })),
        (_, Some(Err(e))) => Err(e.to_string()),
        _ => Err(if lang == Lang::Ja {
            "操作が指定されていません".into()
        } else {
            "No action was named".into()
        }),
    };
    let outcome = match asked {
        Ok(Asked::Issue(request)) => certificates::issue(&state.ledger, &request, &user.name, today)
            .await
            .map(|o| done(lang, &o))
            .map_err(|e| refusal(lang, &e)),
        Ok(Asked::Void(number)) => certificates::void(&state.ledger, number, &reason, &user.name, today)
            .await
            .map(|()| {
                if lang == Lang::Ja {
                    format!("{number} を無効にしました")
                } else {
                    format!("Voided {number}")
                }
            })
            .map_err(|e| refusal(lang, &e)),
        Err(text) => Err(text),
    };
    if let Err(e) = state.ledger.catch_up().await {
        tracing::error!("receipts desk: {e}");
    }
    let (status, message) = match outcome {
        Ok(text) => (StatusCode::OK, (true, text)),
        Err(text) => (StatusCode::UNPROCESSABLE_ENTITY, (false, text)),
    };
    (status, Html(render(&state, lang, year, None, Some(message)))).into_response()
}
