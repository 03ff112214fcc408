//! The lying-node harness: real `medledger` nodes (in-process), a proxy that lies in one chosen
//! way, and an equivocating chain (two networks sharing a validator key and genesis). The
//! wallet's transport detects each lie, names the node, and keeps using honest ones.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::response::IntoResponse;
use medledger_client::transaction::sign;
use medledger_devnet::Devnet;
use medledger_node::config::{Home, NodeConfig};
use medledger_types::codec::Canonical;
use medledger_types::genesis::Genesis;
use medledger_types::hash::{Address, GrantId, PublicKey, ReceivingKey};
use medledger_types::state::StateKey;
use medledger_types::tx::{Scope, TxBody};
use medwallet_crypto::{AccountKeys, SigningKey};
use medwallet_net::cross_check::cross_check;
use medwallet_net::verified::{latest_verified, verified_value};
use medwallet_net::{NodeClient, NodeFault};
use medwallet_verify::{Invalid, LightClient, TrustAnchor};
use serde_json::Value;

fn base_port() -> u16 {
    medledger_devnet::free_base_port(2)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as u64
}

/// A one-validator network (it finalizes on its own) running in this process.
struct Network {
    devnet: Devnet,
    dir: PathBuf,
    api: String,
    genesis: Genesis,
    clinic: AccountKeys,
}

fn start(home: &Path) {
    let home = Home::new(home);
    std::thread::spawn(move || {
        let _ = medledger_node::run::start(&home);
    });
}

