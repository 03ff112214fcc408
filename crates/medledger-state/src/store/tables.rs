//! redb tables and the Jellyfish Merkle Tree's view of them.
//!
//! | table | key | value |
//! | --- | --- | --- |
//! | `jmt_nodes` | borsh(NodeKey) | borsh(Node) |
//! | `jmt_values` | key hash (32) ‖ version (u64 BE) | 0x00 (deleted) or 0x01 ‖ value |
//! | `jmt_stale` | stale-since version (u64 BE) ‖ borsh(NodeKey) | empty (for pruning) |
//! | `blocks` | height | canonical block encoding |
//! | `finalizations` | height | finalization certificate bytes (heights finalized directly) |
//! | `tx_index` | transaction id | height |
//! | `meta` | name | bytes (`height`: committed height, `genesis`: genesis encoding) |

use jmt::KeyHash;
use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use redb::{ReadTransaction, TableDefinition};

pub const JMT_NODES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("jmt_nodes");
pub const JMT_VALUES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("jmt_values");
pub const JMT_STALE: TableDefinition<&[u8], ()> = TableDefinition::new("jmt_stale");
pub const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
pub const FINALIZATIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("finalizations");
pub const TX_INDEX: TableDefinition<&[u8], u64> = TableDefinition::new("tx_index");
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

pub fn value_key(key_hash: &KeyHash, version: u64) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&key_hash.0);
    k[32..].copy_from_slice(&version.to_be_bytes());
    k
}

pub fn encode_value(value: Option<&Vec<u8>>) -> Vec<u8> {
    match value {
        None => vec![0],
        Some(v) => {
            let mut out = Vec::with_capacity(v.len() + 1);
            out.push(1);
            out.extend_from_slice(v);
            out
        }
    }
}

pub fn decode_value(bytes: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
    match bytes.split_first() {
        Some((0, [])) => Ok(None),
        Some((1, rest)) => Ok(Some(rest.to_vec())),
        _ => anyhow::bail!("corrupt stored jmt value tag"),
    }
}

/// The committed tree as of a redb read snapshot.
pub struct CommittedTree<'t> {
    pub txn: &'t ReadTransaction,
}

impl TreeReader for CommittedTree<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        let table = self.txn.open_table(JMT_NODES)?;
        let key = borsh::to_vec(node_key)?;
        match table.get(key.as_slice())? {
            None => Ok(None),
            Some(v) => Ok(Some(borsh::from_slice(v.value())?)),
        }
    }

    fn get_value_option(
        &self,
        max_version: u64,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        let table = self.txn.open_table(JMT_VALUES)?;
        let start = value_key(&key_hash, 0);
        let end = value_key(&key_hash, max_version);
        match table.range(start.as_slice()..=end.as_slice())?.next_back() {
            None => Ok(None),
            Some(entry) => decode_value(entry?.1.value()),
        }
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        // Only jmt's state-sync restore uses this; this store never restores from chunks.
        anyhow::bail!("rightmost-leaf lookup is not supported by this store")
    }
}
