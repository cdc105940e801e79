//! Documents printed on A4 (`/print/…`): rendered by the server for the roles that may read
//! them, with nothing to hydrate. The 寄附者名簿 is for reporters, who prepare it, and staff,
//! who keep it; every donor it lists is a logged read.

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

fn refused(status: StatusCode, ja: &str, en: &str) -> Response {
    (status, Html(app::print::refusal(ja, en))).into_response()
}

/// `/print/donors?fiscal_year=Y`: the 寄附者名簿 of fiscal year Y.
pub async fn donor_register(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    query: Result<Query<RegisterQuery>, QueryRejection>,
) -> Response {
    let user = match auth::user_of(&state, &headers).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            let path = format!("/print/donors?{}", raw.unwrap_or_default());
            return pages::to_login(&path);
        }
        Err(e) => {
            tracing::error!("session lookup failed: {e}");
            return refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "しばらくしてから再読み込みしてください。",
                "Try again shortly.",
            );
        }
    };
    if !matches!(user.role, Role::Staff | Role::Reporter) {
        return refused(
            StatusCode::FORBIDDEN,
            "寄附者名簿は報告担当とスタッフだけが見られます。",
            "Only reporters and staff may see the donor register.",
        );
    }
    let Ok(Query(q)) = query else {
        return refused(
            StatusCode::BAD_REQUEST,
            "年度を fiscal_year=2024 のように指定してください。",
            "Name the fiscal year, e.g. fiscal_year=2024.",
        );
    };
    let Some(vault) = state.vault.as_ref() else {
        return refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "寄附者の保管庫が開いていません。",
            "The donor vault is not open on this server.",
        );
    };
    let Ok(_reading) = state.limits.ledger_read() else {
        return refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "混み合っています。しばらくしてから再読み込みしてください。",
            "Busy: try again shortly.",
        );
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
