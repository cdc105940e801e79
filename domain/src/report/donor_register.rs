//! The 寄附者名簿: every gift a fiscal year received, with the giver's 氏名(名称), 住所, the
//! amount and the day it was received. A certified NPO prepares it each year within three
//! months of the year's end and keeps it five years; an applicant files it for each year of the
//! assessment period. Anonymous gifts are listed too, by amount and date.
//!
//! The ledger holds no names or addresses: the caller hands in what its vault knows of each
//! donor (see [`crate::personal`]), so the register is built the same way wherever it is built.

use crate::date::Date;
use crate::fiscal_year::FiscalYear;
use crate::funds::Payer;
use crate::ids::{DonorId, PartnerId, ReceiptId};
use crate::money::Yen;
use crate::personal::{listed_in_register, DonorDetails};
use crate::projection::LedgerState;
use serde::Serialize;

/// What the vault knows of a donor when the register is drawn up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Listed {
    Known {
        name: String,
        /// 〒 and address, as printed.
        address: String,
    },
    /// No details were ever recorded for the donor.
    NotRecorded,
    /// The donor's details were erased after the registers listing them were discarded.
    Erased,
    /// The vault cannot give the details the ledger names (restored without its vault, or
    /// opened with another key file).
    Unreadable,
}

impl Listed {
    pub fn of(details: &DonorDetails) -> Listed {
        Listed::Known {
            name: details.name().to_string(),
            address: details.postal_address(),
        }
    }
}

