//! Every word the app shows, in Japanese (the default) and English.
//!
//! Labels are fields of one struct with a constant per language, so a label missing in either
//! language is a compile error rather than a blank on the page.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// English month abbreviations. Dates are formatted and parsed by hand here: chrono's format
/// strings would add their interpreter to the WASM bundle.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Parses YYYY-MM-DD (what date inputs and the API use); `None` for anything else, including a
/// day outside the years Spiral accepts.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Date::from_ymd(year, month, day)
}
use domain::funds::FundKind;
use domain::partner::{PartnerKind, Sector};
use domain::program::{Beneficiary, Pillar, SpiralStage};
use domain::{Date, FiscalYear};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the switch offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::Ja => &JA,
            Lang::En => &EN,
        }
    }

    /// 2005年4月1日 / 1 Apr 2005
    pub fn date(self, d: impl Into<NaiveDate>) -> String {
        let d: NaiveDate = d.into();
        match self {
            Lang::Ja => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year()),
        }
    }

    /// When an event was recorded, to the second, in UTC (the ledger's clock).
    pub fn recorded(self, t: DateTime<Utc>) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    /// 2005年度（平成17年度） / FY2005 (平成17年度): 和暦 beside 西暦 in both languages.
    pub fn fiscal_year(self, fy: FiscalYear) -> String {
        match self {
            Lang::Ja => format!("{}（{}）", fy.seireki(), fy.wareki()),
            Lang::En => format!("FY{} ({})", fy.year(), fy.wareki()),
        }
    }

    pub fn pillar(self, p: Pillar) -> &'static str {
        match self {
            Lang::Ja => p.ja(),
            Lang::En => p.en(),
        }
    }

    /// The name of a group of marks the spiral drawn whole shows as one (level of detail).
    pub fn grouped_marks(self, fy: FiscalYear, stage: SpiralStage, count: usize) -> String {
        match self {
            Lang::Ja => format!(
                "{}・{}：{count}件（拡大すると一つずつ表示）",
                self.fiscal_year(fy),
                self.stage(stage)
            ),
            Lang::En => format!(
                "{}, {}: {count} records (zoom in to see each)",
                self.fiscal_year(fy),
                self.stage(stage)
            ),
        }
    }

    pub fn stage(self, s: SpiralStage) -> &'static str {
        match self {
            Lang::Ja => s.ja(),
            Lang::En => s.en(),
        }
    }

    pub fn beneficiary(self, b: Beneficiary) -> &'static str {
        match self {
            Lang::Ja => b.ja(),
            Lang::En => b.en(),
        }
    }

    pub fn partner_kind(self, k: PartnerKind) -> &'static str {
        match (self, k) {
            (Lang::Ja, k) => k.ja(),
            (Lang::En, PartnerKind::GovernmentBody) => "Government body",
            (Lang::En, PartnerKind::Department) => "Department",
            (Lang::En, PartnerKind::Foundation) => "Foundation",
            (Lang::En, PartnerKind::CitizenGroup) => "Citizen group",
            (Lang::En, PartnerKind::University) => "University",
            (Lang::En, PartnerKind::Company) => "Company",
            (Lang::En, PartnerKind::AffiliatedBody) => "Affiliated body",
            (Lang::En, PartnerKind::Other) => "Other",
        }
    }

    pub fn sector(self, s: Sector) -> &'static str {
        match (self, s) {
            (Lang::Ja, s) => s.ja(),
            (Lang::En, Sector::Npo) => "NPOs",
            (Lang::En, Sector::Assembly) => "Assembly",
            (Lang::En, Sector::Government) => "Government",
            (Lang::En, Sector::Volunteers) => "Volunteers",
            (Lang::En, Sector::Experts) => "Experts",
            (Lang::En, Sector::University) => "University",
            (Lang::En, Sector::Business) => "Business",
            (Lang::En, Sector::PeopleConcerned) => "People concerned",
            (Lang::En, Sector::Residents) => "Residents",
        }
    }

    pub fn fund_kind(self, k: FundKind) -> &'static str {
        match (self, k) {
            (Lang::Ja, k) => k.ja(),
            (Lang::En, FundKind::CommissionFee) => "Commission fee",
            (Lang::En, FundKind::Subsidy) => "Subsidy",
            (Lang::En, FundKind::Grant) => "Grant",
            (Lang::En, FundKind::Donation) => "Donation",
            (Lang::En, FundKind::MemberDues) => "Member dues",
            (Lang::En, FundKind::SupportingDues) => "Supporting members' dues",
            (Lang::En, FundKind::ServiceDues) => "Service dues",
            (Lang::En, FundKind::EarnedRevenue) => "Earned revenue",
            (Lang::En, FundKind::Other) => "Other",
        }
    }

    /// A record form's field, by its name in `record::form`.
    pub fn field_label(self, name: &str) -> &'static str {
        let (ja, en) = match name {
            "program" => ("事業ID", "Program id"),
            "parent" => ("派生元", "Parent"),
            "name" => ("名称", "Name"),
            "pillar" => ("柱", "Pillar"),
            "beneficiaries" => ("対象", "Beneficiaries"),
            "stage" => ("段階", "Stage"),
            "fiscal_year" => ("年度（西暦）", "Fiscal year"),
            "commissioners" => ("委託元の部署", "Commissioning departments"),
            "scheme" => ("制度", "Scheme"),
            "amount" => ("金額（円）", "Amount (yen)"),
            "partner" => ("相手先ID", "Partner id"),
            "kind" => ("種別", "Kind"),
            "successor" => ("統合先", "Merged into"),
            "activity" => ("活動ID", "Activity id"),
            "title" => ("件名", "Title"),
            "participants" => ("参加者（区分ごとの人数）", "Participants (count per sector)"),
            "group" => ("市民団体", "Citizen group"),
            "topic" => ("相談内容", "Topic"),
            "addressed_to" => ("提言先", "Addressed to"),
            "by" => ("採用した機関", "Adopted by"),
            "receipt" => ("入金ID", "Receipt id"),
            "payer" => ("支払者", "Payer"),
            "restricted" => ("使途の制約あり", "Restricted"),
            "donor" => ("寄付者ID", "Donor id"),
            "household" => ("世帯ID", "Household id"),
            "officer" => ("役員", "Officer"),
            "certified_npo" => ("認定NPO法人", "Certified NPO"),
            "identified" => ("氏名・住所を確認済み", "Name and address on file"),
            _ => ("", ""),
        };
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    /// An event type's name (`ContractAwarded`, …) as people say it.
    pub fn event_kind(self, kind: &str) -> &'static str {
        let (ja, en) = match kind {
            "ProgramLaunched" => ("事業開始", "Program launched"),
            "ProgramSpunOff" => ("事業の独立", "Program spun off"),
            "ProgramConcluded" => ("事業終了", "Program concluded"),
            "ContractAwarded" => ("受託", "Contract awarded"),
            "ContractRenewed" => ("継続受託", "Contract renewed"),
            "PartnerRegistered" => ("相手先登録", "Partner registered"),
            "PartnerRenamed" => ("名称変更", "Partner renamed"),
            "PartnerMerged" => ("統合", "Partner merged"),
            "RoundtableHeld" => ("円卓会議", "Round-table held"),
            "WorkingGroupFormed" => ("ワーキンググループ", "Working group formed"),
            "StakeholderCouncilHeld" => ("関係者協議会", "Stakeholder council held"),
            "NeedsSurveyConducted" => ("ニーズ調査", "Needs survey conducted"),
            "CommercialisationCommitteeFormed" => ("事業化検討委員会", "Commercialisation committee formed"),
            "CivicGroupConsulted" => ("市民団体への相談", "Civic group consulted"),
            "PolicyProposed" => ("政策提言", "Policy proposed"),
            "PolicyAdopted" => ("政策採用", "Policy adopted"),
            "FundsReceived" => ("入金", "Funds received"),
            "FundsSpent" => ("支出", "Funds spent"),
            "DonorRegistered" => ("寄付者登録", "Donor registered"),
            "OrganisationProfiled" => ("法人情報", "Organisation profile"),
            "CertificateIssued" => ("受領証明書発行", "Receipt certificate issued"),
            "CertificateVoided" => ("受領証明書無効", "Receipt certificate voided"),
            "Corrected" => ("訂正", "Corrected"),
            "Retracted" => ("取消", "Retracted"),
            _ => ("その他", "Other"),
        };
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// Every fixed label of the app.
pub struct Text {
    pub app_name: &'static str,
    pub nav_label: &'static str,
    pub nav_spiral: &'static str,
    pub nav_programs: &'static str,
    pub nav_partners: &'static str,
    pub switch_language: &'static str,
    pub signed_in_as: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub user_name: &'static str,
    pub password: &'static str,
    pub sign_in_failed: &'static str,
    /// "Too many failed sign-ins: wait" … seconds … "and try again".
    pub sign_in_wait: (&'static str, &'static str),
    pub sign_in_busy: &'static str,
    pub cannot_read: &'static str,
    pub ledger_size: &'static str,
    pub events_unit: &'static str,
    pub spiral_title: &'static str,
    pub spiral_label: &'static str,
    pub legend: &'static str,
    pub legend_pillars: &'static str,
    pub legend_stages: &'static str,
    pub lineage_link: &'static str,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    pub zoom_reset: &'static str,
    pub pan_left: &'static str,
    pub pan_right: &'static str,
    pub pan_up: &'static str,
    pub pan_down: &'static str,
    pub live: &'static str,
    pub offline: &'static str,
    pub loading: &'static str,
    pub playback: &'static str,
    pub playback_effective: &'static str,
    pub playback_recorded: &'static str,
    pub playback_date: &'static str,
    pub playback_position: &'static str,
    pub playback_now: &'static str,
    pub play: &'static str,
    pub pause: &'static str,
    pub showing_as_of: &'static str,
    pub showing_recorded_by: &'static str,
    pub showing_everything: &'static str,
    pub programs_title: &'static str,
    pub program: &'static str,
    pub pillar: &'static str,
    pub beneficiaries: &'static str,
    pub stage: &'static str,
    pub partner: &'static str,
    pub fiscal_year: &'static str,
    pub status: &'static str,
    pub active: &'static str,
    pub ended: &'static str,
    pub all: &'static str,
    pub launched: &'static str,
    pub concluded: &'static str,
    pub none: &'static str,
    pub no_match: &'static str,
    pub contracts: &'static str,
    pub commissioners: &'static str,
    pub scheme: &'static str,
    pub amount: &'static str,
    pub renewal: &'static str,
    pub lineage: &'static str,
    pub parent_program: &'static str,
    pub spin_offs: &'static str,
    pub activities: &'static str,
    pub history: &'static str,
    pub effective_date: &'static str,
    pub recorded_at: &'static str,
    pub actor: &'static str,
    pub event: &'static str,
    pub reason: &'static str,
    pub not_found: &'static str,
    pub partners_title: &'static str,
    pub kind: &'static str,
    pub names_through_time: &'static str,
    pub from_date: &'static str,
    pub departments: &'static str,
    pub belongs_to: &'static str,
    pub merged_into: &'static str,
    pub commissioned: &'static str,
    pub payments: &'static str,
    pub new_mark: &'static str,
    pub open: &'static str,
    pub detail_hint: &'static str,
    pub nav_record: &'static str,
    pub record_title: &'static str,
    pub correct_title: &'static str,
    pub retract_title: &'static str,
    pub event_kind: &'static str,
    pub submit: &'static str,
    pub sending: &'static str,
    pub recorded: &'static str,
    pub conflict: &'static str,
    pub retry: &'static str,
    pub submit_offline: &'static str,
    pub payer_kind: &'static str,
    pub payer_partner: &'static str,
    pub payer_donor: &'static str,
    pub payer_anonymous: &'static str,
    pub cannot_record: &'static str,
    pub correct: &'static str,
    pub retract: &'static str,
    pub new_partner: &'static str,
    pub register_partner: &'static str,
    pub registered: &'static str,
    pub nav_reports: &'static str,
    /// The donors' desk and the desk of 受領証明書: server-rendered pages outside the app.
    pub nav_donors: &'static str,
    pub nav_receipts: &'static str,
    pub reports_title: &'static str,
    pub report_from: &'static str,
    pub report_to: &'static str,
    pub report_by_successor: &'static str,
    pub report_print: &'static str,
    /// The link to the public support test's page (rendered by the server).
    pub report_pst: &'static str,
    /// The report as an Excel workbook, and as CSV.
    pub report_xlsx: &'static str,
    pub report_csv: &'static str,
    pub report_bad_year: &'static str,
    pub report_total: &'static str,
    pub report_by_category: &'static str,
    pub report_category: &'static str,
    pub report_carried: &'static str,
    pub report_by_funder: &'static str,
    pub report_contracts: &'static str,
    pub report_contract_count: &'static str,
    pub report_contract_years: &'static str,
    pub report_rules: &'static str,
    pub report_chart_categories: &'static str,
    pub report_chart_funders: &'static str,
    pub report_events_behind: &'static str,
    pub report_close: &'static str,
    pub report_subject: &'static str,
    pub nav_audit: &'static str,
    pub cannot_audit: &'static str,
    /// Shown while the log downloads and replays on a first visit (with a progress bar).
    pub loading_log: &'static str,
    pub audit_title: &'static str,
    pub audit_matching: &'static str,
    pub audit_shown: &'static str,
    pub audit_subject: &'static str,
    pub audit_recorded_from: &'static str,
    pub audit_recorded_to: &'static str,
    pub audit_effective_from: &'static str,
    pub audit_effective_to: &'static str,
    pub audit_amendments: &'static str,
    pub audit_amended: &'static str,
    pub audit_checkpoint: &'static str,
    pub audit_verify: &'static str,
    pub audit_verify_hint: &'static str,
    pub audit_valid: &'static str,
    pub audit_verify_failed: &'static str,
    pub audit_pinned_key: &'static str,
    pub audit_signed: &'static str,
    pub audit_unsigned: &'static str,
    pub audit_bad_signature: &'static str,
    pub audit_other_key: &'static str,
}

