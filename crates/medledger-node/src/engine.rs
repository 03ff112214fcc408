//! Wiring one validator: block gossip (buffered broadcast), marshal (finalized-block ordering,
//! storage and backfill), and Simplex consensus over the ledger application.
//!
//! The wiring is generic over the runtime and the p2p network, so the same code runs on the
//! tokio runtime with authenticated p2p in production and on the deterministic runtime with the
//! simulated network in fault tests.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use commonware_broadcast::buffered;
use commonware_codec::Decode;
use commonware_consensus::Reporters;
use commonware_consensus::marshal::core::Actor as Marshal;
use commonware_consensus::marshal::resolver::p2p as marshal_resolver;
use commonware_consensus::marshal::standard::Inline;
use commonware_consensus::marshal::{Config as MarshalConfig, Start};
use commonware_consensus::simplex;
use commonware_consensus::simplex::config::{ForwardPolicy, SkipBudget, SkipPolicy};
use commonware_consensus::simplex::elector::RoundRobin;
use commonware_consensus::simplex::scheme::ed25519::Scheme;
use commonware_consensus::simplex::types::Finalization;
use commonware_consensus::types::{Epoch, FixedEpocher, ViewDelta};
use commonware_cryptography::certificate::Verifier as _;
use commonware_cryptography::ed25519::{PrivateKey, PublicKey};
use commonware_cryptography::sha256::Sha256;
use commonware_cryptography::{Digested, Signer};
use commonware_p2p::{Blocker, Provider, Receiver, Sender};
use commonware_parallel::Sequential;
use commonware_runtime::buffer::paged::CacheRef;
use commonware_runtime::{Clock, Handle, Metrics, Spawner, Storage, Supervisor};
use commonware_storage::archive::immutable;
use commonware_utils::{NZDuration, NZU16, NZU64, NZUsize};
use medledger_state::store::Ledger;
use rand_core::CryptoRng;

use crate::application::LedgerApp;
use crate::block::{LedgerBlock, digest_of};
use crate::epochs::{EpochSchemes, PeerSets};
use crate::finalizer::{CertificateRecorder, Certificates, Finalizer};
use crate::mempool::Mempool;
use crate::orchestrator::{EpochChannels, Orchestrator};

/// Consensus timing and sizing.
#[derive(Clone, Debug)]
pub struct Timing {
    pub leader_timeout: Duration,
    pub certification_timeout: Duration,
    pub timeout_retry: Duration,
    /// How long a silent leader is waited for before its remaining views are skipped
    /// (must exceed `timeout_retry`).
    pub skip_timeout: Duration,
    pub fetch_timeout: Duration,
    /// Minimum time between a block and its child (proposal pacing).
    pub min_block_interval: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            leader_timeout: Duration::from_secs(1),
            certification_timeout: Duration::from_secs(2),
            timeout_retry: Duration::from_secs(5),
            skip_timeout: Duration::from_secs(10),
            fetch_timeout: Duration::from_secs(2),
            min_block_interval: Duration::from_millis(200),
        }
    }
}

/// One validator's identity and chain.
pub struct ValidatorConfig {
    pub signer: PrivateKey,
    /// Simplex's namespace (see `medledger_types::certificate::consensus_namespace`).
    pub namespace: Vec<u8>,
    /// Prefix of every storage partition this validator uses.
    pub partition_prefix: String,
    pub timing: Timing,
    pub max_block_txs: usize,
    pub mailbox_size: NonZeroUsize,
}

/// The five p2p channels a validator uses.
pub struct Channels<S, R> {
    pub votes: (S, R),
    pub certificates: (S, R),
    pub resolver: (S, R),
    pub backfill: (S, R),
    pub blocks: (S, R),
}

/// Channel numbers (shared by every node of a chain).
pub mod channel {
    pub const VOTES: u64 = 0;
    pub const CERTIFICATES: u64 = 1;
    pub const RESOLVER: u64 = 2;
    pub const BACKFILL: u64 = 3;
    pub const BLOCKS: u64 = 4;
}

/// What a running validator exposes to the rest of the node.
pub struct Running {
    pub finalizer: Finalizer,
    pub handles: Vec<Handle<()>>,
}

const PAGE_SIZE: std::num::NonZeroU16 = NZU16!(4096);
const PAGE_CACHE_SIZE: NonZeroUsize = NZUsize!(1024);

fn archive_config<C: Clone>(
    prefix: &str,
    name: &str,
    page_cache: &CacheRef,
    codec_config: C,
) -> immutable::Config<C> {
    immutable::Config {
        metadata_partition: format!("{prefix}-{name}-metadata"),
        freezer_table_partition: format!("{prefix}-{name}-freezer-table"),
        freezer_table_initial_size: 64,
        freezer_table_resize_frequency: 10,
        freezer_table_resize_chunk_size: 10,
        freezer_key_partition: format!("{prefix}-{name}-freezer-key"),
        freezer_key_page_cache: page_cache.clone(),
        freezer_value_partition: format!("{prefix}-{name}-freezer-value"),
        freezer_value_target_size: 1 << 20,
        freezer_value_compression: None,
        ordinal_partition: format!("{prefix}-{name}-ordinal"),
        items_per_section: NZU64!(1024),
        codec_config,
        replay_buffer: NZUsize!(1 << 16),
        freezer_key_write_buffer: NZUsize!(1 << 16),
        freezer_value_write_buffer: NZUsize!(1 << 16),
        ordinal_write_buffer: NZUsize!(1 << 16),
    }
}

