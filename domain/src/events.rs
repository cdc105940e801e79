//! The facts the ledger records. Each stored event is a [`LedgerEvent`]: a [`Fact`] and the date
//! it took effect in the world (which may be long before the day it was recorded).
//!
//! Every fact names its subject (a program, partner, activity or receipt); the subject's stream in
//! the store is derived from it, so a fact can never land in the wrong stream.

use crate::certificate::{Certificate, CertificateNo};
use crate::date::Date;
use crate::fiscal_year::FiscalYear;
use crate::funds::{FundKind, Payer};
use crate::ids::{ActivityId, DonorId, HouseholdId, PartnerId, ProgramId, ReceiptId};
use crate::money::Yen;
use crate::partner::{PartnerKind, Sector};
use crate::personal::Requester;
use crate::program::{Beneficiary, Pillar, SpiralStage};
use serde::{Deserialize, Serialize};

/// The version of the payload format; bumped (with an upcaster) when a fact's shape changes.
pub const EVENT_VERSION: &str = "1.0";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEvent {
    /// The date the fact took effect (a contract's fiscal year start, a meeting's day).
    pub on: Date,
    /// What happened, or which earlier event this one amends. Stored under the name `fact`.
    #[serde(rename = "fact")]
    #[cfg_attr(feature = "openapi", schema(value_type = EntrySchema))]
    pub entry: Entry,
}

impl LedgerEvent {
    pub fn new(on: Date, fact: Fact) -> Self {
        LedgerEvent {
            on,
            entry: Entry::Fact(fact),
        }
    }

    /// The fact, unless this event is an amendment.
    pub fn fact(&self) -> Option<&Fact> {
        self.entry.fact()
    }
}

/// A contract for one fiscal year (単年度契約), possibly from several departments jointly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contract {
    pub fiscal_year: FiscalYear,
    /// One or more commissioning departments (共同委託 when several).
    pub commissioners: Vec<PartnerId>,
    /// The call or scheme it came through, e.g. "16年度市民協働 たねからみのり".
    pub scheme: Option<String>,
    /// The contract amount when known; the seed's history has none.
    pub amount: Option<Yen>,
}

/// A participant count by sector, for round-tables and working groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participation {
    pub sector: Sector,
    pub count: u32,
}

/// A meeting, group or survey: what it was, what program it served, who took part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gathering {
    pub activity: ActivityId,
    pub title: String,
    pub program: Option<ProgramId>,
    pub participants: Vec<Participation>,
}

