//! Recording (staff only): a form for every kind of event, checked in the browser with the same
//! `domain` rules the server applies before anything is sent; corrections and retractions of an
//! existing event with a required reason. A submit never fails silently: the new event, the
//! server's refusal next to its field, a conflict with someone else's change, or a lost
//! connection is always said, and what was typed is kept (also across a reload, as a draft).

pub mod form;

use crate::boot::{encode_segment, Amend, AmendAction};
use crate::browser;
use crate::i18n::Lang;
use crate::store::Store;
use crate::Ctx;
use domain::events::Entry;
use domain::Date;
use domain::{Command, Fact, Subject};
use form::{build_fact, code, fields, values_of, Field, FieldError, Input, Values, KINDS};
use leptos::prelude::*;

/// What happened to the last submit.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Idle,
    Sending,
    Recorded {
        position: u64,
        stream: String,
    },
    /// The server refused: the message in the user's language and the field it is about.
    Refused {
        field: Option<String>,
        message: String,
    },
    /// The subject changed since the form was started.
    Conflict,
    /// The request did not reach the server.
    Offline,
}

/// A form's command, the stream it goes to and the version it was decided against.
#[derive(Debug, Clone, PartialEq)]
struct Checked {
    command: Command,
    stream: String,
    version: u64,
}

fn check(kind: &str, values: &Values, amend: Option<&Amend>, store: Store) -> Result<Checked, FieldError> {
    let on = values.get("on").map_or("", |v| v.trim());
    let on: Date = crate::i18n::parse_date(on).ok_or_else(|| FieldError {
        field: "on",
        ja: "発効日を入力してください。".into(),
        en: "Please enter the effective date.".into(),
    })?;
    let reason = || {
        Some(values.get("reason").map_or("", |v| v.trim()).to_owned())
            .filter(|r| !r.is_empty())
            .ok_or(FieldError {
                field: "reason",
                ja: "訂正・取消には理由が必要です。".into(),
                en: "A correction or retraction needs a reason.".into(),
            })
    };
    let command = match amend {
        None => Command::Record {
            on,
            fact: build_fact(kind, values)?,
            note: values
                .get("note")
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
        },
        Some(Amend {
            action: AmendAction::Correct,
            stream,
            target,
        }) => Command::Correct {
            stream: stream.clone(),
            target: *target,
            on,
            fact: build_fact(kind, values)?,
            reason: reason()?,
        },
        Some(Amend {
            action: AmendAction::Retract,
            stream,
            target,
        }) => Command::Retract {
            stream: stream.clone(),
            target: *target,
            reason: reason()?,
        },
    };
    let stream = command.stream().map_err(|e| FieldError::from(("kind", e)))?;
    let mut subject = Subject::default();
    for e in store.stream(&stream) {
        subject.apply_event(e.event);
    }
    store
        .state
        .with(|s| subject.decide(command.clone(), s))
        .map_err(|e| FieldError::from(("kind", e)))?;
    Ok(Checked {
        command,
        stream,
        version: subject.version(),
    })
}

/// The event an amendment is about: its kind and the fact as it stands.
fn amended_fact(store: Store, amend: &Amend) -> Option<(Date, Fact)> {
    let mut subject = Subject::default();
    let events = store.stream(&amend.stream);
    for e in &events {
        subject.apply_event(e.event.clone());
    }
    let original = events.iter().find(|e| e.sequence == amend.target)?;
    // The fact as it currently stands (after earlier corrections), else the original.
    let standing = events
        .iter()
        .rev()
        .find_map(|e| match &e.event.entry {
            Entry::Corrected { target, fact, .. } if *target == amend.target => {
                Some((e.event.on, (**fact).clone()))
            }
            _ => None,
        })
        .or_else(|| {
            original
                .event
                .fact()
                .map(|fact| (original.event.on, fact.clone()))
        });
    standing
}

