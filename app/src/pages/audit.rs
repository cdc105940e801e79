//! The auditor's view of the log: every event as recorded, with filters (who, what, which
//! subject, when recorded, when in effect), and every correction and retraction with its reason
//! beside what it amended.

use crate::record::form::KINDS;
use crate::Ctx;
use domain::events::Entry;
use domain::Recorded;
use leptos::prelude::*;

/// Rows shown at most; the count says how many matched.
const SHOWN: usize = 500;

#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    actor: String,
    kind: String,
    subject: String,
    recorded_from: String,
    recorded_to: String,
    effective_from: String,
    effective_to: String,
}

impl Filters {
    fn keeps(&self, e: &Recorded) -> bool {
        let recorded = e.meta.recorded_at.date_naive().to_string();
        let effective = e.event.on.to_string();
        // Dates compare as text: both sides are YYYY-MM-DD.
        let within = |value: &str, from: &str, to: &str| {
            (from.is_empty() || value >= from) && (to.is_empty() || value <= to)
        };
        (self.actor.is_empty() || e.meta.actor.contains(self.actor.trim()))
            && (self.kind.is_empty() || e.event.entry.type_name() == self.kind)
            && (self.subject.is_empty() || e.stream.contains(self.subject.trim()))
            && within(&recorded, &self.recorded_from, &self.recorded_to)
            && within(&effective, &self.effective_from, &self.effective_to)
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let filters = RwSignal::new(Filters::default());

    let matches = Memo::new(move |_| {
        let f = filters.get();
        store.with_events(|events| {
            let matching: Vec<&Recorded> = events.iter().filter(|e| f.keeps(e)).collect();
            let total = matching.len();
            (
                total,
                matching.into_iter().take(SHOWN).cloned().collect::<Vec<_>>(),
            )
        })
    });
    let rows = move || {
        matches.with(|(_, shown)| {
            shown
                .iter()
                .map(|e| {
                    view! {
                        <tr data-position=e.position>
                            <td>{e.position}</td>
                            <td>{lang.recorded(e.meta.recorded_at)}</td>
                            <td>{lang.date(e.event.on)}</td>
                            <td>{e.meta.actor.clone()}</td>
                            <td>{lang.event_kind(e.event.entry.type_name())}</td>
                            <td>{format!("{} #{}", e.stream, e.sequence)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let count = move || {
        let (total, shown) = matches.with(|(total, shown)| (*total, shown.len()));
        format!("{total}{} ({shown}{})", t.audit_matching, t.audit_shown)
    };
    macro_rules! text_filter {
        ($id:literal, $label:expr, $field:ident, $kind:literal) => {
            view! {
                <label>
                    {$label}
                    <input id=$id type=$kind on:change=move |ev| {
                        let value = event_target_value(&ev);
                        filters.update(|f| f.$field = value);
                    }/>
                </label>
            }
        };
    }
    let kinds = KINDS
        .iter()
        .chain(["Corrected", "Retracted"].iter())
        .map(|k| view! { <option value=*k>{lang.event_kind(k)}</option> })
        .collect_view();
    view! {
        <h1>{t.audit_title}</h1>
        <form class="filters" on:submit=|ev| ev.prevent_default()>
            {text_filter!("audit-actor", t.actor, actor, "text")}
            <label>
                {t.event}
                <select id="audit-kind" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    filters.update(|f| f.kind = value);
                }>
                    <option value="">{t.all}</option>
                    {kinds}
                </select>
            </label>
            {text_filter!("audit-subject", t.audit_subject, subject, "text")}
            {text_filter!("audit-recorded-from", t.audit_recorded_from, recorded_from, "date")}
            {text_filter!("audit-recorded-to", t.audit_recorded_to, recorded_to, "date")}
            {text_filter!("audit-effective-from", t.audit_effective_from, effective_from, "date")}
            {text_filter!("audit-effective-to", t.audit_effective_to, effective_to, "date")}
        </form>
        <p id="audit-count" aria-live="polite">{count}</p>
        <div class="scroll">
            <table id="audit-log">
                <thead><tr>
                    <th scope="col">"#"</th>
                    <th scope="col">{t.recorded_at}</th>
                    <th scope="col">{t.effective_date}</th>
                    <th scope="col">{t.actor}</th>
                    <th scope="col">{t.event}</th>
                    <th scope="col">{t.audit_subject}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Verify/>
        <Amendments/>
    }
}

/// How checking the ledger against the current checkpoint ended.
#[derive(Debug, Clone, PartialEq)]
enum Verdict {
    Valid {
        checked: u64,
    },
    Invalid {
        position: u64,
        reason: String,
    },
    /// The checkpoint or the rows could not be read or did not parse.
    Failed(String),
}

/// Fetches the current checkpoint and every stored row, and checks them here with the domain's
/// own code: the hash chain and the Merkle root. The checkpoint's signature is checked by
/// `spiral audit` against a key the auditor trusts; the page shows the checkpoint's text (with
/// its key) and leaves the signature code out of the bundle, which it would push past 400 KB.
async fn verify_ledger() -> (Option<String>, Verdict) {
    let text = match crate::browser::get_bytes("/api/checkpoint").await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => return (None, Verdict::Failed(e)),
    };
    let checkpoint = match domain::checkpoint::Checkpoint::parse(&text) {
        Ok(cp) => cp,
        Err(e) => return (Some(text), Verdict::Failed(e.to_string())),
    };
    let mut rows: Vec<domain::chain::Row> = Vec::new();
    loop {
        const PAGE: u64 = 100_000;
        let after = rows.last().map_or(0, |r| r.position);
        let page: Vec<domain::chain::Row> =
            match crate::browser::get_bytes(&format!("/api/rows?after={after}&limit={PAGE}")).await {
                Ok(bytes) => match postcard::from_bytes(&bytes) {
                    Ok(page) => page,
                    Err(e) => return (Some(text), Verdict::Failed(e.to_string())),
                },
                Err(e) => return (Some(text), Verdict::Failed(e)),
            };
        let full = page.len() as u64 == PAGE;
        rows.extend(page);
        if !full {
            break;
        }
    }
    let verdict = match checkpoint.check_rows(&rows) {
        Ok(checked) => Verdict::Valid { checked },
        Err(e) => Verdict::Invalid {
            position: e.position,
            reason: e.reason,
        },
    };
    (Some(text), verdict)
}

#[component]
fn Verify() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.lang().text();
    let checkpoint = RwSignal::new(None::<String>);
    let verdict = RwSignal::new(None::<Verdict>);
    let busy = RwSignal::new(false);
    // The current checkpoint, as soon as the page is live (the server signs one on request).
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(bytes) = crate::browser::get_bytes("/api/checkpoint").await {
                if checkpoint.get_untracked().is_none() {
                    checkpoint.set(Some(String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
        });
    });
    let run = move |_| {
        busy.set(true);
        verdict.set(None);
        leptos::task::spawn_local(async move {
            let (text, result) = verify_ledger().await;
            checkpoint.set(text);
            verdict.set(Some(result));
            busy.set(false);
        });
    };
    let result = move || {
        verdict.get().map(|v| match v {
            Verdict::Valid { checked } => format!("valid — {checked}{}", t.audit_valid),
            Verdict::Invalid { position, reason } => format!("invalid at {position} — {reason}"),
            Verdict::Failed(reason) => format!("{}: {reason}", t.audit_verify_failed),
        })
    };
    view! {
        <section id="verify">
            <h2>{t.audit_checkpoint}</h2>
            <p>{t.audit_verify_hint}</p>
            <button type="button" id="verify-button" disabled=move || busy.get() on:click=run>{t.audit_verify}</button>
            <p id="verify-result" role="status">{result}</p>
            <pre id="checkpoint-text">{move || checkpoint.get()}</pre>
        </section>
    }
}

/// Every correction and retraction, with its reason beside the event it amended.
#[component]
fn Amendments() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let rows = move || {
        store.with_events(|events| {
            events
                .iter()
                .filter_map(|e| {
                    let (target, reason, replacement) = match &e.event.entry {
                        Entry::Corrected { target, reason, fact } => {
                            (*target, reason, Some(fact.type_name()))
                        }
                        Entry::Retracted { target, reason } => (*target, reason, None),
                        Entry::Fact(_) => return None,
                    };
                    let original = events
                        .iter()
                        .find(|o| o.stream == e.stream && o.sequence == target);
                    let what = original.map_or_else(
                        || format!("{} #{target}", e.stream),
                        |o| {
                            format!(
                                "{} #{target}: {} ({})",
                                e.stream,
                                lang.event_kind(o.event.entry.type_name()),
                                lang.date(o.event.on)
                            )
                        },
                    );
                    let change = match replacement {
                        Some(kind) => format!("{} → {}", t.correct, lang.event_kind(kind)),
                        None => t.retract.to_owned(),
                    };
                    Some(view! {
                        <tr data-position=e.position>
                            <td>{what}</td>
                            <td>{change}</td>
                            <td class="reason">{reason.clone()}</td>
                            <td>{e.meta.actor.clone()}</td>
                            <td>{lang.recorded(e.meta.recorded_at)}</td>
                        </tr>
                    })
                })
                .collect_view()
        })
    };
    view! {
        <section>
            <h2>{t.audit_amendments}</h2>
            <div class="scroll">
                <table id="amendments">
                    <thead><tr>
                        <th scope="col">{t.audit_amended}</th>
                        <th scope="col">{t.event}</th>
                        <th scope="col">{t.reason}</th>
                        <th scope="col">{t.actor}</th>
                        <th scope="col">{t.recorded_at}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
