//! `/donors`: the donors' desk in the browser, for staff, who look after donors' records.
//! Server-rendered plain forms posted back here (same-origin, like every state-changing
//! request): find a donor, register one, change their details, correct their marks, record
//! an erasure request. The same vault and rules as `spiral donors` and `/api/donors`; every
//! donor whose details a page shows is logged as read.

use super::print::{open_vault, refused, signed_in};
use super::{pages, AppState};
use crate::donor_records::{self, Marks};
use crate::ledger::CommandError;
use crate::people::{Role, User};
use crate::vault::{Held, Vault, VaultError};
use app::donor_desk::{self, Hit, Now, Read, Record, Search, Typed};
use app::i18n::Lang;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use domain::donor_search::DonorQuery;
use domain::events::SubjectRef;
use domain::funds::Payer;
use domain::ids::{DonorId, HouseholdId};
use domain::personal::{gift_years, DetailsInput, DonorDetails, Privacy, Requester};
use domain::Date;
use serde::Deserialize;
use std::sync::Arc;

/// The most donors a search shows: enough to pick from, few enough that a vague word does
/// not put hundreds of people's details on a screen (and in the read log).
const SHOWN: usize = 50;
/// The latest reads of a record's details listed on its page.
const READS_LISTED: usize = 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    pub(super) q: Option<String>,
}

/// Every field a desk form may send; which are read depends on `action`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DeskForm {
    action: Option<String>,
    id: Option<String>,
    name: Option<String>,
    kana: Option<String>,
    postal_code: Option<String>,
    address: Option<String>,
    household: Option<String>,
    officer: Option<String>,
    certified_npo: Option<String>,
    on: Option<String>,
    reason: Option<String>,
    by: Option<String>,
    /// The donor a duplicate is merged into.
    into: Option<String>,
}

impl DeskForm {
    fn typed(&self) -> Typed {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Typed {
            id: text(&self.id),
            name: text(&self.name),
            kana: text(&self.kana),
            postal_code: text(&self.postal_code),
            address: text(&self.address),
            household: text(&self.household),
            officer: self.officer.is_some(),
            certified_npo: self.certified_npo.is_some(),
        }
    }

    fn details(&self, lang: Lang) -> Result<DonorDetails, String> {
        DonorDetails::try_from(DetailsInput {
            name: self.name.clone().unwrap_or_default(),
            kana: self.kana.clone(),
            postal_code: self.postal_code.clone(),
            address: self.address.clone(),
        })
        .map_err(|e| in_lang(lang, e.ja(), e.to_string()))
    }

    fn marks(&self, lang: Lang) -> Result<Marks, String> {
        let household = match self.household.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => Some(
                HouseholdId::new(id)
                    .map_err(|e| in_lang(lang, format!("世帯IDが使えません: {}", e.id), e.to_string()))?,
            ),
        };
        Ok(Marks {
            household,
            officer: self.officer.is_some(),
            certified_npo: self.certified_npo.is_some(),
        })
    }

    /// The day typed, which may not be after today.
    fn on(&self, lang: Lang, today: Date) -> Result<Date, String> {
        let typed = self.on.as_deref().unwrap_or_default().trim();
        let day: Date = typed.parse().map_err(|_| {
            in_lang(
                lang,
                format!("日付が読めません: {typed:?}（例 2026-04-01）"),
                format!("not a date: {typed:?} (e.g. 2026-04-01)"),
            )
        })?;
        if day > today {
            return Err(in_lang(
                lang,
                format!("{day} は今日（{today}）より後です"),
                format!("{day} is after today ({today})"),
            ));
        }
        Ok(day)
    }
}

impl DeskForm {
    /// Reads every field as the desk does, in both languages (for the fuzz targets): each
    /// either reads or is refused with a message, and none panics.
    pub(super) fn read_every_field(&self) {
        let _ = self.typed();
        for lang in [Lang::Ja, Lang::En] {
            let _ = (self.details(lang), self.marks(lang));
            let _ = self.on(lang, crate::vault::today());
        }
    }
}

fn in_lang(lang: Lang, ja: String, en: String) -> String {
    if lang == Lang::Ja {
        ja
    } else {
        en
    }
}

/// A refusal in the page's language, naming what is wrong.
fn vault_refusal(lang: Lang, e: &VaultError) -> String {
    match (lang, e) {
        (Lang::Ja, VaultError::Command(c)) => command_refusal(lang, c),
        (Lang::Ja, e) => e.ja(),
        (_, e) => e.to_string(),
    }
}

