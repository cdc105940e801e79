//! Donors' personal details in the vault, and the 寄附者名簿. Staff look after donors' records;
//! reporters (and staff) draw up the register; auditors see pseudonymous ids only, so none of
//! this is theirs. Every read of details is logged under the reader's name.

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::reports::{csv_response, xlsx_response, ReportFormat};
use super::{json_rejection, query_rejection, ErrorBody};
use crate::people::Role;
use crate::vault::{ErasureOutcome, Purpose, Shown, Vault, VaultError};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ids::DonorId;
use domain::personal::{gift_years, DetailsInput, DonorDetails, Requester};
use domain::Date;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Who may draw up the 寄附者名簿: reporters prepare it, staff keep it.
const REGISTER_READERS: &[Role] = &[Role::Staff, Role::Reporter];

pub(super) fn vault(state: &AppState) -> Result<&Arc<Vault>, ApiError> {
    state
        .vault
        .as_ref()
        .ok_or_else(|| ApiError::Unavailable("the donor vault is not open on this server".into()))
}

fn donor_id(path: Result<Path<String>, PathRejection>) -> Result<DonorId, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    DonorId::new(id).map_err(|e| ApiError::bad_request(e.to_string()))
}

pub(super) fn vault_error(e: VaultError) -> ApiError {
    match e {
        VaultError::UnknownDonor(d) => ApiError::NotFound(format!("donor {d}")),
        VaultError::Command(c) => c.into(),
        VaultError::Store(s) => s.into(),
        VaultError::Database(db) => crate::store::StoreError::Database(db).into(),
        // What the data or the operator must put right, said plainly (not a fault of the server).
        e @ (VaultError::UseStopped(_)
        | VaultError::Erased(_)
        | VaultError::NoDetails(_)
        | VaultError::FutureRequest { .. }
        | VaultError::Missing { .. }
        | VaultError::Unreadable { .. }) => ApiError::Invalid {
            ja: e.ja(),
            en: e.to_string(),
        },
        other => ApiError::Internal(other.to_string()),
    }
}

/// A donor's details now. The read is logged.
#[utoipa::path(get, path = "/api/donors/{id}", tag = "donors",
    params(("id" = String, Path, description = "The donor's id")),
    responses(
        (status = 200, description = "`status`: recorded (with revision and details), not_recorded, use_stopped (erasure asked for) or erased", body = Object),
        (status = 400, description = "Not a donor id", body = ErrorBody),
        (status = 404, description = "No such donor", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Staff only", body = ErrorBody),
    ))]
pub async fn donor_details(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Shown>, ApiError> {
    let actor = user.require(&[Role::Staff])?.name.clone();
    let donor = donor_id(path)?;
    let held = vault(&state)?
        .read(&state.ledger, &donor, &actor, Purpose::Manage)
        .await
        .map_err(vault_error)?;
    Ok(Json(Shown { donor, held }))
}

/// A donor's details as typed in a form.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DetailsBody {
    /// 氏名 (or 名称), 1–100 characters
    name: String,
    /// フリガナ
    kana: Option<String>,
    /// 郵便番号: 4200853, 420-0853, 〒420-0853
    postal_code: Option<String>,
    /// 住所, up to 200 characters
    address: Option<String>,
    /// The day the details took effect (default: today, Japan time)
    #[schema(value_type = Option<String>, format = Date)]
    on: Option<Date>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DetailsRecorded {
    pub donor: String,
    pub revision: u32,
}

/// Records a donor's details (the first, or a change): sealed in the vault, the revision in the
/// ledger; the registration corrected when the details add or remove the address, so that
/// `identified` (counted in the PST's absolute criterion) says what they hold.
#[utoipa::path(put, path = "/api/donors/{id}", tag = "donors",
    params(("id" = String, Path, description = "The donor's id")),
    request_body = DetailsBody,
    responses(
        (status = 200, description = "Recorded", body = DetailsRecorded),
        (status = 400, description = "Malformed", body = ErrorBody),
        (status = 404, description = "No such donor", body = ErrorBody),
        (status = 409, description = "Changed by someone else first", body = ErrorBody),
        (status = 422, description = "A field that cannot be taken, or a donor whose erasure was asked for", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Staff only", body = ErrorBody),
    ))]
