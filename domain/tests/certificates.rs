//! 寄附金受領証明書 from a hand-worked scenario, every command decided by the rules: numbering
//! by the year issued, one gift's certificate and a year's batch, nothing acknowledged twice, a
//! gift that cannot change under a standing certificate, void and reissue (after a correction
//! and after a move), the 認定日 cut-off, a calendar year across two fiscal years, and donors a
//! certificate cannot be addressed to.

use domain::certificate::{
    plan_gift, plan_reissue, plan_year, AcknowledgedGift, Certificate, CertificateError, CertificateNo,
};
use domain::demo::InMemory;
use domain::events::{Certification, OrganisationProfile};
use domain::funds::{FundKind, Payer};
use domain::ids::{DonorId, ReceiptId};
use domain::personal::Requester;
use domain::{Command, Date, DomainError, Fact, Yen};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn donor(id: &str) -> DonorId {
    DonorId::new(id).unwrap()
}

fn receipt(id: &str) -> ReceiptId {
    ReceiptId::new(id).unwrap()
}

fn no(text: &str) -> CertificateNo {
    text.parse().unwrap()
}

struct Desk(InMemory);

impl Desk {
    fn record(&mut self, on: &str, fact: Fact) -> Result<(), DomainError> {
        self.run(Command::record(d(on), fact))
    }

    fn run(&mut self, command: Command) -> Result<(), DomainError> {
        let at = "2026-12-01T09:00:00Z".parse().unwrap();
        self.0.record(command, "staff:test", at)
    }

    fn ok(&mut self, on: &str, fact: Fact) {
        if let Err(e) = self.record(on, fact) {
            panic!("refused: {e}");
        }
    }

    fn gift(&mut self, id: &str, on: &str, payer: &str, kind: FundKind, amount: i64) {
        self.ok(
            on,
            Fact::FundsReceived {
                receipt: receipt(id),
                kind,
                payer: Payer::Donor(donor(payer)),
                amount: Yen::new(amount),
                fiscal_year: d(on).fiscal_year(),
                program: None,
                restricted: false,
            },
        );
    }

    fn issue(&mut self, on: &str, certificate: &Certificate) -> Result<(), DomainError> {
        self.record(on, Fact::CertificateIssued(certificate.clone()))
    }

    fn sequence_of(&self, id: &str) -> u64 {
        let stream = format!("receipt:{id}");
        self.0
            .events
            .iter()
            .find(|e| e.stream == stream)
            .map(|e| e.sequence)
            .unwrap()
    }
}

fn profile(certified: Option<&str>) -> Fact {
    Fact::OrganisationProfiled(OrganisationProfile {
        name: "特定非営利活動法人テスト".into(),
        address: "静岡市葵区追手町9-6".into(),
        certification: certified.map(|on| Certification {
            number: "静岡県指令第1号".into(),
            certified_on: d(on),
        }),
    })
}

fn certificate_error(result: Result<(), DomainError>) -> CertificateError {
    match result {
        Err(DomainError::Certificate(e)) => e,
        other => panic!("expected a certificate refusal, got {other:?}"),
    }
}

fn receipts(c: &Certificate) -> Vec<&str> {
    c.gifts.iter().map(|g| g.receipt.as_str()).collect()
}

