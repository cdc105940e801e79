//! A subject's full history, line by line as recorded: effective date, recorded time, who
//! recorded it, what happened and (for corrections and retractions) why.

use crate::boot::{Amend, AmendAction};
use crate::Ctx;
use domain::events::Entry;
use domain::Recorded;
use leptos::prelude::*;

#[component]
pub fn History(stream: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let staff = ctx.boot.role == crate::boot::Role::Staff;
    let rows = move || {
        store
            .stream(&stream)
            .into_iter()
            .map(|e| {
                let what = describe(&e, lang);
                // Staff may correct or retract a fact (not an amendment itself).
                let amend = (staff && !e.event.entry.is_amendment()).then(|| {
                    let link = |action| {
                        Amend {
                            action,
                            stream: e.stream.clone(),
                            target: e.sequence,
                        }
                        .path()
                    };
                    view! {
                        <a class="amend" href=link(AmendAction::Correct)>{t.correct}</a>" "
                        <a class="amend" href=link(AmendAction::Retract)>{t.retract}</a>
                    }
                });
                let reason = match e.event.entry.amends() {
                    Some((_, reason)) => reason.to_owned(),
                    None => e.meta.reason.clone().unwrap_or_default(),
                };
                view! {
                    <tr data-position=e.position>
                        <td>{lang.date(e.meta.effective)}</td>
                        <td>{lang.recorded(e.meta.recorded_at)}</td>
                        <td>{e.meta.actor.clone()}</td>
                        <td>{what}</td>
                        <td>{reason}</td>
                        <td>{amend}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section>
            <h2>{t.history}</h2>
            <div class="scroll">
                <table id="history">
                    <thead><tr>
                        <th scope="col">{t.effective_date}</th>
                        <th scope="col">{t.recorded_at}</th>
                        <th scope="col">{t.actor}</th>
                        <th scope="col">{t.event}</th>
                        <th scope="col">{t.reason}</th>
                        <th scope="col"><span class="visually-hidden">{t.correct}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The event's kind, and for an amendment which entry it amends.
fn describe(e: &Recorded, lang: crate::i18n::Lang) -> String {
    let kind = lang.event_kind(e.event.entry.type_name());
    match &e.event.entry {
        Entry::Corrected { target, fact, .. } => {
            format!("{kind} #{target} → {}", lang.event_kind(fact.type_name()))
        }
        Entry::Retracted { target, .. } => format!("{kind} #{target}"),
        Entry::Fact(_) => format!("{kind} (#{})", e.sequence),
    }
}
