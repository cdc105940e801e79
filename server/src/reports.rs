//! Reports at the edge: project the ledger as of / as known at, hand it to the domain's report
//! functions, and write JSON or the CSV a Japanese Excel opens correctly (UTF-8 with BOM, CRLF,
//! Japanese headers).

use crate::ledger::Ledger;
use crate::store::StoreError;
use crate::workbook::Sheet;
use chrono::{DateTime, Utc};
use domain::fold_index::Needs;
use domain::ids::PartnerId;
use domain::report::activity_statement::{activity_statement, ActivityStatement};
use domain::report::donor_register::{DonorRegister, Listed};
use domain::report::funder::{funder_statement, FunderStatement, StatementError};
use domain::report::funding::{funding_summary, FundingSummary, ReportError};
use domain::report::pst::{public_support_test, PstOptions, PstReport};
use domain::report::track_record::{
    track_record as track_record_of, Selection, TrackRecord, TrackRecordError,
};
use domain::{FiscalYear, LedgerState, View};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ReportFailure {
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Pst(#[from] domain::report::pst::PstError),
    #[error(transparent)]
    TrackRecord(#[from] TrackRecordError),
    #[error(transparent)]
    Statement(#[from] StatementError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write CSV: {0}")]
    Csv(String),
    #[error("could not write the workbook: {0}")]
    Xlsx(String),
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
}

/// The reports as Excel workbooks: each table on a sheet of its own.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, ReportFailure> {
    crate::workbook::workbook(sheets).map_err(|e| ReportFailure::Xlsx(e.to_string()))
}

/// The funding summary's tables (the CSV's rows, split where the CSV's 集計区分 changes table):
/// revenue by year and section, the restricted funds, the contracts per commissioner.
pub fn funding_sheets(s: &FundingSummary) -> Vec<Sheet> {
    use crate::workbook::Kind::{Number, Text, Yen};
    let mut rows = funding_rows(s);
    let header = rows.remove(0);
    let (restricted, rest): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r[1].starts_with("使途制約"));
    let (commissioners, revenue): (Vec<_>, Vec<_>) =
        rest.into_iter().partition(|r| r[1].starts_with("委託元別"));
    let kinds = [Text, Text, Text, Text, Yen, Number, Text];
    vec![
        Sheet::uniform("収益", header.clone(), revenue, &kinds),
        Sheet::uniform("使途制約付き財源", header.clone(), restricted, &kinds),
        Sheet::uniform("委託元別", header, commissioners, &kinds),
    ]
}

/// The public support test's tables: the two criteria (yen for the relative one, donors for
/// the absolute one), the donor register, and the derivation.
pub fn pst_sheets(r: &PstReport) -> Vec<Sheet> {
    use crate::workbook::Kind::{Number, Text, Yen};
    let mut rows = pst_rows(r);
    let header = rows.remove(0);
    let mut sheets: Vec<Sheet> = Vec::new();
    for row in rows {
        let (name, kinds) = match row[0].as_str() {
            "相対値基準" | "実績判定期間" => ("判定", [Text, Text, Yen, Text]),
            "絶対値基準" | "正会員数" => ("判定", [Text, Text, Number, Text]),
            "寄附者名簿" => ("寄附者別", [Text, Text, Yen, Text]),
            _ => ("算出過程", [Text, Text, Text, Text]),
        };
        match sheets.iter_mut().find(|s| s.name == name) {
            Some(sheet) => {
                sheet.rows.push(row);
                sheet.kinds.push(kinds.to_vec());
            }
            None => sheets.push(Sheet {
                name: name.to_owned(),
                header: header.clone(),
                rows: vec![row],
                kinds: vec![kinds.to_vec()],
            }),
        }
    }
    sheets
}

/// The track record as one sheet: a program a row.
pub fn track_record_sheets(t: &TrackRecord) -> Vec<Sheet> {
    use crate::workbook::Kind::{Number, Text};
    let mut rows = t.rows();
    let header = rows.remove(0);
    let kinds = [Number, Text, Text, Text, Number, Number, Text, Text, Text];
    vec![Sheet::uniform("実績一覧", header, rows, &kinds)]
}

/// The 寄附者名簿 of `fiscal_year` from `state`, each donor's name and address read from the
/// vault for the register (every read logged under `actor`).
pub async fn donor_register(
    ledger: &crate::ledger::Ledger,
    vault: &crate::vault::Vault,
    state: &LedgerState,
    fiscal_year: domain::FiscalYear,
    actor: &str,
) -> Result<DonorRegister, ReportFailure> {
    let donors = registered_givers(state, fiscal_year);
    let mut listed = read_listed(ledger, vault, &donors, actor).await?;
    Ok(domain::report::donor_register::donor_register(
        state,
        fiscal_year,
        |d| listed.remove(d).unwrap_or(Listed::NotRecorded),
    ))
}

/// The 寄附者名簿 of `fiscal_year` from the live projection (no copy of it made), read by
/// `actor`: each listed donor's read logged. A donor who first gives between the vault's reads
/// and the fold is listed as not recorded; the next register lists them by name.
pub async fn live_donor_register(
    ledger: &crate::ledger::Ledger,
    vault: &crate::vault::Vault,
    fiscal_year: FiscalYear,
    actor: &str,
) -> Result<DonorRegister, ReportFailure> {
    ledger.catch_up().await?;
    let donors = ledger.read_state(|s| registered_givers(s, fiscal_year));
    let mut listed = read_listed(ledger, vault, &donors, actor).await?;
    Ok(ledger.read_state(|s| {
        domain::report::donor_register::donor_register(s, fiscal_year, |d| {
            listed.remove(d).unwrap_or(Listed::NotRecorded)
        })
    }))
}

/// The registered donors whose gifts the register of `fiscal_year` lists.
pub fn registered_givers(state: &LedgerState, fiscal_year: FiscalYear) -> Vec<domain::ids::DonorId> {
    let donors: std::collections::BTreeSet<&domain::ids::DonorId> = state
        .receipts
        .of_year(fiscal_year)
        .filter(|r| domain::personal::listed_in_register(r))
        .filter_map(|r| match &r.payer {
            domain::funds::Payer::Donor(d) => Some(d),
            _ => None,
        })
        .collect();
    donors.into_iter().cloned().collect()
}

/// What the vault holds of each of `donors`, read for the register (each read logged).
pub async fn read_listed(
    ledger: &crate::ledger::Ledger,
    vault: &crate::vault::Vault,
    donors: &[domain::ids::DonorId],
    actor: &str,
) -> Result<std::collections::HashMap<domain::ids::DonorId, Listed>, ReportFailure> {
    use crate::vault::{Held, Purpose};
    let held = vault
        .read_many(ledger.log(), donors, actor, Purpose::Register)
        .await?;
    Ok(held
        .into_iter()
        .map(|(donor, held)| {
            let entry = match held {
                Held::Recorded { details, .. } => Listed::of(&details),
                Held::NotRecorded => Listed::NotRecorded,
                // Purpose::Register reads a donor whose erasure waits: only an erased one is gone.
                Held::Erased | Held::UseStopped => Listed::Erased,
                Held::Unreadable => Listed::Unreadable,
            };
            (donor, entry)
        })
        .collect())
}

/// The 寄附者名簿 as one sheet.
pub fn donor_register_sheets(r: &DonorRegister) -> Vec<Sheet> {
    use crate::workbook::Kind::{Number, Text, Yen};
    let mut rows = r.rows();
    let header = rows.remove(0);
    let kinds = [Text, Text, Text, Yen, Text, Text, Number];
    vec![Sheet::uniform(
        &format!("寄附者名簿{}", r.fiscal_year.seireki()),
        header,
        rows,
        &kinds,
    )]
}

/// Answers `answer` from the projection as known at `known_at`, off the async workers. Now
/// (`None`) is the server's live projection, kept current, with no fold at all; an earlier time
/// is folded from the events the server holds in memory, only those `needs` asks for (a report
/// of some years needs no other year's plain receipts).
pub async fn from_projection<T: Send + 'static>(
    ledger: &Arc<Ledger>,
    known_at: Option<DateTime<Utc>>,
    needs: Needs,
    answer: impl FnOnce(&LedgerState) -> T + Send + 'static,
) -> Result<T, StoreError> {
    let work: Box<dyn FnOnce() -> T + Send> = match known_at {
        None => {
            ledger.catch_up().await?;
            let ledger = ledger.clone();
            Box::new(move || ledger.read_state(answer))
        }
        Some(known_at) => {
            let view = View {
                as_of: None,
                known_at: Some(known_at),
            };
            let (history, plan) = ledger.planned(view, &needs).await?;
            Box::new(move || {
                answer(&match plan {
                    Some(plan) => plan.replay(|position| history.get(position)),
                    None => LedgerState::replay(history.iter(), view),
                })
            })
        }
    };
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Corrupt {
            position: 0,
            reason: format!("the fold stopped: {e}"),
        })
}

