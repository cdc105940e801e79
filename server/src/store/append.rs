//! Appending: the command path's one write. Appends wait in a queue and whoever holds the
//! append lock commits every waiting one together (group commit). A commit is guarded by the
//! head this process's last commit left, when it knows it: one statement on PostgreSQL, which
//! stores nothing if another process appended since or a stream moved; and otherwise, or when
//! that guard fails, it takes the head's lock and reads the versions under it.
//!
//! A command decided against this process's memory, with nothing read from the store first
//! (`append_decided`), is stored only if no other process appended after what that memory held.

use super::{
    db_int, head_from, AppendContext, Backend, CommandId, EventLog, Head, Pending, StoreError, LOCK_HEAD,
};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::chain::{to_canonical, Row, GENESIS};
use domain::events::LedgerEvent;
use domain::record::Metadata;
use sqlx::{AnyPool, Row as _};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use tokio::sync::oneshot;

/// What one request's append came to: the rows it stored, or why none.
pub(super) type Appended = Result<Vec<Row>, StoreError>;

/// One command's append, waiting to be committed with whatever else is waiting.
pub(super) struct AppendRequest {
    stream: String,
    expected: u64,
    events: Vec<Pending>,
    ctx: AppendContext,
    /// For a command decided against this process's memory, the position that memory was
    /// complete to: it is stored only if nothing another process appended came after it.
    decided_at: Option<u64>,
    reply: oneshot::Sender<Appended>,
}

/// The head as this process's last commit left it, and since where every event up to it is
/// one this process committed (no other process's in between).
#[derive(Debug, Clone)]
pub(super) struct Known {
    head: Head,
    own_since: u64,
}

impl Known {
    /// Whether a command decided against memory complete to `decided_at` saw everything other
    /// processes had stored when the head was at `head` (the head under the lock, or the one a
    /// guard holds to).
    fn covers(known: Option<&Known>, head: u64, decided_at: u64) -> bool {
        decided_at == head || known.is_some_and(|k| k.head.position == head && k.own_since <= decided_at)
    }
}

impl EventLog {
    /// Appends `events` to `stream`, decided against stream version `expected`; returns their
    /// positions.
    pub async fn append(
        &self,
        stream: &str,
        expected: u64,
        events: &[LedgerEvent],
        ctx: &AppendContext,
    ) -> Result<Vec<u64>, StoreError> {
        let rows = self.append_returning(stream, expected, events, ctx).await?;
        Ok(rows.iter().map(|r| r.position).collect())
    }

    /// Appends one command's events. Concurrent appends are committed together (group commit):
    /// each request joins a queue, and whoever holds the append lock takes every waiting request
    /// into one transaction, so concurrent writers share one commit instead of queuing for one
    /// each. Every request is still decided against its own expected version.
    pub async fn append_pending(
        &self,
        stream: &str,
        expected: u64,
        events: &[Pending],
        ctx: &AppendContext,
    ) -> Result<Vec<u64>, StoreError> {
        let rows = self.append_rows(stream, expected, events, ctx, None).await?;
        Ok(rows.iter().map(|r| r.position).collect())
    }

    /// Appends a command's events decided against this process's memory of the ledger, complete
    /// to position `decided_at` (no read of the store before deciding). Stored only if no other
    /// process appended after `decided_at`, else [`StoreError::Stale`] and nothing is stored.
    /// Returns the rows as stored.
    pub async fn append_decided(
        &self,
        stream: &str,
        expected: u64,
        events: &[LedgerEvent],
        ctx: &AppendContext,
        decided_at: u64,
    ) -> Result<Vec<Row>, StoreError> {
        self.append_rows(stream, expected, &encode_all(events)?, ctx, Some(decided_at))
            .await
    }

    /// As [`EventLog::append`], returning the rows as stored.
    pub async fn append_returning(
        &self,
        stream: &str,
        expected: u64,
        events: &[LedgerEvent],
        ctx: &AppendContext,
    ) -> Result<Vec<Row>, StoreError> {
        self.append_rows(stream, expected, &encode_all(events)?, ctx, None)
            .await
    }

