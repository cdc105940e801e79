//! A projection snapshot: the fold of every event up to one position, kept so that a process
//! starting cold (the CLI's `state` and `report`) folds only the events recorded after it
//! instead of the whole ledger.
//!
//! A snapshot is derived data, never evidence: the ledger stays the only record. It is trusted
//! only when all of these hold, and otherwise ignored (the fold starts from the first event):
//! - it was made by this code's fold ([`FORMAT`]);
//! - the chain hash it names is the ledger's hash at its position, so the ledger it was folded
//!   from is the one read now, not a restored, replaced or rewritten one;
//! - its signature verifies under the reader's own key, so someone who can write to the database
//!   but does not hold the key file cannot plant figures in a report.

use crate::chain::Hash;
use crate::fiscal_year::FiscalYear;
use crate::fold_index::Needs;
use crate::ids::ReceiptId;
use crate::projection::{LedgerState, ReceiptView, View};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The fold's version. Change it whenever `LedgerState`'s shape, the way events fold into it or
/// the body's layout changes, so snapshots made by older code are folded again rather than read
/// wrongly. The test `the_demos_snapshot_is_pinned` fails until it is changed.
pub const FORMAT: u32 = 4;

/// What a snapshot says it is, beside its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: u32,
    /// The last position folded in.
    pub position: u64,
    /// The chain hash at `position`.
    pub chain_hash: Hash,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SnapshotError {
    #[error(
        "the snapshot was made by another version of the fold (format {found}, this one reads {FORMAT})"
    )]
    OtherFormat { found: u32 },
    #[error("the snapshot is not signed by this key, or was changed after it was signed")]
    BadSignature,
    #[error("the snapshot's body cannot be read: {0}")]
    Unreadable(String),
    #[error("the snapshot says it ends at position {header}, its fold at {folded}")]
    WrongPosition { header: u64, folded: u64 },
    #[error("only the fold of everything, now, is kept as a snapshot")]
    NotEverything,
}

/// The body as kept: the state without its plain receipts, then the plain receipts a fiscal
/// year a part. A ledger is mostly plain receipts (a gift or a fee tied to no program, not
/// restricted, nothing spent from it), and a report of some years needs only those years' (the
/// same split as [`crate::fold_index`]), so a reader decodes, and hashes, only the parts its
/// question needs: a five-year report from a million-event snapshot reads a fifth of it.
#[derive(Serialize, Deserialize)]
struct Parts<'a> {
    /// `LedgerState` (postcard) without the plain receipts.
    #[serde(borrow)]
    core: &'a [u8],
    #[serde(borrow)]
    years: Vec<YearPart<'a>>,
}

#[derive(Serialize, Deserialize)]
struct YearPart<'a> {
    fiscal_year: FiscalYear,
    /// SHA-256 of `receipts`. The signature covers it, so a part is checked by hashing that part
    /// alone.
    digest: [u8; 32],
    /// `Vec<ReceiptView>` (postcard), in id order.
    #[serde(borrow)]
    receipts: &'a [u8],
}

/// Recognised only in its own fiscal year, and read by nothing else: what a year's part holds.
fn plain(receipt: &ReceiptView) -> bool {
    receipt.program.is_none() && !receipt.restricted && receipt.spent.is_empty()
}

/// The bytes a snapshot's signature covers: a domain tag, the header, the core's SHA-256 and
/// each year's part by its year and digest.
fn signed_message(header: &Header, core: &[u8], years: &[YearPart<'_>]) -> Vec<u8> {
    let mut message = b"spiral projection snapshot\n".to_vec();
    message.extend_from_slice(&header.format.to_be_bytes());
    message.extend_from_slice(&header.position.to_be_bytes());
    message.extend_from_slice(&header.chain_hash);
    message.extend_from_slice(&Sha256::digest(core));
    for part in years {
        message.extend_from_slice(&part.fiscal_year.year().to_be_bytes());
        message.extend_from_slice(&part.digest);
    }
    message
}

/// A state to keep: its header, its body and the signature over both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub header: Header,
    pub body: Vec<u8>,
    pub signature: [u8; 64],
}

