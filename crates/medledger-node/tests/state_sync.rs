//! State sync under real `medledger` processes on loopback: a four-validator network with
//! epochs of 12 heights runs past two epochs; a new node restores the state of the newest
//! finalized block (`medledger state-sync`, verified from the genesis file alone), starts from
//! that block without any history below it, and follows the chain: it commits the blocks that
//! come after, to the same state roots as the validators.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

mod common;
use common::{get, height, testnet, wait_until};

#[test]
fn a_node_restored_from_a_verified_block_follows_the_chain_without_its_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, mut nodes) = testnet(
        dir.path(),
        5,
        &[
            "--validators",
            "4",
            "--followers",
            "1",
            "--epoch-length",
            "12",
        ],
    );
    for node in &mut nodes[..4] {
        node.start();
    }
    let client = reqwest::blocking::Client::new();
    wait_until("two epochs of blocks", Duration::from_secs(120), || {
        height(&client, &nodes[0]).is_some_and(|h| h >= 30)
    });

    let synced = Command::new(env!("CARGO_BIN_EXE_medledger"))
        .args(["state-sync", "--home"])
        .arg(&nodes[4].home)
        .args(["--from", &nodes[0].api, "--from", &nodes[1].api])
        .stdout(Stdio::piped())
        .output()
        .expect("state-sync");
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let synced: Value = serde_json::from_slice(&synced.stdout).expect("JSON");
    let from = synced["height"].as_u64().expect("height");
    assert!(from >= 30, "{synced}");
    assert!(synced["leaves"].as_u64().is_some_and(|n| n > 0), "{synced}");
    assert_eq!(synced["lying"], serde_json::json!([]), "{synced}");

    nodes[4].start();
    wait_until(
        "the restored node to follow the chain",
        Duration::from_secs(120),
        || height(&client, &nodes[4]).is_some_and(|h| h >= from + 6),
    );
    // The blocks it committed are the validators' (same hashes, same state roots).
    let tip = height(&client, &nodes[4]).expect("tip");
    for h in [from, from + 1, tip] {
        let ours = get(&client, &format!("{}/v1/headers/{h}", nodes[4].api)).expect("header");
        let theirs = get(&client, &format!("{}/v1/headers/{h}", nodes[0].api)).expect("header");
        assert_eq!(ours["hash"], theirs["hash"], "height {h}");
        assert_eq!(ours["state_root"], theirs["state_root"], "height {h}");
    }
    // No history below the block it started from.
    let below = client
        .get(format!("{}/v1/blocks/{}", nodes[4].api, from - 1))
        .send()
        .expect("request");
    assert_eq!(below.status().as_u16(), 404);
}
