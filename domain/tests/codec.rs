//! Every fact, stored event and command survives both encodings Spiral uses: JSON (the store's
//! payload and the HTTP API) and postcard (the compact binary form). A fact that does not come
//! back equal would be silently altered history.

use chrono::{DateTime, Utc};
use domain::events::{Contract, Entry, Gathering, Participation, FACTS_BEFORE_AMENDMENTS, FACT_VARIANTS};
use domain::funds::{FundKind, Payer};
use domain::ids::{ActivityId, DonorId, HouseholdId, PartnerId, ProgramId, ReceiptId};
use domain::partner::{PartnerKind, Sector};
use domain::program::{Beneficiary, Pillar, SpiralStage};
use domain::{Command, Date, Fact, FiscalYear, LedgerEvent, Metadata, Recorded, Yen};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Debug;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn fy(year: i32) -> FiscalYear {
    FiscalYear::new(year).unwrap()
}

fn program(id: &str) -> ProgramId {
    ProgramId::new(id).unwrap()
}

fn partner(id: &str) -> PartnerId {
    PartnerId::new(id).unwrap()
}

fn activity(id: &str) -> ActivityId {
    ActivityId::new(id).unwrap()
}

fn gathering(id: &str) -> Gathering {
    Gathering {
        activity: activity(id),
        title: "NPO・議会・行政の円卓会議".into(),
        program: Some(program("job-coach")),
        participants: vec![
            Participation {
                sector: Sector::Npo,
                count: 6,
            },
            Participation {
                sector: Sector::Assembly,
                count: 2,
            },
            Participation {
                sector: Sector::PeopleConcerned,
                count: 11,
            },
        ],
    }
}

fn contract() -> Contract {
    Contract {
        fiscal_year: fy(2006),
        commissioners: vec![
            partner("hamamatsu-labour"),
            partner("hamamatsu-disability-welfare"),
        ],
        scheme: Some("17年度市民協働 たねからみのり".into()),
        amount: Some(Yen::new(1_980_000)),
    }
}

/// Which variant an entry is, by its stored tag. No wildcard arm: a new `Fact` variant stops this file compiling
/// until it is added here, to `FACT_VARIANTS` and to `every_fact`.
fn variant_index(entry: &Entry) -> usize {
    match entry {
        Entry::Fact(Fact::ProgramLaunched { .. }) => 0,
        Entry::Fact(Fact::ProgramSpunOff { .. }) => 1,
        Entry::Fact(Fact::ProgramConcluded { .. }) => 2,
        Entry::Fact(Fact::ContractAwarded { .. }) => 3,
        Entry::Fact(Fact::ContractRenewed { .. }) => 4,
        Entry::Fact(Fact::PartnerRegistered { .. }) => 5,
        Entry::Fact(Fact::PartnerRenamed { .. }) => 6,
        Entry::Fact(Fact::PartnerMerged { .. }) => 7,
        Entry::Fact(Fact::RoundtableHeld(_)) => 8,
        Entry::Fact(Fact::WorkingGroupFormed(_)) => 9,
        Entry::Fact(Fact::StakeholderCouncilHeld(_)) => 10,
        Entry::Fact(Fact::NeedsSurveyConducted(_)) => 11,
        Entry::Fact(Fact::CommercialisationCommitteeFormed(_)) => 12,
        Entry::Fact(Fact::CivicGroupConsulted { .. }) => 13,
        Entry::Fact(Fact::PolicyProposed { .. }) => 14,
        Entry::Fact(Fact::PolicyAdopted { .. }) => 15,
        Entry::Fact(Fact::FundsReceived { .. }) => 16,
        Entry::Fact(Fact::FundsSpent { .. }) => 17,
        Entry::Fact(Fact::DonorRegistered { .. }) => 18,
        Entry::Corrected { .. } => 19,
        Entry::Retracted { .. } => 20,
        Entry::Fact(Fact::DonorDetailsRecorded { .. }) => 21,
        Entry::Fact(Fact::DonorErasureRequested { .. }) => 22,
        Entry::Fact(Fact::DonorDetailsErased { .. }) => 23,
        Entry::Fact(Fact::OrganisationProfiled(_)) => 24,
        Entry::Fact(Fact::CertificateIssued(_)) => 25,
        Entry::Fact(Fact::CertificateVoided { .. }) => 26,
    }
}