pub async fn funding(
    ledger: &Arc<Ledger>,
    from: FiscalYear,
    to: FiscalYear,
    by_successor: bool,
    known_at: Option<DateTime<Utc>>,
) -> Result<FundingSummary, ReportFailure> {
    Ok(
        from_projection(ledger, known_at, Needs::years(from, to), move |s| {
            funding_summary(s, from, to, by_successor)
        })
        .await??,
    )
}

pub async fn pst(
    ledger: &Arc<Ledger>,
    from: FiscalYear,
    to: FiscalYear,
    options: PstOptions,
    known_at: Option<DateTime<Utc>>,
) -> Result<PstReport, ReportFailure> {
    let needs = Needs::years(from, to);
    Ok(from_projection(ledger, known_at, needs, move |s| {
        public_support_test(s, from, to, options)
    })
    .await??)
}

/// The track record (実績一覧) of the contracted programs, as known at `known_at`. It reads
/// programs, contracts and partners only: a fold as known at a time leaves every plain receipt
/// out.
pub async fn track_record(
    ledger: &Arc<Ledger>,
    selection: Selection,
    known_at: Option<DateTime<Utc>>,
) -> Result<TrackRecord, ReportFailure> {
    let needs = Needs::the_work();
    Ok(from_projection(ledger, known_at, needs, move |s| track_record_of(s, selection)).await??)
}

