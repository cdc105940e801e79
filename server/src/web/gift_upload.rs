//! `/imports/gifts`: gift files uploaded from the browser by staff, as `spiral import gifts`
//! and `POST /api/imports/gifts` take them. A file chosen and sent (multipart) is read and
//! previewed; the page then carries the file back in its confirm form with the preview's
//! digest, and the confirmation records exactly that preview, or nothing if the ledger has
//! moved since (no file is kept on the server between the two, so any instance of a cluster
//! can take the confirmation).

use super::print::{open_vault, refused, signed_in};
use super::{pages, AppState};
use crate::gift_import::{self, GiftImportError, TextEncoding};
use crate::people::{Role, User};
use crate::vault::Vault;
use app::gift_upload::{upload_page, Shown, UploadPage};
use app::i18n::Lang;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use base64::Engine as _;
use serde::Deserialize;
use std::sync::Arc;

/// The largest file taken, as the API takes it.
pub const FILE_LIMIT: usize = super::api::GIFT_FILE_LIMIT;
/// What the confirmation may carry: the file in base64 (4 bytes for every 3) and the rest.
pub const BODY_LIMIT: usize = FILE_LIMIT / 3 * 4 + (64 << 10);

/// The confirm form: the file as it was sent, and the digest of the preview shown.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    file_name: String,
    /// The file's bytes, URL-safe base64 without padding (nothing in it needs escaping).
    file: String,
    digest: String,
}

fn say(lang: Lang, ja: String, en: String) -> String {
    if lang == Lang::Ja {
        ja
    } else {
        en
    }
}

fn import_refusal(lang: Lang, e: &GiftImportError) -> String {
    say(lang, e.ja(), e.to_string())
}

fn encoding_name(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Utf8 => "UTF-8",
        TextEncoding::Utf8Bom => "UTF-8 (BOM)",
        TextEncoding::ShiftJis => "Shift_JIS",
    }
}

async fn staff<'a>(state: &'a AppState, headers: &HeaderMap) -> Result<(User, &'a Arc<Vault>), Response> {
    let user = signed_in(state, headers, "/imports/gifts").await?;
    if user.role != Role::Staff {
        return Err(refused(
            StatusCode::FORBIDDEN,
            "寄附の取込はスタッフだけができます。",
            "Only staff import gifts.",
        ));
    }
    Ok((user, open_vault(state).await?))
}

fn respond(status: StatusCode, page: String) -> Response {
    (status, Html(page)).into_response()
}

/// `GET /imports/gifts`.
pub async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(page) = staff(&state, &headers).await {
        return page;
    }
    Html(upload_page(&UploadPage {
        lang: pages::lang_of(&headers),
        shown: None,
        message: None,
    }))
    .into_response()
}

/// `POST /imports/gifts`: a file to preview (multipart), or a preview confirmed (a form).
pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers().clone();
    let (user, vault) = match staff(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let lang = pages::lang_of(&headers);
    let refuse = |status: StatusCode, text: String| {
        respond(
            status,
            upload_page(&UploadPage {
                lang,
                shown: None,
                message: Some((false, text)),
            }),
        )
    };
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Ok(Form(confirm)) = Form::<Confirm>::from_request(request, &()).await else {
            return refuse(
                StatusCode::BAD_REQUEST,
                say(
                    lang,
                    "送信された内容を読めませんでした".into(),
                    "The form could not be read".into(),
                ),
            );
        };
        let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(confirm.file.trim()) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                say(
                    lang,
                    "ファイルの内容を読めませんでした".into(),
                    "The file could not be read".into(),
                ),
            );
        };
        return confirm_and_record(
            &state,
            vault,
            &user,
            lang,
            &confirm.file_name,
            &bytes,
            &confirm.digest,
        )
        .await;
    }
    let mut parts = match Multipart::from_request(request, &()).await {
        Ok(parts) => parts,
        Err(e) => return refuse(e.status(), e.body_text()),
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match parts.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("gifts.csv").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes.to_vec())),
                    Err(e) => return refuse(e.status(), e.body_text()),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return refuse(e.status(), e.body_text()),
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            say(lang, "ファイルを選んでください".into(), "Choose a file".into()),
        );
    };
    if bytes.len() > FILE_LIMIT {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            say(
                lang,
                format!(
                    "ファイルが{}MBを超えています。分けて取り込んでください",
                    FILE_LIMIT >> 20
                ),
                format!("The file is over {} MB: import it in parts", FILE_LIMIT >> 20),
            ),
        );
    }
    preview_page(&state, vault, &user, lang, &name, &bytes, None).await
}

