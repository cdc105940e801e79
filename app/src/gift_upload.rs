//! The gift upload page (`/imports/gifts`, staff): a bank's or platform's CSV chosen, then what
//! it would record shown — donors found or new, gifts already recorded, every error by line and
//! column — and recorded only when confirmed, exactly as shown. Rendered by the server alone.

use crate::document::escape;
use crate::i18n::Lang;
use crate::print::desk_page;
use domain::gift_import::{PlannedGiver, Preview};

/// The most gifts and errors listed on the page: the counts cover the rest.
pub const LISTED: usize = 100;

/// What the page shows after a file is read.
pub struct Shown<'a> {
    pub file_name: &'a str,
    /// `UTF-8`, `UTF-8 (BOM)` or `Shift_JIS`.
    pub encoding: &'a str,
    pub preview: &'a Preview,
    /// The file and the preview's digest, carried by the confirm form (when it may record).
    pub carried: Option<(&'a str, &'a str)>,
}

pub struct UploadPage<'a> {
    pub lang: Lang,
    pub shown: Option<Shown<'a>>,
    pub message: Option<(bool, String)>,
}

/// `/imports/gifts`.
pub fn upload_page(p: &UploadPage<'_>) -> String {
    let lang = p.lang;
    let t = |ja: &'static str, en: &'static str| if lang == Lang::Ja { ja } else { en };
    let mut body = format!(
        "<p class=\"hint\"><a href=\"/\">Spiral</a> · <a href=\"/donors\">{}</a> · <a href=\"/receipts\">{}</a></p><h1>{}</h1>",
        t("寄附者", "Donors"),
        t("受領証明書", "Receipts"),
        t("寄附の一括取込", "Import gifts"),
    );
    if let Some((ok, text)) = &p.message {
        body.push_str(&format!(
            "<p id=\"message\" class=\"{}\" role=\"status\">{}</p>",
            if *ok { "done" } else { "refused" },
            escape(text)
        ));
    }
    body.push_str(&format!(
        "<form id=\"choose\" method=\"post\" action=\"/imports/gifts\" enctype=\"multipart/form-data\" class=\"fields\">\
         <label>{} <input type=\"file\" name=\"file\" accept=\".csv,text/csv\" required></label> <button>{}</button></form>\
         <p class=\"hint\">{}</p>",
        t("CSVファイル", "CSV file"),
        t("内容を確認", "Preview"),
        t(
            "銀行・Congrant・Syncable等のCSV（UTF-8またはShift_JIS、16MBまで）。見出しに 受領日・金額 が要ります。氏名・フリガナ・郵便番号・住所・種別・寄附者ID も読みます。確認するまで何も記録しません。",
            "A bank's or platform's CSV (UTF-8 or Shift_JIS, up to 16 MB) with 受領日 (received on) and 金額 (amount) columns; 氏名, フリガナ, 郵便番号, 住所, 種別 and 寄附者ID are read too. Nothing is recorded until you confirm.",
        ),
    ));
    let Some(shown) = &p.shown else {
        return desk_page(lang, t("寄附の一括取込", "Import gifts"), &body);
    };
    let preview = shown.preview;
    let found = preview
        .gifts
        .iter()
        .filter(|g| {
            matches!(
                g.giver,
                PlannedGiver::ById { .. } | PlannedGiver::ByNameAndAddress { .. }
            )
        })
        .count();
    let anonymous = preview
        .gifts
        .iter()
        .filter(|g| matches!(g.giver, PlannedGiver::Anonymous))
        .count();
    body.push_str(&format!(
        "<h2>{}</h2><dl id=\"summary\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd id=\"to-record\">{}</dd><dt>{}</dt><dd id=\"new-donors\">{}</dd><dt>{}</dt><dd id=\"duplicates\">{}</dd><dt>{}</dt><dd id=\"errors\">{}</dd></dl>",
        escape(shown.file_name),
        t("読んだ行", "Rows read"),
        if lang == Lang::Ja {
            format!("{}行（{}）", preview.rows, shown.encoding)
        } else {
            format!("{} ({})", preview.rows, shown.encoding)
        },
        t("記録する寄附", "Gifts to record"),
        if lang == Lang::Ja {
            format!(
                "{}件 {}（登録済みの寄附者 {}件、新しい寄附者 {}件、匿名 {}件）",
                preview.gifts.len(),
                preview.total(),
                found,
                preview.gifts.len() - found - anonymous,
                anonymous
            )
        } else {
            format!(
                "{} gifts, {} ({} from donors known, {} from new donors, {} anonymous)",
                preview.gifts.len(),
                preview.total(),
                found,
                preview.gifts.len() - found - anonymous,
                anonymous
            )
        },
        t("新しく登録する寄附者", "New donors"),
        preview.new_donors.len(),
        t("記録済みのため飛ばす寄附", "Already recorded (skipped)"),
        preview.duplicates.len(),
        t("誤り", "Errors"),
        preview.errors.len(),
    ));
    if !preview.ignored_columns.is_empty() {
        body.push_str(&format!(
            "<p class=\"hint\">{} {}</p>",
            t("読まない列:", "Columns not read:"),
            escape(&preview.ignored_columns.join(", "))
        ));
    }
    if !preview.errors.is_empty() {
        let mut rows = String::new();
        for e in preview.errors.iter().take(LISTED) {
            rows.push_str(&format!(
                "<tr><td class=\"count\">{}</td><td>{}</td><td>{}</td></tr>",
                e.line,
                e.column
                    .map(|c| if lang == Lang::Ja { c.ja() } else { c.en() })
                    .unwrap_or_default(),
                escape(if lang == Lang::Ja {
                    &e.message_ja
                } else {
                    &e.message
                }),
            ));
        }
        body.push_str(&format!(
            "<h2>{}</h2><table id=\"line-errors\"><thead><tr><th class=\"count\">{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>",
            t("誤りのある行（直すまで何も記録できません）", "Rows with errors (nothing can be recorded until they are put right)"),
            t("行", "Line"),
            t("列", "Column"),
            t("誤り", "Problem"),
        ));
    }
    if !preview.gifts.is_empty() {
        let mut rows = String::new();
        for g in preview.gifts.iter().take(LISTED) {
            let giver = match &g.giver {
                PlannedGiver::ById { donor } | PlannedGiver::ByNameAndAddress { donor } => {
                    escape(donor.as_str())
                }
                PlannedGiver::New { donor } => {
                    format!("{} ({})", escape(donor.as_str()), t("新規", "new"))
                }
                PlannedGiver::Anonymous => t("匿名", "anonymous").to_owned(),
            };
            rows.push_str(&format!(
                "<tr><td class=\"count\">{}</td><td class=\"on\">{}</td><td>{giver}</td><td class=\"yen\">{}</td></tr>",
                g.line,
                escape(&lang.date(g.on)),
                escape(&g.amount.to_string()),
            ));
        }
        body.push_str(&format!(
            "<h2>{}</h2><table id=\"gifts\"><thead><tr><th class=\"count\">{}</th><th class=\"on\">{}</th><th>{}</th><th class=\"yen\">{}</th></tr></thead><tbody>{rows}</tbody></table>",
            if preview.gifts.len() > LISTED {
                t("記録する寄附（最初の100件）", "Gifts to record (the first 100)")
            } else {
                t("記録する寄附", "Gifts to record")
            },
            t("行", "Line"),
            t("受領日", "Received"),
            t("寄附者", "Donor"),
            t("金額", "Amount"),
        ));
    }
    if let Some((file, digest)) = shown.carried {
        body.push_str(&format!(
            "<form id=\"confirm\" method=\"post\" action=\"/imports/gifts\">\
             <input type=\"hidden\" name=\"file_name\" value=\"{}\"><input type=\"hidden\" name=\"file\" value=\"{}\">\
             <input type=\"hidden\" name=\"digest\" value=\"{}\"><button>{}</button></form>",
            escape(shown.file_name),
            escape(file),
            escape(digest),
            if lang == Lang::Ja {
                format!("この{}件を記録する", preview.gifts.len())
            } else {
                format!("Record these {} gifts", preview.gifts.len())
            },
        ));
    }
    desk_page(lang, t("寄附の一括取込", "Import gifts"), &body)
}
