//! A donor's personal data (氏名, フリガナ, 郵便番号, 住所), and what the ledger records about it.
//!
//! Names and addresses never enter the ledger. The ledger is append-only, and it is copied to
//! every browser, every export and every backup; a person may still ask for their data to be
//! erased (個人情報保護法 Art. 35, 利用停止・消去). So the server keeps each donor's details sealed
//! under a key of the donor's own (its vault), and the ledger records only what happened to them:
//! a revision was recorded, erasure was asked for, erasure was done. Destroying the key makes
//! every copy of the details unreadable at once, while the hash chain, the audit and every report
//! stay exactly as they were.
//!
//! Erasure waits for the 寄附者名簿: a certified NPO prepares the register of each fiscal year's
//! gifts within three months of the year's end and keeps it five years. Until the last register
//! that lists a donor may be discarded, their details are kept, and used for nothing else.

use crate::date::Date;
use crate::events::Fact;
use crate::fiscal_year::FiscalYear;
use crate::funds::{FundKind, Payer};
use crate::ids::DonorId;
use crate::projection::ReceiptView;
use crate::subject::Standing;
use crate::text::{check, Lines, TextProblem};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest 氏名 or フリガナ accepted, in characters.
pub const MAX_NAME: usize = 100;
/// The longest 住所 accepted, in characters.
pub const MAX_ADDRESS: usize = 200;

/// Why a donor's details were refused: the field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetailsError {
    #[error("{field}: {problem}")]
    Text {
        field: &'static str,
        problem: TextProblemText,
    },
    #[error("postal code {0:?} is not seven digits (e.g. 420-0853)")]
    PostalCode(String),
}

impl DetailsError {
    /// The message in Japanese.
    pub fn ja(&self) -> String {
        match self {
            DetailsError::Text { field, problem } => format!("{}: {}", field_ja(field), problem.ja()),
            DetailsError::PostalCode(text) => {
                format!("郵便番号「{text}」は7桁の数字ではありません（例: 420-0853）")
            }
        }
    }
}

fn field_ja(field: &str) -> &str {
    match field {
        "name" => "氏名（名称）",
        "kana" => "フリガナ",
        "address" => "住所",
        other => other,
    }
}

/// A [`TextProblem`] with words for both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextProblemText(pub TextProblem);

impl fmt::Display for TextProblemText {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            TextProblem::Empty => f.write_str("must not be empty"),
            TextProblem::TooLong { len, max } => write!(f, "too long ({len} characters; at most {max})"),
            TextProblem::Invisible(c) => {
                write!(
                    f,
                    "contains an invisible or control character (U+{:04X})",
                    c as u32
                )
            }
        }
    }
}

impl TextProblemText {
    fn ja(&self) -> String {
        match self.0 {
            TextProblem::Empty => "入力してください".into(),
            TextProblem::TooLong { len, max } => format!("長すぎます（{len}文字、最大{max}文字）"),
            TextProblem::Invisible(c) => {
                format!("見えない文字・制御文字（U+{:04X}）が含まれています", c as u32)
            }
        }
    }
}

/// A Japanese postal code: seven digits, shown as `420-0853`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostalCode(u32);

impl PostalCode {
    /// Reads a postal code as people write it: `4200853`, `420-0853`, `〒420-0853`, in
    /// full-width digits too.
    pub fn parse(text: &str) -> Result<PostalCode, DetailsError> {
        let mut digits = String::with_capacity(7);
        for c in text.trim().trim_start_matches('〒').trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
                '-' | '－' | '‐' | '−' | 'ー' if digits.len() == 3 => {}
                _ => return Err(DetailsError::PostalCode(text.to_string())),
            }
        }
        match digits.parse() {
            Ok(n) if digits.len() == 7 => Ok(PostalCode(n)),
            _ => Err(DetailsError::PostalCode(text.to_string())),
        }
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:03}-{:04}", self.0 / 10_000, self.0 % 10_000)
    }
}

impl Serialize for PostalCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PostalCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PostalCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// What the NPO knows of a donor, as the 寄附者名簿 and the 受領証明書 need it. Kept only in
/// the server's vault, never in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DetailsInput")]
pub struct DonorDetails {
    name: String,
    kana: Option<String>,
    postal_code: Option<PostalCode>,
    address: Option<String>,
}