const ENTRY_VARIANTS: usize = 27;

/// One event of every kind of fact, with the optional parts filled in so they are exercised.
fn every_fact() -> Vec<LedgerEvent> {
    let facts = vec![
        (
            d(2001, 4, 1),
            Fact::ProgramLaunched {
                program: program("pc-course-west"),
                name: "西部地域障害児(者)就労支援パソコン講座".into(),
                pillar: Pillar::Collaboration,
                beneficiaries: vec![Beneficiary::DisabledPeople, Beneficiary::Children],
                stage: SpiralStage::PARTICIPATION,
            },
        ),
        (
            d(2006, 4, 1),
            Fact::ProgramSpunOff {
                program: program("pocket-kobo"),
                parent: program("pc-course-west"),
                name: "バーチャル工房支援事業 <ぽけっと工房>".into(),
                pillar: Pillar::SelfInitiated,
                beneficiaries: vec![Beneficiary::DisabledPeople],
                stage: SpiralStage::PIONEERING,
            },
        ),
        (
            d(2006, 3, 31),
            Fact::ProgramConcluded {
                program: program("pc-course-west"),
            },
        ),
        (
            d(2006, 4, 1),
            Fact::ContractAwarded {
                program: program("enoshima-consultations"),
                contract: contract(),
            },
        ),
        (
            d(2007, 4, 1),
            Fact::ContractRenewed {
                program: program("enoshima-consultations"),
                contract: Contract {
                    fiscal_year: fy(2007),
                    scheme: None,
                    amount: None,
                    ..contract()
                },
            },
        ),
        (
            d(2001, 4, 1),
            Fact::PartnerRegistered {
                partner: partner("shizuoka-disability-plan"),
                name: "静岡県民生部障害者プラン推進室".into(),
                kind: PartnerKind::Department,
                parent: Some(partner("shizuoka-pref")),
            },
        ),
        (
            d(2014, 4, 1),
            Fact::PartnerRenamed {
                partner: partner("shizuoka-disability-plan"),
                name: "静岡県健康福祉部障害者支援局障害者政策課".into(),
            },
        ),
        (
            d(2015, 4, 1),
            Fact::PartnerMerged {
                partner: partner("shizuoka-welfare"),
                successor: partner("shizuoka-health"),
            },
        ),
        (d(2008, 7, 10), Fact::RoundtableHeld(gathering("roundtable-2008"))),
        (d(2008, 9, 1), Fact::WorkingGroupFormed(gathering("wg-2008"))),
        (
            d(2008, 10, 1),
            Fact::StakeholderCouncilHeld(Gathering {
                program: None,
                ..gathering("council-2008")
            }),
        ),
        (
            d(2008, 11, 1),
            Fact::NeedsSurveyConducted(Gathering {
                participants: vec![],
                ..gathering("survey-2008")
            }),
        ),
        (
            d(2009, 1, 15),
            Fact::CommercialisationCommitteeFormed(gathering("committee-2009")),
        ),
        (
            d(2009, 2, 3),
            Fact::CivicGroupConsulted {
                activity: activity("consult-2009-02"),
                group: partner("hamamatsu-parents-group"),
                topic: "NPO法人設立の相談".into(),
                program: None,
            },
        ),
        (
            d(2009, 3, 1),
            Fact::PolicyProposed {
                activity: activity("proposal-2009"),
                title: "ジョブコーチ派遣の県単独事業化".into(),
                addressed_to: vec![partner("shizuoka-pref"), partner("shizuoka-assembly")],
                program: Some(program("job-coach")),
            },
        ),
        (
            d(2010, 4, 1),
            Fact::PolicyAdopted {
                activity: activity("proposal-2009"),
                by: partner("shizuoka-pref"),
            },
        ),
        (
            d(2010, 5, 20),
            Fact::FundsReceived {
                receipt: ReceiptId::new("r-2010-0042").unwrap(),
                kind: FundKind::Donation,
                payer: Payer::Donor(DonorId::new("donor-0017").unwrap()),
                amount: Yen::new(3_000),
                fiscal_year: fy(2010),
                program: None,
                restricted: false,
            },
        ),
        (
            d(2011, 3, 31),
            Fact::FundsSpent {
                receipt: ReceiptId::new("r-2010-0043").unwrap(),
                fiscal_year: fy(2010),
                amount: Yen::new(250_000),
            },
        ),
        (
            d(2010, 4, 1),
            Fact::DonorRegistered {
                donor: DonorId::new("donor-0017").unwrap(),
                household: Some(HouseholdId::new("household-0005").unwrap()),
                officer: false,
                certified_npo: true,
                identified: true,
            },
        ),
        (
            d(2024, 5, 1),
            Fact::DonorDetailsRecorded {
                donor: DonorId::new("donor-0017").unwrap(),
                revision: 2,
                seal: (1 << 53) - 1,
            },
        ),
        (
            d(2025, 1, 6),
            Fact::DonorErasureRequested {
                donor: DonorId::new("donor-0017").unwrap(),
                by: domain::personal::Requester::Agent,
            },
        ),
        (
            d(2031, 7, 1),
            Fact::DonorDetailsErased {
                donor: DonorId::new("donor-0017").unwrap(),
            },
        ),
        (
            d(2021, 6, 15),
            Fact::OrganisationProfiled(domain::events::OrganisationProfile {
                name: "特定非営利活動法人ひかり市民活動ネットワーク".into(),
                address: "ひかり県みなと市港町4-5-6".into(),
                certification: Some(domain::events::Certification {
                    number: "ひかり県指令市第21-15号".into(),
                    certified_on: d(2021, 6, 15),
                }),
            }),
        ),
        (
            d(2026, 1, 20),
            Fact::CertificateIssued(domain::certificate::Certificate {
                number: "2026-00002".parse().unwrap(),
                donor: DonorId::new("donor-0017").unwrap(),
                calendar_year: 2025,
                gifts: vec![domain::certificate::AcknowledgedGift {
                    receipt: ReceiptId::new("g-2025-0017").unwrap(),
                    received_on: d(2025, 12, 24),
                    amount: Yen::new(30_000),
                }],
                total: Yen::new(30_000),
                details_revision: 2,
                replaces: Some(domain::certificate::Replacement {
                    certificate: "2026-00001".parse().unwrap(),
                    reason: "住所変更".into(),
                }),
            }),
        ),
        (
            d(2026, 2, 1),
            Fact::CertificateVoided {
                certificate: "2026-00002".parse().unwrap(),
                reason: "二重発行".into(),
            },
        ),
    ];
    let amendments = vec![
        (
            // Not one the rules allow, but the encoding must hold it: a fact added after the
            // amendments keeps its stored tag inside a correction too.
            d(2025, 1, 7),
            Entry::Corrected {
                target: 2,
                fact: Box::new(Fact::DonorErasureRequested {
                    donor: DonorId::new("donor-0017").unwrap(),
                    by: domain::personal::Requester::Donor,
                }),
                reason: "依頼者の入力誤り".into(),
            },
        ),
        (
            d(2007, 4, 1),
            Entry::Corrected {
                target: 3,
                fact: Box::new(Fact::ContractAwarded {
                    program: program("job-coach"),
                    contract: contract(),
                }),
                reason: "年度の入力誤り".into(),
            },
        ),
        (
            d(2007, 4, 1),
            Entry::Retracted {
                target: 4,
                reason: "二重登録".into(),
            },
        ),
    ];
    facts
        .into_iter()
        .map(|(on, fact)| LedgerEvent::new(on, fact))
        .chain(
            amendments
                .into_iter()
                .map(|(on, entry)| LedgerEvent { on, entry }),
        )
        .collect()
}

