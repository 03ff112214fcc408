//! Guardian recovery with `medwallet` against a real node, whose genesis shortens the delay to
//! seconds (a test network's setting, not a switch in the software): a patient names three
//! guardians; the words are lost; a new device asks, two guardians approve the device whose
//! code they are read, release their shares after the delay, and the device takes the wallet
//! back under a new phrase with every record; the lost phrase signs for nothing.

use std::path::Path;
use std::time::{Duration, Instant};

use medledger_devnet::{Devnet, NED, fixture};

mod common;
#[path = "common/on_node.rs"]
mod on_node;

use common::{json_of, medwallet};
use on_node::{registered_patient, run};

#[test]
fn a_patient_recovers_with_two_of_three_guardians_after_the_delay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::start(dir.path(), 1);
    let api = devnet.api().to_owned();
    let genesis = devnet.genesis_path();
    let genesis = genesis.to_str().expect("utf8");

    let patient = dir.path().join("patient");
    let (init, code) = registered_patient(&patient, genesis, &api);
    let address = init["address"].as_str().expect("address").to_owned();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let issued = runtime.block_on(devnet.issue(&code, &fixture(NED)));

    // Three guardians, each with a share code made for Ana.
    let mut guardians = Vec::new();
    let mut codes = Vec::new();
    for name in ["sister", "brother", "friend"] {
        let wallet = dir.path().join(name);
        json_of(medwallet(&wallet, &["init", "--json"]));
        run(&wallet, &["register", "--genesis", genesis], &api);
        let made = run(&wallet, &["share-code", "--for", "Ana"], &api);
        codes.push(made["share_code"].as_str().expect("code").to_owned());
        guardians.push(wallet);
    }
    let mut set = vec![
        "set-guardians",
        "--threshold",
        "2",
        "--delay",
        "3s",
        "--name",
        "Ana",
    ];
    set.extend(codes.iter().map(String::as_str));
    let named = run(&patient, &set, &api);
    assert_eq!(named["guardians"], 3);
    // A delay shorter than the chain's least is refused by the ledger.
    let mut short = vec![
        "set-guardians",
        "--threshold",
        "2",
        "--delay",
        "1s",
        "--name",
        "Ana",
    ];
    short.extend(codes.iter().map(String::as_str));
    let refused = medwallet(&patient, &[short.as_slice(), &["--node", &api]].concat());
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("recovery_delay_too_short"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let held = run(&guardians[0], &["guarding"], &api);
    assert_eq!(held[0]["label"], "Ana");
    assert_eq!(held[0]["patient"], address.as_str());

    // The words are lost. A new device asks.
    let device = dir.path().join("device");
    let started = run(
        &device,
        &[
            "recover",
            "start",
            "--account",
            &address,
            "--genesis",
            genesis,
        ],
        &api,
    );
    let device_code = started["device_code"].as_str().expect("code").to_owned();
    // The patient's own devices are told, at their next sync.
    let synced = medwallet(&patient, &["sync", "--node", &api]);
    assert!(synced.status.success());
    assert!(
        String::from_utf8_lossy(&synced.stderr).contains(&device_code),
        "the sync warns of the recovery"
    );
    let mine = run(&patient, &["guardians"], &api);
    assert_eq!(mine["recovery"]["stage"], "waiting_for_approvals");

    // A guardian given another code approves nothing.
    let wrong = medwallet(
        &guardians[0],
        &[
            "approve-recovery",
            "--account",
            &address,
            "--device-code",
            "0000-0000-0000-0000-0000",
            "--node",
            &api,
        ],
    );
    assert!(!wrong.status.success());
    for guardian in &guardians[..2] {
        run(
            guardian,
            &[
                "approve-recovery",
                "--account",
                &address,
                "--device-code",
                &device_code,
            ],
            &api,
        );
    }
    // Until the shares are out, the device has nothing to finish with.
    assert!(
        !medwallet(&device, &["recover", "finish", "--node", &api])
            .status
            .success()
    );

    // After the delay each approving guardian releases its share.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut pending: Vec<&Path> = guardians[..2].iter().map(|g| g.as_path()).collect();
    while !pending.is_empty() {
        assert!(Instant::now() < deadline, "the shares were never released");
        std::thread::sleep(Duration::from_millis(500));
        pending.retain(|g| {
            let released = run(g, &["release-shares"], &api);
            released["released"].as_array().is_none_or(Vec::is_empty)
        });
    }
    let status = run(&device, &["recover", "status"], &api);
    assert_eq!(status["stage"], "ready");

    let finished = run(&device, &["recover", "finish"], &api);
    assert_eq!(finished["accounts"], 1);
    assert_eq!(finished["guardians_kept"], 3);
    assert!(
        finished["mnemonic"]
            .as_str()
            .is_some_and(|w| w.split(' ').count() == 24)
    );
    let records = json_of(medwallet(&device, &["records", "--json"]));
    assert_eq!(records.as_array().map(Vec::len), Some(issued.len()));
    let id = records[0]["id"].as_str().expect("id").to_owned();
    let shown = medwallet(&device, &["show", &id, "--node", &api]);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let after = run(&device, &["guardians"], &api);
    assert_eq!(after["recovery"]["stage"], "completed");
    assert_eq!(after["guardians"].as_array().map(Vec::len), Some(3));

    // The lost phrase's wallet (still on the old laptop) signs for nothing.
    let stale = medwallet(&patient, &["cancel-recovery", "--node", &api]);
    assert!(!stale.status.success());
    assert!(String::from_utf8_lossy(&stale.stderr).contains("key_retired"));
}
