//! The event store on both databases: append and read, the hash chain, optimistic concurrency,
//! gapless positions under concurrent writers, and cqrs-es running on top of it.

mod common;

use common::{Kind, TestDb, BOTH};
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{AggregateError, CqrsFramework};
use domain::chain::{ChainVerifier, GENESIS};
use domain::events::{Contract, Entry, Fact, LedgerEvent};
use domain::ids::{PartnerId, ProgramId};
use domain::partner::PartnerKind;
use domain::program::{Beneficiary, Pillar, SpiralStage};
use domain::{Command, DomainError, FiscalYear, LedgerState, Subject};
use server::ledger::{CommandError, Ledger};
use server::store::{AppendContext, EventLog, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

fn date(y: i32, m: u32, d: u32) -> domain::Date {
    domain::Date::from_ymd(y, m, d).unwrap()
}

fn ctx(actor: &str) -> AppendContext {
    AppendContext {
        command_id: None,
        actor: actor.into(),
        correlation_id: "test".into(),
        reason: None,
    }
}

fn register(id: &str) -> LedgerEvent {
    LedgerEvent {
        on: date(2001, 4, 1),
        entry: Entry::Fact(Fact::PartnerRegistered {
            partner: PartnerId::new(id).unwrap(),
            name: format!("部署 {id}"),
            kind: PartnerKind::Department,
            parent: None,
        }),
    }
}

fn rename(id: &str, name: &str) -> LedgerEvent {
    LedgerEvent {
        on: date(2005, 4, 1),
        entry: Entry::Fact(Fact::PartnerRenamed {
            partner: PartnerId::new(id).unwrap(),
            name: name.into(),
        }),
    }
}

fn launch_command(program: &str) -> Command {
    Command::record(
        date(2001, 4, 1),
        Fact::ProgramLaunched {
            program: ProgramId::new(program).unwrap(),
            name: "テスト事業".into(),
            pillar: Pillar::Collaboration,
            beneficiaries: vec![Beneficiary::DisabledPeople],
            stage: SpiralStage::PARTICIPATION,
        },
    )
}

fn award_command(program: &str, year: i32, commissioner: &str) -> Command {
    let fy = FiscalYear::new(year).unwrap();
    Command::record(
        fy.first_day(),
        Fact::ContractAwarded {
            program: ProgramId::new(program).unwrap(),
            contract: Contract {
                fiscal_year: fy,
                commissioners: vec![PartnerId::new(commissioner).unwrap()],
                scheme: None,
                amount: None,
            },
        },
    )
}

#[tokio::test]
async fn appended_events_read_back_in_order_with_a_chained_hash() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let log = EventLog::open(&db.url).await.unwrap();
        let positions = log
            .append("partner:a", 0, &[register("a")], &ctx("alice"))
            .await
            .unwrap();
        assert_eq!(positions, vec![1], "{kind:?}");
        let positions = log
            .append("partner:a", 1, &[rename("a", "新しい名前")], &ctx("bob"))
            .await
            .unwrap();
        assert_eq!(positions, vec![2], "{kind:?}");
        let positions = log
            .append("partner:b", 0, &[register("b")], &ctx("alice"))
            .await
            .unwrap();
        assert_eq!(positions, vec![3], "{kind:?}");

        let rows = log.rows_after(0, 100).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.position).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(rows.iter().map(|r| r.sequence).collect::<Vec<_>>(), vec![1, 2, 1]);
        let mut chain = ChainVerifier::new();
        for row in &rows {
            chain.push(row).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        }
        assert_ne!(chain.head(), GENESIS);
        assert_eq!(log.head().await.unwrap().hash, chain.head());

        let second = rows[1].decode().unwrap();
        assert_eq!(second.event, rename("a", "新しい名前"));
        assert_eq!(second.meta.actor, "bob");
        assert_eq!(second.meta.effective, date(2005, 4, 1));
        assert!(rows[0].decode().unwrap().meta.recorded_at <= second.meta.recorded_at);

        assert_eq!(log.rows_after(2, 100).await.unwrap().len(), 1);
        assert_eq!(log.stream_rows("partner:a", 1).await.unwrap().len(), 1);
        assert_eq!(log.count().await.unwrap(), 3);
    }
}

