//! The event store: one append-only `events` table on SQLite (the embedded default) or PostgreSQL,
//! through sqlx's `Any` driver so both run the same SQL.
//!
//! What it guarantees, and how:
//! - one global order without gaps: every append updates the single `ledger_head` row, which
//!   takes SQLite's write lock or a PostgreSQL row lock until commit, so appends are serialised
//!   and position N+1 is only ever written after N is committed. The update either locks the
//!   head before reading it, or (`append`: the usual case) is guarded by the head this process
//!   last wrote and changes nothing if another process moved it since;
//! - a hash chain: each row's hash covers the previous hash and its own canonical bytes;
//! - optimistic concurrency: an append names the stream version it was decided against, and is
//!   refused as a conflict if the stream moved on; nothing is half written (one transaction);
//! - metadata written by the store itself: recorded-at from the server clock, never decreasing.

mod append;
pub mod leader;
mod repository;
mod snapshots;

use append::{insert_rows, set_head, AppendRequest, Known, ROWS_PER_STATEMENT};
use chrono::{DateTime, Utc};
use domain::chain::{to_canonical, Hash, Row};
use domain::events::{LedgerEvent, EVENT_VERSION};
use domain::record::Metadata;
use domain::Date;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row as _};
use std::str::FromStr;
use tokio::sync::{watch, Mutex};

/// A database URL fit to print: any password in it replaced by `***`.
pub fn redacted(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    match url[scheme_end..authority_end].rfind('@') {
        Some(at) => {
            let credentials = &url[scheme_end..scheme_end + at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end], &url[scheme_end + at..]),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{stream} was changed by someone else first (decided against version {expected}, now at {found}); reload and try again")]
    Conflict {
        stream: String,
        expected: u64,
        found: u64,
    },
    #[error("unsupported database URL {:?}: use sqlite:PATH or postgres://USER@HOST/DB", redacted(.0))]
    BadUrl(String),
    #[error("import needs an empty ledger, but this one already holds {0} events")]
    NotEmpty(u64),
    #[error("stored row at position {position} is unreadable: {reason}")]
    Corrupt { position: u64, reason: String },
    #[error("the append was interrupted before its outcome was known; read the log before retrying")]
    Interrupted,
    /// A command decided against this process's memory (`append_decided`) was not stored,
    /// because another process appended since: it must be decided again against the store.
    #[error("the ledger moved on since the command was decided; decide it again")]
    Stale,
    #[error("could not encode the event: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Who is appending, and why: becomes part of each event's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendContext {
    pub actor: String,
    pub correlation_id: String,
    pub reason: Option<String>,
    /// The id the client chose for the command, kept with its outcome (see `command_ids`).
    pub command_id: Option<CommandId>,
}

/// A client-chosen command id (`Idempotency-Key`) and the digest of the command it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandId {
    pub key: String,
    pub digest: String,
}

/// What a command stored under an id, found again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCommand {
    pub digest: String,
    pub stream: String,
    pub positions: Vec<u64>,
    pub version: u64,
}

/// An event ready to append, already encoded.
#[derive(Debug, Clone)]
pub struct Pending {
    pub event_type: String,
    pub event_version: String,
    /// Canonical JSON of the payload.
    pub payload: String,
    pub effective: Date,
}

impl Pending {
    pub fn encode(event: &LedgerEvent) -> Result<Self, StoreError> {
        Ok(Pending {
            event_type: event.entry.type_name().to_owned(),
            event_version: EVENT_VERSION.to_owned(),
            payload: to_canonical(event)?,
            effective: event.on,
        })
    }
}

/// The end of the chain: how many events, the last hash, the last recorded-at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub position: u64,
    pub hash: Hash,
    pub recorded_at: DateTime<Utc>,
}

pub struct EventLog {
    pool: AnyPool,
    backend: Backend,
    /// Appends waiting for the next commit.
    queue: std::sync::Mutex<Vec<AppendRequest>>,
    /// In-process appends wait here instead of on the database lock.
    append_lock: Mutex<()>,
    /// The head as this process's last commit left it (changed only under `append_lock`): what
    /// the next commit is guarded by, so it need not lock and read the head first.
    known: std::sync::Mutex<Option<Known>>,
    /// The rows this process committed last, in order (at most [`OWN_ROWS_KEPT`]): what its
    /// ledger takes into memory without reading them back (`own_rows_after`).
    own_rows: std::sync::Mutex<std::collections::VecDeque<Row>>,
    /// Batches committed the guarded way and the locked way (`commits_by_way`).
    guarded_commits: std::sync::atomic::AtomicU64,
    locked_commits: std::sync::atomic::AtomicU64,
    /// The last committed position, for readers waiting for new events.
    committed: watch::Sender<u64>,
    /// PostgreSQL's address, for connections of the log's own: listening for other servers'
    /// commits, holding a job's lock (`leader`). Holds the password: never printed.
    postgres_url: Option<String>,
}

