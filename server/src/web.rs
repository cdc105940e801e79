//! The web server. For now: the home page (server-rendered by `app`) and a health check; the JSON
//! API, sessions and the live stream come with the server issue.

use crate::ledger::Ledger;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use std::net::SocketAddr;
use std::sync::Arc;

pub fn router(ledger: Arc<Ledger>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/api/health", get(health))
        .with_state(ledger)
}

async fn home(State(ledger): State<Arc<Ledger>>) -> impl IntoResponse {
    if let Err(e) = ledger.catch_up().await {
        tracing::error!("catch-up failed: {e}");
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Html(app::error_page()),
        )
            .into_response();
    }
    Html(ledger.read_state(app::home_page)).into_response()
}

async fn health(State(ledger): State<Arc<Ledger>>) -> impl IntoResponse {
    match ledger.log().count().await {
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

pub async fn serve(ledger: Ledger, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("Spiral is listening on http://{local}/");
    axum::serve(listener, router(Arc::new(ledger)))
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
