//! The Merkle tree over the ledger's event hashes (RFC 6962 / RFC 9162 §2.1): leaf =
//! SHA-256(0x00 ‖ event hash), node = SHA-256(0x01 ‖ left ‖ right), the tree of n leaves split
//! at the largest power of two below n. Inclusion proofs show one event is in a tree of a given
//! size; consistency proofs show a smaller tree is a prefix of a larger one (nothing earlier was
//! rewritten). The verifiers here are the trust-critical code: they follow RFC 9162's
//! algorithms step by step and refuse anything that does not consume the proof exactly.

use crate::chain::Hash;
use sha2::{Digest, Sha256};

pub fn leaf_hash(event_hash: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(event_hash);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A tree kept level by level, so any subtree hash (and so any proof) costs O(log n) hashes.
#[derive(Debug, Clone, Default)]
pub struct MerkleTree {
    /// levels[0] are the leaf hashes; levels[l][i] is the complete subtree over leaves
    /// [i·2^l, (i+1)·2^l).
    levels: Vec<Vec<Hash>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("size {size} is larger than the tree ({tree})")]
    SizeTooLarge { size: u64, tree: u64 },
    #[error("a consistency proof needs 0 < old size ≤ new size (got {old} and {new})")]
    BadSizes { old: u64, new: u64 },
}

impl MerkleTree {
    /// Builds the tree over event hashes, in position order.
    pub fn new<'a>(event_hashes: impl IntoIterator<Item = &'a Hash>) -> Self {
        let mut tree = MerkleTree::default();
        for h in event_hashes {
            tree.push(h);
        }
        tree
    }

    /// Appends one event's hash; complete subtrees are hashed as they fill.
    pub fn push(&mut self, event_hash: &Hash) {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(leaf_hash(event_hash));
        let mut level = 0;
        while self.levels[level].len().is_multiple_of(2) {
            let n = self.levels[level].len();
            let parent = node_hash(&self.levels[level][n - 2], &self.levels[level][n - 1]);
            if self.levels.len() == level + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[level + 1].push(parent);
            level += 1;
        }
    }

    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The root of the tree of the first `size` leaves.
    pub fn root(&self, size: u64) -> Result<Hash, ProofError> {
        if size > self.size() {
            return Err(ProofError::SizeTooLarge {
                size,
                tree: self.size(),
            });
        }
        Ok(if size == 0 {
            empty_root()
        } else {
            self.subtree(0, size)
        })
    }

    /// MTH(D[start:end]) for 0 ≤ start < end ≤ size, with start aligned as RFC 6962's splits are.
    fn subtree(&self, start: u64, end: u64) -> Hash {
        let n = end - start;
        if n.is_power_of_two() && start.is_multiple_of(n) {
            let level = n.trailing_zeros() as usize;
            return self.levels[level][(start >> level) as usize];
        }
        let k = largest_power_of_two_below(n);
        node_hash(&self.subtree(start, start + k), &self.subtree(start + k, end))
    }

    /// The audit path for leaf `index` in the tree of the first `size` leaves (RFC 6962 PATH).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        if size > self.size() {
            return Err(ProofError::SizeTooLarge {
                size,
                tree: self.size(),
            });
        }
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Ok(proof)
    }

    fn path(&self, index: u64, start: u64, end: u64, proof: &mut Vec<Hash>) {
        let n = end - start;
        if n == 1 {
            return;
        }
        let k = largest_power_of_two_below(n);
        if index < start + k {
            self.path(index, start, start + k, proof);
            proof.push(self.subtree(start + k, end));
        } else {
            self.path(index, start + k, end, proof);
            proof.push(self.subtree(start, start + k));
        }
    }

    /// The proof that the tree of `old` leaves is a prefix of the tree of `new` (RFC 6962 PROOF).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        if old == 0 || old > new {
            return Err(ProofError::BadSizes { old, new });
        }
        if new > self.size() {
            return Err(ProofError::SizeTooLarge {
                size: new,
                tree: self.size(),
            });
        }
        let mut proof = Vec::new();
        self.subproof(old, 0, new, true, &mut proof);
        Ok(proof)
    }

    fn subproof(&self, m: u64, start: u64, end: u64, complete: bool, proof: &mut Vec<Hash>) {
        let n = end - start;
        if m == n {
            if !complete {
                proof.push(self.subtree(start, end));
            }
            return;
        }
        let k = largest_power_of_two_below(n);
        if m <= k {
            self.subproof(m, start, start + k, complete, proof);
            proof.push(self.subtree(start + k, end));
        } else {
            self.subproof(m - k, start + k, end, false, proof);
            proof.push(self.subtree(start, start + k));
        }
    }
}

/// The largest power of two strictly less than `n` (n ≥ 2).
fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyProofError {
    #[error("leaf {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("the proof has {found} hashes; a proof for these sizes has exactly {expected}")]
    WrongLength { expected: usize, found: usize },
    #[error("the proof has more hashes than a proof for these sizes can use")]
    ExtraHashes,
    #[error("the proof ends before it reaches the root")]
    MissingHashes,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
    #[error("the old and new sizes are not a valid pair ({old}, {new})")]
    BadSizes { old: u64, new: u64 },
}

/// RFC 9162 §2.1.3.2: verifies that `event_hash` is leaf `index` of the tree of `size` leaves
/// with root `root`.
pub fn verify_inclusion(
    event_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyProofError> {
    if index >= size {
        return Err(VerifyProofError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_length(index, size);
    if proof.len() != expected {
        return Err(VerifyProofError::WrongLength {
            expected,
            found: proof.len(),
        });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = leaf_hash(event_hash);
    for p in proof {
        if snode == 0 {
            return Err(VerifyProofError::WrongLength {
                expected,
                found: proof.len(),
            });
        }
        if fnode % 2 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode % 2 == 0 {
                while fnode % 2 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 || r != *root {
        return Err(VerifyProofError::RootMismatch);
    }
    Ok(())
}

/// The length of an inclusion proof for (index, size).
fn inclusion_length(index: u64, size: u64) -> usize {
    let (mut fnode, mut snode, mut len) = (index, size - 1, 0);
    while snode > 0 {
        // The verifier's steps without the hashing: an even node that is the last of its level
        // climbs until it becomes a right child (or the root).
        if fnode == snode && fnode % 2 == 0 {
            while fnode % 2 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        }
        fnode >>= 1;
        snode >>= 1;
        len += 1;
    }
    len
}

/// RFC 9162 §2.1.4.2: verifies that the tree of `old` leaves with root `old_root` is a prefix of
/// the tree of `new` leaves with root `new_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), VerifyProofError> {
    if old == 0 || old > new {
        return Err(VerifyProofError::BadSizes { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(VerifyProofError::ExtraHashes);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(VerifyProofError::RootMismatch)
        };
    }
    // Step 1: between two different sizes the proof is never empty.
    if proof.is_empty() {
        return Err(VerifyProofError::MissingHashes);
    }
    // If old is an exact power of two (a complete left subtree), the old root is the first node.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode % 2 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let Some((first, rest)) = path.split_first() else {
        return Err(VerifyProofError::MissingHashes);
    };
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return Err(VerifyProofError::ExtraHashes);
        }
        if fnode % 2 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode % 2 == 0 {
                while fnode % 2 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(VerifyProofError::MissingHashes);
    }
    if fr != *old_root || sr != *new_root {
        return Err(VerifyProofError::RootMismatch);
    }
    Ok(())
}