/// Who gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Giver {
    Donor {
        id: DonorId,
        listed: Listed,
    },
    /// A company or body recorded as a partner: its name is in the ledger.
    Partner {
        id: PartnerId,
        name: String,
    },
    Anonymous,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterLine {
    pub received_on: Date,
    pub amount: Yen,
    pub giver: Giver,
    pub receipt: ReceiptId,
    /// The position of the receipt's event.
    pub position: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DonorRegister {
    pub fiscal_year: FiscalYear,
    pub lines: Vec<RegisterLine>,
    pub total: Yen,
}

/// The register of `fiscal_year`, in the order the gifts were received. `details` answers for
/// each donor it lists (once per donor).
pub fn donor_register(
    state: &LedgerState,
    fiscal_year: FiscalYear,
    mut details: impl FnMut(&DonorId) -> Listed,
) -> DonorRegister {
    let mut known: std::collections::HashMap<&DonorId, Listed> = std::collections::HashMap::new();
    let mut lines: Vec<RegisterLine> = state
        .receipts
        .of_year(fiscal_year)
        .filter(|r| listed_in_register(r))
        .map(|r| RegisterLine {
            received_on: r.on,
            amount: r.amount,
            giver: match &r.payer {
                Payer::Donor(id) => Giver::Donor {
                    id: id.clone(),
                    listed: known.entry(id).or_insert_with(|| details(id)).clone(),
                },
                Payer::Partner(id) => Giver::Partner {
                    id: id.clone(),
                    name: state
                        .partners
                        .get(id)
                        .map_or_else(|| id.to_string(), |p| p.name_on(r.on).to_string()),
                },
                Payer::Anonymous => Giver::Anonymous,
            },
            receipt: r.id.clone(),
            position: r.position,
        })
        .collect();
    lines.sort_by_key(|l| (l.received_on, l.position));
    let total = Yen::new(
        lines
            .iter()
            .fold(0i64, |sum, l| sum.saturating_add(l.amount.value())),
    );
    DonorRegister {
        fiscal_year,
        lines,
        total,
    }
}

impl DonorRegister {
    /// The register as rows for CSV and Excel: a header, a line per gift, the total.
    pub fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![[
            "受け入れ年月日",
            "氏名（名称）",
            "住所",
            "寄附金額（円）",
            "寄付者ID",
            "収入ID",
            "位置",
        ]
        .map(String::from)
        .to_vec()];
        for line in &self.lines {
            let (name, address, id) = match &line.giver {
                Giver::Donor { id, listed } => match listed {
                    Listed::Known { name, address } => (name.clone(), address.clone(), id.to_string()),
                    Listed::NotRecorded => ("（未登録）".into(), String::new(), id.to_string()),
                    Listed::Erased => ("（消去済み）".into(), String::new(), id.to_string()),
                    Listed::Unreadable => ("（保管庫から読めません）".into(), String::new(), id.to_string()),
                },
                Giver::Partner { id, name } => (name.clone(), String::new(), id.to_string()),
                Giver::Anonymous => ("匿名".into(), String::new(), String::new()),
            };
            rows.push(vec![
                line.received_on.to_string(),
                name,
                address,
                line.amount.value().to_string(),
                id,
                line.receipt.to_string(),
                line.position.to_string(),
            ]);
        }
        rows.push(vec![
            "合計".into(),
            format!("{}件", self.lines.len()),
            String::new(),
            self.total.value().to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::events::Fact;
    use crate::funds::FundKind;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn donor(id: &str) -> Command {
        Command::record(
            day("2024-04-01"),
            Fact::DonorRegistered {
                donor: DonorId::new(id).unwrap(),
                household: None,
                officer: false,
                certified_npo: false,
                identified: true,
            },
        )
    }

    fn gift(id: &str, on: &str, kind: FundKind, payer: Payer, amount: i64) -> Command {
        let on = day(on);
        Command::record(
            on,
            Fact::FundsReceived {
                receipt: ReceiptId::new(id).unwrap(),
                kind,
                payer,
                amount: Yen::new(amount),
                fiscal_year: on.fiscal_year(),
                program: None,
                restricted: false,
            },
        )
    }

    /// Fiscal 2024 (2024-04-01 to 2025-03-31): 佐藤 gives twice, 鈴木 once (details never
    /// recorded), someone anonymously, a company once; a grant and a gift of the next year are
    /// not in it.
    #[test]
    fn the_register_lists_every_gift_of_the_year_with_its_giver() {
        let d = |id: &str| Payer::Donor(DonorId::new(id).unwrap());
        let state = crate::demo::state_with(vec![
            donor("sato"),
            donor("suzuki"),
            gift("g-1", "2025-03-31", FundKind::Donation, d("sato"), 10_000),
            gift("g-2", "2024-04-01", FundKind::Donation, d("sato"), 3_000),
            gift("g-3", "2024-12-24", FundKind::Donation, d("suzuki"), 5_000),
            gift("g-4", "2024-08-15", FundKind::Donation, Payer::Anonymous, 1_000),
            gift("g-5", "2025-04-01", FundKind::Donation, d("sato"), 7_000),
            gift("g-6", "2024-06-01", FundKind::MemberDues, d("sato"), 2_000),
        ]);
        let mut asked = Vec::new();
        let register = donor_register(&state, FiscalYear::new(2024).unwrap(), |id| {
            asked.push(id.to_string());
            match id.as_str() {
                "sato" => Listed::Known {
                    name: "佐藤 一郎".into(),
                    address: "〒420-0853 静岡市葵区追手町9-6".into(),
                },
                _ => Listed::NotRecorded,
            }
        });
        asked.sort();
        assert_eq!(asked, ["sato", "suzuki"], "each donor is looked up once");
        let order: Vec<_> = register.lines.iter().map(|l| l.receipt.as_str()).collect();
        assert_eq!(order, ["g-2", "g-4", "g-3", "g-1"]);
        assert_eq!(register.total, Yen::new(19_000));
        let rows = register.rows();
        assert_eq!(rows.len(), 6);
        assert_eq!(
            rows[1][..4],
            [
                "2024-04-01",
                "佐藤 一郎",
                "〒420-0853 静岡市葵区追手町9-6",
                "3000"
            ]
            .map(String::from)
        );
        assert_eq!(rows[2][1..4], ["匿名", "", "1000"].map(String::from));
        assert_eq!(rows[3][1], "（未登録）");
        assert_eq!(rows[5][..4], ["合計", "4件", "", "19000"].map(String::from));
    }
}
