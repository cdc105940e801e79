//! Partners: who the NPO works with and who pays it.
//!
//! A commissioning body is a department inside a government; departments are renamed and merged
//! over time, so a partner's name is a history (kept by the projection), not a field.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PartnerKind {
    /// A prefecture, city or the state (静岡県, 浜松市).
    GovernmentBody,
    /// A department, section or board inside a government body (課, 室, 教育委員会).
    Department,
    /// A grant-making foundation (財団).
    Foundation,
    /// A citizen group or NPO (市民活動団体).
    CitizenGroup,
    University,
    Company,
    /// An affiliated body of a government (外郭団体), e.g. a social welfare council.
    AffiliatedBody,
    Other,
}

impl PartnerKind {
    /// Government money paid directly (not through an affiliated body) is treated differently in
    /// the public support test, so the distinction is part of the kind.
    pub fn is_government(self) -> bool {
        matches!(self, PartnerKind::GovernmentBody | PartnerKind::Department)
    }

    pub fn ja(self) -> &'static str {
        match self {
            PartnerKind::GovernmentBody => "行政機関",
            PartnerKind::Department => "部署",
            PartnerKind::Foundation => "財団",
            PartnerKind::CitizenGroup => "市民活動団体",
            PartnerKind::University => "大学",
            PartnerKind::Company => "企業",
            PartnerKind::AffiliatedBody => "外郭団体",
            PartnerKind::Other => "その他",
        }
    }
}

/// Sectors taking part in a round-table or working group (NPO・議会・行政・…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sector {
    Npo,
    Assembly,
    Government,
    Volunteers,
    Experts,
    University,
    Business,
    /// 当事者: the people the issue concerns.
    PeopleConcerned,
    Residents,
}

impl Sector {
    pub fn ja(self) -> &'static str {
        match self {
            Sector::Npo => "NPO",
            Sector::Assembly => "議会",
            Sector::Government => "行政",
            Sector::Volunteers => "ボランティア",
            Sector::Experts => "専門家",
            Sector::University => "大学",
            Sector::Business => "企業",
            Sector::PeopleConcerned => "当事者",
            Sector::Residents => "住民",
        }
    }
}
