//! 寄附金受領証明書: the certificates a certified NPO gives its donors so they can deduct their
//! gifts. A certificate is numbered, recorded in the ledger when issued, and never edited: a
//! mistake is put right by voiding it and issuing a replacement (再発行), which names the one it
//! replaces and why.
//!
//! What a certificate acknowledges is pinned in its fact (each gift's day and amount, and the
//! total), so it prints the same for as long as it is kept. The rules that decide one live in
//! [`crate::rules`]; this module holds its types, the server's book of certificates (the part
//! of the projection that answers "is this gift acknowledged already?"), and the planning that
//! turns "issue this year's certificates" into facts.

use crate::date::Date;
use crate::ids::{DonorId, ReceiptId};
use crate::money::Yen;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The first and last year a certificate may be numbered in (the years of the days Spiral
/// accepts).
const FIRST_YEAR: u16 = 1868;
const LAST_YEAR: u16 = 2201;
/// Serials run from 1 to this within a year: five digits, as printed.
pub const MAX_SERIAL: u32 = 99_999;
/// A certificate acknowledges at most this many gifts (a daily donor gives 366 in a year).
pub const MAX_GIFTS: usize = 1_000;

/// A certificate's number: the calendar year it was issued in and its serial within that year,
/// written `2026-00001`. In range by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CertificateNo {
    year: u16,
    serial: u32,
}

/// Numbers from 1868-00001 to 2201-99999, as a regular expression.
pub const NUMBER_PATTERN: &str = "^(18(6[89]|[7-9][0-9])|19[0-9]{2}|2[01][0-9]{2}|220[01])-(0000[1-9]|000[1-9][0-9]|00[1-9][0-9]{2}|0[1-9][0-9]{3}|[1-9][0-9]{4})$";

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for CertificateNo {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(NUMBER_PATTERN))
            .examples(["2026-00001"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for CertificateNo {}

/// Why a text is not a certificate number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a certificate number: write the year it was issued and a serial from 1, as 2026-00001")]
pub struct BadCertificateNo(pub String);

impl CertificateNo {
    /// The `serial`th certificate issued in `year`, if both are in range.
    pub fn new(year: i32, serial: u32) -> Option<CertificateNo> {
        let year = u16::try_from(year).ok()?;
        ((FIRST_YEAR..=LAST_YEAR).contains(&year) && (1..=MAX_SERIAL).contains(&serial))
            .then_some(CertificateNo { year, serial })
    }

    pub fn year(self) -> i32 {
        i32::from(self.year)
    }

    pub fn serial(self) -> u32 {
        self.serial
    }
}

impl fmt::Display for CertificateNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:05}", self.year, self.serial)
    }
}

impl std::str::FromStr for CertificateNo {
    type Err = BadCertificateNo;

    /// Exactly four digits, a hyphen and five digits: the form printed, so that a number read
    /// off paper finds its certificate and nothing else does.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadCertificateNo(text.chars().take(40).collect());
        let (year, serial) = text.split_once('-').ok_or_else(bad)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(serial, 5) {
            return Err(bad());
        }
        let (year, serial) = (
            year.parse().map_err(|_| bad())?,
            serial.parse().map_err(|_| bad())?,
        );
        CertificateNo::new(year, serial).ok_or_else(bad)
    }
}

impl Serialize for CertificateNo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CertificateNo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A 寄附金受領証明書 as issued: for one donor, the gifts of one calendar year it acknowledges
/// (all of the year's not acknowledged already, or one gift), and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Certificate {
    pub number: CertificateNo,
    pub donor: DonorId,
    /// Donors file by calendar year: every gift acknowledged was received in it.
    pub calendar_year: i32,
    /// In the order received.
    pub gifts: Vec<AcknowledgedGift>,
    pub total: Yen,
    /// The revision of the donor's details (氏名, 住所) in the vault it is addressed with.
    pub details_revision: u32,
    /// The certificate this one replaces, which it voids.
    pub replaces: Option<Replacement>,
}

/// A gift as a certificate acknowledges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcknowledgedGift {
    pub receipt: ReceiptId,
    pub received_on: Date,
    pub amount: Yen,
}

/// What a reissued certificate replaces, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Replacement {
    pub certificate: CertificateNo,
    pub reason: String,
}