#[component]
pub fn RecordPage(amend: Option<Amend>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let today = ctx.boot.today;

    let amended = amend.as_ref().and_then(|a| amended_fact(store, a));
    let (initial_kind, mut initial) = match &amended {
        Some((on, fact)) => {
            let mut v = values_of(fact);
            v.insert("on".into(), on.to_string());
            (fact.type_name().to_owned(), v)
        }
        None => (KINDS[0].to_owned(), Values::new()),
    };
    initial.entry("on".into()).or_insert_with(|| today.to_string());
    // Per person: someone else signing in on this browser never finds another's draft.
    let user = crate::boot::encode_segment(&ctx.boot.user);
    let draft_key = match &amend {
        Some(a) => format!(
            "{}{user}:{}:{}:{}",
            browser::DRAFT_PREFIX,
            a.action.code(),
            a.stream,
            a.target
        ),
        None => format!("{}{user}:new", browser::DRAFT_PREFIX),
    };
    // The id of the command being sent, kept until it is recorded or the form changes: sent
    // again after a lost reply (or a reload), the same command is stored once.
    let id_key = format!("{draft_key}:command-id");
    let pending = StoredValue::new(None::<(Command, String, u64)>);
    let kind = RwSignal::new(initial_kind);
    let values = RwSignal::new(initial);
    let touched = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let submitted = RwSignal::new(false);
    let outcome = RwSignal::new(Outcome::Idle);
    // The version each stream had when this form first decided against it: a submit says so,
    // and the server refuses it if someone else has changed the subject since.
    let base_versions = StoredValue::new(std::collections::HashMap::<String, u64>::new());
    let amend_for_check = amend.clone();
    let checked = Memo::new(move |_| check(&kind.get(), &values.get(), amend_for_check.as_ref(), store));

    // A draft left by a reload comes back once the page is live (never on the server).
    let key = draft_key.clone();
    let is_new = amend.is_none();
    Effect::new(move |_| {
        if let Some((k, v)) = browser::load_draft(&key) {
            if is_new && KINDS.contains(&k.as_str()) {
                kind.set(k);
            }
            values.set(v);
        }
    });
    let save = {
        let key = draft_key.clone();
        move || browser::save_draft(&key, &kind.get_untracked(), &values.get_untracked())
    };
    let set_value = {
        let save = save.clone();
        let id_key = id_key.clone();
        move |name: String, value: String| {
            values.update(|v| {
                v.insert(name.clone(), value);
            });
            touched.update(|t| {
                t.insert(name.split('.').next().unwrap_or_default().to_owned());
            });
            if matches!(outcome.get_untracked(), Outcome::Recorded { .. }) {
                outcome.set(Outcome::Idle);
            }
            // A changed form is a new command.
            browser::store(&id_key, None);
            pending.set_value(None);
            save();
        }
    };

    let submit = {
        let key = draft_key.clone();
        let id_key = id_key.clone();
        move || {
            submitted.set(true);
            // A command sent without an answer (the connection dropped) is sent again exactly
            // as it was, under its id: the ledger may already hold it, which the page's own
            // check would now refuse as "already recorded".
            let (command, stream, expected) = match pending.get_value() {
                Some(sent) => sent,
                None => {
                    let Ok(c) = checked.get_untracked() else {
                        return;
                    };
                    let expected = base_versions
                        .with_value(|b| b.get(&c.stream).copied())
                        .unwrap_or(c.version);
                    (c.command, c.stream, expected)
                }
            };
            pending.set_value(Some((command.clone(), stream.clone(), expected)));
            outcome.set(Outcome::Sending);
            let key = key.clone();
            let id_key = id_key.clone();
            let id = browser::stored(&id_key).unwrap_or_else(browser::new_command_id);
            browser::store(&id_key, Some(&id));
            leptos::task::spawn_local(async move {
                let result = browser::post_command(&command, expected, Some(&id)).await;
                if result.is_ok() {
                    // An answer, whatever it says, settles this command.
                    pending.set_value(None);
                }
                let next = match result {
                    Err(_) => Outcome::Offline,
                    Ok(reply) if reply.status == 200 => {
                        browser::clear_draft(&key);
                        browser::store(&id_key, None);
                        base_versions.update_value(|b| {
                            b.remove(&stream);
                        });
                        Outcome::Recorded {
                            position: reply.position.unwrap_or_default(),
                            stream: stream.clone(),
                        }
                    }
                    Ok(reply) if reply.status == 409 => Outcome::Conflict,
                    Ok(reply) => Outcome::Refused {
                        message: refusal(&reply, lang),
                        field: reply.field,
                    },
                };
                outcome.set(next);
            });
        }
    };
    // Remember the version a stream had when the form first decided against it.
    Effect::new(move |_| {
        if let Ok(c) = checked.get() {
            base_versions.update_value(|b| {
                b.entry(c.stream).or_insert(c.version);
            });
        }
    });
    let retry = {
        let submit = submit.clone();
        let id_key = id_key.clone();
        move |_| {
            // Decided again against the latest version: a different command, a new id.
            base_versions.update_value(|b| b.clear());
            browser::store(&id_key, None);
            pending.set_value(None);
            submit();
        }
    };

    // The message for a field, once the user has been there or has tried to submit.
    let error_for = move |field: &'static str| {
        move || {
            if let Outcome::Refused {
                field: Some(f),
                message,
            } = outcome.get()
            {
                if f == field {
                    return Some(message);
                }
            }
            let shown = submitted.get() || touched.with(|t| t.contains(field));
            match checked.get() {
                Err(e) if e.field == field && shown => Some(e.message(lang).to_owned()),
                _ => None,
            }
        }
    };
    let form_fields = {
        let set_value = set_value.clone();
        let amend = amend.clone();
        move || {
            let k = kind.get();
            let mut rows =
                vec![date_field(t.effective_date, values, set_value.clone(), error_for("on")).into_any()];
            if amend.as_ref().is_none_or(|a| a.action == AmendAction::Correct) {
                for field in fields(&k) {
                    rows.push(field_view(
                        field,
                        lang,
                        values,
                        set_value.clone(),
                        error_for(field.name),
                    ));
                }
            }
            rows.collect_view()
        }
    };
    let general_error = move || {
        let known: Vec<&str> = std::iter::once("on")
            .chain(std::iter::once("reason"))
            .chain(fields(&kind.get()).iter().map(|f| f.name))
            .collect();
        match outcome.get() {
            Outcome::Refused { field, message } if field.as_deref().is_none_or(|f| !known.contains(&f)) => {
                return Some(message);
            }
            _ => {}
        }
        match checked.get() {
            Err(e) if submitted.get() && !known.contains(&e.field) => Some(e.message(lang).to_owned()),
            _ => None,
        }
    };
    let status = move || match outcome.get() {
        Outcome::Idle => None,
        Outcome::Sending => Some(view! { <p id="record-status" role="status">{t.sending}</p> }.into_any()),
        Outcome::Recorded { position, stream } => {
            let href = subject_href(&stream);
            Some(
                view! {
                    <p id="record-status" class="success" role="status">
                        {format!("{} (#{position})", t.recorded)}" "
                        {href.map(|h| view! { <a href=h>{t.open}</a> })}
                    </p>
                }
                .into_any(),
            )
        }
        Outcome::Conflict => Some(
            view! {
                <div id="record-status" class="error" role="alert">
                    <p>{t.conflict}</p>
                    <button type="button" id="retry" on:click=retry.clone()>{t.retry}</button>
                </div>
            }
            .into_any(),
        ),
        Outcome::Offline => {
            Some(view! { <p id="record-status" class="error" role="alert">{t.submit_offline}</p> }.into_any())
        }
        Outcome::Refused { .. } => None,
    };

    let title = match &amend {
        None => t.record_title,
        Some(a) if a.action == AmendAction::Correct => t.correct_title,
        Some(_) => t.retract_title,
    };
    let target_line = amend.as_ref().map(|a| {
        let what = amended
            .as_ref()
            .map(|(_, f)| lang.event_kind(f.type_name()))
            .unwrap_or(t.not_found);
        view! { <p id="amend-target">{format!("{} #{} — {what}", a.stream, a.target)}</p> }
    });
    let kind_picker = amend.is_none().then(|| {
        let options = KINDS
            .iter()
            .map(|k| view! { <option value=*k selected=move || kind.get() == *k>{lang.event_kind(k)}</option> })
            .collect_view();
        view! {
            <div class="field">
                <label for="f-event-kind">{t.event_kind}</label>
                <select id="f-event-kind" prop:value=move || kind.get() on:change=move |ev| {
                    kind.set(event_target_value(&ev));
                    outcome.set(Outcome::Idle);
                    save();
                }>{options}</select>
            </div>
        }
    });
    let reason_field = amend.is_some().then(|| {
        let set_value = set_value.clone();
        let error = error_for("reason");
        view! {
            <div class="field" data-field="reason">
                <label for="f-reason">{t.reason}</label>
                <textarea id="f-reason" required aria-describedby="err-reason"
                    prop:value=move || values.with(|v| v.get("reason").cloned().unwrap_or_default())
                    on:input=move |ev| set_value("reason".into(), event_target_value(&ev))></textarea>
                <p class="field-error" id="err-reason" role="alert">{error}</p>
            </div>
        }
    });
    let submit_form = submit.clone();
    view! {
        <h1>{title}</h1>
        {target_line}
        <Pickers/>
        <form id="record-form" class="record" novalidate on:submit=move |ev| {
            ev.prevent_default();
            submit_form();
        }>
            {kind_picker}
            {form_fields}
            {reason_field}
            <p class="form-error" id="form-error" role="alert">{general_error}</p>
            <button type="submit" id="record-submit" disabled=move || outcome.get() == Outcome::Sending>
                {t.submit}
            </button>
        </form>
        {status}
    }
}

