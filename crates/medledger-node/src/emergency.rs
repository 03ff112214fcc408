//! Emergency access on a validator's node: for every finalized EmergencyRequest still inside
//! its window, the node opens its own share of the patient's emergency set (sealed to its
//! emergency key, which it derives from its node key), checks it against the patient's
//! commitment, seals it again to the clinician's receiving key and writes an EmergencyShare.
//! The whole chain is scanned at start, so a node that was down releases what it owes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use medledger_state::TxError;
use medledger_state::store::Ledger;
use medledger_types::codec::Canonical;
use medledger_types::emergency::{EmergencyRequest, EmergencyRequestId, EmergencySet};
use medledger_types::state::{Account, MAX_VALUE_LEN, StateKey};
use medledger_types::tx::TxBody;
use medwallet_crypto::X25519PublicKey;
use medwallet_crypto::emergency::{open_share, seal_release, validator_identity};
use medwallet_crypto::envelope::{X25519Identity, X25519Recipient};
use tokio::sync::watch;
use tracing::{info, warn};

use crate::mempool::{AdmitError, Mempool};
use crate::receipts::{ReceiptIssuer, ReceiptRefused};

/// What a validator's node needs to release its shares.
pub struct Releaser {
    pub ledger: Arc<Ledger>,
    pub mempool: Arc<Mempool>,
    pub receipts: Arc<ReceiptIssuer>,
    identity: X25519Identity,
    /// This validator's position in the set (its share's).
    position: u8,
}

/// Why a request gets no share from this node (logged; nothing is released).
#[derive(Debug, thiserror::Error)]
pub(crate) enum Withheld {
    #[error("the request is gone from the state")]
    Unknown,
    #[error("the access window ended")]
    Closed,
    #[error("the patient's emergency set changed after the request")]
    SetChanged,
    #[error("the clinician is no longer a registered account")]
    NoClinician,
    #[error("this node's share does not open or match its commitment: {0}")]
    Share(String),
    #[error("state: {0}")]
    State(String),
}

impl Releaser {
    /// A releaser for the validator whose node seed is `seed`, or `None` on a node that is not
    /// a validator of a chain with emergency access.
    pub fn for_validator(
        ledger: Arc<Ledger>,
        mempool: Arc<Mempool>,
        receipts: Arc<ReceiptIssuer>,
        seed: &[u8; 32],
        node_key: &medledger_types::hash::PublicKey,
    ) -> Option<Self> {
        let validators = ledger.validators().ok()?;
        let position = validators.position(node_key)?;
        let identity = validator_identity(seed);
        let expected = validators.members()[position].emergency?;
        if identity.to_recipient().public_bytes() != expected.0 {
            warn!(
                "this node's emergency key is not the one the ledger names: it releases no emergency share"
            );
            return None;
        }
        Some(Self {
            ledger,
            mempool,
            receipts,
            identity,
            position: position as u8,
        })
    }

    /// Releases this node's shares until the process ends.
    pub async fn run(self, mut heights: watch::Receiver<u64>) {
        let mut scanned = 0u64;
        let mut owed: BTreeSet<EmergencyRequestId> = BTreeSet::new();
        loop {
            let tip = self.ledger.tip();
            for height in scanned + 1..=tip.height {
                let Ok(Some(block)) = self.ledger.block(height) else {
                    continue;
                };
                for tx in &block.txs {
                    if let TxBody::EmergencyRequest { .. } = &tx.tx.body {
                        owed.insert(EmergencyRequestId::derive(
                            &tx.tx.author_address(),
                            tx.tx.nonce,
                        ));
                    }
                }
            }
            scanned = scanned.max(tip.height);
            let mut done = Vec::new();
            for id in &owed {
                match self.release(id, tip.timestamp_ms).await {
                    Ok(true) => done.push(*id),
                    Ok(false) => {}
                    Err(reason) => {
                        warn!(request = %id.to_hex(), %reason, "no emergency share released");
                        done.push(*id);
                    }
                }
            }
            for id in done {
                owed.remove(&id);
            }
            let wait = if owed.is_empty() {
                Duration::from_secs(3600)
            } else {
                Duration::from_secs(2)
            };
            let _ = tokio::time::timeout(wait, heights.changed()).await;
        }
    }

    fn value<T: Canonical>(&self, key: &StateKey) -> Result<Option<T>, Withheld> {
        match self.ledger.get(key) {
            Ok(None) => Ok(None),
            Ok(Some(bytes)) => T::decode(&bytes, MAX_VALUE_LEN)
                .map(Some)
                .map_err(|e| Withheld::State(e.to_string())),
            Err(e) => Err(Withheld::State(e.to_string())),
        }
    }

    /// `Ok(true)` once this node's share of `id` is admitted or on the ledger (or never can be:
    /// refused by the rules as already released or out of time), `Ok(false)` to try again.
    pub(crate) async fn release(
        &self,
        id: &EmergencyRequestId,
        now_ms: u64,
    ) -> Result<bool, Withheld> {
        let request: EmergencyRequest = self
            .value(&StateKey::emergency_request(id))?
            .ok_or(Withheld::Unknown)?;
        if request
            .released
            .iter()
            .any(|r| r.validator == self.position)
        {
            return Ok(true);
        }
        if !request.open_at(now_ms) {
            return Err(Withheld::Closed);
        }
        let set: EmergencySet = self
            .value(&StateKey::emergency(&request.patient))?
            .filter(|s: &EmergencySet| s.id == request.set)
            .ok_or(Withheld::SetChanged)?;
        let slot = set
            .shares
            .get(usize::from(self.position))
            .ok_or_else(|| Withheld::Share("no share for this position".into()))?;
        let share = open_share(
            &self.identity,
            &request.patient,
            &set.id,
            self.position,
            &slot.sealed,
            &slot.commitment,
        )
        .map_err(|e| Withheld::Share(e.to_string()))?;
        let clinician: Account = self
            .value(&StateKey::account(&request.clinician))?
            .ok_or(Withheld::NoClinician)?;
        let to = X25519Recipient::new(X25519PublicKey::from(clinician.receiving.0));
        let sealed = seal_release(&to, id, self.position, &share, &mut rand::rng())
            .map_err(|e| Withheld::Share(e.to_string()))?;
        let body = TxBody::EmergencyShare {
            request: *id,
            sealed,
        };
        match self
            .receipts
            .record(&self.ledger, &self.mempool, body, now_ms)
            .await
        {
            Ok(_) => {
                info!(request = %id.to_hex(), "released this node's emergency share");
                Ok(true)
            }
            Err(ReceiptRefused::Rules(
                TxError::AlreadyReleased | TxError::EmergencyWindowClosed { .. },
            ))
            | Err(ReceiptRefused::Queue(AdmitError::Invalid(
                TxError::AlreadyReleased | TxError::EmergencyWindowClosed { .. },
            ))) => Ok(true),
            Err(e) => {
                warn!(request = %id.to_hex(), error = %e, "emergency share not recorded yet");
                Ok(false)
            }
        }
    }
}
