//! `/organisation`: the NPO's own profile in the browser. Staff record a new one from a day on
//! with a plain form posted back here (the same fact and rules as `spiral organisation
//! record`); reporters and auditors read what the ledger holds.

use super::print::{refused, signed_in};
use super::{pages, AppState};
use crate::ledger::CommandError;
use crate::people::Role;
use app::i18n::Lang;
use app::profile_desk::{profile_page, ProfilePage, ProfileTyped};
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use domain::events::{Certification, OrganisationProfile};
use domain::{Command, Date, Fact};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProfileForm {
    name: Option<String>,
    address: Option<String>,
    certification_number: Option<String>,
    certified_on: Option<String>,
    on: Option<String>,
}

impl ProfileForm {
    fn typed(&self) -> ProfileTyped {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        ProfileTyped {
            name: text(&self.name),
            address: text(&self.address),
            number: text(&self.certification_number),
            certified_on: text(&self.certified_on),
        }
    }

    /// The profile and the day it takes effect, or why not, in `lang`.
    pub(super) fn read(&self, lang: Lang, today: Date) -> Result<(OrganisationProfile, Date), String> {
        let say = |ja: String, en: String| if lang == Lang::Ja { ja } else { en };
        let day = |field_ja: &str, field_en: &str, text: &str| -> Result<Date, String> {
            text.trim().parse::<Date>().map_err(|_| {
                say(
                    format!("{field_ja}が読めません: {text:?}（例 2026-04-01）"),
                    format!("{field_en}: not a date: {text:?} (e.g. 2026-04-01)"),
                )
            })
        };
        let blank = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
        let number = blank(&self.certification_number);
        let certified_on = blank(&self.certified_on);
        let certification = match (number.is_empty(), certified_on.is_empty()) {
            (true, true) => None,
            (false, false) => Some(Certification {
                number,
                certified_on: day("認定年月日", "certified on", &certified_on)?,
            }),
            _ => {
                return Err(say(
                    "認定番号と認定年月日は両方入れるか、両方空にします".into(),
                    "Give both the certification number and the day, or neither".into(),
                ))
            }
        };
        let on = day("効力の日", "from", self.on.as_deref().unwrap_or_default())?;
        if on > today {
            return Err(say(
                format!("効力の日 {on} は今日（{today}）より後です"),
                format!("{on} is after today ({today})"),
            ));
        }
        Ok((
            OrganisationProfile {
                name: blank(&self.name),
                address: blank(&self.address),
                certification,
            },
            on,
        ))
    }
}

/// The page for `role`, with the form for staff (filled with `typed`, else the profile in
/// effect).
fn render(
    state: &AppState,
    lang: Lang,
    role: Role,
    typed: Option<ProfileTyped>,
    message: Option<(bool, String)>,
) -> String {
    let today = crate::vault::today();
    let profiles: Vec<(Date, OrganisationProfile)> = state
        .ledger
        .read_state(|s| s.organisation.iter().map(|p| (p.on, p.profile.clone())).collect());
    let form = (role == Role::Staff).then(|| {
        typed.unwrap_or_else(|| {
            profiles
                .iter()
                .rev()
                .find(|(on, _)| *on <= today)
                .map(|(_, p)| ProfileTyped::from_profile(p))
                .unwrap_or_default()
        })
    });
    profile_page(&ProfilePage {
        lang,
        profiles: &profiles,
        today,
        form,
        message,
    })
}

/// The person signed in if they may read the profile (anyone who reads the ledger).
async fn reader(state: &AppState, headers: &HeaderMap) -> Result<crate::people::User, Response> {
    let user = signed_in(state, headers, "/organisation").await?;
    if user.role == Role::Admin {
        return Err(refused(
            StatusCode::FORBIDDEN,
            "管理者は台帳を見られません。",
            "Administrators do not read the ledger.",
        ));
    }
    if let Err(e) = state.ledger.catch_up().await {
        tracing::error!("profile page: {e}");
        return Err(super::print::busy());
    }
    Ok(user)
}

/// `GET /organisation`.
pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match reader(&state, &headers).await {
        Ok(user) => user,
        Err(page) => return page,
    };
    Html(render(&state, pages::lang_of(&headers), user.role, None, None)).into_response()
}

/// `POST /organisation`: records a new profile (staff), then the page again.
pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ProfileForm>, FormRejection>,
) -> Response {
    let user = match reader(&state, &headers).await {
        Ok(user) => user,
        Err(page) => return page,
    };
    if user.role != Role::Staff {
        return refused(
            StatusCode::FORBIDDEN,
            "法人情報はスタッフだけが記録できます。",
            "Only staff record the NPO's profile.",
        );
    }
    let lang = pages::lang_of(&headers);
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let outcome = match form.read(lang, crate::vault::today()) {
        Ok((profile, on)) => {
            let command = Command::record(on, Fact::OrganisationProfiled(profile));
            match state.ledger.execute(command, &user.name, None).await {
                Ok(_) => Ok(if lang == Lang::Ja {
                    format!("{on}からの法人情報を記録しました")
                } else {
                    format!("Recorded the profile from {on}")
                }),
                Err(CommandError::Rejected(rule)) if lang == Lang::Ja => Err(rule.ja()),
                Err(e) => Err(e.to_string()),
            }
        }
        Err(text) => Err(text),
    };
    if let Err(e) = state.ledger.catch_up().await {
        tracing::error!("profile page: {e}");
    }
    match outcome {
        Ok(text) => Html(render(&state, lang, user.role, None, Some((true, text)))).into_response(),
        Err(text) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(render(
                &state,
                lang,
                user.role,
                Some(form.typed()),
                Some((false, text)),
            )),
        )
            .into_response(),
    }
}
