//! The OpenAPI document, generated from the handlers' annotations and the domain's types, served
//! at `/api/openapi.json`.
//!
//! Some answers can come from any operation: a bad parameter (400), a body that is too large
//! (413) or not JSON (415), no session or the wrong role (401, 403), and the bounds that keep
//! the server up for everyone (503: busy, too slow, or the database is away). They are added to
//! every operation here, in one place, so the document says exactly what the server can answer
//! (Schemathesis checks it in CI: `scripts/schemathesis.sh`).

use axum::Json;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Spiral API", description = "The ledger of an intermediary support NPO's work. Sign in with POST /api/login; the session cookie carries your role. State-changing requests from another origin are refused."),
    paths(
        super::health,
        super::ready,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::auth::change_password,
        super::api::submit,
        super::api::programs,
        super::api::partners,
        super::api::timeline,
        super::api::projected_state,
        super::api::history,
        super::api::log,
        super::api::log_manifest,
        super::api::log_chunk,
        super::api::rows,
        super::stream::events,
        super::api::verify,
        super::api::checkpoint,
        super::api::checkpoints,
        super::api::prove_event,
        super::api::prove_consistency,
        super::api::funding_report,
        super::api::pst_report,
        super::api::track_record_report,
        super::api::funder_report,
        super::api::activity_report,
        super::api::donor_register_report,
        super::api::donor_details,
        super::api::record_donor_details,
        super::api::erase_donor,
        super::api::import_gifts,
        super::api::certificates,
        super::api::issue_certificates,
        super::api::void_certificate,
        super::api::reissue_certificate,
        super::api::users,
        super::api::add_user,
        super::api::disable_user,
        super::api::enable_user,
        super::api::reset_password,
    ),
    components(schemas(super::api::ErrorBody, super::api::ReportFormat, super::api::PrintableFormat)),
    tags(
        (name = "commands", description = "Recording facts: staff only"),
        (name = "projections", description = "What the ledger says, computed by the domain's projections"),
        (name = "log", description = "The ledger itself: events, history, the live stream, verification"),
        (name = "audit", description = "Signed checkpoints and Merkle proofs for auditors"),
        (name = "reports", description = "Funding summaries, the public support test and the track record, as of any recorded time"),
        (name = "people", description = "Signing in, and managing who may"),
        (name = "donors", description = "Donors' personal details in the vault beside the ledger: staff only, every read logged"),
        (name = "service", description = "Health"),
    )
)]
pub struct ApiDoc;

/// The document as served: the annotations, with the answers every operation can give.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for (path, item) in doc.paths.paths.iter_mut() {
        let public = matches!(
            path.as_str(),
            "/api/health" | "/api/ready" | "/api/openapi.json" | "/api/login" | "/api/logout"
        );
        for (operation, changes_state) in [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.put, true),
        ] {
            if let Some(operation) = operation {
                complete(operation, public, changes_state);
            }
        }
    }
    doc
}

fn complete(operation: &mut Operation, public: bool, changes_state: bool) {
    let mut common = vec![
        ("400", "A parameter, the path or the body is not one this operation takes"),
        (
            "503",
            "Busy (too many requests or ledger reads at once), too slow, or the database is away; nothing changed: try again shortly",
        ),
    ];
    if !public {
        common.push(("401", "Not signed in, or the session has ended"));
        common.push(("403", "The role may not do this"));
    }
    if changes_state {
        common.push((
            "403",
            "A request from another site, or a role that may not do this",
        ));
        common.push(("413", "The body is over 64 KiB"));
        if operation.request_body.is_some() {
            common.push(("415", "The body is not JSON (or, for commands, postcard)"));
        }
    }
    for (status, description) in common {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ErrorBody")))
                                .build(),
                        )
                        .build(),
                )
            });
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(api_doc())
}
