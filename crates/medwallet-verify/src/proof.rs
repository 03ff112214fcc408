//! State values against a verified header's state root (Jellyfish Merkle Tree, SHA-256): an
//! inclusion proof for a present key, an exclusion proof for an absent one. A node that claims a
//! key is absent (a revocation, say) must prove it.

use jmt::proof::SparseMerkleProof;
use jmt::{KeyHash, RootHash};
use jmt_sha2::{Digest, Sha256};
use medledger_types::hash::StateRoot;
use medledger_types::state::StateKey;

use crate::certificate::VerifiedHeader;
use crate::invalid::Invalid;

pub use medledger_types::state::MAX_PROOF_LEN;

/// Checks that `key` has `value` (`None`: is absent) in the state `header` commits to.
pub fn verify_value(
    header: &VerifiedHeader,
    key: &StateKey,
    value: Option<&[u8]>,
    proof: &[u8],
) -> Result<(), Invalid> {
    verify_value_at_root(&header.header().state_root, key, value, proof)
}

/// [`verify_value`] against a bare state root (a verdict only: whether the root itself is
/// trustworthy is the caller's to know, which is why wallets use [`verify_value`]).
pub fn verify_value_at_root(
    root: &StateRoot,
    key: &StateKey,
    value: Option<&[u8]>,
    proof: &[u8],
) -> Result<(), Invalid> {
    if proof.len() > MAX_PROOF_LEN {
        return Err(Invalid::MalformedProof(format!("{} bytes", proof.len())));
    }
    let proof: SparseMerkleProof<Sha256> =
        borsh::from_slice(proof).map_err(|e| Invalid::MalformedProof(e.to_string()))?;
    let key_hash = KeyHash(Sha256::digest(&key.0).into());
    proof
        .verify(RootHash(root.0), key_hash, value)
        .map_err(|_| Invalid::BadProof)
}