fn via_json<T: Serialize + DeserializeOwned>(value: &T) -> T {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

fn via_postcard<T: Serialize + DeserializeOwned>(value: &T) -> T {
    postcard::from_bytes(&postcard::to_allocvec(value).unwrap()).unwrap()
}

fn assert_round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    assert_eq!(&via_json(value), value, "JSON round trip changed the value");
    assert_eq!(
        &via_postcard(value),
        value,
        "postcard round trip changed the value"
    );
}

#[test]
fn every_fact_covers_every_variant() {
    let covered: BTreeSet<usize> = every_fact().iter().map(|e| variant_index(&e.entry)).collect();
    assert_eq!(
        covered,
        (0..ENTRY_VARIANTS).collect(),
        "every_fact needs one event of each Fact variant"
    );
}

#[test]
fn every_fact_round_trips_through_json_and_postcard() {
    for event in every_fact() {
        assert_round_trips(&event);
    }
}

#[test]
fn a_facts_json_tag_is_its_stored_type_name() {
    // The store keeps `event_type` beside the payload; the two must never disagree.
    for event in every_fact() {
        let json = serde_json::to_value(&event).unwrap();
        let tagged = json["fact"]
            .as_object()
            .expect("a fact is an externally tagged object");
        assert_eq!(tagged.keys().collect::<Vec<_>>(), vec![event.entry.type_name()]);
        #[cfg(feature = "aggregate")]
        assert_eq!(cqrs_es::DomainEvent::event_type(&event), event.entry.type_name());
    }
}

