//! The state transition: what each transaction requires and what it writes. Pure: it reads
//! state through [`StateRead`] and returns the writes; storage and hashing happen elsewhere.
//!
//! A transaction either applies completely or not at all. A block is valid only if every one of
//! its transactions applies, in order, on top of its parent's state.

use std::collections::{BTreeMap, BTreeSet};

use medledger_types::codec::Canonical;
use medledger_types::genesis::ValidatorSet;
use medledger_types::hash::{Address, ChainId, GrantId, PublicKey, RecordId};
use medledger_types::size_bucket;
use medledger_types::state::{
    Account, AccountKind, GrantEntry, GrantStatus, MAX_VALUE_LEN, RecordEntry, Revocation,
    StateKey, decode_u64, encode_u64,
};
use medledger_types::tx::{
    RecordKey, Scope, SignedTx, TxBody, clinic_approval_message, doctor_consent_message,
};
use medwallet_crypto::{Namespace, Signature, VerifyingKey};

use crate::error::{StoreError, TxError};

mod emergency;
mod erasure;
mod links;
mod receipt;
mod recovery;
mod rotation;
mod validators;

pub use rotation::account_of_key;
pub use validators::{HeaderSets, current_validators, genesis_writes, validators_of_epoch};

pub use medledger_types::tx::MAX_RECORD_LEN;

/// Read access to committed (or speculatively executed) state.
pub trait StateRead {
    /// The value at `key`, if any.
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError>;
}

/// The block a transaction executes in.
#[derive(Clone, Copy, Debug)]
pub struct BlockContext<'a> {
    pub chain: ChainId,
    pub height: u64,
    pub timestamp_ms: u64,
    /// The set finalizing this block (the running epoch's).
    pub validators: &'a ValidatorSet,
    /// The chain's epochs (when a set's changes take effect).
    pub epochs: medledger_types::epoch::Epochs,
    /// The genesis's shortest guardian-recovery delay.
    pub recovery_min_delay_ms: u64,
    /// Whether the genesis names the validators' emergency keys (one per validator).
    pub emergency_access: bool,
}

/// Checks a transaction's signature (namespace `medwallet/tx/v1`). Separate from
/// [`Execution::apply_checked`] so a node verifies each transaction once, when it first sees it.
pub fn verify_signature(tx: &SignedTx) -> Result<(), TxError> {
    let key = VerifyingKey::from_bytes(&tx.tx.author.0).map_err(|_| TxError::BadSignature)?;
    medwallet_crypto::verify(
        &key,
        Namespace::TX,
        &tx.tx.signing_bytes(),
        &Signature::from_bytes(&tx.signature),
    )
    .map_err(|_| TxError::BadSignature)
}

/// Executes transactions on top of a state, collecting their writes.
pub struct Execution<'a, R: StateRead> {
    reader: &'a R,
    ctx: BlockContext<'a>,
    writes: BTreeMap<StateKey, Option<Vec<u8>>>,
}

/// One transaction's pending writes, merged only if it applies completely.
struct TxScope<'s, 'a, R: StateRead> {
    exec: &'s Execution<'a, R>,
    writes: BTreeMap<StateKey, Option<Vec<u8>>>,
}

impl<R: StateRead> TxScope<'_, '_, R> {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, TxError> {
        if let Some(v) = self.writes.get(key) {
            return Ok(v.clone());
        }
        self.exec.get(key)
    }

    fn get_value<T: Canonical>(&self, key: &StateKey) -> Result<Option<T>, TxError> {
        match self.get(key)? {
            None => Ok(None),
            Some(bytes) => T::decode(&bytes, MAX_VALUE_LEN)
                .map(Some)
                .map_err(|e| TxError::State(format!("corrupt state value: {e}"))),
        }
    }

    fn get_u64(&self, key: &StateKey) -> Result<u64, TxError> {
        match self.get(key)? {
            None => Ok(0),
            Some(bytes) => {
                decode_u64(&bytes).map_err(|e| TxError::State(format!("corrupt counter: {e}")))
            }
        }
    }

