//! The preview of a gift file: rows read, donors matched or proposed, gifts already recorded
//! left out, every bad row named by its line.

mod support;

use domain::funds::{FundKind, Payer};
use domain::gift_import::{needs_details, preview, PlannedGiver, Table, TableRow};
use domain::ids::{DonorId, ReceiptId};
use domain::personal::{DetailsInput, DonorDetails};
use domain::{Date, Fact, Yen};
use support::Log;

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn table(header: &str, rows: &[&str]) -> Table {
    let split = |line: &str| line.split(',').map(str::to_string).collect::<Vec<_>>();
    Table {
        header: split(header),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| TableRow {
                line: i as u64 + 2,
                fields: split(r),
            })
            .collect(),
    }
}

fn details(name: &str, address: &str) -> DonorDetails {
    DonorDetails::try_from(DetailsInput {
        name: name.into(),
        address: Some(address.into()),
        ..DetailsInput::default()
    })
    .unwrap()
}

fn donor(id: &str) -> DonorId {
    DonorId::new(id).unwrap()
}

/// Two donors (d-hanako known by name and address), one gift of hers already recorded.
fn ledger() -> Log {
    let mut log = Log::default();
    for id in ["d-hanako", "d-taro"] {
        log.push(
            day("2020-04-01"),
            Fact::DonorRegistered {
                donor: donor(id),
                household: None,
                officer: false,
                certified_npo: false,
                identified: true,
            },
        );
    }
    log.push(
        day("2024-05-01"),
        Fact::FundsReceived {
            receipt: ReceiptId::new("r-by-hand").unwrap(),
            kind: FundKind::Donation,
            payer: Payer::Donor(donor("d-hanako")),
            amount: Yen::new(3_000),
            fiscal_year: day("2024-05-01").fiscal_year(),
            program: None,
            restricted: false,
        },
    );
    log
}

const HEADER: &str = "受領日,氏名,住所,金額,種別,寄附者ID";

#[test]
fn rows_are_matched_by_id_then_by_name_and_address_else_a_new_donor_is_proposed() {
    let log = ledger();
    let known = [(donor("d-hanako"), details("静岡 花子", "静岡市葵区追手町9-6"))];
    let file = table(
        HEADER,
        &[
            "2024/5/1,静岡　花子,静岡市葵区追手町９－６,3000,寄附,", // recorded by hand already
            "2024/5/1,静岡花子,静岡市葵区追手町9-6,3000,寄附,",      // a second such gift: new
            "2024/6/1,,,5000,,d-taro",
            "2024/6/2,浜松 次郎,浜松市中区元城町103-2,10000,寄付金,",
            "2024/7/2,浜松 次郎,浜松市中区 元城町103-2,2000,会費,",
            "2024/8/1,,,1000,,",
            ",,,,,",
        ],
    );
    let p = preview(&file, &log.everything(), &known).unwrap();
    assert_eq!(p.rows, 6, "the blank row is not counted");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.duplicates.len(), 1);
    assert_eq!(p.duplicates[0].line, 2);
    let givers: Vec<(u64, &PlannedGiver)> = p.gifts.iter().map(|g| (g.line, &g.giver)).collect();
    let jiro = p.new_donors[0].donor.clone();
    assert_eq!(
        givers,
        vec![
            (
                3,
                &PlannedGiver::ByNameAndAddress {
                    donor: donor("d-hanako")
                }
            ),
            (
                4,
                &PlannedGiver::ById {
                    donor: donor("d-taro")
                }
            ),
            (5, &PlannedGiver::New { donor: jiro.clone() }),
            (6, &PlannedGiver::New { donor: jiro.clone() }),
            (7, &PlannedGiver::Anonymous),
        ]
    );
    assert_eq!(p.new_donors.len(), 1, "one person on two rows is one new donor");
    assert_eq!(p.new_donors[0].lines, vec![5, 6]);
    assert_eq!(p.new_donors[0].first_gift, day("2024-06-02"));
    assert_eq!(p.gifts[3].kind, FundKind::MemberDues);
    assert_eq!(p.total(), Yen::new(3_000 + 5_000 + 10_000 + 2_000 + 1_000));
    assert!(p.can_record());
}

#[test]
fn recording_the_preview_then_previewing_the_same_file_finds_every_gift_recorded() {
    let mut log = ledger();
    let file = table(
        HEADER,
        &[
            "2024/6/2,浜松 次郎,浜松市中区元城町103-2,10000,,",
            "2024/6/2,浜松 次郎,浜松市中区元城町103-2,10000,,",
            "2024/8/1,,,1000,,",
        ],
    );
    let first = preview(&file, &log.everything(), &[]).unwrap();
    assert_eq!(first.gifts.len(), 3);
    let receipts: std::collections::BTreeSet<_> = first.gifts.iter().map(|g| g.receipt.clone()).collect();
    assert_eq!(
        receipts.len(),
        3,
        "two identical gifts on one day are two receipts"
    );
    for new in &first.new_donors {
        log.push(new.first_gift, new.fact());
    }
    for gift in &first.gifts {
        log.push(gift.on, gift.fact());
    }
    // The new donor's details are now known (the vault holds them).
    let known = [(
        first.new_donors[0].donor.clone(),
        first.new_donors[0].details.clone(),
    )];
    let again = preview(&file, &log.everything(), &known).unwrap();
    assert!(again.gifts.is_empty(), "{:?}", again.gifts);
    assert!(again.new_donors.is_empty());
    assert_eq!(again.duplicates.len(), 3);
    // The same gifts, derived again, have the same receipts: a racing second import conflicts.
    let state = log.everything();
    assert!(receipts.iter().all(|r| state.receipts.contains_key(r)));
}