/// The server's refusal in the page's language.
fn refusal(reply: &browser::Reply, lang: Lang) -> String {
    let message = match lang {
        Lang::Ja => reply.message.clone(),
        Lang::En => reply.message_en.clone().or(reply.message.clone()),
    };
    message.unwrap_or_else(|| format!("HTTP {}", reply.status))
}

/// Where a recorded event can be seen.
fn subject_href(stream: &str) -> Option<String> {
    let (kind, id) = stream.split_once(':')?;
    match kind {
        "program" => Some(format!("/programs/{}", encode_segment(id))),
        "partner" => Some(format!("/partners/{}", encode_segment(id))),
        _ => Some("/".to_owned()),
    }
}

/// Search-as-you-type lists of the programs and partners the ledger knows (the browser filters
/// them as one types, IME input included).
#[component]
fn Pickers() -> impl IntoView {
    let store = expect_context::<Ctx>().store;
    let programs = move || {
        store.state.with(|s| {
            s.programs
                .values()
                .map(|p| view! { <option value=p.id.as_str().to_owned() label=p.name.clone()></option> })
                .collect_view()
        })
    };
    let partners = move || {
        store.state.with(|s| {
            s.partners
                .values()
                .map(|p| {
                    let label = p.current_name().to_owned();
                    view! { <option value=p.id.as_str().to_owned() label=label></option> }
                })
                .collect_view()
        })
    };
    view! {
        <datalist id="programs-list">{programs}</datalist>
        <datalist id="partners-list">{partners}</datalist>
    }
}

