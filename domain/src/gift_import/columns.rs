//! Which column of a gift file is which: mapped by the header's names, in Japanese or English,
//! as bank and platform exports (Congrant, Syncable) and hand-made sheets name them.

use super::fields::half_width;
use serde::Serialize;

/// A column Spiral reads from a gift file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    ReceivedOn,
    Name,
    Kana,
    PostalCode,
    Address,
    Amount,
    Kind,
    DonorId,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::ReceivedOn,
        Column::Name,
        Column::Kana,
        Column::PostalCode,
        Column::Address,
        Column::Amount,
        Column::Kind,
        Column::DonorId,
    ];

    /// The header names that mean this column, as [`header_key`] leaves them.
    fn names(self) -> &'static [&'static str] {
        match self {
            Column::ReceivedOn => &[
                "受領日",
                "受領年月日",
                "受付日",
                "入金日",
                "寄附日",
                "寄付日",
                "決済日",
                "決済日時",
                "日付",
                "date",
                "received_on",
                "receivedon",
                "received",
            ],
            Column::Name => &[
                "氏名",
                "氏名(名称)",
                "名称",
                "名前",
                "お名前",
                "寄附者名",
                "寄付者名",
                "name",
                "donor_name",
            ],
            Column::Kana => &[
                "フリガナ",
                "ふりがな",
                "カナ",
                "氏名(フリガナ)",
                "kana",
                "furigana",
            ],
            Column::PostalCode => &["郵便番号", "〒", "postal_code", "postalcode", "zip", "zipcode"],
            Column::Address => &["住所", "address"],
            Column::Amount => &["金額", "寄附金額", "寄付金額", "入金額", "決済金額", "amount"],
            Column::Kind => &["種別", "区分", "寄附種別", "寄付種別", "kind", "type"],
            Column::DonorId => &["寄附者id", "寄付者id", "donor_id", "donorid", "donor"],
        }
    }

    /// The column's usual Japanese header, as messages name it.
    pub fn ja(self) -> &'static str {
        self.names()[0]
    }

    /// The column's English header.
    pub fn en(self) -> &'static str {
        match self {
            Column::ReceivedOn => "received_on",
            Column::Name => "name",
            Column::Kana => "kana",
            Column::PostalCode => "postal_code",
            Column::Address => "address",
            Column::Amount => "amount",
            Column::Kind => "kind",
            Column::DonorId => "donor_id",
        }
    }
}

/// A header cell as it is compared: widths unified, spaces dropped, lower case.
fn header_key(cell: &str) -> String {
    half_width(cell)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Why a file's header was refused; nothing in the file is read then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("the file has no header row")]
    Empty,
    #[error("no {} ({}) column: the header must name one", .0.en(), .0.ja())]
    Missing(Column),
    #[error("columns {first} and {second} both mean {} ({}): keep one", .column.en(), .column.ja())]
    Twice {
        column: Column,
        first: String,
        second: String,
    },
}

impl HeaderError {
    pub fn ja(&self) -> String {
        match self {
            HeaderError::Empty => "見出し行がありません".into(),
            HeaderError::Missing(c) => format!("「{}」の列がありません。見出し行に入れてください", c.ja()),
            HeaderError::Twice {
                column,
                first,
                second,
            } => {
                format!(
                    "「{first}」と「{second}」はどちらも「{}」です。一つにしてください",
                    column.ja()
                )
            }
        }
    }
}

/// Where each column is, and the header cells nothing reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    at: Vec<(Column, usize)>,
    pub ignored: Vec<String>,
}

impl Layout {
    /// Maps a header row. The date and the amount must be there; everything else may be left
    /// out (a file of anonymous gifts has neither names nor ids).
    pub fn of(header: &[String]) -> Result<Layout, HeaderError> {
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(HeaderError::Empty);
        }
        let mut at: Vec<(Column, usize)> = Vec::new();
        let mut ignored = Vec::new();
        for (index, cell) in header.iter().enumerate() {
            let key = header_key(cell);
            match Column::ALL.iter().find(|c| c.names().contains(&key.as_str())) {
                Some(&column) => {
                    if let Some(&(_, first)) = at.iter().find(|(c, _)| *c == column) {
                        return Err(HeaderError::Twice {
                            column,
                            first: header[first].trim().to_string(),
                            second: cell.trim().to_string(),
                        });
                    }
                    at.push((column, index));
                }
                None if key.is_empty() => {}
                None => ignored.push(cell.trim().to_string()),
            }
        }
        for required in [Column::ReceivedOn, Column::Amount] {
            if !at.iter().any(|(c, _)| *c == required) {
                return Err(HeaderError::Missing(required));
            }
        }
        Ok(Layout { at, ignored })
    }

    /// The cell of `column` in `row`, trimmed; `None` when the column is absent or the cell
    /// blank.
    pub fn cell<'r>(&self, row: &'r [String], column: Column) -> Option<&'r str> {
        let &(_, index) = self.at.iter().find(|(c, _)| *c == column)?;
        row.get(index).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn headers_map_in_japanese_and_english() {
        let ja = Layout::of(&header(&[
            "\u{FEFF}受領日",
            "氏名",
            "フリガナ",
            "郵便番号",
            "住所",
            "金額",
            "種別",
            "寄附者ID",
            "メモ",
        ]))
        .unwrap();
        let row = header(&[
            "2024/4/1",
            "静岡 太郎",
            "",
            "420-0853",
            "静岡市",
            "1,000",
            "寄附",
            "d-1",
            "x",
        ]);
        assert_eq!(ja.cell(&row, Column::ReceivedOn), Some("2024/4/1"));
        assert_eq!(ja.cell(&row, Column::DonorId), Some("d-1"));
        assert_eq!(ja.cell(&row, Column::Kana), None);
        assert_eq!(ja.ignored, vec!["メモ".to_string()]);
        let en = Layout::of(&header(&["Date", "Amount", "Donor ID"])).unwrap();
        assert_eq!(
            en.cell(&header(&["2024-04-01", "500", "d-2"]), Column::DonorId),
            Some("d-2")
        );
        assert_eq!(en.cell(&header(&["2024-04-01", "500"]), Column::DonorId), None);
    }

    #[test]
    fn a_header_without_date_or_amount_or_with_a_column_twice_is_refused() {
        assert_eq!(
            Layout::of(&header(&["氏名", "金額"])),
            Err(HeaderError::Missing(Column::ReceivedOn))
        );
        assert_eq!(
            Layout::of(&header(&["日付", "氏名"])),
            Err(HeaderError::Missing(Column::Amount))
        );
        assert!(matches!(
            Layout::of(&header(&["日付", "金額", "入金額"])),
            Err(HeaderError::Twice {
                column: Column::Amount,
                ..
            })
        ));
        assert_eq!(Layout::of(&header(&["", " "])), Err(HeaderError::Empty));
    }
}