/// Why a certificate cannot be issued, voided or reissued, or a gift it acknowledges changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("certificate {number} is numbered for {}, but it is issued in {year}", number.year())]
    WrongYear { number: CertificateNo, year: i32 },
    #[error("a certificate must acknowledge at least one gift, and at most {MAX_GIFTS}")]
    GiftCount,
    #[error("gift {0} is listed twice")]
    DuplicateGift(ReceiptId),
    #[error("gift {0} has not been recorded")]
    UnknownGift(ReceiptId),
    #[error("receipt {0} is not a donation (寄附金) from the certificate's donor")]
    NotTheDonorsGift(ReceiptId),
    #[error("gift {receipt} was received on {on}, not in {calendar_year}")]
    OutsideYear {
        receipt: ReceiptId,
        on: Date,
        calendar_year: i32,
    },
    #[error("gift {receipt} was received on {on}, when the NPO was not certified (認定): it does not qualify for a receipt")]
    NotCertified { receipt: ReceiptId, on: Date },
    #[error("gift {receipt} was received on {on}, after the certificate's day")]
    AfterIssue { receipt: ReceiptId, on: Date },
    #[error("gift {0} is not as the ledger records it (day or amount): issue from what is recorded")]
    GiftMismatch(ReceiptId),
    #[error("the total {stated} is not the sum of the gifts, {sum}")]
    WrongTotal { stated: Yen, sum: Yen },
    #[error(
        "gift {receipt} is acknowledged already by certificate {certificate}: void it or reissue that one"
    )]
    Acknowledged {
        receipt: ReceiptId,
        certificate: CertificateNo,
    },
    #[error("donor {0} has no name and address recorded (spiral donors record): a certificate is addressed to them")]
    NoDetails(DonorId),
    #[error("donor {donor}'s details are at revision {current}, not {found}")]
    StaleDetails {
        donor: DonorId,
        current: u32,
        found: u32,
    },
    #[error(
        "donor {0} has asked for their personal data to be erased: no certificate can be addressed to them"
    )]
    UseStopped(DonorId),
    #[error("certificate {0} has not been issued")]
    UnknownCertificate(CertificateNo),
    #[error("certificate {0} has been voided already")]
    AlreadyVoided(CertificateNo),
    #[error("certificate {certificate} was replaced already, by {by}")]
    AlreadyReplaced {
        certificate: CertificateNo,
        by: CertificateNo,
    },
    #[error("certificate {0} is for another donor")]
    OtherDonor(CertificateNo),
    #[error("a certificate is voided and reissued, never corrected or retracted")]
    NeverAmended,
    #[error("no number is left for certificates issued in {0}")]
    NumbersExhausted(i32),
    #[error("donor {donor} has no gift in {calendar_year} that a certificate could acknowledge")]
    NothingToAcknowledge { donor: DonorId, calendar_year: i32 },
    #[error("certificates are decided by the server, against the whole ledger")]
    Undecidable,
}

impl CertificateError {
    /// The message in Japanese.
    pub fn ja(&self) -> String {
        use CertificateError::*;
        match self {
            WrongYear { number, year } => {
                format!("証明書番号 {number} は{}年の番号ですが、発行は{year}年です", number.year())
            }
            GiftCount => format!("証明書には寄附を1件以上、{MAX_GIFTS}件まで載せてください"),
            DuplicateGift(r) => format!("寄附 {r} が重複しています"),
            UnknownGift(r) => format!("寄附 {r} は記録されていません"),
            NotTheDonorsGift(r) => format!("収入 {r} はこの寄附者からの寄附金ではありません"),
            OutsideYear {
                receipt,
                on,
                calendar_year,
            } => format!("寄附 {receipt} の受領日は{on}で、{calendar_year}年ではありません"),
            NotCertified { receipt, on } => format!(
                "寄附 {receipt} は{on}の受領で、その日は認定を受けていません。受領証明書の対象になりません"
            ),
            AfterIssue { receipt, on } => format!("寄附 {receipt} の受領日{on}は発行日より後です"),
            GiftMismatch(r) => format!("寄附 {r} の受領日か金額が記録と違います"),
            WrongTotal { stated, sum } => format!("合計{stated}が寄附の合計{sum}と一致しません"),
            Acknowledged {
                receipt,
                certificate,
            } => format!(
                "寄附 {receipt} は証明書 {certificate} で証明済みです。その証明書を無効にするか再発行してください"
            ),
            NoDetails(d) => format!("寄付者 {d} の氏名・住所が登録されていません（spiral donors record）"),
            StaleDetails {
                donor,
                current,
                found,
            } => format!("寄付者 {donor} の情報は第{current}版で、第{found}版ではありません"),
            UseStopped(d) => format!("寄付者 {d} から個人情報の消去の求めがあり、証明書は発行できません"),
            UnknownCertificate(c) => format!("証明書 {c} は発行されていません"),
            AlreadyVoided(c) => format!("証明書 {c} は既に無効です"),
            AlreadyReplaced { certificate, by } => {
                format!("証明書 {certificate} は既に {by} として再発行されています")
            }
            OtherDonor(c) => format!("証明書 {c} は別の寄付者のものです"),
            NeverAmended => "受領証明書は訂正・取消できません。無効にして再発行してください".into(),
            NumbersExhausted(y) => format!("{y}年に発行できる証明書番号が残っていません"),
            NothingToAcknowledge {
                donor,
                calendar_year,
            } => format!("寄付者 {donor} には{calendar_year}年の証明できる寄附がありません"),
            Undecidable => "受領証明書はサーバーが台帳全体に照らして記録します".into(),
        }
    }
}

