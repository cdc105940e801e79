//! Prometheus metrics (`GET /metrics`, text exposition format), with `prometheus-client`, the
//! Prometheus project's own Rust client: commands by outcome, answers by status, open live
//! streams, how far the live tail trails the ledger, and how long the start-up fold took.
//!
//! Counts only: no names, no amounts, nothing from the ledger's content. It is served on the
//! main address without a session, as scrapers expect, unless `spiral serve --metrics-addr`
//! moves it to an address of its own (e.g. one only the monitoring network reaches).

use super::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: u16,
}

pub struct Metrics {
    registry: Registry,
    commands: Family<OutcomeLabel, Counter>,
    responses: Family<StatusLabel, Counter>,
    stream_clients: Gauge,
    tail_lag: Gauge,
    ledger_head: Gauge,
    fold_seconds: Gauge<f64, AtomicU64>,
}

/// How a command ended, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandOutcome {
    Stored,
    /// A repeated `Idempotency-Key`: the first outcome, nothing stored.
    Replayed,
    /// `expected_version` had moved on (409).
    Conflict,
    /// A domain rule or a bound refused it (422).
    Refused,
    /// Not a command (400, 413, 415).
    BadRequest,
    /// Busy or the database away (503).
    Unavailable,
    /// Anything else (sign-in, role, an internal error).
    Other,
}

impl CommandOutcome {
    fn label(self) -> &'static str {
        match self {
            CommandOutcome::Stored => "stored",
            CommandOutcome::Replayed => "replayed",
            CommandOutcome::Conflict => "conflict",
            CommandOutcome::Refused => "refused",
            CommandOutcome::BadRequest => "bad_request",
            CommandOutcome::Unavailable => "unavailable",
            CommandOutcome::Other => "other",
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("spiral");
        let commands = Family::<OutcomeLabel, Counter>::default();
        registry.register("commands", "Commands submitted, by outcome", commands.clone());
        let responses = Family::<StatusLabel, Counter>::default();
        registry.register(
            "responses",
            "Answers sent, by HTTP status (refusals are the 4xx and 503s)",
            responses.clone(),
        );
        let stream_clients = Gauge::default();
        registry.register("stream_clients", "Live streams open now", stream_clients.clone());
        let tail_lag = Gauge::default();
        registry.register(
            "tail_lag_events",
            "Events committed that the live tail has not yet made available to streams",
            tail_lag.clone(),
        );
        let ledger_head = Gauge::default();
        registry.register(
            "ledger_head_position",
            "The ledger's last committed position, as this server knows it",
            ledger_head.clone(),
        );
        let fold_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "startup_fold_seconds",
            "How long the start-up fold of the ledger into the projection took",
            fold_seconds.clone(),
        );
        Metrics {
            registry,
            commands,
            responses,
            stream_clients,
            tail_lag,
            ledger_head,
            fold_seconds,
        }
    }
}

impl Metrics {
    pub fn command(&self, outcome: CommandOutcome) {
        self.commands
            .get_or_create(&OutcomeLabel {
                outcome: outcome.label(),
            })
            .inc();
    }

    pub fn folded_in(&self, seconds: f64) {
        self.fold_seconds.set(seconds);
    }
}

/// Middleware: counts every answer by status (`/metrics` itself excepted).
pub async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let scrape = request.uri().path() == "/metrics";
    let response = next.run(request).await;
    if !scrape {
        state
            .metrics
            .responses
            .get_or_create(&StatusLabel {
                status: response.status().as_u16(),
            })
            .inc();
    }
    response
}

/// `GET /metrics`: the values read now, in Prometheus's text format.
pub async fn scrape(State(state): State<AppState>) -> Response {
    let metrics = &state.metrics;
    let committed = state.ledger.log().committed();
    let streamed = *state.tail.subscribe().borrow();
    metrics.stream_clients.set(state.limits.streams_open() as i64);
    metrics.tail_lag.set(committed.saturating_sub(streamed) as i64);
    metrics.ledger_head.set(committed as i64);
    let mut text = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &metrics.registry) {
        return super::error::ApiError::Internal(e.to_string()).into_response();
    }
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
