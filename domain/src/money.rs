//! Money: whole yen in an `i64`, never floating point.
//!
//! Receipts are positive amounts; sums use checked arithmetic so an overflow is an error a person
//! sees, never a wrapped figure in a report.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Yen(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount {} must be more than zero", Yen(*.0))]
    NotPositive(i64),
    #[error("the sum of the amounts is too large to represent")]
    Overflow,
}

impl Yen {
    pub const ZERO: Yen = Yen(0);

    pub const fn new(yen: i64) -> Self {
        Self(yen)
    }

    /// An amount received or paid: strictly positive.
    pub fn positive(yen: i64) -> Result<Self, MoneyError> {
        if yen > 0 {
            Ok(Self(yen))
        } else {
            Err(MoneyError::NotPositive(yen))
        }
    }

    pub fn value(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Yen) -> Result<Yen, MoneyError> {
        self.0.checked_add(other.0).map(Yen).ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Yen) -> Result<Yen, MoneyError> {
        self.0.checked_sub(other.0).map(Yen).ok_or(MoneyError::Overflow)
    }

    /// For running totals that must never wrap: one stops at the end of the range instead (a
    /// ledger edited behind the rules' back may hold anything).
    pub fn saturating_add(self, other: Yen) -> Yen {
        Yen(self.0.saturating_add(other.0))
    }

    /// Sum of many amounts, failing on overflow rather than wrapping.
    pub fn sum<I: IntoIterator<Item = Yen>>(amounts: I) -> Result<Yen, MoneyError> {
        amounts.into_iter().try_fold(Yen::ZERO, Yen::checked_add)
    }
}

/// ¥1,234,567 — the form Japanese readers expect; negative amounts as -¥1,000.
impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}¥{grouped}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_with_thousands_separators() {
        assert_eq!(Yen::new(1_234_567).to_string(), "¥1,234,567");
        assert_eq!(Yen::new(999).to_string(), "¥999");
        assert_eq!(Yen::new(1000).to_string(), "¥1,000");
        assert_eq!(Yen::new(0).to_string(), "¥0");
        assert_eq!(Yen::new(-5000).to_string(), "-¥5,000");
    }

    #[test]
    fn amounts_received_must_be_positive() {
        assert_eq!(Yen::positive(-1), Err(MoneyError::NotPositive(-1)));
        assert_eq!(Yen::positive(0), Err(MoneyError::NotPositive(0)));
        assert_eq!(Yen::positive(10), Ok(Yen::new(10)));
    }

    #[test]
    fn sums_fail_instead_of_wrapping() {
        assert_eq!(Yen::sum([Yen::new(1), Yen::new(2)]), Ok(Yen::new(3)));
        assert_eq!(
            Yen::sum([Yen::new(i64::MAX), Yen::new(1)]),
            Err(MoneyError::Overflow)
        );
    }
}
