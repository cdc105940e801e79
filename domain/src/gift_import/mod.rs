//! Bulk entry of gifts from a CSV file (a bank's or a platform's export, or a sheet kept by
//! hand): each row read, matched to a donor already known or proposed as a new one, set against
//! the gifts already recorded, and shown as a preview before anything is recorded.
//!
//! The server decodes the file (UTF-8 with or without a BOM, or Shift_JIS) into a [`Table`]
//! and reads donors' details from its vault; everything else is here, so the CLI and the
//! browser's upload page preview the same thing.
//!
//! Re-importing a file records nothing twice: a gift is the same gift when the donor, the day,
//! the amount and the kind are the same, and a file's rows are set against the ledger's gifts
//! one for one (two identical ¥1,000 gifts on one day in the file, one in the ledger: one is
//! new). Each new gift's receipt id is derived from the same things, so two imports of one file
//! racing each other cannot both record it either.

pub mod columns;
pub mod fields;

use crate::date::Date;
use crate::events::Fact;
use crate::funds::{FundKind, Payer};
use crate::ids::{DonorId, ReceiptId};
use crate::money::Yen;
use crate::personal::{DetailsError, DetailsInput, DonorDetails};
use crate::projection::LedgerState;
use columns::{Column, HeaderError, Layout};
use fields::{match_key, parse_amount, parse_date, parse_kind, CellProblem};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Rows a file may hold: a few years of a large NPO's gifts. Beyond it the file is refused
/// whole, before any row is read into memory.
pub const MAX_ROWS: usize = 200_000;

/// A decoded CSV file: its header and its rows, each with the line it starts on (the header is
/// line 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<TableRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    pub line: u64,
    pub fields: Vec<String>,
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Missing(Column),
    Cell(CellProblem),
    Details(DetailsError),
    DonorIdInvalid(String),
    UnknownDonor(DonorId),
    /// Several donors have this name and address: the file must say which by id.
    Ambiguous(Vec<DonorId>),
    /// The donor's personal data may no longer be used (erasure asked for, or done).
    NotInUse(DonorId),
}

impl Problem {
    pub fn column(&self) -> Option<Column> {
        match self {
            Problem::Missing(c) => Some(*c),
            Problem::Cell(CellProblem::Date(_)) => Some(Column::ReceivedOn),
            Problem::Cell(CellProblem::Kind(_)) => Some(Column::Kind),
            Problem::Cell(_) => Some(Column::Amount),
            Problem::Details(DetailsError::PostalCode(_)) => Some(Column::PostalCode),
            Problem::Details(DetailsError::Text { field, .. }) => match *field {
                "kana" => Some(Column::Kana),
                "address" => Some(Column::Address),
                _ => Some(Column::Name),
            },
            Problem::DonorIdInvalid(_) | Problem::UnknownDonor(_) | Problem::NotInUse(_) => {
                Some(Column::DonorId)
            }
            Problem::Ambiguous(_) => Some(Column::Name),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Problem::Missing(c) => format!("{} ({}) is blank", c.en(), c.ja()),
            Problem::Cell(CellProblem::Date(t)) => {
                format!("{t:?} is not a date (e.g. 2024/4/1, 2024-04-01, 令和6年4月1日)")
            }
            Problem::Cell(CellProblem::Amount(t)) => format!("{t:?} is not an amount of yen above zero"),
            Problem::Cell(CellProblem::AmountFraction(t)) => format!("{t:?} is not whole yen"),
            Problem::Cell(CellProblem::AmountTooLarge(t)) => {
                format!("{t:?} is more than ¥1,000,000,000,000: check the column")
            }
            Problem::Cell(CellProblem::Kind(t)) => {
                format!("kind {t:?} is neither a donation (寄附) nor membership dues (会費)")
            }
            Problem::Details(e) => e.to_string(),
            Problem::DonorIdInvalid(t) => format!("{t:?} is not a donor id"),
            Problem::UnknownDonor(d) => format!("no donor {d} is registered"),
            Problem::Ambiguous(ds) => format!(
                "this name and address match several donors ({}): put the one meant in the donor_id column",
                join(ds)
            ),
            Problem::NotInUse(d) => {
                format!("donor {d}'s personal data may no longer be used (erasure was asked for, or the vault cannot read it): record this gift by hand")
            }
        }
    }

