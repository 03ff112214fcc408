//! Test ledgers' headers, finalized for real: one validator signs a Simplex finalization
//! certificate, and the light client verifies it like any node's. The verification crate alone
//! makes verified headers, so a test double has to pass its checks too.

use ed25519_dalek::Signer;
use medledger_types::block::Header;
use medledger_types::certificate::{Finalization, Proposal};
use medledger_types::genesis::ValidatorSet;
use medledger_types::hash::{ChainId, PublicKey};
use medwallet_crypto::SigningKey;
use medwallet_verify::{LightClient, TrustAnchor, TrustedSet, VerifiedHeader};

/// The one-validator set `validator` forms.
pub fn validator_set(validator: &SigningKey) -> ValidatorSet {
    ValidatorSet::new(vec![PublicKey(validator.verifying_key().to_bytes())]).expect("set")
}

/// `header` (which must name `validator`'s set) finalized by `validator` and verified.
pub fn certify(validator: &SigningKey, chain: ChainId, header: Header) -> VerifiedHeader {
    let anchor = TrustAnchor {
        chain,
        validators: TrustedSet::new(validator_set(validator)).expect("trusted"),
        epoch: 0,
        epochs: medledger_types::epoch::Epochs::NONE,
        checkpoint: None,
    };
    let proposal = Proposal {
        epoch: 0,
        view: header.height,
        parent_view: header.height.saturating_sub(1),
        block: header.hash(),
    };
    let signature = validator.sign(&proposal.finalize_message(&anchor.namespace()));
    let certificate = Finalization {
        proposal,
        validator_count: 1,
        signers: vec![0],
        signatures: vec![signature.to_bytes()],
    };
    LightClient::new(anchor)
        .verify(
            &medledger_types::codec::Canonical::encode(&header),
            &certificate.encode(),
        )
        .expect("a certificate signed by the set's only validator verifies")
}
