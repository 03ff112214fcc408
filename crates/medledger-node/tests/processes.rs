//! Real `medledger` processes on loopback: four validators under a steady transaction load;
//! one is killed with SIGKILL, the others keep finalizing; it restarts and catches up; another
//! is stopped with SIGTERM under load, exits 0 after draining, and restarts with everything;
//! no transaction a node acknowledged as committed is ever lost.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use medledger_client::transaction::sign;
use medledger_types::codec::Canonical;
use medledger_types::hash::{ChainId, PublicKey, ReceivingKey};
use medledger_types::tx::{SignedTx, TxBody};
use medwallet_crypto::{AccountKeys, RecoveryPhrase, SigningKey};
use serde_json::Value;

mod common;
use common::{Node, free_base_port, get, height, wait_until};

const N: usize = 4;

/// Where a signed blob request to `node` goes: its chain and node key, from its status.
fn target(
    client: &reqwest::blocking::Client,
    node: &Node,
) -> medledger_types::blob_request::Target {
    let status = get(client, &format!("{}/v1/status", node.api)).expect("status");
    let hex32 = |field: &str| {
        let mut out = [0u8; 32];
        hex::decode_to_slice(status[field].as_str().expect(field), &mut out).expect("hex");
        out
    };
    medledger_types::blob_request::Target {
        chain: ChainId(hex32("chain_id")),
        node: medledger_types::hash::PublicKey(hex32("node_key")),
    }
}

/// A nonce no earlier request of this test used.
fn nonce() -> [u8; medledger_types::blob_request::NONCE_LEN] {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let mut out = [0u8; medledger_types::blob_request::NONCE_LEN];
    out[..8].copy_from_slice(
        &NEXT
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            .to_be_bytes(),
    );
    out
}