    pub fn ja(&self) -> String {
        match self {
            Problem::Missing(c) => format!("「{}」が空欄です", c.ja()),
            Problem::Cell(CellProblem::Date(t)) => {
                format!("「{t}」は日付ではありません（例: 2024/4/1、令和6年4月1日）")
            }
            Problem::Cell(CellProblem::Amount(t)) => format!("「{t}」は0円より大きい金額ではありません"),
            Problem::Cell(CellProblem::AmountFraction(t)) => format!("「{t}」は円単位の金額ではありません"),
            Problem::Cell(CellProblem::AmountTooLarge(t)) => {
                format!("「{t}」は1兆円を超えています。列を確かめてください")
            }
            Problem::Cell(CellProblem::Kind(t)) => {
                format!("種別「{t}」は寄附でも会費でもありません")
            }
            Problem::Details(e) => e.ja(),
            Problem::DonorIdInvalid(t) => format!("「{t}」は寄附者IDではありません"),
            Problem::UnknownDonor(d) => format!("寄附者ID {d} は登録されていません"),
            Problem::Ambiguous(ds) => format!(
                "この氏名・住所の寄附者が複数います（{}）。寄附者IDの列で指定してください",
                join(ds)
            ),
            Problem::NotInUse(d) => {
                format!("寄附者 {d} の個人情報は使えません（消去の求めがあるか、保管庫から読めません）。この寄附は個別に記録してください")
            }
        }
    }
}

fn join(donors: &[DonorId]) -> String {
    donors.iter().map(DonorId::as_str).collect::<Vec<_>>().join(", ")
}

/// A row that cannot be recorded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: u64,
    pub column: Option<Column>,
    pub message: String,
    pub message_ja: String,
}

impl LineError {
    fn new(line: u64, problem: &Problem) -> LineError {
        LineError {
            line,
            column: problem.column(),
            message: problem.en(),
            message_ja: problem.ja(),
        }
    }
}

/// Who gave a gift the preview will record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "as", rename_all = "snake_case")]
pub enum PlannedGiver {
    /// A donor already registered, found by the id in the file.
    ById {
        donor: DonorId,
    },
    /// A donor already registered, found by name and address.
    ByNameAndAddress {
        donor: DonorId,
    },
    /// A donor the import registers.
    New {
        donor: DonorId,
    },
    Anonymous,
}

impl PlannedGiver {
    pub fn donor(&self) -> Option<&DonorId> {
        match self {
            PlannedGiver::ById { donor }
            | PlannedGiver::ByNameAndAddress { donor }
            | PlannedGiver::New { donor } => Some(donor),
            PlannedGiver::Anonymous => None,
        }
    }
}

/// A gift the import records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedGift {
    pub line: u64,
    pub receipt: ReceiptId,
    pub on: Date,
    pub amount: Yen,
    pub kind: FundKind,
    pub giver: PlannedGiver,
}

impl PlannedGift {
    pub fn fact(&self) -> Fact {
        Fact::FundsReceived {
            receipt: self.receipt.clone(),
            kind: self.kind,
            payer: self
                .giver
                .donor()
                .map_or(Payer::Anonymous, |d| Payer::Donor(d.clone())),
            amount: self.amount,
            fiscal_year: self.on.fiscal_year(),
            program: None,
            restricted: false,
        }
    }
}

/// A donor the import registers, with the details to seal in the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewDonor {
    pub donor: DonorId,
    pub details: DonorDetails,
    /// The day of their first gift in the file: the day they are registered.
    pub first_gift: Date,
    pub lines: Vec<u64>,
}

impl NewDonor {
    pub fn fact(&self) -> Fact {
        Fact::DonorRegistered {
            donor: self.donor.clone(),
            household: None,
            officer: false,
            certified_npo: false,
            identified: self.details.identified(),
        }
    }
}

/// A row whose gift is recorded already (imported before, or entered by hand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub line: u64,
    pub donor: Option<DonorId>,
    pub on: Date,
    pub amount: Yen,
}

/// What an import would record, shown before anything is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// Rows read (blank rows are skipped and not counted).
    pub rows: usize,
    /// Header cells that name no column Spiral reads.
    pub ignored_columns: Vec<String>,
    pub gifts: Vec<PlannedGift>,
    pub new_donors: Vec<NewDonor>,
    pub duplicates: Vec<Duplicate>,
    pub errors: Vec<LineError>,
}