#[tokio::test]
async fn a_second_append_against_the_same_version_is_a_conflict_and_stores_nothing() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        // Two separate stores on one database: as two server processes would be.
        let first = EventLog::open(&db.url).await.unwrap();
        let second = EventLog::open(&db.url).await.unwrap();
        first
            .append("partner:a", 0, &[register("a")], &ctx("alice"))
            .await
            .unwrap();
        let err = second
            .append("partner:a", 0, &[register("a")], &ctx("bob"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    expected: 0,
                    found: 1,
                    ..
                }
            ),
            "{kind:?}: {err}"
        );
        assert_eq!(first.count().await.unwrap(), 1, "{kind:?}");
        assert_eq!(first.head().await.unwrap().position, 1);
    }
}

#[tokio::test]
async fn concurrent_writers_on_one_stream_get_exactly_one_winner_per_version() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let mut logs = Vec::new();
        for _ in 0..4 {
            logs.push(Arc::new(EventLog::open(&db.url).await.unwrap()));
        }
        logs[0]
            .append("partner:a", 0, &[register("a")], &ctx("setup"))
            .await
            .unwrap();
        // 16 writers all decided against version 1.
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let log = logs[i % logs.len()].clone();
                tokio::spawn(async move {
                    log.append("partner:a", 1, &[rename("a", &format!("名前{i}"))], &ctx("w"))
                        .await
                })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => won += 1,
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => panic!("{kind:?}: unexpected {e}"),
            }
        }
        assert_eq!(won, 1, "{kind:?}: exactly one writer stores");
        assert_eq!(logs[0].count().await.unwrap(), 2);
    }
}

#[tokio::test]
async fn sixteen_concurrent_commands_on_one_program_leave_a_gapless_readable_log() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let setup = Ledger::open(&db.url).await.unwrap();
        setup
            .execute(
                Command::record(date(2001, 4, 1), register("dept").fact().unwrap().clone()),
                "setup",
                None,
            )
            .await
            .unwrap();
        setup.execute(launch_command("p"), "setup", None).await.unwrap();
        // Separate ledgers (separate pools) so the database, not an in-process lock, serialises.
        let mut ledgers = Vec::new();
        for _ in 0..4 {
            ledgers.push(Arc::new(Ledger::open(&db.url).await.unwrap()));
        }
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let ledger = ledgers[i % ledgers.len()].clone();
                tokio::spawn(async move {
                    // A client retries on conflict, as the API tells it to.
                    let mut conflicts = 0;
                    loop {
                        match ledger
                            .execute(award_command("p", 2001 + i as i32, "dept"), "staff", None)
                            .await
                        {
                            Ok(outcome) => return (outcome, conflicts),
                            Err(CommandError::Conflict { .. }) => conflicts += 1,
                            Err(e) => panic!("unexpected {e}"),
                        }
                    }
                })
            })
            .collect();
        let mut positions = Vec::new();
        for t in tasks {
            let (outcome, _) = t.await.unwrap();
            positions.extend(outcome.positions);
        }
        positions.sort();
        assert_eq!(positions, (3..=18).collect::<Vec<u64>>(), "{kind:?}");

        let log = EventLog::open(&db.url).await.unwrap();
        let rows = log.rows_after(0, 1000).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.position).collect::<Vec<_>>(),
            (1..=18).collect::<Vec<u64>>()
        );
        let mut chain = ChainVerifier::new();
        let mut recorded = Vec::new();
        for row in &rows {
            chain.push(row).unwrap();
            recorded.push(row.decode().unwrap());
        }
        let state = LedgerState::replay(&recorded, domain::View::everything());
        let program = &state.programs[&ProgramId::new("p").unwrap()];
        assert_eq!(
            program.contract_years().len(),
            16,
            "{kind:?}: every contract readable"
        );
        assert_eq!(server::verify::verify(&log).await.unwrap().count, 18);
    }
}

#[tokio::test]
async fn a_rule_broken_through_the_ledger_stores_nothing() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let ledger = Ledger::open(&db.url).await.unwrap();
        let err = ledger
            .execute(award_command("ghost", 2001, "dept"), "staff", None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, CommandError::Rejected(DomainError::UnknownProgram(_))),
            "{kind:?}: {err}"
        );
        assert_eq!(ledger.log().count().await.unwrap(), 0);
        // An expected version that is out of date is a conflict, and stores nothing either.
        ledger
            .execute(
                Command::record(date(2001, 4, 1), register("dept").fact().unwrap().clone()),
                "staff",
                None,
            )
            .await
            .unwrap();
        let err = ledger
            .execute(launch_command("p"), "staff", Some(3))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                CommandError::Conflict {
                    expected: 3,
                    found: 0,
                    ..
                }
            ),
            "{kind:?}: {err}"
        );
        assert_eq!(ledger.log().count().await.unwrap(), 1);
    }
}

