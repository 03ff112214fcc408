//! Transactions waiting for a block.
//!
//! Admission checks what can be checked without a block: size, encoding, chain, signature (once:
//! the transaction is then marked verified so block execution skips it), and that the nonce is
//! not already used. Proposals take transactions per author in nonce order, authors in order of
//! arrival; execution leaves out any that no longer apply.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use medledger_state::TxError;
use medledger_state::store::{Ledger, Mode};
use medledger_types::codec::Canonical;
use medledger_types::error_code::ErrorCode;
use medledger_types::hash::{Address, ChainId, TxId};
use medledger_types::tx::{MAX_TX_LEN, SignedTx};
use thiserror::Error;

/// Why the mempool refused a transaction.
#[derive(Debug, Error)]
pub enum AdmitError {
    #[error(transparent)]
    Invalid(#[from] TxError),
    #[error("the transaction is already pending")]
    Duplicate,
    #[error("the mempool is full; try again shortly")]
    Full,
    #[error("the node is shutting down; send it to another node")]
    Closed,
}

impl AdmitError {
    /// A stable code for the API.
    pub fn code(&self) -> ErrorCode {
        match self {
            AdmitError::Invalid(e) => e.code(),
            AdmitError::Duplicate => ErrorCode::Duplicate,
            AdmitError::Full => ErrorCode::MempoolFull,
            AdmitError::Closed => ErrorCode::ShuttingDown,
        }
    }
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<TxId, (Address, u64)>,
    by_author: HashMap<Address, BTreeMap<u64, SignedTx>>,
    /// Authors in order of their oldest pending transaction.
    arrival: Vec<Address>,
    verified: HashSet<TxId>,
}

/// The pending-transaction pool.
pub struct Mempool {
    chain: ChainId,
    capacity: usize,
    inner: Mutex<Inner>,
    /// Shutting down: nothing new is taken, the pending transactions are still proposed.
    closed: std::sync::atomic::AtomicBool,
}

impl Mempool {
    /// An empty pool holding at most `capacity` transactions.
    pub fn new(chain: ChainId, capacity: usize) -> Self {
        Self {
            chain,
            capacity,
            inner: Mutex::default(),
            closed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Takes no more transactions (a node shutting down commits what it holds first).
    pub fn close(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decodes, checks and queues a transaction. `next_nonce` is the author's next nonce in
    /// committed state.
    pub fn admit(
        &self,
        bytes: &[u8],
        next_nonce: impl FnOnce(&Address) -> u64,
    ) -> Result<SignedTx, AdmitError> {
        let tx = self.check(bytes, next_nonce)?;
        self.insert(tx.clone())?;
        Ok(tx)
    }

    /// The stateless checks of [`Mempool::admit`], without queueing.
    pub fn check(
        &self,
        bytes: &[u8],
        next_nonce: impl FnOnce(&Address) -> u64,
    ) -> Result<SignedTx, AdmitError> {
        let tx = SignedTx::decode(bytes, MAX_TX_LEN).map_err(TxError::from)?;
        if tx.tx.chain != self.chain {
            return Err(TxError::WrongChain.into());
        }
        medledger_state::rules::verify_signature(&tx)?;
        let expected = next_nonce(&tx.tx.author_address());
        if tx.tx.nonce < expected {
            return Err(TxError::WrongNonce {
                expected,
                got: tx.tx.nonce,
            }
            .into());
        }
        Ok(tx)
    }

    /// Queues a transaction that passed [`Mempool::check`] (its signature is marked verified).
    pub fn insert(&self, tx: SignedTx) -> Result<(), AdmitError> {
        let author = tx.tx.author_address();
        let id = tx.id();
        if self.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(AdmitError::Closed);
        }
        let mut inner = self.lock();
        if inner.by_id.contains_key(&id) {
            return Err(AdmitError::Duplicate);
        }
        if inner.by_id.len() >= self.capacity {
            return Err(AdmitError::Full);
        }
        let queue = inner.by_author.entry(author).or_default();
        if queue.contains_key(&tx.tx.nonce) {
            // Another transaction with the same nonce is pending: first come, first served.
            return Err(TxError::WrongNonce {
                expected: tx.tx.nonce + 1,
                got: tx.tx.nonce,
            }
            .into());
        }
        let nonce = tx.tx.nonce;
        queue.insert(nonce, tx);
        if queue.len() == 1 {
            inner.arrival.push(author);
        }
        inner.by_id.insert(id, (author, nonce));
        inner.verified.insert(id);
        Ok(())
    }

    /// Up to `max` transactions for a proposal.
    pub fn candidates(&self, max: usize) -> Vec<SignedTx> {
        let inner = self.lock();
        let mut out = Vec::new();
        for author in &inner.arrival {
            if let Some(queue) = inner.by_author.get(author) {
                for tx in queue.values() {
                    if out.len() == max {
                        return out;
                    }
                    out.push(tx.clone());
                }
            }
        }
        out
    }

    /// Whether a transaction's signature was verified on admission.
    pub fn is_verified(&self, tx: &SignedTx) -> bool {
        self.lock().verified.contains(&tx.id())
    }

    /// Drops committed transactions and any pending transaction whose nonce is now used.
    pub fn remove_committed(&self, txs: &[SignedTx]) {
        let mut inner = self.lock();
        for tx in txs {
            let author = tx.tx.author_address();
            let stale: Vec<u64> = match inner.by_author.get(&author) {
                Some(queue) => queue.range(..=tx.tx.nonce).map(|(n, _)| *n).collect(),
                None => continue,
            };
            for nonce in stale {
                if let Some(removed) = inner
                    .by_author
                    .get_mut(&author)
                    .and_then(|q| q.remove(&nonce))
                {
                    let id = removed.id();
                    inner.by_id.remove(&id);
                    inner.verified.remove(&id);
                }
            }
            if inner.by_author.get(&author).is_some_and(BTreeMap::is_empty) {
                inner.by_author.remove(&author);
                inner.arrival.retain(|a| *a != author);
            }
        }
    }

    /// Drops what a proposal found can never apply: a transaction the rules refuse (not one
    /// waiting on an earlier nonce or a later block time, nor one whose nonce an unfinalized
    /// block used), with every
    /// later transaction of its author, which its missing nonce now blocks. Without this, one
    /// refused transaction (a receipt whose grant was revoked meanwhile) would stall its author,
    /// a node's receipts included, for good. Returns how many were dropped.
    pub fn evict_rejected(&self, rejected: &[(SignedTx, TxError)]) -> usize {
        let mut inner = self.lock();
        let mut dropped = 0;
        for (tx, error) in rejected {
            // Not refused for good: waiting on an earlier nonce, or a record timed ahead of the
            // block it was tried in (a later block's time may admit it).
            let may_apply_later = match error {
                TxError::WrongNonce { .. } => true,
                TxError::ReceiptTime {
                    served_at_ms,
                    block_ms,
                } => served_at_ms > block_ms,
                _ => false,
            };
            if may_apply_later {
                continue;
            }
            let author = tx.tx.author_address();
            let doomed: Vec<SignedTx> = match inner.by_author.get_mut(&author) {
                Some(queue) => {
                    let later = queue.split_off(&tx.tx.nonce);
                    later.into_values().collect()
                }
                None => continue,
            };
            for gone in doomed {
                let id = gone.id();
                inner.by_id.remove(&id);
                inner.verified.remove(&id);
                dropped += 1;
            }
            if inner.by_author.get(&author).is_some_and(BTreeMap::is_empty) {
                inner.by_author.remove(&author);
                inner.arrival.retain(|a| *a != author);
            }
        }
        dropped
    }

    /// Checks what is pending against the newest committed state and drops what can never
    /// apply there ([`Mempool::evict_rejected`]). Run after each commit on every node, followers
    /// included (they build no proposals, so nothing else would tell them): a refused record of
    /// their own would otherwise block their later ones until restart. At most `batch` pending
    /// transactions are checked, in proposal order, so the cost per block is bounded.
    pub fn revalidate(&self, ledger: &Ledger, batch: usize) -> usize {
        let candidates = self.candidates(batch);
        if candidates.is_empty() {
            return 0;
        }
        let tip = ledger.tip();
        // The next block's earliest time: deterministic, and what a proposal would use at least.
        match ledger.execute(
            &tip.hash(),
            tip.height + 1,
            tip.timestamp_ms + 1,
            &candidates,
            Mode::Propose,
            &|tx| self.is_verified(tx),
        ) {
            Ok(executed) => self.evict_rejected(&executed.rejected),
            Err(error) => {
                tracing::warn!(%error, "could not re-check the pending transactions");
                0
            }
        }
    }

    /// The nonce `author`'s next transaction takes: after their pending ones, or `committed`.
    pub fn next_nonce(&self, author: &Address, committed: u64) -> u64 {
        self.lock()
            .by_author
            .get(author)
            .and_then(|queue| queue.keys().next_back())
            .map_or(committed, |last| committed.max(last + 1))
    }

    /// Whether a transaction is pending here.
    pub fn contains(&self, id: &TxId) -> bool {
        self.lock().by_id.contains_key(id)
    }

    /// Number of pending transactions.
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use medledger_types::hash::ReceivingKey;
    use medledger_types::tx::TxBody;
    use medwallet_crypto::SigningKey;

    fn tx(seed: u8, nonce: u64, chain: ChainId) -> SignedTx {
        medledger_client::transaction::sign(
            &SigningKey::from_bytes(&[seed; 32]),
            chain,
            nonce,
            TxBody::RegisterPatient {
                receiving: ReceivingKey([seed; 32]),
            },
        )
    }

    const CHAIN: ChainId = ChainId([1; 32]);

    #[test]
    fn admission_checks_encoding_chain_signature_nonce_duplicates_and_capacity() {
        let pool = Mempool::new(CHAIN, 3);
        assert_eq!(
            pool.admit(b"junk", |_| 0).expect_err("junk").code(),
            ErrorCode::Malformed
        );
        assert_eq!(
            pool.admit(&tx(1, 0, ChainId([2; 32])).encode(), |_| 0)
                .expect_err("chain")
                .code(),
            ErrorCode::WrongChain
        );
        let mut forged = tx(1, 0, CHAIN);
        forged.signature[0] ^= 1;
        assert_eq!(
            pool.admit(&forged.encode(), |_| 0).expect_err("sig").code(),
            ErrorCode::BadSignature
        );
        assert_eq!(
            pool.admit(&tx(1, 0, CHAIN).encode(), |_| 1)
                .expect_err("used nonce")
                .code(),
            ErrorCode::WrongNonce
        );
        pool.admit(&tx(1, 0, CHAIN).encode(), |_| 0).expect("admit");
        assert_eq!(
            pool.admit(&tx(1, 0, CHAIN).encode(), |_| 0)
                .expect_err("dup")
                .code(),
            ErrorCode::Duplicate
        );
        pool.admit(&tx(2, 0, CHAIN).encode(), |_| 0).expect("admit");
        pool.admit(&tx(3, 0, CHAIN).encode(), |_| 0).expect("admit");
        assert_eq!(
            pool.admit(&tx(4, 0, CHAIN).encode(), |_| 0)
                .expect_err("full")
                .code(),
            ErrorCode::MempoolFull
        );
        // Shutting down: nothing new, but what is pending is still proposed.
        pool.remove_committed(&[tx(3, 0, CHAIN)]);
        pool.close();
        assert_eq!(
            pool.admit(&tx(5, 0, CHAIN).encode(), |_| 0)
                .expect_err("closed")
                .code(),
            ErrorCode::ShuttingDown
        );
        assert_eq!(pool.candidates(10).len(), 2);
    }

    #[test]
    fn candidates_keep_nonce_order_and_commits_clear_them() {
        let pool = Mempool::new(CHAIN, 100);
        let a2 = tx(1, 2, CHAIN);
        let b0 = tx(2, 0, CHAIN);
        let a1 = tx(1, 1, CHAIN);
        for t in [&a2, &b0, &a1] {
            pool.admit(&t.encode(), |_| 1.min(t.tx.nonce))
                .expect("admit");
        }
        assert_eq!(
            pool.candidates(10),
            vec![a1.clone(), a2.clone(), b0.clone()]
        );
        assert_eq!(pool.candidates(2).len(), 2);
        assert!(pool.is_verified(&a1));
        pool.remove_committed(std::slice::from_ref(&a2));
        assert_eq!(
            pool.candidates(10),
            vec![b0.clone()],
            "a1 is stale once a2's nonce is used"
        );
        pool.remove_committed(&[b0]);
        assert!(pool.is_empty());
    }

    #[test]
    fn a_refused_transaction_leaves_with_its_authors_later_ones_and_a_waiting_one_stays() {
        let pool = Mempool::new(CHAIN, 10);
        for nonce in 0..3 {
            pool.insert(tx(1, nonce, CHAIN)).expect("insert");
        }
        pool.insert(tx(2, 5, CHAIN)).expect("insert");
        let waiting = (
            tx(2, 5, CHAIN),
            TxError::WrongNonce {
                expected: 4,
                got: 5,
            },
        );
        assert_eq!(pool.evict_rejected(&[waiting]), 0, "it may apply later");
        let refused = (tx(1, 1, CHAIN), TxError::GrantRevoked);
        assert_eq!(
            pool.evict_rejected(&[refused]),
            2,
            "nonces 1 and 2 of author 1"
        );
        let author = tx(1, 0, CHAIN).tx.author_address();
        assert_eq!(
            pool.next_nonce(&author, 0),
            1,
            "the freed nonce is taken next"
        );
        assert_eq!(pool.len(), 2);
    }
}
