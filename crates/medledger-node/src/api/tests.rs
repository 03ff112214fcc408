use std::sync::Arc;

use jmt::RootHash;
use jmt::proof::SparseMerkleProof;
use medledger_state::store::{Ledger, key_hash};
use medledger_types::codec::Canonical;
use medledger_types::genesis::{Genesis, GenesisClinic, ValidatorSet};
use medledger_types::hash::{Address, ChainId, PublicKey, ReceivingKey, RecordId, Sha256Digest};
use medledger_types::state::StateKey;
use medledger_types::tx::{SignedTx, TxBody, WRAPPED_KEY_LEN, WrappedKey};
use medwallet_crypto::{Namespace, SigningKey};
use serde_json::{Value, json};

use super::*;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn public(k: &SigningKey) -> PublicKey {
    PublicKey(k.verifying_key().to_bytes())
}

fn sign(chain: ChainId, author: u8, nonce: u64, body: TxBody) -> SignedTx {
    medledger_client::transaction::sign(&key(author), chain, nonce, body)
}

const CLINIC: u8 = 10;
const PATIENT: u8 = 20;

/// The clinic's registration of doctor `doctor` as "Dr. Grey" (licence MD-1), with the
/// doctor's consent, as the clinic's transaction `nonce`.
fn register_doctor(chain: ChainId, nonce: u64, doctor: u8, receiving: ReceivingKey) -> SignedTx {
    let clinic = Address::of(&public(&key(CLINIC)));
    sign(
        chain,
        CLINIC,
        nonce,
        TxBody::RegisterDoctor {
            doctor: public(&key(doctor)),
            receiving,
            display_name: "Dr. Grey".into(),
            licence: "MD-1".into(),
            consent: medledger_client::doctor_consent::sign(
                &key(doctor),
                &receiving,
                chain,
                &clinic,
                "Dr. Grey",
                "MD-1",
            ),
        },
    )
}

struct Server {
    base: String,
    heights: tokio::sync::watch::Sender<u64>,
    ledger: Arc<Ledger>,
    mempool: Arc<Mempool>,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// The test chain's genesis.
fn genesis() -> Genesis {
    Genesis {
        chain_name: "api-test".into(),
        timestamp_ms: 1_000,
        validators: ValidatorSet::new(vec![public(&key(1))]).expect("set"),
        clinics: vec![GenesisClinic {
            signing: public(&key(CLINIC)),
            receiving: ReceivingKey([1; 32]),
            name: "Clinic".into(),
        }],
        recovery_min_delay_ms: 1_000,
        // The validator's emergency key, derived from its node key as a node derives it.
        emergency_keys: vec![ReceivingKey(
            medwallet_crypto::emergency::validator_identity(&[NODE; 32])
                .to_recipient()
                .public_bytes(),
        )],
        epochs: medledger_types::epoch::Epochs::NONE,
    }
}

/// A node API over a ledger with one committed block that registers a patient.
async fn server() -> Server {
    server_as(NODE, Vec::new()).await
}

/// The test validator's key seed (its node key is `public(&key(NODE))`).
const NODE: u8 = 1;

/// The same API as node `seed` (a follower if `forward_to` is not empty).
async fn server_as(seed: u8, forward_to: Vec<medledger_client::NodeClient>) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = Arc::new(Ledger::open(&dir.path().join("l.redb"), genesis()).expect("open"));
    let chain = ledger.chain_id();
    let register = sign(
        chain,
        PATIENT,
        0,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([2; 32]),
        },
    );
    let block = ledger
        .build(&ledger.tip(), 2_000, &[register], &|_| false)
        .expect("build");
    ledger.commit(&block, Some(b"cert")).expect("commit");
    let (heights_tx, heights) = tokio::sync::watch::channel(1u64);
    let mempool = Arc::new(Mempool::new(chain, 100));
    let state = ApiState {
        mempool: mempool.clone(),
        ledger: ledger.clone(),
        heights,
        node_key: public(&key(seed)).0,
        blobs: Arc::new(
            crate::blobs::BlobStore::open(&dir.path().join("blobs"), 4096).expect("blobs"),
        ),
        peers: Arc::new(Default::default()),
        receipts: Arc::new(crate::receipts::ReceiptIssuer::new(&[seed; 32], forward_to)),
        seen: Arc::default(),
        links: Arc::new(crate::links::LinkDesk::new(false)),
        mailbox: Arc::default(),
        reads: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    Server {
        base,
        heights: heights_tx,
        ledger,
        mempool,
        client: reqwest::Client::new(),
        _dir: dir,
    }
}

