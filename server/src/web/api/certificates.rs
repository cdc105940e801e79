//! 寄附金受領証明書 over HTTP: issuing a year's (or one donor's, or one gift's), voiding,
//! reissuing, and the list issued. Reporters produce them and staff may too; auditors may list
//! them (donor ids and amounts only: no name or address is in a certificate's facts).

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::{json_rejection, query_rejection, ErrorBody};
use crate::certificates::{self, IssueOutcome, IssueRequest};
use crate::people::Role;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use domain::certificate::{CertificateNo, Issued};
use domain::ids::{DonorId, ReceiptId};
use serde::{Deserialize, Serialize};

/// Who issues, voids and reissues certificates.
const ISSUERS: &[Role] = &[Role::Staff, Role::Reporter];

fn donor(text: Option<String>) -> Result<Option<DonorId>, ApiError> {
    text.map(DonorId::new)
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// A calendar year Spiral can hold (its days run from 1868 to 2201).
fn year_in_range(year: u16) -> Result<i32, ApiError> {
    if (1868..=2201).contains(&year) {
        Ok(i32::from(year))
    } else {
        Err(ApiError::bad_request(format!(
            "calendar year {year} is out of range (1868 to 2201)"
        )))
    }
}

fn number(path: Result<Path<String>, PathRejection>) -> Result<CertificateNo, ApiError> {
    let Path(text) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    text.parse()
        .map_err(|e: domain::certificate::BadCertificateNo| ApiError::bad_request(e.to_string()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CertificateQuery {
    /// Only those acknowledging gifts of this calendar year
    #[param(minimum = 1868, maximum = 2201)]
    calendar_year: Option<u16>,
    /// Only this donor's
    donor: Option<String>,
}

/// The certificates issued, in number order, voided ones included (each says so).
#[utoipa::path(get, path = "/api/certificates", tag = "donors",
    params(CertificateQuery),
    responses(
        (status = 200, description = "Each certificate: its number, donor, calendar year, gifts and total, the day issued, and how it was voided or replaced", body = Vec<Issued>),
        (status = 400, description = "Not a calendar year or a donor id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn certificates(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<CertificateQuery>, QueryRejection>,
) -> Result<Json<Vec<Issued>>, ApiError> {
    user.require(&[Role::Staff, Role::Reporter, Role::Auditor])?;
    let Query(q) = query.map_err(query_rejection)?;
    let donor = donor(q.donor)?;
    state.ledger.catch_up().await?;
    let year = q.calendar_year.map(year_in_range).transpose()?;
    Ok(Json(certificates::list(&state.ledger, year, donor.as_ref())))
}

/// What to issue: a calendar year's certificates (one donor's with `donor`), or one gift's.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// The calendar year whose gifts the certificates acknowledge (or `gift`)
    #[schema(minimum = 1868, maximum = 2201)]
    calendar_year: Option<u16>,
    /// Only this donor's (with `calendar_year`)
    donor: Option<String>,
    /// A certificate for this one gift, by its receipt id (or `calendar_year`)
    gift: Option<String>,
}

/// Issues certificates today, numbered YYYY-NNNNN, all in one commit: one per donor for the
/// gifts of `calendar_year` received while the NPO was certified and not acknowledged yet (a
/// donor without details, or who asked for erasure, is listed in `skipped`), or one for `gift`.
#[utoipa::path(post, path = "/api/certificates", tag = "donors",
    request_body = IssueBody,
    responses(
        (status = 200, description = "What was issued (nothing, when every qualifying gift is acknowledged already), and who was skipped", body = IssueOutcome),
        (status = 400, description = "Malformed, or neither or both of `calendar_year` and `gift`", body = ErrorBody),
        (status = 409, description = "Others issued at the same time, again and again: try again", body = ErrorBody),
        (status = 422, description = "The gift does not qualify, is acknowledged already, or the donor cannot be addressed", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Reporters and staff only", body = ErrorBody),
    ))]
pub async fn issue_certificates(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Result<Json<IssueBody>, JsonRejection>,
) -> Result<Json<IssueOutcome>, ApiError> {
    let actor = user.require(ISSUERS)?.name.clone();
    let Json(body) = body.map_err(json_rejection)?;
    let request = match (body.calendar_year, body.gift) {
        (Some(calendar_year), None) => IssueRequest::Year {
            calendar_year: year_in_range(calendar_year)?,
            donor: donor(body.donor)?,
        },
        (None, Some(gift)) if body.donor.is_none() => {
            IssueRequest::Gift(ReceiptId::new(gift).map_err(|e| ApiError::bad_request(e.to_string()))?)
        }
        _ => {
            return Err(ApiError::bad_request(
                "name either calendar_year (with donor, optionally) or gift",
            ))
        }
    };
    let outcome = certificates::issue(&state.ledger, &request, &actor, crate::vault::today()).await?;
    Ok(Json(outcome))
}

/// Why a certificate is voided or reissued.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Kept in the ledger, e.g. 住所変更, 金額誤り, 紛失
    reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Voided {
    voided: CertificateNo,
}

/// Voids a certificate today. It stays in the ledger, marked void; its gifts may be
/// acknowledged again.
#[utoipa::path(post, path = "/api/certificates/{number}/void", tag = "donors",
    params(("number" = String, Path, description = "The certificate's number, e.g. 2026-00001")),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "Voided", body = Voided),
        (status = 400, description = "Malformed, or not a certificate number", body = ErrorBody),
        (status = 409, description = "Changed by someone else first", body = ErrorBody),
        (status = 422, description = "Not issued, voided already, or no reason", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Reporters and staff only", body = ErrorBody),
    ))]
pub async fn void_certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<ReasonBody>, JsonRejection>,
) -> Result<Json<Voided>, ApiError> {
    let actor = user.require(ISSUERS)?.name.clone();
    let number = number(path)?;
    let Json(body) = body.map_err(json_rejection)?;
    certificates::void(&state.ledger, number, &body.reason, &actor, crate::vault::today()).await?;
    Ok(Json(Voided { voided: number }))
}

/// Issues a certificate today in place of another, which it voids: the same gifts as recorded
/// now, addressed with the donor's details now.
#[utoipa::path(post, path = "/api/certificates/{number}/reissue", tag = "donors",
    params(("number" = String, Path, description = "The number of the certificate replaced")),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "The certificate issued in its place", body = IssueOutcome),
        (status = 400, description = "Malformed, or not a certificate number", body = ErrorBody),
        (status = 409, description = "Others issued at the same time, again and again: try again", body = ErrorBody),
        (status = 422, description = "Not issued, replaced already, no reason, or the donor cannot be addressed", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Reporters and staff only", body = ErrorBody),
    ))]
pub async fn reissue_certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<ReasonBody>, JsonRejection>,
) -> Result<Json<IssueOutcome>, ApiError> {
    let actor = user.require(ISSUERS)?.name.clone();
    let number = number(path)?;
    let Json(body) = body.map_err(json_rejection)?;
    let request = IssueRequest::Reissue {
        number,
        reason: body.reason,
    };
    let outcome = certificates::issue(&state.ledger, &request, &actor, crate::vault::today()).await?;
    Ok(Json(outcome))
}
