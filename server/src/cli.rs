//! The `spiral` command line. Each verb is a thin shell over the library: parse, call, print.
//! Exit codes: 0 success, 1 the ledger failed verification, 2 anything else went wrong.

mod donors;
mod gifts;
mod organisation;
mod receipts;

use crate::interchange;
use crate::ledger::Ledger;
use crate::people::{People, Role};
use crate::signer::Signer;
use crate::store::EventLog;
use crate::verify::verify;
use crate::web;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use clap::{Parser, Subcommand};
use domain::fold_index::Needs;
use domain::report::activity_statement::activity_statement;
use domain::report::funder::funder_statement;
use domain::report::funding::funding_summary;
use domain::report::pst::{public_support_test, PstOptions};
use domain::report::track_record::{track_record, Selection};
use domain::{FiscalYear, LedgerState, View};
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "spiral",
    version,
    // A later --database-url or --key-file wins, as it does for environment variables.
    args_override_self = true,
    about = "Spiral: the append-only ledger of an intermediary support NPO's work"
)]
pub struct Cli {
    /// Where the ledger is: sqlite:PATH (created on first use) or postgres://USER@HOST/DB
    #[arg(
        long,
        global = true,
        env = "SPIRAL_DATABASE_URL",
        default_value = "sqlite:spiral.db"
    )]
    pub database_url: String,
    /// The server's Ed25519 signing key for checkpoints (created on first use, owner-only)
    #[arg(
        long,
        global = true,
        env = "SPIRAL_KEY_FILE",
        default_value = "spiral-signing.key"
    )]
    pub key_file: std::path::PathBuf,
    /// The donor vault's master key, which seals donors' personal details (created on first
    /// use, owner-only). Keep it apart from the database and its backups: without it no name
    /// or address in the vault can be read
    #[arg(
        long,
        global = true,
        env = "SPIRAL_VAULT_KEY_FILE",
        default_value = crate::vault::DEFAULT_KEY_FILE
    )]
    pub vault_key_file: std::path::PathBuf,
    /// How log lines (on stderr) are written: text for people, json (one object per line) for
    /// a log collector
    #[arg(long, global = true, env = "SPIRAL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// `state` and `report` keep a signed projection snapshot in the database once they have
    /// folded this many events beyond the last one, so the next run folds only what came after
    /// it (0: never keep one). Needs the key file; without one everything is folded each time
    #[arg(long, global = true, env = "SPIRAL_SNAPSHOT_AFTER", default_value_t = crate::snapshots::REFRESH_AFTER)]
    pub snapshot_after: u64,
    #[command(subcommand)]
    pub verb: Verb,
}