impl Server {
    /// Finalizes a block of exactly `txs` at `timestamp_ms` (every one must apply).
    fn finalize(&self, timestamp_ms: u64, txs: &[SignedTx]) {
        let block = self
            .ledger
            .build(&self.ledger.tip(), timestamp_ms, txs, &|_| false)
            .expect("build");
        assert_eq!(block.txs.len(), txs.len(), "every transaction applies");
        self.ledger.commit(&block, None).expect("commit");
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn submit(&self, tx: &SignedTx) -> (u16, Value) {
        self.submit_raw(json!({ "tx": hex::encode(tx.encode()) }))
            .await
    }

    async fn submit_raw(&self, body: Value) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}/v1/txs", self.base))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

fn verify(proven: &Value, expected_root: &str) -> Result<(), String> {
    assert_eq!(proven["state_root"], expected_root);
    let proof: SparseMerkleProof<jmt_sha2::Sha256> =
        borsh::from_slice(&hex::decode(proven["proof"].as_str().expect("proof")).expect("hex"))
            .map_err(|e| e.to_string())?;
    let root: [u8; 32] = hex::decode(expected_root)
        .expect("hex")
        .try_into()
        .expect("32");
    let key = StateKey(hex::decode(proven["key"].as_str().expect("key")).expect("hex"));
    let value = proven["value"]
        .as_str()
        .map(|v| hex::decode(v).expect("hex"));
    proof
        .verify(RootHash(root), key_hash(&key), value.as_ref())
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn status_headers_and_ranges() {
    let s = server().await;
    let (code, status) = s.get("/v1/status").await;
    assert_eq!(code, 200);
    assert_eq!(status["height"], 1);
    assert_eq!(status["chain_id"], s.ledger.chain_id().to_hex());
    assert_eq!(
        status["latest_finalized"]["finalization"],
        hex::encode(b"cert")
    );
    let (code, header) = s.get("/v1/headers/1").await;
    assert_eq!(code, 200);
    let encoded = hex::decode(header["encoded"].as_str().expect("encoded")).expect("hex");
    let decoded = medledger_types::block::Header::decode(&encoded, 1024).expect("header");
    assert_eq!(decoded.hash().to_hex(), header["hash"]);
    let (code, range) = s.get("/v1/headers?from=0&to=5").await;
    assert_eq!(code, 200);
    assert_eq!(
        range.as_array().expect("list").len(),
        2,
        "clamped to the tip"
    );
    // An empty range has no headers; a long one is cut (here by the tip).
    let (code, none) = s.get("/v1/headers?from=5&to=1").await;
    assert_eq!((code, none.as_array().map(Vec::len)), (200, Some(0)));
    let (code, long) = s.get("/v1/headers?from=0&to=5000").await;
    assert_eq!((code, long.as_array().map(Vec::len)), (200, Some(2)));
    // An unknown query parameter is refused rather than ignored.
    let (code, unknown) = s.get("/v1/headers?from=0&to=1&limit=9").await;
    assert_eq!((code, unknown["code"].as_str()), (400, Some("bad_request")));
    let (code, missing) = s.get("/v1/headers/99").await;
    assert_eq!((code, missing["code"].as_str()), (404, Some("not_found")));
    assert_eq!(s.get("/v1/headers/abc").await.1["code"], "bad_height");
    let (code, block) = s.get("/v1/blocks/1").await;
    assert_eq!(code, 200);
    assert_eq!(block["tx_ids"].as_array().expect("ids").len(), 1);
    assert_eq!(
        s.get("/v1/validators").await.1["validators"][0],
        public(&key(1)).to_hex()
    );
    assert_eq!(s.get("/v1/nowhere").await.0, 404);
}

#[tokio::test]
async fn state_values_come_with_proofs_that_verify() {
    let s = server().await;
    let root = s.get("/v1/status").await.1["header"]["state_root"]
        .as_str()
        .expect("root")
        .to_owned();
    let patient = Address::of(&public(&key(PATIENT)));
    let present = hex::encode(&StateKey::account(&patient).0);
    let (code, proven) = s.get(&format!("/v1/state/{present}")).await;
    assert_eq!(code, 200);
    assert!(proven["value"].is_string());
    assert_eq!(verify(&proven, &root), Ok(()));
    let absent = hex::encode(&StateKey::account(&Address([9; 32])).0);
    let (_, proven) = s.get(&format!("/v1/state/{absent}")).await;
    assert!(proven["value"].is_null());
    assert_eq!(verify(&proven, &root), Ok(()), "exclusion proof");
    assert_eq!(s.get("/v1/state/zz").await.1["code"], "bad_hex");
    assert_eq!(
        s.get(&format!("/v1/state/{}", "00".repeat(300))).await.1["code"],
        "bad_key"
    );
    assert_eq!(s.get(&format!("/v1/state/{present}?height=7")).await.0, 404);

    let (code, records) = s
        .get(&format!("/v1/patients/{}/records", patient.to_hex()))
        .await;
    assert_eq!(code, 200);
    assert!(records["count"]["value"].is_null());
    assert_eq!(verify(&records["count"], &root), Ok(()));
    assert_eq!(records["records"].as_array().expect("list").len(), 0);
    assert_eq!(s.get("/v1/patients/xyz/records").await.1["code"], "bad_hex");
}

#[tokio::test]
async fn every_bad_transaction_gets_a_specific_error_and_changes_nothing() {
    let s = server().await;
    let chain = s.ledger.chain_id();
    assert_eq!(
        s.submit_raw(json!({ "tx": "zz" })).await.1["code"],
        "bad_hex"
    );
    assert_eq!(
        s.submit_raw(json!({ "tx": "00" })).await.1["code"],
        "malformed"
    );
    assert_eq!(
        s.submit_raw(json!({ "tx": "00".repeat(70_000) })).await.1["code"],
        "too_large"
    );
    let mut forged = sign(
        chain,
        30,
        0,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([3; 32]),
        },
    );
    forged.signature[1] ^= 1;
    assert_eq!(s.submit(&forged).await.1["code"], "bad_signature");
    assert_eq!(
        s.submit(&sign(
            ChainId([5; 32]),
            30,
            0,
            TxBody::RegisterPatient {
                receiving: ReceivingKey([3; 32])
            }
        ))
        .await
        .1["code"],
        "wrong_chain"
    );
    assert_eq!(
        s.submit(&sign(
            chain,
            PATIENT,
            0,
            TxBody::RegisterPatient {
                receiving: ReceivingKey([3; 32])
            }
        ))
        .await
        .1["code"],
        "wrong_nonce",
        "replay of the committed registration"
    );
    let issue = |author: u8, patient: Address| {
        let clinic = Address::of(&public(&key(author)));
        sign(
            chain,
            author,
            0,
            TxBody::IssueRecord {
                record: RecordId::derive(&clinic, 0),
                patient,
                ciphertext_sha256: Sha256Digest([1; 32]),
                ciphertext_len: 1024,
                wrapped_key: WrappedKey([0; WRAPPED_KEY_LEN]),
                metadata: vec![0; 1024],
            },
        )
    };
    let patient = Address::of(&public(&key(PATIENT)));
    assert_eq!(
        s.submit(&issue(31, patient)).await.1["code"],
        "not_a_clinic",
        "an unregistered clinic"
    );
    assert_eq!(
        s.submit(&issue(CLINIC, Address([7; 32]))).await.1["code"],
        "unknown_patient"
    );
    assert_eq!(s.ledger.tip().height, 1, "nothing was committed");
    assert!(
        s.mempool.is_empty(),
        "a rejected transaction is never queued"
    );

    let good = sign(
        chain,
        30,
        0,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([3; 32]),
        },
    );
    let (code, body) = s.submit(&good).await;
    assert_eq!(code, 202);
    assert_eq!(body["tx_id"], good.id().to_hex());
    let (code, dup) = s.submit(&good).await;
    assert_eq!((code, dup["code"].as_str()), (409, Some("duplicate")));
    assert_eq!(
        s.get(&format!("/v1/txs/{}", good.id().to_hex())).await.1["status"],
        "pending"
    );
    assert_eq!(
        s.get(&format!("/v1/txs/{}", "11".repeat(32))).await.1["status"],
        "unknown"
    );
    let committed = s.ledger.block(1).expect("read").expect("block").txs[0].id();
    let (_, status) = s.get(&format!("/v1/txs/{}", committed.to_hex())).await;
    assert_eq!(
        (status["status"].as_str(), status["height"].as_u64()),
        (Some("committed"), Some(1))
    );
}

