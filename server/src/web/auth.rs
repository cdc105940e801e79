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
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use std::net::IpAddr;
use std::time::Duration;

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

/// The user whose session cookie came with the request, if any.
pub async fn user_of(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, PeopleError> {
    match state.cookies.session_token(headers) {
        Some(token) => state.people.session_user(token).await,
        None => Ok(None),
    }
}

/// Who is asking, as far as the network says: the peer's address, or behind a trusted proxy
/// the address it reports (the last `X-Forwarded-For` entry, which the proxy itself added).
pub fn client_address(state: &AppState, parts_headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
    forwarded_address(parts_headers, peer, state.behind_proxy)
}

/// [`client_address`] with the trust in a proxy given.
pub(crate) fn forwarded_address(
    parts_headers: &HeaderMap,
    peer: Option<IpAddr>,
    behind_proxy: bool,
) -> Option<IpAddr> {
    if behind_proxy {
        let forwarded = parts_headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    peer
}

/// The peer address the connection came from (set by the server's accept loop).
pub fn peer_of(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
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
        /// A new trusted-device token for the browser, when it had none for this person.
        device: Option<String>,
    },
    /// The name or the password is wrong (which of them is not said).
    WrongPassword,
    /// Too many failures for this name or from this address lately: wait this long.
    Wait(Duration),
}

/// The request facts a sign-in needs besides the name and password.
pub struct Asker<'a> {
    pub headers: &'a HeaderMap,
    pub address: Option<IpAddr>,
}

/// Checks a name and password (limited per name and per address, see `limiter`) and starts a
/// session.
pub async fn sign_in(
    state: &AppState,
    name: &str,
    password: &str,
    asker: Asker<'_>,
) -> Result<SignedIn, PeopleError> {
    // A name no one can have is refused before any lookup, hashing or counting.
    if !crate::people::valid_name(name) || password.len() > crate::passwords::MAX_PASSWORD_BYTES {
        return Ok(SignedIn::WrongPassword);
    }
    let device = state.cookies.device_token(asker.headers);
    let trusted = match device {
        Some(token) => state.people.device_trusted(token, name).await?,
        None => false,
    };
    // What the other servers on this database counted for the name, first.
    if let Some((failures, last)) = state.people.shared_failures(name).await? {
        let ago = (chrono::Utc::now() - last).to_std().unwrap_or_default();
        state.limiter.absorb(name, failures, ago);
    }
    let ticket = match state.limiter.begin(name, asker.address, trusted) {
        Ok(ticket) => ticket,
        Err(wait) => return Ok(SignedIn::Wait(wait)),
    };
    let user = state.people.authenticate(name, password).await?;
    ticket.finish(user.is_some());
    match &user {
        Some(_) => state.people.forget_failures(name).await?,
        None => state.people.count_failure(name).await?,
    }
    let Some(user) = user else {
        return Ok(SignedIn::WrongPassword);
    };
    let token = state.people.start_session(&user).await?;
    let device = if trusted {
        None
    } else {
        Some(state.people.trust_device(&user).await?)
    };
    Ok(SignedIn::Yes { user, token, device })
}

/// Ends the request's session, if it has one, and tells open streams to check theirs.
pub async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<(), PeopleError> {
    if let Some(token) = state.cookies.session_token(headers) {
        state.people.end_session(token).await?;
    }
    state.sessions_changed();
    Ok(())
}

/// The cookies a successful sign-in sets.
pub fn signed_in_cookies(state: &AppState, response: &mut Response, token: &str, device: Option<&str>) {
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, state.cookies.session(token));
    if let Some(device) = device {
        headers.append(header::SET_COOKIE, state.cookies.device(device));
    }
}

/// 429 with `Retry-After`, in whole seconds (at least one).
pub fn wait_response(wait: Duration) -> ApiError {
    ApiError::TooManyAttempts {
        retry_after: wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Login {
    pub(crate) name: String,
    password: String,
}

#[utoipa::path(post, path = "/api/login", tag = "people", request_body = Login,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = Object),
        (status = 401, description = "The name or the password is wrong (which is not said)", body = super::api::ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this name or from this address: wait `Retry-After` seconds", body = super::api::ErrorBody),
        (status = 503, description = "Too many password checks at once: try again in a moment", body = super::api::ErrorBody),
    ))]