/// The NPO certified on 2024-07-01; four donors, two with details, one without, one who asked
/// for erasure; gifts either side of the 認定日 and of the new year.
fn scenario() -> Desk {
    let mut desk = Desk(InMemory::default());
    desk.ok("2020-04-01", profile(None));
    desk.ok("2024-07-01", profile(Some("2024-07-01")));
    for id in ["d-a", "d-b", "d-c", "d-e"] {
        desk.ok(
            "2020-04-01",
            Fact::DonorRegistered {
                donor: donor(id),
                household: None,
                officer: false,
                certified_npo: false,
                identified: id != "d-c",
            },
        );
    }
    for (id, seal) in [("d-a", 11), ("d-b", 12), ("d-e", 14)] {
        desk.ok(
            "2020-04-01",
            Fact::DonorDetailsRecorded {
                donor: donor(id),
                revision: 1,
                seal,
            },
        );
    }
    desk.ok(
        "2024-06-01",
        Fact::DonorErasureRequested {
            donor: donor("d-e"),
            by: Requester::Donor,
        },
    );
    desk.gift("a-before", "2024-03-10", "d-a", FundKind::Donation, 1_000); // before 認定日
    desk.gift("a-day", "2024-07-01", "d-a", FundKind::Donation, 3_000); // on it
    desk.gift("a-dues", "2024-08-01", "d-a", FundKind::MemberDues, 5_000); // dues
    desk.gift("a-dec", "2024-12-20", "d-a", FundKind::Donation, 10_000);
    desk.gift("a-jan", "2025-01-15", "d-a", FundKind::Donation, 7_000); // fiscal 2024
    desk.gift("a-may", "2025-05-10", "d-a", FundKind::Donation, 2_000); // fiscal 2025
    desk.gift("b-1", "2024-09-01", "d-b", FundKind::Donation, 50_000);
    desk.gift("b-2", "2024-11-11", "d-b", FundKind::Donation, 20_000);
    desk.gift("c-1", "2024-10-01", "d-c", FundKind::Donation, 4_000);
    desk.gift("e-1", "2024-10-02", "d-e", FundKind::Donation, 6_000);
    desk
}

