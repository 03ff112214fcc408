//! The ledger as a Commonware [`Application`]: build blocks from the mempool on top of their
//! parent's state, and verify others' blocks by re-executing them.
//!
//! Execution is speculative until finalization: a block is executed on top of its (possibly
//! unfinalized) parent and kept in the ledger's pending set; [`crate::finalizer`] commits it
//! when marshal delivers it finalized.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use commonware_consensus::Application;
use commonware_consensus::marshal::ancestry::Ancestry;
use commonware_consensus::simplex::scheme::ed25519::Scheme;
use commonware_consensus::simplex::types::Context;
use commonware_cryptography::Digested;
use commonware_cryptography::ed25519::PublicKey;
use commonware_cryptography::sha256::Digest;
use commonware_runtime::Clock;
use futures::StreamExt;
use medledger_state::store::{ExecuteError, Ledger, Mode};
use medledger_types::hash::BlockHash;
use tracing::{debug, warn};

use crate::block::{LedgerBlock, digest_of, hash_of};
use crate::mempool::Mempool;

/// How far ahead of a validator's clock a block's timestamp may be.
pub const MAX_CLOCK_DRIFT: Duration = Duration::from_secs(5);

/// The ledger application shared by every consensus task of a node.
#[derive(Clone)]
pub struct LedgerApp {
    ledger: Arc<Ledger>,
    mempool: Arc<Mempool>,
    max_block_txs: usize,
    min_block_interval: Duration,
}

impl LedgerApp {
    /// An application over `ledger`, proposing up to `max_block_txs` transactions per block.
    pub fn new(ledger: Arc<Ledger>, mempool: Arc<Mempool>, max_block_txs: usize) -> Self {
        Self {
            ledger,
            mempool,
            max_block_txs,
            min_block_interval: Duration::ZERO,
        }
    }

    /// Paces proposals: a leader waits until `interval` after its parent's timestamp, so an idle
    /// chain does not fill disks with empty blocks and busy blocks batch more transactions.
    pub fn with_min_block_interval(mut self, interval: Duration) -> Self {
        self.min_block_interval = interval;
        self
    }

    fn now_ms<E: Clock>(clock: &E) -> u64 {
        clock
            .current()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }

    /// Whether a block is already executed or committed (so its state is available).
    fn is_known(&self, hash: &BlockHash, height: u64) -> bool {
        let tip = self.ledger.tip();
        if *hash == tip.hash() || self.ledger.executed(hash).is_some() {
            return true;
        }
        height <= tip.height
            && matches!(self.ledger.block(height), Ok(Some(b)) if b.hash() == *hash)
    }

    /// Makes sure every block from the committed chain up to the first item of `ancestry` has
    /// been executed, executing (and checking) the ones this node has not seen. The committed
    /// tip may move while this runs (the finalizer commits concurrently), so "known" means
    /// executed *or* committed. Returns false only if the chain forks below the committed tip
    /// or an ancestor is invalid.
    async fn ensure_executed(&self, mut ancestry: impl Ancestry<LedgerBlock>) -> bool {
        let mut unknown: Vec<Digested<LedgerBlock>> = Vec::new();
        while let Some(block) = ancestry.next().await {
            let hash = block.inner().hash();
            let height = block.inner().block().header.height;
            if self.is_known(&hash, height) {
                break;
            }
            if height <= self.ledger.tip().height {
                warn!(%hash, height, "ancestry forks below the committed chain");
                return false;
            }
            unknown.push(block);
        }
        for block in unknown.iter().rev() {
            let b = block.inner();
            if !self.is_known(&b.hash(), b.block().header.height) && !self.execute_and_check(b) {
                return false;
            }
        }
        true
    }