fn unreadable(e: impl std::fmt::Display) -> SnapshotError {
    SnapshotError::Unreadable(e.to_string())
}

/// Seals the fold of everything up to `state.head_position`, whose chain hash is `chain_hash`.
pub fn seal(state: &LedgerState, chain_hash: Hash, key: &SigningKey) -> Result<Sealed, SnapshotError> {
    if state.view != View::everything() {
        return Err(SnapshotError::NotEverything);
    }
    let header = Header {
        format: FORMAT,
        position: state.head_position,
        chain_hash,
    };
    let mut by_year: BTreeMap<FiscalYear, Vec<&ReceiptView>> = BTreeMap::new();
    for receipt in state.receipts.by_year().filter(|r| plain(r)) {
        by_year.entry(receipt.fiscal_year).or_default().push(receipt);
    }
    let mut core = state.clone_without_receipts();
    core.receipts = state
        .receipts
        .iter()
        .filter(|(_, r)| !plain(r))
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect();
    let core = postcard::to_allocvec(&core).map_err(unreadable)?;
    let encoded: Vec<(FiscalYear, Vec<u8>)> = by_year
        .into_iter()
        .map(|(year, receipts)| Ok((year, postcard::to_allocvec(&receipts).map_err(unreadable)?)))
        .collect::<Result<_, SnapshotError>>()?;
    let years: Vec<YearPart<'_>> = encoded
        .iter()
        .map(|(fiscal_year, receipts)| YearPart {
            fiscal_year: *fiscal_year,
            digest: Sha256::digest(receipts).into(),
            receipts,
        })
        .collect();
    let signature = key.sign(&signed_message(&header, &core, &years)).to_bytes();
    let body = postcard::to_allocvec(&Parts { core: &core, years }).map_err(unreadable)?;
    Ok(Sealed {
        header,
        body,
        signature,
    })
}

/// Opens a kept snapshot whole: checks its format and signature, then decodes every part.
/// (Whether `header.chain_hash` is the ledger's hash at `header.position` is for the caller to
/// check against the store.)
pub fn open(sealed: &Sealed, trusted: &VerifyingKey) -> Result<LedgerState, SnapshotError> {
    open_needed(sealed, trusted, &Needs::Everything)
}

/// Opens what `needs` asks of a kept snapshot: the core always, and the plain receipts of the
/// fiscal years it names (every year for [`Needs::Everything`]). The state answers that
/// question as the whole one would; it lacks other years' plain receipts, so it must not be
/// sealed again or used for anything else.
pub fn open_needed(
    sealed: &Sealed,
    trusted: &VerifyingKey,
    needs: &Needs,
) -> Result<LedgerState, SnapshotError> {
    if sealed.header.format != FORMAT {
        return Err(SnapshotError::OtherFormat {
            found: sealed.header.format,
        });
    }
    let parts = parse(&sealed.body)?;
    trusted
        .verify_strict(
            &signed_message(&sealed.header, parts.core, &parts.years),
            &Signature::from_bytes(&sealed.signature),
        )
        .map_err(|_| SnapshotError::BadSignature)?;
    decode(parts, sealed.header.position, needs)
}

fn parse(body: &[u8]) -> Result<Parts<'_>, SnapshotError> {
    let (parts, rest): (Parts<'_>, &[u8]) = postcard::take_from_bytes(body).map_err(unreadable)?;
    if !rest.is_empty() {
        return Err(SnapshotError::Unreadable(format!(
            "{} bytes after the state",
            rest.len()
        )));
    }
    Ok(parts)
}

/// Decodes a snapshot's body whole and checks it ends where its header says. Signed bodies are
/// ours, but a decoder still never trusts its input (fuzz target `projection_snapshot`).
pub fn decode_body(body: &[u8], position: u64) -> Result<LedgerState, SnapshotError> {
    decode(parse(body)?, position, &Needs::Everything)
}

