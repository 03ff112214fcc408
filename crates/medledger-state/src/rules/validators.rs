//! Governance of the validator set: [`TxBody::ChangeValidators`] edits the next epoch's set
//! (approved by two thirds of the running one), and the last block of an epoch makes that set
//! the running one. On a chain without epochs the set is genesis's, forever, and changes are
//! refused.
//!
//! [`TxBody::ChangeValidators`]: medledger_types::tx::TxBody::ChangeValidators

use std::collections::BTreeSet;

use medledger_types::codec::Canonical;
use medledger_types::hash::{PublicKey, Sha256Digest};
use medledger_types::state::{MAX_VALUE_LEN, StateKey, encode_u64};
use medledger_types::tx::Approval;
use medledger_types::validators::{ValidatorChange, Validators, validator_change_message};

use super::{BlockContext, Execution, StateRead, TxScope, verify_approval};
use crate::error::TxError;

/// `ChangeValidators` by `author` (the signing key).
pub(super) fn apply_change<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    author: &PublicKey,
    seq: u64,
    change: &ValidatorChange,
    approvals: &[Approval],
) -> Result<(), TxError> {
    if !ctx.epochs.change() {
        return Err(TxError::NoEpochs);
    }
    let expected = s.get_u64(&StateKey::governance_seq())?;
    if seq != expected {
        return Err(TxError::StaleGovernance { expected, got: seq });
    }
    if let Some(joining) = change.joining() {
        if &joining.key != author {
            return Err(TxError::JoiningKeyMustSign);
        }
        if joining.emergency.is_some() != ctx.emergency_access {
            return Err(TxError::OutOfRange(
                "a validator names an emergency key when, and only when, the chain offers emergency access",
            ));
        }
        if joining.address.is_empty() {
            return Err(TxError::OutOfRange(
                "a joining validator names the address its peers reach it at",
            ));
        }
    }
    let message = validator_change_message(&ctx.chain, seq, change);
    let approvers: BTreeSet<PublicKey> = approvals
        .iter()
        .filter(|a| ctx.validators.keys().contains(&a.validator))
        .filter(|a| verify_approval(&a.validator, &message, &a.signature))
        .map(|a| a.validator)
        .collect();
    let needed = medledger_types::certificate::quorum(ctx.validators.len());
    if approvers.len() < needed {
        return Err(TxError::NotEnoughApprovals {
            got: approvers.len(),
            needed,
        });
    }
    let next: Validators = s
        .get_value(&StateKey::validators_next())?
        .ok_or_else(|| TxError::State("a chain with epochs has no next validator set".into()))?;
    s.put(StateKey::validators_next(), next.changed(change)?.encode());
    s.put(StateKey::governance_seq(), encode_u64(seq + 1));
    Ok(())
}

/// The validator sets a block's header names: the one finalizing it, and the one finalizing
/// the next block (another only at an epoch's last block).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct HeaderSets {
    pub validator_set: Sha256Digest,
    pub next_validator_set: Sha256Digest,
}

/// The running epoch's set as of `state` (genesis's on a chain without epochs).
pub fn current_validators<R: StateRead>(
    state: &R,
    genesis: &medledger_types::genesis::Genesis,
) -> Result<Validators, TxError> {
    if !genesis.epochs.change() {
        return Ok(Validators::from_genesis(genesis));
    }
    read_set(state, &StateKey::validators_current())
}

/// The set that finalized `epoch` (genesis's on a chain without epochs), if that epoch began.
pub fn validators_of_epoch<R: StateRead>(
    state: &R,
    genesis: &medledger_types::genesis::Genesis,
    epoch: u64,
) -> Result<Option<Validators>, TxError> {
    if !genesis.epochs.change() {
        return Ok((epoch == 0).then(|| Validators::from_genesis(genesis)));
    }
    match state.get(&StateKey::validators_of_epoch(epoch))? {
        None => Ok(None),
        Some(bytes) => decode(&bytes).map(Some),
    }
}

/// What a chain with epochs writes at genesis: the first set is the running one, the next
/// one, and epoch 0's.
pub fn genesis_writes(genesis: &medledger_types::genesis::Genesis) -> Vec<(StateKey, Vec<u8>)> {
    if !genesis.epochs.change() {
        return Vec::new();
    }
    let set = Validators::from_genesis(genesis).encode();
    vec![
        (StateKey::validators_current(), set.clone()),
        (StateKey::validators_next(), set.clone()),
        (StateKey::validators_of_epoch(0), set),
    ]
}

fn read_set<R: StateRead>(state: &R, key: &StateKey) -> Result<Validators, TxError> {
    let bytes = state.get(key)?.ok_or_else(|| {
        TxError::State("a chain with epochs has no validator set in its state".into())
    })?;
    decode(&bytes)
}

fn decode(bytes: &[u8]) -> Result<Validators, TxError> {
    Validators::decode(bytes, MAX_VALUE_LEN)
        .map_err(|e| TxError::State(format!("corrupt validator set: {e}")))
}

impl<R: StateRead> Execution<'_, R> {
    /// Ends the block: at an epoch's last block, the next epoch's set (with every change
    /// approved so far) becomes the running one. Returns the sets its header names.
    pub fn end_block(&mut self) -> Result<HeaderSets, TxError> {
        let running = self.ctx.validators.hash();
        let epochs = self.ctx.epochs;
        if !epochs.change() || !epochs.is_boundary(self.ctx.height) {
            return Ok(HeaderSets {
                validator_set: running,
                next_validator_set: running,
            });
        }
        let next_bytes = self.get(&StateKey::validators_next())?.ok_or_else(|| {
            TxError::State("a chain with epochs has no next validator set".into())
        })?;
        let next = decode(&next_bytes)?;
        let epoch = epochs.of(self.ctx.height) + 1;
        self.put(StateKey::validators_current(), next_bytes.clone());
        self.put(StateKey::validators_of_epoch(epoch), next_bytes);
        Ok(HeaderSets {
            validator_set: running,
            next_validator_set: next.set().hash(),
        })
    }
}
