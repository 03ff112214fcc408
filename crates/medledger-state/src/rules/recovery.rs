//! Guardian recovery rules (see [`medledger_types::recovery`]). A patient names guardians; a
//! new device asks to recover the account; each guardian approves once; the threshold-th
//! approval starts the patient's delay, during which the account's current key may cancel;
//! after it, each approving guardian releases its share sealed to the device. Once the account
//! rotates (the device, holding the recovered keys, moves it to a new phrase) the recovery is
//! complete and the guardian set, whose shares are of the retired phrase, is gone.

use std::collections::BTreeSet;

use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, PublicKey, ReceivingKey};
use medledger_types::recovery::{
    Guardian, GuardianSet, MAX_RECOVERY_DELAY_MS, Recovery, RecoveryStatus, ReleasedShare,
};
use medledger_types::state::StateKey;

use super::{BlockContext, StateRead, TxScope, erasure, require_patient, rotation};
use crate::error::TxError;

fn guardian_set<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    account: &Address,
) -> Result<GuardianSet, TxError> {
    s.get_value(&StateKey::guardians(account))?
        .ok_or(TxError::NoGuardians)
}

/// The account's pending recovery to `device`.
fn pending<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    account: &Address,
    device: &PublicKey,
) -> Result<Recovery, TxError> {
    let recovery: Recovery = s
        .get_value(&StateKey::recovery(account))?
        .filter(|r: &Recovery| r.status == RecoveryStatus::Pending)
        .ok_or(TxError::NoPendingRecovery)?;
    if recovery.device != *device {
        return Err(TxError::WrongRecovery);
    }
    Ok(recovery)
}

fn is_pending<R: StateRead>(s: &TxScope<'_, '_, R>, account: &Address) -> Result<bool, TxError> {
    Ok(s.get_value::<Recovery>(&StateKey::recovery(account))?
        .is_some_and(|r| r.status == RecoveryStatus::Pending))
}

/// `SetGuardians`.
pub(super) fn apply_set<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    patient: Address,
    guardians: &[Guardian],
    threshold: u8,
    delay_ms: u64,
    sealed_note: &[u8],
) -> Result<(), TxError> {
    require_patient(s, &patient)?;
    // The guardians a pending recovery is approved by stay as they are until it ends.
    if is_pending(s, &patient)? {
        return Err(TxError::RecoveryPending);
    }
    if guardians.is_empty() {
        if threshold != 0 {
            return Err(TxError::OutOfRange("a threshold without guardians"));
        }
        s.delete(StateKey::guardians(&patient));
        return Ok(());
    }
    if threshold == 0 || usize::from(threshold) > guardians.len() {
        return Err(TxError::OutOfRange(
            "the threshold is not between 1 and the guardians",
        ));
    }
    if delay_ms < ctx.recovery_min_delay_ms {
        return Err(TxError::RecoveryDelayTooShort {
            min_ms: ctx.recovery_min_delay_ms,
        });
    }
    if delay_ms > MAX_RECOVERY_DELAY_MS {
        return Err(TxError::OutOfRange("a recovery delay longer than 30 days"));
    }
    let mut seen = BTreeSet::new();
    for guardian in guardians {
        let unknown = || TxError::UnknownGuardian(guardian.account.to_hex());
        if guardian.account == patient || !seen.insert(guardian.account) {
            return Err(unknown());
        }
        if s.account(&guardian.account)?.is_none() {
            return Err(unknown());
        }
        erasure::require_open(s, &guardian.account).map_err(|_| unknown())?;
        if guardian.sealed_share.is_empty() {
            return Err(TxError::OutOfRange("an empty share"));
        }
    }
    let set = GuardianSet {
        guardians: guardians.to_vec(),
        threshold,
        delay_ms,
        sealed_note: sealed_note.to_vec(),
        set_height: ctx.height,
    };
    s.put(StateKey::guardians(&patient), set.encode());
    for guardian in guardians {
        s.append(
            StateKey::guarding_count(&guardian.account),
            |i| StateKey::guarding(&guardian.account, i),
            patient.0.to_vec(),
        )?;
    }
    Ok(())
}

/// `StartRecovery`, by a device's fresh key.
pub(super) fn apply_start<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    device: &PublicKey,
    account: &Address,
    device_receiving: &ReceivingKey,
) -> Result<(), TxError> {
    guardian_set(s, account)?;
    if is_pending(s, account)? {
        return Err(TxError::RecoveryPending);
    }
    let own = Address::of(device);
    if s.account(&own)?.is_some() || rotation::is_rotated_in(s, &own)? {
        return Err(TxError::KeyInUse);
    }
    let recovery = Recovery {
        device: *device,
        device_receiving: *device_receiving,
        started_height: ctx.height,
        started_at_ms: ctx.timestamp_ms,
        approvals: Vec::new(),
        declines: Vec::new(),
        effective_at_ms: None,
        status: RecoveryStatus::Pending,
        released: Vec::new(),
    };
    s.put(StateKey::recovery(account), recovery.encode());
    Ok(())
}

