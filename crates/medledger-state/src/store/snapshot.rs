//! State sync: a node serves the state at a height as runs of leaves in key-hash order, each
//! with jmt's range proof; a joining node restores them into an empty store with jmt's own
//! `JellyfishMerkleRestore`, which checks every run against the state root of a header the
//! joining node verified (a certificate covers it). The restored store holds that block and the
//! state at its height, and no history below it: from there it executes new blocks like any
//! other.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jmt::restore::{JellyfishMerkleRestore, StateSnapshotReceiver};
use jmt::storage::{LeafNode, Node, NodeBatch, NodeKey, TreeReader, TreeWriter};
use jmt::{JellyfishMerkleIterator, JellyfishMerkleTree, KeyHash, RootHash};
use jmt_sha2::Sha256;
use medledger_types::block::{Block, tx_root};
use medledger_types::codec::Canonical;
use medledger_types::genesis::Genesis;
use medledger_types::snapshot::{CHUNK_VALUE_BYTES, MAX_CHUNK_LEAVES, StateChunk};
use redb::{Database, Durability, ReadableDatabase};

use super::tables::{
    BLOCKS, CommittedTree, FINALIZATIONS, JMT_NODES, JMT_VALUES, META, TX_INDEX, encode_value,
    value_key,
};
use super::{Ledger, jmt_err};
use crate::error::StoreError;

/// The key hash right after `key` (`None` after the largest).
fn successor(key: [u8; 32]) -> Option<[u8; 32]> {
    let mut next = key;
    for byte in next.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            return Some(next);
        }
    }
    None
}

impl Ledger {
    /// The state's leaves at `height` after key hash `after` (from the first without it), at
    /// most `limit` of them and about [`CHUNK_VALUE_BYTES`], with their range proof.
    pub fn state_chunk(
        &self,
        height: u64,
        after: Option<[u8; 32]>,
        limit: usize,
    ) -> Result<StateChunk, StoreError> {
        self.proving_header(Some(height))?;
        let start = match after {
            None => Some([0u8; 32]),
            Some(key) => successor(key),
        };
        let txn = self.db.begin_read()?;
        let tree = Arc::new(CommittedTree { txn: &txn });
        let mut entries = Vec::new();
        let mut last = true;
        if let Some(start) = start {
            let leaves = JellyfishMerkleIterator::new(tree.clone(), height, KeyHash(start))
                .map_err(jmt_err)?;
            let mut bytes = 0;
            for leaf in leaves {
                if entries.len() >= limit.clamp(1, MAX_CHUNK_LEAVES) || bytes >= CHUNK_VALUE_BYTES {
                    last = false;
                    break;
                }
                let (key, value) = leaf.map_err(jmt_err)?;
                bytes += value.len();
                entries.push((key.0, value));
            }
        }
        let proof = match entries.last() {
            None => Vec::new(),
            Some((key, _)) => {
                let proof = JellyfishMerkleTree::<_, Sha256>::new(tree.as_ref())
                    .get_range_proof(KeyHash(*key), height)
                    .map_err(jmt_err)?;
                borsh::to_vec(&proof).map_err(|e| StoreError::Db(e.to_string()))?
            }
        };
        Ok(StateChunk {
            entries,
            proof,
            last,
        })
    }
}

/// The new store as the restore sees it: it writes what the restore hands over, and reads it
/// back when the restore resumes after a refused chunk. It remembers the rightmost leaf
/// written, where a resumed restore picks up.
struct RestoreStore {
    db: Arc<Database>,
    rightmost: Mutex<Option<(NodeKey, LeafNode)>>,
}

