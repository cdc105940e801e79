//! Where projection snapshots are kept (`projection_snapshots`, see `domain::snapshot`): one
//! row per signing key and position. Only the store's side is here; whether a kept snapshot is
//! trusted is decided by the reader (`crate::snapshots`).

use super::{db_int, parse_hash, stored_u64, EventLog, StoreError};
use domain::snapshot::{Header, Sealed};
use sqlx::Row as _;

/// Snapshots kept per key: the newest, and one before it while a newer one is being written.
const KEEP: i64 = 2;

impl EventLog {
    /// The newest snapshot signed by `signer` (hex of its public key) in `format`, if any.
    pub async fn kept_snapshot(&self, signer: &str, format: u32) -> Result<Option<Sealed>, StoreError> {
        let row = sqlx::query(
            "SELECT position, chain_hash, body, signature FROM projection_snapshots \
             WHERE signer = $1 AND format = $2 ORDER BY position DESC LIMIT 1",
        )
        .bind(signer)
        .bind(i64::from(format))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let raw: i64 = row.try_get(0)?;
        let position = stored_u64(raw, raw, "snapshot position")?;
        let unreadable = |reason: &str| StoreError::Corrupt {
            position,
            reason: format!("the projection snapshot's {reason}"),
        };
        let signature: [u8; 64] = hex::decode(row.try_get::<String, _>(3)?)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| unreadable("signature is not 64 bytes of hex"))?;
        Ok(Some(Sealed {
            header: Header {
                format,
                position,
                chain_hash: parse_hash(position, &row.try_get::<String, _>(1)?)?,
            },
            body: row.try_get(2)?,
            signature,
        }))
    }

    /// The position of the newest snapshot signed by `signer` in `format`, without its body.
    pub async fn kept_snapshot_position(&self, signer: &str, format: u32) -> Result<Option<u64>, StoreError> {
        let raw: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(position) FROM projection_snapshots WHERE signer = $1 AND format = $2",
        )
        .bind(signer)
        .bind(i64::from(format))
        .fetch_one(self.pool())
        .await?;
        raw.map(|p| stored_u64(p, p, "snapshot position")).transpose()
    }

    /// Keeps `sealed` for `signer` (in place of one at the same position, which was found
    /// unusable), and lets older ones of that key go (all in one transaction).
    pub async fn keep_snapshot(&self, signer: &str, sealed: &Sealed) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO projection_snapshots (signer, position, format, chain_hash, body, signature, made_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (signer, position) DO UPDATE SET \
             format = excluded.format, chain_hash = excluded.chain_hash, body = excluded.body, \
             signature = excluded.signature, made_at = excluded.made_at",
        )
        .bind(signer)
        .bind(db_int(sealed.header.position))
        .bind(i64::from(sealed.header.format))
        .bind(hex::encode(sealed.header.chain_hash))
        .bind(sealed.body.as_slice())
        .bind(hex::encode(sealed.signature))
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM projection_snapshots WHERE signer = $1 AND position NOT IN \
             (SELECT position FROM projection_snapshots WHERE signer = $1 ORDER BY position DESC LIMIT $2)",
        )
        .bind(signer)
        .bind(KEEP)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
