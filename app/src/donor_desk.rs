//! The donors' desk (`/donors`, staff only): find a donor by name, フリガナ, postal code or
//! address, register one, and look after one record — the details and every earlier
//! revision with its date, the household, officer and certified-NPO marks, the gifts, the
//! erasure request, and who read the details when. Plain forms rendered by the server, so the
//! browser bundle carries none of it and no donor's details reach the browser's replay.

use crate::document::escape;
use crate::i18n::Lang;
use crate::print::desk_page;
use domain::personal::DonorDetails;
use domain::projection::DonorView;
use domain::{Date, FiscalYear, Yen};

/// A form's fields as typed, shown again when what was typed is refused, so nothing is lost.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub id: String,
    pub name: String,
    pub kana: String,
    pub postal_code: String,
    pub address: String,
    pub household: String,
    pub officer: bool,
    pub certified_npo: bool,
}

/// A donor in the search results.
pub struct Hit<'a> {
    pub id: &'a str,
    pub details: &'a DonorDetails,
    pub view: Option<&'a DonorView>,
}

/// The search page.
pub struct Search<'a> {
    pub lang: Lang,
    pub query: &'a str,
    /// `None` before anything is looked for.
    pub hits: Option<Vec<Hit<'a>>>,
    /// How many matched in all (the hits are the first of them).
    pub matched: usize,
    /// Donors registered in the ledger, and how many of them are identified.
    pub registered: usize,
    pub identified: usize,
    /// The registration form as last typed, when it was refused.
    pub typed: Typed,
    pub message: Option<(bool, String)>,
}

/// What the vault holds of the donor now.
pub enum Now<'a> {
    Details(u32, &'a DonorDetails),
    NotRecorded,
    UseStopped,
    Erased,
    Unreadable,
}

/// One revision of the donor's details, as the ledger dates it.
pub struct Revision<'a> {
    pub number: u32,
    pub on: Date,
    pub recorded_at: String,
    pub by: &'a str,
    /// `None` once erased, or when the vault cannot open it.
    pub details: Option<&'a DonorDetails>,
}

/// A logged read of the donor's details.
pub struct Read<'a> {
    /// When, as the page shows it.
    pub at: String,
    pub actor: &'a str,
    pub purpose: &'a str,
}

/// One donor's record.
pub struct Record<'a> {
    pub lang: Lang,
    pub view: &'a DonorView,
    pub now: Now<'a>,
    pub revisions: Vec<Revision<'a>>,
    /// Gifts by fiscal year: how many, and the total.
    pub gifts: Vec<(FiscalYear, usize, Yen)>,
    pub certificates: usize,
    /// When erasure was asked for and by whom (in the page's words), and when it was done.
    pub erasure_asked: Option<(Date, &'static str)>,
    pub erased_on: Option<Date>,
    /// The latest reads, newest first, and how many there are in all.
    pub reads: Vec<Read<'a>>,
    pub reads_total: usize,
    pub today: Date,
    pub message: Option<(bool, String)>,
}

fn translate(lang: Lang) -> impl Fn(&'static str, &'static str) -> &'static str {
    move |ja, en| if lang == Lang::Ja { ja } else { en }
}

fn message(body: &mut String, message: &Option<(bool, String)>) {
    if let Some((ok, text)) = message {
        body.push_str(&format!(
            "<p id=\"message\" class=\"{}\" role=\"status\">{}</p>",
            if *ok { "done" } else { "refused" },
            escape(text)
        ));
    }
}

fn links(lang: Lang) -> String {
    let t = translate(lang);
    format!(
        "<p class=\"hint\"><a href=\"/\">Spiral</a> · <a href=\"/donors\">{}</a> · <a href=\"/imports/gifts\">{}</a> · <a href=\"/receipts\">{}</a> · <a href=\"/organisation\">{}</a> · <a href=\"/reports\">{}</a></p>",
        t("寄附者", "Donors"),
        t("寄附の一括取込", "Import gifts"),
        t("受領証明書", "Receipts"),
        t("法人情報", "Profile"),
        t("報告", "Reports"),
    )
}

