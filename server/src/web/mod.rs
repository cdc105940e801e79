//! The web server: the server-rendered home page, the JSON API under `/api` (sessions and
//! roles, commands, projections, the log as JSON or postcard, verification, people) and the live
//! event stream.
//!
//! Everything a request can make the server spend is bounded (`limits`): connections, slow
//! request heads, requests in flight, time per request, body size, open streams, and the few
//! answers that read the whole ledger. Over a bound, the answer is a clear 4xx or 503.

pub mod api;
pub mod auth;
pub mod chunk_cache;
pub mod cookies;
mod donors_desk;
pub mod embedded;
pub mod error;
pub mod fuzzing;
mod gift_upload;
pub mod gzip;
pub mod limiter;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod print;
mod profile_desk;
mod pst_page;
mod receipts_desk;
mod report_pages;
pub mod stream;

use crate::ledger::Ledger;
use crate::people::People;
use crate::tail::Tail;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use cookies::CookiePolicy;
use limiter::LoginLimiter;
use limits::Limits;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;
use tower::Layer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body accepted; a command is a few kilobytes at most.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How the server is reached and what it may trust (`spiral serve --public-url`,
/// `--behind-proxy`).
#[derive(Debug, Clone)]
pub struct Reach {
    /// The address people use, e.g. `https://spiral.example.org`. With `https://`, cookies are
    /// `Secure` and `__Host-`-prefixed and HSTS is sent; state-changing requests must come from
    /// exactly this origin.
    pub public_url: Option<String>,
    /// A reverse proxy on this machine forwards requests: trust the last `X-Forwarded-For`
    /// entry as the client's address.
    pub behind_proxy: bool,
    /// How often the server signs and keeps a checkpoint ([`CHECKPOINT_EVERY`] by default).
    pub checkpoint_every: std::time::Duration,
    /// Events per chunk of the cacheable log the browser downloads (`domain::log_chunks`).
    pub log_chunk_events: u64,
    /// How often the live tail looks for commits it was not told of: other processes' on
    /// SQLite, a lost notification's on PostgreSQL ([`POLL_EVERY`] by default).
    pub poll_every: std::time::Duration,
    /// How often expired sessions are removed from the database ([`PURGE_EVERY`] by default).
    pub purge_every: std::time::Duration,
    /// Connections, requests in flight, time per request, live streams and whole-ledger reads.
    pub bounds: limits::Bounds,
    /// Where `/metrics` is served: None for the main address, else an address of its own.
    pub metrics_addr: Option<SocketAddr>,
    /// After a scheduled checkpoint, the signer also keeps a projection snapshot for the CLI
    /// once the ledger has grown this much past the last one (0: never; see `snapshots`).
    pub snapshot_after: u64,
}

impl Default for Reach {
    fn default() -> Self {
        Reach {
            public_url: None,
            behind_proxy: false,
            checkpoint_every: CHECKPOINT_EVERY,
            log_chunk_events: domain::log_chunks::DEFAULT_CHUNK_EVENTS,
            purge_every: PURGE_EVERY,
            poll_every: POLL_EVERY,
            bounds: limits::Bounds::default(),
            metrics_addr: None,
            snapshot_after: crate::snapshots::REFRESH_AFTER,
        }
    }
}

impl Reach {
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// `scheme://host[:port]` of the public URL, without a path.
    pub fn origin(&self) -> Option<&str> {
        let url = self.public_url.as_deref()?;
        let after_scheme = url.find("://")? + 3;
        let end = url[after_scheme..]
            .find('/')
            .map_or(url.len(), |i| after_scheme + i);
        Some(&url[..end])
    }
}

#[derive(Clone)]
pub struct AppState {
    pub ledger: Arc<Ledger>,
    /// Signs checkpoints, once the ledger verifies and extends what it signed before.
    pub signer: Arc<crate::signer::Signer>,
    pub people: People,
    pub tail: Arc<Tail>,
    pub limiter: Arc<LoginLimiter>,
    pub cookies: CookiePolicy,
    pub behind_proxy: bool,
    pub reach: Arc<Reach>,
    pub limits: Arc<Limits>,
    pub metrics: Arc<metrics::Metrics>,
    /// Donors' personal details (`crate::vault`); `None` where the server was started without
    /// one (benchmarks), and the donor endpoints answer 503.
    pub vault: Option<Arc<crate::vault::Vault>>,
    /// The log's full chunks, gzipped, once made (`chunk_cache`).
    pub chunks: Arc<chunk_cache::ChunkCache>,
    /// Bumped whenever this process ends sessions (sign-out, disabling, a password reset):
    /// open streams check theirs at once instead of at their next periodic check.
    sessions: Arc<watch::Sender<u64>>,
}

impl AppState {
    /// Must be called inside a tokio runtime: starts the live tail.
    pub fn new(ledger: Arc<Ledger>, signer: crate::signer::Signer) -> Self {
        Self::with_reach(ledger, signer, Reach::default())
    }

    pub fn with_reach(ledger: Arc<Ledger>, signer: crate::signer::Signer, reach: Reach) -> Self {
        let people = People::new(ledger.log().pool().clone());
        let tail = Tail::spawn(ledger.log().clone(), reach.poll_every);
        let limits = Limits::new(reach.bounds);
        AppState {
            ledger,
            signer: Arc::new(signer),
            people,
            tail,
            limiter: Arc::default(),
            cookies: CookiePolicy {
                secure: reach.https(),
            },
            behind_proxy: reach.behind_proxy,
            reach: Arc::new(reach),
            limits: Arc::new(limits),
            metrics: Arc::default(),
            vault: None,
            chunks: Arc::default(),
            sessions: Arc::new(watch::channel(0).0),
        }
    }

    /// The same state, with the donor vault open.
    pub fn with_vault(mut self, vault: crate::vault::Vault) -> Self {
        self.vault = Some(Arc::new(vault));
        self
    }

    /// Tells open streams that sessions may have ended.
    pub fn sessions_changed(&self) {
        self.sessions.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn watch_sessions(&self) -> watch::Receiver<u64> {
        self.sessions.subscribe()
    }
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/openapi.json", get(openapi::document))
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/me/password", post(auth::change_password))
        .route("/commands", post(api::submit))
        .route("/programs", get(api::programs))
        .route("/partners", get(api::partners))
        .route("/timeline", get(api::timeline))
        .route("/state", get(api::projected_state))
        .route("/history/{stream}", get(api::history))
        .route("/events", get(api::log))
        .route("/log/manifest", get(api::log_manifest))
        .route("/log/chunks/{last}/{hash}", get(api::log_chunk))
        .route("/rows", get(api::rows))
        .route("/events/stream", get(stream::events))
        .route("/verify", get(api::verify))
        .route("/checkpoint", get(api::checkpoint))
        .route("/checkpoints", get(api::checkpoints))
        .route("/proofs/event/{position}", get(api::prove_event))
        .route("/proofs/consistency", get(api::prove_consistency))
        .route("/reports/funding", get(api::funding_report))
        .route("/reports/pst", get(api::pst_report))
        .route("/reports/track-record", get(api::track_record_report))
        .route("/reports/funder", get(api::funder_report))
        .route("/reports/activity", get(api::activity_report))
        .route("/reports/donors", get(api::donor_register_report))
        .route(
            "/donors/{id}",
            get(api::donor_details).put(api::record_donor_details),
        )
        .route("/donors/{id}/erasure", post(api::erase_donor))
        .route(
            "/certificates",
            get(api::certificates).post(api::issue_certificates),
        )
        .route("/certificates/{number}/void", post(api::void_certificate))
        .route("/certificates/{number}/reissue", post(api::reissue_certificate))
        .route(
            "/imports/gifts",
            post(api::import_gifts).layer(DefaultBodyLimit::max(api::GIFT_FILE_LIMIT)),
        )
        .route("/users", get(api::users).post(api::add_user))
        .route("/users/{name}/disable", post(api::disable_user))
        .route("/users/{name}/enable", post(api::enable_user))
        .route("/users/{name}/password", post(api::reset_password))
        .fallback(|| async { error::ApiError::NotFound("endpoint".into()) });
    let hsts = state.reach.https();
    let router = Router::new()
        .route("/", get(pages::spiral))
        .route("/programs", get(pages::programs))
        .route("/programs/{id}", get(pages::program))
        .route("/partners", get(pages::partners))
        .route("/partners/{id}", get(pages::partner))
        .route("/record", get(pages::record))
        .route("/reports", get(pages::reports))
        .route("/reports/pst", get(pst_page::show))
        .route("/reports/activity", get(report_pages::activity))
        .route("/reports/track-record", get(report_pages::track_record))
        .route("/reports/funder", get(report_pages::funder))
        .route("/print/donors", get(print::donor_register))
        .route("/print/receipts", get(print::certificates))
        .route("/receipts", get(receipts_desk::desk).post(receipts_desk::act))
        .route("/donors", get(donors_desk::search).post(donors_desk::register))
        .route("/donors/{id}", get(donors_desk::record).post(donors_desk::act))
        .route(
            "/organisation",
            get(profile_desk::show).post(profile_desk::record),
        )
        .route(
            "/imports/gifts",
            get(gift_upload::form)
                .post(gift_upload::post)
                .layer(DefaultBodyLimit::max(gift_upload::BODY_LIMIT)),
        )
        .route("/audit", get(pages::audit))
        .route("/login", get(pages::sign_in_form).post(pages::sign_in))
        .route("/logout", post(pages::sign_out))
        .route("/lang/{code}", get(pages::switch_language))
        .route("/start.js", get(start_script));
    // The bundle from disk when it is there (a fresh `scripts/build-frontend.sh` wins), else
    // the copy embedded in the binary.
    let router = if bundle_dir().join("frontend_bg.wasm").exists() || !embedded::present() {
        router.nest_service("/pkg", bundle())
    } else {
        tracing::info!("serving the browser bundle embedded in this binary");
        router.route("/pkg/{*file}", get(embedded::file))
    };
    let router = if state.reach.metrics_addr.is_none() {
        router.route("/metrics", get(metrics::scrape))
    } else {
        router
    };
    let router = router
        .nest("/api", api)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::same_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::bounded,
        ))
        // Outermost, so the bounds' own 503s are counted too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count,
        ))
        .with_state(state);
    // Every answer gzipped for a client that accepts it (HTML, JSON, the postcard log); the
    // bundle is served precompressed, and live streams are left alone (a compressor would hold
    // events back until its buffer fills).
    security_headers(router, hsts).layer(
        tower_http::compression::CompressionLayer::new()
            .quality(tower_http::CompressionLevel::Precise(gzip::LEVEL as i32)),
    )
}