type Setter = std::sync::Arc<dyn Fn(String, String) + Send + Sync>;

fn date_field(
    label: &'static str,
    values: RwSignal<Values>,
    set_value: impl Fn(String, String) + Clone + Send + Sync + 'static,
    error: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="field" data-field="on">
            <label for="f-on">{label}</label>
            <input id="f-on" type="date" required aria-describedby="err-on"
                prop:value=move || values.with(|v| v.get("on").cloned().unwrap_or_default())
                on:input=move |ev| set_value("on".into(), event_target_value(&ev))/>
            <p class="field-error" id="err-on" role="alert">{error}</p>
        </div>
    }
}

fn field_view(
    field: Field,
    lang: Lang,
    values: RwSignal<Values>,
    set_value: impl Fn(String, String) + Clone + Send + Sync + 'static,
    error: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> AnyView {
    let t = lang.text();
    let set: Setter = std::sync::Arc::new(set_value);
    let name = field.name;
    let id = format!("f-{name}");
    let err_id = format!("err-{name}");
    let label = format!(
        "{}{}",
        lang.field_label(name),
        if field.required { " *" } else { "" }
    );
    let value = move |key: String| move || values.with(|v| v.get(&key).cloned().unwrap_or_default());
    let text_input = |key: String, input_id: String, list: Option<&'static str>, mode: &'static str| {
        let set = set.clone();
        let k = key.clone();
        // Inputs without a <label> of their own (one of several, or beside a select) are named.
        let aria_label = match key.split_once('.') {
            Some((_, n)) if n.parse::<u8>().is_ok() => Some(format!("{} {n}", lang.field_label(name))),
            _ if field.input == Input::Payer => Some(lang.field_label(name).to_owned()),
            _ => None,
        };
        view! {
            <input id=input_id name=key.clone() list=list inputmode=mode autocomplete="off"
                aria-label=aria_label aria-describedby=err_id.clone()
                prop:value=value(key)
                on:input=move |ev| set(k.clone(), event_target_value(&ev))/>
        }
        .into_any()
    };
    let select = |options: Vec<(String, String)>| {
        let set = set.clone();
        let key = name.to_owned();
        let current = value(key.clone());
        let options = options
            .into_iter()
            .map(|(v, l)| {
                let selected = {
                    let v = v.clone();
                    let current = current.clone();
                    move || current() == v
                };
                view! { <option value=v selected=selected>{l}</option> }
            })
            .collect_view();
        view! {
            <select id=id.clone() name=key.clone() aria-describedby=err_id.clone()
                prop:value=current.clone()
                on:change=move |ev| set(key.clone(), event_target_value(&ev))>
                <option value="">"—"</option>
                {options}
            </select>
        }
        .into_any()
    };
    let control = match field.input {
        Input::Text | Input::NewId | Input::Existing => text_input(name.into(), id.clone(), None, "text"),
        Input::Program => text_input(name.into(), id.clone(), Some("programs-list"), "text"),
        Input::Partner => view! {
            {text_input(name.into(), id.clone(), Some("partners-list"), "text")}
            <NewPartner field=name slots=1 values=values set=set.clone()/>
        }
        .into_any(),
        Input::Partners => view! {
            {(1..=3)
                .map(|n| text_input(format!("{name}.{n}"), format!("{id}-{n}"), Some("partners-list"), "text"))
                .collect_view()}
            <NewPartner field=name slots=3 values=values set=set.clone()/>
        }
        .into_any(),
        Input::FiscalYear => text_input(name.into(), id.clone(), None, "numeric"),
        Input::Yen => text_input(name.into(), id.clone(), None, "numeric"),
        Input::Pillar => select(
            domain::program::Pillar::ALL
                .into_iter()
                .map(|p| (code(p), lang.pillar(p).to_owned()))
                .collect(),
        ),
        Input::Stage => select(
            (1..=9u8)
                .filter_map(|n| domain::program::SpiralStage::try_from(n).ok())
                .map(|s| (s.number().to_string(), format!("{}. {}", s.number(), lang.stage(s))))
                .collect(),
        ),
        Input::PartnerKind => select(
            form::PARTNER_KINDS
                .into_iter()
                .map(|k| (code(k), lang.partner_kind(k).to_owned()))
                .collect(),
        ),
        Input::FundKind => select(
            form::FUND_KINDS
                .into_iter()
                .map(|k| (code(k), lang.fund_kind(k).to_owned()))
                .collect(),
        ),
        Input::Payer => {
            let set_kind = set.clone();
            let kind_value = value("payer_kind".into());
            let options = [("Partner", t.payer_partner), ("Donor", t.payer_donor), ("Anonymous", t.payer_anonymous)]
                .into_iter()
                .map(|(v, l)| {
                    let current = kind_value.clone();
                    view! { <option value=v selected=move || current() == v>{l}</option> }
                })
                .collect_view();
            view! {
                <select id="f-payer_kind" aria-label=t.payer_kind prop:value=kind_value.clone()
                    on:change=move |ev| set_kind("payer_kind".into(), event_target_value(&ev))>
                    {options}
                </select>
                {text_input(name.into(), id.clone(), Some("partners-list"), "text")}
            }
            .into_any()
        }
        Input::Checkbox => {
            let set = set.clone();
            view! {
                <input id=id.clone() type="checkbox" name=name
                    prop:checked=move || values.with(|v| v.get(name).is_some_and(|x| x == "on"))
                    on:change=move |ev| set(name.into(), if event_target_checked(&ev) { "on".into() } else { String::new() })/>
            }
            .into_any()
        }
        Input::Beneficiaries => form::BENEFICIARIES
            .into_iter()
            .map(|b| {
                let set = set.clone();
                let key = format!("{name}.{}", code(b));
                let k = key.clone();
                view! {
                    <label class="check">
                        <input type="checkbox" name=key.clone()
                            prop:checked=move || values.with(|v| v.get(&key).is_some_and(|x| x == "on"))
                            on:change=move |ev| set(k.clone(), if event_target_checked(&ev) { "on".into() } else { String::new() })/>
                        {lang.beneficiary(b)}
                    </label>
                }
            })
            .collect_view()
            .into_any(),
        Input::Participants => form::SECTORS
            .into_iter()
            .map(|s| {
                let key = format!("{name}.{}", code(s));
                let input_id = format!("{id}-{}", code(s));
                view! {
                    <label class="count" for=input_id.clone()>{lang.sector(s)}</label>
                    {text_input(key, input_id, None, "numeric")}
                }
            })
            .collect_view()
            .into_any(),
    };
    let grouped = matches!(
        field.input,
        Input::Beneficiaries | Input::Participants | Input::Partners | Input::Payer
    );
    if grouped {
        view! {
            <fieldset class="field" data-field=name>
                <legend>{label}</legend>
                {control}
                <p class="field-error" id=err_id.clone() role="alert">{error}</p>
            </fieldset>
        }
        .into_any()
    } else {
        view! {
            <div class="field" data-field=name>
                <label for=id.clone()>{label}</label>
                {control}
                <p class="field-error" id=err_id.clone() role="alert">{error}</p>
            </div>
        }
        .into_any()
    }
}

/// Registers a new partner from inside another form, then picks it there: the first empty of
/// the field's `slots` inputs (`field` itself when it has one input, else `field.1` …).
#[component]
fn NewPartner(field: &'static str, slots: u8, values: RwSignal<Values>, set: Setter) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang();
    let t = lang.text();
    let store = ctx.store;
    let today = ctx.boot.today;
    let sub = RwSignal::new(Values::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let prefix = format!("np-{field}");
    let input = move |key: &'static str, label: &'static str| {
        let id = format!("{prefix}-{key}");
        view! {
            <label for=id.clone()>{label}</label>
            <input id=id autocomplete="off"
                prop:value=move || sub.with(|v| v.get(key).cloned().unwrap_or_default())
                on:input=move |ev| sub.update(|v| { v.insert(key.into(), event_target_value(&ev)); })/>
        }
    };
    let create = move || {
        let on = values
            .with_untracked(|v| v.get("on").and_then(|d| crate::i18n::parse_date(d)))
            .unwrap_or(today);
        let fact = match build_fact("PartnerRegistered", &sub.get_untracked()) {
            Ok(fact) => fact,
            Err(e) => return error.set(Some(e.message(lang).to_owned())),
        };
        let Fact::PartnerRegistered { partner, .. } = &fact else {
            return;
        };
        let partner = partner.as_str().to_owned();
        let command = Command::Record { on, fact, note: None };
        let decided = store
            .state
            .with_untracked(|s| Subject::default().decide(command.clone(), s));
        if let Err(e) = decided {
            return error.set(Some(FieldError::from(("partner", e)).message(lang).to_owned()));
        }
        error.set(None);
        let set = set.clone();
        leptos::task::spawn_local(async move {
            match browser::post_command(&command, 0, None).await {
                Ok(reply) if reply.status == 200 => {
                    let key = if slots == 1 {
                        field.to_owned()
                    } else {
                        (1..=slots)
                            .map(|n| format!("{field}.{n}"))
                            .find(|k| values.with_untracked(|v| v.get(k).is_none_or(|x| x.trim().is_empty())))
                            .unwrap_or_else(|| format!("{field}.{slots}"))
                    };
                    set(key, partner.clone());
                    sub.set(Values::new());
                    done.set(Some(partner));
                }
                Ok(reply) => error.set(Some(refusal(&reply, lang))),
                Err(_) => error.set(Some(t.submit_offline.to_owned())),
            }
        });
    };
    let kinds = form::PARTNER_KINDS
        .into_iter()
        .map(|k| view! { <option value=code(k)>{lang.partner_kind(k)}</option> })
        .collect_view();
    let kind_id = format!("np-{field}-kind");
    let create_by_click = create.clone();
    view! {
        <details class="new-partner" on:keydown=move |ev| {
            // Enter here registers the partner; it must not submit the surrounding form.
            if ev.key() == "Enter" {
                ev.prevent_default();
                create();
            }
        }>
            <summary>{t.new_partner}</summary>
            {input("partner", lang.field_label("partner"))}
            {input("name", lang.field_label("name"))}
            <label for=kind_id.clone()>{lang.field_label("kind")}</label>
            <select id=kind_id prop:value=move || sub.with(|v| v.get("kind").cloned().unwrap_or_default())
                on:change=move |ev| sub.update(|v| { v.insert("kind".into(), event_target_value(&ev)); })>
                <option value="">"—"</option>
                {kinds}
            </select>
            <button type="button" class="register" on:click=move |_| create_by_click()>{t.register_partner}</button>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <p class="success" role="status">{move || done.get().map(|id| format!("{} {id}", t.registered))}</p>
        </details>
    }
}
