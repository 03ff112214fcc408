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
    static CALLS: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let port = 33_000
        + (std::process::id() % 4_000) as u16
        + 10 * CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
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

#[test]
fn sync_lists_and_opens_what_the_clinic_issued_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = node(dir.path());
    let wallet = dir.path().join("patient");
    let init: Value =
        serde_json::from_slice(&medwallet(&wallet, &["init", "--json"]).stdout).expect("json");
    assert!(
        medwallet(&wallet, &["register", "--node", &api])
            .status
            .success()
    );

    let genesis = dir.path().join("net/node0/genesis.json");
    let fresh = medwallet(&wallet, &["sync", "--node", &api]);
    assert!(
        String::from_utf8_lossy(&fresh.stderr).contains("--genesis"),
        "no trust anchor yet"
    );

    let fhir = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/fhir/Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json"
    ))
    .expect("fixture");
    let clinic = medledger_node::clinic_key::ClinicKey::read(&dir.path().join("net/clinic.key"))
        .expect("clinic");
    let code: medwallet_crypto::ShareCode = init["share_code"]
        .as_str()
        .expect("code")
        .parse()
        .expect("share code");
    let node_client = medwallet_net::NodeClient::new(&api);
    let issued = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(medledger_node::clinic::issue(
            &clinic.keys(),
            &clinic.name,
            &node_client,
            &code,
            &fhir,
            true,
        ))
        .expect("issue");
    let drafts = medwallet_fhir::records_from(&fhir, true).expect("split");

    let synced = medwallet(
        &wallet,
        &[
            "sync",
            "--json",
            "--node",
            &api,
            "--genesis",
            genesis.to_str().expect("utf8"),
        ],
    );
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let v: Value = serde_json::from_slice(&synced.stdout).expect("json");
    assert_eq!(v["new"].as_u64(), Some(drafts.len() as u64));
    assert_eq!(v["incidents"].as_array().map(Vec::len), Some(0));
    let again: Value =
        serde_json::from_slice(&medwallet(&wallet, &["sync", "--json", "--node", &api]).stdout)
            .expect("json");
    assert_eq!(
        again["new"], 0,
        "the trust anchor was remembered and nothing is fetched twice"
    );

    // Listing works offline, from the encrypted cache.
    let records: Value =
        serde_json::from_slice(&medwallet(&wallet, &["records", "--json"]).stdout).expect("json");
    let list = records.as_array().expect("list");
    assert_eq!(list.len(), drafts.len());
    assert!(
        !String::from_utf8_lossy(&std::fs::read(wallet.join("cache.mdw")).expect("cache"))
            .contains("Encounter"),
        "the cache holds no plaintext"
    );
    for ((summary, draft), issued) in list.iter().zip(&drafts).zip(&issued) {
        assert_eq!(summary["id"], issued.record_id.as_str());
        assert_eq!(summary["title"], draft.title.as_str());
        assert!(
            summary["verified_height"]
                .as_u64()
                .is_some_and(|h| h >= issued.height)
        );
    }
    for (i, (summary, draft)) in list.iter().zip(&drafts).enumerate().take(3) {
        let out = dir.path().join(format!("record-{i}.json"));
        let shown = medwallet(
            &wallet,
            &[
                "show",
                summary["id"].as_str().expect("id"),
                "--node",
                &api,
                "--out",
                out.to_str().expect("utf8"),
            ],
        );
        assert!(
            shown.status.success(),
            "{}",
            String::from_utf8_lossy(&shown.stderr)
        );
        assert_eq!(
            std::fs::read(&out).expect("read"),
            draft.bytes,
            "byte-identical to what the clinic issued"
        );
    }
    let unknown = medwallet(&wallet, &["show", &"00".repeat(32), "--node", &api]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown record"));
}