/// Headers on every answer: no script but the server's own (and WASM), no framing, no sniffing,
/// no referrer beyond this site.
fn security_headers(router: Router, hsts: bool) -> Router {
    const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
        style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
        font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
        frame-ancestors 'none'";
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    let mut router = router;
    for (name, value) in fixed {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    if hsts {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router
}

async fn start_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        app::document::START_SCRIPT,
    )
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

/// Readiness, apart from liveness: 200 once the projection has been folded up to the ledger's
/// head (at start-up, in the background) and the database answers; until then 503, while
/// `/api/health` already says the process is up. A load balancer sends people only to a ready
/// server.
#[utoipa::path(get, path = "/api/ready", tag = "service", responses((status = 200, description = "Ready: the projection is folded, with the ledger's size and the projection's head", body = Object), (status = 503, description = "Still folding the ledger, or the database does not answer", body = Object)))]
pub async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let folded_to = state.ledger.read_state(|s| s.head_position);
    let unavailable = |status: &str| {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": status, "folded": folded_to })),
        )
            .into_response()
    };
    if !state.ledger.folded() {
        return unavailable("folding");
    }
    match state.ledger.log().count().await {
        Ok(events) => Json(serde_json::json!({ "status": "ready", "events": events, "folded": folded_to }))
            .into_response(),
        Err(e) => {
            tracing::error!("readiness check failed: {e}");
            unavailable("unavailable")
        }
    }
}

