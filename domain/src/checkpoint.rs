//! Signed checkpoints: the ledger's size, the Merkle root over its event hashes and the time,
//! signed with the server's Ed25519 key, in a plain-text form an auditor can save or publish
//! anywhere. Holding an old checkpoint, anyone can later check (with a consistency proof) that
//! today's ledger still begins with exactly what it covered.
//!
//! ```text
//! Spiral ledger checkpoint
//! size 133
//! root 3f0c…(64 hex digits)
//! time 2026-11-28T09:00:00Z
//! key 9a1b…(64 hex digits: the Ed25519 public key)
//! signature 5e7d…(128 hex digits: Ed25519 over the five lines above, each ending in \n)
//! ```

use crate::chain::Hash;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

const HEADER: &str = "Spiral ledger checkpoint";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub size: u64,
    pub root: Hash,
    pub time: DateTime<Utc>,
    pub key: [u8; 32],
    pub signature: [u8; 64],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a Spiral checkpoint: line {line} should be {expected}")]
    Malformed { line: usize, expected: &'static str },
    #[error("the checkpoint is signed by key {found}, not the trusted key {trusted}")]
    WrongKey { found: String, trusted: String },
    #[error("the checkpoint's signature is not valid: it was altered or signed by someone else")]
    BadSignature,
    #[error("{0} is not an Ed25519 public key (64 hex digits)")]
    BadPublicKey(String),
}

fn body(size: u64, root: &Hash, time: &DateTime<Utc>, key: &[u8; 32]) -> String {
    format!(
        "{HEADER}\nsize {size}\nroot {}\ntime {}\nkey {}\n",
        hex::encode(root),
        time.to_rfc3339_opts(SecondsFormat::Secs, true),
        hex::encode(key)
    )
}

/// Parses a public key given as 64 hex digits.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, CheckpointError> {
    let bad = || CheckpointError::BadPublicKey(text.trim().to_owned());
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
}

impl Checkpoint {
    /// Signs a checkpoint; the time is kept to the second, as the text shows it.
    pub fn sign(size: u64, root: Hash, time: DateTime<Utc>, key: &SigningKey) -> Checkpoint {
        let time = DateTime::from_timestamp(time.timestamp(), 0).expect("a valid time");
        let public = key.verifying_key().to_bytes();
        let signature = key.sign(body(size, &root, &time, &public).as_bytes()).to_bytes();
        Checkpoint {
            size,
            root,
            time,
            key: public,
            signature,
        }
    }

    /// The exact text the signature covers (the five lines before `signature`): what a verifier
    /// outside this crate (the browser's WebCrypto) checks the signature over.
    pub fn signed_text(&self) -> String {
        body(self.size, &self.root, &self.time, &self.key)
    }

