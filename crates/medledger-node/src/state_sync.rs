//! Joining a chain without replaying it (`medledger state-sync`): from the genesis file alone,
//! a new node verifies the newest finalized header some node serves (its certificate, and every
//! validator-set change from genesis to it, by proof), then restores the state at that height
//! chunk by chunk from any of the nodes, each chunk checked against the header's state root.
//! A node that serves a chunk that does not prove out is named and the next one asked. The
//! node then starts from that block (`Ledger::base_height`): marshal from its certificate, the
//! running epoch's engine from it when the epoch's first block is not held.

use std::path::Path;

use medledger_client::{NetError, NodeClient, NodeFault};
use medledger_state::error::StoreError;
use medledger_state::store::{Ledger, Restore};
use medledger_types::block::{Block, MAX_BLOCK_LEN};
use medledger_types::codec::Canonical;
use medledger_types::genesis::Genesis;
use medledger_types::snapshot::StateChunk;
use medwallet_verify::{Invalid, LightClient, TrustAnchor, VerifiedHeader};
use tokio::task::JoinHandle;
use tracing::{info, warn};

/// Why a state sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum StateSyncError {
    #[error("the genesis file cannot anchor a light client: {0}")]
    Genesis(Invalid),
    #[error("no node served a finalized block that verifies: {0}")]
    NoTarget(String),
    #[error("no node served the state after a chunk that proves out: {0}")]
    NoChunk(String),
    #[error("the store: {0}")]
    Store(#[from] StoreError),
}

/// What a state sync did.
pub struct Synced {
    pub ledger: Ledger,
    /// The height whose state was restored (the new node's first block).
    pub height: u64,
    /// Leaves taken in.
    pub leaves: u64,
    /// Nodes caught serving something that did not verify, with what.
    pub lying: Vec<String>,
}

/// A verified finalized block: the header's certificate checked from genesis, the block's
/// transactions those the header names.
struct Target {
    block: Block,
    certificate: Vec<u8>,
}

/// The newest finalized block `node` serves, verified by `light`.
async fn target_of(node: &NodeClient, light: &mut LightClient) -> Result<Target, NodeFault> {
    let lying = |reason| NodeFault::Lying {
        node: node.url().into(),
        reason,
    };
    let status = node.status().await?;
    let latest = status
        .latest_finalized
        .ok_or_else(|| NodeFault::NothingFinalized {
            node: node.url().into(),
        })?;
    let header = hex::decode(&latest.encoded)
        .map_err(|_| lying(Invalid::MalformedHeader("not hex".into())))?;
    let certificate = latest
        .finalization
        .as_deref()
        .map(hex::decode)
        .transpose()
        .map_err(|_| lying(Invalid::MalformedCertificate("not hex".into())))?
        .ok_or_else(|| lying(Invalid::MalformedCertificate("no certificate".into())))?;
    medledger_client::epochs::learn_epochs(node, light, &header).await?;
    let verified: VerifiedHeader = light.verify(&header, &certificate).map_err(lying)?;
    let block = node.block(verified.height()).await?;
    let block = hex::decode(&block.encoded)
        .ok()
        .and_then(|bytes| Block::decode(&bytes, MAX_BLOCK_LEN).ok())
        .filter(|b| b.header == *verified.header() && b.body_matches_header())
        .ok_or_else(|| lying(Invalid::MalformedHeader("not the verified block".into())))?;
    Ok(Target { block, certificate })
}

/// Restores the state of the newest block any of `nodes` has finalized into a new store at
/// `path` (which must not exist), verifying everything from `genesis`.
pub async fn state_sync(
    genesis: Genesis,
    path: &Path,
    nodes: &[NodeClient],
) -> Result<Synced, StateSyncError> {
    let anchor = TrustAnchor::from_genesis(&genesis).map_err(StateSyncError::Genesis)?;
    let mut lying = Vec::new();
    let mut faults = Vec::new();
    let mut target: Option<Target> = None;
    for node in nodes {
        let mut light = LightClient::new(anchor.clone());
        match target_of(node, &mut light).await {
            Ok(found) => {
                if target
                    .as_ref()
                    .is_none_or(|t| found.block.header.height > t.block.header.height)
                {
                    target = Some(found);
                }
            }
            Err(fault) => {
                if matches!(fault, NodeFault::Lying { .. }) {
                    lying.push(fault.to_string());
                }
                faults.push(fault.to_string());
            }
        }
    }
    let Target { block, certificate } =
        target.ok_or_else(|| StateSyncError::NoTarget(faults.join("; ")))?;
    let height = block.header.height;
    info!(height, "restoring the state of a verified finalized block");
    let mut restore = Restore::begin(path, genesis, block, certificate)?;
    let mut turn = 0usize;
    let mut failures = Vec::new();
    // The next chunk, asked of the next node while this one is checked and written.
    let mut prefetched: Option<(usize, JoinHandle<Result<StateChunk, NetError>>)> = None;
    loop {
        let (from, fetched) = match prefetched.take() {
            Some((from, next)) => (
                from,
                next.await.unwrap_or_else(|e| {
                    Err(NetError::Unreachable {
                        node: nodes[from].url().into(),
                        message: e.to_string(),
                    })
                }),
            ),
            None => {
                let from = turn % nodes.len();
                let after = restore.resume_after();
                (from, nodes[from].state_chunk(height, after.as_ref()).await)
            }
        };
        let node = &nodes[from];
        let chunk = match fetched {
            Ok(chunk) => chunk,
            Err(e) => {
                failures.push(format!("{}: {e}", node.url()));
                turn = from + 1;
                if failures.len() >= nodes.len() {
                    return Err(StateSyncError::NoChunk(failures.join("; ")));
                }
                continue;
            }
        };
        let last = chunk.last;
        if !last && let Some((key, _)) = chunk.entries.last() {
            let next = (from + 1) % nodes.len();
            let (client, key) = (nodes[next].clone(), *key);
            prefetched = Some((
                next,
                tokio::spawn(async move { client.state_chunk(height, Some(&key)).await }),
            ));
        }
        match restore.add_chunk(chunk) {
            Ok(()) => failures.clear(),
            Err(StoreError::BadChunk(reason)) => {
                warn!(node = node.url(), %reason, "a state chunk did not prove out");
                lying.push(format!("{}: {reason}", node.url()));
                failures.push(format!("{}: {reason}", node.url()));
                // What was asked after a false chunk is of no use: ask again from where the
                // restore stands, of the next node.
                if let Some((_, next)) = prefetched.take() {
                    next.abort();
                }
                turn = from + 1;
                if failures.len() >= nodes.len() {
                    return Err(StateSyncError::NoChunk(failures.join("; ")));
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        if last {
            break;
        }
    }
    let leaves = restore.leaves();
    let ledger = restore.finish()?;
    info!(height, leaves, "state restored");
    Ok(Synced {
        ledger,
        height,
        leaves,
        lying,
    })
}