pub async fn record_donor_details(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<DetailsBody>, JsonRejection>,
) -> Result<Json<DetailsRecorded>, ApiError> {
    let actor = user.require(&[Role::Staff])?.name.clone();
    let donor = donor_id(path)?;
    let Json(body) = body.map_err(json_rejection)?;
    let details = DonorDetails::try_from(DetailsInput {
        name: body.name,
        kana: body.kana,
        postal_code: body.postal_code,
        address: body.address,
    })
    .map_err(|e| ApiError::Invalid {
        ja: e.ja(),
        en: e.to_string(),
    })?;
    let on = body.on.unwrap_or_else(crate::vault::today);
    let revision =
        crate::donor_records::record_details(&state.ledger, vault(&state)?, &donor, &details, &actor, on)
            .await
            .map_err(vault_error)?;
    Ok(Json(DetailsRecorded {
        donor: donor.to_string(),
        revision,
    }))
}

/// Who asked for the erasure, and when.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureBody {
    /// `Donor` (本人) or `Agent` (代理人)
    by: Requester,
    /// The day the request was received (default: today)
    #[schema(value_type = Option<String>, format = Date)]
    on: Option<Date>,
}

/// Records a donor's request that their personal data be erased, and erases it now unless a
/// 寄附者名簿 listing them must still be kept (then on the first day after its retention).
#[utoipa::path(post, path = "/api/donors/{id}/erasure", tag = "donors",
    params(("id" = String, Path, description = "The donor's id")),
    request_body = ErasureBody,
    responses(
        (status = 200, description = "`outcome`: erased, or deferred with the day it will be carried out (`from`)", body = Object),
        (status = 400, description = "Malformed", body = ErrorBody),
        (status = 404, description = "No such donor", body = ErrorBody),
        (status = 422, description = "Already asked for, or already erased", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Staff only", body = ErrorBody),
    ))]
pub async fn erase_donor(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<ErasureBody>, JsonRejection>,
) -> Result<Json<ErasureOutcome>, ApiError> {
    let actor = user.require(&[Role::Staff])?.name.clone();
    let donor = donor_id(path)?;
    let Json(body) = body.map_err(json_rejection)?;
    let today = crate::vault::today();
    state.ledger.catch_up().await?;
    let years: Vec<_> = state
        .ledger
        .read_state(|s| gift_years(s.receipts.values(), &donor).collect());
    let outcome = vault(&state)?
        .request_erasure(
            &state.ledger,
            &donor,
            body.by,
            body.on.unwrap_or(today),
            &years,
            &actor,
            today,
        )
        .await
        .map_err(vault_error)?;
    Ok(Json(outcome))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RegisterQuery {
    /// The fiscal year (2024 = 2024年度)
    fiscal_year: domain::FiscalYear,
    /// `json` (default), `csv` or `xlsx`
    format: Option<ReportFormat>,
}

/// The 寄附者名簿 of a fiscal year: every donation with the giver's 氏名 and 住所 (each listed
/// donor's read logged), the amount and the day received.
#[utoipa::path(get, path = "/api/reports/donors", tag = "reports", params(RegisterQuery),
    responses(
        (status = 200, description = "The register (JSON), or as CSV or a workbook", content((Object = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Reporters and staff only", body = ErrorBody),
    ))]
pub async fn donor_register_report(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<RegisterQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let actor = user.require(REGISTER_READERS)?.name.clone();
    let Query(q) = query.map_err(query_rejection)?;
    let vault = vault(&state)?;
    let _reading = state.limits.ledger_read()?;
    let fy = q.fiscal_year;
    let register = crate::reports::live_donor_register(&state.ledger, vault, fy, &actor)
        .await
        .map_err(register_failure)?;
    let name = format!("donors-{}", fy.year());
    let failed = |e: crate::reports::ReportFailure| ApiError::Internal(e.to_string());
    Ok(match q.format.unwrap_or(ReportFormat::Json) {
        ReportFormat::Json => Json(register).into_response(),
        ReportFormat::Csv => csv_response(
            crate::reports::excel_csv(&register.rows()).map_err(failed)?,
            &format!("{name}.csv"),
        ),
        ReportFormat::Xlsx => xlsx_response(
            crate::reports::xlsx(&crate::reports::donor_register_sheets(&register)).map_err(failed)?,
            &format!("{name}.xlsx"),
        ),
    })
}

pub(in crate::web) fn register_failure(e: crate::reports::ReportFailure) -> ApiError {
    match e {
        crate::reports::ReportFailure::Vault(v) => vault_error(v),
        crate::reports::ReportFailure::Store(s) => s.into(),
        other => ApiError::Internal(other.to_string()),
    }
}