/// `ApproveRecovery`, by a guardian.
pub(super) fn apply_approve<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    guardian: Address,
    account: &Address,
    device: &PublicKey,
) -> Result<(), TxError> {
    let set = guardian_set(s, account)?;
    let mut recovery = pending(s, account, device)?;
    let position = set.position(&guardian).ok_or(TxError::NotAGuardian)? as u8;
    if recovery.approvals.contains(&position) || recovery.declines.contains(&position) {
        return Err(TxError::AlreadyAnswered);
    }
    recovery.approvals.push(position);
    if recovery.approvals.len() == usize::from(set.threshold) {
        recovery.effective_at_ms = Some(ctx.timestamp_ms.saturating_add(set.delay_ms));
    }
    s.put(StateKey::recovery(account), recovery.encode());
    Ok(())
}

/// `DeclineRecovery`, by a guardian that will not approve. Declines that leave fewer
/// guardians than the threshold cancel the recovery, so a stranger's request cannot block the
/// patient's own for good.
pub(super) fn apply_decline<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    guardian: Address,
    account: &Address,
    device: &PublicKey,
) -> Result<(), TxError> {
    let set = guardian_set(s, account)?;
    let mut recovery = pending(s, account, device)?;
    let position = set.position(&guardian).ok_or(TxError::NotAGuardian)? as u8;
    if recovery.approvals.contains(&position) || recovery.declines.contains(&position) {
        return Err(TxError::AlreadyAnswered);
    }
    if recovery.effective_at_ms.is_some() {
        // The threshold approved: from here only the account's key cancels.
        return Err(TxError::AlreadyAnswered);
    }
    recovery.declines.push(position);
    let could_approve = set.guardians.len() - recovery.declines.len();
    if could_approve < usize::from(set.threshold) {
        recovery.status = RecoveryStatus::Cancelled {
            at_ms: ctx.timestamp_ms,
        };
    }
    s.put(StateKey::recovery(account), recovery.encode());
    Ok(())
}

/// `CancelRecovery`, by the account's current key.
pub(super) fn apply_cancel<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    author: Address,
    account: &Address,
) -> Result<(), TxError> {
    if author != *account {
        return Err(TxError::OutOfRange(
            "an account cancels only its own recovery",
        ));
    }
    let mut recovery: Recovery = s
        .get_value(&StateKey::recovery(account))?
        .filter(|r: &Recovery| r.status == RecoveryStatus::Pending)
        .ok_or(TxError::NoPendingRecovery)?;
    recovery.status = RecoveryStatus::Cancelled {
        at_ms: ctx.timestamp_ms,
    };
    s.put(StateKey::recovery(account), recovery.encode());
    Ok(())
}

/// `ReleaseShare`, by an approving guardian once the recovery took effect.
pub(super) fn apply_release<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    guardian: Address,
    account: &Address,
    device: &PublicKey,
    sealed: &[u8],
) -> Result<(), TxError> {
    let set = guardian_set(s, account)?;
    let mut recovery = pending(s, account, device)?;
    let position = set.position(&guardian).ok_or(TxError::NotAGuardian)? as u8;
    if !recovery.approvals.contains(&position) {
        return Err(TxError::NotApproved);
    }
    if !recovery.effective(ctx.timestamp_ms) {
        return Err(TxError::RecoveryNotEffective {
            effective_at_ms: recovery.effective_at_ms,
        });
    }
    if recovery.released.iter().any(|r| r.guardian == position) {
        return Err(TxError::AlreadyReleased);
    }
    if sealed.is_empty() {
        return Err(TxError::OutOfRange("an empty share"));
    }
    recovery.released.push(ReleasedShare {
        guardian: position,
        sealed: sealed.to_vec(),
    });
    s.put(StateKey::recovery(account), recovery.encode());
    Ok(())
}

/// What a rotation of `account` does to its recovery: one that took effect is complete (the
/// device moved the account to its new phrase), one still waiting is cancelled (the key's
/// holder moved it); the guardians' shares are of the retired phrase, so the set goes.
pub(super) fn on_rotate<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    account: &Address,
) -> Result<(), TxError> {
    if let Some(mut recovery) = s
        .get_value::<Recovery>(&StateKey::recovery(account))?
        .filter(|r| r.status == RecoveryStatus::Pending)
    {
        let at_ms = ctx.timestamp_ms;
        recovery.status = if recovery.effective(at_ms) {
            RecoveryStatus::Completed { at_ms }
        } else {
            RecoveryStatus::Cancelled { at_ms }
        };
        s.put(StateKey::recovery(account), recovery.encode());
    }
    if s.get(&StateKey::guardians(account))?.is_some() {
        s.delete(StateKey::guardians(account));
    }
    Ok(())
}
