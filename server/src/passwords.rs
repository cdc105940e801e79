//! Password hashing (argon2id) on a bounded pool of blocking threads.
//!
//! Argon2 is deliberately slow (tens of milliseconds and 19 MiB per hash). Run on the async
//! workers, a flood of sign-ins with made-up names would stall every other request, the live
//! stream included. Here each hash runs on tokio's blocking pool, at most one per core at once,
//! and when more than [`MAX_WAITING`] are already waiting the next is refused as [`Busy`] at once
//! instead of queueing without bound.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// Longest password accepted, in bytes: a longer one is refused before any hashing.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Hashes allowed to wait for a thread before further ones are refused.
pub const MAX_WAITING: usize = 64;

/// Too many password checks are waiting already; try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy checking passwords; try again in a moment")]
pub struct Busy;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error("could not hash the password: {0}")]
    Hash(String),
}

struct Pool {
    threads: Arc<Semaphore>,
    waiting: AtomicUsize,
}

impl Pool {
    fn new(threads: usize) -> Pool {
        Pool {
            threads: Arc::new(Semaphore::new(threads)),
            waiting: AtomicUsize::new(0),
        }
    }
}

/// One pool for the whole process: the cores it protects are the process's.
fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// Runs `work` on a blocking thread once one of the pool's slots is free.
async fn on_pool<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
    on(pool(), work).await
}

async fn on<T: Send + 'static>(
    pool: &'static Pool,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Busy> {
    if pool.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
        pool.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(Busy);
    }
    // Counted out however the wait ends, including the request being dropped mid-wait.
    struct Waiting(&'static AtomicUsize);
    impl Drop for Waiting {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let waiting = Waiting(&pool.waiting);
    let permit = pool.threads.clone().acquire_owned().await;
    drop(waiting);
    let permit = permit.map_err(|_| Busy)?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(|_| Busy)
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

fn matches_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new salted argon2id hash (PHC string) of `password`.
pub async fn hash(password: &str) -> Result<String, HashError> {
    let password = password.to_owned();
    on_pool(move || hash_now(&password)).await?
}

/// Whether `password` matches `hash`. With no hash (the name does not exist) a decoy is checked
/// instead, so a wrong name takes as long as a wrong password and the answer reveals neither.
pub async fn verify(password: &str, hash: Option<String>) -> Result<bool, Busy> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(false);
    }
    let password = password.to_owned();
    on_pool(move || match hash {
        Some(hash) => matches_now(&password, &hash),
        None => {
            matches_now(&password, decoy_hash());
            false
        }
    })
    .await
}

fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_now("decoy password, never valid").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").await.unwrap();
        assert!(verify("correct horse battery", Some(h.clone())).await.unwrap());
        assert!(!verify("wrong horse battery", Some(h)).await.unwrap());
        assert!(!verify("anything", None).await.unwrap());
        assert!(!verify(&"x".repeat(MAX_PASSWORD_BYTES + 1), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flood_is_refused_beyond_the_queue_instead_of_waiting_without_bound() {
        // A pool of its own: the process's is shared with the other tests.
        let pool: &'static Pool = Box::leak(Box::new(Pool::new(2)));
        let tries: Vec<_> = (0..MAX_WAITING * 3)
            .map(|_| tokio::spawn(on(pool, || matches_now("guess", decoy_hash()))))
            .collect();
        let mut busy = 0;
        for t in tries {
            if t.await.unwrap().is_err() {
                busy += 1;
            }
        }
        assert!(
            busy > 0,
            "some of {} simultaneous checks are refused",
            MAX_WAITING * 3
        );
    }
}