/// Encoded by the derived code, with each variant's tag shifted to its stored tag (see
/// [`FACTS_BEFORE_AMENDMENTS`]): `remote = "Self"` makes the derive write inherent functions,
/// and the trait implementations in `entry_serde` wrap them, so a fact reads and writes the
/// same bytes alone, in a command and in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Fact {
    // --- programs ---
    ProgramLaunched {
        program: ProgramId,
        name: String,
        pillar: Pillar,
        beneficiaries: Vec<Beneficiary>,
        stage: SpiralStage,
    },
    /// ⇒ in the seed: a new program begotten by an existing one.
    ProgramSpunOff {
        program: ProgramId,
        parent: ProgramId,
        name: String,
        pillar: Pillar,
        beneficiaries: Vec<Beneficiary>,
        stage: SpiralStage,
    },
    ProgramConcluded {
        program: ProgramId,
    },
    ContractAwarded {
        program: ProgramId,
        contract: Contract,
    },
    /// The next year's contract of a program contracted the year before.
    ContractRenewed {
        program: ProgramId,
        contract: Contract,
    },
    // --- partners ---
    PartnerRegistered {
        partner: PartnerId,
        name: String,
        kind: PartnerKind,
        /// The government body a department belongs to.
        parent: Option<PartnerId>,
    },
    PartnerRenamed {
        partner: PartnerId,
        name: String,
    },
    /// A department merged into (or replaced by) a successor.
    PartnerMerged {
        partner: PartnerId,
        successor: PartnerId,
    },
    // --- the spiral's activities ---
    RoundtableHeld(Gathering),
    WorkingGroupFormed(Gathering),
    StakeholderCouncilHeld(Gathering),
    NeedsSurveyConducted(Gathering),
    CommercialisationCommitteeFormed(Gathering),
    CivicGroupConsulted {
        activity: ActivityId,
        group: PartnerId,
        topic: String,
        program: Option<ProgramId>,
    },
    PolicyProposed {
        activity: ActivityId,
        title: String,
        addressed_to: Vec<PartnerId>,
        program: Option<ProgramId>,
    },
    /// Recorded in the proposal's own stream.
    PolicyAdopted {
        activity: ActivityId,
        by: PartnerId,
    },
    // --- money ---
    FundsReceived {
        receipt: ReceiptId,
        kind: FundKind,
        payer: Payer,
        amount: Yen,
        fiscal_year: FiscalYear,
        program: Option<ProgramId>,
        /// Restricted in use by the funder (使途等が制約された寄付等).
        restricted: bool,
    },
    /// Part of a restricted grant, subsidy or donation used in a fiscal year: a restricted grant
    /// is recognised as revenue in the years it is spent, the rest carried forward (前受助成金).
    FundsSpent {
        receipt: ReceiptId,
        fiscal_year: FiscalYear,
        amount: Yen,
    },
    /// A donor, by pseudonymous id, with only what the public support test needs. Names and
    /// addresses stay outside the ledger, where they can be erased on request.
    DonorRegistered {
        donor: DonorId,
        /// Donors sharing a household count once in the absolute criterion.
        household: Option<HouseholdId>,
        /// An officer (役員) or an officer's household: not counted in the absolute criterion.
        officer: bool,
        /// A certified NPO or 特定公益増進法人: its share of donations may reach 50% before the
        /// excess leaves the numerator (10% for anyone else).
        certified_npo: bool,
        /// Whether the NPO holds the donor's name and address (needed to count in the absolute
        /// criterion).
        identified: bool,
    },
    // --- a donor's personal data, kept outside the ledger (see `crate::personal`) ---
    // These three are recorded by the server's vault alone, never corrected or retracted: each
    // stands for something done to the sealed details that cannot be undone.
    /// A revision of the donor's personal details was sealed in the vault (the first, or a
    /// change). The details themselves are not here.
    DonorDetailsRecorded {
        donor: DonorId,
        /// 1 for the first details recorded, then one more for each change.
        revision: u32,
        /// Which sealing in the vault is this revision: a random number (below 2^53, so that
        /// any JSON reader reads it exactly) that says nothing of the details.
        seal: u64,
    },
    /// The donor, or someone for them, asked for their personal data to be erased. From then on
    /// it is used for nothing but the registers it must still be kept for.
    DonorErasureRequested {
        donor: DonorId,
        by: Requester,
    },
    /// The donor's key and every revision of their details were destroyed.
    DonorDetailsErased {
        donor: DonorId,
    },
    // --- the NPO itself ---
    /// The NPO's own profile as its 受領証明書 and registers print it, from the day it took
    /// effect (a move, a new name, a certification) until the next one.
    OrganisationProfiled(OrganisationProfile),
    // --- 寄附金受領証明書 (see `crate::certificate`) ---
    /// A certificate issued to a donor for gifts received while the NPO was certified; if it
    /// replaces one (再発行), that one is void from the same day.
    CertificateIssued(Certificate),
    /// A certificate declared void, recorded in its own stream. Never edited: a corrected one is
    /// a new certificate that replaces it.
    CertificateVoided {
        certificate: CertificateNo,
        reason: String,
    },
}

/// The NPO itself (法人の概要): its 名称 and 所在地, and its certification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationProfile {
    /// 名称, e.g. 特定非営利活動法人ひかり市民活動ネットワーク
    pub name: String,
    /// 所在地 (the main office)
    pub address: String,
    /// 認定 (or 特例認定) under 特定非営利活動促進法; none while not certified.
    pub certification: Option<Certification>,
}

