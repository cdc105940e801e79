//! The home page: the spiral of activities, its legend, playback through history, and the
//! programs as a plain list (what a screen reader or a phone reads first).

use crate::boot::encode_segment;
use crate::browser::{mark_position, navigate};
use crate::i18n::Lang;
use crate::spiral::{colour, shape, Geometry, D1, SIZE};
use crate::store::Store;
use crate::Ctx;
use domain::events::SubjectRef;
use domain::program::{Pillar, SpiralStage};
use domain::projection::TimelineEntry;
use domain::{LedgerState, View};
use leptos::either::Either;
use leptos::prelude::*;
use std::time::Duration;

#[component]
pub fn SpiralPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.lang().text();
    let store = ctx.store;
    let size = move || {
        let n = store.state.with(|s| s.events_seen);
        format!("{}{}{}", t.ledger_size, n, t.events_unit)
    };
    // The mark under the pointer or keyboard focus, by position.
    let focused = RwSignal::new(None::<u64>);
    view! {
        <h1>{t.spiral_title}</h1>
        <p id="ledger-size" aria-live="polite">{size}" "<LiveStatus/></p>
        <Playback/>
        <div class="spiral-box">
            <SpiralSvg focused=focused/>
            <MarkDetail focused=focused/>
        </div>
        <Legend/>
        <ProgramList/>
    }
}

/// Whether new events will arrive by themselves (nothing until the browser has connected).
#[component]
fn LiveStatus() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.lang().text();
    let live = ctx.store.live;
    move || match live.get() {
        Some(true) => Some(Either::Left(
            view! { <span id="live-status" class="live">{t.live}</span> },
        )),
        Some(false) => Some(Either::Right(
            view! { <span id="live-status" class="offline" role="alert">{t.offline}</span> },
        )),
        None => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Effective,
    Recorded,
}

