//! Which gifts a 寄附金受領証明書 may acknowledge: the first step of issuing them. A donor
//! deducts a gift to a certified NPO only if it was received on or after the 認定日, and files
//! by calendar year, so the NPO sends one consolidated receipt per donor per calendar year
//! (January to December: the end of one fiscal year and the start of the next).
//!
//! A gift qualifies when it is a donation (寄附金, not dues) from a registered donor, received
//! on a day when the NPO's profile in effect names a certification dated that day or earlier,
//! and no standing certificate acknowledges it yet (issuing them: `crate::certificate`).

use crate::date::Date;
use crate::funds::{FundKind, Payer};
use crate::ids::{DonorId, ReceiptId};
use crate::money::Yen;
use crate::projection::LedgerState;
use serde::Serialize;
use std::collections::BTreeMap;

/// A gift a receipt acknowledges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acknowledged {
    pub receipt: ReceiptId,
    pub received_on: Date,
    pub amount: Yen,
    /// The position of the gift's event.
    pub position: u64,
}

/// What one donor's receipt for a calendar year would acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptDue {
    pub donor: DonorId,
    pub calendar_year: i32,
    /// In the order received.
    pub gifts: Vec<Acknowledged>,
    pub total: Yen,
}

/// The receipts due for `calendar_year`, one per donor with a qualifying gift (only `donor`'s
/// when given), in donor order.
pub fn receipts_due(state: &LedgerState, calendar_year: i32, donor: Option<&DonorId>) -> Vec<ReceiptDue> {
    let mut by_donor: BTreeMap<&DonorId, Vec<Acknowledged>> = BTreeMap::new();
    for r in state.receipts.values() {
        let Payer::Donor(giver) = &r.payer else {
            continue;
        };
        if r.kind != FundKind::Donation
            || r.on.year() != calendar_year
            || donor.is_some_and(|d| d != giver)
            || state.certificates.acknowledging.contains_key(&r.id)
            || !crate::certificate::certified_on(state, r.on)
        {
            continue;
        }
        by_donor.entry(giver).or_default().push(Acknowledged {
            receipt: r.id.clone(),
            received_on: r.on,
            amount: r.amount,
            position: r.position,
        });
    }
    by_donor
        .into_iter()
        .map(|(donor, mut gifts)| {
            gifts.sort_by_key(|g| (g.received_on, g.position));
            let total = Yen::new(
                gifts
                    .iter()
                    .fold(0i64, |sum, g| sum.saturating_add(g.amount.value())),
            );
            ReceiptDue {
                donor: donor.clone(),
                calendar_year,
                gifts,
                total,
            }
        })
        .collect()
}