/// The first block of a store that state sync restored, and its certificate as Simplex and
/// marshal take it (`None`: the store holds the chain from genesis). A synced store that lost
/// either cannot start: it is restored again.
pub(crate) fn synced_floor(
    ledger: &Ledger,
) -> Option<(
    u64,
    Finalization<Scheme, commonware_cryptography::sha256::Digest>,
)> {
    let base = ledger
        .base_height()
        .expect("the store's first height is readable");
    if base == 0 {
        return None;
    }
    let bytes = ledger
        .finalization(base)
        .ok()
        .flatten()
        .expect("a state-synced store holds its first block's certificate");
    let finalization =
        Finalization::decode_cfg(bytes, &Scheme::certificate_codec_config_unbounded())
            .expect("a state-synced store's first certificate decodes");
    Some((base, finalization))
}

/// Starts a node: in each epoch a validator when `config.signer` is in that epoch's set (read
/// from the ledger), otherwise a follower that verifies and commits the finalized chain without
/// voting. `ledger` must be open on the chain whose genesis block marshal starts from;
/// `peer_sets` is told who to connect at each epoch.
#[allow(clippy::too_many_arguments)]
pub async fn start_validator<E, S, R, P, M, B>(
    context: E,
    config: ValidatorConfig,
    ledger: Arc<Ledger>,
    mempool: Arc<Mempool>,
    peers: P,
    peer_sets: M,
    blocker: B,
    channels: Channels<S, R>,
) -> Running
where
    E: Spawner + Clock + Storage + Metrics + Supervisor + CryptoRng,
    S: Sender<PublicKey = PublicKey>,
    R: Receiver<PublicKey = PublicKey>,
    P: Provider<PublicKey = PublicKey> + Clone,
    M: PeerSets,
    B: Blocker<PublicKey = PublicKey> + Clone,
{
    start_validator_with(
        context,
        config,
        ledger,
        mempool,
        peers,
        peer_sets,
        blocker,
        channels,
        |app| app,
    )
    .await
}

