//! Reports as Excel workbooks (.xlsx), the form accountants are handed: one sheet per table,
//! Japanese headers on a frozen first row, yen as whole-number cells formatted `¥#,##0` (so
//! they sum in Excel), counts and years as numbers, and everything else as text. Text is
//! written as a string cell, which Excel shows and never evaluates, so a partner named
//! `=HYPERLINK(…)` stays a name (the CSV needs an apostrophe for that; a workbook does not).
//!
//! Built with rust_xlsxwriter (README: why each big dependency is here).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// How a column's cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Whole yen: a number formatted `¥#,##0`.
    Yen,
    /// A count or a year: a plain whole number.
    Number,
}

/// One table of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The tab's name (Excel allows 31 characters; longer names are cut).
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Each row's cells' kinds: a cell of a number kind that is not a whole number (blank, 現在,
    /// 算出不能) is written as text.
    pub kinds: Vec<Vec<Kind>>,
}

impl Sheet {
    /// A sheet whose every row has the same kinds of cells.
    pub fn uniform(name: &str, header: Vec<String>, rows: Vec<Vec<String>>, kinds: &[Kind]) -> Sheet {
        let kinds = vec![kinds.to_vec(); rows.len()];
        Sheet {
            name: name.to_owned(),
            header,
            rows,
            kinds,
        }
    }
}

/// The sheets as one workbook, in order.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold();
    let yen = Format::new().set_num_format("¥#,##0");
    for sheet in sheets {
        let tab = book.add_worksheet();
        tab.set_name(sheet.name.chars().take(31).collect::<String>())?;
        for (col, title) in (0u16..).zip(&sheet.header) {
            tab.write_string_with_format(0, col, title, &header)?;
        }
        for ((row, cells), kinds) in (1u32..).zip(&sheet.rows).zip(&sheet.kinds) {
            for ((col, cell), kind) in (0u16..)
                .zip(cells)
                .zip(kinds.iter().chain(std::iter::repeat(&Kind::Text)))
            {
                // Whole numbers below 2^53 are exact in Excel's doubles; anything larger (no
                // real figure is) stays text rather than being rounded.
                let number = cell.parse::<i64>().ok().filter(|n| n.unsigned_abs() < 1 << 53);
                match (kind, number) {
                    (Kind::Yen, Some(n)) => {
                        tab.write_number_with_format(row, col, n as f64, &yen)?;
                    }
                    (Kind::Number, Some(n)) => {
                        tab.write_number(row, col, n as f64)?;
                    }
                    _ if cell.is_empty() => {}
                    _ => {
                        tab.write_string(row, col, within_a_cell(cell).as_ref())?;
                    }
                }
            }
        }
        tab.set_freeze_panes(1, 0)?;
        for (col, width) in (0u16..).zip(widths(sheet)) {
            tab.set_column_width(col, width)?;
        }
    }
    book.save_to_buffer()
}

/// The most characters an Excel cell holds.
const CELL_CHARACTERS: usize = 32_767;

/// `text`, cut to what a cell holds, with `…` where it was cut. Only a list of event positions
/// behind a figure of tens of thousands of receipts is ever that long; the JSON and the CSV keep
/// the whole list.
fn within_a_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().nth(CELL_CHARACTERS).is_none() {
        return text.into();
    }
    let cut = text
        .char_indices()
        .nth(CELL_CHARACTERS - 1)
        .map_or(text.len(), |(at, _)| at);
    format!("{}…", &text[..cut]).into()
}

/// Each column as wide as its widest cell, counting a Japanese character as two (Excel's own
/// autofit and rust_xlsxwriter's count them as one, which cuts 番号 and 金額 off), within 6 to
/// 80 characters.
fn widths(sheet: &Sheet) -> Vec<f64> {
    let width = |text: &str| -> usize { text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum() };
    let mut widths: Vec<usize> = sheet.header.iter().map(|h| width(h)).collect();
    for row in &sheet.rows {
        for (i, cell) in row.iter().enumerate() {
            // A yen figure gains a sign and separators when formatted.
            let separators = if cell.parse::<i64>().is_ok() {
                cell.len() / 3 + 1
            } else {
                0
            };
            let w = width(cell) + separators;
            match widths.get_mut(i) {
                Some(max) => *max = (*max).max(w),
                None => widths.push(w),
            }
        }
    }
    widths.into_iter().map(|w| (w + 2).clamp(6, 80) as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_longer_than_excel_holds_is_cut_and_the_workbook_is_written() {
        let long: String = (1..=20_000).map(|p| format!("{p} ")).collect();
        assert!(long.chars().count() > CELL_CHARACTERS);
        let cut = within_a_cell(&long);
        assert_eq!(cut.chars().count(), CELL_CHARACTERS);
        assert!(cut.ends_with('…'));
        assert_eq!(within_a_cell("12 13"), "12 13");
        let full = "あ".repeat(CELL_CHARACTERS);
        assert_eq!(within_a_cell(&full), full, "a cell exactly full stays whole");
        let sheet = Sheet::uniform(
            "収益",
            vec!["項目".into(), "根拠イベント位置".into()],
            vec![vec!["寄付金".into(), long]],
            &[Kind::Text, Kind::Text],
        );
        let bytes = workbook(&[sheet]).expect("a workbook despite the long cell");
        assert_eq!(&bytes[..2], b"PK");
    }
}
