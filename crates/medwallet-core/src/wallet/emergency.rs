//! Emergency access (break-glass), both sides. The patient prepares an emergency set under an
//! account of its own (so a request names no account a clinic issues to), sealed under a fresh
//! key split among the validators; sees every access as a red entry (who, which clinic, the
//! reason, when) and can export them as FHIR. A registered clinician asks for a patient's set
//! by its code and a reason, then opens it from a quorum of released shares, each checked
//! against the patient's commitment, the blob against the ledger's hash.

use medledger_client::padded::{open_padded, seal_padded};
use medledger_client::transaction::sign_next;
use medledger_client::{BlobUpload, LedgerSource, reads};
use medledger_types::emergency::{
    EmergencyRequest, EmergencyRequestId, EmergencySet, EmergencyShareSlot, emergency_set_id,
    emergency_threshold,
};
use medledger_types::genesis::Genesis;
use medledger_types::hash::{Address, ReceivingKey, Sha256Digest};
use medledger_types::state::{Account, StateKey};
use medledger_types::tx::TxBody;
use medledger_types::validators::Validators;
use medwallet_crypto::X25519PublicKey;
use medwallet_crypto::emergency::{
    combine_key, open_reason, open_release, seal_reason, seal_shares,
};
use medwallet_crypto::envelope::{ContentKey, Identity, Recipient, WrappedKey, X25519Recipient};
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};

use super::Wallet;
use crate::accounts;
use crate::clock::Clock;
use crate::emergency::{
    EmergencyAccessView, EmergencyContact, EmergencyRequestView, EmergencySetView,
    OpenedEmergencySet, code_of,
};
use crate::error::WalletError;
use crate::records::fetch_ciphertext;
use crate::store::WalletStore;
use crate::summary::random_uuid;

/// The emergency keys of `set`'s validators, in its order; none unless every one has one.
fn emergency_keys_of(set: &Validators) -> Vec<ReceivingKey> {
    set.members()
        .iter()
        .map(|v| v.emergency)
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default()
}

/// The emergency keys of the validators running at `at`, proven: the ledger's running set on
/// a chain whose set changes, else the genesis's (`genesis_keys`).
async fn running_emergency_keys<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    genesis_keys: &[ReceivingKey],
) -> Result<Vec<ReceivingKey>, WalletError> {
    Ok(
        match reads::value::<_, Validators>(source, at, &StateKey::validators_current()).await? {
            Some(set) => emergency_keys_of(&set),
            None => genesis_keys.to_vec(),
        },
    )
}