/// The marks of a registration, in the page's words: 世帯 h-1 · 役員 · 認定NPO等.
fn marks(lang: Lang, view: &DonorView) -> String {
    let t = translate(lang);
    let mut marks = Vec::new();
    if let Some(h) = &view.household {
        marks.push(format!("{} {}", t("世帯", "household"), escape(h.as_str())));
    }
    if view.officer {
        marks.push(t("役員等", "officer").to_owned());
    }
    if view.certified_npo {
        marks.push(t("認定NPO法人等", "certified NPO").to_owned());
    }
    marks.join(" · ")
}

/// The fields of a donor's details, filled with `typed`.
fn detail_fields(lang: Lang, typed: &Typed) -> String {
    let t = translate(lang);
    format!(
        "<label>{} <input name=\"name\" required maxlength=\"100\" value=\"{}\"></label> \
         <label>{} <input name=\"kana\" maxlength=\"100\" value=\"{}\"></label> \
         <label>{} <input name=\"postal_code\" maxlength=\"10\" size=\"9\" value=\"{}\"></label> \
         <label class=\"wide\">{} <input name=\"address\" maxlength=\"200\" value=\"{}\"></label>",
        t("氏名（名称）", "Name"),
        escape(&typed.name),
        t("フリガナ", "Kana"),
        escape(&typed.kana),
        t("郵便番号", "Postal code"),
        escape(&typed.postal_code),
        t("住所", "Address"),
        escape(&typed.address),
    )
}

/// The household, officer and certified-NPO fields, filled with `typed`.
fn mark_fields(lang: Lang, typed: &Typed) -> String {
    let t = translate(lang);
    let checked = |on: bool| if on { " checked" } else { "" };
    format!(
        "<label>{} <input name=\"household\" maxlength=\"64\" size=\"12\" value=\"{}\"></label> \
         <label><input type=\"checkbox\" name=\"officer\" value=\"on\"{}> {}</label> \
         <label><input type=\"checkbox\" name=\"certified_npo\" value=\"on\"{}> {}</label>",
        t("世帯ID", "Household id"),
        escape(&typed.household),
        checked(typed.officer),
        t("役員またはその世帯", "An officer or an officer's household"),
        checked(typed.certified_npo),
        t(
            "認定NPO法人・特定公益増進法人",
            "A certified NPO or public-interest body"
        ),
    )
}

fn date_field(lang: Lang, today: Date) -> String {
    format!(
        "<label>{} <input name=\"on\" type=\"date\" value=\"{today}\" required></label>",
        translate(lang)("効力の日", "Effective"),
    )
}

