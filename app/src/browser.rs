//! The few things only a browser does. On the server these are never reached (they run from
//! event handlers), and compile to nothing.

/// Opens the browser's print dialog (the report's A4 print view).
pub fn print() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// Puts `href` in the address bar in place of the current entry, without loading it: a page's
/// own selection kept in its address.
pub fn replace_address(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        // The entry keeps its state: the name the app's navigation gave it, under which the
        // page is kept for the back button.
        let state = history.state().unwrap_or(wasm_bindgen::JsValue::NULL);
        let _ = history.replace_state_with_url(&state, "", Some(href));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

/// The position of the spiral mark an event happened on or in (`data-position` of the nearest
/// `.mark`): the spiral listens once for all its marks instead of once per mark.
pub fn mark_position(event: &leptos::ev::Event) -> Option<u64> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let target: web_sys::Element = event.target()?.dyn_into().ok()?;
        target
            .closest(".mark")
            .ok()??
            .get_attribute("data-position")?
            .parse()
            .ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = event;
        None
    }
}

/// Opens another page of the app (in place once the page is live, see `router`).
pub fn navigate(href: &str) {
    crate::router::navigate(href);
}

/// The server's answer to a command, read with the browser's own JSON parser (a JSON decoder in
/// the bundle would cost more than the forms themselves).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    /// The first new event's position (200).
    pub position: Option<u64>,
    pub message: Option<String>,
    pub message_en: Option<String>,
    /// The form field a refusal is about.
    pub field: Option<String>,
}

/// Keeps a half-filled form in this browser's local storage, so a reload does not lose it.
pub fn save_draft(key: &str, kind: &str, values: &crate::record::form::Values) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let object = js_sys::Object::new();
        for (name, value) in values {
            let _ = js_sys::Reflect::set(&object, &name.into(), &value.into());
        }
        let draft = js_sys::Array::of2(&kind.into(), &object);
        if let Some(text) = js_sys::JSON::stringify(&draft).ok().and_then(|t| t.as_string()) {
            let _ = storage.set_item(key, &text);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, kind, values);
}

/// The draft saved under `key`, if any: the kind of event and the values.
pub fn load_draft(key: &str) -> Option<(String, crate::record::form::Values)> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let text = storage()?.get_item(key).ok()??;
        let draft: js_sys::Array = js_sys::JSON::parse(&text).ok()?.dyn_into().ok()?;
        let kind = draft.get(0).as_string()?;
        let object: js_sys::Object = draft.get(1).dyn_into().ok()?;
        let mut values = crate::record::form::Values::new();
        for entry in js_sys::Object::entries(&object).iter() {
            let pair: js_sys::Array = entry.dyn_into().ok()?;
            values.insert(pair.get(0).as_string()?, pair.get(1).as_string()?);
        }
        Some((kind, values))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

/// Removes every form draft kept in this browser (at sign-out: the next person to use it must
/// not find what the last one typed).
pub fn forget_drafts() {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let keys: Vec<String> = (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(DRAFT_PREFIX))
            .collect();
        for key in keys {
            let _ = storage.remove_item(&key);
        }
    }
}

/// Every draft's key starts so (`spiral-draft:USER:…`): drafts are per person.
pub const DRAFT_PREFIX: &str = "spiral-draft:";

