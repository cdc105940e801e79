//! Documents printed on A4 (`/print/…`): rendered by the server for the roles that may read
//! them, with nothing to hydrate. The 寄附者名簿 and the 寄附金受領証明書 are for reporters, who
//! prepare them, and staff, who keep them; every donor they name is a logged read.

use super::{auth, pages, AppState};
use crate::people::Role;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterQuery {
    fiscal_year: domain::FiscalYear,
}

pub(super) fn refused(status: StatusCode, ja: &str, en: &str) -> Response {
    (status, Html(app::print::refusal(ja, en))).into_response()
}

/// The person signed in, if they may print donors' documents (reporters, staff), and the
/// vault those documents read from; else the page to answer with. `path` is where to come back
/// to after signing in.
pub(super) async fn printer<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    path: &str,
    what_ja: &str,
    what_en: &str,
) -> Result<(crate::people::User, &'a std::sync::Arc<crate::vault::Vault>), Response> {
    let user = signed_in(state, headers, path).await?;
    if !matches!(user.role, Role::Staff | Role::Reporter) {
        return Err(refused(
            StatusCode::FORBIDDEN,
            &format!("{what_ja}は報告担当とスタッフだけが見られます。"),
            &format!("Only reporters and staff may see {what_en}."),
        ));
    }
    Ok((user, open_vault(state).await?))
}

/// The person signed in; else the sign-in page, coming back to `path`.
pub(super) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
) -> Result<crate::people::User, Response> {
    match auth::user_of(state, headers).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(pages::to_login(path)),
        Err(e) => {
            tracing::error!("session lookup failed: {e}");
            Err(refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "しばらくしてから再読み込みしてください。",
                "Try again shortly.",
            ))
        }
    }
}

/// The donor vault, or the page saying this server has none open.
pub(super) async fn open_vault(state: &AppState) -> Result<&std::sync::Arc<crate::vault::Vault>, Response> {
    state.vault.as_ref().ok_or_else(|| {
        refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "寄附者の保管庫が開いていません。",
            "The donor vault is not open on this server.",
        )
    })
}

pub(super) fn busy() -> Response {
    refused(
        StatusCode::SERVICE_UNAVAILABLE,
        "混み合っています。しばらくしてから再読み込みしてください。",
        "Busy: try again shortly.",
    )
}

/// `/print/donors?fiscal_year=Y`: the 寄附者名簿 of fiscal year Y.
pub async fn donor_register(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    query: Result<Query<RegisterQuery>, QueryRejection>,
) -> Response {
    let path = format!("/print/donors?{}", raw.unwrap_or_default());
    let (user, vault) = match printer(&state, &headers, &path, "寄附者名簿", "the donor register").await
    {
        Ok(reader) => reader,
        Err(page) => return page,
    };
    let Ok(Query(q)) = query else {
        return refused(
            StatusCode::BAD_REQUEST,
            "年度を fiscal_year=2024 のように指定してください。",
            "Name the fiscal year, e.g. fiscal_year=2024.",
        );
    };
    let Ok(_reading) = state.limits.ledger_read() else {
        return busy();
    };
    match crate::reports::live_donor_register(&state.ledger, vault, q.fiscal_year, &user.name).await {
        Ok(register) => {
            let organisation = state
                .ledger
                .read_state(|s| s.organisation_on(q.fiscal_year.last_day()).cloned());
            Html(app::print::donor_register(
                &register,
                organisation.as_ref(),
                crate::vault::today(),
            ))
            .into_response()
        }
        Err(e) => {
            tracing::error!("donor register: {e}");
            refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "名簿を作れませんでした。しばらくしてから再読み込みしてください。",
                "The register could not be drawn up: try again shortly.",
            )
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificatesQuery {
    calendar_year: Option<u16>,
    number: Option<domain::certificate::CertificateNo>,
}

/// `/print/receipts?calendar_year=Y`: the standing 寄附金受領証明書 of calendar year Y, one per
/// page; `/print/receipts?number=N`: certificate N (marked void, if it was voided).
pub async fn certificates(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    query: Result<Query<CertificatesQuery>, QueryRejection>,
) -> Response {
    let path = format!("/print/receipts?{}", raw.unwrap_or_default());
    let (user, vault) = match printer(&state, &headers, &path, "受領証明書", "receipt certificates").await
    {
        Ok(reader) => reader,
        Err(page) => return page,
    };
    let wrong = || {
        refused(
            StatusCode::BAD_REQUEST,
            "calendar_year=2025（その年の証明書）か number=2025-00001（1枚）を指定してください。",
            "Name calendar_year=2025 (that year's certificates) or number=2025-00001 (one).",
        )
    };
    let Ok(Query(q)) = query else {
        return wrong();
    };
    let Ok(_reading) = state.limits.ledger_read() else {
        return busy();
    };
    if let Err(e) = state.ledger.catch_up().await {
        tracing::error!("certificates: {e}");
        return busy();
    }
    let (title, issued) = match (q.calendar_year, q.number) {
        (Some(year), None) => {
            let standing: Vec<_> = crate::certificates::list(&state.ledger, Some(i32::from(year)), None)
                .into_iter()
                .filter(|i| i.voided.is_none())
                .collect();
            (format!("寄附金受領証明書 {year}年分"), standing)
        }
        (None, Some(number)) => {
            let one: Vec<_> = state
                .ledger
                .read_state(|s| s.certificates.issued.get(&number).cloned())
                .into_iter()
                .collect();
            if one.is_empty() {
                return refused(
                    StatusCode::NOT_FOUND,
                    &format!("受領証明書 {number} は発行されていません。"),
                    &format!("Certificate {number} has not been issued."),
                );
            }
            (app::print::certificate_title(number), one)
        }
        _ => return wrong(),
    };
    let printable = match crate::certificates::printable(&state.ledger, vault, issued, &user.name).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("certificates: {e}");
            return refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "証明書を作れませんでした。しばらくしてから再読み込みしてください。",
                "The certificates could not be drawn up: try again shortly.",
            );
        }
    };
    let sheets: Vec<app::print::Sheet<'_>> = printable.iter().map(sheet).collect();
    Html(app::print::certificates(&title, &sheets)).into_response()
}

/// A certificate as the printed page shows it, its addressee as the vault gave them.
pub fn sheet(p: &crate::certificates::Printable) -> app::print::Sheet<'_> {
    use crate::vault::Held;
    use app::print::Addressee;
    let addressee = match &p.addressee {
        Held::Recorded { details, .. } => Addressee::Known {
            name: details.name(),
            address: details.postal_address(),
        },
        Held::UseStopped => Addressee::Withheld("消去の求めにより表示しません"),
        Held::Erased => Addressee::Withheld("消去済み"),
        Held::NotRecorded => Addressee::Withheld("未登録"),
        Held::Unreadable => Addressee::Withheld("保管庫から読めません"),
    };
    app::print::Sheet {
        certificate: &p.issued.certificate,
        issued_on: p.issued.issued_on,
        voided: p.issued.voided.as_ref().map(|v| (v.on, v.reason.as_str())),
        organisation: p.organisation.as_ref(),
        addressee,
    }
}