#[tokio::test]
async fn openapi_health_and_readiness_are_served() {
    let s = server().await;
    let (code, doc) = s.get("/v1/openapi.json").await;
    assert_eq!(code, 200);
    for path in [
        "/v1/status",
        "/v1/txs",
        "/v1/state/{key}",
        "/v1/patients/{address}/records",
        "/v1/headers",
        "/shl/{token}",
        "/shl/files/{link}/{hash}",
        "/viewer",
        "/v1/mailbox/{slot}",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    // Every operation has its own id and a tag; every error body's code is a documented one.
    let mut ids = std::collections::BTreeSet::new();
    for (path, methods) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let id = operation["operationId"].as_str().expect("an operation id");
            assert!(ids.insert(id.to_owned()), "{id} twice");
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has no tag"
            );
        }
    }
    let codes: Vec<&str> = doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]
        .as_array()
        .expect("the code enum")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    for code in medledger_types::error_code::ErrorCode::ALL {
        assert!(codes.contains(&code.as_str()), "{code} is not documented");
    }
    // Metrics have a listener of their own: the public API does not serve them.
    let (code, _) = s.get("/metrics").await;
    assert_eq!(code, 404);
    let (code, _) = s.get("/healthz").await;
    assert_eq!(code, 200);
    // The test server's newest finalized block is a fixed old one: not ready, and it says why.
    let (code, body) = s.get("/readyz").await;
    assert_eq!((code, body["code"].as_str()), (503, Some("not_ready")));
    assert!(
        body["message"].as_str().is_some_and(|m| m.contains("old")),
        "{body}"
    );
}