#[test]
fn a_year_of_certificates_issued_voided_and_reissued() {
    let mut desk = scenario();

    // One gift's certificate, issued in September: the first number of 2024.
    let one = plan_gift(&desk.0.state, &receipt("b-1"), d("2024-09-05")).unwrap();
    assert_eq!(
        (one.number, one.total, one.calendar_year),
        (no("2024-00001"), Yen::new(50_000), 2024)
    );
    desk.issue("2024-09-05", &one).unwrap();

    // The year's batch, issued in January: numbered from 2025-00001 in donor order. b-1 is
    // acknowledged already; a-before precedes the 認定日; dues are not gifts; d-c has no
    // details and d-e asked for erasure, so both are left out with the reason.
    let batch = plan_year(&desk.0.state, 2024, None, d("2025-01-20")).unwrap();
    let issued: Vec<(String, &str, Vec<&str>, i64)> = batch
        .certificates
        .iter()
        .map(|c| {
            (
                c.number.to_string(),
                c.donor.as_str(),
                receipts(c),
                c.total.value(),
            )
        })
        .collect();
    assert_eq!(
        issued,
        [
            ("2025-00001".to_owned(), "d-a", vec!["a-day", "a-dec"], 13_000),
            ("2025-00002".to_owned(), "d-b", vec!["b-2"], 20_000),
        ]
    );
    let skipped: Vec<(&str, &CertificateError)> = batch
        .skipped
        .iter()
        .map(|s| (s.donor.as_str(), &s.reason))
        .collect();
    assert_eq!(
        skipped,
        [
            ("d-c", &CertificateError::NoDetails(donor("d-c"))),
            ("d-e", &CertificateError::UseStopped(donor("d-e"))),
        ]
    );
    for c in &batch.certificates {
        desk.issue("2025-01-20", c).unwrap();
    }
    // Issuing the year again issues nothing: every qualifying gift is acknowledged.
    assert!(plan_year(&desk.0.state, 2024, None, d("2025-01-21"))
        .unwrap()
        .certificates
        .is_empty());
    // Nor can a hand-made certificate acknowledge a gift twice.
    let mut twice = one.clone();
    twice.number = no("2025-00003");
    assert_eq!(
        certificate_error(desk.issue("2025-01-21", &twice)),
        CertificateError::Acknowledged {
            receipt: receipt("b-1"),
            certificate: no("2024-00001")
        }
    );

    // A gift under a standing certificate cannot be corrected: void the certificate first.
    let a_dec = desk.sequence_of("a-dec");
    let corrected = Fact::FundsReceived {
        receipt: receipt("a-dec"),
        kind: FundKind::Donation,
        payer: Payer::Donor(donor("d-a")),
        amount: Yen::new(12_000),
        fiscal_year: d("2024-12-20").fiscal_year(),
        program: None,
        restricted: false,
    };
    let correct = || Command::Correct {
        stream: "receipt:a-dec".into(),
        target: a_dec,
        on: d("2024-12-20"),
        fact: corrected.clone(),
        reason: "振込額の読み違い".into(),
    };
    assert_eq!(
        certificate_error(desk.run(correct())),
        CertificateError::Acknowledged {
            receipt: receipt("a-dec"),
            certificate: no("2025-00001")
        }
    );
    let void = |number: &str| Fact::CertificateVoided {
        certificate: no(number),
        reason: "金額誤り".into(),
    };
    desk.record("2025-02-01", void("2025-00001")).unwrap();
    assert_eq!(
        certificate_error(desk.record("2025-02-02", void("2025-00001"))),
        CertificateError::AlreadyVoided(no("2025-00001"))
    );
    desk.run(correct()).unwrap();

    // Reissued: the same gifts as recorded now, replacing the voided one.
    let again = plan_reissue(
        &desk.0.state,
        no("2025-00001"),
        "金額訂正のため再発行",
        d("2025-02-03"),
    )
    .unwrap();
    assert_eq!((again.number, again.total), (no("2025-00003"), Yen::new(15_000)));
    assert_eq!(again.gifts[1].amount, Yen::new(12_000));
    desk.issue("2025-02-03", &again).unwrap();
    assert_eq!(
        plan_reissue(&desk.0.state, no("2025-00001"), "もう一度", d("2025-02-04")),
        Err(CertificateError::AlreadyReplaced {
            certificate: no("2025-00001"),
            by: no("2025-00003")
        })
    );

    // d-b moves: the standing certificate is reissued with the new details (revision 2),
    // which voids it from the same day.
    desk.ok(
        "2025-03-01",
        Fact::DonorDetailsRecorded {
            donor: donor("d-b"),
            revision: 2,
            seal: 22,
        },
    );
    let moved = plan_reissue(&desk.0.state, no("2025-00002"), "住所変更", d("2025-03-02")).unwrap();
    assert_eq!((moved.number, moved.details_revision), (no("2025-00004"), 2));
    desk.issue("2025-03-02", &moved).unwrap();
    let book = &desk.0.state.certificates;
    let replaced = book.issued[&no("2025-00002")].voided.as_ref().unwrap();
    assert_eq!(
        (replaced.on, replaced.replaced_by),
        (d("2025-03-02"), Some(no("2025-00004")))
    );
    assert_eq!(book.acknowledging[&receipt("b-2")], no("2025-00004"));
    // A replaced certificate is voided already.
    assert_eq!(
        certificate_error(desk.record("2025-03-03", void("2025-00002"))),
        CertificateError::AlreadyReplaced {
            certificate: no("2025-00002"),
            by: no("2025-00004")
        }
    );
    let standing: Vec<String> = desk
        .0
        .state
        .certificates
        .standing()
        .map(|i| i.certificate.number.to_string())
        .collect();
    assert_eq!(standing, ["2024-00001", "2025-00003", "2025-00004"]);

    // Calendar 2025 runs across fiscal 2024 (January to March) and fiscal 2025.
    let next = plan_year(&desk.0.state, 2025, Some(&donor("d-a")), d("2026-01-10")).unwrap();
    let c = &next.certificates[0];
    assert_eq!(
        (c.number, receipts(c), c.total),
        (no("2026-00001"), vec!["a-jan", "a-may"], Yen::new(9_000))
    );
    let years: Vec<i32> = c
        .gifts
        .iter()
        .map(|g| g.received_on.fiscal_year().year())
        .collect();
    assert_eq!(years, [2024, 2025]);
    // A donor named alone with nothing to acknowledge, or who cannot be addressed, is an error.
    assert_eq!(
        plan_year(&desk.0.state, 2025, Some(&donor("d-b")), d("2026-01-10")),
        Err(CertificateError::NothingToAcknowledge {
            donor: donor("d-b"),
            calendar_year: 2025
        })
    );
    assert_eq!(
        plan_year(&desk.0.state, 2024, Some(&donor("d-e")), d("2025-01-20")),
        Err(CertificateError::UseStopped(donor("d-e")))
    );

    // A certificate is never corrected or retracted.
    let retract = Command::Retract {
        stream: "certificate:2025-00003".into(),
        target: 1,
        reason: "誤り".into(),
    };
    assert_eq!(
        certificate_error(desk.run(retract)),
        CertificateError::NeverAmended
    );
}