    fn put(&mut self, key: StateKey, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    fn delete(&mut self, key: StateKey) {
        self.writes.insert(key, None);
    }

    /// Appends `value` to the list `item(i)` whose length lives at `count`.
    fn append(
        &mut self,
        count: StateKey,
        item: impl FnOnce(u64) -> StateKey,
        value: Vec<u8>,
    ) -> Result<(), TxError> {
        let n = self.get_u64(&count)?;
        self.put(item(n), value);
        self.put(count, encode_u64(n + 1));
        Ok(())
    }

    fn account(&self, address: &Address) -> Result<Option<Account>, TxError> {
        self.get_value(&StateKey::account(address))
    }
}

impl<'a, R: StateRead> Execution<'a, R> {
    /// Starts executing a block on top of `reader`'s state.
    pub fn new(reader: &'a R, ctx: BlockContext<'a>) -> Self {
        Self {
            reader,
            ctx,
            writes: BTreeMap::new(),
        }
    }

    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, TxError> {
        if let Some(v) = self.writes.get(key) {
            return Ok(v.clone());
        }
        Ok(self.reader.get(key)?)
    }

    /// Verifies the signature, then applies.
    pub fn apply(&mut self, tx: &SignedTx) -> Result<(), TxError> {
        verify_signature(tx)?;
        self.apply_checked(tx)
    }

    /// Applies a transaction whose signature the caller has already verified.
    pub fn apply_checked(&mut self, tx: &SignedTx) -> Result<(), TxError> {
        let mut scope = TxScope {
            exec: self,
            writes: BTreeMap::new(),
        };
        apply_tx(&mut scope, &self.ctx, tx)?;
        let writes = scope.writes;
        self.writes.extend(writes);
        Ok(())
    }

