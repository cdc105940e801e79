//! Documents printed on A4 and kept on paper: the 寄附者名簿 and the 寄附金受領証明書.
//! Rendered by the server alone — nothing to hydrate, no script — so the browser bundle carries
//! none of it. Japanese, as the documents are filed in Japanese; the page's hint is bilingual.

use crate::document::escape;
use crate::i18n::Lang;
use domain::certificate::{Certificate, CertificateNo};
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
form { margin: 2mm 0; } form.inline { display: inline; }
form.fields label { display: inline-block; margin: 0 3mm 1.5mm 0; } form.fields label.wide input { width: 60mm; } h2 { font-size: 11pt; margin: 5mm 0 1mm; } h1 .id { letter-spacing: 0; } body.desk h1 { letter-spacing: .08em; }
#certificates, #hits, #revisions, #reads, #profiles, #gifts, #line-errors, #verdicts, #relative, #absolute, #pst-register, .report-table { table-layout: auto; } #pst-register td:first-child { white-space: nowrap; } .positions { font-size: 7.5pt; color: #444; } #derivation { font-size: 8.5pt; } .pass { color: #060; } .fail { color: #b00; } #verdicts th, #relative th { text-align: left; } #certificates td:nth-child(-n+3), #hits td:first-child { white-space: nowrap; } tr.in-effect td { font-weight: bold; background: #f4f8ff; }
#now { display: grid; grid-template-columns: max-content 1fr; gap: .5mm 4mm; } #now dd { margin: 0; } #hits td:first-child, #revisions td:first-child { white-space: nowrap; }
#absolute td.year, .report-table .short { white-space: nowrap; } #absolute .count { text-align: right; } #absolute details[open] { text-align: left; } #members .count { text-align: right; }
#certificates .status { width: 76mm; } #certificates .status input { width: 26mm; } #certificates .count { width: 12mm; text-align: right; } #message.done { color: #060; } #message.refused { color: #b00; }
.sheet { break-after: page; min-height: 250mm; position: relative; font-size: 11pt; }
.sheet:last-child { break-after: auto; }
.sheet .number { text-align: right; margin: 0 0 8mm; }
.sheet h1 { font-size: 20pt; margin: 0 0 10mm; }
.sheet .addressee { font-size: 14pt; margin: 0 0 1mm; }
.sheet .addressee-at { margin: 0 0 8mm; }
.sheet .sum { font-size: 16pt; text-align: center; border: 1pt solid #000; padding: 3mm; margin: 0 auto 6mm; width: 120mm; }
.sheet table { width: 120mm; margin: 0 auto 8mm; }
.sheet .statement { margin: 0 0 10mm; }
.sheet .issuer { margin-left: 80mm; }
.sheet .issuer p { margin: 0 0 1mm; }
.sheet .void { border: 2pt solid #b00; color: #b00; font-size: 14pt; text-align: center; padding: 2mm; margin: 0 0 6mm; }
.sheet .replaces { font-size: 9pt; margin-top: 8mm; }
@media screen { body { padding: 8mm 4mm; } .sheet { border-bottom: 1px dashed #999; margin-bottom: 8mm; } }
@media print { .hint { display: none; } th { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"#;

/// A desk or report page (not a document to file): in the reader's language, with a title
/// set for reading rather than for print.
pub(crate) fn desk_page(lang: Lang, title: &str, body: &str) -> String {
    page(title, body)
        .replacen(
            "<html lang=\"ja\">",
            &format!("<html lang=\"{}\">", lang.code()),
            1,
        )
        .replacen("<body class=\"print\">", "<body class=\"print desk\">", 1)
}

pub(crate) fn page(title: &str, body: &str) -> String {
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

/// The donor a certificate is addressed to, as the vault gives them.
pub enum Addressee<'a> {
    /// 氏名 and 住所 (with the postal code).
    Known { name: &'a str, address: String },
    /// Why they cannot be printed (erasure asked for, not readable), in Japanese.
    Withheld(&'static str),
}

/// One certificate as printed.
pub struct Sheet<'a> {
    pub certificate: &'a Certificate,
    pub issued_on: Date,
    /// The day it was voided and why, if it was.
    pub voided: Option<(Date, &'a str)>,
    pub organisation: Option<&'a OrganisationProfile>,
    pub addressee: Addressee<'a>,
}

fn certificate_sheet(sheet: &Sheet<'_>) -> String {
    let c = sheet.certificate;
    let mut rows = String::new();
    for gift in &c.gifts {
        rows.push_str(&format!(
            "<tr><td class=\"on\">{}</td><td class=\"yen\">{}</td></tr>",
            escape(&gift.received_on.wareki()),
            yen(gift.amount)
        ));
    }
    let (name, address) = match &sheet.addressee {
        Addressee::Known { name, address } => (escape(name), escape(address)),
        Addressee::Withheld(why) => (format!("（{}）", escape(why)), String::new()),
    };
    let void = sheet.voided.map_or_else(String::new, |(on, reason)| {
        format!(
            "<p class=\"void\">この証明書は{}に無効となりました（{}）。</p>",
            escape(&on.wareki()),
            escape(reason)
        )
    });
    let issuer = sheet.organisation.map_or_else(
        || "<p>（法人情報が記録されていません）</p>".to_owned(),
        |o| {
            let certification = o.certification.as_ref().map_or_else(
                || "<p>認定：なし</p>".to_owned(),
                |cert| {
                    format!(
                        "<p>認定番号　{}</p><p>認定年月日　{}</p>",
                        escape(&cert.number),
                        escape(&cert.certified_on.wareki())
                    )
                },
            );
            format!(
                "<p class=\"issuer-name\">{}</p><p>所在地　{}</p>{certification}",
                escape(&o.name),
                escape(&o.address)
            )
        },
    );
    let replaces = c.replaces.as_ref().map_or_else(String::new, |r| {
        format!(
            "<p class=\"replaces\">本証明書は No.{} に代わり再発行したものです（{}）。</p>",
            r.certificate,
            escape(&r.reason)
        )
    });
    format!(
        "<section class=\"sheet\" id=\"certificate-{number}\">\
         <p class=\"number\">No. {number}<br>発行日　{issued}</p>\
         <h1>寄附金受領証明書</h1>{void}\
         <p class=\"addressee\">{name}　様</p><p class=\"addressee-at\">{address}</p>\
         <p class=\"sum\">寄附金額　<span class=\"total\">{total}</span></p>\
         <table><thead><tr><th class=\"on\">受領年月日</th><th class=\"yen\">金額</th></tr></thead>\
         <tbody>{rows}</tbody></table>\
         <p class=\"statement\">上記の金額を{year}年中の寄附金として確かに受領しました。\
         この寄附金は、当法人の行う特定非営利活動に係る事業に関連する寄附金であることを証明します。</p>\
         <div class=\"issuer\">{issuer}</div>{replaces}</section>",
        number = c.number,
        issued = escape(&sheet.issued_on.wareki()),
        total = yen(c.total),
        year = c.calendar_year,
    )
}

/// 寄附金受領証明書, one per A4 page: the number and the day issued, the donor's 氏名 and 住所,
/// the amount and the day each gift was received, the statement that the gifts relate to the
/// NPO's 特定非営利活動, and the NPO's 名称, 所在地, 認定番号 and 認定年月日. `title` names the
/// batch in the browser's tab.
pub fn certificates(title: &str, sheets: &[Sheet<'_>]) -> String {
    let mut body = String::from(
        "<p class=\"hint\">ブラウザの印刷でA4縦に1枚ずつ印刷できます。 / Print it from the browser on A4 portrait, one certificate per page.</p>",
    );
    if sheets.is_empty() {
        body.push_str("<p id=\"none\">該当する受領証明書はありません。 / No certificate to print.</p>");
    }
    for sheet in sheets {
        body.push_str(&certificate_sheet(sheet));
    }
    page(title, &body)
}

/// The title of one certificate's page.
pub fn certificate_title(number: CertificateNo) -> String {
    format!("寄附金受領証明書 No.{number}")
}

/// A page saying why a document is not shown, in both languages.
pub fn refusal(ja: &str, en: &str) -> String {
    page(
        "Spiral",
        &format!("<h1>Spiral</h1><p>{}</p><p>{}</p>", escape(ja), escape(en)),
    )
}

/// What the desk of 受領証明書 shows for a calendar year.
pub struct Desk<'a> {
    pub lang: Lang,
    pub calendar_year: i32,
    /// The donor the list is narrowed to, if any.
    pub donor: Option<&'a str>,
    /// How many certificates the year (or the donor) has: the list holds the first of them.
    pub listed_of: usize,
    /// Donors with qualifying gifts not acknowledged yet, and those gifts.
    pub due_donors: usize,
    pub due_gifts: usize,
    /// Of those donors, the ones no certificate can be addressed to (no name and address
    /// recorded, or erasure asked for).
    pub unaddressable: usize,
    /// Certificates acknowledging gifts of the year, in number order: each with the day issued
    /// and, if voided, the day, the reason and the number that replaced it.
    pub certificates: Vec<DeskLine<'a>>,
    /// What the last action did, or why it was refused.
    pub message: Option<(bool, String)>,
}

/// A certificate in the desk's list.
pub struct DeskLine<'a> {
    pub certificate: &'a Certificate,
    pub issued_on: Date,
    pub voided: Option<(Date, &'a str, Option<CertificateNo>)>,
}

/// The desk of 寄附金受領証明書 (reporters and staff): a year's certificates issued in one go,
/// one gift's, each voided or reissued with its reason, and links to print them. A page of
/// plain forms (nothing to hydrate), posted back to `/receipts`.
pub fn certificate_desk(desk: &Desk<'_>) -> String {
    let lang = desk.lang;
    let t = |ja: &'static str, en: &'static str| if lang == Lang::Ja { ja } else { en };
    let year = desk.calendar_year;
    let mut body = format!(
        "<p class=\"hint\"><a href=\"/\">Spiral</a> · <a href=\"/reports\">{}</a> · <a href=\"/print/donors?fiscal_year={}\">{}</a> · <a href=\"/organisation\">{}</a></p>\
         <h1>{}</h1>\
         <form method=\"get\" action=\"/receipts\"><label>{} <input name=\"calendar_year\" type=\"number\" min=\"1868\" max=\"2201\" value=\"{year}\" required></label> \
         <label>{} <input name=\"donor\" value=\"{}\"></label> <button>{}</button></form>",
        t("報告", "Reports"),
        year,
        t("寄附者名簿", "Donor register"),
        t("法人情報", "The NPO's profile"),
        t("寄附金受領証明書", "Donation receipts"),
        t("暦年", "Calendar year"),
        t("寄附者ID", "Donor id"),
        escape(desk.donor.unwrap_or_default()),
        t("表示", "Show"),
    );
    if let Some((ok, text)) = &desk.message {
        body.push_str(&format!(
            "<p id=\"message\" class=\"{}\">{}</p>",
            if *ok { "done" } else { "refused" },
            escape(text)
        ));
    }
    body.push_str(&format!(
        "<p id=\"due\">{}</p>\
         <form method=\"post\" action=\"/receipts\"><input type=\"hidden\" name=\"action\" value=\"issue_year\">\
         <input type=\"hidden\" name=\"calendar_year\" value=\"{year}\"><button id=\"issue-year\">{}</button></form>\
         <form method=\"post\" action=\"/receipts\"><input type=\"hidden\" name=\"action\" value=\"issue_gift\">\
         <input type=\"hidden\" name=\"calendar_year\" value=\"{year}\">\
         <label>{} <input name=\"gift\" required></label> <button>{}</button></form>\
         <p><a id=\"print-year\" href=\"/print/receipts?calendar_year={year}\">{}</a></p>",
        if lang == Lang::Ja {
            format!(
                "{year}年分で未発行：寄附者{}人、寄附{}件（うち氏名・住所がない等で発行できない寄附者{}人）",
                desk.due_donors, desk.due_gifts, desk.unaddressable
            )
        } else {
            format!(
                "Not yet acknowledged for {year}: {} donors, {} gifts ({} of the donors cannot be addressed: no details, or erasure asked for)",
                desk.due_donors, desk.due_gifts, desk.unaddressable
            )
        },
        if lang == Lang::Ja {
            format!("{year}年分を寄附者ごとに発行")
        } else {
            format!("Issue {year}'s, one per donor")
        },
        t("1件の寄附（受領ID）", "One gift (receipt id)"),
        t("発行", "Issue"),
        t("有効な証明書をすべて印刷（A4）", "Print every standing certificate (A4)"),
    ));
    let mut rows = String::new();
    for line in &desk.certificates {
        let c = line.certificate;
        let number = c.number;
        let status = match line.voided {
            None => format!(
                "{}<form method=\"post\" action=\"/receipts\" class=\"inline\"><input type=\"hidden\" name=\"calendar_year\" value=\"{year}\">\
                 <input type=\"hidden\" name=\"number\" value=\"{number}\"><input name=\"reason\" required placeholder=\"{}\"> \
                 <button name=\"action\" value=\"void\">{}</button> <button name=\"action\" value=\"reissue\">{}</button></form>",
                t("有効", "Standing"),
                t("理由", "Reason"),
                t("無効にする", "Void"),
                t("再発行", "Reissue"),
            ),
            Some((on, reason, replaced_by)) => format!(
                "{} {} ({}){}",
                t("無効", "Void"),
                escape(&lang.date(on)),
                escape(reason),
                replaced_by.map_or_else(String::new, |by| format!(" → {by}"))
            ),
        };
        rows.push_str(&format!(
            "<tr id=\"line-{number}\"><td><a href=\"/print/receipts?number={number}\">{number}</a></td><td>{}</td>\
             <td>{}</td><td class=\"yen\">{}</td><td class=\"count\">{}</td><td class=\"status\">{status}</td></tr>",
            escape(&lang.date(line.issued_on)),
            escape(c.donor.as_str()),
            yen(c.total),
            c.gifts.len(),
        ));
    }
    if desk.listed_of > desk.certificates.len() {
        body.push_str(&format!(
            "<p id=\"more\">{}</p>",
            if lang == Lang::Ja {
                format!(
                    "{}件のうち番号順に最初の{}件を表示しています。寄附者IDで絞り込めます。",
                    desk.listed_of,
                    desk.certificates.len()
                )
            } else {
                format!(
                    "The first {} of {} by number; narrow the list by donor id.",
                    desk.certificates.len(),
                    desk.listed_of
                )
            }
        ));
    }
    body.push_str(&format!(
        "<table id=\"certificates\"><thead><tr><th>No.</th><th>{}</th><th>{}</th><th class=\"yen\">{}</th><th class=\"count\">{}</th><th class=\"status\">{}</th></tr></thead><tbody>{rows}</tbody></table>",
        t("発行日", "Issued"),
        t("寄附者", "Donor"),
        t("金額", "Amount"),
        t("件数", "Gifts"),
        t("状態", "Status"),
    ));
    desk_page(lang, t("寄附金受領証明書", "Donation receipts"), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desk(listed_of: usize, lang: Lang) -> String {
        certificate_desk(&Desk {
            lang,
            calendar_year: 2025,
            donor: Some("<d-1>"),
            listed_of,
            due_donors: 3,
            due_gifts: 7,
            unaddressable: 1,
            certificates: Vec::new(),
            message: Some((false, "<refused>".into())),
        })
    }

    #[test]
    fn the_desk_says_when_it_lists_only_the_first_certificates_and_escapes_what_it_shows() {
        let ja = desk(500, Lang::Ja);
        assert!(ja.contains("500件のうち番号順に最初の0件"), "{ja}");
        assert!(ja.contains("寄附者3人、寄附7件（うち氏名・住所がない等で発行できない寄附者1人）"));
        assert!(ja.contains("value=\"&lt;d-1&gt;\"") && ja.contains("&lt;refused&gt;"));
        assert!(!desk(0, Lang::Ja).contains("id=\"more\""));
        assert!(desk(500, Lang::En).contains("The first 0 of 500"));
    }
}
