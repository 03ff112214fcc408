//! A whole validator network inside Commonware's deterministic runtime and simulated p2p
//! network: time, scheduling and message loss all follow one seed, so a failing seed replays
//! exactly. Used by the fault scenarios (`scenarios`) and `make soak`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use commonware_codec::DecodeExt;
use commonware_cryptography::Signer;
use commonware_cryptography::ed25519::{PrivateKey, PublicKey};
use commonware_p2p::simulated::{self, Link, Oracle};
use commonware_runtime::{Clock, Quota, Supervisor, deterministic};
use commonware_utils::{NZU32, NZUsize};
use medledger_state::store::Ledger;
use medledger_types::certificate::consensus_namespace;
use medledger_types::genesis::{Genesis, GenesisClinic, ValidatorSet};
use medledger_types::hash::{PublicKey as LedgerKey, ReceivingKey};

use crate::engine::{Channels, Running, Timing, ValidatorConfig, channel, start_validator_with};
use crate::mempool::Mempool;
use crate::mocks::byzantine::{ByzantineProposer, ProposerFault};

/// The 32-byte seed of simulated validator `i` (its ed25519 secret; insecure, tests only).
pub fn validator_seed(i: usize) -> [u8; 32] {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    seed[31] = 0x5a;
    seed
}

/// Commonware's private key for a 32-byte RFC 8032 seed.
pub fn private_key(seed: &[u8; 32]) -> PrivateKey {
    PrivateKey::decode(bytes::Bytes::copy_from_slice(seed))
        .expect("any 32 bytes are an ed25519 seed")
}

/// Our ledger's form of a Commonware public key (the same 32 bytes).
pub fn ledger_key(key: &PublicKey) -> LedgerKey {
    let mut out = [0u8; 32];
    out.copy_from_slice(key.as_ref());
    LedgerKey(out)
}

/// The genesis of a simulated chain with `n` validators and one demo clinic.
pub fn genesis(n: usize, clinic: LedgerKey) -> Genesis {
    let keys = (0..n)
        .map(|i| ledger_key(&private_key(&validator_seed(i)).public_key()))
        .collect();
    Genesis {
        chain_name: "simulation".into(),
        timestamp_ms: 0,
        validators: ValidatorSet::new(keys).expect("distinct keys"),
        clinics: vec![GenesisClinic {
            signing: clinic,
            receiving: ReceivingKey([7; 32]),
            name: "Simulated Clinic".into(),
        }],
        recovery_min_delay_ms: 1_000,
        emergency_keys: Vec::new(),
        epochs: medledger_types::epoch::Epochs::NONE,
    }
}

/// One simulated validator.
pub struct SimNode {
    pub ledger: Arc<Ledger>,
    pub mempool: Arc<Mempool>,
    pub running: Running,
}

/// A reliable link with a little latency.
pub fn good_link() -> Link {
    Link {
        latency: Duration::from_millis(10),
        jitter: Duration::from_millis(3),
        success_rate: commonware_utils::probability!(1.0),
    }
}

/// Starts the network (no links yet) and returns its oracle.
pub async fn network(
    context: &deterministic::Context,
    n: usize,
) -> Oracle<PublicKey, deterministic::Context> {
    let peers: Vec<PublicKey> = (0..n)
        .map(|i| private_key(&validator_seed(i)).public_key())
        .collect();
    let (net, oracle) = simulated::Network::new_with_peers(
        context.child("network"),
        simulated::Config {
            max_size: 16 * 1024 * 1024,
            max_peers_per_set: NZUsize!(64),
            disconnect_on_block: true,
            tracked_peer_sets: NZUsize!(1),
        },
        peers,
    )
    .await;
    net.start();
    oracle
}

/// Links every pair of validators in both directions.
pub async fn link_all(oracle: &Oracle<PublicKey, deterministic::Context>, n: usize, link: Link) {
    let keys: Vec<PublicKey> = (0..n)
        .map(|i| private_key(&validator_seed(i)).public_key())
        .collect();
    for a in &keys {
        for b in &keys {
            if a != b {
                oracle
                    .add_link(a.clone(), b.clone(), link.clone())
                    .await
                    .expect("link");
            }
        }
    }
}

/// Starts validator `i` of `n` with its ledger in `dir` (reopened if it exists: a restart).
pub async fn start_node(
    context: &deterministic::Context,
    oracle: &Oracle<PublicKey, deterministic::Context>,
    genesis: &Genesis,
    i: usize,
    n: usize,
    dir: &Path,
) -> SimNode {
    start_node_with(context, oracle, genesis, i, n, dir, None).await
}

