//! Where finalized blocks land: marshal delivers them in height order, at least once; each is
//! committed to the ledger store (state, block and certificate in one transaction) before marshal
//! is told it may move on. Finalization certificates arrive separately from consensus and are
//! attached to their block's height.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use commonware_actor::Feedback;
use commonware_codec::Encode;
use commonware_consensus::Reporter;
use commonware_consensus::marshal::Update;
use commonware_consensus::simplex::scheme::ed25519::Scheme;
use commonware_consensus::simplex::types::Activity;
use commonware_cryptography::sha256::Digest;
use commonware_utils::Acknowledgement;
use medledger_state::store::Ledger;
use tokio::sync::watch;
use tracing::{debug, error, info};

use crate::block::{LedgerBlock, digest_of};
use crate::mempool::Mempool;

/// How many recent certificates and committed digests are remembered for matching.
const REMEMBERED: usize = 4096;
/// How many pending transactions are re-checked after each commit.
const REVALIDATE_BATCH: usize = 512;

#[derive(Default)]
struct CertificatesInner {
    /// Certificates whose block is not committed yet.
    waiting: HashMap<Digest, Vec<u8>>,
    waiting_order: std::collections::VecDeque<Digest>,
    /// Recently committed blocks, by digest.
    committed: HashMap<Digest, u64>,
    committed_order: BTreeMap<u64, Digest>,
}

/// Matches finalization certificates with committed heights, whichever arrives first.
#[derive(Clone)]
pub struct Certificates {
    ledger: Arc<Ledger>,
    inner: Arc<Mutex<CertificatesInner>>,
}

impl Certificates {
    pub fn new(ledger: Arc<Ledger>) -> Self {
        Self {
            ledger,
            inner: Arc::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CertificatesInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A certificate for `digest` arrived from consensus.
    fn finalized(&self, digest: Digest, certificate: Vec<u8>) {
        let height = {
            let mut inner = self.lock();
            match inner.committed.get(&digest).copied() {
                Some(h) => Some(h),
                None => {
                    if inner.waiting.insert(digest, certificate.clone()).is_none() {
                        inner.waiting_order.push_back(digest);
                        if inner.waiting_order.len() > REMEMBERED
                            && let Some(old) = inner.waiting_order.pop_front()
                        {
                            inner.waiting.remove(&old);
                        }
                    }
                    None
                }
            }
        };
        if let Some(height) = height
            && let Err(e) = self.ledger.store_finalization(height, &certificate)
        {
            error!(height, error = %e, "could not store a finalization certificate");
        }
    }

    /// `digest` is being committed at `height`: returns its certificate if it already arrived.
    fn committing(&self, digest: Digest, height: u64) -> Option<Vec<u8>> {
        let mut inner = self.lock();
        inner.committed.insert(digest, height);
        inner.committed_order.insert(height, digest);
        while inner.committed_order.len() > REMEMBERED {
            if let Some((_, old)) = inner.committed_order.pop_first() {
                inner.committed.remove(&old);
            }
        }
        let certificate = inner.waiting.remove(&digest);
        if certificate.is_some() {
            inner.waiting_order.retain(|d| *d != digest);
        }
        certificate
    }
}

/// Consensus activity reporter: keeps finalization certificates.
#[derive(Clone)]
pub struct CertificateRecorder(pub Certificates);

impl Reporter for CertificateRecorder {
    type Activity = Activity<Scheme, Digest>;

    fn report(&mut self, activity: Self::Activity) -> Feedback {
        if let Activity::Finalization(finalization) = activity {
            self.0.finalized(
                finalization.proposal.payload,
                finalization.encode().to_vec(),
            );
        }
        Feedback::Ok
    }
}

/// Marshal's application reporter: commits finalized blocks.
#[derive(Clone)]
pub struct Finalizer {
    ledger: Arc<Ledger>,
    mempool: Arc<Mempool>,
    certificates: Certificates,
    height: Arc<watch::Sender<u64>>,
}

impl Finalizer {
    pub fn new(ledger: Arc<Ledger>, mempool: Arc<Mempool>, certificates: Certificates) -> Self {
        let (height, _) = watch::channel(ledger.tip().height);
        Self {
            ledger,
            mempool,
            certificates,
            height: Arc::new(height),
        }
    }

    /// Follows the committed height (for the API's event stream and waits).
    pub fn heights(&self) -> watch::Receiver<u64> {
        self.height.subscribe()
    }
}

impl Reporter for Finalizer {
    type Activity = Update<LedgerBlock>;

    fn report(&mut self, activity: Self::Activity) -> Feedback {
        match activity {
            Update::Tip(..) => {}
            Update::Block(block, ack) => {
                let block = block.inner();
                let height = block.block().header.height;
                let certificate = self
                    .certificates
                    .committing(digest_of(&block.hash()), height);
                match self.ledger.commit(block.block(), certificate.as_deref()) {
                    Ok(()) => {
                        self.mempool.remove_committed(&block.block().txs);
                        let dropped = self.mempool.revalidate(&self.ledger, REVALIDATE_BATCH);
                        if dropped > 0 {
                            debug!(
                                dropped,
                                "dropped pending transactions that can no longer apply"
                            );
                        }
                        info!(height, txs = block.block().txs.len(), "committed");
                        self.height.send_replace(height);
                        ack.acknowledge();
                    }
                    Err(e) => {
                        // Never acknowledge a block we could not commit: marshal stops rather than
                        // let this node diverge from the finalized chain.
                        error!(height, error = %e, "could not commit a finalized block; halting");
                    }
                }
            }
        }
        Feedback::Ok
    }
}
