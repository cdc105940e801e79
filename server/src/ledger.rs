//! The command path: command → aggregate (rules) → events → store. The same path serves the CLI,
//! the demo loader and (later) the HTTP API, so every door into the ledger keeps the same rules.

use crate::store::{AppendContext, CommandId, EventLog, StoreError, StoredCommand};
use domain::chain::Row;
use domain::fold_index::{FoldIndex, Needs, Plan};
use domain::{Command, DomainError, LedgerState, Recorded, Subject, View};
use std::collections::HashSet;
use std::hash::{Hash as _, Hasher as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A rule was broken; nothing was stored.
    #[error(transparent)]
    Rejected(#[from] DomainError),
    /// Someone else changed the same subject first; nothing was stored.
    #[error("{stream} was changed by someone else first (you saw version {expected}, it is now at {found}); reload and try again")]
    Conflict {
        stream: String,
        expected: u64,
        found: u64,
    },
    /// The command id was used before for a different command; nothing was stored.
    #[error(
        "command id {key:?} was already used for a different command; choose a new id for a new command"
    )]
    KeyReused { key: String },
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict {
                stream,
                expected,
                found,
            } => CommandError::Conflict {
                stream,
                expected,
                found,
            },
            other => CommandError::Store(other),
        }
    }
}

/// What a command stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub stream: String,
    pub positions: Vec<u64>,
    /// The stream's version after the command.
    pub version: u64,
    /// A command sent again under the id of one already stored: this is the first one's
    /// outcome, and nothing new was stored.
    pub replayed: bool,
}

impl Outcome {
    fn replay(stored: StoredCommand, id: &CommandId) -> Result<Outcome, CommandError> {
        if stored.digest != id.digest {
            return Err(CommandError::KeyReused { key: id.key.clone() });
        }
        Ok(Outcome {
            stream: stored.stream,
            positions: stored.positions,
            version: stored.version,
            replayed: true,
        })
    }
}

/// Rows read per query while catching up.
const PAGE: u64 = 10_000;

/// Rows read per query when reading the whole ledger.
const READ_PAGE: u64 = 20_000;

pub struct Ledger {
    log: Arc<EventLog>,
    /// The projection of everything recorded, kept current for the rules' directory.
    state: RwLock<LedgerState>,
    catching_up: Mutex<()>,
    /// Every event, decoded, as far as the projection has been caught up (`history`).
    history: RwLock<crate::history::History>,
    /// Which held events each kind of question needs (`planned`), kept with `history`: always
    /// taken after its lock, so the two are read as one.
    fold_index: RwLock<FoldIndex>,
    /// Whether a catch-up has reached the store's head once: until then, answers from the
    /// projection would have to wait for the first fold (readiness, `/api/ready`).
    folded: std::sync::atomic::AtomicBool,
    /// Every stream with an event in `history`, by hash: a stream not in it is new, so a command
    /// creating it needs nothing read from the store (`decide_from_memory`). A hash shared by two
    /// streams only sends a command the way that reads.
    streams: RwLock<HashSet<u64>>,
    /// Commands decided from memory, and decided after reading the store (`decided_by_way`).
    from_memory: AtomicU64,
    from_store: AtomicU64,
}

fn stream_key(stream: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    stream.hash(&mut hasher);
    hasher.finish()
}

/// Decodes a stored row; a row the domain cannot read is reported with its position.
pub fn decode(row: &Row) -> Result<Recorded, StoreError> {
    row.decode().map_err(|e| StoreError::Corrupt {
        position: row.position,
        reason: e.to_string(),
    })
}

