//! The parts that talk to the browser: fetch, EventSource, hydration.

use crate::initial_store;
use app::boot::Boot;
use app::store::Store;
use app::App;
use domain::{LedgerState, Recorded, View};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Events per request; the server allows up to 100,000.
const PAGE: u64 = 50_000;

#[wasm_bindgen]
pub async fn start() -> Result<(), JsValue> {
    mark("spiral-start");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let root = document.get_element_by_id("app").ok_or("no #app element")?;
    let boot = Boot::from_attributes(|name| root.get_attribute(name)).ok_or("#app has no boot attributes")?;
    if !boot.role.reads() {
        return Ok(());
    }
    let events = crate::download::whole_log(&boot).await?;
    mark("spiral-log");
    let (store, later) = initial_store(&boot, events);
    mark("spiral-replayed");
    let root: web_sys::HtmlElement = root.unchecked_into();
    let handle = leptos::mount::hydrate_from(root.clone(), move || view! { <App boot=boot store=store/> });
    // The page lives until the next in-app link replaces it (`navigation`).
    crate::navigation::install(root.clone(), store, Box::new(handle));
    store.append(later);
    let _ = root.set_attribute("data-hydrated", "true");
    // "Interactive" for the benchmark (BENCHMARKS.md): downloaded, replayed, hydrated.
    mark("spiral-hydrated");
    mark_head(&root, &store);
    follow(root, store);
    Ok(())
}

/// A named moment of the start or of a move between pages, for the benchmark's breakdown
/// (BENCHMARKS.md). The bench reads the latest of each name.
pub(crate) fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Tells tests and tools how far the page has replayed.
fn mark_head(root: &web_sys::HtmlElement, store: &Store) {
    let _ = root.set_attribute("data-head", &store.head().to_string());
}

/// GET /api/events after a position, all pages, as postcard.
pub(crate) async fn fetch_after(after: u64) -> Result<Vec<Recorded>, JsValue> {
    let url = events_url(after);
    let first = fetch_promise(&url, "application/x-postcard")?;
    rest_of_log(after, &url, first).await
}

/// The address of the page of events after a position.
pub(crate) fn events_url(after: u64) -> String {
    format!("/api/events?after={after}&limit={PAGE}")
}

/// The events after `after`, the first page's request already started (`first`, for `url`).
pub(crate) async fn rest_of_log(
    mut after: u64,
    url: &str,
    first: js_sys::Promise,
) -> Result<Vec<Recorded>, JsValue> {
    let mut all = Vec::new();
    let mut bytes = response_bytes(url, first).await?;
    loop {
        let page: Vec<Recorded> = postcard::from_bytes(&bytes)
            .map_err(|e| JsValue::from_str(&format!("the log did not decode: {e}")))?;
        let full = page.len() as u64 == PAGE;
        if let Some(last) = page.last() {
            after = last.position;
        }
        all.extend(page);
        if !full {
            return Ok(all);
        }
        bytes = get_bytes(&events_url(after)).await?;
    }
}

pub(crate) async fn get_bytes(url: &str) -> Result<Vec<u8>, JsValue> {
    response_bytes(url, fetch_promise(url, "application/x-postcard")?).await
}

/// GET a page of the app as HTML (for `navigation`).
pub(crate) async fn get_text(url: &str) -> Result<String, JsValue> {
    let response = ok_response(url, fetch_promise(url, "text/html")?).await?;
    JsFuture::from(response.text()?)
        .await?
        .as_string()
        .ok_or_else(|| JsValue::from_str("the page is not text"))
}

/// Starts a same-origin GET asking for `accept`; the request is on its way when this returns.
pub(crate) fn fetch_promise(url: &str, accept: &str) -> Result<js_sys::Promise, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    request.headers().set("Accept", accept)?;
    Ok(window.fetch_with_request(&request))
}

/// The body of a started GET, if it succeeded (2xx).
pub(crate) async fn response_bytes(url: &str, fetch: js_sys::Promise) -> Result<Vec<u8>, JsValue> {
    let response = ok_response(url, fetch).await?;
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

async fn ok_response(url: &str, fetch: js_sys::Promise) -> Result<web_sys::Response, JsValue> {
    let response: web_sys::Response = JsFuture::from(fetch).await?.dyn_into()?;
    if !response.ok() {
        return Err(JsValue::from_str(&format!("{url}: HTTP {}", response.status())));
    }
    Ok(response)
}

/// Follows the live stream. A server-sent event only says "there is more": the page then fetches
/// everything after its head as postcard, so nothing is missed or applied twice, even after a
/// reconnect (EventSource reconnects by itself).
fn follow(root: web_sys::HtmlElement, store: Store) {
    let Ok(source) = web_sys::EventSource::new(&format!("/api/events/stream?after={}", store.head())) else {
        return;
    };
    let busy = std::rc::Rc::new(std::cell::Cell::new(false));
    let again = std::rc::Rc::new(std::cell::Cell::new(false));
    let on_event = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| {
        catch_up(root.clone(), store, busy.clone(), again.clone());
    });
    let _ = source.add_event_listener_with_callback("ledger", on_event.as_ref().unchecked_ref());
    on_event.forget();
    // EventSource reconnects by itself; the page says whether it is connected meanwhile.
    let on_open =
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| store.live.set(Some(true)));
    let on_error =
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| store.live.set(Some(false)));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_open.forget();
    on_error.forget();
    std::mem::forget(source);
}

/// Fetches what follows the head; one fetch at a time, repeated if more arrived meanwhile.
fn catch_up(
    root: web_sys::HtmlElement,
    store: Store,
    busy: std::rc::Rc<std::cell::Cell<bool>>,
    again: std::rc::Rc<std::cell::Cell<bool>>,
) {
    if busy.replace(true) {
        again.set(true);
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            again.set(false);
            match fetch_after(store.head()).await {
                Ok(new) => {
                    store.append(new);
                    mark_head(&root, &store);
                }
                Err(e) => web_sys::console::warn_1(&e),
            }
            if !again.get() {
                break;
            }
        }
        busy.set(false);
    });
}

/// For BENCHMARKS.md: downloads the whole log, then times the domain's replay of it in this
/// browser. Returns `[events, milliseconds]`.
#[wasm_bindgen]
pub async fn bench_replay() -> Result<Vec<f64>, JsValue> {
    let events = fetch_after(0).await?;
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .ok_or("no performance")?;
    let t0 = performance.now();
    let state = LedgerState::replay(&events, View::everything());
    let ms = performance.now() - t0;
    Ok(vec![state.events_seen as f64, ms])
}

/// For BENCHMARKS.md: the size of this module's linear memory in bytes. The ledger lives there,
/// not in the JS heap the browser's tools report.
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |b| f64::from(b.byte_length()))
}