#[test]
fn every_payer_round_trips() {
    for payer in [
        Payer::Partner(partner("toyota-foundation")),
        Payer::Donor(DonorId::new("donor-1").unwrap()),
        Payer::Anonymous,
    ] {
        let event = LedgerEvent::new(
            d(2012, 6, 1),
            Fact::FundsReceived {
                receipt: ReceiptId::new("r-1").unwrap(),
                kind: FundKind::Grant,
                payer,
                amount: Yen::new(i64::MAX),
                fiscal_year: fy(2012),
                program: Some(program("job-coach")),
                restricted: true,
            },
        );
        assert_round_trips(&event);
    }
}

#[test]
fn values_keep_their_plain_json_form() {
    // Ids, years, stages and money are transparent: what an auditor reads in the store.
    let event = &every_fact()[0];
    let json = serde_json::to_value(event).unwrap();
    assert_eq!(json["on"], "2001-04-01");
    assert_eq!(json["fact"]["ProgramLaunched"]["program"], "pc-course-west");
    assert_eq!(json["fact"]["ProgramLaunched"]["stage"], 1);
    let receipt = serde_json::to_value(&every_fact()[16]).unwrap();
    assert_eq!(receipt["fact"]["FundsReceived"]["amount"], 3000);
    assert_eq!(receipt["fact"]["FundsReceived"]["fiscal_year"], 2010);
}

#[test]
fn a_stage_outside_one_to_nine_is_refused_when_decoded() {
    let mut json = serde_json::to_value(&every_fact()[0]).unwrap();
    json["fact"]["ProgramLaunched"]["stage"] = 10.into();
    assert!(serde_json::from_value::<LedgerEvent>(json).is_err());
}

fn recorded(position: u64, event: LedgerEvent) -> Recorded {
    let recorded_at: DateTime<Utc> = "2024-05-01T09:30:15.123456Z".parse().unwrap();
    Recorded {
        position,
        stream: event
            .fact()
            .map(|f| f.subject().stream())
            .unwrap_or_else(|| "program:job-coach".into()),
        sequence: position + 1,
        meta: Metadata {
            actor: "staff:suzuki".into(),
            correlation_id: "c0ffee00-0000-4000-8000-000000000001".into(),
            effective: event.on,
            reason: Some("seed: N-Pocket「事業の進め方」; date illustrative".into()),
            recorded_at: recorded_at + chrono::Duration::seconds(position as i64),
        },
        event,
    }
}

