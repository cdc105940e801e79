//! Finding a donor by what staff remember of them: part of the name, the フリガナ as heard on
//! the telephone (in hiragana or katakana, or in the half-width katakana banks print on a
//! transfer), the postal code with or without its dash, part of the address, or the id.
//!
//! Both the query and each donor's details are brought to one form before they are compared,
//! so that how something was typed never decides whether it is found.

use crate::gift_import::fields::half_width;
use crate::personal::DonorDetails;

/// Half-width katakana U+FF66..=U+FF9D, in order, as their full-width forms.
const HALF_WIDTH_KATAKANA: &str =
    "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// Katakana that take a voiced mark (゛) as the next code point: カ→ガ, ハ→バ.
const VOICEABLE: &str = "カキクケコサシスセソタチツテトハヒフヘホ";
/// Katakana that take a semi-voiced mark (゜) two code points on: ハ→パ.
const SEMI_VOICEABLE: &str = "ハヒフヘホ";

/// `text` in the one form searches compare: full-width ASCII as ASCII, half-width katakana
/// as full-width (with their voiced marks joined on), hiragana as katakana, every dash and the
/// long-vowel mark as `-`, Latin letters in lower case, and no spaces or `〒`.
/// `ｼｽﾞｵｶ ﾀﾛｳ`, `しずおか　たろう` and `シズオカタロウ` all read `シズオカタロウ`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // A mark joins only the kana right before it: not one across a space, so that a text
    // folds to what its words fold to, one after the other.
    let mut after_space = false;
    for c in half_width(text).chars() {
        if c.is_whitespace() {
            after_space = true;
            continue;
        }
        let joins = !std::mem::replace(&mut after_space, false);
        let c = match c {
            '\u{FF66}'..='\u{FF9D}' => HALF_WIDTH_KATAKANA.chars().nth(c as usize - 0xFF66).unwrap_or(c),
            // A half-width voiced or semi-voiced mark joins the kana before it, where it can.
            '\u{FF9E}' | '\u{FF9F}' => {
                let (mark, takes) = if c == '\u{FF9E}' {
                    (1, VOICEABLE)
                } else {
                    (2, SEMI_VOICEABLE)
                };
                if !joins {
                    continue;
                }
                match out.pop() {
                    Some('ウ') if mark == 1 => out.push('ヴ'),
                    Some(last) if takes.contains(last) => {
                        out.push(char::from_u32(last as u32 + mark).unwrap_or(last))
                    }
                    Some(last) => out.push(last),
                    None => {}
                }
                continue;
            }
            // Hiragana ぁ..ゖ sit 0x60 below their katakana.
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            '〒' => continue,
            c => c,
        };
        let c = match c {
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' => '-',
            c => c,
        };
        out.extend(c.to_lowercase());
    }
    out
}

/// What was typed into the search box: words, each of which must be found somewhere in a
/// donor's id or details (`静岡 葵区` finds 静岡太郎 of 静岡市葵区).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonorQuery {
    words: Vec<String>,
}

/// The longest query taken: a name and an address with room to spare. Anything longer is not
/// something a person typed to find someone.
pub const MAX_QUERY_CHARS: usize = 200;

impl DonorQuery {
    /// The query in `text`; `None` when it holds no word to look for (blank, or longer than
    /// [`MAX_QUERY_CHARS`]).
    pub fn parse(text: &str) -> Option<DonorQuery> {
        if text.chars().count() > MAX_QUERY_CHARS {
            return None;
        }
        let words: Vec<String> = half_width(text)
            .split_whitespace()
            .map(fold)
            .filter(|w| !w.is_empty())
            .collect();
        (!words.is_empty()).then_some(DonorQuery { words })
    }

    /// Whether every word is found in the donor's id or details.
    pub fn matches(&self, id: &str, details: &DonorDetails) -> bool {
        let postal = details.postal_code().map(|c| c.to_string()).unwrap_or_default();
        let haystack = [
            fold(id),
            fold(details.name()),
            details.kana().map(fold).unwrap_or_default(),
            fold(&postal),
            postal.replace('-', ""),
            details.address().map(fold).unwrap_or_default(),
        ]
        .join("\n");
        self.words.iter().all(|w| haystack.contains(w.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personal::DetailsInput;

    fn details(name: &str, kana: Option<&str>, postal: Option<&str>, address: Option<&str>) -> DonorDetails {
        DonorDetails::try_from(DetailsInput {
            name: name.into(),
            kana: kana.map(Into::into),
            postal_code: postal.map(Into::into),
            address: address.map(Into::into),
        })
        .unwrap()
    }

    #[test]
    fn kana_is_one_form_however_it_was_typed() {
        for typed in ["ｼｽﾞｵｶ ﾀﾛｳ", "しずおか　たろう", "シズオカタロウ", "ｼｽﾞｵｶﾀﾛｳ"]
        {
            assert_eq!(fold(typed), "シズオカタロウ", "{typed}");
        }
        assert_eq!(fold("ﾊﾟﾝ ﾊﾞｽ ｳﾞｨ"), "パンバスヴィ");
        assert_eq!(fold("ｺｰﾋｰ"), "コ-ヒ-");
        // A mark with nothing to join is dropped, and one after a kana that takes none too.
        assert_eq!(fold("ﾞｱﾞ"), "ア");
        // Nor across a space: a text folds to its words folded.
        assert_eq!(fold("ｶ ﾞ"), "カ");
        assert_eq!(fold("ＡＢＣ－１２３"), "abc-123");
        assert_eq!(fold("〒４２０－０８５３"), "420-0853");
    }

    #[test]
    fn every_word_must_be_found_in_the_id_or_the_details() {
        let taro = details(
            "静岡 太郎",
            Some("シズオカ タロウ"),
            Some("420-0853"),
            Some("静岡市葵区追手町９－６"),
        );
        let found = |q: &str| DonorQuery::parse(q).unwrap().matches("d-0042", &taro);
        assert!(found("静岡太郎"));
        assert!(found("静岡 葵区"));
        assert!(found("しずおか"));
        assert!(found("ｼｽﾞｵｶ"));
        assert!(found("4200853"));
        assert!(found("〒420-0853"));
        assert!(found("追手町9-6"));
        assert!(found("D-0042"));
        assert!(!found("静岡 花子"));
        assert!(!found("4200854"));
        assert!(!found("浜松"));
    }

    #[test]
    fn a_blank_or_overlong_query_looks_for_nothing() {
        assert_eq!(DonorQuery::parse(""), None);
        assert_eq!(DonorQuery::parse(" 　\t"), None);
        assert_eq!(DonorQuery::parse("〒"), None);
        assert_eq!(DonorQuery::parse(&"あ".repeat(MAX_QUERY_CHARS + 1)), None);
        assert!(DonorQuery::parse(&"あ".repeat(MAX_QUERY_CHARS)).is_some());
    }
}
