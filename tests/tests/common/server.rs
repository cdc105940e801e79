//! `spiral serve` as a real process on an ephemeral port.
#![allow(dead_code)]

use super::{spiral_bin, TestDb};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Server {
    child: Child,
    pub addr: String,
}

/// The signing key file a test database's server uses (beside nothing else of the test's).
/// The test database's own donor vault key (beside its signing key).
pub fn vault_key_file(db: &TestDb) -> String {
    format!("{}.vault", key_file(db))
}

pub fn key_file(db: &TestDb) -> String {
    std::env::temp_dir()
        .join(format!("{}.key", db.url.replace(['/', ':', '@', '.'], "_")))
        .display()
        .to_string()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn start(db: &TestDb, demo: bool) -> Server {
        Self::start_with(db, demo, &[])
    }

    /// As [`Server::start`], with more `serve` options.
    pub fn start_with(db: &TestDb, demo: bool, extra: &[&str]) -> Server {
        Self::start_keyed(db, &key_file(db), demo, extra)
    }

    /// As [`Server::start_with`], signing with the key in `key` (another server's, say).
    pub fn start_keyed(db: &TestDb, key: &str, demo: bool, extra: &[&str]) -> Server {
        Self::spawn(db, key, demo, extra, &[])
    }

    /// As [`Server::start_with`], with variables added to the server's environment.
    pub fn start_with_env(db: &TestDb, demo: bool, extra: &[&str], env: &[(&str, &str)]) -> Server {
        Self::spawn(db, &key_file(db), demo, extra, env)
    }

    fn spawn(db: &TestDb, key: &str, demo: bool, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let key = key.to_owned();
        let vault_key = vault_key_file(db);
        let mut args = vec![
            "--database-url",
            &db.url,
            "--key-file",
            &key,
            "--vault-key-file",
            &vault_key,
            "serve",
            "--addr",
            "127.0.0.1:0",
        ];
        if demo {
            args.push("--demo");
        }
        args.extend_from_slice(extra);
        let mut child = Command::new(spiral_bin())
            .args(&args)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start spiral serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("Spiral is listening on http://")
            .and_then(|rest| rest.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Server { child, addr }
    }

    /// SIGKILL: no shutdown, no flushing, as a crash or `kill -9` would end it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
