//! Key rotation: an account keeps its address while the key that signs for it changes. The
//! account's address is its first key's; a key taken in by `RotateKeys` is recorded under its
//! own address as signing for the account (`key-owner/`), and stays recorded after it too is
//! rotated out, so a retired key is refused for good and can never register again.

use std::collections::BTreeSet;

use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, PublicKey, ReceivingKey};
use medledger_types::state::{Account, RecordEntry, StateKey};
use medledger_types::tx::{RecordKey, rotation_consent_message};
use medwallet_crypto::{Namespace, Signature, VerifyingKey};

use super::{BlockContext, StateRead, TxScope, record_of, require_patient};
use crate::error::{StoreError, TxError};

/// The account `key` signs for: the one it was rotated into, else its own address. Pure
/// reading; whether the key still signs for it is [`account_signed_by`]'s question.
pub fn account_of_key<R: StateRead + ?Sized>(
    reader: &R,
    key: &PublicKey,
) -> Result<Address, StoreError> {
    let own = Address::of(key);
    match reader.get(&StateKey::key_owner(&own))? {
        None => Ok(own),
        Some(bytes) => owner(&bytes).ok_or_else(|| StoreError::Corrupt(NOT_AN_ADDRESS.into())),
    }
}

const NOT_AN_ADDRESS: &str = "key owner is not an address";

/// A `key-owner/` value: the account's address.
fn owner(bytes: &[u8]) -> Option<Address> {
    bytes.try_into().ok().map(Address)
}

/// The account a transaction by `key` acts for, refusing a key that account has rotated away
/// from ([`TxError::KeyRetired`]). A key of no account acts for its own (unregistered) address.
pub(super) fn account_signed_by<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    key: &PublicKey,
) -> Result<Address, TxError> {
    let own = Address::of(key);
    let account = match s.get(&StateKey::key_owner(&own))? {
        None => own,
        Some(bytes) => owner(&bytes).ok_or_else(|| TxError::State(NOT_AN_ADDRESS.into()))?,
    };
    match s.account(&account)? {
        Some(found) if found.signing != *key => Err(TxError::KeyRetired),
        _ => Ok(account),
    }
}

/// Whether `address` (a new account's, or a grantee's) is a key some account took in.
pub(super) fn is_rotated_in<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    address: &Address,
) -> Result<bool, TxError> {
    Ok(s.get(&StateKey::key_owner(address))?.is_some())
}

/// `RotateKeys`: the account's signing and receiving keys become the new ones, which consented.
pub(super) fn apply_rotate<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    account: Address,
    signing: &PublicKey,
    receiving: &ReceivingKey,
    consent: &[u8; 64],
) -> Result<(), TxError> {
    let mut entry: Account = s.account(&account)?.ok_or(TxError::NotAPatient)?;
    let new = Address::of(signing);
    // A key in use anywhere (this account's own first key included) cannot be taken in: it
    // would speak for two accounts, or bring a retired key back.
    if new == account || is_rotated_in(s, &new)? || s.account(&new)?.is_some() {
        return Err(TxError::KeyInUse);
    }
    let message = rotation_consent_message(&ctx.chain, &account, signing, receiving);
    let key = VerifyingKey::from_bytes(&signing.0).map_err(|_| TxError::NoRotationConsent)?;
    medwallet_crypto::verify(
        &key,
        Namespace::ROTATION,
        &message,
        &Signature::from_bytes(consent),
    )
    .map_err(|_| TxError::NoRotationConsent)?;
    entry.signing = *signing;
    entry.receiving = *receiving;
    s.put(StateKey::account(&account), entry.encode());
    s.put(StateKey::key_owner(&new), account.0.to_vec());
    super::recovery::on_rotate(s, ctx, &account)
}

/// `RewrapRecords`: the patient's own records' content keys, wrapped anew.
pub(super) fn apply_rewrap<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    patient: Address,
    keys: &[RecordKey],
) -> Result<(), TxError> {
    require_patient(s, &patient)?;
    if keys.is_empty() {
        return Err(TxError::OutOfRange("no keys to rewrap"));
    }
    let mut seen = BTreeSet::new();
    for key in keys {
        if !seen.insert(key.record) {
            return Err(TxError::DuplicateKey(key.record.to_hex()));
        }
        let mut entry: RecordEntry = record_of(s, &key.record, &patient)?;
        entry.wrapped_key = key.wrapped_key;
        s.put(StateKey::record(&key.record), entry.encode());
    }
    Ok(())
}