/// [`start_node`], with an optional Byzantine proposer fault.
pub async fn start_node_with(
    context: &deterministic::Context,
    oracle: &Oracle<PublicKey, deterministic::Context>,
    genesis: &Genesis,
    i: usize,
    n: usize,
    dir: &Path,
    fault: Option<ProposerFault>,
) -> SimNode {
    let signer = private_key(&validator_seed(i));
    let key = signer.public_key();
    let ledger = Arc::new(
        Ledger::open(&dir.join(format!("ledger-{i}.redb")), genesis.clone()).expect("ledger"),
    );
    let mempool = Arc::new(Mempool::new(ledger.chain_id(), 100_000));
    let control = oracle.control(key.clone());
    let quota = Quota::per_second(NZU32!(100_000));
    let register = async |ch: u64| control.register(ch, quota).await.expect("register channel");
    let channels = Channels {
        votes: register(channel::VOTES).await,
        certificates: register(channel::CERTIFICATES).await,
        resolver: register(channel::RESOLVER).await,
        backfill: register(channel::BACKFILL).await,
        blocks: register(channel::BLOCKS).await,
    };
    let known: Vec<PublicKey> = (0..n)
        .map(|j| private_key(&validator_seed(j)).public_key())
        .collect();
    let config = ValidatorConfig {
        signer,
        namespace: consensus_namespace(&ledger.chain_id()),
        partition_prefix: format!("validator-{i}"),
        timing: Timing::default(),
        max_block_txs: 5_000,
        mailbox_size: NZUsize!(1024),
    };
    let context = context.child("validator").with_attribute("index", i);
    let (peers, blocker) = (oracle.manager(), control.clone());
    let peer_sets = crate::epochs::KeyedPeers {
        manager: oracle.manager(),
        known,
    };
    let running = match fault {
        None => {
            start_validator_with(
                context,
                config,
                ledger.clone(),
                mempool.clone(),
                peers,
                peer_sets,
                blocker,
                channels,
                |app| app,
            )
            .await
        }
        Some(fault) => {
            start_validator_with(
                context,
                config,
                ledger.clone(),
                mempool.clone(),
                peers,
                peer_sets,
                blocker,
                channels,
                |inner| ByzantineProposer { inner, fault },
            )
            .await
        }
    };
    SimNode {
        ledger,
        mempool,
        running,
    }
}

/// Waits (in simulated time) until every node has committed `height`, or `deadline` passes.
pub async fn wait_for_height(
    context: &deterministic::Context,
    nodes: &[&SimNode],
    height: u64,
    deadline: Duration,
) -> bool {
    let start = context.current();
    loop {
        if nodes.iter().all(|n| n.ledger.tip().height >= height) {
            return true;
        }
        if context.current().duration_since(start).unwrap_or_default() > deadline {
            return false;
        }
        context.sleep(Duration::from_millis(50)).await;
    }
}

/// Safety: every pair of nodes agrees on every height both have committed.
pub fn assert_agreement(nodes: &[&SimNode]) {
    let max = nodes
        .iter()
        .map(|n| n.ledger.tip().height)
        .min()
        .unwrap_or(0);
    for h in 0..=max {
        let hashes: Vec<_> = nodes
            .iter()
            .map(|n| n.ledger.block(h).expect("read").expect("committed").hash())
            .collect();
        assert!(
            hashes.windows(2).all(|w| w[0] == w[1]),
            "validators disagree at height {h}: {hashes:?}"
        );
    }
}

impl SimNode {
    /// Crashes the node: every task stops at once, as with `kill -9`. Its storage (the
    /// runtime's partitions and the ledger file) stays for a restart.
    pub fn crash(self) {
        for handle in self.running.handles {
            handle.abort();
        }
    }
}

/// Cuts every link between the two groups (both directions).
pub async fn partition(
    oracle: &Oracle<PublicKey, deterministic::Context>,
    left: &[usize],
    right: &[usize],
) {
    for &a in left {
        for &b in right {
            let (ka, kb) = (
                private_key(&validator_seed(a)).public_key(),
                private_key(&validator_seed(b)).public_key(),
            );
            let _ = oracle.remove_link(ka.clone(), kb.clone()).await;
            let _ = oracle.remove_link(kb, ka).await;
        }
    }
}

/// Restores the links between the two groups.
pub async fn heal(
    oracle: &Oracle<PublicKey, deterministic::Context>,
    left: &[usize],
    right: &[usize],
    link: Link,
) {
    for &a in left {
        for &b in right {
            let (ka, kb) = (
                private_key(&validator_seed(a)).public_key(),
                private_key(&validator_seed(b)).public_key(),
            );
            oracle
                .add_link(ka.clone(), kb.clone(), link.clone())
                .await
                .expect("link");
            oracle.add_link(kb, ka, link.clone()).await.expect("link");
        }
    }
}

/// Seeds to run: `MEDLEDGER_SEEDS` (a count) overrides the default, so `make soak` runs thousands
/// through the same tests.
pub fn seeds(default: u64) -> std::ops::Range<u64> {
    let n = std::env::var("MEDLEDGER_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    1..n + 1
}
