//! `medwallet` against a real (in-process, single-validator) node.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use medledger_devnet::{Devnet, NED, fixture};
use serde_json::Value;

mod common;
#[path = "common/doctor.rs"]
mod doctor;
#[path = "common/on_node.rs"]
mod on_node;

use common::{json_of, medwallet};
use doctor::register_doctor;

/// A network of `validators` in-process validators (the shared devnet) and node 0's API.
fn network(dir: &Path, validators: usize) -> (Devnet, String) {
    let devnet = Devnet::start(dir, validators);
    let api = devnet.api().to_owned();
    (devnet, api)
}

fn node(dir: &Path) -> (Devnet, String) {
    network(dir, 1)
}

fn share_code(v: &Value) -> medwallet_crypto::ShareCode {
    v["share_code"]
        .as_str()
        .expect("code")
        .parse()
        .expect("share code")
}

#[test]
fn register_submits_once_and_explains_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (devnet, api) = node(dir.path());
    let genesis = devnet.genesis_path();
    let genesis = genesis.to_str().expect("utf8");
    let wallet = dir.path().join("w");
    assert!(medwallet(&wallet, &["init"]).status.success());

    let no_node = medwallet(&wallet, &["register"]);
    assert!(!no_node.status.success());
    assert!(String::from_utf8_lossy(&no_node.stderr).contains("no node"));

    let no_anchor = medwallet(&wallet, &["register", "--node", &api]);
    assert!(String::from_utf8_lossy(&no_anchor.stderr).contains("--genesis"));
    let out = medwallet(
        &wallet,
        &["register", "--json", "--node", &api, "--genesis", genesis],
    );
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
    let (devnet, api) = node(dir.path());
    let wallet = dir.path().join("patient");
    let init: Value =
        serde_json::from_slice(&medwallet(&wallet, &["init", "--json"]).stdout).expect("json");
    let genesis = devnet.genesis_path();
    let fresh = medwallet(&wallet, &["sync", "--node", &api]);
    assert!(
        String::from_utf8_lossy(&fresh.stderr).contains("--genesis"),
        "no trust anchor yet"
    );
    let bogus = dir.path().join("bogus.json");
    std::fs::write(&bogus, b"not a genesis").expect("write");
    let refused = medwallet(
        &wallet,
        &[
            "register",
            "--node",
            &api,
            "--genesis",
            bogus.to_str().expect("utf8"),
        ],
    );
    assert!(
        !refused.status.success(),
        "a file that is no genesis is refused"
    );
    assert!(
        !wallet.join("genesis.json").exists(),
        "and nothing is adopted"
    );
    assert!(
        medwallet(
            &wallet,
            &[
                "register",
                "--node",
                &api,
                "--genesis",
                genesis.to_str().expect("utf8")
            ]
        )
        .status
        .success()
    );

    let fhir = fixture(NED);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let issued = runtime.block_on(devnet.issue(&share_code(&init), &fhir));
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

    // Another chain's genesis does not silently replace the trust anchor.
    let mut other: Value =
        serde_json::from_slice(&std::fs::read(&genesis).expect("genesis")).expect("json");
    other["chain_name"] = Value::String("another-chain".into());
    let other_path = dir.path().join("other-genesis.json");
    std::fs::write(&other_path, other.to_string()).expect("write");
    let other_path = other_path.to_str().expect("utf8");
    let anchored = std::fs::read(wallet.join("genesis.json")).expect("anchor");
    let refused = medwallet(&wallet, &["sync", "--node", &api, "--genesis", other_path]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("--switch-chain") && err.contains("trusts chain"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(wallet.join("genesis.json")).expect("anchor"),
        anchored,
        "the anchor is unchanged"
    );
    assert_eq!(
        json_list(&medwallet(&wallet, &["records", "--json"])),
        drafts.len(),
        "nothing was set aside"
    );
    // Asked for explicitly, the wallet trusts the other chain and sets the old records aside.
    let switched = medwallet(
        &wallet,
        &[
            "sync",
            "--node",
            &api,
            "--genesis",
            other_path,
            "--switch-chain",
        ],
    );
    assert!(String::from_utf8_lossy(&switched.stderr).contains("set aside"));
    assert_ne!(
        std::fs::read(wallet.join("genesis.json")).expect("anchor"),
        anchored
    );
    assert_eq!(json_list(&medwallet(&wallet, &["records", "--json"])), 0);
}

