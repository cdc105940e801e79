//! The OpenAPI document, generated from the handlers' annotations and the domain's types, served
//! at `/api/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Spiral API", description = "The ledger of an intermediary support NPO's work. Sign in with POST /api/login; the session cookie carries your role. State-changing requests from another origin are refused."),
    paths(
        super::health,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::api::submit,
        super::api::programs,
        super::api::partners,
        super::api::timeline,
        super::api::projected_state,
        super::api::history,
        super::api::log,
        super::api::rows,
        super::stream::events,
        super::api::verify,
        super::api::checkpoint,
        super::api::checkpoints,
        super::api::prove_event,
        super::api::prove_consistency,
        super::api::funding_report,
        super::api::pst_report,
        super::api::users,
        super::api::add_user,
        super::api::disable_user,
    ),
    tags(
        (name = "commands", description = "Recording facts: staff only"),
        (name = "projections", description = "What the ledger says, computed by the domain's projections"),
        (name = "log", description = "The ledger itself: events, history, the live stream, verification"),
        (name = "audit", description = "Signed checkpoints and Merkle proofs for auditors"),
        (name = "reports", description = "Funding summaries and the public support test, as of any recorded time"),
        (name = "people", description = "Signing in, and managing who may"),
        (name = "service", description = "Health"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
