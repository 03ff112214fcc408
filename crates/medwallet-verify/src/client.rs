//! The light client's state and the verdicts it acts on. `verify_*` functions only read;
//! [`LightClient::apply`] only mutates, and only with a header that was verified.

use std::collections::BTreeMap;

use medledger_types::block::{HEADER_LEN, Header};
use medledger_types::codec::Canonical;
use medledger_types::genesis::ValidatorSet;
use medledger_types::hash::BlockHash;

use crate::anchor::{TrustAnchor, TrustedSet};
use crate::certificate::{VerifiedHeader, verify_finalization};
use crate::chain::verify_validator_change;
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

/// A validator set the client learned by proof: the boundary header of the epoch before,
/// verified under that epoch's set, commits to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochChange {
    pub epoch: u64,
    pub validators: TrustedSet,
}

/// The light client: what it trusts, the sets it learned epoch by epoch, and the newest header
/// it has verified.
#[derive(Clone, Debug)]
pub struct LightClient {
    pub anchor: TrustAnchor,
    pub latest: Option<VerifiedHeader>,
    /// Sets learned after the anchor's epoch, by epoch.
    learned: BTreeMap<u64, TrustedSet>,
}

impl LightClient {
    pub fn new(anchor: TrustAnchor) -> Self {
        Self {
            anchor,
            latest: None,
            learned: BTreeMap::new(),
        }
    }

    /// The set that finalizes `epoch`, if the client knows it.
    pub fn validators_of(&self, epoch: u64) -> Option<&TrustedSet> {
        if epoch == self.anchor.epoch {
            Some(&self.anchor.validators)
        } else {
            self.learned.get(&epoch)
        }
    }

    /// The newest epoch whose set the client knows.
    pub fn known_epoch(&self) -> u64 {
        self.learned
            .keys()
            .next_back()
            .copied()
            .unwrap_or(self.anchor.epoch)
    }

    /// The next epoch whose set the client must learn (by [`LightClient::verify_epoch_change`])
    /// before it can verify `header_bytes`, or `None` if it can verify it now. Reads the height
    /// only; nothing about the header is trusted.
    pub fn epoch_needed(&self, header_bytes: &[u8]) -> Result<Option<u64>, Invalid> {
        let header = Header::decode(header_bytes, HEADER_LEN)
            .map_err(|e| Invalid::MalformedHeader(e.to_string()))?;
        let epoch = self.anchor.epochs.of(header.height);
        Ok((epoch > self.known_epoch()).then(|| self.known_epoch() + 1))
    }

    /// Verifies a header and its certificate against the set that finalizes its epoch. Within
    /// an epoch only the newest certificate is needed (skipping verification): a quorum of the
    /// same validators signed it, whatever came between.
    pub fn verify(&self, header: &[u8], certificate: &[u8]) -> Result<VerifiedHeader, Invalid> {
        let parsed = Header::decode(header, HEADER_LEN)
            .map_err(|e| Invalid::MalformedHeader(e.to_string()))?;
        let epoch = self.anchor.epochs.of(parsed.height);
        let validators = self
            .validators_of(epoch)
            .ok_or(Invalid::UnknownValidatorSet)?;
        let verified =
            verify_finalization(validators, &self.anchor.namespace(), header, certificate)?;
        if let Some(signed_in) = verified.certificate().map(|c| c.proposal.epoch)
            && signed_in != epoch
        {
            return Err(Invalid::WrongEpoch {
                height: parsed.height,
                got: signed_in,
                expected: epoch,
            });
        }
        if let Some((height, hash)) = self.anchor.checkpoint
            && (verified.header.height < height
                || (verified.header.height == height && verified.header.hash() != hash))
        {
            return Err(Invalid::Regression);
        }
        Ok(verified)
    }

    /// Verifies how epoch `e + 1` began: `boundary` is the last block of epoch `e` (which the
    /// client knows the set of), finalized by `certificate` under that set, and `next` is the
    /// set its header commits to. Only reads.
    pub fn verify_epoch_change(
        &self,
        boundary: &[u8],
        certificate: &[u8],
        next: ValidatorSet,
    ) -> Result<EpochChange, Invalid> {
        let verified = self.verify(boundary, certificate)?;
        let height = verified.header.height;
        if !self.anchor.epochs.change() || !self.anchor.epochs.is_boundary(height) {
            return Err(Invalid::NotABoundary { height });
        }
        verify_validator_change(&verified, &next)?;
        Ok(EpochChange {
            epoch: self.anchor.epochs.of(height) + 1,
            validators: TrustedSet::new(next)?,
        })
    }

    /// Trusts a set learned by [`LightClient::verify_epoch_change`]. Only mutates.
    pub fn apply_epoch_change(&mut self, change: EpochChange) {
        if change.epoch > self.anchor.epoch {
            self.learned.insert(change.epoch, change.validators);
        }
    }

    /// Every set learned since the anchor, oldest first (to hand to another client).
    pub fn learned(&self) -> impl Iterator<Item = EpochChange> + '_ {
        self.learned.iter().map(|(epoch, validators)| EpochChange {
            epoch: *epoch,
            validators: validators.clone(),
        })
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
    use medledger_types::block::tx_root;
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