/// The label of the account an emergency set lives under.
pub const EMERGENCY_ACCOUNT_LABEL: &str = "Emergency card";
/// Most requests one account's list is read for.
const REQUESTS_MAX: u64 = 256;

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// The account holding this wallet's emergency set, with the set (proven at `at`).
    async fn emergency_account<S: LedgerSource>(
        &self,
        source: &S,
        at: &VerifiedHeader,
    ) -> Result<Option<(u32, Address, EmergencySet)>, WalletError> {
        for (index, address) in self.accounts() {
            if let Some(set) =
                reads::value::<_, EmergencySet>(source, at, &StateKey::emergency(&address)).await?
            {
                return Ok(Some((index, address, set)));
            }
        }
        Ok(None)
    }

    /// This wallet's emergency set, if it has one.
    pub async fn emergency_set<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<Option<EmergencySetView>, WalletError> {
        let at = self.latest(source).await?;
        Ok(self
            .emergency_account(source, &at)
            .await?
            .map(|(account, address, set)| EmergencySetView {
                account,
                code: code_of(&address),
                set_at_ms: set.set_at_ms,
                threshold: set.threshold,
                validators: set.shares.len(),
                ciphertext_len: set.ciphertext_len,
            }))
    }

    /// Prepares (or replaces) the emergency set: the problems, allergies, medications and
    /// advance directives of every readable record, with `contacts`, sealed under a fresh key
    /// split among the running validators: on a chain whose set changes, the ones the ledger
    /// names, by proof; otherwise those whose emergency keys the genesis names
    /// (`validator_keys`, in the validator set's order, from the genesis this wallet is
    /// anchored to).
    pub async fn set_emergency<S: LedgerSource + BlobUpload, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        validator_keys: &[ReceivingKey],
        contacts: &[EmergencyContact],
        rng: &mut R,
    ) -> Result<EmergencySetView, WalletError> {
        self.check_chain(source)?;
        let opened = self.opened_records(source).await?;
        let set = medwallet_fhir::emergency::build(
            &opened.sources(),
            contacts,
            &random_uuid(rng),
            &self.now_rfc3339(),
        )
        .map_err(|e| WalletError::InvalidInput(e.to_string()))?;
        let bytes =
            serde_json::to_vec(&set.bundle).map_err(|e| WalletError::NotFhir(e.to_string()))?;
        self.seal_emergency_set(source, validator_keys, &bytes, rng)
            .await
    }

    /// Puts `bytes` (an emergency set's document) on the ledger as this wallet's set, under a
    /// fresh key: split among the validators, wrapped to the account, and naming the
    /// guardians' watch key. Creates the emergency account the first time.
    pub(crate) async fn seal_emergency_set<S: LedgerSource + BlobUpload, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        validator_keys: &[ReceivingKey],
        bytes: &[u8],
        rng: &mut R,
    ) -> Result<EmergencySetView, WalletError> {
        let at = self.latest(source).await?;
        // The running validators' keys: after a change to the set they are no longer the
        // genesis's, and the ledger takes a set only with one share per running validator.
        let validator_keys = running_emergency_keys(source, &at, validator_keys).await?;
        if validator_keys.is_empty() {
            return Err(WalletError::InvalidInput(
                "this chain's validators hold no emergency keys: it offers no emergency access"
                    .into(),
            ));
        }
        let (account, address) = match self.emergency_account(source, &at).await? {
            Some((index, address, _)) => (index, address),
            None => {
                let (relationship, _) = self
                    .new_relationship(source, EMERGENCY_ACCOUNT_LABEL, rng)
                    .await?;
                let index = relationship.account;
                (index, self.own_account(index).address)
            }
        };
        let keys = self.account_keys(account);
        let key = ContentKey::generate(rng);
        let ciphertext = seal_padded(&key, rng, bytes)
            .map_err(|e| WalletError::InvalidInput(format!("the set cannot be sealed: {e}")))?;
        let blob = Sha256Digest(Sha256::digest(&ciphertext).into());
        let len = ciphertext.len() as u64;
        source
            .upload(&blob, ciphertext, keys.signing_key(), self.now_ms())
            .await?;
        let at = self.latest(source).await?;
        let signer = medledger_client::transaction::author(keys.signing_key());
        let nonce = reads::nonce(source, &at, &signer).await?;
        let set_id = emergency_set_id(&signer, nonce);
        let validators: Vec<X25519Recipient> = validator_keys
            .iter()
            .map(|k| X25519Recipient::new(X25519PublicKey::from(k.0)))
            .collect();
        let threshold = emergency_threshold(validators.len());
        let shares = seal_shares(&key, threshold, &validators, &address, &set_id, rng)?;
        // The key to the account itself, so any of the patient's devices can show the set.
        let own_key = X25519Recipient::new(keys.public().receiving)
            .wrap(&key, &set_id.0, rng)
            .map_err(|e| WalletError::InvalidInput(format!("the set cannot be sealed: {e}")))?;
        let body = TxBody::SetEmergency {
            ciphertext_sha256: blob,
            ciphertext_len: len,
            shares: shares
                .into_iter()
                .map(|s| EmergencyShareSlot {
                    sealed: s.sealed,
                    commitment: s.commitment,
                })
                .collect(),
            own_key,
            // The guardians (whose shares hold its secret) read every access's reason.
            watch: Some(ReceivingKey(keys.emergency_watch().public())),
        };
        let tx = sign_next(source, keys.signing_key(), &at, body).await?;
        if tx.tx.nonce != nonce {
            return Err(WalletError::InvalidInput(
                "the account's nonce moved while the set was sealed; try again".into(),
            ));
        }
        source.submit(&tx).await?;
        self.emergency_set(source).await?.ok_or_else(|| {
            WalletError::InvalidInput("the emergency set is not on the ledger".into())
        })
    }

    /// Seals this wallet's emergency set again when the validators it was sealed to are no
    /// longer the running ones (a validator joined, left or replaced its key since): the old
    /// set's shares are released only by validators that may be gone. The same document, a
    /// fresh key split among the running validators. `genesis` is the chain's, which says
    /// whether and how often its set changes. Returns the new set, or `None` when nothing was
    /// stale (or there is no set).
    pub async fn refresh_emergency<S: LedgerSource + BlobUpload, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        genesis: &Genesis,
        rng: &mut R,
    ) -> Result<Option<EmergencySetView>, WalletError> {
        if !genesis.epochs.change() {
            return Ok(None);
        }
        let at = self.latest(source).await?;
        let Some((_, _, set)) = self.emergency_account(source, &at).await? else {
            return Ok(None);
        };
        let sealed_for = reads::value::<_, Validators>(
            source,
            &at,
            &StateKey::validators_of_epoch(genesis.epochs.of(set.set_height)),
        )
        .await?;
        let running = running_emergency_keys(source, &at, &genesis.emergency_keys).await?;
        if sealed_for.as_ref().map(emergency_keys_of) == Some(running) {
            return Ok(None);
        }
        let Some(bytes) = self.emergency_preview(source).await? else {
            return Ok(None);
        };
        self.seal_emergency_set(source, &genesis.emergency_keys, &bytes, rng)
            .await
            .map(Some)
    }

    /// What a clinician would read: this wallet's emergency set, opened with the key wrapped to
    /// its account (fetched from a node and checked against the ledger's hash).
    pub async fn emergency_preview<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<Option<Vec<u8>>, WalletError> {
        let at = self.latest(source).await?;
        let Some((account, _, set)) = self.emergency_account(source, &at).await? else {
            return Ok(None);
        };
        let keys = self.account_keys(account);
        let key = keys
            .identity()
            .unwrap(&set.own_key, &set.id.0)
            .map_err(|_| WalletError::NotForMe(set.id.to_hex()))?;
        Ok(Some(
            open_set(source, keys.signing_key(), &set, &key, self.now_ms()).await?,
        ))
    }

    /// The emergency set's document a rotation to `next` carries over: opened with this
    /// wallet's (old) keys, fetched as whichever key the ledger says signs for the account now
    /// (a rerun of an interrupted rotation finds the account moved). `None`: no set, or one
    /// already sealed to `next`.
    pub(crate) async fn emergency_to_carry<S: LedgerSource>(
        &self,
        source: &S,
        next: &medwallet_crypto::AccountKeys,
    ) -> Result<Option<Vec<u8>>, WalletError> {
        let at = self.latest(source).await?;
        let Some((account, address, set)) = self.emergency_account(source, &at).await? else {
            return Ok(None);
        };
        let old = self.account_keys(account);
        let new = next.account(account);
        let Ok(key) = old.identity().unwrap(&set.own_key, &set.id.0) else {
            return Ok(None);
        };
        let signs_now = accounts::account(source, &at, &address)
            .await?
            .is_some_and(|a| a.signing.0 == new.public().signing.to_bytes());
        let signer = if signs_now {
            new.signing_key()
        } else {
            old.signing_key()
        };
        Ok(Some(
            open_set(source, signer, &set, &key, self.now_ms()).await?,
        ))
    }

    /// Removes the emergency set: nobody can ask for it from the next block on.
    pub async fn remove_emergency<S: LedgerSource>(&self, source: &S) -> Result<u64, WalletError> {
        self.check_chain(source)?;
        let at = self.latest(source).await?;
        let (account, _, _) = self
            .emergency_account(source, &at)
            .await?
            .ok_or_else(|| WalletError::InvalidInput("this wallet has no emergency set".into()))?;
        let keys = self.account_keys(account);
        let body = TxBody::SetEmergency {
            ciphertext_sha256: Sha256Digest([0; 32]),
            ciphertext_len: 0,
            shares: Vec::new(),
            own_key: WrappedKey([0; medledger_types::tx::WRAPPED_KEY_LEN]),
            watch: None,
        };
        let tx = sign_next(source, keys.signing_key(), &at, body).await?;
        Ok(source.submit(&tx).await?)
    }

    /// Every access to this wallet's emergency accounts, newest first: who asked, from which
    /// clinic, why, when, and whether enough validators released their shares.
    pub async fn emergency_accesses<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<Vec<EmergencyAccessView>, WalletError> {
        let at = self.latest(source).await?;
        let mut out = Vec::new();
        for (index, address) in self.accounts() {
            let keys = self.account_keys(index);
            let mut accesses = accesses_to(source, &at, &address, &keys.identity()).await?;
            accesses.reverse();
            out.extend(accesses);
        }
        // Newest first (a stable sort: requests of one block stay newest first).
        out.sort_by_key(|a| std::cmp::Reverse(a.at_ms));
        Ok(out)
    }

    /// A clinician asks for the emergency set of the account whose code is `patient`, giving
    /// `reason` (sealed to the patient). This wallet's first account must be a registered
    /// doctor's.
    pub async fn request_emergency<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        patient: &Address,
        reason: &str,
        rng: &mut R,
    ) -> Result<EmergencyRequestView, WalletError> {
        self.check_chain(source)?;
        let at = self.latest(source).await?;
        let me = self.own_account(0);
        accounts::doctor(source, &at, &me.address).await?;
        let receiving = match accounts::account(source, &at, patient).await? {
            Some(Account { receiving, .. }) => receiving,
            None => {
                return Err(WalletError::InvalidInput(
                    "no account has that emergency code".into(),
                ));
            }
        };
        let set: EmergencySet = reads::value(source, &at, &StateKey::emergency(patient))
            .await?
            .ok_or(WalletError::NoEmergencySet)?;
        // To the patient, and to its guardians if the set names their watch key.
        let recipients: Vec<X25519Recipient> = std::iter::once(receiving)
            .chain(set.watch)
            .map(|k| X25519Recipient::new(X25519PublicKey::from(k.0)))
            .collect();
        let sealed = seal_reason(&recipients, patient, &me.address, reason, rng)
            .map_err(|e| WalletError::InvalidInput(e.to_string()))?;
        let body = TxBody::EmergencyRequest {
            patient: *patient,
            reason: sealed,
        };
        let tx = sign_next(source, me.keys.signing_key(), &at, body).await?;
        let id = EmergencyRequestId::derive(&me.address, tx.tx.nonce);
        source.submit(&tx).await?;
        let at = self.latest(source).await?;
        let request: EmergencyRequest =
            reads::required(source, &at, &StateKey::emergency_request(&id)).await?;
        Ok(EmergencyRequestView::of(id, &request))
    }

    /// Opens the set `request` (this wallet's) asked for: a quorum of released shares that
    /// match the patient's commitments, the blob checked against the ledger's hash. Refused
    /// after the 24 hours; [`WalletError::EmergencyWaiting`] while too few shares are out.
    pub async fn open_emergency<S: LedgerSource>(
        &self,
        source: &S,
        request_id: &EmergencyRequestId,
    ) -> Result<OpenedEmergencySet, WalletError> {
        self.check_chain(source)?;
        let at = self.latest(source).await?;
        let me = self.own_account(0);
        let request: EmergencyRequest =
            reads::value(source, &at, &StateKey::emergency_request(request_id))
                .await?
                .filter(|r: &EmergencyRequest| r.clinician == me.address)
                .ok_or_else(|| {
                    WalletError::InvalidInput("this wallet made no such request".into())
                })?;
        let view = EmergencyRequestView::of(*request_id, &request);
        if !request.open_at(at.header().timestamp_ms.max(self.now_ms())) {
            return Err(WalletError::EmergencyEnded {
                ended_at_ms: request.ends_at_ms(),
            });
        }
        let set: EmergencySet = reads::value(source, &at, &StateKey::emergency(&request.patient))
            .await?
            .filter(|s: &EmergencySet| s.id == request.set)
            .ok_or(WalletError::NoEmergencySet)?;
        let mut shares = Vec::new();
        let mut refused = Vec::new();
        for released in &request.released {
            let Some(slot) = set.shares.get(usize::from(released.validator)) else {
                refused.push(released.validator);
                continue;
            };
            match open_release(
                &me.keys.identity(),
                request_id,
                &request.patient,
                &set.id,
                released.validator,
                &released.sealed,
                &slot.commitment,
            ) {
                Ok(share) => shares.push(share),
                Err(_) => refused.push(released.validator),
            }
        }
        if shares.len() < usize::from(set.threshold) {
            return Err(WalletError::EmergencyWaiting {
                got: shares.len(),
                needed: set.threshold,
                refused,
            });
        }
        let key = combine_key(set.threshold, &shares)?;
        let bundle = open_set(source, me.keys.signing_key(), &set, &key, self.now_ms()).await?;
        Ok(OpenedEmergencySet {
            request: view,
            bundle,
            refused_validators: refused,
        })
    }
}