#[test]
fn every_bad_row_is_named_by_line_and_column() {
    let log = ledger();
    let file = table(
        HEADER,
        &[
            "2024/2/30,静岡 花子,静岡市,1000,,",
            "2024/5/1,静岡 花子,静岡市,1000.5,,",
            "2024/5/1,,,,,",
            "2024/5/1,,,500,物品,",
            "2024/5/1,,,500,,d-nobody",
            "2024/5/1,,,500,,D NOBODY",
            "2024/5/1,静岡\u{202E}花子,静岡市,500,,",
            "2024/5/1,静岡 花子,静岡市,500,,",
        ],
    );
    let p = preview(&file, &log.everything(), &[]).unwrap();
    let errors: Vec<(u64, Option<&str>)> = p
        .errors
        .iter()
        .map(|e| (e.line, e.column.map(|c| c.en())))
        .collect();
    assert_eq!(
        errors,
        vec![
            (2, Some("received_on")),
            (3, Some("amount")),
            (4, Some("amount")),
            (5, Some("kind")),
            (6, Some("donor_id")),
            (7, Some("donor_id")),
            (8, Some("name")),
        ]
    );
    assert!(
        p.errors[0].message_ja.contains("2024/2/30"),
        "{}",
        p.errors[0].message_ja
    );
    assert!(p.errors[4].message.contains("d-nobody"));
    assert_eq!(p.gifts.len(), 1, "the good row is still previewed");
    assert!(!p.can_record());
}

#[test]
fn two_donors_with_one_name_and_address_need_an_id() {
    let log = ledger();
    let known = [
        (donor("d-hanako"), details("静岡 花子", "静岡市")),
        (donor("d-taro"), details("静岡 花子", "静岡市")),
    ];
    let p = preview(
        &table(HEADER, &["2024/5/1,静岡 花子,静岡市,500,,"]),
        &log.everything(),
        &known,
    )
    .unwrap();
    assert_eq!(p.errors.len(), 1);
    assert!(
        p.errors[0].message.contains("d-hanako, d-taro"),
        "{}",
        p.errors[0].message
    );
}

#[test]
fn a_donor_asking_for_erasure_is_not_matched_again() {
    let mut log = ledger();
    let file = table(HEADER, &["2024/6/2,浜松 次郎,浜松市,10000,,"]);
    let first = preview(&file, &log.everything(), &[]).unwrap();
    log.push(first.new_donors[0].first_gift, first.new_donors[0].fact());
    // Their details are no longer among those that may be used.
    let later = table(HEADER, &["2024/7/2,浜松 次郎,浜松市,500,,"]);
    let p = preview(&later, &log.everything(), &[]).unwrap();
    assert_eq!(p.errors.len(), 1);
    assert!(
        p.errors[0].message_ja.contains("消去の求め"),
        "{}",
        p.errors[0].message_ja
    );
}

#[test]
fn a_donor_registered_by_an_import_who_moved_since_is_still_found() {
    let mut log = ledger();
    let file = table(HEADER, &["2024/6/2,浜松 次郎,浜松市中区元城町103-2,10000,,"]);
    let first = preview(&file, &log.everything(), &[]).unwrap();
    let jiro = first.new_donors[0].donor.clone();
    log.push(first.new_donors[0].first_gift, first.new_donors[0].fact());
    // Staff recorded a new address since; the platform's next export still has the old one.
    let moved = [(jiro.clone(), details("浜松 次郎", "浜松市中区砂山町1-1"))];
    let later = table(HEADER, &["2024/7/2,浜松 次郎,浜松市中区元城町103-2,500,,"]);
    let p = preview(&later, &log.everything(), &moved).unwrap();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.gifts[0].giver, PlannedGiver::ByNameAndAddress { donor: jiro });
    assert!(p.new_donors.is_empty());
}

#[test]
fn only_a_row_with_a_name_and_no_id_needs_donors_details_read() {
    assert!(!needs_details(&table(
        HEADER,
        &["2024/6/1,,,5000,,d-taro", "2024/8/1,,,1000,,"]
    )));
    assert!(!needs_details(&table(
        HEADER,
        &["2024/6/1,静岡 花子,,5000,,d-hanako"]
    )));
    assert!(needs_details(&table(
        HEADER,
        &["2024/6/1,,,5000,,d-taro", "2024/6/2,浜松 次郎,浜松市,1000,,"]
    )));
    assert!(
        !needs_details(&table("氏名,金額", &["浜松 次郎,1000"])),
        "a header refused reads no one"
    );
}
