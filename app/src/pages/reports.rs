//! Funding reports for grant reporters: the same `domain::report::funding` summary the CLI and
//! API give, computed here from the replayed ledger, with charts (revenue by 活動計算書 category
//! per year, by funder), a drill-down from any figure to the events behind it, and a print
//! view that fits A4.

use crate::boot::ReportRange;
use crate::i18n::Lang;
use crate::spiral::D1;
use crate::store::Store;
use crate::Ctx;
use domain::report::funding::{funding_summary, FundingSummary, Line};
use domain::{FiscalYear, LedgerState, Yen};
use leptos::either::Either;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The 活動計算書 categories in the statement's order, with their colours in the chart.
const CATEGORIES: [(&str, &str); 5] = [
    ("Dues", "#56B4E9"),
    ("Donations", "#009E73"),
    ("GrantsAndSubsidies", "#E69F00"),
    ("ProgramRevenue", "#0072B2"),
    ("Other", "#999999"),
];

/// Where a reporter usually starts: the last closed fiscal year with money received; else the
/// last year up to today's with money or a contract; else today's.
fn latest_year(state: &LedgerState, today: domain::Date) -> FiscalYear {
    let now = FiscalYear::containing(today);
    let money = state.money.iter().map(|m| m.fiscal_year);
    if let Some(closed) = money.clone().filter(|fy| *fy < now).max() {
        return closed;
    }
    let contracts = state
        .programs
        .values()
        .flat_map(|p| p.contracts.iter().map(|c| c.fiscal_year));
    money
        .chain(contracts)
        .filter(|fy| *fy <= now)
        .max()
        .unwrap_or(now)
}

/// Lines of several years summed by key, positions joined, in first-seen order.
fn combine<'a>(lines: impl Iterator<Item = &'a Line>) -> Vec<Line> {
    let mut order = Vec::new();
    let mut sums: BTreeMap<String, Line> = BTreeMap::new();
    for line in lines {
        match sums.get_mut(&line.key) {
            Some(sum) => {
                sum.amount = sum.amount.checked_add(line.amount).unwrap_or(sum.amount);
                sum.positions.extend(&line.positions);
            }
            None => {
                order.push(line.key.clone());
                sums.insert(line.key.clone(), line.clone());
            }
        }
    }
    order.into_iter().filter_map(|k| sums.remove(&k)).collect()
}

/// What a drill-down shows: a title and the positions of the events behind a figure.
type Drill = RwSignal<Option<(String, Vec<u64>)>>;