#[cfg(feature = "aggregate")]
pub use book::*;

/// The server's book of certificates, kept in the projection.
#[cfg(feature = "aggregate")]
mod book {
    use super::*;
    use std::collections::BTreeMap;

    /// A certificate issued, and whether it still stands.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct Issued {
        pub issued_on: Date,
        pub position: u64,
        pub certificate: Certificate,
        pub voided: Option<Voiding>,
    }

    /// How a certificate stopped standing.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct Voiding {
        pub on: Date,
        pub reason: String,
        /// The certificate reissued in its place, if it was replaced.
        pub replaced_by: Option<CertificateNo>,
    }

    /// What the ledger says of a donor's details, as far as a certificate needs it.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct DetailsState {
        /// The latest revision recorded (0: none).
        pub revision: u32,
        /// Erasure was asked for (or carried out): the details are used for nothing new.
        pub use_stopped: bool,
    }

    /// Every certificate issued, the standing one acknowledging each gift, and the donors'
    /// details as certificates are addressed with them.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct CertificateBook {
        pub issued: BTreeMap<CertificateNo, Issued>,
        pub acknowledging: BTreeMap<ReceiptId, CertificateNo>,
        pub details: BTreeMap<DonorId, DetailsState>,
    }

    impl CertificateBook {
        pub fn issue(&mut self, on: Date, position: u64, certificate: &Certificate) {
            if let Some(replaced) = &certificate.replaces {
                // One voided before is now replaced too; one standing is voided by this.
                let already = self
                    .issued
                    .get_mut(&replaced.certificate)
                    .and_then(|i| i.voided.as_mut());
                match already {
                    Some(voiding) => {
                        voiding.replaced_by.get_or_insert(certificate.number);
                    }
                    None => self.void(
                        replaced.certificate,
                        on,
                        &replaced.reason,
                        Some(certificate.number),
                    ),
                }
            }
            for gift in &certificate.gifts {
                self.acknowledging
                    .insert(gift.receipt.clone(), certificate.number);
            }
            self.issued.insert(
                certificate.number,
                Issued {
                    issued_on: on,
                    position,
                    certificate: certificate.clone(),
                    voided: None,
                },
            );
        }

        pub fn void(
            &mut self,
            number: CertificateNo,
            on: Date,
            reason: &str,
            replaced_by: Option<CertificateNo>,
        ) {
            let Some(issued) = self.issued.get_mut(&number) else {
                return;
            };
            if issued.voided.is_some() {
                return;
            }
            issued.voided = Some(Voiding {
                on,
                reason: reason.to_owned(),
                replaced_by,
            });
            for gift in &issued.certificate.gifts {
                if self.acknowledging.get(&gift.receipt) == Some(&number) {
                    self.acknowledging.remove(&gift.receipt);
                }
            }
        }

        /// The number the next certificate issued in `year` takes: one after the highest
        /// issued that year.
        pub fn next_number(&self, year: i32) -> Result<CertificateNo, CertificateError> {
            let first = CertificateNo::new(year, 1).ok_or(CertificateError::NumbersExhausted(year))?;
            let last =
                CertificateNo::new(year, MAX_SERIAL).ok_or(CertificateError::NumbersExhausted(year))?;
            match self.issued.range(first..=last).next_back() {
                None => Ok(first),
                Some((highest, _)) => CertificateNo::new(year, highest.serial + 1)
                    .ok_or(CertificateError::NumbersExhausted(year)),
            }
        }

        /// The certificates standing (not voided), in number order.
        pub fn standing(&self) -> impl Iterator<Item = &Issued> {
            self.issued.values().filter(|i| i.voided.is_none())
        }
    }
}