/// The statement for one funder (partner), as known at `known_at`: every receipt from it and
/// every contract it commissioned over the range, its restricted money year by year.
pub async fn funder(
    ledger: &Arc<Ledger>,
    partner: PartnerId,
    from: Option<FiscalYear>,
    to: Option<FiscalYear>,
    known_at: Option<DateTime<Utc>>,
) -> Result<FunderStatement, ReportFailure> {
    // Its receipts may be in any year (the range defaults to where they are): every event.
    let answer = move |s: &LedgerState| funder_statement(s, &partner, from, to);
    Ok(from_projection(ledger, known_at, Needs::Everything, answer).await??)
}

/// A report of several tables in one CSV: each under a row naming it, a blank row between.
fn tables_csv(tables: &[(&str, Vec<Vec<String>>)]) -> Result<Vec<u8>, ReportFailure> {
    let mut rows = Vec::new();
    for (i, (name, table)) in tables.iter().enumerate() {
        if i > 0 {
            rows.push(Vec::new());
        }
        rows.push(vec![format!("【{name}】")]);
        rows.extend(table.iter().cloned());
    }
    excel_csv(&rows)
}

/// A report of several tables as sheets, each table's first row its header.
fn tables_sheets<const N: usize>(
    tables: [(&str, Vec<Vec<String>>); N],
    kinds: [&[crate::workbook::Kind]; N],
) -> Vec<Sheet> {
    tables
        .into_iter()
        .zip(kinds)
        .map(|((name, mut rows), kinds)| {
            let header = if rows.is_empty() {
                Vec::new()
            } else {
                rows.remove(0)
            };
            Sheet::uniform(name, header, rows, kinds)
        })
        .collect()
}

