//! Programs: the list with filters, and a page per program (contracts by fiscal year under the
//! commissioners' names of that year, lineage, activities, full history).

use super::history::History;
use crate::boot::encode_segment;
use crate::i18n::Lang;
use crate::Ctx;
use domain::ids::{PartnerId, ProgramId};
use domain::program::{Beneficiary, Pillar};
use domain::projection::ProgramView;
use domain::{FiscalYear, LedgerState};
use leptos::either::Either;
use leptos::prelude::*;
use std::collections::BTreeSet;

fn program_href(id: &ProgramId) -> String {
    format!("/programs/{}", encode_segment(id.as_str()))
}

fn partner_href(id: &PartnerId) -> String {
    format!("/partners/{}", encode_segment(id.as_str()))
}

/// The list's filters; an empty string means "all".
#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    pillar: String,
    beneficiary: String,
    partner: String,
    fiscal_year: String,
    status: String,
}

impl Filters {
    fn keeps(&self, p: &ProgramView) -> bool {
        let pillar = self.pillar.is_empty() || format!("{:?}", p.pillar) == self.pillar;
        let beneficiary = self.beneficiary.is_empty()
            || p.beneficiaries
                .iter()
                .any(|b| format!("{b:?}") == self.beneficiary);
        let partner = self.partner.is_empty()
            || p.contracts
                .iter()
                .any(|c| c.commissioners.iter().any(|id| id.as_str() == self.partner));
        let year = self.fiscal_year.is_empty()
            || p.contracts
                .iter()
                .any(|c| c.fiscal_year.year().to_string() == self.fiscal_year);
        let status = match self.status.as_str() {
            "active" => p.concluded_on.is_none(),
            "ended" => p.concluded_on.is_some(),
            _ => true,
        };
        pillar && beneficiary && partner && year && status
    }
}

#[component]
pub fn ProgramsPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let filters = RwSignal::new(Filters::default());

    let pillar_options = Pillar::ALL
        .into_iter()
        .map(|p| view! { <option value=format!("{p:?}")>{lang.pillar(p)}</option> })
        .collect_view();
    let beneficiary_options = [
        Beneficiary::Children,
        Beneficiary::DisabledPeople,
        Beneficiary::ForeignResidents,
        Beneficiary::Elderly,
        Beneficiary::CitizenGroups,
        Beneficiary::Residents,
        Beneficiary::GovernmentStaff,
    ]
    .into_iter()
    .map(|b| view! { <option value=format!("{b:?}")>{lang.beneficiary(b)}</option> })
    .collect_view();
    let partner_options = move || {
        store.state.with(|s| {
            let commissioners: BTreeSet<&PartnerId> = s
                .programs
                .values()
                .flat_map(|p| p.contracts.iter().flat_map(|c| c.commissioners.iter()))
                .collect();
            commissioners
                .into_iter()
                .map(|id| {
                    let name = s
                        .partners
                        .get(id)
                        .map_or(id.as_str(), |p| p.current_name())
                        .to_owned();
                    view! { <option value=id.as_str().to_owned()>{name}</option> }
                })
                .collect_view()
        })
    };
    let year_options = move || {
        store.state.with(|s| {
            let years: BTreeSet<FiscalYear> = s
                .programs
                .values()
                .flat_map(|p| p.contracts.iter().map(|c| c.fiscal_year))
                .collect();
            years
                .into_iter()
                .map(|fy| view! { <option value=fy.year().to_string()>{lang.fiscal_year(fy)}</option> })
                .collect_view()
        })
    };
    let rows = move || {
        let f = filters.get();
        store.state.with(|s| {
            let rows: Vec<_> = s
                .programs
                .values()
                .filter(|p| f.keeps(p))
                .map(|p| program_row(p, lang))
                .collect();
            if rows.is_empty() {
                Either::Left(view! { <tr><td colspan="5">{t.no_match}</td></tr> })
            } else {
                Either::Right(rows.collect_view())
            }
        })
    };
    macro_rules! filter {
        ($id:literal, $label:expr, $field:ident, $options:expr) => {
            view! {
                <label>
                    {$label}
                    <select id=$id on:change=move |ev| {
                        let value = event_target_value(&ev);
                        filters.update(|f| f.$field = value);
                    }>
                        <option value="">{t.all}</option>
                        {$options}
                    </select>
                </label>
            }
        };
    }
    view! {
        <h1>{t.programs_title}</h1>
        <form class="filters" on:submit=|ev| ev.prevent_default()>
            {filter!("filter-pillar", t.pillar, pillar, pillar_options)}
            {filter!("filter-beneficiary", t.beneficiaries, beneficiary, beneficiary_options)}
            {filter!("filter-partner", t.partner, partner, partner_options)}
            {filter!("filter-year", t.fiscal_year, fiscal_year, year_options)}
            {filter!("filter-status", t.status, status, view! {
                <option value="active">{t.active}</option>
                <option value="ended">{t.ended}</option>
            })}
        </form>
        <div class="scroll">
            <table id="program-table">
                <thead><tr>
                    <th scope="col">{t.program}</th>
                    <th scope="col">{t.pillar}</th>
                    <th scope="col">{t.beneficiaries}</th>
                    <th scope="col">{t.launched}</th>
                    <th scope="col">{t.contracts}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn program_row(p: &ProgramView, lang: Lang) -> impl IntoView {
    let t = lang.text();
    let beneficiaries = p
        .beneficiaries
        .iter()
        .map(|b| lang.beneficiary(*b))
        .collect::<Vec<_>>()
        .join("、");
    let years = p.contract_years();
    let contracts = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => lang.fiscal_year(*a),
        (Some(a), Some(b)) => format!("{}–{} ({})", a.year(), b.year(), years.len()),
        _ => t.none.to_owned(),
    };
    let launched = match p.concluded_on {
        Some(end) => format!("{} – {}", lang.date(p.launched_on), lang.date(end)),
        None => lang.date(p.launched_on),
    };
    view! {
        <tr data-program=p.id.as_str().to_owned()>
            <td><a href=program_href(&p.id)>{p.name.clone()}</a></td>
            <td>{lang.pillar(p.pillar)}</td>
            <td>{beneficiaries}</td>
            <td>{launched}</td>
            <td>{contracts}</td>
        </tr>
    }
}

