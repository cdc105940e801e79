//! Signing in and out, who is asking, and what their role allows.
//!
//! Sessions live in an HttpOnly, SameSite=Strict cookie whose token is looked up (by hash) in the
//! database, so they survive a restart and end when the user is disabled. Who did what is always
//! taken from the session, never from a request body.

use super::error::ApiError;
use super::AppState;
use crate::people::{Role, User};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const COOKIE: &str = "spiral_session";

/// Failed sign-ins allowed per name within a window before further attempts are refused.
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Counts failed sign-ins per user name (existing or not, so the limit reveals nothing).
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    fn blocked(&self, name: &str) -> bool {
        let failures = self.failures.lock().expect("limiter lock poisoned");
        matches!(failures.get(name), Some((n, since)) if *n >= MAX_FAILURES && since.elapsed() < FAILURE_WINDOW)
    }

    fn record_failure(&self, name: &str) {
        let mut failures = self.failures.lock().expect("limiter lock poisoned");
        let entry = failures.entry(name.to_owned()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= FAILURE_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    fn clear(&self, name: &str) {
        self.failures.lock().expect("limiter lock poisoned").remove(name);
    }
}

/// The signed-in user making the request; rejects with 401 when there is none.
pub struct CurrentUser(pub User);

impl CurrentUser {
    /// 403 unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<&User, ApiError> {
        if roles.contains(&self.0.role) {
            Ok(&self.0)
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(&parts.headers).ok_or(ApiError::Unauthorized)?;
        state
            .people
            .session_user(&token)
            .await?
            .map(CurrentUser)
            .ok_or(ApiError::Unauthorized)
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Login {
    name: String,
    password: String,
}

fn cookie(value: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}"
    ))
    .expect("cookie is ASCII")
}

#[utoipa::path(post, path = "/api/login", tag = "people", request_body = Login,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = Object),
        (status = 401, description = "The name or the password is wrong (which is not said)", body = super::api::ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this name", body = super::api::ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    body: Result<Json<Login>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(login) = body.map_err(super::api::json_rejection)?;
    if state.limiter.blocked(&login.name) {
        return Err(ApiError::TooManyAttempts);
    }
    let Some(user) = state.people.authenticate(&login.name, &login.password).await? else {
        state.limiter.record_failure(&login.name);
        return Err(ApiError::BadRequest {
            status: axum::http::StatusCode::UNAUTHORIZED,
            message: "the name or the password is wrong".into(),
        });
    };
    state.limiter.clear(&login.name);
    let token = state.people.start_session(&user).await?;
    let mut response = Json(serde_json::json!({ "name": user.name, "role": user.role })).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(&token, crate::people::SESSION_HOURS * 3600),
    );
    Ok(response)
}

#[utoipa::path(post, path = "/api/logout", tag = "people", responses((status = 200, description = "Signed out", body = Object)))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&headers) {
        state.people.end_session(&token).await?;
    }
    let mut response = Json(serde_json::json!({ "signed_out": true })).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie("", 0));
    Ok(response)
}

#[utoipa::path(get, path = "/api/me", tag = "people", responses((status = 200, description = "Who is signed in", body = crate::people::User), (status = 401, description = "Not signed in", body = super::api::ErrorBody)))]
pub async fn me(user: CurrentUser) -> Json<User> {
    Json(user.0)
}

/// Cross-site request forgery guard for state-changing requests: besides the SameSite=Strict
/// cookie, a request that says where it comes from (`Origin`, which browsers send on every
/// cross-origin POST) must come from this server's own host.
pub async fn same_origin(request: Request, next: Next) -> Response {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state {
        let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok());
        if let Some(origin) = origin {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
            if Some(origin_host) != host {
                return ApiError::CrossSite.into_response();
            }
        }
    }
    next.run(request).await
}
