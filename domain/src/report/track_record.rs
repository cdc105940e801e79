//! The track record (実績一覧, 行政との協働事業の実績): the list of commissioned work an NPO
//! attaches to every proposal (プロポーザル, 入札参加資格) and publishes, in the form the seed
//! itself is written in:
//!
//! ```text
//! - 西部地域障害児(者)就労支援パソコン講座
//! (2001~2005年度 静岡県民生部障害者プラン推進室委託)
//! ⇒バーチャル工房支援事業 <ぽけっと工房>
//! (2006~2013年度 静岡県民生部障害者プラン推進室委託)
//! ```
//!
//! One entry per line of descent: a program, then each program spun off from it (⇒). Each
//! program's fiscal years with a contract (`2001~2005年度`, `2004年度`, or `2001~現在` while it
//! runs), the commissioning departments under each name they had over those years (`→` where a
//! department was renamed or the commission moved), joint commissioners joined by `・`, and the
//! scheme a contract came under (`16年度市民協働 たねからみのり`). Where a name repeats the
//! government body of the name before it, the seed shortens it, and so does this list:
//! `静岡県民生部・産業部`, `… → 県経済産業部雇用推進課`, `浜松市労政課・障害福祉課`.

use crate::fiscal_year::FiscalYear;
use crate::ids::{PartnerId, ProgramId};
use crate::program::Pillar;
use crate::projection::{ContractView, LedgerState, ProgramView};
use serde::Serialize;

/// Which programs and years the list covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Selection {
    pub pillar: Option<Pillar>,
    /// Contracts from this fiscal year on.
    pub from: Option<FiscalYear>,
    /// Contracts up to this fiscal year; a program still running is then shown up to it, not
    /// as 現在.
    pub to: Option<FiscalYear>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackRecord {
    pub selection: Selection,
    pub entries: Vec<TrackEntry>,
}

/// A program and its successors (⇒), each with its own line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackEntry {
    pub programs: Vec<TrackLine>,
    /// The whole line of descent at once: its years and commissioners, as a list written with
    /// one line per entry gives them.
    pub span: Span,
    pub commissioners: Vec<Commission>,
    pub commissioners_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackLine {
    pub program: ProgramId,
    pub name: String,
    /// The program this one was spun off from (⇒), and its name.
    pub successor_of: Option<ProgramId>,
    pub successor_of_name: Option<String>,
    pub pillar: Pillar,
    pub span: Span,
    /// Who commissioned it, year by year, under the names they had then.
    pub commissioners: Vec<Commission>,
    /// The same, written as the seed writes it.
    pub commissioners_text: String,
    /// The schemes its contracts came under, in order (市民協働 たねからみのり …).
    pub schemes: Vec<String>,
    /// The contracts' events, for drill-down.
    pub positions: Vec<u64>,
}

/// Fiscal years with a contract: first to last, or first to now for a program still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Span {
    pub first: FiscalYear,
    pub last: FiscalYear,
    /// Not concluded: written `~現在`.
    pub ongoing: bool,
}

impl Span {
    /// `2001~2005年度`, `2004年度`, `2001~現在`.
    pub fn ja(&self) -> String {
        let (first, last) = (self.first.year(), self.last.year());
        match (self.ongoing, first == last) {
            (true, _) => format!("{first}~現在"),
            (false, true) => format!("{first}年度"),
            (false, false) => format!("{first}~{last}年度"),
        }
    }

    fn cover(self, other: Span) -> Span {
        let ongoing = match self.last.cmp(&other.last) {
            std::cmp::Ordering::Less => other.ongoing,
            std::cmp::Ordering::Greater => self.ongoing,
            std::cmp::Ordering::Equal => self.ongoing || other.ongoing,
        };
        Span {
            first: self.first.min(other.first),
            last: self.last.max(other.last),
            ongoing,
        }
    }
}

/// The commissioners of consecutive contracts that named the same departments under the same
/// names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Commission {
    pub first: FiscalYear,
    pub last: FiscalYear,
    pub partners: Vec<PartnerId>,
    /// Each one's name in `first`.
    pub names: Vec<String>,
    /// The government body each belongs to, by its name then (for shortening repeats).
    #[serde(skip)]
    bodies: Vec<Option<String>>,
}

