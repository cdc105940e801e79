//! The public support test (パブリック・サポート・テスト) as a page (`/reports/pst`): the
//! period, both criteria with pass or fail, every figure of the relative criterion with the
//! lines behind it, the absolute criterion year by year with who counted and who was left out,
//! the derivation as the CLI gives it, and the donor register by id (with names where the
//! reader may see them). Rendered by the server from `domain::report::pst`, the same code as
//! `spiral report pst` and the API, so the bundle carries none of it; it prints on A4.

use crate::document::escape;
use crate::i18n::Lang;
use crate::print::desk_page;
use domain::report::pst::{PstOptions, PstReport, MIN_MEMBERS};
use domain::Yen;
use std::collections::HashMap;

/// What the page shows, and how it was asked for.
pub struct PstPage<'a> {
    pub lang: Lang,
    /// `2019-2023`, as typed.
    pub period: &'a str,
    /// `known_at` as typed (a local time in Japan), if given.
    pub known_at: Option<&'a str>,
    /// The choices about members' dues, as asked for.
    pub options: PstOptions,
    pub report: Result<&'a PstReport, String>,
    /// Names of donors by id (`donor:ID` → name), when asked for by a reader who may see them.
    pub names: Option<&'a HashMap<String, String>>,
    /// Whether the reader may ask for names (reporters and staff; never auditors).
    pub may_name: bool,
    /// Which page of the register to show (1 for the first).
    pub register_page: usize,
    /// The query string of the CSV and workbook links (`period=…&known_at=…&…dues…`).
    pub query: &'a str,
}

/// Register lines on one page: the page stays a few hundred kilobytes however many donors the
/// period has (17,000 at a million events); the CSV and the workbook hold them all.
pub const REGISTER_PAGE: usize = 500;
/// Donor ids listed in one cell of the absolute criterion before "and N more".
const IDS_SHOWN: usize = 200;
/// Characters of one derivation line shown before it is cut (the files carry every line whole).
const LINE_SHOWN: usize = 2_000;

fn yen(amount: Yen) -> String {
    escape(&amount.to_string())
}

/// A figure, with what it is made of folded under it.
fn figure(id: &str, label: &str, amount: Yen, behind: Option<String>) -> String {
    match behind {
        Some(rows) => format!(
            "<tr id=\"{id}\"><th scope=\"row\">{}</th><td class=\"yen\">{}</td></tr>\
             <tr class=\"behind\"><td colspan=\"2\"><details><summary>{}</summary>{rows}</details></td></tr>",
            escape(label),
            yen(amount),
            escape(label)
        ),
        None => format!(
            "<tr id=\"{id}\"><th scope=\"row\">{}</th><td class=\"yen\">{}</td></tr>",
            escape(label),
            yen(amount)
        ),
    }
}

/// The two choices about members' dues, each with its rule stated, as checkboxes of the form.
fn dues_choices(lang: Lang, options: PstOptions) -> String {
    let t = |ja: &'static str, en: &'static str| if lang == Lang::Ja { ja } else { en };
    let choice = |name: &str, on: bool, label: &str, rule: String| {
        format!(
            "<label><input type=\"checkbox\" name=\"{name}\" value=\"true\"{}> {}</label><p class=\"hint rule\">{}</p>",
            if on { " checked" } else { "" },
            escape(label),
            escape(&rule)
        )
    };
    format!(
        "<fieldset id=\"dues-options\"><legend>{}</legend>{}{}</fieldset>",
        t("会費の扱い（法人が選ぶ）", "Members' dues (the NPO's choice)"),
        choice(
            "supporting_dues_as_donations",
            options.supporting_dues_as_donations,
            t("賛助会費を寄附金として数える", "Count supporting members' dues as donations"),
            t(
                "賛助会員の会費が任意に支払われ、会報やサービスなどの対価がないときは寄附金として扱えます。数えると、寄附総額・限度額・少額の除外・絶対値基準のすべてに含めます。",
                "When supporting members pay of their own will and get nothing in return (no newsletter, no service), their dues may be treated as donations: then they count everywhere donations do (the total, the limits, small donors, the absolute criterion).",
            )
            .to_owned(),
        ),
        choice(
            "add_member_dues",
            options.add_member_dues,
            t("正会員会費を分子に加える", "Add regular members' dues to the numerator"),
            if lang == Lang::Ja {
                format!("期間の各年度に会費を納めた正会員（社員）が{MIN_MEMBERS}人以上いるとき、正会員の会費を分子に加えられます。加える額は寄附金として数えた額が限度です。会費はすでに経常収入に含まれるので分母は変わりません。")
            } else {
                format!("When every fiscal year of the period has at least {MIN_MEMBERS} regular members paying dues, their dues may be added to the numerator, up to the donations counted. Dues are already ordinary revenue, so the denominator does not change.")
            },
        ),
    )
}

