//! Why a command was refused. Each variant carries the facts a person needs to fix the input;
//! the message (Display) says what is wrong in plain words.

use crate::date::Date;
use crate::fiscal_year::FiscalYear;
use crate::ids::{DonorId, InvalidId, PartnerId, ProgramId, ReceiptId};
use crate::money::MoneyError;
use crate::money::Yen;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    InvalidId(#[from] InvalidId),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("{field} must not be empty")]
    EmptyText { field: &'static str },
    #[error("{field} is too long ({len} characters; at most {max})")]
    TextTooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} contains an invisible or control character (U+{:04X}); type it again without it", *.character as u32)]
    InvisibleCharacter { field: &'static str, character: char },
    #[error("program {0} does not exist")]
    UnknownProgram(ProgramId),
    #[error("partner {0} does not exist")]
    UnknownPartner(PartnerId),
    #[error("{subject} has already been recorded")]
    AlreadyRecorded { subject: String },
    #[error("{subject} has not been recorded yet")]
    NotRecorded { subject: String },
    #[error("program {program} concluded on {concluded_on}; it can take no contract for {fiscal_year}")]
    ProgramHasConcluded {
        program: ProgramId,
        concluded_on: Date,
        fiscal_year: FiscalYear,
    },
    #[error("program {program} already concluded on {concluded_on}")]
    AlreadyConcluded { program: ProgramId, concluded_on: Date },
    #[error("program {program} launched on {launched_on}; a contract for {fiscal_year} ends before that")]
    ContractBeforeLaunch {
        program: ProgramId,
        launched_on: Date,
        fiscal_year: FiscalYear,
    },
    #[error("program {program} already has a contract for {fiscal_year} from {commissioner}")]
    DuplicateContract {
        program: ProgramId,
        fiscal_year: FiscalYear,
        commissioner: PartnerId,
    },
    #[error("program {program} has no contract for {previous} to renew; record the {fiscal_year} contract as awarded instead")]
    NothingToRenew {
        program: ProgramId,
        fiscal_year: FiscalYear,
        previous: FiscalYear,
    },
    #[error("a contract needs at least one commissioning department")]
    NoCommissioner,
    #[error("commissioner {0} is listed twice")]
    DuplicateCommissioner(PartnerId),
    #[error("partner {partner} is a {kind}, not a government body that can commission work")]
    NotGovernment { partner: PartnerId, kind: &'static str },
    #[error("it ends on {end}, before it started on {start}")]
    EndBeforeStart { start: Date, end: Date },
    #[error("{what} cannot refer to itself")]
    SelfReference { what: &'static str },
    #[error("partner {partner} was merged into {successor} on {on}; record changes on the successor")]
    PartnerMergedAway {
        partner: PartnerId,
        successor: PartnerId,
        on: Date,
    },
    #[error("activity {0} is not a policy proposal")]
    NotAProposal(String),
    #[error("policy proposal {0} has already been adopted")]
    AlreadyAdopted(String),
    #[error("a participant count must be more than zero")]
    NoParticipants,
    #[error("a reason is required for a correction or retraction")]
    MissingReason,
    #[error("{stream} has no event {target} to correct")]
    NoSuchTarget { stream: String, target: u64 },
    #[error("event {target} of {stream} is a correction or has been retracted; correct the fact it stands for instead")]
    TargetNotLive { stream: String, target: u64 },
    #[error("a {expected} can only be corrected by another {expected}, not a {found}")]
    WrongKindOfCorrection {
        expected: &'static str,
        found: &'static str,
    },
    #[error("the corrected fact is about {found}, but the correction was sent to {stream}")]
    SubjectMismatch { stream: String, found: String },
    #[error("{stream} has later facts that depend on event {target}; retract those first")]
    DependentFacts { stream: String, target: u64 },
    #[error("donor {0} has not been registered")]
    UnknownDonor(DonorId),
    #[error("receipt {0} is not restricted: it is revenue when received and has nothing to spend down")]
    NotRestricted(ReceiptId),
    #[error("receipt {receipt} has {remaining} left to spend, less than {amount}")]
    Overspent {
        receipt: ReceiptId,
        remaining: Yen,
        amount: Yen,
    },
    #[error("receipt {receipt} is for {received}; it cannot be spent in the earlier {fiscal_year}")]
    SpentBeforeReceived {
        receipt: ReceiptId,
        received: FiscalYear,
        fiscal_year: FiscalYear,
    },
    #[error("{0:?} is not a subject's stream (expected program:ID, partner:ID, activity:ID, receipt:ID or donor:ID)")]
    BadStream(String),
    #[error(
        "{kind} is recorded by the donor vault alone (spiral donors …), and never corrected or retracted"
    )]
    VaultRecord { kind: &'static str },
    #[error(transparent)]
    Certificate(#[from] crate::certificate::CertificateError),
    // The vault's refusals (server only: the browser decides no vault record).
    #[cfg(feature = "aggregate")]
    #[error("donor {donor}'s details are at revision {current}; the next is {}, not {found}", current + 1)]
    WrongRevision {
        donor: DonorId,
        current: u32,
        found: u32,
    },
    #[cfg(feature = "aggregate")]
    #[error("donor {0} has asked for their personal data to be erased: it can no longer be changed or used")]
    ErasureRequested(DonorId),
    #[cfg(feature = "aggregate")]
    #[error("donor {0} has not asked for their personal data to be erased")]
    ErasureNotRequested(DonorId),
    #[cfg(feature = "aggregate")]
    #[error("donor {0}'s personal data has already been erased")]
    AlreadyErased(DonorId),
}

/// Field names as a Japanese reader knows them.
fn field_ja(field: &str) -> &str {
    match field {
        "name" => "名称",
        "title" => "件名",
        "topic" => "相談内容",
        "scheme" => "公募・制度名",
        "note" => "備考",
        "reason" => "理由",
        other => other,
    }
}

/// "program x" / "partner y" … as the rules name subjects, in Japanese.
fn subject_ja(subject: &str) -> String {
    let (kind, id) = subject.split_once(' ').unwrap_or(("", subject));
    let kind = match kind {
        "program" => "事業",
        "partner" => "相手先",
        "activity" => "活動",
        "receipt" => "収入",
        "donor" => "寄付者",
        other => other,
    };
    format!("{kind} {id}")
}

impl DomainError {
    /// The refusal for text in `field` that [`crate::text::check`] found wrong.
    pub fn text(field: &'static str, problem: crate::text::TextProblem) -> Self {
        use crate::text::TextProblem;
        match problem {
            TextProblem::Empty => DomainError::EmptyText { field },
            TextProblem::TooLong { len, max } => DomainError::TextTooLong { field, len, max },
            TextProblem::Invisible(character) => DomainError::InvisibleCharacter { field, character },
        }
    }

    /// The form field the error is about, by the field names the browser's record forms use
    /// (`None` when it is about the command as a whole). The server sends it with a refusal so
    /// the browser can show the message next to that field.
    pub fn field(&self) -> Option<&'static str> {
        use DomainError::*;
        Some(match self {
            InvalidId(e) => e.kind,
            Money(_) | Overspent { .. } => "amount",
            EmptyText { field } | TextTooLong { field, .. } | InvisibleCharacter { field, .. } => field,
            UnknownProgram(_) => "program",
            UnknownPartner(_) | PartnerMergedAway { .. } => "partner",
            AlreadyRecorded { subject } | NotRecorded { subject } => match subject.split_once(':') {
                Some(("program", _)) => "program",
                Some(("partner", _)) => "partner",
                Some(("activity", _)) => "activity",
                Some(("receipt", _)) => "receipt",
                Some(("donor", _)) => "donor",
                _ => return None,
            },
            ProgramHasConcluded { .. }
            | ContractBeforeLaunch { .. }
            | DuplicateContract { .. }
            | NothingToRenew { .. }
            | SpentBeforeReceived { .. } => "fiscal_year",
            NoCommissioner | DuplicateCommissioner(_) | NotGovernment { .. } => "commissioners",
            EndBeforeStart { .. } | AlreadyConcluded { .. } => "on",
            NotAProposal(_) | AlreadyAdopted(_) => "activity",
            NoParticipants => "participants",
            MissingReason => "reason",
            UnknownDonor(_) => "payer",
            NotRestricted(_) => "receipt",
            SelfReference { .. }
            | NoSuchTarget { .. }
            | TargetNotLive { .. }
            | WrongKindOfCorrection { .. }
            | SubjectMismatch { .. }
            | DependentFacts { .. }
            | BadStream(_)
            | VaultRecord { .. }
            | Certificate(_) => return None,
            #[cfg(feature = "aggregate")]
            WrongRevision { .. } | ErasureRequested(_) | ErasureNotRequested(_) | AlreadyErased(_) => {
                return None
            }
        })
    }

    /// The message in Japanese, the users' first language (Display gives the English).
    pub fn ja(&self) -> String {
        use DomainError::*;
        match self {
            InvalidId(e) => format!(
                "ID「{}」は使えません。英小文字・数字・「-」「_」「.」で1〜64文字にしてください（先頭は英小文字か数字）",
                e.id
            ),
            Money(crate::money::MoneyError::NotPositive(v)) => {
                format!("金額 {} は0より大きくしてください", crate::money::Yen::new(*v))
            }
            Money(crate::money::MoneyError::Overflow) => "金額の合計が大きすぎて扱えません".into(),
            EmptyText { field } => format!("{}を入力してください", field_ja(field)),
            TextTooLong { field, len, max } => format!("{}が長すぎます（{len}文字。{max}文字まで）", field_ja(field)),
            InvisibleCharacter { field, character } => format!(
                "{}に見えない文字または制御文字（U+{:04X}）が含まれています。その文字を除いて入力し直してください",
                field_ja(field),
                *character as u32
            ),
            UnknownProgram(p) => format!("事業 {p} は登録されていません"),
            UnknownPartner(p) => format!("相手先 {p} は登録されていません"),
            AlreadyRecorded { subject } => format!("{} は既に記録されています", subject_ja(subject)),
            NotRecorded { subject } => format!("{} はまだ記録されていません", subject_ja(subject)),
            ProgramHasConcluded { program, concluded_on, fiscal_year } => format!(
                "事業 {program} は{concluded_on}に終了しているため、{}（{}）の契約は記録できません",
                fiscal_year.seireki(),
                fiscal_year.wareki()
            ),
            AlreadyConcluded { program, concluded_on } => {
                format!("事業 {program} は既に{concluded_on}に終了しています")
            }
            ContractBeforeLaunch { program, launched_on, fiscal_year } => format!(
                "事業 {program} の開始は{launched_on}です。{}の契約はそれより前に終わっています",
                fiscal_year.seireki()
            ),
            DuplicateContract { program, fiscal_year, commissioner } => format!(
                "事業 {program} には{}（{}）の{commissioner}からの契約が既にあります",
                fiscal_year.seireki(),
                fiscal_year.wareki()
            ),
            NothingToRenew { program, fiscal_year, previous } => format!(
                "事業 {program} には更新元となる{}の契約がありません。{}の契約は新規の受託として記録してください",
                previous.seireki(),
                fiscal_year.seireki()
            ),
            NoCommissioner => "委託元の部署を1つ以上指定してください".into(),
            DuplicateCommissioner(p) => format!("委託元 {p} が重複しています"),
            NotGovernment { partner, kind } => {
                format!("相手先 {partner} は{kind}です。委託元にできるのは行政機関・部署・外郭団体です")
            }
            EndBeforeStart { start, end } => format!("終了日 {end} が開始日 {start} より前です"),
            SelfReference { what } => format!("{what}に自分自身は指定できません"),
            PartnerMergedAway { partner, successor, on } => {
                format!("相手先 {partner} は{on}に{successor}へ統合されています。変更は統合先に記録してください")
            }
            NotAProposal(a) => format!("活動 {a} は政策提案ではありません"),
            AlreadyAdopted(a) => format!("政策提案 {a} は既に採択されています"),
            NoParticipants => "参加者数は1以上にしてください".into(),
            MissingReason => "訂正・取消には理由が必要です".into(),
            NoSuchTarget { stream, target } => format!("{stream} に訂正対象のイベント {target} はありません"),
            TargetNotLive { stream, target } => format!(
                "{stream} のイベント {target} は訂正・取消の記録か、既に取り消されています。元の事実を訂正してください"
            ),
            WrongKindOfCorrection { expected, found } => {
                format!("{expected} は同じ種類の記録でしか訂正できません（{found} が指定されました）")
            }
            SubjectMismatch { stream, found } => {
                format!("訂正内容は {found} についてのものですが、送り先は {stream} です")
            }
            DependentFacts { stream, target } => {
                format!("{stream} にはイベント {target} を前提とする後の記録があります。先にそちらを取り消してください")
            }
            UnknownDonor(d) => format!("寄付者 {d} は登録されていません"),
            NotRestricted(r) => format!("収入 {r} は使途の制約がないため、受領時に収益計上されます（取り崩しはありません）"),
            Overspent { receipt, remaining, amount } => {
                format!("収入 {receipt} の残高は{remaining}で、{amount}を使用することはできません")
            }
            SpentBeforeReceived { receipt, received, fiscal_year } => format!(
                "収入 {receipt} は{}の受領です。それより前の{}には使用できません",
                received.seireki(),
                fiscal_year.seireki()
            ),
            BadStream(s) => format!("「{s}」は記録の対象を示していません（program:ID、partner:ID などの形式で指定してください）"),
            VaultRecord { kind } => {
                format!("{kind} は寄付者情報の保管庫（spiral donors …）だけが記録します。訂正・取消もできません")
            }
            Certificate(e) => e.ja(),
            #[cfg(feature = "aggregate")]
            WrongRevision { donor, current, found } => format!(
                "寄付者 {donor} の情報は第{current}版です。次は第{}版で、第{found}版ではありません",
                current + 1
            ),
            #[cfg(feature = "aggregate")]
            ErasureRequested(d) => {
                format!("寄付者 {d} から個人情報の消去の求めがあります。変更も利用もできません")
            }
            #[cfg(feature = "aggregate")]
            ErasureNotRequested(d) => format!("寄付者 {d} から個人情報の消去の求めはありません"),
            #[cfg(feature = "aggregate")]
            AlreadyErased(d) => format!("寄付者 {d} の個人情報は既に消去されています"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ReceiptId;

    #[test]
    fn japanese_messages_carry_the_facts_in_japanese_forms() {
        let fy = FiscalYear::new(2019).unwrap();
        let duplicate = DomainError::DuplicateContract {
            program: ProgramId::new("kobo").unwrap(),
            fiscal_year: fy,
            commissioner: PartnerId::new("city").unwrap(),
        };
        assert_eq!(
            duplicate.ja(),
            "事業 kobo には2019年度（令和元年度）のcityからの契約が既にあります"
        );
        let overspent = DomainError::Overspent {
            receipt: ReceiptId::new("g1").unwrap(),
            remaining: Yen::new(300_000),
            amount: Yen::new(300_001),
        };
        assert_eq!(
            overspent.ja(),
            "収入 g1 の残高は¥300,000で、¥300,001を使用することはできません"
        );
        assert_eq!(
            DomainError::EmptyText { field: "name" }.ja(),
            "名称を入力してください"
        );
        assert_eq!(
            DomainError::AlreadyRecorded {
                subject: "program kobo".into()
            }
            .ja(),
            "事業 kobo は既に記録されています"
        );
        assert_eq!(
            DomainError::Money(MoneyError::NotPositive(-5000)).ja(),
            "金額 -¥5,000 は0より大きくしてください"
        );
    }
}
