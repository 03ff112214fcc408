//! AccessReceipt transactions: each blob a node serves to a grantee is recorded on the ledger,
//! so patients see who fetched what, when and from which node (verified by proof).
//!
//! A receipt carries the grantee's own signed request to this node, so it proves a real fetch
//! (the rules check the signature, the node, the chain and the time). A node serves the blob
//! only once its receipt is admitted: checked against the committed state and queued here, and
//! on a node that does not propose blocks (a follower), also accepted by at least one peer.
//! A node whose receipt is refused refuses the fetch.

use medledger_types::error_code::ErrorCode;
use std::sync::Mutex;

use medledger_client::NodeClient;
use medledger_client::fault::NetError;
use medledger_client::transaction::sign;
use medledger_state::TxError;
use medledger_state::store::Ledger;
use medledger_types::blob_request::Auth;
use medledger_types::hash::{Address, GrantId, PublicKey, RecordId};
use medledger_types::tx::{SignedTx, TxBody};
use medwallet_crypto::SigningKey;
use thiserror::Error;

use crate::mempool::{AdmitError, Mempool};

/// Why a receipt could not be recorded (so the fetch is refused).
#[derive(Debug, Error)]
pub enum ReceiptRefused {
    #[error("the access receipt is refused by the ledger's rules: {0}")]
    Rules(#[from] TxError),
    #[error("the access receipt could not be queued: {0}")]
    Queue(AdmitError),
    #[error("no peer accepted the access receipt ({0} asked); try another node")]
    NotForwarded(usize),
}

impl ReceiptRefused {
    /// The API's status and code for a fetch refused for this reason.
    pub fn status_code(&self) -> (u16, ErrorCode) {
        match self {
            ReceiptRefused::Rules(e) => (403, e.code()),
            ReceiptRefused::Queue(AdmitError::Invalid(e)) => (403, e.code()),
            ReceiptRefused::Queue(e) => (503, e.code()),
            ReceiptRefused::NotForwarded(_) => (503, ErrorCode::ReceiptUnrecorded),
        }
    }
}

/// Signs receipts with the node key and gets them onto the ledger.
pub struct ReceiptIssuer {
    key: SigningKey,
    /// Held while choosing a nonce and queueing, so concurrent fetches take consecutive nonces.
    queueing: Mutex<()>,
    /// Peers a node that does not propose blocks hands its receipts to (empty on validators).
    forward_to: Vec<NodeClient>,
}

impl ReceiptIssuer {
    /// An issuer for the node whose ed25519 seed is `seed`; `forward_to` are the peers that
    /// must accept its receipts (a follower's validators), none for a validator.
    pub fn new(seed: &[u8; 32], forward_to: Vec<NodeClient>) -> Self {
        Self {
            key: SigningKey::from_bytes(seed),
            queueing: Mutex::new(()),
            forward_to,
        }
    }

    /// Records that this node serves `record` under `grant` to the author of `request` at
    /// `now_ms`: signs the receipt, checks it against the committed state, queues it, and on a
    /// follower hands it to the peers. `Ok` only once the receipt is admitted.
    pub async fn issue(
        &self,
        ledger: &Ledger,
        mempool: &Mempool,
        grant: GrantId,
        record: RecordId,
        request: Auth,
        now_ms: u64,
    ) -> Result<SignedTx, ReceiptRefused> {
        let body = TxBody::AccessReceipt {
            grant,
            record,
            request,
        };
        self.record(ledger, mempool, body, now_ms).await
    }

    /// Signs `body` as this node's next transaction and gets it admitted (queued here, and on a
    /// follower taken by a peer): access receipts and SMART Health Link accesses.
    pub async fn record(
        &self,
        ledger: &Ledger,
        mempool: &Mempool,
        body: TxBody,
        now_ms: u64,
    ) -> Result<SignedTx, ReceiptRefused> {
        let signed = self.queue(ledger, mempool, body, now_ms)?;
        if self.forward_to.is_empty() {
            return Ok(signed);
        }
        let answers =
            futures::future::join_all(self.forward_to.iter().map(|peer| peer.submit(&signed)))
                .await;
        let accepted = answers.iter().any(|answer| match answer {
            Ok(id) => *id == signed.id(),
            Err(NetError::Refused { code, .. }) => code == "duplicate",
            Err(_) => false,
        });
        if accepted {
            Ok(signed)
        } else {
            for answer in answers.iter().filter_map(|a| a.as_ref().err()) {
                tracing::warn!(error = %answer, "a peer did not take this node's record");
            }
            Err(ReceiptRefused::NotForwarded(self.forward_to.len()))
        }
    }

    fn queue(
        &self,
        ledger: &Ledger,
        mempool: &Mempool,
        body: TxBody,
        now_ms: u64,
    ) -> Result<SignedTx, ReceiptRefused> {
        let author = Address::of(&PublicKey(self.key.verifying_key().to_bytes()));
        let _queueing = self.queueing.lock().unwrap_or_else(|e| e.into_inner());
        let committed = ledger.next_nonce(&author).map_err(TxError::from)?;
        let signed = sign(
            &self.key,
            ledger.chain_id(),
            mempool.next_nonce(&author, committed),
            body,
        );
        // The dry run checks the receipt itself only when it is next in line; a receipt queued
        // behind this node's earlier ones is checked when they commit.
        crate::admission::dry_run(ledger, &signed, now_ms)?;
        mempool
            .insert(signed.clone())
            .map_err(ReceiptRefused::Queue)?;
        Ok(signed)
    }
}
