//! AccessReceipt transactions: each blob a node serves to a grantee is recorded on the ledger,
//! signed with the node's key, so patients see who fetched what and when (verified by proof).

use std::sync::Mutex;

use medledger_client::transaction::sign;
use medledger_state::store::Ledger;
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, GrantId, PublicKey, RecordId};
use medledger_types::tx::{SignedTx, TxBody};
use medwallet_crypto::SigningKey;

use crate::mempool::Mempool;

/// Issues receipts with consecutive nonces.
pub struct ReceiptIssuer {
    key: SigningKey,
    next_nonce: Mutex<u64>,
}

impl ReceiptIssuer {
    /// An issuer for the node whose ed25519 seed is `seed`.
    pub fn new(seed: &[u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(seed),
            next_nonce: Mutex::new(0),
        }
    }

    /// Signs a receipt and queues it in the node's mempool.
    pub fn issue(
        &self,
        ledger: &Ledger,
        mempool: &Mempool,
        grant: GrantId,
        record: RecordId,
        grantee: Address,
        served_at_ms: u64,
    ) -> Option<SignedTx> {
        let author = PublicKey(self.key.verifying_key().to_bytes());
        let committed = ledger.next_nonce(&Address::of(&author)).unwrap_or(0);
        let mut next = self.next_nonce.lock().unwrap_or_else(|e| e.into_inner());
        let nonce = (*next).max(committed);
        let signed = sign(
            &self.key,
            ledger.chain_id(),
            nonce,
            TxBody::AccessReceipt {
                grant,
                record,
                grantee,
                served_at_ms,
            },
        );
        match mempool.admit(&signed.encode(), |_| committed) {
            Ok(tx) => {
                *next = nonce + 1;
                Some(tx)
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not queue an access receipt");
                None
            }
        }
    }
}
