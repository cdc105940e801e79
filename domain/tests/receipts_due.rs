//! The gifts a 寄附金受領証明書 may acknowledge, from a hand-worked year: the 認定日 cut-off, a
//! calendar year across two fiscal years, donations only, registered donors only.

mod support;

use domain::events::{Certification, OrganisationProfile};
use domain::funds::{FundKind, Payer};
use domain::ids::{DonorId, ReceiptId};
use domain::report::receipts_due::receipts_due;
use domain::{Date, Fact, Yen};
use support::Log;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn donor(id: &str) -> DonorId {
    DonorId::new(id).unwrap()
}

fn gift(log: &mut Log, id: &str, on: &str, payer: Payer, kind: FundKind, amount: i64) {
    log.push(
        d(on),
        Fact::FundsReceived {
            receipt: ReceiptId::new(id).unwrap(),
            kind,
            payer,
            amount: Yen::new(amount),
            fiscal_year: d(on).fiscal_year(),
            program: None,
            restricted: false,
        },
    );
}

#[test]
fn only_donations_from_the_certification_day_on_in_the_calendar_year_are_due() {
    let mut log = Log::default();
    let profile = |certified: Option<&str>| {
        Fact::OrganisationProfiled(OrganisationProfile {
            name: "特定非営利活動法人テスト".into(),
            address: "静岡市葵区追手町9-6".into(),
            certification: certified.map(|on| Certification {
                number: "静岡県指令第1号".into(),
                certified_on: d(on),
            }),
        })
    };
    log.push(d("2020-04-01"), profile(None));
    log.push(d("2024-07-01"), profile(Some("2024-07-01")));
    for id in ["d-a", "d-b"] {
        log.push(
            d("2020-04-01"),
            Fact::DonorRegistered {
                donor: donor(id),
                household: None,
                officer: false,
                certified_npo: false,
                identified: true,
            },
        );
    }
    let a = || Payer::Donor(donor("d-a"));
    let b = || Payer::Donor(donor("d-b"));
    gift(&mut log, "a-before", "2024-03-10", a(), FundKind::Donation, 1_000); // before 認定日
    gift(&mut log, "a-day", "2024-07-01", a(), FundKind::Donation, 3_000); // on it
    gift(&mut log, "a-dues", "2024-08-01", a(), FundKind::MemberDues, 5_000); // dues
    gift(&mut log, "a-dec", "2024-12-20", a(), FundKind::Donation, 10_000);
    gift(&mut log, "a-next", "2025-01-15", a(), FundKind::Donation, 7_000); // next year
    gift(&mut log, "b-eve", "2024-06-30", b(), FundKind::Donation, 50_000); // the day before
    gift(
        &mut log,
        "anon",
        "2024-09-01",
        Payer::Anonymous,
        FundKind::Donation,
        2_000,
    );
    let state = log.everything();

    let due = receipts_due(&state, 2024, None);
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].donor, donor("d-a"));
    let gifts: Vec<&str> = due[0].gifts.iter().map(|g| g.receipt.as_str()).collect();
    assert_eq!(gifts, ["a-day", "a-dec"]);
    assert_eq!(due[0].total, Yen::new(13_000));

    // 2025's receipt: January to December, across fiscal 2024 and 2025.
    let next = receipts_due(&state, 2025, Some(&donor("d-a")));
    assert_eq!(next[0].total, Yen::new(7_000));
    assert_eq!(next[0].gifts[0].received_on.fiscal_year().year(), 2024);
    assert!(receipts_due(&state, 2025, Some(&donor("d-b"))).is_empty());
    // Before any certification nothing is due.
    assert!(receipts_due(&state, 2023, None).is_empty());
}
