//! The wallet service: every workflow a patient's or a doctor's wallet runs, written once, over a
//! verified [`LedgerSource`], a [`WalletStore`] and a [`Clock`]. The desktop app and the CLI are
//! thin adapters over it; its tests run without a network.
//!
//! A [`Wallet`] holds the unlocked keys and the verified records (loaded from the sealed cache
//! when it opens, saved back batch by batch as a sync proves more). Every ledger operation
//! verifies the newest header once and proves everything it reads against that header.

use std::sync::{Arc, Mutex, MutexGuard};

use futures::stream::{self, StreamExt};
use medledger_client::transaction::sign_next;
use medledger_client::{Incident, LedgerSource, RecordMetadata};
use medledger_types::hash::{Address, ChainId, GrantId, ReceivingKey, RecordId};
use medledger_types::state::RecordEntry;
use medledger_types::tx::TxBody;
use medwallet_crypto::AccountKeys;
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;

use crate::accounts::{Doctor, doctor};
use crate::cache::{Cached, open_cache, seal_cache};
use crate::clock::Clock;
use crate::consent::{ShareScope, missing_grant_keys};
use crate::error::WalletError;
use crate::records::{RecordSummary, fetch_ciphertext, open_ciphertext};
use crate::relationships::{Keyring, OwnAccount, Relationship};
use crate::shared::{SharedRecord, open_shared, shared_with};
use crate::store::WalletStore;
use crate::sync::{Progress, SyncEvent, sync_records};
use crate::trust::{Alarm, TrustState};

/// Ciphertext downloads in flight during sync.
const DOWNLOADS_IN_FLIGHT: usize = 8;
/// Largest file record (an imaging study) a sync keeps for offline use; a larger one is
/// downloaded each time it is saved, and not kept (the saved file is the patient's copy).
#[cfg(not(test))]
pub const KEPT_ON_SYNC_MAX: u64 = 32 << 20;
/// Small in this crate's unit tests, where the envelope's generic code runs unoptimized and a
/// record past 32 MiB would take seconds to make.
#[cfg(test)]
pub const KEPT_ON_SYNC_MAX: u64 = 1 << 20;

/// A file record (an imaging study) is saved ([`Wallet::save_record`]), never read whole into
/// memory to be shown.
fn refuse_files(record: &RecordSummary) -> Result<(), WalletError> {
    match &record.file {
        Some(file) => Err(WalletError::IsAFile {
            id: record.id.clone(),
            name: file.name.clone(),
        }),
        None => Ok(()),
    }
}

/// An unlocked wallet.
pub struct Wallet<St, C> {
    keys: Keyring,
    store: St,
    clock: C,
    records: Mutex<Vec<RecordSummary>>,
    /// The wallet's registered accounts, one per relationship.
    relationships: Mutex<Vec<Relationship>>,
    /// The chain the cached records were verified on (none before the first sync).
    chain: Mutex<Option<ChainId>>,
    trust: Mutex<TrustState>,
}

/// What a sync did.
#[derive(Debug)]
pub struct SyncReport {
    /// The header everything was proven at.
    pub header: VerifiedHeader,
    pub new_records: usize,
    pub total_records: usize,
    /// Ciphertexts that could not be downloaded this time (retried at the next sync; the
    /// records open from a node meanwhile).
    pub ciphertexts_missing: usize,
    /// Record keys shared with active category or all-records grants.
    pub keys_shared: usize,
    /// Records whose key is not wrapped to this wallet (kept, named by clinic, never opened).
    pub unreadable: Vec<RecordSummary>,
    pub incidents: Vec<Incident>,
}

/// A grant a patient asks for.
#[derive(Clone, Debug)]
pub struct GrantRequest {
    pub grantee: Address,
    pub scope: ShareScope,
    pub expires_at_ms: Option<u64>,
    /// How the doctor is to know the patient ("Ana Ruiz, born 1984"), sealed to the doctor; may
    /// be empty.
    pub label: String,
}

