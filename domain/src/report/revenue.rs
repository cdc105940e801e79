//! When money becomes revenue, and in which fiscal year: the one recognition rule every report
//! uses, so the funding summary and the public support test can never disagree.
//!
//! - Everything except restricted grants and subsidies is recognised in the fiscal year recorded
//!   on the receipt (donations on a cash basis, as received).
//! - A restricted grant or subsidy (助成金・補助金) is recognised in the fiscal years it is spent
//!   (`FundsSpent`); what is unspent at a year's end is carried forward as 前受助成金, a
//!   liability rather than revenue.

use crate::fiscal_year::FiscalYear;
use crate::funds::FundKind;
use crate::money::Yen;
use crate::projection::{LedgerState, ReceiptView};
use serde::Serialize;

/// The rule, as the reports state it.
pub const RULE_JA: &str = "収益の認識: 制約付きの助成金・補助金は使用した年度に収益計上し、年度末の未使用額は前受助成金として繰り越す。それ以外（寄付金は受領時）は受領記録の年度に計上する。";
pub const RULE_EN: &str = "Recognition: a restricted grant or subsidy is revenue in the fiscal years it is spent; the unspent balance at year end is carried forward as 前受助成金 (deferred grant income). Everything else is revenue in the fiscal year of the receipt (donations when received).";

/// Whether a receipt is recognised as it is spent rather than when received.
pub fn deferred(receipt: &ReceiptView) -> bool {
    receipt.restricted && matches!(receipt.kind, FundKind::Grant | FundKind::Subsidy)
}

/// An amount recognised as revenue in a fiscal year, and the event it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recognised<'a> {
    pub receipt: &'a ReceiptView,
    pub fiscal_year: FiscalYear,
    pub amount: Yen,
    /// The receipt's event, or the spending event for a deferred grant.
    pub position: u64,
}

/// Every amount recognised in a fiscal year from `from` to `to`, inclusive.
pub fn recognised(state: &LedgerState, from: FiscalYear, to: FiscalYear) -> Vec<Recognised<'_>> {
    let mut out = Vec::new();
    let pass = for_each_recognised(state, from, to, |r| {
        out.push(r);
        Ok::<(), std::convert::Infallible>(())
    });
    match pass {
        Ok(_restricted) => out,
        Err(never) => match never {},
    }
}

/// Hands `f` every amount recognised from `from` to `to` as the pass over the receipts meets it,
/// stopping at its first error, and gives back the restricted receipts received by the end of
/// `to`, by year. A large ledger holds a million receipts and reading them is most of a report's
/// time: the pass reads the range's years alone (the projection holds receipts by year), plus the
/// few restricted receipts of other years, whose spending may fall in the range. A report that
/// sums each amount as it comes needs no list of them, and reads each receipt while it is still
/// in the cache.
pub fn for_each_recognised<'a, E>(
    state: &'a LedgerState,
    from: FiscalYear,
    to: FiscalYear,
    mut f: impl FnMut(Recognised<'a>) -> Result<(), E>,
) -> Result<Vec<&'a ReceiptView>, E> {
    let mut restricted = Vec::new();
    for receipt in state.receipts.restricted() {
        if receipt.fiscal_year <= to {
            restricted.push(receipt);
        }
        // A receipt of another year is recognised in the range only as a deferred grant spent
        // in it (never, by the rules, from a later year's; a ledger edited behind their back is
        // still read as it is).
        if !(from..=to).contains(&receipt.fiscal_year) {
            recognitions(receipt, from, to, &mut f)?;
        }
    }
    for receipt in state.receipts.in_years(from, to) {
        recognitions(receipt, from, to, &mut f)?;
    }
    Ok(restricted)
}

/// The amounts `receipt` is recognised with in `from..=to`: itself in its year, or a deferred
/// grant's spendings in theirs.
fn recognitions<'a, E>(
    receipt: &'a ReceiptView,
    from: FiscalYear,
    to: FiscalYear,
    f: &mut impl FnMut(Recognised<'a>) -> Result<(), E>,
) -> Result<(), E> {
    if deferred(receipt) {
        for spending in &receipt.spent {
            if (from..=to).contains(&spending.fiscal_year) {
                f(Recognised {
                    receipt,
                    fiscal_year: spending.fiscal_year,
                    amount: spending.amount,
                    position: spending.position,
                })?;
            }
        }
    } else if (from..=to).contains(&receipt.fiscal_year) {
        f(Recognised {
            receipt,
            fiscal_year: receipt.fiscal_year,
            amount: receipt.amount,
            position: receipt.position,
        })?;
    }
    Ok(())
}

/// What is left of a restricted receipt at the end of `year`: received (by then) minus spent
/// (by then). Zero for a receipt of a later year.
pub fn unspent_at_end_of(receipt: &ReceiptView, year: FiscalYear) -> Yen {
    if receipt.fiscal_year > year {
        return Yen::ZERO;
    }
    // The spending rule keeps the sum within the amount; saturating arithmetic keeps a ledger
    // edited behind the rules' back from wrapping into a plausible figure.
    let spent = receipt
        .spent
        .iter()
        .filter(|s| s.fiscal_year <= year)
        .fold(0i64, |sum, s| sum.saturating_add(s.amount.value()));
    Yen::new(receipt.amount.value().saturating_sub(spent))
}
