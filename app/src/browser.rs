//! The few things only a browser does. On the server these are never reached (they run from
//! event handlers), and compile to nothing.

/// Opens another page of the app.
pub fn navigate(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}
