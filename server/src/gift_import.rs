//! `spiral import gifts`: a gift file read (the file's bytes to a [`Table`]), previewed
//! against the ledger and the donors' details in the vault, and recorded whole or not at all.
//! What each row means, and how it is matched, is the domain's (`domain::gift_import`).

use crate::ledger::{CommandError, Ledger};
use crate::store::StoreError;
use crate::vault::{Held, Purpose, Vault, VaultError};
use domain::gift_import::columns::HeaderError;
use domain::gift_import::{Preview, Table, TableRow, MAX_ROWS};
use domain::ids::DonorId;
use domain::personal::DonorDetails;
use domain::{Command, Fact};

/// The largest gift file read: 64 MiB, some 500,000 rows of a platform's export.
pub const MAX_FILE_BYTES: usize = 64 << 20;

/// How the file's text was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    /// Shift_JIS as Windows writes it (CP932, with its NEC and IBM extensions).
    ShiftJis,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::ShiftJis => "Shift_JIS",
        }
    }
}

/// Why a file could not be read at all; nothing in it is previewed or recorded.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is {bytes} bytes; at most {max} are read: split it")]
    TooLarge { bytes: usize, max: usize },
    #[error("the file is UTF-16 (Excel's \"Unicode text\"): save it as \"CSV UTF-8\" or \"CSV\" instead")]
    Utf16,
    #[error("the file is neither UTF-8 nor Shift_JIS text (byte {at} cannot be read as either)")]
    NotText { at: usize },
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("the file has more than {max} rows: split it")]
    TooManyRows { max: usize },
}

impl FileError {
    pub fn ja(&self) -> String {
        match self {
            FileError::TooLarge { bytes, max } => {
                format!("ファイルが大きすぎます（{bytes}バイト、最大{max}バイト）。分けてください")
            }
            FileError::Utf16 => {
                "UTF-16（Unicodeテキスト）です。「CSV UTF-8」か「CSV」で保存してください".into()
            }
            FileError::NotText { at } => {
                format!("UTF-8でもShift_JISでもありません（{at}バイト目が読めません）")
            }
            FileError::Csv { line, message } => format!("{line}行目: CSVとして読めません（{message}）"),
            FileError::TooManyRows { max } => format!("行が{max}を超えています。分けてください"),
        }
    }
}

/// Decodes a gift file: UTF-8 (with or without a BOM) or Shift_JIS, then CSV with a header row.
pub fn read_table(bytes: &[u8]) -> Result<(Table, TextEncoding), FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            bytes: bytes.len(),
            max: MAX_FILE_BYTES,
        });
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(FileError::Utf16);
    }
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let text = std::str::from_utf8(rest).map_err(|e| FileError::NotText {
            at: 3 + e.valid_up_to(),
        })?;
        (std::borrow::Cow::Borrowed(text), TextEncoding::Utf8Bom)
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (std::borrow::Cow::Borrowed(text), TextEncoding::Utf8)
    } else {
        let text = encoding_rs::SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or_else(|| FileError::NotText {
                at: std::str::from_utf8(bytes).err().map_or(0, |e| e.valid_up_to()),
            })?;
        (text, TextEncoding::ShiftJis)
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    // Lines counted here rather than taken from the reader, which counts a CRLF file's lines
    // one short: the line a record starts on is one more than the line breaks before it.
    let mut lines = LineCounter::new(text.as_bytes());
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| FileError::Csv {
            line: e.position().map_or(0, |p| lines.line_at(p.byte())),
            message: e.to_string(),
        })?;
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if index == 0 {
            table.header = fields;
            continue;
        }
        if table.rows.len() == MAX_ROWS {
            return Err(FileError::TooManyRows { max: MAX_ROWS });
        }
        table.rows.push(TableRow {
            line: record.position().map_or(0, |p| lines.line_at(p.byte())),
            fields,
        });
    }
    Ok((table, encoding))
}

/// The line a record starts on, from the reader's byte offset, for offsets asked in
/// increasing order.
struct LineCounter<'t> {
    text: &'t [u8],
    at: usize,
    line: u64,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t [u8]) -> Self {
        LineCounter { text, at: 0, line: 1 }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        let to = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        if to > self.at {
            self.line += self.text[self.at..to].iter().filter(|b| **b == b'\n').count() as u64;
            self.at = to;
        }
        // The reader's offset may stop short of a record, at the line break (or blank lines)
        // before it.
        while let Some(&b) = self.text.get(self.at).filter(|b| matches!(b, b'\r' | b'\n')) {
            self.line += u64::from(b == b'\n');
            self.at += 1;
        }
        self.line
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GiftImportError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("{0} rows cannot be recorded (see the preview); nothing was recorded")]
    Rows(usize),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl GiftImportError {
    pub fn ja(&self) -> String {
        match self {
            GiftImportError::File(e) => e.ja(),
            GiftImportError::Header(e) => e.ja(),
            GiftImportError::Rows(n) => {
                format!("{n}行に誤りがあります（プレビューを見てください）。何も記録していません")
            }
            GiftImportError::Vault(e) => e.ja(),
            GiftImportError::Command(CommandError::Rejected(e)) => e.ja(),
            other => other.to_string(),
        }
    }
}

