//! One Simplex engine per epoch, started and stopped at epoch boundaries: Commonware's way to
//! change a validator set (as its glue orchestrator and Tempo do), never a restart of the node.
//!
//! Marshal (one for the whole chain) delivers finalized blocks in height order; the finalizer
//! commits each to the ledger first, then this actor sees it. Below the running epoch's last
//! height it is acknowledged at once. The last block of the epoch is the boundary: the ledger
//! has just made the next epoch's set (the governance changes approved during this epoch) the
//! running one, so the actor registers that set's scheme, tracks its peers, starts the next
//! epoch's engine with the boundary block as its genesis, stops the old engine, and only then
//! acknowledges. `Inline` re-proposes the boundary block in the old epoch until it is
//! finalized there, so every boundary has a certificate from the set that ends.
//!
//! Votes, certificates and consensus backfill are multiplexed by epoch on their channels. A
//! message for a later epoch than the running one tells this node it is behind: it asks
//! marshal for the finalization of its epoch's last block from that peer, and catches up epoch
//! by epoch.

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::sync::Arc;

use commonware_actor::Feedback;
use commonware_actor::mailbox::{self, Policy};
use commonware_consensus::Reporter;
use commonware_consensus::marshal::Update;
use commonware_consensus::marshal::core::Mailbox as MarshalMailbox;
use commonware_consensus::marshal::standard::Standard;
use commonware_consensus::simplex::config::Floor;
use commonware_consensus::simplex::scheme::ed25519::Scheme;
use commonware_consensus::types::{Epoch, Height};
use commonware_cryptography::Digested;
use commonware_cryptography::certificate::Provider as _;
use commonware_cryptography::ed25519::PublicKey;
use commonware_cryptography::sha256::Digest;
use commonware_p2p::utils::mux::{Builder as _, MuxHandle, Muxer, SubReceiver, SubSender};
use commonware_p2p::{Receiver, Sender};
use commonware_runtime::{Handle, Metrics, Spawner};
use commonware_utils::Acknowledgement as _;
use commonware_utils::acknowledgement::Exact;
use commonware_utils::vec::NonEmptyVec;
use medledger_state::store::Ledger;
use medledger_types::epoch::Epochs;
use tracing::{error, info, warn};

use crate::block::{LedgerBlock, digest_of};
use crate::epochs::{EpochSchemes, PeerSets};

/// An epoch's three consensus channels.
pub type EpochChannels<S> = [(SubSender<S>, SubReceiver<PublicKey>); 3];

/// Starts epoch `epoch`'s Simplex engine with `scheme`, from `floor`, writing its journal under
/// `partition`, on `channels` (votes, certificates, backfill).
pub trait StartEngine<S: Sender>: Send + 'static {
    fn start(
        &mut self,
        epoch: Epoch,
        scheme: Scheme,
        floor: Floor<Scheme, Digest>,
        partition: String,
        channels: EpochChannels<S>,
    ) -> Handle<()>;
}

impl<S, F> StartEngine<S> for F
where
    S: Sender,
    F: FnMut(Epoch, Scheme, Floor<Scheme, Digest>, String, EpochChannels<S>) -> Handle<()>
        + Send
        + 'static,
{
    fn start(
        &mut self,
        epoch: Epoch,
        scheme: Scheme,
        floor: Floor<Scheme, Digest>,
        partition: String,
        channels: EpochChannels<S>,
    ) -> Handle<()> {
        self(epoch, scheme, floor, partition, channels)
    }
}

/// A block marshal finalized, with the acknowledgement marshal waits for.
pub struct Finalized {
    block: Digested<LedgerBlock>,
    ack: Exact,
}

impl Policy for Finalized {
    type Overflow = VecDeque<Self>;

    fn handle(overflow: &mut VecDeque<Self>, message: Self) {
        // A dropped report would leave its block unacknowledged and marshal waiting forever.
        overflow.push_back(message);
    }
}

/// Marshal's reporter for the orchestrator (after the finalizer).
#[derive(Clone)]
pub struct OrchestratorMailbox(mailbox::Sender<Finalized>);

impl Reporter for OrchestratorMailbox {
    type Activity = Update<LedgerBlock>;

    fn report(&mut self, activity: Self::Activity) -> Feedback {
        match activity {
            Update::Block(block, ack) => self.0.enqueue(Finalized { block, ack }),
            Update::Tip(..) => Feedback::Ok,
        }
    }
}

/// The running epoch's engine; dropping it stops the engine.
struct ActiveEpoch {
    epoch: Epoch,
    handle: Handle<()>,
}