/// The channel a commit on PostgreSQL notifies (the migration's trigger on `ledger_head`).
pub const COMMITS_CHANNEL: &str = "spiral_ledger";

async fn connect_listener(url: &str) -> Result<sqlx::postgres::PgListener, sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(COMMITS_CHANNEL).await?;
    Ok(listener)
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Locks the head row until commit and returns it with the version of stream $1 (RETURNING:
/// SQLite ≥ 3.35 and PostgreSQL).
const LOCK_HEAD: &str = "UPDATE ledger_head SET position = position WHERE id = 1 \
     RETURNING position, hash, recorded_at, (SELECT COALESCE(MAX(sequence), 0) FROM events WHERE stream = $1)";

const SELECT_ROWS: &str =
    "SELECT position, stream, sequence, event_type, event_version, payload, metadata, hash FROM events";

impl EventLog {
    /// Opens (creating a SQLite file on first use) and migrates the store at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.split('?').next().unwrap_or(path);
            (Backend::Sqlite, format!("sqlite:{path}?mode=rwc"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::BadUrl(url.to_owned()));
        };
        let options = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 4 } else { 8 });
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the single writer. FULL syncs the log at every
                    // commit: an event acknowledged to a client (and streamed, and signed) survives
                    // a power failure, not only a crash of the process. Group commit shares that
                    // sync among concurrent writers (BENCHMARKS.md has the cost).
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
        } else {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    // Acknowledged means on disk, whatever the cluster's default says.
                    sqlx::query("SET synchronous_commit = on")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
        };
        // A database that is away shows as 503s within seconds rather than requests that hang;
        // connections are checked before use, so ones the database dropped are replaced.
        let options = options
            .acquire_timeout(std::time::Duration::from_secs(5))
            .test_before_acquire(true);
        let pool = options.connect(&url).await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        let log = EventLog {
            pool,
            backend,
            queue: std::sync::Mutex::new(Vec::new()),
            append_lock: Mutex::new(()),
            known: std::sync::Mutex::new(None),
            own_rows: Default::default(),
            guarded_commits: Default::default(),
            locked_commits: Default::default(),
            committed: watch::channel(0).0,
            postgres_url: (backend == Backend::Postgres).then(|| url.clone()),
        };
        let head = log.head().await?;
        log.committed.send_replace(head.position);
        Ok(log)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// PostgreSQL's address, for a connection outside the pool (`leader`); None on SQLite.
    pub(crate) fn postgres_url(&self) -> Option<&str> {
        self.postgres_url.as_deref()
    }

    /// The pool, for tests and benchmarks that must reach behind the application.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Waits for positions beyond the one last seen: `changed()` fires after each commit in
    /// this process, and after commits elsewhere once [`EventLog::listen_for_commits`] runs.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.committed.subscribe()
    }

    /// On PostgreSQL, wakes this process's subscribers when another process commits (LISTEN on
    /// [`COMMITS_CHANNEL`]), for as long as the log lives. The notification only wakes: readers
    /// then read by position from the table. When the listening connection is lost, notifications
    /// sent meanwhile are lost with it, so once listening again it wakes the readers anyway to
    /// read whatever was committed in between. On SQLite, nothing (the readers' poll remains).
    pub fn listen_for_commits(self: &std::sync::Arc<Self>) {
        let Some(url) = self.postgres_url.clone() else {
            return;
        };
        let log = std::sync::Arc::downgrade(self);
        tokio::spawn(async move {
            let mut listener = None;
            loop {
                let Some(me) = log.upgrade() else { return };
                if listener.is_none() {
                    match connect_listener(&url).await {
                        Ok(l) => {
                            listener = Some(l);
                            me.committed.send_modify(|_| {});
                        }
                        Err(e) => {
                            tracing::warn!("cannot listen for other servers' commits: {e}");
                            drop(me);
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                            continue;
                        }
                    }
                }
                drop(me);
                let Some(l) = listener.as_mut() else { continue };
                // try_recv, not recv: recv would reconnect by itself and say nothing of the
                // notifications lost meanwhile.
                match l.try_recv().await {
                    Ok(Some(note)) => {
                        let Some(me) = log.upgrade() else { return };
                        // Our own commits have woken our readers already.
                        if note
                            .payload()
                            .parse::<u64>()
                            .is_ok_and(|head| head > me.committed())
                        {
                            me.committed.send_modify(|_| {});
                        }
                    }
                    Ok(None) => {
                        tracing::warn!(
                            "the connection listening for other servers' commits was lost; listening again"
                        );
                        listener = None;
                    }
                    Err(e) => {
                        tracing::warn!("listening for other servers' commits: {e}");
                        listener = None;
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
    }

    pub async fn head(&self) -> Result<Head, StoreError> {
        let row = sqlx::query("SELECT position, hash, recorded_at FROM ledger_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        head_from(&row)
    }

    /// The number of stored events (counted, not taken from the head row).
    pub async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// Up to `limit` rows after position `after`, in order.
    pub async fn rows_after(&self, after: u64, limit: u64) -> Result<Vec<Row>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT_ROWS} WHERE position > $1 ORDER BY position LIMIT $2"
        ))
        .bind(db_int(after))
        .bind(db_int(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_from).collect()
    }

    /// The chain hash at each of `positions` that holds an event, in position order: what names
    /// the log's cacheable chunks (`domain::log_chunks`). One indexed lookup per position.
    pub async fn hashes_at(&self, positions: &[u64]) -> Result<Vec<(u64, Hash)>, StoreError> {
        let mut found = Vec::with_capacity(positions.len());
        // The positions are integers of ours, bound in batches to keep each statement short.
        for batch in positions.chunks(500) {
            let marks = (1..=batch.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(",");
            let sql =
                format!("SELECT position, hash FROM events WHERE position IN ({marks}) ORDER BY position");
            let mut query = sqlx::query(&sql);
            for p in batch {
                query = query.bind(db_int(*p));
            }
            for r in query.fetch_all(&self.pool).await? {
                let raw = r.try_get::<i64, _>(0)?;
                let position = stored_u64(raw, raw, "position")?;
                found.push((position, parse_hash(position, &r.try_get::<String, _>(1)?)?));
            }
        }
        Ok(found)
    }

    /// Every row, in order, read in pages so a large ledger never sits in one result set.
    pub async fn all_rows(&self) -> Result<Vec<Row>, StoreError> {
        let mut all = Vec::new();
        loop {
            let after = all.last().map(|r: &Row| r.position).unwrap_or(0);
            let page = self.rows_after(after, 50_000).await?;
            if page.is_empty() {
                return Ok(all);
            }
            all.extend(page);
        }
    }

    /// A stream's rows after `after_sequence`, in order.
    /// Every row of one event type, in position order (the donor vault's few records, say).
    /// The position of the donor vault's last record in the ledger (`None`: none yet), through
    /// the same partial index as [`EventLog::vault_rows`]: what tells a kept copy of the
    /// vault's contents whether it is still the vault's.
    pub async fn last_vault_position(&self) -> Result<Option<u64>, StoreError> {
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(position) FROM events WHERE event_type IN ('DonorDetailsRecorded', 'DonorErasureRequested', 'DonorDetailsErased')",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(last.map(|p| p.max(0) as u64))
    }

    /// The donor vault's own records (`DonorDetailsRecorded`, `DonorErasureRequested`,
    /// `DonorDetailsErased`) in position order, read through their partial index (the
    /// condition is spelled as the index's, so that both databases use it).
    pub async fn vault_rows(&self) -> Result<Vec<Row>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT_ROWS} WHERE event_type IN ('DonorDetailsRecorded', 'DonorErasureRequested', 'DonorDetailsErased') ORDER BY position"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_from).collect()
    }

    pub async fn stream_rows(&self, stream: &str, after_sequence: u64) -> Result<Vec<Row>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT_ROWS} WHERE stream = $1 AND sequence > $2 ORDER BY sequence"
        ))
        .bind(stream)
        .bind(db_int(after_sequence))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_from).collect()
    }

    /// Everything a command needs to read in one query: all of `stream`'s rows, and every row
    /// after position `after` (what the caller's projection has not seen yet), in position order.
    pub async fn rows_for_command(&self, stream: &str, after: u64) -> Result<Vec<Row>, StoreError> {
        // A UNION of two indexed lookups: an OR here makes SQLite scan the whole table.
        let rows = sqlx::query(&format!(
            "{SELECT_ROWS} WHERE position > $1 UNION {SELECT_ROWS} WHERE stream = $2 ORDER BY position"
        ))
        .bind(db_int(after))
        .bind(stream)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_from).collect()
    }

    /// What the command `key` of `actor` stored, if one with that id was stored.
    pub async fn stored_command(&self, actor: &str, key: &str) -> Result<Option<StoredCommand>, StoreError> {
        let row = sqlx::query(
            "SELECT digest, stream, first_position, last_position, version FROM command_ids \
             WHERE actor = $1 AND command_key = $2",
        )
        .bind(actor)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (first, last): (i64, i64) = (row.try_get(2)?, row.try_get(3)?);
        let first = stored_u64(first, first, "command position")?;
        let last = stored_u64(last, last, "command position")?;
        Ok(Some(StoredCommand {
            digest: row.try_get(0)?,
            stream: row.try_get(1)?,
            positions: (first..=last).collect(),
            version: stored_u64(row.try_get(4)?, first as i64, "command version")?,
        }))
    }

    /// The last position committed through this store (in this process).
    pub fn committed(&self) -> u64 {
        *self.committed.borrow()
    }

    /// Restores rows exactly as given (an export) into an empty ledger, in one transaction.
    /// The caller has checked the chain and the rules; this only stores.
    pub async fn import_rows(&self, rows: &[Row]) -> Result<(), StoreError> {
        let _serial = self.append_lock.lock().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(LOCK_HEAD).bind("").fetch_one(&mut *tx).await?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&mut *tx)
            .await?;
        if existing > 0 {
            return Err(StoreError::NotEmpty(existing as u64));
        }
        let mut recorded_at = DateTime::<Utc>::UNIX_EPOCH;
        for row in rows {
            if let Ok(meta) = serde_json::from_str::<Metadata>(&row.metadata) {
                recorded_at = recorded_at.max(meta.recorded_at);
            }
        }
        // Many rows per statement: a million-event import is bound by round trips otherwise.
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            insert_rows(&mut tx, chunk).await?;
        }
        let Some(last) = rows.last() else {
            return Ok(());
        };
        let head = Head {
            position: last.position,
            hash: last.hash,
            recorded_at,
        };
        set_head(&mut tx, &head).await?;
        // The head known before no longer is, whatever the outcome.
        self.known.lock().expect("known head poisoned").take();
        tx.commit().await?;
        self.committed.send_replace(head.position);
        Ok(())
    }
}

