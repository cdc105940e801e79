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
        /// Whether the checkpoint's signature verified with the key the auditor pinned (`None`:
        /// no key pinned, so only the chain and the root were checked).
        signed: Option<bool>,
    },
    /// The checkpoint is signed by a key other than the pinned one.
    OtherKey,
    Invalid {
        position: u64,
        reason: String,
    },
    /// The checkpoint or the rows could not be read or did not parse.
    Failed(String),
}

/// Where this browser keeps the public key its auditor trusts (pasted once, kept across
/// sign-outs: it is a trust anchor, not a person's data).
const PINNED_KEY: &str = "spiral-trusted-key";

/// Fetches the current checkpoint and every stored row, and checks them here with the domain's
/// own code: the hash chain and the Merkle root; then the checkpoint's Ed25519 signature against
/// the key the auditor pinned, with the browser's WebCrypto (so no signature code is in the
/// bundle). A checkpoint from the same server proves nothing on its own; signed by the key the
/// auditor got elsewhere (`spiral key show`), it does.
async fn verify_ledger(pinned: Option<[u8; 32]>) -> (Option<String>, Verdict) {
    let text = match current_checkpoint().await {
        Ok(text) => text,
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
    if pinned.is_some_and(|key| key != checkpoint.key) {
        return (Some(text), Verdict::OtherKey);
    }
    let verdict = match checkpoint.check_rows(&rows) {
        Ok(checked) => {
            let signed = match pinned {
                None => None,
                Some(key) => {
                    let message = checkpoint.signed_text();
                    match crate::browser::verify_ed25519(&key, message.as_bytes(), &checkpoint.signature)
                        .await
                    {
                        Ok(valid) => Some(valid),
                        Err(e) => return (Some(text), Verdict::Failed(e)),
                    }
                }
            };
            Verdict::Valid { checked, signed }
        }
        Err(e) => Verdict::Invalid {
            position: e.position,
            reason: e.reason,
        },
    };
    (Some(text), verdict)
}

/// A fresh checkpoint; or, when the server refuses to sign the ledger as it is now (it does not
/// verify, or does not extend what was signed), the last one it kept, to check the rows against.
async fn current_checkpoint() -> Result<String, String> {
    match crate::browser::get_bytes("/api/checkpoint").await {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(refused) => crate::browser::get_json_strings("/api/checkpoints")
            .await?
            .into_iter()
            .last()
            .ok_or(refused),
    }
}

/// 64 hex digits → the 32 bytes of an Ed25519 public key.
fn parse_key(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

#[component]
fn Verify() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.lang().text();
    let checkpoint = RwSignal::new(None::<String>);
    let verdict = RwSignal::new(None::<Verdict>);
    let busy = RwSignal::new(false);
    let pinned = RwSignal::new(String::new());
    Effect::new(move |_| pinned.set(crate::browser::stored(PINNED_KEY).unwrap_or_default()));
    // The current checkpoint, as soon as the page is live (the server signs one on request).
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(text) = current_checkpoint().await {
                if checkpoint.get_untracked().is_none() {
                    checkpoint.set(Some(text));
                }
            }
        });
    });
    let run = move |_| {
        busy.set(true);
        verdict.set(None);
        let key = parse_key(&pinned.get_untracked());
        crate::browser::store(
            PINNED_KEY,
            key.map(|_| pinned.get_untracked()).as_deref().map(str::trim),
        );
        leptos::task::spawn_local(async move {
            let (text, result) = verify_ledger(key).await;
            checkpoint.set(text);
            verdict.set(Some(result));
            busy.set(false);
        });
    };
    let result = move || {
        verdict.get().map(|v| match v {
            Verdict::Valid {
                checked,
                signed: Some(true),
            } => {
                format!("valid — {checked}{} {}", t.audit_valid, t.audit_signed)
            }
            Verdict::Valid {
                checked: _,
                signed: Some(false),
            } => t.audit_bad_signature.to_owned(),
            Verdict::Valid {
                checked,
                signed: None,
            } => {
                format!("valid — {checked}{} {}", t.audit_valid, t.audit_unsigned)
            }
            Verdict::OtherKey => t.audit_other_key.to_owned(),
            Verdict::Invalid { position, reason } => format!("invalid at {position} — {reason}"),
            Verdict::Failed(reason) => format!("{}: {reason}", t.audit_verify_failed),
        })
    };
    view! {
        <section id="verify">
            <h2>{t.audit_checkpoint}</h2>
            <p>{t.audit_verify_hint}</p>
            <label>
                {t.audit_pinned_key}
                <input id="pinned-key" size="66" spellcheck="false" autocomplete="off"
                    prop:value=move || pinned.get()
                    on:input=move |ev| pinned.set(event_target_value(&ev))/>
            </label>
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
