//! The browser app's pages: rendered here from the server's fold of the ledger, then hydrated by
//! the WASM bundle served under `/pkg`. Also the sign-in form, signing out and the language
//! switch, which work without JavaScript.

use super::auth;
use super::cookies;
use super::AppState;
use crate::people::{Role, User};
use app::boot::{Amend, AmendAction, Boot, Page};
use app::document;
use app::i18n::Lang;
use app::SignInProblem;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::LedgerState;
use serde::Deserialize;

/// The language chosen with the switch; Japanese unless English was chosen.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookies::value(headers, cookies::LANG)
        .and_then(Lang::parse)
        .unwrap_or_default()
}

/// Only a path on this server may be returned to: it starts with one `/` and holds no
/// backslash, whitespace or control character (browsers drop tabs and newlines from a
/// `Location`, so `/\t/evil.example` would become `//evil.example`, another site).
pub(crate) fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && p.len() <= 2048
                && !p
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            p
        }
        _ => "/",
    }
}

pub(super) fn to_login(path: &str) -> Response {
    let next = app::boot::encode_segment(path);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

fn role(user: &User) -> app::boot::Role {
    match user.role {
        Role::Staff => app::boot::Role::Staff,
        Role::Auditor => app::boot::Role::Auditor,
        Role::Reporter => app::boot::Role::Reporter,
        Role::Admin => app::boot::Role::Admin,
    }
}

/// Renders an app page for the signed-in user, or sends them to sign in first.
async fn render(state: &AppState, headers: &HeaderMap, page: Page) -> Response {
    let user = match auth::user_of(state, headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return to_login(&page.path()),
        Err(e) => {
            tracing::error!("session lookup failed: {e}");
            return unavailable();
        }
    };
    let role = role(&user);
    let (ledger, events) = if role.reads() {
        if let Err(e) = state.ledger.catch_up().await {
            tracing::error!("catch-up failed: {e}");
            return unavailable();
        }
        let ledger = state.ledger.read_state(LedgerState::clone);
        match subject_events(state, &page, role, ledger.head_position).await {
            Ok(events) => (ledger, events),
            Err(e) => {
                tracing::error!("could not read a history: {e}");
                return unavailable();
            }
        }
    } else {
        // An administrator manages people and is shown nothing of the ledger.
        (LedgerState::default(), Vec::new())
    };
    let boot = Boot {
        page,
        lang: lang_of(headers),
        user: user.name,
        role,
        today: domain::Date::clamped(chrono::Local::now().date_naive()),
        position: ledger.head_position,
    };
    Html(document::app_page(boot, ledger, events)).into_response()
}

/// The events a page lists line by line: a program's or partner's history, up to the position
/// the page is rendered at (the browser replays exactly that far before hydrating).
async fn subject_events(
    state: &AppState,
    page: &Page,
    role: app::boot::Role,
    head: u64,
) -> Result<Vec<domain::Recorded>, crate::store::StoreError> {
    let stream = match page {
        Page::Program(id) => format!("program:{id}"),
        Page::Partner(id) => format!("partner:{id}"),
        Page::Record(Some(amend)) => amend.stream.clone(),
        // Only an auditor's audit page carries the whole log.
        Page::Audit if role != app::boot::Role::Auditor => return Ok(Vec::new()),
        Page::Audit => {
            return Ok(state.ledger.history().await?.to_vec_until(head));
        }
        _ => return Ok(Vec::new()),
    };
    let rows = state.ledger.log().stream_rows(&stream, 0).await?;
    let mut events = rows
        .iter()
        .map(crate::ledger::decode)
        .collect::<Result<Vec<_>, _>>()?;
    events.retain(|e| e.position <= head);
    Ok(events)
}

fn unavailable() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, Html(document::error_page())).into_response()
}

pub async fn spiral(State(state): State<AppState>, headers: HeaderMap) -> Response {
    render(&state, &headers, Page::Spiral).await
}

pub async fn programs(State(state): State<AppState>, headers: HeaderMap) -> Response {
    render(&state, &headers, Page::Programs).await
}

pub async fn program(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    render(&state, &headers, Page::Program(id)).await
}

pub async fn audit(State(state): State<AppState>, headers: HeaderMap) -> Response {
    render(&state, &headers, Page::Audit).await
}

