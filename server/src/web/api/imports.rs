//! Gift files uploaded by staff (`spiral import gifts` over HTTP): the preview first; then the
//! same file sent again with the preview's digest records exactly what that preview showed, or
//! nothing if the ledger or the file has changed since.

use super::super::auth::CurrentUser;
use super::super::error::ApiError;
use super::super::AppState;
use super::donors::vault;
use super::{query_rejection, ErrorBody};
use crate::gift_import::{self, GiftImportError, Imported};
use crate::people::Role;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::Json;
use domain::gift_import::Preview;
use serde::{Deserialize, Serialize};

/// The largest gift file taken over HTTP: 16 MiB, some 120,000 rows of a platform's export
/// (the CLI reads up to 64 MiB).
pub const GIFT_FILE_LIMIT: usize = 16 << 20;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The `digest` of the preview the person saw and confirmed: records it
    record: Option<String>,
}

/// What a gift file would record (or, with `record`, recorded).
#[derive(Serialize, utoipa::ToSchema)]
pub struct GiftImport {
    /// How the file was read: utf8, utf8_bom or shift_jis
    #[schema(value_type = String)]
    encoding: gift_import::TextEncoding,
    /// Names this preview: send it back as `record` to record exactly this
    digest: String,
    /// Rows read; gifts to record (with the donor each is matched to); new donors; gifts
    /// recorded already; errors by line and column, in English and Japanese
    #[schema(value_type = Object)]
    preview: Preview,
    /// What was recorded, when `record` was given
    #[schema(value_type = Option<Object>)]
    recorded: Option<Imported>,
}

fn import_error(e: GiftImportError) -> ApiError {
    match e {
        GiftImportError::Vault(v) => super::donors::vault_error(v),
        GiftImportError::Command(c) => c.into(),
        GiftImportError::Store(s) => s.into(),
        e => ApiError::Invalid {
            ja: e.ja(),
            en: e.to_string(),
        },
    }
}

/// Previews a gift file (CSV in UTF-8, with or without BOM, or Shift_JIS; a header row), or
/// records it when `record` is the digest of its preview now.
#[utoipa::path(post, path = "/api/imports/gifts", tag = "donors",
    params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The CSV file's bytes, as saved (any Content-Type is taken: text/csv too)"),
    responses(
        (status = 200, description = "The preview, and what was recorded when `record` was given", body = GiftImport),
        (status = 409, description = "The preview is no longer what `record` names (the ledger or the file changed), or another import recorded these gifts first; nothing recorded", body = ErrorBody),
        (status = 413, description = "The file is over 16 MiB", body = ErrorBody),
        (status = 422, description = "The file cannot be read (not UTF-8 or Shift_JIS, no 受領日 or 金額 column), or rows have errors and `record` was given; nothing recorded", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Staff only, or a cross-site request", body = ErrorBody),
    ))]
pub async fn import_gifts(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<ImportQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<GiftImport>, ApiError> {
    let actor = user.require(&[Role::Staff])?.name.clone();
    let Query(query) = query.map_err(query_rejection)?;
    let bytes = body.map_err(|e| ApiError::BadRequest {
        status: e.status(),
        message: e.body_text(),
    })?;
    let vault = vault(&state)?;
    let (table, encoding) = gift_import::read_table(&bytes).map_err(|e| import_error(e.into()))?;
    let preview = gift_import::preview(&state.ledger, vault, &table, &actor)
        .await
        .map_err(import_error)?;
    let digest = gift_import::digest(&preview);
    let recorded = match query.record {
        None => None,
        Some(seen) if seen != digest => {
            return Err(ApiError::Conflict(
                "the ledger or the file changed since the preview you confirmed: nothing was recorded; preview it again".into(),
            ))
        }
        Some(_) => Some(
            gift_import::record(&state.ledger, vault, &preview, &actor)
                .await
                .map_err(import_error)?,
        ),
    };
    Ok(Json(GiftImport {
        encoding,
        digest,
        preview,
        recorded,
    }))
}
