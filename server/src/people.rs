//! People and their sessions: who may sign in, with which role, and the sessions they hold.
//! Stored in the ledger's database (tables `users` and `sessions`), never in the ledger itself.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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
    #[error("a user name is 1 to 64 characters without spaces or control characters")]
    BadName,
    #[error("a password needs at least {MIN_PASSWORD} characters")]
    WeakPassword,
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

pub const MIN_PASSWORD: usize = 10;

/// How long a session lasts after sign-in.
pub const SESSION_HOURS: i64 = 12;

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn valid_name(name: &str) -> bool {
    let len = name.chars().count();
    (1..=64).contains(&len) && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A hash to verify against when the name does not exist, so a wrong name takes as long as a
/// wrong password and the response does not reveal which it was.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password, never valid").unwrap_or_default())
}

fn hash_password(password: &str) -> Result<String, PeopleError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PeopleError::Hash(e.to_string()))
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
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
        if password.chars().count() < MIN_PASSWORD {
            return Err(PeopleError::WeakPassword);
        }
        let hash = hash_password(password)?;
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
        rows.iter()
            .map(|r| {
                Ok(User {
                    name: r.try_get(0)?,
                    role: r.try_get::<String, _>(1)?.parse().unwrap_or(Role::Reporter),
                    disabled: r.try_get::<i32, _>(2)? != 0,
                    created_at: r.try_get(3)?,
                })
            })
            .collect()
    }

    pub async fn count(&self) -> Result<u64, PeopleError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// Disables a user and ends all their sessions.
    pub async fn disable(&self, name: &str) -> Result<(), PeopleError> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query("UPDATE users SET disabled = 1 WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(PeopleError::NoSuchUser(name.to_owned()));
        }
        sqlx::query("DELETE FROM sessions WHERE user_name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a name and password; `None` for a wrong name, a wrong password or a disabled user,
    /// without saying which.
    pub async fn authenticate(&self, name: &str, password: &str) -> Result<Option<User>, PeopleError> {
        let row =
            sqlx::query("SELECT name, role, password_hash, disabled, created_at FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else {
            password_matches(password, decoy_hash());
            return Ok(None);
        };
        let hash: String = row.try_get(2)?;
        let disabled = row.try_get::<i32, _>(3)? != 0;
        if !password_matches(password, &hash) || disabled {
            return Ok(None);
        }
        Ok(Some(User {
            name: row.try_get(0)?,
            role: row.try_get::<String, _>(1)?.parse().unwrap_or(Role::Reporter),
            disabled,
            created_at: row.try_get(4)?,
        }))
    }

    /// Starts a session; returns the token for the cookie (only its hash is stored).
    pub async fn start_session(&self, user: &User) -> Result<String, PeopleError> {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let now = Utc::now();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_name, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(&user.name)
        .bind(now.to_rfc3339_opts(SecondsFormat::Micros, true))
        .bind((now + Duration::hours(SESSION_HOURS)).to_rfc3339_opts(SecondsFormat::Micros, true))
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The user a session token belongs to, if the session is current and the user enabled.
    pub async fn session_user(&self, token: &str) -> Result<Option<User>, PeopleError> {
        let row = sqlx::query(
            "SELECT u.name, u.role, u.disabled, u.created_at, s.expires_at FROM sessions s \
             JOIN users u ON u.name = s.user_name WHERE s.token_hash = $1",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: String = row.try_get(4)?;
        let expired = DateTime::parse_from_rfc3339(&expires)
            .map(|t| t < Utc::now())
            .unwrap_or(true);
        let disabled = row.try_get::<i32, _>(2)? != 0;
        if expired || disabled {
            return Ok(None);
        }
        Ok(Some(User {
            name: row.try_get(0)?,
            role: row.try_get::<String, _>(1)?.parse().unwrap_or(Role::Reporter),
            disabled,
            created_at: row.try_get(3)?,
        }))
    }

    pub async fn end_session(&self, token: &str) -> Result<(), PeopleError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