impl Preview {
    /// The sum of the gifts to record.
    pub fn total(&self) -> Yen {
        Yen::sum(self.gifts.iter().map(|g| g.amount)).unwrap_or(Yen::ZERO)
    }

    /// Whether it may be recorded: every row read, or the file changes nothing.
    pub fn can_record(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A row read, before it is matched.
struct Read {
    line: u64,
    on: Date,
    amount: Yen,
    kind: FundKind,
    giver: Giving,
}

enum Giving {
    Id(DonorId),
    Person(DonorDetails),
    Anonymous,
}

fn read_row(layout: &Layout, row: &TableRow) -> Result<Read, Problem> {
    let cell = |c| layout.cell(&row.fields, c);
    let on = parse_date(cell(Column::ReceivedOn).ok_or(Problem::Missing(Column::ReceivedOn))?)
        .map_err(Problem::Cell)?;
    let amount =
        parse_amount(cell(Column::Amount).ok_or(Problem::Missing(Column::Amount))?).map_err(Problem::Cell)?;
    let kind = parse_kind(cell(Column::Kind).unwrap_or_default()).map_err(Problem::Cell)?;
    let giver = if let Some(id) = cell(Column::DonorId) {
        Giving::Id(DonorId::new(id).map_err(|_| Problem::DonorIdInvalid(id.to_string()))?)
    } else if let Some(name) = cell(Column::Name) {
        let input = DetailsInput {
            name: name.to_string(),
            kana: cell(Column::Kana).map(str::to_string),
            postal_code: cell(Column::PostalCode).map(str::to_string),
            address: cell(Column::Address).map(str::to_string),
        };
        Giving::Person(DonorDetails::try_from(input).map_err(Problem::Details)?)
    } else {
        Giving::Anonymous
    };
    Ok(Read {
        line: row.line,
        on,
        amount,
        kind,
        giver,
    })
}

/// An id derived from `parts`: the same parts give the same id in every import.
fn derived(prefix: &str, parts: &[&str], hex_digits: usize) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0x1f]);
    }
    let digest = hex::encode(hash.finalize());
    format!("{prefix}{}", &digest[..hex_digits])
}

/// The donor an import registers for a name and address not known before.
pub fn new_donor_id(key: &str) -> DonorId {
    DonorId::new(derived("d-", &["spiral gift import donor", key], 12)).expect("hex digits make an id")
}

/// The receipt of the `occurrence`-th identical gift (same giver, day, amount and kind) in a file.
fn gift_receipt(
    giver: Option<&DonorId>,
    on: Date,
    amount: Yen,
    kind: FundKind,
    occurrence: usize,
) -> ReceiptId {
    let id = derived(
        "g-",
        &[
            "spiral gift import",
            giver.map_or("", DonorId::as_str),
            &on.to_string(),
            &amount.value().to_string(),
            kind_key(kind),
            &occurrence.to_string(),
        ],
        16,
    );
    ReceiptId::new(id).expect("hex digits make an id")
}

/// Dues of both kinds share one key: a file imported before supporting members' dues had a kind
/// of their own recorded them as `MemberDues`, and importing it again must find them.
fn kind_key(kind: FundKind) -> &'static str {
    if kind.is_dues() {
        "dues"
    } else {
        "donation"
    }
}