/// `range`: the years and grouping the page's address asked for (a bookmark, a link someone
/// sent); what it leaves out is chosen from the ledger.
#[component]
pub fn ReportsPage(range: ReportRange) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let latest = || {
        store
            .state
            .with_untracked(|s| latest_year(s, ctx.boot.today))
            .year()
    };
    let from = RwSignal::new(range.from.unwrap_or_else(latest));
    let to = RwSignal::new(range.to.or(range.from).unwrap_or_else(latest));
    let by_successor = RwSignal::new(range.by_successor);
    // The address follows the selection, so the report can be bookmarked and sent.
    Effect::new(move |_| {
        let shown = ReportRange {
            from: Some(from.get()),
            to: Some(to.get()),
            by_successor: by_successor.get(),
        };
        crate::browser::replace_address(&crate::boot::Page::Reports(shown).path());
    });
    let drill: Drill = RwSignal::new(None);
    let summary = Memo::new(move |_| {
        let range = FiscalYear::new(from.get()).and_then(|f| Ok((f, FiscalYear::new(to.get())?)));
        let Ok((f, t)) = range else {
            return Err(lang.text().report_bad_year.to_owned());
        };
        store.state.with(|s| {
            funding_summary(s, f, t, by_successor.get()).map_err(|e| match lang {
                Lang::Ja => e.ja(),
                Lang::En => e.to_string(),
            })
        })
    });
    let year_input = move |id: &'static str, label: &'static str, signal: RwSignal<i32>| {
        view! {
            <label for=id>{label}</label>
            <input id=id type="number" min="1900" max="2200" inputmode="numeric"
                prop:value=move || signal.get().to_string()
                on:change=move |ev| {
                    if let Ok(y) = event_target_value(&ev).trim().parse() {
                        signal.set(y);
                    }
                }/>
        }
    };
    // The same report from the server, as a workbook or CSV for accountants.
    let download = move |format: &str| {
        let successor = if by_successor.get() {
            "&by_successor=true"
        } else {
            ""
        };
        format!(
            "/api/reports/funding?from={}&to={}{successor}&format={format}",
            from.get(),
            to.get()
        )
    };
    let body = move || match summary.get() {
        Err(message) => Either::Left(view! { <p class="error" role="alert">{message}</p> }),
        Ok(s) => Either::Right(report(s, lang, drill)),
    };
    view! {
        <h1>{t.reports_title}</h1>
        <form class="report-controls no-print" on:submit=|ev| ev.prevent_default()>
            {year_input("report-from", t.report_from, from)}
            {year_input("report-to", t.report_to, to)}
            <label class="check">
                <input id="report-successor" type="checkbox" prop:checked=move || by_successor.get()
                    on:change=move |ev| by_successor.set(event_target_checked(&ev))/>
                {t.report_by_successor}
            </label>
            <button type="button" id="report-print" on:click=move |_| crate::browser::print()>{t.report_print}</button>
            <a id="report-xlsx" class="button" download href=move || download("xlsx")>{t.report_xlsx}</a>
            <a id="report-csv" class="button" download href=move || download("csv")>{t.report_csv}</a>
            <a id="report-pst" href="/reports/pst">{t.report_pst}</a>
        </form>
        <div id="report">{body}</div>
        <DrillDown drill=drill/>
    }
}

fn yen(amount: Yen) -> String {
    amount.to_string()
}

/// An amount that opens the events behind it.
fn figure(amount: Yen, title: String, positions: Vec<u64>, drill: Drill) -> impl IntoView {
    let count = positions.len();
    view! {
        <button type="button" class="figure" data-positions=count
            on:click=move |_| drill.set(Some((title.clone(), positions.clone())))>
            {yen(amount)}
        </button>
    }
}

fn category_label(lang: Lang, key: &str, fallback: &str) -> String {
    match (lang, key) {
        (Lang::En, "Dues") => "Membership dues".into(),
        (Lang::En, "Donations") => "Donations".into(),
        (Lang::En, "GrantsAndSubsidies") => "Grants and subsidies".into(),
        (Lang::En, "ProgramRevenue") => "Program revenue (incl. commissions)".into(),
        (Lang::En, "Other") => "Other revenue".into(),
        _ => fallback.to_owned(),
    }
}

