//! The validator set changes under real `medledger` processes on loopback: a four-validator
//! network with epochs of 12 heights adds a fifth (a node that ran as a follower: it catches
//! up, and from the next epoch it votes), then removes one of the four; blocks keep
//! finalizing throughout. Every step goes through the operator's commands
//! (`medledger validators identity / approve / submit`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{Node, get, height, testnet, wait_until};

const EPOCH: u64 = 12;

fn medledger(args: &[&str], home: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_medledger"))
        .args(args)
        .arg("--home")
        .arg(home)
        .stdout(Stdio::piped())
        .output()
        .expect("medledger");
    assert!(
        out.status.success(),
        "medledger {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// `approvers` approve the change, then `submitter` submits it; returns the height it is final at.
fn change(dir: &Path, nodes: &[Node], approvers: &[usize], submitter: usize, args: &[&str]) -> u64 {
    let mut files = Vec::new();
    for &i in approvers {
        let mut approve = vec!["validators", "approve", "--node", &nodes[i].api];
        approve.extend_from_slice(args);
        let approval = medledger(&approve, &nodes[i].home);
        let file = dir.join(format!("approval-{i}-{}.json", approval["seq"]));
        std::fs::write(&file, approval.to_string()).expect("write");
        files.push(file);
    }
    // Submitted to a validator (the first approver's node): a follower proposes nothing.
    let mut submit = vec!["validators", "submit", "--node", &nodes[approvers[0]].api];
    submit.extend_from_slice(args);
    let paths: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    for p in &paths {
        submit.extend_from_slice(&["--approval", p]);
    }
    medledger(&submit, &nodes[submitter].home)["height"]
        .as_u64()
        .expect("height")
}

fn validators(client: &reqwest::blocking::Client, node: &Node) -> Vec<String> {
    get(client, &format!("{}/v1/validators", node.api))
        .and_then(|v| serde_json::from_value(v["validators"].clone()).ok())
        .unwrap_or_default()
}

/// The certificate at `height` on `node`: (validators it names, signer positions).
fn certificate(
    client: &reqwest::blocking::Client,
    node: &Node,
    height: u64,
) -> Option<(usize, Vec<usize>)> {
    let header = get(client, &format!("{}/v1/headers/{height}", node.api))?;
    let bytes = hex::decode(header["finalization"].as_str()?).ok()?;
    let f = medledger_types::certificate::Finalization::decode(&bytes).ok()?;
    Some((f.validator_count, f.signers))
}

/// Blocks keep finalizing: `node`'s tip moves within 8 s.
fn progress(client: &reqwest::blocking::Client, node: &Node, what: &str) {
    let from = height(client, node).unwrap_or(0);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(8) {
        std::thread::sleep(Duration::from_millis(500));
        if height(client, node).unwrap_or(0) > from {
            return;
        }
    }
    panic!("no block finalized for 8 s {what}");
}

#[test]
fn a_fifth_validator_joins_and_votes_then_one_leaves_while_blocks_keep_finalizing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let epoch = EPOCH.to_string();
    let (summary, mut nodes) = testnet(
        dir.path(),
        5,
        &[
            "--validators",
            "4",
            "--followers",
            "1",
            "--epoch-length",
            &epoch,
        ],
    );
    for node in &mut nodes {
        node.start();
    }
    let client = reqwest::blocking::Client::new();
    wait_until("the network to start", Duration::from_secs(60), || {
        nodes
            .iter()
            .all(|n| height(&client, n).is_some_and(|h| h >= 2))
    });

    // Node 4 joins: its identity, three approvals, its own submission.
    let identity = medledger(&["validators", "identity"], &nodes[4].home);
    let key = identity["key"].as_str().expect("key").to_owned();
    let p2p = summary["nodes"][4]["p2p"].as_str().expect("p2p").to_owned();
    let mut add = vec!["--change", "add", "--key", &key, "--address", &p2p];
    let emergency = identity["emergency"].as_str().map(str::to_owned);
    if let Some(e) = &emergency {
        add.extend_from_slice(&["--emergency", e]);
    }
    let at = change(dir.path(), &nodes, &[0, 1, 2], 4, &add);
    let next_epoch_start = (at / EPOCH + 1) * EPOCH;
    wait_until(
        "the epoch with five validators",
        Duration::from_secs(120),
        || height(&client, &nodes[0]).is_some_and(|h| h > next_epoch_start + 2),
    );
    progress(&client, &nodes[1], "after the fifth joined");
    let five = validators(&client, &nodes[0]);
    assert_eq!(five.len(), 5);
    let position = five
        .iter()
        .position(|k| *k == key)
        .expect("node 4 is a validator");
    // It votes: some certificate of the new epoch carries its signature.
    wait_until(
        "a certificate signed by the new validator",
        Duration::from_secs(60),
        || {
            let tip = height(&client, &nodes[0]).unwrap_or(0);
            (next_epoch_start..=tip).any(|h| {
                certificate(&client, &nodes[0], h)
                    .is_some_and(|(n, s)| n == 5 && s.contains(&position))
            })
        },
    );

    // Node 0 leaves: four of the five approve; node 1 submits.
    let leaving = summary["nodes"][0]["public_key"]
        .as_str()
        .expect("key")
        .to_owned();
    let at = change(
        dir.path(),
        &nodes,
        &[1, 2, 3, 4],
        1,
        &["--change", "remove", "--key", &leaving],
    );
    let next_epoch_start = (at / EPOCH + 1) * EPOCH;
    wait_until("the epoch without node 0", Duration::from_secs(120), || {
        height(&client, &nodes[1]).is_some_and(|h| h > next_epoch_start + 2)
    });
    let four = validators(&client, &nodes[1]);
    assert_eq!(four.len(), 4);
    assert!(!four.contains(&leaving));
    // Node 0 is stopped for good; the four go on.
    nodes[0].kill();
    progress(&client, &nodes[1], "after node 0 left and stopped");
    let tip = height(&client, &nodes[1]).expect("tip");
    let (n, _) = (next_epoch_start..=tip)
        .rev()
        .find_map(|h| certificate(&client, &nodes[1], h))
        .expect("a certificate in the new epoch");
    assert_eq!(n, 4);
}
