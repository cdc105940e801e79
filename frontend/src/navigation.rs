//! Moving between pages without downloading or replaying the log again. Following a link to one
//! of the app's pages (`app::router::page_of`) fetches only that page's HTML, which the server
//! renders from its own fold as it does for a first visit, puts it in place, and hydrates it with
//! the store this tab already holds; the address goes into the browser's history, so back and
//! forward work and every address can be bookmarked. Anything that goes wrong (the session ended,
//! the network is away, the page was rendered at a point the store has already passed) falls back
//! to loading the address, which always works.
//!
//! A page left for another is kept as it was (`kept`), live, for the back and forward buttons:
//! coming back to it shows it at once, as the person left it (zoom, selections, scroll), and up to
//! date, since it followed the store meanwhile. This is what a browser's back-forward cache does
//! for whole documents.
//!
//! Hydrating the server's HTML rather than building pages in the browser keeps every page's
//! client-side construction code out of the bundle: it already holds how to hydrate each one.

use crate::browser::{fetch_after, get_text, mark};
use crate::kept::{self, Kept};
use app::boot::Boot;
use app::router::{load, page_of, set_navigator};
use app::store::Store;
use app::App;
use domain::View;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The live page: its history entry, its root element, the store, and the hydrated view
/// (dropping it unmounts).
struct Live {
    entry: String,
    root: web_sys::HtmlElement,
    store: Store,
    view: Option<Box<dyn std::any::Any>>,
}

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
}

/// Takes over in-app links and the back and forward buttons for the page just hydrated.
pub fn install(root: web_sys::HtmlElement, store: Store, view: Box<dyn std::any::Any>) {
    let entry = kept::new_entry();
    let _ = kept::name_this_entry(&entry);
    LIVE.with(|live| {
        *live.borrow_mut() = Some(Live {
            entry,
            root,
            store,
            view: Some(view),
        })
    });
    set_navigator(|href| go(href.to_owned(), None));
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let on_click = Closure::<dyn FnMut(web_sys::MouseEvent)>::new(move |event: web_sys::MouseEvent| {
        if let Some(href) = in_app_link(&event) {
            event.prevent_default();
            go(href, None);
        }
    });
    let _ = document.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
    let on_pop = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let href = location.pathname().unwrap_or_default() + &location.search().unwrap_or_default();
        // The entry the browser moved to (named when it was made; an entry made otherwise,
        // such as a fragment link's, gets a name now).
        let entry = kept::entry_name().unwrap_or_else(kept::new_entry);
        go(href, Some(entry));
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

/// Shows `href` in place, or loads it: a link followed (`popped` is `None`, a new history entry)
/// or the back or forward button (`popped` names the entry the browser moved to).
fn go(href: String, popped: Option<String>) {
    mark("spiral-nav");
    wasm_bindgen_futures::spawn_local(async move {
        let restored = popped.as_deref().is_some_and(restore);
        if !restored {
            if let Err(e) = show(&href, popped).await {
                web_sys::console::warn_1(&e);
                load(&href);
                return;
            }
        }
        // For the bench: when the person sees the page (BENCHMARKS.md).
        crate::download::next_paint().await;
        mark("spiral-nav-painted");
    });
}

/// Puts back the page kept for history entry `entry`, if there is one; the page being left is
/// kept in its place.
fn restore(entry: &str) -> bool {
    let Some(page) = kept::take(entry) else {
        return false;
    };
    let Some((root, store)) = LIVE.with(|live| live.borrow().as_ref().map(|l| (l.root.clone(), l.store)))
    else {
        return false;
    };
    leave(entry.to_owned());
    let Kept {
        attributes,
        nodes,
        view,
        scroll_y,
        ..
    } = page;
    let shown = kept::set_attributes(&root, &attributes)
        .and_then(|()| {
            root.replace_children_with_node(&nodes);
            LIVE.with(|live| {
                if let Some(live) = live.borrow_mut().as_mut() {
                    live.view = Some(view);
                }
            });
            root.set_attribute("data-head", &store.head().to_string())
        })
        .is_ok();
    // The bench reads a move's stages: here there was nothing to fetch or parse.
    for name in ["spiral-nav-html", "spiral-nav-parsed", "spiral-nav-hydrated"] {
        mark(name);
    }
    if let Some(window) = web_sys::window() {
        window.scroll_to_with_x_and_y(0.0, scroll_y);
    }
    shown
}

/// Moves the live page out of `#app` into the pages kept (or drops it, see `kept::keepable`) and
/// makes `next` the live page's history entry.
fn leave(next: String) {
    LIVE.with(|live| {
        let mut live = live.borrow_mut();
        let Some(live) = live.as_mut() else { return };
        let left = std::mem::replace(&mut live.entry, next);
        if let Some(view) = live.view.take() {
            if kept::keepable(&live.store) {
                kept::keep(Kept::from_root(left, &live.root, view));
            }
        }
    });
}

async fn show(href: &str, popped: Option<String>) -> Result<(), JsValue> {
    let html = get_text(href).await?;
    mark("spiral-nav-html");
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
    let push = popped.is_none();
    let entry = popped.unwrap_or_else(kept::new_entry);
    // Whether the page being left can be kept is decided before the view changes under it.
    leave(entry.clone());
    store.set_view(View::everything());
    let mut attributes = kept::attributes_of(&fresh);
    attributes.retain(|(name, _)| name != "data-hydrated");
    kept::set_attributes(&root, &attributes)?;
    // The parsed nodes move into the page as they are (appending adopts them): writing them out
    // as text and parsing that again cost a second parse of the whole page.
    let children = js_sys::Array::from(&fresh.child_nodes());
    root.replace_children_with_node(&children);
    mark("spiral-nav-parsed");
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
    mark("spiral-nav-hydrated");
    if let Some(window) = web_sys::window() {
        if push {
            kept::push_entry(&entry, href)?;
        } else if kept::entry_name().as_deref() != Some(entry.as_str()) {
            kept::name_this_entry(&entry)?;
        }
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
    Ok(())
}