/// The node's metrics: the OpenMetrics content type, one `# EOF` at the end, our gauges; and,
/// where `make test` provides the Prometheus project's Python client, its strict parser reads
/// every family.
fn check_metrics(client: &reqwest::blocking::Client, node: &Node) {
    let response = client.get(&node.metrics).send().expect("metrics");
    assert_eq!(
        response.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let text = response.text().expect("text");
    assert!(
        text.ends_with("# EOF\n") && text.matches("# EOF").count() == 1,
        "{text}"
    );
    assert!(text.contains("medledger_committed_timestamp_seconds "));
    let Some(python) = std::env::var_os("MEDWALLET_INTEROP_PYTHON") else {
        eprintln!(
            "MEDWALLET_INTEROP_PYTHON is not set: the Prometheus parser is skipped (make test runs it)"
        );
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/check_metrics.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python");
    assert!(
        out.status.success(),
        "the Prometheus parser refused the exposition: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let families: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(families["medledger_committed_height"], "gauge");
    assert_eq!(families["medledger_committed_timestamp_seconds"], "gauge");
    assert_eq!(families["medledger_mempool_txs"], "gauge");
}

fn patient_tx(chain: ChainId, i: u32) -> SignedTx {
    let mut seed = [0u8; 32];
    seed[..4].copy_from_slice(&i.to_be_bytes());
    seed[31] = 0xaa;
    sign(
        &SigningKey::from_bytes(&seed),
        chain,
        0,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([1; 32]),
        },
    )
}

/// The clinic registered at genesis (its keys from a fixed phrase: tests only).
fn clinic() -> AccountKeys {
    AccountKeys::derive(&RecoveryPhrase::from_entropy(&[0xc1; 32]))
}

/// Submits `txs` round-robin to the given nodes; returns the ids that were accepted.
fn submit(client: &reqwest::blocking::Client, nodes: &[&Node], txs: &[SignedTx]) -> Vec<String> {
    let mut accepted = Vec::new();
    for (i, tx) in txs.iter().enumerate() {
        let node = nodes[i % nodes.len()];
        let body = serde_json::json!({ "tx": hex::encode(tx.encode()) });
        if let Ok(r) = client
            .post(format!("{}/v1/txs", node.api))
            .json(&body)
            .timeout(Duration::from_secs(5))
            .send()
            && r.status().as_u16() == 202
        {
            accepted.push(tx.id().to_hex());
        }
    }
    accepted
}

/// Waits for each id to be committed on `node`; returns (id, height) pairs.
fn committed(
    client: &reqwest::blocking::Client,
    node: &Node,
    ids: &[String],
) -> Vec<(String, u64)> {
    ids.iter()
        .filter_map(|id| {
            let status = get(client, &format!("{}/v1/txs/{id}?wait_ms=30000", node.api))?;
            status["height"].as_u64().map(|h| (id.clone(), h))
        })
        .collect()
}

fn setup(dir: &Path) -> (Vec<Node>, ChainId) {
    setup_with(dir, N)
}

/// A testnet of `validators` validators with the test clinic at genesis, not started.
fn setup_with(dir: &Path, validators: usize) -> (Vec<Node>, ChainId) {
    let base = free_base_port(validators);
    let out = dir.join("net");
    let status = Command::new(env!("CARGO_BIN_EXE_medledger"))
        .args([
            "testnet",
            "--validators",
            &validators.to_string(),
            "--base-port",
            &base.to_string(),
            "--clinic",
            &format!("Demo Clinic={}", clinic().public().share_code()),
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::piped())
        .output()
        .expect("testnet");
    assert!(
        status.status.success(),
        "testnet failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let summary: Value = serde_json::from_slice(&status.stdout).expect("summary JSON");
    let chain = ChainId::from_hex(summary["chain_id"].as_str().expect("chain id")).expect("hex");
    let nodes = (0..validators)
        .map(|i| Node {
            home: out.join(format!("node{i}")),
            api: summary["nodes"][i]["api"].as_str().expect("api").to_owned(),
            metrics: summary["nodes"][i]["metrics"]
                .as_str()
                .expect("metrics")
                .to_owned(),
            child: None,
            log: dir.join(format!("node{i}.log")),
        })
        .collect();
    (nodes, chain)
}

#[test]
fn a_killed_validator_does_not_stop_the_chain_and_nothing_final_is_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut nodes, chain) = setup(dir.path());
    for node in &mut nodes {
        node.start();
    }
    let client = reqwest::blocking::Client::new();
    wait_until("the network to finalize", Duration::from_secs(60), || {
        nodes
            .iter()
            .all(|n| height(&client, n).is_some_and(|h| h >= 2))
    });

    // Ready, and its metrics are one valid OpenMetrics exposition on their own listener.
    let ready = get(&client, &format!("{}/readyz", nodes[0].api)).expect("readyz");
    assert_eq!(ready["ready"], true, "{ready}");
    check_metrics(&client, &nodes[0]);

    // Load before the crash.
    let first: Vec<SignedTx> = (0..60).map(|i| patient_tx(chain, i)).collect();
    let refs: Vec<&Node> = nodes.iter().collect();
    let accepted_before = submit(&client, &refs, &first);
    assert_eq!(
        accepted_before.len(),
        first.len(),
        "every valid transaction is accepted"
    );
    let final_before = committed(&client, &nodes[0], &accepted_before);
    assert_eq!(
        final_before.len(),
        accepted_before.len(),
        "all committed before the crash"
    );

    // kill -9 one validator while load continues; three of four still finalize.
    nodes[3].kill();
    let h_at_kill = height(&client, &nodes[0]).expect("height");
    let second: Vec<SignedTx> = (60..120).map(|i| patient_tx(chain, i)).collect();
    let survivors: Vec<&Node> = nodes[..3].iter().collect();
    let accepted_during = submit(&client, &survivors, &second);
    assert_eq!(accepted_during.len(), second.len());
    let final_during = committed(&client, &nodes[1], &accepted_during);
    assert_eq!(
        final_during.len(),
        accepted_during.len(),
        "the chain kept finalizing without node 3"
    );
    assert!(height(&client, &nodes[0]).expect("height") > h_at_kill);

    // Restart: it catches up from its peers.
    nodes[3].start();
    let target = height(&client, &nodes[0]).expect("height");
    wait_until(
        "the restarted node to catch up",
        Duration::from_secs(90),
        || height(&client, &nodes[3]).is_some_and(|h| h >= target),
    );

    // No transaction acknowledged as committed is lost, anywhere, and all agree on its height.
    for (id, h) in final_before.iter().chain(&final_during) {
        for node in &nodes {
            let status = get(&client, &format!("{}/v1/txs/{id}", node.api)).expect("status");
            assert_eq!(status["status"], "committed", "{id} lost on {}", node.api);
            assert_eq!(
                status["height"].as_u64(),
                Some(*h),
                "{id} at different heights"
            );
        }
    }
    let tip = height(&client, &nodes[3]).expect("height");
    // Every node has reached that height (one may be a block behind the one asked).
    wait_until("every node at the tip", Duration::from_secs(30), || {
        nodes
            .iter()
            .all(|n| height(&client, n).is_some_and(|h| h >= tip))
    });
    let hashes: Vec<Value> = nodes
        .iter()
        .map(|n| {
            get(&client, &format!("{}/v1/headers/{tip}", n.api)).expect("header")["hash"].clone()
        })
        .collect();
    assert!(
        hashes.windows(2).all(|w| w[0] == w[1]),
        "nodes disagree at height {tip}"
    );

    // SIGTERM under load: the node drains, stops consensus and exits 0; restarted, it has
    // every block it had committed and catches up on the rest.
    let third: Vec<SignedTx> = (120..180).map(|i| patient_tx(chain, i)).collect();
    let (before_stop, after_stop) = third.split_at(30);
    let all: Vec<&Node> = nodes.iter().collect();
    let accepted_third = submit(&client, &all, before_stop);
    let stopped_at = height(&client, &nodes[2]).expect("height");
    let status = nodes[2].terminate(Duration::from_secs(30));
    assert!(status.success(), "SIGTERM exits 0, not {status}");
    let log = std::fs::read_to_string(&nodes[2].log).expect("log");
    assert!(
        log.contains("SIGTERM: shutting down") && log.contains("stopped"),
        "{log}"
    );
    let others: Vec<&Node> = [&nodes[0], &nodes[1], &nodes[3]].into_iter().collect();
    let mut accepted_third = accepted_third;
    accepted_third.extend(submit(&client, &others, after_stop));
    let final_third = committed(&client, &nodes[0], &accepted_third);
    assert_eq!(final_third.len(), accepted_third.len());
    nodes[2].start();
    wait_until(
        "the stopped node to serve again",
        Duration::from_secs(60),
        || height(&client, &nodes[2]).is_some_and(|h| h >= stopped_at),
    );
    let target = height(&client, &nodes[0]).expect("height");
    wait_until(
        "the stopped node to catch up",
        Duration::from_secs(90),
        || height(&client, &nodes[2]).is_some_and(|h| h >= target),
    );
    for (id, h) in final_before.iter().chain(&final_during).chain(&final_third) {
        let status = get(&client, &format!("{}/v1/txs/{id}", nodes[2].api)).expect("status");
        assert_eq!(
            status["status"], "committed",
            "{id} lost by the stopped node"
        );
        assert_eq!(status["height"].as_u64(), Some(*h));
    }
}

#[test]
fn a_blob_uploaded_to_one_node_is_replicated_to_the_others() {
    use medledger_client::BlobRequest;
    use medledger_client::blob_request::upload_auth;
    use medledger_types::blob_request::AUTH_HEADER;
    use medledger_types::hash::{Address, RecordId, Sha256Digest};
    use medledger_types::tx::{WRAPPED_KEY_LEN, WrappedKey};
    use sha2::Digest;

    let dir = tempfile::tempdir().expect("tempdir");
    let (mut nodes, chain) = setup(dir.path());
    for node in &mut nodes {
        node.start();
    }
    let client = reqwest::blocking::Client::new();
    wait_until("the network to finalize", Duration::from_secs(60), || {
        nodes
            .iter()
            .all(|n| height(&client, n).is_some_and(|h| h >= 2))
    });

    let clinic = clinic();
    let patient = SigningKey::from_bytes(&[0x77; 32]);
    let patient_pub = PublicKey(patient.verifying_key().to_bytes());
    let sign = |k: &SigningKey, nonce: u64, body: TxBody| sign(k, chain, nonce, body);
    let post = |node: &Node, tx: &SignedTx| {
        let r = client
            .post(format!("{}/v1/txs", node.api))
            .json(&serde_json::json!({ "tx": hex::encode(tx.encode()) }))
            .send()
            .expect("post");
        assert_eq!(r.status().as_u16(), 202, "{}", r.text().unwrap_or_default());
        let id = tx.id().to_hex();
        let status =
            get(&client, &format!("{}/v1/txs/{id}?wait_ms=30000", node.api)).expect("status");
        assert_eq!(status["status"], "committed");
    };
    post(
        &nodes[0],
        &sign(
            &patient,
            0,
            TxBody::RegisterPatient {
                receiving: ReceivingKey([5; 32]),
            },
        ),
    );

    let mut blob = b"an encrypted FHIR bundle, in spirit".repeat(100);
    blob.resize(4096, 0); // a size bucket, as the rules require
    let hash = Sha256Digest(sha2::Sha256::digest(&blob).into());
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_millis() as u64
    };
    let r = client
        .put(format!("{}/v1/blobs/{}", nodes[0].api, hash.to_hex()))
        .header(
            AUTH_HEADER,
            upload_auth(
                clinic.signing_key(),
                &target(&client, &nodes[0]),
                &hash,
                now(),
                nonce(),
            ),
        )
        .body(blob.clone())
        .send()
        .expect("put");
    assert_eq!(r.status().as_u16(), 201);
    let clinic_addr = Address::of(&PublicKey(clinic.signing_key().verifying_key().to_bytes()));
    let record = RecordId::derive(&clinic_addr, 0);
    post(
        &nodes[0],
        &sign(
            clinic.signing_key(),
            0,
            TxBody::IssueRecord {
                record,
                patient: Address::of(&patient_pub),
                ciphertext_sha256: hash,
                ciphertext_len: blob.len() as u64,
                wrapped_key: WrappedKey([1; WRAPPED_KEY_LEN]),
                metadata: vec![0; 1024],
            },
        ),
    );

    // The patient asks node 2, which never received the upload.
    let mut served = None;
    wait_until(
        "node 2 to replicate the blob",
        Duration::from_secs(30),
        || {
            let auth = BlobRequest::new(&patient, hash, record, None, now())
                .auth_for(&target(&client, &nodes[2]), nonce());
            let r = client
                .get(format!(
                    "{}/v1/blobs/{}?record={}",
                    nodes[2].api,
                    hash.to_hex(),
                    record.to_hex()
                ))
                .header(AUTH_HEADER, auth)
                .send()
                .expect("get");
            if r.status().as_u16() == 200 {
                served = Some(r.bytes().expect("body").to_vec());
                true
            } else {
                false
            }
        },
    );
    assert_eq!(served, Some(blob), "the replicated copy is byte-identical");
}

#[test]
fn each_kind_of_failure_has_its_exit_status_and_json_logs_are_json() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_medledger"))
            .args(args)
            .output()
            .expect("medledger")
    };
    // Usage.
    assert_eq!(run(&["start", "--no-such-flag"]).status.code(), Some(2));
    // A home with no files: nothing to read.
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing");
    let out = run(&["start", "--home", missing.to_str().expect("utf8")]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A valid home whose API port is taken: a network failure, logged as one JSON object.
    let (nodes, _) = setup(dir.path());
    let api = nodes[0].api.trim_start_matches("http://").to_owned();
    let _taken = TcpListener::bind(&api).expect("take the API port");
    let out = run(&[
        "--log-format",
        "json",
        "start",
        "--home",
        nodes[0].home.to_str().expect("utf8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["level"] == "ERROR"
            && l["fields"]["message"] == "cannot listen for the API"),
        "{lines:?}"
    );
}

/// The API against its own OpenAPI document, by Schemathesis (PyPI), on a real one-validator
/// node: every operation with generated valid and invalid input, every check (no server error,
/// every status and content type documented, every response matching its schema, invalid input
/// refused, valid input accepted except where only a key holder could make it; see
/// tests/interop/schemathesis.toml), blob requests signed by the test chain's clinic
/// (tests/interop/schemathesis_hooks.py). `make test` provides the Python that has it.
#[test]
fn the_api_keeps_its_openapi_contract_under_schemathesis() {
    let Some(python) = std::env::var_os("MEDWALLET_INTEROP_PYTHON") else {
        eprintln!(
            "MEDWALLET_INTEROP_PYTHON is not set: Schemathesis is skipped (make test runs it)"
        );
        return;
    };
    let schemathesis = Path::new(&python).with_file_name("schemathesis");
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut nodes, _) = setup_with(dir.path(), 1);
    nodes[0].start();
    let client = reqwest::blocking::Client::new();
    wait_until("a finalized block", Duration::from_secs(60), || {
        height(&client, &nodes[0]).is_some_and(|h| h >= 2)
    });
    let interop = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop");
    let out = Command::new(&schemathesis)
        .arg("--config-file")
        .arg(interop.join("schemathesis.toml"))
        .args(["run", &format!("{}/v1/openapi.json", nodes[0].api)])
        .env("PYTHONPATH", &interop)
        .env("MEDLEDGER_API", &nodes[0].api)
        .env(
            "MEDLEDGER_CLINIC_SEED",
            hex::encode(clinic().signing_key().to_bytes()),
        )
        .env("NO_COLOR", "1")
        .output()
        .expect("run schemathesis");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Schemathesis found the API breaking its contract:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every operation ran (none skipped for want of data), the signed ones included.
    assert!(report.contains("Tested: 24"), "{report}");
}

