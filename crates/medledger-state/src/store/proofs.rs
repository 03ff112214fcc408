//! Committed state values with their Jellyfish Merkle proofs, one key at a time or many at
//! once. Many keys share the upper levels of the tree, so a batch reads each tree node from
//! redb once ([`CachedNodes`]) and answers every key from one read snapshot.

use std::cell::RefCell;
use std::collections::HashMap;

use jmt::JellyfishMerkleTree;
use jmt::KeyHash;
use jmt::proof::SparseMerkleProof;
use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt_sha2::Sha256;
use medledger_types::block::Header;
use medledger_types::hash::StateRoot;
use medledger_types::state::StateKey;
use redb::ReadableDatabase;

use super::tables::CommittedTree;
use super::{Ledger, jmt_err, key_hash};
use crate::error::StoreError;

/// A state value with its Jellyfish Merkle proof against the state root at `height`.
#[derive(Debug)]
pub struct ProvenValue {
    pub height: u64,
    pub state_root: StateRoot,
    pub value: Option<Vec<u8>>,
    /// borsh encoding of `jmt::proof::SparseMerkleProof<Sha256>`.
    pub proof: Vec<u8>,
}

/// Many keys' values, each with its proof, against one state root.
#[derive(Debug)]
pub struct ProvenValues {
    pub height: u64,
    pub state_root: StateRoot,
    /// In the order the keys were given: the value (absent: `None`) and its proof's borsh.
    pub entries: Vec<(Option<Vec<u8>>, Vec<u8>)>,
}

/// The committed tree with every node it has read kept for the rest of one batch.
struct CachedNodes<'t> {
    base: CommittedTree<'t>,
    nodes: RefCell<HashMap<NodeKey, Option<Node>>>,
}

impl TreeReader for CachedNodes<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        if let Some(node) = self.nodes.borrow().get(node_key) {
            return Ok(node.clone());
        }
        let node = self.base.get_node_option(node_key)?;
        self.nodes
            .borrow_mut()
            .insert(node_key.clone(), node.clone());
        Ok(node)
    }

    fn get_value_option(
        &self,
        max_version: u64,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        self.base.get_value_option(max_version, key_hash)
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        self.base.get_rightmost_leaf()
    }
}

impl Ledger {
    /// The header whose state root proofs at `height` (default: the tip) are checked against.
    pub(super) fn proving_header(&self, height: Option<u64>) -> Result<Header, StoreError> {
        let tip = self.tip();
        let height = height.unwrap_or(tip.height);
        if height > tip.height {
            return Err(StoreError::Unavailable(height));
        }
        if height == tip.height {
            return Ok(tip);
        }
        Ok(self
            .block(height)?
            .ok_or(StoreError::Unavailable(height))?
            .header)
    }

    /// A committed state value with its proof, at `height` (default: the tip).
    pub fn prove(&self, key: &StateKey, height: Option<u64>) -> Result<ProvenValue, StoreError> {
        let header = self.proving_header(height)?;
        let txn = self.db.begin_read()?;
        let (value, proof) = proven(&CommittedTree { txn: &txn }, key, header.height)?;
        Ok(ProvenValue {
            height: header.height,
            state_root: header.state_root,
            value,
            proof,
        })
    }

    /// [`Ledger::prove`] for many keys at once, from one read snapshot, each tree node read
    /// once.
    pub fn prove_many(
        &self,
        keys: &[StateKey],
        height: Option<u64>,
    ) -> Result<ProvenValues, StoreError> {
        let header = self.proving_header(height)?;
        let txn = self.db.begin_read()?;
        let tree = CachedNodes {
            base: CommittedTree { txn: &txn },
            nodes: RefCell::default(),
        };
        let entries = keys
            .iter()
            .map(|key| proven(&tree, key, header.height))
            .collect::<Result<_, _>>()?;
        Ok(ProvenValues {
            height: header.height,
            state_root: header.state_root,
            entries,
        })
    }
}

/// `key`'s value at `height` in `tree`, and its proof's borsh.
fn proven<R: TreeReader>(
    tree: &R,
    key: &StateKey,
    height: u64,
) -> Result<(Option<Vec<u8>>, Vec<u8>), StoreError> {
    let (value, proof): (Option<Vec<u8>>, SparseMerkleProof<Sha256>) =
        JellyfishMerkleTree::<_, Sha256>::new(tree)
            .get_with_proof(key_hash(key), height)
            .map_err(jmt_err)?;
    let proof = borsh::to_vec(&proof).map_err(|e| StoreError::Db(e.to_string()))?;
    Ok((value, proof))
}
