//! Genesis: the chain's validators and founding clinics. Its hash is the chain id, which every
//! transaction and the consensus namespace carry, so nothing signed for one chain is valid on
//! another.

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::epoch::Epochs;
use crate::hash::{ChainId, PublicKey, ReceivingKey, Sha256Digest, tagged_hash};
use crate::tx::NAME_MAX;

/// A validator set: distinct ed25519 keys in ascending byte order (the order Simplex indexes
/// signers by).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ValidatorSet(Vec<PublicKey>);

impl ValidatorSet {
    /// Sorts and checks for duplicates.
    pub fn new(mut keys: Vec<PublicKey>) -> Result<Self, CodecError> {
        keys.sort();
        if keys.is_empty() {
            return Err(CodecError::Invalid("empty validator set"));
        }
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err(CodecError::Invalid("duplicate validator"));
        }
        if keys.len() > crate::certificate::MAX_VALIDATORS {
            return Err(CodecError::TooLong {
                field: "validators",
                len: keys.len() as u64,
                max: crate::certificate::MAX_VALIDATORS,
            });
        }
        Ok(Self(keys))
    }

    /// The keys, ascending.
    pub fn keys(&self) -> &[PublicKey] {
        &self.0
    }

    /// Number of validators.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true for a constructed set; present for API symmetry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The set's hash, as headers carry it.
    pub fn hash(&self) -> Sha256Digest {
        let mut w = Writer::new();
        w.list(&self.0, |w, k| w.fixed(&k.0));
        Sha256Digest(tagged_hash("medledger/validator-set/v1", &[&w.finish()]))
    }
}

/// A clinic registered at genesis.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GenesisClinic {
    pub signing: PublicKey,
    pub receiving: ReceivingKey,
    pub name: String,
}

/// The chain's first state.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Genesis {
    pub chain_name: String,
    pub timestamp_ms: u64,
    pub validators: ValidatorSet,
    pub clinics: Vec<GenesisClinic>,
    /// The shortest delay a patient may give a guardian recovery (a test network shortens
    /// it here, in its genesis, never by a switch in the software).
    pub recovery_min_delay_ms: u64,
    /// Each validator's X25519 key for emergency access, in the validator set's order (empty:
    /// the chain offers no emergency access). A node derives its key from its node key.
    pub emergency_keys: Vec<ReceivingKey>,
    /// How long each validator set runs ([`Epochs::NONE`]: one set forever). Encoded last and
    /// only when set, so a chain made before epochs keeps its chain id.
    pub epochs: Epochs,
}

impl Genesis {
    /// The chain id.
    pub fn chain_id(&self) -> ChainId {
        ChainId(tagged_hash("medledger/genesis/v1", &[&self.encode()]))
    }
}

