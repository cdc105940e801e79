//! What the server tells the page besides the ledger: which page, in which language, for whom,
//! what day it is and how far the ledger went when the HTML was rendered. It travels as `data-`
//! attributes on the app's root element, so the browser renders exactly what the server did
//! before hydrating.

use crate::i18n::Lang;
use domain::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Spiral,
    Programs,
    Program(String),
    Partners,
    Partner(String),
    /// The record forms; with an amendment, correcting or retracting one event.
    Record(Option<Amend>),
    /// Funding reports, for the years and grouping the address names.
    Reports(ReportRange),
    /// The auditor's view of the log.
    Audit,
}

/// The fiscal years and grouping a reports page shows, carried in its address
/// (`/reports?from=2020&to=2022&successor=1`) so a report can be bookmarked and sent. Years
/// left out (or out of range) are chosen from the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportRange {
    pub from: Option<i32>,
    pub to: Option<i32>,
    pub by_successor: bool,
}

impl ReportRange {
    /// Reads `from`, `to` and `successor` from a query (without the `?`); anything else in it,
    /// or a year no fiscal year can be, is ignored.
    pub fn from_query(query: &str) -> ReportRange {
        let get = |name: &str| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value)
        };
        let year = |name: &str| {
            get(name)
                .and_then(|v| v.parse::<i32>().ok())
                .filter(|y| domain::FiscalYear::new(*y).is_ok())
        };
        ReportRange {
            from: year("from"),
            to: year("to"),
            by_successor: get("successor") == Some("1"),
        }
    }

    /// The query that reads back as this range (empty, or starting with `?`).
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(from) = self.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("to={to}"));
        }
        if self.by_successor {
            parts.push("successor=1".to_owned());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmendAction {
    Correct,
    Retract,
}

impl AmendAction {
    pub fn code(self) -> &'static str {
        match self {
            AmendAction::Correct => "correct",
            AmendAction::Retract => "retract",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "correct" => Some(AmendAction::Correct),
            "retract" => Some(AmendAction::Retract),
            _ => None,
        }
    }
}

/// Which event of which stream a correction or retraction is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amend {
    pub action: AmendAction,
    pub stream: String,
    pub target: u64,
}

impl Amend {
    /// The record page's address for this amendment.
    pub fn path(&self) -> String {
        format!(
            "/record?action={}&stream={}&target={}",
            self.action.code(),
            encode_segment(&self.stream),
            self.target
        )
    }
}

impl Page {
    pub fn name(&self) -> &'static str {
        match self {
            Page::Spiral => "spiral",
            Page::Programs => "programs",
            Page::Program(_) => "program",
            Page::Partners => "partners",
            Page::Partner(_) => "partner",
            Page::Record(_) => "record",
            Page::Reports(_) => "reports",
            Page::Audit => "audit",
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Page::Program(id) | Page::Partner(id) => Some(id),
            _ => None,
        }
    }

    /// Reads a page back from its `data-` attributes (`get` returns one by name).
    pub fn parse(get: &impl Fn(&str) -> Option<String>) -> Option<Page> {
        Some(match (get("data-page")?.as_str(), get("data-id")) {
            ("spiral", _) => Page::Spiral,
            ("programs", _) => Page::Programs,
            ("partners", _) => Page::Partners,
            ("reports", _) => Page::Reports(ReportRange::from_query(&get("data-query").unwrap_or_default())),
            ("audit", _) => Page::Audit,
            ("program", Some(id)) => Page::Program(id),
            ("partner", Some(id)) => Page::Partner(id),
            ("record", _) => Page::Record(match get("data-action") {
                Some(action) => Some(Amend {
                    action: AmendAction::parse(&action)?,
                    stream: get("data-stream")?,
                    target: get("data-target")?.parse().ok()?,
                }),
                None => None,
            }),
            _ => return None,
        })
    }

    /// The page's address, for the language switch to come back to.
    pub fn path(&self) -> String {
        match self {
            Page::Spiral => "/".into(),
            Page::Programs => "/programs".into(),
            Page::Partners => "/partners".into(),
            Page::Program(id) => format!("/programs/{}", encode_segment(id)),
            Page::Partner(id) => format!("/partners/{}", encode_segment(id)),
            Page::Record(None) => "/record".into(),
            Page::Record(Some(amend)) => amend.path(),
            Page::Reports(range) => format!("/reports{}", range.query()),
            Page::Audit => "/audit".into(),
        }
    }
}

