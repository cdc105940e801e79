//! The live tail: one reader follows the store and keeps the most recent events in memory,
//! encoded once, for every open stream to share. A stream client never has a queue of its own:
//! it asks for "what comes after the last position I sent", so a slow client only falls behind
//! (and is then served from the database) without holding back others or growing memory.

use crate::interchange::export_line;
use crate::store::{EventLog, StoreError};
use std::collections::VecDeque;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::watch;

/// How many recent events stay in memory.
const RECENT: usize = 10_000;

/// One event as the stream sends it: its position and its export line (docs/interchange.md).
#[derive(Debug)]
pub struct TailEvent {
    pub position: u64,
    pub line: String,
}

pub struct Tail {
    log: Arc<EventLog>,
    recent: RwLock<VecDeque<Arc<TailEvent>>>,
    head: watch::Sender<u64>,
}

impl Tail {
    /// Starts following the store from its current head: woken by every commit in this
    /// process and, on PostgreSQL, by other servers' commits (`EventLog::listen_for_commits`);
    /// besides, it looks every `poll_every` (what finds commits on SQLite by other processes,
    /// and anything a lost notification would have announced).
    pub fn spawn(log: Arc<EventLog>, poll_every: Duration) -> Arc<Tail> {
        log.listen_for_commits();
        let tail = Arc::new(Tail {
            head: watch::channel(log.committed()).0,
            recent: RwLock::new(VecDeque::new()),
            log,
        });
        let follower = tail.clone();
        tokio::spawn(async move { follower.follow(poll_every).await });
        tail
    }

    async fn follow(self: Arc<Self>, poll_every: Duration) {
        let mut committed = self.log.subscribe();
        loop {
            if let Err(e) = self.read_new().await {
                tracing::warn!("live tail could not read the store: {e}");
            }
            tokio::select! {
                changed = committed.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep(poll_every) => {}
            }
        }
    }

    async fn read_new(&self) -> Result<(), StoreError> {
        loop {
            let after = *self.head.borrow();
            let rows = self.log.rows_after(after, 1000).await?;
            let Some(last) = rows.last().map(|r| r.position) else {
                return Ok(());
            };
            {
                let mut recent = self.recent.write().expect("tail lock poisoned");
                for row in &rows {
                    recent.push_back(Arc::new(TailEvent {
                        position: row.position,
                        line: export_line(row),
                    }));
                }
                while recent.len() > RECENT {
                    recent.pop_front();
                }
            }
            self.head.send_replace(last);
        }
    }

    /// The last position the tail has made available.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }

    /// Up to `max` events after position `after`: from memory when they are still there,
    /// otherwise from the database.
    pub async fn after(&self, after: u64, max: usize) -> Result<Vec<Arc<TailEvent>>, StoreError> {
        {
            let recent = self.recent.read().expect("tail lock poisoned");
            if let Some(first) = recent.front() {
                // `after` comes from a client (Last-Event-ID): any u64.
                if first.position <= after.saturating_add(1) {
                    let skip =
                        usize::try_from(after.saturating_add(1) - first.position).unwrap_or(usize::MAX);
                    return Ok(recent.iter().skip(skip).take(max).cloned().collect());
                }
            }
        }
        let head = *self.head.borrow();
        if after >= head {
            return Ok(Vec::new());
        }
        let rows = self
            .log
            .rows_after(after, max.min((head - after) as usize) as u64)
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Arc::new(TailEvent {
                    position: row.position,
                    line: export_line(row),
                })
            })
            .collect())
    }
}
