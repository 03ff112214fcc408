//! Erasure rules. A patient erases records of their own account: the entry that opens a record
//! (its key wrapped to the patient, its sealed metadata) leaves the state with every grant's key
//! for it, and an [`ErasedRecord`] keeps what proves the record existed. Each validator's node
//! then deletes the ciphertext and says so in an [`ErasureReceipt`](TxBody::ErasureReceipt).
//! An account whose records are all erased can be closed for good.

use std::collections::BTreeSet;

use medledger_types::codec::Canonical;
use medledger_types::erasure::{ErasedRecord, ErasureReceipt};
use medledger_types::hash::{Address, GrantId, PublicKey, RecordId};
use medledger_types::state::{StateKey, encode_u64};

use super::{BlockContext, StateRead, TxScope, record_of, require_patient};
use crate::error::TxError;

/// The account is not closed.
pub(super) fn require_open<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    account: &Address,
) -> Result<(), TxError> {
    match s.get(&StateKey::closed(account))? {
        Some(_) => Err(TxError::AccountClosed),
        None => Ok(()),
    }
}

pub(super) fn apply_erase<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    patient: Address,
    records: &[RecordId],
) -> Result<(), TxError> {
    require_patient(s, &patient)?;
    if records.is_empty() {
        return Err(TxError::OutOfRange("no records to erase"));
    }
    let grants = s.get_u64(&StateKey::grant_by_patient_count(&patient))?;
    let mut grant_ids = Vec::with_capacity(grants as usize);
    for i in 0..grants {
        let bytes = s
            .get(&StateKey::grant_by_patient(&patient, i))?
            .ok_or_else(|| TxError::State("a grant index has a gap".into()))?;
        let id: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| TxError::State("a grant index holds no id".into()))?;
        grant_ids.push(GrantId(id));
    }
    let mut seen = BTreeSet::new();
    for id in records {
        if !seen.insert(*id) {
            return Err(TxError::DuplicateKey(id.to_hex()));
        }
        if s.get(&StateKey::erased(id))?.is_some() {
            return Err(TxError::AlreadyErased(id.to_hex()));
        }
        let entry = record_of(s, id, &patient)?;
        for grant in &grant_ids {
            let key = StateKey::grant_key(grant, id);
            if s.get(&key)?.is_some() {
                s.delete(key);
            }
        }
        s.delete(StateKey::record(id));
        let erased = ErasedRecord {
            patient,
            clinic: entry.clinic,
            ciphertext_sha256: entry.ciphertext_sha256,
            ciphertext_len: entry.ciphertext_len,
            issued_height: entry.issued_height,
            issued_at_ms: entry.issued_at_ms,
            erased_height: ctx.height,
            erased_at_ms: ctx.timestamp_ms,
        };
        s.put(StateKey::erased(id), erased.encode());
        s.append(
            StateKey::erasure_count(&patient),
            |i| StateKey::erasure(&patient, i),
            id.0.to_vec(),
        )?;
    }
    Ok(())
}

pub(super) fn apply_receipt<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    node_key: &PublicKey,
    node: Address,
    record: &RecordId,
) -> Result<(), TxError> {
    if !ctx.validators.keys().contains(node_key) {
        return Err(TxError::NotAValidator);
    }
    let erased: ErasedRecord = s
        .get_value(&StateKey::erased(record))?
        .ok_or_else(|| TxError::UnknownRecord(record.to_hex()))?;
    let by = StateKey::erasure_receipt_by(record, &node);
    if s.get(&by)?.is_some() {
        return Err(TxError::ReceiptReplayed);
    }
    s.put(by, encode_u64(ctx.height));
    let receipt = ErasureReceipt {
        record: *record,
        node,
        height: ctx.height,
        at_ms: ctx.timestamp_ms,
    };
    s.append(
        StateKey::erasure_receipt_count(&erased.patient),
        |i| StateKey::erasure_receipt(&erased.patient, i),
        receipt.encode(),
    )
}

pub(super) fn apply_close<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    author: Address,
    account: &Address,
) -> Result<(), TxError> {
    if *account != author {
        return Err(TxError::OutOfRange("an account closes only itself"));
    }
    require_patient(s, &author)?;
    let issued = s.get_u64(&StateKey::patient_record_count(&author))?;
    let erased = s.get_u64(&StateKey::erasure_count(&author))?;
    if erased < issued {
        return Err(TxError::RecordsRemain(issued - erased));
    }
    // Its emergency set goes with it: nobody can ask for it again.
    super::emergency::remove_set(s, &author)?;
    s.put(StateKey::closed(&author), encode_u64(ctx.height));
    Ok(())
}
