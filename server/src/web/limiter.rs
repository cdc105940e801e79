//! The sign-in limiter: slows down password guessing by name and by client address, in bounded
//! memory, without locking the real person out.
//!
//! - A name gets [`NAME_FREE_TRIES`] failures; after that each further try must wait a delay
//!   that doubles with every failure, up to [`MAX_NAME_DELAY`]. An address gets more free tries
//!   (an office shares one) and a longer cap. Failures are forgotten after [`WINDOW`].
//! - Check and count are one step under one lock, and a name has at most one check in flight,
//!   so parallel tries on one name cannot all slip through before the first is counted.
//! - A browser that has signed in as the name before (a trusted-device cookie, see
//!   `People::trust_device`) skips both delays, so someone guessing at a name does not keep its
//!   owner out (OWASP's "device cookies").
//! - Several servers on one database count a name's failures together: each failure is also
//!   counted in the database (`People::count_failure`), and before a try the server takes in
//!   what the others counted (`LoginLimiter::absorb`). Addresses are counted per server.
//! - At most [`MAX_TRACKED`] names and as many addresses are remembered; when full, the entries
//!   idle longest are forgotten first. Names are validated (≤ 64 characters) before they get
//!   here.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub const NAME_FREE_TRIES: u32 = 3;
pub const ADDRESS_FREE_TRIES: u32 = 20;
pub const MAX_NAME_DELAY: Duration = Duration::from_secs(60);
pub const MAX_ADDRESS_DELAY: Duration = Duration::from_secs(300);
/// Failures older than this are forgotten.
pub const WINDOW: Duration = Duration::from_secs(crate::people::FAILURE_WINDOW_SECS);
/// Names (and, separately, addresses) remembered at most.
pub const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Track {
    failures: u32,
    last: Instant,
    in_flight: bool,
}

impl Track {
    /// How long until the next try is allowed, if it is not allowed now.
    fn wait(&self, free: u32, cap: Duration, now: Instant) -> Option<Duration> {
        if self.in_flight {
            return Some(Duration::from_secs(1));
        }
        if self.failures < free || now.duration_since(self.last) >= WINDOW {
            return None;
        }
        let doublings = (self.failures - free).min(16);
        let delay = Duration::from_secs(1u64 << doublings).min(cap);
        let since = now.duration_since(self.last);
        (since < delay).then(|| delay - since)
    }
}

/// Entries keyed by name or address, bounded in number.
struct Tracks<K> {
    map: HashMap<K, Track>,
}

impl<K: Hash + Eq + Clone> Tracks<K> {
    fn new() -> Self {
        Tracks { map: HashMap::new() }
    }

    fn entry(&mut self, key: &K, now: Instant) -> &mut Track {
        if !self.map.contains_key(key) && self.map.len() >= MAX_TRACKED {
            self.map
                .retain(|_, t| t.in_flight || now.duration_since(t.last) < WINDOW);
            if self.map.len() >= MAX_TRACKED {
                if let Some(oldest) = self
                    .map
                    .iter()
                    .filter(|(_, t)| !t.in_flight)
                    .min_by_key(|(_, t)| t.last)
                    .map(|(k, _)| k.clone())
                {
                    self.map.remove(&oldest);
                }
            }
        }
        self.map.entry(key.clone()).or_insert(Track {
            failures: 0,
            last: now,
            in_flight: false,
        })
    }

    fn len(&self) -> usize {
        self.map.len()
    }
}

struct Inner {
    names: Tracks<String>,
    addresses: Tracks<IpAddr>,
}

pub struct LoginLimiter {
    inner: Mutex<Inner>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter {
            inner: Mutex::new(Inner {
                names: Tracks::new(),
                addresses: Tracks::new(),
            }),
        }
    }
}

/// A try that was let through; report its outcome with [`Ticket::finish`]. Dropped unfinished
/// (the request was cancelled), it counts as nothing.
pub struct Ticket {
    limiter: Arc<LoginLimiter>,
    name: String,
    address: Option<IpAddr>,
    done: bool,
}

impl LoginLimiter {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves counts that are still counts.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lets a sign-in try go ahead, or says how long to wait. `trusted`: the browser has signed
    /// in as `name` before.
    pub fn begin(
        self: &Arc<Self>,
        name: &str,
        address: Option<IpAddr>,
        trusted: bool,
    ) -> Result<Ticket, Duration> {
        let now = Instant::now();
        let mut inner = self.lock();
        if !trusted {
            let by_name = inner
                .names
                .map
                .get(name)
                .and_then(|t| t.wait(NAME_FREE_TRIES, MAX_NAME_DELAY, now));
            let by_address = address
                .and_then(|a| inner.addresses.map.get(&a))
                .and_then(|t| t.wait(ADDRESS_FREE_TRIES, MAX_ADDRESS_DELAY, now));
            if let Some(wait) = by_name.into_iter().chain(by_address).max() {
                return Err(wait);
            }
            inner.names.entry(&name.to_owned(), now).in_flight = true;
        }
        Ok(Ticket {
            limiter: self.clone(),
            name: name.to_owned(),
            address,
            done: trusted,
        })
    }

