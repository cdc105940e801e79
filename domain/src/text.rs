//! What free text the ledger accepts: names, titles, notes and reasons.
//!
//! Text is shown to auditors and reporters as evidence of who did what, so it must read the same
//! to everyone. Control characters, bidirectional overrides (which can make `staff-a` display as
//! another name, or reverse a reason's meaning) and zero-width characters (which make two names
//! that look identical differ) are refused everywhere: in the ledger's facts, in notes and
//! reasons, and in the names people sign in with.

/// Why a piece of text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong {
        len: usize,
        max: usize,
    },
    /// A control, bidirectional-formatting or zero-width character, by code point.
    Invisible(char),
}

/// Whether a line break is allowed (multi-line notes and reasons) or not (names, titles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Characters that change how text reads without being seen.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            // bidirectional marks, embeddings, overrides and isolates
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            // zero-width spaces and joiners, word joiner, byte-order mark, Mongolian vowel separator
            | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}'
            // soft hyphen, line and paragraph separators, interlinear annotation
            | '\u{00AD}' | '\u{2028}' | '\u{2029}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Checks text that must not be blank: 1 to `max` characters, none of them invisible (a line
/// break is allowed only when `lines` is [`Lines::Many`]).
pub fn check(value: &str, max: usize, lines: Lines) -> Result<(), TextProblem> {
    if value.trim().is_empty() {
        return Err(TextProblem::Empty);
    }
    check_optional(value, max, lines)
}

/// As [`check`], but blank text is allowed.
pub fn check_optional(value: &str, max: usize, lines: Lines) -> Result<(), TextProblem> {
    // Count as we go, so a megabyte of text is refused after `max` characters, not after a scan.
    let mut len = 0;
    for c in value.chars() {
        len += 1;
        let allowed_break = lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
        if is_invisible(c) && !allowed_break {
            return Err(TextProblem::Invisible(c));
        }
    }
    if len > max {
        return Err(TextProblem::TooLong { len, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_japanese_and_english_text_is_accepted() {
        for ok in [
            "静岡県民生部障害者プラン推進室",
            "NPO \"PR\" 事業 (2013)",
            "ぽけっと工房 ⇒ 次へ",
        ] {
            assert_eq!(check(ok, 200, Lines::One), Ok(()), "{ok}");
        }
        assert_eq!(check("一行目\n二行目", 200, Lines::Many), Ok(()));
    }

    #[test]
    fn invisible_characters_are_refused_by_code_point() {
        for bad in [
            '\u{202E}', '\u{200B}', '\u{2066}', '\u{FEFF}', '\u{0007}', '\u{200D}',
        ] {
            let text = format!("staff{bad}a");
            assert_eq!(check(&text, 200, Lines::Many), Err(TextProblem::Invisible(bad)));
        }
        assert_eq!(check("a\nb", 200, Lines::One), Err(TextProblem::Invisible('\n')));
    }

    #[test]
    fn blank_and_long_text_are_refused() {
        assert_eq!(check("  ", 10, Lines::One), Err(TextProblem::Empty));
        assert_eq!(check_optional("", 10, Lines::One), Ok(()));
        assert_eq!(
            check(&"あ".repeat(11), 10, Lines::One),
            Err(TextProblem::TooLong { len: 11, max: 10 })
        );
    }
}
