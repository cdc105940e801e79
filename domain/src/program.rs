//! Programs (事業) and how the NPO classifies its work: the three pillars, the beneficiary groups
//! and the nine stages of the spiral.

use serde::{Deserialize, Serialize};

/// The three pillars (3本柱). Woven together on purpose: each program belongs to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Pillar {
    /// 市民活動支援 (中間支援組織活動とネットワーキング)
    CivicSupport,
    /// 自主事業による事業開発
    SelfInitiated,
    /// 行政との協働事業 (行政の委託事業)
    Collaboration,
}

impl Pillar {
    pub const ALL: [Pillar; 3] = [Pillar::CivicSupport, Pillar::SelfInitiated, Pillar::Collaboration];

    pub fn ja(self) -> &'static str {
        match self {
            Pillar::CivicSupport => "市民活動支援",
            Pillar::SelfInitiated => "自主事業",
            Pillar::Collaboration => "行政との協働",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Pillar::CivicSupport => "Civic-activity support",
            Pillar::SelfInitiated => "Self-initiated programs",
            Pillar::Collaboration => "Collaboration with government",
        }
    }
}

/// Who a program is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Beneficiary {
    Children,
    DisabledPeople,
    ForeignResidents,
    Elderly,
    /// Citizen groups and NPOs the NPO helps to start and grow.
    CitizenGroups,
    /// Residents at large, e.g. of a river basin consulted on a plan.
    Residents,
    /// Government staff trained in collaboration.
    GovernmentStaff,
}

impl Beneficiary {
    pub fn ja(self) -> &'static str {
        match self {
            Beneficiary::Children => "子ども",
            Beneficiary::DisabledPeople => "障害のある人",
            Beneficiary::ForeignResidents => "在住外国人",
            Beneficiary::Elderly => "高齢者",
            Beneficiary::CitizenGroups => "市民活動団体",
            Beneficiary::Residents => "地域住民",
            Beneficiary::GovernmentStaff => "行政職員",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Beneficiary::Children => "Children",
            Beneficiary::DisabledPeople => "Disabled people",
            Beneficiary::ForeignResidents => "Foreign residents",
            Beneficiary::Elderly => "Elderly people",
            Beneficiary::CitizenGroups => "Citizen groups",
            Beneficiary::Residents => "Residents",
            Beneficiary::GovernmentStaff => "Government staff",
        }
    }
}

/// One of the nine stages of the spiral (スパイラル), 1 to 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "u8", into = "u8")]
pub struct SpiralStage(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("spiral stage {0} does not exist: stages are numbered 1 to 9")]
pub struct NoSuchStage(pub u8);

impl TryFrom<u8> for SpiralStage {
    type Error = NoSuchStage;
    fn try_from(n: u8) -> Result<Self, NoSuchStage> {
        if (1..=9).contains(&n) {
            Ok(Self(n))
        } else {
            Err(NoSuchStage(n))
        }
    }
}

impl From<SpiralStage> for u8 {
    fn from(s: SpiralStage) -> u8 {
        s.0
    }
}

impl SpiralStage {
    pub const PARTICIPATION: SpiralStage = SpiralStage(1);
    pub const PIONEERING: SpiralStage = SpiralStage(2);
    pub const COMPLEMENTARY: SpiralStage = SpiralStage(3);
    pub const ROUNDTABLE: SpiralStage = SpiralStage(4);
    pub const WORKING_GROUP: SpiralStage = SpiralStage(5);
    pub const STAKEHOLDERS: SpiralStage = SpiralStage(6);
    pub const SURVEY: SpiralStage = SpiralStage(7);
    pub const COMMITTEE: SpiralStage = SpiralStage(8);
    pub const FUNDING: SpiralStage = SpiralStage(9);

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn ja(self) -> &'static str {
        STAGE_NAMES[usize::from(self.0 - 1)].0
    }

    pub fn en(self) -> &'static str {
        STAGE_NAMES[usize::from(self.0 - 1)].1
    }
}

const STAGE_NAMES: [(&str, &str); 9] = [
    (
        "協働による新しい市民参加のプロセス開発",
        "New process of citizen participation through collaboration",
    ),
    (
        "先導的な自主事業と新しい予算の枠組み",
        "Pioneering example and a new budget framework",
    ),
    (
        "協働事業を補完する自主事業",
        "Complementary self-initiated programs",
    ),
    ("円卓会議と政策提案", "Round-tables and policy proposals"),
    (
        "実働グループの組織化",
        "Working groups that can solve the problem",
    ),
    (
        "当事者中心の企画運営会議",
        "Planning meetings centred on the people concerned",
    ),
    (
        "ニーズに添った優先課題の調査",
        "Surveys of priority issues matching local needs",
    ),
    (
        "事業化のための委員会",
        "Committees to turn the work into programs",
    ),
    ("ビジョンの共有と財源の確保", "Shared vision and secured funding"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_one_to_nine() {
        assert!(SpiralStage::try_from(0).is_err());
        assert!(SpiralStage::try_from(10).is_err());
        assert_eq!(SpiralStage::try_from(4).unwrap(), SpiralStage::ROUNDTABLE);
        assert_eq!(SpiralStage::FUNDING.ja(), "ビジョンの共有と財源の確保");
        let json: Result<SpiralStage, _> = serde_json::from_str("12");
        assert!(json.is_err());
    }
}