fn json_list(out: &Output) -> usize {
    serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v.as_array().map(Vec::len))
        .unwrap_or(usize::MAX)
}

const FOLLOW_UP: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:enc-new","resource":{"resourceType":"Encounter","id":"enc-new","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"type":[{"text":"Follow-up visit"}],"period":{"start":"2026-11-01T10:00:00Z"}}},
 {"fullUrl":"urn:uuid:obs-new","resource":{"resourceType":"Observation","id":"obs-new","status":"final","code":{"text":"Hemoglobin A1c"},"encounter":{"reference":"urn:uuid:enc-new"},"valueQuantity":{"value":6.1,"unit":"%"}}}
]}"#;

#[test]
fn the_whole_story_issue_sync_grant_share_revoke_and_the_access_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (devnet, api) = network(dir.path(), 4);
    let genesis = devnet.genesis_path();
    let genesis = genesis.to_str().expect("utf8");
    let patient = dir.path().join("patient");
    let doctor = dir.path().join("doctor");
    let p = json_of(medwallet(&patient, &["init", "--json"]));
    json_of(medwallet(
        &patient,
        &["register", "--json", "--node", &api, "--genesis", genesis],
    ));

    // The clinic registers the doctor and issues the patient's history, one record per visit.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let patient_code = share_code(&p);
    // The doctor consents in their own wallet; the clinic cannot register them without it.
    let d = register_doctor(&devnet, &doctor, genesis, &runtime);
    let fhir = fixture(NED);
    runtime.block_on(devnet.issue(&patient_code, &fhir));
    let drafts = medwallet_fhir::records_from(&fhir, true).expect("split");

    // The patient syncs, lists, opens and byte-compares.
    json_of(medwallet(
        &patient,
        &["sync", "--json", "--node", &api, "--genesis", genesis],
    ));
    let records = json_of(medwallet(&patient, &["records", "--json"]));
    let records = records.as_array().expect("list").clone();
    assert_eq!(records.len(), drafts.len());
    let first = dir.path().join("first.json");
    assert!(
        medwallet(
            &patient,
            &[
                "show",
                records[0]["id"].as_str().expect("id"),
                "--node",
                &api,
                "--out",
                first.to_str().expect("utf8")
            ]
        )
        .status
        .success()
    );
    assert_eq!(std::fs::read(&first).expect("read"), drafts[0].bytes);
    // Opened once, it opens offline: the ciphertext is cached and checked against the ledger hash.
    let offline = dir.path().join("offline.json");
    let shown = medwallet(
        &patient,
        &[
            "show",
            records[0]["id"].as_str().expect("id"),
            "--node",
            "http://127.0.0.1:9",
            "--out",
            offline.to_str().expect("utf8"),
        ],
    );
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert_eq!(std::fs::read(&offline).expect("read"), drafts[0].bytes);

    // My summary: an IPS document of the verified records, saved as FHIR and as a printable page.
    let (ips, page) = (dir.path().join("ips.json"), dir.path().join("ips.html"));
    let summary = json_of(medwallet(
        &patient,
        &[
            "summary",
            "--json",
            "--node",
            &api,
            "--out",
            ips.to_str().expect("utf8"),
            "--html",
            page.to_str().expect("utf8"),
        ],
    ));
    let saved: Value = serde_json::from_slice(&std::fs::read(&ips).expect("ips")).expect("json");
    assert_eq!(saved, summary["bundle"]);
    assert_eq!(saved["type"], "document");
    medwallet_fhir::validate(&std::fs::read(&ips).expect("ips")).expect("valid FHIR R4");
    let keys: Vec<&str> = summary["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(&keys[..3], ["problems", "allergies", "medications"]);
    assert!(
        std::fs::read_to_string(&page)
            .expect("page")
            .contains("International Patient Summary")
    );

    // Grant the doctor the "encounter" category.
    let grant = json_of(medwallet(
        &patient,
        &[
            "grant",
            "--json",
            "--node",
            &api,
            "--doctor",
            d["address"].as_str().expect("addr"),
            "--category",
            "encounter",
        ],
    ));
    assert_eq!(
        grant["doctor"]["name"], "Dr. Grey",
        "the doctor's name is shown as the ledger proves it"
    );
    let grant_id = grant["grant_id"].as_str().expect("id").to_owned();
    let encounters: Vec<&Value> = records
        .iter()
        .filter(|r| r["category"] == "encounter")
        .collect();
    let other = records
        .iter()
        .find(|r| r["category"] != "encounter")
        .expect("a non-visit record");
    assert_eq!(
        grant["records_shared"].as_u64(),
        Some(encounters.len() as u64)
    );

    // The doctor sees those and only those, and opens them byte-identical.
    json_of(medwallet(
        &doctor,
        &["sync", "--json", "--node", &api, "--genesis", genesis],
    ));
    let shared = json_of(medwallet(&doctor, &["shared", "--json", "--node", &api]));
    assert_eq!(shared.as_array().expect("list").len(), encounters.len());
    let target = encounters[0]["id"].as_str().expect("id");
    let index = records
        .iter()
        .position(|r| r["id"] == target)
        .expect("index");
    let seen = dir.path().join("doctor-view.json");
    let shown = medwallet(
        &doctor,
        &[
            "show",
            target,
            "--node",
            &api,
            "--out",
            seen.to_str().expect("utf8"),
        ],
    );
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert_eq!(std::fs::read(&seen).expect("read"), drafts[index].bytes);
    let refused = medwallet(
        &doctor,
        &["show", other["id"].as_str().expect("id"), "--node", &api],
    );
    assert!(
        !refused.status.success(),
        "a record outside the grant is not available to the doctor"
    );

    // A new visit in that category reaches the doctor after the patient's next sync.
    let issued = runtime.block_on(devnet.issue(&patient_code, FOLLOW_UP.as_bytes()));
    let synced = json_of(medwallet(&patient, &["sync", "--json", "--node", &api]));
    // The visit splits in two records (the visit, and its uncategorized observation): only
    // the visit is in the grant's category.
    assert_eq!(
        (synced["new"].as_u64(), synced["keys_shared"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(issued[0].category, "encounter");
    let new_id = issued[0].record_id.clone();
    let shared = json_of(medwallet(&doctor, &["shared", "--json", "--node", &api]));
    assert!(
        shared
            .as_array()
            .expect("list")
            .iter()
            .any(|r| r["record"] == new_id.as_str())
    );
    let follow_up = dir.path().join("follow-up.json");
    assert!(
        medwallet(
            &doctor,
            &[
                "show",
                &new_id,
                "--node",
                &api,
                "--out",
                follow_up.to_str().expect("utf8")
            ]
        )
        .status
        .success()
    );
    assert_eq!(
        std::fs::read(&follow_up).expect("read"),
        medwallet_fhir::records_from(FOLLOW_UP.as_bytes(), true).expect("split")[0].bytes
    );

    // The access log shows the doctor's fetches (receipts are finalized by the serving node).
    let doctor_address: medwallet_crypto::Bech32Address = d["address"]
        .as_str()
        .expect("addr")
        .parse()
        .expect("address");
    let doctor_address = doctor_address.account().to_hex();
    let mut log = Value::Null;
    for _ in 0..100 {
        log = json_of(medwallet(
            &patient,
            &["access-log", "--json", "--node", &api],
        ));
        if log.as_array().is_some_and(|l| l.len() >= 2) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = log.as_array().expect("log");
    assert!(log.len() >= 2, "{log:?}");
    assert!(log.iter().all(|e| e["doctor"] == doctor_address.as_str()));
    assert!(
        log.iter().all(|e| e["grantee"] != doctor_address.as_str()),
        "on the ledger the receipts name the grant's pairwise key, not the doctor"
    );
    assert!(
        log.iter().any(|e| e["record"] == target)
            && log.iter().any(|e| e["record"] == new_id.as_str())
    );

    // Revoke: the doctor is refused from now on, and the wallet says what revocation cannot do.
    let revoked = medwallet(&patient, &["revoke", &grant_id, "--node", &api]);
    assert!(revoked.status.success());
    assert!(String::from_utf8_lossy(&revoked.stdout).contains("cannot be taken back"));
    let after = medwallet(&doctor, &["show", target, "--node", &api]);
    assert!(!after.status.success());
    assert!(
        String::from_utf8_lossy(&after.stderr).contains("revoked"),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
    let grants = json_of(medwallet(&patient, &["grants", "--json", "--node", &api]));
    assert_eq!(grants[0]["status"], "revoked");
}

#[test]
fn a_file_record_is_listed_as_a_file_and_saved_byte_for_byte_only_with_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (devnet, api) = node(dir.path());
    let wallet = dir.path().join("patient");
    let genesis = devnet.genesis_path();
    let (_, code) = on_node::registered_patient(&wallet, genesis.to_str().expect("utf8"), &api);
    // Past one envelope chunk and ending in what looks like padding.
    let mut study: Vec<u8> = (0..2_500_000u32).map(|i| (i % 241) as u8).collect();
    study.extend_from_slice(&[0x80, 0, 0, 0]);
    let path = dir.path().join("knee-mr.dcm");
    std::fs::write(&path, &study).expect("write");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let issued = runtime.block_on(devnet.issue_file(&code, &path, "application/dicom", "MR knee"));

    on_node::run(&wallet, &["sync"], &api);
    let records = on_node::run(&wallet, &["records"], &api);
    let listed = &records.as_array().expect("list")[0];
    assert_eq!(listed["id"], issued.record_id);
    assert_eq!(listed["file"]["name"], "knee-mr.dcm");
    assert_eq!(listed["file"]["contentType"], "application/dicom");

    let shown = medwallet(&wallet, &["show", &issued.record_id, "--node", &api]);
    assert!(!shown.status.success());
    let said = String::from_utf8_lossy(&shown.stderr);
    assert!(
        said.contains("knee-mr.dcm") && said.contains("--out"),
        "{said}"
    );

    let out = dir.path().join("saved.dcm");
    let out_arg = out.to_str().expect("utf8");
    let saved = on_node::run(
        &wallet,
        &["show", &issued.record_id, "--out", out_arg],
        &api,
    );
    assert_eq!(saved["size"], study.len());
    assert!(
        std::fs::read(&out).expect("saved") == study,
        "byte for byte"
    );
    let again = medwallet(
        &wallet,
        &["show", &issued.record_id, "--out", out_arg, "--node", &api],
    );
    assert!(!again.status.success(), "an existing file is not replaced");
    assert!(std::fs::read(&out).expect("kept") == study);

    // Shared with a doctor, who saves it the same way.
    let doctor = dir.path().join("doctor");
    let d = register_doctor(&devnet, &doctor, genesis.to_str().expect("utf8"), &runtime);
    let address = d["address"].as_str().expect("address");
    on_node::run(
        &wallet,
        &["grant", "--doctor", address, "--records", &issued.record_id],
        &api,
    );
    let shown = medwallet(&doctor, &["show", &issued.record_id, "--node", &api]);
    let said = String::from_utf8_lossy(&shown.stderr);
    assert!(!shown.status.success() && said.contains("--out"), "{said}");
    let theirs = dir.path().join("doctor.dcm");
    let theirs_arg = theirs.to_str().expect("utf8");
    on_node::run(
        &doctor,
        &["show", &issued.record_id, "--out", theirs_arg],
        &api,
    );
    assert!(
        std::fs::read(&theirs).expect("saved") == study,
        "byte for byte"
    );
}
