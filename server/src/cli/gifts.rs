//! `spiral import gifts FILE.csv`: prints what the file would record and records nothing;
//! with `--yes`, records exactly that, all of it or nothing.

use super::donors::cli_actor;
use super::{fail, print_out};
use crate::gift_import::{self, GiftImportError};
use crate::ledger::Ledger;
use crate::vault::Vault;
use domain::gift_import::{PlannedGiver, Preview};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

pub async fn run(ledger: &Ledger, vault: &Vault, file: &Path, yes: bool, json: bool) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return fail(format_args!("cannot read {}: {e}", file.display())),
    };
    let actor = cli_actor();
    let outcome = async {
        let (table, encoding) = gift_import::read_table(&bytes)?;
        let preview = gift_import::preview(ledger, vault, &table, &actor).await?;
        Ok::<_, GiftImportError>((preview, encoding))
    }
    .await;
    let (preview, encoding) = match outcome {
        Ok(p) => p,
        Err(e) => return refused(&e),
    };
    let shown = if json {
        match serde_json::to_string_pretty(&preview) {
            Ok(text) => print_out(&text),
            Err(e) => return fail(e),
        }
    } else {
        print_out(&describe(&preview, &file.display().to_string(), encoding.label()))
    };
    if !yes || shown != ExitCode::SUCCESS {
        if !preview.can_record() {
            return ExitCode::from(2);
        }
        return shown;
    }
    match gift_import::record(ledger, vault, &preview, &actor).await {
        Ok(done) => {
            eprintln!(
                "recorded {} gifts and {} new donors ({} events) / {}件の寄附と{}人の新しい寄附者を記録しました",
                done.gifts, done.new_donors, done.events, done.gifts, done.new_donors
            );
            ExitCode::SUCCESS
        }
        Err(e) => refused(&e),
    }
}

fn refused(e: &GiftImportError) -> ExitCode {
    fail(format_args!(
        "nothing recorded: {e}\n       何も記録していません: {}",
        e.ja()
    ))
}

/// The preview for a person at a terminal, in both languages.
fn describe(p: &Preview, file: &str, encoding: &str) -> String {
    let mut out = String::new();
    let count = |f: fn(&PlannedGiver) -> bool| p.gifts.iter().filter(|g| f(&g.giver)).count();
    let _ = writeln!(out, "{file} ({encoding}): {} rows / {}行", p.rows, p.rows);
    if !p.ignored_columns.is_empty() {
        let _ = writeln!(
            out,
            "  columns not read / 読まない列: {}",
            p.ignored_columns.join(", ")
        );
    }
    let lines = [
        (
            count(|g| matches!(g, PlannedGiver::ById { .. })),
            "gifts from donors found by id",
            "寄附者IDで見つかった寄附者の寄附",
        ),
        (
            count(|g| matches!(g, PlannedGiver::ByNameAndAddress { .. })),
            "gifts from donors found by name and address",
            "氏名・住所で見つかった寄附者の寄附",
        ),
        (
            count(|g| matches!(g, PlannedGiver::New { .. })),
            "gifts from new donors",
            "新しい寄附者の寄附",
        ),
        (
            count(|g| matches!(g, PlannedGiver::Anonymous)),
            "anonymous gifts",
            "匿名の寄附",
        ),
        (
            p.duplicates.len(),
            "already recorded (skipped)",
            "記録済み（飛ばします）",
        ),
        (p.errors.len(), "rows with errors", "誤りのある行"),
    ];
    for (n, en, ja) in lines {
        let _ = writeln!(out, "  {n:>7}  {en} / {ja}");
    }
    let _ = writeln!(
        out,
        "  new donors / 新しい寄附者: {}; to record / 記録する額: {}",
        p.new_donors.len(),
        p.total()
    );
    for new in &p.new_donors {
        let lines: Vec<String> = new.lines.iter().map(u64::to_string).collect();
        let _ = writeln!(
            out,
            "  new donor {}: {} {} (line {})",
            new.donor,
            new.details.name(),
            new.details.postal_address(),
            lines.join(", ")
        );
    }
    for d in &p.duplicates {
        let _ = writeln!(
            out,
            "  line {}: already recorded / 記録済み: {} {}",
            d.line, d.on, d.amount
        );
    }
    for e in &p.errors {
        let column = e.column.map(|c| format!(" ({})", c.ja())).unwrap_or_default();
        let _ = writeln!(
            out,
            "  line {}{column}: {}\n      {}行目: {}",
            e.line, e.message, e.line, e.message_ja
        );
    }
    let _ = if p.can_record() {
        write!(
            out,
            "Nothing recorded yet: run again with --yes to record this. / まだ何も記録していません。--yes を付けて実行すると記録します。"
        )
    } else {
        write!(
            out,
            "Nothing can be recorded until every error is fixed. / 誤りをすべて直すまで何も記録できません。"
        )
    };
    out
}
