//! The node's ledger store: committed state (JMT in redb), finalized blocks and certificates,
//! and speculative execution of unfinalized blocks.

mod layered;
mod proofs;
mod snapshot;
mod tables;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use jmt::JellyfishMerkleTree;
use jmt_sha2::Sha256;
use medledger_types::block::{Block, Header, MAX_BLOCK_LEN, tx_root};
use medledger_types::codec::Canonical;
use medledger_types::genesis::Genesis;
use medledger_types::hash::{Address, BlockHash, ChainId, StateRoot, TxId};
use medledger_types::state::{Account, AccountKind, StateKey};
use medledger_types::validators::Validators;
use redb::{Database, Durability, ReadableDatabase};
use thiserror::Error;

use layered::LayeredTree;
pub use layered::{Executed, StateView, key_hash};
pub use proofs::{ProvenValue, ProvenValues};
pub use snapshot::Restore;
pub use tables::CommittedTree;
use tables::{
    BLOCKS, FINALIZATIONS, JMT_NODES, JMT_STALE, JMT_VALUES, META, TX_INDEX, encode_value,
    value_key,
};

use crate::error::{StoreError, TxError};
use crate::rules::{BlockContext, Execution};

/// How to treat a transaction that does not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Building a proposal: leave it out.
    Propose,
    /// Checking someone's block: the block is invalid.
    Verify,
}

