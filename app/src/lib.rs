//! Spiral's pages. For now a server-rendered home page that states the ledger's size and lists the
//! programs; the Leptos components (shared with the browser) replace it in the browser-app issue.

use domain::LedgerState;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title></head><body>{body}</body></html>\n",
        escape(title)
    )
}

/// The home page: how many events the ledger holds, and its programs with their fiscal years.
pub fn home_page(state: &LedgerState) -> String {
    let mut body = String::from("<h1>Spiral</h1>");
    body.push_str(&format!(
        "<p id=\"ledger-size\">台帳には{}件のイベントが記録されています。</p>",
        state.events_seen
    ));
    body.push_str(&format!(
        "<h2>事業 ({}件)</h2><ul id=\"programs\">",
        state.programs.len()
    ));
    for program in state.programs.values() {
        let years = program.contract_years();
        let span = match (years.first(), years.last()) {
            (Some(first), Some(last)) if first == last => {
                format!("{}（{}）", first.seireki(), first.wareki())
            }
            (Some(first), Some(last)) => format!("{}–{}", first.seireki(), last.seireki()),
            _ => String::new(),
        };
        body.push_str(&format!(
            "<li data-program=\"{}\">{} <small>{} {}</small></li>",
            escape(program.id.as_str()),
            escape(&program.name),
            escape(program.pillar.ja()),
            escape(&span)
        ));
    }
    body.push_str("</ul>");
    page("Spiral", &body)
}

pub fn error_page() -> String {
    page(
        "Spiral",
        "<h1>Spiral</h1><p>台帳を読み込めませんでした。しばらくしてから再読み込みしてください。</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_shown_as_text() {
        assert_eq!(
            escape("<script>alert('x')</script> & \""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;"
        );
    }
}