    /// The position this process's last commit left the head at, if it knows it.
    pub fn known_position(&self) -> Option<u64> {
        self.known
            .lock()
            .expect("known head poisoned")
            .as_ref()
            .map(|k| k.head.position)
    }

    async fn append_rows(
        &self,
        stream: &str,
        expected: u64,
        events: &[Pending],
        ctx: &AppendContext,
        decided_at: Option<u64>,
    ) -> Appended {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, mut answer) = oneshot::channel();
        self.queue
            .lock()
            .expect("append queue poisoned")
            .push(AppendRequest {
                stream: stream.to_owned(),
                expected,
                events: events.to_vec(),
                ctx: ctx.clone(),
                decided_at,
                reply,
            });
        let _serial = self.append_lock.lock().await;
        // A leader before us may already have committed (or refused) this request.
        if let Ok(result) = answer.try_recv() {
            return result;
        }
        let batch = std::mem::take(&mut *self.queue.lock().expect("append queue poisoned"));
        self.commit_batch(batch).await;
        // The leader answers every request it took; only a leader cancelled mid-commit drops
        // one unanswered, and then the outcome is unknown (its transaction may have committed).
        answer.await.unwrap_or(Err(StoreError::Interrupted))
    }

    /// Commits a batch in one transaction; if the transaction as a whole fails (say another
    /// process won a race the version check could not see), each request is retried alone so
    /// one request's conflict never fails another's.
    async fn commit_batch(&self, batch: Vec<AppendRequest>) {
        if batch.is_empty() {
            return;
        }
        match self.try_batch(&batch).await {
            Ok(outcomes) => {
                for (request, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = request.reply.send(outcome);
                }
            }
            Err(e) if batch.len() == 1 => {
                let request = batch.into_iter().next().expect("one request");
                let _ = request
                    .reply
                    .send(Err(unique_to_conflict(e, &request.stream, request.expected)));
            }
            Err(_) => {
                for request in batch {
                    let outcome = match self.try_batch(std::slice::from_ref(&request)).await {
                        Ok(mut outcomes) => outcomes.pop().expect("one outcome per request"),
                        Err(e) => Err(unique_to_conflict(e, &request.stream, request.expected)),
                    };
                    let _ = request.reply.send(outcome);
                }
            }
        }
    }

    /// Commits a batch: guarded by the head this process last wrote when it has one (the usual
    /// case, and one round trip on PostgreSQL), else under the head's lock. The guarded write
    /// stores nothing when anything moved since (another process appended, a stream's version
    /// differs), and the batch then goes the locked way, which tells each request its outcome.
    async fn try_batch(&self, batch: &[AppendRequest]) -> Result<Vec<Appended>, sqlx::Error> {
        // Left in place while the commit is under way, for commands deciding meanwhile. A commit
        // cancelled half way leaves it behind the store's head, which is safe: a guard on it then
        // fails and the next batch locks.
        let known = self.known.lock().expect("known head poisoned").clone();
        if let Some(known) = &known {
            if let Some((outcomes, head)) = self.try_guarded(batch, known).await? {
                self.keep_own_rows(&outcomes);
                self.record_commit(Known {
                    head,
                    own_since: known.own_since,
                });
                self.guarded_commits.fetch_add(1, Ordering::Relaxed);
                return Ok(outcomes);
            }
        }
        let (outcomes, locked, head) = self.try_locked(batch, known.as_ref()).await?;
        self.keep_own_rows(&outcomes);
        // Found under the lock where this process last left it: nobody appended in between, and
        // its own run of commits goes on.
        let own_since = match &known {
            Some(k) if k.head.position == locked => k.own_since,
            _ => locked,
        };
        self.record_commit(Known { head, own_since });
        self.locked_commits.fetch_add(1, Ordering::Relaxed);
        Ok(outcomes)
    }

    /// How many batches this process committed the guarded way and the locked way (the locked
    /// way also counts batches it refused whole).
    pub fn commits_by_way(&self) -> (u64, u64) {
        (
            self.guarded_commits.load(Ordering::Relaxed),
            self.locked_commits.load(Ordering::Relaxed),
        )
    }

    /// Keeps the rows of a commit for [`EventLog::own_rows_after`].
    fn keep_own_rows(&self, outcomes: &[Appended]) {
        let mut kept = self.own_rows.lock().expect("own rows poisoned");
        for rows in outcomes.iter().flatten() {
            kept.extend(rows.iter().cloned());
        }
        let excess = kept.len().saturating_sub(OWN_ROWS_KEPT);
        kept.drain(..excess);
    }

    /// The rows this process committed after `position`, when they follow on from it (no
    /// other process's rows between): what a ledger holding events up to `position` can take
    /// in without reading the store. Empty otherwise.
    pub fn own_rows_after(&self, position: u64) -> Vec<Row> {
        let kept = self.own_rows.lock().expect("own rows poisoned");
        let Some(at) = kept.iter().position(|r| r.position == position + 1) else {
            return Vec::new();
        };
        let mut rows: Vec<Row> = Vec::new();
        for row in kept.range(at..) {
            if rows.last().is_some_and(|last| row.position != last.position + 1) {
                break;
            }
            rows.push(row.clone());
        }
        rows
    }

    /// Remembers the head a commit left, and wakes this process's readers if it moved.
    fn record_commit(&self, known: Known) {
        let position = known.head.position;
        *self.known.lock().expect("known head poisoned") = Some(known);
        if position > self.committed() {
            self.committed.send_replace(position);
        }
    }

    /// The batch written in one guarded step, decided against `head` (the head this process
    /// last committed or locked): every request is taken as accepted, and the write changes
    /// nothing unless the head is still `head` and every stream is still at its expected version.
    /// `None` when the guard failed (nothing was stored) or the batch does not fit one step.
    async fn try_guarded(
        &self,
        batch: &[AppendRequest],
        known: &Known,
    ) -> Result<Option<(Vec<Appended>, Head)>, sqlx::Error> {
        let head = &known.head;
        let mut versions: HashMap<String, u64> = HashMap::new();
        for request in batch {
            // Two requests on one stream in one batch: at most one can stand; let the locked
            // way say which.
            if versions
                .insert(request.stream.clone(), request.expected)
                .is_some()
            {
                return Ok(None);
            }
        }
        if batch.len() > GUARDED_REQUESTS {
            return Ok(None);
        }
        let stale = |r: &AppendRequest| {
            r.decided_at
                .is_some_and(|d| !Known::covers(Some(known), head.position, d))
        };
        // A request refused as stale adds nothing, and guards nothing.
        let guards: Vec<(String, u64)> = batch
            .iter()
            .filter(|r| !stale(r))
            .map(|r| (r.stream.clone(), r.expected))
            .collect();
        let plan = plan_batch(batch, head, &mut versions, stale).map_err(protocol)?;
        if plan.rows.is_empty() || plan.rows.len() > ROWS_PER_STATEMENT {
            return Ok(None);
        }
        let commands = plan.commands(batch);
        let stored = match self.backend {
            Backend::Postgres => guarded_statement(&self.pool, head, &plan, &guards, &commands).await?,
            Backend::Sqlite => {
                let mut tx = self.pool.begin().await?;
                if !guarded_head(&mut tx, head, &plan.head, &guards).await? {
                    tx.rollback().await?;
                    false
                } else {
                    insert_rows(&mut tx, &plan.rows).await?;
                    for command in &commands {
                        remember_command(&mut tx, command).await?;
                    }
                    tx.commit().await?;
                    true
                }
            }
        };
        Ok(stored.then(|| plan.into_outcomes()))
    }

    /// One transaction for the whole batch: lock the head, check each request's stream version,
    /// chain and insert the accepted events, move the head, commit.
    /// Also returns the head found under the lock (the events after it are this batch's).
    async fn try_locked(
        &self,
        batch: &[AppendRequest],
        known: Option<&Known>,
    ) -> Result<(Vec<Appended>, u64, Head), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        // Take the lock (see the module comment) and read the head and the first stream's
        // version under it, in one statement. (On PostgreSQL a version may come from a snapshot
        // taken before the lock was granted; a writer that slipped in between is then caught by
        // the UNIQUE (stream, sequence) constraint, which is also reported as a conflict.)
        let locked = sqlx::query(LOCK_HEAD)
            .bind(&batch[0].stream)
            .fetch_one(&mut *tx)
            .await?;
        let head = head_from(&locked).map_err(protocol)?;
        let mut versions: HashMap<String, u64> = HashMap::new();
        versions.insert(batch[0].stream.clone(), locked.try_get::<i64, _>(3)? as u64);
        for request in batch {
            if !versions.contains_key(&request.stream) {
                let v: i64 =
                    sqlx::query_scalar("SELECT COALESCE(MAX(sequence), 0) FROM events WHERE stream = $1")
                        .bind(&request.stream)
                        .fetch_one(&mut *tx)
                        .await?;
                versions.insert(request.stream.clone(), v as u64);
            }
        }
        let stale = |r: &AppendRequest| {
            r.decided_at
                .is_some_and(|d| !Known::covers(known, head.position, d))
        };
        let plan = plan_batch(batch, &head, &mut versions, stale).map_err(protocol)?;
        let locked = head.position;
        if plan.rows.is_empty() {
            let (outcomes, _) = plan.into_outcomes();
            return Ok((outcomes, locked, head));
        }
        for chunk in plan.rows.chunks(ROWS_PER_STATEMENT) {
            insert_rows(&mut tx, chunk).await?;
        }
        for command in plan.commands(batch) {
            remember_command(&mut tx, &command).await?;
        }
        set_head(&mut tx, &plan.head).await?;
        tx.commit().await?;
        let (outcomes, head) = plan.into_outcomes();
        Ok((outcomes, locked, head))
    }
}