/// A short value kept in this browser's local storage (a draft's command id, a pinned key).
pub fn stored(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        storage()?.get_item(key).ok()?
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

pub fn store(key: &str, value: Option<&str>) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let _ = match value {
            Some(value) => storage.set_item(key, value),
            None => storage.remove_item(key),
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}

/// A fresh id for a command (its `Idempotency-Key`): the time and 104 random bits.
pub fn new_command_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let random = || (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        format!("{:x}-{:x}-{:x}", js_sys::Date::now() as u64, random(), random())
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// Checks an Ed25519 signature with the browser's own WebCrypto (no signature code in the
/// bundle): `Ok(true)` valid, `Ok(false)` not, `Err` when the browser cannot check it.
pub async fn verify_ed25519(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> Result<bool, String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
        let subtle = web_sys::window()
            .ok_or("no window")?
            .crypto()
            .map_err(fail)?
            .subtle();
        let algorithm = js_sys::Object::new();
        js_sys::Reflect::set(&algorithm, &"name".into(), &"Ed25519".into()).map_err(fail)?;
        let usages = js_sys::Array::of1(&"verify".into());
        let key = subtle
            .import_key_with_object(
                "raw",
                &js_sys::Uint8Array::from(&public[..]),
                &algorithm,
                false,
                &usages,
            )
            .map_err(fail)?;
        let key: web_sys::CryptoKey = JsFuture::from(key)
            .await
            .map_err(fail)?
            .dyn_into()
            .map_err(fail)?;
        let verdict = subtle
            .verify_with_object_and_u8_array_and_u8_array(&algorithm, &key, &signature[..], message)
            .map_err(fail)?;
        Ok(JsFuture::from(verdict)
            .await
            .map_err(fail)?
            .as_bool()
            .unwrap_or(false))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (public, message, signature);
        Err("only in the browser".into())
    }
}

pub fn clear_draft(key: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = key;
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// POSTs a command to `/api/commands`, postcard-encoded with the version it was decided
/// against, and named by `id` when given (sent again under the same id after a lost reply, it
/// is stored once): the server's reply, or `Err` when the server could not be reached.
pub async fn post_command(
    command: &domain::Command,
    expected_version: u64,
    id: Option<&str>,
) -> Result<Reply, String> {
    let body = postcard::to_allocvec(&(command, Some(expected_version))).map_err(|e| e.to_string())?;
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
        let window = web_sys::window().ok_or("no window")?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        init.set_body(&js_sys::Uint8Array::from(body.as_slice()).into());
        let request = web_sys::Request::new_with_str_and_init("/api/commands", &init).map_err(fail)?;
        request
            .headers()
            .set("Content-Type", "application/x-postcard")
            .map_err(fail)?;
        if let Some(id) = id {
            request.headers().set("Idempotency-Key", id).map_err(fail)?;
        }
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(fail)?
            .dyn_into()
            .map_err(fail)?;
        let text = JsFuture::from(response.text().map_err(fail)?)
            .await
            .map_err(fail)?
            .as_string()
            .unwrap_or_default();
        let json = js_sys::JSON::parse(&text).unwrap_or(wasm_bindgen::JsValue::NULL);
        let get = |name: &str| js_sys::Reflect::get(&json, &name.into()).ok();
        let string = |name: &str| get(name).and_then(|v| v.as_string());
        let position = get("positions")
            .and_then(|p| js_sys::Reflect::get(&p, &0.into()).ok())
            .and_then(|p| p.as_f64())
            .map(|p| p as u64);
        Ok(Reply {
            status: response.status(),
            position,
            message: string("message").or(Some(text.clone())).filter(|m| !m.is_empty()),
            message_en: string("message_en"),
            field: string("field"),
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (body, id);
        Err("only in the browser".into())
    }
}

/// GETs a JSON array of strings (the kept checkpoints), parsed by the browser.
pub async fn get_json_strings(url: &str) -> Result<Vec<String>, String> {
    let bytes = get_bytes(url).await?;
    #[cfg(feature = "hydrate")]
    {
        let text = String::from_utf8_lossy(&bytes);
        let parsed = js_sys::JSON::parse(&text).map_err(|e| format!("{e:?}"))?;
        let array = js_sys::Array::from(&parsed);
        Ok(array.iter().filter_map(|v| v.as_string()).collect())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = bytes;
        Err("only in the browser".into())
    }
}

/// GETs a URL on this server: the body as bytes, or why not.
pub async fn get_bytes(url: &str) -> Result<Vec<u8>, String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
        let window = web_sys::window().ok_or("no window")?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
            .await
            .map_err(fail)?
            .dyn_into()
            .map_err(fail)?;
        if !response.ok() {
            return Err(format!("{url}: HTTP {}", response.status()));
        }
        let buffer = JsFuture::from(response.array_buffer().map_err(fail)?)
            .await
            .map_err(fail)?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = url;
        Err("only in the browser".into())
    }
}
