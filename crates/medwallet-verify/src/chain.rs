//! Headers without their own certificate: Simplex may finalize a block only through a
//! descendant's certificate, and a client that wants an older header follows parent hashes down
//! from a header it has verified.

use medledger_types::block::{HEADER_LEN, Header};
use medledger_types::codec::Canonical;
use medledger_types::genesis::ValidatorSet;
use medledger_types::hash::Sha256Digest;

use crate::certificate::VerifiedHeader;
use crate::invalid::Invalid;

/// Verifies `ancestors` (encoded headers, newest first) as the chain below `verified`: each one's
/// hash is the previous one's parent and its height one less.
pub fn verify_ancestors(
    verified: &VerifiedHeader,
    ancestors: &[Vec<u8>],
) -> Result<Vec<VerifiedHeader>, Invalid> {
    let mut child = verified.header;
    let mut out = Vec::with_capacity(ancestors.len());
    for bytes in ancestors {
        let header = Header::decode(bytes, HEADER_LEN)
            .map_err(|e| Invalid::MalformedHeader(e.to_string()))?;
        if header.hash() != child.parent || header.height + 1 != child.height {
            return Err(Invalid::BrokenChain {
                height: header.height,
            });
        }
        out.push(VerifiedHeader::linked(header));
        child = header;
    }
    Ok(out)
}

/// When a verified header commits to a different next validator set, the client needs that
/// set; this checks a candidate against the commitment.
pub fn verify_validator_change(
    verified: &VerifiedHeader,
    candidate: &ValidatorSet,
) -> Result<(), Invalid> {
    if verified.header.next_validator_set == candidate.hash() {
        Ok(())
    } else {
        Err(Invalid::WrongValidatorChange)
    }
}

/// Whether a verified header announces a new validator set for its successors.
pub fn validator_set_changes(verified: &VerifiedHeader) -> Option<Sha256Digest> {
    (verified.header.next_validator_set != verified.header.validator_set)
        .then_some(verified.header.next_validator_set)
}

#[cfg(test)]
mod tests {
    use medledger_types::block::tx_root;
    use medledger_types::hash::{BlockHash, PublicKey, StateRoot};

    use super::*;

    fn header(set: Sha256Digest, next: Sha256Digest) -> VerifiedHeader {
        VerifiedHeader::linked(Header {
            height: 7,
            parent: BlockHash([1; 32]),
            timestamp_ms: 1_000,
            state_root: StateRoot([2; 32]),
            tx_root: tx_root(&[]),
            tx_count: 0,
            validator_set: set,
            next_validator_set: next,
        })
    }

    #[test]
    fn a_set_change_is_followed_only_to_the_set_the_header_commits_to() {
        let current = ValidatorSet::new(vec![PublicKey([3; 32])]).expect("set");
        let next = ValidatorSet::new(vec![PublicKey([1; 32]), PublicKey([2; 32])]).expect("set");
        let verified = header(current.hash(), next.hash());
        assert_eq!(validator_set_changes(&verified), Some(next.hash()));
        assert_eq!(verify_validator_change(&verified, &next), Ok(()));
        assert_eq!(
            verify_validator_change(&verified, &current),
            Err(Invalid::WrongValidatorChange)
        );
    }
}
