//! The NPO's own profile (`/organisation`): 名称, 所在地, 認定番号 and 認定年月日 as the ledger
//! records them from the day each takes effect — what the 寄附者名簿 and the 受領証明書 print —
//! and, for staff, the form to record the next one (a move, a new name, a certification).
//! Rendered by the server alone, like the donors' desk.

use crate::document::escape;
use crate::i18n::Lang;
use crate::print::desk_page;
use domain::events::OrganisationProfile;
use domain::Date;

/// The profile form's fields as typed (shown again when refused).
#[derive(Debug, Clone, Default)]
pub struct ProfileTyped {
    pub name: String,
    pub address: String,
    pub number: String,
    pub certified_on: String,
}

impl ProfileTyped {
    /// The form filled with `profile`, the one in effect, to change from.
    pub fn from_profile(profile: &OrganisationProfile) -> ProfileTyped {
        ProfileTyped {
            name: profile.name.clone(),
            address: profile.address.clone(),
            number: profile
                .certification
                .as_ref()
                .map(|c| c.number.clone())
                .unwrap_or_default(),
            certified_on: profile
                .certification
                .as_ref()
                .map(|c| c.certified_on.to_string())
                .unwrap_or_default(),
        }
    }
}

pub struct ProfilePage<'a> {
    pub lang: Lang,
    /// Every profile standing, by the day it took effect.
    pub profiles: &'a [(Date, OrganisationProfile)],
    pub today: Date,
    /// The form, for staff (`None`: the page is read only).
    pub form: Option<ProfileTyped>,
    pub message: Option<(bool, String)>,
}

/// `/organisation`.
pub fn profile_page(p: &ProfilePage<'_>) -> String {
    let lang = p.lang;
    let t = |ja: &'static str, en: &'static str| if lang == Lang::Ja { ja } else { en };
    let mut body = format!(
        "<p class=\"hint\"><a href=\"/\">Spiral</a> · <a href=\"/receipts\">{}</a> · <a href=\"/reports\">{}</a></p><h1>{}</h1>",
        t("受領証明書", "Receipts"),
        t("報告", "Reports"),
        t("法人情報", "The NPO's profile"),
    );
    if let Some((ok, text)) = &p.message {
        body.push_str(&format!(
            "<p id=\"message\" class=\"{}\" role=\"status\">{}</p>",
            if *ok { "done" } else { "refused" },
            escape(text)
        ));
    }
    let in_effect = p.profiles.iter().rposition(|(on, _)| *on <= p.today);
    let mut rows = String::new();
    for (i, (on, profile)) in p.profiles.iter().enumerate() {
        let (number, certified) = match &profile.certification {
            Some(c) => (escape(&c.number), escape(&lang.date(c.certified_on))),
            None => (t("認定なし", "not certified").to_owned(), String::new()),
        };
        rows.push_str(&format!(
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{number}</td><td>{certified}</td></tr>",
            if Some(i) == in_effect {
                " class=\"in-effect\" aria-current=\"true\""
            } else {
                ""
            },
            escape(&lang.date(*on)),
            escape(&profile.name),
            escape(&profile.address),
        ));
    }
    if p.profiles.is_empty() {
        rows = format!(
            "<tr><td colspan=\"5\">{}</td></tr>",
            t(
                "まだ記録されていません。受領証明書には認定の記録が要ります。",
                "None recorded yet. Receipt certificates need a certification recorded.",
            )
        );
    }
    body.push_str(&format!(
        "<table id=\"profiles\"><thead><tr><th class=\"on\">{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"on\">{}</th></tr></thead><tbody>{rows}</tbody></table>",
        t("効力の日", "From"),
        t("名称", "Name"),
        t("所在地", "Address"),
        t("認定番号", "Certification no."),
        t("認定年月日", "Certified on"),
    ));
    if let Some(typed) = &p.form {
        body.push_str(&format!(
            "<h2>{}</h2><form id=\"record-profile\" method=\"post\" action=\"/organisation\" class=\"fields\">\
             <label class=\"wide\">{} <input name=\"name\" required maxlength=\"200\" value=\"{}\"></label> \
             <label class=\"wide\">{} <input name=\"address\" required maxlength=\"200\" value=\"{}\"></label> \
             <label>{} <input name=\"certification_number\" maxlength=\"100\" value=\"{}\"></label> \
             <label>{} <input name=\"certified_on\" type=\"date\" value=\"{}\"></label> \
             <label>{} <input name=\"on\" type=\"date\" required value=\"{}\"></label> <button>{}</button></form>\
             <p class=\"hint\">{}</p>",
            t("新しい法人情報を記録", "Record a new profile"),
            t("名称", "Name"),
            escape(&typed.name),
            t("所在地", "Address"),
            escape(&typed.address),
            t("認定番号", "Certification no."),
            escape(&typed.number),
            t("認定年月日", "Certified on"),
            escape(&typed.certified_on),
            t("効力の日", "From"),
            p.today,
            t("記録", "Record"),
            t(
                "移転・名称変更・認定のたびに、その日から効力のある情報として記録します。前の情報は残ります。認定がなければ認定番号と認定年月日を空のままにします。",
                "Record a profile for each move, new name or certification, from the day it takes effect; the earlier ones stay. Leave the certification blank while not certified.",
            ),
        ));
    }
    desk_page(lang, t("法人情報", "The NPO's profile"), &body)
}
