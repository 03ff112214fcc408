//! The one place a transaction is built and signed (namespace `medwallet/tx/v1`). A wallet or a
//! clinic signs with the nonce the ledger proves for its account ([`sign_next`],
//! [`TxSequence`]) and the chain of its trust anchor ([`LedgerSource::chain`]); a node signing
//! its own receipts, or a load generator, passes both in ([`sign`]).

use medledger_types::hash::{Address, ChainId, PublicKey};
use medledger_types::tx::{SignedTx, Tx, TxBody};
use medwallet_crypto::{Namespace, SigningKey};
use medwallet_verify::VerifiedHeader;

use crate::reads::{ReadError, nonce};
use crate::source::LedgerSource;

/// Signs `body` as transaction `nonce` of `key`'s account on `chain`.
pub fn sign(key: &SigningKey, chain: ChainId, nonce: u64, body: TxBody) -> SignedTx {
    let tx = Tx {
        chain,
        author: PublicKey(key.verifying_key().to_bytes()),
        nonce,
        body,
    };
    let signature = medwallet_crypto::sign(key, Namespace::TX, &tx.signing_bytes()).to_bytes();
    SignedTx { tx, signature }
}

/// The address of `key`'s account.
pub fn author(key: &SigningKey) -> Address {
    Address::of(&PublicKey(key.verifying_key().to_bytes()))
}

/// Signs `body` with the account's next nonce, proven at `at`, on the source's chain.
pub async fn sign_next<S: LedgerSource>(
    source: &S,
    key: &SigningKey,
    at: &VerifiedHeader,
    body: TxBody,
) -> Result<SignedTx, ReadError> {
    Ok(TxSequence::start(source, key, at).await?.next(body))
}

/// Consecutive transactions of one account (a clinic issuing a history record by record),
/// starting at the nonce the ledger proves.
pub struct TxSequence<'k> {
    key: &'k SigningKey,
    chain: ChainId,
    next: u64,
}

impl<'k> TxSequence<'k> {
    /// Starts at the account's committed nonce, proven at `at`.
    pub async fn start<S: LedgerSource>(
        source: &S,
        key: &'k SigningKey,
        at: &VerifiedHeader,
    ) -> Result<Self, ReadError> {
        Ok(Self {
            key,
            chain: source.chain(),
            next: nonce(source, at, &author(key)).await?,
        })
    }

    /// The nonce the next transaction takes.
    pub fn next_nonce(&self) -> u64 {
        self.next
    }

    /// Signs the next transaction.
    pub fn next(&mut self, body: TxBody) -> SignedTx {
        let tx = sign(self.key, self.chain, self.next, body);
        self.next += 1;
        tx
    }
}

#[cfg(test)]
mod tests {
    use medledger_types::hash::{GrantId, ReceivingKey};
    use medwallet_crypto::{Signature, VerifyingKey};

    use super::*;

    /// What every node checks first (`medledger_state::rules::verify_signature`).
    fn verify(tx: &SignedTx) -> bool {
        VerifyingKey::from_bytes(&tx.tx.author.0).is_ok_and(|key| {
            medwallet_crypto::verify(
                &key,
                Namespace::TX,
                &tx.tx.signing_bytes(),
                &Signature::from_bytes(&tx.signature),
            )
            .is_ok()
        })
    }

    #[test]
    fn signed_transactions_verify_and_any_change_breaks_them() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let tx = sign(
            &key,
            ChainId([1; 32]),
            3,
            TxBody::RegisterPatient {
                receiving: ReceivingKey([2; 32]),
            },
        );
        assert!(verify(&tx));
        assert_eq!(tx.tx.author_address(), author(&key));
        let mut other_chain = tx.clone();
        other_chain.tx.chain = ChainId([2; 32]);
        assert!(!verify(&other_chain), "the chain is signed");
        let mut other_body = tx.clone();
        other_body.tx.body = TxBody::Revoke {
            grant: GrantId([0; 32]),
        };
        assert!(!verify(&other_body));
        let mut forged = tx;
        forged.signature[0] ^= 1;
        assert!(!verify(&forged));
    }
}