/// `/donors`: the search box and its results, and the form to register a donor.
pub fn search_page(search: &Search<'_>, today: Date) -> String {
    let lang = search.lang;
    let t = translate(lang);
    let mut body = links(lang);
    body.push_str(&format!("<h1>{}</h1>", t("寄附者", "Donors")));
    message(&mut body, &search.message);
    body.push_str(&format!(
        "<form method=\"get\" action=\"/donors\" role=\"search\"><label>{} \
         <input name=\"q\" type=\"search\" maxlength=\"200\" size=\"40\" value=\"{}\" autofocus></label> <button>{}</button></form>\
         <p id=\"counts\">{}</p>",
        t("氏名・フリガナ・郵便番号・住所・ID", "Name, kana, postal code, address or id"),
        escape(search.query),
        t("探す", "Find"),
        if lang == Lang::Ja {
            format!(
                "登録された寄附者 {}人（うち氏名・住所のある人 {}人）。探した人の詳細だけが表示され、閲覧として記録されます。",
                search.registered, search.identified
            )
        } else {
            format!(
                "{} donors registered ({} with a name and address). Only the donors found are shown, and each is logged as read.",
                search.registered, search.identified
            )
        },
    ));
    if let Some(hits) = &search.hits {
        let mut rows = String::new();
        for hit in hits {
            rows.push_str(&format!(
                "<tr data-donor=\"{id}\"><td><a href=\"/donors/{id}\">{id}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(hit.details.name()),
                escape(hit.details.kana().unwrap_or_default()),
                hit.details.postal_code().map(|c| c.to_string()).unwrap_or_default(),
                escape(hit.details.address().unwrap_or_default()),
                hit.view.map(|v| marks(lang, v)).unwrap_or_default(),
                id = escape(hit.id),
            ));
        }
        body.push_str(&format!(
            "<p id=\"found\">{}</p>",
            match (lang, hits.len() < search.matched) {
                (Lang::Ja, false) => format!("{}人見つかりました", search.matched),
                (Lang::Ja, true) => format!(
                    "{}人のうちID順に最初の{}人を表示しています。語を足して絞り込めます。",
                    search.matched,
                    hits.len()
                ),
                (_, false) => format!("{} found", search.matched),
                (_, true) => format!(
                    "The first {} of {} by id; add a word to narrow them.",
                    hits.len(),
                    search.matched
                ),
            }
        ));
        if !hits.is_empty() {
            body.push_str(&format!(
                "<table id=\"hits\"><thead><tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>",
                t("氏名（名称）", "Name"),
                t("フリガナ", "Kana"),
                t("郵便番号", "Postal code"),
                t("住所", "Address"),
                t("区分", "Marks"),
            ));
        }
    }
    body.push_str(&format!(
        "<h2>{}</h2><form id=\"register\" method=\"post\" action=\"/donors\" class=\"fields\">\
         <label>{} <input name=\"id\" required maxlength=\"64\" pattern=\"[a-z0-9][a-z0-9._\\-]*\" value=\"{}\"></label> {} {} {} <button>{}</button></form>",
        t("寄附者を登録", "Register a donor"),
        t("寄附者ID", "Donor id"),
        escape(&search.typed.id),
        detail_fields(lang, &search.typed),
        mark_fields(lang, &search.typed),
        date_field(lang, today),
        t("登録", "Register"),
    ));
    desk_page(lang, t("寄附者", "Donors"), &body)
}

