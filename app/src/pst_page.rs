//! The public support test (パブリック・サポート・テスト) as a page (`/reports/pst`): the
//! period, both criteria with pass or fail, every figure of the relative criterion with the
//! lines behind it, the absolute criterion year by year with who counted and who was left out,
//! the derivation as the CLI gives it, and the donor register by id (with names where the
//! reader may see them). Rendered by the server from `domain::report::pst`, the same code as
//! `spiral report pst` and the API, so the bundle carries none of it; it prints on A4.

use crate::document::escape;
use crate::i18n::Lang;
use crate::print::desk_page;
use domain::report::pst::PstReport;
use domain::Yen;
use std::collections::HashMap;

/// What the page shows, and how it was asked for.
pub struct PstPage<'a> {
    pub lang: Lang,
    /// `2019-2023`, as typed.
    pub period: &'a str,
    /// `known_at` as typed (a local time in Japan), if given.
    pub known_at: Option<&'a str>,
    pub report: Result<&'a PstReport, String>,
    /// Names of donors by id (`donor:ID` → name), when asked for by a reader who may see them.
    pub names: Option<&'a HashMap<String, String>>,
    /// Whether the reader may ask for names (reporters and staff; never auditors).
    pub may_name: bool,
    /// The query string of the CSV and workbook links (`period=…&known_at=…`).
    pub query: &'a str,
}

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

/// `/reports/pst`.
pub fn pst_page(p: &PstPage<'_>) -> String {
    let lang = p.lang;
    let t = |ja: &'static str, en: &'static str| if lang == Lang::Ja { ja } else { en };
    let mut body = format!(
        "<p class=\"hint\"><a href=\"/\">Spiral</a> · <a href=\"/reports\">{}</a> · <a href=\"/reports/activity\">{}</a> · <a href=\"/reports/track-record\">{}</a> · <a href=\"/reports/funder\">{}</a></p><h1>{}</h1>\
         <form method=\"get\" action=\"/reports/pst\" class=\"fields hint\">\
         <label>{} <input name=\"period\" required pattern=\"[0-9]{{4}}-[0-9]{{4}}\" size=\"10\" value=\"{}\"></label> \
         <label>{} <input name=\"known_at\" type=\"datetime-local\" value=\"{}\"></label>{} <button>{}</button></form>",
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
    let ratio = format!(
        "<tr id=\"ratio\"><th scope=\"row\">{}</th><td class=\"yen\">{}</td></tr>",
        t("割合", "Ratio"),
        escape(r.percent.as_deref().unwrap_or("—"))
    );
    body.push_str(&format!(
        "<h2>{}</h2><table id=\"relative\"><tbody>{}{}{}{}{}{}{}{}{}</tbody></table>",
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
        figure("numerator", t("分子", "Numerator"), r.numerator, None),
        figure("denominator", t("分母", "Denominator"), r.denominator, None),
        ratio,
    ));

    // The absolute criterion, year by year.
    // Donors are shown by their id (`donor:` is the report's way of telling them from partners).
    let shown_id = |id: &str| escape(id.strip_prefix("donor:").unwrap_or(id));
    let listed = |ids: &[String]| -> String {
        ids.iter()
            .map(|id| match p.names.and_then(|n| n.get(id)) {
                Some(name) => format!("{} ({})", escape(name), shown_id(id)),
                None => shown_id(id),
            })
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut rows = String::new();
    for y in &a.years {
        rows.push_str(&format!(
            "<tr data-year=\"{}\"><td>{}</td><td class=\"count\">{}</td><td><details><summary>{}</summary>{}</details></td><td>{}</td><td>{}</td></tr>",
            y.fiscal_year.year(),
            escape(&lang.fiscal_year(y.fiscal_year)),
            y.count,
            y.qualifying_donors.len(),
            listed(&y.qualifying_donors),
            listed(&y.excluded_officers),
            listed(&y.excluded_unidentified),
        ));
    }
    body.push_str(&format!(
        "<h2>{}</h2><table id=\"absolute\"><thead><tr><th>{}</th><th class=\"count\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>",
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
        .map(|l| format!("<li>{}</li>", escape(l)))
        .collect();
    body.push_str(&format!(
        "<h2>{}</h2><ol id=\"derivation\">{lines}</ol>",
        t("計算の過程", "Derivation (in Japanese, as filed)")
    ));

    // The register behind both criteria.
    let mut rows = String::new();
    for line in &report.register {
        let per_year: String = line
            .per_year
            .iter()
            .map(|y| format!("<td class=\"yen\">{}</td>", yen(y.amount)))
            .collect();
        let name = p
            .names
            .and_then(|n| n.get(&line.donor))
            .map(|n| escape(n))
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{name}</td>{per_year}<td class=\"yen\">{}</td></tr>",
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
    // Folded when long: a large NPO's period has thousands of donors.
    body.push_str(&format!(
        "<h2>{}</h2><details id=\"register-block\"{}><summary>{}</summary><table id=\"pst-register\"><thead><tr><th>ID</th><th>{}</th>{heads}<th class=\"yen\">{}</th></tr></thead><tbody>{rows}</tbody></table></details>",
        t("寄附者名簿（期間の寄附者ごと）", "Donor register (each donor over the period)"),
        if report.register.len() <= 200 { " open" } else { "" },
        if lang == Lang::Ja {
            format!("{}人", report.register.len())
        } else {
            format!("{} donors", report.register.len())
        },
        t("氏名（名称）", "Name"),
        t("計", "Total"),
    ));
    desk_page(
        lang,
        t("パブリック・サポート・テスト", "Public support test"),
        &body,
    )
}