/// The directory cqrs-es hands the aggregate: the projection of the store's whole log.
struct Everything(LedgerState);

impl domain::directory::Directory for Everything {
    fn program(&self, id: &ProgramId) -> Option<domain::directory::ProgramInfo> {
        self.0.program(id)
    }
    fn partner(&self, id: &PartnerId) -> Option<domain::directory::PartnerInfo> {
        self.0.partner(id)
    }
    fn donor(&self, id: &domain::ids::DonorId) -> bool {
        self.0.donor(id)
    }
}

#[tokio::test]
async fn cqrs_es_runs_on_spirals_repository() {
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let db = TestDb::new(kind);
        let log = EventLog::open(&db.url).await.unwrap();
        let services: Arc<dyn domain::directory::Directory> = Arc::new(Everything(LedgerState::default()));
        let cqrs = CqrsFramework::new(
            PersistedEventStore::<EventLog, Subject>::new_event_store(log),
            vec![],
            services,
        );
        let metadata = HashMap::from([("actor".to_owned(), "carol".to_owned())]);
        cqrs.execute_with_metadata(
            "partner:a",
            Command::record(date(2001, 4, 1), register("a").fact().unwrap().clone()),
            metadata.clone(),
        )
        .await
        .unwrap();
        cqrs.execute_with_metadata(
            "partner:a",
            Command::record(date(2005, 4, 1), rename("a", "改名後").fact().unwrap().clone()),
            metadata.clone(),
        )
        .await
        .unwrap();
        let err = cqrs
            .execute_with_metadata(
                "partner:a",
                Command::record(date(2001, 4, 1), register("a").fact().unwrap().clone()),
                metadata,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                AggregateError::UserError(DomainError::AlreadyRecorded { .. })
            ),
            "{kind:?}: {err}"
        );

        let check = EventLog::open(&db.url).await.unwrap();
        let rows = check.rows_after(0, 10).await.unwrap();
        assert_eq!(rows.len(), 2, "{kind:?}");
        let renamed = rows[1].decode().unwrap();
        assert_eq!(renamed.meta.actor, "carol");
        assert_eq!(renamed.event, rename("a", "改名後"));
        assert_eq!(server::verify::verify(&check).await.unwrap().count, 2);
    }
}

#[tokio::test]
async fn a_reader_waiting_for_new_events_is_woken_by_each_commit() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let log = Arc::new(EventLog::open(&db.url).await.unwrap());
        let mut committed = log.subscribe();
        assert_eq!(*committed.borrow_and_update(), 0);
        let reader = tokio::spawn(async move {
            let mut seen = Vec::new();
            while seen.len() < 2 {
                committed.changed().await.unwrap();
                seen.push(*committed.borrow_and_update());
            }
            seen
        });
        log.append("partner:a", 0, &[register("a")], &ctx("alice"))
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        log.append("partner:b", 0, &[register("b")], &ctx("alice"))
            .await
            .unwrap();
        let seen = tokio::time::timeout(std::time::Duration::from_secs(10), reader)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seen, vec![1, 2], "{kind:?}");
        // A reader that saw position 1 reads exactly what came after it.
        let after = log.rows_after(1, 10).await.unwrap();
        assert_eq!(after.iter().map(|r| r.position).collect::<Vec<_>>(), vec![2]);
    }
}