#[tokio::test]
async fn what_the_extractors_refuse_is_json_with_a_code_too() {
    let s = server().await;
    let request = |method: reqwest::Method, path: &str| {
        s.client
            .request(method, format!("{}{path}", s.base))
            .timeout(std::time::Duration::from_secs(5))
    };
    let cases = [
        (
            request(reqwest::Method::POST, "/v1/txs")
                .header("content-type", "application/json")
                .body("not json"),
            400,
            "bad_request",
        ),
        (
            request(reqwest::Method::POST, "/v1/txs").body("{}"),
            415,
            "unsupported_media_type",
        ),
        (
            request(reqwest::Method::GET, "/v1/headers?from=one&to=two"),
            400,
            "bad_request",
        ),
        (
            request(reqwest::Method::DELETE, "/v1/status"),
            405,
            "method_not_allowed",
        ),
    ];
    for (req, status, code) in cases {
        let r = req.send().await.expect("request");
        assert_eq!(r.status().as_u16(), status);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .is_ok_and(|t| t.starts_with("application/json"))
        );
        let body: Value = r.json().await.expect("a JSON error body");
        assert_eq!(body["code"], code, "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

mod blob_access;
mod emergency;
mod links;
mod mailbox;
mod proof_batch;

#[tokio::test]
async fn batches_report_each_transaction_and_queue_only_the_good_ones() {
    let s = server().await;
    let chain = s.ledger.chain_id();
    let good = sign(
        chain,
        50,
        0,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([3; 32]),
        },
    );
    let next = sign(
        chain,
        50,
        1,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([3; 32]),
        },
    );
    let mut forged = sign(
        chain,
        51,
        0,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([3; 32]),
        },
    );
    forged.signature[0] ^= 1;
    let body = json!({ "txs": [hex::encode(good.encode()), "zz", hex::encode(forged.encode()), hex::encode(next.encode()), hex::encode(good.encode())] });
    let r = s
        .client
        .post(format!("{}/v1/txs/batch", s.base))
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.expect("json");
    let statuses: Vec<&str> = v["results"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses,
        [
            "accepted",
            "bad_hex",
            "bad_signature",
            "accepted",
            "duplicate"
        ]
    );
    assert_eq!(s.mempool.len(), 2);
    let too_many = json!({ "txs": vec!["00"; 2001] });
    let r = s
        .client
        .post(format!("{}/v1/txs/batch", s.base))
        .json(&too_many)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 400);
}

#[tokio::test]
async fn the_event_stream_announces_new_heights() {
    use futures::StreamExt;
    let s = server().await;
    let response = s
        .client
        .get(format!("{}/v1/events", s.base))
        .send()
        .await
        .expect("request");
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.bytes_stream();
    s.heights.send_replace(7);
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), body.next())
            .await
            .expect("event in time")
            .expect("stream")
            .expect("bytes");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: finalized"), "{text}");
    assert!(text.contains("data: {\"height\":7}"), "{text}");
}