/// A certification by the 所轄庁.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Certification {
    /// 認定番号 as the 所轄庁's notice gives it, e.g. 静岡県指令第123号
    pub number: String,
    /// 認定年月日: gifts received from this day on qualify for 受領証明書.
    pub certified_on: Date,
}

/// Fact's variant names in declaration order. In the stored encoding, the first
/// [`FACTS_BEFORE_AMENDMENTS`] take their index as postcard tag, the two amendments of [`Entry`]
/// the next two, and the facts added since the tags after those (see the test
/// `entry_tags_follow_the_facts`).
pub const FACT_VARIANTS: [&str; 25] = [
    "ProgramLaunched",
    "ProgramSpunOff",
    "ProgramConcluded",
    "ContractAwarded",
    "ContractRenewed",
    "PartnerRegistered",
    "PartnerRenamed",
    "PartnerMerged",
    "RoundtableHeld",
    "WorkingGroupFormed",
    "StakeholderCouncilHeld",
    "NeedsSurveyConducted",
    "CommercialisationCommitteeFormed",
    "CivicGroupConsulted",
    "PolicyProposed",
    "PolicyAdopted",
    "FundsReceived",
    "FundsSpent",
    "DonorRegistered",
    "DonorDetailsRecorded",
    "DonorErasureRequested",
    "DonorDetailsErased",
    "OrganisationProfiled",
    "CertificateIssued",
    "CertificateVoided",
];

/// How many facts came before the two amendments' tags: facts added later take the tags after
/// the amendments', so that no stored event's encoding ever changes.
pub const FACTS_BEFORE_AMENDMENTS: usize = 19;

/// What a stored event says: a fact, or an amendment of an earlier event of the same stream. The
/// ledger is never edited; corrections and retractions are how a mistake is fixed.
///
/// Encoded exactly as if the amendments were two more variants of [`Fact`] (`{"Corrected":
/// {…}}` in JSON, tags 19 and 20 in postcard), which is how the ledger has always stored them;
/// the facts added after them take tags 21 on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Fact(Fact),
    /// Replaces the fact at `target` (a sequence in the same stream) and its effective date.
    Corrected {
        target: u64,
        fact: Box<Fact>,
        reason: String,
    },
    /// Withdraws the fact at `target`, as if it had never happened.
    Retracted {
        target: u64,
        reason: String,
    },
}

impl Entry {
    /// The fact, unless this is an amendment.
    pub fn fact(&self) -> Option<&Fact> {
        match self {
            Entry::Fact(fact) => Some(fact),
            _ => None,
        }
    }

    pub fn is_amendment(&self) -> bool {
        !matches!(self, Entry::Fact(_))
    }

    /// The event type name stored beside the payload (and shown in the audit log).
    pub fn type_name(&self) -> &'static str {
        match self {
            Entry::Fact(fact) => fact.type_name(),
            Entry::Corrected { .. } => "Corrected",
            Entry::Retracted { .. } => "Retracted",
        }
    }

    /// The sequence an amendment amends, with its reason.
    pub fn amends(&self) -> Option<(u64, &str)> {
        match self {
            Entry::Fact(_) => None,
            Entry::Corrected { target, reason, .. } | Entry::Retracted { target, reason } => {
                Some((*target, reason.as_str()))
            }
        }
    }
}

impl From<Fact> for Entry {
    fn from(fact: Fact) -> Self {
        Entry::Fact(fact)
    }
}

/// How an [`Entry`] appears in the OpenAPI document: a fact, or one of the two amendments.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum EntrySchema {
    Fact(Fact),
    Amendment(Amendment),
}

/// The amendments, as they appear in the OpenAPI document.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum Amendment {
    Corrected {
        target: u64,
        fact: Box<Fact>,
        reason: String,
    },
    Retracted {
        target: u64,
        reason: String,
    },
}

mod entry_serde {
    //! [`Entry`]'s encoding, written by hand so that it stays the flat one of the stored ledger
    //! (and of every hash over it) while the type keeps corrections from nesting.

