//! Emergency access rules (see [`medledger_types::emergency`]). A patient's account sets its
//! emergency set, one share per validator; a registered clinician asks for it; each
//! validator's node releases its share to that clinician once, within the access window. The
//! shares are the set's of the time the patient made it: after a validator-set change, the
//! validators of that time release them (a wallet seals a new set to the new validators).

use medledger_types::codec::Canonical;
use medledger_types::emergency::{
    EMERGENCY_SET_MAX_LEN, EmergencyRequest, EmergencyRequestId, EmergencySet, EmergencyShareSlot,
    ReleasedEmergencyShare, emergency_set_id, emergency_threshold,
};
use medledger_types::hash::{Address, PublicKey, ReceivingKey, Sha256Digest};
use medledger_types::state::{Account, AccountKind, StateKey};
use medledger_types::tx::WrappedKey;
use medledger_types::validators::{Validator, Validators};

use super::{BlockContext, StateRead, TxScope, erasure, require_patient};
use crate::error::TxError;

fn set_of<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    account: &Address,
) -> Result<Option<EmergencySet>, TxError> {
    s.get_value(&StateKey::emergency(account))
}

/// The validators an emergency set's shares were sealed to, in share order: the set running
/// when the patient made it (the running set on a chain without epochs).
fn sealed_for<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    request: &EmergencyRequest,
) -> Result<Validators, TxError> {
    let made_at = set_of(s, &request.patient)?
        .filter(|set| set.id == request.set)
        .map(|set| set.set_height);
    match made_at {
        Some(height) if ctx.epochs.change() => s
            .get_value(&StateKey::validators_of_epoch(ctx.epochs.of(height)))?
            .ok_or_else(|| TxError::State("no validator set for an emergency set's epoch".into())),
        _ => Validators::new(
            ctx.validators
                .keys()
                .iter()
                .map(|key| Validator {
                    key: *key,
                    emergency: None,
                    address: String::new(),
                })
                .collect(),
        )
        .map_err(|e| TxError::State(e.to_string())),
    }
}

/// Removes an account's set (a new one replaces it, an empty one or a closed account ends it).
pub(super) fn remove_set<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    account: &Address,
) -> Result<(), TxError> {
    if let Some(old) = set_of(s, account)? {
        s.delete(StateKey::emergency_set(&old.id));
        s.delete(StateKey::emergency(account));
    }
    Ok(())
}

/// `SetEmergency`, by a patient's account; `signer` and `nonce` name the set.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply_set<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    patient: Address,
    signer: &Address,
    nonce: u64,
    ciphertext_sha256: &Sha256Digest,
    ciphertext_len: u64,
    shares: &[EmergencyShareSlot],
    own_key: &WrappedKey,
    watch: Option<&ReceivingKey>,
) -> Result<(), TxError> {
    require_patient(s, &patient)?;
    if shares.is_empty() && ciphertext_len == 0 {
        return remove_set(s, &patient);
    }
    if !ctx.emergency_access {
        return Err(TxError::NoEmergencyAccess);
    }
    if shares.len() != ctx.validators.len() {
        return Err(TxError::OutOfRange(
            "an emergency set has one share per validator",
        ));
    }
    if ciphertext_len == 0 || ciphertext_len > EMERGENCY_SET_MAX_LEN {
        return Err(TxError::OutOfRange("an emergency set's length"));
    }
    if shares.iter().any(|slot| slot.sealed.is_empty()) {
        return Err(TxError::OutOfRange("an empty share"));
    }
    if let Some(watch) = watch {
        // The first account to name a watch key keeps it: another naming it would point the
        // patient's guardians at its own requests (or hide the patient's).
        match s.get(&StateKey::emergency_watch(watch))? {
            Some(owner) if owner.as_slice() != patient.0.as_slice() => {
                return Err(TxError::WatchKeyTaken);
            }
            Some(_) => {}
            None => s.put(StateKey::emergency_watch(watch), patient.0.to_vec()),
        }
    }
    remove_set(s, &patient)?;
    let id = emergency_set_id(signer, nonce);
    let set = EmergencySet {
        id,
        ciphertext_sha256: *ciphertext_sha256,
        ciphertext_len,
        threshold: emergency_threshold(ctx.validators.len()),
        shares: shares.to_vec(),
        own_key: *own_key,
        watch: watch.copied(),
        set_height: ctx.height,
        set_at_ms: ctx.timestamp_ms,
    };
    s.put(StateKey::emergency(&patient), set.encode());
    s.put(StateKey::emergency_set(&id), patient.0.to_vec());
    Ok(())
}

/// `EmergencyRequest`, by a registered clinician; `signer` and `nonce` name the request.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply_request<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    clinician: Address,
    signer: &Address,
    nonce: u64,
    patient: &Address,
    reason: &[u8],
) -> Result<(), TxError> {
    let clinic = match s.account(&clinician)? {
        Some(Account {
            kind: AccountKind::Doctor { clinic, .. },
            ..
        }) => clinic,
        _ => return Err(TxError::NotAClinician),
    };
    match s.account(patient)? {
        Some(Account {
            kind: AccountKind::Patient,
            ..
        }) => erasure::require_open(s, patient)?,
        _ => return Err(TxError::UnknownPatient(patient.to_hex())),
    }
    let set = set_of(s, patient)?.ok_or(TxError::NoEmergencySet)?;
    if reason.is_empty() {
        return Err(TxError::OutOfRange("an emergency request gives a reason"));
    }
    let id = EmergencyRequestId::derive(signer, nonce);
    let request = EmergencyRequest {
        patient: *patient,
        clinician,
        clinic,
        set: set.id,
        threshold: set.threshold,
        reason: reason.to_vec(),
        height: ctx.height,
        at_ms: ctx.timestamp_ms,
        released: Vec::new(),
    };
    s.put(StateKey::emergency_request(&id), request.encode());
    s.append(
        StateKey::emergency_requests_count(patient),
        |i| StateKey::emergency_requests(patient, i),
        id.0.to_vec(),
    )?;
    s.put(
        StateKey::emergency_access(patient, &clinician),
        id.0.to_vec(),
    );
    Ok(())
}

/// `EmergencyShare`, by a validator's node, once per validator and request, within the window.
pub(super) fn apply_share<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    node_key: &PublicKey,
    request_id: &EmergencyRequestId,
    sealed: &[u8],
) -> Result<(), TxError> {
    let mut request: EmergencyRequest = s
        .get_value(&StateKey::emergency_request(request_id))?
        .ok_or(TxError::UnknownEmergencyRequest)?;
    let position = sealed_for(s, ctx, &request)?
        .position(node_key)
        .ok_or(TxError::NotAValidator)? as u8;
    if !request.open_at(ctx.timestamp_ms) {
        return Err(TxError::EmergencyWindowClosed {
            ended_at_ms: request.ends_at_ms(),
        });
    }
    if request.released.iter().any(|r| r.validator == position) {
        return Err(TxError::AlreadyReleased);
    }
    if sealed.is_empty() {
        return Err(TxError::OutOfRange("an empty share"));
    }
    request.released.push(ReleasedEmergencyShare {
        validator: position,
        sealed: sealed.to_vec(),
    });
    s.put(StateKey::emergency_request(request_id), request.encode());
    Ok(())
}