/// The fields as typed, before they are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsInput {
    pub name: String,
    #[serde(default)]
    pub kana: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

impl TryFrom<DetailsInput> for DonorDetails {
    type Error = DetailsError;

    fn try_from(input: DetailsInput) -> Result<Self, DetailsError> {
        let line = |field: &'static str, value: &str, max: usize| {
            check(value, max, Lines::One).map_err(|p| DetailsError::Text {
                field,
                problem: TextProblemText(p),
            })
        };
        // A blank optional field is one left out.
        let optional = |value: Option<String>| value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        line("name", &input.name, MAX_NAME)?;
        let kana = optional(input.kana);
        let address = optional(input.address);
        if let Some(kana) = &kana {
            line("kana", kana, MAX_NAME)?;
        }
        if let Some(address) = &address {
            line("address", address, MAX_ADDRESS)?;
        }
        let postal_code = optional(input.postal_code)
            .map(|code| PostalCode::parse(&code))
            .transpose()?;
        Ok(DonorDetails {
            name: input.name.trim().to_string(),
            kana,
            postal_code,
            address,
        })
    }
}

impl DonorDetails {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kana(&self) -> Option<&str> {
        self.kana.as_deref()
    }

    pub fn postal_code(&self) -> Option<PostalCode> {
        self.postal_code
    }

    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// Name and address both known: what the absolute criterion of the public support test and
    /// the 寄附者名簿 need.
    pub fn identified(&self) -> bool {
        self.address.is_some()
    }

    /// The address as a register prints it: `〒420-0853 静岡市葵区…`.
    pub fn postal_address(&self) -> String {
        match (self.postal_code, &self.address) {
            (Some(code), Some(address)) => format!("〒{code} {address}"),
            (Some(code), None) => format!("〒{code}"),
            (None, Some(address)) => address.clone(),
            (None, None) => String::new(),
        }
    }
}

/// Who asked for a donor's personal data to be erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Requester {
    /// The donor (本人).
    Donor,
    /// Someone acting for the donor (代理人): an heir, a guardian, a lawyer.
    Agent,
}

impl Requester {
    pub fn ja(self) -> &'static str {
        match self {
            Requester::Donor => "本人",
            Requester::Agent => "代理人",
        }
    }
}

/// What a donor's own stream says about their personal data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Privacy {
    pub registered: bool,
    /// How many revisions of the details have been recorded (the latest is this number).
    pub revisions: u32,
    /// The vault's seal of the latest revision.
    pub latest_seal: Option<u64>,
    /// When erasure was asked for, and by whom.
    pub erasure_requested: Option<(Date, Requester)>,
    /// When the details were erased.
    pub erased: Option<Date>,
}

impl Privacy {
    /// Reads a donor stream's standing facts.
    pub fn of(facts: &[&Standing]) -> Privacy {
        let mut privacy = Privacy::default();
        for standing in facts {
            privacy.apply(standing.on, &standing.fact);
        }
        privacy
    }

    /// Takes in the next standing fact of the donor's stream (effective `on`).
    pub fn apply(&mut self, on: Date, fact: &Fact) {
        match fact {
            Fact::DonorRegistered { .. } => self.registered = true,
            Fact::DonorDetailsRecorded { revision, seal, .. } => {
                self.revisions = *revision;
                self.latest_seal = Some(*seal);
            }
            Fact::DonorErasureRequested { by, .. } => self.erasure_requested = Some((on, *by)),
            Fact::DonorDetailsErased { .. } => self.erased = Some(on),
            _ => {}
        }
    }

    /// Whether the details may be used for anything beyond the registers they must be kept for:
    /// not once erasure has been asked for.
    pub fn in_use(&self) -> bool {
        self.erasure_requested.is_none() && self.erased.is_none()
    }
}

/// Whether a receipt is a gift the 寄附者名簿 lists (and so keeps its giver's details).
pub fn listed_in_register(receipt: &ReceiptView) -> bool {
    receipt.kind == FundKind::Donation
}