    /// Takes in what other servers counted for `name` (`failures`, the last `ago`): this
    /// server's count for the name becomes at least theirs, so guesses spread over several
    /// instances meet the same delays as guesses at one.
    pub fn absorb(&self, name: &str, failures: u32, ago: Duration) {
        let now = Instant::now();
        let Some(last) = now.checked_sub(ago) else { return };
        let mut inner = self.lock();
        let track = inner.names.entry(&name.to_owned(), now);
        if track.failures == 0 || now.duration_since(track.last) >= WINDOW {
            // Nothing counted here (or long ago): theirs is the whole story.
            track.failures = failures;
            track.last = last;
        } else {
            track.failures = track.failures.max(failures);
            track.last = track.last.max(last);
        }
    }

    /// Names and addresses remembered now (for tests and metrics).
    pub fn tracked(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.names.len(), inner.addresses.len())
    }
}

impl Ticket {
    /// Counts the outcome: a failure lengthens the next delay; a success forgets the name's
    /// failures (not the address's: one good account must not reset a guesser's count).
    pub fn finish(mut self, success: bool) {
        let now = Instant::now();
        let trusted = self.done;
        self.done = true;
        let mut inner = self.limiter.lock();
        if success {
            inner.names.map.remove(&self.name);
            return;
        }
        let name = inner.names.entry(&self.name, now);
        name.in_flight = false;
        if now.duration_since(name.last) >= WINDOW {
            name.failures = 0;
        }
        name.failures = name.failures.saturating_add(1);
        name.last = now;
        if trusted {
            return;
        }
        if let Some(address) = self.address {
            let address = inner.addresses.entry(&address, now);
            if now.duration_since(address.last) >= WINDOW {
                address.failures = 0;
            }
            address.failures = address.failures.saturating_add(1);
            address.last = now;
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.done {
            if let Some(t) = self.limiter.lock().names.map.get_mut(&self.name) {
                t.in_flight = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> Arc<LoginLimiter> {
        Arc::new(LoginLimiter::default())
    }

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn a_name_gets_free_tries_then_must_wait_longer_each_time() {
        let l = limiter();
        for _ in 0..NAME_FREE_TRIES {
            l.begin("hanako", HOME, false).unwrap().finish(false);
        }
        let wait = l.begin("hanako", HOME, false).err().expect("the next try waits");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        // Another name from the same address is not held back.
        assert!(l.begin("taro", HOME, false).is_ok());
    }

    #[test]
    fn parallel_tries_on_one_name_go_one_at_a_time() {
        let l = limiter();
        let first = l.begin("hanako", HOME, false).unwrap();
        assert!(
            l.begin("hanako", None, false).is_err(),
            "a second try while the first is checked"
        );
        first.finish(false);
        assert!(l.begin("hanako", None, false).is_ok());
    }

    #[test]
    fn a_trusted_device_signs_in_while_someone_guesses_at_its_name() {
        let l = limiter();
        let attacker = Some(IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 9)));
        for _ in 0..10 {
            if let Ok(t) = l.begin("hanako", attacker, false) {
                t.finish(false);
            }
        }
        assert!(l.begin("hanako", attacker, false).is_err());
        let owner = l
            .begin("hanako", HOME, true)
            .expect("the owner's browser is let through");
        owner.finish(true);
    }

    #[test]
    fn failures_counted_by_other_servers_delay_the_next_try_here() {
        let l = limiter();
        l.absorb("ann", NAME_FREE_TRIES, Duration::ZERO);
        assert!(
            l.begin("ann", None, false).is_err(),
            "three failures elsewhere, just now"
        );
        // Long enough ago that the delay has passed: the try goes ahead.
        let other = limiter();
        other.absorb("bob", NAME_FREE_TRIES, Duration::from_secs(5));
        assert!(other.begin("bob", None, false).is_ok());
        // Fewer than the free tries elsewhere: no delay.
        let third = limiter();
        third.absorb("cy", NAME_FREE_TRIES - 1, Duration::ZERO);
        assert!(third.begin("cy", None, false).is_ok());
    }

    #[test]
    fn an_abandoned_try_does_not_block_the_name() {
        let l = limiter();
        drop(l.begin("hanako", HOME, false).unwrap());
        assert!(l.begin("hanako", HOME, false).is_ok());
    }

    #[test]
    fn memory_is_bounded_however_many_names_are_sent() {
        let l = limiter();
        for i in 0..(MAX_TRACKED + 500) {
            l.begin(&format!("made-up-{i}"), None, false)
                .unwrap()
                .finish(false);
        }
        let (names, addresses) = l.tracked();
        assert!((MAX_TRACKED - 1..=MAX_TRACKED).contains(&names), "{names}");
        assert_eq!(addresses, 0);
        // …and from one address, its count stops the flood long before that.
        let l = limiter();
        let refused = (0..100)
            .filter(|i| match l.begin(&format!("made-up-{i}"), HOME, false) {
                Ok(t) => {
                    t.finish(false);
                    false
                }
                Err(_) => true,
            })
            .count();
        assert_eq!(refused, 100 - ADDRESS_FREE_TRIES as usize);
    }
}