/// Playback: the ledger as it stood on a date, or as it had been recorded by a time. Every
/// change replays the log in the browser with the domain's projection.
#[component]
fn Playback() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let today = ctx.boot.today;
    let first = move || store.first_on.get().unwrap_or(today).min(today);
    let total_days = move || today.days_since(first());
    let mode = RwSignal::new(Mode::Effective);
    // Days after `first` in effective mode; a position in recorded mode.
    let day = RwSignal::new(None::<i64>);
    let position = RwSignal::new(None::<u64>);
    let playing = RwSignal::new(false);

    let show_day = move |d: i64| {
        let d = d.clamp(0, total_days());
        day.set(Some(d));
        let date = first().plus_days(d);
        store.set_view(View {
            as_of: Some(date),
            known_at: None,
        });
    };
    let show_position = move |p: u64| {
        let p = p.clamp(1, store.head().max(1));
        position.set(Some(p));
        store.set_view(View {
            as_of: None,
            known_at: store.recorded_at(p),
        });
    };
    let now = move || {
        playing.set(false);
        day.set(None);
        position.set(None);
        store.set_view(View::everything());
    };
    let play = move |_| {
        if playing.get_untracked() {
            playing.set(false);
            return;
        }
        // Start from the beginning unless paused part-way.
        match mode.get_untracked() {
            Mode::Effective if day.get_untracked().is_none_or(|d| d >= total_days()) => show_day(0),
            Mode::Recorded if position.get_untracked().is_none_or(|p| p >= store.head()) => show_position(1),
            _ => {}
        }
        playing.set(true);
        step(
            store,
            mode,
            day,
            position,
            playing,
            total_days,
            show_day,
            show_position,
        );
    };

    let status = move || match (mode.get(), day.get(), position.get()) {
        (Mode::Effective, Some(d), _) => {
            format!("{}: {}", t.showing_as_of, lang.date(first().plus_days(d)))
        }
        (Mode::Recorded, _, Some(p)) => format!(
            "{}: {} (#{p})",
            t.showing_recorded_by,
            store
                .recorded_at(p)
                .map(|at| lang.recorded(at))
                .unwrap_or_default()
        ),
        _ => t.showing_everything.to_owned(),
    };
    // Rebuilt only when the mode changes, so a slider being dragged is never replaced.
    let controls = move || match mode.get() {
        Mode::Effective => {
            let value = move || day.get().unwrap_or_else(total_days);
            let date = move || first().plus_days(value()).to_string();
            Either::Left(view! {
                <label class="slider">
                    {t.playback_date}
                    <input id="playback-slider" type="range" min="0" max=total_days
                        value=value prop:value=value
                        on:input=move |ev| show_day(event_target_value(&ev).parse().unwrap_or(0))/>
                </label>
                <input id="playback-date" type="date" aria-label=t.playback_date
                    min=move || first().to_string() max=today.to_string() value=date prop:value=date
                    on:change=move |ev| {
                        if let Some(d) = crate::i18n::parse_date(&event_target_value(&ev)) {
                            show_day(d.days_since(first()));
                        }
                    }/>
            })
        }
        Mode::Recorded => {
            let head = move || store.state.with(|_| store.head().max(1));
            let value = move || position.get().unwrap_or_else(head);
            Either::Right(view! {
                <label class="slider">
                    {t.playback_position}
                    <input id="playback-recorded" type="range" min="1" max=head value=value prop:value=value
                        on:input=move |ev| show_position(event_target_value(&ev).parse().unwrap_or(1))/>
                </label>
            })
        }
    };
    view! {
        <fieldset id="playback" class="playback">
            <legend>{t.playback}</legend>
            <div class="modes" role="radiogroup">
                <label>
                    <input type="radio" name="playback-mode" value="effective"
                        prop:checked=move || mode.get() == Mode::Effective
                        on:change=move |_| { mode.set(Mode::Effective); now(); }/>
                    {t.playback_effective}
                </label>
                <label>
                    <input type="radio" name="playback-mode" value="recorded"
                        prop:checked=move || mode.get() == Mode::Recorded
                        on:change=move |_| { mode.set(Mode::Recorded); now(); }/>
                    {t.playback_recorded}
                </label>
            </div>
            <div class="controls">
                {controls}
                <button id="play" type="button" on:click=play aria-pressed=move || playing.get().to_string()>
                    {move || if playing.get() { t.pause } else { t.play }}
                </button>
                <button id="playback-now" type="button" on:click=move |_| now()>{t.playback_now}</button>
            </div>
            <p id="playback-status" aria-live="polite">{status}</p>
        </fieldset>
    }
}

/// One tick of playback: about seven seconds from start to end, whatever the ledger's size.
#[allow(clippy::too_many_arguments)]
fn step(
    store: Store,
    mode: RwSignal<Mode>,
    day: RwSignal<Option<i64>>,
    position: RwSignal<Option<u64>>,
    playing: RwSignal<bool>,
    total_days: impl Fn() -> i64 + Copy + Send + Sync + 'static,
    show_day: impl Fn(i64) + Copy + Send + Sync + 'static,
    show_position: impl Fn(u64) + Copy + Send + Sync + 'static,
) {
    set_timeout(
        move || {
            if !playing.get_untracked() {
                return;
            }
            let done = match mode.get_untracked() {
                Mode::Effective => {
                    let total = total_days();
                    let next = day.get_untracked().unwrap_or(0) + (total / 50).max(1);
                    show_day(next);
                    next >= total
                }
                Mode::Recorded => {
                    let head = store.head();
                    let next = position.get_untracked().unwrap_or(1) + (head / 50).max(1);
                    show_position(next);
                    next >= head
                }
            };
            if done {
                playing.set(false);
            } else {
                step(
                    store,
                    mode,
                    day,
                    position,
                    playing,
                    total_days,
                    show_day,
                    show_position,
                );
            }
        },
        Duration::from_millis(140),
    );
}

/// What a mark stands for, in words: its kind, its name and its date.
/// Zoom at which every mark is drawn (the zoom-in button multiplies by 1.5: the third press).
const DETAIL_ZOOM: f64 = 3.0;