#[test]
fn a_recorded_event_with_its_metadata_round_trips() {
    for (i, event) in every_fact().into_iter().enumerate() {
        let rec = recorded(i as u64 + 1, event);
        assert_round_trips(&rec);
        // The store keeps payload and metadata as separate JSON texts; each decodes alone.
        assert_eq!(via_json(&rec.meta), rec.meta);
        assert_eq!(via_postcard(&rec.meta), rec.meta);
    }
    // No note, and a recorded time with no sub-second part.
    let mut bare = recorded(1, every_fact().remove(0));
    bare.meta.reason = None;
    bare.meta.recorded_at = "2001-04-01T00:00:00Z".parse().unwrap();
    assert_round_trips(&bare);
}

#[test]
fn a_row_in_canonical_json_decodes_to_the_recorded_event() {
    // How the store holds an event: canonical JSON texts for payload and metadata.
    let rec = recorded(7, every_fact().remove(3));
    let payload = domain::chain::to_canonical(&rec.event).unwrap();
    let metadata = domain::chain::to_canonical(&rec.meta).unwrap();
    let row = domain::chain::Row {
        position: rec.position,
        stream: rec.stream.clone(),
        sequence: rec.sequence,
        event_type: rec.event.entry.type_name().into(),
        event_version: domain::events::EVENT_VERSION.into(),
        payload,
        metadata,
        hash: domain::chain::GENESIS,
    };
    assert_eq!(row.decode().unwrap(), rec);
}

/// No wildcard: a new `Command` variant breaks this until `every_command` covers it.
fn command_index(command: &Command) -> usize {
    match command {
        Command::Record { .. } => 0,
        Command::Correct { .. } => 1,
        Command::Retract { .. } => 2,
    }
}

fn every_command() -> Vec<Command> {
    let mut commands: Vec<Command> = every_fact()
        .into_iter()
        .filter_map(|e| match e.entry {
            Entry::Fact(fact) => Some(Command::Record {
                on: e.on,
                fact,
                note: Some("date illustrative".into()),
            }),
            _ => None,
        })
        .collect();
    commands.push(Command::record(
        d(2001, 4, 1),
        every_fact().remove(0).fact().unwrap().clone(),
    ));
    commands.push(Command::Correct {
        stream: "program:enoshima-consultations".into(),
        target: 2,
        on: d(2006, 4, 1),
        fact: every_fact().remove(3).fact().unwrap().clone(),
        reason: "委託元の入力漏れ".into(),
    });
    commands.push(Command::Retract {
        stream: "activity:proposal-2009".into(),
        target: 2,
        reason: "採択は翌年度".into(),
    });
    commands
}

#[test]
fn every_command_round_trips_through_json() {
    let commands = every_command();
    let covered: BTreeSet<usize> = commands.iter().map(command_index).collect();
    assert_eq!(covered.len(), 3, "every_command needs each Command variant");
    for command in commands {
        let json = serde_json::to_string(&command).unwrap();
        let back: Command = serde_json::from_str(&json).unwrap();
        assert_eq!(back, command, "{json}");
    }
}

#[test]
fn entry_tags_follow_the_facts() {
    // A fact's postcard tag is its place in FACT_VARIANTS, the two amendments come after the
    // first 19, and the facts added since after them: the encoding the ledger (and the
    // browser's replay) has always used, so no stored event's bytes (or hash) ever change.
    for event in every_fact() {
        let bytes = postcard::to_allocvec(&event.entry).unwrap();
        let tag = variant_index(&event.entry);
        assert_eq!(bytes[0] as usize, tag, "{}", event.entry.type_name());
        if let Some(fact) = event.fact() {
            let declared = if tag < FACTS_BEFORE_AMENDMENTS {
                tag
            } else {
                tag - 2
            };
            assert_eq!(FACT_VARIANTS[declared], fact.type_name());
            // A fact alone (as in a command) and a fact as an entry are the same bytes.
            assert_eq!(postcard::to_allocvec(fact).unwrap(), bytes);
        }
    }
}