    use super::{Entry, Fact, FACTS_BEFORE_AMENDMENTS, FACT_VARIANTS};
    use serde::de::{self, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, VariantAccess, Visitor};
    use serde::ser::SerializeStructVariant;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::fmt;

    const CORRECTED: u32 = FACTS_BEFORE_AMENDMENTS as u32;
    const RETRACTED: u32 = CORRECTED + 1;
    const LAST_TAG: u32 = FACT_VARIANTS.len() as u32 + 1;
    /// Every variant's name, by stored tag.
    const ENTRY_VARIANTS: [&str; FACT_VARIANTS.len() + 2] = {
        let mut all = [""; FACT_VARIANTS.len() + 2];
        let mut i = 0;
        while i < FACT_VARIANTS.len() {
            all[stored_tag(i as u32) as usize] = FACT_VARIANTS[i];
            i += 1;
        }
        all[CORRECTED as usize] = "Corrected";
        all[RETRACTED as usize] = "Retracted";
        all
    };

    /// The stored tag of the fact declared at `index`: facts declared after the first
    /// [`FACTS_BEFORE_AMENDMENTS`] skip the amendments' two tags.
    const fn stored_tag(index: u32) -> u32 {
        if index < CORRECTED {
            index
        } else {
            index + 2
        }
    }

    /// The declared index of the fact stored under `tag` (not an amendment's tag).
    const fn declared_index(tag: u32) -> u32 {
        if tag < CORRECTED {
            tag
        } else {
            tag - 2
        }
    }

