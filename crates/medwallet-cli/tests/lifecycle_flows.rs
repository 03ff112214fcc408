//! `medwallet rotate-keys` against a real node: the wallet moves to a new phrase; the old phrase
//! signs for nothing (the node refuses it); the new phrase alone restores every record, fetched
//! from the node under the new keys; a clinic holding the old share code, or given the new one,
//! issues to the same account, wrapped to the new keys.

use std::path::Path;

use medledger_devnet::{Devnet, NED, fixture};
use serde_json::Value;

mod common;

use common::{json_of, medwallet};

fn share_code(text: &str) -> medwallet_crypto::ShareCode {
    text.parse().expect("share code")
}

/// A wallet restored from `words` at `wallet`, synced from `api`.
fn restored(dir: &Path, name: &str, words: &str, api: &str, genesis: &str) -> (String, Value) {
    let wallet = dir.join(name);
    let words_file = dir.join(format!("{name}.words"));
    std::fs::write(&words_file, words).expect("write");
    let words_path = words_file.to_str().expect("utf8");
    json_of(medwallet(
        &wallet,
        &["restore", "--json", "--mnemonic-file", words_path],
    ));
    let synced = json_of(medwallet(
        &wallet,
        &["sync", "--json", "--node", api, "--genesis", genesis],
    ));
    (wallet.to_str().expect("utf8").to_owned(), synced)
}

#[test]
fn a_rotated_wallet_restores_from_the_new_phrase_only_and_clinics_follow_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start(dir.path(), 1);
    let api = devnet.api().to_owned();
    let genesis = devnet.genesis_path();
    let genesis = genesis.to_str().expect("utf8");
    let wallet = dir.path().join("patient");
    let init = json_of(medwallet(&wallet, &["init", "--json"]));
    let old_words = init["mnemonic"].as_str().expect("words").to_owned();
    let old_code = share_code(init["share_code"].as_str().expect("code"));
    json_of(medwallet(
        &wallet,
        &["register", "--json", "--node", &api, "--genesis", genesis],
    ));
    let fhir = fixture(NED);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let issued = runtime.block_on(devnet.issue(&old_code, &fhir));
    json_of(medwallet(&wallet, &["sync", "--json", "--node", &api]));

    let rotated = json_of(medwallet(
        &wallet,
        &["rotate-keys", "--json", "--node", &api],
    ));
    assert_eq!(rotated["accounts"], 1);
    assert_eq!(rotated["records_rewrapped"], issued.len());
    assert_eq!(rotated["resumed"], false);
    let new_words = rotated["mnemonic"].as_str().expect("words").to_owned();
    assert_ne!(new_words, old_words);
    assert!(
        !wallet.join("keystore.next.mdw").exists(),
        "the kept keystore replaced the old one"
    );
    // The wallet itself goes on under the new keys, from its cache.
    let records = json_of(medwallet(&wallet, &["records", "--json"]));
    assert_eq!(records.as_array().map(Vec::len), Some(issued.len()));

    // The old phrase signs for nothing: it finds no account, and the node refuses it.
    let (old_wallet, synced) = restored(dir.path(), "old", &old_words, &api, genesis);
    assert_eq!(synced["total"], 0);
    let refused = medwallet(Path::new(&old_wallet), &["register", "--node", &api]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("key_retired"), "{err}");

    // The new phrase alone finds the account, fetches every ciphertext from the node with the
    // new key, and opens the records byte for byte.
    let (new_wallet, synced) = restored(dir.path(), "new", &new_words, &api, genesis);
    assert_eq!(synced["total"], issued.len());
    assert_eq!(synced["ciphertexts_missing"], 0);
    assert_eq!(synced["unreadable"].as_array().map(Vec::len), Some(0));
    let drafts = medwallet_fhir::records_from(&fhir, true).expect("split");
    let out = dir.path().join("first.json");
    json_of(medwallet(
        Path::new(&new_wallet),
        &[
            "show",
            "--json",
            &issued[0].record_id,
            "--node",
            &api,
            "--out",
            out.to_str().expect("utf8"),
        ],
    ));
    assert_eq!(std::fs::read(&out).expect("read"), drafts[0].bytes);

    // A clinic with the old code, and one given the new code, issue to the same account.
    let new_code = json_of(medwallet(Path::new(&new_wallet), &["address", "--json"]));
    let new_code = share_code(new_code["share_code"].as_str().expect("code"));
    assert_ne!(new_code, old_code);
    let one = runtime.block_on(devnet.issue(&old_code, &fhir));
    let two = runtime.block_on(devnet.issue(&new_code, &fhir));
    let synced = json_of(medwallet(
        Path::new(&new_wallet),
        &["sync", "--json", "--node", &api],
    ));
    assert_eq!(synced["total"], issued.len() + one.len() + two.len());
    assert_eq!(synced["unreadable"].as_array().map(Vec::len), Some(0));
}

