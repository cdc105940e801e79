//! Moving between pages without downloading or replaying the log again. Following a link to one
//! of the app's pages (`app::router::page_of`) fetches only that page's HTML, which the server
//! renders from its own fold as it does for a first visit, puts it in place, and hydrates it with
//! the store this tab already holds; the address goes into the browser's history, so back and
//! forward work and every address can be bookmarked. Anything that goes wrong (the session ended,
//! the network is away, the page was rendered at a point the store has already passed) falls back
//! to loading the address, which always works.
//!
//! Hydrating the server's HTML rather than building pages in the browser keeps every page's
//! client-side construction code out of the bundle: it already holds how to hydrate each one.

use crate::browser::{fetch_after, get_text};
use app::boot::Boot;
use app::router::{load, page_of, set_navigator};
use app::store::Store;
use app::App;
use domain::View;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The live page: its root element, the store, and the hydrated view (dropping it unmounts).
struct Live {
    root: web_sys::HtmlElement,
    store: Store,
    view: Option<Box<dyn std::any::Any>>,
}

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
}

/// Takes over in-app links and the back and forward buttons for the page just hydrated.
pub fn install(root: web_sys::HtmlElement, store: Store, view: Box<dyn std::any::Any>) {
    LIVE.with(|live| {
        *live.borrow_mut() = Some(Live {
            root,
            store,
            view: Some(view),
        })
    });
    set_navigator(|href| go(href.to_owned(), true));
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let on_click = Closure::<dyn FnMut(web_sys::MouseEvent)>::new(move |event: web_sys::MouseEvent| {
        if let Some(href) = in_app_link(&event) {
            event.prevent_default();
            go(href, true);
        }
    });
    let _ = document.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
    let on_pop = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        let Some(location) = web_sys::window().map(|w| w.location()) else {
            return;
        };
        let href = location.pathname().unwrap_or_default() + &location.search().unwrap_or_default();
        go(href, false);
    });
    window.set_onpopstate(Some(on_pop.as_ref().unchecked_ref()));
    on_pop.forget();
}

/// The address of a plain left click on a link to one of the app's own pages.
fn in_app_link(event: &web_sys::MouseEvent) -> Option<String> {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return None;
    }
    let link = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??;
    if link.has_attribute("download") || link.get_attribute("target").is_some_and(|t| t != "_self") {
        return None;
    }
    let anchor: web_sys::HtmlAnchorElement = link.dyn_into().ok()?;
    let origin = web_sys::window()?.location().origin().ok()?;
    if anchor.origin() != origin {
        return None;
    }
    let (path, search) = (anchor.pathname(), anchor.search());
    page_of(&path, search.trim_start_matches('?'))?;
    Some(path + &search)
}

/// Shows `href` in place (adding it to the history when `push`), or loads it.
fn go(href: String, push: bool) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = show(&href, push).await {
            web_sys::console::warn_1(&e);
            load(&href);
        }
    });
}

async fn show(href: &str, push: bool) -> Result<(), JsValue> {
    let html = get_text(href).await?;
    let document = web_sys::DomParser::new()?.parse_from_string(&html, web_sys::SupportedType::TextHtml)?;
    // No #app (a sign-in page after the session ended, an error page): load it instead.
    let fresh = document
        .get_element_by_id("app")
        .ok_or("the answer is not an app page")?;
    let boot =
        Boot::from_attributes(|name| fresh.get_attribute(name)).ok_or("the page has no boot attributes")?;
    let (root, store) = LIVE
        .with(|live| live.borrow().as_ref().map(|l| (l.root.clone(), l.store)))
        .ok_or("the page is not live")?;
    // The store must stand exactly where the server rendered: catch up to there first; what
    // came after goes in once the page is hydrated.
    let mut later = Vec::new();
    if store.head() < boot.position {
        let (until, rest) = crate::split_at_position(fetch_after(store.head()).await?, boot.position);
        store.append(until);
        later = rest;
    }
    if store.head() != boot.position {
        return Err("the page was rendered at an earlier point than this tab holds".into());
    }
    store.set_view(View::everything());
    LIVE.with(|live| {
        if let Some(live) = live.borrow_mut().as_mut() {
            live.view = None;
        }
    });
    root.remove_attribute("data-hydrated")?;
    for name in fresh.get_attribute_names().iter().filter_map(|n| n.as_string()) {
        if let Some(value) = fresh.get_attribute(&name) {
            root.set_attribute(&name, &value)?;
        }
    }
    root.set_inner_html(&fresh.inner_html());
    // The server rendered without a live connection (it cannot know of one): hydrate as it did,
    // then say what the tab knows, or the live indicator would not match its HTML.
    let live = store.live.get_untracked();
    store.live.set(None);
    let handle = leptos::mount::hydrate_from(root.clone(), move || view! { <App boot=boot store=store/> });
    store.live.set(live);
    LIVE.with(|live| {
        if let Some(live) = live.borrow_mut().as_mut() {
            live.view = Some(Box::new(handle));
        }
    });
    store.append(later);
    root.set_attribute("data-hydrated", "true")?;
    root.set_attribute("data-head", &store.head().to_string())?;
    if let Some(window) = web_sys::window() {
        if push {
            window
                .history()?
                .push_state_with_url(&JsValue::NULL, "", Some(href))?;
        }
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
    Ok(())
}