async fn wait_finalized(api: &str, height: u64) {
    let client = NodeClient::new(api);
    for _ in 0..300 {
        if let Ok(s) = client.status().await
            && s.latest_finalized
                .as_ref()
                .is_some_and(|h| h.height >= height)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{api} did not finalize height {height}");
}

fn network(dir: &Path) -> Network {
    let devnet = Devnet::write(dir, 1, "lying-nodes");
    devnet.start_node(0);
    Network {
        api: devnet.api().to_owned(),
        clinic: devnet.clinic.keys(),
        genesis: devnet.genesis.clone(),
        dir: devnet.dir.clone(),
        devnet,
    }
}

/// A second network with the same genesis and validator key: its finalized blocks conflict
/// with the first's, each with a valid certificate (what a double-signing validator set does).
fn twin(of: &Network, dir: &Path) -> String {
    let home = dir.join("twin");
    std::fs::create_dir_all(&home).expect("mkdir");
    for f in ["genesis.json", "node.key"] {
        std::fs::copy(of.dir.join("node0").join(f), home.join(f)).expect("copy");
    }
    let mut config: NodeConfig = Home::new(of.dir.join("node0")).config().expect("config");
    let port = base_port();
    config.p2p_listen = SocketAddr::from(([127, 0, 0, 1], port));
    config.api_listen = SocketAddr::from(([127, 0, 0, 1], port + 1));
    // The first network's node serves its metrics there already.
    config.metrics_listen = None;
    config.peers[0].address = config.p2p_listen;
    config.peers[0].api = Some(config.api_listen);
    std::fs::write(home.join("config.toml"), config.to_toml()).expect("write");
    start(&home);
    format!("http://{}", config.api_listen)
}

/// The ways a proxy can lie.
#[derive(Clone, Copy, Debug)]
enum Lie {
    ForgeCertificate,
    ClaimAbsent,
    OmitRevocation,
    ReplayOldHeader,
    /// Serve a finalized header a few blocks old as the newest (an honest node that lags).
    Lag,
    /// Serve a forged header, with the real block's certificate, for any height asked: to
    /// frame the node that serves the real one as an equivocator.
    ForgeLowerHeader,
    /// Serve a certified header more than 8 s old (still inside the freshness window) as the
    /// newest: a view rolled back past what a wallet verified a moment ago.
    RollBack,
    /// Take every transaction, keep it to itself, and report it committed at the newest height.
    SwallowWrites,
    /// Serve every ciphertext with one byte flipped.
    WrongBlob,
    /// Answer "not available" for every state read, at heights it certified.
    Withhold,
    /// Serve state-sync chunks with one value changed.
    WrongChunk,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    lie: Lie,
    http: reqwest::Client,
}

async fn forward(State(p): State<Proxy>, request: Request) -> axum::response::Response {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    if matches!(p.lie, Lie::SwallowWrites) && request.method() == axum::http::Method::POST {
        let bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        let submitted: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let tx = medledger_types::tx::SignedTx::decode(
            &hex::decode(submitted["tx"].as_str().unwrap_or_default()).unwrap_or_default(),
            1 << 20,
        )
        .expect("a transaction");
        return (
            axum::http::StatusCode::ACCEPTED,
            axum::Json(serde_json::json!({ "tx_id": tx.id().to_hex() })),
        )
            .into_response();
    }
    if matches!(p.lie, Lie::SwallowWrites) && path.starts_with("/v1/txs/") {
        let status: Value = upstream_json(&p, &format!("{}/v1/status", p.upstream)).await;
        let id = path
            .trim_start_matches("/v1/txs/")
            .split('?')
            .next()
            .unwrap_or_default();
        return axum::Json(serde_json::json!({
            "tx_id": id,
            "status": "committed",
            "height": status["latest_finalized"]["height"],
        }))
        .into_response();
    }
    if matches!(p.lie, Lie::WrongBlob) && path.starts_with("/v1/blobs/") {
        let mut upstream = p.http.get(format!("{}{path}", p.upstream));
        for (name, value) in request.headers() {
            if name != axum::http::header::HOST {
                upstream = upstream.header(name, value);
            }
        }
        let answer = upstream.send().await.expect("upstream");
        let status = answer.status();
        let mut bytes = answer.bytes().await.expect("bytes").to_vec();
        if status.is_success()
            && let Some(first) = bytes.first_mut()
        {
            *first ^= 1;
        }
        return (status, bytes).into_response();
    }
    if matches!(p.lie, Lie::Withhold) && path.starts_with("/v1/state/") {
        return (
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(
                serde_json::json!({ "code": "not_found", "message": "height is not available" }),
            ),
        )
            .into_response();
    }
    if matches!(p.lie, Lie::WrongChunk) && path.starts_with("/v1/state/chunks") {
        use medledger_types::snapshot::{MAX_CHUNK_LEN, StateChunk};
        let answer = p
            .http
            .get(format!("{}{path}", p.upstream))
            .send()
            .await
            .expect("upstream");
        let status = answer.status();
        let mut bytes = answer.bytes().await.expect("bytes").to_vec();
        if status.is_success() {
            let mut chunk = StateChunk::decode(&bytes, MAX_CHUNK_LEN).expect("a chunk");
            if let Some((_, value)) = chunk.entries.first_mut() {
                value.push(0);
            }
            bytes = chunk.encode();
        }
        return (status, bytes).into_response();
    }
    if request.method() == axum::http::Method::POST && path.starts_with("/v1/state/proofs") {
        return forward_proofs(&p, request).await;
    }
    let mut body: Value = match p.http.get(format!("{}{path}", p.upstream)).send().await {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(_) => return axum::http::StatusCode::BAD_GATEWAY.into_response(),
    };
    match p.lie {
        Lie::ForgeCertificate if path.starts_with("/v1/status") => {
            let cert = body["latest_finalized"]["finalization"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let mut bytes = hex::decode(cert).unwrap_or_default();
            if let Some(last) = bytes.last_mut() {
                *last ^= 1;
            }
            body["latest_finalized"]["finalization"] = Value::String(hex::encode(bytes));
        }
        Lie::ClaimAbsent if path.starts_with("/v1/state/") => body["value"] = Value::Null,
        Lie::OmitRevocation if path.starts_with("/v1/state/") && body["value"].is_string() => {
            // Claim the key is absent, with a genuine exclusion proof for another (absent) key.
            let height = body["height"].as_u64().unwrap_or_default();
            let other = hex::encode(StateKey::revocation(&GrantId([0xee; 32])).0);
            let decoy: Value = upstream_json(
                &p,
                &format!("{}/v1/state/{other}?height={height}", p.upstream),
            )
            .await;
            body["value"] = Value::Null;
            body["proof"] = decoy["proof"].clone();
        }
        Lie::ReplayOldHeader if path.starts_with("/v1/status") => {
            let old: Value = upstream_json(&p, &format!("{}/v1/headers/1", p.upstream)).await;
            body["latest_finalized"] = old;
        }
        Lie::Lag if path.starts_with("/v1/status") => {
            let newest = body["latest_finalized"]["height"]
                .as_u64()
                .unwrap_or_default();
            for back in 3..20 {
                let old: Value =
                    upstream_json(&p, &format!("{}/v1/headers/{}", p.upstream, newest - back))
                        .await;
                if old["finalization"].is_string() {
                    body["latest_finalized"] = old;
                    break;
                }
            }
        }
        Lie::RollBack if path.starts_with("/v1/status") => {
            let newest = body["latest_finalized"]["height"]
                .as_u64()
                .unwrap_or_default();
            let timestamp = |h: &Value| {
                medledger_types::block::Header::decode(
                    &hex::decode(h["encoded"].as_str().unwrap_or_default()).unwrap_or_default(),
                    1024,
                )
                .map(|h| h.timestamp_ms)
                .unwrap_or_default()
            };
            let now = timestamp(&body["latest_finalized"]);
            for height in (1..newest).rev() {
                let old: Value =
                    upstream_json(&p, &format!("{}/v1/headers/{height}", p.upstream)).await;
                if old["finalization"].is_string() && timestamp(&old) + 8_000 < now {
                    body["latest_finalized"] = old;
                    break;
                }
            }
        }
        Lie::ForgeLowerHeader if path.starts_with("/v1/headers/") => {
            let mut header = medledger_types::block::Header::decode(
                &hex::decode(body["encoded"].as_str().unwrap_or_default()).unwrap_or_default(),
                1024,
            )
            .expect("header");
            header.state_root.0[0] ^= 1;
            body["encoded"] = Value::String(hex::encode(header.encode()));
            body["hash"] = Value::String(header.hash().to_hex());
        }
        _ => {}
    }
    axum::Json(body).into_response()
}

/// A batch of proofs, forwarded; a node that claims absence claims it for every key.
async fn forward_proofs(p: &Proxy, request: Request) -> axum::response::Response {
    use medledger_api::proof_batch::{MAX_BATCH_LEN, ProvenBatch};

    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let answer = p
        .http
        .post(format!("{}/v1/state/proofs", p.upstream))
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("upstream");
    let status = answer.status();
    let content_type = answer
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .cloned();
    let mut bytes = answer.bytes().await.expect("bytes").to_vec();
    if status.is_success() && matches!(p.lie, Lie::ClaimAbsent) {
        let mut batch = ProvenBatch::decode(&bytes, MAX_BATCH_LEN).expect("a batch");
        for entry in &mut batch.entries {
            entry.value = None;
        }
        bytes = batch.encode();
    }
    let mut response = (status, bytes).into_response();
    if let Some(content_type) = content_type {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, content_type);
    }
    response
}

/// The real node's JSON answer for `url` (what the lies are made from).
async fn upstream_json(p: &Proxy, url: &str) -> Value {
    p.http
        .get(url)
        .send()
        .await
        .expect("upstream")
        .json()
        .await
        .expect("json")
}

async fn proxy(upstream: &str, lie: Lie) -> NodeClient {
    let state = Proxy {
        upstream: upstream.to_owned(),
        lie,
        http: reqwest::Client::new(),
    };
    let app = axum::Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    NodeClient::new(url)
}

fn light(genesis: &Genesis) -> LightClient {
    LightClient::new(TrustAnchor::from_genesis(genesis).expect("anchor"))
}

fn lying_reason(fault: &NodeFault) -> Option<&Invalid> {
    match fault {
        NodeFault::Lying { reason, .. } => Some(reason),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_certificates_and_false_absence_are_caught_and_the_honest_node_is_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    wait_finalized(&net.api, 2).await;
    let honest = NodeClient::new(&net.api);
    let light = light(&net.genesis);

    let forger = proxy(&net.api, Lie::ForgeCertificate).await;
    let report = cross_check(&[forger.clone(), honest.clone()], &light, now_ms(), 60_000).await;
    assert_eq!(
        report.newest.as_ref().map(|(_, node)| node.as_str()),
        Some(honest.url()),
        "the honest node's header is used"
    );
    let lying = report.lying();
    assert_eq!(lying.len(), 1);
    assert!(
        lying[0].to_string().contains(forger.url()),
        "the liar is named: {}",
        lying[0]
    );
    assert_eq!(lying_reason(lying[0]), Some(&Invalid::BadSignature));

    // A present key (the genesis clinic) claimed absent.
    let at = latest_verified(&honest, &mut light.clone(), now_ms(), 60_000)
        .await
        .expect("verified");
    let clinic = Address::of(&PublicKey(
        net.clinic.signing_key().verifying_key().to_bytes(),
    ));
    let key = StateKey::account(&clinic);
    assert!(
        verified_value(&honest, &at, &key)
            .await
            .expect("honest answer")
            .is_some()
    );
    let denier = proxy(&net.api, Lie::ClaimAbsent).await;
    let fault = verified_value(&denier, &at, &key)
        .await
        .expect_err("lie detected");
    assert_eq!(lying_reason(&fault), Some(&Invalid::BadProof));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_proofs_claiming_absence_names_the_liar_and_the_next_node_proves_it() {
    use medledger_client::{Incident, LedgerSource};
    use medwallet_net::NetworkSource;

    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    wait_finalized(&net.api, 2).await;
    let denier = proxy(&net.api, Lie::ClaimAbsent).await;
    let source = NetworkSource::new(
        vec![denier.clone(), NodeClient::new(&net.api)],
        light(&net.genesis),
        60_000,
    );
    let at = source.latest(now_ms()).await.expect("verified");
    let clinic = Address::of(&PublicKey(
        net.clinic.signing_key().verifying_key().to_bytes(),
    ));
    let present = StateKey::account(&clinic);
    let absent = StateKey::account(&Address([0xee; 32]));
    // Enough keys for several batches, so that one of them starts at the liar.
    let keys: Vec<StateKey> = (0..600)
        .map(|i| {
            if i % 3 == 0 {
                present.clone()
            } else {
                absent.clone()
            }
        })
        .collect();
    let values = source.values(&at, &keys).await.expect("proven");
    assert_eq!(values.len(), keys.len());
    for (i, value) in values.iter().enumerate() {
        assert_eq!(value.is_some(), i % 3 == 0, "key {i} as the state holds it");
    }
    assert!(
        source.incidents().iter().any(|i| matches!(i,
            Incident::Lying { node, reason: Invalid::BadProof } if node == denier.url())),
        "{:?}",
        source.incidents()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joining_node_names_a_node_serving_a_false_state_chunk_and_restores_from_another() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    wait_finalized(&net.api, 3).await;
    let liar = proxy(&net.api, Lie::WrongChunk).await;
    let synced = medledger_node::state_sync::state_sync(
        net.genesis.clone(),
        &dir.path().join("joined.redb"),
        &[liar.clone(), NodeClient::new(&net.api)],
    )
    .await
    .expect("restored from the honest node");
    assert!(
        synced.lying.iter().any(|l| l.contains(liar.url())),
        "{:?}",
        synced.lying
    );
    let honest = NodeClient::new(&net.api);
    let theirs = honest.header(synced.height).await.expect("header");
    assert_eq!(synced.ledger.tip().state_root.to_hex(), theirs.state_root);
    // Only a liar: nothing is restored.
    let err = medledger_node::state_sync::state_sync(
        net.genesis.clone(),
        &dir.path().join("never.redb"),
        std::slice::from_ref(&liar),
    )
    .await
    .err()
    .expect("no true chunk");
    assert!(err.to_string().contains(liar.url()), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_omitted_revocation_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    wait_finalized(&net.api, 1).await;
    let honest = NodeClient::new(&net.api);
    let chain = net.genesis.chain_id();
    let clinic = &net.clinic;
    let patient = SigningKey::from_bytes(&[0x31; 32]);
    let doctor = SigningKey::from_bytes(&[0x32; 32]);
    let sign = |k: &SigningKey, nonce, body| sign(k, chain, nonce, body);
    let patient_addr = Address::of(&PublicKey(patient.verifying_key().to_bytes()));
    let doctor_addr = Address::of(&PublicKey(doctor.verifying_key().to_bytes()));
    let grant = GrantId::derive(&patient_addr, 1);
    let txs = [
        sign(
            &patient,
            0,
            TxBody::RegisterPatient {
                receiving: ReceivingKey([1; 32]),
            },
        ),
        sign(
            clinic.signing_key(),
            0,
            TxBody::RegisterDoctor {
                doctor: PublicKey(doctor.verifying_key().to_bytes()),
                receiving: ReceivingKey([2; 32]),
                display_name: "Dr. A".into(),
                licence: "L".into(),
                consent: medledger_client::doctor_consent::sign(
                    &doctor,
                    &ReceivingKey([2; 32]),
                    chain,
                    &Address::of(&PublicKey(clinic_key(&net).verifying_key().to_bytes())),
                    "Dr. A",
                    "L",
                ),
            },
        ),
        sign(
            &patient,
            1,
            TxBody::Grant {
                grantee: doctor_addr,
                scope: Scope::Open,
                expires_at_ms: None,
                keys: vec![],
                terms: Default::default(),
            },
        ),
        sign(&patient, 2, TxBody::Revoke { grant }),
    ];
    for tx in &txs {
        let id = honest.submit(tx).await.expect("submitted");
        assert_eq!(
            honest.wait_tx(&id, 20_000).await.expect("status").status,
            "committed"
        );
    }
    wait_finalized(&net.api, honest.status().await.expect("status").height + 1).await;
    let light = light(&net.genesis);
    let at = latest_verified(&honest, &mut light.clone(), now_ms(), 60_000)
        .await
        .expect("verified");
    let key = StateKey::revocation(&grant);
    assert!(
        verified_value(&honest, &at, &key)
            .await
            .expect("honest")
            .is_some(),
        "the revocation is proven present"
    );
    let hider = proxy(&net.api, Lie::OmitRevocation).await;
    let fault = verified_value(&hider, &at, &key)
        .await
        .expect_err("an exclusion proof for another key proves nothing");
    assert_eq!(lying_reason(&fault), Some(&Invalid::BadProof));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_header_replayed_as_current_is_stale() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    wait_finalized(&net.api, 1).await;
    // Height 1 becomes at least 4 s old; the honest node keeps finalizing every ~0.2 s, so a 3 s
    // bound separates them with room to spare on a loaded machine.
    tokio::time::sleep(Duration::from_millis(4000)).await;
    wait_finalized(&net.api, 4).await;
    let replayer = proxy(&net.api, Lie::ReplayOldHeader).await;
    let honest = NodeClient::new(&net.api);
    let light = light(&net.genesis);
    let report = cross_check(&[replayer.clone(), honest.clone()], &light, now_ms(), 3_000).await;
    assert_eq!(
        report.newest.as_ref().map(|(_, n)| n.as_str()),
        Some(honest.url())
    );
    assert!(
        report
            .faults
            .iter()
            .any(|f| matches!(f, NodeFault::Stale { node, .. } if node == replayer.url())),
        "{:?}",
        report.faults
    );
    // Left out, and said so: while another node is current, a stale one is an incident.
    assert!(
        report.incidents().iter().any(|i| matches!(i,
            medledger_client::Incident::FarBehind { node, .. } if node == replayer.url())),
        "{:?}",
        report.incidents()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_withheld_at_a_certified_height_names_the_node() {
    use medledger_client::{Incident, LedgerSource};
    use medwallet_net::NetworkSource;

    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    wait_finalized(&net.api, 2).await;
    let withholder = proxy(&net.api, Lie::Withhold).await;
    let source = NetworkSource::new(
        vec![withholder.clone(), NodeClient::new(&net.api)],
        light(&net.genesis),
        60_000,
    );
    let at = source.latest(now_ms()).await.expect("verified");
    // A second look: by now both nodes have certified `at` (or newer).
    source.latest(now_ms()).await.expect("verified");
    let clinic = Address::of(&PublicKey(
        net.clinic.signing_key().verifying_key().to_bytes(),
    ));
    assert!(
        source
            .value(&at, &StateKey::account(&clinic))
            .await
            .expect("the honest node proves it")
            .is_some()
    );
    assert!(
        source.incidents().iter().any(|i| matches!(i,
            Incident::Withheld { node, .. } if node == withholder.url())),
        "{:?}",
        source.incidents()
    );
    // A batch of proofs withheld the same way: the honest node proves it, the other is named.
    let fresh = NetworkSource::new(
        vec![withholder.clone(), NodeClient::new(&net.api)],
        light(&net.genesis),
        60_000,
    );
    let at = fresh.latest(now_ms()).await.expect("verified");
    fresh.latest(now_ms()).await.expect("verified");
    let values = fresh
        .values(&at, &[StateKey::account(&clinic)])
        .await
        .expect("the honest node proves it");
    assert!(values[0].is_some());
    assert!(
        fresh.incidents().iter().any(|i| matches!(i,
            Incident::Withheld { node, .. } if node == withholder.url())),
        "{:?}",
        fresh.incidents()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equivocation_is_reported_with_both_nodes_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = network(dir.path());
    let b = twin(&a, dir.path());
    wait_finalized(&a.api, 3).await;
    wait_finalized(&b, 3).await;
    let light = light(&a.genesis);
    let nodes = [NodeClient::new(&a.api), NodeClient::new(&b)];
    // Evidence needs a certificate from each chain at one height. The two chains finalize at
    // their own pace and not every height carries its own certificate (an ancestor may be
    // finalized by a descendant's), so one look can find no common certified height: look
    // again, as a wallet does at every sync.
    let mut report = cross_check(&nodes, &light, now_ms(), 60_000).await;
    for _ in 0..20 {
        if !report.equivocations.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        report = cross_check(&nodes, &light, now_ms(), 60_000).await;
    }
    assert!(
        report.lying().is_empty(),
        "both serve validly signed certificates: {:?}",
        report.faults
    );
    let (evidence, first, second) = report.equivocations.first().expect("equivocation detected");
    assert_ne!(evidence.first, evidence.second);
    let named = [first.as_str(), second.as_str()];
    assert!(
        named.contains(&a.api.as_str()) && named.contains(&b.as_str()),
        "{named:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liar_cannot_frame_an_honest_node_as_an_equivocator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    wait_finalized(&net.api, 25).await;
    let light = light(&net.genesis);
    // An honest node a few blocks behind, and a liar serving the newest header (genuine) and a
    // forged block, with the real certificate, at the lagging node's height.
    let lagging = proxy(&net.api, Lie::Lag).await;
    let framer = proxy(&net.api, Lie::ForgeLowerHeader).await;
    let report = cross_check(&[lagging.clone(), framer.clone()], &light, now_ms(), 60_000).await;
    assert!(
        report.equivocations.is_empty(),
        "an unverified header accuses nobody: {:?}",
        report.equivocations
    );
    let lying = report.lying();
    assert_eq!(lying.len(), 1, "{:?}", report.faults);
    assert_eq!(lying[0].node(), framer.url(), "the framer is the liar");
    assert_eq!(lying_reason(lying[0]), Some(&Invalid::WrongBlock));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_older_than_the_trust_floor_is_a_rollback_naming_the_node() {
    use medledger_client::{Incident, LedgerSource, SourceError};
    use medwallet_net::NetworkSource;

    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    // Enough chain for a certified header 8 s older than the newest.
    tokio::time::sleep(Duration::from_millis(10_000)).await;
    let honest = NodeClient::new(&net.api);
    let wallet_run = NetworkSource::new(vec![honest], light(&net.genesis), 60_000);
    let floor = wallet_run.latest(now_ms()).await.expect("verified");
    let floor_header = floor.header().encode();
    let floor_certificate = floor.certificate().expect("certified").encode();

    let rollbacker = proxy(&net.api, Lie::RollBack).await;
    // Without a floor the old view passes every check (it is certified and fresh enough).
    let first_run = NetworkSource::new(vec![rollbacker.clone()], light(&net.genesis), 60_000);
    let old = first_run.latest(now_ms()).await.expect("fresh enough");
    assert!(old.height() < floor.height());

    // A later run starts from the floor: the old view is refused and its node named.
    let later_run = NetworkSource::new(vec![rollbacker.clone()], light(&net.genesis), 60_000);
    later_run
        .adopt_floor(&floor_header, &floor_certificate)
        .expect("the floor verifies");
    let err = later_run.latest(now_ms()).await.expect_err("rolled back");
    assert!(
        matches!(&err, SourceError::NoCurrentHeader(f) if f.iter().any(|f| matches!(f, NodeFault::Behind { .. }))),
        "{err}"
    );
    assert!(
        later_run.incidents().iter().any(|i| matches!(i,
            Incident::Rollback { node, floor: f, .. } if node == rollbacker.url() && *f == floor.height())),
        "{:?}",
        later_run.incidents()
    );
    // A forged floor is refused outright.
    let mut forged = floor_certificate.clone();
    if let Some(last) = forged.last_mut() {
        *last ^= 1;
    }
    assert!(later_run.adopt_floor(&floor_header, &forged).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swallowed_revoke_is_not_reported_done_and_the_liar_is_named() {
    use medledger_client::{Incident, LedgerSource, SourceError, WriteLie};
    use medwallet_net::NetworkSource;

    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    wait_finalized(&net.api, 1).await;
    let chain = net.genesis.chain_id();
    let patient = SigningKey::from_bytes(&[0x41; 32]);
    let doctor = SigningKey::from_bytes(&[0x42; 32]);
    let patient_addr = Address::of(&PublicKey(patient.verifying_key().to_bytes()));
    let doctor_addr = Address::of(&PublicKey(doctor.verifying_key().to_bytes()));
    let honest =
        || NetworkSource::new(vec![NodeClient::new(&net.api)], light(&net.genesis), 60_000);
    // Writes through honest nodes are done when their effect is proven.
    let setup = honest();
    setup
        .submit(&sign(
            net.clinic.signing_key(),
            chain,
            0,
            TxBody::RegisterDoctor {
                doctor: PublicKey(doctor.verifying_key().to_bytes()),
                receiving: ReceivingKey([2; 32]),
                display_name: "Dr. A".into(),
                licence: "L".into(),
                consent: medledger_client::doctor_consent::sign(
                    &doctor,
                    &ReceivingKey([2; 32]),
                    chain,
                    &Address::of(&PublicKey(clinic_key(&net).verifying_key().to_bytes())),
                    "Dr. A",
                    "L",
                ),
            },
        ))
        .await
        .expect("doctor registered");
    setup
        .submit_all(&[
            sign(
                &patient,
                chain,
                0,
                TxBody::RegisterPatient {
                    receiving: ReceivingKey([1; 32]),
                },
            ),
            sign(
                &patient,
                chain,
                1,
                TxBody::Grant {
                    grantee: doctor_addr,
                    scope: Scope::Open,
                    expires_at_ms: None,
                    keys: vec![],
                    terms: Default::default(),
                },
            ),
        ])
        .await
        .expect("registered and granted");
    let grant = GrantId::derive(&patient_addr, 1);
    let revoke = sign(&patient, chain, 2, TxBody::Revoke { grant });

    // The only node swallows the revoke and says it committed: the wallet does not believe it.
    let swallower = proxy(&net.api, Lie::SwallowWrites).await;
    let lied_to = NetworkSource::new(vec![swallower.clone()], light(&net.genesis), 60_000)
        .with_write_wait(5_000);
    let err = lied_to.submit(&revoke).await.expect_err("not done");
    assert!(
        matches!(err, SourceError::NotCommitted { kind: "Revoke", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("not done"), "{err}");
    assert!(
        lied_to.incidents().iter().any(|i| matches!(i,
            Incident::WriteLie { node, lie: WriteLie::FalseCommit { .. }, .. } if node == swallower.url())),
        "{:?}",
        lied_to.incidents()
    );
    let at = honest().latest(now_ms()).await.expect("verified");
    assert_eq!(
        honest()
            .value(&at, &StateKey::revocation(&grant))
            .await
            .expect("proven"),
        None,
        "the revocation really is not on the ledger"
    );

    // With an honest node beside it, the same revoke goes through and is proven.
    let both = NetworkSource::new(
        vec![swallower.clone(), NodeClient::new(&net.api)],
        light(&net.genesis),
        60_000,
    );
    let height = both.submit(&revoke).await.expect("done");
    let at = honest().latest(now_ms()).await.expect("verified");
    assert!(at.height() >= height);
    assert!(
        honest()
            .value(&at, &StateKey::revocation(&grant))
            .await
            .expect("proven")
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_ciphertext_names_its_node_and_the_next_node_serves_the_record() {
    use medledger_client::{BlobRequest, Incident, LedgerSource, SourceError, reads};
    use medledger_types::hash::RecordId;
    use medledger_types::state::RecordEntry;

    let dir = tempfile::tempdir().expect("tempdir");
    let net = network(dir.path());
    wait_finalized(&net.api, 1).await;
    let patient = AccountKeys::derive(&medwallet_crypto::RecoveryPhrase::from_entropy(&[0x51; 32]));
    let source = net.devnet.source();
    let register = medledger_client::transaction::sign_next(
        &source,
        patient.signing_key(),
        &source.latest(now_ms()).await.expect("header"),
        TxBody::RegisterPatient {
            receiving: ReceivingKey(patient.public().receiving.to_bytes()),
        },
    )
    .await
    .expect("signed");
    source.submit(&register).await.expect("registered");
    let issued = net
        .devnet
        .issue(
            &medwallet_crypto::ShareCode::new(patient.public()),
            &medledger_devnet::fixture(medledger_devnet::NED),
        )
        .await;
    let id = RecordId::from_hex(&issued[0].record_id).expect("id");
    let at = source.latest(now_ms()).await.expect("header");
    let entry: RecordEntry = reads::required(&source, &at, &StateKey::record(&id))
        .await
        .expect("proven");
    let request = BlobRequest::new(
        patient.signing_key(),
        entry.ciphertext_sha256,
        id,
        None,
        now_ms(),
    );

    let liar = proxy(&net.api, Lie::WrongBlob).await;
    let named = |s: &medwallet_net::NetworkSource| {
        s.incidents().iter().any(|i| {
            matches!(i,
            Incident::Lying { node, reason: Invalid::WrongCiphertext } if node == liar.url())
        })
    };
    // Alone, the liar's bytes are refused and it is named.
    let only_liar = net.devnet.source_over(&[liar.url().to_owned()]);
    let err = only_liar
        .blob(&request, entry.ciphertext_len)
        .await
        .expect_err("wrong bytes are not a ciphertext");
    assert!(matches!(err, SourceError::NoBlob(_)), "{err}");
    assert!(named(&only_liar), "{:?}", only_liar.incidents());
    // First in line, it is named and the next node serves the real ciphertext.
    let both = net
        .devnet
        .source_over(&[liar.url().to_owned(), net.api.clone()]);
    let bytes = both
        .blob(&request, entry.ciphertext_len)
        .await
        .expect("the honest node serves it");
    assert_eq!(bytes.len() as u64, entry.ciphertext_len);
    assert!(named(&both));
    // Streamed (a large record's way): the liar's pieces are dropped and the sink holds the
    // honest node's bytes alone.
    let mut sink = Pieces::default();
    let streamed = net
        .devnet
        .source_over(&[liar.url().to_owned(), net.api.clone()]);
    streamed
        .blob_to(&request, entry.ciphertext_len, &mut sink)
        .await
        .expect("the honest node streams it");
    assert_eq!((sink.restarts, sink.bytes == bytes), (2, true));
    assert!(named(&streamed));
    let mut sink = Pieces::default();
    let err = only_liar
        .blob_to(&request, entry.ciphertext_len, &mut sink)
        .await
        .expect_err("wrong bytes are not a ciphertext");
    assert!(matches!(err, SourceError::NoBlob(_)), "{err}");
    // A node cannot make the wallet read more than the proven length.
    let short = NodeClient::new(&net.api)
        .get_blob(&request, net.genesis.chain_id(), entry.ciphertext_len - 1)
        .await
        .expect_err("longer than allowed");
    assert!(short.to_string().contains("beyond"), "{short}");
}

/// A download's destination that counts its restarts.
#[derive(Default)]
struct Pieces {
    bytes: Vec<u8>,
    restarts: usize,
}

impl medledger_client::BlobSink for Pieces {
    fn restart(&mut self) -> std::io::Result<()> {
        self.bytes.clear();
        self.restarts += 1;
        Ok(())
    }
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }
}

fn clinic_key(net: &Network) -> &SigningKey {
    net.clinic.signing_key()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_serving_tls_is_verified_through_it_and_an_unknown_ca_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let devnet = Devnet::write(dir.path(), 1, "tls");
    // A consortium's own CA and the node's certificate, for 127.0.0.1.
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca");
    let node_key = rcgen::KeyPair::generate().expect("key");
    let node_cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .expect("params")
        .signed_by(&node_key, &ca)
        .expect("cert");
    let home = devnet.dir.join("node0");
    std::fs::write(home.join("tls-cert.pem"), node_cert.pem()).expect("write");
    std::fs::write(home.join("tls-key.pem"), node_key.serialize_pem()).expect("write");
    let mut config: NodeConfig = Home::new(&home).config().expect("config");
    config.tls = Some(medledger_node::config::TlsFiles {
        cert: "tls-cert.pem".into(),
        key: "tls-key.pem".into(),
    });
    std::fs::write(home.join("config.toml"), config.to_toml()).expect("write");
    devnet.start_node(0);
    let url = format!("https://{}", config.api_listen);

    let trusted = NodeClient::with_extra_roots(&url, ca.pem().as_bytes()).expect("roots");
    let mut verified = None;
    for _ in 0..300 {
        if let Ok(v) =
            latest_verified(&trusted, &mut light(&devnet.genesis), now_ms(), 60_000).await
        {
            verified = Some(v);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(verified.is_some(), "a certified header, over TLS");
    // The platform's roots alone do not know this CA: the connection is refused, not downgraded.
    let untrusting = NodeClient::new(&url);
    let err = untrusting.status().await.expect_err("unknown CA");
    assert!(
        matches!(err, medwallet_net::NetError::Unreachable { .. }),
        "{err}"
    );
    // Plain HTTP to the TLS port gets no API either.
    let plain = NodeClient::new(format!("http://{}", config.api_listen));
    assert!(plain.status().await.is_err());
}
