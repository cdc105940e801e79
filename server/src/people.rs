//! People and their sessions: who may sign in, with which role, and the sessions they hold.
//! Stored in the ledger's database (tables `users`, `sessions` and `trusted_devices`), never in
//! the ledger itself.

use crate::passwords::{self, Busy, HashError, MAX_PASSWORD_BYTES};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row as _};
use std::fmt;
use std::str::FromStr;

/// What a person may do. Checked on the server for every endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Records events.
    Staff,
    /// Reads everything, including the full log and its verification.
    Auditor,
    /// Reads projections and reports.
    Reporter,
    /// Manages people; not a staff member.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Auditor => "auditor",
            Role::Reporter => "reporter",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "staff" => Ok(Role::Staff),
            "auditor" => Ok(Role::Auditor),
            "reporter" => Ok(Role::Reporter),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role {other:?}: use staff, auditor, reporter or admin"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("a user named {0:?} already exists")]
    Exists(String),
    #[error("no user named {0:?}")]
    NoSuchUser(String),
    #[error("a user name is 1 to {MAX_NAME} characters without spaces, control, bidirectional or zero-width characters")]
    BadName,
    #[error("a password needs at least {MIN_PASSWORD} characters (and at most {MAX_PASSWORD_BYTES} bytes)")]
    WeakPassword,
    #[error("the current password is wrong")]
    WrongPassword,
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<HashError> for PeopleError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy(b) => PeopleError::Busy(b),
            HashError::Hash(h) => PeopleError::Hash(h),
        }
    }
}

pub const MIN_PASSWORD: usize = 10;
pub const MAX_NAME: usize = 64;

/// A session ends this long after sign-in, however busy (absolute lifetime).
pub const SESSION_HOURS: i64 = 12;
/// …or after this long without a request (idle lifetime). An open page's live stream counts as
/// a request only when it starts.
pub const IDLE_MINUTES: i64 = 120;
/// Failed sign-ins of a name older than this are forgotten (here and in `web::limiter`).
pub const FAILURE_WINDOW_SECS: u64 = 15 * 60;
/// How often a session's last use is written back: not on every request.
const TOUCH_EVERY_SECONDS: i64 = 60;
/// A device that signed in successfully is trusted for this long (see `trust_device`).
pub const DEVICE_DAYS: i64 = 365;

fn now_text() -> String {
    stamp(Utc::now())
}

