//! The few things only a browser does. On the server these are never reached (they run from
//! event handlers), and compile to nothing.

/// Opens another page of the app.
pub fn navigate(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

/// Keeps a half-filled form in this browser's local storage, so a reload does not lose it.
pub fn save_draft(key: &str, kind: &str, values: &crate::record::form::Values) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let draft = leptos::serde_json::json!({ "kind": kind, "values": values }).to_string();
        let _ = storage.set_item(key, &draft);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, kind, values);
}

/// The draft saved under `key`, if any: the kind of event and the values.
pub fn load_draft(key: &str) -> Option<(String, crate::record::form::Values)> {
    #[cfg(feature = "hydrate")]
    {
        let text = storage()?.get_item(key).ok()??;
        let draft: leptos::serde_json::Value = leptos::serde_json::from_str(&text).ok()?;
        let kind = draft["kind"].as_str()?.to_owned();
        let values = leptos::serde_json::from_value(draft["values"].clone()).ok()?;
        Some((kind, values))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
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

/// POSTs a command to `/api/commands`: the status and body, or `Err` when the server could not
/// be reached.
pub async fn post_command(body: &str) -> Result<(u16, String), String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
        let window = web_sys::window().ok_or("no window")?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
        let request = web_sys::Request::new_with_str_and_init("/api/commands", &init).map_err(fail)?;
        request
            .headers()
            .set("Content-Type", "application/json")
            .map_err(fail)?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(fail)?
            .dyn_into()
            .map_err(fail)?;
        let text = JsFuture::from(response.text().map_err(fail)?)
            .await
            .map_err(fail)?;
        Ok((response.status(), text.as_string().unwrap_or_default()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = body;
        Err("only in the browser".into())
    }
}