impl Drop for ActiveEpoch {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// The epoch-multiplexed channels.
struct Channels<S: Sender> {
    votes: MuxHandle<S>,
    votes_ahead:
        commonware_utils::channel::mpsc::Receiver<(u64, commonware_p2p::Message<PublicKey>)>,
    certificates: MuxHandle<S>,
    certificates_ahead:
        commonware_utils::channel::mpsc::Receiver<(u64, commonware_p2p::Message<PublicKey>)>,
    resolver: MuxHandle<S>,
}

/// Runs one engine per epoch (see the module docs).
pub struct Orchestrator<E, P, F> {
    context: E,
    mailbox: mailbox::Receiver<Finalized>,
    ledger: Arc<Ledger>,
    schemes: EpochSchemes,
    marshal: MarshalMailbox<Scheme, Standard<LedgerBlock>>,
    peers: P,
    engines: F,
    epochs: Epochs,
    partition_prefix: String,
}

impl<E, P, F> Orchestrator<E, P, F>
where
    E: Spawner + Metrics + commonware_runtime::Clock,
    P: PeerSets,
{
    /// An orchestrator and the reporter marshal hands finalized blocks to.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        context: E,
        ledger: Arc<Ledger>,
        schemes: EpochSchemes,
        marshal: MarshalMailbox<Scheme, Standard<LedgerBlock>>,
        peers: P,
        engines: F,
        partition_prefix: String,
        mailbox_size: NonZeroUsize,
    ) -> (Self, OrchestratorMailbox) {
        let (sender, mailbox) = mailbox::new(context.child("orchestrator_mailbox"), mailbox_size);
        let epochs = ledger.genesis().epochs;
        (
            Self {
                context,
                mailbox,
                ledger,
                schemes,
                marshal,
                peers,
                engines,
                epochs,
                partition_prefix,
            },
            OrchestratorMailbox(sender),
        )
    }

    /// Registers the scheme of every epoch the ledger has begun (marshal verifies old
    /// finalizations with them) and returns the epoch to run now.
    pub fn register_known_epochs(&self) -> Epoch {
        let running = self.epochs.of(self.ledger.tip().height.saturating_add(1));
        for epoch in 0..=running {
            match self.ledger.validators_of_epoch(epoch) {
                Ok(Some(validators)) => self.schemes.register(Epoch::new(epoch), &validators),
                Ok(None) => warn!(epoch, "no validator set for an epoch the ledger has begun"),
                Err(e) => error!(epoch, error = %e, "cannot read an epoch's validator set"),
            }
        }
        Epoch::new(running)
    }

    /// Runs until the node stops.
    pub fn start<S, R>(self, votes: (S, R), certificates: (S, R), resolver: (S, R)) -> Handle<()>
    where
        S: Sender<PublicKey = PublicKey>,
        R: Receiver<PublicKey = PublicKey>,
        F: StartEngine<S>,
    {
        let spawner = self.context.child("orchestrator");
        spawner.spawn(move |_| self.run(votes, certificates, resolver))
    }

    async fn run<S, R>(mut self, votes: (S, R), certificates: (S, R), resolver: (S, R))
    where
        S: Sender<PublicKey = PublicKey>,
        R: Receiver<PublicKey = PublicKey>,
        F: StartEngine<S>,
    {
        let (votes_mux, votes, votes_ahead) =
            Muxer::builder(self.context.child("votes_mux"), votes.0, votes.1)
                .with_backup()
                .build();
        votes_mux.start();
        let (certificates_mux, certificates, certificates_ahead) = Muxer::builder(
            self.context.child("certificates_mux"),
            certificates.0,
            certificates.1,
        )
        .with_backup()
        .build();
        certificates_mux.start();
        let (resolver_mux, resolver) =
            Muxer::new(self.context.child("resolver_mux"), resolver.0, resolver.1);
        resolver_mux.start();
        let mut channels = Channels {
            votes,
            votes_ahead,
            certificates,
            certificates_ahead,
            resolver,
        };

        let epoch = self.register_known_epochs();
        let Some(floor) = self.floor(epoch) else {
            error!(%epoch, "no block to start the running epoch from; consensus does not start");
            return;
        };
        let Some(mut active) = self.enter(epoch, floor, &mut channels).await else {
            return;
        };
        let mut stopped = self.context.stopped();
        loop {
            commonware_macros::select! {
                _ = &mut stopped => break,
                ahead = channels.votes_ahead.recv() => match ahead {
                    Some((theirs, (from, _))) => self.behind(active.epoch, theirs, from),
                    None => break,
                },
                ahead = channels.certificates_ahead.recv() => match ahead {
                    Some((theirs, (from, _))) => self.behind(active.epoch, theirs, from),
                    None => break,
                },
                message = self.mailbox.recv() => match message {
                    Some(Finalized { block, ack }) => {
                        if !self.finalized(&mut active, block, ack, &mut channels).await {
                            break;
                        }
                    }
                    None => break,
                },
            }
        }
    }

