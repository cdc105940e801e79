//! The funding summary, the public support test and the track record, as JSON or Excel CSV
//! (the track record also as text in the seed's own form).

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::{query_rejection, ErrorBody, READERS};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FundingQuery {
    /// First fiscal year (2013 = 2013年度)
    from: domain::FiscalYear,
    /// Last fiscal year (default: `from`)
    to: Option<domain::FiscalYear>,
    /// Merged funders under their current successor
    #[serde(default)]
    by_successor: bool,
    /// Reproduce the report as the ledger stood at this recorded time (RFC 3339)
    known_at: Option<DateTime<Utc>>,
    /// `json` (default), `csv` (UTF-8 with BOM, CRLF, Japanese headers) or `xlsx` (an Excel workbook)
    format: Option<ReportFormat>,
}

/// How a report is answered.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Json,
    /// UTF-8 with BOM, CRLF line ends, Japanese headers: opens as it should in Excel.
    Csv,
    /// An Excel workbook: one sheet per table, yen as numbers formatted ¥#,##0.
    Xlsx,
}

/// The media type of an .xlsx workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(super) fn xlsx_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub(super) fn csv_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn report_error(e: crate::reports::ReportFailure) -> ApiError {
    use crate::reports::ReportFailure;
    match e {
        ReportFailure::Store(s) => s.into(),
        ReportFailure::Csv(c) | ReportFailure::Xlsx(c) => ApiError::Internal(c),
        other => ApiError::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: other.to_string(),
        },
    }
}