#[test]
fn stored_amendments_keep_their_json_form() {
    // Byte for byte what the store has held since the first version: hashes cover this text.
    let corrected = r#"{"fact":{"Corrected":{"fact":{"ProgramConcluded":{"program":"kobo"}},"reason":"日付の誤り","target":2}},"on":"2007-04-01"}"#;
    let retracted = r#"{"fact":{"Retracted":{"reason":"二重登録","target":3}},"on":"2007-04-01"}"#;
    for text in [corrected, retracted] {
        let event: LedgerEvent = serde_json::from_str(text).unwrap();
        assert!(event.entry.is_amendment());
        assert_eq!(domain::chain::to_canonical(&event).unwrap(), text);
    }
}

#[test]
fn corrections_cannot_nest_in_any_encoding() {
    // JSON: a correction whose fact is itself a correction names the variant it does not know.
    let nested = r#"{"on":"2007-04-01","fact":{"Corrected":{"target":2,"reason":"x","fact":{"Retracted":{"target":1,"reason":"y"}}}}}"#;
    let err = serde_json::from_str::<LedgerEvent>(nested).unwrap_err();
    assert!(err.to_string().contains("unknown variant `Retracted`"), "{err}");
    let record = r#"{"Record":{"on":"2007-04-01","note":null,"fact":{"Corrected":{"target":2,"reason":"x","fact":{"ProgramConcluded":{"program":"kobo"}}}}}}"#;
    assert!(serde_json::from_str::<Command>(record).is_err());

    // Postcard, 20,000 corrections deep (the attack that once overflowed the server's stack): the
    // decoder stops at the second level, with an error and no recursion.
    let mut bytes = postcard::to_allocvec(&d(2007, 4, 1)).unwrap();
    for _ in 0..20_000 {
        bytes.push(19); // Corrected
        bytes.push(2); // target
    }
    assert!(postcard::from_bytes::<LedgerEvent>(&bytes).is_err());
    // One level is a correction as stored, and decodes.
    let mut one = postcard::to_allocvec(&d(2007, 4, 1)).unwrap();
    one.extend([19, 2, 2]); // Corrected, target 2, ProgramConcluded
    one.extend(postcard::to_allocvec(&"kobo").unwrap());
    one.extend(postcard::to_allocvec(&"x").unwrap());
    assert!(postcard::from_bytes::<LedgerEvent>(&one)
        .unwrap()
        .entry
        .is_amendment());
    let mut command = vec![1u8]; // Command::Correct
    command.extend(postcard::to_allocvec(&"program:kobo").unwrap());
    command.push(2); // target
    command.extend(postcard::to_allocvec(&d(2007, 4, 1)).unwrap());
    for _ in 0..20_000 {
        command.extend([19, 2]);
    }
    assert!(postcard::from_bytes::<Command>(&command).is_err());
}

#[test]
fn impossible_dates_and_years_do_not_decode() {
    let fact = r#"{"ProgramLaunched":{"program":"p","name":"n","pillar":"Collaboration","beneficiaries":[],"stage":1}}"#;
    for on in ["1800-05-01", "0218-05-01", "9999-05-01"] {
        let text = format!(r#"{{"on":"{on}","fact":{fact}}}"#);
        let err = serde_json::from_str::<LedgerEvent>(&text).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{on}: {err}");
    }
    let contract = r#"{"ContractAwarded":{"program":"p","contract":{"fiscal_year":1800,"commissioners":["c"],"scheme":null,"amount":null}}}"#;
    let err = serde_json::from_str::<Fact>(contract).unwrap_err();
    assert!(
        err.to_string().contains("fiscal year 1800 is out of range"),
        "{err}"
    );
}