#[derive(Subcommand, Debug)]
pub enum ImportKind {
    /// Gifts from a CSV file (UTF-8 with or without BOM, or Shift_JIS) with a header row:
    /// 受領日, 金額 and any of 氏名, フリガナ, 郵便番号, 住所, 種別, 寄附者ID (or their English
    /// names). Prints what would be recorded — donors matched or new, gifts already recorded,
    /// errors by line — and records nothing unless --yes is given
    Gifts {
        /// The CSV file
        file: std::path::PathBuf,
        /// Record what the preview shows (all of it, or nothing if any row has an error)
        #[arg(long)]
        yes: bool,
        /// Print the preview as JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum Verb {
    /// Record the seed's history (N-Pocket's commissioned work) through the ordinary commands.
    /// Running it again records nothing new.
    Demo {
        /// Record instead a fictional NPO whose history exercises every page (all pillars and
        /// stages, money of every kind, donors, restricted grants, corrections)
        #[arg(long)]
        example: bool,
        /// With --example: about this many events, mostly receipts over 25 fiscal years, built
        /// in memory and imported (the ledger must be empty), e.g. 200000 for a ledger at real size
        #[arg(long, requires = "example")]
        events: Option<usize>,
    },
    /// Write every event as JSON Lines to stdout, in global order (docs/interchange.md).
    Export,
    /// Read an export into an empty ledger (any bad line imports nothing); or `import gifts
    /// FILE.csv`, gifts from a bank's or platform's CSV.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Import {
        /// The JSON Lines file to read
        #[arg(required = true)]
        file: Option<std::path::PathBuf>,
        #[command(subcommand)]
        what: Option<ImportKind>,
    },
    /// Re-read the whole ledger and check positions and the hash chain.
    Verify,
    /// Copy the SQLite ledger to FILE while it is in use (a consistent snapshot), then verify
    /// the copy. On PostgreSQL: pg_dump (docs/operations.md).
    Backup { file: std::path::PathBuf },
    /// Put the backup FILE in place as the ledger --database-url names (a SQLite file that must
    /// not exist yet), once its chain verifies, the checkpoints kept in it match its events, and
    /// it holds everything up to the last checkpoint this server's key signed.
    Restore { file: std::path::PathBuf },
    /// Print the projected state as JSON: as it stood on an effective date, counting only what
    /// had been recorded by a given time.
    State {
        /// Effective date (YYYY-MM-DD): facts that took effect later are left out
        #[arg(long)]
        as_of: Option<domain::Date>,
        /// Recorded time (RFC 3339, e.g. 2026-11-28T09:00:00Z, or a date meaning the end of
        /// that day UTC): events recorded later are left out
        #[arg(long, value_parser = parse_known_at)]
        known_at: Option<DateTime<Utc>>,
        /// Only this part, a page at a time (as `GET /api/state?part=`): programs, partners,
        /// activities, receipts, donors, timeline or money
        #[arg(long)]
        part: Option<domain::state_page::Part>,
        /// With --part: only what falls in this fiscal year
        #[arg(long, requires = "part", value_parser = parse_fiscal_year)]
        fiscal_year: Option<FiscalYear>,
        /// With --part: only what belongs to this program
        #[arg(long, requires = "part", value_parser = parse_program)]
        program: Option<domain::ids::ProgramId>,
        /// With --part: the page after this one (the previous page's next_after)
        #[arg(long, requires = "part")]
        after: Option<String>,
        /// With --part: items per page, 1 to 10000 (1000 unless given)
        #[arg(long, requires = "part")]
        limit: Option<usize>,
    },
    /// The checkpoint signing key.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Sign and print a checkpoint of the ledger as it is now (size, Merkle root, time), to save
    /// or publish elsewhere.
    Checkpoint,
    /// Prove, against a fresh checkpoint, that an event is in the ledger or that an older
    /// ledger is a prefix of today's.
    Prove {
        #[command(subcommand)]
        proof: ProofKind,
    },
    /// Check a saved checkpoint and an export with nothing but the trusted public key: no
    /// database access.
    Audit {
        /// A checkpoint saved earlier (`spiral checkpoint > checkpoint.txt`)
        #[arg(long)]
        checkpoint: std::path::PathBuf,
        /// The public key the auditor trusts (64 hex digits, from `spiral key show`)
        #[arg(long)]
        public_key: String,
        /// An export (`spiral export > ledger.jsonl`)
        #[arg(long, required_unless_present = "url", conflicts_with = "url")]
        export: Option<std::path::PathBuf>,
        /// A running server to read the live ledger from instead (http://HOST:PORT)
        #[arg(long, requires = "user")]
        url: Option<String>,
        /// The account to sign in with at --url (an auditor; the password is read from stdin)
        #[arg(long, requires = "url")]
        user: Option<String>,
    },
    /// Reports for grant reporters: the funding summary and the public support test.
    Report {
        /// Write the report to this file instead of standard output (an .xlsx workbook, say)
        #[arg(long, global = true)]
        output: Option<std::path::PathBuf>,
        #[command(subcommand)]
        report: ReportKind,
    },
    /// Donors' personal details (氏名, フリガナ, 郵便番号, 住所), sealed in the vault beside the
    /// ledger, never in it; and their erasure on request.
    Donors {
        #[command(subcommand)]
        action: donors::DonorAction,
    },
    /// The NPO's own profile (名称, 所在地, 認定番号, 認定年月日), recorded in the ledger from
    /// the day it takes effect.
    Organisation {
        #[command(subcommand)]
        action: organisation::OrganisationAction,
    },
    /// 寄附金受領証明書: what is due, issuing, voiding and reissuing, the list issued.
    Receipts {
        #[command(subcommand)]
        action: receipts::ReceiptsAction,
    },
    /// Manage the people who may sign in.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Start the web server.
    Serve {
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// Record the seed's history first (as `spiral demo` does)
        #[arg(long)]
        demo: bool,
        /// The address people reach Spiral at, e.g. https://spiral.example.org. With https,
        /// cookies are Secure and __Host- prefixed, HSTS is sent, and state-changing requests
        /// must come from exactly this origin
        #[arg(long, env = "SPIRAL_PUBLIC_URL", value_parser = parse_public_url)]
        public_url: Option<String>,
        /// A reverse proxy on this machine forwards requests (TLS ends there): take the client's
        /// address from the last X-Forwarded-For entry, for the sign-in limiter
        #[arg(long, env = "SPIRAL_BEHIND_PROXY")]
        behind_proxy: bool,
        /// Sign and keep a checkpoint this often, in seconds
        #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
        checkpoint_every: u64,
        /// Events per chunk of the log browsers download and keep (each full chunk is cached
        /// by its address forever; the rest is fetched as a tail)
        #[arg(long, default_value_t = domain::log_chunks::DEFAULT_CHUNK_EVENTS,
              value_parser = clap::value_parser!(u64).range(1..=domain::log_chunks::MAX_CHUNK_EVENTS))]
        log_chunk_events: u64,
        /// Requests answered at once; more get a 503 at once (so a flood queues nothing)
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65_536))]
        max_in_flight: u32,
        /// Seconds a request may take to its answer before it gets a 503 (live streams run on)
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3_600))]
        request_timeout: u64,
        /// Look for commits made by other processes this often, in seconds (on PostgreSQL other
        /// servers' commits wake this one at once; this is the fallback)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=3_600))]
        poll_every: u64,
        /// Serve /metrics (Prometheus) on this address of its own instead of the main one
        #[arg(long, env = "SPIRAL_METRICS_ADDR")]
        metrics_addr: Option<std::net::SocketAddr>,
        /// Remove expired sessions from the database this often, in seconds
        #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        purge_sessions_every: u64,
        /// Connections open at once; more are closed as they arrive
        #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=65_536))]
        max_connections: u32,
        /// Live streams open at once, from everyone (each session may hold 8)
        #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=65_536))]
        max_streams: u32,
        /// Answers that read the whole ledger (as-of state, reports, verification, proofs)
        /// computed at once; more get a 503
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
        max_ledger_reads: u32,
    },
}

