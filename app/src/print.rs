//! Documents printed on A4 and kept on paper: the 寄附者名簿 (and, later, the 受領証明書).
//! Rendered by the server alone — nothing to hydrate, no script — so the browser bundle carries
//! none of it. Japanese, as the documents are filed in Japanese; the page's hint is bilingual.

use crate::document::escape;
use crate::i18n::Lang;
use domain::events::OrganisationProfile;
use domain::report::donor_register::{DonorRegister, Giver, Listed};
use domain::Date;

/// A4 portrait, the columns sized for a name and a long address, a header repeated on every
/// page, no row split across pages, and nothing wider than the page.
const PRINT_STYLE: &str = r#"
@page { size: A4 portrait; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 186mm; color: #000; background: #fff;
  font: 9.5pt/1.45 "IPAPGothic", "IPAGothic", "Noto Sans CJK JP", sans-serif; }
h1 { font-size: 16pt; text-align: center; letter-spacing: .4em; margin: 0 0 2mm; }
.period, .summary { text-align: center; margin: 0 0 1.5mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin-top: 3mm; }
th, td { border: .5pt solid #000; padding: 1mm 1.4mm; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; font-weight: normal; }
thead { display: table-header-group; }
tfoot { display: table-footer-group; }
tr { break-inside: avoid; }
.no { width: 11mm; text-align: right; }
.on { width: 31mm; white-space: nowrap; }
.name { width: 42mm; }
.yen { width: 27mm; text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.hint { color: #444; font-size: 9pt; margin: 4mm 0; }
@media screen { body { padding: 8mm 4mm; } }
@media print { .hint { display: none; } th { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"icon\" href=\"data:,\"><style>{PRINT_STYLE}</style></head>\
         <body class=\"print\">{body}</body></html>\n",
        escape(title)
    )
}

fn yen(amount: domain::Yen) -> String {
    escape(&amount.to_string())
}

/// The 寄附者名簿 of a fiscal year: 受け入れ年月日, 氏名（名称）, 住所 and 寄附金額 of every gift
/// in the order received, anonymous gifts by date and amount, with the count and the total.
/// `organisation` is the NPO's profile at the year's end (its name and office head the page);
/// `made` is the day it is drawn up.
pub fn donor_register(
    register: &DonorRegister,
    organisation: Option<&OrganisationProfile>,
    made: Date,
) -> String {
    let fy = register.fiscal_year;
    let ja = Lang::Ja;
    let mut rows = String::new();
    for (i, line) in register.lines.iter().enumerate() {
        let (name, address) = match &line.giver {
            Giver::Donor { listed, .. } => match listed {
                Listed::Known { name, address } => (name.as_str(), address.as_str()),
                Listed::NotRecorded => ("（未登録）", ""),
                Listed::Erased => ("（消去済み）", ""),
                Listed::Unreadable => ("（保管庫から読めません）", ""),
            },
            Giver::Partner { name, .. } => (name.as_str(), ""),
            Giver::Anonymous => ("匿名", ""),
        };
        rows.push_str(&format!(
            "<tr><td class=\"no\">{}</td><td class=\"on\">{}</td><td class=\"name\">{}</td><td>{}</td><td class=\"yen\">{}</td></tr>",
            i + 1,
            ja.date(line.received_on),
            escape(name),
            escape(address),
            yen(line.amount)
        ));
    }
    let body = format!(
        "<h1>寄附者名簿</h1>\
         <p class=\"period\">{}（{}〜{}）</p>{}\
         <p class=\"summary\">{}件　合計 {}　作成日 {}</p>\
         <p class=\"hint\">ブラウザの印刷でA4縦に印刷できます。 / Print it from the browser on A4 portrait.</p>\
         <table id=\"register\"><thead><tr><th class=\"no\">No.</th><th class=\"on\">受け入れ年月日</th>\
         <th class=\"name\">氏名（名称）</th><th>住所</th><th class=\"yen\">寄附金額</th></tr></thead>\
         <tbody>{rows}</tbody>\
         <tfoot><tr><td colspan=\"4\">合計（{}件）</td><td class=\"yen\" id=\"register-total\">{}</td></tr></tfoot></table>",
        ja.fiscal_year(fy),
        ja.date(fy.first_day()),
        ja.date(fy.last_day()),
        organisation.map_or_else(String::new, |o| format!(
            "<p class=\"summary\" id=\"organisation\">{}　{}</p>",
            escape(&o.name),
            escape(&o.address)
        )),
        register.lines.len(),
        yen(register.total),
        ja.date(made),
        register.lines.len(),
        yen(register.total),
    );
    page(&format!("寄附者名簿 {}", fy.seireki()), &body)
}

/// A page saying why a document is not shown, in both languages.
pub fn refusal(ja: &str, en: &str) -> String {
    page(
        "Spiral",
        &format!("<h1>Spiral</h1><p>{}</p><p>{}</p>", escape(ja), escape(en)),
    )
}
