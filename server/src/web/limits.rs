//! What one client, or all of them together, can make the server spend.
//!
//! - connections: at most [`Bounds::max_connections`] open at once; more are closed at accept;
//! - slow clients (slowloris): a request head must arrive within [`Bounds::header_timeout`];
//! - requests in flight: at most [`Bounds::max_in_flight`], time per request
//!   [`Bounds::request_timeout`] (to the response head; a stream's body may run on);
//! - open live streams: [`Bounds::max_streams`] in all, [`Bounds::max_streams_per_session`] each;
//! - answers that read the whole ledger (`/api/state`, reports, verification, checkpoints,
//!   proofs, rows): [`Bounds::max_ledger_reads`] at once.
//!
//! Over a bound the answer is 503 (or 429 for one session's streams) with a message in Japanese
//! and English, and nothing else is held up.

use super::error::ApiError;
use super::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The bounds an operator sets (`spiral serve --max-connections`, `--max-in-flight`,
/// `--request-timeout`, `--max-streams`, `--max-ledger-reads`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub max_in_flight: usize,
    pub request_timeout: Duration,
    pub max_streams: usize,
    pub max_streams_per_session: usize,
    pub max_ledger_reads: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            max_in_flight: 256,
            request_timeout: Duration::from_secs(30),
            max_streams: 512,
            max_streams_per_session: 8,
            max_ledger_reads: 2,
        }
    }
}

/// The bounds, and what is held against them now.
#[derive(Debug)]
pub struct Limits {
    pub bounds: Bounds,
    in_flight: Arc<Semaphore>,
    ledger_reads: Arc<Semaphore>,
    streams: Mutex<StreamCount>,
}

#[derive(Debug, Default)]
struct StreamCount {
    total: usize,
    by_session: HashMap<String, usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(Bounds::default())
    }
}

impl Limits {
    pub fn new(bounds: Bounds) -> Self {
        Limits {
            bounds,
            in_flight: Arc::new(Semaphore::new(bounds.max_in_flight)),
            ledger_reads: Arc::new(Semaphore::new(bounds.max_ledger_reads)),
            streams: Mutex::new(StreamCount::default()),
        }
    }

    /// A slot for an answer that reads the whole ledger, or 503 when all are taken.
    pub fn ledger_read(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.ledger_reads.clone().try_acquire_owned().map_err(|_| {
            ApiError::Unavailable(
                "the server is busy reading the ledger for others; try again in a moment".into(),
            )
        })
    }

    /// A slot for one more live stream of `session`, held until the stream ends.
    pub fn stream_slot(self: &Arc<Self>, session: &str) -> Result<StreamSlot, ApiError> {
        let mut count = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        if count.total >= self.bounds.max_streams {
            return Err(ApiError::Unavailable(
                "too many live streams are open; try again later".into(),
            ));
        }
        let mine = count.by_session.entry(session.to_owned()).or_default();
        if *mine >= self.bounds.max_streams_per_session {
            return Err(ApiError::BadRequest {
                status: axum::http::StatusCode::TOO_MANY_REQUESTS,
                message: format!(
                    "this session already has {} live streams open; close a tab first",
                    self.bounds.max_streams_per_session
                ),
            });
        }
        *mine += 1;
        count.total += 1;
        Ok(StreamSlot {
            limits: self.clone(),
            session: session.to_owned(),
        })
    }

    /// Streams open now.
    pub fn streams_open(&self) -> usize {
        self.streams.lock().unwrap_or_else(PoisonError::into_inner).total
    }
}

/// One open stream's place in the count; given back when dropped.
pub struct StreamSlot {
    limits: Arc<Limits>,
    session: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut count = self.limits.streams.lock().unwrap_or_else(PoisonError::into_inner);
        count.total = count.total.saturating_sub(1);
        if let Some(n) = count.by_session.get_mut(&self.session) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                count.by_session.remove(&self.session);
            }
        }
    }
}

/// Middleware: a request needs a slot among those in flight (health checks excepted, so a
/// loaded server still says it is up) and must produce its answer within the time limit.
pub async fn bounded(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = state.limits.clone();
    let _slot = if matches!(request.uri().path(), "/api/health" | "/api/ready") {
        None
    } else {
        match limits.in_flight.clone().try_acquire_owned() {
            Ok(slot) => Some(slot),
            Err(_) => {
                return ApiError::Unavailable(
                    "the server is answering too many requests at once; try again in a moment".into(),
                )
                .into_response()
            }
        }
    };
    match tokio::time::timeout(limits.bounds.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Unavailable(format!(
            "the answer took longer than {} seconds; try a narrower request or again later",
            limits.bounds.request_timeout.as_secs()
        ))
        .into_response(),
    }
}

/// Accepts connections until `shutdown` resolves: at most `max_connections` at once (more are
/// closed at once), each with a deadline for its request heads. Then lets open connections
/// finish for a few seconds.
pub async fn accept(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: &Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.bounds.max_connections));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (socket, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            tracing::warn!(
                "refused a connection from {peer}: {} open already",
                limits.bounds.max_connections
            );
            drop(socket);
            continue;
        };
        let _ = socket.set_nodelay(true);
        let router = router.clone();
        let mut stopped = stopped.clone();
        stopped.mark_unchanged();
        let header_timeout = limits.bounds.header_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            let service =
                hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let mut request = request.map(axum::body::Body::new);
                    request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                    tower::ServiceExt::oneshot(router.clone(), request)
                });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_buf_size(64 * 1024);
            let connection = builder.serve_connection(TokioIo::new(socket), service);
            let mut connection = std::pin::pin!(connection);
            let stop = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!("connection from {peer} ended: {e}");
                    }
                }
                _ = stop => {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_secs(5), connection).await;
                }
            }
        });
    }
    let _ = stop.send(true);
    // Give open connections a moment to finish (live streams end on their own at shutdown).
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        connections.acquire_many(limits.bounds.max_connections as u32),
    )
    .await;
    Ok(())
}
