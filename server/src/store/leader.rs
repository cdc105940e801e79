//! Which one of several servers on a PostgreSQL database does a periodic job, such as signing
//! the hourly checkpoint: the one holding a session-level advisory lock. The lock lives as long
//! as the connection that took it, so a server that stops, crashes or loses its connection lets
//! another take the job at that one's next tick. On SQLite there is one server: it always leads.

use super::EventLog;
use sqlx::Connection;

/// The advisory lock of the checkpoint schedule (any number unique to the job; this one spells
/// "SPIRALCP" in ASCII).
pub const CHECKPOINT_JOB: i64 = 0x5350_4952_414C_4350;

pub struct Leadership {
    url: Option<String>,
    job: i64,
    /// The connection holding the lock, while this server leads.
    held: Option<sqlx::PgConnection>,
}

impl Leadership {
    pub fn new(log: &EventLog, job: i64) -> Self {
        Leadership {
            url: log.postgres_url().map(str::to_owned),
            job,
            held: None,
        }
    }

    /// Whether this server leads now: it keeps the lock while its connection lives, and tries
    /// to take it when it does not hold it.
    pub async fn lead(&mut self) -> bool {
        let Some(url) = &self.url else {
            return true;
        };
        if let Some(connection) = self.held.as_mut() {
            if connection.ping().await.is_ok() {
                return true;
            }
            tracing::warn!("lost the connection that held a job's lock; trying to take it again");
            self.held = None;
        }
        let Ok(mut connection) = sqlx::PgConnection::connect(url).await else {
            return false;
        };
        let taken = sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1)")
            .bind(self.job)
            .fetch_one(&mut connection)
            .await
            .unwrap_or(false);
        if taken {
            self.held = Some(connection);
        } else {
            let _ = connection.close().await;
        }
        taken
    }
}
