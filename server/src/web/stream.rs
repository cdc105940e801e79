//! `GET /api/events/stream`: the ledger as server-sent events. Each event is sent once, in
//! order, with `id:` = its position; a client reconnecting with `Last-Event-ID` (or `?after=N`)
//! gets exactly what it missed, then live events. Keep-alive comments hold idle connections.

use super::api::READERS;
use super::auth::CurrentUser;
use super::error::ApiError;
use super::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

/// Events sent per read; a client far behind catches up in batches of this size.
const BATCH: usize = 256;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Start after this position (a `Last-Event-ID` header takes precedence)
    after: Option<u64>,
}

#[utoipa::path(get, path = "/api/events/stream", tag = "log", params(StreamQuery),
    responses(
        (status = 200, description = "Server-sent events `ledger`: `id` is the position, `data` the event in interchange form", content_type = "text/event-stream", body = String),
        (status = 401, description = "Not signed in", body = super::api::ErrorBody),
        (status = 403, description = "Role may not read", body = super::api::ErrorBody),
    ))]
pub async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Result<Response, ApiError> {
    user.require(READERS)?;
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or(q.after)
        .unwrap_or(0);
    let tail = state.tail.clone();
    let head = tail.subscribe();
    let events = stream::unfold(
        (last_seen, head, Vec::new().into_iter()),
        move |(mut last, mut head, mut pending)| {
            let tail = tail.clone();
            async move {
                loop {
                    if let Some(event) = pending.next() {
                        let event: std::sync::Arc<crate::tail::TailEvent> = event;
                        last = event.position;
                        let sse = Event::default()
                            .id(event.position.to_string())
                            .event("ledger")
                            .data(event.line.clone());
                        return Some((Ok::<_, Infallible>(sse), (last, head, pending)));
                    }
                    match tail.after(last, BATCH).await {
                        Ok(batch) if !batch.is_empty() => pending = batch.into_iter(),
                        Ok(_) => {
                            // Nothing new: wait for the tail to move (or the server to stop).
                            head.borrow_and_update();
                            if *head.borrow() <= last && head.changed().await.is_err() {
                                return None;
                            }
                        }
                        Err(e) => {
                            tracing::warn!("stream client could not read the ledger: {e}");
                            return None;
                        }
                    }
                }
            }
        },
    );
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}