/// The preview of `table` against the ledger now. The details of every donor still in use are
/// read from the vault to match names and addresses (each read logged for `actor`), unless no
/// row needs them (`needs_details`).
pub async fn preview(
    ledger: &Ledger,
    vault: &Vault,
    table: &Table,
    actor: &str,
) -> Result<Preview, GiftImportError> {
    ledger.catch_up().await?;
    let donors: Vec<DonorId> = if domain::gift_import::needs_details(table) {
        ledger.read_state(|s| s.donors.keys().cloned().collect())
    } else {
        Vec::new()
    };
    let held = vault
        .read_many(ledger.log(), &donors, actor, Purpose::Import)
        .await?;
    let details: Vec<(DonorId, DonorDetails)> = donors
        .into_iter()
        .filter_map(|donor| match held.get(&donor) {
            Some(Held::Recorded { details, .. }) => Some((donor, details.clone())),
            _ => None,
        })
        .collect();
    Ok(ledger.read_state(|state| domain::gift_import::preview(table, state, &details))?)
}

/// What an import recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    pub gifts: usize,
    pub new_donors: usize,
    pub events: usize,
}

/// What names a preview exactly: the SHA-256 of its JSON. A person confirms the preview they
/// saw by sending its digest back; if the ledger or the file changed since, the preview made
/// again has another digest and nothing is recorded.
pub fn digest(preview: &Preview) -> String {
    let json = serde_json::to_vec(preview).unwrap_or_default();
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(json))
}

/// Records what `preview` shows, all of it or nothing: the new donors' details sealed in the
/// vault, then their registration, their details' first revision and every gift in one commit.
pub async fn record(
    ledger: &Ledger,
    vault: &Vault,
    preview: &Preview,
    actor: &str,
) -> Result<Imported, GiftImportError> {
    if !preview.can_record() {
        return Err(GiftImportError::Rows(preview.errors.len()));
    }
    let donors: Vec<(DonorId, DonorDetails)> = preview
        .new_donors
        .iter()
        .map(|n| (n.donor.clone(), n.details.clone()))
        .collect();
    let seals = vault.seal_new(&donors).await?;
    let mut commands = Vec::with_capacity(preview.new_donors.len() * 2 + preview.gifts.len());
    for (new, seal) in preview.new_donors.iter().zip(&seals) {
        commands.push(Command::record(new.first_gift, new.fact()));
        let details = Fact::DonorDetailsRecorded {
            donor: new.donor.clone(),
            revision: 1,
            seal: *seal,
        };
        commands.push(Command::record(new.first_gift, details));
    }
    for gift in &preview.gifts {
        commands.push(Command::record(gift.on, gift.fact()));
    }
    match ledger.create_all(commands, actor).await {
        Ok(positions) => Ok(Imported {
            gifts: preview.gifts.len(),
            new_donors: preview.new_donors.len(),
            events: positions.len(),
        }),
        Err(refused) => {
            let sealed: Vec<(DonorId, u64)> = donors.into_iter().map(|(d, _)| d).zip(seals).collect();
            if let Err(e) = vault.discard(&sealed).await {
                tracing::warn!("removing the details sealed for an import that was not recorded: {e}");
            }
            Err(refused.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_the_line_they_start_on_whatever_the_line_breaks() {
        for text in [
            "日付,金額\n2024/4/1,100\n\n2024/4/2,\"1,000\"\n",
            "日付,金額\r\n2024/4/1,100\r\n\r\n2024/4/2,\"1,000\"\r\n",
        ] {
            let (table, encoding) = read_table(text.as_bytes()).unwrap();
            assert_eq!(encoding, TextEncoding::Utf8);
            let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [2, 4], "{text:?}");
            assert_eq!(table.rows[1].fields, ["2024/4/2", "1,000"]);
        }
        // A quoted cell running over two lines moves the next row's line on.
        let (table, _) = read_table("日付,備考\n2024/4/1,\"a\nb\"\n2024/4/2,c\n".as_bytes()).unwrap();
        assert_eq!(table.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4]);
    }

    #[test]
    fn utf8_with_a_bom_and_shift_jis_are_read_and_utf16_is_refused() {
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend("受領日,金額\n".as_bytes());
        let (table, encoding) = read_table(&bom).unwrap();
        assert_eq!(
            (encoding, table.header[0].as_str()),
            (TextEncoding::Utf8Bom, "受領日")
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("受領日,氏名\n2024/4/1,髙橋\n");
        let (table, encoding) = read_table(&sjis).unwrap();
        assert_eq!(
            (encoding, table.rows[0].fields[1].as_str()),
            (TextEncoding::ShiftJis, "髙橋")
        );
        assert!(matches!(
            read_table(&[0xFF, 0xFE, b'a', 0]),
            Err(FileError::Utf16)
        ));
        assert!(matches!(
            read_table(&[b'a', 0x81, 0x39]),
            Err(FileError::NotText { .. })
        ));
    }
}