    /// A peer sends consensus messages of a later epoch: this node missed a boundary.
    fn behind(&self, ours: Epoch, theirs: u64, from: PublicKey) {
        if theirs <= ours.get() {
            return;
        }
        if let Some(last) = self.epochs.last(ours.get()) {
            info!(ours = %ours, theirs, "a peer is in a later epoch; fetching this epoch's last block");
            self.marshal
                .hint_finalized(Height::new(last), NonEmptyVec::new(from));
        }
    }

    /// Where `epoch`'s engine starts: genesis for epoch 0, else the previous epoch's last block;
    /// on a store that state sync restored inside `epoch`, the restored block's certificate.
    fn floor(&self, epoch: Epoch) -> Option<Floor<Scheme, Digest>> {
        let height = match epoch.get().checked_sub(1) {
            None => 0,
            Some(previous) => self.epochs.last(previous)?,
        };
        if let Some(block) = self.ledger.block(height).ok().flatten() {
            return Some(Floor::Genesis(digest_of(&block.hash())));
        }
        let (base, finalization) = crate::engine::synced_floor(&self.ledger)?;
        (self.epochs.of(base) == epoch.get()).then_some(Floor::Finalized(finalization))
    }

    async fn finalized<S: Sender<PublicKey = PublicKey>>(
        &mut self,
        active: &mut ActiveEpoch,
        block: Digested<LedgerBlock>,
        ack: Exact,
        channels: &mut Channels<S>,
    ) -> bool
    where
        F: StartEngine<S>,
    {
        let height = block.inner().block().header.height;
        let Some(last) = self.epochs.last(active.epoch.get()) else {
            ack.acknowledge();
            return true;
        };
        if height != last {
            // Below the boundary (or a block redelivered after a restart): nothing to switch.
            if height > last {
                error!(
                    height,
                    last, "a finalized block past the running epoch's last; halting"
                );
                return false;
            }
            ack.acknowledge();
            return true;
        }
        let next = active.epoch.next();
        // The finalizer committed the boundary before this report: the next set is in the state.
        let validators = match self.ledger.validators_of_epoch(next.get()) {
            Ok(Some(v)) => v,
            other => {
                error!(%next, result = ?other.map(|v| v.is_some()), "the boundary committed no next validator set; halting");
                return false;
            }
        };
        self.schemes.register(next, &validators);
        let floor = Floor::Genesis(digest_of(&block.inner().hash()));
        let Some(entered) = self.enter(next, floor, channels).await else {
            return false;
        };
        info!(epoch = %next, validators = validators.members().len(), "entered the next epoch");
        // Replacing the active epoch stops the old engine.
        *active = entered;
        ack.acknowledge();
        true
    }

    /// Tracks `epoch`'s peers and starts its engine.
    async fn enter<S: Sender<PublicKey = PublicKey>>(
        &mut self,
        epoch: Epoch,
        floor: Floor<Scheme, Digest>,
        channels: &mut Channels<S>,
    ) -> Option<ActiveEpoch>
    where
        F: StartEngine<S>,
    {
        let validators = self
            .ledger
            .validators_of_epoch(epoch.get())
            .ok()
            .flatten()?;
        self.peers.track(epoch, &validators);
        let scheme = self.schemes.scoped(epoch).and_then(|s| s.into_scheme())?;
        let votes = channels.votes.register(epoch.get()).await.ok()?;
        let certificates = channels.certificates.register(epoch.get()).await.ok()?;
        let resolver = channels.resolver.register(epoch.get()).await.ok()?;
        // Epoch 0 keeps the journal name a node had before epochs, so a restart resumes it.
        let partition = if epoch.get() == 0 {
            format!("{}-simplex", self.partition_prefix)
        } else {
            format!("{}-simplex-{}", self.partition_prefix, epoch.get())
        };
        let handle = self.engines.start(
            epoch,
            scheme.as_ref().clone(),
            floor,
            partition,
            [votes, certificates, resolver],
        );
        Some(ActiveEpoch { epoch, handle })
    }
}
