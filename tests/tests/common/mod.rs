//! Shared test harness: a fresh database per test (a SQLite file or a PostgreSQL database of its
//! own), and the `spiral` entry point run as a real process.
#![allow(dead_code)]

pub mod http;
pub mod people;
pub mod server;

use std::path::PathBuf;
use std::process::{Command, Output};

/// The PostgreSQL server tests create their databases on. CI and developers have one running on
/// 127.0.0.1:5432 with trust authentication.
pub fn pg_admin_url() -> String {
    std::env::var("SPIRAL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

pub const BOTH: [Kind; 2] = [Kind::Sqlite, Kind::Postgres];

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub kind: Kind,
    pub url: String,
    name: String,
    path: Option<PathBuf>,
}

fn admin<T: Send + 'static>(f: impl FnOnce(String) -> T + Send + 'static) -> T {
    // A thread of its own, so this works inside and outside a tokio runtime (and in Drop).
    std::thread::spawn(move || f(pg_admin_url()))
        .join()
        .expect("admin thread")
}

fn run_admin_sql(sql: String) {
    admin(move |url| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url)
                .await
                .expect("connect to the PostgreSQL test server");
            sqlx::query(&sql)
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            pool.close().await;
        })
    })
}

impl TestDb {
    pub fn new(kind: Kind) -> Self {
        let name = format!("spiral_test_{}", uuid::Uuid::new_v4().simple());
        match kind {
            Kind::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                TestDb {
                    kind,
                    url: format!("sqlite:{}", path.display()),
                    name,
                    path: Some(path),
                }
            }
            Kind::Postgres => {
                run_admin_sql(format!("CREATE DATABASE {name}"));
                let admin_url = pg_admin_url();
                let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
                TestDb {
                    kind,
                    url: format!("{base}/{name}"),
                    name,
                    path: None,
                }
            }
        }
    }

    /// Runs SQL directly against the database, behind the application's back.
    pub async fn sql(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.url).await.expect("connect");
        sqlx::query(sql)
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        pool.close().await;
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let key = server::key_file(self);
        let _ = std::fs::remove_file(format!("{key}.last-checkpoint"));
        let _ = std::fs::remove_file(server::vault_key_file(self));
        let _ = std::fs::remove_file(key);
        match &self.path {
            Some(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            None => run_admin_sql(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)),
        }
    }
}

/// What a `spiral` process printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "spiral failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn spiral_bin() -> &'static str {
    env!("CARGO_BIN_EXE_spiral-e2e")
}

/// Runs `spiral --database-url URL --key-file KEY ARGS…` to completion, with the test
/// database's own signing key (a key, and the checkpoints it signed, belong to one ledger).
pub fn spiral(db: &TestDb, args: &[&str]) -> Run {
    spiral_env(db, args, &[])
}

/// As [`spiral`], with variables added to the process's environment.
pub fn spiral_env(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(spiral_bin())
        .arg("--database-url")
        .arg(&db.url)
        .arg("--key-file")
        .arg(server::key_file(db))
        .arg("--vault-key-file")
        .arg(server::vault_key_file(db))
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run spiral");
    Run::from(output)
}

/// Runs `spiral --database-url URL ARGS…` with `input` on stdin.
pub fn spiral_with_input(db: &TestDb, args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = Command::new(spiral_bin())
        .arg("--database-url")
        .arg(&db.url)
        .arg("--key-file")
        .arg(server::key_file(db))
        .arg("--vault-key-file")
        .arg(server::vault_key_file(db))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run spiral");
    // The process may refuse its arguments before reading stdin: a closed pipe is fine then.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    Run::from(child.wait_with_output().expect("wait for spiral"))
}

pub fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("spiral-{}-{name}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, contents).expect("write temp file");
    path
}