#[cfg(feature = "aggregate")]
pub use plan::*;

/// Turning "issue the year's certificates", "one for this gift" and "reissue that one" into
/// certificates, numbered from the book. The rules decide each again when it is recorded.
#[cfg(feature = "aggregate")]
mod plan {
    use super::*;
    use crate::funds::{FundKind, Payer};
    use crate::projection::{LedgerState, ReceiptView};
    use std::collections::BTreeMap;

    /// Whether the NPO was certified on `day`, by the profile in effect then: gifts received
    /// that day qualify for a certificate.
    pub fn certified_on(state: &LedgerState, day: Date) -> bool {
        state
            .organisation_on(day)
            .and_then(|profile| profile.certification.as_ref())
            .is_some_and(|c| c.certified_on <= day)
    }

    /// A donor a year's batch leaves out, and why.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Skipped {
        pub donor: DonorId,
        #[serde(serialize_with = "as_text")]
        pub reason: CertificateError,
    }

    fn as_text<S: serde::Serializer>(e: &CertificateError, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(e)
    }

    /// The certificates a year's batch issues, and the donors it cannot address one to.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
    pub struct YearPlan {
        pub certificates: Vec<Certificate>,
        pub skipped: Vec<Skipped>,
    }

    fn acknowledged(r: &ReceiptView) -> AcknowledgedGift {
        AcknowledgedGift {
            receipt: r.id.clone(),
            received_on: r.on,
            amount: r.amount,
        }
    }

    fn total(gifts: &[AcknowledgedGift]) -> Yen {
        Yen::new(
            gifts
                .iter()
                .fold(0i64, |sum, g| sum.saturating_add(g.amount.value())),
        )
    }

    /// The revision of `donor`'s details a certificate is addressed with, if it can be.
    fn details_for(state: &LedgerState, donor: &DonorId) -> Result<u32, CertificateError> {
        match state.certificates.details.get(donor) {
            Some(d) if d.use_stopped => Err(CertificateError::UseStopped(donor.clone())),
            Some(d) if d.revision > 0 => Ok(d.revision),
            _ => Err(CertificateError::NoDetails(donor.clone())),
        }
    }

    /// One consolidated certificate per donor for `calendar_year` (only `donor`'s when given),
    /// issued `on`: each acknowledges the donor's donations of the year received on a certified
    /// day, up to `on`, that no standing certificate acknowledges already. Numbered in donor
    /// order. A donor without details, or who asked for erasure, is skipped (an error when
    /// named alone).
    pub fn plan_year(
        state: &LedgerState,
        calendar_year: i32,
        donor: Option<&DonorId>,
        on: Date,
    ) -> Result<YearPlan, CertificateError> {
        let mut by_donor: BTreeMap<&DonorId, Vec<AcknowledgedGift>> = BTreeMap::new();
        for r in state.receipts.values() {
            let Payer::Donor(giver) = &r.payer else {
                continue;
            };
            if r.kind != FundKind::Donation
                || r.on.year() != calendar_year
                || r.on > on
                || donor.is_some_and(|d| d != giver)
                || state.certificates.acknowledging.contains_key(&r.id)
                || !certified_on(state, r.on)
            {
                continue;
            }
            by_donor.entry(giver).or_default().push(acknowledged(r));
        }
        if let Some(d) = donor {
            if !by_donor.contains_key(d) {
                return Err(CertificateError::NothingToAcknowledge {
                    donor: d.clone(),
                    calendar_year,
                });
            }
        }
        let mut plan = YearPlan::default();
        let mut number = state.certificates.next_number(on.year())?;
        let mut numbers_left = true;
        for (giver, mut gifts) in by_donor {
            let details_revision = match details_for(state, giver) {
                Ok(revision) => revision,
                Err(reason) if donor.is_none() => {
                    plan.skipped.push(Skipped {
                        donor: giver.clone(),
                        reason,
                    });
                    continue;
                }
                Err(reason) => return Err(reason),
            };
            if !numbers_left {
                return Err(CertificateError::NumbersExhausted(on.year()));
            }
            gifts.sort_by(|a, b| (a.received_on, &a.receipt).cmp(&(b.received_on, &b.receipt)));
            plan.certificates.push(Certificate {
                number,
                donor: giver.clone(),
                calendar_year,
                total: total(&gifts),
                gifts,
                details_revision,
                replaces: None,
            });
            match CertificateNo::new(number.year(), number.serial() + 1) {
                Some(next) => number = next,
                None => numbers_left = false,
            }
        }
        Ok(plan)
    }

    /// A certificate for one gift, issued `on`.
    pub fn plan_gift(
        state: &LedgerState,
        receipt: &ReceiptId,
        on: Date,
    ) -> Result<Certificate, CertificateError> {
        let r = state
            .receipts
            .get(receipt)
            .ok_or_else(|| CertificateError::UnknownGift(receipt.clone()))?;
        let Payer::Donor(donor) = &r.payer else {
            return Err(CertificateError::NotTheDonorsGift(receipt.clone()));
        };
        if let Some(certificate) = state.certificates.acknowledging.get(receipt) {
            return Err(CertificateError::Acknowledged {
                receipt: receipt.clone(),
                certificate: *certificate,
            });
        }
        let gifts = vec![acknowledged(r)];
        Ok(Certificate {
            number: state.certificates.next_number(on.year())?,
            donor: donor.clone(),
            calendar_year: r.on.year(),
            total: total(&gifts),
            gifts,
            details_revision: details_for(state, donor)?,
            replaces: None,
        })
    }

    /// A certificate replacing `number`, issued `on` for `reason`: the gifts it acknowledged
    /// that are still recorded as the donor's donations, as recorded now, addressed with the
    /// donor's details now (a move is a common reason to reissue).
    pub fn plan_reissue(
        state: &LedgerState,
        number: CertificateNo,
        reason: &str,
        on: Date,
    ) -> Result<Certificate, CertificateError> {
        let old = state
            .certificates
            .issued
            .get(&number)
            .ok_or(CertificateError::UnknownCertificate(number))?;
        if let Some(by) = old.voided.as_ref().and_then(|v| v.replaced_by) {
            return Err(CertificateError::AlreadyReplaced {
                certificate: number,
                by,
            });
        }
        let donor = &old.certificate.donor;
        let gifts: Vec<AcknowledgedGift> = old
            .certificate
            .gifts
            .iter()
            .filter_map(|g| state.receipts.get(&g.receipt))
            .filter(|r| r.kind == FundKind::Donation && r.payer == Payer::Donor(donor.clone()))
            .map(acknowledged)
            .collect();
        if gifts.is_empty() {
            return Err(CertificateError::NothingToAcknowledge {
                donor: donor.clone(),
                calendar_year: old.certificate.calendar_year,
            });
        }
        Ok(Certificate {
            number: state.certificates.next_number(on.year())?,
            donor: donor.clone(),
            calendar_year: old.certificate.calendar_year,
            total: total(&gifts),
            gifts,
            details_revision: details_for(state, donor)?,
            replaces: Some(Replacement {
                certificate: number,
                reason: reason.to_owned(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_reads_back_as_printed_and_nothing_else_reads() {
        let n: CertificateNo = "2026-00042".parse().unwrap();
        assert_eq!((n.year(), n.serial()), (2026, 42));
        assert_eq!(n.to_string(), "2026-00042");
        for bad in [
            "2026-0042",
            "2026-000042",
            "26-00042",
            "2026_00042",
            "2026-00000",
            "1867-00001",
            "2202-00001",
            "２０２６-00001",
            "2026-0004a",
            "",
            "-",
            "2026-",
        ] {
            assert!(bad.parse::<CertificateNo>().is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"2026-00042\"");
        assert!(serde_json::from_str::<CertificateNo>("\"2026-0\"").is_err());
        let bytes = postcard::to_allocvec(&n).unwrap();
        assert_eq!(postcard::from_bytes::<CertificateNo>(&bytes).unwrap(), n);
    }
}