impl Canonical for Genesis {
    fn write(&self, w: &mut Writer) {
        w.str(&self.chain_name);
        w.u64(self.timestamp_ms);
        w.list(self.validators.keys(), |w, k| w.fixed(&k.0));
        w.list(&self.clinics, |w, c| {
            w.fixed(&c.signing.0);
            w.fixed(&c.receiving.0);
            w.str(&c.name);
        });
        w.u64(self.recovery_min_delay_ms);
        w.list(&self.emergency_keys, |w, k| w.fixed(&k.0));
        if self.epochs.change() {
            w.u64(self.epochs.length());
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let chain_name = r.string("chain name", NAME_MAX)?;
        let timestamp_ms = r.u64("genesis time")?;
        let keys = r.list("validators", crate::certificate::MAX_VALIDATORS, |r| {
            r.array("validator").map(PublicKey)
        })?;
        let validators = ValidatorSet::new(keys.clone())?;
        if validators.keys() != keys.as_slice() {
            return Err(CodecError::Invalid("validators not in ascending order"));
        }
        let clinics = r.list("clinics", 1024, |r| {
            Ok(GenesisClinic {
                signing: PublicKey(r.array("clinic key")?),
                receiving: ReceivingKey(r.array("clinic receiving key")?),
                name: r.string("clinic name", NAME_MAX)?,
            })
        })?;
        let recovery_min_delay_ms = r.u64("recovery minimum delay")?;
        if recovery_min_delay_ms > crate::recovery::MAX_RECOVERY_DELAY_MS {
            return Err(CodecError::Invalid(
                "the recovery minimum delay is longer than any delay a patient may set",
            ));
        }
        let emergency_keys = r.list("emergency keys", crate::certificate::MAX_VALIDATORS, |r| {
            r.array("emergency key").map(ReceivingKey)
        })?;
        if !emergency_keys.is_empty() && emergency_keys.len() != validators.len() {
            return Err(CodecError::Invalid(
                "the emergency keys are not one per validator",
            ));
        }
        let epochs = if r.remaining() == 0 {
            Epochs::NONE
        } else {
            let epochs = Epochs::new(r.u64("epoch length")?)?;
            if !epochs.change() {
                // One epoch forever is written by omission; two encodings would be two chain ids.
                return Err(CodecError::Invalid(
                    "an epoch length of u64::MAX is written as none",
                ));
            }
            epochs
        };
        Ok(Genesis {
            chain_name,
            timestamp_ms,
            validators,
            clinics,
            recovery_min_delay_ms,
            emergency_keys,
            epochs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_sets_are_sorted_and_duplicate_free() {
        let set = ValidatorSet::new(vec![
            PublicKey([3; 32]),
            PublicKey([1; 32]),
            PublicKey([2; 32]),
        ])
        .expect("valid");
        assert_eq!(
            set.keys(),
            &[PublicKey([1; 32]), PublicKey([2; 32]), PublicKey([3; 32])]
        );
        assert!(ValidatorSet::new(vec![PublicKey([1; 32]), PublicKey([1; 32])]).is_err());
        assert!(ValidatorSet::new(vec![]).is_err());
        let other = ValidatorSet::new(vec![PublicKey([1; 32]), PublicKey([2; 32])]).expect("valid");
        assert_ne!(set.hash(), other.hash());
    }

    #[test]
    fn genesis_round_trips_and_its_hash_is_the_chain_id() {
        let g = Genesis {
            chain_name: "devnet".into(),
            timestamp_ms: 1,
            validators: ValidatorSet::new(vec![PublicKey([1; 32]), PublicKey([2; 32])])
                .expect("valid"),
            clinics: vec![GenesisClinic {
                signing: PublicKey([5; 32]),
                receiving: ReceivingKey([6; 32]),
                name: "Clinic".into(),
            }],
            recovery_min_delay_ms: 24 * 3600 * 1000,
            emergency_keys: vec![ReceivingKey([7; 32]), ReceivingKey([8; 32])],
            epochs: Epochs::NONE,
        };
        let back = Genesis::decode(&g.encode(), 1 << 20).expect("decode");
        assert_eq!(back, g);
        // Epochs are written only when set: a chain from before them keeps its id.
        let mut with_epochs = g.clone();
        with_epochs.epochs = Epochs::new(100).expect("valid");
        assert_eq!(
            &with_epochs.encode()[..g.encode().len()],
            g.encode().as_slice()
        );
        assert_eq!(
            Genesis::decode(&with_epochs.encode(), 1 << 20).expect("decode"),
            with_epochs
        );
        assert_ne!(with_epochs.chain_id(), g.chain_id());
        let mut explicit_none = g.encode();
        explicit_none.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(
            Genesis::decode(&explicit_none, 1 << 20).is_err(),
            "one encoding per genesis"
        );
        let mut other = g.clone();
        other.chain_name = "devnet-2".into();
        assert_ne!(g.chain_id(), other.chain_id());
        let mut lopsided = g.clone();
        lopsided.emergency_keys.pop();
        assert!(
            Genesis::decode(&lopsided.encode(), 1 << 20).is_err(),
            "emergency keys are one per validator or none"
        );
    }
}
