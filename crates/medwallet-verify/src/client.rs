//! The light client's state and the verdicts it acts on. `verify_*` functions only read;
//! [`LightClient::apply`] only mutates, and only with a header that was verified.

use medledger_types::hash::BlockHash;

use crate::anchor::TrustAnchor;
use crate::certificate::{VerifiedHeader, verify_finalization};
use crate::invalid::Invalid;

/// How current a verified header is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    Current,
    /// Older than the bound: true, but not "now" (a node replaying an old header as its latest
    /// is caught here).
    Stale {
        age_ms: u64,
    },
}

/// Whether `header` is within `max_age_ms` of `now_ms`.
pub fn freshness(header: &VerifiedHeader, now_ms: u64, max_age_ms: u64) -> Freshness {
    let age_ms = now_ms.saturating_sub(header.header.timestamp_ms);
    if age_ms <= max_age_ms {
        Freshness::Current
    } else {
        Freshness::Stale { age_ms }
    }
}

/// Two valid certificates for different blocks at one height: proof that validators
/// equivocated (more than a third of them, for both to reach quorum).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equivocation {
    pub height: u64,
    pub first: BlockHash,
    pub second: BlockHash,
}

/// Compares two verified headers.
pub fn detect_equivocation(a: &VerifiedHeader, b: &VerifiedHeader) -> Option<Equivocation> {
    (a.header.height == b.header.height && a.header.hash() != b.header.hash()).then(|| {
        Equivocation {
            height: a.header.height,
            first: a.header.hash(),
            second: b.header.hash(),
        }
    })
}

/// The light client: what it trusts and the newest header it has verified.
#[derive(Clone, Debug)]
pub struct LightClient {
    pub anchor: TrustAnchor,
    pub latest: Option<VerifiedHeader>,
}

impl LightClient {
    pub fn new(anchor: TrustAnchor) -> Self {
        Self {
            anchor,
            latest: None,
        }
    }

    /// Verifies a header and its certificate against the trusted validator set. With an
    /// unchanged set only the newest certificate is needed (skipping verification): a quorum
    /// of the same validators signed it, whatever came between.
    pub fn verify(&self, header: &[u8], certificate: &[u8]) -> Result<VerifiedHeader, Invalid> {
        let verified = verify_finalization(
            &self.anchor.validators,
            &self.anchor.namespace(),
            header,
            certificate,
        )?;
        if let Some((height, hash)) = self.anchor.checkpoint
            && (verified.header.height < height
                || (verified.header.height == height && verified.header.hash() != hash))
        {
            return Err(Invalid::Regression);
        }
        Ok(verified)
    }

    /// Adopts a verified header as the newest, if it is newer.
    pub fn apply(&mut self, verified: VerifiedHeader) -> Result<(), Invalid> {
        match &self.latest {
            Some(latest) if verified.header.height < latest.header.height => {
                Err(Invalid::Regression)
            }
            _ => {
                self.latest = Some(verified);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use medledger_types::block::{Header, tx_root};
    use medledger_types::hash::{Sha256Digest, StateRoot};

    use super::*;

    fn header(height: u64, root: u8) -> VerifiedHeader {
        VerifiedHeader::linked(Header {
            height,
            parent: BlockHash([1; 32]),
            timestamp_ms: 1_000,
            state_root: StateRoot([root; 32]),
            tx_root: tx_root(&[]),
            tx_count: 0,
            validator_set: Sha256Digest([3; 32]),
            next_validator_set: Sha256Digest([3; 32]),
        })
    }

    #[test]
    fn two_verified_blocks_at_one_height_are_equivocation() {
        let a = header(9, 1);
        let b = header(9, 2);
        let evidence = detect_equivocation(&a, &b).expect("evidence");
        assert_eq!(evidence.height, 9);
        assert_eq!(evidence.first, a.header().hash());
        assert_eq!(evidence.second, b.header().hash());
        assert_eq!(detect_equivocation(&a, &header(10, 2)), None);
        assert_eq!(detect_equivocation(&a, &a.clone()), None);
    }
}
