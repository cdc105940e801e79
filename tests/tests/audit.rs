//! The auditor's desk from the outside: signed checkpoints, proofs checked with the domain's
//! verifiers, and `spiral audit` catching every kind of tampering in an export with the position
//! named, with no database access.

mod common;

use common::{spiral, temp_file, TestDb, BOTH};
use domain::checkpoint::Checkpoint;
use domain::merkle::{verify_consistency, verify_inclusion};
use serde_json::Value;
use std::path::PathBuf;

fn with_key(db: &TestDb, key: &std::path::Path, args: &[&str]) -> common::Run {
    let mut all = vec!["--key-file", key.to_str().unwrap()];
    all.extend_from_slice(args);
    spiral(db, &all)
}

/// The server's public key as `spiral key show` prints it.
fn public_key(db: &TestDb, key: &std::path::Path) -> String {
    with_key(db, key, &["key", "show"]).ok().stdout.trim().to_owned()
}

fn key_path() -> PathBuf {
    std::env::temp_dir().join(format!("spiral-key-{}", uuid::Uuid::new_v4().simple()))
}

fn hash(text: &str) -> [u8; 32] {
    let bytes: Vec<u8> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect();
    bytes.try_into().unwrap()
}

/// Runs `spiral audit` on a checkpoint and an export; no database URL is involved.
fn audit(checkpoint: &str, public_key: &str, export: &str) -> common::Run {
    let (cp, ex) = (temp_file("cp.txt", checkpoint), temp_file("export.jsonl", export));
    let output = std::process::Command::new(common::spiral_bin())
        .args([
            "--database-url",
            "sqlite:/nonexistent/dir/never-opened.db",
            "audit",
            "--checkpoint",
        ])
        .arg(&cp)
        .args(["--public-key", public_key, "--export"])
        .arg(&ex)
        .output()
        .unwrap();
    common::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn assert_caught(run: &common::Run, needle: &str) {
    assert_eq!(run.code, 1, "audit must fail: {} {}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(needle),
        "expected {needle:?} in {}",
        run.stdout
    );
}

#[test]
fn an_export_checked_against_a_signed_checkpoint_catches_every_kind_of_tampering() {
    let db = TestDb::new(common::Kind::Sqlite);
    let key = key_path();
    spiral(&db, &["demo"]).ok();
    let public = public_key(&db, &key);
    assert_eq!(public.len(), 64);
    let checkpoint = with_key(&db, &key, &["checkpoint"]).ok().stdout;
    assert!(
        checkpoint.starts_with("Spiral ledger checkpoint\nsize 133\n"),
        "{checkpoint}"
    );
    let export = spiral(&db, &["export"]).ok().stdout;

    let good = audit(&checkpoint, &public, &export);
    assert_eq!(good.code, 0, "{} {}", good.stdout, good.stderr);
    assert!(good.stdout.contains("audit passed"));

    let lines: Vec<&str> = export.lines().collect();
    let join = |ls: Vec<&str>| ls.join("\n") + "\n";
    // One edited event (its name changed, its hash left alone).
    let mut edited = lines.clone();
    let changed = edited[7].replacen("浜松市", "浜松県", 1);
    assert_ne!(changed, edited[7], "line 8 names 浜松市");
    edited[7] = &changed;
    assert_caught(&audit(&checkpoint, &public, &join(edited)), "position 8:");
    // One deleted event.
    let mut deleted = lines.clone();
    deleted.remove(19);
    assert_caught(&audit(&checkpoint, &public, &join(deleted)), "position 20:");
    // Two events swapped.
    let mut swapped = lines.clone();
    swapped.swap(29, 30);
    assert_caught(&audit(&checkpoint, &public, &join(swapped)), "position 30:");
    // One event appended that the chain does not vouch for.
    let mut appended = lines.clone();
    let forged = lines[132].replace("\"position\":133", "\"position\":134");
    appended.push(&forged);
    assert_caught(&audit(&checkpoint, &public, &join(appended)), "position 134:");
    // The last event deleted: the checkpoint still covers it.
    let mut truncated = lines.clone();
    truncated.pop();
    assert_caught(&audit(&checkpoint, &public, &join(truncated)), "position 133:");

    // A checkpoint signed by another key is refused, even if its figures are right.
    let other = key_path();
    let foreign = with_key(&db, &other, &["checkpoint"]).ok().stdout;
    assert_caught(&audit(&foreign, &public, &export), "not the trusted key");
    // An altered checkpoint no longer carries a valid signature.
    assert_caught(
        &audit(&checkpoint.replace("size 133", "size 132"), &public, &export),
        "signature is not valid",
    );
    for k in [key, other] {
        let _ = std::fs::remove_file(k);
    }
}

#[tokio::test]
async fn inclusion_and_consistency_proofs_verify_against_signed_checkpoints() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        let key = key_path();
        spiral(&db, &["demo"]).ok();
        let public = domain::checkpoint::parse_public_key(&public_key(&db, &key)).unwrap();
        let old = Checkpoint::parse(&with_key(&db, &key, &["checkpoint"]).ok().stdout).unwrap();
        old.verify(&public).unwrap();

        let proof: Value =
            serde_json::from_str(&with_key(&db, &key, &["prove", "event", "57"]).ok().stdout).unwrap();
        let cp = Checkpoint::parse(proof["checkpoint"].as_str().unwrap()).unwrap();
        cp.verify(&public).unwrap();
        let path: Vec<[u8; 32]> = proof["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| hash(h.as_str().unwrap()))
            .collect();
        let event_hash = hash(proof["event_hash"].as_str().unwrap());
        verify_inclusion(&event_hash, 56, cp.size, &path, &cp.root)
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert!(verify_inclusion(&event_hash, 57, cp.size, &path, &cp.root).is_err());

        // The ledger grows; the old checkpoint is provably a prefix of the new one.
        let ledger = server::ledger::Ledger::open(&db.url).await.unwrap();
        let fact = domain::Fact::PartnerRegistered {
            partner: domain::ids::PartnerId::new("later").unwrap(),
            name: "後から".into(),
            kind: domain::partner::PartnerKind::CitizenGroup,
            parent: None,
        };
        ledger
            .execute(
                domain::Command::record(domain::Date::from_ymd(2020, 4, 1).unwrap(), fact),
                "ann",
                None,
            )
            .await
            .unwrap();
        let consistency: Value =
            serde_json::from_str(&with_key(&db, &key, &["prove", "consistency", "133"]).ok().stdout).unwrap();
        let new = Checkpoint::parse(consistency["checkpoint"].as_str().unwrap()).unwrap();
        new.verify(&public).unwrap();
        assert_eq!(new.size, 134);
        let path: Vec<[u8; 32]> = consistency["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| hash(h.as_str().unwrap()))
            .collect();
        verify_consistency(old.size, new.size, &path, &old.root, &new.root)
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert!(verify_consistency(old.size, new.size, &path, &new.root, &new.root).is_err());
        let bad = with_key(&db, &key, &["prove", "event", "999"]);
        assert_eq!(bad.code, 2);
        assert!(bad.stderr.contains("no event at position 999"), "{}", bad.stderr);
        let _ = std::fs::remove_file(key);
    }
}

#[test]
fn a_forger_who_recomputes_the_whole_chain_is_caught_by_the_checkpoints_root() {
    let db = TestDb::new(common::Kind::Sqlite);
    let key = key_path();
    spiral(&db, &["demo"]).ok();
    let public = public_key(&db, &key);
    let checkpoint = with_key(&db, &key, &["checkpoint"]).ok().stdout;
    let export = spiral(&db, &["export"]).ok().stdout;
    // Rewrite event 8 and recompute every hash after it, so the chain alone looks valid.
    let mut prev = domain::chain::GENESIS;
    let mut forged = String::new();
    for (i, line) in export.lines().enumerate() {
        let mut row = server::interchange::parse_line(line).unwrap();
        if i == 7 {
            row.payload = row.payload.replacen("浜松市", "浜松県", 1);
        }
        row.hash = row.expected_hash(&prev);
        prev = row.hash;
        forged.push_str(&server::interchange::export_line(&row));
        forged.push('\n');
    }
    assert_ne!(forged, export);
    assert_caught(
        &audit(&checkpoint, &public, &forged),
        "do not match the checkpoint's Merkle root",
    );
    let _ = std::fs::remove_file(key);
}

#[test]
fn an_auditor_gets_checkpoints_and_proofs_from_the_api_that_verify_with_the_servers_key() {
    use common::http::{get, post_json};
    let db = TestDb::new(common::Kind::Sqlite);
    common::spiral_with_input(
        &db,
        &["user", "add", "aud", "--role", "auditor"],
        "correct horse battery\n",
    )
    .ok();
    let server = common::server::Server::start(&db, true);
    let key = PathBuf::from(common::server::key_file(&db));
    let public = domain::checkpoint::parse_public_key(&public_key(&db, &key)).unwrap();
    let auditor = post_json(
        &server.addr,
        "/api/login",
        None,
        r#"{"name":"aud","password":"correct horse battery"}"#,
    )
    .cookie()
    .unwrap();
    let text = get(&server.addr, "/api/checkpoint", Some(&auditor)).text();
    let cp = Checkpoint::parse(&text).unwrap();
    cp.verify(&public).unwrap();
    assert_eq!(cp.size, 133);
    // One checkpoint per ledger size is kept (the hourly one signed at start-up, or this one):
    // it covers the same events under the same root and verifies with the same key.
    let kept = get(&server.addr, "/api/checkpoints", Some(&auditor)).json();
    let kept: Vec<Checkpoint> = kept
        .as_array()
        .unwrap()
        .iter()
        .map(|t| Checkpoint::parse(t.as_str().unwrap()).unwrap())
        .collect();
    let same = kept
        .iter()
        .find(|k| k.size == cp.size)
        .expect("a checkpoint of this size is kept");
    assert_eq!(same.root, cp.root);
    same.verify(&public).unwrap();
    let proof = get(&server.addr, "/api/proofs/event/100", Some(&auditor)).json();
    let path: Vec<[u8; 32]> = proof["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hash(h.as_str().unwrap()))
        .collect();
    let signed = Checkpoint::parse(proof["checkpoint"].as_str().unwrap()).unwrap();
    signed.verify(&public).unwrap();
    verify_inclusion(
        &hash(proof["event_hash"].as_str().unwrap()),
        99,
        signed.size,
        &path,
        &signed.root,
    )
    .unwrap();
    assert_eq!(
        get(&server.addr, "/api/proofs/event/1000", Some(&auditor)).status,
        404
    );
    assert_eq!(
        get(&server.addr, "/api/proofs/consistency?old=0", Some(&auditor)).status,
        422
    );
    let _ = std::fs::remove_file(key);
}

#[tokio::test]
async fn the_audit_report_shows_who_recorded_what_amendments_with_reasons_and_late_entries() {
    let db = TestDb::new(common::Kind::Sqlite);
    let key = key_path();
    spiral(&db, &["demo"]).ok();
    // A retraction by a staff member, with its reason.
    let ledger = server::ledger::Ledger::open(&db.url).await.unwrap();
    ledger
        .execute(
            domain::Command::Retract {
                stream: "program:leadership-school".into(),
                target: 3,
                reason: "終了日の記録誤り".into(),
            },
            "ann",
            None,
        )
        .await
        .unwrap();
    let today = chrono::Utc::now().date_naive().to_string();
    let out = with_key(&db, &key, &["report", "audit", "--from", &today, "--to", &today])
        .ok()
        .stdout;
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["events"], 134);
    assert_eq!(
        report["by_actor"],
        serde_json::json!([{ "key": "ann", "events": 1 }, { "key": "system:demo", "events": 133 }])
    );
    let amendment = &report["amendments"][0];
    assert_eq!(amendment["kind"], "Retracted");
    assert_eq!(amendment["reason"], "終了日の記録誤り");
    assert_eq!(amendment["actor"], "ann");
    assert_eq!(
        amendment["target_type"], "ProgramConcluded",
        "shown beside what it retracted"
    );
    // Everything in the demo took effect in 2001–2016 and was recorded today: all late.
    assert_eq!(report["late_entries"].as_array().unwrap().len(), 134);
    assert_eq!(
        (report["size_at_start"].as_u64(), report["size_at_end"].as_u64()),
        (Some(0), Some(134))
    );
    let public = domain::checkpoint::parse_public_key(&public_key(&db, &key)).unwrap();
    let end = Checkpoint::parse(report["checkpoint_at_end"].as_str().unwrap()).unwrap();
    end.verify(&public).unwrap();
    assert_eq!(end.size, 134);

    // A period before anything was recorded holds nothing.
    let earlier = with_key(
        &db,
        &key,
        &["report", "audit", "--from", "2020-01-01", "--to", "2020-12-31"],
    )
    .ok()
    .stdout;
    let earlier: Value = serde_json::from_str(&earlier).unwrap();
    assert_eq!(
        (earlier["events"].as_u64(), earlier["size_at_end"].as_u64()),
        (Some(0), Some(0))
    );
    let backward = with_key(
        &db,
        &key,
        &["report", "audit", "--from", "2020-12-31", "--to", "2020-01-01"],
    );
    assert_eq!(backward.code, 2);
    assert!(
        backward.stderr.contains("ends (2020-01-01) before it starts"),
        "{}",
        backward.stderr
    );
    let _ = std::fs::remove_file(key);
}

#[test]
fn spiral_audit_checks_a_running_servers_live_ledger_against_a_saved_checkpoint() {
    for kind in BOTH {
        let db = TestDb::new(kind);
        common::spiral_with_input(
            &db,
            &["user", "add", "kenji", "--role", "auditor"],
            "correct horse\n",
        )
        .ok();
        let server = common::server::Server::start(&db, true);
        let key = PathBuf::from(common::server::key_file(&db));
        let public = public_key(&db, &key);
        let checkpoint = temp_file("live-cp.txt", &with_key(&db, &key, &["checkpoint"]).ok().stdout);
        let url = format!("http://{}", server.addr);
        let args = |user: &str| -> Vec<String> {
            [
                "audit",
                "--checkpoint",
                checkpoint.to_str().unwrap(),
                "--public-key",
                &public,
                "--url",
                &url,
                "--user",
                user,
            ]
            .map(str::to_owned)
            .to_vec()
        };
        let run = |user: &str, password: &str| {
            let args = args(user);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            common::spiral_with_input(&db, &args, &format!("{password}\n"))
        };

        let good = run("kenji", "correct horse");
        assert_eq!(good.code, 0, "{kind:?}: {} {}", good.stdout, good.stderr);
        assert!(
            good.stdout.contains("audit passed") && good.stdout.contains("133 events"),
            "{}",
            good.stdout
        );

        let refused = run("kenji", "wrong");
        assert_ne!(refused.code, 0);
        assert!(
            refused.stderr.contains("refused the sign-in of kenji"),
            "{}",
            refused.stderr
        );

        // A row edited in the database behind the server's back is named by its position.
        tokio::runtime::Runtime::new().unwrap().block_on(
            db.sql("UPDATE events SET payload = REPLACE(payload, '浜松市', '浜松県') WHERE position = 8"),
        );
        let caught = run("kenji", "correct horse");
        assert_caught(&caught, "position 8:");
    }
}
