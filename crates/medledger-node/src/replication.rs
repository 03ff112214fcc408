//! Blob replication: every finalized IssueRecord (and SetEmergency) names a ciphertext by hash; a node that lacks it
//! fetches it from its peers (a signed peer request), and the blob store accepts it only if the
//! bytes hash to that name. Missing blobs are retried with backoff, so a record uploaded to one
//! node ends up on all of them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use medledger_client::{BlobRequest, NodeClient};
use medledger_state::store::Ledger;
use medledger_types::emergency::emergency_set_id;
use medledger_types::hash::{ChainId, RecordId, Sha256Digest};
use medledger_types::state::StateKey;
use medledger_types::tx::TxBody;
use medwallet_crypto::SigningKey;
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::blobs::BlobStore;

/// Replicates blobs until the process ends.
pub async fn run(
    ledger: Arc<Ledger>,
    blobs: Arc<BlobStore>,
    peer_apis: Vec<String>,
    seed: [u8; 32],
    mut heights: watch::Receiver<u64>,
) {
    let key = SigningKey::from_bytes(&seed);
    let peers: Vec<NodeClient> = peer_apis.iter().map(NodeClient::new).collect();
    let mut scanned = 0u64;
    // blob → (record, attempts)
    let mut missing: BTreeMap<Sha256Digest, (RecordId, u32)> = BTreeMap::new();
    loop {
        let tip = ledger.tip().height;
        for height in scanned + 1..=tip {
            let Ok(Some(block)) = ledger.block(height) else {
                continue;
            };
            for tx in &block.txs {
                if let TxBody::IssueRecord {
                    record,
                    ciphertext_sha256,
                    ..
                } = &tx.tx.body
                    && !blobs.has(ciphertext_sha256)
                    && !erased(&ledger, record)
                {
                    missing.insert(*ciphertext_sha256, (*record, 0));
                }
                if let TxBody::SetEmergency {
                    ciphertext_sha256,
                    ciphertext_len,
                    ..
                } = &tx.tx.body
                {
                    let set = emergency_set_id(&tx.tx.author_address(), tx.tx.nonce);
                    if *ciphertext_len > 0
                        && !blobs.has(ciphertext_sha256)
                        && !erased(&ledger, &set)
                    {
                        missing.insert(*ciphertext_sha256, (set, 0));
                    }
                }
            }
        }
        scanned = scanned.max(tip);
        let mut done = Vec::new();
        for (hash, (record, attempts)) in missing.iter_mut() {
            // An erased record's ciphertext is deleted everywhere, not fetched.
            if erased(&ledger, record)
                || blobs.has(hash)
                || fetch(&key, ledger.chain_id(), &peers, &blobs, hash, record).await
            {
                done.push(*hash);
            } else {
                *attempts += 1;
                if *attempts % 10 == 1 {
                    warn!(blob = %hash, attempts = *attempts, "no peer could provide a blob yet");
                }
            }
        }
        for hash in done {
            missing.remove(&hash);
        }
        let wait = if missing.is_empty() {
            Duration::from_secs(3600)
        } else {
            Duration::from_secs(2)
        };
        let _ = tokio::time::timeout(wait, heights.changed()).await;
    }
}

/// Whether `id`'s ciphertext is no longer wanted: an erased record, or an emergency set that
/// was replaced or removed.
fn erased(ledger: &Ledger, id: &RecordId) -> bool {
    let present = |key: StateKey| matches!(ledger.get(&key), Ok(Some(_)));
    present(StateKey::erased(id))
        || (!present(StateKey::record(id)) && !present(StateKey::emergency_set(id)))
}

async fn fetch(
    key: &SigningKey,
    chain: ChainId,
    peers: &[NodeClient],
    blobs: &BlobStore,
    hash: &Sha256Digest,
    record: &RecordId,
) -> bool {
    for peer in peers {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let request = BlobRequest::new(key, *hash, *record, None, now);
        let stream = match peer
            .blob_stream(&request, chain, Duration::from_secs(60))
            .await
        {
            Ok(stream) => stream,
            Err(e) => {
                debug!(peer = %peer.url(), error = %e, "peer did not serve the blob");
                continue;
            }
        };
        match blobs.put(hash, Box::pin(stream)).await {
            Ok(_) => {
                info!(blob = %hash, peer = %peer.url(), "replicated a blob");
                return true;
            }
            Err(e) => warn!(peer = %peer.url(), blob = %hash, error = %e, "peer served a bad blob"),
        }
    }
    false
}