/// The preview of `bytes`, with the confirm form when it may be recorded.
async fn preview_page(
    state: &AppState,
    vault: &Vault,
    user: &User,
    lang: Lang,
    name: &str,
    bytes: &[u8],
    message: Option<(bool, String)>,
) -> Response {
    let (table, encoding) = match gift_import::read_table(bytes) {
        Ok(read) => read,
        Err(e) => {
            let e = GiftImportError::from(e);
            return respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                upload_page(&UploadPage {
                    lang,
                    shown: None,
                    message: Some((false, import_refusal(lang, &e))),
                }),
            );
        }
    };
    let preview = match gift_import::preview(&state.ledger, vault, &table, &user.name).await {
        Ok(preview) => preview,
        Err(e) => {
            tracing::error!("gift upload: {e}");
            return super::print::busy();
        }
    };
    let digest = gift_import::digest(&preview);
    let file = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let may_record = preview.can_record() && !preview.gifts.is_empty();
    let status = if preview.can_record() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(
        status,
        upload_page(&UploadPage {
            lang,
            shown: Some(Shown {
                file_name: name,
                encoding: encoding_name(encoding),
                preview: &preview,
                carried: may_record.then_some((file.as_str(), digest.as_str())),
            }),
            message,
        }),
    )
}

/// Records the file's preview if it is still the one confirmed (`seen`); else shows the new
/// preview, saying why nothing was recorded.
async fn confirm_and_record(
    state: &AppState,
    vault: &Vault,
    user: &User,
    lang: Lang,
    name: &str,
    bytes: &[u8],
    seen: &str,
) -> Response {
    let refused_with = |text: String| Some((false, text));
    let (table, _) = match gift_import::read_table(bytes) {
        Ok(read) => read,
        Err(e) => {
            let e = GiftImportError::from(e);
            return preview_page(
                state,
                vault,
                user,
                lang,
                name,
                bytes,
                refused_with(import_refusal(lang, &e)),
            )
            .await;
        }
    };
    let preview = match gift_import::preview(&state.ledger, vault, &table, &user.name).await {
        Ok(preview) => preview,
        Err(e) => {
            tracing::error!("gift upload: {e}");
            return super::print::busy();
        }
    };
    if gift_import::digest(&preview) != seen {
        let text = say(
            lang,
            "確認した後に台帳が変わりました。何も記録していません。新しい内容を確認してください".into(),
            "The ledger changed since the preview you confirmed: nothing was recorded. Check the new preview"
                .into(),
        );
        return preview_page(state, vault, user, lang, name, bytes, refused_with(text)).await;
    }
    match gift_import::record(&state.ledger, vault, &preview, &user.name).await {
        Ok(done) => respond(
            StatusCode::OK,
            upload_page(&UploadPage {
                lang,
                shown: None,
                message: Some((
                    true,
                    say(
                        lang,
                        format!(
                            "{}：寄附{}件と新しい寄附者{}人を記録しました",
                            name, done.gifts, done.new_donors
                        ),
                        format!(
                            "{}: recorded {} gifts and {} new donors",
                            name, done.gifts, done.new_donors
                        ),
                    ),
                )),
            }),
        ),
        Err(e) => {
            preview_page(
                state,
                vault,
                user,
                lang,
                name,
                bytes,
                refused_with(import_refusal(lang, &e)),
            )
            .await
        }
    }
}