/// Why a track record cannot be listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackRecordError {
    #[error("the range {from}–{to} ends before it starts")]
    BackwardRange { from: FiscalYear, to: FiscalYear },
}

/// The track record of `state`'s contracted programs.
pub fn track_record(state: &LedgerState, selection: Selection) -> Result<TrackRecord, TrackRecordError> {
    if let (Some(from), Some(to)) = (selection.from, selection.to) {
        if to < from {
            return Err(TrackRecordError::BackwardRange { from, to });
        }
    }
    let in_range = |c: &&ContractView| {
        selection.from.is_none_or(|f| c.fiscal_year >= f) && selection.to.is_none_or(|t| c.fiscal_year <= t)
    };
    let line = |p: &ProgramView| -> Option<TrackLine> {
        if selection.pillar.is_some_and(|pillar| pillar != p.pillar) {
            return None;
        }
        let mut contracts: Vec<&ContractView> = p.contracts.iter().filter(in_range).collect();
        contracts.sort_by_key(|c| (c.fiscal_year, c.position));
        let (first, last) = (contracts.first()?, contracts.last()?);
        let commissioners = commissions(state, &contracts);
        let mut schemes: Vec<String> = Vec::new();
        for scheme in contracts.iter().filter_map(|c| c.scheme.as_ref()) {
            if !schemes.contains(scheme) {
                schemes.push(scheme.clone());
            }
        }
        Some(TrackLine {
            program: p.id.clone(),
            name: p.name.clone(),
            successor_of: p.parent.clone(),
            successor_of_name: p.parent.as_ref().map(|parent| {
                state
                    .programs
                    .get(parent)
                    .map_or_else(|| parent.to_string(), |p| p.name.clone())
            }),
            pillar: p.pillar,
            span: Span {
                first: first.fiscal_year,
                last: last.fiscal_year,
                ongoing: p.concluded_on.is_none() && selection.to.is_none(),
            },
            commissioners_text: written(&commissioners),
            commissioners,
            schemes,
            positions: contracts.iter().map(|c| c.position).collect(),
        })
    };
    // Lines of descent start at programs spun off from nothing (or from a program the ledger
    // does not hold), in the order of their first contract.
    let mut roots: Vec<&ProgramView> = state
        .programs
        .values()
        .filter(|p| {
            p.parent
                .as_ref()
                .is_none_or(|parent| !state.programs.contains_key(parent))
        })
        .collect();
    roots.sort_by_key(|p| first_contract(p));
    let mut entries = Vec::new();
    for root in roots {
        let mut programs = Vec::new();
        let mut all_contracts: Vec<&ContractView> = Vec::new();
        for p in descent(state, root) {
            if let Some(l) = line(p) {
                all_contracts.extend(p.contracts.iter().filter(in_range));
                programs.push(l);
            }
        }
        let Some(span) = programs.iter().map(|l| l.span).reduce(Span::cover) else {
            continue;
        };
        all_contracts.sort_by_key(|c| (c.fiscal_year, c.position));
        let commissioners = commissions(state, &all_contracts);
        entries.push(TrackEntry {
            programs,
            span,
            commissioners_text: written(&commissioners),
            commissioners,
        });
    }
    Ok(TrackRecord { selection, entries })
}

/// When a program was first contracted, for ordering (never-contracted ones last).
fn first_contract(p: &ProgramView) -> (bool, Option<FiscalYear>, u64) {
    let first = p.contracts.iter().min_by_key(|c| (c.fiscal_year, c.position));
    (
        first.is_none(),
        first.map(|c| c.fiscal_year),
        first.map_or(u64::MAX, |c| c.position),
    )
}