    /// Executes a block on its parent and checks its header; remembers it if it is valid.
    fn execute_and_check(&self, block: &LedgerBlock) -> bool {
        let b = block.block();
        if !b.body_matches_header() {
            return false;
        }
        let mempool = self.mempool.clone();
        match self.ledger.execute(
            &b.header.parent,
            b.header.height,
            b.header.timestamp_ms,
            &b.txs,
            Mode::Verify,
            &|tx| mempool.is_verified(tx),
        ) {
            Ok(executed) if executed.matches(&b.header) => {
                self.ledger.remember(block.hash(), executed);
                true
            }
            Ok(executed) => {
                warn!(
                    height = b.header.height,
                    claimed = %b.header.state_root,
                    computed = %executed.state_root,
                    claimed_sets = %format_args!("{} → {}", b.header.validator_set, b.header.next_validator_set),
                    computed_sets = %format_args!("{} → {}", executed.sets.validator_set, executed.sets.next_validator_set),
                    "block has the wrong state root or validator sets"
                );
                false
            }
            Err(ExecuteError::Tx { index, error }) => {
                warn!(height = b.header.height, index, %error, "block holds an invalid transaction");
                false
            }
            Err(error) => {
                warn!(height = b.header.height, %error, "block could not be executed");
                false
            }
        }
    }
}

impl<E: Clock + Send + 'static> Application<E> for LedgerApp {
    type SigningScheme = Scheme;
    type Context = Context<Digest, PublicKey>;
    type Block = LedgerBlock;
    type Input = ();

    async fn propose(
        &mut self,
        (clock, context): (E, Self::Context),
        ancestry: impl Ancestry<LedgerBlock>,
        _input: (),
    ) -> Option<Digested<LedgerBlock>> {
        let parent = ancestry.peek()?.clone();
        if parent.inner().hash() != hash_of(&context.parent.1) {
            warn!("proposal ancestry does not start at the context's parent");
            return None;
        }
        if !self.ensure_executed(ancestry).await {
            return None;
        }
        let parent = parent.inner().block().header;
        let earliest = parent.timestamp_ms + self.min_block_interval.as_millis() as u64;
        let now = Self::now_ms(&clock);
        if now < earliest {
            clock.sleep(Duration::from_millis(earliest - now)).await;
        }
        let timestamp_ms = Self::now_ms(&clock).max(parent.timestamp_ms + 1);
        let candidates = self.mempool.candidates(self.max_block_txs);
        let mempool = self.mempool.clone();
        let block = match self
            .ledger
            .build_reporting(&parent, timestamp_ms, &candidates, &|tx| {
                mempool.is_verified(tx)
            }) {
            Ok((block, rejected)) => {
                let dropped = mempool.evict_rejected(&rejected);
                if dropped > 0 {
                    debug!(dropped, "dropped transactions that can no longer apply");
                }
                block
            }
            Err(error) => {
                warn!(%error, "could not build a block");
                return None;
            }
        };
        let block = LedgerBlock::new(block);
        let header = block.block().header;
        debug!(height = header.height, txs = header.tx_count, "proposing");
        let digest = digest_of(&block.hash());
        Some(Digested::precomputed(block, digest))
    }

    async fn verify(
        &mut self,
        (clock, _context): (E, Self::Context),
        ancestry: impl Ancestry<LedgerBlock>,
    ) -> bool {
        let mut ancestry = ancestry;
        let Some(block) = ancestry.next().await else {
            return false;
        };
        let Some(parent) = ancestry.peek().cloned() else {
            return false;
        };
        let header = block.inner().block().header;
        let parent_header = parent.inner().block().header;
        if header.timestamp_ms <= parent_header.timestamp_ms {
            return false;
        }
        let now = Self::now_ms(&clock);
        if header.timestamp_ms > now + MAX_CLOCK_DRIFT.as_millis() as u64 {
            // A block from the future: abstain until our clock catches up rather than reject it
            // for good (the verdict must be stable).
            clock
                .sleep(Duration::from_millis(header.timestamp_ms - now))
                .await;
        }
        if self.is_known(&block.inner().hash(), header.height) {
            return true;
        }
        if !self.ensure_executed(ancestry).await {
            return false;
        }
        self.execute_and_check(block.inner())
    }
}
