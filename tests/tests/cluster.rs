//! Several servers, one truth: `scripts/cluster.sh` starts three `spiral serve` processes on one
//! PostgreSQL database behind HAProxy, and everything a person does through the one address
//! works whichever instance answers, including after one of them is killed.

mod common;

use common::http::{get, post_json, EventStream};
use common::people::{add_users, sign_in};
use common::{spiral_bin, Kind, TestDb};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The cluster script as a process group of its own, stopped (with everything it started) when
/// dropped.
struct Cluster {
    script: Child,
    addr: String,
    dir: PathBuf,
}

impl Cluster {
    fn start(db: &TestDb, instances: usize) -> Cluster {
        use std::os::unix::process::CommandExt;
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let dir = std::env::temp_dir().join(format!("spiral-cluster-test-{port}"));
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/cluster.sh");
        let mut child = Command::new("bash")
            .args([script, &instances.to_string(), &port.to_string(), "--demo"])
            .env("SPIRAL_BIN", spiral_bin())
            .env("SPIRAL_DATABASE_URL", &db.url)
            .env("SPIRAL_CLUSTER_DIR", &dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .expect("start scripts/cluster.sh");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the cluster script ended before it was ready")
                .unwrap();
            if let Some(rest) = line.strip_prefix("Spiral cluster: http://") {
                break rest.split('/').next().unwrap().to_owned();
            }
        };
        // Keep reading its output so the script never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Cluster {
            script: child,
            addr,
            dir,
        }
    }

    /// The address instance `i` (1-based) listens on, behind HAProxy.
    fn instance(&self, i: usize) -> String {
        let log = std::fs::read_to_string(self.dir.join(format!("spiral-{i}.log"))).unwrap();
        log.lines()
            .find_map(|l| l.strip_prefix("Spiral is listening on http://"))
            .and_then(|rest| rest.strip_suffix('/'))
            .expect("the instance's address in its log")
            .to_owned()
    }

    /// SIGKILL to one instance, as a crash would end it.
    fn kill_instance(&self, i: usize) {
        let pid = std::fs::read_to_string(self.dir.join(format!("spiral-{i}.pid"))).unwrap();
        let status = Command::new("kill").args(["-KILL", pid.trim()]).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let group = format!("-{}", self.script.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.script.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Which instances answered `n` requests for `path`, and their statuses.
fn spread(addr: &str, path: &str, cookie: &str, n: usize) -> (BTreeSet<String>, Vec<u16>) {
    let mut instances = BTreeSet::new();
    let mut statuses = Vec::new();
    for _ in 0..n {
        let response = get(addr, path, Some(cookie));
        statuses.push(response.status);
        if let Some(instance) = response.header("x-spiral-instance") {
            instances.insert(instance.to_owned());
        }
    }
    (instances, statuses)
}

#[test]
fn three_servers_behind_one_address_serve_one_ledger_and_survive_losing_one() {
    let db = TestDb::new(Kind::Postgres);
    add_users(&db);
    let cluster = Cluster::start(&db, 3);
    let addr = &cluster.addr;

    // One sign-in holds on every instance (sessions live in the database).
    let staff = sign_in(addr, "staff-user");
    let auditor = sign_in(addr, "auditor-user");
    let (instances, statuses) = spread(addr, "/api/me", &staff, 6);
    assert_eq!(
        instances.len(),
        3,
        "requests went to every instance: {instances:?}"
    );
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");

    // A stream opened through the address gets a command committed through it, whichever
    // instances the two land on; every instance's projection has it next.
    let mut stream = EventStream::open(addr, &auditor, Some(133));
    let command = serde_json::json!({
        "command": { "Record": { "on": "2020-04-01", "fact": { "PartnerRegistered": {
            "partner": "cluster-1", "name": "クラスタ課", "kind": "Department", "parent": null } } } }
    })
    .to_string();
    let committed = post_json(addr, "/api/commands", Some(&staff), &command);
    assert_eq!(committed.status, 200, "{}", committed.text());
    let live = stream.next_events(1, Duration::from_secs(20));
    assert_eq!(live.iter().map(|e| e.id).collect::<Vec<_>>(), vec![134]);
    for _ in 0..3 {
        assert!(get(addr, "/api/partners", Some(&auditor))
            .text()
            .contains("cluster-1"));
    }
    // The same command id sent again through the address is stored once, wherever it lands.
    let keyed = |cookie: &str| {
        common::http::request(
            addr,
            "POST",
            "/api/commands",
            &[
                ("Content-Type", "application/json"),
                ("Cookie", cookie),
                ("Idempotency-Key", "cluster-retry-1"),
            ],
            serde_json::json!({
                "command": { "Record": { "on": "2020-04-01", "fact": { "PartnerRegistered": {
                    "partner": "cluster-2", "name": "再送課", "kind": "Department", "parent": null } } } }
            })
            .to_string()
            .as_bytes(),
        )
    };
    let answers: Vec<_> = (0..3).map(|_| keyed(&staff)).collect();
    assert!(answers.iter().all(|a| a.status == 200));
    let positions: BTreeSet<_> = answers
        .iter()
        .map(|a| a.json()["positions"].to_string())
        .collect();
    assert_eq!(
        positions.len(),
        1,
        "one command, one set of positions: {positions:?}"
    );

    // Writers on all three instances at once, and a stream on each: every stream gets every
    // event, once, in order; positions stay gapless and the chain valid.
    let instances: Vec<String> = (1..=3).map(|i| cluster.instance(i)).collect();
    let mut streams: Vec<_> = instances
        .iter()
        .map(|a| EventStream::open(a, &auditor, Some(135)))
        .collect();
    let writers: Vec<_> = instances
        .iter()
        .enumerate()
        .map(|(w, a)| {
            let (a, staff) = (a.clone(), staff.clone());
            std::thread::spawn(move || {
                for i in 0..5 {
                    let command = serde_json::json!({
                        "command": { "Record": { "on": "2020-04-01", "fact": { "PartnerRegistered": {
                            "partner": format!("w{w}-{i}"), "name": "並行課", "kind": "Department", "parent": null } } } }
                    })
                    .to_string();
                    let response = post_json(&a, "/api/commands", Some(&staff), &command);
                    assert_eq!(response.status, 200, "{}", response.text());
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    for (i, stream) in streams.iter_mut().enumerate() {
        let got = stream.next_events(15, Duration::from_secs(20));
        assert_eq!(
            got.iter().map(|e| e.id).collect::<Vec<_>>(),
            (136..=150).collect::<Vec<_>>(),
            "instance {}'s stream: every event once, in order",
            i + 1
        );
    }
    drop(streams);

    // One instance crashes: HAProxy sends everything to the other two.
    cluster.kill_instance(1);
    std::thread::sleep(Duration::from_secs(3));
    let (instances, statuses) = spread(addr, "/api/me", &staff, 6);
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    assert!(!instances.contains("spiral-1"), "{instances:?}");
    assert_eq!(instances.len(), 2, "{instances:?}");
    let verify = get(addr, "/api/verify", Some(&auditor)).json();
    assert_eq!(verify["valid"], true, "{verify}");
    assert_eq!(verify["events"], 150);
}

/// Password guesses spread over the instances are counted together: after the free tries made
/// one on each server, the next try on any of them must wait (429), and a success anywhere lets
/// the name sign in again without waiting for the window.
#[test]
fn the_sign_in_limiter_holds_across_instances() {
    let db = TestDb::new(Kind::Postgres);
    add_users(&db);
    let cluster = Cluster::start(&db, 3);
    let instances: Vec<String> = (1..=3).map(|i| cluster.instance(i)).collect();
    let guess = |addr: &str| {
        let body = serde_json::json!({ "name": "staff-user", "password": "not the password" }).to_string();
        post_json(addr, "/api/login", None, &body).status
    };
    // One wrong password on each instance: three in all, the name's free tries.
    for addr in &instances {
        assert_eq!(guess(addr), 401, "{addr}");
    }
    // The fourth, on an instance that has seen only one itself, waits.
    let held = {
        let body = serde_json::json!({ "name": "staff-user", "password": "not the password" }).to_string();
        post_json(&instances[0], "/api/login", None, &body)
    };
    assert_eq!(held.status, 429, "{}", held.text());
    assert!(held.header("retry-after").is_some());
    // Once the delay has passed, the right password signs in, and the count is gone everywhere.
    std::thread::sleep(Duration::from_millis(2100));
    sign_in(&instances[1], "staff-user");
    assert_eq!(
        guess(&instances[2]),
        401,
        "a failure after a success is a free try again"
    );
}