/// One mark for the `n` marks of `first`'s year and stage, sized by their number; pressing it
/// zooms in on the cell, where each mark is drawn.
fn group_mark(
    g: &Geometry,
    first: &TimelineEntry,
    n: u32,
    lang: Lang,
    zoom: RwSignal<f64>,
    centre: RwSignal<(f64, f64)>,
) -> impl IntoView {
    let fy = first.on.fiscal_year();
    let (x, y) = g.stage_point(fy, first.stage, 0, 1);
    let r = (4.0 + f64::from(n).sqrt()).min(g.gap() * 0.45).max(3.0);
    let open = move || {
        zoom.set(DETAIL_ZOOM);
        centre.set((x, y));
    };
    view! {
        <g class="group" data-count=n data-year=fy.year() data-stage=first.stage.number()
            tabindex="0" role="button" aria-label=lang.grouped_marks(fy, first.stage, n as usize)
            on:click=move |_| open()
            on:keydown=move |ev| { if ev.key() == "Enter" { open() } }>
            <circle cx=D1(x).to_string() cy=D1(y).to_string() r=D1(r).to_string() fill=colour(first.pillar)/>
            <text x=D1(x).to_string() y=D1(y).to_string()>{n}</text>
        </g>
    }
}

fn describe(state: &LedgerState, entry: &TimelineEntry, lang: Lang) -> String {
    format!(
        "{}: {} ({})",
        lang.event_kind(&entry.kind),
        mark_name(state, entry),
        lang.date(entry.on)
    )
}

fn mark_name(state: &LedgerState, entry: &TimelineEntry) -> String {
    if let Some(label) = &entry.label {
        return label.clone();
    }
    match &entry.subject {
        SubjectRef::Program(id) => state
            .programs
            .get(id)
            .map_or_else(|| id.as_str().to_owned(), |p| p.name.clone()),
        other => other.stream(),
    }
}

/// Where clicking a mark leads: its program's page, or its partner's.
fn mark_href(entry: &TimelineEntry) -> Option<String> {
    if let Some(program) = &entry.program {
        return Some(format!("/programs/{}", encode_segment(program.as_str())));
    }
    match &entry.subject {
        SubjectRef::Partner(id) => Some(format!("/partners/{}", encode_segment(id.as_str()))),
        _ => None,
    }
}