fn report(s: FundingSummary, lang: Lang, drill: Drill) -> impl IntoView {
    let t = lang.text();
    let years: Vec<String> = s.years.iter().map(|y| lang.fiscal_year(y.fiscal_year)).collect();
    let range = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
        (Some(a), _) => a.clone(),
        _ => String::new(),
    };
    // Category × year, as the 活動計算書 reads.
    let header = years
        .iter()
        .map(|y| view! { <th scope="col">{y.clone()}</th> })
        .collect_view();
    let category_rows = CATEGORIES
        .iter()
        .map(|(key, colour)| {
            let label = s
                .years
                .first()
                .and_then(|y| y.by_category.iter().find(|l| l.key == *key))
                .map(|l| category_label(lang, key, &l.label))
                .unwrap_or_else(|| category_label(lang, key, key));
            let cells = s
                .years
                .iter()
                .map(|y| {
                    let line = y.by_category.iter().find(|l| l.key == *key);
                    let amount = line.map_or(Yen::ZERO, |l| l.amount);
                    let positions = line.map(|l| l.positions.clone()).unwrap_or_default();
                    let title = format!("{label} · {}", lang.fiscal_year(y.fiscal_year));
                    view! { <td class="money" data-category=*key data-year=y.fiscal_year.year()>{figure(amount, title, positions, drill)}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row"><span class="key" style=format!("background:{colour}")></span>{label}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let totals = s
        .years
        .iter()
        .map(|y| view! { <td class="money total" data-year=y.fiscal_year.year()>{yen(y.total)}</td> })
        .collect_view();
    let carried = s
        .years
        .iter()
        .map(|y| view! { <td class="money">{yen(y.carried_forward)}</td> })
        .collect_view();

    let breakdown = |title: &'static str, id: &'static str, lines: Vec<Line>| {
        let rows = lines
            .into_iter()
            .filter(|l| l.amount != Yen::ZERO)
            .map(|l| {
                let title = format!("{title} · {}", l.label);
                view! {
                    <tr data-key=l.key.clone()>
                        <th scope="row">{l.label.clone()}</th>
                        <td class="money">{figure(l.amount, title, l.positions, drill)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section class="breakdown">
                <h3>{title}</h3>
                <table id=id><tbody>{rows}</tbody></table>
            </section>
        }
    };
    let funders = combine(s.years.iter().flat_map(|y| y.by_funder.iter()));
    let pillars = combine(s.years.iter().flat_map(|y| y.by_pillar.iter()));
    let beneficiaries = combine(s.years.iter().flat_map(|y| y.by_beneficiary.iter()));
    let programs = combine(s.years.iter().flat_map(|y| y.by_program.iter()));
    let commissioners = s
        .commissioners
        .iter()
        .map(|c| {
            let names = c.names.join(" → ");
            let title = format!("{} · {names}", t.report_contracts);
            let positions = c.positions.clone();
            view! {
                <tr data-key=c.key.clone()>
                    <th scope="row">{names}</th>
                    <td class="number">
                        <button type="button" class="figure"
                            on:click=move |_| drill.set(Some((title.clone(), positions.clone())))>
                            {c.contracts}
                        </button>
                    </td>
                    <td class="number">{c.fiscal_years}</td>
                </tr>
            }
        })
        .collect_view();
    // The rules in the page's language (the summary itself carries both).
    let rules = match lang {
        Lang::Ja => domain::report::funding::rules_ja(s.by_successor),
        Lang::En => domain::report::funding::rules_en(s.by_successor),
    }
    .map(|r| view! { <li>{r}</li> })
    .into_iter()
    .collect_view();
    view! {
        <p class="report-range">{range}" · "{t.report_total}": "<strong id="report-total">{yen(s.total)}</strong></p>
        <div class="charts">
            {category_chart(&s, lang)}
            {funder_chart(&funders, lang)}
        </div>
        <section>
            <h2>{t.report_by_category}</h2>
            <div class="scroll">
                <table id="by-category">
                    <thead><tr><th scope="col">{t.report_category}</th>{header}</tr></thead>
                    <tbody>
                        {category_rows}
                        <tr class="total"><th scope="row">{t.report_total}</th>{totals}</tr>
                        <tr><th scope="row">{t.report_carried}</th>{carried}</tr>
                    </tbody>
                </table>
            </div>
        </section>
        <div class="breakdowns">
            {breakdown(t.report_by_funder, "by-funder", funders)}
            {breakdown(t.pillar, "by-pillar", pillars)}
            {breakdown(t.beneficiaries, "by-beneficiary", beneficiaries)}
            {breakdown(t.program, "by-program", programs)}
        </div>
        <section>
            <h2>{t.report_contracts}</h2>
            <div class="scroll">
                <table id="commissioners">
                    <thead><tr>
                        <th scope="col">{t.commissioners}</th>
                        <th scope="col">{t.report_contract_count}</th>
                        <th scope="col">{t.report_contract_years}</th>
                    </tr></thead>
                    <tbody>{commissioners}</tbody>
                </table>
            </div>
        </section>
        <section>
            <h2>{t.report_rules}</h2>
            <ul class="rules">{rules}</ul>
        </section>
    }
}

/// Revenue by category per year: one stacked bar a year.
fn category_chart(s: &FundingSummary, lang: Lang) -> impl IntoView {
    let t = lang.text();
    let max = s.years.iter().map(|y| y.total.value()).max().unwrap_or(0).max(1) as f64;
    let width = 40.0 * s.years.len().max(1) as f64 + 40.0;
    let bars = s
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let x = 30.0 + 40.0 * i as f64;
            let mut top = 180.0;
            let segments = CATEGORIES
                .iter()
                .filter_map(|(key, colour)| {
                    let amount = y.by_category.iter().find(|l| l.key == *key)?.amount.value();
                    let h = 170.0 * amount as f64 / max;
                    top -= h;
                    (amount > 0).then(|| {
                        view! { <rect x=D1(x).to_string() y=D1(top).to_string() width="28" height=D1(h).to_string() fill=*colour/> }
                    })
                })
                .collect_view();
            let label = (y.fiscal_year.year() % 100).to_string();
            view! {
                <g>{segments}<text x=D1(x + 14.0).to_string() y="196" class="axis">{label}</text></g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {} 200", D1(width)) role="img" aria-label=t.report_chart_categories>{bars}</svg>
            <figcaption>{t.report_chart_categories}</figcaption>
        </figure>
    }
}

/// The range's funders as horizontal bars, largest first (the first ten).
fn funder_chart(funders: &[Line], lang: Lang) -> impl IntoView {
    let t = lang.text();
    let mut top: Vec<&Line> = funders.iter().filter(|l| l.amount.value() > 0).collect();
    top.sort_by_key(|l| std::cmp::Reverse(l.amount.value()));
    top.truncate(10);
    let max = top.first().map_or(1, |l| l.amount.value()).max(1) as f64;
    let height = 22.0 * top.len().max(1) as f64;
    let bars = top
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let y = 22.0 * i as f64;
            let w = 200.0 * l.amount.value() as f64 / max;
            let label = l.label.clone();
            view! {
                <g>
                    <text x="0" y=D1(y + 15.0).to_string() class="axis">{label}</text>
                    <rect x="160" y=D1(y + 3.0).to_string() width=D1(w).to_string() height="16" fill="#0072B2"/>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 380 {}", D1(height)) role="img" aria-label=t.report_chart_funders>{bars}</svg>
            <figcaption>{t.report_chart_funders}</figcaption>
        </figure>
    }
}

/// The events behind the figure last opened.
#[component]
fn DrillDown(drill: Drill) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store: Store = ctx.store;
    let body = move || {
        let (title, positions) = drill.get()?;
        let rows = store
            .events_at(&positions)
            .into_iter()
            .map(|e| {
                view! {
                    <tr data-position=e.position>
                        <td>{format!("#{}", e.position)}</td>
                        <td>{lang.date(e.event.on)}</td>
                        <td>{lang.event_kind(e.event.entry.type_name())}</td>
                        <td>{e.stream.clone()}</td>
                        <td>{e.meta.actor.clone()}</td>
                        <td>{lang.recorded(e.meta.recorded_at)}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(view! {
            <section id="drill-down" class="drill" aria-live="polite">
                <h2>{t.report_events_behind}": "{title}</h2>
                <button type="button" class="no-print" on:click=move |_| drill.set(None)>{t.report_close}</button>
                <div class="scroll">
                    <table>
                        <thead><tr>
                            <th scope="col">"#"</th>
                            <th scope="col">{t.effective_date}</th>
                            <th scope="col">{t.event}</th>
                            <th scope="col">{t.report_subject}</th>
                            <th scope="col">{t.actor}</th>
                            <th scope="col">{t.recorded_at}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        })
    };
    view! { {body} }
}
