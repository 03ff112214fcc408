//! The validators as the ledger's state holds them, and the governance changes to them.
//!
//! The state keeps three things (keys below): the set finalizing the running epoch, the set
//! that will finalize the next one (every approved change edits it at once), and every epoch's
//! set since genesis (emergency shares, sealed to the set of their time, are released by it).
//! A change names the governance counter it was approved at, so an approval is good for one
//! change only: a removed key cannot be brought back with the approvals that once added it.
//!
//! | key | value |
//! | --- | --- |
//! | `validators/current` | [`Validators`]: the running epoch's set |
//! | `validators/next` | [`Validators`]: the next epoch's set, as changed so far |
//! | `validators/epoch/` ‖ epoch (u64 BE) | [`Validators`]: the set that finalized that epoch |
//! | `governance/seq` | u64: changes approved so far |

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::genesis::{Genesis, ValidatorSet};
use crate::hash::{ChainId, PublicKey, ReceivingKey};
use crate::state::{StateKey, key};

/// Longest network address a validator publishes ("host:port"), in bytes.
pub const ADDRESS_MAX: usize = 255;

/// One validator: its consensus key (also its node's network identity), its emergency key
/// when the chain offers emergency access, and where its peers reach it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Validator {
    pub key: PublicKey,
    pub emergency: Option<ReceivingKey>,
    /// "host:port" of its peer-to-peer listener; empty for a genesis validator, whose peers
    /// know it from their configuration.
    pub address: String,
}

impl Canonical for Validator {
    fn write(&self, w: &mut Writer) {
        self.key.write(w);
        w.option(self.emergency.as_ref(), |w, k| k.write(w));
        w.str(&self.address);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Validator {
            key: PublicKey::read(r)?,
            emergency: r.option("emergency key", ReceivingKey::read)?,
            address: r.string("validator address", ADDRESS_MAX)?,
        })
    }
}

/// A validator set with what the state knows of each member, in key order (the order of
/// [`ValidatorSet`], which Simplex indexes signers by).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Validators(Vec<Validator>);

impl Validators {
    /// Sorts by key; refuses an empty set, a key twice, or more than the certificate format holds.
    pub fn new(mut members: Vec<Validator>) -> Result<Self, CodecError> {
        members.sort_by_key(|v| v.key);
        ValidatorSet::new(members.iter().map(|v| v.key).collect())?;
        Ok(Self(members))
    }

    /// The genesis validators (no addresses: their peers have them in their configuration).
    pub fn from_genesis(genesis: &Genesis) -> Self {
        let keys = genesis.validators.keys();
        Self(
            keys.iter()
                .enumerate()
                .map(|(i, key)| Validator {
                    key: *key,
                    emergency: genesis.emergency_keys.get(i).copied(),
                    address: String::new(),
                })
                .collect(),
        )
    }

    /// The members, in key order.
    pub fn members(&self) -> &[Validator] {
        &self.0
    }

    /// The keys, as headers and certificates name the set.
    pub fn set(&self) -> ValidatorSet {
        // Sorted, distinct and bounded by construction.
        ValidatorSet::new(self.0.iter().map(|v| v.key).collect())
            .unwrap_or_else(|_| unreachable!("a Validators is a valid set"))
    }

    /// The member with `key`.
    pub fn get(&self, key: &PublicKey) -> Option<&Validator> {
        self.0.iter().find(|v| &v.key == key)
    }

    /// `key`'s position in the set's order.
    pub fn position(&self, key: &PublicKey) -> Option<usize> {
        self.0.iter().position(|v| &v.key == key)
    }

    /// The set after `change`, or why it cannot be made.
    pub fn changed(&self, change: &ValidatorChange) -> Result<Validators, ChangeRefused> {
        let mut members = self.0.clone();
        match change {
            ValidatorChange::Add(new) => {
                if self.get(&new.key).is_some() {
                    return Err(ChangeRefused::AlreadyAValidator);
                }
                members.push(new.clone());
            }
            ValidatorChange::Remove(key) => {
                let at = self.position(key).ok_or(ChangeRefused::NotAValidator)?;
                if members.len() == 1 {
                    return Err(ChangeRefused::LastValidator);
                }
                members.remove(at);
            }
            ValidatorChange::Replace { old, new } => {
                let at = self.position(old).ok_or(ChangeRefused::NotAValidator)?;
                if self.get(&new.key).is_some() {
                    return Err(ChangeRefused::AlreadyAValidator);
                }
                members[at] = new.clone();
            }
        }
        Validators::new(members).map_err(|_| ChangeRefused::TooMany)
    }
}

impl Canonical for Validators {
    fn write(&self, w: &mut Writer) {
        w.list(&self.0, |w, v| v.write(w));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let members = r.list(
            "validators",
            crate::certificate::MAX_VALIDATORS,
            Validator::read,
        )?;
        let set = Validators::new(members.clone())?;
        if set.0 != members {
            return Err(CodecError::Invalid("validators not in key order"));
        }
        Ok(set)
    }
}

/// Why a change does not apply to a set.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ChangeRefused {
    #[error("the key is already a validator's")]
    AlreadyAValidator,
    #[error("the key is not a validator's")]
    NotAValidator,
    #[error("the last validator cannot be removed")]
    LastValidator,
    #[error("the set would exceed the most validators a certificate can name")]
    TooMany,
}

/// A change to the validator set, taking effect at the next epoch.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ValidatorChange {
    /// A new validator joins (a clinic's node, say).
    Add(Validator),
    /// A validator leaves.
    Remove(PublicKey),
    /// A validator's key is replaced (a leaked key, a moved node): `new` takes `old`'s place.
    Replace { old: PublicKey, new: Validator },
}