    fn put(&mut self, key: StateKey, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    /// The writes of every applied transaction (`None` deletes; none do yet).
    pub fn into_writes(self) -> BTreeMap<StateKey, Option<Vec<u8>>> {
        self.writes
    }
}

fn apply_tx<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    signed: &SignedTx,
) -> Result<(), TxError> {
    let tx = &signed.tx;
    if tx.chain != ctx.chain {
        return Err(TxError::WrongChain);
    }
    // Nonces (and the ids derived from them) count per signing key; what a transaction may do
    // is decided by the account that key signs for, which a rotation moves to a new key.
    let signer = tx.author_address();
    let nonce_key = StateKey::nonce(&signer);
    let expected = s.get_u64(&nonce_key)?;
    if tx.nonce != expected {
        return Err(TxError::WrongNonce {
            expected,
            got: tx.nonce,
        });
    }
    s.put(nonce_key, encode_u64(expected + 1));
    let author = rotation::account_signed_by(s, &tx.author)?;

    match &tx.body {
        TxBody::RegisterPatient { receiving } => {
            if s.account(&author)?.is_some() {
                return Err(TxError::AlreadyRegistered);
            }
            let account = Account {
                kind: AccountKind::Patient,
                signing: tx.author,
                receiving: *receiving,
                registered_height: ctx.height,
            };
            s.put(StateKey::account(&author), account.encode());
        }
        TxBody::RegisterClinic {
            clinic,
            receiving,
            name,
            approvals,
        } => {
            let message = clinic_approval_message(&ctx.chain, clinic, receiving, name);
            let mut approvers = BTreeSet::new();
            for approval in approvals {
                let is_validator = ctx.validators.keys().contains(&approval.validator);
                if is_validator
                    && verify_approval(&approval.validator, &message, &approval.signature)
                {
                    approvers.insert(approval.validator);
                }
            }
            let needed = medledger_types::certificate::quorum(ctx.validators.len());
            if approvers.len() < needed {
                return Err(TxError::NotEnoughApprovals {
                    got: approvers.len(),
                    needed,
                });
            }
            let address = Address::of(clinic);
            if s.account(&address)?.is_some() || rotation::is_rotated_in(s, &address)? {
                return Err(TxError::AlreadyRegistered);
            }
            let account = Account {
                kind: AccountKind::Clinic { name: name.clone() },
                signing: *clinic,
                receiving: *receiving,
                registered_height: ctx.height,
            };
            s.put(StateKey::account(&address), account.encode());
        }
        TxBody::RegisterDoctor {
            doctor,
            receiving,
            display_name,
            licence,
            consent,
        } => {
            require_clinic(s, &author)?;
            let address = Address::of(doctor);
            if s.account(&address)?.is_some() || rotation::is_rotated_in(s, &address)? {
                return Err(TxError::AlreadyRegistered);
            }
            let message = doctor_consent_message(
                &ctx.chain,
                &author,
                doctor,
                receiving,
                display_name,
                licence,
            );
            let key = VerifyingKey::from_bytes(&doctor.0).map_err(|_| TxError::NoDoctorConsent)?;
            medwallet_crypto::verify(
                &key,
                Namespace::DOCTOR_CONSENT,
                &message,
                &Signature::from_bytes(consent),
            )
            .map_err(|_| TxError::NoDoctorConsent)?;
            let account = Account {
                kind: AccountKind::Doctor {
                    clinic: author,
                    display_name: display_name.clone(),
                    licence: licence.clone(),
                },
                signing: *doctor,
                receiving: *receiving,
                registered_height: ctx.height,
            };
            s.put(StateKey::account(&address), account.encode());
        }
        TxBody::IssueRecord {
            record,
            patient,
            ciphertext_sha256,
            ciphertext_len,
            wrapped_key,
            metadata,
        } => {
            require_clinic(s, &author)?;
            if *record != RecordId::derive(&signer, tx.nonce) {
                return Err(TxError::RecordIdMismatch);
            }
            if *ciphertext_len == 0 || *ciphertext_len > MAX_RECORD_LEN {
                return Err(TxError::OutOfRange("ciphertext length"));
            }
            // Exact lengths would tell a reader of the chain which record is which (a one-line
            // allergy list from a 5 MB imaging report): the ledger takes only size buckets.
            for (what, len) in [
                ("ciphertext", *ciphertext_len),
                ("metadata", metadata.len() as u64),
            ] {
                if !size_bucket::is_bucket(len) {
                    return Err(TxError::NotASizeBucket { what, len });
                }
            }
            match s.account(patient)? {
                Some(Account {
                    kind: AccountKind::Patient,
                    ..
                }) => {}
                _ => return Err(TxError::UnknownPatient(patient.to_hex())),
            }
            erasure::require_open(s, patient)?;
            if s.get(&StateKey::record(record))?.is_some() {
                return Err(TxError::DuplicateRecord);
            }
            let entry = RecordEntry {
                patient: *patient,
                clinic: author,
                ciphertext_sha256: *ciphertext_sha256,
                ciphertext_len: *ciphertext_len,
                wrapped_key: *wrapped_key,
                metadata: metadata.clone(),
                issued_height: ctx.height,
                issued_at_ms: ctx.timestamp_ms,
            };
            s.put(StateKey::record(record), entry.encode());
            s.append(
                StateKey::patient_record_count(patient),
                |i| StateKey::patient_record(patient, i),
                record.0.to_vec(),
            )?;
        }
        TxBody::Grant {
            grantee,
            scope,
            expires_at_ms,
            keys,
            terms,
        } => {
            require_patient(s, &author)?;
            // The grantee is a key derived for this (account, doctor) pair and registered
            // nowhere: the patient's wallet checked the doctor by proof before sharing. It may
            // not be a clinic's or another patient's account, which are public identities.
            if matches!(
                s.account(grantee)?,
                Some(Account {
                    kind: AccountKind::Patient | AccountKind::Clinic { .. },
                    ..
                })
            ) || rotation::is_rotated_in(s, grantee)?
            {
                return Err(TxError::NotADoctor);
            }
            if expires_at_ms.is_some_and(|t| t <= ctx.timestamp_ms) {
                return Err(TxError::ExpiryInPast);
            }
            if let Scope::Records(ids) = scope {
                let mut seen = BTreeSet::new();
                for id in ids {
                    if !seen.insert(*id) {
                        return Err(TxError::DuplicateKey(id.to_hex()));
                    }
                    record_of(s, id, &author)?;
                }
            }
            let id = GrantId::derive(&signer, tx.nonce);
            let entry = GrantEntry {
                patient: author,
                grantee: *grantee,
                scope: scope.clone(),
                expires_at_ms: *expires_at_ms,
                terms: terms.clone(),
                granted_height: ctx.height,
                granted_at_ms: ctx.timestamp_ms,
            };
            put_grant_keys(s, &id, &entry, keys)?;
            s.put(StateKey::grant(&id), entry.encode());
            s.append(
                StateKey::grant_by_patient_count(&author),
                |i| StateKey::grant_by_patient(&author, i),
                id.0.to_vec(),
            )?;
            s.append(
                StateKey::grant_to_count(grantee),
                |i| StateKey::grant_to(grantee, i),
                id.0.to_vec(),
            )?;
        }
        TxBody::GrantKeys { grant, keys } => {
            let entry = active_grant(s, grant, ctx.timestamp_ms)?;
            if entry.patient != author {
                return Err(TxError::NotYourGrant);
            }
            put_grant_keys(s, grant, &entry, keys)?;
        }
        TxBody::Revoke { grant } => {
            let entry: GrantEntry = s
                .get_value(&StateKey::grant(grant))?
                .ok_or(TxError::UnknownGrant)?;
            if entry.patient != author {
                return Err(TxError::NotYourGrant);
            }
            if s.get(&StateKey::revocation(grant))?.is_some() {
                return Err(TxError::GrantRevoked);
            }
            s.put(
                StateKey::revocation(grant),
                Revocation {
                    height: ctx.height,
                    at_ms: ctx.timestamp_ms,
                }
                .encode(),
            );
        }
        TxBody::Notify { doctor, sealed } => {
            match s.account(doctor)? {
                Some(Account {
                    kind: AccountKind::Doctor { .. },
                    ..
                }) => {}
                _ => return Err(TxError::NotADoctor),
            }
            if sealed.is_empty() {
                return Err(TxError::OutOfRange("an empty notice"));
            }
            s.append(
                StateKey::doctor_notice_count(doctor),
                |i| StateKey::doctor_notice(doctor, i),
                sealed.clone(),
            )?;
        }
        TxBody::AccessReceipt {
            grant,
            record,
            request,
        } => receipt::apply_receipt(s, ctx, &tx.author, grant, record, request)?,
        TxBody::CreateLink {
            link,
            expires_at_ms,
            passcode,
            attempts,
            long_term,
            files,
            sealed,
        } => links::apply_create(
            s,
            ctx,
            author,
            link,
            *expires_at_ms,
            *passcode,
            *attempts,
            *long_term,
            files,
            sealed,
        )?,
        TxBody::UpdateLinkFiles { link, files } => {
            links::apply_update(s, ctx, author, link, files)?
        }
        TxBody::RevokeLink { link } => links::apply_revoke(s, ctx, author, link)?,
        TxBody::LinkAccess {
            link,
            outcome,
            recipient_sealed,
            at_ms,
        } => links::apply_access(s, ctx, author, link, *outcome, recipient_sealed, *at_ms)?,
        TxBody::RotateKeys {
            signing,
            receiving,
            consent,
        } => rotation::apply_rotate(s, ctx, author, signing, receiving, consent)?,
        TxBody::RewrapRecords { keys } => rotation::apply_rewrap(s, author, keys)?,
        TxBody::EraseRecords { records } => erasure::apply_erase(s, ctx, author, records)?,
        TxBody::ErasureReceipt { record } => {
            erasure::apply_receipt(s, ctx, &tx.author, author, record)?
        }
        TxBody::CloseAccount { account } => erasure::apply_close(s, ctx, author, account)?,
        TxBody::SetGuardians {
            guardians,
            threshold,
            delay_ms,
            sealed_note,
        } => recovery::apply_set(
            s,
            ctx,
            author,
            guardians,
            *threshold,
            *delay_ms,
            sealed_note,
        )?,
        TxBody::StartRecovery {
            account,
            device_receiving,
        } => recovery::apply_start(s, ctx, &tx.author, account, device_receiving)?,
        TxBody::ApproveRecovery { account, device } => {
            recovery::apply_approve(s, ctx, author, account, device)?
        }
        TxBody::DeclineRecovery { account, device } => {
            recovery::apply_decline(s, ctx, author, account, device)?
        }
        TxBody::CancelRecovery { account } => recovery::apply_cancel(s, ctx, author, account)?,
        TxBody::ReleaseShare {
            account,
            device,
            sealed,
        } => recovery::apply_release(s, ctx, author, account, device, sealed)?,
        TxBody::SetEmergency {
            ciphertext_sha256,
            ciphertext_len,
            shares,
            own_key,
            watch,
        } => emergency::apply_set(
            s,
            ctx,
            author,
            &signer,
            tx.nonce,
            ciphertext_sha256,
            *ciphertext_len,
            shares,
            own_key,
            watch.as_ref(),
        )?,
        TxBody::EmergencyRequest { patient, reason } => {
            emergency::apply_request(s, ctx, author, &signer, tx.nonce, patient, reason)?
        }
        TxBody::EmergencyShare { request, sealed } => {
            emergency::apply_share(s, ctx, &tx.author, request, sealed)?
        }
        TxBody::ChangeValidators {
            seq,
            change,
            approvals,
        } => validators::apply_change(s, ctx, &tx.author, *seq, change, approvals)?,
    }
    Ok(())
}

fn verify_approval(validator: &PublicKey, message: &[u8], signature: &[u8; 64]) -> bool {
    VerifyingKey::from_bytes(&validator.0)
        .map(|key| {
            medwallet_crypto::verify(
                &key,
                Namespace::GOVERNANCE,
                message,
                &Signature::from_bytes(signature),
            )
            .is_ok()
        })
        .unwrap_or(false)
}

fn require_clinic<R: StateRead>(s: &TxScope<'_, '_, R>, author: &Address) -> Result<(), TxError> {
    match s.account(author)? {
        Some(Account {
            kind: AccountKind::Clinic { .. },
            ..
        }) => Ok(()),
        _ => Err(TxError::NotAClinic),
    }
}

/// The author is a patient account that is not closed.
fn require_patient<R: StateRead>(s: &TxScope<'_, '_, R>, author: &Address) -> Result<(), TxError> {
    match s.account(author)? {
        Some(Account {
            kind: AccountKind::Patient,
            ..
        }) => erasure::require_open(s, author),
        _ => Err(TxError::NotAPatient),
    }
}

fn record_of<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    id: &RecordId,
    patient: &Address,
) -> Result<RecordEntry, TxError> {
    let entry: RecordEntry = s
        .get_value(&StateKey::record(id))?
        .ok_or_else(|| TxError::UnknownRecord(id.to_hex()))?;
    if entry.patient != *patient {
        return Err(TxError::NotYourRecord(id.to_hex()));
    }
    Ok(entry)
}