/// Polls `done` for up to 30 s.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{what} did not happen");
}

#[test]
fn an_erased_record_is_gone_from_every_node_each_of_which_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start(dir.path(), 4);
    let api = devnet.api().to_owned();
    let genesis = devnet.genesis_path();
    let genesis = genesis.to_str().expect("utf8");
    let wallet = dir.path().join("patient");
    let init = json_of(medwallet(&wallet, &["init", "--json"]));
    let words = init["mnemonic"].as_str().expect("words").to_owned();
    let code = share_code(init["share_code"].as_str().expect("code"));
    json_of(medwallet(
        &wallet,
        &["register", "--json", "--node", &api, "--genesis", genesis],
    ));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let issued = runtime.block_on(devnet.issue(&code, &fixture(NED)));
    json_of(medwallet(&wallet, &["sync", "--json", "--node", &api]));
    let record = issued[0].record_id.clone();

    // Without --yes nothing happens, and the command says what erasing does and does not do.
    let asked = medwallet(&wallet, &["erase", &record, "--node", &api]);
    assert!(!asked.status.success());
    let said = String::from_utf8_lossy(&asked.stderr);
    assert!(
        said.contains("cannot be recalled") && said.contains("--yes"),
        "{said}"
    );
    let erased = json_of(medwallet(
        &wallet,
        &["erase", &record, "--yes", "--json", "--node", &api],
    ));
    assert_eq!(erased["erased"], 1);

    // Every validator's node deletes its copy and writes its receipt.
    let mut listed = Value::Null;
    wait_for("four erasure receipts", || {
        listed = json_of(medwallet(&wallet, &["erasures", "--json", "--node", &api]));
        listed[0]["deleted_by"].as_array().map(Vec::len) == Some(4)
    });
    assert_eq!(listed[0]["record"], record.as_str());
    let nodes: Vec<&str> = listed[0]["deleted_by"]
        .as_array()
        .expect("receipts")
        .iter()
        .filter_map(|r| r["node"].as_str())
        .collect();
    assert!(nodes.iter().all(|n| n.starts_with("node ")), "{nodes:?}");

    // Each node answers 410 Gone, even to the patient's own signed request.
    let keys = medwallet_crypto::AccountKeys::derive(
        &medwallet_crypto::RecoveryPhrase::parse(&words).expect("words"),
    );
    let id = medledger_types::hash::RecordId::from_hex(&record).expect("id");
    let blob = medledger_types::hash::Sha256Digest::from_hex(
        listed[0]["ciphertext_sha256"].as_str().expect("hash"),
    )
    .expect("hash");
    for node in devnet.apis() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis() as u64;
        let request = medledger_client::BlobRequest::new(keys.signing_key(), blob, id, None, now);
        let answer = runtime.block_on(medledger_client::NodeClient::new(&node).blob_stream(
            &request,
            devnet.genesis.chain_id(),
            std::time::Duration::from_secs(10),
        ));
        match answer {
            Err(medledger_client::fault::NetError::Refused { status, code, .. }) => {
                assert_eq!((status, code.as_str()), (410, "erased"), "{node}");
            }
            Err(other) => panic!("{node}: {other}"),
            Ok(_) => panic!("{node} served an erased record"),
        }
    }
    // The wallet keeps only that it existed; it does not open.
    let records = json_of(medwallet(&wallet, &["records", "--json"]));
    let kept = records
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["id"] == record.as_str())
        .expect("listed");
    assert_eq!(kept["erased"], true);
    assert!(
        !medwallet(&wallet, &["show", &record, "--node", &api])
            .status
            .success()
    );

    // Closing the account erases the rest.
    let closed = json_of(medwallet(
        &wallet,
        &[
            "close-account",
            "--account",
            "0",
            "--yes",
            "--json",
            "--node",
            &api,
        ],
    ));
    assert_eq!(closed["erased"], issued.len() - 1);
}