fn parse_public_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| format!("{text:?}: give the URL with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains(['@', ' ', '\\']) {
        return Err(format!("{text:?} has no usable host"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

#[derive(Subcommand, Debug)]
pub enum KeyAction {
    /// Print the public key (64 hex digits) that verifies this server's checkpoints.
    Show,
}

#[derive(Subcommand, Debug)]
pub enum ProofKind {
    /// An inclusion proof for the event at POSITION.
    Event { position: u64 },
    /// A consistency proof from the ledger of OLD_SIZE events to today's.
    Consistency { old_size: u64 },
}

#[derive(Subcommand, Debug)]
pub enum ReportKind {
    /// Revenue by 活動計算書 category, funder, pillar, beneficiary group and program for a fiscal
    /// year or a range; the restricted-funds table; contracts per commissioner.
    Funding {
        /// The first (or only) fiscal year, e.g. 2013 for 2013年度
        #[arg(long)]
        fiscal_year: i32,
        /// The last fiscal year of a range
        #[arg(long)]
        to: Option<i32>,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Report funders that were merged under their current successor
        #[arg(long)]
        by_successor: bool,
        /// Reproduce the report as the ledger stood at this recorded time
        #[arg(long, value_parser = parse_known_at)]
        known_at: Option<DateTime<Utc>>,
    },
    /// For auditors: what was recorded in a period, by whom; corrections and retractions with
    /// their reasons; late entries; signed checkpoints at the period's start and end.
    Audit {
        /// First day of the recorded period (YYYY-MM-DD, UTC)
        #[arg(long)]
        from: NaiveDate,
        /// Last day of the recorded period (YYYY-MM-DD, UTC)
        #[arg(long)]
        to: NaiveDate,
        /// An entry recorded more than this many days after it took effect is "late"
        #[arg(long, default_value_t = 365)]
        late_after_days: i64,
    },
    /// The public support test (パブリック・サポート・テスト) over an assessment period.
    Pst {
        /// Fiscal years FROM-TO, e.g. 2019-2023 (at most 5)
        #[arg(long, value_parser = domain::fiscal_year::parse_period)]
        period: (FiscalYear, FiscalYear),
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Reproduce the report as the ledger stood at this recorded time
        #[arg(long, value_parser = parse_known_at)]
        known_at: Option<DateTime<Utc>>,
        /// Count supporting members' dues (賛助会費) as donations: they are voluntary and buy
        /// nothing
        #[arg(long)]
        supporting_dues_as_donations: bool,
        /// Add regular members' dues (正会員会費) to the numerator when every year has at least
        /// 20 regular members, up to the donations counted
        #[arg(long)]
        add_member_dues: bool,
    },
    /// The revenue section of the 活動計算書 (経常収益 by category and kind, 経常収益計) with its
    /// note of restricted funds (使途等が制約された寄付等の内訳), as it is printed.
    Activity {
        /// The fiscal year, e.g. 2014 for 2014年度
        #[arg(long)]
        fiscal_year: i32,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        /// Reproduce the statement as the ledger stood at this recorded time
        #[arg(long, value_parser = parse_known_at)]
        known_at: Option<DateTime<Utc>>,
    },
    /// The statement for one funder: every receipt from it and every contract it commissioned,
    /// under its name of each year, and its restricted money spent and left year by year.
    Funder {
        /// The partner's id (e.g. mirai-foundation)
        #[arg(long)]
        partner: String,
        /// The first fiscal year (default: the first with its money or a contract)
        #[arg(long)]
        from: Option<i32>,
        /// The last fiscal year (default: the last with its money or a contract)
        #[arg(long)]
        to: Option<i32>,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Reproduce the statement as the ledger stood at this recorded time
        #[arg(long, value_parser = parse_known_at)]
        known_at: Option<DateTime<Utc>>,
    },
    /// The 寄附者名簿: every gift of a fiscal year with the giver's 氏名(名称) and 住所 (read from
    /// the donor vault, each read logged), the amount and the day received.
    Donors {
        /// The fiscal year, e.g. 2024 for 2024年度
        #[arg(long)]
        fiscal_year: i32,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
    },
    /// The track record (実績一覧): contracted programs with their successors (⇒), fiscal
    /// years, commissioners under each name they had, and schemes, in the seed's own form.
    TrackRecord {
        /// Only programs of this pillar
        #[arg(long, value_enum)]
        pillar: Option<PillarArg>,
        /// Contracts from this fiscal year on
        #[arg(long)]
        from: Option<i32>,
        /// Contracts up to this fiscal year
        #[arg(long)]
        to: Option<i32>,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        /// Reproduce the list as the ledger stood at this recorded time
        #[arg(long, value_parser = parse_known_at)]
        known_at: Option<DateTime<Utc>>,
    },
}

/// The three pillars, as the command line names them.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PillarArg {
    /// 市民活動支援
    CivicSupport,
    /// 自主事業
    SelfInitiated,
    /// 行政との協働
    Collaboration,
}

impl From<PillarArg> for domain::program::Pillar {
    fn from(p: PillarArg) -> Self {
        match p {
            PillarArg::CivicSupport => domain::program::Pillar::CivicSupport,
            PillarArg::SelfInitiated => domain::program::Pillar::SelfInitiated,
            PillarArg::Collaboration => domain::program::Pillar::Collaboration,
        }
    }
}

/// How a list is written: as text people read, or as the reports' JSON and CSV.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    /// The list in the seed's own form
    Text,
    /// JSON (schema: /api/openapi.json)
    Json,
    /// CSV for Excel: UTF-8 with BOM, CRLF, Japanese headers
    Csv,
    /// An Excel workbook (with --output FILE, or standard output redirected to a file)
    Xlsx,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON (schema: docs/reports.md and /api/openapi.json)
    Json,
    /// CSV for Excel: UTF-8 with BOM, CRLF, Japanese headers
    Csv,
    /// An Excel workbook, one sheet per table, yen formatted ¥#,##0 (with --output FILE, or
    /// standard output redirected to a file)
    Xlsx,
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Add a user. The password is read from standard input (one line), never from an argument.
    Add {
        name: String,
        /// staff (records events), auditor (reads everything, verifies), reporter (reads
        /// projections and reports) or admin (manages people)
        #[arg(long)]
        role: Role,
    },
    /// List users with their roles.
    List,
    /// Disable a user: their sessions end at once and they can no longer sign in.
    Disable { name: String },
    /// Let a disabled user sign in again, with the password they had.
    Enable { name: String },
    /// Set a new password (read from standard input, one line); every session of the user ends.
    Passwd { name: String },
}

fn parse_fiscal_year(text: &str) -> Result<FiscalYear, String> {
    let year: i32 = text.parse().map_err(|_| format!("{text:?} is not a year"))?;
    FiscalYear::new(year).map_err(|e| e.to_string())
}

fn parse_program(text: &str) -> Result<domain::ids::ProgramId, String> {
    domain::ids::ProgramId::new(text).map_err(|e| e.to_string())
}

fn parse_known_at(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| {
            d.and_time(NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).expect("valid time"))
                .and_utc()
        })
        .map_err(|_| {
            format!("{text:?} is neither an RFC 3339 time (2026-11-28T09:00:00Z) nor a date (2026-11-28)")
        })
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Entry point of the `spiral` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(cli))
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