/// Every access to the emergency account `address`, its reasons opened with `reader` (the
/// account's key, or a guardian's copy of the watch key), in request order.
pub(crate) async fn accesses_to<S: LedgerSource>(
    source: &S,
    at: &VerifiedHeader,
    address: &Address,
    reader: &impl Identity,
) -> Result<Vec<EmergencyAccessView>, WalletError> {
    let count = reads::count(source, at, &StateKey::emergency_requests_count(address)).await?;
    let mut out = Vec::new();
    for i in 0..count.min(REQUESTS_MAX) {
        let id = EmergencyRequestId(
            reads::id(source, at, &StateKey::emergency_requests(address, i)).await?,
        );
        let request: EmergencyRequest =
            reads::required(source, at, &StateKey::emergency_request(&id)).await?;
        let (clinician_name, licence) = match accounts::doctor(source, at, &request.clinician).await
        {
            Ok(d) => (d.name, d.licence),
            Err(_) => (request.clinician.to_hex(), String::new()),
        };
        let clinic_name = accounts::display_name(source, at, &request.clinic)
            .await?
            .unwrap_or_else(|| request.clinic.to_hex());
        out.push(EmergencyAccessView {
            request: id,
            clinician: request.clinician,
            clinician_name,
            licence,
            clinic: request.clinic,
            clinic_name,
            reason: open_reason(reader, address, &request.clinician, &request.reason).ok(),
            at_ms: request.at_ms,
            ends_at_ms: request.ends_at_ms(),
            released: request.released.len(),
            threshold: request.threshold,
        });
    }
    Ok(out)
}

/// The set's ciphertext, fetched as `requester` (the patient or a clinician in its window),
/// checked against the ledger's hash and opened with `key`.
async fn open_set<S: LedgerSource>(
    source: &S,
    requester: &medwallet_crypto::SigningKey,
    set: &EmergencySet,
    key: &ContentKey,
    now_ms: u64,
) -> Result<Vec<u8>, WalletError> {
    let ciphertext = fetch_ciphertext(
        source,
        requester,
        set.ciphertext_sha256,
        set.ciphertext_len,
        set.id,
        None,
        now_ms,
    )
    .await?;
    open_padded(key, &ciphertext).map_err(|_| WalletError::NotForMe(set.id.to_hex()))
}