fn command_refusal(lang: Lang, e: &CommandError) -> String {
    match (lang, e) {
        (Lang::Ja, CommandError::Rejected(rule)) => rule.ja(),
        (Lang::Ja, CommandError::Conflict { .. }) => {
            "同時に他の変更がありました。読み込み直してもう一度お試しください".into()
        }
        (Lang::Ja, _) => "記録できませんでした。しばらくしてからもう一度お試しください".into(),
        (_, e) => e.to_string(),
    }
}

/// The person signed in if they are staff, and the vault; else the page to answer with.
async fn manager<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    path: &str,
) -> Result<(User, &'a Arc<Vault>), Response> {
    let user = signed_in(state, headers, path).await?;
    if user.role != Role::Staff {
        return Err(refused(
            StatusCode::FORBIDDEN,
            "寄附者の記録はスタッフだけが扱えます。",
            "Only staff look after donors' records.",
        ));
    }
    let vault = open_vault(state).await?;
    if let Err(e) = state.ledger.catch_up().await {
        tracing::error!("donors desk: {e}");
        return Err(super::print::busy());
    }
    Ok((user, vault))
}

/// The search page for `query` (nothing looked for when blank).
async fn search_page(
    state: &AppState,
    vault: &Vault,
    user: &User,
    lang: Lang,
    query: &str,
    typed: Typed,
    message: Option<(bool, String)>,
) -> Result<String, VaultError> {
    let found = match DonorQuery::parse(query) {
        Some(q) => Some(vault.search(state.ledger.log(), &q, &user.name, SHOWN).await?),
        None => None,
    };
    let (registered, identified, views) = state.ledger.read_state(|s| {
        let views: Vec<_> = found
            .iter()
            .flat_map(|f| &f.donors)
            .filter_map(|(id, _, _)| s.donors.get(id).cloned())
            .collect();
        (
            s.donors.len(),
            s.donors.values().filter(|d| d.identified).count(),
            views,
        )
    });
    let hits = found.as_ref().map(|f| {
        f.donors
            .iter()
            .map(|(id, _, details)| Hit {
                id: id.as_str(),
                details,
                view: views.iter().find(|v| &v.id == id),
            })
            .collect()
    });
    let message = message.or_else(|| {
        (!query.trim().is_empty() && found.is_none()).then(|| {
            (
                false,
                in_lang(
                    lang,
                    format!(
                        "探す語を{}文字以内で入れてください",
                        domain::donor_search::MAX_QUERY_CHARS
                    ),
                    format!(
                        "Type a word to look for, {} characters at most",
                        domain::donor_search::MAX_QUERY_CHARS
                    ),
                ),
            )
        })
    });
    Ok(donor_desk::search_page(
        &Search {
            lang,
            query,
            hits,
            matched: found.as_ref().map_or(0, |f| f.matched),
            registered,
            identified,
            typed,
            message,
        },
        crate::vault::today(),
    ))
}

/// `GET /donors?q=…`.
pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let (user, vault) = match manager(&state, &headers, "/donors").await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let lang = pages::lang_of(&headers);
    let q = query.ok().and_then(|Query(q)| q.q).unwrap_or_default();
    match search_page(&state, vault, &user, lang, &q, Typed::default(), None).await {
        Ok(page) => Html(page).into_response(),
        Err(e) => failed(e),
    }
}

fn failed(e: VaultError) -> Response {
    tracing::error!("donors desk: {e}");
    super::print::busy()
}

/// `POST /donors`: registers a donor with their details, then shows their record.
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<DeskForm>, FormRejection>,
) -> Response {
    let (user, vault) = match manager(&state, &headers, "/donors").await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let lang = pages::lang_of(&headers);
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let today = crate::vault::today();
    let asked = (|| {
        let id = form.id.as_deref().unwrap_or_default().trim();
        let donor = DonorId::new(id).map_err(|e| {
            in_lang(
                lang,
                format!(
                    "寄附者IDが使えません: {:?}（英小文字・数字・- _ . で64文字まで）",
                    e.id
                ),
                e.to_string(),
            )
        })?;
        Ok::<_, String>((
            donor,
            form.details(lang)?,
            form.marks(lang)?,
            form.on(lang, today)?,
        ))
    })();
    let outcome = match asked {
        Ok((donor, details, marks, on)) => {
            match donor_records::register(&state.ledger, vault, &donor, &marks, &details, &user.name, on)
                .await
            {
                Ok(()) => Ok(donor),
                Err(e) => Err(vault_refusal(lang, &e)),
            }
        }
        Err(text) => Err(text),
    };
    match outcome {
        Ok(donor) => {
            let text = in_lang(
                lang,
                format!("{donor} を登録しました"),
                format!("Registered {donor}"),
            );
            record_response(&state, vault, &user, lang, &donor, Some((true, text))).await
        }
        Err(text) => {
            match search_page(&state, vault, &user, lang, "", form.typed(), Some((false, text))).await {
                Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response(),
                Err(e) => failed(e),
            }
        }
    }
}

