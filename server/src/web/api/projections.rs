//! What the ledger says now, or as of a date and as known at a time: the domain's projections.

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::{query_rejection, ErrorBody, READERS};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::fold_index::Needs;
use domain::state_page::{page, Narrowing, Part};
use domain::{LedgerState, View};
use serde::Deserialize;

async fn current(state: &AppState) -> Result<(), ApiError> {
    state.ledger.catch_up().await.map_err(ApiError::from)
}

#[utoipa::path(get, path = "/api/programs", tag = "projections", responses((status = 200, description = "Programs with lineage and contracts", body = Vec<domain::projection::ProgramView>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn programs(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(READERS)?;
    current(&state).await?;
    Ok(state
        .ledger
        .read_state(|s| Json(s.programs.values().collect::<Vec<_>>()).into_response()))
}

#[utoipa::path(get, path = "/api/partners", tag = "projections", responses((status = 200, description = "Partners with their names through time", body = Vec<domain::projection::PartnerView>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn partners(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(READERS)?;
    current(&state).await?;
    Ok(state
        .ledger
        .read_state(|s| Json(s.partners.values().collect::<Vec<_>>()).into_response()))
}

#[utoipa::path(get, path = "/api/timeline", tag = "projections", responses((status = 200, description = "The spiral: each activity with its date, pillar and stage", body = Vec<domain::projection::TimelineEntry>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn timeline(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(READERS)?;
    current(&state).await?;
    Ok(state.ledger.read_state(|s| Json(&s.timeline).into_response()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StateQuery {
    /// Effective date (YYYY-MM-DD): facts that took effect later are left out
    as_of: Option<domain::Date>,
    /// Recorded time (RFC 3339): events recorded later are left out
    known_at: Option<DateTime<Utc>>,
    /// Only this part of the state, a page at a time (`items` and `next_after`); without it the
    /// whole state, as `spiral state`, while it holds at most 50,000 items
    part: Option<Part>,
    /// With `part`: only what falls in this fiscal year (programs running, activities, receipts,
    /// timeline marks, money)
    #[param(value_type = Option<i32>, minimum = 1868, maximum = 2200)]
    fiscal_year: Option<domain::FiscalYear>,
    /// With `part`: only what belongs to this program (programs, activities, receipts, timeline)
    #[param(value_type = Option<String>)]
    program: Option<domain::ids::ProgramId>,
    /// With `part`: the page after this one (the previous page's `next_after`)
    #[param(max_length = 64)]
    after: Option<String>,
    /// With `part`: items per page, 1 to 10,000 (1,000 unless given)
    #[param(minimum = 1, maximum = 10000)]
    limit: Option<usize>,
}

/// One page of one part of the state (`domain::state_page::Page`), as the OpenAPI document
/// describes it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // only described, never built: the answer is serialised from `Page`
pub struct StatePage {
    view: View,
    events_seen: u64,
    head_position: u64,
    part: Part,
    /// Programs, partners, activities, receipts, donors, timeline marks or years of money, as
    /// in the whole state
    #[schema(value_type = Vec<Object>)]
    items: Vec<()>,
    /// Where the next page starts (pass it as `after`); null on the last page
    next_after: Option<String>,
}

/// What `/api/state` answers: the whole state, or a page of one part of it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
// Only its schema is used (never built), so its size does not matter.
#[allow(dead_code, clippy::large_enum_variant)]
pub enum StateAnswer {
    Whole(LedgerState),
    Page(StatePage),
}

/// The most items (programs, partners, activities, receipts, donors, marks, years) the whole
/// state is sent with; a larger state is asked for a part at a time.
pub const WHOLE_STATE_MAX_ITEMS: usize = 50_000;

impl StateQuery {
    /// The narrowing asked for, if any; narrowing without `part` is an error.
    fn narrowing(&self) -> Result<Option<Narrowing>, ApiError> {
        if let Some(program) = &self.program {
            program
                .validate()
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
        }
        match self.part {
            Some(part) => Ok(Some(Narrowing {
                part,
                fiscal_year: self.fiscal_year,
                program: self.program.clone(),
                after: self.after.clone(),
                limit: self.limit,
            })),
            None if self.fiscal_year.is_some()
                || self.program.is_some()
                || self.after.is_some()
                || self.limit.is_some() =>
            {
                Err(ApiError::bad_request(
                    "fiscal_year, program, after and limit narrow one part of the state: give part too",
                ))
            }
            None => Ok(None),
        }
    }
}

fn whole_state_items(s: &LedgerState) -> usize {
    s.programs.len()
        + s.partners.len()
        + s.activities.len()
        + s.receipts.len()
        + s.donors.len()
        + s.timeline.len()
        + s.money.len()
}

/// The answer to a state query: the page asked for, or the whole state while it is small.
fn answer(s: &LedgerState, narrowing: Option<&Narrowing>) -> Result<Vec<u8>, ApiError> {
    let json = match narrowing {
        Some(n) => serde_json::to_vec(&page(s, n).map_err(|e| ApiError::bad_request(e.to_string()))?),
        None => {
            let items = whole_state_items(s);
            if items > WHOLE_STATE_MAX_ITEMS {
                return Err(ApiError::bad_request(format!(
                    "the state holds {items} items, more than the {WHOLE_STATE_MAX_ITEMS} sent at once: \
                     ask for one part at a time (part=programs, partners, activities, receipts, donors, \
                     timeline or money), narrowed by fiscal_year or program, and page with after and limit"
                )));
            }
            serde_json::to_vec(s)
        }
    };
    json.map_err(|e| ApiError::Internal(e.to_string()))
}

/// The projected state as of an effective date and as known at a recorded time: the same answer
/// as `spiral state`.
#[utoipa::path(get, path = "/api/state", tag = "projections", params(StateQuery), responses((status = 200, description = "The projected state (as `spiral state`), or one page of one part of it", body = StateAnswer), (status = 400, description = "Bad date, time or narrowing; or a whole state too large to send at once", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn projected_state(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<StateQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(query_rejection)?;
    let _reading = state.limits.ledger_read()?;
    let narrowing = q.narrowing()?;
    let view = View {
        as_of: q.as_of,
        known_at: q.known_at,
    };
    let answer = if view == View::everything() {
        // Now: the live projection, with no fold.
        crate::reports::from_projection(&state.ledger, None, Needs::Everything, move |s| {
            answer(s, narrowing.as_ref())
        })
        .await?
    } else {
        // From the events the server holds in memory, only those the part asked for needs
        // (the fold index); the fold runs off the async workers.
        let needs = Needs::of(narrowing.as_ref());
        let (history, plan) = state.ledger.planned(view, &needs).await?;
        tokio::task::spawn_blocking(move || {
            let folded = match plan {
                Some(plan) => plan.replay(|position| history.get(position)),
                None => LedgerState::replay(history.iter(), view),
            };
            answer(&folded, narrowing.as_ref())
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
    }?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], answer).into_response())
}
