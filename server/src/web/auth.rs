//! Signing in and out, who is asking, and what their role allows.
//!
//! Sessions live in an HttpOnly, SameSite=Strict cookie whose token is looked up (by hash) in the
//! database, so they survive a restart and end when the user is disabled. Who did what is always
//! taken from the session, never from a request body.

use super::error::ApiError;
use super::AppState;
use crate::people::{PeopleError, Role, User};
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

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE).map(str::to_owned)
}

/// The user whose session cookie came with the request, if any.
pub async fn user_of(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, PeopleError> {
    match session_token(headers) {
        Some(token) => state.people.session_user(&token).await,
        None => Ok(None),
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        user_of(state, &parts.headers)
            .await?
            .map(CurrentUser)
            .ok_or(ApiError::Unauthorized)
    }
}

/// The outcome of a sign-in attempt.
pub enum SignedIn {
    Yes {
        user: User,
        token: String,
    },
    /// The name or the password is wrong (which of them is not said).
    WrongPassword,
    /// Too many failures for this name lately.
    Blocked,
}

/// Checks a name and password (rate-limited per name) and starts a session.
pub async fn sign_in(state: &AppState, name: &str, password: &str) -> Result<SignedIn, PeopleError> {
    if state.limiter.blocked(name) {
        return Ok(SignedIn::Blocked);
    }
    let Some(user) = state.people.authenticate(name, password).await? else {
        state.limiter.record_failure(name);
        return Ok(SignedIn::WrongPassword);
    };
    state.limiter.clear(name);
    let token = state.people.start_session(&user).await?;
    Ok(SignedIn::Yes { user, token })
}

/// Ends the request's session, if it has one.
pub async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<(), PeopleError> {
    if let Some(token) = session_token(headers) {
        state.people.end_session(&token).await?;
    }
    Ok(())
}

/// The session cookie for a new session.
pub fn session_cookie(token: &str) -> HeaderValue {
    cookie(token, crate::people::SESSION_HOURS * 3600)
}

/// A cookie that removes the session cookie.
pub fn cleared_cookie() -> HeaderValue {
    cookie("", 0)
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
    let (user, token) = match sign_in(&state, &login.name, &login.password).await? {
        SignedIn::Yes { user, token } => (user, token),
        SignedIn::Blocked => return Err(ApiError::TooManyAttempts),
        SignedIn::WrongPassword => {
            return Err(ApiError::BadRequest {
                status: axum::http::StatusCode::UNAUTHORIZED,
                message: "the name or the password is wrong".into(),
            })
        }
    };
    let mut response = Json(serde_json::json!({ "name": user.name, "role": user.role })).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&token));
    Ok(response)
}

#[utoipa::path(post, path = "/api/logout", tag = "people", responses((status = 200, description = "Signed out", body = Object)))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    end_session(&state, &headers).await?;
    let mut response = Json(serde_json::json!({ "signed_out": true })).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cleared_cookie());
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
