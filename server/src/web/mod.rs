//! The web server: the server-rendered home page, the JSON API under `/api` (sessions and
//! roles, commands, projections, the log as JSON or postcard, verification, people) and the live
//! event stream.

pub mod api;
pub mod auth;
pub mod error;
pub mod openapi;
pub mod pages;
pub mod stream;

use crate::ledger::Ledger;
use crate::people::People;
use crate::tail::Tail;
use auth::LoginLimiter;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower::Layer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body accepted; a command is a few kilobytes at most.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub ledger: Arc<Ledger>,
    /// Signs checkpoints.
    pub key: Arc<ed25519_dalek::SigningKey>,
    pub people: People,
    pub tail: Arc<Tail>,
    pub limiter: Arc<LoginLimiter>,
}

impl AppState {
    /// Must be called inside a tokio runtime: starts the live tail.
    pub fn new(ledger: Arc<Ledger>, key: ed25519_dalek::SigningKey) -> Self {
        let people = People::new(ledger.log().pool().clone());
        let tail = Tail::spawn(ledger.log().clone());
        AppState {
            ledger,
            key: Arc::new(key),
            people,
            tail,
            limiter: Arc::default(),
        }
    }
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi::document))
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/commands", post(api::submit))
        .route("/programs", get(api::programs))
        .route("/partners", get(api::partners))
        .route("/timeline", get(api::timeline))
        .route("/state", get(api::projected_state))
        .route("/history/{stream}", get(api::history))
        .route("/events", get(api::log))
        .route("/rows", get(api::rows))
        .route("/events/stream", get(stream::events))
        .route("/verify", get(api::verify))
        .route("/checkpoint", get(api::checkpoint))
        .route("/checkpoints", get(api::checkpoints))
        .route("/proofs/event/{position}", get(api::prove_event))
        .route("/proofs/consistency", get(api::prove_consistency))
        .route("/reports/funding", get(api::funding_report))
        .route("/reports/pst", get(api::pst_report))
        .route("/users", get(api::users).post(api::add_user))
        .route("/users/{name}/disable", post(api::disable_user))
        .fallback(|| async { error::ApiError::NotFound("endpoint".into()) });
    Router::new()
        .route("/", get(pages::spiral))
        .route("/programs", get(pages::programs))
        .route("/programs/{id}", get(pages::program))
        .route("/partners", get(pages::partners))
        .route("/partners/{id}", get(pages::partner))
        .route("/record", get(pages::record))
        .route("/reports", get(pages::reports))
        .route("/audit", get(pages::audit))
        .route("/login", get(pages::sign_in_form).post(pages::sign_in))
        .route("/logout", post(pages::sign_out))
        .route("/lang/{code}", get(pages::switch_language))
        .nest_service("/pkg", bundle())
        .nest("/api", api)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(auth::same_origin))
        .with_state(state)
}

/// Where the browser bundle (`frontend.js`, `frontend_bg.wasm`) is: `SPIRAL_SITE/pkg` if set,
/// else `site/pkg` beside the directory holding this binary (`target/site/pkg` for
/// `target/release/spiral`), which is where `scripts/build-frontend.sh` writes it.
pub fn bundle_dir() -> PathBuf {
    if let Some(site) = std::env::var_os("SPIRAL_SITE") {
        return PathBuf::from(site).join("pkg");
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("site").join("pkg")))
        .unwrap_or_else(|| PathBuf::from("target/site/pkg"))
}

/// Serves the bundle, gzipped where a `.gz` twin exists; `no-cache` makes browsers revalidate so
/// a new server never hydrates with an old bundle.
fn bundle() -> tower_http::set_header::SetResponseHeader<ServeDir, HeaderValue> {
    let dir = bundle_dir();
    if !dir.join("frontend_bg.wasm").exists() {
        tracing::warn!(
            "the browser bundle is not at {}: pages render but will not come alive (run scripts/build-frontend.sh)",
            dir.display()
        );
    }
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))
        .layer(ServeDir::new(dir).precompressed_gzip())
}

#[utoipa::path(get, path = "/api/health", tag = "service", responses((status = 200, description = "Up, with the ledger's size", body = Object), (status = 503, description = "The database does not answer", body = Object)))]
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.ledger.log().count().await {
        Ok(events) => Json(serde_json::json!({ "status": "ok", "events": events })).into_response(),
        Err(e) => {
            tracing::error!("health check failed: {e}");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}

/// How often the server signs and keeps a checkpoint.
pub const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

pub async fn serve(ledger: Ledger, addr: SocketAddr, key: ed25519_dalek::SigningKey) -> std::io::Result<()> {
    let state = AppState::new(Arc::new(ledger), key);
    crate::audit::spawn_schedule(state.ledger.log().clone(), state.key.clone(), CHECKPOINT_EVERY);
    match state.people.count().await {
        Ok(0) => eprintln!(
            "No one can sign in yet. Create the first account with:\n  spiral user add NAME --role admin   (and --role staff, auditor or reporter for others; the password is read from stdin)"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!("could not count users: {e}"),
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("Spiral is listening on http://{local}/");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