impl RestoreStore {
    fn rightmost(&self) -> Option<(NodeKey, LeafNode)> {
        self.rightmost
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl TreeWriter for RestoreStore {
    fn write_node_batch(&self, batch: &NodeBatch) -> anyhow::Result<()> {
        let mut txn = self.db.begin_write()?;
        // Durable once, when the restore finishes; a crash before that leaves a store that
        // `Restore::begin` refuses and the operator deletes.
        txn.set_durability(Durability::None)?;
        {
            let mut nodes = txn.open_table(JMT_NODES)?;
            for (key, node) in batch.nodes() {
                nodes.insert(
                    borsh::to_vec(key)?.as_slice(),
                    borsh::to_vec(node)?.as_slice(),
                )?;
            }
            let mut values = txn.open_table(JMT_VALUES)?;
            for ((version, key), value) in batch.values() {
                values.insert(
                    value_key(key, *version).as_slice(),
                    encode_value(value.as_ref()).as_slice(),
                )?;
            }
        }
        txn.commit()?;
        let newest = batch.nodes().iter().filter_map(|(key, node)| match node {
            Node::Leaf(leaf) => Some((key, leaf)),
            _ => None,
        });
        let mut rightmost = self.rightmost.lock().unwrap_or_else(|e| e.into_inner());
        for (key, leaf) in newest {
            if rightmost
                .as_ref()
                .is_none_or(|(_, known)| leaf.key_hash() > known.key_hash())
            {
                *rightmost = Some((key.clone(), leaf.clone()));
            }
        }
        Ok(())
    }
}

impl TreeReader for RestoreStore {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        let txn = self.db.begin_read()?;
        CommittedTree { txn: &txn }.get_node_option(node_key)
    }

    fn get_value_option(
        &self,
        max_version: u64,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        let txn = self.db.begin_read()?;
        CommittedTree { txn: &txn }.get_value_option(max_version, key_hash)
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        Ok(self.rightmost())
    }
}

/// A store being restored from chunks, for the block `block` (whose header the caller
/// verified).
pub struct Restore {
    path: PathBuf,
    genesis: Genesis,
    block: Block,
    finalization: Vec<u8>,
    db: Arc<Database>,
    store: Arc<RestoreStore>,
    receiver: JellyfishMerkleRestore<Sha256>,
    leaves: u64,
    last_key: Option<[u8; 32]>,
}

impl Restore {
    /// Starts restoring the state of `block` (finalized by `finalization`, both checked by the
    /// caller) into a new store at `path`, which must not exist yet.
    pub fn begin(
        path: &Path,
        genesis: Genesis,
        block: Block,
        finalization: Vec<u8>,
    ) -> Result<Self, StoreError> {
        if tx_root(&block.txs) != block.header.tx_root {
            return Err(StoreError::Invariant(
                "the block's transactions are not the ones its header names".into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Invariant(format!(
                "{} exists: state sync starts from an empty store",
                path.display()
            )));
        }
        let db = Arc::new(Database::create(path)?);
        Ledger::create_tables(&db)?;
        let store = Arc::new(RestoreStore {
            db: db.clone(),
            rightmost: Mutex::default(),
        });
        let receiver = JellyfishMerkleRestore::new(
            store.clone(),
            block.header.height,
            RootHash(block.header.state_root.0),
        )
        .map_err(jmt_err)?;
        Ok(Self {
            path: path.to_owned(),
            genesis,
            block,
            finalization,
            db,
            store,
            receiver,
            leaves: 0,
            last_key: None,
        })
    }

    /// The height whose state is being restored.
    pub fn height(&self) -> u64 {
        self.block.header.height
    }

    /// Leaves taken in so far (after a refused chunk, the ones given again count again).
    pub fn leaves(&self) -> u64 {
        self.leaves
    }

    /// The key hash the next chunk starts after (`None`: the first chunk).
    pub fn resume_after(&self) -> Option<[u8; 32]> {
        self.last_key
    }

    /// Adds the next chunk: refused, with nothing written, unless its leaves follow the ones
    /// before and its proof shows they are exactly the state's leaves up to its last. After a
    /// refusal the restore resumes from what it wrote: ask again after [`Self::resume_after`]
    /// (which may be a little before the last chunk accepted).
    pub fn add_chunk(&mut self, chunk: StateChunk) -> Result<(), StoreError> {
        let count = chunk.entries.len() as u64;
        let last = chunk.entries.last().map(|(key, _)| *key);
        let added = borsh::from_slice(&chunk.proof)
            .map_err(|e| format!("the range proof does not decode: {e}"))
            .and_then(|proof| {
                let entries = chunk
                    .entries
                    .into_iter()
                    .map(|(key, value)| (KeyHash(key), value))
                    .collect();
                self.receiver
                    .add_chunk(entries, proof)
                    .map_err(|e| e.to_string())
            });
        match added {
            Ok(()) => {
                self.leaves += count;
                self.last_key = last;
                Ok(())
            }
            Err(reason) => {
                // jmt's restore has taken in the chunk's leaves before it found the proof
                // wrong: start it again from the leaves it wrote.
                self.receiver = JellyfishMerkleRestore::new(
                    self.store.clone(),
                    self.block.header.height,
                    RootHash(self.block.header.state_root.0),
                )
                .map_err(jmt_err)?;
                self.last_key = self.store.rightmost().map(|(_, leaf)| leaf.key_hash().0);
                Err(StoreError::BadChunk(reason))
            }
        }
    }

    /// Ends the restore: the tree must hash to the block's state root. Writes the block, its
    /// certificate and the chain's genesis, durably, and opens the store as a ledger whose tip
    /// is that block.
    pub fn finish(self) -> Result<Ledger, StoreError> {
        let Restore {
            path,
            genesis,
            block,
            finalization,
            db,
            store,
            receiver,
            ..
        } = self;
        receiver
            .finish()
            .map_err(|e| StoreError::BadChunk(e.to_string()))?;
        let height = block.header.height;
        let root = {
            let txn = db.begin_read()?;
            JellyfishMerkleTree::<_, Sha256>::new(&CommittedTree { txn: &txn })
                .get_root_hash(height)
                .map_err(|e| StoreError::BadChunk(format!("no restored tree: {e}")))?
        };
        if root.0 != block.header.state_root.0 {
            return Err(StoreError::BadChunk(
                "the restored state does not hash to the block's state root".into(),
            ));
        }
        let mut txn = db.begin_write()?;
        txn.set_durability(Durability::Immediate)
            .map_err(|e| StoreError::Db(e.to_string()))?;
        {
            txn.open_table(BLOCKS)?
                .insert(height, block.encode().as_slice())?;
            txn.open_table(FINALIZATIONS)?
                .insert(height, finalization.as_slice())?;
            let mut index = txn.open_table(TX_INDEX)?;
            for tx in &block.txs {
                index.insert(tx.id().0.as_slice(), height)?;
            }
            let mut meta = txn.open_table(META)?;
            meta.insert("height", height.to_be_bytes().as_slice())?;
            meta.insert("base", height.to_be_bytes().as_slice())?;
            meta.insert("genesis", genesis.encode().as_slice())?;
        }
        txn.commit()?;
        drop((db, store));
        Ledger::open(&path, genesis)
    }
}

impl Ledger {
    /// The lowest block this store holds: 0, or the block a state sync restored it at (there
    /// is no history below it).
    pub fn base_height(&self) -> Result<u64, StoreError> {
        let txn = self.db.begin_read()?;
        txn.open_table(META)?
            .get("base")?
            .map(|v| medledger_types::state::decode_u64(v.value()))
            .transpose()
            .map(Option::unwrap_or_default)
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_successor_of_a_key_hash_carries() {
        assert_eq!(successor([0; 32]).map(|k| k[31]), Some(1));
        let mut k = [0u8; 32];
        k[31] = 0xff;
        let next = successor(k).expect("next");
        assert_eq!((next[30], next[31]), (1, 0));
        assert_eq!(successor([0xff; 32]), None);
    }
}