    impl Serialize for Fact {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            // The derived (inherent) encoder, with its variant index shifted to the stored tag.
            Fact::serialize(self, Tagged(serializer))
        }
    }

    impl<'de> Deserialize<'de> for Fact {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_enum("Fact", &ENTRY_VARIANTS, FactVisitor)
        }
    }

    /// A serializer that passes everything through but a variant's index, which it shifts to
    /// the stored tag. A fact is only ever an enum, so only the variant methods change anything.
    struct Tagged<S>(S);

    macro_rules! pass {
        ($($method:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {$(
            fn $method(self, $($arg: $ty),*) -> Result<$out, S::Error> {
                self.0.$method($($arg),*)
            }
        )*};
    }

    impl<S: Serializer> Serializer for Tagged<S> {
        type Ok = S::Ok;
        type Error = S::Error;
        type SerializeSeq = S::SerializeSeq;
        type SerializeTuple = S::SerializeTuple;
        type SerializeTupleStruct = S::SerializeTupleStruct;
        type SerializeTupleVariant = S::SerializeTupleVariant;
        type SerializeMap = S::SerializeMap;
        type SerializeStruct = S::SerializeStruct;
        type SerializeStructVariant = S::SerializeStructVariant;

        pass! {
            serialize_bool(v: bool) -> S::Ok;
            serialize_i8(v: i8) -> S::Ok;
            serialize_i16(v: i16) -> S::Ok;
            serialize_i32(v: i32) -> S::Ok;
            serialize_i64(v: i64) -> S::Ok;
            serialize_u8(v: u8) -> S::Ok;
            serialize_u16(v: u16) -> S::Ok;
            serialize_u32(v: u32) -> S::Ok;
            serialize_u64(v: u64) -> S::Ok;
            serialize_f32(v: f32) -> S::Ok;
            serialize_f64(v: f64) -> S::Ok;
            serialize_char(v: char) -> S::Ok;
            serialize_str(v: &str) -> S::Ok;
            serialize_bytes(v: &[u8]) -> S::Ok;
            serialize_none() -> S::Ok;
            serialize_unit() -> S::Ok;
            serialize_unit_struct(name: &'static str) -> S::Ok;
            serialize_seq(len: Option<usize>) -> S::SerializeSeq;
            serialize_tuple(len: usize) -> S::SerializeTuple;
            serialize_tuple_struct(name: &'static str, len: usize) -> S::SerializeTupleStruct;
            serialize_map(len: Option<usize>) -> S::SerializeMap;
            serialize_struct(name: &'static str, len: usize) -> S::SerializeStruct;
        }

        fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<S::Ok, S::Error> {
            self.0.serialize_some(value)
        }

        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            name: &'static str,
            value: &T,
        ) -> Result<S::Ok, S::Error> {
            self.0.serialize_newtype_struct(name, value)
        }

        fn serialize_unit_variant(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
        ) -> Result<S::Ok, S::Error> {
            self.0.serialize_unit_variant(name, stored_tag(index), variant)
        }

        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            value: &T,
        ) -> Result<S::Ok, S::Error> {
            self.0
                .serialize_newtype_variant(name, stored_tag(index), variant, value)
        }

        fn serialize_tuple_variant(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            len: usize,
        ) -> Result<S::SerializeTupleVariant, S::Error> {
            self.0
                .serialize_tuple_variant(name, stored_tag(index), variant, len)
        }

        fn serialize_struct_variant(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            len: usize,
        ) -> Result<S::SerializeStructVariant, S::Error> {
            self.0
                .serialize_struct_variant(name, stored_tag(index), variant, len)
        }

        fn is_human_readable(&self) -> bool {
            self.0.is_human_readable()
        }
    }

    /// Reads a fact by its stored tag. An amendment's tag is refused as soon as it is read,
    /// without descending into it: corrections never nest (nor sit in a command), and input that
    /// nests them thousands deep must not take the decoder's stack with it.
    struct FactVisitor;

    impl<'de> Visitor<'de> for FactVisitor {
        type Value = Fact;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a fact")
        }

        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Fact, A::Error> {
            match data.variant::<Tag>()? {
                (Tag(tag @ (CORRECTED | RETRACTED)), _) => Err(de::Error::unknown_variant(
                    ENTRY_VARIANTS[tag as usize],
                    &FACT_VARIANTS,
                )),
                (Tag(tag), variant) => fact(tag, variant),
            }
        }
    }

    /// The fact stored under `tag`, decoded by [`Fact`]'s derived decoder from the rest of the
    /// input.
    fn fact<'de, A: VariantAccess<'de>>(tag: u32, variant: A) -> Result<Fact, A::Error> {
        Fact::deserialize(Replayed {
            index: declared_index(tag),
            variant,
        })
    }

    impl Serialize for Entry {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self {
                Entry::Fact(fact) => fact.serialize(serializer),
                Entry::Corrected { target, fact, reason } => {
                    let mut v = serializer.serialize_struct_variant("Fact", CORRECTED, "Corrected", 3)?;
                    v.serialize_field("target", target)?;
                    v.serialize_field("fact", fact)?;
                    v.serialize_field("reason", reason)?;
                    v.end()
                }
                Entry::Retracted { target, reason } => {
                    let mut v = serializer.serialize_struct_variant("Fact", RETRACTED, "Retracted", 2)?;
                    v.serialize_field("target", target)?;
                    v.serialize_field("reason", reason)?;
                    v.end()
                }
            }
        }
    }

    /// A variant tag, by index (postcard) or by name (JSON).
    struct Tag(u32);

    impl<'de> Deserialize<'de> for Tag {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct TagVisitor;
            impl Visitor<'_> for TagVisitor {
                type Value = Tag;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a fact, Corrected or Retracted")
                }
                fn visit_u64<E: de::Error>(self, index: u64) -> Result<Tag, E> {
                    match u32::try_from(index) {
                        Ok(i) if i <= LAST_TAG => Ok(Tag(i)),
                        _ => Err(E::invalid_value(de::Unexpected::Unsigned(index), &self)),
                    }
                }
                fn visit_str<E: de::Error>(self, name: &str) -> Result<Tag, E> {
                    ENTRY_VARIANTS
                        .iter()
                        .position(|v| *v == name)
                        .map(|i| Tag(i as u32))
                        .ok_or_else(|| E::unknown_variant(name, &ENTRY_VARIANTS))
                }
                fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<Tag, E> {
                    match std::str::from_utf8(name) {
                        Ok(name) => self.visit_str(name),
                        Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(name), &self)),
                    }
                }
            }
            deserializer.deserialize_identifier(TagVisitor)
        }
    }

    impl<'de> Deserialize<'de> for Entry {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_enum("Fact", &ENTRY_VARIANTS, EntryVisitor)
        }
    }

    struct EntryVisitor;

    impl<'de> Visitor<'de> for EntryVisitor {
        type Value = Entry;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a fact, or a correction or retraction of one")
        }

        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Entry, A::Error> {
            let (Tag(tag), variant) = data.variant::<Tag>()?;
            match tag {
                CORRECTED => variant.struct_variant(&["target", "fact", "reason"], AmendmentVisitor(true)),
                RETRACTED => variant.struct_variant(&["target", "reason"], AmendmentVisitor(false)),
                // A fact: hand the tag already read, and the rest of the input, to Fact's own
                // derived decoder.
                tag => fact(tag, variant).map(Entry::Fact),
            }
        }
    }

    /// An enum whose tag has already been read: lets [`Fact`]'s derived `Deserialize` decode the
    /// variant's content from the outer format.
    struct Replayed<V> {
        index: u32,
        variant: V,
    }

    impl<'de, A: VariantAccess<'de>> Deserializer<'de> for Replayed<A> {
        type Error = A::Error;

        fn deserialize_any<W: Visitor<'de>>(self, _visitor: W) -> Result<W::Value, A::Error> {
            Err(de::Error::custom("a fact is an enum"))
        }

        fn deserialize_enum<W: Visitor<'de>>(
            self,
            _name: &'static str,
            _variants: &'static [&'static str],
            visitor: W,
        ) -> Result<W::Value, A::Error> {
            visitor.visit_enum(self)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
            ignored_any
        }
    }

    impl<'de, A: VariantAccess<'de>> EnumAccess<'de> for Replayed<A> {
        type Error = A::Error;
        type Variant = A;

        fn variant_seed<S: de::DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, A), A::Error> {
            let tag = seed.deserialize(self.index.into_deserializer())?;
            Ok((tag, self.variant))
        }
    }

    /// Decodes a `Corrected` (`true`) or `Retracted` body, as a sequence (postcard) or a map
    /// (JSON). Unknown fields are skipped, as the derived decoder of every fact does.
    struct AmendmentVisitor(bool);

    #[derive(Deserialize)]
    #[serde(field_identifier, rename_all = "lowercase")]
    enum Field {
        Target,
        Fact,
        Reason,
        #[serde(other)]
        Other,
    }

    impl<'de> Visitor<'de> for AmendmentVisitor {
        type Value = Entry;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(if self.0 { "a correction" } else { "a retraction" })
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entry, A::Error> {
            let missing = |i| de::Error::invalid_length(i, &self);
            let target = seq.next_element()?.ok_or_else(|| missing(0))?;
            if self.0 {
                let fact = seq.next_element()?.ok_or_else(|| missing(1))?;
                let reason = seq.next_element()?.ok_or_else(|| missing(2))?;
                Ok(Entry::Corrected { target, fact, reason })
            } else {
                let reason = seq.next_element()?.ok_or_else(|| missing(1))?;
                Ok(Entry::Retracted { target, reason })
            }
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
            let (mut target, mut fact, mut reason) = (None, None, None);
            while let Some(key) = map.next_key::<Field>()? {
                match key {
                    Field::Target if target.is_none() => target = Some(map.next_value()?),
                    Field::Fact if fact.is_none() && self.0 => fact = Some(map.next_value()?),
                    Field::Reason if reason.is_none() => reason = Some(map.next_value()?),
                    Field::Other => {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                    Field::Fact if !self.0 => {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                    Field::Target => return Err(de::Error::duplicate_field("target")),
                    Field::Fact => return Err(de::Error::duplicate_field("fact")),
                    Field::Reason => return Err(de::Error::duplicate_field("reason")),
                }
            }
            let target = target.ok_or_else(|| de::Error::missing_field("target"))?;
            let reason = reason.ok_or_else(|| de::Error::missing_field("reason"))?;
            if self.0 {
                let fact = fact.ok_or_else(|| de::Error::missing_field("fact"))?;
                Ok(Entry::Corrected { target, fact, reason })
            } else {
                Ok(Entry::Retracted { target, reason })
            }
        }
    }
}

/// The NPO's own stream.
pub const ORGANISATION_STREAM: &str = "organisation:profile";

/// What a fact is about; its stream in the store is `kind:id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SubjectRef {
    Program(ProgramId),
    Partner(PartnerId),
    Activity(ActivityId),
    Receipt(ReceiptId),
    Donor(DonorId),
    /// The NPO itself: one stream, `organisation:profile`.
    Organisation,
    /// A 寄附金受領証明書, by its number: `certificate:2026-00001`.
    Certificate(CertificateNo),
}