pub async fn reports(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let range = app::boot::ReportRange::from_query(query.as_deref().unwrap_or(""));
    render(&state, &headers, Page::Reports(range)).await
}

pub async fn partners(State(state): State<AppState>, headers: HeaderMap) -> Response {
    render(&state, &headers, Page::Partners).await
}

pub async fn partner(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    render(&state, &headers, Page::Partner(id)).await
}

#[derive(Deserialize)]
pub struct RecordQuery {
    action: Option<String>,
    stream: Option<String>,
    target: Option<u64>,
}

/// The record forms (`/record`), or correcting or retracting one event
/// (`/record?action=correct&stream=program:ID&target=N`).
pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RecordQuery>,
) -> Response {
    match q.amend() {
        Ok(amend) => render(&state, &headers, Page::Record(amend)).await,
        Err(()) => (StatusCode::BAD_REQUEST, Html(document::error_page())).into_response(),
    }
}

impl RecordQuery {
    /// No amendment (the blank forms), or all three of action, stream and target naming one.
    pub(crate) fn amend(self) -> Result<Option<Amend>, ()> {
        match (self.action, self.stream, self.target) {
            (None, None, None) => Ok(None),
            (Some(action), Some(stream), Some(target)) => match AmendAction::parse(&action) {
                Some(action) if domain::events::SubjectRef::from_stream(&stream).is_some() => {
                    Ok(Some(Amend {
                        action,
                        stream,
                        target,
                    }))
                }
                _ => Err(()),
            },
            _ => Err(()),
        }
    }
}

#[derive(Deserialize)]
pub struct Next {
    pub(crate) next: Option<String>,
}

pub async fn sign_in_form(headers: HeaderMap, Query(q): Query<Next>) -> Response {
    let next = local_path(q.next.as_deref()).to_owned();
    Html(document::sign_in_page(lang_of(&headers), None, next)).into_response()
}

#[derive(Deserialize)]
pub struct SignIn {
    pub(crate) name: String,
    password: String,
    pub(crate) next: Option<String>,
}

/// The sign-in form's POST: on success the session cookie and a redirect to where the user was
/// going; on failure the form again with the reason (the same whether or not the name exists).
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Form(form): Form<SignIn>,
) -> Response {
    let lang = lang_of(&headers);
    let next = local_path(form.next.as_deref()).to_owned();
    let refused = |status, problem| {
        (
            status,
            Html(document::sign_in_page(lang, Some(problem), next.clone())),
        )
    };
    let asker = auth::Asker {
        headers: &headers,
        address: auth::client_address(&state, &headers, auth::peer_of(&extensions)),
    };
    match auth::sign_in(&state, &form.name, &form.password, asker).await {
        Ok(auth::SignedIn::Yes { token, device, .. }) => {
            let mut response = Redirect::to(&next).into_response();
            auth::signed_in_cookies(&state, &mut response, &token, device.as_deref());
            response
        }
        Ok(auth::SignedIn::WrongPassword) => {
            refused(StatusCode::UNAUTHORIZED, SignInProblem::WrongPassword).into_response()
        }
        Ok(auth::SignedIn::Wait(wait)) => {
            let seconds = wait.as_secs().max(1);
            let mut response =
                refused(StatusCode::TOO_MANY_REQUESTS, SignInProblem::Wait(seconds)).into_response();
            response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
            response
        }
        Err(crate::people::PeopleError::Busy(_)) => {
            refused(StatusCode::SERVICE_UNAVAILABLE, SignInProblem::Busy).into_response()
        }
        Err(e) => {
            tracing::error!("sign-in failed: {e}");
            unavailable()
        }
    }
}

pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(e) = auth::end_session(&state, &headers).await {
        tracing::error!("sign-out failed: {e}");
    }
    let mut response = Redirect::to("/login").into_response();
    auth::signed_out_headers(&state, &mut response);
    response
}

/// The language switch: remembers the choice and returns to the page.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<Next>,
) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        return (StatusCode::NOT_FOUND, Html(document::error_page())).into_response();
    };
    let mut response = Redirect::to(local_path(q.next.as_deref())).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, state.cookies.lang(lang.code()));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/programs/p1")), "/programs/p1");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("/\t/evil.example")), "/");
        assert_eq!(local_path(Some("/\n/evil.example")), "/");
        assert_eq!(local_path(Some("/ /evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }
}