    pub fn to_text(&self) -> String {
        format!(
            "{}signature {}\n",
            body(self.size, &self.root, &self.time, &self.key),
            hex::encode(self.signature)
        )
    }

    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let lines: Vec<&str> = text.lines().collect();
        let field =
            |line: usize, name: &'static str, expected: &'static str| -> Result<&str, CheckpointError> {
                lines
                    .get(line)
                    .and_then(|l| l.strip_prefix(name))
                    .and_then(|l| l.strip_prefix(' '))
                    .ok_or(CheckpointError::Malformed {
                        line: line + 1,
                        expected,
                    })
            };
        if lines.first() != Some(&HEADER) {
            return Err(CheckpointError::Malformed {
                line: 1,
                expected: "\"Spiral ledger checkpoint\"",
            });
        }
        let size = field(1, "size", "size N")?
            .parse()
            .map_err(|_| CheckpointError::Malformed {
                line: 2,
                expected: "size N",
            })?;
        let hex32 =
            |line: usize, name: &'static str, expected: &'static str| -> Result<[u8; 32], CheckpointError> {
                hex::decode(field(line, name, expected)?)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or(CheckpointError::Malformed {
                        line: line + 1,
                        expected,
                    })
            };
        let root = hex32(2, "root", "root and 64 hex digits")?;
        let time = crate::date::rfc3339::parse(field(3, "time", "time and an RFC 3339 time")?).ok_or(
            CheckpointError::Malformed {
                line: 4,
                expected: "time and an RFC 3339 time",
            },
        )?;
        let key = hex32(4, "key", "key and 64 hex digits")?;
        let signature: [u8; 64] = hex::decode(field(5, "signature", "signature and 128 hex digits")?)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(CheckpointError::Malformed {
                line: 6,
                expected: "signature and 128 hex digits",
            })?;
        if lines.len() > 6 {
            return Err(CheckpointError::Malformed {
                line: 7,
                expected: "the end of the checkpoint",
            });
        }
        Ok(Checkpoint {
            size,
            root,
            time,
            key,
            signature,
        })
    }

    /// Checks that the checkpoint names the trusted key and that its signature is valid.
    pub fn verify(&self, trusted: &VerifyingKey) -> Result<(), CheckpointError> {
        if self.key != trusted.to_bytes() {
            return Err(CheckpointError::WrongKey {
                found: hex::encode(self.key),
                trusted: hex::encode(trusted.to_bytes()),
            });
        }
        let signature = Signature::from_bytes(&self.signature);
        trusted
            .verify(
                body(self.size, &self.root, &self.time, &self.key).as_bytes(),
                &signature,
            )
            .map_err(|_| CheckpointError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_signed_checkpoint_round_trips_through_its_text_and_verifies() {
        let time = DateTime::parse_from_rfc3339("2026-11-28T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let cp = Checkpoint::sign(133, [7; 32], time, &key(1));
        let text = cp.to_text();
        assert!(text.starts_with("Spiral ledger checkpoint\nsize 133\nroot 0707"));
        let parsed = Checkpoint::parse(&text).unwrap();
        assert_eq!(parsed, cp);
        parsed.verify(&key(1).verifying_key()).unwrap();
    }

    #[test]
    fn another_key_an_altered_field_or_a_resigned_checkpoint_is_refused() {
        let time = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let cp = Checkpoint::sign(10, [1; 32], time, &key(1));
        assert!(matches!(
            cp.verify(&key(2).verifying_key()),
            Err(CheckpointError::WrongKey { .. })
        ));
        // The same content re-signed with another key does not pass for the trusted one.
        let forged = Checkpoint::sign(10, [1; 32], time, &key(2));
        assert!(matches!(
            forged.verify(&key(1).verifying_key()),
            Err(CheckpointError::WrongKey { .. })
        ));
        // A forger who copies the trusted key into the text still cannot sign for it.
        let mut spoofed = forged.clone();
        spoofed.key = key(1).verifying_key().to_bytes();
        assert_eq!(
            spoofed.verify(&key(1).verifying_key()),
            Err(CheckpointError::BadSignature)
        );
        // Any altered field breaks the signature.
        let altered = cp.to_text().replace("size 10", "size 11");
        assert_eq!(
            Checkpoint::parse(&altered)
                .unwrap()
                .verify(&key(1).verifying_key()),
            Err(CheckpointError::BadSignature)
        );
        assert!(matches!(
            Checkpoint::parse("hello"),
            Err(CheckpointError::Malformed { line: 1, .. })
        ));
        assert!(matches!(
            Checkpoint::parse(&cp.to_text().replace("root ", "root zz")),
            Err(CheckpointError::Malformed { line: 3, .. })
        ));
    }
}

/// What checking stored rows against a checkpoint found wrong: the first bad position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid at {position}: {reason}")]
pub struct RowsInvalid {
    pub position: u64,
    pub reason: String,
}

impl Checkpoint {
    /// Checks rows (the whole log, in position order) against this checkpoint: each row's
    /// position, hash chain and stream sequence, then the Merkle root of the first `size` rows.
    /// Returns how many rows were checked. The same code runs in the browser's verify button.
    pub fn check_rows(&self, rows: &[crate::chain::Row]) -> Result<u64, RowsInvalid> {
        let mut chain = crate::chain::ChainVerifier::new();
        let mut tree = crate::merkle::MerkleTree::default();
        for row in rows {
            chain.push_integrity(&row.borrowed()).map_err(|e| RowsInvalid {
                position: e.position(),
                reason: e.to_string(),
            })?;
            tree.push(&row.hash);
        }
        if tree.size() < self.size {
            return Err(RowsInvalid {
                position: tree.size() + 1,
                reason: format!(
                    "the log ends after {} events but the checkpoint covers {}",
                    tree.size(),
                    self.size
                ),
            });
        }
        let root = tree.root(self.size).map_err(|e| RowsInvalid {
            position: self.size,
            reason: e.to_string(),
        })?;
        if root != self.root {
            return Err(RowsInvalid {
                position: self.size,
                reason: "the Merkle root of the log does not match the checkpoint".into(),
            });
        }
        Ok(tree.size())
    }
}
