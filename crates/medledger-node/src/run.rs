//! `medledger start`: one node on the tokio runtime with authenticated p2p (fixed peers at known
//! addresses), its ledger store and its HTTP API.

use std::sync::Arc;
use std::time::Duration;

use commonware_codec::DecodeExt;
use commonware_cryptography::ed25519::{PrivateKey, PublicKey};
use commonware_cryptography::{ChaCha20Poly1305, Signer};
use commonware_p2p::Address;
use commonware_p2p::authenticated::lookup;
use commonware_runtime::{Metrics, Quota, Runner, Supervisor, tokio as cw_tokio};
use commonware_stream::{cups, sake};
use commonware_utils::ordered::Map;
use commonware_utils::{NZU32, NZUsize};
use medledger_state::store::Ledger;
use medledger_types::certificate::consensus_namespace;
use tracing::info;

use crate::api::{ApiState, router};
use crate::blobs::BlobStore;
use crate::config::Home;
use crate::engine::{Channels, Timing, ValidatorConfig, channel, start_validator};
use crate::error::NodeError;
use crate::mempool::Mempool;
use crate::receipts::ReceiptIssuer;
use medledger_client::NodeClient;

/// Largest p2p message: a maximal block plus framing.
const MAX_MESSAGE: u32 = 20 * 1024 * 1024;

fn public_key(hex_key: &str) -> Result<PublicKey, NodeError> {
    let invalid = |reason: String| NodeError::Key {
        what: "peer",
        reason,
    };
    let bytes = hex::decode(hex_key).map_err(|_| invalid("not hex".into()))?;
    PublicKey::decode(bytes::Bytes::from(bytes)).map_err(|e| invalid(e.to_string()))
}

