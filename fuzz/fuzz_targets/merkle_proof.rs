//! Inclusion and consistency proofs as `spiral audit` and auditors' tools receive them: any
//! sizes, indices and hashes must be refused cleanly; proofs the tree makes must verify.
#![no_main]

use domain::merkle::{verify_consistency, verify_inclusion, MerkleTree};
use libfuzzer_sys::fuzz_target;

fn hashes(data: &[u8]) -> Vec<[u8; 32]> {
    data.chunks_exact(32)
        .map(|c| <[u8; 32]>::try_from(c).unwrap_or([0; 32]))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 17 {
        return;
    }
    let a = u64::from_le_bytes(data[0..8].try_into().unwrap_or_default());
    let b = u64::from_le_bytes(data[8..16].try_into().unwrap_or_default());
    let all = hashes(&data[16..]);
    if let Some((first, rest)) = all.split_first() {
        let root = rest.first().copied().unwrap_or_default();
        let _ = verify_inclusion(first, a, b, rest, &root);
        let _ = verify_consistency(a, b, rest, first, &root);
    }
    // A tree of up to 64 leaves: its own proofs verify, for the sizes the input picks.
    let leaves = &all[..all.len().min(64)];
    if leaves.is_empty() {
        return;
    }
    let tree = MerkleTree::new(leaves.iter());
    let size = 1 + a % leaves.len() as u64;
    let index = b % size;
    let root = tree.root(size).expect("a size within the tree");
    let proof = tree.inclusion_proof(index, size).expect("an index within the size");
    assert!(verify_inclusion(&leaves[index as usize], index, size, &proof, &root).is_ok());
    let old = 1 + b % size;
    let proof = tree.consistency_proof(old, size).expect("an older size");
    let old_root = tree.root(old).expect("a size within the tree");
    assert!(verify_consistency(old, size, &proof, &old_root, &root).is_ok());
});