/// The funder statement's tables in one CSV.
pub fn funder_csv(s: &FunderStatement) -> Result<Vec<u8>, ReportFailure> {
    tables_csv(&s.tables())
}

/// The funder statement's tables, a sheet each.
pub fn funder_sheets(s: &FunderStatement) -> Vec<Sheet> {
    use crate::workbook::Kind::{Number, Text, Yen};
    tables_sheets(
        s.tables(),
        [
            &[Number, Text, Text, Text, Yen, Text, Text, Text, Number],
            &[Number, Text, Text, Yen, Text, Text, Number],
            &[Number, Yen, Yen, Yen, Yen, Text],
        ],
    )
}

/// The revenue section of the 活動計算書 for `fiscal_year`, as known at `known_at`.
pub async fn activity(
    ledger: &Arc<Ledger>,
    fiscal_year: FiscalYear,
    known_at: Option<DateTime<Utc>>,
) -> Result<ActivityStatement, ReportFailure> {
    let needs = Needs::years(fiscal_year, fiscal_year);
    Ok(from_projection(ledger, known_at, needs, move |s| {
        activity_statement(s, fiscal_year)
    })
    .await??)
}

/// The 活動計算書's revenue and its note in one CSV.
pub fn activity_csv(s: &ActivityStatement) -> Result<Vec<u8>, ReportFailure> {
    tables_csv(&s.tables())
}

/// The 活動計算書's revenue and its note, a sheet each.
pub fn activity_sheets(s: &ActivityStatement) -> Vec<Sheet> {
    use crate::workbook::Kind::{Text, Yen};
    tables_sheets(
        s.tables(),
        [&[Text, Text, Yen, Text], &[Text, Yen, Yen, Yen, Yen, Text]],
    )
}

/// UTF-8 with a byte-order mark and CRLF line ends: what Excel on a Japanese PC reads as UTF-8.
pub fn excel_csv(rows: &[Vec<String>]) -> Result<Vec<u8>, ReportFailure> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        // Flexible: a CSV of several tables has rows of different lengths.
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        for row in rows {
            writer
                .write_record(row.iter().map(|cell| inert(cell).into_owned()))
                .map_err(|e| ReportFailure::Csv(e.to_string()))?;
        }
        writer.flush().map_err(|e| ReportFailure::Csv(e.to_string()))?;
    }
    Ok(out)
}

/// A cell Excel shows as text, never runs: one that would start a formula (`=`, `+`, `-`, `@`,
/// a tab or a carriage return — a partner named `=HYPERLINK(…)`) gets a leading apostrophe, as
/// OWASP advises. Whole numbers, negative ones included, stay numbers.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    let number = cell
        .strip_prefix('-')
        .unwrap_or(cell)
        .bytes()
        .all(|b| b.is_ascii_digit())
        && cell.len() > usize::from(cell.starts_with('-'));
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !number => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

fn positions(p: &[u64]) -> String {
    p.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")
}