fn active_grant<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    id: &GrantId,
    now_ms: u64,
) -> Result<GrantEntry, TxError> {
    let entry: GrantEntry = s
        .get_value(&StateKey::grant(id))?
        .ok_or(TxError::UnknownGrant)?;
    let revoked = s.get(&StateKey::revocation(id))?.is_some();
    match GrantStatus::of(&entry, revoked, now_ms) {
        GrantStatus::Active => Ok(entry),
        GrantStatus::Revoked => Err(TxError::GrantRevoked),
        GrantStatus::Expired => Err(TxError::GrantExpired),
    }
}

fn put_grant_keys<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    grant: &GrantId,
    entry: &GrantEntry,
    keys: &[RecordKey],
) -> Result<(), TxError> {
    let mut seen = BTreeSet::new();
    for key in keys {
        if !seen.insert(key.record) || s.get(&StateKey::grant_key(grant, &key.record))?.is_some() {
            return Err(TxError::DuplicateKey(key.record.to_hex()));
        }
        record_of(s, &key.record, &entry.patient)?;
        if !entry.admits(&key.record) {
            return Err(TxError::OutsideScope(key.record.to_hex()));
        }
        s.put(
            StateKey::grant_key(grant, &key.record),
            key.wrapped_key.0.to_vec(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
