//! Writes the fuzz targets' seed inputs (`fuzz/seeds/TARGET/…`) from the demo ledger: real
//! commands as JSON and postcard, stored payloads, the browser's postcard log, export lines, a
//! signed checkpoint and real proofs. `scripts/fuzz.sh` runs it before fuzzing.
//!
//! `cargo run -p domain --example fuzz_seeds -- fuzz/seeds`

use domain::chain::rows_for;
use domain::checkpoint::Checkpoint;
use domain::merkle::MerkleTree;
use std::path::Path;

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir).expect("create the seed directory");
    std::fs::write(dir.join(name), bytes).expect("write a seed");
}

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| "fuzz/seeds".into());
    let out = Path::new(&out);
    let at = "2026-11-28T09:00:00Z".parse().expect("a time");
    let events = domain::demo::recorded(at);
    let rows = rows_for(&events).expect("the demo encodes");
    for (i, command) in domain::demo::seed_history().into_iter().enumerate().step_by(7) {
        let json = serde_json::json!({ "command": command, "expected_version": i % 3 }).to_string();
        write(out, "command_json", &format!("{i:03}"), json.as_bytes());
        let postcard = postcard::to_allocvec(&(&command, Some(i as u64 % 3))).expect("encodes");
        write(out, "command_postcard", &format!("{i:03}"), &postcard);
    }
    for row in rows.iter().step_by(9) {
        let text = format!("{}\n{}", row.payload, row.metadata);
        write(
            out,
            "stored_event",
            &format!("{:03}", row.position),
            text.as_bytes(),
        );
        let lines: String = rows
            .iter()
            .skip(row.position as usize - 1)
            .take(3)
            .map(|r| domain::interchange::export_line(r) + "\n")
            .collect();
        write(
            out,
            "export_line",
            &format!("{:03}", row.position),
            lines.as_bytes(),
        );
    }
    for n in [1usize, 5, 20] {
        let log = postcard::to_allocvec(&events[..n]).expect("encodes");
        write(out, "log_postcard", &format!("events-{n}"), &log);
        let stored = postcard::to_allocvec(&rows[..n]).expect("encodes");
        write(out, "log_postcard", &format!("rows-{n}"), &stored);
    }
    // A snapshot body of the whole demo, and of a small example ledger (whose plain receipts
    // fill a part a year), after the 8 bytes of the position each claims.
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let scale = domain::example::Scale {
        donors: 12,
        ..domain::example::Scale::default()
    };
    let example = domain::example::recorded(&scale, chrono::DateTime::UNIX_EPOCH);
    for (name, events) in [("demo", &events[..]), ("example", &example[..])] {
        let state = domain::LedgerState::replay(events, domain::View::everything());
        let sealed = domain::snapshot::seal(&state, [0; 32], &key).expect("seals");
        let mut snapshot = state.head_position.to_be_bytes().to_vec();
        snapshot.extend(sealed.body);
        write(out, "projection_snapshot", name, &snapshot);
    }
    let head = rows.len() as u64;
    let manifest = domain::log_chunks::Manifest {
        size: 50,
        chunks: domain::log_chunks::Manifest::chunk_ends(50, head)
            .into_iter()
            .map(|last| domain::log_chunks::ChunkRef {
                last,
                hash: rows[last as usize - 1].hash,
            })
            .collect(),
        head,
    };
    write(
        out,
        "log_postcard",
        "manifest",
        &postcard::to_allocvec(&manifest).expect("encodes"),
    );
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let tree = MerkleTree::new(rows.iter().map(|r| &r.hash));
    for size in [1, 40, tree.size()] {
        let root = tree.root(size).expect("a size within the tree");
        let cp = Checkpoint::sign(size, root, at, &key);
        write(
            out,
            "checkpoint",
            &format!("size-{size}"),
            cp.to_text().as_bytes(),
        );
        // An inclusion proof and a consistency proof, as the merkle_proof target reads them:
        // two u64 then 32-byte hashes.
        let index = size / 2;
        let mut proof = Vec::new();
        proof.extend(index.to_le_bytes());
        proof.extend(size.to_le_bytes());
        proof.extend(rows[index as usize].hash);
        for h in tree
            .inclusion_proof(index, size)
            .expect("an index within the size")
        {
            proof.extend(h);
        }
        write(out, "merkle_proof", &format!("inclusion-{size}"), &proof);
    }
    for (i, text) in [
        "2004-04-01",
        "2019-2023",
        "1868-04-01",
        "2201-03-31",
        "静岡県民生部障害者プラン推進室",
        "program:pocket-kobo",
        "staff\u{202E}a",
    ]
    .iter()
    .enumerate()
    {
        write(out, "text_and_dates", &format!("{i:02}"), text.as_bytes());
    }
    for (i, text) in [
        r#"{"name":"静岡 花子","kana":"シズオカ ハナコ","postal_code":"420-0853","address":"静岡市葵区追手町9-6"}"#,
        r#"{"name":"株式会社うみかぜ電機","postal_code":null,"address":null}"#,
        "〒４２０－０８５３",
    ]
    .iter()
    .enumerate()
    {
        write(out, "donor_details", &format!("{i:02}"), text.as_bytes());
    }
    // Gift files as banks, platforms and people save them (UTF-8 with a BOM, CRLF, quoted
    // amounts, era dates, a bad row).
    for (i, text) in [
        "\u{FEFF}受領日,氏名,フリガナ,郵便番号,住所,金額,種別,寄附者ID\r\n2024/5/1,静岡 花子,シズオカ ハナコ,420-0853,静岡市葵区追手町9-6,\"3,000\",寄附,\r\n令和6年6月1日,,,,,¥1000,,\r\n",
        "date,amount,donor_id,name,address\n2024-04-01,5000,d-1,,\n2024-04-02,abc,,A,B\n2024-04-02,1000.00,,\"A, Jr.\",\"x\ny\"\n",
    ]
    .iter()
    .enumerate()
    {
        write(out, "gift_csv", &format!("{i:02}"), text.as_bytes());
    }
    // The server's own request inputs (server::web::fuzzing), as browsers and clients send them.
    let history = domain::demo::seed_history();
    let command = serde_json::json!({ "command": history[0], "expected_version": null }).to_string();
    let requests: [(&str, &[&str]); 5] = [
        (
            "request_sign_in",
            &[
                r#"{"name":"demo-staff","password":"correct horse battery"}"#,
                "name=demo-staff&password=correct+horse+battery&next=%2Fprograms%2Fpocket-kobo",
                "name=%E5%B1%B1%E7%94%B0&password=x&next=%2F%09%2Fevil.example",
            ],
        ),
        (
            "request_bodies",
            &[
                &command,
                r#"{"name":"hanako","role":"staff","password":"correct horse battery"}"#,
                r#"{"password":"a new password of length"}"#,
                r#"{"current":"correct horse battery","new":"a new password of length"}"#,
            ],
        ),
        (
            "request_query",
            &[
                "from=2020&to=2022&by_successor=true&format=csv",
                "period=2019-2023&known_at=2026-11-28T09:00:00Z",
                "after=133&limit=100000",
                "as_of=2004-04-01&known_at=2026-11-28T09:00:00Z",
                "reader=demo-staff",
                "old=12",
                "action=correct&stream=program:pocket-kobo&target=3",
                "next=%2Fprograms",
            ],
        ),
        (
            "request_path",
            &[
                "133",
                "9223372036854775808",
                "program:pocket-kobo",
                "0000000000000000000000000000000000000000000000000000000000000000",
                "en",
                "demo-staff",
            ],
        ),
        (
            "request_headers",
            &[
                "spiral_session=00ff; spiral_lang=en; __Host-spiral_device=ab\nretry-1\n133\napplication/x-postcard, */*;q=0.1\nhttp://127.0.0.1:3000\n127.0.0.1:3000\n203.0.113.9, 10.0.0.1",
            ],
        ),
    ];
    for (target, seeds) in requests {
        for (i, seed) in seeds.iter().enumerate() {
            write(out, target, &format!("{i:02}"), seed.as_bytes());
        }
    }
    println!("fuzz seeds written to {}", out.display());
}
