//! What the light client trusts before it has seen anything from a node: the chain id and the
//! validator set, from the genesis file or from a checkpoint the user supplies.

use ed25519_dalek::VerifyingKey;
use medledger_types::certificate::consensus_namespace;
use medledger_types::epoch::Epochs;
use medledger_types::genesis::{Genesis, ValidatorSet};
use medledger_types::hash::{BlockHash, ChainId, Sha256Digest};

use crate::invalid::Invalid;

/// A validator set prepared for verification: keys decompressed and the set's hash computed
/// once, not per certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedSet {
    set: ValidatorSet,
    hash: Sha256Digest,
    keys: Vec<VerifyingKey>,
}

impl TrustedSet {
    /// Prepares a set; fails if a key is not a valid ed25519 point.
    pub fn new(set: ValidatorSet) -> Result<Self, Invalid> {
        let keys = set
            .keys()
            .iter()
            .map(|k| VerifyingKey::from_bytes(&k.0).map_err(|_| Invalid::UnknownValidatorSet))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            hash: set.hash(),
            set,
            keys,
        })
    }

    /// The set.
    pub fn set(&self) -> &ValidatorSet {
        &self.set
    }

    /// Its hash (as headers commit to it).
    pub fn hash(&self) -> Sha256Digest {
        self.hash
    }

    /// Decompressed keys, in the set's (ascending) order.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }
}

/// The root of trust.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustAnchor {
    pub chain: ChainId,
    /// The validators that finalize the blocks of epoch [`TrustAnchor::epoch`].
    pub validators: TrustedSet,
    /// The epoch whose set this is (0: genesis's).
    pub epoch: u64,
    /// The chain's epochs (from its genesis): which set finalizes which height.
    pub epochs: Epochs,
    /// A block the user vouches for (a checkpoint); headers must not be older.
    pub checkpoint: Option<(u64, BlockHash)>,
}

impl TrustAnchor {
    /// Trust as the genesis file defines it.
    pub fn from_genesis(genesis: &Genesis) -> Result<Self, Invalid> {
        Ok(Self {
            chain: genesis.chain_id(),
            validators: TrustedSet::new(genesis.validators.clone())?,
            epoch: 0,
            epochs: genesis.epochs,
            checkpoint: None,
        })
    }

    /// Simplex's signing namespace for this chain.
    pub fn namespace(&self) -> Vec<u8> {
        consensus_namespace(&self.chain)
    }
}