/// The last day the 寄附者名簿 of `fiscal_year` must be kept: prepared within three months of
/// the year's end, then kept five years. For fiscal 2025 (ending 2026-03-31): 2031-06-30.
pub fn register_kept_until(fiscal_year: FiscalYear) -> Date {
    Date::from_ymd(fiscal_year.year().saturating_add(6), 6, 30).unwrap_or_else(Date::last)
}

/// When a requested erasure may be carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    /// No register that lists the donor is still kept.
    Now,
    /// A register listing the donor is kept until the day before this one.
    From(Date),
}

/// When a donor's details may be erased, given the fiscal years of the gifts the registers list
/// for them, on `today`.
pub fn erasure_due(gift_years: impl IntoIterator<Item = FiscalYear>, today: Date) -> Erasure {
    match gift_years.into_iter().max() {
        Some(last) => {
            let from = register_kept_until(last).plus_days(1);
            if today >= from {
                Erasure::Now
            } else {
                Erasure::From(from)
            }
        }
        None => Erasure::Now,
    }
}

/// The fiscal years of the gifts from `donor` that a register lists.
pub fn gift_years<'a, I>(receipts: I, donor: &'a DonorId) -> impl Iterator<Item = FiscalYear> + 'a
where
    I: IntoIterator<Item = &'a ReceiptView>,
    I::IntoIter: 'a,
{
    receipts
        .into_iter()
        .filter(move |r| listed_in_register(r) && matches!(&r.payer, Payer::Donor(d) if d == donor))
        .map(|r| r.fiscal_year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, postal: Option<&str>, address: Option<&str>) -> DetailsInput {
        DetailsInput {
            name: name.into(),
            kana: Some("シズオカ タロウ".into()),
            postal_code: postal.map(Into::into),
            address: address.map(Into::into),
        }
    }

    #[test]
    fn postal_codes_are_read_as_people_write_them() {
        for text in [
            "4200853",
            "420-0853",
            "〒420-0853",
            "４２０－０８５３",
            " 〒 420-0853 ",
        ] {
            assert_eq!(PostalCode::parse(text).unwrap().to_string(), "420-0853", "{text}");
        }
        assert_eq!(PostalCode::parse("0010000").unwrap().to_string(), "001-0000");
        for text in [
            "",
            "420-085",
            "42008533",
            "4-200853",
            "420 0853",
            "abc-defg",
            "420-0853-",
        ] {
            assert!(PostalCode::parse(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn details_are_checked_field_by_field() {
        let ok = DonorDetails::try_from(input(" 静岡 太郎 ", Some("4200853"), Some("静岡市葵区追手町9-6")))
            .unwrap();
        assert_eq!(ok.name(), "静岡 太郎");
        assert!(ok.identified());
        assert_eq!(ok.postal_address(), "〒420-0853 静岡市葵区追手町9-6");
        let no_address = DonorDetails::try_from(input("静岡 花子", None, Some("  "))).unwrap();
        assert!(!no_address.identified());
        let cases = [
            (input("", None, None), "name"),
            (input(&"長".repeat(MAX_NAME + 1), None, None), "name"),
            (input("静岡\u{202E}太郎", None, None), "name"),
            (input("静岡 太郎", None, Some("静岡市\n葵区")), "address"),
        ];
        for (bad, field) in cases {
            match DonorDetails::try_from(bad) {
                Err(DetailsError::Text { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            DonorDetails::try_from(input("静岡 太郎", Some("12-34"), None)),
            Err(DetailsError::PostalCode(_))
        ));
        // The decoder checks too: stored details cannot smuggle in what a form refuses.
        let bad: Result<DonorDetails, _> = serde_json::from_str(r#"{"name":"a\u0007b"}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn a_register_is_kept_five_years_after_its_preparation() {
        let fy2025 = FiscalYear::new(2025).unwrap();
        assert_eq!(register_kept_until(fy2025).to_string(), "2031-06-30");
        let years = [FiscalYear::new(2019).unwrap(), fy2025];
        let day = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            erasure_due(years, day("2031-06-30")),
            Erasure::From(day("2031-07-01"))
        );
        assert_eq!(erasure_due(years, day("2031-07-01")), Erasure::Now);
        assert_eq!(erasure_due([], day("2026-12-01")), Erasure::Now);
    }
}
