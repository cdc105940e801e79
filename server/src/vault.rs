//! The donor vault: donors' personal details, sealed, beside the ledger and never in it (see
//! `domain::personal` for why).
//!
//! - Each donor has a key of their own, kept in `donor_keys` wrapped (sealed) by the master key
//!   in the vault key file, which never enters the database.
//! - Each revision of their details is sealed under their key in `donor_details`, and the ledger
//!   records `DonorDetailsRecorded` with the revision and the seal's number: no name, no address.
//! - Erasing a donor deletes their key and every sealed revision (with SQLite's secure delete, and
//!   the write-ahead log truncated), then records `DonorDetailsErased`. Whatever copies of the
//!   sealed rows remain (a backup, a replica) can no longer be opened.
//! - An erasure asked for while a 寄附者名簿 listing the donor must still be kept is recorded at
//!   once and carried out when that register's retention ends; meanwhile the details are read
//!   for the register only.
//! - Every read of details is logged in `personal_data_reads`: who, when, which donor, what for.
//!
//! Sealing uses XChaCha20-Poly1305 with a random 24-byte nonce per sealing; the associated data
//! binds a sealed row to its donor and seal, so rows moved between donors do not open.

use crate::key_file::{self, KeyError};
use crate::ledger::{CommandError, Ledger};
use crate::store::{Backend, EventLog, StoreError};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{SecondsFormat, Utc};
use domain::donor_search::DonorQuery;
use domain::events::{Fact, SubjectRef};
use domain::ids::DonorId;
use domain::personal::{erasure_due, DonorDetails, Erasure, Privacy, Requester};
use domain::{Command, Date, FiscalYear};
use sqlx::{AnyPool, Row as _};
use std::path::Path;

/// The vault key file unless told otherwise.
pub const DEFAULT_KEY_FILE: &str = "spiral-vault.key";
const NONCE: usize = 24;
/// Seals are numbers below 2^53, so that any JSON reader reads the ledger's copy exactly.
const SEAL_BITS: u64 = (1 << 53) - 1;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("donor {0} has not been registered")]
    UnknownDonor(DonorId),
    #[error("no personal details of donor {0} have been recorded")]
    NoDetails(DonorId),
    #[error("donor {0} has asked for their personal data to be erased: it is kept only for the 寄附者名簿 until then, and used for nothing else")]
    UseStopped(DonorId),
    #[error("donor {0}'s personal data has been erased")]
    Erased(DonorId),
    /// The row does not open with the key this vault has: another vault key file, or an altered
    /// row. Nothing is shown rather than something wrong.
    #[error("donor {donor}'s {what} cannot be opened: the vault key file is not the one it was sealed with, or the database row was altered")]
    Unreadable { donor: DonorId, what: &'static str },
    #[error("donor {donor}'s details of revision {revision} are missing from the vault")]
    Missing { donor: DonorId, revision: u32 },
    #[error("an erasure request received on {on} is after today ({today})")]
    FutureRequest { on: Date, today: Date },
}

impl VaultError {
    /// The message in Japanese.
    pub fn ja(&self) -> String {
        match self {
            VaultError::UnknownDonor(d) => format!("寄付者 {d} は登録されていません"),
            VaultError::NoDetails(d) => format!("寄付者 {d} の個人情報はまだ記録されていません"),
            VaultError::UseStopped(d) => format!(
                "寄付者 {d} から個人情報の消去の求めがあります。寄附者名簿の保存期間が終わるまで名簿のためだけに保管し、他には使えません"
            ),
            VaultError::Erased(d) => format!("寄付者 {d} の個人情報は消去されています"),
            VaultError::Unreadable { donor, .. } => format!(
                "寄付者 {donor} の個人情報を開けません。保管庫の鍵ファイルが封をしたときのものと違うか、データベースの行が改変されています"
            ),
            VaultError::Missing { donor, revision } => {
                format!("寄付者 {donor} の個人情報（第{revision}版）が保管庫にありません")
            }
            VaultError::FutureRequest { on, today } => {
                format!("消去の求めを受けた日（{on}）が今日（{today}）より後になっています")
            }
            VaultError::Command(CommandError::Rejected(e)) => e.ja(),
            other => other.to_string(),
        }
    }
}

