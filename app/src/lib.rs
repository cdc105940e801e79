//! Spiral's pages as Leptos components. The server renders them to HTML (feature `ssr`) from its
//! own fold of the ledger; the browser (feature `hydrate`) replays the downloaded log with the
//! same `domain` projection and hydrates the same components, then keeps them live.

#![recursion_limit = "256"]

pub mod boot;
mod browser;
#[cfg(feature = "ssr")]
pub mod document;
#[cfg(feature = "ssr")]
pub mod donor_desk;
#[cfg(feature = "ssr")]
pub mod gift_upload;
pub mod i18n;
mod pages;
#[cfg(feature = "ssr")]
pub mod print;
#[cfg(feature = "ssr")]
pub mod profile_desk;
#[cfg(feature = "ssr")]
pub mod pst_page;
pub mod record;
#[cfg(feature = "ssr")]
pub mod report_tables;
pub mod router;
pub mod spiral;
pub mod store;

use boot::{Boot, Page, Role};
use i18n::Lang;
use leptos::either::EitherOf9;
use leptos::prelude::*;
use pages::audit::AuditPage;
use pages::partners::{PartnerPage, PartnersPage};
use pages::programs::{ProgramPage, ProgramsPage};
use pages::reports::ReportsPage;
use pages::spiral_page::SpiralPage;
use record::RecordPage;
use store::Store;

/// What every component may read: who is looking, in which language, and the ledger.
#[derive(Clone)]
pub struct Ctx {
    pub boot: Boot,
    pub store: Store,
}

impl Ctx {
    pub fn lang(&self) -> Lang {
        self.boot.lang
    }
}

/// The whole app inside `#app`: the header with the menu, then the page.
#[component]
pub fn App(boot: Boot, store: Store) -> impl IntoView {
    let ctx = Ctx {
        boot: boot.clone(),
        store,
    };
    provide_context(ctx);
    // An `EitherOf9` rather than `into_any()`: a type-erased view keeps every way of rendering
    // its whole subtree in the bundle (async hydration included), which cost a tenth of its size.
    let notice = |text: &'static str| view! { <p class="notice">{text}</p> };
    let page = match boot.page.clone() {
        _ if !boot.role.reads() => EitherOf9::A(notice(boot.lang.text().cannot_read)),
        Page::Spiral => EitherOf9::B(view! { <SpiralPage/> }),
        Page::Programs => EitherOf9::C(view! { <ProgramsPage/> }),
        Page::Program(id) => EitherOf9::D(view! { <ProgramPage id=id/> }),
        Page::Partners => EitherOf9::E(view! { <PartnersPage/> }),
        Page::Partner(id) => EitherOf9::F(view! { <PartnerPage id=id/> }),
        Page::Record(_) if boot.role != Role::Staff => EitherOf9::A(notice(boot.lang.text().cannot_record)),
        Page::Record(amend) => EitherOf9::G(view! { <RecordPage amend=amend/> }),
        Page::Reports(range) => EitherOf9::H(view! { <ReportsPage range=range/> }),
        Page::Audit if boot.role != Role::Auditor => EitherOf9::A(notice(boot.lang.text().cannot_audit)),
        Page::Audit => EitherOf9::I(view! { <AuditPage/> }),
    };
    view! {
        <Header/>
        <main id="main">{page}</main>
    }
}

/// The title bar: the menu (only what the role may do), who is signed in, the language switch.
#[component]
fn Header() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let current = ctx.boot.page.name();
    let item = move |href: &'static str, name: &'static str, label: &'static str| {
        let here = current == name
            || (current == "program" && name == "programs")
            || (current == "partner" && name == "partners");
        view! {
            <li><a href=href aria-current=if here { Some("page") } else { None }>{label}</a></li>
        }
    };
    let menu = ctx.boot.role.reads().then(|| {
        view! {
            {item("/", "spiral", t.nav_spiral)}
            {item("/programs", "programs", t.nav_programs)}
            {item("/partners", "partners", t.nav_partners)}
            {item("/reports", "reports", t.nav_reports)}
            {(ctx.boot.role == Role::Staff).then(|| item("/record", "record", t.nav_record))}
            {(ctx.boot.role == Role::Staff).then(|| item("/donors", "donors", t.nav_donors))}
            {matches!(ctx.boot.role, Role::Staff | Role::Reporter)
                .then(|| item("/receipts", "receipts", t.nav_receipts))}
            {(ctx.boot.role == Role::Auditor).then(|| item("/audit", "audit", t.nav_audit))}
        }
    });
    let switch = format!(
        "/lang/{}?next={}",
        lang.other().code(),
        boot::encode_segment(&ctx.boot.page.path())
    );
    let who = format!(
        "{} {}（{}）",
        t.signed_in_as,
        ctx.boot.user,
        ctx.boot.role.label(lang)
    );
    view! {
        <header class="top">
            <a class="brand" href="/">{t.app_name}</a>
            <nav aria-label=t.nav_label><ul>{menu}</ul></nav>
            <div class="account">
                <span id="who">{who}</span>
                <a id="lang-switch" href=switch lang=lang.other().code()>{t.switch_language}</a>
                <form method="post" action="/logout" on:submit=|_| crate::browser::forget_drafts()>
                    <button type="submit">{t.sign_out}</button>
                </form>
            </div>
        </header>
    }
}

/// The sign-in page: a plain form the server handles, so it works before (or without) WASM.
/// Why the sign-in form is shown again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInProblem {
    WrongPassword,
    /// Too many failures lately: wait this many seconds.
    Wait(u64),
    Busy,
}

#[component]
pub fn SignIn(lang: Lang, problem: Option<SignInProblem>, next: String) -> impl IntoView {
    let t = lang.text();
    let problem = problem.map(|p| match p {
        SignInProblem::WrongPassword => t.sign_in_failed.to_owned(),
        SignInProblem::Wait(seconds) => format!("{}{seconds}{}", t.sign_in_wait.0, t.sign_in_wait.1),
        SignInProblem::Busy => t.sign_in_busy.to_owned(),
    });
    let switch = format!("/lang/{}?next=/login", lang.other().code());
    view! {
        <header class="top">
            <span class="brand">{t.app_name}</span>
            <div class="account">
                <a id="lang-switch" href=switch lang=lang.other().code()>{t.switch_language}</a>
            </div>
        </header>
        <main id="main" class="sign-in">
            <h1>{t.sign_in}</h1>
            {problem.map(|p| view! { <p class="error" role="alert">{p}</p> })}
            <form method="post" action="/login">
                <input type="hidden" name="next" value=next/>
                <label>{t.user_name}<input name="name" autocomplete="username" required autofocus/></label>
                <label>
                    {t.password}
                    <input name="password" type="password" autocomplete="current-password" required/>
                </label>
                <button type="submit">{t.sign_in}</button>
            </form>
        </main>
    }
}