/// The funding summary for a fiscal year or a range.
#[utoipa::path(get, path = "/api/reports/funding", tag = "reports", params(FundingQuery),
    responses(
        (status = 200, description = "The summary (JSON) or, with format=csv, the same figures as CSV", content((domain::report::funding::FundingSummary = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 422, description = "A range the report cannot cover", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Role may not read", body = ErrorBody),
    ))]
pub async fn funding_report(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<FundingQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let (from, to) = (q.from, q.to.unwrap_or(q.from));
    let _reading = state.limits.ledger_read()?;
    let summary = crate::reports::funding(&state.ledger, from, to, q.by_successor, q.known_at)
        .await
        .map_err(report_error)?;
    let name = format!("funding-{}-{}", from.year(), to.year());
    Ok(match q.format.unwrap_or(ReportFormat::Json) {
        ReportFormat::Json => Json(summary).into_response(),
        ReportFormat::Csv => csv_response(
            crate::reports::excel_csv(&crate::reports::funding_rows(&summary)).map_err(report_error)?,
            &format!("{name}.csv"),
        ),
        ReportFormat::Xlsx => xlsx_response(
            crate::reports::xlsx(&crate::reports::funding_sheets(&summary)).map_err(report_error)?,
            &format!("{name}.xlsx"),
        ),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PstQuery {
    /// Fiscal years FROM-TO, e.g. 2019-2023 (at most 5)
    #[param(
        pattern = "^(18[6-9][0-9]|19[0-9]{2}|2[01][0-9]{2}|2200)-(18[6-9][0-9]|19[0-9]{2}|2[01][0-9]{2}|2200)$",
        example = "2019-2023"
    )]
    pub(crate) period: String,
    /// Reproduce the report as the ledger stood at this recorded time (RFC 3339)
    known_at: Option<DateTime<Utc>>,
    /// `json` (default), `csv` or `xlsx`
    format: Option<ReportFormat>,
    /// Count supporting members' dues (賛助会費) as donations: they are voluntary and buy nothing
    #[serde(default)]
    pub(crate) supporting_dues_as_donations: bool,
    /// Add regular members' dues (正会員会費) to the numerator when every year has at least 20
    /// regular members, up to the donations counted
    #[serde(default)]
    pub(crate) add_member_dues: bool,
}

/// The public support test over an assessment period, with its derivation.
#[utoipa::path(get, path = "/api/reports/pst", tag = "reports", params(PstQuery),
    responses(
        (status = 200, description = "Both criteria with their derivation and the donor register (JSON), or with format=csv the same as CSV", content((Object = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 422, description = "A period the test cannot cover", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Role may not read", body = ErrorBody),
    ))]
pub async fn pst_report(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<PstQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let (from, to) = domain::fiscal_year::parse_period(&q.period).map_err(ApiError::bad_request)?;
    let _reading = state.limits.ledger_read()?;
    let options = domain::report::pst::PstOptions {
        supporting_dues_as_donations: q.supporting_dues_as_donations,
        add_member_dues: q.add_member_dues,
    };
    let report = crate::reports::pst(&state.ledger, from, to, options, q.known_at)
        .await
        .map_err(report_error)?;
    let name = format!("pst-{}-{}", from.year(), to.year());
    Ok(match q.format.unwrap_or(ReportFormat::Json) {
        ReportFormat::Json => Json(report).into_response(),
        ReportFormat::Csv => csv_response(
            crate::reports::excel_csv(&crate::reports::pst_rows(&report)).map_err(report_error)?,
            &format!("{name}.csv"),
        ),
        ReportFormat::Xlsx => xlsx_response(
            crate::reports::xlsx(&crate::reports::pst_sheets(&report)).map_err(report_error)?,
            &format!("{name}.xlsx"),
        ),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrackRecordQuery {
    /// Only programs of this pillar
    pillar: Option<domain::program::Pillar>,
    /// Contracts from this fiscal year on
    from: Option<domain::FiscalYear>,
    /// Contracts up to this fiscal year (a program still running is then shown up to it)
    to: Option<domain::FiscalYear>,
    /// Reproduce the list as the ledger stood at this recorded time (RFC 3339)
    known_at: Option<DateTime<Utc>>,
    /// `json` (default), `csv`, `xlsx`, or `text` (the seed's own form: `- program`, `(2001~2005年度 …委託)`, `⇒successor`)
    format: Option<PrintableFormat>,
}

/// How a report that is also printed as text (the track record, the 活動計算書) is answered.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PrintableFormat {
    Json,
    Csv,
    Text,
    Xlsx,
}

/// The track record (実績一覧): every contracted program with its successors (⇒), its fiscal
/// years, its commissioners under each name they had, and the scheme.
#[utoipa::path(get, path = "/api/reports/track-record", tag = "reports", params(TrackRecordQuery),
    responses(
        (status = 200, description = "The list (JSON), or with format=csv one row per program, or with format=text the list in the seed's form", content((domain::report::track_record::TrackRecord = "application/json"), (String = "text/csv"), (String = "text/plain"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 422, description = "A range that ends before it starts", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Role may not read", body = ErrorBody),
    ))]
pub async fn track_record_report(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<TrackRecordQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let selection = domain::report::track_record::Selection {
        pillar: q.pillar,
        from: q.from,
        to: q.to,
    };
    let _reading = state.limits.ledger_read()?;
    let record = crate::reports::track_record(&state.ledger, selection, q.known_at)
        .await
        .map_err(report_error)?;
    Ok(match q.format.unwrap_or(PrintableFormat::Json) {
        PrintableFormat::Json => Json(record).into_response(),
        PrintableFormat::Csv => {
            let bytes = crate::reports::excel_csv(&record.rows()).map_err(report_error)?;
            csv_response(bytes, "track-record.csv")
        }
        PrintableFormat::Xlsx => xlsx_response(
            crate::reports::xlsx(&crate::reports::track_record_sheets(&record)).map_err(report_error)?,
            "track-record.xlsx",
        ),
        PrintableFormat::Text => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            record.text(),
        )
            .into_response(),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FunderQuery {
    /// The funder's partner id
    #[param(value_type = String)]
    partner: domain::ids::PartnerId,
    /// First fiscal year (default: the first with its money or a contract)
    from: Option<domain::FiscalYear>,
    /// Last fiscal year (default: the last with its money or a contract)
    to: Option<domain::FiscalYear>,
    /// Reproduce the statement as the ledger stood at this recorded time (RFC 3339)
    known_at: Option<DateTime<Utc>>,
    /// `json` (default), `csv` (the three tables one under another) or `xlsx` (a sheet each)
    format: Option<ReportFormat>,
}

/// The statement for one funder: every receipt from it and every contract it commissioned,
/// under its name of each year, and its restricted money spent and left year by year.
#[utoipa::path(get, path = "/api/reports/funder", tag = "reports", params(FunderQuery),
    responses(
        (status = 200, description = "The statement (JSON), or the same as CSV or an Excel workbook", content((domain::report::funder::FunderStatement = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 422, description = "An unknown partner, or a range the statement cannot cover", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Role may not read", body = ErrorBody),
    ))]
pub async fn funder_report(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<FunderQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let _reading = state.limits.ledger_read()?;
    let name = format!("funder-{}", q.partner);
    let statement = crate::reports::funder(&state.ledger, q.partner, q.from, q.to, q.known_at)
        .await
        .map_err(report_error)?;
    Ok(match q.format.unwrap_or(ReportFormat::Json) {
        ReportFormat::Json => Json(statement).into_response(),
        ReportFormat::Csv => csv_response(
            crate::reports::funder_csv(&statement).map_err(report_error)?,
            &format!("{name}.csv"),
        ),
        ReportFormat::Xlsx => xlsx_response(
            crate::reports::xlsx(&crate::reports::funder_sheets(&statement)).map_err(report_error)?,
            &format!("{name}.xlsx"),
        ),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActivityQuery {
    /// The fiscal year (2014 = 2014年度)
    fiscal_year: domain::FiscalYear,
    /// Reproduce the statement as the ledger stood at this recorded time (RFC 3339)
    known_at: Option<DateTime<Utc>>,
    /// `json` (default), `csv`, `xlsx`, or `text` (as it is printed)
    format: Option<PrintableFormat>,
}

/// The revenue section of the 活動計算書 (NPO法人会計基準): 経常収益 by category and kind of
/// money, 経常収益計, and the note 使途等が制約された寄付等の内訳 with the 前受助成金.
#[utoipa::path(get, path = "/api/reports/activity", tag = "reports", params(ActivityQuery),
    responses(
        (status = 200, description = "The statement (JSON), or as CSV, an Excel workbook or printed text", content((domain::report::activity_statement::ActivityStatement = "application/json"), (String = "text/csv"), (String = "text/plain"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 422, description = "Figures the statement cannot add up", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Role may not read", body = ErrorBody),
    ))]
pub async fn activity_report(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let _reading = state.limits.ledger_read()?;
    let statement = crate::reports::activity(&state.ledger, q.fiscal_year, q.known_at)
        .await
        .map_err(report_error)?;
    let name = format!("activity-{}", q.fiscal_year.year());
    Ok(match q.format.unwrap_or(PrintableFormat::Json) {
        PrintableFormat::Json => Json(statement).into_response(),
        PrintableFormat::Csv => csv_response(
            crate::reports::activity_csv(&statement).map_err(report_error)?,
            &format!("{name}.csv"),
        ),
        PrintableFormat::Xlsx => xlsx_response(
            crate::reports::xlsx(&crate::reports::activity_sheets(&statement)).map_err(report_error)?,
            &format!("{name}.xlsx"),
        ),
        PrintableFormat::Text => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            statement.text(),
        )
            .into_response(),
    })
}