async fn run(cli: Cli) -> ExitCode {
    // The independent verifier never touches a database.
    if let Verb::Audit {
        checkpoint,
        public_key,
        export,
        url,
        user,
    } = &cli.verb
    {
        let source = match (export, url, user) {
            (Some(path), _, _) => AuditSource::Export(path),
            (None, Some(url), Some(user)) => AuditSource::Server { url, user },
            _ => return fail("give --export FILE, or --url URL with --user NAME"),
        };
        return audit_command(checkpoint, public_key, source);
    }
    // A restore creates its database; opening it first would make an empty one in the way.
    if let Verb::Restore { file } = &cli.verb {
        return restore_command(file, &cli.database_url, &cli.key_file).await;
    }
    let ledger = match Ledger::open(&cli.database_url).await {
        Ok(l) => l,
        Err(e) => {
            return fail(format_args!(
                "cannot open {}: {e}",
                crate::store::redacted(&cli.database_url)
            ))
        }
    };
    let code = match cli.verb {
        Verb::Demo {
            example: true,
            events,
        } => match crate::demo::load_example(&ledger, events).await {
            Ok(crate::demo::ExampleReport::Recorded(n)) => {
                println!("example: recorded {n} events of the fictional ひかり市民活動ネットワーク");
                ExitCode::SUCCESS
            }
            Ok(crate::demo::ExampleReport::AlreadyPresent) => {
                println!("example: already recorded; nothing new");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Verb::Demo { example: false, .. } => match crate::demo::load(&ledger).await {
            Ok(r) => {
                println!(
                    "demo: recorded {} events ({} already present)",
                    r.recorded, r.already_present
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Verb::Export => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            match interchange::export(ledger.log(), &mut out)
                .await
                .and_then(|_| Ok(out.flush()?))
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(interchange::ExportError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Verb::Import {
            what: Some(ImportKind::Gifts { file, yes, json }),
            ..
        } => match crate::vault::Vault::open(&cli.vault_key_file, ledger.log()) {
            Ok(vault) => gifts::run(&ledger, &vault, &file, yes, json).await,
            Err(e) => fail(e),
        },
        Verb::Import { file: None, .. } => fail("name the file to import"),
        Verb::Import { file: Some(file), .. } => match std::fs::read_to_string(&file) {
            Err(e) => fail(format_args!("cannot read {}: {e}", file.display())),
            Ok(text) => match interchange::import(ledger.log(), &text).await {
                Ok(n) => {
                    println!("imported {n} events");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format_args!("nothing imported: {e}")),
            },
        },
        Verb::Verify => verify_command(ledger.log(), &cli.key_file).await,
        Verb::State {
            as_of,
            known_at,
            part,
            fiscal_year,
            program,
            after,
            limit,
        } => {
            let narrowing = part.map(|part| domain::state_page::Narrowing {
                part,
                fiscal_year,
                program,
                after,
                limit,
            });
            match cold_state(
                &ledger,
                &cli.key_file,
                cli.snapshot_after,
                View { as_of, known_at },
                &Needs::of(narrowing.as_ref()),
            )
            .await
            {
                Ok(state) => {
                    let state = leave(state);
                    match narrowing {
                        None => print_json(state),
                        Some(narrowing) => match domain::state_page::page(state, &narrowing) {
                            Ok(page) => print_json(&page),
                            Err(e) => fail(e),
                        },
                    }
                }
                Err(e) => fail(e),
            }
        }
        Verb::Report { output, report } => {
            report_command(
                &ledger,
                Keys {
                    signing: &cli.key_file,
                    vault: &cli.vault_key_file,
                },
                cli.snapshot_after,
                report,
                output.as_deref(),
            )
            .await
        }
        Verb::Key {
            action: KeyAction::Show,
        } => match Signer::open(&cli.key_file) {
            Ok(signer) => print_out(&hex::encode(signer.public_key().to_bytes())),
            Err(e) => fail(e),
        },
        Verb::Checkpoint => match Signer::open(&cli.key_file) {
            Ok(signer) => match crate::audit::record_checkpoint(ledger.log(), &signer).await {
                Ok(cp) => print_out(cp.to_text().trim_end()),
                Err(e) => fail(e),
            },
            Err(e) => fail(e),
        },
        Verb::Prove { proof } => match Signer::open(&cli.key_file) {
            Ok(signer) => {
                let json = match proof {
                    ProofKind::Event { position } => {
                        crate::audit::prove_event(ledger.log(), &signer, position)
                            .await
                            .map(|p| serde_json::to_string_pretty(&p))
                    }
                    ProofKind::Consistency { old_size } => {
                        crate::audit::prove_consistency(ledger.log(), &signer, old_size)
                            .await
                            .map(|p| serde_json::to_string_pretty(&p))
                    }
                };
                match json {
                    Ok(Ok(text)) => print_out(&text),
                    Ok(Err(e)) => fail(e),
                    Err(e) => fail(e),
                }
            }
            Err(e) => fail(e),
        },
        Verb::Audit { .. } | Verb::Restore { .. } => {
            unreachable!("handled before the database is opened")
        }
        Verb::Backup { file } => match Signer::open(&cli.key_file) {
            Ok(signer) => match crate::backup::backup(ledger.log(), &file, &signer).await {
                Ok(v) => print_out(&format!(
                    "backed up {} events (head hash {}) to {}; the copy verifies{}",
                    v.events,
                    v.head,
                    file.display(),
                    kept_and_signed(&v)
                )),
                Err(e) => fail(e),
            },
            Err(e) => fail(e),
        },
        Verb::Organisation { action } => organisation::run(&ledger, action).await,
        Verb::Receipts { action } => {
            let state = cold_state(
                &ledger,
                &cli.key_file,
                cli.snapshot_after,
                View::everything(),
                &Needs::Everything,
            );
            receipts::run(&ledger, state, action).await
        }
        Verb::User { action } => user_command(People::new(ledger.log().pool().clone()), action).await,
        Verb::Donors { action } => match crate::vault::Vault::open(&cli.vault_key_file, ledger.log()) {
            Ok(vault) => {
                let state = cold_state(
                    &ledger,
                    &cli.key_file,
                    cli.snapshot_after,
                    View::everything(),
                    &Needs::Everything,
                );
                donors::run(&ledger, &vault, state, action).await
            }
            Err(e) => fail(e),
        },
        Verb::Serve {
            addr,
            demo,
            public_url,
            behind_proxy,
            checkpoint_every,
            log_chunk_events,
            max_in_flight,
            request_timeout,
            purge_sessions_every,
            metrics_addr,
            poll_every,
            max_connections,
            max_streams,
            max_ledger_reads,
        } => {
            if demo {
                if let Err(e) = crate::demo::load(&ledger).await {
                    return fail(e);
                }
                if let Err(e) = crate::demo::create_logins(&ledger).await {
                    return fail(e);
                }
            }
            let signer = match Signer::open(&cli.key_file) {
                Ok(signer) => signer,
                Err(e) => return fail(e),
            };
            let reach = web::Reach {
                public_url,
                behind_proxy,
                checkpoint_every: std::time::Duration::from_secs(checkpoint_every),
                log_chunk_events,
                purge_every: std::time::Duration::from_secs(purge_sessions_every),
                poll_every: std::time::Duration::from_secs(poll_every),
                metrics_addr,
                snapshot_after: cli.snapshot_after,
                bounds: web::limits::Bounds {
                    max_connections: max_connections as usize,
                    max_in_flight: max_in_flight as usize,
                    request_timeout: std::time::Duration::from_secs(request_timeout),
                    max_streams: max_streams as usize,
                    max_ledger_reads: max_ledger_reads as usize,
                    ..Default::default()
                },
            };
            let vault = match crate::vault::Vault::open(&cli.vault_key_file, ledger.log()) {
                Ok(vault) => vault,
                Err(e) => return fail(e),
            };
            match web::serve(ledger, addr, signer, reach, vault).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
    };
    code
}

/// Where `spiral audit` reads the ledger: a saved export, or a running server's log.
enum AuditSource<'a> {
    Export(&'a std::path::Path),
    Server { url: &'a str, user: &'a str },
}

fn audit_command(checkpoint: &std::path::Path, public_key: &str, source: AuditSource) -> ExitCode {
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let export = match source {
        AuditSource::Export(path) => read(path),
        AuditSource::Server { url, user } => {
            let mut password = String::new();
            match std::io::stdin().read_line(&mut password) {
                Ok(_) => crate::audit::fetch_export(url, user, password.trim_end_matches(['\n', '\r']))
                    .map_err(|e| e.to_string()),
                Err(e) => Err(format!("cannot read the password from stdin: {e}")),
            }
        }
    };
    let (checkpoint_text, export_text) = match (read(checkpoint), export) {
        (Ok(c), Ok(e)) => (c, e),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    match crate::audit::audit_export(&checkpoint_text, public_key, &export_text) {
        Ok(report) => {
            let beyond = report.events - report.covered;
            print_out(&format!(
                "audit passed: the checkpoint's signature is valid; the export's {} events chain correctly and its first {} match the checkpoint's Merkle root{}",
                report.events,
                report.covered,
                if beyond > 0 { format!(" ({beyond} later events are covered by the chain only)") } else { String::new() }
            ))
        }
        Err(e) => {
            println!("audit FAILED: {e}");
            ExitCode::from(1)
        }
    }
}

/// A state the run reads until it ends: never freed, since the process exits right after and
/// freeing a million receipts one by one would only delay that (~0.1 s at 1M events).
fn leave(state: LedgerState) -> &'static LedgerState {
    Box::leak(Box::new(state))
}

/// The projection a CLI run answers from. Everything now comes from the newest projection
/// snapshot this key file signed plus the events after it (`crate::snapshots`); an earlier date
/// or time is folded from the whole ledger.
async fn cold_state(
    ledger: &Ledger,
    key_file: &std::path::Path,
    snapshot_after: u64,
    view: View,
    needs: &Needs,
) -> Result<LedgerState, crate::store::StoreError> {
    if view != View::everything() {
        let events = ledger.recorded_all().await?;
        return Ok(LedgerState::replay(&events, view));
    }
    // Without a key file there is nothing to check a snapshot with: fold everything, and do not
    // create a key as a side effect of reading.
    let key = match crate::signer::read_key(key_file) {
        Ok(key) => key,
        Err(e) => {
            tracing::warn!("{e}; folding the whole ledger");
            None
        }
    };
    let (state, _) =
        crate::snapshots::current_state(ledger.log(), key.as_ref(), snapshot_after, needs).await?;
    Ok(state)
}

/// The key files a report may need: the signing key (snapshots, the audit's checkpoints) and
/// the vault's (the 寄附者名簿's names and addresses).
struct Keys<'a> {
    signing: &'a std::path::Path,
    vault: &'a std::path::Path,
}

async fn report_command(
    ledger: &Ledger,
    keys: Keys<'_>,
    snapshot_after: u64,
    report: ReportKind,
    output: Option<&std::path::Path>,
) -> ExitCode {
    use crate::reports;
    let binary = matches!(
        report,
        ReportKind::Funding {
            format: Format::Xlsx,
            ..
        } | ReportKind::Pst {
            format: Format::Xlsx,
            ..
        } | ReportKind::TrackRecord {
            format: ListFormat::Xlsx,
            ..
        } | ReportKind::Funder {
            format: Format::Xlsx,
            ..
        } | ReportKind::Activity {
            format: ListFormat::Xlsx,
            ..
        } | ReportKind::Donors {
            format: Format::Xlsx,
            ..
        }
    );
    let key_file = keys.signing;
    if binary && output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return fail(
            "an .xlsx workbook is binary: give --output FILE, or redirect standard output to a file",
        );
    }
    // Both reports are of everything in effect, as known now or at a recorded time.
    // Each report reads what it needs: a snapshot's parts for its years, or everything.
    let as_known_at = |known_at, needs: Needs| async move {
        let view = View {
            as_of: None,
            known_at,
        };
        cold_state(ledger, key_file, snapshot_after, view, &needs)
            .await
            .map_err(reports::ReportFailure::from)
    };
    let written = match report {
        ReportKind::Audit {
            from,
            to,
            late_after_days,
        } => {
            let signer = match Signer::open(key_file) {
                Ok(signer) => signer,
                Err(e) => return fail(e),
            };
            return match reports::audit(ledger, &signer, from, to, late_after_days).await {
                Ok(output) => print_out(&serde_json::to_string_pretty(&output).expect("reports serialise")),
                Err(e) => fail(e),
            };
        }
        ReportKind::Funding {
            fiscal_year,
            to,
            format,
            by_successor,
            known_at,
        } => {
            let from = match FiscalYear::new(fiscal_year) {
                Ok(fy) => fy,
                Err(e) => return fail(e),
            };
            let to = match to.map(FiscalYear::new).transpose() {
                Ok(to) => to.unwrap_or(from),
                Err(e) => return fail(e),
            };
            as_known_at(known_at, Needs::years(from, to))
                .await
                .and_then(|state| Ok(funding_summary(leave(state), from, to, by_successor)?))
                .and_then(|s| match format {
                    Format::Json => Ok(serde_json::to_vec_pretty(&s).expect("reports serialise")),
                    Format::Csv => reports::excel_csv(&reports::funding_rows(&s)),
                    Format::Xlsx => reports::xlsx(&reports::funding_sheets(&s)),
                })
        }
        ReportKind::Pst {
            period: (from, to),
            format,
            known_at,
            supporting_dues_as_donations,
            add_member_dues,
        } => {
            let options = PstOptions {
                supporting_dues_as_donations,
                add_member_dues,
            };
            as_known_at(known_at, Needs::years(from, to))
                .await
                .and_then(|state| Ok(public_support_test(leave(state), from, to, options)?))
                .and_then(|r| match format {
                    Format::Json => Ok(serde_json::to_vec_pretty(&r).expect("reports serialise")),
                    Format::Csv => reports::excel_csv(&reports::pst_rows(&r)),
                    Format::Xlsx => reports::xlsx(&reports::pst_sheets(&r)),
                })
        }
        ReportKind::Activity {
            fiscal_year,
            format,
            known_at,
        } => {
            let fy = match FiscalYear::new(fiscal_year) {
                Ok(fy) => fy,
                Err(e) => return fail(e),
            };
            as_known_at(known_at, Needs::years(fy, fy))
                .await
                .and_then(|state| Ok(activity_statement(leave(state), fy)?))
                .and_then(|s| match format {
                    ListFormat::Text => Ok(s.text().into_bytes()),
                    ListFormat::Json => Ok(serde_json::to_vec_pretty(&s).expect("reports serialise")),
                    ListFormat::Csv => reports::activity_csv(&s),
                    ListFormat::Xlsx => reports::xlsx(&reports::activity_sheets(&s)),
                })
        }
        ReportKind::Funder {
            partner,
            from,
            to,
            format,
            known_at,
        } => {
            let partner = match domain::ids::PartnerId::new(partner) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let year = |y: Option<i32>| y.map(FiscalYear::new).transpose();
            let (from, to) = match (year(from), year(to)) {
                (Ok(from), Ok(to)) => (from, to),
                (Err(e), _) | (_, Err(e)) => return fail(e),
            };
            as_known_at(known_at, Needs::Everything)
                .await
                .and_then(|state| Ok(funder_statement(leave(state), &partner, from, to)?))
                .and_then(|s| match format {
                    Format::Json => Ok(serde_json::to_vec_pretty(&s).expect("reports serialise")),
                    Format::Csv => reports::funder_csv(&s),
                    Format::Xlsx => reports::xlsx(&reports::funder_sheets(&s)),
                })
        }
        ReportKind::Donors { fiscal_year, format } => {
            let fy = match FiscalYear::new(fiscal_year) {
                Ok(fy) => fy,
                Err(e) => return fail(e),
            };
            let vault = match crate::vault::Vault::open(keys.vault, ledger.log()) {
                Ok(vault) => vault,
                Err(e) => return fail(e),
            };
            let actor = donors::cli_actor();
            match as_known_at(None, Needs::Everything).await {
                Ok(state) => reports::donor_register(ledger, &vault, &state, fy, &actor)
                    .await
                    .and_then(|r| match format {
                        Format::Json => Ok(serde_json::to_vec_pretty(&r).expect("reports serialise")),
                        Format::Csv => reports::excel_csv(&r.rows()),
                        Format::Xlsx => reports::xlsx(&reports::donor_register_sheets(&r)),
                    }),
                Err(e) => Err(e),
            }
        }
        ReportKind::TrackRecord {
            pillar,
            from,
            to,
            format,
            known_at,
        } => {
            let year = |y: Option<i32>| y.map(FiscalYear::new).transpose();
            let selection = match (year(from), year(to)) {
                (Ok(from), Ok(to)) => Selection {
                    pillar: pillar.map(Into::into),
                    from,
                    to,
                },
                (Err(e), _) | (_, Err(e)) => return fail(e),
            };
            as_known_at(known_at, Needs::the_work())
                .await
                .and_then(|state| Ok(track_record(leave(state), selection)?))
                .and_then(|r| match format {
                    ListFormat::Text => Ok(r.text().into_bytes()),
                    ListFormat::Json => Ok(serde_json::to_vec_pretty(&r).expect("reports serialise")),
                    ListFormat::Csv => reports::excel_csv(&r.rows()),
                    ListFormat::Xlsx => reports::xlsx(&reports::track_record_sheets(&r)),
                })
        }
    };
    match (written, output) {
        (Ok(bytes), Some(path)) => match std::fs::write(path, &bytes) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format_args!("cannot write {}: {e}", path.display())),
        },
        (Ok(bytes), None) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(&bytes).and_then(|_| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        (Err(e), _) => fail(e),
    }
}

async fn user_command(people: People, action: UserAction) -> ExitCode {
    match action {
        UserAction::Add { name, role } => {
            let mut password = String::new();
            if let Err(e) = std::io::stdin().read_line(&mut password) {
                return fail(format_args!("cannot read the password from stdin: {e}"));
            }
            let password = password.trim_end_matches(['\n', '\r']);
            match people.add(&name, role, password).await {
                Ok(user) => {
                    println!("added {} ({})", user.name, user.role);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        UserAction::List => match people.list().await {
            Ok(users) => {
                let mut text = String::new();
                for u in users {
                    let state = if u.disabled { "disabled" } else { "active" };
                    text.push_str(&format!("{}\t{}\t{}\t{}\n", u.name, u.role, state, u.created_at));
                }
                print_out(text.trim_end())
            }
            Err(e) => fail(e),
        },
        UserAction::Disable { name } => match people.disable(&name).await {
            Ok(()) => {
                println!("disabled {name}; their sessions have ended");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        UserAction::Enable { name } => match people.enable(&name).await {
            Ok(()) => {
                println!("enabled {name}; they may sign in again");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        UserAction::Passwd { name } => {
            let mut password = String::new();
            if let Err(e) = std::io::stdin().read_line(&mut password) {
                return fail(format_args!("cannot read the password from stdin: {e}"));
            }
            match people
                .set_password(&name, password.trim_end_matches(['\n', '\r']))
                .await
            {
                Ok(()) => {
                    println!("set a new password for {name}; their sessions have ended");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}

/// Prints to stdout; a closed pipe (`spiral state | head`) is not an error worth a panic.
/// Writes `value` to standard output as pretty JSON while it is serialised: the whole state of a
/// million events is 300 MB of text, never held in memory at once.
/// Writes JSON as it is serialised: indented for a person at a terminal, compact into a file or
/// a pipe (the whole state of a large ledger is a third smaller so, and a program reads it the
/// same; `jq .` indents it again).
fn print_json<T: serde::Serialize>(value: &T) -> ExitCode {
    let stdout = std::io::stdout();
    let for_a_person = std::io::IsTerminal::is_terminal(&stdout);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let written = if for_a_person {
        serde_json::to_writer_pretty(&mut out, value)
    } else {
        serde_json::to_writer(&mut out, value)
    };
    let written = written
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn print_out(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// Verifies the chain, and, where this server has signed checkpoints (the file beside
/// `--key-file`), that the ledger still begins with what it last signed.
/// What a verified backup was checked against, for the message.
fn kept_and_signed(v: &crate::backup::Verified) -> String {
    let signed = v
        .last_signed
        .map(|size| format!(" and extends the last checkpoint this server signed (size {size})"))
        .unwrap_or_default();
    format!(", matches the {} checkpoint(s) kept in it{signed}", v.checkpoints)
}

async fn restore_command(file: &std::path::Path, database_url: &str, key_file: &std::path::Path) -> ExitCode {
    let Some(target) = crate::backup::sqlite_path(database_url) else {
        return fail(crate::backup::BackupError::NotSqlite {
            what: "spiral restore",
        });
    };
    let signer = match Signer::open(key_file) {
        Ok(signer) => signer,
        Err(e) => return fail(e),
    };
    match crate::backup::restore(file, &target, &signer).await {
        Ok(v) => print_out(&format!(
            "restored {} events (head hash {}) from {} to {}; it verifies{}",
            v.events,
            v.head,
            file.display(),
            target.display(),
            kept_and_signed(&v)
        )),
        Err(e) => {
            eprintln!("restore REFUSED, nothing was written: {e}");
            ExitCode::from(1)
        }
    }
}

async fn verify_command(log: &EventLog, key_file: &std::path::Path) -> ExitCode {
    let v = match verify(log).await {
        Ok(v) => v,
        Err(e) => {
            return match e.position() {
                Some(position) => {
                    println!("ledger verification FAILED at position {position}: {e}");
                    ExitCode::from(1)
                }
                None => fail(e),
            }
        }
    };
    let consistent = if crate::signer::last_checkpoint_path(key_file).exists() {
        let signer = match Signer::open(key_file) {
            Ok(signer) => signer,
            Err(e) => return fail(e),
        };
        match signer.verified_tree(log).await {
            Ok(_) => match signer.last() {
                Ok(Some(last)) => format!(
                    "; it extends the last checkpoint this server signed (size {})",
                    last.size
                ),
                _ => String::new(),
            },
            Err(crate::signer::SignError::Store(e)) => return fail(e),
            Err(e) => {
                println!("ledger verification FAILED: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        String::new()
    };
    println!(
        "ledger verified: {} events, head hash {}{consistent}",
        v.count,
        hex::encode(v.head)
    );
    ExitCode::SUCCESS
}
