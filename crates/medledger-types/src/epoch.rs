//! Epochs: runs of consecutive heights finalized by one validator set. The length is fixed in
//! genesis, so every node (and every light client) places any height in its epoch before it
//! has seen the blocks between: epoch `e` is heights `e·len ..= (e+1)·len − 1`, the mapping
//! Commonware's `FixedEpocher` uses. A change to the validator set agreed during epoch `e`
//! takes effect from epoch `e + 1`; the last block of `e` (the boundary) commits to the new set.
//!
//! A chain whose genesis names no length has one epoch forever ([`Epochs::NONE`]): its
//! validator set never changes.

use crate::codec::CodecError;

/// Shortest epoch a genesis may set (a boundary block is re-proposed until it is final, so an
/// epoch needs room for a few blocks besides it).
pub const MIN_EPOCH_LENGTH: u64 = 3;

/// The chain's epoch length.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Epochs {
    length: u64,
}

impl Epochs {
    /// One epoch forever: the validator set never changes.
    pub const NONE: Epochs = Epochs { length: u64::MAX };

    /// Epochs of `length` heights (at least [`MIN_EPOCH_LENGTH`]; `u64::MAX` is [`Epochs::NONE`]).
    pub fn new(length: u64) -> Result<Self, CodecError> {
        if length < MIN_EPOCH_LENGTH {
            return Err(CodecError::Invalid("an epoch is at least 3 heights long"));
        }
        Ok(Self { length })
    }

    /// Heights per epoch.
    pub const fn length(&self) -> u64 {
        self.length
    }

    /// Whether the validator set can change (the chain has more than one epoch).
    pub const fn change(&self) -> bool {
        self.length != u64::MAX
    }

    /// The epoch `height` is in.
    pub const fn of(&self, height: u64) -> u64 {
        height / self.length
    }

    /// The first height of `epoch`.
    pub const fn first(&self, epoch: u64) -> Option<u64> {
        epoch.checked_mul(self.length)
    }

    /// The last height of `epoch` (its boundary block).
    pub const fn last(&self, epoch: u64) -> Option<u64> {
        match (epoch + 1).checked_mul(self.length) {
            Some(next) => Some(next - 1),
            None => None,
        }
    }

    /// Whether `height` is the last of its epoch: the block whose header names the next set.
    pub const fn is_boundary(&self, height: u64) -> bool {
        height % self.length == self.length - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_fall_in_contiguous_epochs_with_the_boundary_last() {
        let e = Epochs::new(10).expect("valid");
        assert_eq!((e.of(0), e.of(9), e.of(10), e.of(25)), (0, 0, 1, 2));
        assert_eq!((e.first(2), e.last(2)), (Some(20), Some(29)));
        assert!(e.is_boundary(9) && e.is_boundary(29));
        assert!(!e.is_boundary(0) && !e.is_boundary(10));
        assert_eq!(e.last(u64::MAX / 10), None);
        assert!(Epochs::new(2).is_err());
    }

    #[test]
    fn a_chain_without_epochs_never_reaches_a_boundary() {
        let e = Epochs::NONE;
        assert!(!e.change());
        assert_eq!(e.of(u64::MAX - 2), 0);
        assert!(!e.is_boundary(1_000_000_000));
        assert_eq!(e.last(1), None);
    }
}
