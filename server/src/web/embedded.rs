//! The browser bundle embedded in the binary at build time (`server/build.rs`), served when it
//! is not on disk beside the binary: an installed `spiral` carries its own pages' code. Each file
//! is served gzipped when a `.gz` twin is embedded and the browser accepts gzip, with an entity
//! tag so a reload revalidates for a 304 instead of downloading it again.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/bundle_files.rs"));

/// Whether a bundle was embedded at build time.
pub fn present() -> bool {
    FILES.iter().any(|(name, _, _)| *name == "frontend_bg.wasm")
}

fn find(name: &str) -> Option<(&'static [u8], &'static str)> {
    FILES
        .iter()
        .find(|(file, _, _)| *file == name)
        .map(|(_, bytes, tag)| (*bytes, *tag))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// `GET /pkg/{file}` from the embedded bundle.
pub async fn file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some((plain, plain_tag)) = find(&name).filter(|_| !name.ends_with(".gz")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let gzipped = find(&format!("{name}.gz")).filter(|_| super::gzip::accepted(&headers));
    let (body, tag) = gzipped.unwrap_or((plain, plain_tag));
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&name)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(tag) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, tag);
    }
    if gzipped.is_some() {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}