impl SubjectRef {
    pub fn stream(&self) -> String {
        match self {
            SubjectRef::Program(id) => format!("program:{id}"),
            SubjectRef::Partner(id) => format!("partner:{id}"),
            SubjectRef::Activity(id) => format!("activity:{id}"),
            SubjectRef::Receipt(id) => format!("receipt:{id}"),
            SubjectRef::Donor(id) => format!("donor:{id}"),
            SubjectRef::Organisation => ORGANISATION_STREAM.to_owned(),
            SubjectRef::Certificate(number) => format!("certificate:{number}"),
        }
    }

    /// Parses `kind:id` back; `None` for anything else.
    pub fn from_stream(stream: &str) -> Option<SubjectRef> {
        let (kind, id) = stream.split_once(':')?;
        match kind {
            "program" => ProgramId::new(id).ok().map(SubjectRef::Program),
            "partner" => PartnerId::new(id).ok().map(SubjectRef::Partner),
            "activity" => ActivityId::new(id).ok().map(SubjectRef::Activity),
            "receipt" => ReceiptId::new(id).ok().map(SubjectRef::Receipt),
            "donor" => DonorId::new(id).ok().map(SubjectRef::Donor),
            "organisation" if id == "profile" => Some(SubjectRef::Organisation),
            "certificate" => id.parse().ok().map(SubjectRef::Certificate),
            _ => None,
        }
    }
}

