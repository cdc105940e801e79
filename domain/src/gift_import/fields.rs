//! Reading one cell of a gift file as people and platforms write it: dates in the Western or
//! the Japanese era calendar, amounts with yen signs and thousands separators, kinds in either
//! language, all in full-width characters too (Excel keeps whatever was typed).

use crate::date::Date;
use crate::funds::FundKind;
use crate::money::Yen;

/// The largest single gift a file may carry: ¥1,000,000,000,000. Anything above is a typing
/// slip (a date pasted into the amount column), never a gift.
pub const MAX_GIFT: i64 = 1_000_000_000_000;

/// Full-width ASCII (ＡＢＣ１２３，) and the ideographic space as their ordinary forms: what a
/// cell means does not depend on the width it was typed in.
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Why a cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellProblem {
    Date(String),
    Amount(String),
    AmountFraction(String),
    AmountTooLarge(String),
    Kind(String),
}

/// Eras of the Japanese calendar a date may be written in, with the Western year before each
/// era's first (令和6年 = 2018 + 6 = 2024).
/// (Taishō's letter T is left out: it reads as the time separator of an ISO date.)
const ERAS: [(&str, i32); 9] = [
    ("令和", 2018),
    ("平成", 1988),
    ("昭和", 1925),
    ("大正", 1911),
    ("明治", 1867),
    ("R", 2018),
    ("H", 1988),
    ("S", 1925),
    ("M", 1867),
];

/// A date as exports and people write it: `2024-04-01`, `2024/4/1`, `2024.4.1`, `2024年4月1日`,
/// `令和6年4月1日`, `R6.4.1`, `令和元年5月1日`, with a time after it left out (`2024/04/01
/// 10:23:45`, `2024-04-01T10:23:45+09:00`).
pub fn parse_date(text: &str) -> Result<Date, CellProblem> {
    let bad = || CellProblem::Date(text.trim().to_string());
    let wide = half_width(text.trim());
    let day_part = wide
        .split(|c: char| c.is_whitespace() || c == 'T')
        .next()
        .unwrap_or_default();
    let (base, rest) = match ERAS
        .iter()
        .find(|(name, _)| day_part.to_uppercase().starts_with(name))
    {
        Some((name, base)) => (Some(*base), day_part[name.len()..].replacen('元', "1", 1)),
        None => (None, day_part.to_string()),
    };
    let parts: Vec<&str> = rest
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    let number = |p: &str| {
        if p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse::<i32>().ok()
        } else {
            None
        }
    };
    let (y, m, d) = (
        number(y).ok_or_else(bad)?,
        number(m).ok_or_else(bad)?,
        number(d).ok_or_else(bad)?,
    );
    let year = match base {
        Some(base) if (1..=99).contains(&y) => base + y,
        Some(_) => return Err(bad()),
        // A two-digit Western year is ambiguous: refused rather than guessed.
        None if y >= 1000 => y,
        None => return Err(bad()),
    };
    let month = u32::try_from(m).map_err(|_| bad())?;
    let day = u32::try_from(d).map_err(|_| bad())?;
    Date::from_ymd(year, month, day).ok_or_else(bad)
}

/// An amount of whole yen: `10000`, `10,000`, `¥10,000`, `10,000円`, `１０，０００`, and
/// `10000.00` (a spreadsheet's number format) — but not `10000.5`.
pub fn parse_amount(text: &str) -> Result<Yen, CellProblem> {
    let shown = text.trim().to_string();
    let wide = half_width(text.trim());
    let body = wide
        .trim_start_matches(['¥', '\\', '￥'])
        .trim_end_matches('円')
        .trim();
    let (whole, fraction) = match body.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (body, ""),
    };
    let digits: String = whole.chars().filter(|c| *c != ',').collect();
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(CellProblem::Amount(shown));
    }
    if fraction.bytes().any(|b| b != b'0') {
        return Err(CellProblem::AmountFraction(shown));
    }
    let value = match digits.trim_start_matches('0') {
        "" => 0,
        significant if significant.len() > 13 => return Err(CellProblem::AmountTooLarge(shown)),
        significant => significant
            .parse::<i64>()
            .map_err(|_| CellProblem::Amount(shown.clone()))?,
    };
    if value > MAX_GIFT {
        return Err(CellProblem::AmountTooLarge(shown));
    }
    Yen::positive(value).map_err(|_| CellProblem::Amount(shown))
}

/// Words for a gift's kind; a blank cell is a donation.
const DONATION: [&str; 8] = [
    "",
    "寄附",
    "寄付",
    "寄附金",
    "寄付金",
    "donation",
    "gift",
    "一般寄附",
];
const DUES: [&str; 7] = [
    "会費",
    "正会員会費",
    "年会費",
    "dues",
    "membership",
    "member_dues",
    "member dues",
];
const SUPPORTING_DUES: [&str; 5] = [
    "賛助会員会費",
    "賛助会費",
    "supporting_dues",
    "supporting dues",
    "supporting member dues",
];

