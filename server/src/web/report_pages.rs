//! The reporter's table reports as pages (staff, reporters, auditors): the 活動計算書 of a
//! fiscal year with its note on restricted money (`/reports/activity`), the track record
//! (`/reports/track-record`) and a funder's statement (`/reports/funder`). Each is computed by
//! the same `crate::reports` call as its API endpoint, shown from the same `tables()` its CSV
//! and workbook are written from, and can be asked for as known at a time.

use super::print::{busy, refused, signed_in};
use super::pst_page::known_at;
use super::{pages, AppState};
use crate::people::Role;
use app::document::escape;
use app::i18n::Lang;
use app::report_tables::{tables_page, TablesPage};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::ids::PartnerId;
use domain::program::Pillar;
use domain::FiscalYear;
use serde::Deserialize;

/// What any of the three pages may be asked: each reads the fields it needs.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportPageQuery {
    pub(super) fiscal_year: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) pillar: Option<String>,
    pub(super) partner: Option<String>,
    pub(super) known_at: Option<String>,
}

/// What was asked, read: each field either read or the reason it could not be, in `lang`.
pub(super) struct Asked {
    pub(super) fiscal_year: Result<Option<FiscalYear>, String>,
    pub(super) from: Result<Option<FiscalYear>, String>,
    pub(super) to: Result<Option<FiscalYear>, String>,
    pub(super) pillar: Result<Option<Pillar>, String>,
    pub(super) known_at: Result<Option<DateTime<Utc>>, String>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ReportPageQuery {
    pub(super) fn read(&self, lang: Lang) -> Asked {
        let say = |ja: String, en: String| if lang == Lang::Ja { ja } else { en };
        let year = |v: &Option<String>| -> Result<Option<FiscalYear>, String> {
            blank(v)
                .map(|text| {
                    text.parse::<i32>()
                        .ok()
                        .and_then(|y| FiscalYear::new(y).ok())
                        .ok_or_else(|| {
                            say(
                                format!("年度が読めません: {text:?}（1868〜2200）"),
                                format!("not a fiscal year: {text:?} (1868–2200)"),
                            )
                        })
                })
                .transpose()
        };
        Asked {
            fiscal_year: year(&self.fiscal_year),
            from: year(&self.from),
            to: year(&self.to),
            pillar: blank(&self.pillar)
                .map(|p| {
                    Pillar::ALL
                        .into_iter()
                        .find(|pillar| format!("{pillar:?}") == p)
                        .ok_or_else(|| say(format!("柱が読めません: {p:?}"), format!("not a pillar: {p:?}")))
                })
                .transpose(),
            known_at: blank(&self.known_at)
                .map(|t| {
                    known_at(t).ok_or_else(|| {
                        say(
                            format!("記録時点が読めません: {t:?}"),
                            format!("not a time: {t:?}"),
                        )
                    })
                })
                .transpose(),
        }
    }
}

/// The reader, if they may read reports (anyone but an administrator).
async fn reader(state: &AppState, headers: &HeaderMap, path: &str) -> Result<(), Response> {
    let user = signed_in(state, headers, path).await?;
    if user.role == Role::Admin {
        return Err(refused(
            StatusCode::FORBIDDEN,
            "管理者は台帳を見られません。",
            "Administrators do not read the ledger.",
        ));
    }
    Ok(())
}

fn t(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Ja {
        ja
    } else {
        en
    }
}

/// `<label>…<input name=NAME …></label>` holding what was typed.
fn field(label: &str, name: &str, kind: &str, value: Option<&str>) -> String {
    format!(
        "<label>{} <input name=\"{name}\" type=\"{kind}\" value=\"{}\"></label> ",
        escape(label),
        escape(value.unwrap_or_default())
    )
}

fn form(lang: Lang, action: &str, fields: &str) -> String {
    format!(
        "<form method=\"get\" action=\"{action}\" class=\"fields hint\">{fields}<button>{}</button></form>",
        t(lang, "表示", "Show")
    )
}

/// The query string of the API's CSV and workbook links.
fn api_link(path: &str, pairs: &[(&str, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", app::boot::encode_segment(v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

fn rfc3339(at: Option<DateTime<Utc>>) -> String {
    at.map(|a| a.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

fn answer(page: TablesPage<'_>) -> Response {
    let status = if page.tables.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, Html(tables_page(&page))).into_response()
}

fn owned(tables: &[(&'static str, Vec<Vec<String>>)]) -> Vec<app::report_tables::Table> {
    tables
        .iter()
        .map(|(t, rows)| (t.to_string(), rows.clone()))
        .collect()
}

/// The last fiscal year closed: what a report opens on.
fn last_closed() -> FiscalYear {
    let open = FiscalYear::containing(crate::vault::today());
    open.previous().unwrap_or(open)
}

/// `GET /reports/activity?fiscal_year=Y[&known_at=…]`: the 活動計算書's revenue and its note.
pub async fn activity(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ReportPageQuery>, QueryRejection>,
) -> Response {
    if let Err(page) = reader(&state, &headers, "/reports/activity").await {
        return page;
    }
    let lang = pages::lang_of(&headers);
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let asked = q.read(lang);
    let fields = field(
        t(lang, "年度", "Fiscal year"),
        "fiscal_year",
        "number",
        blank(&q.fiscal_year).or(Some(&last_closed().year().to_string())),
    ) + &field(
        t(lang, "この時点の記録で", "As known at"),
        "known_at",
        "datetime-local",
        blank(&q.known_at),
    );
    let (tables, download, subtitle) = match (asked.fiscal_year, asked.known_at) {
        (Err(e), _) | (_, Err(e)) => (Err(e), None, None),
        (Ok(fy), Ok(at)) => {
            let fy = fy.unwrap_or_else(last_closed);
            let Ok(_reading) = state.limits.ledger_read() else {
                return busy();
            };
            match crate::reports::activity(&state.ledger, fy, at).await {
                Ok(statement) => (
                    Ok(owned(&statement.tables())),
                    Some(api_link(
                        "/api/reports/activity",
                        &[("fiscal_year", fy.year().to_string()), ("known_at", rfc3339(at))],
                    )),
                    Some(lang.fiscal_year(fy)),
                ),
                Err(e) => (Err(e.to_string()), None, None),
            }
        }
    };
    answer(TablesPage {
        lang,
        title: t(
            lang,
            "活動計算書（経常収益）と使途等が制約された寄付等の内訳",
            "Activity statement (revenue) and restricted money",
        ),
        form: form(lang, "/reports/activity", &fields),
        download,
        tables,
        subtitle,
    })
}

/// `GET /reports/track-record[?from&to&pillar&known_at]`: the 実績一覧.
pub async fn track_record(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ReportPageQuery>, QueryRejection>,
) -> Response {
    if let Err(page) = reader(&state, &headers, "/reports/track-record").await {
        return page;
    }
    let lang = pages::lang_of(&headers);
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let asked = q.read(lang);
    let chosen = blank(&q.pillar).unwrap_or_default();
    let options: String = Pillar::ALL
        .iter()
        .map(|p| {
            let code = format!("{p:?}");
            format!(
                "<option value=\"{code}\"{}>{}</option>",
                if code == chosen { " selected" } else { "" },
                lang.pillar(*p)
            )
        })
        .collect();
    let fields = field(t(lang, "年度から", "From"), "from", "number", blank(&q.from))
        + &field(t(lang, "年度まで", "To"), "to", "number", blank(&q.to))
        + &format!(
            "<label>{} <select name=\"pillar\"><option value=\"\">{}</option>{options}</select></label> ",
            t(lang, "柱", "Pillar"),
            t(lang, "すべて", "All")
        )
        + &field(
            t(lang, "この時点の記録で", "As known at"),
            "known_at",
            "datetime-local",
            blank(&q.known_at),
        );
    let (tables, download) = match (asked.from, asked.to, asked.pillar, asked.known_at) {
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => (Err(e), None),
        (Ok(from), Ok(to), Ok(pillar), Ok(at)) => {
            let Ok(_reading) = state.limits.ledger_read() else {
                return busy();
            };
            let selection = domain::report::track_record::Selection { pillar, from, to };
            match crate::reports::track_record(&state.ledger, selection, at).await {
                Ok(record) => (
                    Ok(vec![(
                        t(lang, "行政との協働事業の実績", "Commissioned work").to_owned(),
                        record.rows(),
                    )]),
                    Some(api_link(
                        "/api/reports/track-record",
                        &[
                            ("from", from.map(|y| y.year().to_string()).unwrap_or_default()),
                            ("to", to.map(|y| y.year().to_string()).unwrap_or_default()),
                            ("pillar", chosen.to_owned()),
                            ("known_at", rfc3339(at)),
                        ],
                    )),
                ),
                Err(e) => (Err(e.to_string()), None),
            }
        }
    };
    answer(TablesPage {
        lang,
        title: t(lang, "実績一覧", "Track record"),
        form: form(lang, "/reports/track-record", &fields),
        download,
        tables,
        subtitle: None,
    })
}

/// `GET /reports/funder?partner=ID[&from&to&known_at]`: what one funder gave and commissioned.
pub async fn funder(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ReportPageQuery>, QueryRejection>,
) -> Response {
    if let Err(page) = reader(&state, &headers, "/reports/funder").await {
        return page;
    }
    let lang = pages::lang_of(&headers);
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let asked = q.read(lang);
    let chosen = blank(&q.partner).unwrap_or_default().to_owned();
    let today = crate::vault::today();
    let options: String = state.ledger.read_state(|s| {
        s.partners
            .values()
            .map(|p| {
                format!(
                    "<option value=\"{id}\"{}>{} ({id})</option>",
                    if p.id.as_str() == chosen { " selected" } else { "" },
                    escape(p.name_on(today)),
                    id = escape(p.id.as_str()),
                )
            })
            .collect()
    });
    let fields = format!(
        "<label>{} <select name=\"partner\" required><option value=\"\"></option>{options}</select></label> ",
        t(lang, "助成元・委託元", "Funder")
    ) + &field(t(lang, "年度から", "From"), "from", "number", blank(&q.from))
        + &field(t(lang, "年度まで", "To"), "to", "number", blank(&q.to))
        + &field(
            t(lang, "この時点の記録で", "As known at"),
            "known_at",
            "datetime-local",
            blank(&q.known_at),
        );
    let partner = match chosen.as_str() {
        "" => None,
        id => Some(PartnerId::new(id).map_err(|e| e.to_string())),
    };
    let (tables, download, subtitle) = match (partner, asked.from, asked.to, asked.known_at) {
        (None, ..) => (Ok(Vec::new()), None, None),
        (Some(Err(e)), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => (Err(e), None, None),
        (Some(Ok(partner)), Ok(from), Ok(to), Ok(at)) => {
            let Ok(_reading) = state.limits.ledger_read() else {
                return busy();
            };
            match crate::reports::funder(&state.ledger, partner.clone(), from, to, at).await {
                Ok(statement) => {
                    let names = names_through_years(&statement.names);
                    (
                        Ok(owned(&statement.tables())),
                        Some(api_link(
                            "/api/reports/funder",
                            &[
                                ("partner", partner.to_string()),
                                ("from", from.map(|y| y.year().to_string()).unwrap_or_default()),
                                ("to", to.map(|y| y.year().to_string()).unwrap_or_default()),
                                ("known_at", rfc3339(at)),
                            ],
                        )),
                        Some(format!(
                            "{}〜{} · {}",
                            lang.fiscal_year(statement.from),
                            lang.fiscal_year(statement.to),
                            names.join(" → ")
                        )),
                    )
                }
                Err(e) => (Err(e.to_string()), None, None),
            }
        }
    };
    answer(TablesPage {
        lang,
        title: t(lang, "助成元・委託元ごとの報告", "Funder statement"),
        form: form(lang, "/reports/funder", &fields),
        download,
        tables,
        subtitle,
    })
}

/// A funder's names through the years, a name once for the years it was borne:
/// `2001–2004 県民生部 → 2005–2025 県健康福祉部` (one name for every year reads as itself).
fn names_through_years(names: &[domain::report::funder::YearName]) -> Vec<String> {
    let mut spans: Vec<(i32, i32, &str)> = Vec::new();
    for n in names {
        let year = n.fiscal_year.year();
        match spans.last_mut() {
            Some((_, last, name)) if *name == n.name.as_str() => *last = year,
            _ => spans.push((year, year, n.name.as_str())),
        }
    }
    spans
        .into_iter()
        .map(|(first, last, name)| {
            if first == last {
                format!("{first} {name}")
            } else {
                format!("{first}–{last} {name}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::names_through_years;
    use domain::report::funder::YearName;
    use domain::FiscalYear;

    #[test]
    fn a_name_is_said_once_for_the_years_it_was_borne() {
        let named = |years: std::ops::RangeInclusive<i32>, name: &str| {
            years
                .map(|y| YearName {
                    fiscal_year: FiscalYear::new(y).unwrap(),
                    name: name.into(),
                })
                .collect::<Vec<_>>()
        };
        let mut names = named(2001..=2004, "県民生部");
        names.extend(named(2005..=2025, "県健康福祉部"));
        names.extend(named(2026..=2026, "県こども部"));
        assert_eq!(
            names_through_years(&names),
            ["2001–2004 県民生部", "2005–2025 県健康福祉部", "2026 県こども部"]
        );
        assert!(names_through_years(&[]).is_empty());
    }
}