impl Fact {
    /// The subject a fact is about.
    pub fn subject(&self) -> SubjectRef {
        use Fact::*;
        match self {
            ProgramLaunched { program, .. }
            | ProgramSpunOff { program, .. }
            | ProgramConcluded { program }
            | ContractAwarded { program, .. }
            | ContractRenewed { program, .. } => SubjectRef::Program(program.clone()),
            PartnerRegistered { partner, .. }
            | PartnerRenamed { partner, .. }
            | PartnerMerged { partner, .. } => SubjectRef::Partner(partner.clone()),
            RoundtableHeld(g)
            | WorkingGroupFormed(g)
            | StakeholderCouncilHeld(g)
            | NeedsSurveyConducted(g)
            | CommercialisationCommitteeFormed(g) => SubjectRef::Activity(g.activity.clone()),
            CivicGroupConsulted { activity, .. }
            | PolicyProposed { activity, .. }
            | PolicyAdopted { activity, .. } => SubjectRef::Activity(activity.clone()),
            FundsReceived { receipt, .. } | FundsSpent { receipt, .. } => {
                SubjectRef::Receipt(receipt.clone())
            }
            DonorRegistered { donor, .. }
            | DonorDetailsRecorded { donor, .. }
            | DonorErasureRequested { donor, .. }
            | DonorDetailsErased { donor } => SubjectRef::Donor(donor.clone()),
            OrganisationProfiled(_) => SubjectRef::Organisation,
            CertificateIssued(c) => SubjectRef::Certificate(c.number),
            CertificateVoided { certificate, .. } => SubjectRef::Certificate(*certificate),
        }
    }