fn encode_all(events: &[LedgerEvent]) -> Result<Vec<Pending>, StoreError> {
    events.iter().map(Pending::encode).collect()
}

/// Rows of its own commits a store keeps for its ledger to take in (`own_rows_after`).
const OWN_ROWS_KEPT: usize = 4096;

/// Requests one guarded write takes at most (each adds a version check to its guard).
const GUARDED_REQUESTS: usize = 64;

/// Rows per INSERT statement: a million-row import is bound by round trips otherwise, and
/// PostgreSQL takes at most 65,535 parameters in one statement.
pub(super) const ROWS_PER_STATEMENT: usize = 500;

fn protocol(e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Protocol(e.to_string())
}

/// What a batch appends after a head: the chained rows, each request's outcome (its rows'
/// indices), the new head.
struct Plan {
    rows: Vec<Row>,
    outcomes: Vec<Result<std::ops::Range<usize>, StoreError>>,
    head: Head,
}

/// A command id to store with the events of its command.
struct CommandRow<'a> {
    actor: &'a str,
    id: &'a CommandId,
    stream: &'a str,
    first: u64,
    last: u64,
    version: u64,
    recorded_at: DateTime<Utc>,
}

impl Plan {
    /// The command ids of the accepted requests that carry one.
    fn commands<'a>(&self, batch: &'a [AppendRequest]) -> Vec<CommandRow<'a>> {
        batch
            .iter()
            .zip(&self.outcomes)
            .filter_map(|(request, outcome)| {
                let (Some(id), Ok(range)) = (&request.ctx.command_id, outcome) else {
                    return None;
                };
                Some(CommandRow {
                    actor: &request.ctx.actor,
                    id,
                    stream: &request.stream,
                    first: self.rows.get(range.start)?.position,
                    last: self.rows.get(range.end.checked_sub(1)?)?.position,
                    version: request.expected + range.len() as u64,
                    recorded_at: self.head.recorded_at,
                })
            })
            .collect()
    }

    /// Each request's rows (the rows moved out, in order), and the new head.
    fn into_outcomes(self) -> (Vec<Appended>, Head) {
        let mut rows = self.rows.into_iter();
        let outcomes = self
            .outcomes
            .into_iter()
            .map(|o| o.map(|range| rows.by_ref().take(range.len()).collect()))
            .collect();
        (outcomes, self.head)
    }
}