#[tokio::test]
async fn concurrent_appends_share_commits_and_stay_gapless_and_chained() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let log = Arc::new(EventLog::open(&db.url).await.unwrap());
        // 40 writers on 40 streams through one store: they are committed in batches.
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let log = log.clone();
                tokio::spawn(async move {
                    log.append(
                        &format!("partner:p{i}"),
                        0,
                        &[register(&format!("p{i}"))],
                        &ctx("w"),
                    )
                    .await
                })
            })
            .collect();
        let mut positions = Vec::new();
        for t in tasks {
            positions.extend(t.await.unwrap().unwrap_or_else(|e| panic!("{kind:?}: {e}")));
        }
        positions.sort();
        assert_eq!(positions, (1..=40).collect::<Vec<u64>>(), "{kind:?}");
        let rows = log.rows_after(0, 100).await.unwrap();
        let mut chain = ChainVerifier::new();
        for row in &rows {
            chain.push(row).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        }
        assert_eq!(log.head().await.unwrap().hash, chain.head());
        // Each event landed in its own stream as sequence 1.
        assert!(rows.iter().all(|r| r.sequence == 1), "{kind:?}");
        let streams: std::collections::HashSet<&str> = rows.iter().map(|r| r.stream.as_str()).collect();
        assert_eq!(streams.len(), 40);
    }
}

#[tokio::test]
async fn a_guarded_append_goes_the_locked_way_when_another_process_moved_the_head() {
    fn with_id(actor: &str, key: &str) -> AppendContext {
        AppendContext {
            command_id: Some(server::store::CommandId {
                key: key.into(),
                digest: format!("digest-{key}"),
            }),
            ..ctx(actor)
        }
    }
    for kind in BOTH {
        let db = TestDb::new(kind);
        // Two stores on one database, as two server processes: each guards its appends with the
        // head its own last commit left, which the other's commits make stale.
        let first = EventLog::open(&db.url).await.unwrap();
        let second = EventLog::open(&db.url).await.unwrap();
        assert_eq!(
            first
                .append("partner:a", 0, &[register("a")], &ctx("x"))
                .await
                .unwrap(),
            [1]
        );
        assert_eq!(
            first
                .append("partner:b", 0, &[register("b")], &ctx("x"))
                .await
                .unwrap(),
            [2]
        );
        assert_eq!(
            second
                .append("partner:c", 0, &[register("c")], &ctx("y"))
                .await
                .unwrap(),
            [3]
        );
        // The first's head (2) is stale: its guard fails, nothing is half written, and the
        // locked way appends after the second's event.
        assert_eq!(
            first
                .append("partner:d", 0, &[register("d")], &ctx("x"))
                .await
                .unwrap(),
            [4]
        );
        // A stale head and a stream that moved: still a conflict, found at its real version.
        let err = second
            .append("partner:a", 0, &[register("a")], &ctx("y"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    expected: 0,
                    found: 1,
                    ..
                }
            ),
            "{kind:?}: {err}"
        );
        // A current head and a stream another process moved: the version guard refuses it.
        let err = first
            .append("partner:c", 0, &[register("c")], &ctx("x"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    expected: 0,
                    found: 1,
                    ..
                }
            ),
            "{kind:?}: {err}"
        );
        assert_eq!(
            first
                .append("partner:a", 1, &[rename("a", "改称")], &with_id("x", "k1"))
                .await
                .unwrap(),
            [5]
        );
        assert_eq!(
            second
                .append("partner:e", 0, &[register("e")], &with_id("y", "k2"))
                .await
                .unwrap(),
            [6]
        );
        assert_eq!(
            second
                .append("partner:f", 0, &[register("f")], &with_id("y", "k3"))
                .await
                .unwrap(),
            [7]
        );
        for (actor, key, stream, position) in [
            ("x", "k1", "partner:a", 5),
            ("y", "k2", "partner:e", 6),
            ("y", "k3", "partner:f", 7),
        ] {
            let stored = first.stored_command(actor, key).await.unwrap().unwrap();
            assert_eq!(stored.stream, stream, "{kind:?}");
            assert_eq!(stored.positions, vec![position], "{kind:?}");
            assert_eq!(stored.digest, format!("digest-{key}"));
        }
        let (first_guarded, _) = first.commits_by_way();
        let (second_guarded, _) = second.commits_by_way();
        assert!(
            first_guarded >= 2 && second_guarded >= 1,
            "{kind:?}: the guarded way was never taken"
        );

        let rows = first.rows_after(0, 100).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.position).collect::<Vec<_>>(),
            (1..=7).collect::<Vec<_>>()
        );
        let mut chain = ChainVerifier::new();
        for row in &rows {
            chain.push(row).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        }
        assert_eq!(first.head().await.unwrap().hash, chain.head(), "{kind:?}");
        assert_eq!(first.head().await.unwrap().position, 7);
    }
}

