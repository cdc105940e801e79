//! `spiral backup` while the server is writing, and `spiral restore` that accepts a backup only
//! once it proves itself: the chain, the checkpoints kept in it, and the last checkpoint the
//! server's key signed. A refused restore writes nothing.

mod common;

use common::http::post_json;
use common::people::{add_users, sign_in};
use common::server::{key_file, Server};
use common::{spiral, Kind, Run, TestDb};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `spiral --database-url sqlite:TARGET --key-file (db's key) restore FROM`.
fn restore(db: &TestDb, from: &Path, target: &Path) -> Run {
    let output = Command::new(common::spiral_bin())
        .arg("--database-url")
        .arg(format!("sqlite:{}", target.display()))
        .arg("--key-file")
        .arg(key_file(db))
        .arg("restore")
        .arg(from)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("spiral-backup-{}-{name}", uuid::Uuid::new_v4().simple()))
}

fn partner(id: &str) -> String {
    serde_json::json!({
        "command": { "Record": { "on": "2020-04-01", "fact": { "PartnerRegistered": {
            "partner": id, "name": "バックアップ課", "kind": "Department", "parent": null } } } }
    })
    .to_string()
}

/// The events a SQLite ledger file holds.
fn events_in(path: &Path) -> i64 {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let log = server::store::EventLog::open(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        let n = log.count().await.unwrap() as i64;
        log.close().await;
        n
    })
}

#[test]
fn a_backup_taken_while_writing_restores_and_a_bad_one_is_refused_without_a_trace() {
    let db = TestDb::new(Kind::Sqlite);
    add_users(&db);
    let server = Server::start(&db, true);
    let staff = sign_in(&server.addr, "staff-user");
    // A signed checkpoint kept in the ledger, which the backup must match.
    spiral(&db, &["checkpoint"]).ok();

    // Writers keep committing while the backup is taken.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (addr, staff) = (server.addr.clone(), staff.clone());
            std::thread::spawn(move || {
                for i in 0..15 {
                    let response = post_json(
                        &addr,
                        "/api/commands",
                        Some(&staff),
                        &partner(&format!("w{w}-{i}")),
                    );
                    assert_eq!(response.status, 200, "{}", response.text());
                }
            })
        })
        .collect();
    let backup = temp("during.db");
    let taken = spiral(&db, &["backup", backup.to_str().unwrap()]).ok();
    assert!(taken.stdout.contains("the copy verifies"), "{}", taken.stdout);
    for w in writers {
        w.join().unwrap();
    }
    let held = events_in(&backup);
    assert!(
        (133..=193).contains(&held),
        "a snapshot between start and end: {held}"
    );
    assert!(taken.stdout.contains(&format!("backed up {held} events")));
    // A backup never overwrites.
    let again = spiral(&db, &["backup", backup.to_str().unwrap()]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);

    // It restores into a new file, which then verifies and serves.
    let restored = temp("restored.db");
    let run = restore(&db, &backup, &restored).ok();
    assert!(
        run.stdout.contains(&format!("restored {held} events")),
        "{}",
        run.stdout
    );
    assert_eq!(events_in(&restored), held);
    // Never over a ledger that exists.
    let over = restore(&db, &backup, &restored);
    assert_eq!(over.code, 1);
    assert!(over.stderr.contains("exists already"), "{}", over.stderr);

    // An altered backup (one payload edited behind the application's back) is refused, naming
    // the position; nothing is left where the ledger would have gone.
    let altered = temp("altered.db");
    std::fs::copy(&backup, &altered).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let log = server::store::EventLog::open(&format!("sqlite:{}", altered.display()))
            .await
            .unwrap();
        sqlx::query("UPDATE events SET payload = payload || ' ' WHERE position = 50")
            .execute(log.pool())
            .await
            .unwrap();
        // Into the file itself, not only its WAL: the altered copy is the file alone.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(log.pool())
            .await
            .unwrap();
        log.close().await;
    });
    let target = temp("from-altered.db");
    let refused = restore(&db, &altered, &target);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(refused.stderr.contains("REFUSED"), "{}", refused.stderr);
    assert!(refused.stderr.contains("50"), "{}", refused.stderr);
    assert!(!target.exists());
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&target.file_name().unwrap().to_string_lossy().to_string())
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A backup older than the last checkpoint the key signed would lose events: refused.
    let more = post_json(
        &server.addr,
        "/api/commands",
        Some(&staff),
        &partner("after-backup"),
    );
    assert_eq!(more.status, 200);
    spiral(&db, &["checkpoint"]).ok();
    let stale = restore(&db, &backup, &temp("stale.db"));
    assert_eq!(stale.code, 1);
    assert!(
        stale.stderr.contains(&format!("would lose events {}", held + 1)),
        "{}",
        stale.stderr
    );
    for file in [&backup, &restored, &altered] {
        let _ = std::fs::remove_file(file);
    }
}

#[test]
fn on_postgresql_backup_and_restore_point_to_its_own_tools() {
    let db = TestDb::new(Kind::Postgres);
    spiral(&db, &["demo"]).ok();
    let run = spiral(&db, &["backup", temp("pg.db").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pg_dump"), "{}", run.stderr);
    let run = spiral(&db, &["restore", "whatever.db"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pg_restore"), "{}", run.stderr);
}
