//! `medledger start`: one node on the tokio runtime with authenticated p2p (fixed peers at known
//! addresses), its ledger store and its HTTP API.

use std::sync::Arc;
use std::time::Duration;

use commonware_codec::DecodeExt;
use commonware_cryptography::ed25519::{PrivateKey, PublicKey};
use commonware_cryptography::{ChaCha20Poly1305, Signer};
use commonware_p2p::Address;
use commonware_p2p::authenticated::lookup;
use commonware_runtime::{Metrics, Quota, Runner, Spawner, Supervisor, tokio as cw_tokio};
use commonware_stream::{cups, sake};
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

/// How long open connections (an event stream never ends by itself) get to finish after a
/// shutdown was asked for, and consensus to stop its tasks.
const DRAIN: Duration = Duration::from_secs(10);

/// Runs the node in `home` until it is killed (what an in-process test network does).
pub fn start(home: &Home) -> Result<(), NodeError> {
    start_until(home, std::future::pending())
}

/// Resolves on SIGTERM or SIGINT (what `medledger start` stops on).
pub async fn termination() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = term => info!("SIGTERM: shutting down"),
        r = tokio::signal::ctrl_c() => match r {
            Ok(()) => info!("SIGINT: shutting down"),
            Err(e) => tracing::error!(error = %e, "cannot listen for SIGINT"),
        },
    }
}