/// Chains a batch's events after `head`. `versions` holds each stream's version before the
/// batch: a request decided against another version is a conflict and adds nothing.
/// A request `stale` says was decided against too old a ledger is refused as
/// [`StoreError::Stale`].
fn plan_batch(
    batch: &[AppendRequest],
    head: &Head,
    versions: &mut HashMap<String, u64>,
    stale: impl Fn(&AppendRequest) -> bool,
) -> Result<Plan, serde_json::Error> {
    // Never earlier than the previous event, so "known at T" is always a prefix of the log.
    let recorded_at = Utc::now().max(head.recorded_at);
    let (mut position, mut prev) = (head.position, head.hash);
    let mut rows = Vec::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    for request in batch {
        if stale(request) {
            outcomes.push(Err(StoreError::Stale));
            continue;
        }
        let found = versions.get(&request.stream).copied().unwrap_or(0);
        if found != request.expected {
            outcomes.push(Err(StoreError::Conflict {
                stream: request.stream.clone(),
                expected: request.expected,
                found,
            }));
            continue;
        }
        let first = rows.len();
        for (i, event) in request.events.iter().enumerate() {
            position += 1;
            let metadata = to_canonical(&Metadata {
                actor: request.ctx.actor.clone(),
                correlation_id: request.ctx.correlation_id.clone(),
                effective: event.effective,
                reason: request.ctx.reason.clone(),
                recorded_at,
            })?;
            let mut row = Row {
                position,
                stream: request.stream.clone(),
                sequence: request.expected + 1 + i as u64,
                event_type: event.event_type.clone(),
                event_version: event.event_version.clone(),
                payload: event.payload.clone(),
                metadata,
                hash: GENESIS,
            };
            row.hash = row.expected_hash(&prev);
            prev = row.hash;
            rows.push(row);
        }
        versions.insert(
            request.stream.clone(),
            request.expected + request.events.len() as u64,
        );
        outcomes.push(Ok(first..rows.len()));
    }
    Ok(Plan {
        rows,
        outcomes,
        head: Head {
            position,
            hash: prev,
            recorded_at,
        },
    })
}