/// Runs the node in `home` until it is killed.
pub fn start(home: &Home) -> Result<(), NodeError> {
    let config = home.config()?;
    let root = home.root.clone();
    let genesis = home.genesis()?.to_genesis()?;
    let seed = home.key()?;
    let signer = PrivateKey::decode(bytes::Bytes::copy_from_slice(seed.as_ref())).map_err(|e| {
        NodeError::Key {
            what: "node.key",
            reason: e.to_string(),
        }
    })?;
    let me = signer.public_key();
    let validators: Vec<PublicKey> = genesis
        .validators
        .keys()
        .iter()
        .map(|k| public_key(&k.to_hex()))
        .collect::<Result<_, _>>()?;
    let is_validator = validators.contains(&me);
    let peers: Vec<(PublicKey, Address)> = config
        .peers
        .iter()
        .map(|p| Ok((public_key(&p.public_key)?, Address::from(p.address))))
        .collect::<Result<_, NodeError>>()?;
    let peer_keys: std::collections::BTreeSet<medledger_types::hash::PublicKey> = config
        .peers
        .iter()
        .map(|p| {
            medledger_types::hash::PublicKey::from_hex(&p.public_key).map_err(|e| NodeError::Key {
                what: "peer",
                reason: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    let data = home.data_dir();
    std::fs::create_dir_all(&data).map_err(|source| NodeError::Write {
        path: data.clone(),
        source,
    })?;
    let ledger = Arc::new(Ledger::open(&data.join("ledger.redb"), genesis)?);
    let chain = ledger.chain_id();
    info!(moniker = %config.moniker, chain = %chain, validator = is_validator, height = ledger.tip().height, "starting");

    let runtime = cw_tokio::Config::new()
        .with_worker_threads(2)
        .with_storage_directory(data.join("consensus"));
    cw_tokio::Runner::new(runtime).start(|context| async move {
        let mut p2p_namespace = b"medledger/p2p/v1/".to_vec();
        p2p_namespace.extend_from_slice(&chain.0);
        let handshake = cups::Cups::<_, ChaCha20Poly1305>::new(
            sake::Sake { signer: signer.clone(), synchrony_bound: Duration::from_secs(5), max_handshake_age: Duration::from_secs(10), version: sake::Version::V1 },
            cups::Version::V1,
        );
        // The network budgets one quota burst per channel for every peer slot, so quotas and the
        // peer bound are sized to a consortium, not to the internet.
        let p2p = lookup::Config::local(handshake, &p2p_namespace, config.p2p_listen, NZUsize!(64), MAX_MESSAGE, NZUsize!(1024));
        let (mut network, mut oracle) = lookup::Network::new(context.child("network"), p2p);
        let tracked: Map<PublicKey, Address> = Map::from_iter_dedup(peers);
        let _ = commonware_p2p::AddressableManager::track(&mut oracle, 0, tracked);
        let channels = Channels {
            votes: network.register(channel::VOTES, Quota::per_second(NZU32!(512))),
            certificates: network.register(channel::CERTIFICATES, Quota::per_second(NZU32!(512))),
            resolver: network.register(channel::RESOLVER, Quota::per_second(NZU32!(256))),
            backfill: network.register(channel::BACKFILL, Quota::per_second(NZU32!(256))),
            blocks: network.register(channel::BLOCKS, Quota::per_second(NZU32!(128))),
        };
        network.start();

        let mempool = Arc::new(Mempool::new(chain, config.mempool_capacity));
        let node = ValidatorConfig {
            signer,
            validators,
            namespace: consensus_namespace(&chain),
            partition_prefix: "node".into(),
            timing: Timing::default(),
            max_block_txs: config.max_block_txs,
            mailbox_size: NZUsize!(4096),
        };
        let running = start_validator(context.child("node"), node, ledger.clone(), mempool.clone(), oracle.clone(), oracle, channels).await;

        let blobs = match BlobStore::open(&data.join("blobs"), config.max_blob_bytes) {
            Ok(b) => Arc::new(b),
            Err(e) => {
                tracing::error!(error = %e, "cannot open the blob store");
                std::process::exit(1);
            }
        };
        let peer_apis: Vec<String> = config.peers.iter().filter(|p| p.public_key != hex::encode(seed_bytes(&me))).filter_map(|p| p.api.map(|a| format!("{}://{a}", if p.api_tls { "https" } else { "http" }))).collect();
        tokio::spawn(crate::replication::run(ledger.clone(), blobs.clone(), peer_apis.clone(), *seed, running.finalizer.heights()));
        // A follower never proposes, so its receipts go to its peers (which include the
        // validators) and a fetch is served only once one of them has taken the receipt.
        let receipt_peers = if is_validator { Vec::new() } else { peer_apis.iter().map(NodeClient::new).collect() };
        let receipts = Arc::new(ReceiptIssuer::new(&seed, receipt_peers));
        let sweeper = crate::erasure::Sweeper {
            ledger: ledger.clone(),
            blobs: blobs.clone(),
            mempool: mempool.clone(),
            receipts: receipts.clone(),
            node: medledger_types::hash::Address::of(&medledger_types::hash::PublicKey(seed_bytes(&me))),
            is_validator,
        };
        tokio::spawn(sweeper.run(running.finalizer.heights()));
        if let Some(releaser) = crate::emergency::Releaser::for_validator(
            ledger.clone(),
            mempool.clone(),
            receipts.clone(),
            &seed,
            &medledger_types::hash::PublicKey(seed_bytes(&me)),
        ) {
            tokio::spawn(releaser.run(running.finalizer.heights()));
        }
        let metrics_context = context.child("metrics");
        let state = ApiState {
            ledger,
            mempool,
            heights: running.finalizer.heights(),
            node_key: seed_bytes(&me),
            metrics: Arc::new(move || metrics_context.encode()),
            blobs,
            peers: Arc::new(peer_keys),
            receipts,
            seen: Arc::default(),
            links: Arc::new(crate::links::LinkDesk::new(config.tls.is_some())),
            mailbox: Arc::default(),
        };
        let listener = match tokio::net::TcpListener::bind(config.api_listen).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(address = %config.api_listen, error = %e, "cannot listen for the API");
                std::process::exit(1);
            }
        };
        info!(api = %config.api_listen, p2p = %config.p2p_listen, tls = config.tls.is_some(), "listening");
        let served = match &config.tls {
            None => axum::serve(listener, router(state)).await,
            Some(tls) => serve_tls(listener, &root, tls, router(state)).await,
        };
        if let Err(e) = served {
            tracing::error!(error = %e, "API server stopped");
        }
        drop(running);
    });
    Ok(())
}

/// The API over TLS (rustls), with the certificate and key the config names.
async fn serve_tls(
    listener: tokio::net::TcpListener,
    home: &std::path::Path,
    tls: &crate::config::TlsFiles,
    app: axum::Router,
) -> std::io::Result<()> {
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(
        home.join(&tls.cert),
        home.join(&tls.key),
    )
    .await?;
    axum_server::from_tcp_rustls(listener.into_std()?, config)
        .serve(app.into_make_service())
        .await
}

fn seed_bytes(key: &PublicKey) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(key.as_ref());
    out
}