/// A program and every program spun off from it, depth first, each once (a cycle, which the
/// rules never let in, ends the walk).
fn descent<'a>(state: &'a LedgerState, root: &'a ProgramView) -> Vec<&'a ProgramView> {
    let mut out: Vec<&ProgramView> = Vec::new();
    let mut stack = vec![root];
    while let Some(p) = stack.pop() {
        if out.iter().any(|seen| seen.id == p.id) {
            continue;
        }
        out.push(p);
        stack.extend(p.children.iter().rev().filter_map(|c| state.programs.get(c)));
    }
    out
}

/// Consecutive contracts naming the same departments under the same names, grouped.
fn commissions(state: &LedgerState, contracts: &[&ContractView]) -> Vec<Commission> {
    let mut out: Vec<Commission> = Vec::new();
    for c in contracts {
        let day = c.fiscal_year.first_day();
        let names: Vec<String> = c
            .commissioners
            .iter()
            .map(|id| {
                state
                    .partners
                    .get(id)
                    .map_or_else(|| id.to_string(), |p| p.name_on(day).to_owned())
            })
            .collect();
        match out.last_mut() {
            Some(last) if last.names == names => last.last = c.fiscal_year,
            _ => {
                let bodies = c
                    .commissioners
                    .iter()
                    .map(|id| {
                        let body = state.partners.get(id)?.parent.as_ref()?;
                        Some(state.partners.get(body)?.name_on(day).to_owned())
                    })
                    .collect();
                out.push(Commission {
                    first: c.fiscal_year,
                    last: c.fiscal_year,
                    partners: c.commissioners.clone(),
                    names,
                    bodies,
                });
            }
        }
    }
    out
}

/// The commissioners as the seed writes them: joint ones joined by `・`, later names after `→`,
/// and a government body's name not repeated: dropped from a joint commissioner after the first
/// (`静岡県民生部・産業部`), shortened to its last character (県, 市) after an arrow
/// (`→ 県経済産業部雇用推進課`).
fn written(commissions: &[Commission]) -> String {
    let mut groups = Vec::new();
    let mut body_before: Option<&str> = None;
    for c in commissions {
        let mut shown = Vec::new();
        let lead_body = c.bodies.first().and_then(|b| b.as_deref());
        for (i, (name, body)) in c.names.iter().zip(&c.bodies).enumerate() {
            let body = body
                .as_deref()
                .filter(|b| name.len() > b.len() && name.starts_with(b));
            let text = match body {
                Some(b) if i > 0 && Some(b) == lead_body => name[b.len()..].to_owned(),
                Some(b) if i == 0 && Some(b) == body_before => match b.chars().last() {
                    Some(kind @ ('都' | '道' | '府' | '県' | '市' | '区' | '町' | '村')) => {
                        format!("{kind}{}", &name[b.len()..])
                    }
                    _ => name.clone(),
                },
                _ => name.clone(),
            };
            shown.push(text);
        }
        body_before = lead_body.filter(|b| c.names.first().is_some_and(|n| n.starts_with(b)));
        groups.push(shown.join("・"));
    }
    groups.join(" → ")
}

impl TrackLine {
    /// `(2001~2005年度 静岡県民生部障害者プラン推進室委託)`, or with its scheme in place of 委託:
    /// `(2004年度 浜松市教育委員会 16年度市民協働 たねからみのり)`.
    pub fn years_line(&self) -> String {
        let how = if self.schemes.is_empty() {
            "委託".to_owned()
        } else {
            format!(" {}", self.schemes.join("、"))
        };
        format!("({} {}{how})", self.span.ja(), self.commissioners_text)
    }
}

