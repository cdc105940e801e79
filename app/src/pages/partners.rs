//! Partners: government bodies with their departments, funders and citizen groups, each with its
//! names through time and everything connected to it.

use super::history::History;
use crate::boot::encode_segment;
use crate::i18n::Lang;
use crate::Ctx;
use domain::funds::Payer;
use domain::ids::PartnerId;
use domain::projection::PartnerView;
use domain::LedgerState;
use leptos::either::Either;
use leptos::prelude::*;

fn partner_href(id: &PartnerId) -> String {
    format!("/partners/{}", encode_segment(id.as_str()))
}

fn partner_name(s: &LedgerState, id: &PartnerId) -> String {
    s.partners
        .get(id)
        .map_or(id.as_str(), |p| p.current_name())
        .to_owned()
}

#[component]
pub fn PartnersPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    // Top-level partners, each followed by its departments.
    let rows = move || {
        store.state.with(|s| {
            s.partners
                .values()
                .filter(|p| p.parent.is_none())
                .flat_map(|p| {
                    std::iter::once(partner_row(s, p, lang, false)).chain(
                        p.departments
                            .iter()
                            .filter_map(|d| s.partners.get(d))
                            .map(|d| partner_row(s, d, lang, true)),
                    )
                })
                .collect_view()
        })
    };
    view! {
        <h1>{t.partners_title}</h1>
        <div class="scroll">
            <table id="partner-table">
                <thead><tr>
                    <th scope="col">{t.partner}</th>
                    <th scope="col">{t.kind}</th>
                    <th scope="col">{t.names_through_time}</th>
                    <th scope="col">{t.merged_into}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn partner_row(s: &LedgerState, p: &PartnerView, lang: Lang, department: bool) -> impl IntoView {
    let earlier = p
        .names
        .iter()
        .rev()
        .skip(1)
        .map(|n| n.name.as_str())
        .collect::<Vec<_>>()
        .join(" ← ");
    let merged = p.merged_into.as_ref().map(|m| {
        let name = partner_name(s, &m.successor);
        view! { <a href=partner_href(&m.successor)>{name}</a>" ("{lang.date(m.on)}")" }
    });
    view! {
        <tr data-partner=p.id.as_str().to_owned() class:department=department>
            <td><a href=partner_href(&p.id)>{p.current_name().to_owned()}</a></td>
            <td>{lang.partner_kind(p.kind)}</td>
            <td>{earlier}</td>
            <td>{merged}</td>
        </tr>
    }
}

#[component]
pub fn PartnerPage(id: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let stream = format!("partner:{id}");
    let partner_id = PartnerId::new(id).ok();
    let body = move || {
        store.state.with(|s| {
            let Some(p) = partner_id.as_ref().and_then(|id| s.partners.get(id)) else {
                return Either::Left(view! { <h1>{t.not_found}</h1> });
            };
            let names = p
                .names
                .iter()
                .map(|n| view! { <li>{lang.date(n.from)}" "{t.from_date}": "{n.name.clone()}</li> })
                .collect_view();
            let parent = p.parent.as_ref().map(|id| {
                view! { <dt>{t.belongs_to}</dt><dd><a href=partner_href(id)>{partner_name(s, id)}</a></dd> }
            });
            let departments = p
                .departments
                .iter()
                .map(|id| view! { <li><a href=partner_href(id)>{partner_name(s, id)}</a></li> })
                .collect_view();
            let merged = p.merged_into.as_ref().map(|m| {
                view! {
                    <dt>{t.merged_into}</dt>
                    <dd><a href=partner_href(&m.successor)>{partner_name(s, &m.successor)}</a>" ("{lang.date(m.on)}")"</dd>
                }
            });
            Either::Right(view! {
                <h1 id="partner-name">{p.current_name().to_owned()}</h1>
                <dl class="facts">
                    <dt>{t.kind}</dt><dd>{lang.partner_kind(p.kind)}</dd>
                    {parent}
                    {merged}
                </dl>
                <section>
                    <h2>{t.names_through_time}</h2>
                    <ul id="names">{names}</ul>
                </section>
                <section>
                    <h2>{t.departments}</h2>
                    <ul id="departments">{departments}</ul>
                </section>
                {commissioned(s, p, lang)}
                {payments(s, p, lang)}
                {activities(s, p, lang)}
            })
        })
    };
    view! {
        {body}
        <History stream=stream/>
    }
}

/// Programs this partner (or one of its departments) commissioned, by fiscal year, under the
/// name it had in that year.
fn commissioned(s: &LedgerState, p: &PartnerView, lang: Lang) -> impl IntoView {
    let t = lang.text();
    let rows = s
        .programs
        .values()
        .flat_map(|program| {
            program
                .contracts
                .iter()
                .filter(|c| {
                    c.commissioners
                        .iter()
                        .any(|id| *id == p.id || p.departments.contains(id))
                })
                .map(move |c| (program, c))
        })
        .map(|(program, c)| {
            let name = c
                .commissioners
                .iter()
                .filter(|id| **id == p.id || p.departments.contains(id))
                .map(|id| {
                    s.partners
                        .get(id)
                        .map_or(id.as_str(), |x| x.name_on(c.fiscal_year.first_day()))
                })
                .collect::<Vec<_>>()
                .join("、");
            let href = format!("/programs/{}", encode_segment(program.id.as_str()));
            view! {
                <tr>
                    <td>{lang.fiscal_year(c.fiscal_year)}</td>
                    <td><a href=href>{program.name.clone()}</a></td>
                    <td>{name}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{t.commissioned}</h2>
            <div class="scroll">
                <table id="commissioned">
                    <thead><tr>
                        <th scope="col">{t.fiscal_year}</th>
                        <th scope="col">{t.program}</th>
                        <th scope="col">{t.commissioners}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

fn payments(s: &LedgerState, p: &PartnerView, lang: Lang) -> impl IntoView {
    let t = lang.text();
    let rows = s
        .receipts
        .by_year() // the table reads by fiscal year, its first column
        .filter(|r| matches!(&r.payer, Payer::Partner(id) if *id == p.id))
        .map(|r| {
            view! {
                <tr>
                    <td>{lang.fiscal_year(r.fiscal_year)}</td>
                    <td>{lang.fund_kind(r.kind)}</td>
                    <td class="money">{r.amount.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{t.payments}</h2>
            <div class="scroll">
                <table id="payments">
                    <thead><tr>
                        <th scope="col">{t.fiscal_year}</th>
                        <th scope="col">{t.kind}</th>
                        <th scope="col">{t.amount}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Meetings, consultations and proposals the partner took part in, was consulted in or adopted.
fn activities(s: &LedgerState, p: &PartnerView, lang: Lang) -> impl IntoView {
    let t = lang.text();
    let rows = s
        .activities
        .values()
        .filter(|a| a.partners.contains(&p.id) || a.adopted.as_ref().is_some_and(|(_, by)| *by == p.id))
        .map(|a| {
            let program = a.program.as_ref().map(|id| {
                let name = s
                    .programs
                    .get(id)
                    .map_or(id.as_str(), |x| x.name.as_str())
                    .to_owned();
                view! { <a href=format!("/programs/{}", encode_segment(id.as_str()))>{name}</a> }
            });
            view! {
                <tr>
                    <td>{lang.date(a.on)}</td>
                    <td>{lang.event_kind(&a.kind)}</td>
                    <td>{a.title.clone()}</td>
                    <td>{program}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{t.activities}</h2>
            <div class="scroll">
                <table id="partner-activities">
                    <thead><tr>
                        <th scope="col">{t.effective_date}</th>
                        <th scope="col">{t.kind}</th>
                        <th scope="col">{t.event}</th>
                        <th scope="col">{t.program}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