/// [`start_validator`] with the application wrapped by `wrap` (the fault tests' Byzantine
/// proposers in `mocks/` wrap the real one, as Commonware's mock actors do).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn start_validator_with<E, S, R, P, M, B, A>(
    context: E,
    config: ValidatorConfig,
    ledger: Arc<Ledger>,
    mempool: Arc<Mempool>,
    peers: P,
    peer_sets: M,
    blocker: B,
    channels: Channels<S, R>,
    wrap: impl FnOnce(LedgerApp) -> A,
) -> Running
where
    E: Spawner + Clock + Storage + Metrics + Supervisor + CryptoRng,
    S: Sender<PublicKey = PublicKey>,
    R: Receiver<PublicKey = PublicKey>,
    P: Provider<PublicKey = PublicKey> + Clone,
    M: PeerSets,
    B: Blocker<PublicKey = PublicKey> + Clone,
    A: commonware_consensus::Application<
            E,
            SigningScheme = Scheme,
            Context = commonware_consensus::simplex::types::Context<
                commonware_cryptography::sha256::Digest,
                PublicKey,
            >,
            Block = LedgerBlock,
            Input = (),
        >,
{
    let me = config.signer.public_key();
    // Each epoch's scheme: a signer where this node is one of its validators, else a verifier
    // (the node follows that epoch: verifies, never votes).
    let schemes = EpochSchemes::new(config.namespace.clone(), config.signer.clone());
    let page_cache = CacheRef::new(PAGE_SIZE, PAGE_CACHE_SIZE);
    let prefix = config.partition_prefix.clone();

    // Block gossip.
    let (broadcast_engine, buffer) = buffered::Engine::new(
        context.child("broadcast"),
        buffered::Config {
            public_key: me.clone(),
            mailbox_size: config.mailbox_size,
            deque_size: 16,
            priority: false,
            codec_config: (),
            peer_provider: peers.clone(),
            strategy: Sequential,
        },
    );
    let broadcast_handle = broadcast_engine.start(channels.blocks);

    // Backfill of missing blocks and certificates.
    let resolver = marshal_resolver::init(
        context.child("resolver"),
        marshal_resolver::Config {
            public_key: me.clone(),
            peer_provider: peers.clone(),
            blocker: blocker.clone(),
            mailbox_size: config.mailbox_size,
            fetch_timeout: NZDuration!(config.timing.fetch_timeout),
            fetch_retry_delay: Duration::from_millis(200),
            priority_requests: false,
            priority_responses: false,
        },
        channels.backfill,
    );

    // Marshal: finalized blocks in order, stored, delivered to the finalizer.
    let finalizations = immutable::Archive::init(
        context.child("finalizations_by_height"),
        archive_config(
            &prefix,
            "finalizations",
            &page_cache,
            Scheme::certificate_codec_config_unbounded(),
        ),
    )
    .await
    .expect("finalizations archive");
    let blocks = immutable::Archive::init(
        context.child("finalized_blocks"),
        archive_config(&prefix, "blocks", &page_cache, ()),
    )
    .await
    .expect("blocks archive");
    // A store restored by state sync starts from its first block's certificate; any other from
    // the genesis block.
    let start = match synced_floor(&ledger) {
        Some((base, finalization)) => {
            let epoch = ledger.genesis().epochs.of(base);
            match ledger.validators_of_epoch(epoch) {
                Ok(Some(validators)) => schemes.register(Epoch::new(epoch), &validators),
                _ => panic!("a state-synced store holds its first block's validator set"),
            }
            Start::Floor(finalization)
        }
        None => {
            let genesis = ledger
                .block(0)
                .ok()
                .flatten()
                .expect("the ledger holds its genesis block");
            let genesis = LedgerBlock::new(genesis);
            let genesis_digest = digest_of(&genesis.hash());
            Start::Genesis(Digested::precomputed(genesis, genesis_digest))
        }
    };
    let epocher = FixedEpocher::new(
        std::num::NonZeroU64::new(ledger.genesis().epochs.length()).unwrap_or(NZU64!(u64::MAX)),
    );
    let (marshal, marshal_mailbox, _floor) = Marshal::init(
        context.child("marshal"),
        finalizations,
        blocks,
        MarshalConfig {
            provider: schemes.clone(),
            epocher: epocher.clone(),
            start,
            mailbox_size: config.mailbox_size,
            view_retention: ViewDelta::new(256),
            max_repair: NZUsize!(64),
            max_pending_acks: NZUsize!(16),
            block_codec_config: (),
            partition_prefix: format!("{prefix}-marshal"),
            prunable_items_per_section: NZU64!(256),
            replay_buffer: NZUsize!(1 << 16),
            key_write_buffer: NZUsize!(1 << 16),
            value_write_buffer: NZUsize!(1 << 16),
            page_cache: page_cache.clone(),
            strategy: Sequential,
        },
    )
    .await;
    let certificates = Certificates::new(ledger.clone());
    let finalizer = Finalizer::new(ledger.clone(), mempool.clone(), certificates.clone());

    // Consensus over the ledger application, one engine per epoch.
    let app = wrap(
        LedgerApp::new(ledger.clone(), mempool, config.max_block_txs)
            .with_min_block_interval(config.timing.min_block_interval),
    );
    let inline = Inline::new(
        context.child("application"),
        app,
        marshal_mailbox.clone(),
        epocher,
    );
    let reporter: Reporters<_, _> = (inline.clone(), CertificateRecorder(certificates)).into();
    let engine_context = context.child("simplex");
    let timing = config.timing.clone();
    let mailbox_size = config.mailbox_size;
    let engines =
        move |epoch: Epoch,
              scheme: Scheme,
              floor: simplex::config::Floor<Scheme, commonware_cryptography::sha256::Digest>,
              partition: String,
              channels: EpochChannels<S>|
              -> Handle<()> {
            let [votes, certificates, resolver] = channels;
            let engine = simplex::Engine::new(
                engine_context.child("epoch").with_attribute("epoch", epoch),
                simplex::config::Config {
                    scheme,
                    elector: RoundRobin::<Sha256>::default(),
                    blocker: blocker.clone(),
                    automaton: inline.clone(),
                    relay: inline.clone(),
                    reporter: reporter.clone(),
                    strategy: Sequential,
                    partition,
                    mailbox_size,
                    epoch,
                    floor,
                    replay_buffer: NZUsize!(1 << 16),
                    write_buffer: NZUsize!(1 << 16),
                    page_cache: page_cache.clone(),
                    leader_timeout: timing.leader_timeout,
                    certification_timeout: timing.certification_timeout,
                    timeout_retry: timing.timeout_retry,
                    view_retention: ViewDelta::new(256),
                    skip: SkipPolicy::Enabled {
                        timeout: timing.skip_timeout,
                        budget: SkipBudget::Participants,
                    },
                    fetch_timeout: NZDuration!(timing.fetch_timeout),
                    fetch_retry_delay: Duration::from_millis(200),
                    forward: ForwardPolicy::Disabled,
                    track_historical_votes: false,
                },
            );
            engine.start(votes, certificates, resolver)
        };
    let (orchestrator, orchestrator_mailbox) = Orchestrator::new(
        context.child("epochs"),
        ledger,
        schemes,
        marshal_mailbox,
        peer_sets,
        engines,
        prefix,
        config.mailbox_size,
    );
    // The finalizer commits each block before the orchestrator sees it (reporters run in
    // order), so at a boundary the next epoch's set is already in the ledger.
    let marshal_handle = marshal.start(
        Reporters::from((finalizer.clone(), orchestrator_mailbox)),
        buffer,
        resolver,
    );
    let consensus_handle =
        orchestrator.start(channels.votes, channels.certificates, channels.resolver);
    Running {
        finalizer,
        handles: vec![broadcast_handle, marshal_handle, consensus_handle],
    }
}