/// Why a block could not be executed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExecuteError {
    #[error("parent block is neither the committed tip nor an executed descendant of it")]
    UnknownParent,
    #[error("transaction {index} is invalid: {error}")]
    Tx { index: usize, error: TxError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The ledger store.
pub struct Ledger {
    db: Database,
    genesis: Genesis,
    chain: ChainId,
    tip: Mutex<Header>,
    pending: Mutex<HashMap<BlockHash, Arc<Executed>>>,
    /// Commits skip fsync (see [`Ledger::set_bulk_load`]).
    bulk_load: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data is a cache that is valid after any panic, so poisoning is not fatal.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn jmt_err(e: anyhow::Error) -> StoreError {
    StoreError::Db(e.to_string())
}

impl Ledger {
    /// Opens (or creates) the store at `path` for the chain `genesis` describes. Refuses a store
    /// made for another genesis.
    pub fn open(path: &Path, genesis: Genesis) -> Result<Self, StoreError> {
        let db = Database::create(path)?;
        Self::create_tables(&db)?;
        let encoded = genesis.encode();
        let stored = {
            let txn = db.begin_read()?;
            txn.open_table(META)?
                .get("genesis")?
                .map(|v| v.value().to_vec())
        };
        let ledger = match stored {
            Some(bytes) if bytes == encoded => {
                let tip = Self::read_tip(&db)?;
                Ledger {
                    db,
                    chain: genesis.chain_id(),
                    genesis,
                    tip: Mutex::new(tip),
                    pending: Mutex::default(),
                    bulk_load: AtomicBool::new(false),
                }
            }
            Some(_) => {
                return Err(StoreError::Invariant(format!(
                    "{} belongs to another chain (genesis differs)",
                    path.display()
                )));
            }
            None => Self::init(db, genesis)?,
        };
        Ok(ledger)
    }

    /// Creates every table, so readers never meet a missing one.
    fn create_tables(db: &Database) -> Result<(), StoreError> {
        let txn = db.begin_write()?;
        txn.open_table(JMT_NODES)?;
        txn.open_table(JMT_VALUES)?;
        txn.open_table(JMT_STALE)?;
        txn.open_table(BLOCKS)?;
        txn.open_table(FINALIZATIONS)?;
        txn.open_table(TX_INDEX)?;
        txn.open_table(META)?;
        txn.commit()?;
        Ok(())
    }

    fn read_tip(db: &Database) -> Result<Header, StoreError> {
        let txn = db.begin_read()?;
        let meta = txn.open_table(META)?;
        let height = meta
            .get("height")?
            .map(|v| medledger_types::state::decode_u64(v.value()))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .ok_or_else(|| StoreError::Corrupt("no committed height".into()))?;
        let blocks = txn.open_table(BLOCKS)?;
        let bytes = blocks
            .get(height)?
            .ok_or_else(|| StoreError::Corrupt(format!("block {height} missing")))?;
        let block = Block::decode(bytes.value(), MAX_BLOCK_LEN)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(block.header)
    }

    /// Writes the genesis state (founding clinics) and block 0.
    fn init(db: Database, genesis: Genesis) -> Result<Self, StoreError> {
        let mut writes = Vec::new();
        for clinic in &genesis.clinics {
            let account = Account {
                kind: AccountKind::Clinic {
                    name: clinic.name.clone(),
                },
                signing: clinic.signing,
                receiving: clinic.receiving,
                registered_height: 0,
            };
            writes.push((
                key_hash(&StateKey::account(&Address::of(&clinic.signing))),
                Some(account.encode()),
            ));
        }
        for (key, value) in crate::rules::genesis_writes(&genesis) {
            writes.push((key_hash(&key), Some(value)));
        }
        let (root, update) = {
            let txn = db.begin_read()?;
            let tree = LayeredTree {
                base: CommittedTree { txn: &txn },
                layers: Vec::new(),
            };
            JellyfishMerkleTree::<_, Sha256>::new(&tree)
                .put_value_set(writes, 0)
                .map_err(jmt_err)?
        };
        let vs = genesis.validators.hash();
        let header = Header {
            height: 0,
            parent: BlockHash::default(),
            timestamp_ms: genesis.timestamp_ms,
            state_root: StateRoot(root.0),
            tx_root: tx_root(&[]),
            tx_count: 0,
            validator_set: vs,
            next_validator_set: vs,
        };
        let executed = Executed {
            height: 0,
            parent: BlockHash::default(),
            timestamp_ms: genesis.timestamp_ms,
            state_root: header.state_root,
            sets: crate::rules::HeaderSets {
                validator_set: vs,
                next_validator_set: vs,
            },
            txs: Vec::new(),
            rejected: Vec::new(),
            update,
        };
        let block = Block {
            header,
            txs: Vec::new(),
        };
        Self::write_block(
            &db,
            &block,
            &executed,
            None,
            Some(&genesis.encode()),
            Durability::Immediate,
        )?;
        Ok(Ledger {
            db,
            chain: genesis.chain_id(),
            genesis,
            tip: Mutex::new(header),
            pending: Mutex::default(),
            bulk_load: AtomicBool::new(false),
        })
    }

    fn write_block(
        db: &Database,
        block: &Block,
        executed: &Executed,
        finalization: Option<&[u8]>,
        genesis: Option<&[u8]>,
        durability: Durability,
    ) -> Result<(), StoreError> {
        let height = block.header.height;
        let mut txn = db.begin_write()?;
        txn.set_durability(durability)
            .map_err(|e| StoreError::Db(e.to_string()))?;
        {
            let mut nodes = txn.open_table(JMT_NODES)?;
            for (key, node) in executed.update.node_batch.nodes() {
                let k = borsh::to_vec(key).map_err(|e| StoreError::Db(e.to_string()))?;
                let v = borsh::to_vec(node).map_err(|e| StoreError::Db(e.to_string()))?;
                nodes.insert(k.as_slice(), v.as_slice())?;
            }
            let mut values = txn.open_table(JMT_VALUES)?;
            for ((version, kh), value) in executed.update.node_batch.values() {
                values.insert(
                    value_key(kh, *version).as_slice(),
                    encode_value(value.as_ref()).as_slice(),
                )?;
            }
            let mut stale = txn.open_table(JMT_STALE)?;
            for index in &executed.update.stale_node_index_batch {
                let mut k = index.stale_since_version.to_be_bytes().to_vec();
                k.extend(
                    borsh::to_vec(&index.node_key).map_err(|e| StoreError::Db(e.to_string()))?,
                );
                stale.insert(k.as_slice(), ())?;
            }
            txn.open_table(BLOCKS)?
                .insert(height, block.encode().as_slice())?;
            if let Some(f) = finalization {
                txn.open_table(FINALIZATIONS)?.insert(height, f)?;
            }
            let mut index = txn.open_table(TX_INDEX)?;
            for tx in &block.txs {
                index.insert(tx.id().0.as_slice(), height)?;
            }
            let mut meta = txn.open_table(META)?;
            meta.insert("height", height.to_be_bytes().as_slice())?;
            if let Some(g) = genesis {
                meta.insert("genesis", g)?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// For building a chain offline (imports, benchmarks): while on, commits are atomic but not
    /// fsynced, which makes them about a hundred times faster. A crash may lose the unsynced
    /// tail, never corrupt the store; the first commit after turning it off persists everything.
    pub fn set_bulk_load(&self, on: bool) {
        self.bulk_load.store(on, Ordering::Relaxed);
    }

    /// The chain's genesis.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// The chain id.
    pub fn chain_id(&self) -> ChainId {
        self.chain
    }

    /// The validators running at the committed tip (genesis's on a chain without epochs).
    pub fn validators(&self) -> Result<Validators, StoreError> {
        self.with_committed(|view| crate::rules::current_validators(view, &self.genesis))?
            .map_err(tx_to_store)
    }

    /// The validators that finalized (or finalize) `epoch`, if it has begun by the committed tip.
    pub fn validators_of_epoch(&self, epoch: u64) -> Result<Option<Validators>, StoreError> {
        self.with_committed(|view| crate::rules::validators_of_epoch(view, &self.genesis, epoch))?
            .map_err(tx_to_store)
    }

    /// The header of the highest committed (finalized) block.
    pub fn tip(&self) -> Header {
        *lock(&self.tip)
    }

    /// A committed block.
    pub fn block(&self, height: u64) -> Result<Option<Block>, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(BLOCKS)?;
        let Some(bytes) = table.get(height)? else {
            return Ok(None);
        };
        Block::decode(bytes.value(), MAX_BLOCK_LEN)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The finalization certificate stored for `height`, if that height was finalized directly.
    pub fn finalization(&self, height: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(FINALIZATIONS)?;
        Ok(table.get(height)?.map(|v| v.value().to_vec()))
    }

    /// Highest height that has a stored finalization certificate, at or below `height`.
    pub fn latest_finalization(&self, height: u64) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(FINALIZATIONS)?;
        match table.range(..=height)?.next_back() {
            None => Ok(None),
            Some(entry) => {
                let (h, v) = entry?;
                Ok(Some((h.value(), v.value().to_vec())))
            }
        }
    }

    /// Attaches a certificate to an already committed height.
    pub fn store_finalization(&self, height: u64, finalization: &[u8]) -> Result<(), StoreError> {
        let txn = self.db.begin_write()?;
        txn.open_table(FINALIZATIONS)?
            .insert(height, finalization)?;
        txn.commit()?;
        Ok(())
    }

    /// The height a transaction was committed at.
    pub fn tx_height(&self, id: &TxId) -> Result<Option<u64>, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TX_INDEX)?;
        Ok(table.get(id.0.as_slice())?.map(|v| v.value()))
    }

    /// Unfinalized executed ancestors from the committed tip up to and including `parent`.
    fn layers(&self, parent: &BlockHash) -> Result<Vec<Arc<Executed>>, ExecuteError> {
        let tip = self.tip();
        let tip_hash = tip.hash();
        let pending = lock(&self.pending);
        let mut chain = Vec::new();
        let mut cursor = *parent;
        while cursor != tip_hash {
            let executed = pending.get(&cursor).ok_or(ExecuteError::UnknownParent)?;
            if executed.height <= tip.height {
                return Err(ExecuteError::UnknownParent);
            }
            cursor = executed.parent;
            chain.push(executed.clone());
        }
        chain.reverse();
        Ok(chain)
    }

    /// Executes `txs` on top of `parent` (the committed tip or an executed descendant of it).
    /// In [`Mode::Propose`] transactions that do not apply are left out; in [`Mode::Verify`]
    /// any such transaction fails the block. `verified` says whether a transaction's signature
    /// has been checked already (so it is not checked twice).
    pub fn execute(
        &self,
        parent: &BlockHash,
        height: u64,
        timestamp_ms: u64,
        txs: &[medledger_types::tx::SignedTx],
        mode: Mode,
        verified: &dyn Fn(&medledger_types::tx::SignedTx) -> bool,
    ) -> Result<Executed, ExecuteError> {
        let layers = self.layers(parent)?;
        let parent_height = layers
            .last()
            .map(|l| l.height)
            .unwrap_or_else(|| self.tip().height);
        if height != parent_height + 1 {
            return Err(ExecuteError::UnknownParent);
        }
        let txn = self.db.begin_read().map_err(StoreError::from)?;
        let tree = LayeredTree {
            base: CommittedTree { txn: &txn },
            layers,
        };
        let view = StateView {
            tree: &tree,
            version: parent_height,
        };
        let running = crate::rules::current_validators(&view, &self.genesis)
            .map_err(tx_to_store)?
            .set();
        let ctx = BlockContext {
            chain: self.chain,
            height,
            timestamp_ms,
            validators: &running,
            epochs: self.genesis.epochs,
            recovery_min_delay_ms: self.genesis.recovery_min_delay_ms,
            emergency_access: !self.genesis.emergency_keys.is_empty(),
        };
        let mut exec = Execution::new(&view, ctx);
        let mut included = Vec::with_capacity(txs.len());
        let mut rejected = Vec::new();
        for (index, tx) in txs.iter().enumerate() {
            let result = if verified(tx) {
                exec.apply_checked(tx)
            } else {
                exec.apply(tx)
            };
            match (result, mode) {
                (Ok(()), _) => included.push(tx.clone()),
                (Err(TxError::State(e)), _) => return Err(StoreError::Db(e).into()),
                (Err(error), Mode::Propose) => rejected.push((tx.clone(), error)),
                (Err(error), Mode::Verify) => return Err(ExecuteError::Tx { index, error }),
            }
        }
        let sets = exec.end_block().map_err(tx_to_store)?;
        let writes = exec
            .into_writes()
            .into_iter()
            .map(|(k, v)| (key_hash(&k), v));
        let (root, update) = JellyfishMerkleTree::<_, Sha256>::new(&tree)
            .put_value_set(writes, height)
            .map_err(jmt_err)?;
        Ok(Executed {
            height,
            parent: *parent,
            timestamp_ms,
            state_root: StateRoot(root.0),
            sets,
            txs: included,
            rejected,
            update,
        })
    }

    /// Builds (and remembers) the next block on `parent` from `candidates`, leaving out the ones
    /// that do not apply.
    pub fn build(
        &self,
        parent: &Header,
        timestamp_ms: u64,
        candidates: &[medledger_types::tx::SignedTx],
        verified: &dyn Fn(&medledger_types::tx::SignedTx) -> bool,
    ) -> Result<Block, ExecuteError> {
        self.build_reporting(parent, timestamp_ms, candidates, verified)
            .map(|(block, _)| block)
    }

    /// [`Ledger::build`], also saying which candidates were left out and why (a proposer
    /// drops from its pool the ones that can never apply).
    #[allow(clippy::type_complexity)]
    pub fn build_reporting(
        &self,
        parent: &Header,
        timestamp_ms: u64,
        candidates: &[medledger_types::tx::SignedTx],
        verified: &dyn Fn(&medledger_types::tx::SignedTx) -> bool,
    ) -> Result<(Block, Vec<(medledger_types::tx::SignedTx, TxError)>), ExecuteError> {
        let executed = self.execute(
            &parent.hash(),
            parent.height + 1,
            timestamp_ms,
            candidates,
            Mode::Propose,
            verified,
        )?;
        let header = Header {
            height: executed.height,
            parent: parent.hash(),
            timestamp_ms,
            state_root: executed.state_root,
            tx_root: tx_root(&executed.txs),
            tx_count: executed.txs.len() as u32,
            validator_set: executed.sets.validator_set,
            next_validator_set: executed.sets.next_validator_set,
        };
        let block = Block {
            header,
            txs: executed.txs.clone(),
        };
        let rejected = executed.rejected.clone();
        self.remember(block.hash(), executed);
        Ok((block, rejected))
    }

    /// Runs `f` over the committed state.
    pub fn with_committed<T>(
        &self,
        f: impl FnOnce(&StateView<'_, CommittedTree<'_>>) -> T,
    ) -> Result<T, StoreError> {
        let txn = self.db.begin_read()?;
        let tree = CommittedTree { txn: &txn };
        Ok(f(&StateView {
            tree: &tree,
            version: self.tip().height,
        }))
    }

    /// Keeps an executed block (by its header's hash) so descendants can build on it.
    pub fn remember(&self, hash: BlockHash, executed: Executed) -> Arc<Executed> {
        let executed = Arc::new(executed);
        lock(&self.pending).insert(hash, executed.clone());
        executed
    }

    /// Whether a block has been executed (and not yet committed or pruned).
    pub fn executed(&self, hash: &BlockHash) -> Option<Arc<Executed>> {
        lock(&self.pending).get(hash).cloned()
    }

    /// Commits a finalized block: its state, the block and (if it has one) its certificate, in
    /// one atomic redb transaction. Redelivery of an already committed block is a no-op.
    pub fn commit(&self, block: &Block, finalization: Option<&[u8]>) -> Result<(), ExecuteError> {
        let tip = self.tip();
        let hash = block.hash();
        let height = block.header.height;
        if height <= tip.height {
            let stored = self.block(height)?.map(|b| b.hash());
            return match stored {
                Some(h) if h == hash => Ok(()),
                _ => Err(StoreError::Invariant(format!(
                    "finalized block {hash} at height {height} conflicts with the committed chain"
                ))
                .into()),
            };
        }
        if height != tip.height + 1 || block.header.parent != tip.hash() {
            return Err(StoreError::Invariant(format!(
                "block at height {height} does not extend the committed tip {}",
                tip.height
            ))
            .into());
        }
        if !block.body_matches_header() {
            return Err(StoreError::Invariant(format!(
                "finalized block {hash} does not match its header"
            ))
            .into());
        }
        let executed = match self.executed(&hash) {
            Some(e) => e,
            None => Arc::new(self.execute(
                &block.header.parent,
                height,
                block.header.timestamp_ms,
                &block.txs,
                Mode::Verify,
                &|_| false,
            )?),
        };
        if !executed.matches(&block.header) {
            return Err(StoreError::Invariant(format!(
                "finalized block {hash} (state root {}, sets {} → {}) executes to state root {}, sets {} → {}",
                block.header.state_root,
                block.header.validator_set,
                block.header.next_validator_set,
                executed.state_root,
                executed.sets.validator_set,
                executed.sets.next_validator_set
            ))
            .into());
        }
        let durability = if self.bulk_load.load(Ordering::Relaxed) {
            Durability::None
        } else {
            Durability::Immediate
        };
        Self::write_block(&self.db, block, &executed, finalization, None, durability)?;
        *lock(&self.tip) = block.header;
        lock(&self.pending).retain(|_, e| e.height > height);
        Ok(())
    }

    /// The next nonce `author` must use, as of the committed tip.
    pub fn next_nonce(&self, author: &Address) -> Result<u64, StoreError> {
        match self.get(&StateKey::nonce(author))? {
            Some(v) => medledger_types::state::decode_u64(&v)
                .map_err(|e| StoreError::Corrupt(e.to_string())),
            None => Ok(0),
        }
    }

    /// A committed state value at the tip, without proof (for the node's own checks).
    pub fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read()?;
        let tree = CommittedTree { txn: &txn };
        crate::rules::StateRead::get(
            &StateView {
                tree: &tree,
                version: self.tip().height,
            },
            key,
        )
    }
}

/// The committed tip, read as the rules read state (for the node's own checks).
impl crate::rules::StateRead for Ledger {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ledger::get(self, key)
    }
}

#[cfg(test)]
mod governance_tests;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod tests;

/// A rule's failure to read state is the store's failure.
fn tx_to_store(e: TxError) -> StoreError {
    match e {
        TxError::State(e) => StoreError::Corrupt(e),
        other => StoreError::Invariant(other.to_string()),
    }
}