#[tokio::test]
async fn commands_decided_from_memory_still_see_what_another_process_stored() {
    let partner = |id: &str| Command::record(date(2001, 4, 1), register(id).fact().unwrap().clone());
    for kind in BOTH {
        let db = TestDb::new(kind);
        // Two ledgers on one database, as two server processes.
        let a = Ledger::open(&db.url).await.unwrap();
        let b = Ledger::open(&db.url).await.unwrap();
        // The first command reads the store; the next, each creating a subject, are decided
        // from memory.
        for id in ["d1", "d2", "d3"] {
            a.execute(partner(id), "staff", None).await.unwrap();
        }
        let (from_memory, _) = a.decided_by_way();
        assert!(
            from_memory >= 2,
            "{kind:?}: decided from memory {from_memory} times"
        );
        // The other process registers a partner and launches a program; `a` has read neither.
        b.execute(partner("x"), "staff", None).await.unwrap();
        b.execute(launch_command("p"), "staff", None).await.unwrap();
        // The same partner again is refused: `a`'s memory is not trusted once another process
        // has appended.
        let err = a.execute(partner("x"), "staff", None).await.unwrap_err();
        assert!(
            matches!(err, CommandError::Rejected(_) | CommandError::Conflict { .. }),
            "{kind:?}: {err}"
        );
        // A contract for the program `a` has not seen: refused by its memory, accepted once the
        // store is read.
        a.execute(award_command("p", 2001, "d1"), "staff", None)
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let before = a.decided_by_way().0;
        for id in ["d4", "d5"] {
            a.execute(partner(id), "staff", None).await.unwrap();
        }
        assert!(
            a.decided_by_way().0 > before,
            "{kind:?}: memory again once caught up"
        );

        let rows = a.log().rows_after(0, 100).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.position).collect::<Vec<_>>(),
            (1..=8).collect::<Vec<_>>()
        );
        let mut chain = ChainVerifier::new();
        for row in &rows {
            chain.push(row).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        }
        let x = partner("x").stream().unwrap();
        assert_eq!(rows.iter().filter(|r| r.stream == x).count(), 1, "{kind:?}");
        // What `a` took into memory from its own commits is what the store holds.
        let recorded: Vec<_> = rows.iter().map(|r| r.decode().unwrap()).collect();
        let replayed = LedgerState::replay(&recorded, domain::View::everything());
        a.read_state(|s| assert_eq!(s, &replayed, "{kind:?}"));
    }
}

#[tokio::test]
async fn a_guarded_append_that_fails_at_commit_is_reported_and_stores_nothing() {
    // PostgreSQL can refuse a transaction at its commit (a deferred constraint, a full NOTIFY
    // queue): the guarded append is one statement whose transaction commits after its one row
    // is sent, so it must read the reply to the end to see that.
    let db = TestDb::new(Kind::Postgres);
    let log = EventLog::open(&db.url).await.unwrap();
    log.append("partner:a", 0, &[register("a")], &ctx("x"))
        .await
        .unwrap();
    log.append("partner:b", 0, &[register("b")], &ctx("x"))
        .await
        .unwrap();
    db.sql(
        "CREATE FUNCTION refuse_at_commit() RETURNS trigger AS $$ \
         BEGIN RAISE EXCEPTION 'refused at commit'; END; $$ LANGUAGE plpgsql",
    )
    .await;
    db.sql(
        "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON events \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()",
    )
    .await;
    let (guarded_before, _) = log.commits_by_way();
    let err = log
        .append("partner:c", 0, &[register("c")], &ctx("x"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("refused at commit"), "{err}");
    assert_eq!(log.count().await.unwrap(), 2);
    assert_eq!(log.head().await.unwrap().position, 2);
    assert_eq!(log.commits_by_way().0, guarded_before, "no commit counted");
    db.sql("DROP TRIGGER refuse_at_commit ON events").await;
    assert_eq!(
        log.append("partner:c", 0, &[register("c")], &ctx("x"))
            .await
            .unwrap(),
        [3]
    );
    let rows = log.rows_after(0, 10).await.unwrap();
    let mut chain = ChainVerifier::new();
    for row in &rows {
        chain.push(row).unwrap();
    }
    assert_eq!(log.head().await.unwrap().hash, chain.head());
}