/// Why personal data is read: logged with every read. While an erasure waits for a register's
/// retention to end, only [`Purpose::Register`] may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Staff looking after the donor's record.
    Manage,
    /// The 寄附者名簿.
    Register,
    /// Matching a gift file's rows to donors by name and address (`spiral import gifts`).
    Import,
    /// Addressing a 寄附金受領証明書 to its donor.
    Certificate,
    /// Finding a donor on the donors' desk: logged for each donor the results show.
    Search,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Manage => "manage",
            Purpose::Register => "register",
            Purpose::Import => "import",
            Purpose::Certificate => "certificate",
            Purpose::Search => "search",
        }
    }
}

/// A donor's details as the vault holds them now (in JSON: `status` says which).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Held {
    Recorded {
        revision: u32,
        details: DonorDetails,
        /// Name and address both known (the absolute criterion and the register need both).
        identified: bool,
    },
    NotRecorded,
    /// Erasure is asked for: kept for the registers, used for nothing else.
    UseStopped,
    Erased,
    /// The ledger names a sealed revision the vault cannot give: a ledger restored from an
    /// export without its vault, or another vault key file. (A register lists the donor so;
    /// reading one donor alone is an error that says which.)
    Unreadable,
}

/// A donor and what the vault holds of them, as `spiral donors show` and the API answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Shown {
    pub donor: DonorId,
    #[serde(flatten)]
    pub held: Held,
}

/// What became of an erasure (in JSON: `outcome`, and `from` when deferred).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ErasureOutcome {
    /// Carried out today.
    Erased,
    /// Carried out earlier.
    AlreadyErased,
    /// A register listing the donor is kept until the day before `from`.
    Deferred { from: Date },
}

/// One logged read of personal data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReadEntry {
    pub at: String,
    pub actor: String,
    pub donor: String,
    pub purpose: String,
}

pub struct Vault {
    master: XChaCha20Poly1305,
    pool: AnyPool,
    backend: Backend,
    /// What the donors' search compares, kept between searches (see [`Searched`]).
    searched: tokio::sync::Mutex<Option<Searched>>,
}

/// Every in-use donor's latest details, opened, in id order, as the vault stood when its last
/// record in the ledger was at `as_of` (a position). Any record since — details changed, an
/// erasure asked for or carried out, by this server or another on the same database — moves
/// that position, and the next search opens everything again: so no erased or use-stopped
/// donor's details outlive the record that stopped them, and a search at a million events
/// compares in memory instead of opening 17,000 donors' details each time.
struct Searched {
    as_of: Option<u64>,
    donors: Vec<(DonorId, u32, DonorDetails)>,
}