/// Runs the node in `home` until `shutdown` resolves, then stops gracefully: the mempool takes
/// nothing new and its pending transactions are committed (at most [`DRAIN`]); the API stops
/// taking connections and drains the open ones (at most [`DRAIN`]); consensus stops its tasks;
/// and the function returns (every block the node committed is already on disk: each commit
/// is a durable redb transaction).
pub fn start_until(
    home: &Home,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), NodeError> {
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
    let ledger = Arc::new(Ledger::open(&home.ledger_path(), genesis)?);
    let chain = ledger.chain_id();
    // Whether this node is in the running set (each epoch's engine decides for itself whether it
    // votes; the node's own duties, receipts and erasure, follow this).
    let is_validator = ledger
        .validators()?
        .position(&medledger_types::hash::PublicKey(seed_bytes(&me)))
        .is_some();
    info!(moniker = %config.moniker, chain = %chain, validator = is_validator, height = ledger.tip().height, "starting");

    let runtime = cw_tokio::Config::new()
        .with_worker_threads(2)
        .with_storage_directory(data.join("consensus"));
    cw_tokio::Runner::new(runtime).start(|context| async move {
        let stopper = context.child("shutdown");
        let mut p2p_namespace = b"medledger/p2p/v1/".to_vec();
        p2p_namespace.extend_from_slice(&chain.0);
        let handshake = cups::Cups::<_, ChaCha20Poly1305>::new(
            sake::Sake { signer: signer.clone(), synchrony_bound: Duration::from_secs(5), max_handshake_age: Duration::from_secs(10), version: sake::Version::V1 },
            cups::Version::V1,
        );
        // The network budgets one quota burst per channel for every peer slot, so quotas and the
        // peer bound are sized to a consortium, not to the internet.
        let p2p = lookup::Config::local(handshake, &p2p_namespace, config.p2p_listen, NZUsize!(64), MAX_MESSAGE, NZUsize!(1024));
        let (mut network, oracle) = lookup::Network::new(context.child("network"), p2p);
        // Each epoch's peers are tracked when the epoch begins (epoch 0's at start).
        let peer_sets = crate::epochs::AddressedPeers { manager: oracle.clone(), known: peers.into_iter().collect() };
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
            namespace: consensus_namespace(&chain),
            partition_prefix: "node".into(),
            timing: Timing::default(),
            max_block_txs: config.max_block_txs,
            mailbox_size: NZUsize!(4096),
        };
        let running = start_validator(context.child("node"), node, ledger.clone(), mempool.clone(), oracle.clone(), peer_sets, oracle, channels).await;

        let blobs = match BlobStore::open(&data.join("blobs"), config.max_blob_bytes) {
            Ok(b) => Arc::new(b),
            Err(e) => {
                tracing::error!(error = %e, "cannot open the blob store");
                std::process::exit(i32::from(crate::error::exit::STORAGE));
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
        let ledger_for_log = ledger.clone();
        if let Some(address) = config.metrics_listen {
            let metrics = crate::metrics::router(crate::metrics::MetricsState {
                ledger: ledger.clone(),
                mempool: mempool.clone(),
                runtime: Arc::new(move || metrics_context.encode()),
            });
            match tokio::net::TcpListener::bind(address).await {
                Ok(listener) => {
                    info!(metrics = %address, "serving metrics");
                    tokio::spawn(async move { axum::serve(listener, metrics).await });
                }
                Err(e) => {
                    tracing::error!(address = %address, error = %e, "cannot listen for metrics");
                    std::process::exit(i32::from(crate::error::exit::NETWORK));
                }
            }
        }
        let state = ApiState {
            ledger,
            mempool,
            heights: running.finalizer.heights(),
            node_key: seed_bytes(&me),
            blobs,
            peers: Arc::new(peer_keys),
            receipts,
            seen: Arc::default(),
            links: Arc::new(crate::links::LinkDesk::new(config.tls.is_some())),
            mailbox: Arc::default(),
            reads: Default::default(),
        };
        let listener = match tokio::net::TcpListener::bind(config.api_listen).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(address = %config.api_listen, error = %e, "cannot listen for the API");
                std::process::exit(i32::from(crate::error::exit::NETWORK));
            }
        };
        info!(api = %config.api_listen, p2p = %config.p2p_listen, tls = config.tls.is_some(), "listening");
        let (asked, mut stopping) = tokio::sync::watch::channel(false);
        let pending = state.mempool.clone();
        tokio::spawn(async move {
            shutdown.await;
            // Nothing new is taken; what was accepted is committed first (for at most DRAIN:
            // a transaction that cannot go in a block is not waited for).
            pending.close();
            info!(pending = pending.len(), "refusing new transactions; committing the pending ones");
            let start = tokio::time::Instant::now();
            while !pending.is_empty() && start.elapsed() < DRAIN {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let _ = asked.send(true);
        });
        let mut drained = stopping.clone();
        let draining = async move {
            let _ = drained.wait_for(|s| *s).await;
        };
        let serve = async {
            match &config.tls {
                None => axum::serve(listener, router(state)).with_graceful_shutdown(draining).await,
                Some(tls) => serve_tls(listener, &root, tls, router(state), draining).await,
            }
        };
        let deadline = async move {
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(DRAIN).await;
        };
        tokio::select! {
            served = serve => if let Err(e) = served {
                tracing::error!(error = %e, "API server stopped");
            },
            () = deadline => tracing::warn!("connections still open after {} s; closing them", DRAIN.as_secs()),
        }
        info!("API stopped; stopping consensus");
        drop(running);
        if let Err(e) = stopper.stop(0, Some(DRAIN)).await {
            tracing::warn!(error = ?e, "consensus tasks did not stop in time");
        }
        info!(height = ledger_for_log.tip().height, "stopped");
    });
    Ok(())
}

/// The API over TLS (rustls), with the certificate and key the config names, until `drain`
/// resolves (then open connections get [`DRAIN`] to finish).
async fn serve_tls(
    listener: tokio::net::TcpListener,
    home: &std::path::Path,
    tls: &crate::config::TlsFiles,
    app: axum::Router,
    drain: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(
        home.join(&tls.cert),
        home.join(&tls.key),
    )
    .await?;
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        drain.await;
        stopping.graceful_shutdown(Some(DRAIN));
    });
    axum_server::from_tcp_rustls(listener.into_std()?, config)
        .handle(handle)
        .serve(app.into_make_service())
        .await
}

fn seed_bytes(key: &PublicKey) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(key.as_ref());
    out
}