/// `/donors/{id}`: one donor's record and the forms to change it.
pub fn record_page(record: &Record<'_>) -> String {
    let lang = record.lang;
    let t = translate(lang);
    let view = record.view;
    let id = escape(view.id.as_str());
    let mut body = links(lang);
    body.push_str(&format!(
        "<h1>{} <span class=\"id\">{id}</span></h1>",
        t("寄附者", "Donor")
    ));
    message(&mut body, &record.message);
    let (status, details) = match &record.now {
        Now::Details(revision, details) => (
            if lang == Lang::Ja {
                format!("第{revision}版")
            } else {
                format!("revision {revision}")
            },
            Some(*details),
        ),
        Now::NotRecorded => (t("氏名・住所は未登録", "No details recorded").to_owned(), None),
        Now::UseStopped => (
            t(
                "消去の申出により利用停止中（名簿の保存期間が終わると消去されます）",
                "Use stopped at the donor's request (erased when the registers' retention ends)",
            )
            .to_owned(),
            None,
        ),
        Now::Erased => (t("消去済み", "Erased").to_owned(), None),
        Now::Unreadable => (
            t(
                "保管庫から読めません（別の鍵ファイルか、保管庫なしで復元された台帳です）",
                "Unreadable: another vault key file, or a ledger restored without its vault",
            )
            .to_owned(),
            None,
        ),
    };
    let cell = |text: Option<&str>| escape(text.unwrap_or("—"));
    body.push_str(&format!(
        "<dl id=\"now\"><dt>{}</dt><dd id=\"status\">{}</dd><dt>{}</dt><dd id=\"name\">{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>\
         <dt>{}</dt><dd>{}</dd><dt>{}</dt><dd id=\"identified\">{}</dd><dt>{}</dt><dd>{}</dd></dl>",
        t("状態", "Status"),
        escape(&status),
        t("氏名（名称）", "Name"),
        cell(details.map(DonorDetails::name)),
        t("フリガナ", "Kana"),
        cell(details.and_then(DonorDetails::kana)),
        t("住所", "Address"),
        cell(details.map(|d| d.postal_address()).as_deref().filter(|a| !a.is_empty())),
        t("登録日", "Registered"),
        escape(&lang.date(view.registered_on)),
        t("公益性の絶対値基準", "Absolute criterion"),
        if view.identified {
            t("氏名・住所あり（数える）", "name and address known (counted)")
        } else {
            t("氏名・住所なし（数えない）", "name and address unknown (not counted)")
        },
        t("区分", "Marks"),
        {
            let m = marks(lang, view);
            if m.is_empty() {
                "—".to_owned()
            } else {
                m
            }
        },
    ));
    if let Some((asked, by)) = record.erasure_asked {
        body.push_str(&format!(
            "<p id=\"erasure\">{} {} ({by}){}</p>",
            t("消去の申出", "Erasure asked for"),
            escape(&lang.date(asked)),
            record.erased_on.map_or_else(String::new, |on| format!(
                " · {} {}",
                t("消去", "erased"),
                escape(&lang.date(on))
            )),
        ));
    }
    // The revisions, newest first: each change kept, with the day it took effect.
    let mut rows = String::new();
    for r in record.revisions.iter().rev() {
        let d = r.details;
        rows.push_str(&format!(
            "<tr data-revision=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.number,
            r.number,
            escape(&lang.date(r.on)),
            escape(&r.recorded_at),
            escape(r.by),
            cell(d.map(DonorDetails::name)),
            cell(d.and_then(DonorDetails::kana)),
            cell(d.map(|d| d.postal_address()).as_deref().filter(|a| !a.is_empty())),
        ));
    }
    body.push_str(&format!(
        "<h2>{}</h2><table id=\"revisions\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>",
        t("変更の履歴", "Changes"),
        t("版", "Rev."),
        t("効力の日", "Effective"),
        t("記録", "Recorded"),
        t("記録者", "By"),
        t("氏名（名称）", "Name"),
        t("フリガナ", "Kana"),
        t("住所", "Address"),
    ));
    // Gifts by fiscal year.
    let mut rows = String::new();
    for (year, count, total) in &record.gifts {
        rows.push_str(&format!(
            "<tr><td>{}</td><td class=\"count\">{count}</td><td class=\"yen\">{}</td></tr>",
            escape(&lang.fiscal_year(*year)),
            escape(&total.to_string()),
        ));
    }
    if record.gifts.is_empty() {
        rows = format!("<tr><td colspan=\"3\">{}</td></tr>", t("なし", "None"));
    }
    body.push_str(&format!(
        "<h2>{}</h2><table id=\"gifts\"><thead><tr><th>{}</th><th class=\"count\">{}</th><th class=\"yen\">{}</th></tr></thead><tbody>{rows}</tbody></table>\
         <p><a href=\"/receipts?donor={id}\">{}</a> ({})</p>",
        t("寄附・会費", "Gifts and dues"),
        t("年度", "Fiscal year"),
        t("件数", "Gifts"),
        t("金額", "Amount"),
        t("受領証明書", "Receipt certificates"),
        record.certificates,
    ));
    // The forms: only what can still be done.
    let typed = match &record.now {
        Now::Details(_, d) => Typed {
            name: d.name().to_owned(),
            kana: d.kana().unwrap_or_default().to_owned(),
            postal_code: d.postal_code().map(|c| c.to_string()).unwrap_or_default(),
            address: d.address().unwrap_or_default().to_owned(),
            ..Typed::default()
        },
        _ => Typed::default(),
    };
    let action = format!("/donors/{id}");
    if matches!(record.now, Now::Details(..) | Now::NotRecorded) {
        body.push_str(&format!(
            "<h2>{}</h2><form id=\"edit-details\" method=\"post\" action=\"{action}\" class=\"fields\"><input type=\"hidden\" name=\"action\" value=\"details\">{} {} <button>{}</button></form>",
            t("氏名・住所を変更（前の版も残ります）", "Change the details (earlier revisions are kept)"),
            detail_fields(lang, &typed),
            date_field(lang, record.today),
            t("記録", "Record"),
        ));
    }
    let marks_typed = Typed {
        household: view
            .household
            .as_ref()
            .map(|h| h.as_str().to_owned())
            .unwrap_or_default(),
        officer: view.officer,
        certified_npo: view.certified_npo,
        ..Typed::default()
    };
    body.push_str(&format!(
        "<h2>{}</h2><form id=\"edit-marks\" method=\"post\" action=\"{action}\" class=\"fields\"><input type=\"hidden\" name=\"action\" value=\"marks\">{} \
         <label class=\"wide\">{} <input name=\"reason\" required maxlength=\"500\"></label> {} <button>{}</button></form>",
        t("世帯・役員・認定NPO法人等を訂正", "Correct the household and marks"),
        mark_fields(lang, &marks_typed),
        t("訂正の理由", "Reason"),
        date_field(lang, view.registered_on),
        t("訂正", "Correct"),
    ));
    body.push_str(&format!(
        "<h2>{}</h2><p class=\"hint\">{}</p><form id=\"merge\" method=\"post\" action=\"{action}\" class=\"fields\"><input type=\"hidden\" name=\"action\" value=\"merge\">\
         <label>{} <input name=\"into\" required maxlength=\"64\"></label> <label class=\"wide\">{} <input name=\"reason\" required maxlength=\"500\"></label> <button>{}</button></form>",
        t("名寄せ", "Merge a duplicate"),
        t(
            "同じ人が二つのIDで登録されているとき、このIDの寄附・会費をすべてもう一方のIDのものに訂正します（一度に記録）。受領証明書が有効な寄附があれば、先に無効にします。",
            "When one person is registered twice: every gift and due of this id is corrected to the other id, in one commit. Void any standing receipt certificate first.",
        ),
        t("移す先の寄附者ID", "Into donor id"),
        t("理由", "Reason"),
        t("名寄せする", "Merge"),
    ));
    if record.erasure_asked.is_none() {
        body.push_str(&format!(
            "<h2>{}</h2><p class=\"hint\">{}</p><form id=\"erase\" method=\"post\" action=\"{action}\" class=\"fields\"><input type=\"hidden\" name=\"action\" value=\"erase\">\
             <label><input type=\"radio\" name=\"by\" value=\"donor\" checked> {}</label> <label><input type=\"radio\" name=\"by\" value=\"agent\"> {}</label> \
             <label>{} <input name=\"on\" type=\"date\" value=\"{}\" required></label> <button>{}</button></form>",
            t("利用停止・消去の申出", "Erasure request"),
            t(
                "名簿の保存期間中は名簿のためだけに保管し、期間が終わると消去します。取り消せません。",
                "Kept for the registers only while they must be kept, then erased. This cannot be undone.",
            ),
            t("本人", "The donor"),
            t("代理人", "An agent"),
            t("申出の日", "Asked on"),
            record.today,
            t("申出を記録", "Record the request"),
        ));
    }
    // Who read the details.
    let mut rows = String::new();
    for read in &record.reads {
        let purpose = match read.purpose {
            "manage" => t("記録の管理", "managing the record"),
            "register" => t("寄附者名簿", "donor register"),
            "import" => t("寄附の取込", "gift import"),
            "certificate" => t("受領証明書", "receipt certificate"),
            "search" => t("検索", "search"),
            other => other,
        };
        rows.push_str(&format!(
            "<tr data-purpose=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(read.purpose),
            escape(&read.at),
            escape(read.actor),
            escape(purpose)
        ));
    }
    body.push_str(&format!(
        "<h2>{}</h2><p>{}</p><table id=\"reads\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>",
        t("閲覧の記録", "Reads of the details"),
        if lang == Lang::Ja {
            format!("全{}件、新しい順に{}件", record.reads_total, record.reads.len())
        } else {
            format!("{} in all, the latest {}", record.reads_total, record.reads.len())
        },
        t("日時", "When"),
        t("閲覧者", "Who"),
        t("目的", "Purpose"),
    ));
    desk_page(lang, &format!("{} {}", t("寄附者", "Donor"), view.id), &body)
}