/// A gift's kind: a donation (寄附) unless the cell says membership dues (会費, 正会員会費) or
/// supporting members' dues (賛助会費).
pub fn parse_kind(text: &str) -> Result<FundKind, CellProblem> {
    let word = half_width(text.trim()).to_lowercase();
    if DONATION.contains(&word.as_str()) || word == "一般寄付" {
        Ok(FundKind::Donation)
    } else if DUES.contains(&word.as_str()) {
        Ok(FundKind::MemberDues)
    } else if SUPPORTING_DUES.contains(&word.as_str()) {
        Ok(FundKind::SupportingDues)
    } else {
        Err(CellProblem::Kind(text.trim().to_string()))
    }
}

/// Name and address as they are compared to find a donor already known: widths unified,
/// spaces dropped, dashes made one, Latin letters lower case. `静岡　太郎` and `静岡太郎`, or
/// `葵区追手町９－６` and `葵区追手町9-6`, are the same person at the same place.
pub fn match_key(name: &str, address: Option<&str>) -> String {
    let squash = |text: &str| -> String {
        half_width(text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ｰ' => '-',
                _ => c,
            })
            .flat_map(char::to_lowercase)
            .collect()
    };
    format!("{}|{}", squash(name), address.map(squash).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn dates_are_read_in_every_common_form() {
        for text in [
            "2024-04-01",
            "2024/4/1",
            "2024/04/01 10:23:45",
            "2024.4.1",
            "2024年4月1日",
            "２０２４／４／１",
            "令和6年4月1日",
            "R6.4.1",
            "r6/4/1",
            "2024-04-01T10:23:45+09:00",
        ] {
            assert_eq!(parse_date(text), Ok(day("2024-04-01")), "{text}");
        }
        assert_eq!(parse_date("令和元年5月1日"), Ok(day("2019-05-01")));
        assert_eq!(parse_date("平成31年4月30日"), Ok(day("2019-04-30")));
        for text in [
            "",
            "24/4/1",
            "2024/2/30",
            "2024/13/1",
            "2024-04",
            "4月1日",
            "令和100年1月1日",
            "abc",
            "1800/1/1",
            "2024/4/1/2",
        ] {
            assert!(parse_date(text).is_err(), "{text:?} was read");
        }
    }

    #[test]
    fn amounts_are_whole_positive_yen() {
        for (text, yen) in [
            ("10000", 10_000),
            ("10,000", 10_000),
            ("¥10,000", 10_000),
            ("￥１０，０００", 10_000),
            ("10,000円", 10_000),
            ("10000.00", 10_000),
            (" 3000 ", 3_000),
            ("1000000000000", MAX_GIFT),
        ] {
            assert_eq!(parse_amount(text), Ok(Yen::new(yen)), "{text}");
        }
        assert!(matches!(
            parse_amount("1000.5"),
            Err(CellProblem::AmountFraction(_))
        ));
        assert!(matches!(
            parse_amount("1000000000001"),
            Err(CellProblem::AmountTooLarge(_))
        ));
        assert!(matches!(
            parse_amount("99999999999999999999999"),
            Err(CellProblem::AmountTooLarge(_))
        ));
        for text in ["", "0", "-500", "abc", "1e5", "¥", "1 000"] {
            assert!(
                matches!(parse_amount(text), Err(CellProblem::Amount(_))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn kinds_in_either_language() {
        assert_eq!(parse_kind(""), Ok(FundKind::Donation));
        assert_eq!(parse_kind("寄付金"), Ok(FundKind::Donation));
        assert_eq!(parse_kind("Donation"), Ok(FundKind::Donation));
        assert_eq!(parse_kind("正会員会費"), Ok(FundKind::MemberDues));
        assert_eq!(parse_kind("賛助会員会費"), Ok(FundKind::SupportingDues));
        assert_eq!(parse_kind("賛助会費"), Ok(FundKind::SupportingDues));
        assert_eq!(parse_kind("物品"), Err(CellProblem::Kind("物品".into())));
    }

    #[test]
    fn the_same_person_written_two_ways_has_one_key() {
        assert_eq!(
            match_key("静岡　太郎", Some("静岡市葵区追手町９－６")),
            match_key("静岡太郎", Some("静岡市葵区 追手町9-6"))
        );
        assert_ne!(
            match_key("静岡太郎", Some("追手町9-6")),
            match_key("静岡太郎", None)
        );
    }
}