fn parse_hash(position: u64, text: &str) -> Result<Hash, StoreError> {
    let bytes = hex::decode(text).map_err(|e| StoreError::Corrupt {
        position,
        reason: format!("hash: {e}"),
    })?;
    bytes.try_into().map_err(|_| StoreError::Corrupt {
        position,
        reason: "hash is not 32 bytes".into(),
    })
}

/// A position, sequence or count as the databases' signed 64-bit integer; one beyond it (only
/// ever asked for by a client: `after=18446744073709551615`) as the largest, which matches
/// nothing.
fn db_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stored integer that must be a position or sequence (≥ 1); anything else is a corrupt row.
fn stored_u64(value: i64, position: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt {
        position: u64::try_from(position).unwrap_or(0),
        reason: format!("{what} {value} is negative"),
    })
}

fn row_from(r: &AnyRow) -> Result<Row, StoreError> {
    let raw = r.try_get::<i64, _>(0)?;
    let position = stored_u64(raw, raw, "position")?;
    Ok(Row {
        position,
        stream: r.try_get(1)?,
        sequence: stored_u64(r.try_get::<i64, _>(2)?, raw, "sequence")?,
        event_type: r.try_get(3)?,
        event_version: r.try_get(4)?,
        payload: r.try_get(5)?,
        metadata: r.try_get(6)?,
        hash: parse_hash(position, &r.try_get::<String, _>(7)?)?,
    })
}

fn head_from(r: &AnyRow) -> Result<Head, StoreError> {
    let raw = r.try_get::<i64, _>(0)?;
    let position = stored_u64(raw, raw, "head position")?;
    let recorded_at: String = r.try_get(2)?;
    Ok(Head {
        position,
        hash: parse_hash(position, &r.try_get::<String, _>(1)?)?,
        recorded_at: DateTime::<Utc>::from_str(&recorded_at).map_err(|e| StoreError::Corrupt {
            position,
            reason: format!("head recorded_at: {e}"),
        })?,
    })
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            redacted("postgres://spiral:s3cret@db.example:5432/spiral"),
            "postgres://spiral:***@db.example:5432/spiral"
        );
        assert_eq!(
            redacted("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redacted("sqlite:spiral.db"), "sqlite:spiral.db");
        assert_eq!(redacted("postgres://a:b@c@h/db?x=@"), "postgres://a:***@h/db?x=@");
    }
}