/// How often the server signs and keeps a checkpoint.
pub const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// How often the live tail looks for commits made elsewhere that no notification announced.
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// How often the server carries out the donors' erasures that have come due (a register's
/// retention ends on a given day; within hours of it is soon enough).
pub const ERASE_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// Carries out due erasures now and every [`ERASE_EVERY`], as `spiral donors erase-due` does.
/// Several servers may run it at once: deleting is idempotent, and of two records of the same
/// erasure the ledger takes one (the other is a conflict, logged and dropped).
fn spawn_erasures(ledger: Arc<Ledger>, vault: Arc<crate::vault::Vault>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(ERASE_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = ledger.catch_up().await {
                tracing::warn!("due erasures: {e}");
                continue;
            }
            let years = |donor: &domain::ids::DonorId| {
                ledger.read_state(|s| domain::personal::gift_years(s.receipts.values(), donor).collect())
            };
            match vault
                .carry_out_due(&ledger, years, "system:vault", crate::vault::today())
                .await
            {
                Ok(done) => {
                    for (donor, outcome) in done {
                        if outcome == crate::vault::ErasureOutcome::Erased {
                            tracing::info!(
                                "donor {donor}: personal data erased (its registers' retention ended)"
                            );
                        }
                    }
                }
                Err(e) => tracing::warn!("due erasures: {e}"),
            }
        }
    });
}

