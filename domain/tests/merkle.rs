//! Merkle proofs for every ledger size from 1 to 300, checked against a reference computed here
//! independently (RFC 6962's recursive definitions, written out naively), and every kind of bad
//! proof refused.

use domain::chain::Hash;
use domain::merkle::{verify_consistency, verify_inclusion, MerkleTree, VerifyProofError};
use sha2::{Digest, Sha256};

fn event(i: u64) -> Hash {
    Sha256::digest(format!("event {i}")).into()
}

/// MTH(D[n]) straight from RFC 6962 §2.1.
fn reference_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(leaves[0]);
            h.finalize().into()
        }
        n => {
            let k = (1..)
                .map(|p| 1usize << p)
                .take_while(|&p| p < n)
                .last()
                .unwrap_or(1);
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(reference_root(&leaves[..k]));
            h.update(reference_root(&leaves[k..]));
            h.finalize().into()
        }
    }
}

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(event).collect()
}

#[test]
fn roots_match_the_reference_for_every_size_up_to_300() {
    let all = leaves(300);
    let tree = MerkleTree::new(&all);
    for n in 0..=300u64 {
        assert_eq!(
            tree.root(n).unwrap(),
            reference_root(&all[..n as usize]),
            "size {n}"
        );
    }
}

#[test]
fn every_inclusion_proof_verifies_for_every_size_up_to_300() {
    let all = leaves(300);
    let tree = MerkleTree::new(&all);
    for n in 1..=300u64 {
        let root = reference_root(&all[..n as usize]);
        for i in 0..n {
            let proof = tree.inclusion_proof(i, n).unwrap();
            verify_inclusion(&all[i as usize], i, n, &proof, &root)
                .unwrap_or_else(|e| panic!("leaf {i} of {n}: {e}"));
        }
    }
}

#[test]
fn every_consistency_proof_verifies_for_every_pair_of_sizes_up_to_300() {
    let all = leaves(300);
    let tree = MerkleTree::new(&all);
    let roots: Vec<Hash> = (0..=300).map(|n| reference_root(&all[..n])).collect();
    for new in 1..=300u64 {
        for old in 1..=new {
            let proof = tree.consistency_proof(old, new).unwrap();
            verify_consistency(old, new, &proof, &roots[old as usize], &roots[new as usize])
                .unwrap_or_else(|e| panic!("{old} -> {new}: {e}"));
        }
    }
}

#[test]
fn bad_inclusion_proofs_are_refused() {
    let all = leaves(301);
    let tree = MerkleTree::new(&all);
    for (i, n) in [(0u64, 2u64), (5, 7), (100, 300), (299, 300), (128, 257), (0, 1)] {
        let root = tree.root(n).unwrap();
        let proof = tree.inclusion_proof(i, n).unwrap();
        let leaf = all[i as usize];
        // The wrong leaf, index, size or root.
        assert!(
            verify_inclusion(&event(999), i, n, &proof, &root).is_err(),
            "wrong leaf {i}/{n}"
        );
        if n > 1 {
            let other = (i + 1) % n;
            assert!(
                verify_inclusion(&leaf, other, n, &proof, &root).is_err(),
                "wrong index {i}/{n}"
            );
            // A size claimed with the root of that size (as a checkpoint pairs them).
            assert!(
                verify_inclusion(&leaf, i, n + 1, &proof, &tree.root(n + 1).unwrap()).is_err(),
                "wrong size {i}/{n}"
            );
            assert_eq!(
                verify_inclusion(&leaf, i, n, &proof, &tree.root(n - 1).unwrap()),
                Err(VerifyProofError::RootMismatch)
            );
        }
        assert_eq!(
            verify_inclusion(&leaf, n, n, &proof, &root),
            Err(VerifyProofError::IndexOutOfRange { index: n, size: n })
        );
        for k in 0..proof.len() {
            // A wrong sibling at every step.
            let mut wrong = proof.clone();
            wrong[k][0] ^= 1;
            assert_eq!(
                verify_inclusion(&leaf, i, n, &wrong, &root),
                Err(VerifyProofError::RootMismatch),
                "sibling {k} of {i}/{n}"
            );
            // Truncated.
            assert!(
                verify_inclusion(&leaf, i, n, &proof[..k], &root).is_err(),
                "truncated to {k}"
            );
        }
        if proof.len() >= 2 {
            let mut swapped = proof.clone();
            swapped.swap(0, 1);
            assert!(
                verify_inclusion(&leaf, i, n, &swapped, &root).is_err(),
                "wrong order {i}/{n}"
            );
        }
        // Extended.
        let mut extended = proof.clone();
        extended.push(event(7));
        assert!(
            verify_inclusion(&leaf, i, n, &extended, &root).is_err(),
            "extended {i}/{n}"
        );
    }
}

