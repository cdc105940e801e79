//! Reports that are tables — the 活動計算書 with its note on restricted money, the track
//! record (実績一覧), a funder's statement — as pages rendered by the server from the same
//! `tables()` the CSV and the workbooks are written from, so that a page, a CSV and a workbook
//! never disagree. Printed on A4 from the browser; nothing in the bundle.

use crate::document::escape;
use crate::i18n::Lang;
use crate::print::desk_page;

/// A table with its title; its first row is the header.
pub type Table = (String, Vec<Vec<String>>);

/// One report page.
pub struct TablesPage<'a> {
    pub lang: Lang,
    pub title: &'a str,
    /// The form choosing what is shown, already rendered.
    pub form: String,
    /// The CSV and workbook links (`/api/…?…&format=`), without the format.
    pub download: Option<String>,
    /// Each table with its title and header row, or why there are none.
    pub tables: Result<Vec<Table>, String>,
    /// A line under the title (the funder's name, the fiscal year).
    pub subtitle: Option<String>,
}

/// Groups the digits of a whole-yen figure: `1234567` → `¥1,234,567`; anything else as it is.
fn money(cell: &str) -> String {
    let Ok(n) = cell.parse::<i64>() else {
        return escape(cell);
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    out.push_str(if n < 0 { "-¥" } else { "¥" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn table(id: usize, title: &str, rows: &[Vec<String>]) -> String {
    let Some((head, body)) = rows.split_first() else {
        return String::new();
    };
    // Columns of yen (their header says 円) are right-aligned and grouped; positions small.
    let is_yen: Vec<bool> = head.iter().map(|h| h.contains('円')).collect();
    let is_position: Vec<bool> = head.iter().map(|h| h.contains("位置")).collect();
    // A fiscal year or a day (`2001`, `2001-06-03`) is never broken across lines.
    let is_short: Vec<bool> = head.iter().map(|h| h == "年度" || h.ends_with('日')).collect();
    let heads: String = head
        .iter()
        .zip(&is_yen)
        .map(|(h, yen)| {
            format!(
                "<th{}>{}</th>",
                if *yen { " class=\"yen\"" } else { "" },
                escape(h)
            )
        })
        .collect();
    let mut lines = String::new();
    for row in body {
        lines.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if is_yen.get(i).copied().unwrap_or(false) {
                lines.push_str(&format!("<td class=\"yen\">{}</td>", money(cell)));
            } else if is_position.get(i).copied().unwrap_or(false) {
                // The events behind the line, folded under their count: a line of donations
                // can rest on thousands.
                let count = cell.split_whitespace().count();
                if count == 0 {
                    lines.push_str("<td class=\"positions\"></td>");
                } else {
                    lines.push_str(&format!(
                        "<td class=\"positions\"><details><summary>{count}</summary>{}</details></td>",
                        escape(cell)
                    ));
                }
            } else if is_short.get(i).copied().unwrap_or(false) {
                lines.push_str(&format!("<td class=\"short\">{}</td>", escape(cell)));
            } else {
                lines.push_str(&format!("<td>{}</td>", escape(cell)));
            }
        }
        lines.push_str("</tr>");
    }
    format!(
        "<h2>{}</h2><table id=\"table-{id}\" class=\"report-table\"><thead><tr>{heads}</tr></thead><tbody>{lines}</tbody></table>",
        escape(title)
    )
}

pub fn tables_page(p: &TablesPage<'_>) -> String {
    let lang = p.lang;
    let t = |ja: &'static str, en: &'static str| if lang == Lang::Ja { ja } else { en };
    let mut body = format!(
        "<p class=\"hint\"><a href=\"/\">Spiral</a> · <a href=\"/reports\">{}</a> · <a href=\"/reports/pst\">{}</a> · <a href=\"/reports/activity\">{}</a> · <a href=\"/reports/track-record\">{}</a> · <a href=\"/reports/funder\">{}</a></p><h1>{}</h1>{}",
        t("報告", "Reports"),
        t("パブリック・サポート・テスト", "Public support test"),
        t("活動計算書", "Activity statement"),
        t("実績一覧", "Track record"),
        t("助成元・委託元ごと", "Per funder"),
        escape(p.title),
        p.form,
    );
    if let Some(sub) = &p.subtitle {
        body.push_str(&format!("<p id=\"subtitle\">{}</p>", escape(sub)));
    }
    match &p.tables {
        Err(problem) => body.push_str(&format!(
            "<p id=\"message\" class=\"refused\" role=\"alert\">{}</p>",
            escape(problem)
        )),
        Ok(tables) => {
            if let Some(link) = &p.download {
                body.push_str(&format!(
                    "<p class=\"hint\"><a href=\"{0}&amp;format=csv\">CSV</a> · <a href=\"{0}&amp;format=xlsx\">Excel</a> · {1}</p>",
                    escape(link),
                    t("ブラウザの印刷でA4に印刷できます", "Print from the browser on A4"),
                ));
            }
            for (i, (title, rows)) in tables.iter().enumerate() {
                body.push_str(&table(i + 1, title, rows));
            }
        }
    }
    desk_page(lang, p.title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yen_columns_are_grouped_and_the_rest_escaped() {
        assert_eq!(money("1234567"), "¥1,234,567");
        assert_eq!(money("-1000"), "-¥1,000");
        assert_eq!(money("0"), "¥0");
        assert_eq!(money("<b>"), "&lt;b&gt;");
        let html = table(
            1,
            "経常収益",
            &[
                vec!["科目".into(), "金額（円）".into(), "根拠イベント位置".into()],
                vec!["受取寄附金".into(), "30000".into(), "12 14".into()],
            ],
        );
        assert!(html.contains("<td class=\"yen\">¥30,000</td>"));
        assert!(html.contains("<summary>2</summary>12 14</details>"));
        assert_eq!(table(2, "empty", &[]), "");
        let dated = table(
            3,
            "受領明細",
            &[
                vec!["年度".into(), "受領日".into(), "事業".into()],
                vec!["2001".into(), "2001-06-03".into(), "子ども食堂".into()],
            ],
        );
        assert!(dated
            .contains("<td class=\"short\">2001</td><td class=\"short\">2001-06-03</td><td>子ども食堂</td>"));
    }
}