#[test]
fn the_rules_refuse_a_certificate_that_is_not_as_recorded() {
    let mut desk = scenario();
    let gift = |id: &str, on: &str, amount: i64| AcknowledgedGift {
        receipt: receipt(id),
        received_on: d(on),
        amount: Yen::new(amount),
    };
    let base = Certificate {
        number: no("2025-00001"),
        donor: donor("d-a"),
        calendar_year: 2024,
        gifts: vec![gift("a-day", "2024-07-01", 3_000)],
        total: Yen::new(3_000),
        details_revision: 1,
        replaces: None,
    };
    let refused = |desk: &mut Desk, change: &dyn Fn(&mut Certificate)| {
        let mut c = base.clone();
        change(&mut c);
        certificate_error(desk.issue("2025-01-20", &c))
    };
    assert_eq!(
        refused(&mut desk, &|c| c.gifts =
            vec![gift("a-before", "2024-03-10", 1_000)]),
        CertificateError::NotCertified {
            receipt: receipt("a-before"),
            on: d("2024-03-10")
        }
    );
    assert_eq!(
        refused(&mut desk, &|c| c.total = Yen::new(3_001)),
        CertificateError::WrongTotal {
            stated: Yen::new(3_001),
            sum: Yen::new(3_000)
        }
    );
    assert_eq!(
        refused(&mut desk, &|c| c.gifts =
            vec![gift("a-dues", "2024-08-01", 5_000)]),
        CertificateError::NotTheDonorsGift(receipt("a-dues"))
    );
    assert_eq!(
        refused(&mut desk, &|c| c.gifts = vec![gift("b-2", "2024-11-11", 20_000)]),
        CertificateError::NotTheDonorsGift(receipt("b-2"))
    );
    assert_eq!(
        refused(&mut desk, &|c| c.gifts[0].amount = Yen::new(30_000)),
        CertificateError::GiftMismatch(receipt("a-day"))
    );
    assert_eq!(
        refused(&mut desk, &|c| c.gifts.push(c.gifts[0].clone())),
        CertificateError::DuplicateGift(receipt("a-day"))
    );
    assert_eq!(
        refused(&mut desk, &|c| c.calendar_year = 2025),
        CertificateError::OutsideYear {
            receipt: receipt("a-day"),
            on: d("2024-07-01"),
            calendar_year: 2025
        }
    );
    assert_eq!(
        refused(&mut desk, &|c| c.number = no("2024-00007")),
        CertificateError::WrongYear {
            number: no("2024-00007"),
            year: 2025
        }
    );
    assert_eq!(
        refused(&mut desk, &|c| c.details_revision = 2),
        CertificateError::StaleDetails {
            donor: donor("d-a"),
            current: 1,
            found: 2
        }
    );
    assert_eq!(
        refused(&mut desk, &|c| c.gifts.clear()),
        CertificateError::GiftCount
    );
    assert_eq!(
        refused(&mut desk, &|c| c.replaces =
            Some(domain::certificate::Replacement {
                certificate: no("2024-00009"),
                reason: "紛失".into()
            })),
        CertificateError::UnknownCertificate(no("2024-00009"))
    );
    // Issued before the gift was received.
    let early = Certificate {
        number: no("2024-00001"),
        ..base.clone()
    };
    assert_eq!(
        certificate_error(desk.issue("2024-06-30", &early)),
        CertificateError::AfterIssue {
            receipt: receipt("a-day"),
            on: d("2024-07-01")
        }
    );
    // Voiding a number never issued.
    assert_eq!(
        certificate_error(desk.record(
            "2025-01-20",
            Fact::CertificateVoided {
                certificate: no("2025-00042"),
                reason: "誤り".into()
            }
        )),
        CertificateError::UnknownCertificate(no("2025-00042"))
    );
    // The certificate as planned is accepted, and its messages read in Japanese too.
    desk.issue("2025-01-20", &base).unwrap();
    assert!(CertificateError::NotCertified {
        receipt: receipt("a-before"),
        on: d("2024-03-10")
    }
    .ja()
    .contains("認定"));
}
