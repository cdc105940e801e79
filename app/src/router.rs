//! Which addresses are the app's own pages, and how to open one. The log is downloaded and
//! replayed once per visit: following a link within the app (`frontend`'s navigation) fetches
//! only the new page's server-rendered HTML and hydrates it with the store already in memory,
//! with the browser's history, so back and forward work and every address can be bookmarked.
//!
//! Links stay ordinary `<a href>`s, so they work without JavaScript (the server renders every
//! page). Anything that is not one of the app's pages (signing out, the language switch, another
//! site, a new tab) is left to the browser.

use crate::boot::{Amend, AmendAction, Page};

/// The page an address shows, if it is one of the app's: `path` as in the address bar (its
/// segments percent-encoded), `query` without the `?`.
pub fn page_of(path: &str, query: &str) -> Option<Page> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    Some(match segments.as_slice() {
        [] | [""] => Page::Spiral,
        ["programs"] => Page::Programs,
        ["programs", id] => Page::Program(decode(id)?),
        ["partners"] => Page::Partners,
        ["partners", id] => Page::Partner(decode(id)?),
        ["reports"] => Page::Reports(crate::boot::ReportRange::from_query(query)),
        ["audit"] => Page::Audit,
        ["record"] => {
            let get = |name: &str| {
                query
                    .split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(key, _)| *key == name)
                    .and_then(|(_, value)| decode(value))
            };
            match (get("action"), get("stream"), get("target")) {
                (None, None, None) => Page::Record(None),
                (Some(action), Some(stream), Some(target)) => Page::Record(Some(Amend {
                    action: AmendAction::parse(&action)?,
                    stream,
                    target: target.parse().ok()?,
                })),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// Percent-decoding of one path segment or query value (`+` is not a space in a path).
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// How the browser's entry moves between pages (it owns hydration); set once the page is live.
/// Until then, and on the server, a link is simply followed.
pub type Navigator = fn(&str);

thread_local! {
    static NAVIGATOR: std::cell::Cell<Option<Navigator>> = const { std::cell::Cell::new(None) };
}

/// Installs the browser's way of showing another page without reloading.
pub fn set_navigator(navigator: Navigator) {
    NAVIGATOR.with(|n| n.set(Some(navigator)));
}

/// Opens an address of the app: in place once the page is live, else by loading it.
pub fn navigate(href: &str) {
    match NAVIGATOR.with(std::cell::Cell::get) {
        Some(navigator) => navigator(href),
        None => load(href),
    }
}

/// Has the browser load an address (a full page load).
pub fn load(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_reads_back_from_its_own_address() {
        let amend = Amend {
            action: AmendAction::Correct,
            stream: "program:pc-course-west".into(),
            target: 3,
        };
        for page in [
            Page::Spiral,
            Page::Programs,
            Page::Program("pc-course-west".into()),
            Page::Program("名前 with space".into()),
            Page::Partners,
            Page::Partner("shizuoka-pref".into()),
            Page::Reports(Default::default()),
            Page::Reports(crate::boot::ReportRange {
                from: Some(2020),
                to: Some(2022),
                by_successor: true,
            }),
            Page::Reports(crate::boot::ReportRange {
                from: Some(2015),
                to: None,
                by_successor: false,
            }),
            Page::Audit,
            Page::Record(None),
            Page::Record(Some(amend)),
        ] {
            let address = page.path();
            let (path, query) = address.split_once('?').unwrap_or((&address, ""));
            assert_eq!(page_of(path, query), Some(page.clone()), "{address}");
        }
    }

    #[test]
    fn a_reports_address_ignores_what_is_not_a_year() {
        let range = |query| match page_of("/reports", query) {
            Some(Page::Reports(range)) => range,
            other => panic!("{other:?}"),
        };
        assert_eq!(range("from=99999&to=abc&x=1"), Default::default());
        assert_eq!(range("to=2021&successor=1").to, Some(2021));
        assert!(range("to=2021&successor=1").by_successor);
    }

    #[test]
    fn other_addresses_are_left_to_the_browser() {
        for (path, query) in [
            ("/lang/en", "next=/"),
            ("/logout", ""),
            ("/api/programs", ""),
            ("/programs/a/b", ""),
            ("/record", "action=correct"),
            ("/programs/%ZZ", ""),
        ] {
            assert_eq!(page_of(path, query), None, "{path}?{query}");
        }
    }
}