/// What makes two gifts the same gift: giver, day, amount, and donation or dues.
type GiftKey = (Option<DonorId>, Date, Yen, &'static str);

/// The import of `table`, set against `state` (the ledger now) and `details` (the details of
/// every donor whose data may still be used, from the vault).
pub fn preview(
    table: &Table,
    state: &LedgerState,
    details: &[(DonorId, DonorDetails)],
) -> Result<Preview, HeaderError> {
    let layout = Layout::of(&table.header)?;
    let usable: HashSet<&DonorId> = details.iter().map(|(donor, _)| donor).collect();
    let mut known_by_key: HashMap<String, Vec<DonorId>> = HashMap::new();
    for (donor, d) in details {
        known_by_key
            .entry(match_key(d.name(), d.address()))
            .or_default()
            .push(donor.clone());
    }
    let mut preview = Preview {
        ignored_columns: layout.ignored.clone(),
        ..Preview::default()
    };
    let mut new_donors: BTreeMap<DonorId, NewDonor> = BTreeMap::new();
    let mut seen: HashMap<GiftKey, usize> = HashMap::new();
    let mut recorded: Option<HashMap<GiftKey, usize>> = None;
    for row in &table.rows {
        if row.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        preview.rows += 1;
        let read = match read_row(&layout, row) {
            Ok(read) => read,
            Err(problem) => {
                preview.errors.push(LineError::new(row.line, &problem));
                continue;
            }
        };
        let giver = match resolve(&read, state, &known_by_key, &usable) {
            Ok(giver) => giver,
            Err(problem) => {
                preview.errors.push(LineError::new(read.line, &problem));
                continue;
            }
        };
        if let (PlannedGiver::New { donor }, Giving::Person(details)) = (&giver, &read.giver) {
            let new = new_donors.entry(donor.clone()).or_insert_with(|| NewDonor {
                donor: donor.clone(),
                details: details.clone(),
                first_gift: read.on,
                lines: Vec::new(),
            });
            new.first_gift = new.first_gift.min(read.on);
            new.lines.push(read.line);
        }
        let key: GiftKey = (giver.donor().cloned(), read.on, read.amount, kind_key(read.kind));
        let occurrence = seen.entry(key.clone()).or_default();
        *occurrence += 1;
        let already = recorded
            .get_or_insert_with(|| recorded_gifts(state))
            .get(&key)
            .copied()
            .unwrap_or(0);
        if *occurrence <= already {
            preview.duplicates.push(Duplicate {
                line: read.line,
                donor: key.0,
                on: read.on,
                amount: read.amount,
            });
            continue;
        }
        preview.gifts.push(PlannedGift {
            line: read.line,
            receipt: gift_receipt(key.0.as_ref(), read.on, read.amount, read.kind, *occurrence),
            on: read.on,
            amount: read.amount,
            kind: read.kind,
            giver,
        });
    }
    preview.new_donors = new_donors.into_values().collect();
    Ok(preview)
}

/// Whether any row names its giver without an id, so that donors' details must be read to
/// match it (a file of ids and anonymous gifts needs none opened, and none logged as read).
pub fn needs_details(table: &Table) -> bool {
    let Ok(layout) = Layout::of(&table.header) else {
        return false;
    };
    table.rows.iter().any(|row| {
        layout.cell(&row.fields, Column::Name).is_some()
            && layout.cell(&row.fields, Column::DonorId).is_none()
    })
}

/// Who gave the gift of a row read.
fn resolve(
    read: &Read,
    state: &LedgerState,
    known: &HashMap<String, Vec<DonorId>>,
    usable: &HashSet<&DonorId>,
) -> Result<PlannedGiver, Problem> {
    match &read.giver {
        Giving::Anonymous => Ok(PlannedGiver::Anonymous),
        Giving::Id(donor) if state.donors.contains_key(donor) => {
            Ok(PlannedGiver::ById { donor: donor.clone() })
        }
        Giving::Id(donor) => Err(Problem::UnknownDonor(donor.clone())),
        Giving::Person(details) => {
            let key = match_key(details.name(), details.address());
            match known.get(&key).map(Vec::as_slice) {
                Some([donor]) => Ok(PlannedGiver::ByNameAndAddress { donor: donor.clone() }),
                Some(several) if several.len() > 1 => Err(Problem::Ambiguous(several.to_vec())),
                _ => {
                    let donor = new_donor_id(&key);
                    if !state.donors.contains_key(&donor) {
                        Ok(PlannedGiver::New { donor })
                    } else if usable.contains(&donor) {
                        // Registered by an earlier import from these very details, changed
                        // since (a new address): still the same person.
                        Ok(PlannedGiver::ByNameAndAddress { donor })
                    } else {
                        // Registered so, but their details may no longer be used.
                        Err(Problem::NotInUse(donor))
                    }
                }
            }
        }
    }
}

/// How many gifts of each kind the ledger holds: donations and dues from donors or anonymous.
fn recorded_gifts(state: &LedgerState) -> HashMap<GiftKey, usize> {
    let mut counts: HashMap<GiftKey, usize> = HashMap::new();
    for receipt in state.receipts.values() {
        let giver = match &receipt.payer {
            Payer::Donor(d) => Some(d.clone()),
            Payer::Anonymous => None,
            Payer::Partner(_) => continue,
        };
        if receipt.kind == FundKind::Donation || receipt.kind.is_dues() {
            *counts
                .entry((giver, receipt.on, receipt.amount, kind_key(receipt.kind)))
                .or_default() += 1;
        }
    }
    counts
}
