//! `GET /api/events/stream`: the ledger as server-sent events. Each event is sent once, in
//! order, with `id:` = its position; a client reconnecting with `Last-Event-ID` (or `?after=N`)
//! gets exactly what it missed, then live events. Keep-alive comments hold idle connections.
//!
//! A stream lives no longer than its session: it checks the session whenever this process ends
//! sessions (sign-out, disabling, a password reset) and every [`SESSION_CHECK`] otherwise (for
//! expiry, and for sessions ended by another process such as `spiral user disable`), and closes
//! when the session is gone.

use super::api::READERS;
use super::auth::CurrentUser;
use super::error::ApiError;
use super::AppState;
use crate::tail::TailEvent;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Events sent per read; a client far behind catches up in batches of this size.
const BATCH: usize = 256;

/// How often an open stream re-checks its session when nothing else prompts it.
pub const SESSION_CHECK: Duration = Duration::from_secs(5);

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// Start after this position (a `Last-Event-ID` header takes precedence)
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    after: Option<u64>,
}

/// Where a stream starts: after `Last-Event-ID` (a reconnecting browser), else after `?after=`,
/// else from the start.
pub(crate) fn resume_after(headers: &HeaderMap, q: StreamQuery) -> Result<u64, ApiError> {
    let after = q.after.map(|a| super::api::position("after", a)).transpose()?;
    Ok(headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or(after)
        .unwrap_or(0)
        .min(super::api::MAX_POSITION))
}

/// What a stream carries between the events it sends.
struct Follow {
    last: u64,
    head: watch::Receiver<u64>,
    pending: std::vec::IntoIter<Arc<TailEvent>>,
    sessions: watch::Receiver<u64>,
    token: String,
    checked: std::time::Instant,
    state: AppState,
    _slot: super::limits::StreamSlot,
}

impl Follow {
    /// Whether the session is still current (a database error counts as "still": the stream
    /// is not the place to sign people out for a hiccup, and the next check will tell).
    async fn session_ends(&self) -> bool {
        matches!(
            self.state.people.session_still_current(&self.token).await,
            Ok(false)
        )
    }
}

/// One server-sent event of the stream (keep-alive comments carry none of the fields).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct LedgerEventMessage {
    /// The event's position in the ledger
    id: Option<String>,
    /// Always `ledger`
    event: Option<String>,
    /// The event in interchange form: one JSON line (docs/interchange.md)
    data: Option<String>,
}

#[utoipa::path(get, path = "/api/events/stream", tag = "log", params(StreamQuery),
    responses(
        (status = 200, description = "Server-sent events `ledger`: `id` is the position, `data` the event in interchange form", content_type = "text/event-stream", body = LedgerEventMessage),
        (status = 400, description = "Bad parameters", body = super::api::ErrorBody),
        (status = 401, description = "Not signed in", body = super::api::ErrorBody),
        (status = 403, description = "Role may not read", body = super::api::ErrorBody),
        (status = 429, description = "This session has too many streams open", body = super::api::ErrorBody),
        (status = 503, description = "Too many streams open in all", body = super::api::ErrorBody),
    ))]
pub async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    query: Result<Query<StreamQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let Query(q) = query.map_err(super::api::query_rejection)?;
    let token = state
        .cookies
        .session_token(&headers)
        .ok_or(ApiError::Unauthorized)?
        .to_owned();
    let slot = state.limits.stream_slot(&token)?;
    let last_seen = resume_after(&headers, q)?;
    let follow = Follow {
        last: last_seen,
        head: state.tail.subscribe(),
        pending: Vec::new().into_iter(),
        sessions: state.watch_sessions(),
        token,
        checked: std::time::Instant::now(),
        state,
        _slot: slot,
    };
    let events = stream::unfold(follow, |mut f| async move {
        loop {
            if let Some(event) = f.pending.next() {
                f.last = event.position;
                let sse = Event::default()
                    .id(event.position.to_string())
                    .event("ledger")
                    .data(event.line.clone());
                return Some((Ok::<_, Infallible>(sse), f));
            }
            // Between batches, busy or idle: is the session still there?
            if f.sessions.has_changed().unwrap_or(true) || f.checked.elapsed() >= SESSION_CHECK {
                f.sessions.borrow_and_update();
                f.checked = std::time::Instant::now();
                if f.session_ends().await {
                    return None;
                }
            }
            match f.state.tail.after(f.last, BATCH).await {
                Ok(batch) if !batch.is_empty() => f.pending = batch.into_iter(),
                Ok(_) => {
                    // Nothing new: wait for the tail to move, for sessions to change, or for
                    // the next periodic session check.
                    f.head.borrow_and_update();
                    if *f.head.borrow() > f.last {
                        continue;
                    }
                    tokio::select! {
                        changed = f.head.changed() => if changed.is_err() { return None },
                        changed = f.sessions.changed() => if changed.is_err() { return None },
                        _ = tokio::time::sleep(SESSION_CHECK) => {}
                    }
                }
                Err(e) => {
                    // The database is away for a moment: keep the client, try again shortly.
                    tracing::warn!("stream client could not read the ledger: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}