/// How often expired sessions are purged.
pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

pub async fn serve(
    ledger: Ledger,
    addr: SocketAddr,
    signer: crate::signer::Signer,
    reach: Reach,
    vault: crate::vault::Vault,
) -> std::io::Result<()> {
    let state = AppState::with_reach(Arc::new(ledger), signer, reach).with_vault(vault);
    crate::audit::spawn_schedule(
        state.ledger.clone(),
        state.signer.clone(),
        state.reach.checkpoint_every,
        state.reach.snapshot_after,
    );
    spawn_purge(state.people.clone(), state.reach.purge_every);
    if let Some(vault) = &state.vault {
        spawn_erasures(state.ledger.clone(), vault.clone());
    }
    // Fold the ledger now, while the server already answers health checks, rather than on the
    // first person's request; `/api/ready` says when it is done.
    // Then make the log's chunks browsers download (`chunk_cache`).
    let started_state = state.clone();
    tokio::spawn(async move {
        let (ledger, metrics) = (&started_state.ledger, &started_state.metrics);
        let started = std::time::Instant::now();
        match ledger.catch_up().await {
            Ok(()) => {
                let seconds = started.elapsed().as_secs_f64();
                metrics.folded_in(seconds);
                tracing::info!(
                    "folded {} events in {seconds:.1} s",
                    ledger.read_state(|s| s.head_position)
                )
            }
            Err(e) => tracing::warn!("could not fold the ledger at start-up: {e}"),
        }
        let started = std::time::Instant::now();
        match api::warm_chunks(&started_state).await {
            Ok(made) => tracing::info!(
                "made {made} chunks of the log for browsers in {:.1} s",
                started.elapsed().as_secs_f64()
            ),
            Err(e) => tracing::warn!("could not make the log's chunks: {e}"),
        }
    });
    match state.people.count().await {
        Ok(0) => eprintln!(
            "No one can sign in yet. Create the first account with:\n  spiral user add NAME --role admin   (and --role staff, auditor or reporter for others; the password is read from stdin)"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!("could not count users: {e}"),
    }
    if let Some(metrics_addr) = state.reach.metrics_addr {
        let listener = tokio::net::TcpListener::bind(metrics_addr).await?;
        // On stderr: stdout's first line is the main address, which scripts read.
        eprintln!("Metrics at http://{}/metrics", listener.local_addr()?);
        let metrics = Router::new()
            .route("/metrics", get(metrics::scrape))
            .with_state(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!("the metrics listener stopped: {e}");
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("Spiral is listening on http://{local}/");
    let limits = state.limits.clone();
    limits::accept(listener, router(state), &limits, shutdown_signal()).await
}

/// Removes expired sessions now and then, for as long as the server runs.
fn spawn_purge(people: People, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            match people.purge_expired().await {
                Ok(0) => {}
                Ok(n) => tracing::info!("purged {n} expired sessions"),
                Err(e) => tracing::warn!("could not purge expired sessions: {e}"),
            }
        }
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_origin_is_the_url_without_its_path() {
        let reach = Reach {
            public_url: Some("https://spiral.example.org/base/".into()),
            behind_proxy: true,
            ..Reach::default()
        };
        assert_eq!(reach.origin(), Some("https://spiral.example.org"));
        assert!(reach.https());
        assert_eq!(Reach::default().origin(), None);
    }
}