#[component]
fn SpiralSvg(focused: RwSignal<Option<u64>>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let today = ctx.boot.today;
    let geometry = Memo::new(move |_| Geometry::new(store.first_on.get().unwrap_or(today), today));
    // Zoom and pan: the visible square's width and centre in the SVG's own units.
    let zoom = RwSignal::new(1.0_f64);
    let centre = RwSignal::new((SIZE / 2.0, SIZE / 2.0));
    // One listener for all the marks, not four per mark: at 2,000 marks, adding them was much
    // of hydrating the spiral (BENCHMARKS.md). The mark is found by its `data-position`.
    let show_mark = move |ev: &leptos::ev::Event| {
        if let Some(position) = mark_position(ev) {
            if focused.get_untracked() != Some(position) {
                focused.set(Some(position));
            }
        }
    };
    let open_mark = move |ev: &leptos::ev::Event| {
        let Some(position) = mark_position(ev) else { return };
        let href = store.state.with_untracked(|s| {
            s.timeline
                .iter()
                .find(|e| e.position == position)
                .and_then(mark_href)
        });
        if let Some(href) = href {
            navigate(&href);
        }
    };
    let view_box = move || {
        let w = SIZE / zoom.get();
        let (cx, cy) = centre.get();
        format!("{} {} {} {}", D1(cx - w / 2.0), D1(cy - w / 2.0), D1(w), D1(w))
    };
    let pan = move |dx: f64, dy: f64| {
        let w = SIZE / zoom.get_untracked();
        centre.update(|(x, y)| {
            *x += dx * w / 4.0;
            *y += dy * w / 4.0;
        });
    };

    let years = move || {
        let g = geometry.get();
        // Where each turn begins, just left of the line between stage 9 and stage 1 (stage 1's
        // marks lie to its right); with many years, every fifth, the first and the last.
        let (first, count) = (g.first_year().year(), g.years().count() as i32);
        g.years()
            .filter(move |fy| {
                let i = fy.year() - first;
                count <= 12 || i == 0 || i == count - 1 || fy.year() % 5 == 0
            })
            .map(|fy| {
                let turns = f64::from(fy.year() - g.first_year().year());
                let (x, y) = g.point_at(turns, 0.0);
                let label = fy.year().to_string();
                view! { <text class="year" x=D1(x - 3.0).to_string() y=D1(y + 4.0).to_string()>{label}</text> }
            })
            .collect_view()
    };
    // The nine stages around every turn (a faint line between them, their numbers outside) and
    // each year's money as a band along its turn, one stripe per pillar, as wide as its share of
    // the largest year's total: a ledger of receipts reads as the NPO's funding over time, not as
    // a disc of dots. Written as SVG text: static shapes need none of the reactive view code.
    let sectors = move || sectors_svg(&geometry.get());
    let money = move || store.state.with(|s| money_svg(&geometry.get(), s, lang));
    let lineage = move || {
        let g = geometry.get();
        store.state.with(|s| {
            s.programs
                .values()
                .filter_map(|child| {
                    let parent = s.programs.get(child.parent.as_ref()?)?;
                    let (x1, y1) = g.point(parent.launched_on);
                    let (x2, y2) = g.point(child.launched_on);
                    let d = format!("M{},{}L{},{}", D1(x1), D1(y1), D1(x2), D1(y2));
                    Some(view! { <path class="lineage" d=d marker-end="url(#arrow)"/> })
                })
                .collect_view()
        })
    };
    // Level of detail: drawn whole, a year's ninth holding more marks than fit side by side is
    // one group mark with its count; zoomed in, every mark, smaller.
    let detailed = Memo::new(move |_| zoom.get() >= DETAIL_ZOOM);
    let marks = move || {
        let g = geometry.get();
        let detail = detailed.get();
        let fresh_after = store.rendered_at;
        store.state.with(|s| {
            // How many marks share each year's ninth, to spread them across it: a count per
            // (year, stage) cell, in a flat list (a map type would cost the bundle more).
            let first = g.first_year().year();
            let cell = |e: &TimelineEntry| {
                let year = usize::try_from(e.on.fiscal_year().year() - first).unwrap_or(0);
                year * 9 + usize::from(e.stage.number().saturating_sub(1))
            };
            let cells = g.years().count() * 9 + 9;
            let mut sharing = vec![0u32; cells];
            for entry in &s.timeline {
                if let Some(n) = sharing.get_mut(cell(entry)) {
                    *n += 1;
                }
            }
            let mut placed = vec![0u32; cells];
            s.timeline
                .iter()
                .filter_map(|entry| {
                    let c = cell(entry);
                    let k = placed.get(c).copied().unwrap_or(0);
                    if let Some(p) = placed.get_mut(c) {
                        *p += 1;
                    }
                    let n = sharing.get(c).copied().unwrap_or(1);
                    let fy = entry.on.fiscal_year();
                    let crowded = n > g.cell_capacity(fy, entry.stage);
                    if crowded && !detail {
                        // The cell's first mark stands for all of them.
                        return (k == 0).then(|| Either::Right(group_mark(&g, entry, n, lang, zoom, centre)));
                    }
                    let (x, y) = g.stage_point(fy, entry.stage, k, n);
                    let d = shape(entry.stage, x, y, g.mark_radius(fy, entry.stage, n));
                    let name = describe(s, entry, lang);
                    let position = entry.position;
                    // Pointer, focus, click and Enter are heard once for all marks (`marks_heard`).
                    Some(Either::Left(view! {
                        <g class="mark" class:new={position > fresh_after}
                            data-position=position data-kind=entry.kind.to_string()
                            data-program=entry.program.as_ref().map(|p| p.as_str().to_owned())
                            tabindex="0" role={if mark_href(entry).is_some() { "link" } else { "img" }}
                            aria-label=name>
                            <path d=d fill=colour(entry.pillar)/>
                        </g>
                    }))
                })
                .collect_view()
        })
    };
    view! {
        <div class="zoom" role="toolbar" aria-label=t.spiral_title>
            <button type="button" on:click=move |_| zoom.update(|z| *z = (*z * 1.5).min(12.0))>{t.zoom_in}</button>
            <button type="button" on:click=move |_| zoom.update(|z| *z = (*z / 1.5).max(1.0))>{t.zoom_out}</button>
            <button type="button" on:click=move |_| { zoom.set(1.0); centre.set((SIZE / 2.0, SIZE / 2.0)); }>
                {t.zoom_reset}
            </button>
            <button type="button" aria-label=t.pan_left title=t.pan_left on:click=move |_| pan(-1.0, 0.0)>"←"</button>
            <button type="button" aria-label=t.pan_up title=t.pan_up on:click=move |_| pan(0.0, -1.0)>"↑"</button>
            <button type="button" aria-label=t.pan_down title=t.pan_down on:click=move |_| pan(0.0, 1.0)>"↓"</button>
            <button type="button" aria-label=t.pan_right title=t.pan_right on:click=move |_| pan(1.0, 0.0)>"→"</button>
        </div>
        <svg id="spiral" viewBox=view_box role="group" aria-label=t.spiral_label
            xmlns="http://www.w3.org/2000/svg">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6"
                    orient="auto-start-reverse">
                    <path d="M0,0L10,5L0,10Z" class="arrow-head"/>
                </marker>
            </defs>
            <g class="sectors" inner_html=sectors></g>
            <g class="money" inner_html=money></g>
            <path class="spiral-line" d=move || geometry.get().path()/>
            <g class="years">{years}</g>
            <g class="lineages">{lineage}</g>
            <g class="marks"
                on:mouseover=move |ev| show_mark(&ev)
                on:focusin=move |ev| show_mark(&ev)
                on:click=move |ev| open_mark(&ev)
                on:keydown=move |ev| { if ev.key() == "Enter" { open_mark(&ev) } }>
                {marks}
            </g>
        </svg>
    }
}