/// The funding summary as one flat table: a row per figure, with the events behind it.
pub fn funding_rows(s: &FundingSummary) -> Vec<Vec<String>> {
    let mut rows = vec![[
        "年度",
        "集計区分",
        "キー",
        "項目",
        "金額（円）",
        "件数",
        "根拠イベント位置",
    ]
    .map(str::to_owned)
    .to_vec()];
    let mut money = |year: &str, section: &str, key: &str, label: &str, amount: i64, p: &[u64]| {
        rows.push(vec![
            year.to_owned(),
            section.to_owned(),
            key.to_owned(),
            label.to_owned(),
            amount.to_string(),
            String::new(),
            positions(p),
        ]);
    };
    for y in &s.years {
        let year = y.label.as_str();
        money(year, "合計", "total", "経常収益計", y.total.value(), &[]);
        for (section, lines) in [
            ("活動計算書区分", &y.by_category),
            ("財源別", &y.by_funder),
            ("柱別", &y.by_pillar),
            ("受益者別", &y.by_beneficiary),
            ("事業別", &y.by_program),
        ] {
            for l in lines {
                money(year, section, &l.key, &l.label, l.amount.value(), &l.positions);
            }
        }
        money(
            year,
            "前受助成金（年度末）",
            "carried_forward",
            "前受助成金",
            y.carried_forward.value(),
            &[],
        );
        for r in &y.restricted {
            for (section, amount) in [
                ("使途制約・期首残高", r.opening),
                ("使途制約・当期増加額", r.increase),
                ("使途制約・当期減少額", r.decrease),
                ("使途制約・期末残高", r.closing),
            ] {
                money(year, section, &r.key, &r.label, amount.value(), &r.positions);
            }
        }
    }
    let range = format!("{}–{}", s.from.seireki(), s.to.seireki());
    for c in &s.commissioners {
        rows.push(vec![
            range.clone(),
            "委託元別 契約件数".into(),
            c.key.clone(),
            c.names.join(" → "),
            String::new(),
            c.contracts.to_string(),
            positions(&c.positions),
        ]);
        rows.push(vec![
            range.clone(),
            "委託元別 契約年度数".into(),
            c.key.clone(),
            c.names.join(" → "),
            String::new(),
            c.fiscal_years.to_string(),
            positions(&c.positions),
        ]);
    }
    rows
}

fn verdict(passes: bool) -> String {
    if passes {
        "基準を満たす"
    } else {
        "基準を満たさない"
    }
    .to_owned()
}

/// The public support test as one table: both criteria, the donor register and the derivation.
pub fn pst_rows(r: &PstReport) -> Vec<Vec<String>> {
    let mut rows = vec![["区分", "項目", "値", "根拠イベント位置"]
        .map(str::to_owned)
        .to_vec()];
    let mut row = |section: &str, item: &str, value: String, p: &[u64]| {
        rows.push(vec![section.to_owned(), item.to_owned(), value, positions(p)]);
    };
    let period = format!(
        "{}–{}（{}か月）",
        r.period.from.seireki(),
        r.period.to.seireki(),
        r.period.months
    );
    row("実績判定期間", "期間", period, &[]);
    let rel = &r.relative;
    row(
        "相対値基準",
        "経常収益",
        rel.ordinary_revenue.value().to_string(),
        &[],
    );
    for g in &rel.government_excluded {
        let item = format!(
            "控除: 国・地方公共団体からの{} {} ({})",
            g.kind.ja(),
            g.receipt,
            g.payer
        );
        row("相対値基準", &item, g.amount.value().to_string(), &[g.position]);
    }
    row(
        "相対値基準",
        "控除: 国・地方公共団体からの補助金・委託料 計",
        rel.government_total.value().to_string(),
        &[],
    );
    row(
        "相対値基準",
        "受入寄附金総額",
        rel.total_donations.value().to_string(),
        &[],
    );
    row(
        "相対値基準",
        "除外: 匿名の寄附",
        rel.anonymous_excluded.value().to_string(),
        &[],
    );
    for d in &rel.small_donors_excluded {
        row(
            "相対値基準",
            &format!("除外: 1,000円未満の寄附者 {}", d.donor),
            d.total.value().to_string(),
            &[],
        );
    }
    row(
        "相対値基準",
        "分子・分母から除外した寄附 計",
        rel.left_out_total.value().to_string(),
        &[],
    );
    row(
        "相対値基準",
        "限度額（受入寄附金総額の10%）",
        rel.limit.value().to_string(),
        &[],
    );
    row(
        "相対値基準",
        "限度額（認定NPO法人等: 50%）",
        rel.limit_certified.value().to_string(),
        &[],
    );
    for e in &rel.excess_over_limit {
        row(
            "相対値基準",
            &format!("分子から除外: 限度超過額 {}", e.donor),
            e.excess.value().to_string(),
            &[],
        );
    }
    let dues = &r.dues;
    let chosen = |yes: bool| if yes { "選択" } else { "選択なし" };
    row(
        "相対値基準",
        &format!(
            "賛助会費（寄附金に含める: {}）",
            chosen(r.options.supporting_dues_as_donations)
        ),
        dues.supporting_dues.value().to_string(),
        &[],
    );
    row(
        "相対値基準",
        "正会員会費",
        dues.member_dues.value().to_string(),
        &[],
    );
    for y in &dues.members {
        row(
            "正会員数",
            &format!("{} 会費を納めた正会員", y.fiscal_year.seireki()),
            y.members.to_string(),
            &[],
        );
    }
    row(
        "相対値基準",
        &format!(
            "加算: 正会員会費（{}。各年度20人以上: {}）",
            chosen(r.options.add_member_dues),
            if dues.members_enough {
                "はい"
            } else {
                "いいえ"
            }
        ),
        rel.member_dues_added.value().to_string(),
        &[],
    );
    row(
        "相対値基準",
        "分子（寄附金）",
        rel.numerator.value().to_string(),
        &[],
    );
    row(
        "相対値基準",
        "分母（経常収益）",
        rel.denominator.value().to_string(),
        &[],
    );
    row(
        "相対値基準",
        "割合",
        rel.percent.clone().unwrap_or_else(|| "算出不能".into()),
        &[],
    );
    row("相対値基準", "判定（1/5以上）", verdict(rel.passes), &[]);
    let abs = &r.absolute;
    for y in &abs.years {
        row(
            "絶対値基準",
            &format!("{} 3,000円以上の寄附者数", y.fiscal_year.seireki()),
            y.count.to_string(),
            &[],
        );
    }
    row("絶対値基準", "寄附者数の合計", abs.sum.to_string(), &[]);
    row(
        "絶対値基準",
        "年平均（合計×12÷月数）",
        abs.average_text.clone(),
        &[],
    );
    row("絶対値基準", "判定（年平均100人以上）", verdict(abs.passes), &[]);
    for d in &r.register {
        let years: Vec<String> = d
            .per_year
            .iter()
            .map(|y| format!("{}: {}", y.fiscal_year.seireki(), y.amount.value()))
            .collect();
        let item = format!("{} ({})", d.donor, years.join(", "));
        row("寄附者名簿", &item, d.total.value().to_string(), &d.positions);
    }
    for (i, line) in r.derivation.iter().enumerate() {
        row("算出過程", &(i + 1).to_string(), line.clone(), &[]);
    }
    rows
}