#[test]
fn bad_consistency_proofs_are_refused() {
    let all = leaves(301);
    let tree = MerkleTree::new(&all);
    for (old, new) in [
        (1u64, 2u64),
        (3, 7),
        (4, 8),
        (100, 300),
        (128, 129),
        (255, 256),
        (7, 300),
    ] {
        let (old_root, new_root) = (tree.root(old).unwrap(), tree.root(new).unwrap());
        let proof = tree.consistency_proof(old, new).unwrap();
        verify_consistency(old, new, &proof, &old_root, &new_root).unwrap();
        assert!(
            verify_consistency(old, new, &proof, &new_root, &new_root).is_err(),
            "wrong old root {old}->{new}"
        );
        assert!(
            verify_consistency(old, new, &proof, &old_root, &old_root).is_err(),
            "wrong new root {old}->{new}"
        );
        // Sizes claimed with the roots of those sizes (as checkpoints pair them).
        if old < new {
            let claimed = tree.root(old + 1).unwrap();
            assert!(
                verify_consistency(old + 1, new, &proof, &claimed, &new_root).is_err(),
                "wrong old size {old}->{new}"
            );
        }
        let claimed = tree.root(new + 1).unwrap();
        assert!(
            verify_consistency(old, new + 1, &proof, &old_root, &claimed).is_err(),
            "wrong new size {old}->{new}"
        );
        assert_eq!(
            verify_consistency(new + 1, new, &proof, &old_root, &new_root),
            Err(VerifyProofError::BadSizes { old: new + 1, new })
        );
        assert_eq!(
            verify_consistency(0, new, &proof, &old_root, &new_root),
            Err(VerifyProofError::BadSizes { old: 0, new })
        );
        assert_eq!(
            verify_consistency(old, new, &[], &old_root, &new_root),
            Err(VerifyProofError::MissingHashes)
        );
        for k in 0..proof.len() {
            let mut wrong = proof.clone();
            wrong[k][31] ^= 0x80;
            assert!(
                verify_consistency(old, new, &wrong, &old_root, &new_root).is_err(),
                "sibling {k} of {old}->{new}"
            );
            assert!(
                verify_consistency(old, new, &proof[..k], &old_root, &new_root).is_err(),
                "truncated {k}"
            );
        }
        if proof.len() >= 2 {
            let mut swapped = proof.clone();
            swapped.swap(0, proof.len() - 1);
            assert!(
                verify_consistency(old, new, &swapped, &old_root, &new_root).is_err(),
                "order {old}->{new}"
            );
        }
        let mut extended = proof.clone();
        extended.push(event(1));
        assert!(
            verify_consistency(old, new, &extended, &old_root, &new_root).is_err(),
            "extended {old}->{new}"
        );
    }
    // A rewritten history: the same size with one leaf changed is not consistent.
    let mut forged = all.clone();
    forged[10] = event(10_000);
    let forged_tree = MerkleTree::new(&forged);
    let proof = forged_tree.consistency_proof(20, 40).unwrap();
    assert!(verify_consistency(
        20,
        40,
        &proof,
        &tree.root(20).unwrap(),
        &forged_tree.root(40).unwrap()
    )
    .is_err());
}