/// The lines between the nine stages and their numbers, as SVG elements.
fn sectors_svg(g: &Geometry) -> String {
    let mut svg = String::new();
    for k in 0..9u32 {
        let ((x1, y1), (x2, y2), (lx, ly)) = g.sector(k);
        svg.push_str(&format!(
            "<path class=\"sector\" d=\"M{},{}L{},{}\"/><text class=\"stage-number\" x=\"{}\" y=\"{}\">{}</text>",
            D1(x1),
            D1(y1),
            D1(x2),
            D1(y2),
            D1(lx),
            D1(ly),
            k + 1
        ));
    }
    svg
}

/// Each fiscal year's money as stripes along its turn, by pillar, with the year's total as its
/// title (what a pointer or a screen reader finds).
fn money_svg(g: &Geometry, s: &LedgerState, lang: Lang) -> String {
    let largest = s
        .money
        .iter()
        .map(|m| m.total().value())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let room = g.gap() * 0.55;
    let mut svg = String::new();
    for m in s
        .money
        .iter()
        .filter(|m| m.fiscal_year.year() >= g.first_year().year())
    {
        let fy = &m.fiscal_year;
        svg.push_str(&format!(
            "<g class=\"year-money\" data-year=\"{}\"><title>{}: {}</title>",
            fy.year(),
            // Digits and era names only: nothing that needs escaping.
            lang.fiscal_year(*fy),
            m.total()
        ));
        let mut offset = g.gap() * 0.18;
        for pillar in Pillar::ALL {
            let width = m.of(pillar).value() as f64 / largest * room;
            if width < 0.3 {
                continue;
            }
            svg.push_str(&format!(
                "<path class=\"band\" stroke=\"{}\" stroke-width=\"{}\" d=\"{}\"/>",
                colour(pillar),
                D1(width),
                g.year_band(*fy, offset + width / 2.0)
            ));
            offset += width;
        }
        svg.push_str("</g>");
    }
    svg
}

