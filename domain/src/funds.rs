//! Kinds of money the NPO receives, and who pays it.
//!
//! The kind decides the line in the statement of activities (活動計算書); the funding reports
//! (a later issue) build on this classification.

use crate::ids::{DonorId, PartnerId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FundKind {
    /// 委託料: a government commission fee — earned revenue, not a grant.
    CommissionFee,
    /// 補助金: a government subsidy.
    Subsidy,
    /// 助成金: a private grant.
    Grant,
    /// 寄付金
    Donation,
    /// 正会員会費: regular members' (社員) dues. Ledgers recorded before
    /// [`FundKind::SupportingDues`] existed hold supporting members' dues here too; a correction
    /// moves such a receipt to its own kind.
    MemberDues,
    /// Dues that pay for a service.
    ServiceDues,
    /// 自主事業収益: fees and sales of self-initiated programs.
    EarnedRevenue,
    /// Interest and anything else.
    Other,
    /// 賛助会費: supporting members' dues. Revenue as dues; the public support test may count
    /// them as donations when they are voluntary and buy nothing (a choice the report states).
    /// Last, so the compact encoding of every kind recorded before it is unchanged.
    SupportingDues,
}

/// 活動計算書 ordinary revenue categories (NPO法人会計基準).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RevenueCategory {
    /// 受取会費
    Dues,
    /// 受取寄付金
    Donations,
    /// 受取助成金等
    GrantsAndSubsidies,
    /// 事業収益
    ProgramRevenue,
    /// その他収益
    Other,
}

impl FundKind {
    pub fn category(self) -> RevenueCategory {
        match self {
            FundKind::MemberDues | FundKind::SupportingDues => RevenueCategory::Dues,
            FundKind::Donation => RevenueCategory::Donations,
            FundKind::Grant | FundKind::Subsidy => RevenueCategory::GrantsAndSubsidies,
            FundKind::CommissionFee | FundKind::ServiceDues | FundKind::EarnedRevenue => {
                RevenueCategory::ProgramRevenue
            }
            FundKind::Other => RevenueCategory::Other,
        }
    }

    pub fn ja(self) -> &'static str {
        match self {
            FundKind::CommissionFee => "委託料",
            FundKind::Subsidy => "補助金",
            FundKind::Grant => "助成金",
            FundKind::Donation => "寄付金",
            FundKind::MemberDues => "正会員会費",
            FundKind::SupportingDues => "賛助会費",
            FundKind::ServiceDues => "サービス対価の会費",
            FundKind::EarnedRevenue => "自主事業収益",
            FundKind::Other => "その他",
        }
    }

    /// Dues of either kind of member: what a gift import and its duplicate check treat as one
    /// kind, since files recorded before the split named both `MemberDues`.
    pub fn is_dues(self) -> bool {
        matches!(self, FundKind::MemberDues | FundKind::SupportingDues)
    }
}

impl RevenueCategory {
    pub fn ja(self) -> &'static str {
        match self {
            RevenueCategory::Dues => "受取会費",
            RevenueCategory::Donations => "受取寄付金",
            RevenueCategory::GrantsAndSubsidies => "受取助成金等",
            RevenueCategory::ProgramRevenue => "事業収益",
            RevenueCategory::Other => "その他収益",
        }
    }
}

/// Who paid: a partner organisation, a donor known by id, or an anonymous giver.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Payer {
    Partner(PartnerId),
    Donor(DonorId),
    Anonymous,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commission_is_program_revenue_not_a_grant() {
        assert_eq!(
            FundKind::CommissionFee.category(),
            RevenueCategory::ProgramRevenue
        );
        assert_eq!(FundKind::Subsidy.category(), RevenueCategory::GrantsAndSubsidies);
        assert_eq!(FundKind::Grant.category(), RevenueCategory::GrantsAndSubsidies);
        assert_eq!(FundKind::Donation.category(), RevenueCategory::Donations);
        assert_eq!(FundKind::MemberDues.category(), RevenueCategory::Dues);
        assert_eq!(FundKind::SupportingDues.category(), RevenueCategory::Dues);
        assert_eq!(FundKind::ServiceDues.category(), RevenueCategory::ProgramRevenue);
    }
}
