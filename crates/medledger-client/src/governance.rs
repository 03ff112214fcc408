//! The one place a validator-set change is approved and submitted (namespace
//! `medwallet/governance/v1` for approvals, `medwallet/tx/v1` for the transaction). An
//! approval is good at one governance counter only, so it cannot be replayed into another
//! change; the ledger's rules check every one of them.

use medledger_types::hash::{ChainId, PublicKey};
use medledger_types::tx::{Approval, SignedTx, TxBody};
use medledger_types::validators::{ValidatorChange, validator_change_message};
use medwallet_crypto::{Namespace, SigningKey};

/// The approval of `change` at governance counter `seq` by the validator whose key is `key`.
pub fn approve(key: &SigningKey, chain: &ChainId, seq: u64, change: &ValidatorChange) -> Approval {
    let message = validator_change_message(chain, seq, change);
    Approval {
        validator: PublicKey(key.verifying_key().to_bytes()),
        signature: medwallet_crypto::sign(key, Namespace::GOVERNANCE, &message).to_bytes(),
    }
}

/// The change transaction: `change` at counter `seq` with its `approvals`, signed by `author`
/// (the joining key for an addition or a replacement) as its transaction `nonce`.
pub fn change_tx(
    author: &SigningKey,
    chain: ChainId,
    nonce: u64,
    seq: u64,
    change: ValidatorChange,
    approvals: Vec<Approval>,
) -> SignedTx {
    crate::transaction::sign(
        author,
        chain,
        nonce,
        TxBody::ChangeValidators {
            seq,
            change,
            approvals,
        },
    )
}

#[cfg(test)]
mod tests {
    use medledger_types::validators::Validator;

    use super::*;

    #[test]
    fn an_approval_verifies_for_its_counter_and_change_only() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let chain = ChainId([1; 32]);
        let change = ValidatorChange::Remove(PublicKey([9; 32]));
        let approval = approve(&key, &chain, 3, &change);
        assert_eq!(approval.validator.0, key.verifying_key().to_bytes());
        let verifies = |seq: u64, change: &ValidatorChange| {
            medwallet_crypto::verify(
                &key.verifying_key(),
                Namespace::GOVERNANCE,
                &validator_change_message(&chain, seq, change),
                &medwallet_crypto::Signature::from_bytes(&approval.signature),
            )
            .is_ok()
        };
        assert!(verifies(3, &change));
        assert!(!verifies(4, &change), "another counter");
        let other = ValidatorChange::Add(Validator {
            key: PublicKey([9; 32]),
            emergency: None,
            address: "127.0.0.1:1".into(),
        });
        assert!(!verifies(3, &other), "another change");
    }
}
