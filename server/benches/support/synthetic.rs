//! A valid synthetic ledger for the benchmarks: departments, then programs that each hold a
//! launch and a contract a year, with a correct hash chain (shared by the `ledger` and `browser`
//! benchmarks).
#![allow(dead_code)]

use chrono::{Duration, TimeZone, Utc};
use domain::chain::{to_canonical, Row, GENESIS};
use domain::events::{Contract, Entry, Fact, LedgerEvent, EVENT_VERSION};
use domain::ids::{PartnerId, ProgramId};
use domain::partner::PartnerKind;
use domain::program::{Beneficiary, Pillar, SpiralStage};
use domain::{FiscalYear, Metadata, Yen};

pub const PARTNERS: usize = 100;
pub const EVENTS_PER_PROGRAM: usize = 100;

pub fn date(y: i32, m: u32, d: u32) -> domain::Date {
    domain::Date::from_ymd(y, m, d).unwrap()
}

pub fn partner_event(i: usize) -> LedgerEvent {
    LedgerEvent {
        on: date(1900, 4, 1),
        entry: Entry::Fact(Fact::PartnerRegistered {
            partner: PartnerId::new(format!("dept-{i}")).unwrap(),
            name: format!("部署{i}"),
            kind: PartnerKind::Department,
            parent: None,
        }),
    }
}

/// A valid synthetic ledger: departments, then programs that each hold a launch and a contract
/// a year (awarded, then renewed) — the shape of the seed, scaled up.
pub fn synthetic_rows(total: usize) -> Vec<Row> {
    let base = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut rows = Vec::with_capacity(total);
    let mut prev = GENESIS;
    let mut push = |stream: String, sequence: u64, event: LedgerEvent, rows: &mut Vec<Row>| {
        let position = rows.len() as u64 + 1;
        let meta = Metadata {
            actor: "bench".into(),
            correlation_id: "bench".into(),
            effective: event.on,
            reason: None,
            recorded_at: base + Duration::microseconds(position as i64),
        };
        let mut row = Row {
            position,
            stream,
            sequence,
            event_type: event.entry.type_name().into(),
            event_version: EVENT_VERSION.into(),
            payload: to_canonical(&event).unwrap(),
            metadata: to_canonical(&meta).unwrap(),
            hash: GENESIS,
        };
        row.hash = row.expected_hash(&prev);
        prev = row.hash;
        rows.push(row);
    };
    for i in 0..PARTNERS.min(total) {
        push(format!("partner:dept-{i}"), 1, partner_event(i), &mut rows);
    }
    let mut program = 0;
    while rows.len() < total {
        let id = ProgramId::new(format!("program-{program}")).unwrap();
        let stream = format!("program:{id}");
        let first = 1901;
        push(
            stream.clone(),
            1,
            LedgerEvent {
                on: FiscalYear::new(first).unwrap().first_day(),
                entry: Entry::Fact(Fact::ProgramLaunched {
                    program: id.clone(),
                    name: format!("事業{program}"),
                    pillar: Pillar::ALL[program % 3],
                    beneficiaries: vec![Beneficiary::DisabledPeople],
                    stage: SpiralStage::try_from((program % 9 + 1) as u8).unwrap(),
                }),
            },
            &mut rows,
        );
        for k in 1..EVENTS_PER_PROGRAM {
            if rows.len() >= total {
                break;
            }
            let fy = FiscalYear::new(first + k as i32 - 1).unwrap();
            let contract = Contract {
                fiscal_year: fy,
                commissioners: vec![PartnerId::new(format!("dept-{}", program % PARTNERS)).unwrap()],
                scheme: None,
                amount: Some(Yen::new(1_000_000)),
            };
            let fact = if k == 1 {
                Fact::ContractAwarded {
                    program: id.clone(),
                    contract,
                }
            } else {
                Fact::ContractRenewed {
                    program: id.clone(),
                    contract,
                }
            };
            push(
                stream.clone(),
                k as u64 + 1,
                LedgerEvent::new(fy.first_day(), fact),
                &mut rows,
            );
        }
        program += 1;
    }
    rows
}
