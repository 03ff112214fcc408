//! Erasure on a node: for every record a finalized EraseRecords names, the node deletes the
//! ciphertext from its blob store (its API then answers 410 Gone, from the ledger's state), and
//! a validator's node writes its ErasureReceipt, so the patient sees, by proof, which nodes
//! deleted it. The whole chain is scanned at start, so a node that was down catches up.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use medledger_state::TxError;
use medledger_state::store::Ledger;
use medledger_types::codec::Canonical;
use medledger_types::erasure::ErasedRecord;
use medledger_types::hash::{Address, RecordId};
use medledger_types::state::{MAX_VALUE_LEN, StateKey};
use medledger_types::tx::TxBody;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::blobs::BlobStore;
use crate::mempool::{AdmitError, Mempool};
use crate::receipts::{ReceiptIssuer, ReceiptRefused};

/// What the sweeper needs of the node.
pub struct Sweeper {
    pub ledger: Arc<Ledger>,
    pub blobs: Arc<BlobStore>,
    pub mempool: Arc<Mempool>,
    pub receipts: Arc<ReceiptIssuer>,
    /// This node's address; receipts are written only by validators.
    pub node: Address,
    pub is_validator: bool,
}

impl Sweeper {
    /// Deletes erased records' ciphertexts and writes this node's receipts, until the process
    /// ends.
    pub async fn run(self, mut heights: watch::Receiver<u64>) {
        let mut scanned = 0u64;
        let mut unreceipted: BTreeSet<RecordId> = BTreeSet::new();
        loop {
            let tip = self.ledger.tip().height;
            for height in scanned + 1..=tip {
                let Ok(Some(block)) = self.ledger.block(height) else {
                    continue;
                };
                for tx in &block.txs {
                    if let TxBody::EraseRecords { records } = &tx.tx.body {
                        for record in records {
                            self.delete(record);
                            if self.is_validator && !self.has_receipt(record) {
                                unreceipted.insert(*record);
                            }
                        }
                    }
                }
            }
            scanned = scanned.max(tip);
            let mut done = Vec::new();
            for record in &unreceipted {
                let body = TxBody::ErasureReceipt { record: *record };
                match self
                    .receipts
                    .record(&self.ledger, &self.mempool, body, now_ms())
                    .await
                {
                    Ok(_)
                    | Err(ReceiptRefused::Rules(TxError::ReceiptReplayed))
                    | Err(ReceiptRefused::Queue(AdmitError::Invalid(TxError::ReceiptReplayed))) => {
                        done.push(*record)
                    }
                    Err(e) => {
                        warn!(record = %record.to_hex(), error = %e, "erasure receipt not recorded yet")
                    }
                }
            }
            for record in done {
                unreceipted.remove(&record);
            }
            let wait = if unreceipted.is_empty() {
                Duration::from_secs(3600)
            } else {
                Duration::from_secs(2)
            };
            let _ = tokio::time::timeout(wait, heights.changed()).await;
        }
    }

    /// Deletes the ciphertext of `record`, if erased (as the committed state says).
    fn delete(&self, record: &RecordId) {
        let erased = match self.ledger.get(&StateKey::erased(record)) {
            Ok(Some(bytes)) => ErasedRecord::decode(&bytes, MAX_VALUE_LEN).ok(),
            _ => None,
        };
        let Some(erased) = erased else { return };
        match self.blobs.remove(&erased.ciphertext_sha256) {
            Ok(true) => info!(record = %record.to_hex(), "deleted an erased record's ciphertext"),
            Ok(false) => {}
            Err(e) => {
                warn!(record = %record.to_hex(), error = %e, "could not delete an erased record's ciphertext")
            }
        }
    }

    fn has_receipt(&self, record: &RecordId) -> bool {
        matches!(
            self.ledger
                .get(&StateKey::erasure_receipt_by(record, &self.node)),
            Ok(Some(_))
        )
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