fn failure_window() -> Duration {
    Duration::seconds(FAILURE_WINDOW_SECS as i64)
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A name people sign in with and auditors read in the log: it must look like what it is.
pub fn valid_name(name: &str) -> bool {
    name.len() <= 4 * MAX_NAME
        && domain::text::check(name, MAX_NAME, domain::text::Lines::One).is_ok()
        && !name.chars().any(char::is_whitespace)
}

fn check_password(password: &str) -> Result<(), PeopleError> {
    if password.chars().count() < MIN_PASSWORD || password.len() > MAX_PASSWORD_BYTES {
        return Err(PeopleError::WeakPassword);
    }
    Ok(())
}

fn user_from(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        name: row.try_get("name")?,
        role: row
            .try_get::<String, _>("role")?
            .parse()
            .unwrap_or(Role::Reporter),
        disabled: row.try_get::<i32, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

#[derive(Clone)]
pub struct People {
    pool: AnyPool,
}

impl People {
    pub fn new(pool: AnyPool) -> Self {
        People { pool }
    }

    pub async fn add(&self, name: &str, role: Role, password: &str) -> Result<User, PeopleError> {
        if !valid_name(name) {
            return Err(PeopleError::BadName);
        }
        check_password(password)?;
        let hash = passwords::hash(password).await?;
        let created_at = now_text();
        let result = sqlx::query(
            "INSERT INTO users (name, role, password_hash, disabled, created_at) VALUES ($1, $2, $3, 0, $4)",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(&hash)
        .bind(&created_at)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(User {
                name: name.to_owned(),
                role,
                disabled: false,
                created_at,
            }),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                Err(PeopleError::Exists(name.to_owned()))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn list(&self) -> Result<Vec<User>, PeopleError> {
        let rows = sqlx::query("SELECT name, role, disabled, created_at FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(user_from).collect::<Result<_, _>>()?)
    }

    pub async fn count(&self) -> Result<u64, PeopleError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// Disables a user and ends all their sessions.
    pub async fn disable(&self, name: &str) -> Result<(), PeopleError> {
        self.set_disabled(name, true).await
    }

    /// Lets a disabled user sign in again (with the password they had).
    pub async fn enable(&self, name: &str) -> Result<(), PeopleError> {
        self.set_disabled(name, false).await
    }

    async fn set_disabled(&self, name: &str, disabled: bool) -> Result<(), PeopleError> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query("UPDATE users SET disabled = $1 WHERE name = $2")
            .bind(i32::from(disabled))
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(PeopleError::NoSuchUser(name.to_owned()));
        }
        if disabled {
            end_sessions(&mut tx, name, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password (an administrator's reset, or the CLI's) and ends every session the
    /// person holds, so a password that leaked stops working everywhere at once.
    pub async fn set_password(&self, name: &str, password: &str) -> Result<(), PeopleError> {
        self.replace_password(name, password, None).await
    }

    /// A person changing their own password, proving the current one: their other sessions end,
    /// the one they are using (`keep`) stays.
    pub async fn change_password(
        &self,
        name: &str,
        current: &str,
        new: &str,
        keep: &str,
    ) -> Result<(), PeopleError> {
        check_password(new)?;
        if self.authenticate(name, current).await?.is_none() {
            return Err(PeopleError::WrongPassword);
        }
        self.replace_password(name, new, Some(keep)).await
    }

    async fn replace_password(
        &self,
        name: &str,
        password: &str,
        keep: Option<&str>,
    ) -> Result<(), PeopleError> {
        check_password(password)?;
        let hash = passwords::hash(password).await?;
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query("UPDATE users SET password_hash = $1 WHERE name = $2")
            .bind(&hash)
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(PeopleError::NoSuchUser(name.to_owned()));
        }
        end_sessions(&mut tx, name, keep).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a name and password; `None` for a wrong name, a wrong password or a disabled user,
    /// without saying which. The hashing runs on the bounded password pool.
    pub async fn authenticate(&self, name: &str, password: &str) -> Result<Option<User>, PeopleError> {
        let row = if valid_name(name) {
            sqlx::query("SELECT name, role, password_hash, disabled, created_at FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?
        } else {
            None
        };
        let hash = row
            .as_ref()
            .map(|r| r.try_get::<String, _>("password_hash"))
            .transpose()?;
        let matches = passwords::verify(password, hash).await?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from(&row)?;
        if !matches || user.disabled {
            return Ok(None);
        }
        Ok(Some(user))
    }

    /// Starts a session; returns the token for the cookie (only its hash is stored).
    pub async fn start_session(&self, user: &User) -> Result<String, PeopleError> {
        let token = new_token();
        let now = Utc::now();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_name, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)",
        )
        .bind(token_hash(&token))
        .bind(&user.name)
        .bind(stamp(now))
        .bind(stamp(now + Duration::hours(SESSION_HOURS)))
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The user a session token belongs to, if the session is current (within its absolute and
    /// idle lifetimes) and the user enabled. Marks the session used, at most once a minute.
    pub async fn session_user(&self, token: &str) -> Result<Option<User>, PeopleError> {
        self.session(token, true).await
    }

    /// As [`People::session_user`], without marking the session used: an open live stream
    /// checking that its session still stands is not the person doing anything, so a page left
    /// open does not keep a session alive past its idle lifetime.
    pub async fn session_still_current(&self, token: &str) -> Result<bool, PeopleError> {
        Ok(self.session(token, false).await?.is_some())
    }

    async fn session(&self, token: &str, touch: bool) -> Result<Option<User>, PeopleError> {
        if token.len() != 64 {
            return Ok(None);
        }
        let hash = token_hash(token);
        let row = sqlx::query(
            "SELECT u.name AS name, u.role AS role, u.disabled AS disabled, u.created_at AS created_at, \
             s.expires_at AS expires_at, s.last_seen_at AS last_seen_at FROM sessions s \
             JOIN users u ON u.name = s.user_name WHERE s.token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let now = Utc::now();
        let parse = |column: &str| -> Result<Option<DateTime<Utc>>, sqlx::Error> {
            Ok(DateTime::parse_from_rfc3339(&row.try_get::<String, _>(column)?)
                .ok()
                .map(|t| t.with_timezone(&Utc)))
        };
        let (expires, last_seen) = (parse("expires_at")?, parse("last_seen_at")?);
        let current = expires.is_some_and(|t| now < t)
            && last_seen.is_some_and(|t| now < t + Duration::minutes(IDLE_MINUTES));
        let user = user_from(&row)?;
        if !current || user.disabled {
            return Ok(None);
        }
        if touch && last_seen.is_some_and(|t| now - t > Duration::seconds(TOUCH_EVERY_SECONDS)) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(stamp(now))
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(user))
    }

    pub async fn end_session(&self, token: &str) -> Result<(), PeopleError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A name's failed sign-ins counted by every server on this database within the window,
    /// and when the last one was: what another instance has seen of someone guessing at it.
    pub async fn shared_failures(&self, name: &str) -> Result<Option<(u32, DateTime<Utc>)>, PeopleError> {
        let now = Utc::now();
        let row =
            sqlx::query("SELECT failures, last_at FROM sign_in_failures WHERE name = $1 AND last_at >= $2")
                .bind(name)
                .bind(stamp(now - failure_window()))
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let failures = u32::try_from(row.try_get::<i64, _>(0)?.max(0)).unwrap_or(u32::MAX);
        // A time that cannot be read counts as now: the count still holds back the guesser.
        let last = DateTime::<Utc>::from_str(&row.try_get::<String, _>(1)?).unwrap_or(now);
        Ok(Some((failures, last.min(now))))
    }

    /// Counts a failed sign-in of `name` for every server (a count older than the window
    /// starts again at one).
    pub async fn count_failure(&self, name: &str) -> Result<(), PeopleError> {
        let now = Utc::now();
        sqlx::query(
            "INSERT INTO sign_in_failures (name, failures, last_at) VALUES ($1, 1, $2) \
             ON CONFLICT (name) DO UPDATE SET failures = CASE WHEN sign_in_failures.last_at < $3 \
             THEN 1 ELSE sign_in_failures.failures + 1 END, last_at = $2",
        )
        .bind(name)
        .bind(stamp(now))
        .bind(stamp(now - failure_window()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets `name`'s failed sign-ins on every server (after it signed in).
    pub async fn forget_failures(&self, name: &str) -> Result<(), PeopleError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes sessions past their absolute or idle lifetime, and devices trusted too long ago;
    /// returns how many sessions went.
    pub async fn purge_expired(&self) -> Result<u64, PeopleError> {
        let now = Utc::now();
        let gone = sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2")
            .bind(stamp(now))
            .bind(stamp(now - Duration::minutes(IDLE_MINUTES)))
            .execute(&self.pool)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM trusted_devices WHERE created_at < $1")
            .bind(stamp(now - Duration::days(DEVICE_DAYS)))
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE last_at < $1")
            .bind(stamp(now - failure_window()))
            .execute(&self.pool)
            .await?;
        Ok(gone)
    }

    /// Remembers that this browser signed in as `user`: a token for a long-lived cookie. A
    /// device that has signed in before is not held back by the sign-in limiter when someone
    /// else is guessing at the same name (OWASP's "device cookies").
    pub async fn trust_device(&self, user: &User) -> Result<String, PeopleError> {
        let token = new_token();
        sqlx::query("INSERT INTO trusted_devices (token_hash, user_name, created_at) VALUES ($1, $2, $3)")
            .bind(token_hash(&token))
            .bind(&user.name)
            .bind(now_text())
            .execute(&self.pool)
            .await?;
        Ok(token)
    }

    /// Whether a device token was issued to `name` and is still trusted.
    pub async fn device_trusted(&self, token: &str, name: &str) -> Result<bool, PeopleError> {
        if token.len() != 64 {
            return Ok(false);
        }
        let found: Option<String> = sqlx::query_scalar(
            "SELECT created_at FROM trusted_devices WHERE token_hash = $1 AND user_name = $2",
        )
        .bind(token_hash(token))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .is_some_and(|t| Utc::now() < t.with_timezone(&Utc) + Duration::days(DEVICE_DAYS)))
    }
}

/// Ends `name`'s sessions, except the one whose token is `keep`.
async fn end_sessions(
    conn: &mut sqlx::AnyConnection,
    name: &str,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_name = $1 AND token_hash <> $2")
        .bind(name)
        .bind(keep.map(token_hash).unwrap_or_default())
        .execute(conn)
        .await?;
    Ok(())
}