/// The donors the page names when names are asked for: those on the register page shown and
/// those listed in the absolute criterion's cells. Only these are read from the vault, so a
/// period of thousands of donors logs a read for the few hundred a reader actually sees.
pub fn donors_shown(report: &PstReport, register_page: usize) -> Vec<&str> {
    let pages = report.register.len().div_ceil(REGISTER_PAGE).max(1);
    let page = register_page.clamp(1, pages);
    let mut ids: Vec<&str> = report
        .register
        .iter()
        .skip((page - 1) * REGISTER_PAGE)
        .take(REGISTER_PAGE)
        .map(|l| l.donor.as_str())
        .collect();
    for y in &report.absolute.years {
        for list in [
            &y.qualifying_donors,
            &y.excluded_officers,
            &y.excluded_unidentified,
        ] {
            ids.extend(list.iter().take(IDS_SHOWN).map(String::as_str));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// `/reports/pst`.
pub fn pst_page(p: &PstPage<'_>) -> String {
    let lang = p.lang;
    let t = |ja: &'static str, en: &'static str| if lang == Lang::Ja { ja } else { en };
    let mut body = format!(
        "<p class=\"hint\"><a href=\"/\">Spiral</a> · <a href=\"/reports\">{}</a> · <a href=\"/reports/activity\">{}</a> · <a href=\"/reports/track-record\">{}</a> · <a href=\"/reports/funder\">{}</a></p><h1>{}</h1>\
         <form method=\"get\" action=\"/reports/pst\" class=\"fields hint\">\
         <label>{} <input name=\"period\" required pattern=\"[0-9]{{4}}-[0-9]{{4}}\" size=\"10\" value=\"{}\"></label> \
         <label>{} <input name=\"known_at\" type=\"datetime-local\" value=\"{}\"></label>{} {} <button>{}</button></form>",
        t("報告", "Reports"),
        t("活動計算書", "Activity statement"),
        t("実績一覧", "Track record"),
        t("助成元・委託元ごと", "Per funder"),
        t("パブリック・サポート・テスト", "Public support test"),
        t("実績判定期間（年度）", "Assessment period (fiscal years)"),
        escape(p.period),
        t("この時点の記録で", "As known at"),
        escape(p.known_at.unwrap_or_default()),
        if p.may_name {
            format!(
                " <label><input type=\"checkbox\" name=\"names\" value=\"1\"{}> {}</label>",
                if p.names.is_some() { " checked" } else { "" },
                t("氏名を表示（閲覧として記録）", "Show names (each logged as a read)")
            )
        } else {
            String::new()
        },
        dues_choices(lang, p.options),
        t("表示", "Show"),
    );
    let report = match &p.report {
        Ok(report) => *report,
        Err(problem) => {
            body.push_str(&format!(
                "<p id=\"message\" class=\"refused\" role=\"alert\">{}</p>",
                escape(problem)
            ));
            return desk_page(
                lang,
                t("パブリック・サポート・テスト", "Public support test"),
                &body,
            );
        }
    };
    let verdict = |passes: bool| {
        if passes {
            format!("<strong class=\"pass\">{}</strong>", t("適合", "passes"))
        } else {
            format!("<strong class=\"fail\">{}</strong>", t("不適合", "fails"))
        }
    };
    let period = &report.period;
    let r = &report.relative;
    let a = &report.absolute;
    body.push_str(&format!(
        "<p id=\"period\">{} {}〜{}（{}{}）{}</p>\
         <p class=\"hint\"><a href=\"/api/reports/pst?{q}&amp;format=csv\">CSV</a> · <a href=\"/api/reports/pst?{q}&amp;format=xlsx\">Excel</a> · {}</p>\
         <table id=\"verdicts\"><tbody><tr id=\"relative-verdict\"><th scope=\"row\">{}</th><td>{} ({})</td><td>{}</td></tr>\
         <tr id=\"absolute-verdict\"><th scope=\"row\">{}</th><td>{} ({})</td><td>{}</td></tr></tbody></table>",
        t("実績判定期間", "Period"),
        escape(&lang.fiscal_year(period.from)),
        escape(&lang.fiscal_year(period.to)),
        period.years,
        t("年度", " fiscal years"),
        p.known_at
            .map(|at| format!(" · {} {}", t("記録時点", "as known at"), escape(at)))
            .unwrap_or_default(),
        t("ブラウザの印刷でA4に印刷できます", "Print from the browser on A4"),
        t("相対値基準（寄附金等収入 ÷ 経常収入 ≥ 1/5）", "Relative criterion (donations ÷ ordinary revenue ≥ 1/5)"),
        escape(r.percent.as_deref().unwrap_or("—")),
        if r.ratio_denominator > 0 {
            format!("{}/{}", r.ratio_numerator, r.ratio_denominator)
        } else {
            "0/0".into()
        },
        verdict(r.passes),
        t("絶対値基準（年平均100人以上）", "Absolute criterion (100 donors a year on average)"),
        escape(&a.average_text),
        if lang == Lang::Ja {
            format!("{}人 × 12 ÷ {}か月", a.sum, a.months)
        } else {
            format!("{} × 12 ÷ {} months", a.sum, a.months)
        },
        verdict(a.passes),
        q = escape(p.query),
    ));

    // The relative criterion, figure by figure, each with what it is made of.
    let government = (!r.government_excluded.is_empty()).then(|| {
        let rows: String = r
            .government_excluded
            .iter()
            .map(|g| {
                format!(
                    "<tr data-position=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"yen\">{}</td><td class=\"count\">#{}</td></tr>",
                    g.position,
                    escape(&lang.fiscal_year(g.fiscal_year)),
                    escape(g.receipt.as_str()),
                    escape(g.payer.as_str()),
                    lang.fund_kind(g.kind),
                    yen(g.amount),
                    g.position
                )
            })
            .collect();
        format!("<table>{rows}</table>")
    });
    let donors = |list: &mut dyn Iterator<Item = (String, Yen)>| {
        let rows: String = list
            .map(|(who, amount)| {
                format!(
                    "<tr><td>{}</td><td class=\"yen\">{}</td></tr>",
                    escape(&who),
                    yen(amount)
                )
            })
            .collect();
        format!("<table>{rows}</table>")
    };
    let small = (!r.small_donors_excluded.is_empty())
        .then(|| donors(&mut r.small_donors_excluded.iter().map(|d| (d.donor.clone(), d.total))));
    let excess = (!r.excess_over_limit.is_empty()).then(|| {
        donors(&mut r.excess_over_limit.iter().map(|e| {
            (
                format!(
                    "{} ({} {}{})",
                    e.donor,
                    t("限度", "limit"),
                    e.limit,
                    if e.certified_npo { " 50%" } else { "" }
                ),
                e.excess,
            )
        }))
    });
    let d = &report.dues;
    let members = {
        let rows: String = d
            .members
            .iter()
            .map(|y| {
                format!(
                    "<tr data-year=\"{}\"><td>{}</td><td class=\"count\">{}</td></tr>",
                    y.fiscal_year.year(),
                    escape(&lang.fiscal_year(y.fiscal_year)),
                    y.members
                )
            })
            .collect();
        format!(
            "<table id=\"members\"><thead><tr><th>{}</th><th class=\"count\">{}</th></tr></thead><tbody>{rows}</tbody></table><p class=\"hint\">{} {} · {} {}</p>",
            t("年度", "Fiscal year"),
            t("会費を納めた正会員", "Regular members paying"),
            t("正会員会費", "Regular members' dues"),
            yen(d.member_dues),
            t("限度（寄附金として数えた額）", "Cap (donations counted)"),
            yen(d.member_dues_limit),
        )
    };
    let supporting_label = match (d.supporting_counted, lang) {
        (true, Lang::Ja) => "賛助会費（寄附金に含めた）",
        (false, Lang::Ja) => "賛助会費（寄附金に含めない）",
        (true, Lang::En) => "Supporting members' dues (counted as donations)",
        (false, Lang::En) => "Supporting members' dues (not counted)",
    };
    let added_label = match (r.member_dues_added > Yen::ZERO, p.options.add_member_dues, lang) {
        (true, _, Lang::Ja) => "正会員会費の加算（分子に加える）",
        (true, _, Lang::En) => "Regular members' dues added to the numerator",
        (false, true, Lang::Ja) => "正会員会費の加算（20人に満たない年度があり加えない）",
        (false, true, Lang::En) => "Regular members' dues (not added: a year has fewer than 20 members)",
        (false, false, Lang::Ja) => "正会員会費の加算（選択していない）",
        (false, false, Lang::En) => "Regular members' dues (not chosen)",
    };
    let ratio = format!(
        "<tr id=\"ratio\"><th scope=\"row\">{}</th><td class=\"yen\">{}</td></tr>",
        t("割合", "Ratio"),
        escape(r.percent.as_deref().unwrap_or("—"))
    );
    body.push_str(&format!(
        "<h2>{}</h2><table id=\"relative\"><tbody>{}{}{}{}{}{}{}{}{}{}{}</tbody></table>",
        t("相対値基準", "Relative criterion"),
        figure(
            "ordinary-revenue",
            t("経常収入金額", "Ordinary revenue"),
            r.ordinary_revenue,
            None
        ),
        figure(
            "government",
            t(
                "国・地方公共団体の補助金・委託費（分母から除く）",
                "Government subsidies and commissions (left out of the denominator)"
            ),
            r.government_total,
            government,
        ),
        figure(
            "donations",
            t("寄附金等収入金額（総額）", "Donations (all)"),
            r.total_donations,
            None
        ),
        figure(
            "anonymous",
            t(
                "匿名の寄附（分子・分母から除く）",
                "Anonymous donations (left out of both)"
            ),
            r.anonymous_excluded,
            None
        ),
        figure(
            "small",
            t(
                "年1,000円未満の寄附者（分子・分母から除く）",
                "Donors under ¥1,000 (left out of both)"
            ),
            r.small_donors_total,
            small,
        ),
        figure(
            "excess",
            t(
                "1人あたり基準限度超過額（分子から除く）",
                "Above each donor's limit (left out of the numerator)"
            ),
            r.excess_total,
            excess,
        ),
        figure("supporting-dues", supporting_label, d.supporting_dues, None),
        figure(
            "member-dues-added",
            added_label,
            r.member_dues_added,
            Some(members)
        ),
        figure("numerator", t("分子", "Numerator"), r.numerator, None),
        figure("denominator", t("分母", "Denominator"), r.denominator, None),
        ratio,
    ));

    // The absolute criterion, year by year.
    // Donors are shown by their id (`donor:` is the report's way of telling them from partners).
    let shown_id = |id: &str| escape(id.strip_prefix("donor:").unwrap_or(id));
    let more = |n: usize| {
        if lang == Lang::Ja {
            format!("ほか{n}人（CSV・Excelに全員）")
        } else {
            format!("and {n} more (all in the CSV and Excel files)")
        }
    };
    let listed = |ids: &[String]| -> String {
        let mut shown = ids
            .iter()
            .take(IDS_SHOWN)
            .map(|id| match p.names.and_then(|n| n.get(id)) {
                Some(name) => format!("{} ({})", escape(name), shown_id(id)),
                None => shown_id(id),
            })
            .collect::<Vec<_>>()
            .join("、");
        if ids.len() > IDS_SHOWN {
            shown.push_str(&format!(" {}", more(ids.len() - IDS_SHOWN)));
        }
        shown
    };
    let mut rows = String::new();
    // Each list folded under its count: a year of a large NPO has thousands of donors.
    let folded = |ids: &[String]| {
        if ids.is_empty() {
            "0".to_owned()
        } else {
            format!(
                "<details><summary>{}</summary>{}</details>",
                ids.len(),
                listed(ids)
            )
        }
    };
    for y in &a.years {
        rows.push_str(&format!(
            "<tr data-year=\"{}\"><td class=\"year\">{}</td><td class=\"count\">{}</td><td class=\"count\">{}</td><td class=\"count\">{}</td><td class=\"count\">{}</td></tr>",
            y.fiscal_year.year(),
            escape(&lang.fiscal_year(y.fiscal_year)),
            y.count,
            folded(&y.qualifying_donors),
            folded(&y.excluded_officers),
            folded(&y.excluded_unidentified),
        ));
    }
    body.push_str(&format!(
        "<h2>{}</h2><table id=\"absolute\"><thead><tr><th>{}</th><th class=\"count\">{}</th><th class=\"count\">{}</th><th class=\"count\">{}</th><th class=\"count\">{}</th></tr></thead><tbody>{rows}</tbody></table>",
        t("絶対値基準", "Absolute criterion"),
        t("年度", "Fiscal year"),
        t("人数", "Count"),
        t("3,000円以上の寄附者", "Donors of ¥3,000 or more"),
        t("除く：役員等", "Left out: officers"),
        t("除く：氏名・住所なし", "Left out: no name and address"),
    ));

    // The derivation as the CLI prints it (in Japanese, as filed).
    let lines: String = report
        .derivation
        .iter()
        .map(|l| match l.char_indices().nth(LINE_SHOWN) {
            Some((cut, _)) => format!(
                "<li>{}… <span class=\"hint\">{}</span></li>",
                escape(&l[..cut]),
                if lang == Lang::Ja {
                    format!("（以下{}字略。CSV・Excelに全文）", l[cut..].chars().count())
                } else {
                    format!(
                        "({} more characters in the CSV and Excel files)",
                        l[cut..].chars().count()
                    )
                }
            ),
            None => format!("<li>{}</li>", escape(l)),
        })
        .collect();
    // Folded when long: a line per government receipt runs to hundreds on a large ledger.
    let count = report.derivation.len();
    body.push_str(&format!(
        "<h2>{}</h2><details id=\"derivation-block\"{}><summary>{}</summary><ol id=\"derivation\">{lines}</ol></details>",
        t("計算の過程", "Derivation (in Japanese, as filed)"),
        if count <= 60 { " open" } else { "" },
        if lang == Lang::Ja {
            format!("{count}行")
        } else {
            format!("{count} lines")
        },
    ));

    // The register behind both criteria.
    let mut rows = String::new();
    let pages = report.register.len().div_ceil(REGISTER_PAGE).max(1);
    let page = p.register_page.clamp(1, pages);
    for line in report
        .register
        .iter()
        .skip((page - 1) * REGISTER_PAGE)
        .take(REGISTER_PAGE)
    {
        let per_year: String = line
            .per_year
            .iter()
            .map(|y| format!("<td class=\"yen\">{}</td>", yen(y.amount)))
            .collect();
        // The name column only when names were asked for.
        let name = p
            .names
            .map(|n| {
                format!(
                    "<td>{}</td>",
                    n.get(&line.donor).map(|n| escape(n)).unwrap_or_default()
                )
            })
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td>{}</td>{name}{per_year}<td class=\"yen\">{}</td></tr>",
            shown_id(&line.donor),
            yen(line.total),
        ));
    }
    let heads: String = report
        .register
        .first()
        .map(|l| {
            l.per_year
                .iter()
                .map(|y| format!("<th class=\"yen\">{}</th>", y.fiscal_year.year()))
                .collect()
        })
        .unwrap_or_default();
    // Paged when long, the page's links keeping every other choice.
    let pager = if pages > 1 {
        let names = if p.names.is_some() { "&amp;names=1" } else { "" };
        let link = |to: usize, label: &str| {
            format!(
                "<a href=\"/reports/pst?{}{names}&amp;register_page={to}#register-block\" rel=\"{}\">{}</a>",
                escape(p.query),
                if to < page { "prev" } else { "next" },
                escape(label)
            )
        };
        let mut nav = Vec::new();
        if page > 1 {
            nav.push(link(page - 1, t("← 前の500人", "← previous 500")));
        }
        nav.push(if lang == Lang::Ja {
            format!("{page} / {pages} ページ")
        } else {
            format!("page {page} of {pages}")
        });
        if page < pages {
            nav.push(link(page + 1, t("次の500人 →", "next 500 →")));
        }
        format!("<p id=\"register-pages\" class=\"hint\">{}</p>", nav.join(" · "))
    } else {
        String::new()
    };
    // Folded when long: a large NPO's period has thousands of donors.
    body.push_str(&format!(
        "<h2>{}</h2><details id=\"register-block\"{}><summary>{}</summary>{pager}<table id=\"pst-register\"><thead><tr><th>ID</th>{}{heads}<th class=\"yen\">{}</th></tr></thead><tbody>{rows}</tbody></table>{pager}</details>",
        t("寄附者名簿（期間の寄附者ごと）", "Donor register (each donor over the period)"),
        if report.register.len() <= 200 || p.register_page > 1 {
            " open"
        } else {
            ""
        },
        if lang == Lang::Ja {
            format!("{}人", report.register.len())
        } else {
            format!("{} donors", report.register.len())
        },
        if p.names.is_some() {
            format!("<th>{}</th>", t("氏名（名称）", "Name"))
        } else {
            String::new()
        },
        t("計", "Total"),
    ));
    desk_page(
        lang,
        t("パブリック・サポート・テスト", "Public support test"),
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::report::pst::{
        AbsoluteCriterion, AbsoluteYear, DuesLines, Period, RegisterLine, RelativeCriterion, YearAmount,
    };
    use domain::FiscalYear;

    /// A period with `donors` donors, every one qualifying in its one year, and a derivation
    /// line naming them all (as the domain writes it).
    fn report(donors: usize) -> PstReport {
        let year = FiscalYear::new(2024).unwrap();
        let ids: Vec<String> = (0..donors).map(|i| format!("donor:d{i:05}")).collect();
        PstReport {
            period: Period {
                from: year,
                to: year,
                years: 1,
                months: 12,
            },
            options: PstOptions::default(),
            dues: DuesLines {
                supporting_dues: Yen::ZERO,
                supporting_counted: false,
                member_dues: Yen::ZERO,
                members: vec![],
                members_enough: false,
                member_dues_limit: Yen::ZERO,
                member_dues_added: Yen::ZERO,
            },
            relative: RelativeCriterion {
                ordinary_revenue: Yen::new(1),
                government_excluded: vec![],
                government_total: Yen::ZERO,
                total_donations: Yen::ZERO,
                anonymous_excluded: Yen::ZERO,
                small_donors_excluded: vec![],
                small_donors_total: Yen::ZERO,
                left_out_total: Yen::ZERO,
                limit: Yen::ZERO,
                limit_certified: Yen::ZERO,
                excess_over_limit: vec![],
                excess_total: Yen::ZERO,
                member_dues_added: Yen::ZERO,
                numerator: Yen::ZERO,
                denominator: Yen::new(1),
                ratio_numerator: 0,
                ratio_denominator: 1,
                percent: Some("0.00%".into()),
                passes: false,
            },
            absolute: AbsoluteCriterion {
                years: vec![AbsoluteYear {
                    fiscal_year: year,
                    qualifying_donors: ids.clone(),
                    households_counted: vec![],
                    excluded_officers: vec![],
                    excluded_unidentified: vec![],
                    count: donors as u64,
                }],
                sum: donors as u64,
                months: 12,
                average_text: format!("{donors}.00"),
                passes: donors >= 100,
            },
            register: ids
                .iter()
                .map(|id| RegisterLine {
                    donor: id.clone(),
                    household: None,
                    officer: false,
                    certified_npo: false,
                    identified: true,
                    total: Yen::new(3_000),
                    per_year: vec![YearAmount {
                        fiscal_year: year,
                        amount: Yen::new(3_000),
                    }],
                    positions: vec![1],
                })
                .collect(),
            derivation: vec![format!("2024年度: 数える者 {}", ids.join("、"))],
        }
    }

    fn page(report: &PstReport, register_page: usize) -> String {
        pst_page(&PstPage {
            lang: Lang::Ja,
            period: "2024-2024",
            known_at: None,
            options: PstOptions::default(),
            report: Ok(report),
            names: None,
            may_name: false,
            register_page,
            query: "period=2024-2024",
        })
    }

    fn register_rows(html: &str) -> usize {
        let table = &html[html.find("id=\"pst-register\"").unwrap()..];
        let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
        body.matches("<tr>").count()
    }

    #[test]
    fn a_register_of_thousands_is_shown_a_page_at_a_time() {
        let big = report(1_201);
        let first = page(&big, 1);
        assert_eq!(register_rows(&first), REGISTER_PAGE);
        assert!(first.contains("1 / 3 ページ"));
        assert!(first.contains("register_page=2#register-block"));
        assert!(!first.contains("rel=\"prev\""));
        let last = page(&big, 3);
        assert_eq!(register_rows(&last), 201);
        assert!(last.contains("d01200") && !last.contains(">d00999<"));
        assert!(last.contains("register_page=2#register-block\" rel=\"prev\""));
        // A page past the end shows the last.
        assert_eq!(register_rows(&page(&big, 99)), 201);
        // The absolute criterion's cell and the derivation line are cut, saying where the rest is.
        assert!(first.contains("ほか1001人（CSV・Excelに全員）"));
        assert!(first.contains("字略。CSV・Excelに全文）"));
        assert!(first.len() < 250_000, "{} bytes", first.len());
        // Names are read for what is shown: this page's 500 and the 200 listed (the same ones).
        assert_eq!(donors_shown(&big, 1).len(), REGISTER_PAGE);
        assert_eq!(donors_shown(&big, 3).len(), 201 + IDS_SHOWN);

        let small = page(&report(3), 1);
        assert_eq!(register_rows(&small), 3);
        assert!(!small.contains("register-pages") && !small.contains("ほか"));
    }
}