/// The audit report with signed checkpoints over the ledger as it stood at the period's start
/// and end.
#[derive(Debug, serde::Serialize)]
pub struct AuditOutput {
    #[serde(flatten)]
    pub report: domain::report::audit::AuditReport,
    pub checkpoint_at_start: String,
    pub checkpoint_at_end: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditReportFailure {
    #[error(transparent)]
    Report(#[from] domain::report::audit::AuditReportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Proof(#[from] domain::merkle::ProofError),
    #[error(transparent)]
    Refused(#[from] crate::signer::SignError),
}

pub async fn audit(
    ledger: &Ledger,
    signer: &crate::signer::Signer,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    late_after_days: i64,
) -> Result<AuditOutput, AuditReportFailure> {
    // The checkpoints vouch for the ledger: only once it verifies and extends what was signed.
    let tree = signer.verified_tree(ledger.log()).await?;
    let events = ledger.history().await?.to_vec_until(u64::MAX);
    let report = domain::report::audit::audit_report(&events, from, to, late_after_days)?;
    let sign = |size: u64| -> Result<String, domain::merkle::ProofError> {
        Ok(signer.sign_prefix(&tree, size)?.to_text())
    };
    Ok(AuditOutput {
        checkpoint_at_start: sign(report.size_at_start)?,
        checkpoint_at_end: sign(report.size_at_end)?,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(
            inert("=HYPERLINK(\"http://evil.example\")"),
            "'=HYPERLINK(\"http://evil.example\")"
        );
        for bad in ["+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-"] {
            assert!(inert(bad).starts_with('\''), "{bad}");
        }
        for kept in ["-5000", "1200000", "浜松市", "", "2013年度"] {
            assert_eq!(inert(kept), kept);
        }
    }
}