/// The details of the mark under the pointer or focus.
#[component]
fn MarkDetail(focused: RwSignal<Option<u64>>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let detail = move || {
        let Some(position) = focused.get() else {
            return Some(Either::Left(view! { <span class="hint">{t.detail_hint}</span> }));
        };
        store.state.with(|s| {
            let entry = s.timeline.iter().find(|e| e.position == position)?;
            let href = mark_href(entry);
            Some(Either::Right(view! {
                <strong>{lang.event_kind(&entry.kind)}</strong>
                <span class="name">{mark_name(s, entry)}</span>
                <span>{lang.date(entry.on)}" · "{lang.fiscal_year(domain::FiscalYear::containing(entry.on))}</span>
                <span>{lang.pillar(entry.pillar)}" · "{lang.stage(entry.stage)}</span>
                {href.map(|h| view! { <a href=h>{t.open}</a> })}
            }))
        })
    };
    view! { <div id="mark-detail" class="detail" aria-live="polite">{detail}</div> }
}

#[component]
fn Legend() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let pillars = Pillar::ALL
        .into_iter()
        .map(|p| {
            view! {
                <li><svg class="swatch" viewBox="0 0 20 20" aria-hidden="true">
                    <path d=shape(SpiralStage::PARTICIPATION, 10.0, 10.0, 7.0) fill=colour(p)/>
                </svg>{lang.pillar(p)}</li>
            }
        })
        .collect_view();
    let stages = (1..=9u8)
        .filter_map(|n| SpiralStage::try_from(n).ok())
        .map(|s| {
            let label = format!("{}. {}", s.number(), lang.stage(s));
            view! {
                <li><svg class="swatch" viewBox="0 0 20 20" aria-hidden="true">
                    <path d=shape(s, 10.0, 10.0, 7.0) class="neutral"/>
                </svg>{label}</li>
            }
        })
        .collect_view();
    view! {
        <section id="legend" class="legend" aria-label=t.legend>
            <h2>{t.legend}</h2>
            <div>
                <h3>{t.legend_pillars}</h3>
                <ul>{pillars}</ul>
            </div>
            <div>
                <h3>{t.legend_stages}</h3>
                <ul>{stages}</ul>
            </div>
            <p><span class="lineage-sample" aria-hidden="true">"⟶"</span>{t.lineage_link}</p>
        </section>
    }
}

/// The programs as a list, in the playback's view (the text twin of the spiral).
#[component]
fn ProgramList() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let items = move || {
        store.state.with(|s| {
            s.programs
                .values()
                .map(|p| {
                    let href = format!("/programs/{}", encode_segment(p.id.as_str()));
                    let years = p.contract_years();
                    let span = match (years.first(), years.last()) {
                        (Some(a), Some(b)) if a == b => lang.fiscal_year(*a),
                        (Some(a), Some(b)) => format!("{}–{}", lang.fiscal_year(*a), lang.fiscal_year(*b)),
                        _ => String::new(),
                    };
                    let meta = format!("{} {}", lang.pillar(p.pillar), span);
                    view! {
                        <li data-program=p.id.as_str().to_owned()>
                            <a href=href>{p.name.clone()}</a>" "<small>{meta}</small>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let count = move || {
        format!(
            "{} ({})",
            t.programs_title,
            store.state.with(|s| s.programs.len())
        )
    };
    view! {
        <section class="program-list">
            <h2>{count}</h2>
            <ul id="programs">{items}</ul>
        </section>
    }
}