/// A grant made: one Grant per account whose records it covers, all of one share.
#[derive(Clone, Debug)]
pub struct Granted {
    /// The first account's grant (the one a single-account share has).
    pub grant: GrantId,
    /// Every grant of the share, by account.
    pub grants: Vec<GrantId>,
    pub height: u64,
    /// Records covered now (category and all-records grants also cover later ones).
    pub records_shared: usize,
    pub doctor: Doctor,
}

/// A shared record opened by a doctor.
#[derive(Clone, Debug)]
pub struct OpenedShared {
    pub entry: RecordEntry,
    /// Its clinic's description, if it opens.
    pub metadata: Option<RecordMetadata>,
    /// The FHIR, byte for byte what the clinic issued.
    pub fhir: Vec<u8>,
    /// The issuing clinic's registered name, read by proof at the same header.
    pub clinic_name: Option<String>,
    pub verified_height: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The records are replaced whole, so they are consistent after any panic.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// Opens the wallet of `keys`: the records verified earlier, from the sealed cache. A cache
    /// this wallet did not seal is refused with [`WalletError::CacheRejected`], after it is
    /// moved aside for inspection (the next open starts empty and a sync verifies again).
    pub fn open(keys: Arc<AccountKeys>, store: St, clock: C) -> Result<Self, WalletError> {
        let (chain, cached) = match store.load_cache()? {
            Some(bytes) => match open_cache(&keys, &bytes) {
                Ok((chain, cached)) => (Some(chain), cached),
                Err(WalletError::Cache(reason)) => {
                    let kept_at = store.set_aside_cache()?;
                    return Err(WalletError::CacheRejected { reason, kept_at });
                }
                Err(e) => return Err(e),
            },
            None => (None, Cached::default()),
        };
        Self::with_cached(keys, store, clock, chain, cached)
    }

    /// A wallet of `keys` holding `cached` (verified on `chain`), as if opened from it.
    pub(crate) fn with_cached(
        keys: Arc<AccountKeys>,
        store: St,
        clock: C,
        chain: Option<ChainId>,
        cached: Cached,
    ) -> Result<Self, WalletError> {
        let trust = match store.load_trust()? {
            Some(bytes) => TrustState::parse(&bytes),
            None => TrustState::new(),
        };
        let keys = Keyring::new(keys);
        for relationship in &cached.relationships {
            if let Some(address) = relationship.address {
                keys.set_address(relationship.account, Address(address));
            }
        }
        Ok(Self {
            keys,
            store,
            clock,
            records: Mutex::new(cached.records),
            relationships: Mutex::new(cached.relationships),
            chain: Mutex::new(chain),
            trust: Mutex::new(trust),
        })
    }

    /// Account 0's keys: the wallet's own (its local files; a doctor's identity).
    pub fn keys(&self) -> &Arc<AccountKeys> {
        self.keys.zero()
    }

    /// Account 0's address: a doctor's account, or a patient's first relationship.
    pub fn address(&self) -> Address {
        self.keys.address(0)
    }

    /// This wallet's account `index`, with its ledger address.
    pub(crate) fn own_account(&self, index: u32) -> OwnAccount {
        self.keys.account(index)
    }

    /// The keys of this wallet's account `index`.
    pub(crate) fn account_keys(&self, index: u32) -> Arc<AccountKeys> {
        self.keys.get(index)
    }

    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Every verified record, in issue order.
    pub fn records(&self) -> Vec<RecordSummary> {
        lock(&self.records).clone()
    }

