//! A node operator's side of a validator-set change: each validator's operator signs an
//! approval of the change with the node's key (namespace `medwallet/governance/v1`, at the
//! chain's governance counter); the joining node's operator (or anyone, for a removal) submits
//! the change with two thirds of the running set's approvals. The ledger's rules check every
//! approval; this only assembles them.

use medledger_client::NodeClient;
use medledger_types::hash::{Address, ChainId, PublicKey, ReceivingKey};
use medledger_types::state::{StateKey, decode_u64};
use medledger_types::tx::{Approval, SignedTx};
use medledger_types::validators::{Validator, ValidatorChange};
use medwallet_crypto::SigningKey;
use serde::{Deserialize, Serialize};

/// An approval as operators pass it around (one JSON object).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalFile {
    /// The governance counter it approves the change at.
    pub seq: u64,
    /// The approving validator's key (hex).
    pub validator: String,
    /// Its signature (hex).
    pub signature: String,
}

/// Why an approval file does not go into a change.
#[derive(Debug, thiserror::Error)]
pub enum GovernanceError {
    #[error("an approval is not hex of the right length")]
    Malformed,
    #[error(
        "the approvals are for governance counters {0} and {1}: approve the change again at one"
    )]
    MixedCounters(u64, u64),
    #[error("no approvals")]
    NoApprovals,
    #[error("the node's answer: {0}")]
    Node(#[from] medledger_client::NetError),
    #[error("the node's state value is not a counter: {0}")]
    Counter(String),
}

/// The node key's public key and, on a chain with emergency access, its emergency key (both
/// derived from the key's seed, as the node derives them).
pub fn identity(seed: &[u8; 32], emergency_access: bool) -> Validator {
    let key = SigningKey::from_bytes(seed);
    Validator {
        key: PublicKey(key.verifying_key().to_bytes()),
        emergency: emergency_access.then(|| {
            ReceivingKey(
                medwallet_crypto::emergency::validator_identity(seed)
                    .to_recipient()
                    .public_bytes(),
            )
        }),
        address: String::new(),
    }
}

/// This validator's approval of `change` at counter `seq`.
pub fn approve(
    seed: &[u8; 32],
    chain: ChainId,
    seq: u64,
    change: &ValidatorChange,
) -> ApprovalFile {
    let approval =
        medledger_client::governance::approve(&SigningKey::from_bytes(seed), &chain, seq, change);
    ApprovalFile {
        seq,
        validator: approval.validator.to_hex(),
        signature: hex::encode(approval.signature),
    }
}

/// The change transaction, signed by `seed`'s key at `nonce`, carrying `approvals` (which must
/// all be for one counter).
pub fn change_tx(
    seed: &[u8; 32],
    chain: ChainId,
    nonce: u64,
    change: ValidatorChange,
    approvals: &[ApprovalFile],
) -> Result<SignedTx, GovernanceError> {
    let seq = approvals.first().ok_or(GovernanceError::NoApprovals)?.seq;
    let parsed = approvals
        .iter()
        .map(|a| {
            if a.seq != seq {
                return Err(GovernanceError::MixedCounters(seq, a.seq));
            }
            let validator =
                PublicKey::from_hex(&a.validator).map_err(|_| GovernanceError::Malformed)?;
            let mut signature = [0u8; 64];
            hex::decode_to_slice(&a.signature, &mut signature)
                .map_err(|_| GovernanceError::Malformed)?;
            Ok(Approval {
                validator,
                signature,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(medledger_client::governance::change_tx(
        &SigningKey::from_bytes(seed),
        chain,
        nonce,
        seq,
        change,
        parsed,
    ))
}

/// A counter in `node`'s committed state (0 when absent). Unverified: an operator asks its own
/// node, and a wrong answer only makes the change fail its rules.
pub async fn counter(node: &NodeClient, key: &StateKey) -> Result<u64, GovernanceError> {
    let height = node.status().await?.height;
    let proven = node.state(key, height).await?;
    match proven.value {
        None => Ok(0),
        Some(v) => {
            let bytes = hex::decode(v).map_err(|e| GovernanceError::Counter(e.to_string()))?;
            decode_u64(&bytes).map_err(|e| GovernanceError::Counter(e.to_string()))
        }
    }
}

/// The chain's governance counter, as `node` has it.
pub async fn governance_seq(node: &NodeClient) -> Result<u64, GovernanceError> {
    counter(node, &StateKey::governance_seq()).await
}

/// The next nonce of `seed`'s key, as `node` has it.
pub async fn next_nonce(node: &NodeClient, seed: &[u8; 32]) -> Result<u64, GovernanceError> {
    let key = SigningKey::from_bytes(seed);
    let address = Address::of(&PublicKey(key.verifying_key().to_bytes()));
    counter(node, &StateKey::nonce(&address)).await
}

#[cfg(test)]
mod tests {
    use medledger_types::tx::TxBody;

    use super::*;

    #[test]
    fn approvals_for_one_counter_make_a_change_and_mixed_ones_do_not() {
        let chain = ChainId([3; 32]);
        let change = ValidatorChange::Remove(PublicKey([9; 32]));
        let a = approve(&[1; 32], chain, 4, &change);
        let b = approve(&[2; 32], chain, 4, &change);
        let tx =
            change_tx(&[1; 32], chain, 0, change.clone(), &[a.clone(), b.clone()]).expect("tx");
        let TxBody::ChangeValidators { seq, approvals, .. } = &tx.tx.body else {
            panic!("a change");
        };
        assert_eq!((*seq, approvals.len()), (4, 2));
        let stale = approve(&[2; 32], chain, 3, &change);
        assert!(matches!(
            change_tx(&[1; 32], chain, 0, change.clone(), &[a, stale]),
            Err(GovernanceError::MixedCounters(4, 3))
        ));
        assert!(matches!(
            change_tx(&[1; 32], chain, 0, change, &[]),
            Err(GovernanceError::NoApprovals)
        ));
        // The identity a node derives: its key, and its emergency key only where offered.
        assert!(identity(&[1; 32], false).emergency.is_none());
        assert!(identity(&[1; 32], true).emergency.is_some());
    }
}