impl ValidatorChange {
    /// The key that joins the set, if any (it must sign the transaction itself).
    pub fn joining(&self) -> Option<&Validator> {
        match self {
            ValidatorChange::Add(v) | ValidatorChange::Replace { new: v, .. } => Some(v),
            ValidatorChange::Remove(_) => None,
        }
    }
}

impl Canonical for ValidatorChange {
    fn write(&self, w: &mut Writer) {
        match self {
            ValidatorChange::Add(v) => {
                w.u8(1);
                v.write(w);
            }
            ValidatorChange::Remove(key) => {
                w.u8(2);
                key.write(w);
            }
            ValidatorChange::Replace { old, new } => {
                w.u8(3);
                old.write(w);
                new.write(w);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        match r.u8("validator change")? {
            1 => Ok(ValidatorChange::Add(Validator::read(r)?)),
            2 => Ok(ValidatorChange::Remove(PublicKey::read(r)?)),
            3 => Ok(ValidatorChange::Replace {
                old: PublicKey::read(r)?,
                new: Validator::read(r)?,
            }),
            tag => Err(CodecError::UnknownTag {
                field: "validator change",
                tag,
            }),
        }
    }
}

/// The message validators sign (namespace `medwallet/governance/v1`) to approve `change` as
/// the chain's governance change number `seq`.
pub fn validator_change_message(chain: &ChainId, seq: u64, change: &ValidatorChange) -> Vec<u8> {
    let mut w = Writer::new();
    w.str("validator-change");
    chain.write(&mut w);
    w.u64(seq);
    change.write(&mut w);
    w.finish()
}

impl StateKey {
    /// The running epoch's validators.
    pub fn validators_current() -> Self {
        key("validators/current", &[])
    }
    /// The next epoch's validators, as changed so far.
    pub fn validators_next() -> Self {
        key("validators/next", &[])
    }
    /// The validators that finalized `epoch`.
    pub fn validators_of_epoch(epoch: u64) -> Self {
        key("validators/epoch/", &[&epoch.to_be_bytes()])
    }
    /// Governance changes approved so far.
    pub fn governance_seq() -> Self {
        key("governance/seq", &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator(byte: u8) -> Validator {
        Validator {
            key: PublicKey([byte; 32]),
            emergency: Some(ReceivingKey([byte; 32])),
            address: format!("10.0.0.{byte}:9000"),
        }
    }

    #[test]
    fn sets_keep_key_order_and_round_trip() {
        let set = Validators::new(vec![validator(3), validator(1), validator(2)]).expect("valid");
        let keys: Vec<u8> = set.members().iter().map(|v| v.key.0[0]).collect();
        assert_eq!(keys, [1, 2, 3]);
        assert_eq!(
            Validators::decode(&set.encode(), 1 << 16).expect("decode"),
            set
        );
        assert_eq!(set.set().keys().len(), 3);
        // Out of order on the wire is not canonical.
        let mut w = Writer::new();
        w.list(&[validator(2), validator(1)], |w, v| v.write(w));
        assert!(Validators::decode(&w.finish(), 1 << 16).is_err());
        assert!(Validators::new(vec![validator(1), validator(1)]).is_err());
    }

    #[test]
    fn changes_add_remove_and_replace_but_never_empty_the_set() {
        let set = Validators::new(vec![validator(1), validator(2)]).expect("valid");
        let added = set
            .changed(&ValidatorChange::Add(validator(3)))
            .expect("add");
        assert_eq!(added.members().len(), 3);
        assert_eq!(
            set.changed(&ValidatorChange::Add(validator(2))),
            Err(ChangeRefused::AlreadyAValidator)
        );
        let removed = added
            .changed(&ValidatorChange::Remove(PublicKey([1; 32])))
            .expect("remove");
        assert!(removed.get(&PublicKey([1; 32])).is_none());
        assert_eq!(
            removed.changed(&ValidatorChange::Remove(PublicKey([9; 32]))),
            Err(ChangeRefused::NotAValidator)
        );
        let one = Validators::new(vec![validator(1)]).expect("valid");
        assert_eq!(
            one.changed(&ValidatorChange::Remove(PublicKey([1; 32]))),
            Err(ChangeRefused::LastValidator)
        );
        let replaced = set
            .changed(&ValidatorChange::Replace {
                old: PublicKey([1; 32]),
                new: validator(9),
            })
            .expect("replace");
        let keys: Vec<u8> = replaced.members().iter().map(|v| v.key.0[0]).collect();
        assert_eq!(keys, [2, 9], "the new key takes its place in key order");
    }

    #[test]
    fn an_approval_names_the_chain_the_counter_and_the_change() {
        let chain = ChainId([5; 32]);
        let add = ValidatorChange::Add(validator(3));
        let m = validator_change_message(&chain, 7, &add);
        assert_ne!(m, validator_change_message(&chain, 8, &add));
        assert_ne!(m, validator_change_message(&ChainId([6; 32]), 7, &add));
        assert_ne!(
            m,
            validator_change_message(&chain, 7, &ValidatorChange::Remove(PublicKey([3; 32])))
        );
        for change in [
            add,
            ValidatorChange::Remove(PublicKey([3; 32])),
            ValidatorChange::Replace {
                old: PublicKey([1; 32]),
                new: validator(4),
            },
        ] {
            assert_eq!(
                ValidatorChange::decode(&change.encode(), 1024).expect("decode"),
                change
            );
        }
    }
}