pub const JA: Text = Text {
    app_name: "Spiral",
    nav_label: "メニュー",
    nav_spiral: "スパイラル",
    nav_programs: "事業",
    nav_partners: "相手先",
    switch_language: "English",
    signed_in_as: "ログイン中",
    sign_in: "ログイン",
    sign_out: "ログアウト",
    user_name: "ユーザー名",
    password: "パスワード",
    sign_in_failed: "ユーザー名またはパスワードが正しくありません。",
    sign_in_wait: ("サインインの失敗が続いています。", "秒ほど待ってから再度お試しください。"),
    sign_in_busy: "サーバーが混み合っています。しばらくしてから再度お試しください。",
    cannot_read: "この役割では台帳を閲覧できません。",
    ledger_size: "台帳には",
    events_unit: "件のイベントが記録されています。",
    spiral_title: "活動のスパイラル",
    spiral_label: "年度ごとに一周するスパイラル。印は活動、色は柱、形は段階を表します。",
    legend: "凡例",
    legend_pillars: "柱（色）",
    legend_stages: "段階（形）",
    lineage_link: "派生（⇒）",
    zoom_in: "拡大",
    zoom_out: "縮小",
    zoom_reset: "全体",
    pan_left: "左へ移動",
    pan_right: "右へ移動",
    pan_up: "上へ移動",
    pan_down: "下へ移動",
    live: "ライブ更新中",
    offline: "接続が切れています。再接続を試みています。",
    loading: "台帳を読み込んでいます…",
    playback: "再生",
    playback_effective: "発効日で見る",
    playback_recorded: "記録時点で見る",
    playback_date: "日付",
    playback_position: "記録順",
    playback_now: "現在",
    play: "再生",
    pause: "一時停止",
    showing_as_of: "この日付時点の台帳",
    showing_recorded_by: "この時刻までに記録された台帳",
    showing_everything: "現在の台帳",
    programs_title: "事業",
    program: "事業",
    pillar: "柱",
    beneficiaries: "対象",
    stage: "段階",
    partner: "相手先",
    fiscal_year: "年度",
    status: "状態",
    active: "実施中",
    ended: "終了",
    all: "すべて",
    launched: "開始",
    concluded: "終了",
    none: "なし",
    no_match: "該当する事業はありません。",
    contracts: "受託（年度別）",
    commissioners: "委託元（当時の名称）",
    scheme: "制度",
    amount: "金額",
    renewal: "継続",
    lineage: "系譜",
    parent_program: "派生元",
    spin_offs: "派生した事業",
    activities: "会議・提言などの活動",
    history: "履歴",
    effective_date: "発効日",
    recorded_at: "記録日時",
    actor: "記録者",
    event: "出来事",
    reason: "理由",
    not_found: "見つかりません。",
    partners_title: "相手先",
    kind: "種別",
    names_through_time: "名称の変遷",
    from_date: "から",
    departments: "部署",
    belongs_to: "所属",
    merged_into: "統合先",
    commissioned: "委託した事業",
    payments: "入金",
    new_mark: "新着",
    open: "開く",
    detail_hint: "印にポインタを合わせるか Tab キーで選ぶと、ここに内容が表示されます。Enter で開きます。",
    nav_record: "記録",
    record_title: "出来事を記録する",
    correct_title: "記録を訂正する",
    retract_title: "記録を取り消す",
    event_kind: "出来事の種類",
    submit: "記録する",
    sending: "送信しています…",
    recorded: "記録しました",
    conflict: "他の人が同じ対象を先に変更しました。入力内容はそのままです。最新の状態で確認し直して送信できます。",
    retry: "最新の状態で確認して再送信",
    submit_offline: "サーバーに接続できませんでした。入力内容は保持されています。接続が戻ったら、もう一度送信してください。",
    payer_kind: "支払者の種類",
    payer_partner: "相手先",
    payer_donor: "寄付者",
    payer_anonymous: "匿名",
    cannot_record: "この役割では記録できません。",
    correct: "訂正",
    retract: "取消",
    new_partner: "一覧にない相手先を登録する",
    register_partner: "相手先を登録して選ぶ",
    registered: "登録しました:",
    nav_reports: "報告",
    nav_donors: "寄附者",
    nav_receipts: "受領証明書",
    reports_title: "資金の報告（年度別）",
    report_from: "開始年度",
    report_to: "終了年度",
    report_by_successor: "統合された助成元は統合先にまとめる",
    report_print: "印刷（A4）",
    report_pst: "パブリック・サポート・テスト",
    report_xlsx: "Excelで保存",
    report_csv: "CSVで保存",
    report_bad_year: "年度を西暦の数字で入力してください。",
    report_total: "合計",
    report_by_category: "活動計算書の区分別",
    report_category: "区分",
    report_carried: "前受助成金（年度末の残高）",
    report_by_funder: "助成元・支払者別",
    report_contracts: "委託元別の受託",
    report_contract_count: "契約件数",
    report_contract_years: "契約のあった年度数",
    report_rules: "この報告の計上ルール",
    report_chart_categories: "区分別の収益（年度ごと）",
    report_chart_funders: "助成元・支払者別の収益（上位10）",
    report_events_behind: "この数字のもとになった記録",
    report_close: "閉じる",
    report_subject: "対象",
    nav_audit: "監査",
    cannot_audit: "この画面は監査人だけが使えます。",
    loading_log: "台帳を読み込んでいます",
    audit_title: "監査：台帳の全記録",
    audit_matching: "件が該当",
    audit_shown: "件を表示",
    audit_subject: "対象（ストリーム）",
    audit_recorded_from: "記録日（から）",
    audit_recorded_to: "記録日（まで）",
    audit_effective_from: "発効日（から）",
    audit_effective_to: "発効日（まで）",
    audit_amendments: "訂正と取消（理由つき）",
    audit_amended: "訂正・取消された記録",
    audit_checkpoint: "チェックポイントと検証",
    audit_verify: "このブラウザで台帳を検証する",
    audit_verify_hint: "サーバーが署名した現在のチェックポイントを取得し、保存されたすべての記録のハッシュ連鎖とマークル根を、このブラウザの中で同じドメインのコードで確かめ、チェックポイントの署名を、別の経路で受け取った公開鍵（spiral key show）で確かめます。",
    audit_valid: "件の記録がチェックポイントと一致しました",
    audit_verify_failed: "検証できませんでした",
    audit_pinned_key: "信頼する公開鍵（spiral key show の64桁。一度入力するとこのブラウザに保存されます）",
    audit_signed: "チェックポイントの署名は信頼する鍵で検証できました。",
    audit_unsigned: "信頼する公開鍵が未入力のため、署名は確かめていません。",
    audit_bad_signature: "無効 — チェックポイントの署名が信頼する鍵で検証できません。改ざんされたか、別の鍵で署名されています。",
    audit_other_key: "無効 — チェックポイントは信頼する鍵とは別の鍵で署名されています。",
};