    /// One record, by id.
    pub fn record(&self, id: &str) -> Result<RecordSummary, WalletError> {
        lock(&self.records)
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| WalletError::UnknownRecord(id.to_owned()))
    }

    /// Whether a record's ciphertext is kept on this device.
    pub fn is_kept(&self, record: &RecordSummary) -> bool {
        self.store.has_blob(&record.ciphertext_sha256)
    }

    /// A record's kept ciphertext, as the store holds it (checked when opened).
    pub(crate) fn kept_ciphertext(
        &self,
        record: &RecordSummary,
    ) -> Result<Option<Vec<u8>>, WalletError> {
        Ok(self.store.load_blob(&record.ciphertext_sha256)?)
    }

    /// A record's FHIR from its kept ciphertext (`None` if none is kept, or it does not check
    /// against the ledger's hash: the caller fetches it again).
    pub fn open_offline(&self, record: &RecordSummary) -> Result<Option<Vec<u8>>, WalletError> {
        refuse_files(record)?;
        Ok(self
            .store
            .load_blob(&record.ciphertext_sha256)?
            .and_then(|ciphertext| {
                open_ciphertext(&self.keys.get(record.account), record, &ciphertext).ok()
            }))
    }

    /// A record's FHIR: from the kept ciphertext, else from a node (then kept), checked against
    /// the ledger's hash either way.
    pub async fn open_record<S: LedgerSource>(
        &self,
        source: &S,
        id: &str,
    ) -> Result<Vec<u8>, WalletError> {
        let record = self.record(id)?;
        if let Some(fhir) = self.open_offline(&record)? {
            return Ok(fhir);
        }
        let keys = self.keys.get(record.account);
        let ciphertext = fetch_ciphertext(
            source,
            keys.signing_key(),
            record.blob()?,
            record.ciphertext_len,
            record.record_id()?,
            None,
            self.now_ms(),
        )
        .await?;
        let fhir = open_ciphertext(&keys, &record, &ciphertext)?;
        self.store
            .save_blob(&record.ciphertext_sha256, &ciphertext)?;
        Ok(fhir)
    }

    pub(crate) fn save<R: CryptoRng + ?Sized>(
        &self,
        chain: ChainId,
        records: Vec<RecordSummary>,
        relationships: Vec<Relationship>,
        rng: &mut R,
    ) -> Result<(), WalletError> {
        let cached = Cached {
            records,
            relationships,
        };
        self.store
            .save_cache(&seal_cache(self.keys.zero(), chain, &cached, rng)?)?;
        *lock(&self.records) = cached.records;
        *lock(&self.relationships) = cached.relationships;
        *lock(&self.chain) = Some(chain);
        Ok(())
    }

    /// The cached records' chain must be `source`'s.
    pub(crate) fn check_chain<S: LedgerSource>(&self, source: &S) -> Result<(), WalletError> {
        let chain = source.chain();
        if let Some(cached) = *lock(&self.chain)
            && cached != chain
        {
            return Err(WalletError::CacheChain {
                cached: cached.to_hex(),
                anchored: chain.to_hex(),
            });
        }
        Ok(())
    }

    /// Syncs: verifies the newest header; proves and adds the records this wallet lacks (saved
    /// batch by batch, so an interrupted sync resumes where it stopped); downloads their
    /// ciphertexts for offline use; and shares new records' keys with active category and
    /// all-records grants.
    pub async fn sync<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        progress: &mut impl Progress,
        rng: &mut R,
    ) -> Result<SyncReport, WalletError> {
        self.check_chain(source)?;
        let chain = source.chain();
        let at = self.latest(source).await?;
        let relationships = self.discover_accounts(source, &at, rng).await?;
        let accounts: Vec<OwnAccount> = relationships
            .iter()
            .map(|r| self.keys.account(r.account))
            .collect();
        let known = self.records();
        let mut saved = known.clone();
        let (header, new) = sync_records(source, &accounts, &known, at, &mut |event: SyncEvent<
            '_,
        >| {
            if let SyncEvent::Records { batch, .. } = &event {
                saved.extend_from_slice(batch);
                self.save(chain, saved.clone(), relationships.clone(), rng)?;
            }
            progress.event(event)
        })
        .await?;
        if !new.is_empty() {
            // One history: every account's records in the order they were issued.
            let mut records = self.records();
            records.sort_by_key(|r| r.issued_height);
            self.save(chain, records, relationships.clone(), rng)?;
        }
        self.learn_erasures(source, &header, rng).await?;
        let records = self.records();
        let ciphertexts_missing = self.download_ciphertexts(source, &records).await?;
        let (at, grants) = self.grants(source).await?;
        let mut keys_shared = 0;
        for OwnAccount { keys, .. } in &accounts {
            let mine: Vec<RecordSummary> = records
                .iter()
                .filter(|r| r.account == keys.index())
                .cloned()
                .collect();
            let bodies = missing_grant_keys(source, keys, &at, &grants, &mine, rng).await?;
            for body in bodies {
                if let TxBody::GrantKeys { keys, .. } = &body {
                    keys_shared += keys.len();
                }
                // Each transaction takes the next nonce, proven after the one before it
                // finalized.
                let at = self.latest(source).await?;
                let tx = sign_next(source, keys.signing_key(), &at, body).await?;
                source.submit(&tx).await?;
            }
        }
        keys_shared += self.extend_shares(source, &at, &grants, rng).await?;
        Ok(SyncReport {
            header,
            new_records: new.len(),
            total_records: records.len(),
            ciphertexts_missing,
            keys_shared,
            unreadable: records
                .iter()
                .filter(|r| r.unreadable && !r.erased)
                .cloned()
                .collect(),
            incidents: source.incidents(),
        })
    }

    /// Downloads the ciphertexts not kept yet (a large file record's only when it is saved);
    /// returns how many could not be had.
    async fn download_ciphertexts<S: LedgerSource>(
        &self,
        source: &S,
        records: &[RecordSummary],
    ) -> Result<usize, WalletError> {
        let now = self.now_ms();
        let keys = &self.keys;
        let store = &self.store;
        let missing: Vec<RecordSummary> = records
            .iter()
            .filter(|r| !r.unreadable && !self.is_kept(r))
            .filter(|r| r.file.is_none() || r.ciphertext_len <= KEPT_ON_SYNC_MAX)
            .cloned()
            .collect();
        // Owned records into a named async fn: the futures hold no borrowed closure argument,
        // so they stay `Send` for a multi-threaded runtime.
        let downloads: Vec<_> = stream::iter(missing)
            .map(|r| download(source, store, keys.get(r.account), r, now))
            .buffer_unordered(DOWNLOADS_IN_FLIGHT)
            .collect()
            .await;
        let mut failed = 0;
        for result in downloads {
            match result {
                Ok(()) => {}
                // This side failed (a full disk): say so, rather than count it as a node's.
                Err(e @ WalletError::LocalStorage(_)) => return Err(e),
                Err(_) => failed += 1,
            }
        }
        Ok(failed)
    }

    /// The newest verified header, never older than the trust floor. Every ledger operation
    /// starts here: while proven equivocation is unacknowledged it fails with
    /// [`WalletError::Equivocation`], and a new proof of it raises the alarm.
    pub async fn latest<S: LedgerSource>(&self, source: &S) -> Result<VerifiedHeader, WalletError> {
        let floor = {
            let trust = lock(&self.trust);
            if let Some(alarm) = trust.pending_alarm() {
                return Err(WalletError::Equivocation(alarm.clone()));
            }
            trust.floor_bytes()
        };
        // A floor this source cannot verify (another chain's, after a switch) is dropped and
        // rebuilt from the next header.
        if let Some((header, certificate)) = floor
            && source.adopt_floor(&header, &certificate).is_err()
        {
            lock(&self.trust).floor = None;
        }
        let result = source.latest(self.now_ms()).await;
        let mut trust = lock(&self.trust).clone();
        if let Some(alarm) = trust.raise_alarm(&source.incidents()) {
            self.save_trust(trust)?;
            return Err(WalletError::Equivocation(alarm));
        }
        let at = result?;
        if trust.raise_floor(&at) {
            self.save_trust(trust)?;
        }
        Ok(at)
    }

    fn save_trust(&self, trust: TrustState) -> Result<(), WalletError> {
        self.store.save_trust(&trust.to_bytes())?;
        *lock(&self.trust) = trust;
        Ok(())
    }

    /// Doctor mode: this wallet's consent to `clinic` registering it as a doctor under this
    /// name and licence on `chain` (the clinic puts it in its RegisterDoctor).
    pub fn doctor_consent(
        &self,
        chain: ChainId,
        clinic: &Address,
        name: &str,
        licence: &str,
    ) -> [u8; 64] {
        medledger_client::doctor_consent::sign_as(self.keys.zero(), chain, clinic, name, licence)
    }

    /// The proven equivocation the user has not acknowledged yet, if any.
    pub fn equivocation(&self) -> Option<Alarm> {
        lock(&self.trust).pending_alarm().cloned()
    }

    /// The user read what the equivocation means and goes on. Returns whether there was one.
    pub fn acknowledge_equivocation(&self) -> Result<bool, WalletError> {
        let mut trust = lock(&self.trust).clone();
        if !trust.acknowledge() {
            return Ok(false);
        }
        self.save_trust(trust)?;
        Ok(true)
    }

    /// Registers account 0 as a patient's (its first relationship: a clinic can then issue
    /// records to it). Returns the height it was finalized at.
    pub async fn register_patient<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        rng: &mut R,
    ) -> Result<u64, WalletError> {
        self.check_chain(source)?;
        let at = self.latest(source).await?;
        let keys = self.keys.zero();
        let body = TxBody::RegisterPatient {
            receiving: ReceivingKey(keys.public().receiving.to_bytes()),
        };
        let tx = sign_next(source, keys.signing_key(), &at, body).await?;
        let height = source.submit(&tx).await?;
        let mut relationships = self.relationships();
        if !relationships.iter().any(|r| r.account == 0) {
            relationships.insert(0, self.keys.relationship(0, String::new()));
            self.save(source.chain(), self.records(), relationships, rng)?;
        }
        Ok(height)
    }

    /// A doctor as the ledger proves them.
    pub async fn doctor<S: LedgerSource>(
        &self,
        source: &S,
        address: &Address,
    ) -> Result<(VerifiedHeader, Doctor), WalletError> {
        let at = self.latest(source).await?;
        let doctor = doctor(source, &at, address).await?;
        Ok((at, doctor))
    }

    /// Doctor mode: what patients shared with this wallet, with each grant's status.
    pub async fn shared_with_me<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<(VerifiedHeader, Vec<SharedRecord>), WalletError> {
        let at = self.latest(source).await?;
        let shared = shared_with(source, self.keys.zero(), &at, self.now_ms()).await?;
        Ok((at, shared))
    }

    /// Doctor mode: opens `record`, shared under `grant`, while the grant is active.
    pub async fn open_shared<S: LedgerSource>(
        &self,
        source: &S,
        grant: GrantId,
        record: RecordId,
    ) -> Result<OpenedShared, WalletError> {
        let at = self.latest(source).await?;
        let opened =
            open_shared(source, self.keys.zero(), &at, grant, record, self.now_ms()).await?;
        let clinic_name = crate::accounts::display_name(source, &at, &opened.entry.clinic).await?;
        Ok(OpenedShared {
            entry: opened.entry,
            metadata: opened.metadata,
            fhir: opened.fhir,
            clinic_name,
            verified_height: at.height(),
        })
    }
}

/// One record's ciphertext, checked against the ledger's hash.
async fn download<S: LedgerSource, St: WalletStore>(
    source: &S,
    store: &St,
    keys: Arc<AccountKeys>,
    record: RecordSummary,
    now_ms: u64,
) -> Result<(), WalletError> {
    saving::keep_ciphertext(source, store, &keys, &record, now_ms, None).await
}

mod emergency;
mod erasure;
mod guardian;
mod opening;
mod recovery;
mod relationships;
mod rotation;
pub mod saving;
mod sharing;

pub use emergency::EMERGENCY_ACCOUNT_LABEL;
pub use erasure::Erased;
pub use recovery::{GuardianChoice, describe_delay};
pub use rotation::Rotation;

pub use sharing::Access;

#[cfg(test)]
mod memory_ledger;
#[cfg(test)]
mod tests;