/// A role as the menu needs it (the server's `Role` decides what is allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Staff,
    Auditor,
    Reporter,
    Admin,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Auditor => "auditor",
            Role::Reporter => "reporter",
            Role::Admin => "admin",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Some(match code {
            "staff" => Role::Staff,
            "auditor" => Role::Auditor,
            "reporter" => Role::Reporter,
            "admin" => Role::Admin,
            _ => return None,
        })
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::Staff, Lang::Ja) => "職員",
            (Role::Auditor, Lang::Ja) => "監査人",
            (Role::Reporter, Lang::Ja) => "報告担当",
            (Role::Admin, Lang::Ja) => "管理者",
            (Role::Staff, Lang::En) => "staff",
            (Role::Auditor, Lang::En) => "auditor",
            (Role::Reporter, Lang::En) => "reporter",
            (Role::Admin, Lang::En) => "administrator",
        }
    }

    /// Whether the role reads the ledger (an administrator manages people only).
    pub fn reads(self) -> bool {
        !matches!(self, Role::Admin)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boot {
    pub page: Page,
    pub lang: Lang,
    pub user: String,
    pub role: Role,
    pub today: Date,
    /// The ledger's head position when the server rendered the page.
    pub position: u64,
}

impl Boot {
    /// The `data-` attributes carrying this boot, as (name, value) pairs.
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut attrs = vec![
            ("data-page", self.page.name().to_owned()),
            ("data-lang", self.lang.code().to_owned()),
            ("data-user", self.user.clone()),
            ("data-role", self.role.code().to_owned()),
            ("data-today", self.today.to_string()),
            ("data-position", self.position.to_string()),
        ];
        if let Some(id) = self.page.id() {
            attrs.push(("data-id", id.to_owned()));
        }
        if let Page::Reports(range) = &self.page {
            attrs.push(("data-query", range.query().trim_start_matches('?').to_owned()));
        }
        if let Page::Record(Some(amend)) = &self.page {
            attrs.push(("data-action", amend.action.code().to_owned()));
            attrs.push(("data-stream", amend.stream.clone()));
            attrs.push(("data-target", amend.target.to_string()));
        }
        attrs
    }

    /// Reads a boot back from attribute values (`get` returns one by name).
    pub fn from_attributes(get: impl Fn(&str) -> Option<String>) -> Option<Boot> {
        Some(Boot {
            page: Page::parse(&get)?,
            lang: Lang::parse(&get("data-lang")?)?,
            user: get("data-user")?,
            role: Role::parse(&get("data-role")?)?,
            today: crate::i18n::parse_date(&get("data-today")?)?,
            position: get("data-position")?.parse().ok()?,
        })
    }
}

/// Percent-encodes an id for a path segment (ids are mostly ASCII, but need not be).
pub fn encode_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_boot_survives_its_attributes() {
        let boot = Boot {
            page: Page::Program("p-1 <x>".into()),
            lang: Lang::En,
            user: "hanako".into(),
            role: Role::Auditor,
            today: Date::from_ymd(2026, 11, 28).unwrap(),
            position: 133,
        };
        let attrs: HashMap<_, _> = boot.attributes().into_iter().collect();
        let back = Boot::from_attributes(|name| attrs.get(name).cloned()).unwrap();
        assert_eq!(back, boot);
    }

    #[test]
    fn an_amendment_survives_its_attributes() {
        let boot = Boot {
            page: Page::Record(Some(Amend {
                action: AmendAction::Correct,
                stream: "program:p1".into(),
                target: 3,
            })),
            lang: Lang::Ja,
            user: "taro".into(),
            role: Role::Staff,
            today: Date::from_ymd(2026, 11, 28).unwrap(),
            position: 9,
        };
        let attrs: HashMap<_, _> = boot.attributes().into_iter().collect();
        assert_eq!(
            Boot::from_attributes(|name| attrs.get(name).cloned()).unwrap(),
            boot
        );
    }

    #[test]
    fn ids_are_encoded_for_paths() {
        assert_eq!(Page::Program("a b/ç".into()).path(), "/programs/a%20b%2F%C3%A7");
    }
}