pub const EN: Text = Text {
    app_name: "Spiral",
    nav_label: "Menu",
    nav_spiral: "Spiral",
    nav_programs: "Programs",
    nav_partners: "Partners",
    switch_language: "日本語",
    signed_in_as: "Signed in as",
    sign_in: "Sign in",
    sign_out: "Sign out",
    user_name: "User name",
    password: "Password",
    sign_in_failed: "The user name or password is not correct.",
    sign_in_wait: ("Too many failed sign-ins. Please wait ", " seconds and try again."),
    sign_in_busy: "The server is busy. Please try again in a moment.",
    cannot_read: "This role may not read the ledger.",
    ledger_size: "The ledger holds ",
    events_unit: " events.",
    spiral_title: "The spiral of activities",
    spiral_label: "A spiral with one turn per fiscal year. Each mark is an activity: colour is its pillar, shape its stage.",
    legend: "Legend",
    legend_pillars: "Pillars (colour)",
    legend_stages: "Stages (shape)",
    lineage_link: "Spin-off (⇒)",
    zoom_in: "Zoom in",
    zoom_out: "Zoom out",
    zoom_reset: "Whole spiral",
    pan_left: "Move left",
    pan_right: "Move right",
    pan_up: "Move up",
    pan_down: "Move down",
    live: "Live",
    offline: "Connection lost. Trying to reconnect.",
    loading: "Loading the ledger…",
    playback: "Playback",
    playback_effective: "By effective date",
    playback_recorded: "As recorded by",
    playback_date: "Date",
    playback_position: "Recording order",
    playback_now: "Now",
    play: "Play",
    pause: "Pause",
    showing_as_of: "The ledger as it stood on this date",
    showing_recorded_by: "The ledger as recorded by this time",
    showing_everything: "The ledger today",
    programs_title: "Programs",
    program: "Program",
    pillar: "Pillar",
    beneficiaries: "Beneficiaries",
    stage: "Stage",
    partner: "Partner",
    fiscal_year: "Fiscal year",
    status: "Status",
    active: "Active",
    ended: "Ended",
    all: "All",
    launched: "Launched",
    concluded: "Concluded",
    none: "None",
    no_match: "No program matches.",
    contracts: "Contracts by fiscal year",
    commissioners: "Commissioned by (names of that year)",
    scheme: "Scheme",
    amount: "Amount",
    renewal: "Renewal",
    lineage: "Lineage",
    parent_program: "Spun off from",
    spin_offs: "Spin-offs",
    activities: "Meetings, proposals and other activities",
    history: "History",
    effective_date: "Effective",
    recorded_at: "Recorded",
    actor: "By",
    event: "Event",
    reason: "Reason",
    not_found: "Not found.",
    partners_title: "Partners",
    kind: "Kind",
    names_through_time: "Names through time",
    from_date: "from",
    departments: "Departments",
    belongs_to: "Part of",
    merged_into: "Merged into",
    commissioned: "Programs commissioned",
    payments: "Payments",
    new_mark: "New",
    open: "Open",
    detail_hint: "Point at a mark, or reach it with Tab, to see what it is here. Enter opens it.",
    nav_record: "Record",
    record_title: "Record an event",
    correct_title: "Correct a record",
    retract_title: "Retract a record",
    event_kind: "Kind of event",
    submit: "Record",
    sending: "Sending…",
    recorded: "Recorded",
    conflict: "Someone else changed the same subject first. What you typed is kept: check it against the latest state and send it again.",
    retry: "Check against the latest state and send again",
    submit_offline: "The server could not be reached. What you typed is kept; send it again when the connection is back.",
    payer_kind: "Kind of payer",
    payer_partner: "Partner",
    payer_donor: "Donor",
    payer_anonymous: "Anonymous",
    cannot_record: "This role may not record events.",
    correct: "Correct",
    retract: "Retract",
    new_partner: "Register a partner not in the list",
    register_partner: "Register and pick it",
    registered: "Registered:",
    nav_reports: "Reports",
    nav_donors: "Donors",
    nav_receipts: "Receipts",
    reports_title: "Funding reports by fiscal year",
    report_from: "From fiscal year",
    report_to: "To fiscal year",
    report_by_successor: "Group merged funders under their successor",
    report_print: "Print (A4)",
    report_pst: "Public support test",
    report_xlsx: "Save as Excel",
    report_csv: "Save as CSV",
    report_bad_year: "Enter fiscal years as numbers.",
    report_total: "Total",
    report_by_category: "By 活動計算書 category",
    report_category: "Category",
    report_carried: "Carried forward (前受助成金, year end)",
    report_by_funder: "By funder or payer",
    report_contracts: "Contracts by commissioner",
    report_contract_count: "Contracts",
    report_contract_years: "Fiscal years with a contract",
    report_rules: "How the figures are recognised",
    report_chart_categories: "Revenue by category per year",
    report_chart_funders: "Revenue by funder (top ten)",
    report_events_behind: "The records behind this figure",
    report_close: "Close",
    report_subject: "Subject",
    nav_audit: "Audit",
    cannot_audit: "Only auditors use this page.",
    loading_log: "Loading the ledger",
    audit_title: "Audit: every record in the ledger",
    audit_matching: " matching",
    audit_shown: " shown",
    audit_subject: "Subject (stream)",
    audit_recorded_from: "Recorded from",
    audit_recorded_to: "Recorded to",
    audit_effective_from: "Effective from",
    audit_effective_to: "Effective to",
    audit_amendments: "Corrections and retractions, with their reasons",
    audit_amended: "Record amended",
    audit_checkpoint: "Checkpoint and verification",
    audit_verify: "Verify the ledger in this browser",
    audit_verify_hint: "Fetches the current checkpoint the server signed, checks every stored record's hash chain and the Merkle root here with the same domain code, and checks the checkpoint's signature against the public key you received elsewhere (spiral key show).",
    audit_valid: " records match the checkpoint",
    audit_verify_failed: "Could not verify",
    audit_pinned_key: "Trusted public key (the 64 hex digits of spiral key show; kept in this browser once entered)",
    audit_signed: "The checkpoint's signature verifies with the trusted key.",
    audit_unsigned: "No trusted key entered, so the signature was not checked.",
    audit_bad_signature: "invalid — the checkpoint's signature does not verify with the trusted key: it was altered or signed by someone else.",
    audit_other_key: "invalid — the checkpoint is signed by a key other than the trusted one.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_years_show_wareki_beside_seireki_in_both_languages() {
        let fy = FiscalYear::new(2019).unwrap();
        assert_eq!(Lang::Ja.fiscal_year(fy), "2019年度（令和元年度）");
        assert_eq!(Lang::En.fiscal_year(fy), "FY2019 (令和元年度)");
    }

    #[test]
    fn dates_read_naturally_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2005, 4, 1).unwrap();
        assert_eq!(Lang::Ja.date(d), "2005年4月1日");
        assert_eq!(Lang::En.date(d), "1 Apr 2005");
    }

    #[test]
    fn dates_parse_by_hand() {
        assert_eq!(parse_date("2005-04-01"), Date::from_ymd(2005, 4, 1));
        assert_eq!(parse_date("1800-04-01"), None);
        assert_eq!(parse_date("2005-02-30"), None);
        assert_eq!(parse_date("昔"), None);
        let t: DateTime<Utc> = "2026-11-28T09:05:03Z".parse().unwrap();
        assert_eq!(Lang::Ja.recorded(t), "2026-11-28 09:05:03 UTC");
    }

    #[test]
    fn every_event_type_has_a_name_in_both_languages() {
        for kind in ["ContractAwarded", "RoundtableHeld", "FundsReceived", "Corrected"] {
            assert_ne!(Lang::Ja.event_kind(kind), "その他");
            assert_ne!(Lang::En.event_kind(kind), "Other");
        }
    }
}