impl TrackRecord {
    /// The list in the seed's own form: `- program`, its years line, `⇒successor`, its line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for entry in &self.entries {
            for (i, line) in entry.programs.iter().enumerate() {
                out.push_str(if i == 0 { "- " } else { "⇒" });
                out.push_str(&line.name);
                out.push('\n');
                out.push_str(&line.years_line());
                out.push('\n');
            }
        }
        out
    }

    /// One row per program: 番号, 事業名, 前身事業, 年度, 開始年度, 終了年度, 委託元, 事業枠, 柱.
    pub fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![[
            "番号",
            "事業名",
            "前身事業",
            "年度",
            "開始年度",
            "終了年度",
            "委託元",
            "事業枠",
            "柱",
        ]
        .map(String::from)
        .to_vec()];
        for (n, entry) in self.entries.iter().enumerate() {
            for line in &entry.programs {
                let parent = line.successor_of_name.clone().unwrap_or_default();
                rows.push(vec![
                    (n + 1).to_string(),
                    line.name.clone(),
                    parent,
                    line.span.ja(),
                    line.span.first.year().to_string(),
                    if line.span.ongoing {
                        "現在".to_owned()
                    } else {
                        line.span.last.year().to_string()
                    },
                    line.commissioners_text.clone(),
                    line.schemes.join("、"),
                    line.pillar.ja().to_owned(),
                ]);
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::View;

    fn demo() -> LedgerState {
        let events = crate::demo::recorded("2026-11-28T09:00:00Z".parse().unwrap());
        LedgerState::replay(&events, View::everything())
    }

    /// One item of the seed's list: the program names written before one years line, and that
    /// line's years, commissioners and scheme.
    #[derive(Debug)]
    struct SeedItem {
        names: Vec<String>,
        years: String,
        commissioners: String,
        scheme: String,
    }

    /// The seed's list, as N-Pocket publishes it (a verbatim copy of the list in
    /// `shared/seed/n-pocket-how-we-work.ja.txt`; the next test checks the copy while that file
    /// is beside the repository).
    const SEED_LIST: &str = include_str!("../../tests/fixtures/seed-track-record.ja.txt");

    /// The seed writes 委託 after some commissioners and 連携 after a joint pair; the list here
    /// says 委託 for every contract without a scheme. Neither word is a commissioner's name.
    fn bare(commissioners: &str) -> String {
        commissioners
            .replace("委託", "")
            .replace("連携", "")
            .trim()
            .to_owned()
    }

    fn seed_items() -> Vec<SeedItem> {
        let text = SEED_LIST.replace(") - ", ")\n- ");
        let mut items = Vec::new();
        let mut names = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(inner) = line.strip_prefix('(').and_then(|l| l.strip_suffix(')')) {
                let (years, rest) = inner.split_once(' ').unwrap();
                // A scheme starts with its own year: "16年度市民協働 …".
                let scheme_at = rest
                    .match_indices(' ')
                    .map(|(i, _)| i)
                    .find(|i| rest[i + 1..].starts_with(|c: char| c.is_ascii_digit()));
                let (commissioners, scheme) = match scheme_at {
                    Some(i) => (&rest[..i], rest[i + 1..].to_owned()),
                    None => (rest, String::new()),
                };
                items.push(SeedItem {
                    names: std::mem::take(&mut names),
                    years: years.to_owned(),
                    commissioners: bare(commissioners),
                    scheme,
                });
            } else {
                let name = line
                    .strip_prefix("- ")
                    .or_else(|| line.strip_prefix('⇒'))
                    .unwrap();
                names.push(name.to_owned());
            }
        }
        assert!(names.is_empty(), "every name has its years line");
        items
    }

    #[test]
    fn the_demo_regenerates_the_seeds_list_entry_by_entry() {
        let state = demo();
        let record = track_record(&state, Selection::default()).unwrap();
        let items = seed_items();
        assert_eq!(items.len(), 18, "the seed's list has 18 years lines");
        let ours: Vec<&TrackLine> = record.entries.iter().flat_map(|e| &e.programs).collect();
        let seed_names: Vec<&String> = items.iter().flat_map(|i| &i.names).collect();
        let our_names: Vec<&String> = ours.iter().map(|l| &l.name).collect();
        assert_eq!(our_names, seed_names, "every program, in the seed's order");
        for item in &items {
            let (years, commissioners, scheme) = if let [name] = item.names.as_slice() {
                let line = ours.iter().find(|l| &l.name == name).unwrap();
                (
                    line.span.ja(),
                    line.commissioners_text.clone(),
                    line.schemes.join("、"),
                )
            } else {
                // A program and its successor under one years line: the entry as a whole.
                let entry = record
                    .entries
                    .iter()
                    .find(|e| e.programs.iter().map(|l| &l.name).eq(item.names.iter()))
                    .unwrap_or_else(|| panic!("an entry of exactly {:?}", item.names));
                let schemes = entry
                    .programs
                    .iter()
                    .flat_map(|l| l.schemes.clone())
                    .collect::<Vec<_>>();
                (
                    entry.span.ja(),
                    entry.commissioners_text.clone(),
                    schemes.join("、"),
                )
            };
            assert_eq!(years, item.years, "{:?}", item.names);
            assert_eq!(bare(&commissioners), item.commissioners, "{:?}", item.names);
            assert_eq!(scheme, item.scheme, "{:?}", item.names);
        }
        // The successor sign: ⇒ before each spun-off program.
        let text = record.text();
        assert!(text.starts_with("- 西部地域障害児(者)就労支援パソコン講座\n(2001~2005年度 静岡県民生部障害者プラン推進室委託)\n⇒バーチャル工房支援事業 <ぽけっと工房>\n"), "{text}");
        assert!(
            text.contains(
                "(2001~2014年度 静岡県民生部障害者プラン推進室 → 県健康福祉部障害者支援局障害者政策課委託)"
            ),
            "{text}"
        );
        assert!(
            text.contains("(2006年度 浜松市労政課・障害福祉課・保健予防課 17年度市民協働 たねからみのり)"),
            "{text}"
        );
    }

    #[test]
    fn the_fixture_is_the_seeds_own_list() {
        let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/seed/n-pocket-how-we-work.ja.txt");
        // Beside the repository in development and CI; a copy of the repository alone skips it.
        if let Ok(text) = std::fs::read_to_string(seed) {
            assert!(
                text.contains(SEED_LIST.trim()),
                "the fixture is a verbatim part of the seed"
            );
        }
    }

    #[test]
    fn a_pillar_and_a_range_narrow_the_list() {
        let state = demo();
        let year = |y| FiscalYear::new(y).unwrap();
        let none = track_record(
            &state,
            Selection {
                pillar: Some(Pillar::SelfInitiated),
                ..Selection::default()
            },
        )
        .unwrap();
        assert!(
            none.entries.is_empty(),
            "the seed's programs are all commissioned"
        );
        let some = track_record(
            &state,
            Selection {
                pillar: None,
                from: Some(year(2010)),
                to: Some(year(2012)),
            },
        )
        .unwrap();
        let text = some.text();
        // Its predecessor has no contract in the range: the successor leads its entry.
        assert!(
            text.contains("- ジョブコーチ派遣事業\n(2010~2012年度 静岡県経済産業部雇用推進課委託)"),
            "{text}"
        );
        assert!(!text.contains("現在"), "a range that ends is not 現在: {text}");
        assert!(!text.contains("2004年度"), "{text}");
        assert!(
            text.contains("- 浜松市民活動フォーラム開催事業\n(2011年度 浜松市市民協働・地域政策課委託)"),
            "{text}"
        );
    }

    #[test]
    fn a_backward_range_is_refused() {
        let year = |y| FiscalYear::new(y).unwrap();
        let backward = Selection {
            pillar: None,
            from: Some(year(2012)),
            to: Some(year(2010)),
        };
        assert_eq!(
            track_record(&demo(), backward),
            Err(TrackRecordError::BackwardRange {
                from: year(2012),
                to: year(2010)
            })
        );
    }

    #[test]
    fn rows_carry_one_program_each_with_its_predecessor() {
        let state = demo();
        let record = track_record(&state, Selection::default()).unwrap();
        let rows = record.rows();
        assert_eq!(rows.len(), 1 + crate::demo::program_count());
        let kobo = rows
            .iter()
            .find(|r| r[1] == "バーチャル工房支援事業 <ぽけっと工房>")
            .unwrap();
        assert_eq!(kobo[2], "西部地域障害児(者)就労支援パソコン講座");
        assert_eq!((kobo[4].as_str(), kobo[5].as_str()), ("2006", "2013"));
        let coach = rows.iter().find(|r| r[1] == "ジョブコーチ派遣事業").unwrap();
        assert_eq!(coach[5], "現在");
    }
}