/// An operator's first step on a new machine: `medledger keygen` makes the node's key, readable
/// by its owner only, prints the public key the consortium lists, and never replaces a key.
#[test]
fn keygen_writes_a_private_key_once_and_prints_its_public_key() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("medledger");
    let keygen = || {
        Command::new(env!("CARGO_BIN_EXE_medledger"))
            .args(["keygen", "--home"])
            .arg(&home)
            .output()
            .expect("keygen")
    };
    let first = keygen();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let public = String::from_utf8_lossy(&first.stdout).trim().to_owned();
    assert!(
        public.len() == 64 && hex::decode(&public).is_ok(),
        "{public}"
    );
    let key = std::fs::read(home.join("node.key")).expect("node.key");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&home.join("node.key")), 0o600);
    // The key is the one printed: the seed's public key.
    let file: Value = serde_json::from_slice(&key).expect("key json");
    let mut seed = [0u8; 32];
    hex::decode_to_slice(file["ed25519_seed"].as_str().expect("seed"), &mut seed).expect("hex");
    assert_eq!(
        hex::encode(SigningKey::from_bytes(&seed).verifying_key().to_bytes()),
        public
    );
    // Again: refused, and the key is untouched.
    let again = keygen();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("node.key"));
    assert_eq!(std::fs::read(home.join("node.key")).expect("node.key"), key);
}
