//! Downloading the log for a visit: the full chunks by their addresses, then the tail
//! (`domain::log_chunks`). A chunk's address is its last position and chain hash, and its answer
//! is marked immutable, so the browser's own HTTP cache keeps it: a second visit reads the chunks
//! from disk and asks the network only for the events since the last full chunk. A ledger
//! replaced or rewritten behind the same URL has other chunk addresses, so a cached copy is never
//! mixed with it; sign-out clears the cache (`Clear-Site-Data`). Tabs share the cache, and the
//! browser keeps it consistent between them.
//!
//! The tail is asked for as soon as the manifest is read, and several chunks are in flight while
//! one decodes, so the server's answer and the cache's reads overlap the decoding. The page
//! gets the main thread back every few tens of milliseconds, with a progress bar above the
//! server-rendered page.

use crate::browser::{events_url, fetch_promise, get_bytes, response_bytes, rest_of_log};
use app::boot::{encode_segment, Boot};
use domain::log_chunks::Manifest;
use domain::Recorded;
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Chunks requested ahead of the one being decoded: as many as a browser opens connections to
/// one server (six over HTTP/1.1), so none waits for a connection while the decoder waits.
const AHEAD: usize = 5;

/// The longest the download keeps the main thread before giving it back to the page. (A pause
/// after every chunk cost a fifth of a second visit at 200,000 events: a zero timeout waits
/// ~4 ms.)
const SLICE_MS: f64 = 50.0;

/// Every event of the log, in order.
pub async fn whole_log(boot: &Boot) -> Result<Vec<Recorded>, JsValue> {
    let manifest: Manifest = postcard::from_bytes(&get_bytes("/api/log/manifest").await?)
        .map_err(|e| JsValue::from_str(&format!("the log's manifest did not decode: {e}")))?;
    if !manifest.is_consistent() {
        return Err("the server's log manifest does not add up".into());
    }
    let reader = encode_segment(&boot.user);
    let url = |i: usize| manifest.chunks[i].url(&reader);
    let tail_url = events_url(manifest.tail_after());
    let tail = fetch_promise(&tail_url, "application/x-postcard")?;
    let progress = (!manifest.chunks.is_empty()).then(|| Progress::show(boot, manifest.chunks.len()));
    // Room for what the manifest announces, within reason (it is the server's word).
    let mut all = Vec::with_capacity(manifest.head.min(2_000_000) as usize);
    let mut in_flight = VecDeque::new();
    let mut slice_start = now();
    for i in 0..manifest.chunks.len() {
        while in_flight.len() <= AHEAD && i + in_flight.len() < manifest.chunks.len() {
            in_flight.push_back(fetch_promise(
                &url(i + in_flight.len()),
                "application/x-postcard",
            )?);
        }
        let promise = in_flight.pop_front().ok_or("no chunk in flight")?;
        let bytes = response_bytes(&url(i), promise).await?;
        let events: Vec<Recorded> = postcard::from_bytes(&bytes)
            .map_err(|e| JsValue::from_str(&format!("log chunk {} did not decode: {e}", i + 1)))?;
        if !manifest.chunks[i].holds(manifest.size, &events) {
            return Err(JsValue::from_str(&format!(
                "log chunk {} holds other positions",
                i + 1
            )));
        }
        all.extend(events);
        if let Some(progress) = &progress {
            progress.set(i + 1);
        }
        if now() - slice_start >= SLICE_MS {
            pause().await;
            slice_start = now();
        }
    }
    all.extend(rest_of_log(manifest.tail_after(), &tail_url, tail).await?);
    if let Some(progress) = progress {
        progress.remove();
    }
    Ok(all)
}

/// Milliseconds on the page's clock.
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Waits until the browser has painted what the page holds now: a task queued from the next
/// frame's callback runs after that frame is painted.
pub(crate) async fn next_paint() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        let asked = web_sys::window().and_then(|w| w.request_animation_frame(&resolve).ok());
        if asked.is_none() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(frame).await;
    pause().await;
}

/// Gives the main thread back to the page for a moment (a zero timeout).
async fn pause() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window().and_then(|w| w.set_timeout_with_callback(&resolve).ok());
        if scheduled.is_none() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// A progress bar above the page, outside `#app` so hydration never meets it.
struct Progress {
    bar: Option<web_sys::Element>,
    box_: Option<web_sys::Element>,
}

impl Progress {
    fn show(boot: &Boot, total: usize) -> Progress {
        let document = web_sys::window().and_then(|w| w.document());
        let make = |tag: &str| document.as_ref().and_then(|d| d.create_element(tag).ok());
        let (box_, bar) = (make("div"), make("progress"));
        if let (Some(document), Some(box_), Some(bar)) = (&document, &box_, &bar) {
            let label = boot.lang.text().loading_log;
            let _ = box_.set_attribute("id", "log-progress");
            let _ = box_.set_attribute("role", "status");
            let _ = bar.set_attribute("max", &total.to_string());
            let _ = bar.set_attribute("value", "0");
            let _ = bar.set_attribute("aria-label", label);
            box_.set_text_content(Some(label));
            let _ = box_.append_child(bar);
            if let Some(body) = document.body() {
                let _ = body.insert_before(box_, body.first_child().as_ref());
            }
        }
        Progress { bar, box_ }
    }

    fn set(&self, done: usize) {
        if let Some(bar) = &self.bar {
            let _ = bar.set_attribute("value", &done.to_string());
        }
    }

    fn remove(self) {
        if let Some(box_) = self.box_ {
            box_.remove();
        }
    }
}