/// Placeholders `($n+1,…,$n+width)` for `count` rows of `width` values, numbered from `$from+1`.
fn value_rows(from: usize, width: usize, count: usize) -> String {
    (0..count)
        .map(|i| {
            let marks = (1..=width)
                .map(|k| format!("${}", from + i * width + k))
                .collect::<Vec<_>>()
                .join(",");
            format!("({marks})")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The guard both databases put on a guarded write, with its parameters numbered from `$4`
/// (`$1`–`$3` set the new head): the head is still `old`, and each stream is at its version.
fn guard_sql(guards: &[(String, u64)]) -> String {
    let mut sql = String::from("id = 1 AND position = $4 AND hash = $5");
    for i in 0..guards.len() {
        let n = 6 + 2 * i;
        sql.push_str(&format!(
            " AND (SELECT COALESCE(MAX(sequence), 0) FROM events WHERE stream = ${n}) = ${}",
            n + 1
        ));
    }
    sql
}

fn bind_guard<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    old: &'q Head,
    new: &'q Head,
    guards: &'q [(String, u64)],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = query
        .bind(db_int(new.position))
        .bind(hex::encode(new.hash))
        .bind(new.recorded_at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .bind(db_int(old.position))
        .bind(hex::encode(old.hash));
    for (stream, version) in guards {
        query = query.bind(stream.as_str()).bind(db_int(*version));
    }
    query
}

/// SQLite: moves the head from `old` to `new` inside the caller's transaction if the guard
/// holds; whether it did.
async fn guarded_head(
    conn: &mut sqlx::AnyConnection,
    old: &Head,
    new: &Head,
    guards: &[(String, u64)],
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE ledger_head SET position = $1, hash = $2, recorded_at = $3 WHERE {}",
        guard_sql(guards)
    );
    let done = bind_guard(sqlx::query(&sql), old, new, guards)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// PostgreSQL: the whole guarded write as one statement (one round trip, its own transaction):
/// move the head if the guard holds, and insert the rows and command ids only if it moved.
/// Whether it stored anything.
async fn guarded_statement(
    pool: &AnyPool,
    old: &Head,
    plan: &Plan,
    guards: &[(String, u64)],
    commands: &[CommandRow<'_>],
) -> Result<bool, sqlx::Error> {
    let rows_from = 5 + 2 * guards.len();
    let commands_from = rows_from + 8 * plan.rows.len();
    let mut sql = format!(
        "WITH head AS (UPDATE ledger_head SET position = $1, hash = $2, recorded_at = $3 WHERE {} RETURNING position), \
         appended AS (INSERT INTO events (position, stream, sequence, event_type, event_version, payload, metadata, hash) \
         SELECT * FROM (VALUES {}) AS v WHERE EXISTS (SELECT 1 FROM head))",
        guard_sql(guards),
        value_rows(rows_from, 8, plan.rows.len()),
    );
    if !commands.is_empty() {
        sql.push_str(&format!(
            ", remembered AS (INSERT INTO command_ids (actor, command_key, digest, stream, first_position, last_position, version, recorded_at) \
             SELECT * FROM (VALUES {}) AS c WHERE EXISTS (SELECT 1 FROM head))",
            value_rows(commands_from, 8, commands.len())
        ));
    }
    sql.push_str(" SELECT COUNT(*) FROM head");
    let mut query = bind_guard(sqlx::query(&sql), old, &plan.head, guards);
    for row in &plan.rows {
        query = bind_row(query, row);
    }
    for command in commands {
        query = bind_command(query, command);
    }
    // Every reply read to its end, not only the first row: the statement's transaction commits
    // after that row is sent, and an error at commit (a full NOTIFY queue, say) comes after it.
    let replies = query.fetch_all(pool).await?;
    let moved: i64 = replies
        .first()
        .ok_or_else(|| protocol("the guarded append returned no row"))?
        .try_get(0)?;
    Ok(moved == 1)
}

fn bind_row<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    row: &'q Row,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(db_int(row.position))
        .bind(row.stream.as_str())
        .bind(db_int(row.sequence))
        .bind(row.event_type.as_str())
        .bind(row.event_version.as_str())
        .bind(row.payload.as_str())
        .bind(row.metadata.as_str())
        .bind(hex::encode(row.hash))
}

fn bind_command<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    command: &CommandRow<'q>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(command.actor)
        .bind(command.id.key.as_str())
        .bind(command.id.digest.as_str())
        .bind(command.stream)
        .bind(db_int(command.first))
        .bind(db_int(command.last))
        .bind(db_int(command.version))
        .bind(command.recorded_at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

pub(super) async fn insert_rows(conn: &mut sqlx::AnyConnection, rows: &[Row]) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO events (position, stream, sequence, event_type, event_version, payload, metadata, hash) VALUES {}",
        value_rows(0, 8, rows.len())
    );
    let mut query = sqlx::query(&sql);
    for row in rows {
        query = bind_row(query, row);
    }
    query.execute(conn).await?;
    Ok(())
}

async fn remember_command(
    conn: &mut sqlx::AnyConnection,
    command: &CommandRow<'_>,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO command_ids (actor, command_key, digest, stream, first_position, last_position, version, recorded_at) VALUES {}",
        value_rows(0, 8, 1)
    );
    bind_command(sqlx::query(&sql), command).execute(conn).await?;
    Ok(())
}

pub(super) async fn set_head(conn: &mut sqlx::AnyConnection, head: &Head) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE ledger_head SET position = $1, hash = $2, recorded_at = $3 WHERE id = 1")
        .bind(db_int(head.position))
        .bind(hex::encode(head.hash))
        .bind(head.recorded_at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .execute(conn)
        .await?;
    Ok(())
}

/// A unique violation on (stream, sequence) or position means another writer got there first.
fn unique_to_conflict(e: sqlx::Error, stream: &str, expected: u64) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
            stream: stream.to_owned(),
            expected,
            found: expected + 1,
        },
        _ => StoreError::Database(e),
    }
}