impl Ledger {
    pub fn new(log: Arc<EventLog>) -> Self {
        Ledger {
            log,
            state: RwLock::new(LedgerState::default()),
            catching_up: Mutex::new(()),
            history: RwLock::new(crate::history::History::default()),
            fold_index: RwLock::new(FoldIndex::default()),
            folded: std::sync::atomic::AtomicBool::new(false),
            streams: RwLock::new(HashSet::new()),
            from_memory: AtomicU64::new(0),
            from_store: AtomicU64::new(0),
        }
    }

    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Ok(Self::new(Arc::new(EventLog::open(url).await?)))
    }

    pub fn log(&self) -> &Arc<EventLog> {
        &self.log
    }

    /// Brings the projection up to the store's last committed event (including events appended
    /// by other processes).
    pub async fn catch_up(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.catching_up.lock().await;
        loop {
            // The history and the projection move together under this lock.
            let after = self.history.read().expect("history lock poisoned").len();
            let rows = self.log.rows_after(after, PAGE).await?;
            let last_page = (rows.len() as u64) < PAGE;
            let recorded = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
            self.absorb_locked(&recorded).await?;
            if last_page {
                self.folded.store(true, std::sync::atomic::Ordering::Release);
                return Ok(());
            }
        }
    }

    /// Pushes events that follow the projection's head into it, in order; a correction (or a
    /// gap, which a concurrent catch-up leaves) means folding everything again.
    async fn absorb_locked(&self, recorded: &[Recorded]) -> Result<(), StoreError> {
        // The history first: the projection is refolded from it when it cannot simply push.
        let held = {
            let mut history = self.history.write().expect("history lock poisoned");
            let before = history.len();
            let followed_on = history.extend(recorded);
            let mut index = self.fold_index.write().expect("fold index lock poisoned");
            let indexed = index.len();
            for e in recorded.iter().skip_while(|e| e.position <= indexed) {
                if e.position > history.len() || !index.push(e) {
                    break;
                }
            }
            followed_on.then_some(()).ok_or(before)
        };
        if let Err(before) = held {
            // Positions are gapless; a gap means a row went missing under us.
            return Err(StoreError::Corrupt {
                position: before + 1,
                reason: "the events read do not follow on from the ones held".into(),
            });
        }
        {
            let mut streams = self.streams.write().expect("streams lock poisoned");
            streams.extend(recorded.iter().map(|e| stream_key(&e.stream)));
        }
        for event in recorded {
            let pushed = {
                let mut state = self.state.write().expect("state lock poisoned");
                if event.position <= state.head_position {
                    continue;
                }
                event.position == state.head_position + 1 && state.push(event)
            };
            if !pushed {
                let history = self.history.read().expect("history lock poisoned").clone();
                *self.state.write().expect("state lock poisoned") =
                    LedgerState::replay(history.iter(), View::everything());
                return Ok(());
            }
        }
        Ok(())
    }

    /// Whether the projection has been folded up to the store's head at least once.
    pub fn folded(&self) -> bool {
        self.folded.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Every event up to the store's head, from memory (caught up first): what answers as of a
    /// date or as known at a time fold, without re-reading the store.
    pub async fn history(&self) -> Result<crate::history::History, StoreError> {
        self.catch_up().await?;
        Ok(self.history.read().expect("history lock poisoned").clone())
    }

    /// The held events (caught up first) and a plan of the fold that answers what `needs` asks
    /// from `view`, when that is less than every event: an answer about programs, say, folds
    /// none of the year-only receipts, and one about a year's receipts only that year's.
    pub async fn planned(
        &self,
        view: View,
        needs: &Needs,
    ) -> Result<(crate::history::History, Option<Plan>), StoreError> {
        self.catch_up().await?;
        let history = self.history.read().expect("history lock poisoned");
        let plan = self
            .fold_index
            .read()
            .expect("fold index lock poisoned")
            .plan(view, needs);
        Ok((history.clone(), plan))
    }

    /// Reads the current projection under its lock.
    pub fn read_state<T>(&self, f: impl FnOnce(&LedgerState) -> T) -> T {
        f(&self.state.read().expect("state lock poisoned"))
    }

    /// Every event, decoded, in order.
    ///
    /// Pipelined: each page is decoded on a blocking thread while the next page is read, so
    /// reading and decoding use both cores instead of taking turns. (Two decoding threads were
    /// tried: on SQLite they compete with the database's own thread and replay got slower.)
    pub async fn recorded_all(&self) -> Result<Vec<Recorded>, StoreError> {
        let mut all = Vec::new();
        let mut after = 0;
        let mut decoding: Option<tokio::task::JoinHandle<Result<Vec<Recorded>, StoreError>>> = None;
        loop {
            let rows = self.log.rows_after(after, READ_PAGE).await?;
            if let Some(previous) = decoding.take() {
                all.extend(previous.await.expect("the decoding task does not panic")?);
            }
            let Some(last) = rows.last() else { return Ok(all) };
            after = last.position;
            decoding = Some(tokio::task::spawn_blocking(move || {
                rows.iter().map(decode).collect()
            }));
        }
    }

    /// A subject's aggregate, folded from its stream.
    pub async fn subject(&self, stream: &str) -> Result<Subject, StoreError> {
        let mut subject = Subject::default();
        for row in self.log.stream_rows(stream, 0).await? {
            subject.apply_event(decode(&row)?.event);
        }
        Ok(subject)
    }

    /// Decides and stores a command for `actor`. `expected_version`, when given, is the version of
    /// the subject the person was looking at: if it moved on, the command is a conflict.
    pub async fn execute(
        &self,
        command: Command,
        actor: &str,
        expected_version: Option<u64>,
    ) -> Result<Outcome, CommandError> {
        self.execute_once(command, actor, expected_version, None).await
    }

    /// As [`Ledger::execute`], for the donor vault's own records (`crate::vault`), which every
    /// other path refuses: each stands for something the vault did to sealed details.
    pub(crate) async fn execute_for_vault(
        &self,
        command: Command,
        actor: &str,
        expected_version: Option<u64>,
    ) -> Result<Outcome, CommandError> {
        self.decide_and_append(command, actor, expected_version, None)
            .await
    }

    /// As [`Ledger::execute`], for a command the client named with `id`: if a command with that
    /// id was stored already (its reply was lost and the client sends it again), the first
    /// outcome is returned and nothing new is stored — whether the first is found before
    /// deciding, or turns out to have won a race while this one was being decided.
    pub async fn execute_once(
        &self,
        command: Command,
        actor: &str,
        expected_version: Option<u64>,
        id: Option<CommandId>,
    ) -> Result<Outcome, CommandError> {
        if let Command::Record { fact, .. } = &command {
            if fact.is_vault_record() {
                return Err(CommandError::Rejected(DomainError::VaultRecord {
                    kind: fact.type_name(),
                }));
            }
        }
        let Some(id) = id else {
            return self
                .decide_and_append(command, actor, expected_version, None)
                .await;
        };
        if let Some(stored) = self.log.stored_command(actor, &id.key).await? {
            return Outcome::replay(stored, &id);
        }
        match self
            .decide_and_append(command, actor, expected_version, Some(id.clone()))
            .await
        {
            Ok(outcome) => Ok(outcome),
            Err(refused) => match self.log.stored_command(actor, &id.key).await? {
                Some(stored) => Outcome::replay(stored, &id),
                None => Err(refused),
            },
        }
    }

    /// Records commands that create new subjects (a bulk import's donors and gifts), all in one
    /// commit or none. Each is decided in order against the projection and what the commands
    /// before it create (a donor registered for one row is known to the next), on streams that
    /// must all be new: a rule refusing one, or a stream that exists already, stores nothing.
    /// The vault's own records are accepted, for the vault's imports. Returns the positions.
    pub(crate) async fn create_all(
        &self,
        commands: Vec<Command>,
        actor: &str,
    ) -> Result<Vec<u64>, CommandError> {
        self.catch_up().await?;
        let mut order: Vec<String> = Vec::new();
        let mut subjects: std::collections::HashMap<String, (Subject, Vec<domain::LedgerEvent>)> =
            std::collections::HashMap::new();
        {
            let state = self.state.read().expect("state lock poisoned");
            let mut batch = BatchDirectory {
                state: &state,
                donors: HashSet::new(),
            };
            // Whether each stream is new is checked by the store, under its lock.
            for command in commands {
                let stream = command.stream()?;
                if let domain::Command::Record {
                    fact: domain::Fact::DonorRegistered { donor, .. },
                    ..
                } = &command
                {
                    batch.donors.insert(donor.clone());
                }
                let (subject, events) = subjects.entry(stream.clone()).or_insert_with(|| {
                    order.push(stream.clone());
                    (Subject::default(), Vec::new())
                });
                for event in subject.decide(command, &batch)? {
                    subject.apply_event(event.clone());
                    events.push(event);
                }
            }
        }
        // Every stream is new: version 0, which the store checks under its lock.
        let streams: Vec<(String, u64, Vec<domain::LedgerEvent>)> = order
            .into_iter()
            .filter_map(|stream| subjects.remove(&stream).map(|(_, events)| (stream, 0, events)))
            .collect();
        self.store_batch(&streams, actor, None).await
    }

    /// Stores a decided batch in one commit (each stream at the version it was decided
    /// against), takes it into the projection, and returns the positions stored.
    async fn store_batch(
        &self,
        streams: &[(String, u64, Vec<domain::LedgerEvent>)],
        actor: &str,
        reason: Option<&str>,
    ) -> Result<Vec<u64>, CommandError> {
        let ctx = AppendContext {
            actor: actor.to_owned(),
            correlation_id: uuid::Uuid::new_v4().to_string(),
            reason: reason.map(str::to_owned),
            command_id: None,
        };
        let rows = self.log.append_streams(streams, &ctx).await?;
        self.absorb_own().await;
        // A batch larger than the rows a store keeps of its own commits (a year's certificates,
        // a big import) is read back, so that what follows sees it.
        let last = rows.last().map_or(0, |r| r.position);
        if self.read_state(|s| s.head_position) < last {
            if let Err(e) = self.catch_up().await {
                tracing::warn!("reading back a large batch: {e}");
            }
        }
        Ok(rows.iter().map(|r| r.position).collect())
    }

    /// Decides `commands` on streams that may already hold events, each against its stream
    /// as stored and the projection, and stores them all in one commit or none (a merge of two
    /// donors corrects every gift of one). A stream that moves meanwhile is a conflict, and
    /// nothing is stored. Returns the positions stored.
    pub(crate) async fn amend_all(
        &self,
        commands: Vec<Command>,
        actor: &str,
        reason: &str,
    ) -> Result<Vec<u64>, CommandError> {
        self.catch_up().await?;
        let mut order: Vec<String> = Vec::new();
        let mut subjects: std::collections::HashMap<String, (Subject, u64, Vec<domain::LedgerEvent>)> =
            std::collections::HashMap::new();
        for command in &commands {
            let stream = command.stream()?;
            if subjects.contains_key(&stream) {
                continue;
            }
            let rows = self.log.stream_rows(&stream, 0).await?;
            let mut subject = Subject::default();
            for row in &rows {
                subject.apply_event(decode(row)?.event);
            }
            order.push(stream.clone());
            subjects.insert(stream, (subject, rows.len() as u64, Vec::new()));
        }
        {
            let state = self.state.read().expect("state lock poisoned");
            let directory = BatchDirectory {
                state: &state,
                donors: HashSet::new(),
            };
            for command in commands {
                let stream = command.stream()?;
                if let Some((subject, _, events)) = subjects.get_mut(&stream) {
                    for event in subject.decide(command, &directory)? {
                        subject.apply_event(event.clone());
                        events.push(event);
                    }
                }
            }
        }
        let streams: Vec<(String, u64, Vec<domain::LedgerEvent>)> = order
            .into_iter()
            .filter_map(|stream| {
                subjects
                    .remove(&stream)
                    .map(|(_, version, events)| (stream, version, events))
            })
            .collect();
        self.store_batch(&streams, actor, Some(reason)).await
    }

    /// How many commands this process decided from memory, and after reading the store.
    pub fn decided_by_way(&self) -> (u64, u64) {
        (
            self.from_memory.load(Ordering::Relaxed),
            self.from_store.load(Ordering::Relaxed),
        )
    }

    /// Takes what this process just stored into the history and the projection: its own rows
    /// that follow on from what is held, its other writers' included (else a later command
    /// reads them with whatever another process stored between). The command is stored
    /// whatever happens here, so a failure is logged, not answered: the next catch-up reads
    /// the rows from the store.
    async fn absorb_own(&self) {
        let _one_at_a_time = self.catching_up.lock().await;
        let held = self.history.read().expect("history lock poisoned").len();
        let rows = self.log.own_rows_after(held);
        if rows.is_empty() {
            return;
        }
        let absorbed = match rows.iter().map(decode).collect::<Result<Vec<_>, _>>() {
            Ok(recorded) => self.absorb_locked(&recorded).await,
            Err(e) => Err(e),
        };
        if let Err(e) = absorbed {
            tracing::warn!("taking this server's own commits into memory: {e}");
        }
    }

    /// A command that creates a subject, decided against the projection in memory with nothing
    /// read first: when this process's memory holds the ledger up to the head its own last
    /// commit left, and the subject's stream is new to it. The store keeps it only if no other
    /// process appended since (`EventLog::append_decided`). `None` when any of that does not
    /// hold, or the rules refuse it (a refusal is confirmed against the store): the command is
    /// then decided the way that reads.
    async fn decide_from_memory(
        &self,
        command: &Command,
        stream: &str,
        ctx: &AppendContext,
        expected_version: Option<u64>,
    ) -> Result<Option<Outcome>, CommandError> {
        if expected_version.is_some_and(|v| v != 0) {
            return Ok(None);
        }
        if self
            .streams
            .read()
            .expect("streams lock poisoned")
            .contains(&stream_key(stream))
        {
            return Ok(None);
        }
        let (decided_at, events) = {
            let state = self.state.read().expect("state lock poisoned");
            if self.log.known_position() != Some(state.head_position) {
                return Ok(None);
            }
            match Subject::default().decide(command.clone(), &*state) {
                Ok(events) => (state.head_position, events),
                Err(_) => return Ok(None),
            }
        };
        match self.log.append_decided(stream, 0, &events, ctx, decided_at).await {
            Ok(rows) => {
                self.absorb_own().await;
                Ok(Some(Outcome {
                    stream: stream.to_owned(),
                    version: rows.len() as u64,
                    positions: rows.iter().map(|r| r.position).collect(),
                    replayed: false,
                }))
            }
            Err(StoreError::Stale | StoreError::Conflict { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn decide_and_append(
        &self,
        command: Command,
        actor: &str,
        expected_version: Option<u64>,
        command_id: Option<CommandId>,
    ) -> Result<Outcome, CommandError> {
        let stream = command.stream()?;
        // A long way behind (just started, or a large import in this process): read in pages.
        if self.read_state(|s| s.head_position) + PAGE < self.log.committed() {
            self.catch_up().await?;
        }
        let ctx = AppendContext {
            actor: actor.to_owned(),
            correlation_id: uuid::Uuid::new_v4().to_string(),
            reason: command.reason().map(str::to_owned),
            command_id,
        };
        if let Some(outcome) = self
            .decide_from_memory(&command, &stream, &ctx, expected_version)
            .await?
        {
            self.from_memory.fetch_add(1, Ordering::Relaxed);
            return Ok(outcome);
        }
        self.from_store.fetch_add(1, Ordering::Relaxed);
        // One query brings the subject's stream and whatever the projection has not seen yet
        // (including events other processes appended), so the rules see the current ledger.
        let after = self.read_state(|s| s.head_position);
        let mut subject = Subject::default();
        let mut newer = Vec::new();
        for row in self.log.rows_for_command(&stream, after).await? {
            let recorded = decode(&row)?;
            if recorded.stream == stream {
                subject.apply_event(recorded.event.clone());
            }
            if recorded.position > after {
                newer.push(recorded);
            }
        }
        if !newer.is_empty() {
            let _one_at_a_time = self.catching_up.lock().await;
            self.absorb_locked(&newer).await?;
        }
        if let Some(expected) = expected_version {
            if expected != subject.version() {
                return Err(CommandError::Conflict {
                    stream,
                    expected,
                    found: subject.version(),
                });
            }
        }
        let events = {
            let state = self.state.read().expect("state lock poisoned");
            subject.decide(command, &*state)?
        };
        let rows = self
            .log
            .append_returning(&stream, subject.version(), &events, &ctx)
            .await?;
        self.absorb_own().await;
        Ok(Outcome {
            stream,
            version: subject.version() + rows.len() as u64,
            positions: rows.iter().map(|r| r.position).collect(),
            replayed: false,
        })
    }
}

/// The directory a batch of new subjects is decided against: the projection, and the donors
/// the batch registers before the commands that name them.
struct BatchDirectory<'a> {
    state: &'a LedgerState,
    donors: HashSet<domain::ids::DonorId>,
}

impl domain::directory::Directory for BatchDirectory<'_> {
    fn program(&self, id: &domain::ids::ProgramId) -> Option<domain::directory::ProgramInfo> {
        self.state.program(id)
    }

    fn partner(&self, id: &domain::ids::PartnerId) -> Option<domain::directory::PartnerInfo> {
        self.state.partner(id)
    }

    fn donor(&self, id: &domain::ids::DonorId) -> bool {
        self.donors.contains(id) || self.state.donor(id)
    }

    fn ledger(&self) -> Option<&LedgerState> {
        Some(self.state)
    }
}
