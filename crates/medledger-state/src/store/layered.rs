//! Speculative state: blocks executed on top of the committed tree but not finalized yet.
//!
//! Simplex lets a leader build on a parent that is notarized but not finalized, so executing a
//! proposal may need the state after several unfinalized ancestors. Each executed block keeps
//! its tree update in memory ([`Executed`]); [`LayeredTree`] reads through those layers, newest
//! first, down to the committed tree in redb.

use std::sync::Arc;

use jmt::KeyHash;
use jmt::storage::{LeafNode, Node, NodeKey, TreeReader, TreeUpdateBatch};
use jmt_sha2::Sha256;
use medledger_types::hash::{BlockHash, StateRoot};
use medledger_types::state::StateKey;
use medledger_types::tx::SignedTx;

use super::tables::CommittedTree;
use crate::error::StoreError;
use crate::rules::StateRead;

/// A block executed on top of its parent's state, not yet committed.
pub struct Executed {
    pub height: u64,
    pub parent: BlockHash,
    pub timestamp_ms: u64,
    pub state_root: StateRoot,
    /// The validator sets its header must name.
    pub sets: crate::rules::HeaderSets,
    /// The transactions that applied, in order (a proposal skips the ones that do not).
    pub txs: Vec<SignedTx>,
    /// The candidates a proposal left out, and why (empty when verifying a block).
    pub rejected: Vec<(SignedTx, crate::error::TxError)>,
    pub(crate) update: TreeUpdateBatch,
}

impl Executed {
    /// Whether `header` says what executing its block gave: the state root and the validator
    /// sets (the set finalizing it, and the next one, which changes only at an epoch's end).
    pub fn matches(&self, header: &medledger_types::block::Header) -> bool {
        self.state_root == header.state_root
            && self.sets.validator_set == header.validator_set
            && self.sets.next_validator_set == header.next_validator_set
    }
}

impl std::fmt::Debug for Executed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executed")
            .field("height", &self.height)
            .field("parent", &self.parent)
            .field("state_root", &self.state_root)
            .field("txs", &self.txs.len())
            .finish()
    }
}

/// The committed tree plus unfinalized layers (oldest first).
pub struct LayeredTree<'t> {
    pub(crate) base: CommittedTree<'t>,
    pub(crate) layers: Vec<Arc<Executed>>,
}

impl TreeReader for LayeredTree<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        for layer in self.layers.iter().rev() {
            if let Some(node) = layer.update.node_batch.get_node(node_key) {
                return Ok(Some(node.clone()));
            }
        }
        self.base.get_node_option(node_key)
    }

    fn get_value_option(
        &self,
        max_version: u64,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        for layer in self.layers.iter().rev() {
            if layer.height <= max_version
                && let Some(value) = layer
                    .update
                    .node_batch
                    .values()
                    .get(&(layer.height, key_hash))
            {
                return Ok(value.clone());
            }
        }
        self.base.get_value_option(max_version, key_hash)
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        self.base.get_rightmost_leaf()
    }
}

/// The JMT key hash of a state key.
pub fn key_hash(key: &StateKey) -> KeyHash {
    // Computed directly rather than with `KeyHash::with`, which logs the key at debug level.
    KeyHash(<Sha256 as sha2_digest::Digest>::digest(&key.0).into())
}

mod sha2_digest {
    pub use jmt_sha2::Digest;
}

/// State as of `version`, read through a tree.
pub struct StateView<'a, R: TreeReader> {
    pub tree: &'a R,
    pub version: u64,
}

impl<R: TreeReader> StateRead for StateView<'_, R> {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        jmt::JellyfishMerkleTree::<_, Sha256>::new(self.tree)
            .get(key_hash(key), self.version)
            .map_err(|e| StoreError::Db(e.to_string()))
    }
}