impl EventLog {
    /// Stores events on several streams, each decided against the version given (0: a new
    /// stream), all in one transaction or none: a bulk import's donors and gifts (every stream
    /// new), or a merge of two donors' records correcting every gift of one. Under the head's
    /// lock each stream's version is read; a stream created or moved meanwhile (by another
    /// server, or the same file imported twice at once) is a conflict naming it, and nothing is
    /// stored. Returns the rows as stored.
    pub async fn append_streams(
        &self,
        streams: &[(String, u64, Vec<LedgerEvent>)],
        ctx: &AppendContext,
    ) -> Result<Vec<Row>, StoreError> {
        let Some((first, _, _)) = streams.first() else {
            return Ok(Vec::new());
        };
        let mut batch = Vec::with_capacity(streams.len());
        for (stream, expected, events) in streams {
            batch.push(AppendRequest {
                stream: stream.clone(),
                expected: *expected,
                events: encode_all(events)?,
                ctx: ctx.clone(),
                decided_at: None,
                // Answered by the return value instead.
                reply: oneshot::channel().0,
            });
        }
        let _serial = self.append_lock.lock().await;
        let known = self.known.lock().expect("known head poisoned").clone();
        let mut tx = self.pool.begin().await?;
        let locked = sqlx::query(LOCK_HEAD).bind(first).fetch_one(&mut *tx).await?;
        let head = head_from(&locked).map_err(protocol)?;
        let mut versions: HashMap<String, u64> = HashMap::new();
        for chunk in batch.chunks(ROWS_PER_STATEMENT) {
            let marks = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!(
                "SELECT stream, MAX(sequence) AS version FROM events WHERE stream IN ({marks}) GROUP BY stream"
            );
            let mut query = sqlx::query(&sql);
            for request in chunk {
                query = query.bind(request.stream.as_str());
            }
            for row in query.fetch_all(&mut *tx).await? {
                let stream: String = row.try_get("stream")?;
                let version: i64 = row.try_get("version")?;
                versions.insert(stream, version.max(0) as u64);
            }
        }
        for request in &batch {
            let found = versions.get(&request.stream).copied().unwrap_or(0);
            if found != request.expected {
                return Err(StoreError::Conflict {
                    stream: request.stream.clone(),
                    expected: request.expected,
                    found,
                });
            }
        }
        let plan = plan_batch(&batch, &head, &mut versions, |_| false).map_err(protocol)?;
        // Only a stream named twice in `streams` is refused here.
        if let Some(twice) = plan.outcomes.iter().position(Result::is_err) {
            return Err(StoreError::Conflict {
                stream: batch[twice].stream.clone(),
                expected: batch[twice].expected,
                found: batch[twice].expected + 1,
            });
        }
        for chunk in plan.rows.chunks(ROWS_PER_STATEMENT) {
            insert_rows(&mut tx, chunk).await?;
        }
        set_head(&mut tx, &plan.head).await?;
        tx.commit().await?;
        let (outcomes, new_head) = plan.into_outcomes();
        self.keep_own_rows(&outcomes);
        let own_since = match &known {
            Some(k) if k.head.position == head.position => k.own_since,
            _ => head.position,
        };
        self.record_commit(Known {
            head: new_head,
            own_since,
        });
        self.locked_commits.fetch_add(1, Ordering::Relaxed);
        Ok(outcomes.into_iter().flatten().flatten().collect())
    }
}