/// Logs one read of a donor's details.
async fn log_read(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    donor: &DonorId,
    actor: &str,
    purpose: Purpose,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO personal_data_reads (at, actor, donor, purpose) VALUES ($1, $2, $3, $4)")
        .bind(now_text())
        .bind(actor)
        .bind(donor.as_str())
        .bind(purpose.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn stream(donor: &DonorId) -> String {
    SubjectRef::Donor(donor.clone()).stream()
}

/// What binds a sealed key or revision to its place: a row moved elsewhere does not open.
fn bound_to(what: &str, donor: &DonorId, seal: u64) -> Vec<u8> {
    format!("spiral vault v1|{what}|{donor}|{seal}").into_bytes()
}

fn seal_with(cipher: &XChaCha20Poly1305, plain: &[u8], aad: &[u8]) -> String {
    let mut nonce = [0u8; NONCE];
    OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
        // Encryption fails only for messages beyond 256 GiB.
        .unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend(sealed);
    hex::encode(out)
}

fn open_with(cipher: &XChaCha20Poly1305, sealed: &str, aad: &[u8]) -> Option<Vec<u8>> {
    let bytes = hex::decode(sealed).ok()?;
    if bytes.len() < NONCE {
        return None;
    }
    let (nonce, body) = bytes.split_at(NONCE);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
        .ok()
}

/// What [`Vault::search`] found.
#[derive(Debug, Default)]
pub struct Found {
    /// The first matches, in id order: each donor, the revision shown, and its details.
    pub donors: Vec<(DonorId, u32, DonorDetails)>,
    /// How many donors matched in all.
    pub matched: usize,
}

/// Every donor's privacy as the ledger records it, and the whole vault, read in a handful of
/// queries: what a register, a batch of certificates or a search opens donor after donor.
struct Everything {
    privacy: std::collections::HashMap<DonorId, Privacy>,
    seals: std::collections::HashMap<(DonorId, u32), u64>,
    keys: std::collections::HashMap<String, String>,
    sealed: std::collections::HashMap<(String, i64), String>,
}

impl Everything {
    /// What each donor's stream says is read from the vault's own records in the ledger; of
    /// `only` that donor when given (one record's revisions need nothing of anyone else).
    async fn load(pool: &AnyPool, log: &EventLog, only: Option<&DonorId>) -> Result<Everything, VaultError> {
        use std::collections::HashMap;
        let mut privacy: HashMap<DonorId, Privacy> = HashMap::new();
        let mut seals: HashMap<(DonorId, u32), u64> = HashMap::new();
        let rows = match only {
            None => log.vault_rows().await?,
            Some(donor) => log.stream_rows(&stream(donor), 0).await?,
        };
        for row in rows {
            let recorded = crate::ledger::decode(&row)?;
            if let (Some(SubjectRef::Donor(donor)), Some(fact)) =
                (SubjectRef::from_stream(&recorded.stream), recorded.event.fact())
            {
                if !fact.is_vault_record() {
                    continue;
                }
                if let Fact::DonorDetailsRecorded { revision, seal, .. } = fact {
                    seals.insert((donor.clone(), *revision), *seal);
                }
                privacy.entry(donor).or_default().apply(recorded.event.on, fact);
            }
        }
        let (keys_sql, sealed_sql) = match only {
            None => (
                "SELECT donor, wrapped FROM donor_keys",
                "SELECT donor, seal, sealed FROM donor_details",
            ),
            Some(_) => (
                "SELECT donor, wrapped FROM donor_keys WHERE donor = $1",
                "SELECT donor, seal, sealed FROM donor_details WHERE donor = $1",
            ),
        };
        let bound = |sql| {
            let query = sqlx::query(sql);
            match only {
                Some(donor) => query.bind(donor.as_str().to_owned()),
                None => query,
            }
        };
        let keys: HashMap<String, String> = bound(keys_sql)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("donor")?, r.try_get("wrapped")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        let sealed: HashMap<(String, i64), String> = bound(sealed_sql)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok(((r.try_get("donor")?, r.try_get("seal")?), r.try_get("sealed")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(Everything {
            privacy,
            seals,
            keys,
            sealed,
        })
    }
}

impl Vault {
    /// The vault of the ledger in `log`, its master key read from `key_file` (created,
    /// owner-only, on first use).
    pub fn open(key_file: &Path, log: &EventLog) -> Result<Vault, VaultError> {
        let master = key_file::read_or_create(key_file, "vault key")?;
        Ok(Vault {
            master: XChaCha20Poly1305::new(&master.into()),
            pool: log.pool().clone(),
            backend: log.backend(),
            searched: tokio::sync::Mutex::new(None),
        })
    }

    /// The donor's privacy as their stream says, and the stream's version.
    async fn privacy(&self, ledger: &Ledger, donor: &DonorId) -> Result<(Privacy, u64), VaultError> {
        let subject = ledger.subject(&stream(donor)).await?;
        let privacy = Privacy::of(&subject.facts());
        if !privacy.registered {
            return Err(VaultError::UnknownDonor(donor.clone()));
        }
        Ok((privacy, subject.version()))
    }

    /// The donor's own key, opened; created first when `create` and there is none.
    async fn donor_key(
        &self,
        donor: &DonorId,
        create: bool,
    ) -> Result<Option<XChaCha20Poly1305>, VaultError> {
        let aad = bound_to("key", donor, 0);
        if create {
            let mut key = [0u8; 32];
            OsRng.fill_bytes(&mut key);
            // Two sealings at once may both try: the first key stored is the donor's key.
            sqlx::query(
                "INSERT INTO donor_keys (donor, wrapped, created_at) VALUES ($1, $2, $3) ON CONFLICT (donor) DO NOTHING",
            )
            .bind(donor.as_str())
            .bind(seal_with(&self.master, &key, &aad))
            .bind(now_text())
            .execute(&self.pool)
            .await?;
        }
        let wrapped: Option<String> = sqlx::query_scalar("SELECT wrapped FROM donor_keys WHERE donor = $1")
            .bind(donor.as_str())
            .fetch_optional(&self.pool)
            .await?;
        wrapped.map(|w| self.unwrap_key(donor, &w)).transpose()
    }

    /// The donor's own key, opened with the master key.
    fn unwrap_key(&self, donor: &DonorId, wrapped: &str) -> Result<XChaCha20Poly1305, VaultError> {
        let unreadable = || VaultError::Unreadable {
            donor: donor.clone(),
            what: "key",
        };
        let key = open_with(&self.master, wrapped, &bound_to("key", donor, 0)).ok_or_else(unreadable)?;
        let key: [u8; 32] = key.try_into().map_err(|_| unreadable())?;
        Ok(XChaCha20Poly1305::new(&key.into()))
    }

    /// Seals `details` as the donor's next revision and records it in the ledger, effective
    /// `on`. Returns the revision.
    pub async fn record(
        &self,
        ledger: &Ledger,
        donor: &DonorId,
        details: &DonorDetails,
        actor: &str,
        on: Date,
    ) -> Result<u32, VaultError> {
        let (privacy, version) = self.privacy(ledger, donor).await?;
        // Refused before anything is sealed (the rules would refuse the record anyway).
        if privacy.erased.is_some() {
            return Err(VaultError::Erased(donor.clone()));
        }
        if !privacy.in_use() {
            return Err(VaultError::UseStopped(donor.clone()));
        }
        let key = self
            .donor_key(donor, true)
            .await?
            .ok_or_else(|| VaultError::Missing {
                donor: donor.clone(),
                revision: 0,
            })?;
        let seal = OsRng.next_u64() & SEAL_BITS;
        let plain = serde_json::to_vec(details).map_err(StoreError::Encode)?;
        sqlx::query("INSERT INTO donor_details (donor, seal, sealed, recorded_at) VALUES ($1, $2, $3, $4)")
            .bind(donor.as_str())
            .bind(seal as i64)
            .bind(seal_with(&key, &plain, &bound_to("details", donor, seal)))
            .bind(now_text())
            .execute(&self.pool)
            .await?;
        // Decided against the stream as read: a change recorded meanwhile makes this a
        // conflict, and the row just sealed is then read by no one (and erased with the rest).
        let revision = privacy.revisions + 1;
        let fact = Fact::DonorDetailsRecorded {
            donor: donor.clone(),
            revision,
            seal,
        };
        ledger
            .execute_for_vault(Command::record(on, fact), actor, Some(version))
            .await?;
        Ok(revision)
    }

    /// Seals each donor's details as the first revision of a donor about to be registered, in
    /// one transaction, recording nothing in the ledger: the caller records each
    /// `DonorDetailsRecorded` with the seal returned, in the same commit as the registration
    /// (a bulk import), and [`Vault::discard`]s the seals if that commit fails.
    pub(crate) async fn seal_new(&self, donors: &[(DonorId, DonorDetails)]) -> Result<Vec<u64>, VaultError> {
        let mut tx = self.pool.begin().await?;
        let mut seals = Vec::with_capacity(donors.len());
        for (donor, details) in donors {
            let mut key = [0u8; 32];
            OsRng.fill_bytes(&mut key);
            // A key left by an earlier import that failed is used again.
            sqlx::query(
                "INSERT INTO donor_keys (donor, wrapped, created_at) VALUES ($1, $2, $3) ON CONFLICT (donor) DO NOTHING",
            )
            .bind(donor.as_str())
            .bind(seal_with(&self.master, &key, &bound_to("key", donor, 0)))
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
            let wrapped: String = sqlx::query_scalar("SELECT wrapped FROM donor_keys WHERE donor = $1")
                .bind(donor.as_str())
                .fetch_one(&mut *tx)
                .await?;
            let key = self.unwrap_key(donor, &wrapped)?;
            let seal = OsRng.next_u64() & SEAL_BITS;
            let plain = serde_json::to_vec(details).map_err(StoreError::Encode)?;
            sqlx::query(
                "INSERT INTO donor_details (donor, seal, sealed, recorded_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(donor.as_str())
            .bind(seal as i64)
            .bind(seal_with(&key, &plain, &bound_to("details", donor, seal)))
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
            seals.push(seal);
        }
        tx.commit().await?;
        Ok(seals)
    }

    /// Removes what [`Vault::seal_new`] sealed for donors whose registration was not recorded
    /// after all, and their keys when nothing else is sealed under them.
    pub(crate) async fn discard(&self, sealed: &[(DonorId, u64)]) -> Result<(), VaultError> {
        let mut tx = self.pool.begin().await?;
        for (donor, seal) in sealed {
            sqlx::query("DELETE FROM donor_details WHERE donor = $1 AND seal = $2")
                .bind(donor.as_str())
                .bind(*seal as i64)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "DELETE FROM donor_keys WHERE donor = $1 AND NOT EXISTS (SELECT 1 FROM donor_details WHERE donor = $1)",
            )
            .bind(donor.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The donor's details now, for `purpose`, read by `actor` (and logged).
    pub async fn read(
        &self,
        ledger: &Ledger,
        donor: &DonorId,
        actor: &str,
        purpose: Purpose,
    ) -> Result<Held, VaultError> {
        let (privacy, _) = self.privacy(ledger, donor).await?;
        let wrapped: Option<String> = sqlx::query_scalar("SELECT wrapped FROM donor_keys WHERE donor = $1")
            .bind(donor.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let sealed: Option<String> = match privacy.latest_seal {
            Some(seal) => {
                sqlx::query_scalar("SELECT sealed FROM donor_details WHERE donor = $1 AND seal = $2")
                    .bind(donor.as_str())
                    .bind(seal as i64)
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => None,
        };
        let held = self.open_held(donor, &privacy, purpose, wrapped.as_deref(), sealed.as_deref())?;
        if let Held::Recorded { .. } = held {
            let mut tx = self.pool.begin().await?;
            log_read(&mut tx, donor, actor, purpose).await?;
            tx.commit().await?;
        }
        Ok(held)
    }

    /// What the vault holds of each of `donors` now, for `purpose`, in a handful of queries
    /// however many they are (a year's 寄附者名簿 lists thousands); every read logged, in one
    /// transaction.
    pub async fn read_many(
        &self,
        log: &EventLog,
        donors: &[DonorId],
        actor: &str,
        purpose: Purpose,
    ) -> Result<std::collections::HashMap<DonorId, Held>, VaultError> {
        let wanted: Vec<(DonorId, Option<u32>)> = donors.iter().map(|d| (d.clone(), None)).collect();
        Ok(self
            .read_revisions(log, &wanted, actor, purpose)
            .await?
            .into_iter()
            .map(|((donor, _), held)| (donor, held))
            .collect())
    }

    /// What the vault holds of each donor at a revision (`None`: the latest), for `purpose`:
    /// a 受領証明書 is addressed with the details it was issued with. As [`Vault::read_many`],
    /// in a handful of queries, every read logged.
    pub async fn read_revisions(
        &self,
        log: &EventLog,
        wanted: &[(DonorId, Option<u32>)],
        actor: &str,
        purpose: Purpose,
    ) -> Result<std::collections::HashMap<(DonorId, Option<u32>), Held>, VaultError> {
        // One donor's revisions (a record page) need only that donor's rows.
        let only = match wanted {
            [(first, _), rest @ ..] if rest.iter().all(|(d, _)| d == first) => Some(first),
            _ => None,
        };
        let all = Everything::load(&self.pool, log, only).await?;
        let mut held = std::collections::HashMap::with_capacity(wanted.len());
        let mut tx = self.pool.begin().await?;
        for (donor, revision) in wanted {
            let one = self.open_loaded(&all, donor, *revision, purpose)?;
            if let Held::Recorded { .. } = one {
                log_read(&mut tx, donor, actor, purpose).await?;
            }
            held.insert((donor.clone(), *revision), one);
        }
        tx.commit().await?;
        Ok(held)
    }

    /// The donors whose id or details match `query`, in id order, the first `limit` of them
    /// with their details, and how many matched in all. Only donors whose details are in use
    /// are looked at (an erasure asked for stops every use but the register). Each donor
    /// shown is logged as read by `actor` for [`Purpose::Search`]; the others' details were
    /// opened to compare, and shown to no one.
    pub async fn search(
        &self,
        log: &EventLog,
        query: &DonorQuery,
        actor: &str,
        limit: usize,
    ) -> Result<Found, VaultError> {
        let as_of = log.last_vault_position().await?;
        let mut searched = self.searched.lock().await;
        if searched.as_ref().is_none_or(|s| s.as_of != as_of) {
            let all = Everything::load(&self.pool, log, None).await?;
            let mut donors = Vec::with_capacity(all.privacy.len());
            for donor in all.privacy.keys() {
                if let Held::Recorded {
                    revision, details, ..
                } = self.open_loaded(&all, donor, None, Purpose::Search)?
                {
                    donors.push((donor.clone(), revision, details));
                }
            }
            donors.sort_by(|a, b| a.0.cmp(&b.0));
            *searched = Some(Searched { as_of, donors });
        }
        let mut found = Found::default();
        let mut tx = self.pool.begin().await?;
        for (donor, revision, details) in searched.iter().flat_map(|s| &s.donors) {
            if !query.matches(donor.as_str(), details) {
                continue;
            }
            found.matched += 1;
            if found.donors.len() < limit {
                log_read(&mut tx, donor, actor, Purpose::Search).await?;
                found.donors.push((donor.clone(), *revision, details.clone()));
            }
        }
        tx.commit().await?;
        Ok(found)
    }

    /// What `all` holds of `donor` at `revision` (`None`: the latest) for `purpose`, read by
    /// no one yet: the caller logs what it shows. A revision that cannot be opened is
    /// [`Held::Unreadable`], so one bad row never hides the rest of a register.
    fn open_loaded(
        &self,
        all: &Everything,
        donor: &DonorId,
        revision: Option<u32>,
        purpose: Purpose,
    ) -> Result<Held, VaultError> {
        let mut p = all.privacy.get(donor).copied().unwrap_or_default();
        if let Some(revision) = revision {
            // That revision read as if it were the latest (`None` if it was never sealed).
            p.latest_seal = all.seals.get(&(donor.clone(), revision)).copied();
            p.revisions = revision;
        }
        let row = p
            .latest_seal
            .and_then(|seal| all.sealed.get(&(donor.to_string(), seal as i64)));
        match self.open_held(
            donor,
            &p,
            purpose,
            all.keys.get(donor.as_str()).map(String::as_str),
            row.map(String::as_str),
        ) {
            Ok(one) => Ok(one),
            Err(e @ (VaultError::Missing { .. } | VaultError::Unreadable { .. })) => {
                tracing::warn!("{e}");
                Ok(Held::Unreadable)
            }
            Err(e) => Err(e),
        }
    }

    /// What a donor's details are for `purpose`, given their stream's privacy, their wrapped
    /// key and the sealed row of their latest revision.
    fn open_held(
        &self,
        donor: &DonorId,
        privacy: &Privacy,
        purpose: Purpose,
        wrapped: Option<&str>,
        sealed: Option<&str>,
    ) -> Result<Held, VaultError> {
        if privacy.erased.is_some() {
            return Ok(Held::Erased);
        }
        if !privacy.in_use() && purpose != Purpose::Register {
            return Ok(Held::UseStopped);
        }
        let Some(seal) = privacy.latest_seal else {
            return Ok(Held::NotRecorded);
        };
        let missing = || VaultError::Missing {
            donor: donor.clone(),
            revision: privacy.revisions,
        };
        let key = self.unwrap_key(donor, wrapped.ok_or_else(missing)?)?;
        let unreadable = || VaultError::Unreadable {
            donor: donor.clone(),
            what: "details",
        };
        let plain = open_with(
            &key,
            sealed.ok_or_else(missing)?,
            &bound_to("details", donor, seal),
        )
        .ok_or_else(unreadable)?;
        let details: DonorDetails = serde_json::from_slice(&plain).map_err(|_| unreadable())?;
        Ok(Held::Recorded {
            revision: privacy.revisions,
            identified: details.identified(),
            details,
        })
    }

    /// Records that erasure was asked for (on `on`, by `by`), then carries it out if no
    /// register listing the donor is still kept on `today`. `gift_years` are the fiscal years
    /// of the donor's gifts a register lists.
    #[allow(clippy::too_many_arguments)]
    pub async fn request_erasure(
        &self,
        ledger: &Ledger,
        donor: &DonorId,
        by: Requester,
        on: Date,
        gift_years: &[FiscalYear],
        actor: &str,
        today: Date,
    ) -> Result<ErasureOutcome, VaultError> {
        if on > today {
            return Err(VaultError::FutureRequest { on, today });
        }
        let (_, version) = self.privacy(ledger, donor).await?;
        let fact = Fact::DonorErasureRequested {
            donor: donor.clone(),
            by,
        };
        ledger
            .execute_for_vault(Command::record(on, fact), actor, Some(version))
            .await?;
        self.erase_if_due(ledger, donor, gift_years, actor, today).await
    }

    /// The donors whose erasure was asked for and is not yet carried out.
    pub async fn pending_erasures(&self, ledger: &Ledger) -> Result<Vec<DonorId>, VaultError> {
        let streams: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT stream FROM events WHERE event_type = 'DonorErasureRequested' ORDER BY stream",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut pending = Vec::new();
        for stream in streams {
            if let Some(SubjectRef::Donor(donor)) = SubjectRef::from_stream(&stream) {
                let (privacy, _) = self.privacy(ledger, &donor).await?;
                if privacy.erasure_requested.is_some() && privacy.erased.is_none() {
                    pending.push(donor);
                }
            }
        }
        Ok(pending)
    }

    /// Carries out every requested erasure that is due on `today`; `gift_years` gives the
    /// fiscal years of a donor's gifts that a register lists. What became of each, in donor
    /// order.
    pub async fn carry_out_due(
        &self,
        ledger: &Ledger,
        gift_years: impl Fn(&DonorId) -> Vec<FiscalYear>,
        actor: &str,
        today: Date,
    ) -> Result<Vec<(DonorId, ErasureOutcome)>, VaultError> {
        let mut done = Vec::new();
        for donor in self.pending_erasures(ledger).await? {
            let outcome = self
                .erase_if_due(ledger, &donor, &gift_years(&donor), actor, today)
                .await?;
            done.push((donor, outcome));
        }
        Ok(done)
    }

    /// Carries out the donor's requested erasure if it is due on `today`.
    pub async fn erase_if_due(
        &self,
        ledger: &Ledger,
        donor: &DonorId,
        gift_years: &[FiscalYear],
        actor: &str,
        today: Date,
    ) -> Result<ErasureOutcome, VaultError> {
        let (privacy, version) = self.privacy(ledger, donor).await?;
        if privacy.erased.is_some() {
            return Ok(ErasureOutcome::AlreadyErased);
        }
        let Some((asked, _)) = privacy.erasure_requested else {
            return Err(
                CommandError::Rejected(domain::DomainError::ErasureNotRequested(donor.clone())).into(),
            );
        };
        if let Erasure::From(day) = erasure_due(gift_years.iter().copied(), today) {
            return Ok(ErasureOutcome::Deferred { from: day });
        }
        self.destroy(donor).await?;
        // Destroyed first, recorded second: if the record fails, the next run finds the
        // erasure still pending, destroys nothing more and records it then.
        let fact = Fact::DonorDetailsErased { donor: donor.clone() };
        ledger
            .execute_for_vault(Command::record(today.max(asked), fact), actor, Some(version))
            .await?;
        Ok(ErasureOutcome::Erased)
    }

    /// Deletes the donor's key and every sealed revision, leaving nothing of them on disk that
    /// the database can reach.
    async fn destroy(&self, donor: &DonorId) -> Result<(), VaultError> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Sqlite {
            // Freed pages are overwritten with zeros instead of lingering in the file.
            sqlx::query("PRAGMA secure_delete = ON").execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM donor_details WHERE donor = $1")
            .bind(donor.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM donor_keys WHERE donor = $1")
            .bind(donor.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Old copies of the pages may sit in the write-ahead log (SQLite) or as dead row
        // versions (PostgreSQL) until they are reused: clear them now. Best effort: the rows
        // are gone either way, and what lingers is sealed under a key that no longer exists.
        let clear = match self.backend {
            Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
            Backend::Postgres => "VACUUM donor_keys, donor_details",
        };
        if let Err(e) = sqlx::query(clear).execute(&self.pool).await {
            tracing::warn!("after erasing donor {donor}: {clear}: {e}");
        }
        Ok(())
    }

    /// The log of reads of personal data, newest last; of one donor when given.
    pub async fn reads(&self, donor: Option<&DonorId>) -> Result<Vec<ReadEntry>, VaultError> {
        let rows =
            match donor {
                Some(d) => sqlx::query(
                    "SELECT at, actor, donor, purpose FROM personal_data_reads WHERE donor = $1 ORDER BY at",
                )
                .bind(d.as_str())
                .fetch_all(&self.pool)
                .await?,
                None => {
                    sqlx::query("SELECT at, actor, donor, purpose FROM personal_data_reads ORDER BY at")
                        .fetch_all(&self.pool)
                        .await?
                }
            };
        rows.iter()
            .map(|r| {
                Ok(ReadEntry {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    donor: r.try_get("donor")?,
                    purpose: r.try_get("purpose")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

/// Today in Japan, where the NPO works: the day an erasure is carried out, and the default day
/// details take effect. Debug builds (the end-to-end tests) may set `SPIRAL_TODAY` to stand on
/// another day, to see an erasure wait for a register's retention and then happen; release
/// builds ignore it, so no one erases early by changing the environment.
pub fn today() -> Date {
    if cfg!(debug_assertions) {
        if let Some(day) = std::env::var("SPIRAL_TODAY").ok().and_then(|d| d.parse().ok()) {
            return day;
        }
    }
    Date::clamped((Utc::now() + chrono::Duration::hours(9)).date_naive())
}
