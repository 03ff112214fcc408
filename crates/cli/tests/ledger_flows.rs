//! `medwallet` against a real (in-process, single-validator) node.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use medledger_node::config::Home;
use serde_json::Value;

const PASSWORD: &str = "patient password 1";

fn medwallet(wallet: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_medwallet"))
        .arg("--wallet")
        .arg(wallet)
        .args(args)
        .env("MEDWALLET_PASSWORD", PASSWORD)
        .env_remove("MEDWALLET_NODES")
        .output()
        .expect("run")
}

fn node(dir: &Path) -> String {
    let port = 33_000 + (std::process::id() % 4_000) as u16;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as u64;
    let summary = medledger_node::testnet::generate(&dir.join("net"), 1, 0, port, "cli-test", now)
        .expect("testnet");
    let home = Home::new(dir.join("net/node0"));
    std::thread::spawn(move || {
        let _ = medledger_node::run::start(&home);
    });
    let api = summary.nodes[0].api.clone();
    let client = reqwest::blocking::Client::new();
    for _ in 0..300 {
        if client
            .get(format!("{api}/v1/status"))
            .send()
            .ok()
            .and_then(|r| r.json::<Value>().ok())
            .is_some_and(|s| s["latest_finalized"].is_object())
        {
            return api;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("node did not start");
}

#[test]
fn register_submits_once_and_explains_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = node(dir.path());
    let wallet = dir.path().join("w");
    assert!(medwallet(&wallet, &["init"]).status.success());

    let no_node = medwallet(&wallet, &["register"]);
    assert!(!no_node.status.success());
    assert!(String::from_utf8_lossy(&no_node.stderr).contains("no node"));

    let out = medwallet(&wallet, &["register", "--json", "--node", &api]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["height"].as_u64().is_some_and(|h| h > 0));
    let address = medwallet(&wallet, &["address", "--json"]);
    assert_eq!(
        serde_json::from_slice::<Value>(&address.stdout).expect("json")["address"],
        v["address"]
    );

    let again = medwallet(&wallet, &["register", "--node", &api]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("wrong_nonce") || err.contains("already"),
        "{err}"
    );
}