pub async fn login(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    use axum::extract::FromRequest;
    let (parts, body) = request.into_parts();
    let address = client_address(&state, &parts.headers, peer_of(&parts.extensions));
    let request = Request::from_parts(parts.clone(), body);
    let Json(login) = Json::<Login>::from_request(request, &())
        .await
        .map_err(super::api::json_rejection)?;
    let asker = Asker {
        headers: &parts.headers,
        address,
    };
    let (user, token, device) = match sign_in(&state, &login.name, &login.password, asker).await? {
        SignedIn::Yes { user, token, device } => (user, token, device),
        SignedIn::Wait(wait) => return Err(wait_response(wait)),
        SignedIn::WrongPassword => {
            return Err(ApiError::BadRequest {
                status: axum::http::StatusCode::UNAUTHORIZED,
                message: "the name or the password is wrong".into(),
            })
        }
    };
    let mut response = Json(serde_json::json!({ "name": user.name, "role": user.role })).into_response();
    signed_in_cookies(&state, &mut response, &token, device.as_deref());
    Ok(response)
}

#[utoipa::path(post, path = "/api/logout", tag = "people", responses((status = 200, description = "Signed out", body = Object)))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    end_session(&state, &headers).await?;
    let mut response = Json(serde_json::json!({ "signed_out": true })).into_response();
    signed_out_headers(&state, &mut response);
    Ok(response)
}

/// Clears the session cookie and this site's HTTP cache, which holds the log's chunks the
/// person read (`api::chunks`). (The page removes the person's form drafts itself as the
/// sign-out form is sent; the auditor's pinned key stays, being this browser's trust anchor, so
/// storage is not cleared.)
pub fn signed_out_headers(state: &AppState, response: &mut Response) {
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, state.cookies.cleared_session());
    headers.insert(
        header::HeaderName::from_static("clear-site-data"),
        header::HeaderValue::from_static("\"cache\""),
    );
}

#[utoipa::path(get, path = "/api/me", tag = "people", responses((status = 200, description = "Who is signed in", body = crate::people::User), (status = 401, description = "Not signed in", body = super::api::ErrorBody)))]
pub async fn me(user: CurrentUser) -> Json<User> {
    Json(user.0)
}

/// Cross-site request forgery guard for state-changing requests: besides the SameSite=Strict
/// cookie, a request that says where it comes from (`Origin`, which browsers send on every
/// cross-origin POST) must come from this server's own host.
pub async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok());
        if let Some(origin) = origin {
            let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
            if !origin_allowed(origin, state.reach.origin(), host) {
                return ApiError::CrossSite.into_response();
            }
        }
    }
    next.run(request).await
}

/// With a public URL, exactly its origin may change state; otherwise the host the request was
/// sent to.
pub(crate) fn origin_allowed(origin: &str, public: Option<&str>, host: Option<&str>) -> bool {
    match public {
        Some(public) => origin == public,
        None => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
            Some(origin_host) == host
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// The password in use now
    current: String,
    /// At least 10 characters
    new: String,
}

/// Changes the signed-in person's own password; their other sessions end.
#[utoipa::path(post, path = "/api/me/password", tag = "people", request_body = NewPassword,
    responses(
        (status = 200, description = "Changed; other sessions ended", body = Object),
        (status = 400, description = "Not a password change", body = super::api::ErrorBody),
        (status = 401, description = "Not signed in", body = super::api::ErrorBody),
        (status = 403, description = "The current password is wrong, or a cross-site request", body = super::api::ErrorBody),
        (status = 415, description = "Not JSON", body = super::api::ErrorBody),
        (status = 422, description = "The new password is too short or too long", body = super::api::ErrorBody),
        (status = 503, description = "Busy", body = super::api::ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    body: Result<Json<NewPassword>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(change) = body.map_err(super::api::json_rejection)?;
    let keep = state.cookies.session_token(&headers).unwrap_or_default();
    state
        .people
        .change_password(&user.0.name, &change.current, &change.new, keep)
        .await?;
    state.sessions_changed();
    Ok(Json(serde_json::json!({ "changed": true })).into_response())
}