/// The donor a record's address names, or the page saying it names none.
async fn donor_of(lang: Lang, path: Result<Path<String>, PathRejection>) -> Result<DonorId, Response> {
    let id = path.map(|Path(id)| id).unwrap_or_default();
    DonorId::new(id).map_err(|e| {
        let text = in_lang(lang, format!("寄附者IDが使えません: {:?}", e.id), e.to_string());
        refused(StatusCode::NOT_FOUND, &text, &text)
    })
}

/// The record page of `donor`, with `message`; 404 for a donor the ledger does not hold.
async fn record_response(
    state: &AppState,
    vault: &Vault,
    user: &User,
    lang: Lang,
    donor: &DonorId,
    message: Option<(bool, String)>,
) -> Response {
    let status = match &message {
        Some((false, _)) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    match record_page(state, vault, user, lang, donor, message).await {
        Ok(Some(page)) => (status, Html(page)).into_response(),
        Ok(None) => refused(
            StatusCode::NOT_FOUND,
            &format!("寄附者 {donor} は登録されていません。"),
            &format!("No donor {donor} is registered."),
        ),
        Err(e) => failed(e),
    }
}

async fn record_page(
    state: &AppState,
    vault: &Vault,
    user: &User,
    lang: Lang,
    donor: &DonorId,
    message: Option<(bool, String)>,
) -> Result<Option<String>, VaultError> {
    let Some((view, gifts, certificates)) = state.ledger.read_state(|s| {
        let view = s.donors.get(donor)?.clone();
        let mut by_year: std::collections::BTreeMap<_, (usize, domain::Yen)> = Default::default();
        for r in s.receipts.by_year() {
            if matches!(&r.payer, Payer::Donor(d) if d == donor) {
                let year = by_year.entry(r.fiscal_year).or_default();
                year.0 += 1;
                year.1 = year.1.checked_add(r.amount).unwrap_or(year.1);
            }
        }
        let certificates = s
            .certificates
            .issued
            .values()
            .filter(|i| &i.certificate.donor == donor)
            .count();
        let gifts = by_year.into_iter().map(|(y, (n, total))| (y, n, total)).collect();
        Some((view, gifts, certificates))
    }) else {
        return Ok(None);
    };
    let held = vault
        .read(&state.ledger, donor, &user.name, crate::vault::Purpose::Manage)
        .await?;
    let revisions = donor_records::revisions(&state.ledger, vault, donor, &user.name).await?;
    let subject = state
        .ledger
        .subject(&SubjectRef::Donor(donor.clone()).stream())
        .await?;
    let privacy = Privacy::of(&subject.facts());
    let reads = vault.reads(Some(donor)).await?;
    let now = match &held {
        Held::Recorded {
            revision, details, ..
        } => Now::Details(*revision, details),
        Held::NotRecorded => Now::NotRecorded,
        Held::UseStopped => Now::UseStopped,
        Held::Erased => Now::Erased,
        Held::Unreadable => Now::Unreadable,
    };
    let by = |r: Requester| match (lang, r) {
        (Lang::Ja, r) => r.ja(),
        (_, Requester::Donor) => "the donor",
        (_, Requester::Agent) => "an agent",
    };
    Ok(Some(donor_desk::record_page(&Record {
        lang,
        view: &view,
        now,
        revisions: revisions
            .iter()
            .map(|r| donor_desk::Revision {
                number: r.number,
                on: r.on,
                recorded_at: lang.recorded(r.recorded_at),
                by: &r.by,
                details: r.details.as_ref(),
            })
            .collect(),
        gifts,
        certificates,
        erasure_asked: privacy.erasure_requested.map(|(on, r)| (on, by(r))),
        erased_on: privacy.erased,
        reads: reads
            .iter()
            .rev()
            .take(READS_LISTED)
            .map(|r| Read {
                at: chrono::DateTime::parse_from_rfc3339(&r.at)
                    .map(|at| lang.recorded(at.to_utc()))
                    .unwrap_or_else(|_| r.at.clone()),
                actor: &r.actor,
                purpose: &r.purpose,
            })
            .collect(),
        reads_total: reads.len(),
        today: crate::vault::today(),
        message,
    })))
}

/// `GET /donors/{id}`.
pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let lang = pages::lang_of(&headers);
    let donor = match donor_of(lang, path).await {
        Ok(donor) => donor,
        Err(page) => return page,
    };
    let (user, vault) = match manager(&state, &headers, &format!("/donors/{donor}")).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    record_response(&state, vault, &user, lang, &donor, None).await
}

