//! The pages left for another, kept live for the back and forward buttons (`navigation`).
//!
//! Each history entry the app makes carries a name (its `history.state`), unique to this tab's
//! document: a page is kept under the name of the entry it was shown at, so coming back to that
//! entry finds it, and an entry of an earlier document (before a reload) never finds another
//! page. A few pages are kept, the least recently left dropped first; a page in playback (a past
//! view of the ledger) is never kept, since the store it shares is set back to the present.

use app::store::Store;
use domain::View;
use leptos::prelude::GetUntracked;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;

/// How many pages are kept: enough for a few steps back through the menu, each holding its
/// DOM (the spiral's is the largest, ~2,000 marks at 200,000 events).
const KEPT: usize = 4;

/// A page taken out of `#app`: its root's attributes, its nodes, its hydrated view (still live,
/// so it follows the store while away) and where the window was scrolled.
pub struct Kept {
    pub entry: String,
    pub attributes: Vec<(String, String)>,
    pub nodes: js_sys::Array,
    pub view: Box<dyn std::any::Any>,
    pub scroll_y: f64,
}

impl Kept {
    /// The page in `root` now, for history entry `entry` (its nodes stay in place until the next
    /// page replaces them).
    pub fn from_root(entry: String, root: &web_sys::HtmlElement, view: Box<dyn std::any::Any>) -> Kept {
        Kept {
            entry,
            attributes: attributes_of(root),
            nodes: js_sys::Array::from(&root.child_nodes()),
            view,
            scroll_y: web_sys::window().and_then(|w| w.scroll_y().ok()).unwrap_or(0.0),
        }
    }
}

thread_local! {
    static PAGES: RefCell<Vec<Kept>> = const { RefCell::new(Vec::new()) };
    static MADE: Cell<u32> = const { Cell::new(0) };
}

/// Whether the page showing `store` can be kept: not while it plays back a past view.
pub fn keepable(store: &Store) -> bool {
    store.view.get_untracked() == View::everything()
}

/// Keeps a page left (replacing one kept for the same entry), dropping the oldest beyond `KEPT`.
pub fn keep(page: Kept) {
    PAGES.with(|pages| {
        let mut pages = pages.borrow_mut();
        pages.retain(|p| p.entry != page.entry);
        pages.push(page);
        if pages.len() > KEPT {
            pages.remove(0);
        }
    });
}

/// Takes the page kept for `entry`, if any.
pub fn take(entry: &str) -> Option<Kept> {
    PAGES.with(|pages| {
        let mut pages = pages.borrow_mut();
        let i = pages.iter().position(|p| p.entry == entry)?;
        Some(pages.remove(i))
    })
}

/// A name for a new history entry: this document's start time (unique between reloads of
/// the tab) and a count.
pub fn new_entry() -> String {
    // In microseconds, as an integer: printing a float would pull float formatting into the
    // bundle.
    let origin = web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0, |p| (p.time_origin() * 1000.0) as u64);
    let n = MADE.with(|m| {
        m.set(m.get() + 1);
        m.get()
    });
    format!("{origin}:{n}")
}

/// The name of the history entry shown now, if the app named it.
pub fn entry_name() -> Option<String> {
    web_sys::window()?.history().ok()?.state().ok()?.as_string()
}

/// Names the history entry shown now (its address unchanged).
pub fn name_this_entry(entry: &str) -> Result<(), JsValue> {
    let history = web_sys::window().ok_or("no window")?.history()?;
    history.replace_state_with_url(&JsValue::from_str(entry), "", None)
}

/// Adds a history entry named `entry` for `href`.
pub fn push_entry(entry: &str, href: &str) -> Result<(), JsValue> {
    let history = web_sys::window().ok_or("no window")?.history()?;
    history.push_state_with_url(&JsValue::from_str(entry), "", Some(href))
}

/// An element's attributes, as name and value.
pub fn attributes_of(element: &web_sys::Element) -> Vec<(String, String)> {
    element
        .get_attribute_names()
        .iter()
        .filter_map(|n| n.as_string())
        .filter_map(|name| Some((name.clone(), element.get_attribute(&name)?)))
        .collect()
}

/// Gives `root` exactly these attributes.
pub fn set_attributes(root: &web_sys::HtmlElement, attributes: &[(String, String)]) -> Result<(), JsValue> {
    for name in root.get_attribute_names().iter().filter_map(|n| n.as_string()) {
        if !attributes.iter().any(|(n, _)| *n == name) {
            root.remove_attribute(&name)?;
        }
    }
    for (name, value) in attributes {
        root.set_attribute(name, value)?;
    }
    Ok(())
}