#[component]
pub fn ProgramPage(id: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let stream = format!("program:{id}");
    let program_id = ProgramId::new(id).ok();
    let body = move || {
        store.state.with(|s| {
            let Some(p) = program_id.as_ref().and_then(|id| s.programs.get(id)) else {
                return Either::Left(view! { <h1>{t.not_found}</h1> });
            };
            let beneficiaries = p
                .beneficiaries
                .iter()
                .map(|b| lang.beneficiary(*b))
                .collect::<Vec<_>>()
                .join("、");
            let concluded = p
                .concluded_on
                .map(|d| lang.date(d))
                .unwrap_or_else(|| t.active.to_owned());
            Either::Right(view! {
                <h1 id="program-name">{p.name.clone()}</h1>
                <dl class="facts">
                    <dt>{t.pillar}</dt><dd>{lang.pillar(p.pillar)}</dd>
                    <dt>{t.stage}</dt><dd>{lang.stage(p.stage)}</dd>
                    <dt>{t.beneficiaries}</dt><dd>{beneficiaries}</dd>
                    <dt>{t.launched}</dt><dd>{lang.date(p.launched_on)}</dd>
                    <dt>{t.concluded}</dt><dd>{concluded}</dd>
                </dl>
                {contracts(s, p, lang)}
                {lineage(s, p, lang)}
                {activities(s, p, lang)}
            })
        })
    };
    view! {
        {body}
        <History stream=stream/>
    }
}

fn contracts(s: &LedgerState, p: &ProgramView, lang: Lang) -> impl IntoView {
    let t = lang.text();
    let rows = p
        .contracts
        .iter()
        .map(|c| {
            // A department is shown under the name it had in that fiscal year.
            let on = c.fiscal_year.first_day();
            let names = c
                .commissioners
                .iter()
                .map(|id| {
                    let name = s
                        .partners
                        .get(id)
                        .map_or(id.as_str(), |partner| partner.name_on(on))
                        .to_owned();
                    view! { <li><a href=partner_href(id)>{name}</a></li> }
                })
                .collect_view();
            let amount = c.amount.map(|a| a.to_string()).unwrap_or_else(|| "—".into());
            let renewal = if c.renewal { t.renewal } else { "" };
            view! {
                <tr data-fiscal-year=c.fiscal_year.year()>
                    <th scope="row">{lang.fiscal_year(c.fiscal_year)}</th>
                    <td><ul class="commissioners">{names}</ul></td>
                    <td>{c.scheme.clone().unwrap_or_default()}</td>
                    <td class="money">{amount}</td>
                    <td>{renewal}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{t.contracts}</h2>
            <div class="scroll">
                <table id="contracts">
                    <thead><tr>
                        <th scope="col">{t.fiscal_year}</th>
                        <th scope="col">{t.commissioners}</th>
                        <th scope="col">{t.scheme}</th>
                        <th scope="col">{t.amount}</th>
                        <th scope="col">{t.renewal}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

fn lineage(s: &LedgerState, p: &ProgramView, lang: Lang) -> impl IntoView {
    let t = lang.text();
    let link = |id: &ProgramId| {
        let name = s
            .programs
            .get(id)
            .map_or(id.as_str(), |p| p.name.as_str())
            .to_owned();
        view! { <li><a href=program_href(id)>{name}</a></li> }
    };
    let parent = p.parent.as_ref().map(link);
    let children = p.children.iter().map(link).collect_view();
    view! {
        <section id="lineage">
            <h2>{t.lineage}</h2>
            <h3>{t.parent_program}</h3>
            <ul class="parent">{parent}</ul>
            <h3>{t.spin_offs}</h3>
            <ul class="children">{children}</ul>
        </section>
    }
}

fn activities(s: &LedgerState, p: &ProgramView, lang: Lang) -> impl IntoView {
    let t = lang.text();
    let rows = p
        .activities
        .iter()
        .filter_map(|id| s.activities.get(id))
        .map(|a| {
            view! {
                <tr>
                    <td>{lang.date(a.on)}</td>
                    <td>{lang.event_kind(&a.kind)}</td>
                    <td>{a.title.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{t.activities}</h2>
            <div class="scroll">
                <table id="activities">
                    <thead><tr>
                        <th scope="col">{t.effective_date}</th>
                        <th scope="col">{t.kind}</th>
                        <th scope="col">{t.event}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