/// `POST /donors/{id}`: change the details, correct the marks, or record an erasure request;
/// then the record again with what happened.
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<DeskForm>, FormRejection>,
) -> Response {
    let lang = pages::lang_of(&headers);
    let donor = match donor_of(lang, path).await {
        Ok(donor) => donor,
        Err(page) => return page,
    };
    let (user, vault) = match manager(&state, &headers, &format!("/donors/{donor}")).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let today = crate::vault::today();
    let outcome = match form {
        Err(_) => Err(in_lang(
            lang,
            "送信された内容を読めませんでした".into(),
            "The form could not be read".into(),
        )),
        Ok(Form(form)) => act_on(&state, vault, &user, lang, &donor, &form, today).await,
    };
    let message = match outcome {
        Ok(text) => (true, text),
        Err(text) => (false, text),
    };
    record_response(&state, vault, &user, lang, &donor, Some(message)).await
}

/// Does what `form` asks for `donor`; what was done, or why not, in the page's language.
async fn act_on(
    state: &AppState,
    vault: &Vault,
    user: &User,
    lang: Lang,
    donor: &DonorId,
    form: &DeskForm,
    today: Date,
) -> Result<String, String> {
    match form.action.as_deref().unwrap_or_default() {
        "details" => {
            let details = form.details(lang)?;
            let on = form.on(lang, today)?;
            let revision =
                donor_records::record_details(&state.ledger, vault, donor, &details, &user.name, on)
                    .await
                    .map_err(|e| vault_refusal(lang, &e))?;
            Ok(in_lang(
                lang,
                format!("第{revision}版を記録しました"),
                format!("Recorded revision {revision}"),
            ))
        }
        "marks" => {
            let marks = form.marks(lang)?;
            let on = form.on(lang, today)?;
            let reason = form.reason.as_deref().unwrap_or_default().trim();
            let changed = donor_records::correct_marks(&state.ledger, donor, &marks, &user.name, on, reason)
                .await
                .map_err(|e| command_refusal(lang, &e))?;
            Ok(match (lang, changed) {
                (Lang::Ja, true) => "訂正しました".into(),
                (Lang::Ja, false) => "変更はありません".into(),
                (_, true) => "Corrected".into(),
                (_, false) => "Nothing changed".into(),
            })
        }
        "erase" => {
            let by = match form.by.as_deref() {
                Some("donor") => Requester::Donor,
                Some("agent") => Requester::Agent,
                _ => {
                    return Err(in_lang(
                        lang,
                        "申出たのが本人か代理人かを選んでください".into(),
                        "Choose who asked: the donor or an agent".into(),
                    ))
                }
            };
            let on = form.on(lang, today)?;
            let years: Vec<_> = state
                .ledger
                .read_state(|s| gift_years(s.receipts.values(), donor).collect());
            let outcome = vault
                .request_erasure(&state.ledger, donor, by, on, &years, &user.name, today)
                .await
                .map_err(|e| vault_refusal(lang, &e))?;
            Ok(match (lang, outcome) {
                (Lang::Ja, crate::vault::ErasureOutcome::Deferred { from }) => {
                    format!("申出を記録し、利用を停止しました。名簿の保存期間が終わる {from} に消去します")
                }
                (Lang::Ja, _) => "申出を記録し、消去しました".into(),
                (_, crate::vault::ErasureOutcome::Deferred { from }) => {
                    format!("Recorded; use stopped. Erased on {from}, when the registers' retention ends")
                }
                (_, _) => "Recorded and erased".into(),
            })
        }
        "merge" => {
            let into = form.into.as_deref().unwrap_or_default().trim();
            let into = DonorId::new(into)
                .map_err(|e| in_lang(lang, format!("寄附者IDが使えません: {:?}", e.id), e.to_string()))?;
            let reason = form.reason.as_deref().unwrap_or_default().trim();
            let moved = donor_records::merge(&state.ledger, donor, &into, &user.name, reason)
                .await
                .map_err(|e| in_lang(lang, e.ja(), e.to_string()))?;
            Ok(in_lang(
                lang,
                format!("{moved}件の寄附・会費を {into} に移しました（名寄せ）"),
                format!("Moved {moved} gifts and dues to {into} (merged)"),
            ))
        }
        _ => Err(in_lang(
            lang,
            "操作が指定されていません".into(),
            "No action was named".into(),
        )),
    }
}