    /// The event type name stored beside the payload (and shown in the audit log).
    pub fn type_name(&self) -> &'static str {
        use Fact::*;
        match self {
            ProgramLaunched { .. } => "ProgramLaunched",
            ProgramSpunOff { .. } => "ProgramSpunOff",
            ProgramConcluded { .. } => "ProgramConcluded",
            ContractAwarded { .. } => "ContractAwarded",
            ContractRenewed { .. } => "ContractRenewed",
            PartnerRegistered { .. } => "PartnerRegistered",
            PartnerRenamed { .. } => "PartnerRenamed",
            PartnerMerged { .. } => "PartnerMerged",
            RoundtableHeld(_) => "RoundtableHeld",
            WorkingGroupFormed(_) => "WorkingGroupFormed",
            StakeholderCouncilHeld(_) => "StakeholderCouncilHeld",
            NeedsSurveyConducted(_) => "NeedsSurveyConducted",
            CommercialisationCommitteeFormed(_) => "CommercialisationCommitteeFormed",
            CivicGroupConsulted { .. } => "CivicGroupConsulted",
            PolicyProposed { .. } => "PolicyProposed",
            PolicyAdopted { .. } => "PolicyAdopted",
            FundsReceived { .. } => "FundsReceived",
            FundsSpent { .. } => "FundsSpent",
            DonorRegistered { .. } => "DonorRegistered",
            DonorDetailsRecorded { .. } => "DonorDetailsRecorded",
            DonorErasureRequested { .. } => "DonorErasureRequested",
            DonorDetailsErased { .. } => "DonorDetailsErased",
            OrganisationProfiled(_) => "OrganisationProfiled",
            CertificateIssued(_) => "CertificateIssued",
            CertificateVoided { .. } => "CertificateVoided",
        }
    }

    /// Whether only the server's vault may record this fact (see `crate::personal`): it stands
    /// for something done to sealed personal data, so a fact typed in elsewhere would be a lie,
    /// and neither it nor anything it stands for can be corrected or retracted.
    pub fn is_vault_record(&self) -> bool {
        matches!(
            self,
            Fact::DonorDetailsRecorded { .. }
                | Fact::DonorErasureRequested { .. }
                | Fact::DonorDetailsErased { .. }
        )
    }

    /// The program a fact concerns, if any (for lineage, timelines and per-program history).
    pub fn program(&self) -> Option<&ProgramId> {
        use Fact::*;
        match self {
            ProgramLaunched { program, .. }
            | ProgramSpunOff { program, .. }
            | ProgramConcluded { program }
            | ContractAwarded { program, .. }
            | ContractRenewed { program, .. } => Some(program),
            RoundtableHeld(g)
            | WorkingGroupFormed(g)
            | StakeholderCouncilHeld(g)
            | NeedsSurveyConducted(g)
            | CommercialisationCommitteeFormed(g) => g.program.as_ref(),
            CivicGroupConsulted { program, .. }
            | PolicyProposed { program, .. }
            | FundsReceived { program, .. } => program.as_ref(),
            _ => None,
        }
    }

    /// The partners a fact mentions (commissioners, payers, addressees).
    pub fn partners(&self) -> Vec<&PartnerId> {
        use Fact::*;
        match self {
            ContractAwarded { contract, .. } | ContractRenewed { contract, .. } => {
                contract.commissioners.iter().collect()
            }
            PartnerRegistered { partner, parent, .. } => {
                std::iter::once(partner).chain(parent.iter()).collect()
            }
            PartnerRenamed { partner, .. } => vec![partner],
            PartnerMerged { partner, successor } => vec![partner, successor],
            CivicGroupConsulted { group, .. } => vec![group],
            PolicyProposed { addressed_to, .. } => addressed_to.iter().collect(),
            PolicyAdopted { by, .. } => vec![by],
            FundsReceived {
                payer: Payer::Partner(p),
                ..
            } => vec![p],
            _ => vec![],
        }
    }
}

#[cfg(feature = "aggregate")]
impl cqrs_es::DomainEvent for LedgerEvent {
    fn event_type(&self) -> String {
        self.entry.type_name().to_owned()
    }

    fn event_version(&self) -> String {
        EVENT_VERSION.to_owned()
    }
}
