//! Whole HTML documents, rendered on the server: the app's pages (then hydrated by the WASM
//! bundle under `/pkg`), the sign-in page (a plain form) and the error page.

use crate::boot::Boot;
use crate::i18n::Lang;
use crate::store::Store;
use crate::{App, SignIn};
use domain::{LedgerState, Recorded};
use hydration_context::SsrSharedContext;
use leptos::prelude::*;
use std::sync::Arc;

/// The stylesheet, inline so the first paint needs no second request.
const STYLE: &str = include_str!("style.css");

/// Loads the WASM bundle and starts it; the bundle fetches the log, replays it and hydrates.
/// Served by the server as `/start.js`: pages carry no inline script, so the Content Security
/// Policy can forbid inline scripts altogether.
pub const START_SCRIPT: &str = r#"import init, { start } from "/pkg/frontend.js"; init({ module_or_path: "/pkg/frontend_bg.wasm" }).then(() => start());"#;

const START: &str = r#"<script type="module" src="/start.js"></script>"#;

/// Asks for the bundle from the page's head: the start script sits at the end of a page that
/// can be hundreds of kilobytes (the spiral), and the bundle's fetch and compilation then
/// overlap the parsing instead of following it. The wasm is preloaded as the `fetch` its
/// glue makes (same origin, credentials), so the preloaded response is the one used.
const PRELOAD: &str = concat!(
    r#"<link rel="modulepreload" href="/start.js"><link rel="modulepreload" href="/pkg/frontend.js">"#,
    r#"<link rel="preload" href="/pkg/frontend_bg.wasm" as="fetch" type="application/wasm" crossorigin>"#
);

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn document(lang: Lang, head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Spiral</title><link rel=\"icon\" href=\"data:,\">{head}<style>{STYLE}</style></head><body>{body}</body></html>\n",
        lang.code()
    )
}

/// Renders a view to HTML the way hydration expects it (with the server's shared context).
fn render<V: IntoView + 'static>(make: impl FnOnce() -> V) -> String {
    let owner = Owner::new_root(Some(Arc::new(SsrSharedContext::new())));
    owner.with(|| make().into_view().to_html())
}

/// An app page: `state` is the server's fold at `boot.position`; `events` are the events the
/// page lists line by line (a subject's history).
pub fn app_page(boot: Boot, state: LedgerState, events: Vec<Recorded>) -> String {
    let attributes: String = boot
        .attributes()
        .into_iter()
        .map(|(name, value)| format!(" {name}=\"{}\"", escape(&value)))
        .collect();
    let lang = boot.lang;
    let position = boot.position;
    let html = render(move || {
        let store = Store::new(events, state, position);
        view! { <App boot=boot store=store/> }
    });
    document(
        lang,
        PRELOAD,
        &format!("<div id=\"app\"{attributes}>{html}</div>{START}"),
    )
}

/// The sign-in page; with the problem after a refused attempt.
pub fn sign_in_page(lang: Lang, problem: Option<crate::SignInProblem>, next: String) -> String {
    let html = render(move || view! { <SignIn lang=lang problem=problem next=next/> });
    document(lang, "", &html)
}

pub fn error_page() -> String {
    document(
        Lang::Ja,
        "",
        "<main id=\"main\"><h1>Spiral</h1><p>台帳を読み込めませんでした。しばらくしてから再読み込みしてください。\
         (The ledger could not be read. Please reload in a moment.)</p></main>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boot::{Page, Role};
    use domain::View;

    #[test]
    fn markup_in_names_is_shown_as_text() {
        assert_eq!(
            escape("<script>alert('x')</script> & \""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;"
        );
    }

    /// A city, and a program whose name carries markup.
    fn ledger() -> (Vec<Recorded>, LedgerState) {
        use domain::ids::{PartnerId, ProgramId};
        use domain::partner::PartnerKind;
        use domain::program::{Beneficiary, Pillar, SpiralStage};
        use domain::{Fact, LedgerEvent, Metadata};
        let on = domain::Date::from_ymd(2004, 5, 1).unwrap();
        let facts = [
            Fact::PartnerRegistered {
                partner: PartnerId::new("city").unwrap(),
                name: "市".into(),
                kind: PartnerKind::GovernmentBody,
                parent: None,
            },
            Fact::ProgramLaunched {
                program: ProgramId::new("p1").unwrap(),
                name: "<script>alert(1)</script>".into(),
                pillar: Pillar::Collaboration,
                beneficiaries: vec![Beneficiary::Children],
                stage: SpiralStage::PIONEERING,
            },
        ];
        let events: Vec<Recorded> = facts
            .into_iter()
            .enumerate()
            .map(|(i, fact)| Recorded {
                position: i as u64 + 1,
                stream: fact.subject().stream(),
                sequence: 1,
                event: LedgerEvent::new(on, fact),
                meta: Metadata {
                    actor: "staff:test".into(),
                    correlation_id: format!("c-{i}"),
                    effective: on,
                    reason: None,
                    recorded_at: "2024-01-01T09:00:00Z".parse().unwrap(),
                },
            })
            .collect();
        let state = LedgerState::replay(&events, View::everything());
        (events, state)
    }

    fn boot(page: Page, lang: Lang, position: u64) -> Boot {
        Boot {
            page,
            lang,
            user: "hanako".into(),
            role: Role::Staff,
            today: domain::Date::from_ymd(2026, 11, 28).unwrap(),
            position,
        }
    }

    #[test]
    fn the_spiral_page_has_one_mark_per_timeline_entry_and_lists_every_program() {
        let (_, state) = ledger();
        let marks = state.timeline.len();
        assert!(marks > 0);
        let html = app_page(
            boot(Page::Spiral, Lang::Ja, state.head_position),
            state.clone(),
            vec![],
        );
        assert_eq!(html.matches(" data-kind=").count(), marks);
        assert_eq!(html.matches("<li data-program=").count(), 1);
        assert!(html.contains("台帳には2件のイベント"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script>alert"));
        // The bundle is asked for in the head, before the marks, not only by the script after them.
        let head = &html[..html.find("</head>").expect("a head")];
        assert!(
            head.contains(r#"<link rel="preload" href="/pkg/frontend_bg.wasm""#),
            "{head}"
        );
        assert!(head.contains(r#"<link rel="modulepreload" href="/start.js">"#));
    }

    #[test]
    fn a_program_page_lists_its_history_from_the_events_given() {
        let (events, state) = ledger();
        let program: Vec<Recorded> = events.into_iter().filter(|e| e.stream == "program:p1").collect();
        let html = app_page(boot(Page::Program("p1".into()), Lang::Ja, 2), state, program);
        assert_eq!(html.matches("<tr data-position=").count(), 1, "{html}");
        assert!(html.contains("staff:test"));
    }

    #[test]
    fn english_pages_carry_english_labels() {
        let (_, state) = ledger();
        let html = app_page(boot(Page::Programs, Lang::En, state.head_position), state, vec![]);
        assert!(html.contains(">Programs</a>") && html.contains("lang=\"en\""));
        assert!(!html.contains(">事業</a>"));
    }
}
