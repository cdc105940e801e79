//! Managing who may sign in: administrators only.

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::{json_rejection, ErrorBody};
use crate::people::Role;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub(crate) name: String,
    role: Role,
    password: String,
}

#[utoipa::path(get, path = "/api/users", tag = "people", responses((status = 200, description = "Users with their roles", body = Vec<crate::people::User>), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn users(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    Ok(Json(state.people.list().await?).into_response())
}

#[utoipa::path(post, path = "/api/users", tag = "people", request_body = NewUser, responses((status = 201, description = "Created", body = crate::people::User), (status = 409, description = "Name taken", body = ErrorBody), (status = 422, description = "Bad name or weak password", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn add_user(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    let Json(new) = body.map_err(json_rejection)?;
    let created = state.people.add(&new.name, new.role, &new.password).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(post, path = "/api/users/{name}/disable", tag = "people", params(("name" = String, Path, description = "User name")), responses((status = 200, description = "Disabled; their sessions ended", body = Object), (status = 404, description = "No such user", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Role may not read", body = ErrorBody)))]
pub async fn disable_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    state.people.disable(&name).await?;
    state.sessions_changed();
    Ok(Json(serde_json::json!({ "disabled": name })).into_response())
}

#[utoipa::path(post, path = "/api/users/{name}/enable", tag = "people", params(("name" = String, Path, description = "User name")), responses((status = 200, description = "Enabled: they may sign in again with their password", body = Object), (status = 404, description = "No such user", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not an administrator, or a cross-site request", body = ErrorBody)))]
pub async fn enable_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    state.people.enable(&name).await?;
    Ok(Json(serde_json::json!({ "enabled": name })).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The new password (at least 10 characters), to hand to the person
    password: String,
}

/// An administrator sets a new password for someone (who forgot theirs); all their sessions end.
#[utoipa::path(post, path = "/api/users/{name}/password", tag = "people", params(("name" = String, Path, description = "User name")), request_body = PasswordReset,
    responses((status = 200, description = "Reset; their sessions ended", body = Object), (status = 400, description = "Not a password reset", body = ErrorBody), (status = 404, description = "No such user", body = ErrorBody), (status = 415, description = "Not JSON", body = ErrorBody), (status = 422, description = "Too short or too long", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not an administrator, or a cross-site request", body = ErrorBody), (status = 503, description = "Busy", body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    body: Result<Json<PasswordReset>, JsonRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    let Json(reset) = body.map_err(json_rejection)?;
    state.people.set_password(&name, &reset.password).await?;
    state.sessions_changed();
    Ok(Json(serde_json::json!({ "reset": name })).into_response())
}