fn decode(parts: Parts<'_>, position: u64, needs: &Needs) -> Result<LedgerState, SnapshotError> {
    let mut state: LedgerState = postcard::from_bytes(parts.core).map_err(unreadable)?;
    if state.head_position != position {
        return Err(SnapshotError::WrongPosition {
            header: position,
            folded: state.head_position,
        });
    }
    if state.view != View::everything() {
        return Err(SnapshotError::NotEverything);
    }
    if state.receipts.values().any(plain) {
        return Err(unreadable("a plain receipt in the core"));
    }
    let wanted = |year: &FiscalYear| match needs {
        Needs::Everything => true,
        Needs::Some { years, .. } => years.contains(year),
    };
    let mut read: BTreeMap<FiscalYear, Vec<(ReceiptId, ReceiptView)>> = BTreeMap::new();
    let mut last_year = None;
    for part in parts.years {
        if last_year.is_some_and(|y| y >= part.fiscal_year) {
            return Err(unreadable("the years' parts are out of order"));
        }
        last_year = Some(part.fiscal_year);
        if !wanted(&part.fiscal_year) {
            continue;
        }
        if <[u8; 32]>::from(Sha256::digest(part.receipts)) != part.digest {
            return Err(SnapshotError::BadSignature);
        }
        let receipts: Vec<ReceiptView> = postcard::from_bytes(part.receipts).map_err(unreadable)?;
        for receipt in receipts {
            if !plain(&receipt) || receipt.fiscal_year != part.fiscal_year {
                return Err(unreadable(format!(
                    "receipt {} is not a plain receipt of {}",
                    receipt.id, part.fiscal_year
                )));
            }
            read.entry(part.fiscal_year)
                .or_default()
                .push((receipt.id.clone(), receipt));
        }
    }
    if !read.is_empty() {
        for receipt in std::mem::take(&mut state.receipts).into_by_year() {
            read.entry(receipt.fiscal_year)
                .or_default()
                .push((receipt.id.clone(), receipt));
        }
        // A part is in id order; the stable sort merges the core's few into each year's.
        for year in read.values_mut() {
            year.sort_by(|a, b| a.0.cmp(&b.0));
            if let Some(twice) = year.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(unreadable(format!("receipt {} is held twice", twice[0].0)));
            }
        }
        state.receipts = read.into_values().flatten().collect();
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::GENESIS;

    fn demo_events() -> Vec<crate::Recorded> {
        crate::demo::recorded(chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap())
    }

    fn demo_state() -> LedgerState {
        LedgerState::replay(&demo_events(), View::everything())
    }

    #[test]
    fn a_sealed_snapshot_opens_to_the_same_state() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let state = demo_state();
        let sealed = seal(&state, [9; 32], &key).unwrap();
        assert_eq!(open(&sealed, &key.verifying_key()).unwrap(), state);
    }

    #[test]
    fn a_changed_body_another_key_or_another_format_is_refused() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let sealed = seal(&demo_state(), GENESIS, &key).unwrap();
        // A byte of the core (most of the demo's body) changed.
        let mut changed = sealed.clone();
        let middle = changed.body.len() / 2;
        changed.body[middle] ^= 1;
        assert_eq!(
            open(&changed, &key.verifying_key()),
            Err(SnapshotError::BadSignature)
        );
        // Its layout changed: unreadable, never opened.
        let mut cut = sealed.clone();
        cut.body.pop();
        assert!(matches!(
            open(&cut, &key.verifying_key()),
            Err(SnapshotError::Unreadable(_))
        ));
        let mut moved = sealed.clone();
        moved.header.position -= 1;
        assert_eq!(
            open(&moved, &key.verifying_key()),
            Err(SnapshotError::BadSignature)
        );
        let other = SigningKey::from_bytes(&[4; 32]);
        assert_eq!(
            open(&sealed, &other.verifying_key()),
            Err(SnapshotError::BadSignature)
        );
        let mut older = sealed;
        older.header.format = FORMAT + 1;
        assert_eq!(
            open(&older, &key.verifying_key()),
            Err(SnapshotError::OtherFormat { found: FORMAT + 1 })
        );
    }

    #[test]
    fn only_the_fold_of_everything_is_sealed() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let events = demo_events();
        let as_of = LedgerState::replay(
            &events,
            View {
                as_of: Some(crate::Date::from_ymd(2015, 4, 1).unwrap()),
                known_at: None,
            },
        );
        assert_eq!(seal(&as_of, GENESIS, &key), Err(SnapshotError::NotEverything));
    }

    #[test]
    fn a_body_with_trailing_bytes_or_another_position_is_unreadable() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let state = demo_state();
        let mut body = seal(&state, GENESIS, &key).unwrap().body;
        assert!(decode_body(&body, state.head_position).is_ok());
        assert!(matches!(
            decode_body(&body, state.head_position + 1),
            Err(SnapshotError::WrongPosition { .. })
        ));
        body.push(0);
        assert!(matches!(
            decode_body(&body, state.head_position),
            Err(SnapshotError::Unreadable(_))
        ));
    }

    fn example_state() -> LedgerState {
        let scale = crate::example::Scale {
            donors: 60,
            ..crate::example::Scale::default()
        };
        let start = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        LedgerState::replay(&crate::example::recorded(&scale, start), View::everything())
    }

    #[test]
    fn a_question_of_some_years_reads_only_their_parts_and_answers_as_the_whole_would() {
        use crate::report::funding::funding_summary;
        use crate::report::pst::{public_support_test, PstOptions};
        let key = SigningKey::from_bytes(&[3; 32]);
        let whole = example_state();
        let sealed = seal(&whole, GENESIS, &key).unwrap();
        assert_eq!(open(&sealed, &key.verifying_key()).unwrap(), whole);
        let years: Vec<FiscalYear> = whole.money.iter().map(|m| m.fiscal_year).collect();
        assert!(years.len() > 5, "the example spans years");
        let plain_receipts = whole.receipts.values().filter(|r| plain(r)).count();
        assert!(plain_receipts > 100 && plain_receipts < whole.receipts.len());
        let both = PstOptions {
            supporting_dues_as_donations: true,
            add_member_dues: true,
        };
        for window in years.windows(3) {
            let (from, to) = (window[0], window[2]);
            let part = open_needed(&sealed, &key.verifying_key(), &Needs::years(from, to)).unwrap();
            assert!(part.receipts.len() < whole.receipts.len());
            assert_eq!(part.money, whole.money, "the yearly sums are the whole fold's");
            assert_eq!(part.donors, whole.donors);
            assert_eq!(
                funding_summary(&part, from, to, true),
                funding_summary(&whole, from, to, true),
                "{from}–{to}"
            );
            for options in [PstOptions::default(), both] {
                assert_eq!(
                    public_support_test(&part, from, to, options),
                    public_support_test(&whole, from, to, options)
                );
            }
        }
        let work = open_needed(&sealed, &key.verifying_key(), &Needs::the_work()).unwrap();
        assert_eq!(
            (&work.programs, &work.timeline),
            (&whole.programs, &whole.timeline)
        );
        assert!(work.receipts.values().all(|r| !plain(r)));
    }

    #[test]
    fn a_changed_year_is_noticed_when_it_is_read() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let whole = example_state();
        let sealed = seal(&whole, GENESIS, &key).unwrap();
        let parts = parse(&sealed.body).unwrap();
        let last = parts.years.last().unwrap();
        let year = last.fiscal_year;
        // The last byte of the body is the last year's last receipt's.
        let mut changed = sealed.clone();
        let end = changed.body.len() - 1;
        changed.body[end] ^= 1;
        let first = parts.years[0].fiscal_year;
        assert!(open_needed(&changed, &key.verifying_key(), &Needs::years(first, first)).is_ok());
        assert_eq!(
            open_needed(&changed, &key.verifying_key(), &Needs::years(year, year)),
            Err(SnapshotError::BadSignature)
        );
        assert_eq!(
            open(&changed, &key.verifying_key()),
            Err(SnapshotError::BadSignature)
        );
    }

    /// Pins the demo's snapshot body. When this fails, the fold or `LedgerState` changed: bump
    /// [`FORMAT`] (kept snapshots are then folded again) and put the new digest here.
    #[test]
    fn the_demos_snapshot_is_pinned() {
        let body = postcard::to_allocvec(&demo_state()).unwrap();
        assert_eq!(
            (FORMAT, hex::encode(Sha256::digest(&body))),
            (
                4,
                String::from("1d3d5abe913768953bcaed462f92111750360244cc267a9fd4d48bad39c657de")
            )
        );
    }
}
